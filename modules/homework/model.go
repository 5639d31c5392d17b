// Package homework is the curators' review queue: submissions arrive from
// the LMS with a review deadline in the school's business time, are routed
// to the student's curator or to the cohort's shared pool, are claimed
// under a lease so that two reviewers never hold one item, are reviewed on
// the assignment's rubric, and a sample of reviews gets a second look.
package homework

import (
	"time"

	"github.com/uptrace/bun"
)

// Submission states. An in_review submission whose lease has expired is
// back in the queue: claims and views treat it as queued.
const (
	StatusQueued          = "queued"
	StatusInReview        = "in_review"
	StatusAccepted        = "accepted"
	StatusReworkRequested = "rework_requested"
	StatusRejected        = "rejected"
)

// Review kinds: the reviewer's own verdict, or a quality reviewer's
// overturn of it.
const (
	KindReview   = "review"
	KindOverturn = "overturn"
)

// Defaults of the school settings and review targets.
const (
	DefaultTargetMinutes      = 24 * 60
	FinalProjectTargetMinutes = 72 * 60
	DefaultOpenCapacity       = 40
	DefaultLeaseMinutes       = 30
	DefaultSamplePercent      = 5
	DefaultProbationPercent   = 30
	DefaultLowScorePercent    = 50
	DefaultSource             = "lms"
	maxQualityPoints          = 5
	qualityCriteriaCount      = 4
	finalProjectKind          = "final_project"
	poolQueueLabel            = "pool"
	eventSubmissionCreated    = "submission.created"
	eventReviewCompleted      = "review.completed"
	eventHomeworkOverdue      = "homework.overdue"
	overdueBatch              = 200
	entitySubmission          = "homework_submission"
	entitySettings            = "homework_settings"
	entityQualityCheck        = "homework_quality_check"
	monthLayout               = "2006-01"
)

// Verdicts a review may reach.
var Verdicts = []string{StatusAccepted, StatusReworkRequested, StatusRejected}

// SubmissionAttachment is the metadata of a file the student attached; the file
// itself stays in the LMS.
// The validate tags are the rules of every entry point (the API and the
// submission.created event alike).
type SubmissionAttachment struct {
	Name        string `json:"name" validate:"required,singleline,max=255"`
	URL         string `json:"url" validate:"omitempty,httpurl,max=2000" doc:"An http or https URL."`
	SizeBytes   int64  `json:"size_bytes" validate:"min=0"`
	ContentType string `json:"content_type" validate:"omitempty,singleline,max=255"`
}

// SubmissionContent is what the student handed in. Links and attachment
// URLs are http or https only: a javascript: link would run in the
// reviewer's browser.
type SubmissionContent struct {
	Text        string                 `json:"text" validate:"text,max=100000"`
	Links       []string               `json:"links" validate:"max=50,dive,httpurl,max=2000" doc:"http or https URLs, at most 50."`
	Attachments []SubmissionAttachment `json:"attachments" validate:"max=50,dive" doc:"At most 50."`
}

// RubricCriterion is one rubric line, copied from the assignment when the
// submission arrives so that a later rubric change does not move the
// goalposts of work already handed in.
type RubricCriterion struct {
	Key       string `json:"key"`
	Title     string `json:"title"`
	MaxPoints int    `json:"max_points"`
	Required  bool   `json:"required"`
}

// ReviewDraft is a reviewer's unsaved work on a submission.
type ReviewDraft struct {
	Verdict  *string        `json:"verdict,omitempty" enum:"accepted,rework_requested,rejected" validate:"omitempty,oneof=accepted rework_requested rejected"`
	Scores   map[string]int `json:"scores,omitempty" validate:"max=50"`
	Feedback string         `json:"feedback" validate:"text,max=20000"`
}

