package demo

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/curatorops/curatorops/app/apptest"
)

// A snapshot holds the rows a seeding leaves in some tables, so that two
// ways of writing the same thing can be compared row by row. The ids each
// run makes differ; names replaces them, wherever they occur, by names
// both runs share. Audit entries and outbox events are named by nothing,
// so their own ids are left out.

type snapshotSpec struct {
	tables []string
	where  map[string]string
	names  func(raw map[string][]map[string]any) map[string]string
}

type snapshot struct {
	rows map[string][]string         // by table: each row as JSON, named, sorted
	raw  map[string][]map[string]any // by table: the rows as read
}

var unnamedTables = map[string]bool{"audit_entries": true, "outbox_events": true}

func takeSnapshot(t *testing.T, s *apptest.Server, spec snapshotSpec) snapshot {
	t.Helper()
	snap := snapshot{rows: map[string][]string{}, raw: map[string][]map[string]any{}}
	for _, table := range spec.tables {
		var rows []map[string]any
		q := s.DB.NewSelect().TableExpr(table)
		if w, ok := spec.where[table]; ok {
			q = q.Where(w)
		}
		if err := q.Scan(s.Ctx(), &rows); err != nil {
			t.Fatal(err)
		}
		for _, row := range rows {
			for k, v := range row {
				if b, ok := v.([]byte); ok {
					row[k] = string(b)
				}
			}
		}
		snap.raw[table] = rows
	}
	names := spec.names(snap.raw)
	for _, table := range spec.tables {
		for _, row := range snap.raw[table] {
			if unnamedTables[table] {
				delete(row, "id")
			}
			raw, err := json.Marshal(row)
			if err != nil {
				t.Fatal(err)
			}
			text := string(raw)
			for id, name := range names {
				text = strings.ReplaceAll(text, id, name)
			}
			snap.rows[table] = append(snap.rows[table], text)
		}
		sort.Strings(snap.rows[table])
	}
	return snap
}

// count is how many rows of table have value in column.
func (snap snapshot) count(table, column, value string) int {
	n := 0
	for _, row := range snap.raw[table] {
		if fmt.Sprint(row[column]) == value {
			n++
		}
	}
	return n
}

// compareSnapshots reports the tables whose rows differ, a few rows each.
func compareSnapshots(t *testing.T, spec snapshotSpec, want, got snapshot) {
	t.Helper()
	for _, table := range spec.tables {
		a, b := want.rows[table], got.rows[table]
		if len(a) == 0 {
			t.Errorf("%s: no rows to compare", table)
		}
		if len(a) != len(b) {
			t.Errorf("%s: %d rows, and %d the other way", table, len(a), len(b))
		}
		shown := 0
		for i := 0; i < min(len(a), len(b)) && shown < 3; i++ {
			if a[i] != b[i] {
				t.Errorf("%s differs:\n  %s\n  %s", table, a[i], b[i])
				shown++
			}
		}
	}
}
