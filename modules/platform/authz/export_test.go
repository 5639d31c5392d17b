package authz

// CasbinSays asks casbin itself, bypassing the table worked out at load.
func CasbinSays(e *Enforcer, role string, p Permission) (bool, error) {
	return e.casbin.Enforce(role, p.Object, p.Action)
}

// RuleCount is how many policy lines were loaded.
func RuleCount(e *Enforcer) int { return len(e.rules) }
