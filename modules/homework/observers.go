package homework

import (
	"context"
	"errors"
	"time"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/errs"
)

// AcceptedReview is a review that accepted a submission, as observers
// hear of it inside the review's transaction.
type AcceptedReview struct {
	OrgID        string
	SubmissionID string
	StudentID    string
	EnrollmentID string
	CohortID     string
	CourseID     string
	ModuleID     string
	// CuratorID is the student's curator in the course now.
	CuratorID *string
	Score     int
	MaxScore  int
	// ModuleCompleted and CourseCompleted follow the completion rule of
	// CompletionRate: a module is done when the student handed in its
	// homework, which an acceptance implies; the course is done when every
	// module of it has homework handed in by the student.
	ModuleCompleted bool
	CourseCompleted bool
	At              time.Time
}

// ReviewObserver hears of accepted reviews inside the review's
// transaction; an error rolls the review back.
type ReviewObserver interface {
	ReviewAccepted(ctx context.Context, tx bun.IDB, r AcceptedReview) error
}

// ObserveReviews sets who hears of accepted reviews (the server connects
// case collection here).
func (s *Service) ObserveReviews(o ReviewObserver) { s.reviewed = o }

// tellAccepted tells the observer, if any, of an accepting review.
func (s *Service) tellAccepted(ctx context.Context, tx bun.IDB, sub *Submission, rev *Review) error {
	if s.reviewed == nil || rev.Verdict != StatusAccepted {
		return nil
	}
	a := AcceptedReview{OrgID: sub.OrgID, SubmissionID: sub.ID, StudentID: sub.StudentID, EnrollmentID: sub.EnrollmentID, CohortID: sub.CohortID,
		CourseID: sub.CourseID, ModuleID: sub.ModuleID, Score: rev.Score, MaxScore: rev.MaxScore, ModuleCompleted: true, At: rev.CreatedAt}
	e, err := s.school.EnrollmentInCourse(ctx, sub.OrgID, sub.StudentID, sub.CourseID)
	switch {
	case err == nil:
		a.CuratorID = e.CuratorID
	case !errors.Is(err, errs.ErrNotFound):
		return err
	}
	if a.CourseCompleted, err = s.courseHandedIn(ctx, tx, sub); err != nil {
		return err
	}
	return s.reviewed.ReviewAccepted(ctx, tx, a)
}

// courseHandedIn reports whether the student handed in homework of every
// module of sub's course that has any, stopping at the first that lacks it.
func (s *Service) courseHandedIn(ctx context.Context, tx bun.IDB, sub *Submission) (bool, error) {
	modules, err := s.school.CourseModules(ctx, sub.OrgID, sub.CourseID)
	if err != nil {
		return false, err
	}
	for _, m := range modules {
		if m.ID == sub.ModuleID || len(m.Assignments) == 0 {
			continue
		}
		handed := false
		for _, a := range m.Assignments {
			_, err := s.store.LatestAttempt(ctx, tx, sub.OrgID, sub.StudentID, a.ID)
			if err == nil {
				handed = true
				break
			}
			if !errors.Is(err, errs.ErrNotFound) {
				return false, err
			}
		}
		if !handed {
			return false, nil
		}
	}
	return true, nil
}
