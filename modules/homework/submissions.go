package homework

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/auditlog"
	"github.com/curatorops/curatorops/modules/platform/bizcal"
	"github.com/curatorops/curatorops/modules/platform/clock"
	"github.com/curatorops/curatorops/modules/platform/database"
	"github.com/curatorops/curatorops/modules/platform/errs"
	"github.com/curatorops/curatorops/modules/platform/ids"
	"github.com/curatorops/curatorops/modules/platform/validate"
)

// NewSubmission is a student's hand-in. The student and the assignment are
// named by id or by the LMS's external id (with Source, "lms" by default).
// The json names are those of the API body and the event's data, so that a
// refused field is named where it came from.
type NewSubmission struct {
	Source               string            `json:"source" validate:"singleline,max=50"`
	ExternalID           string            `json:"external_id" validate:"singleline,max=200"`
	StudentID            string            `json:"student_id" validate:"omitempty,uuid"`
	StudentExternalID    string            `json:"student_external_id" validate:"singleline,max=200"`
	AssignmentID         string            `json:"assignment_id" validate:"omitempty,uuid"`
	AssignmentExternalID string            `json:"assignment_external_id" validate:"singleline,max=200"`
	Attempt              *int              `json:"attempt"`
	Content              SubmissionContent `json:"content"`
	SubmittedAt          time.Time         `json:"submitted_at"`
}

// Submit records a submission from the API; prefix names where the fields
// came from in validation errors ("body.").
func (s *Service) Submit(ctx context.Context, orgID string, in NewSubmission) (*Submission, error) {
	var out *Submission
	err := s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		var err error
		out, err = s.submit(ctx, tx, orgID, in, "body.")
		return err
	})
	return out, err
}

// submit checks a submission, computes its review deadline on the school's
// calendar, routes it and stores it, inside the caller's transaction.
func (s *Service) submit(ctx context.Context, tx bun.IDB, orgID string, in NewSubmission, at string) (*Submission, error) {
	if strings.TrimSpace(in.Source) == "" {
		in.Source = DefaultSource
	}
	now := s.Now()
	if err := checkNewSubmission(in, at, now); err != nil {
		return nil, err
	}
	if _, err := s.store.SubmissionByExternalID(ctx, tx, orgID, in.Source, in.ExternalID); err == nil {
		return nil, errs.Conflict("submission %s from %s is already recorded", in.ExternalID, in.Source)
	} else if !errors.Is(err, errs.ErrNotFound) {
		return nil, err
	}
	student, assignment, err := s.resolve(ctx, orgID, in, at)
	if err != nil {
		return nil, err
	}
	enrollment, err := s.school.EnrollmentInCourse(ctx, orgID, student.ID, assignment.CourseID)
	if errors.Is(err, errs.ErrNotFound) {
		return nil, errs.Invalid(at+studentField(in), "the student is not enrolled in a cohort of this assignment's course")
	}
	if err != nil {
		return nil, err
	}
	attempt, previous, err := s.nextAttempt(ctx, tx, orgID, student.ID, assignment.ID, in.Attempt, at)
	if err != nil {
		return nil, err
	}
	cal, err := s.school.Calendar(ctx, orgID)
	if err != nil {
		return nil, err
	}
	target := reviewTarget(assignment)
	due, err := dueAt(cal, in.SubmittedAt, target, at)
	if err != nil {
		return nil, err
	}
	sub := &Submission{ID: ids.New(), OrgID: orgID, Source: in.Source, ExternalID: in.ExternalID,
		StudentID: student.ID, StudentExternalID: student.ExternalID, AssignmentID: assignment.ID, AssignmentExternalID: assignment.ExternalID,
		CourseID: assignment.CourseID, ModuleID: assignment.ModuleID, CohortID: enrollment.CohortID, EnrollmentID: enrollment.ID,
		Attempt: attempt, PreviousSubmissionID: previous, Content: normalContent(in.Content), Rubric: assignment.Rubric,
		SubmittedAt: in.SubmittedAt.UTC(), TargetMinutes: target,
		DueAt: due, Status: StatusQueued, CreatedAt: now, UpdatedAt: now, Version: 1}
	if sub.QueueCuratorID, err = s.route(ctx, tx, orgID, enrollment.CuratorID); err != nil {
		return nil, err
	}
	if err := s.store.InsertSubmission(ctx, tx, sub); err != nil {
		if database.IsUniqueViolation(err) {
			return nil, errs.Conflict("submission %s from %s is already recorded", in.ExternalID, in.Source)
		}
		return nil, err
	}
	return sub, s.Record(ctx, tx, orgID, entitySubmission, sub.ID, auditlog.Diff(nil, sub))
}

