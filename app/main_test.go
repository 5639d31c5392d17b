package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	humayaml "github.com/danielgtaylor/huma/v2/yaml"

	"github.com/curatorops/curatorops/app/server"
)

func TestCommittedSpecIsCurrent(t *testing.T) {
	want, err := server.Spec()
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile("../openapi/openapi.yaml")
	if err != nil {
		t.Fatalf("%v; run: go run ./app openapi > openapi/openapi.yaml", err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("openapi/openapi.yaml is stale (%s); run: go run ./app openapi > openapi/openapi.yaml", firstDifference(got, want))
	}
}

func TestPermissionsDocIsCurrent(t *testing.T) {
	want, err := permissionsMarkdown()
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile("../docs/permissions.md")
	if err != nil {
		t.Fatalf("%v; run: go run ./app permissions > docs/permissions.md", err)
	}
	if string(got) != want {
		t.Fatalf("docs/permissions.md is stale (%s); run: go run ./app permissions > docs/permissions.md", firstDifference(got, []byte(want)))
	}
}

// firstDifference names the first line where the committed file and the
// generated one part, to point the developer at the change.
func firstDifference(committed, generated []byte) string {
	a, b := strings.Split(string(committed), "\n"), strings.Split(string(generated), "\n")
	for i := 0; i < len(a) && i < len(b); i++ {
		if a[i] != b[i] {
			return fmt.Sprintf("line %d: committed %q, generated %q", i+1, a[i], b[i])
		}
	}
	return fmt.Sprintf("committed has %d lines, generated %d", len(a), len(b))
}

// specOperation is what TestEveryOperationDeclaresAccess reads of an
// operation.
type specOperation struct {
	OperationID string         `json:"operationId"`
	Summary     string         `json:"summary"`
	Tags        []string       `json:"tags"`
	Permission  *string        `json:"x-permission"`
	Public      *bool          `json:"x-public"`
	Responses   map[string]any `json:"responses"`
}

// specDocument decodes the spec the running server serves, after checking
// that it is, byte for byte, the YAML of server.Spec(): huma writes its
// YAML from this JSON, and the module has no YAML parser of its own.
func specDocument(t *testing.T) map[string]map[string]json.RawMessage {
	t.Helper()
	srv, err := server.New(server.Config{BodyLimit: "1M"}, nil, &server.Services{}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	raw, err := json.Marshal(srv.API.OpenAPI())
	if err != nil {
		t.Fatal(err)
	}
	var asYAML bytes.Buffer
	if err := humayaml.Convert(&asYAML, bytes.NewReader(raw)); err != nil {
		t.Fatal(err)
	}
	spec, err := server.Spec()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(asYAML.Bytes(), spec) {
		t.Fatalf("the served API and server.Spec() differ (%s): an operation is registered in one and not the other",
			firstDifference(spec, asYAML.Bytes()))
	}
	var doc struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	return doc.Paths
}

var (
	kebabCase       = regexp.MustCompile(`^[a-z][a-z0-9]*(-[a-z0-9]+)*$`)
	permissionLabel = regexp.MustCompile(`^(signed-in|[a-z][a-z_]*:[a-z][a-z_]*)$`)
	httpMethods     = map[string]bool{"get": true, "put": true, "post": true, "delete": true, "options": true, "head": true, "patch": true, "trace": true}
)

func TestEveryOperationDeclaresAccess(t *testing.T) {
	paths := specDocument(t)
	seenIDs := map[string]string{}
	checked := 0
	for path, item := range paths {
		for method, rawOp := range item {
			if !httpMethods[method] {
				continue
			}
			var op specOperation
			if err := json.Unmarshal(rawOp, &op); err != nil {
				t.Fatalf("%s %s: %v", method, path, err)
			}
			where := strings.ToUpper(method) + " " + path
			checked++
			if !kebabCase.MatchString(op.OperationID) {
				t.Errorf("%s: operationId %q is not kebab-case", where, op.OperationID)
			}
			if prev, dup := seenIDs[op.OperationID]; dup {
				t.Errorf("%s: operationId %q is also used by %s", where, op.OperationID, prev)
			}
			seenIDs[op.OperationID] = where
			if strings.TrimSpace(op.Summary) == "" {
				t.Errorf("%s: no summary", where)
			}
			if len(op.Tags) == 0 {
				t.Errorf("%s: no tag", where)
			}
			public := op.Public != nil && *op.Public
			switch {
			case op.Public != nil && !*op.Public:
				t.Errorf("%s: x-public is false; leave it out and declare x-permission", where)
			case public && op.Permission != nil:
				t.Errorf("%s: declares both x-public and x-permission %q", where, *op.Permission)
			case !public && op.Permission == nil:
				t.Errorf("%s: declares neither x-permission nor x-public: true", where)
			case !public && !permissionLabel.MatchString(*op.Permission):
				t.Errorf("%s: x-permission %q is neither signed-in nor object:action", where, *op.Permission)
			}
			if public {
				continue
			}
			for _, status := range []string{"401", "403"} {
				if _, ok := op.Responses[status]; !ok {
					t.Errorf("%s: needs credentials but does not list the %s response", where, status)
				}
			}
			if strings.HasPrefix(path, "/v1/orgs/{org}") {
				if _, ok := op.Responses["404"]; !ok {
					t.Errorf("%s: acts in a school but does not list the 404 response", where)
				}
			}
		}
	}
	if checked == 0 {
		t.Fatal("the spec lists no operations")
	}
}

// --- the command line

// clearEnv unsets every CURATOROPS_* variable for the test, so that the
// developer's environment cannot change what a test sees.
func clearEnv(t *testing.T) {
	t.Helper()
	for _, kv := range os.Environ() {
		if name, _, _ := strings.Cut(kv, "="); strings.HasPrefix(name, "CURATOROPS_") {
			t.Setenv(name, "") // restores the value afterwards
			_ = os.Unsetenv(name)
		}
	}
}

// cli runs the command line and returns its error and outputs.
func cli(t *testing.T, stdin string, args ...string) (error, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), args, strings.NewReader(stdin), &stdout, &stderr)
	return err, stdout.String(), stderr.String()
}

