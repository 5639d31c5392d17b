package authz_test

import (
	"strings"
	"testing"

	"github.com/curatorops/curatorops/modules/platform/authz"

	"github.com/curatorops/curatorops/policies"
)

func TestEmbeddedPolicyLoads(t *testing.T) {
	e, err := authz.New(policies.Model, policies.Files()...)
	if err != nil {
		t.Fatal(err)
	}
	if !e.Allowed([]string{"curator", "head_of_service"}, authz.Permission{"audit", "read"}) {
		t.Error("head_of_service should read the audit log")
	}
	if e.Allowed([]string{"curator"}, authz.Permission{"audit", "read"}) {
		t.Error("a curator must not read the audit log")
	}
	if e.Allowed(nil, authz.Permission{"audit", "read"}) {
		t.Error("no roles must allow nothing")
	}
}

// TestDecisionsMatchCasbin: the table worked out at load answers exactly
// what casbin answers, for every role and every permission of the policy,
// and a permission the policy does not mention is denied.
func TestDecisionsMatchCasbin(t *testing.T) {
	e, err := authz.New(policies.Model, policies.Files()...)
	if err != nil {
		t.Fatal(err)
	}
	granted := 0
	for _, role := range append([]string{authz.PlatformAdmin}, authz.Roles...) {
		for _, p := range e.Permissions() {
			want, err := authz.CasbinSays(e, role, p)
			if err != nil {
				t.Fatal(err)
			}
			if got := e.Allowed([]string{role}, p); got != want {
				t.Errorf("%s %s: table says %v, casbin %v", role, p, got, want)
			}
			if want {
				granted++
			}
		}
	}
	if granted != authz.RuleCount(e) {
		t.Errorf("%d grants in the table, %d policy lines", granted, authz.RuleCount(e))
	}
	if e.Allowed(authz.Roles, authz.Permission{"audit", "erase"}) {
		t.Error("a permission no policy line mentions must be denied")
	}
}

func TestBadPolicyLineIsReportedWithFileAndLine(t *testing.T) {
	cases := map[string]string{
		"too few fields": "# comment\np, admin, audit\n",
		"unknown role":   "p, admin, audit, read\n\np, janitor, audit, read\n",
		"not a p line":   "g, admin, curator, x\n",
		"repeated line":  "p, admin, audit, read\np, admin, audit, read\n",
	}
	wantLine := map[string]string{
		"too few fields": "test.csv:2:",
		"unknown role":   "test.csv:3:",
		"not a p line":   "test.csv:1:",
		"repeated line":  "test.csv:2:",
	}
	for name, policy := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := authz.New(policies.Model, authz.PolicyFile{Name: "test.csv", Text: policy})
			if err == nil || !strings.HasPrefix(err.Error(), wantLine[name]) {
				t.Fatalf("want error starting %q, got %v", wantLine[name], err)
			}
		})
	}
}

// TestRuleRepeatedInAnotherFileIsRefused: module files cannot grant twice
// what another file grants, and the error names both places.
func TestRuleRepeatedInAnotherFileIsRefused(t *testing.T) {
	_, err := authz.New(policies.Model,
		authz.PolicyFile{Name: "a.csv", Text: "p, admin, audit, read\n"},
		authz.PolicyFile{Name: "b.csv", Text: "# b\np, admin, audit, read\n"})
	if err == nil || err.Error() != "b.csv:2: repeats a.csv:1" {
		t.Fatalf("want b.csv:2: repeats a.csv:1, got %v", err)
	}
}
