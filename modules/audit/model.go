// Package audit keeps the append-only log of every change made in a school:
// who, what, before and after, from which request.
package audit

import (
	"time"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/auditlog"
)

// Entry is one audited change. Rows are only ever inserted.
type Entry struct {
	bun.BaseModel `bun:"table:audit_entries"`

	ID         string                     `bun:"id,pk"`
	OrgID      string                     `bun:"org_id,nullzero"`
	OccurredAt time.Time                  `bun:"occurred_at"`
	ActorType  string                     `bun:"actor_type"`
	ActorID    string                     `bun:"actor_id"`
	ActorName  string                     `bun:"actor_name"`
	Action     string                     `bun:"action"`
	EntityType string                     `bun:"entity_type"`
	EntityID   string                     `bun:"entity_id"`
	Changes    map[string]auditlog.Change `bun:"changes,type:jsonb"`
	RequestID  string                     `bun:"request_id"`
	IP         string                     `bun:"ip"`
	UserAgent  string                     `bun:"user_agent"`
}

// Filter narrows a listing of one school's audit log.
type Filter struct {
	ActorID    string
	EntityType string
	EntityID   string
	Action     string
	From, To   time.Time // From inclusive, To exclusive; zero means open
	Limit      int
	AfterID    string // cursor: entries older than this id
}
