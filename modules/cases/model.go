package cases

import (
	"slices"
	"strings"
	"time"

	"github.com/uptrace/bun"
)

// Moments that may open a collection request.
const (
	MomentModuleCompleted = "module_completed"
	MomentCourseCompleted = "course_completed"
	MomentCSITop          = "csi_top"
	MomentNPSPromoter     = "nps_promoter"
	MomentHomeworkTop     = "homework_top_score"
	MomentManual          = "manual"
)

// Moments lists every kind of success moment.
var Moments = []string{MomentModuleCompleted, MomentCourseCompleted, MomentCSITop, MomentNPSPromoter, MomentHomeworkTop, MomentManual}

// Request statuses: the trail a request walks. Created, sent and opened
// are open (the link works until it expires); the others are final.
const (
	RequestCreated   = "created"
	RequestSent      = "sent"
	RequestOpened    = "opened"
	RequestSubmitted = "submitted"
	RequestDeclined  = "declined"
	RequestExpired   = "expired"
	RequestOptedOut  = "opted_out"
)

// RequestStatuses lists every request status.
var RequestStatuses = []string{RequestCreated, RequestSent, RequestOpened, RequestSubmitted, RequestDeclined, RequestExpired, RequestOptedOut}

// Submission statuses: pending → approved | rejected; approved → published
// → archived (an approved item may be archived unpublished).
const (
	StatusPending   = "pending"
	StatusApproved  = "approved"
	StatusRejected  = "rejected"
	StatusPublished = "published"
	StatusArchived  = "archived"
)

// SubmissionStatuses lists every moderation status.
var SubmissionStatuses = []string{StatusPending, StatusApproved, StatusRejected, StatusPublished, StatusArchived}

// transitions are the moderation steps allowed from each status.
var transitions = map[string][]string{
	StatusPending:   {StatusApproved, StatusRejected},
	StatusApproved:  {StatusPublished, StatusArchived},
	StatusPublished: {StatusArchived},
}

// collected are the statuses of a submission that counts as collected:
// accepted by a moderator, whatever happened to it after.
var collected = []string{StatusApproved, StatusPublished, StatusArchived}

// Submission sources.
const (
	SourceLink    = "link"
	SourceLMS     = "lms"
	SourceCurator = "curator"
)

// Consent scopes, from the narrowest.
const (
	ScopeInternal    = "internal"
	ScopeWebsite     = "website"
	ScopeSocial      = "social"
	ScopeAdvertising = "advertising"
)

// Scopes lists every consent scope.
var Scopes = []string{ScopeInternal, ScopeWebsite, ScopeSocial, ScopeAdvertising}

// Consent actions, channels and givers.
const (
	ConsentGranted   = "granted"
	ConsentWithdrawn = "withdrawn"
	GivenByStudent   = "student"
	GivenByGuardian  = "guardian"
)

// ConsentChannels lists how a consent may reach the school.
var ConsentChannels = []string{"link", "lms", "curator", "email", "paper", "messenger"}

// Settings are a school's collection rules.
type Settings struct {
	bun.BaseModel `bun:"table:case_settings"`

	OrgID               string    `bun:"org_id,pk"`
	RequestIntervalDays int       `bun:"request_interval_days"`
	LinkTTLDays         int       `bun:"link_ttl_days"`
	VideoTarget         int       `bun:"video_target"`
	ReviewTarget        int       `bun:"review_target"`
	Incentive           string    `bun:"incentive"`
	ConsentTextVersion  string    `bun:"consent_text_version"`
	ConsentText         string    `bun:"consent_text"`
	UpdatedAt           time.Time `bun:"updated_at"`
	Version             int64     `bun:"version"`
}

// DefaultSettings are the rules until a school saves its own: ask a
// student at most every 90 days, links live 14 days, and the reference
// school's targets of 10 video cases and 100 reviews per cohort.
func DefaultSettings(orgID string) *Settings {
	return &Settings{OrgID: orgID, RequestIntervalDays: 90, LinkTTLDays: 14, VideoTarget: 10, ReviewTarget: 100,
		ConsentTextVersion: "v1", Version: 1}
}

// RowVersion is the version an update must name.
func (s *Settings) RowVersion() int64 { return s.Version }

// Bump gives the settings their next version, changed at at.
func (s *Settings) Bump(at time.Time) { s.Version++; s.UpdatedAt = at }

