// Package policies embeds the casbin model and the role policy, so that the
// binary carries its own authorization rules.
package policies

import (
	"embed"
	"io/fs"
	"sort"

	"github.com/curatorops/curatorops/modules/platform/authz"
)

// Model is the casbin model: a request (role, object, action) is allowed when
// a policy line grants exactly that.
//
//go:embed model.conf
var Model string

// files holds policy.csv (the platform and the first modules) and one
// <module>.csv for each module added since, each "p, role, object, action"
// a line.
//
//go:embed *.csv
var files embed.FS

// Core is the file that starts the policy; the other files follow it in
// name order.
const Core = "policy.csv"

// Glob names every policy file, for messages.
const Glob = "policies/*.csv"

// Files returns the policy files, policy.csv first.
func Files() []authz.PolicyFile {
	names, err := fs.Glob(files, "*.csv")
	if err != nil {
		panic(err) // the pattern is a constant
	}
	sort.Slice(names, func(i, j int) bool {
		if (names[i] == Core) != (names[j] == Core) {
			return names[i] == Core
		}
		return names[i] < names[j]
	})
	out := make([]authz.PolicyFile, 0, len(names))
	for _, n := range names {
		text, err := files.ReadFile(n)
		if err != nil {
			panic(err) // embedded
		}
		out = append(out, authz.PolicyFile{Name: "policies/" + n, Text: string(text)})
	}
	return out
}
