package homework

import (
	"context"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/curatorops/curatorops/modules/platform/httpapi"
	"github.com/curatorops/curatorops/modules/platform/reqctx"
)

// Register adds the homework operations.
func Register(api huma.API, svc *Service) {
	httpapi.DefineTag(api, "Homework", "Homework review queues: submissions, claims under a lease, rubric reviews.")
	httpapi.DefineTag(api, "Homework quality", "Second looks at sampled reviews and curators' monthly quality scores.")
	httpapi.DefineTag(api, "Homework stats", "Queue and review numbers, SLA compliance and completion rates.")
	registerSubmissions(api, svc)
	registerClaims(api, svc)
	registerQuality(api, svc)
	registerStats(api, svc)
	registerSettings(api, svc)
}

// SubmissionPath addresses one submission.
type SubmissionPath struct {
	httpapi.OrgPath
	ID string `path:"id" format:"uuid" doc:"Submission id."`
}

// SubmissionDTO is a submission as reviewers see it.
type SubmissionDTO struct {
	ID                   string            `json:"id" format:"uuid"`
	Source               string            `json:"source"`
	ExternalID           string            `json:"external_id"`
	StudentID            string            `json:"student_id" format:"uuid"`
	StudentExternalID    *string           `json:"student_external_id"`
	AssignmentID         string            `json:"assignment_id" format:"uuid"`
	AssignmentExternalID *string           `json:"assignment_external_id"`
	CourseID             string            `json:"course_id" format:"uuid"`
	ModuleID             string            `json:"module_id" format:"uuid"`
	CohortID             string            `json:"cohort_id" format:"uuid"`
	Attempt              int               `json:"attempt"`
	PreviousSubmissionID *string           `json:"previous_submission_id"`
	Content              SubmissionContent `json:"content"`
	Rubric               []RubricCriterion `json:"rubric"`
	SubmittedAt          time.Time         `json:"submitted_at"`
	TargetMinutes        int               `json:"review_target_minutes" doc:"Business minutes the review is due in."`
	DueAt                time.Time         `json:"due_at"`
	Status               string            `json:"status" enum:"queued,in_review,accepted,rework_requested,rejected" doc:"An expired lease shows as queued."`
	Escalated            bool              `json:"escalated" doc:"Open and past due: senior curators see it in the overdue view."`
	QueueCuratorID       *string           `json:"queue_curator_id" doc:"The curator whose queue holds the item; null for the cohort's shared pool."`
	ClaimedBy            *string           `json:"claimed_by"`
	LeaseExpiresAt       *time.Time        `json:"lease_expires_at"`
	Draft                *ReviewDraft      `json:"draft,omitempty" doc:"The claim holder's autosaved draft, shown to the holder only."`
	ReviewedBy           *string           `json:"reviewed_by"`
	ReviewedAt           *time.Time        `json:"reviewed_at"`
	ReviewSeconds        *int64            `json:"review_business_seconds"`
	Verdict              *string           `json:"verdict" enum:"accepted,rework_requested,rejected"`
	Score                *int              `json:"score"`
	MaxScore             int               `json:"max_score"`
	Version              int64             `json:"version"`
}

func submissionDTO(sub *Submission, now time.Time, viewer string) SubmissionDTO {
	d := SubmissionDTO{ID: sub.ID, Source: sub.Source, ExternalID: sub.ExternalID, StudentID: sub.StudentID, StudentExternalID: sub.StudentExternalID,
		AssignmentID: sub.AssignmentID, AssignmentExternalID: sub.AssignmentExternalID, CourseID: sub.CourseID, ModuleID: sub.ModuleID,
		CohortID: sub.CohortID, Attempt: sub.Attempt, PreviousSubmissionID: sub.PreviousSubmissionID, Content: normalContent(sub.Content),
		Rubric: sub.Rubric, SubmittedAt: sub.SubmittedAt.UTC(), TargetMinutes: sub.TargetMinutes, DueAt: sub.DueAt.UTC(),
		Status: sub.State(now), Escalated: sub.Overdue(now), QueueCuratorID: sub.QueueCuratorID, ReviewedBy: sub.ReviewedBy,
		ReviewedAt: httpapi.UTC(sub.ReviewedAt), ReviewSeconds: sub.ReviewSeconds, Verdict: sub.Verdict, Score: sub.Score,
		MaxScore: sub.MaxScore(), Version: sub.Version}
	if d.Rubric == nil {
		d.Rubric = []RubricCriterion{}
	}
	if sub.Held(now) {
		d.ClaimedBy, d.LeaseExpiresAt = sub.ClaimedBy, httpapi.UTC(sub.LeaseExpiresAt)
		if eq(sub.ClaimedBy, viewer) {
			d.Draft = sub.Draft
		}
	}
	return d
}

type submissionOutput struct {
	ETag string `header:"ETag"`
	Body SubmissionDTO
}

// submissionOut answers with one submission as viewer sees it at now; the
// ETag is its version.
func submissionOut(sub *Submission, now time.Time, viewer string) *submissionOutput {
	return &submissionOutput{ETag: httpapi.ETag(sub.Version), Body: submissionDTO(sub, now, viewer)}
}

// ReviewDTO is one verdict on a submission.
type ReviewDTO struct {
	ID                string         `json:"id" format:"uuid"`
	SubmissionID      string         `json:"submission_id" format:"uuid"`
	Kind              string         `json:"kind" enum:"review,overturn" doc:"A reviewer's verdict, or a quality reviewer's overturn of one."`
	ReviewerID        string         `json:"reviewer_id"`
	Verdict           string         `json:"verdict" enum:"accepted,rework_requested,rejected"`
	Scores            map[string]int `json:"scores"`
	Score             int            `json:"score"`
	MaxScore          int            `json:"max_score"`
	Feedback          string         `json:"feedback"`
	BusinessSeconds   int64          `json:"business_seconds" doc:"Business time from submission to this verdict."`
	WithinSLA         bool           `json:"within_sla"`
	Sampled           bool           `json:"sampled" doc:"Picked for a quality check."`
	OverturnsReviewID *string        `json:"overturns_review_id"`
	CreatedAt         time.Time      `json:"created_at"`
}

func reviewDTO(r *Review) ReviewDTO {
	return ReviewDTO{ID: r.ID, SubmissionID: r.SubmissionID, Kind: r.Kind, ReviewerID: r.ReviewerID, Verdict: r.Verdict, Scores: r.Scores,
		Score: r.Score, MaxScore: r.MaxScore, Feedback: r.Feedback, BusinessSeconds: r.BusinessSeconds, WithinSLA: r.WithinSLA,
		Sampled: r.Sampled, OverturnsReviewID: r.OverturnsReviewID, CreatedAt: r.CreatedAt.UTC()}
}

// actorID is the caller of a request.
func actorID(ctx context.Context) string { return reqctx.From(ctx).Principal.ActorID() }