// CohortTarget is a cohort's own collection target.
type CohortTarget struct {
	bun.BaseModel `bun:"table:case_cohort_targets"`

	OrgID        string    `bun:"org_id,pk"`
	CohortID     string    `bun:"cohort_id,pk"`
	VideoTarget  int       `bun:"video_target"`
	ReviewTarget int       `bun:"review_target"`
	UpdatedAt    time.Time `bun:"updated_at"`
	Version      int64     `bun:"version"`
}

// RowVersion is the version an update must name.
func (t *CohortTarget) RowVersion() int64 { return t.Version }

// Bump gives the target its next version, changed at at.
func (t *CohortTarget) Bump(at time.Time) { t.Version++; t.UpdatedAt = at }

// OptOut records that a student asked never to be asked again.
type OptOut struct {
	bun.BaseModel `bun:"table:case_opt_outs"`

	OrgID      string    `bun:"org_id,pk"`
	StudentID  string    `bun:"student_id,pk"`
	RequestID  *string   `bun:"request_id"`
	Channel    string    `bun:"channel"`
	OptedOutAt time.Time `bun:"opted_out_at"`
}

// Request is one invitation to a student to tell their story.
type Request struct {
	bun.BaseModel `bun:"table:case_requests"`

	ID           string     `bun:"id,pk"`
	OrgID        string     `bun:"org_id"`
	StudentID    string     `bun:"student_id"`
	EnrollmentID string     `bun:"enrollment_id"`
	CohortID     string     `bun:"cohort_id"`
	CourseID     string     `bun:"course_id"`
	CuratorID    *string    `bun:"curator_id"`
	Moment       string     `bun:"moment"`
	TokenHash    string     `bun:"token_hash"`
	Status       string     `bun:"status"`
	Incentive    string     `bun:"incentive"`
	CreatedBy    *string    `bun:"created_by"`
	CreatedAt    time.Time  `bun:"created_at"`
	ExpiresAt    time.Time  `bun:"expires_at"`
	SentAt       *time.Time `bun:"sent_at"`
	OpenedAt     *time.Time `bun:"opened_at"`
	ClosedAt     *time.Time `bun:"closed_at"`
	Version      int64      `bun:"version"`
}

// RowVersion is the version an update must name.
func (r *Request) RowVersion() int64 { return r.Version }

// Bump gives the request its next version.
func (r *Request) Bump(time.Time) { r.Version++ }

// openStatuses are the statuses of a request that still waits for an
// answer.
var openStatuses = []string{RequestCreated, RequestSent, RequestOpened}

// Open reports whether the request still waits for an answer.
func (r *Request) Open() bool { return slices.Contains(openStatuses, r.Status) }

// State is the request's status at now: an open request past its expiry
// shows as expired even before anyone touched it.
func (r *Request) State(now time.Time) string {
	if r.Open() && !now.Before(r.ExpiresAt) {
		return RequestExpired
	}
	return r.Status
}

// LinkWorks reports whether the request's link may still be used at now.
func (r *Request) LinkWorks(now time.Time) bool { return r.Open() && now.Before(r.ExpiresAt) }

// MomentRecord is the record that a success moment was weighed.
type MomentRecord struct {
	bun.BaseModel `bun:"table:case_moments"`

	OrgID     string    `bun:"org_id,pk"`
	Kind      string    `bun:"kind,pk"`
	SourceID  string    `bun:"source_id,pk"`
	StudentID string    `bun:"student_id"`
	Outcome   string    `bun:"outcome"`
	RequestID *string   `bun:"request_id"`
	At        time.Time `bun:"at"`
}

// Outcomes of a success moment.
const (
	OutcomeRequested   = "requested"
	OutcomeTooSoon     = "too_soon"
	OutcomeOptedOut    = "opted_out"
	OutcomeNotEnrolled = "not_enrolled"
)

// RequestEvent is one step of a request's status trail.
type RequestEvent struct {
	bun.BaseModel `bun:"table:case_request_events"`

	ID        string    `bun:"id,pk"`
	OrgID     string    `bun:"org_id"`
	RequestID string    `bun:"request_id"`
	Status    string    `bun:"status"`
	ActorID   *string   `bun:"actor_id"`
	At        time.Time `bun:"at"`
}

