package audit

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/auditlog"
	"github.com/curatorops/curatorops/modules/platform/privacy"
)

var _ privacy.Eraser = (*Service)(nil)

// EraseSubject replaces the subject's personal values in the before/after
// values of the school's audit entries. The entries themselves stay: who
// changed what and when is kept, only the personal values go.
func (s *Service) EraseSubject(ctx context.Context, db bun.IDB, subject privacy.Subject) error {
	values := nonEmpty(subject.Values)
	if len(values) == 0 {
		return nil
	}
	rows, err := s.store.WithAnyValue(ctx, db, subject.OrgID, values)
	if err != nil {
		return err
	}
	for i := range rows {
		rows[i].Changes = redact(rows[i].Changes, values)
		if err := s.store.UpdateChanges(ctx, db, &rows[i]); err != nil {
			return err
		}
	}
	return nil
}

func nonEmpty(values []string) []string {
	var out []string
	for _, v := range values {
		if strings.TrimSpace(v) != "" {
			out = append(out, v)
		}
	}
	return out
}

// redact replaces every value inside the JSON of changes.
func redact(changes map[string]auditlog.Change, values []string) map[string]auditlog.Change {
	raw, err := json.Marshal(changes)
	if err != nil {
		return changes
	}
	text := string(raw)
	for _, v := range values {
		quoted, _ := json.Marshal(v)
		inner := string(quoted[1 : len(quoted)-1]) // the value as it appears inside a JSON string
		text = strings.ReplaceAll(text, inner, privacy.Replacement)
	}
	out := map[string]auditlog.Change{}
	if err := json.Unmarshal([]byte(text), &out); err != nil {
		return changes
	}
	return out
}
