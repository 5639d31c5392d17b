package cases

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/auditlog"
	"github.com/curatorops/curatorops/modules/platform/database"
	"github.com/curatorops/curatorops/modules/platform/errs"
	"github.com/curatorops/curatorops/modules/platform/ids"
	"github.com/curatorops/curatorops/modules/platform/validate"
)

// Limits of a submission.
const (
	maxTags     = 20
	maxTagBytes = 40
)

// SubmissionInput is a student's answer: their words, a video link or
// both, and optionally their consent.
type SubmissionInput struct {
	Body        *string       `json:"text" validate:"omitempty,text,max=20000"`
	VideoURL    *string       `json:"video_url" validate:"omitempty,httpurl,max=2000"`
	Rating      *int          `json:"rating" validate:"omitempty,min=1,max=5"`
	BeforeText  *string       `json:"before" validate:"omitempty,text,max=5000"`
	AfterText   *string       `json:"after" validate:"omitempty,text,max=5000"`
	Tags        []string      `json:"tags" validate:"max=20"`
	CuratorID   *string       `json:"curator_id"`
	SubmittedAt *time.Time    `json:"submitted_at" validate:"omitempty,fact"`
	Consent     *ConsentInput `json:"consent"`
}

// checkSubmission applies the rules every entry point shares; locations
// start with prefix (body. for the API, data. for the LMS event).
func checkSubmission(now time.Time, prefix string, in SubmissionInput) error {
	if err := validate.Struct(now, prefix, in); err != nil {
		return err
	}
	if blank(in.Body) && blank(in.VideoURL) {
		return errs.Invalid(prefix+"text", "send the student's words, a video link or both")
	}
	if err := checkTags(prefix+"tags", in.Tags); err != nil {
		return err
	}
	if in.Consent != nil {
		return checkConsent(now, prefix+"consent.", *in.Consent)
	}
	return nil
}

func blank(s *string) bool { return s == nil || strings.TrimSpace(*s) == "" }

// checkTags refuses tags that could not be stored and read back as given.
func checkTags(where string, tags []string) error {
	if len(tags) > maxTags {
		return errs.Invalid(where, fmt.Sprintf("at most %d tags", maxTags))
	}
	for i, t := range tags {
		if strings.TrimSpace(t) == "" || len(t) > maxTagBytes || strings.Contains(t, ",") || !validate.IsSingleLine(t) {
			return errs.Invalid(fmt.Sprintf("%s[%d]", where, i), fmt.Sprintf("must be 1–%d bytes on one line, without commas", maxTagBytes))
		}
	}
	return nil
}