// Submission is one attempt of a student at an assignment.
type Submission struct {
	bun.BaseModel `bun:"table:homework_submissions"`

	ID                   string            `bun:"id,pk" json:"id"`
	OrgID                string            `bun:"org_id" json:"-"`
	Source               string            `bun:"source" json:"source"`
	ExternalID           string            `bun:"external_id" json:"external_id"`
	StudentID            string            `bun:"student_id" json:"student_id"`
	StudentExternalID    *string           `bun:"student_external_id" json:"student_external_id"`
	AssignmentID         string            `bun:"assignment_id" json:"assignment_id"`
	AssignmentExternalID *string           `bun:"assignment_external_id" json:"assignment_external_id"`
	CourseID             string            `bun:"course_id" json:"course_id"`
	ModuleID             string            `bun:"module_id" json:"module_id"`
	CohortID             string            `bun:"cohort_id" json:"cohort_id"`
	EnrollmentID         string            `bun:"enrollment_id" json:"enrollment_id"`
	Attempt              int               `bun:"attempt" json:"attempt"`
	PreviousSubmissionID *string           `bun:"previous_submission_id" json:"previous_submission_id"`
	Content              SubmissionContent `bun:"content,type:jsonb" json:"-"`
	Rubric               []RubricCriterion `bun:"rubric,type:jsonb" json:"-"`
	SubmittedAt          time.Time         `bun:"submitted_at" json:"submitted_at"`
	TargetMinutes        int               `bun:"target_minutes" json:"target_minutes"`
	DueAt                time.Time         `bun:"due_at" json:"due_at"`
	Status               string            `bun:"status" json:"status"`
	QueueCuratorID       *string           `bun:"queue_curator_id" json:"queue_curator_id"`
	ClaimedBy            *string           `bun:"claimed_by" json:"claimed_by"`
	ClaimedAt            *time.Time        `bun:"claimed_at" json:"claimed_at"`
	LeaseExpiresAt       *time.Time        `bun:"lease_expires_at" json:"lease_expires_at"`
	Draft                *ReviewDraft      `bun:"draft,type:jsonb" json:"-"`
	DraftSavedAt         *time.Time        `bun:"draft_saved_at" json:"-"`
	ReviewedBy           *string           `bun:"reviewed_by" json:"reviewed_by"`
	ReviewedAt           *time.Time        `bun:"reviewed_at" json:"reviewed_at"`
	ReviewSeconds        *int64            `bun:"review_seconds" json:"review_seconds"`
	Verdict              *string           `bun:"verdict" json:"verdict"`
	Score                *int              `bun:"score" json:"score"`
	OverduePublishedAt   *time.Time        `bun:"overdue_published_at" json:"-"`
	CreatedAt            time.Time         `bun:"created_at" json:"-"`
	UpdatedAt            time.Time         `bun:"updated_at" json:"-"`
	Version              int64             `bun:"version" json:"version"`
}

// Open reports whether the submission still awaits a verdict.
func (s *Submission) Open() bool { return s.Status == StatusQueued || s.Status == StatusInReview }

// Held reports whether someone holds a live lease on the submission at now.
func (s *Submission) Held(now time.Time) bool {
	return s.Status == StatusInReview && s.ClaimedBy != nil && s.LeaseExpiresAt != nil && s.LeaseExpiresAt.After(now)
}

// State is the submission's status as people see it at now: an expired
// lease puts the item back in the queue.
func (s *Submission) State(now time.Time) string {
	if s.Status == StatusInReview && !s.Held(now) {
		return StatusQueued
	}
	return s.Status
}

// Overdue reports whether an open submission has missed its review time.
func (s *Submission) Overdue(now time.Time) bool { return s.Open() && s.DueAt.Before(now) }

// dropClaim ends any claim on the submission, with the holder's draft.
func (s *Submission) dropClaim() {
	s.ClaimedBy, s.ClaimedAt, s.LeaseExpiresAt, s.Draft, s.DraftSavedAt = nil, nil, nil, nil, nil
}

// claimColumns are the columns dropClaim clears.
var claimColumns = []string{"claimed_by", "claimed_at", "lease_expires_at", "draft", "draft_saved_at"}

// RowVersion is the version an If-Match names.
func (s *Submission) RowVersion() int64 { return s.Version }

// Bump gives the submission its next version, changed at at.
func (s *Submission) Bump(at time.Time) { s.Version++; s.UpdatedAt = at }

// MaxScore is the most points the rubric gives.
func (s *Submission) MaxScore() int {
	total := 0
	for _, c := range s.Rubric {
		total += c.MaxPoints
	}
	return total
}

