// Package privacy lets the module that owns a person's record erase that
// person everywhere: each module holding copies of personal data (the audit
// log's before/after values, the integration inbox's raw events) implements
// Eraser, and the owner calls every eraser in its erase transaction.
package privacy

import (
	"context"

	"github.com/uptrace/bun"
)

// Subject is a person to erase and the personal values to remove wherever
// they were copied.
type Subject struct {
	OrgID string
	// EntityType and EntityID name the person's own record, e.g. student.
	EntityType string
	EntityID   string
	// Values are the exact personal strings (name, email, phone, Telegram
	// handle, birth date) to replace wherever they appear.
	Values []string
}

// Replacement is what erased values become.
const Replacement = "[erased]"

// Eraser removes a subject's personal values from what its module keeps.
type Eraser interface {
	EraseSubject(ctx context.Context, db bun.IDB, s Subject) error
}