// Submission is a student's case or testimonial. Body, BeforeText,
// AfterText and VideoURL are the student's own words, kept byte for byte
// (a database trigger refuses any edit but erasure); Excerpt is the part
// chosen for publishing.
type Submission struct {
	bun.BaseModel `bun:"table:case_submissions"`

	ID            string     `bun:"id,pk"`
	OrgID         string     `bun:"org_id"`
	RequestID     *string    `bun:"request_id"`
	StudentID     string     `bun:"student_id"`
	EnrollmentID  string     `bun:"enrollment_id"`
	CohortID      string     `bun:"cohort_id"`
	CourseID      string     `bun:"course_id"`
	CuratorID     *string    `bun:"curator_id"`
	Source        string     `bun:"source"`
	ExternalID    *string    `bun:"external_id"`
	RecordedBy    *string    `bun:"recorded_by"`
	Body          *string    `bun:"body"`
	VideoURL      *string    `bun:"video_url"`
	Video         bool       `bun:"has_video"`
	Rating        *int       `bun:"rating"`
	BeforeText    *string    `bun:"before_text"`
	AfterText     *string    `bun:"after_text"`
	Excerpt       *string    `bun:"excerpt"`
	Tags          string     `bun:"tags"`
	Status        string     `bun:"status"`
	ConsentScopes string     `bun:"consent_scopes"`
	SubmittedAt   time.Time  `bun:"submitted_at"`
	ErasedAt      *time.Time `bun:"erased_at"`
	CreatedAt     time.Time  `bun:"created_at"`
	UpdatedAt     time.Time  `bun:"updated_at"`
	Version       int64      `bun:"version"`
}

// RowVersion is the version an update must name.
func (s *Submission) RowVersion() int64 { return s.Version }

// Bump gives the submission its next version, changed at at.
func (s *Submission) Bump(at time.Time) { s.Version++; s.UpdatedAt = at }

// TagList is the submission's tags.
func (s *Submission) TagList() []string { return splitList(s.Tags) }

// Scopes is what the submission's current consent covers; empty without
// consent or after a withdrawal.
func (s *Submission) Scopes() []string { return splitList(s.ConsentScopes) }

// Covers reports whether the current consent covers scope.
func (s *Submission) Covers(scope string) bool { return slices.Contains(s.Scopes(), scope) }

// Collected reports whether the submission counts as collected.
func (s *Submission) Collected() bool { return slices.Contains(collected, s.Status) }

// HasVideo reports whether the submission came with a video link; it
// stays true after erasure removes the link, so counts do not change.
func (s *Submission) HasVideo() bool { return s.Video }

// Moderation is one moderation decision.
type Moderation struct {
	bun.BaseModel `bun:"table:case_moderations"`

	ID           string    `bun:"id,pk"`
	OrgID        string    `bun:"org_id"`
	SubmissionID string    `bun:"submission_id"`
	FromStatus   string    `bun:"from_status"`
	ToStatus     string    `bun:"to_status"`
	Reason       string    `bun:"reason"`
	ActorID      *string   `bun:"actor_id"`
	At           time.Time `bun:"at"`
}

// Consent is one grant or withdrawal of consent to use a submission.
type Consent struct {
	bun.BaseModel `bun:"table:case_consents"`

	ID           string    `bun:"id,pk"`
	OrgID        string    `bun:"org_id"`
	SubmissionID string    `bun:"submission_id"`
	StudentID    string    `bun:"student_id"`
	Action       string    `bun:"action"`
	Scopes       string    `bun:"scopes"`
	TextVersion  string    `bun:"text_version"`
	Channel      string    `bun:"channel"`
	GivenBy      string    `bun:"given_by"`
	GuardianName *string   `bun:"guardian_name"`
	Reason       string    `bun:"reason"`
	RecordedBy   *string   `bun:"recorded_by"`
	GivenAt      time.Time `bun:"given_at"`
	CreatedAt    time.Time `bun:"created_at"`
}

// ScopeList is the scopes the row grants.
func (c *Consent) ScopeList() []string { return splitList(c.Scopes) }

// linkThrottle counts public link calls from one client address.
type linkThrottle struct {
	bun.BaseModel `bun:"table:case_link_throttle"`

	Key             string    `bun:"key,pk"`
	Hits            int       `bun:"hits"`
	WindowStartedAt time.Time `bun:"window_started_at"`
}

// joinList stores a set of words as ",a,b," so that a LIKE '%,a,%' finds
// one of them exactly.
func joinList(words []string) string {
	if len(words) == 0 {
		return ""
	}
	return "," + strings.Join(words, ",") + ","
}

func splitList(s string) []string {
	out := []string{}
	for _, w := range strings.Split(s, ",") {
		if w != "" {
			out = append(out, w)
		}
	}
	return out
}
