package httpapi

import "time"

// OrgPath addresses one school; every school operation's input embeds it.
type OrgPath struct {
	Org string `path:"org" maxLength:"64" doc:"School slug."`
}

// UTC returns t in UTC, or nil: optional times in response bodies.
func UTC(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}
