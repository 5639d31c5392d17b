// Package auditlog is how every module writes to the audit log without
// knowing its tables: services build an Entry and hand it to a Recorder
// inside the transaction that makes the change.
package auditlog

import (
	"context"
	"encoding/json"
	"reflect"

	"github.com/uptrace/bun"
)

// Change is one field's value before and after a change.
type Change struct {
	Before any `json:"before"`
	After  any `json:"after"`
}

// Entry describes one change to one entity. Who made it, from where and in
// which request is taken from the context by the Recorder.
type Entry struct {
	OrgID      string // empty for changes outside any school (a user's own password)
	Action     string // defaults to the operation id of the request
	EntityType string
	EntityID   string
	Changes    map[string]Change
}

// Recorder writes entries. Record runs on db, the caller's transaction, so
// that the entry and the change commit or roll back together.
type Recorder interface {
	Record(ctx context.Context, db bun.IDB, e Entry) error
}

// Diff compares two values of the same struct type field by field, through
// their JSON form, and returns the fields that differ. Fields hidden from
// JSON (`json:"-"`, such as password hashes) never appear. Either side may
// be nil for a creation or a deletion.
func Diff(before, after any) map[string]Change {
	b, a := fields(before), fields(after)
	out := map[string]Change{}
	for k, av := range a {
		if bv, ok := b[k]; !ok || !reflect.DeepEqual(bv, av) {
			out[k] = Change{Before: b[k], After: av}
		}
	}
	for k, bv := range b {
		if _, ok := a[k]; !ok {
			out[k] = Change{Before: bv}
		}
	}
	return out
}

func fields(v any) map[string]any {
	if v == nil || (reflect.ValueOf(v).Kind() == reflect.Pointer && reflect.ValueOf(v).IsNil()) {
		return map[string]any{}
	}
	raw, err := json.Marshal(v)
	if err != nil {
		return map[string]any{}
	}
	m := map[string]any{}
	_ = json.Unmarshal(raw, &m)
	return m
}
