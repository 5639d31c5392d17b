package testkit

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// IDGroups collects rows read as groups (a key, a count and the rows' ids
// joined by spaces) so that a test can compare them with the groups it
// expects, whatever order the database joined the ids in.
type IDGroups[K comparable] map[K][]string

// Add records a group's ids under its key, and fails the test when the
// count does not match them.
func (g IDGroups[K]) Add(t testing.TB, key K, count int, ids string) {
	t.Helper()
	fields := strings.Fields(ids)
	if len(fields) != count {
		t.Errorf("group %+v: %d ids for a count of %d", key, len(fields), count)
	}
	g[key] = append(g[key], fields...)
}

// Expect fails the test unless exactly the wanted groups were read, each
// with the wanted ids.
func (g IDGroups[K]) Expect(t testing.TB, want map[K][]string) {
	t.Helper()
	if len(g) != len(want) {
		t.Errorf("read %d groups, want %d: %v", len(g), len(want), g)
	}
	for key, ids := range want {
		got := slices.Sorted(slices.Values(g[key]))
		if !slices.Equal(got, slices.Sorted(slices.Values(ids))) {
			t.Errorf("group %s: ids %v, want %v", fmt.Sprintf("%+v", key), got, ids)
		}
	}
}
