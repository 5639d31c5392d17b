package homework

import (
	"context"
	"time"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/background"
)

// OverdueEvent is the payload of homework.overdue.
type OverdueEvent struct {
	SubmissionID         string    `json:"submission_id"`
	SubmissionExternalID string    `json:"submission_external_id"`
	StudentExternalID    *string   `json:"student_external_id"`
	AssignmentExternalID *string   `json:"assignment_external_id"`
	CohortID             string    `json:"cohort_id"`
	QueueCuratorID       *string   `json:"queue_curator_id"`
	DueAt                time.Time `json:"due_at"`
}

// RunOnce publishes homework.overdue once for each open submission past its
// due time, in batches, and returns how many it published. Several
// replicas may run it at once: on PostgreSQL each takes rows the others
// have not locked; on SQLite the write lock serialises them.
func (s *Service) RunOnce(ctx context.Context, now time.Time) (int, error) {
	total := 0
	for {
		n, err := s.overdueBatch(ctx, now)
		total += n
		if err != nil || n < overdueBatch {
			return total, err
		}
	}
}

// overdueBatch publishes homework.overdue for one batch of submissions,
// in one transaction, and marks them announced.
func (s *Service) overdueBatch(ctx context.Context, now time.Time) (int, error) {
	var rows []Submission
	err := s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		var err error
		if rows, err = s.store.LockOverdue(ctx, tx, now, overdueBatch); err != nil || len(rows) == 0 {
			return err
		}
		ids := make([]string, len(rows))
		for i := range rows {
			ids[i] = rows[i].ID
			if err := s.publish.Publish(ctx, tx, rows[i].OrgID, eventHomeworkOverdue, overduePayload(&rows[i])); err != nil {
				return err
			}
		}
		return s.store.MarkOverduePublished(ctx, tx, ids, now)
	})
	return len(rows), err
}

func overduePayload(r *Submission) OverdueEvent {
	return OverdueEvent{SubmissionID: r.ID, SubmissionExternalID: r.ExternalID, StudentExternalID: r.StudentExternalID,
		AssignmentExternalID: r.AssignmentExternalID, CohortID: r.CohortID, QueueCuratorID: r.QueueCuratorID, DueAt: r.DueAt.UTC()}
}

// OverdueInterval is how often serve looks for newly overdue submissions.
const OverdueInterval = time.Minute

// Start runs the overdue pass every OverdueInterval in the background; the
// returned function stops it and waits for the pass in flight.
func (s *Service) Start(ctx context.Context) (stop func()) {
	return background.Every(ctx, OverdueInterval, s.logger, "homework-overdue", func(ctx context.Context) error {
		_, err := s.RunOnce(ctx, s.Now())
		return err
	})
}