func TestBadUsageExitsWithCode2NamingTheSetting(t *testing.T) {
	cases := []struct {
		name string
		env  map[string]string
		args []string
		want string // in the message
	}{
		{"token ttl flag", nil, []string{"migrate", "status", "--token-ttl", "banana"}, "--token-ttl"},
		{"token ttl too short", nil, []string{"migrate", "status", "--token-ttl", "30s"}, "--token-ttl"},
		{"database url env", map[string]string{"CURATOROPS_DATABASE_URL": "mysql://x"}, []string{"migrate", "status"}, "CURATOROPS_DATABASE_URL"},
		{"database url flag", nil, []string{"migrate", "status", "--database-url", "mysql://x"}, "--database-url"},
		{"addr", nil, []string{"serve", "--addr", "nonsense"}, "--addr"},
		{"log level", nil, []string{"migrate", "status", "--log-level", "loud"}, "--log-level"},
		{"body limit", nil, []string{"migrate", "status", "--body-limit", "huge"}, "--body-limit"},
		{"behind proxy env", map[string]string{"CURATOROPS_BEHIND_PROXY": "perhaps"}, []string{"migrate", "status"}, "CURATOROPS_BEHIND_PROXY"},
		{"shutdown grace", nil, []string{"serve", "--shutdown-grace", "-5s"}, "--shutdown-grace"},
		{"unknown command", nil, []string{"frobnicate"}, `"frobnicate"`},
		{"unknown flag", nil, []string{"migrate", "status", "--no-such-flag"}, "no-such-flag"},
		{"migrate without a verb", nil, []string{"migrate", "--database-url", "sqlite:unused.db"}, "migrate up|down|status"},
		{"seed something else", nil, []string{"seed", "everything", "--database-url", "sqlite:unused.db"}, "seed demo"},
		{"user without create", nil, []string{"user", "delete", "--database-url", "sqlite:unused.db"}, "user create"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			clearEnv(t)
			t.Chdir(t.TempDir()) // a command that got past its checks would leave files here, not in the repo
			for k, v := range c.env {
				t.Setenv(k, v)
			}
			err, stdout, _ := cli(t, "", c.args...)
			var ee *exitError
			if !errors.As(err, &ee) {
				t.Fatalf("error %v (%T), want an *exitError", err, err)
			}
			if ee.code != 2 {
				t.Errorf("exit code %d, want 2", ee.code)
			}
			msg := err.Error()
			if !strings.Contains(msg, c.want) {
				t.Errorf("message %q does not name %s", msg, c.want)
			}
			if strings.Contains(msg, "\n") {
				t.Errorf("message is not one line: %q", msg)
			}
			if stdout != "" {
				t.Errorf("wrote to stdout on bad usage: %q", stdout)
			}
			if entries, _ := os.ReadDir("."); len(entries) > 0 {
				t.Errorf("bad usage still created %v", entries[0].Name())
			}
		})
	}
}