// normalTags trims, drops duplicates and sorts.
func normalTags(tags []string) []string {
	out := []string{}
	for _, t := range tags {
		if t = strings.TrimSpace(t); !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	slices.Sort(out)
	return out
}

// submit stores a submission for the enrollment, closes its request (if
// any) and records the consent that came with it. actor is who recorded it
// (nil when the student or the LMS did).
func (s *Service) submit(ctx context.Context, tx bun.IDB, orgID string, e *Enrollment, r *Request, source string, externalID, actor *string, in SubmissionInput, prefix string, now time.Time) (*Submission, error) {
	submittedAt := now
	if in.SubmittedAt != nil {
		submittedAt = in.SubmittedAt.UTC()
	}
	curator := e.CuratorID
	if r != nil {
		curator = r.CuratorID
	}
	if in.CuratorID != nil {
		curator = in.CuratorID
	}
	sub := &Submission{ID: ids.New(), OrgID: orgID, StudentID: e.StudentID, EnrollmentID: e.ID, CohortID: e.CohortID, CourseID: e.CourseID,
		CuratorID: curator, Source: source, ExternalID: externalID, RecordedBy: actor, Body: in.Body, VideoURL: in.VideoURL, Video: !blank(in.VideoURL), Rating: in.Rating,
		BeforeText: in.BeforeText, AfterText: in.AfterText, Tags: joinList(normalTags(in.Tags)), Status: StatusPending,
		SubmittedAt: submittedAt, CreatedAt: now, UpdatedAt: now, Version: 1}
	if r != nil {
		sub.RequestID = &r.ID
	}
	if err := s.store.InsertSubmission(ctx, tx, sub); err != nil {
		if database.IsUniqueViolation(err) {
			return nil, errs.Conflict("the request already has a case")
		}
		return nil, err
	}
	if r != nil && r.Status != RequestSubmitted {
		if err := s.moveRequest(ctx, tx, r, RequestSubmitted, actor, now); err != nil {
			return nil, err
		}
	}
	if err := s.Record(ctx, tx, orgID, entitySubmission, sub.ID, map[string]auditlog.Change{"status": {After: sub.Status},
		"source": {After: source}, "student_id": {After: sub.StudentID}, "curator_id": {After: sub.CuratorID}}); err != nil {
		return nil, err
	}
	if in.Consent != nil {
		if err := s.grant(ctx, tx, sub, actor, *in.Consent, prefix+"consent.", now); err != nil {
			return nil, err
		}
	}
	return sub, nil
}

// NewSubmission is a case a curator records with the student's words.
type NewSubmission struct {
	StudentID    string
	EnrollmentID string // "" for the request's or the student's newest
	RequestID    string // "" when no request was made
	SubmissionInput
}

// RecordSubmission stores a case a curator took down from the student,
// word for word. With a request it closes the request, which must be the
// student's and not answered yet.
func (s *Service) RecordSubmission(ctx context.Context, orgID string, v Viewer, in NewSubmission) (*Submission, error) {
	if err := checkSubmission(s.Now(), "body.", in.SubmissionInput); err != nil {
		return nil, err
	}
	if in.CuratorID != nil {
		if err := s.checkCurator(ctx, orgID, *in.CuratorID, "body.curator_id"); err != nil {
			return nil, err
		}
	}
	if in.RequestID != "" && !ids.Valid(in.RequestID) {
		return nil, errs.Invalid("body.request_id", "must be a case request of this school")
	}
	e, err := s.enrollmentFor(ctx, orgID, in.StudentID, in.EnrollmentID, "body.")
	if err != nil {
		return nil, err
	}
	var out *Submission
	err = s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		now := s.Now()
		var r *Request
		if in.RequestID != "" {
			r, err = s.store.LockRequest(ctx, tx, orgID, in.RequestID)
			switch {
			case errors.Is(err, errs.ErrNotFound):
				return errs.Invalid("body.request_id", "must be a case request of this school")
			case err != nil:
				return err
			case r.StudentID != in.StudentID:
				return errs.Invalid("body.request_id", "is a request to another student")
			case r.Status == RequestSubmitted:
				return errs.Conflict("the request was already answered")
			}
			e = &Enrollment{ID: r.EnrollmentID, StudentID: r.StudentID, CohortID: r.CohortID, CourseID: r.CourseID, CuratorID: r.CuratorID}
		}
		credited := e.CuratorID
		if in.CuratorID != nil {
			credited = in.CuratorID
		}
		if !v.owns(credited) {
			return errs.Forbidden("a curator records cases credited to herself; a senior colleague may credit another curator")
		}
		actor := v.UserID
		out, err = s.submit(ctx, tx, orgID, e, r, SourceCurator, nil, &actor, in.SubmissionInput, "body.", now)
		return err
	})
	return out, err
}

// checkCurator refuses an id that is not an active curator of the school.
func (s *Service) checkCurator(ctx context.Context, orgID, userID, where string) error {
	ok := ids.Valid(userID)
	if ok {
		var err error
		if ok, err = s.people.IsActiveCurator(ctx, orgID, userID); err != nil {
			return err
		}
	}
	if !ok {
		return errs.Invalid(where, "must be an active curator of this school")
	}
	return nil
}

// SubmissionChanges edits what is not the student's words: the excerpt
// chosen for publishing, the tags and the credited curator.
type SubmissionChanges struct {
	Excerpt   *string   `json:"excerpt" validate:"omitempty,text,max=20000"`
	Tags      *[]string `json:"tags"`
	CuratorID *string   `json:"curator_id"`
}

// UpdateSubmission applies changes if the submission is still at version.
// The excerpt must be a passage of the student's text as written.
func (s *Service) UpdateSubmission(ctx context.Context, orgID, id string, version int64, v Viewer, ch SubmissionChanges) (*Submission, error) {
	if err := validate.Struct(s.Now(), "body.", ch); err != nil {
		return nil, err
	}
	if ch.Tags != nil {
		if err := checkTags("body.tags", *ch.Tags); err != nil {
			return nil, err
		}
	}
	if ch.CuratorID != nil {
		if !v.SeesAll {
			return nil, errs.Forbidden("only a senior colleague may credit another curator")
		}
		if err := s.checkCurator(ctx, orgID, *ch.CuratorID, "body.curator_id"); err != nil {
			return nil, err
		}
	}
	var out *Submission
	err := s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		before, after, err := database.Optimistic[Submission, *Submission]{
			What: "the case",
			Load: func() (*Submission, error) { return s.visibleLocked(ctx, tx, orgID, id, v) },
			Change: func(sub *Submission) error {
				if sub.ErasedAt != nil {
					return errs.Conflict("the case was erased")
				}
				if ch.Excerpt != nil {
					if *ch.Excerpt != "" && (sub.Body == nil || !strings.Contains(*sub.Body, *ch.Excerpt)) {
						return errs.Invalid("body.excerpt", "must be a passage of the student's text exactly as written")
					}
					sub.Excerpt = ch.Excerpt
					if *ch.Excerpt == "" {
						sub.Excerpt = nil
					}
				}
				if ch.Tags != nil {
					sub.Tags = joinList(normalTags(*ch.Tags))
				}
				if ch.CuratorID != nil {
					sub.CuratorID = ch.CuratorID
				}
				return nil
			},
			Write: func(sub *Submission, was int64) (bool, error) {
				return s.store.UpdateSubmission(ctx, tx, sub, was, "excerpt", "tags", "curator_id", "updated_at", "version")
			},
		}.Run(version, s.Now())
		if err != nil {
			return err
		}
		out = after
		return s.Record(ctx, tx, orgID, entitySubmission, id, editedFields(before, after))
	})
	return out, err
}

