// Package authz answers whether a role may perform an action on an object,
// from the casbin model and policy embedded in the policies package.
package authz

import (
	"fmt"
	"sort"
	"strings"

	"github.com/casbin/casbin/v2"
	"github.com/casbin/casbin/v2/model"
)

// Roles a member of a school can hold, in the order documents list them.
var Roles = []string{"admin", "head_of_service", "senior_curator", "curator", "hr", "finance", "integration"}

// PlatformAdmin is the role of operations outside any school (creating
// schools); it comes from the user's platform-admin flag, not a membership.
const PlatformAdmin = "platform_admin"

// IsRole reports whether role is a school role.
func IsRole(role string) bool {
	for _, r := range Roles {
		if r == role {
			return true
		}
	}
	return false
}

// Permission is one (object, action) pair an operation requires.
type Permission struct {
	Object string
	Action string
}

func (p Permission) String() string { return p.Object + ":" + p.Action }

// Enforcer decides requests from the loaded policy.
type Enforcer struct {
	casbin *casbin.Enforcer
	rules  [][3]string
	// decided holds casbin's answer for every role and every permission
	// the policy mentions, worked out once at load: the policy does not
	// change while the process runs, and evaluating the matcher over
	// every line costs more than the database work of a cheap request.
	decided map[decision]bool
}

type decision struct {
	role string
	perm Permission
}

// PolicyFile is one file of the policy: the core file and one file per
// module, so that a module's rules live beside each other.
type PolicyFile struct {
	Name string // for errors, e.g. policies/policy.csv
	Text string
}

// New loads the model and the policy files. A bad policy line fails with
// file:line, so that start-up names the mistake instead of silently
// denying; a rule repeated in another file is refused the same way.
func New(modelText string, files ...PolicyFile) (*Enforcer, error) {
	m, err := model.NewModelFromString(modelText)
	if err != nil {
		return nil, fmt.Errorf("casbin model: %w", err)
	}
	e, err := casbin.NewEnforcer(m)
	if err != nil {
		return nil, fmt.Errorf("casbin enforcer: %w", err)
	}
	rules, err := parsePolicy(files)
	if err != nil {
		return nil, err
	}
	for _, r := range rules {
		// The model is filled directly: casbin's adapters cannot read an
		// embedded file, and their AddPolicy errors are swallowed.
		if err := e.GetModel().AddPolicy("p", "p", r[:]); err != nil {
			return nil, fmt.Errorf("casbin policy: %w", err)
		}
	}
	enf := &Enforcer{casbin: e, rules: rules}
	if err := enf.decideAll(); err != nil {
		return nil, err
	}
	return enf, nil
}

// decideAll asks casbin about every role and permission pair the policy
// can answer; a pair it does not mention is denied by the model.
func (e *Enforcer) decideAll() error {
	e.decided = map[decision]bool{}
	perms := e.Permissions()
	for _, role := range append([]string{PlatformAdmin}, Roles...) {
		for _, p := range perms {
			ok, err := e.casbin.Enforce(role, p.Object, p.Action)
			if err != nil {
				return fmt.Errorf("casbin enforce %s %s: %w", role, p, err)
			}
			e.decided[decision{role, p}] = ok
		}
	}
	return nil
}

func parsePolicy(files []PolicyFile) ([][3]string, error) {
	var rules [][3]string
	seen := map[[3]string]string{}
	for _, f := range files {
		parsed, err := parsePolicyFile(f, seen)
		if err != nil {
			return nil, err
		}
		rules = append(rules, parsed...)
	}
	return rules, nil
}

// parsePolicyFile reads one file; seen holds the rules of the files read
// before it, with where each was written.
func parsePolicyFile(f PolicyFile, seen map[[3]string]string) ([][3]string, error) {
	var rules [][3]string
	file := f.Name
	for i, line := range strings.Split(f.Text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		at := fmt.Sprintf("%s:%d", file, i+1)
		fields := strings.Split(line, ",")
		for j := range fields {
			fields[j] = strings.TrimSpace(fields[j])
		}
		if len(fields) != 4 || fields[0] != "p" || fields[1] == "" || fields[2] == "" || fields[3] == "" {
			return nil, fmt.Errorf("%s: expected \"p, role, object, action\", got %q", at, line)
		}
		rule := [3]string{fields[1], fields[2], fields[3]}
		if !IsRole(rule[0]) && rule[0] != PlatformAdmin {
			return nil, fmt.Errorf("%s: unknown role %q", at, rule[0])
		}
		if prev, dup := seen[rule]; dup {
			return nil, fmt.Errorf("%s: repeats %s", at, prev)
		}
		seen[rule] = at
		rules = append(rules, rule)
	}
	return rules, nil
}

// Allowed reports whether any of roles may perform p.
func (e *Enforcer) Allowed(roles []string, p Permission) bool {
	for _, role := range roles {
		if e.decided[decision{role, p}] {
			return true
		}
	}
	return false
}

// Permissions lists every permission the policy mentions, sorted.
func (e *Enforcer) Permissions() []Permission {
	set := map[Permission]bool{}
	for _, r := range e.rules {
		set[Permission{r[1], r[2]}] = true
	}
	out := make([]Permission, 0, len(set))
	for p := range set {
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].String() < out[j].String() })
	return out
}
