package homework

import (
	"context"
	"time"
)

// PayReviewGroup is review verdicts as curators' pay counts them: one
// reviewer's verdicts on one assignment (the school knows its kind), of
// first submissions or of resubmissions, overturned by a quality reviewer
// since or not, given in one part of the interval asked about; their
// number and their ids, separated by spaces.
type PayReviewGroup struct {
	ReviewerID   string
	AssignmentID string
	Resubmission bool
	Overturned   bool
	Part         int
	Count        int
	IDs          string
}

// PayReviewGroups passes the review verdicts given in [from, to) to fn in
// groups. cuts, ascending and inside the interval, divide it into parts:
// part 0 ends at cuts[0], part i begins at cuts[i-1]. An overturn is a
// quality reviewer's row, not a verdict of its own: it is never passed, it
// marks the verdict it names. Grouped by the database, as a big school
// gives a million verdicts a month.
func (s *Service) PayReviewGroups(ctx context.Context, orgID string, from, to time.Time, cuts []time.Time, fn func(PayReviewGroup)) error {
	return s.store.PayReviewGroups(ctx, s.DB, orgID, from, to, cuts, fn)
}

// PayCheck is one quality check of a review with its points out of 20:
// the four criteria of 0–5 added up.
type PayCheck struct {
	ID        string
	ReviewID  string
	CuratorID string
	Points    int
}

// PayChecks lists the quality checks of the reviews made in [from, to),
// oldest review first: a check counts in the month of the review it
// checks, whenever it was made.
func (s *Service) PayChecks(ctx context.Context, orgID string, from, to time.Time) ([]PayCheck, error) {
	rows, err := s.store.PayChecks(ctx, s.DB, orgID, from, to)
	if err != nil {
		return nil, err
	}
	out := make([]PayCheck, len(rows))
	for i, c := range rows {
		out[i] = PayCheck{ID: c.ID, ReviewID: c.ReviewID, CuratorID: c.CuratorID,
			Points: c.VerdictCorrect + c.FeedbackHelpful + c.Tone + c.OnTime}
	}
	return out, nil
}

// CourseStudent names a student's work in one course.
type CourseStudent struct{ CourseID, StudentID string }

// FirstSubmissions maps each (course, student) who handed in the homework
// of one of the modules before `before` to the id of the earliest such
// submission (the earliest id among those handed in at the same moment).
// The caller names the modules: which module sits where in a course is
// the school's to say.
func (s *Service) FirstSubmissions(ctx context.Context, orgID string, moduleIDs []string, before time.Time) (map[CourseStudent]string, error) {
	out := map[CourseStudent]string{}
	if len(moduleIDs) == 0 {
		return out, nil
	}
	rows, err := s.store.SubmissionsOfModules(ctx, s.DB, orgID, moduleIDs, before)
	if err != nil {
		return nil, err
	}
	for _, r := range rows { // oldest first: the first seen is the earliest
		k := CourseStudent{CourseID: r.CourseID, StudentID: r.StudentID}
		if _, seen := out[k]; !seen {
			out[k] = r.ID
		}
	}
	return out, nil
}
