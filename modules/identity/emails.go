package identity

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"github.com/curatorops/curatorops/modules/platform/errs"
)

// Emails are how people sign in, so two addresses that look the same must be
// the same account, and an address that only looks like another is refused.

// normalizeEmail returns email in the form it is stored: NFKC, trimmed, the
// domain lowercased. It refuses an address with invisible characters or with
// letters of several scripts in one part, which would be a look-alike of
// another address. location names the field in the refusal.
func normalizeEmail(email, location string) (string, error) {
	email = strings.TrimSpace(norm.NFKC.String(email))
	for _, r := range email {
		if unicode.Is(unicode.Cf, r) || unicode.IsControl(r) {
			return "", errs.Invalid(location, "contains an invisible character")
		}
	}
	local, domain, ok := strings.Cut(email, "@")
	if !ok || local == "" || domain == "" {
		return "", errs.Invalid(location, "is not an email address")
	}
	if mixesScripts(local) || mixesScripts(domain) {
		return "", errs.Invalid(location, "mixes letters of different alphabets, as look-alike addresses do")
	}
	return local + "@" + strings.ToLower(domain), nil
}

// emailScripts are the scripts whose letters look alike; a part of an
// address holds letters of one of them only.
var emailScripts = []*unicode.RangeTable{unicode.Latin, unicode.Cyrillic, unicode.Greek, unicode.Armenian}

// mixesScripts reports whether s has letters of more than one script, or
// letters of a script it cannot tell apart.
func mixesScripts(s string) bool {
	var seen *unicode.RangeTable
	for _, r := range s {
		if !unicode.IsLetter(r) {
			continue
		}
		script := scriptOf(r)
		if seen != nil && script != seen {
			return true
		}
		seen = script
	}
	return false
}

// scriptOf returns the look-alike script of letter r, or unicode.L for any
// other script (which is then compared as one group).
func scriptOf(r rune) *unicode.RangeTable {
	for _, t := range emailScripts {
		if unicode.Is(t, r) {
			return t
		}
	}
	return unicode.L
}