// dueAt is when a review submitted at submitted is due after target
// business minutes; a due time past the supported range (a calendar with
// next to no open hours) refuses the submission rather than storing it.
func dueAt(cal *bizcal.Calendar, submitted time.Time, target int, at string) (time.Time, error) {
	due := cal.AddBusiness(submitted, time.Duration(target)*time.Minute).UTC().Truncate(time.Microsecond)
	if !clock.IsPlan(due) {
		return time.Time{}, errs.Invalid(at+"submitted_at", "the review would fall due after 2100-01-01 on the school's calendar")
	}
	return due, nil
}

func checkNewSubmission(in NewSubmission, at string, now time.Time) error {
	var v errs.ValidationError
	add := func(field, msg string) {
		v.Fields = append(v.Fields, errs.FieldError{Location: at + field, Message: msg})
	}
	if strings.TrimSpace(in.ExternalID) == "" {
		add("external_id", "is required")
	}
	if in.StudentID == "" && strings.TrimSpace(in.StudentExternalID) == "" {
		add(studentField(in), "is required")
	}
	if in.AssignmentID == "" && strings.TrimSpace(in.AssignmentExternalID) == "" {
		add(assignmentField(in), "is required")
	}
	switch {
	case in.SubmittedAt.IsZero():
		add("submitted_at", "is required")
	case !clock.IsFact(in.SubmittedAt, now):
		add("submitted_at", "must lie between 2000-01-01 and five minutes from now")
	}
	if in.Attempt != nil && *in.Attempt < 1 {
		add("attempt", "must be 1 or more")
	}
	for i, a := range in.Content.Attachments {
		if a.Name != "" && strings.TrimSpace(a.Name) == "" {
			add(fmt.Sprintf("content.attachments[%d].name", i), "is required")
		}
	}
	if err := validate.Struct(now, at, in); err != nil {
		var tagged *errs.ValidationError
		if !errors.As(err, &tagged) {
			return err
		}
		v.Fields = append(v.Fields, tagged.Fields...)
	}
	if len(v.Fields) > 0 {
		return &v
	}
	return nil
}

func studentField(in NewSubmission) string {
	if in.StudentID != "" {
		return "student_id"
	}
	return "student_external_id"
}

func assignmentField(in NewSubmission) string {
	if in.AssignmentID != "" {
		return "assignment_id"
	}
	return "assignment_external_id"
}

func normalContent(c SubmissionContent) SubmissionContent {
	if c.Links == nil {
		c.Links = []string{}
	}
	if c.Attachments == nil {
		c.Attachments = []SubmissionAttachment{}
	}
	return c
}

// resolve finds the student and the assignment the submission names.
func (s *Service) resolve(ctx context.Context, orgID string, in NewSubmission, at string) (*Student, *Assignment, error) {
	var (
		student    *Student
		assignment *Assignment
		err        error
	)
	if in.StudentID != "" {
		student, err = s.school.Student(ctx, orgID, in.StudentID)
	} else {
		student, err = s.school.StudentByExternalID(ctx, orgID, in.Source, in.StudentExternalID)
	}
	if errors.Is(err, errs.ErrNotFound) {
		return nil, nil, errs.Invalid(at+studentField(in), "no such student in this school")
	}
	if err != nil {
		return nil, nil, err
	}
	if in.AssignmentID != "" {
		assignment, err = s.school.Assignment(ctx, orgID, in.AssignmentID)
	} else {
		assignment, err = s.school.AssignmentByExternalID(ctx, orgID, in.Source, in.AssignmentExternalID)
	}
	if errors.Is(err, errs.ErrNotFound) {
		return nil, nil, errs.Invalid(at+assignmentField(in), "no such assignment in this school")
	}
	return student, assignment, err
}

// nextAttempt numbers a submission: the first is attempt 1; another is
// taken only after the last one was sent back for rework, and links to it.
func (s *Service) nextAttempt(ctx context.Context, tx bun.IDB, orgID, studentID, assignmentID string, claimed *int, at string) (int, *string, error) {
	last, err := s.store.LatestAttempt(ctx, tx, orgID, studentID, assignmentID)
	attempt, previous := 1, (*string)(nil)
	switch {
	case errors.Is(err, errs.ErrNotFound):
	case err != nil:
		return 0, nil, err
	case last.Status != StatusReworkRequested:
		return 0, nil, errs.Conflict("attempt %d of this assignment is %s; a new attempt is taken only after rework is requested", last.Attempt, last.Status)
	default:
		attempt, previous = last.Attempt+1, &last.ID
	}
	if claimed != nil && *claimed != attempt {
		return 0, nil, errs.Invalid(at+"attempt", fmt.Sprintf("this would be attempt %d", attempt))
	}
	return attempt, previous, nil
}

