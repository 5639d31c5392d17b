package authz

import (
	"strings"
	"testing"

	"github.com/curatorops/curatorops/policies"
)

func TestEmbeddedPolicyLoads(t *testing.T) {
	e, err := New(policies.Model, policies.Policy, policies.PolicyFile)
	if err != nil {
		t.Fatal(err)
	}
	if !e.Allowed([]string{"curator", "head_of_service"}, Permission{"audit", "read"}) {
		t.Error("head_of_service should read the audit log")
	}
	if e.Allowed([]string{"curator"}, Permission{"audit", "read"}) {
		t.Error("a curator must not read the audit log")
	}
	if e.Allowed(nil, Permission{"audit", "read"}) {
		t.Error("no roles must allow nothing")
	}
}

// TestDecisionsMatchCasbin: the table worked out at load answers exactly
// what casbin answers, for every role and every permission of the policy,
// and a permission the policy does not mention is denied.
func TestDecisionsMatchCasbin(t *testing.T) {
	e, err := New(policies.Model, policies.Policy, policies.PolicyFile)
	if err != nil {
		t.Fatal(err)
	}
	granted := 0
	for _, role := range append([]string{PlatformAdmin}, Roles...) {
		for _, p := range e.Permissions() {
			want, err := e.casbin.Enforce(role, p.Object, p.Action)
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
	if granted != len(e.rules) {
		t.Errorf("%d grants in the table, %d policy lines", granted, len(e.rules))
	}
	if e.Allowed(Roles, Permission{"audit", "erase"}) {
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
			_, err := New(policies.Model, policy, "test.csv")
			if err == nil || !strings.HasPrefix(err.Error(), wantLine[name]) {
				t.Fatalf("want error starting %q, got %v", wantLine[name], err)
			}
		})
	}
}
