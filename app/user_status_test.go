package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestUserDisableAndEnable: an operator stops an account from the command
// line and gives it back; unknown accounts and a missing email are errors.
func TestUserDisableAndEnable(t *testing.T) {
	clearEnv(t)
	dbURL := "sqlite:" + filepath.Join(t.TempDir(), "x.db")
	t.Setenv("CURATOROPS_PASSWORD", "correct-horse-battery")
	if err, _, _ := cli(t, "", "user", "create", "--database-url", dbURL, "--email", "ada@example.test", "--name", "Ada"); err != nil {
		t.Fatal(err)
	}
	for _, step := range []struct{ verb, want string }{{"disable", "is disabled"}, {"disable", "is disabled"}, {"enable", "is active"}} {
		err, stdout, _ := cli(t, "", "user", step.verb, "--database-url", dbURL, "--email", "ADA@example.test")
		if err != nil || !strings.Contains(stdout, "ada@example.test") || !strings.Contains(stdout, step.want) {
			t.Fatalf("user %s: %v, printed %q; want %q", step.verb, err, stdout, step.want)
		}
	}
	if err, _, _ := cli(t, "", "user", "disable", "--database-url", dbURL, "--email", "nobody@example.test"); err == nil || !strings.Contains(err.Error(), "not found") {
		t.Fatalf("unknown account: %v, want not found", err)
	}
	if err, _, _ := cli(t, "", "user", "disable", "--database-url", dbURL); err == nil || !strings.Contains(err.Error(), "--email") {
		t.Fatalf("no email: %v, want a usage error naming --email", err)
	}
}