// Review is one verdict on a submission. Append-only: an overturn by a
// quality reviewer is a new row that names the one it overturns.
type Review struct {
	bun.BaseModel `bun:"table:homework_reviews"`

	ID                string         `bun:"id,pk" json:"id"`
	OrgID             string         `bun:"org_id" json:"-"`
	SubmissionID      string         `bun:"submission_id" json:"submission_id"`
	AssignmentID      string         `bun:"assignment_id" json:"-"` // the submission's, kept for pay's counts
	Attempt           int            `bun:"attempt" json:"-"`       // the submission's
	Kind              string         `bun:"kind" json:"kind"`
	ReviewerID        string         `bun:"reviewer_id" json:"reviewer_id"`
	Verdict           string         `bun:"verdict" json:"verdict"`
	Scores            map[string]int `bun:"scores,type:jsonb" json:"scores"`
	Score             int            `bun:"score" json:"score"`
	MaxScore          int            `bun:"max_score" json:"max_score"`
	Feedback          string         `bun:"feedback" json:"feedback"`
	BusinessSeconds   int64          `bun:"business_seconds" json:"business_seconds"`
	WithinSLA         bool           `bun:"within_sla" json:"within_sla"`
	Sampled           bool           `bun:"sampled" json:"sampled"`
	OverturnsReviewID *string        `bun:"overturns_review_id" json:"overturns_review_id"`
	CreatedAt         time.Time      `bun:"created_at" json:"created_at"`
}

// QualityCheck is a quality reviewer's second look at a sampled review.
type QualityCheck struct {
	bun.BaseModel `bun:"table:homework_quality_checks"`

	ID              string    `bun:"id,pk" json:"id"`
	OrgID           string    `bun:"org_id" json:"-"`
	ReviewID        string    `bun:"review_id" json:"review_id"`
	SubmissionID    string    `bun:"submission_id" json:"submission_id"`
	CuratorID       string    `bun:"curator_id" json:"curator_id"`
	CheckerID       string    `bun:"checker_id" json:"checker_id"`
	VerdictCorrect  int       `bun:"verdict_correct" json:"verdict_correct"`
	FeedbackHelpful int       `bun:"feedback_helpful" json:"feedback_helpful"`
	Tone            int       `bun:"tone" json:"tone"`
	OnTime          int       `bun:"on_time" json:"on_time"`
	Comment         string    `bun:"comment" json:"comment"`
	OverturnedTo    *string   `bun:"overturned_to" json:"overturned_to"`
	Month           string    `bun:"month" json:"month"`
	CreatedAt       time.Time `bun:"created_at" json:"created_at"`
}

// Percent is the check's score on a 0–100 scale.
func (q *QualityCheck) Percent() float64 {
	return float64(q.VerdictCorrect+q.FeedbackHelpful+q.Tone+q.OnTime) * 100 / float64(maxQualityPoints*qualityCriteriaCount)
}

// Settings are a school's queue rules. Reviews of newcomers whose
// onboarding plan still has required items (the Onboarding port says
// who) are sampled at the probation rate.
type Settings struct {
	bun.BaseModel `bun:"table:homework_settings"`

	OrgID                  string    `bun:"org_id,pk" json:"-"`
	OpenCapacity           int       `bun:"open_capacity" json:"open_capacity"`
	LeaseMinutes           int       `bun:"lease_minutes" json:"lease_minutes"`
	SamplePercent          int       `bun:"sample_percent" json:"sample_percent"`
	ProbationSamplePercent int       `bun:"probation_sample_percent" json:"probation_sample_percent"`
	SampleRejected         bool      `bun:"sample_rejected" json:"sample_rejected"`
	LowScorePercent        int       `bun:"low_score_percent" json:"low_score_percent"`
	UpdatedAt              time.Time `bun:"updated_at" json:"-"`
	Version                int64     `bun:"version" json:"version"`
}

// RowVersion is the version an If-Match names.
func (st *Settings) RowVersion() int64 { return st.Version }

// Bump gives the settings their next version, changed at at.
func (st *Settings) Bump(at time.Time) { st.Version++; st.UpdatedAt = at }

// DefaultSettings are what a school gets until it saves its own.
func DefaultSettings(orgID string) *Settings {
	return &Settings{OrgID: orgID, OpenCapacity: DefaultOpenCapacity, LeaseMinutes: DefaultLeaseMinutes,
		SamplePercent: DefaultSamplePercent, ProbationSamplePercent: DefaultProbationPercent,
		SampleRejected: true, LowScorePercent: DefaultLowScorePercent, Version: 1}
}