func TestHelpPrintsUsage(t *testing.T) {
	for _, args := range [][]string{nil, {"help"}, {"--help"}, {"-h"}} {
		err, stdout, _ := cli(t, "", args...)
		if err != nil {
			t.Errorf("%v: %v", args, err)
		}
		if !strings.Contains(stdout, "Usage:") || !strings.Contains(stdout, "curatorops migrate up|down|status") {
			t.Errorf("%v: no usage on stdout: %q", args, stdout)
		}
	}
}

func TestOpenAPICommandPrintsTheSpec(t *testing.T) {
	clearEnv(t)
	err, stdout, _ := cli(t, "", "openapi")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(stdout, "components:") {
		t.Errorf("output does not start like the spec: %.80q", stdout)
	}
	spec, err := server.Spec()
	if err != nil {
		t.Fatal(err)
	}
	if stdout != string(spec) {
		t.Error("openapi prints something other than server.Spec()")
	}
}

func TestPermissionsCommandPrintsTheMatrix(t *testing.T) {
	clearEnv(t)
	err, stdout, _ := cli(t, "", "permissions")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"# Permissions", "| `audit:read` |", "`list-audit-entries`", "Public operations: "} {
		if !strings.Contains(stdout, want) {
			t.Errorf("output lacks %q", want)
		}
	}
}

func TestMigrateUpThenStatus(t *testing.T) {
	clearEnv(t)
	dbURL := "sqlite:" + filepath.Join(t.TempDir(), "x.db")

	err, stdout, _ := cli(t, "", "migrate", "status", "--database-url", dbURL)
	if err != nil {
		t.Fatal(err)
	}
	pending := nonEmptyLines(stdout)
	if len(pending) == 0 {
		t.Fatal("status of an empty database lists no migrations")
	}
	for _, l := range pending {
		if !strings.HasPrefix(l, "pending ") {
			t.Errorf("before up: %q, want pending", l)
		}
	}

	err, stdout, _ = cli(t, "", "migrate", "up", "--database-url", dbURL)
	if err != nil {
		t.Fatal(err)
	}
	applied := nonEmptyLines(stdout)
	if len(applied) != len(pending) {
		t.Fatalf("up applied %d migrations, status listed %d pending:\n%s", len(applied), len(pending), stdout)
	}
	for _, l := range applied {
		if !strings.HasPrefix(l, "applied ") {
			t.Errorf("up printed %q, want applied <name>", l)
		}
	}

	// Flags may come before the verb too.
	err, stdout, _ = cli(t, "", "migrate", "--database-url", dbURL, "status")
	if err != nil {
		t.Fatal(err)
	}
	status := nonEmptyLines(stdout)
	if len(status) != len(applied) {
		t.Fatalf("status lists %d migrations after up applied %d:\n%s", len(status), len(applied), stdout)
	}
	for i, l := range status {
		name := strings.TrimPrefix(applied[i], "applied ")
		if !strings.HasPrefix(l, "applied ") || !strings.HasSuffix(l, " "+name) {
			t.Errorf("status line %q, want applied %s", l, name)
		}
	}

	err, stdout, _ = cli(t, "", "migrate", "up", "--database-url", dbURL)
	if err != nil {
		t.Fatal(err)
	}
	if strings.TrimSpace(stdout) != "nothing applied" {
		t.Errorf("second up printed %q, want nothing applied", stdout)
	}
}

func nonEmptyLines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.TrimSpace(l) != "" {
			out = append(out, l)
		}
	}
	return out
}

