package console_test

import (
	"cmp"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/curatorops/curatorops/app/apptest"
	"github.com/curatorops/curatorops/modules/platform/testkit"
)

// TestConsoleSort: the per-curator tables sort over the whole list as
// their header links ask, on both databases: queue health as the API's
// rows sorted by the same figure (ties by the row's key), the SLA board's
// two tables each by its own parameters; an unknown column or direction
// answers 422.
func TestConsoleSort(t *testing.T) {
	for _, dialect := range testkit.Dialects() {
		t.Run(dialect, func(t *testing.T) {
			site := newDemoSite(t, dialect)
			b := signedIn(t, site, "head@demo.test")

			items := apiItems(t, site.Do(http.MethodGet, "/v1/orgs/demo/homework-stats?group_by=curator", nil, apptest.Bearer(b.token())).
				Expect(http.StatusOK))
			name := func(it map[string]any) string {
				if it["curator_id"] == nil {
					return "Общая очередь"
				}
				n, _ := it["curator_name"].(string)
				return n
			}
			num := func(it map[string]any, f string) float64 { v, _ := it[f].(float64); return v }
			key := func(it map[string]any) string { k, _ := it["key"].(string); return k }
			for _, c := range []struct {
				query, field string
				desc         bool
			}{{"?sort=reviewed&dir=asc", "reviewed", false}, {"?sort=queued", "queued", true}, {"", "open_overdue", true}} {
				sorted := slices.Clone(items)
				slices.SortStableFunc(sorted, func(a, b map[string]any) int {
					d := cmp.Compare(num(a, c.field), num(b, c.field))
					if c.desc {
						d = -d
					}
					return cmp.Or(d, strings.Compare(key(a), key(b)))
				})
				var want []string
				for _, it := range sorted {
					want = append(want, name(it))
				}
				p := b.mustGet("/console/demo/queue-health" + c.query)
				if got := matches(rowHeader, p.Body); !slices.Equal(got, want) || len(want) < 2 {
					t.Errorf("queue health%s: %v, the API's sorted %v", c.query, got, want)
				}
			}
			if p := b.mustGet("/console/demo/queue-health?from=2026-01-01"); !strings.Contains(p.Body, `aria-sort="descending" data-sort="overdue"`) ||
				!strings.Contains(p.Body, `data-sort="reviewed"><a href="?dir=desc&amp;from=2026-01-01&amp;sort=reviewed">`) {
				t.Error("queue health's header: overdue sorted by default, the other links keeping the dates")
			}

			sla := b.mustGet("/console/demo/sla?curator_sort=name&curator_dir=desc&channel_sort=at_risk")
			curators := tableRows(sla.Body, "sla-by-curator")
			if len(curators) < 2 || !slices.IsSortedFunc(curators, func(a, b string) int { return -strings.Compare(strings.ToLower(a), strings.ToLower(b)) }) {
				t.Errorf("curators by name, last first: %v", curators)
			}
			if !strings.Contains(sla.Body, `aria-sort="descending" data-sort="name"`) || !strings.Contains(sla.Body, `aria-sort="descending" data-sort="at_risk"`) {
				t.Error("each of the board's tables marks its own sorted column")
			}
			for _, path := range []string{"/console/demo/queue-health?sort=name", "/console/demo/queue-health?dir=up", "/console/demo/sla?curator_sort=x",
				"/console/demo/sla?channel_dir=asc&channel_sort=channel"} {
				if p := b.get(path); p.Status != http.StatusUnprocessableEntity {
					t.Errorf("%s: %d, want 422", path, p.Status)
				}
			}
		})
	}
}

// tableRows are the row headers of the table with id.
func tableRows(body, id string) []string {
	_, rest, ok := strings.Cut(body, `<table id="`+id+`">`)
	if !ok {
		return nil
	}
	table, _, _ := strings.Cut(rest, "</table>")
	return matches(rowHeader, table)
}