// editedFields names what an edit changed without copying the student's
// words into the audit log: an excerpt is recorded as changed, not quoted.
func editedFields(before, after *Submission) map[string]auditlog.Change {
	out := map[string]auditlog.Change{}
	if !eqPtr(before.Excerpt, after.Excerpt) {
		out["excerpt"] = auditlog.Change{Before: before.Excerpt != nil, After: after.Excerpt != nil}
	}
	if before.Tags != after.Tags {
		out["tags"] = auditlog.Change{Before: before.TagList(), After: after.TagList()}
	}
	if !eqPtr(before.CuratorID, after.CuratorID) {
		out["curator_id"] = auditlog.Change{Before: before.CuratorID, After: after.CuratorID}
	}
	return out
}

func eqPtr(a, b *string) bool { return (a == nil && b == nil) || (a != nil && b != nil && *a == *b) }

// visibleLocked reads a submission the viewer may see, for a change.
func (s *Service) visibleLocked(ctx context.Context, tx bun.IDB, orgID, id string, v Viewer) (*Submission, error) {
	if !ids.Valid(id) {
		return nil, errs.NotFound("case")
	}
	sub, err := s.store.LockSubmission(ctx, tx, orgID, id)
	if err == nil && !v.owns(sub.CuratorID) {
		return nil, errs.NotFound("case")
	}
	return sub, err
}

// SubmissionDetail is a submission with its consent and moderation trails.
type SubmissionDetail struct {
	Submission  *Submission
	Consents    []Consent
	Moderations []Moderation
}

// Submission returns one submission the viewer may see, with its trails.
func (s *Service) Submission(ctx context.Context, orgID, id string, v Viewer) (*SubmissionDetail, error) {
	if !ids.Valid(id) {
		return nil, errs.NotFound("case")
	}
	sub, err := s.store.Submission(ctx, s.DB, orgID, id)
	if err != nil {
		return nil, err
	}
	if !v.owns(sub.CuratorID) {
		return nil, errs.NotFound("case")
	}
	return s.detail(ctx, s.DB, sub)
}

// Detail is a submission just recorded or changed, with its consents and
// moderation trail.
func (s *Service) Detail(ctx context.Context, sub *Submission) (*SubmissionDetail, error) {
	return s.detail(ctx, s.DB, sub)
}

func (s *Service) detail(ctx context.Context, db bun.IDB, sub *Submission) (*SubmissionDetail, error) {
	consents, err := s.store.Consents(ctx, db, sub.OrgID, sub.ID)
	if err != nil {
		return nil, err
	}
	mods, err := s.store.Moderations(ctx, db, sub.OrgID, sub.ID)
	if err != nil {
		return nil, err
	}
	return &SubmissionDetail{Submission: sub, Consents: consents, Moderations: mods}, nil
}

// Submissions lists the submissions the viewer may see.
func (s *Service) Submissions(ctx context.Context, orgID string, v Viewer, f SubmissionFilter) ([]Submission, error) {
	if !v.SeesAll {
		f.CuratorID = v.UserID
	}
	return s.store.Submissions(ctx, s.DB, orgID, f)
}

// curatorNames names the credited curators of rows.
func (s *Service) curatorNames(ctx context.Context, orgID string, rows []Submission) (map[string]string, error) {
	var list []string
	for _, r := range rows {
		if r.CuratorID != nil && !slices.Contains(list, *r.CuratorID) {
			list = append(list, *r.CuratorID)
		}
	}
	if len(list) == 0 {
		return map[string]string{}, nil
	}
	return s.people.Names(ctx, orgID, list)
}