func TestUserCreate(t *testing.T) {
	clearEnv(t)
	dbURL := "sqlite:" + filepath.Join(t.TempDir(), "x.db")
	create := func(t *testing.T, stdin, email string, extra ...string) (error, string) {
		t.Helper()
		args := append([]string{"user", "create", "--database-url", dbURL, "--email", email, "--name", "Ada Lovelace"}, extra...)
		err, stdout, _ := cli(t, stdin, args...)
		return err, stdout
	}

	t.Run("created once, then left alone", func(t *testing.T) {
		t.Setenv("CURATOROPS_PASSWORD", "correct-horse-battery")
		err, stdout := create(t, "", "ada@example.test", "--platform-admin")
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(stdout, "created user ada@example.test (") {
			t.Errorf("first run printed %q", stdout)
		}
		t.Setenv("CURATOROPS_PASSWORD", "another-long-password")
		err, stdout = create(t, "", "ada@example.test")
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(stdout, "ada@example.test already exists") || !strings.Contains(stdout, "password unchanged") {
			t.Errorf("second run printed %q, want already exists", stdout)
		}
	})

	t.Run("password from standard input", func(t *testing.T) {
		err, stdout := create(t, "  piped-in-secret-words  \n", "stdin@example.test")
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(stdout, "created user stdin@example.test") {
			t.Errorf("printed %q", stdout)
		}
	})

	t.Run("weak passwords are refused", func(t *testing.T) {
		for _, c := range []struct {
			name, password string
			wantCode       int
		}{
			{"the demo password", "demo-Curator-2026", 0},
			{"one letter repeated", "aaaaaaaaaaaa", 2},
			{"a keyboard row", "qwertyqwerty", 2},
			{"too short", "short-pw", 2},
		} {
			t.Run(c.name, func(t *testing.T) {
				t.Setenv("CURATOROPS_PASSWORD", c.password)
				err, stdout := create(t, "", "weak@example.test")
				if err == nil {
					t.Fatalf("password %q accepted: %q", c.password, stdout)
				}
				var ee *exitError
				if c.wantCode != 0 && (!errors.As(err, &ee) || ee.code != c.wantCode) {
					t.Errorf("error %v, want exit code %d", err, c.wantCode)
				}
				if !strings.Contains(err.Error(), "password") {
					t.Errorf("error %q does not name the password", err)
				}
				if strings.Contains(err.Error(), c.password) {
					t.Errorf("error %q repeats the password", err)
				}
			})
		}
		// Nothing was created: a good password now creates the account.
		t.Setenv("CURATOROPS_PASSWORD", "correct-horse-battery")
		err, stdout := create(t, "", "weak@example.test")
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(stdout, "created user weak@example.test") {
			t.Errorf("after the refusals, printed %q, want created", stdout)
		}
	})

	t.Run("a missing school keeps no account", func(t *testing.T) {
		t.Setenv("CURATOROPS_PASSWORD", "correct-horse-battery")
		err, stdout := create(t, "", "orphan@example.test", "--org", "no-such-school", "--role", "curator")
		if err == nil || !strings.Contains(err.Error(), "not found") {
			t.Fatalf("error %v, want the school not found", err)
		}
		if strings.Contains(stdout, "created user") {
			t.Errorf("printed %q for a user that was not kept", stdout)
		}
		// The account was rolled back: creating it alone now creates it.
		err, stdout = create(t, "", "orphan@example.test")
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(stdout, "created user orphan@example.test") {
			t.Errorf("after the refusal, printed %q, want created", stdout)
		}
	})

	t.Run("look-alike emails are refused", func(t *testing.T) {
		t.Setenv("CURATOROPS_PASSWORD", "correct-horse-battery")
		for _, email := range []string{"admin@demo.test\u200b", "\u0430dmin@demo.test"} {
			err, stdout := create(t, "", email)
			var ee *exitError
			if !errors.As(err, &ee) || ee.code != 2 || !strings.Contains(err.Error(), "email") {
				t.Errorf("%q: error %v (printed %q), want exit code 2 naming the email", email, err, stdout)
			}
		}
	})

	t.Run("usage mistakes", func(t *testing.T) {
		t.Setenv("CURATOROPS_PASSWORD", "correct-horse-battery")
		for _, c := range []struct {
			name string
			args []string
		}{
			{"no email", []string{"user", "create", "--database-url", dbURL, "--name", "N"}},
			{"org without role", []string{"user", "create", "--database-url", dbURL, "--email", "x@example.test", "--name", "N", "--org", "demo"}},
		} {
			err, _, _ := cli(t, "", c.args...)
			var ee *exitError
			if !errors.As(err, &ee) || ee.code != 2 {
				t.Errorf("%s: error %v, want exit code 2", c.name, err)
			}
		}
	})
}