func reviewTarget(a *Assignment) int {
	switch {
	case a.ReviewTargetMinutes > 0:
		return a.ReviewTargetMinutes
	case a.Kind == finalProjectKind:
		return FinalProjectTargetMinutes
	default:
		return DefaultTargetMinutes
	}
}

// route picks the queue: the enrollment's curator while they are an
// active curator past onboarding with room in their queue, the cohort's
// pool otherwise. A submission from the LMS is never refused for its
// curator: it waits in the pool.
func (s *Service) route(ctx context.Context, tx bun.IDB, orgID string, curatorID *string) (*string, error) {
	if curatorID == nil {
		return nil, nil
	}
	active, err := s.people.IsActiveCurator(ctx, orgID, *curatorID)
	if err != nil || !active {
		return nil, err
	}
	if unfinished, err := s.unfinishedOnboarding(ctx, tx, orgID, *curatorID); err != nil || len(unfinished) > 0 {
		return nil, err
	}
	settings, err := s.store.Settings(ctx, tx, orgID)
	if err != nil {
		return nil, err
	}
	open, err := s.store.OpenInQueue(ctx, tx, orgID, *curatorID)
	if err != nil || open >= settings.OpenCapacity {
		return nil, err
	}
	id := *curatorID
	return &id, nil
}

// unfinishedOnboarding names the curator's required onboarding items left.
func (s *Service) unfinishedOnboarding(ctx context.Context, db bun.IDB, orgID, curatorID string) ([]string, error) {
	if s.onboarding == nil {
		return nil, nil
	}
	return s.onboarding.Unfinished(ctx, db, orgID, curatorID)
}

// Submission returns one submission the caller may see.
func (s *Service) Submission(ctx context.Context, orgID, id string, who Reviewer) (*Submission, error) {
	sub, err := s.store.Submission(ctx, s.DB, orgID, id)
	if err != nil {
		return nil, err
	}
	return sub, s.mustSee(ctx, orgID, who, sub)
}

// SubmissionByExternalID returns the submission source knows as
// externalID, or errs.ErrNotFound.
func (s *Service) SubmissionByExternalID(ctx context.Context, orgID, source, externalID string) (*Submission, error) {
	return s.store.SubmissionByExternalID(ctx, s.DB, orgID, source, externalID)
}

// Reviews lists the verdicts on a submission the caller may see.
func (s *Service) Reviews(ctx context.Context, orgID, id string, who Reviewer) ([]Review, error) {
	if _, err := s.Submission(ctx, orgID, id, who); err != nil {
		return nil, err
	}
	return s.store.Reviews(ctx, s.DB, orgID, id)
}

// write writes cols of a submission read in tx while the stored version is
// still was; an update that finds it moved is stale.
func (s *Service) write(ctx context.Context, tx bun.IDB, sub *Submission, was int64, cols ...string) error {
	ok, err := s.store.UpdateSubmission(ctx, tx, sub, was, cols...)
	if err == nil && !ok {
		err = errs.Stale("the submission", was)
	}
	return err
}

// bump gives a submission read in tx its next version and writes cols with
// it, for changes that name no version of their own (no If-Match).
func (s *Service) bump(ctx context.Context, tx bun.IDB, sub *Submission, now time.Time, cols ...string) error {
	was := sub.Version
	sub.Bump(now)
	return s.write(ctx, tx, sub, was, withVersion(cols)...)
}

// versioned returns the Write of an optimistic update of a submission
// (database.Optimistic): cols with the next version and time.
func (s *Service) versioned(ctx context.Context, tx bun.IDB, cols ...string) func(*Submission, int64) (bool, error) {
	cols = withVersion(cols)
	return func(sub *Submission, was int64) (bool, error) {
		return s.store.UpdateSubmission(ctx, tx, sub, was, cols...)
	}
}

// withVersion adds the columns Bump changes to cols.
func withVersion(cols []string) []string {
	return slices.Concat(cols, []string{"updated_at", "version"})
}
