// Package policies embeds the casbin model and the role policy, so that the
// binary carries its own authorization rules.
package policies

import _ "embed"

// Model is the casbin model: a request (role, object, action) is allowed when
// a policy line grants exactly that.
//
//go:embed model.conf
var Model string

// Policy lists what each role may do, one "p, role, object, action" a line.
//
//go:embed policy.csv
var Policy string

// PolicyFile is the name errors use to point at a bad policy line.
const PolicyFile = "policies/policy.csv"
