package server_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"testing"

	"github.com/danielgtaylor/huma/v2"

	"github.com/curatorops/curatorops/app/apptest"
	"github.com/curatorops/curatorops/modules/platform/httpapi"
)

// Cursors are opaque, but a client can still forge one: base64 of any JSON
// array. Most lists page by id and ids are uuid columns on PostgreSQL, so a
// key that is not a uuid reaching "id > ?" fails there with invalid input
// syntax (SQLite compares it as text and answers 200). The sweep sends forged
// cursors to every list of the spec and asserts that none makes a server
// error: the list refuses the cursor (422 on query.cursor) or, where the key
// is free text (a slug, a due time and title), pages from it.

// forgedCursors are well-formed cursors whose keys are not what any list
// hands out: one key for the lists paged by one key, two for those paged by
// a time and an id.
var forgedCursors = []struct{ kind, cursor string }{
	{"one key, not a uuid", httpapi.EncodeCursor("not-a-uuid")},
	{"one key with a quote", httpapi.EncodeCursor("it's")},
	{"uuid with a quote", httpapi.EncodeCursor("00000000-0000-7000-8000-00000000000'")},
	{"two keys, neither valid", httpapi.EncodeCursor("not-a-time", "not-a-uuid")},
	{"time and a non-uuid", httpapi.EncodeCursor("2026-03-02T08:00:00Z", "not-a-uuid")},
	{"time and a quote", httpapi.EncodeCursor("2026-03-02T08:00:00Z", "it's")},
}

func TestEveryListRefusesForgedCursorsWithoutServerErrors(t *testing.T) {
	skipUnderRace(t)
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		// The input sweep's caller: the school's admin when the policy lets
		// the admin list, else the first role that may; the platform
		// administrator for platform lists. Its request fills the required
		// query parameters with valid samples, so only the cursor is wrong.
		w := &inputSweep{t: t, s: s, school: s.NewSchool("alpha"), platform: s.NewPlatformAdmin("root@platform.test"),
			schemas: s.App.API.OpenAPI().Components.Schemas}
		lists := 0
		outcomes := map[string]int{}
		paged := map[string]bool{} // lists that paged from a forged key: free-text keys
		for _, op := range operations(t, s) {
			spec := w.operation(op)
			if op.method != http.MethodGet || !hasCursor(spec) {
				continue
			}
			caller, ok := w.caller(op)
			if !ok {
				continue
			}
			lists++
			for _, c := range forgedCursors {
				what := op.String() + " " + c.kind
				path, _, opts := w.request(op, spec, nil, sweptField{in: "query", name: "cursor"}, badValue{kind: c.kind, text: c.cursor})
				r := s.Do(op.method, path, nil, append(opts, caller())...)
				outcomes[http.StatusText(r.Code)]++
				if r.Code == http.StatusOK {
					paged[op.id] = true
				}
				switch {
				case r.Code >= 500:
					t.Errorf("%s: status %d, want the cursor refused; body: %s", what, r.Code, r.Body)
				case r.Code == http.StatusUnauthorized || r.Code == http.StatusForbidden:
					t.Errorf("%s: status %d: the caller was not let through, so the cursor was not tried", what, r.Code)
				case r.Code == http.StatusUnprocessableEntity && !namesCursor(r):
					t.Errorf("%s: 422 not naming query.cursor: %s", what, r.Body)
				}
			}
		}
		if lists == 0 {
			t.Fatal("no operation takes a cursor: the walk is broken")
		}
		var seen []string
		for k, n := range outcomes {
			seen = append(seen, fmt.Sprintf("%s: %d", k, n))
		}
		sort.Strings(seen)
		t.Logf("%d lists, %d forged cursors each: %v", lists, len(forgedCursors), seen)
		var free []string
		for id := range paged {
			free = append(free, id)
		}
		sort.Strings(free)
		t.Logf("paged from a free-text key: %v", free)
	})
}

// hasCursor reports whether the operation takes a cursor query parameter.
func hasCursor(spec *huma.Operation) bool {
	if spec == nil {
		return false
	}
	for _, p := range spec.Parameters {
		if p.In == "query" && p.Name == "cursor" {
			return true
		}
	}
	return false
}

// namesCursor reports whether a problem names query.cursor.
func namesCursor(r *apptest.Response) bool {
	var p struct {
		Errors []struct {
			Location string `json:"location"`
		} `json:"errors"`
	}
	if json.Unmarshal(r.Body, &p) != nil {
		return false
	}
	for _, e := range p.Errors {
		if e.Location == "query.cursor" {
			return true
		}
	}
	return false
}
