package hiring

import (
	"strings"
	"time"

	"github.com/uptrace/bun"
)

// Stage kinds. A school may add and rename stages; the kind says what a
// stage means to the rules: where an application starts, where test tasks
// and offers belong, and the three ends.
const (
	KindApplied   = "applied"
	KindStep      = "step"
	KindTestTask  = "test_task"
	KindInterview = "interview"
	KindOffer     = "offer"
	KindHired     = "hired"
	KindRejected  = "rejected"
	KindReserve   = "reserve"
)

// isEnd reports whether a stage of kind ends an application; only a
// person moves it out of rejected or reserve again.
func isEnd(kind string) bool { return kind == KindHired || kind == KindRejected || kind == KindReserve }

// Stage is one column of a school's pipeline.
type Stage struct {
	bun.BaseModel `bun:"table:hiring_stages"`

	ID        string    `bun:"id,pk"`
	OrgID     string    `bun:"org_id"`
	Key       string    `bun:"key"`
	Title     string    `bun:"title"`
	Kind      string    `bun:"kind"`
	Position  int       `bun:"position"`
	Active    bool      `bun:"active"`
	CreatedAt time.Time `bun:"created_at"`
	UpdatedAt time.Time `bun:"updated_at"`
	Version   int64     `bun:"version"`
}

// RowVersion is the stage's version, for If-Match.
func (s *Stage) RowVersion() int64 { return s.Version }

// Bump advances the version on a change.
func (s *Stage) Bump(at time.Time) { s.Version++; s.UpdatedAt = at }

// RejectionReason is one line of the school's rejection catalog.
type RejectionReason struct {
	bun.BaseModel `bun:"table:hiring_rejection_reasons"`

	ID        string    `bun:"id,pk"`
	OrgID     string    `bun:"org_id"`
	Code      string    `bun:"code"`
	Title     string    `bun:"title"`
	Active    bool      `bun:"active"`
	CreatedAt time.Time `bun:"created_at"`
	UpdatedAt time.Time `bun:"updated_at"`
	Version   int64     `bun:"version"`
}

// RowVersion is the reason's version, for If-Match.
func (r *RejectionReason) RowVersion() int64 { return r.Version }

// Bump advances the version on a change.
func (r *RejectionReason) Bump(at time.Time) { r.Version++; r.UpdatedAt = at }

// Vacancy statuses.
const (
	VacancyDraft  = "draft"
	VacancyOpen   = "open"
	VacancyPaused = "paused"
	VacancyClosed = "closed"
)

// Criterion is one line of a vacancy's interview scorecard.
type Criterion struct {
	Key    string `json:"key" validate:"required,min=1,max=40,singleline"`
	Title  string `json:"title" validate:"required,min=1,max=200,singleline"`
	Weight int    `json:"weight" validate:"min=1,max=100"`
}

// DefaultCriteria are a vacancy's four interview criteria when it names none, equally weighted.
func DefaultCriteria() []Criterion {
	return []Criterion{
		{Key: "communication", Title: "Коммуникация", Weight: 1},
		{Key: "tone", Title: "Тон общения", Weight: 1},
		{Key: "accuracy", Title: "Точность", Weight: 1},
		{Key: "speed", Title: "Скорость", Weight: 1},
	}
}

// Vacancy is an opening for curators.
type Vacancy struct {
	bun.BaseModel `bun:"table:hiring_vacancies"`

	ID        string      `bun:"id,pk"`
	OrgID     string      `bun:"org_id"`
	Title     string      `bun:"title"`
	CourseID  *string     `bun:"course_id"`
	CohortID  *string     `bun:"cohort_id"`
	Focus     string      `bun:"focus"`
	Headcount int         `bun:"headcount"`
	PayScheme string      `bun:"pay_scheme"`
	Status    string      `bun:"status"`
	Criteria  []Criterion `bun:"criteria,type:jsonb"`
	CreatedBy string      `bun:"created_by"`
	CreatedAt time.Time   `bun:"created_at"`
	UpdatedAt time.Time   `bun:"updated_at"`
	Version   int64       `bun:"version"`
}

// RowVersion is the vacancy's version, for If-Match.
func (v *Vacancy) RowVersion() int64 { return v.Version }

// Bump advances the version on a change.
func (v *Vacancy) Bump(at time.Time) { v.Version++; v.UpdatedAt = at }

// Candidate sources.
const (
	SourceJobSite       = "job_site"
	SourceReferral      = "referral"
	SourceFormerStudent = "former_student"
	SourceReserve       = "reserve"
	SourceOther         = "other"
)

// ErasedName replaces an erased candidate's name.
const ErasedName = "[erased]"

// Candidate is a person applying to curate, with their contacts and the
// talent-reserve fields.
type Candidate struct {
	bun.BaseModel `bun:"table:hiring_candidates"`

	ID               string     `bun:"id,pk"`
	OrgID            string     `bun:"org_id"`
	FullName         string     `bun:"full_name"`
	Email            *string    `bun:"email"`
	Phone            *string    `bun:"phone"`
	Telegram         *string    `bun:"telegram"`
	Source           string     `bun:"source"`
	CVURL            *string    `bun:"cv_url"`
	ConsentExpiresAt time.Time  `bun:"consent_expires_at"`
	InReserve        bool       `bun:"in_reserve"`
	ReserveTags      string     `bun:"reserve_tags"`
	RecontactOn      *string    `bun:"recontact_on"`
	BestTestPercent  *int       `bun:"best_test_percent"`
	Notes            string     `bun:"notes"`
	ErasedAt         *time.Time `bun:"erased_at"`
	CreatedBy        string     `bun:"created_by"`
	CreatedAt        time.Time  `bun:"created_at"`
	UpdatedAt        time.Time  `bun:"updated_at"`
	Version          int64      `bun:"version"`
}

// RowVersion is the candidate's version, for If-Match.
func (c *Candidate) RowVersion() int64 { return c.Version }

// Bump advances the version on a change.
func (c *Candidate) Bump(at time.Time) { c.Version++; c.UpdatedAt = at }

// Tags are the candidate's reserve tags. They are stored as ",a,b," so
// that a tag search is one portable LIKE.
func (c *Candidate) Tags() []string {
	out := []string{}
	for _, t := range strings.Split(c.ReserveTags, ",") {
		if t != "" {
			out = append(out, t)
		}
	}
	return out
}

// joinTags stores tags (already normalised) in the ",a,b," form.
func joinTags(tags []string) string {
	if len(tags) == 0 {
		return ""
	}
	return "," + strings.Join(tags, ",") + ","
}

// Consent kinds.
const (
	ConsentGiven     = "given"
	ConsentWithdrawn = "withdrawn"
)

// Consent is one grant, renewal or withdrawal of a candidate's consent to
// keep their data. Rows are never changed.
type Consent struct {
	bun.BaseModel `bun:"table:hiring_consents"`

	ID          string     `bun:"id,pk"`
	OrgID       string     `bun:"org_id"`
	CandidateID string     `bun:"candidate_id"`
	Kind        string     `bun:"kind"`
	ExpiresAt   *time.Time `bun:"expires_at"`
	RecordedBy  string     `bun:"recorded_by"`
	RecordedAt  time.Time  `bun:"recorded_at"`
}

// Application is a candidate's run through one vacancy's pipeline.
type Application struct {
	bun.BaseModel `bun:"table:hiring_applications"`

	ID             string    `bun:"id,pk"`
	OrgID          string    `bun:"org_id"`
	CandidateID    string    `bun:"candidate_id"`
	VacancyID      string    `bun:"vacancy_id"`
	Source         string    `bun:"source"`
	StageID        string    `bun:"stage_id"`
	StageEnteredAt time.Time `bun:"stage_entered_at"`
	CreatedAt      time.Time `bun:"created_at"`
	UpdatedAt      time.Time `bun:"updated_at"`
	Version        int64     `bun:"version"`
}

// RowVersion is the application's version, for If-Match.
func (a *Application) RowVersion() int64 { return a.Version }

// Bump advances the version on a change.
func (a *Application) Bump(at time.Time) { a.Version++; a.UpdatedAt = at }

// StageMove is one entry of the stage history. Rows are never changed.
type StageMove struct {
	bun.BaseModel `bun:"table:hiring_stage_moves"`

	ID            string    `bun:"id,pk"`
	OrgID         string    `bun:"org_id"`
	ApplicationID string    `bun:"application_id"`
	CandidateID   string    `bun:"candidate_id"`
	VacancyID     string    `bun:"vacancy_id"`
	FromStageID   *string   `bun:"from_stage_id"`
	ToStageID     string    `bun:"to_stage_id"`
	ReasonID      *string   `bun:"reason_id"`
	Note          string    `bun:"note"`
	ActorID       string    `bun:"actor_id"`
	MovedAt       time.Time `bun:"moved_at"`
}

// Review verdicts, as homework uses them.
const (
	VerdictAccepted = "accepted"
	VerdictRework   = "rework_requested"
	VerdictRejected = "rejected"
)

// RubricLine is one criterion of the assignment's rubric.
type RubricLine struct {
	Key       string `json:"key"`
	Title     string `json:"title"`
	MaxPoints int    `json:"max_points"`
}

// Material is the anonymised work a candidate reviews: what the student
// handed in, with nothing that names the student.
type Material struct {
	Text  string   `json:"text"`
	Links []string `json:"links"`
}

// CalibrationItem is a real homework submission the head marked with the
// reference verdict and score.
type CalibrationItem struct {
	bun.BaseModel `bun:"table:hiring_calibration_items"`

	ID               string       `bun:"id,pk"`
	OrgID            string       `bun:"org_id"`
	SubmissionID     string       `bun:"submission_id"`
	Title            string       `bun:"title"`
	Content          Material     `bun:"content,type:jsonb"`
	Rubric           []RubricLine `bun:"rubric,type:jsonb"`
	MaxScore         int          `bun:"max_score"`
	ReferenceVerdict string       `bun:"reference_verdict"`
	ReferenceScore   int          `bun:"reference_score"`
	Active           bool         `bun:"active"`
	CreatedBy        string       `bun:"created_by"`
	CreatedAt        time.Time    `bun:"created_at"`
	UpdatedAt        time.Time    `bun:"updated_at"`
	Version          int64        `bun:"version"`
}

// RowVersion is the item's version, for If-Match.
func (c *CalibrationItem) RowVersion() int64 { return c.Version }

// Bump advances the version on a change.
func (c *CalibrationItem) Bump(at time.Time) { c.Version++; c.UpdatedAt = at }

// Test task statuses.
const (
	TaskIssued    = "issued"
	TaskSubmitted = "submitted"
	TaskRevoked   = "revoked"
)

// TestTask is a calibration set issued to one application, reached by the
// candidate through a link that carries a secret token; only the token's
// hash is stored.
type TestTask struct {
	bun.BaseModel `bun:"table:hiring_test_tasks"`

	ID            string     `bun:"id,pk"`
	OrgID         string     `bun:"org_id"`
	ApplicationID string     `bun:"application_id"`
	CandidateID   string     `bun:"candidate_id"`
	TokenHash     string     `bun:"token_hash"`
	ItemIDs       []string   `bun:"item_ids,type:jsonb"`
	Status        string     `bun:"status"`
	ExpiresAt     time.Time  `bun:"expires_at"`
	IssuedBy      string     `bun:"issued_by"`
	IssuedAt      time.Time  `bun:"issued_at"`
	SubmittedAt   *time.Time `bun:"submitted_at"`
	Matches       *int       `bun:"matches"`
	Answered      *int       `bun:"answered"`
	DeviationSum  *int       `bun:"deviation_sum"`
	MaxScoreSum   *int       `bun:"max_score_sum"`
	Version       int64      `bun:"version"`
}

// RowVersion is the task's version.
func (t *TestTask) RowVersion() int64 { return t.Version }

// Bump advances the version on a change.
func (t *TestTask) Bump(at time.Time) { t.Version++ }

// State is the task's status at now: an issued task past its expiry is
// expired.
func (t *TestTask) State(now time.Time) string {
	if t.Status == TaskIssued && !now.Before(t.ExpiresAt) {
		return "expired"
	}
	return t.Status
}

// TestAnswer is a candidate's verdict and score on one item, stored with
// the reference it was compared to at submission. Rows are never changed.
type TestAnswer struct {
	bun.BaseModel `bun:"table:hiring_test_answers"`

	ID               string    `bun:"id,pk"`
	OrgID            string    `bun:"org_id"`
	TaskID           string    `bun:"task_id"`
	ItemID           string    `bun:"item_id"`
	Position         int       `bun:"position"`
	Verdict          string    `bun:"verdict"`
	Score            int       `bun:"score"`
	Comment          string    `bun:"comment"`
	ReferenceVerdict string    `bun:"reference_verdict"`
	ReferenceScore   int       `bun:"reference_score"`
	MaxScore         int       `bun:"max_score"`
	CreatedAt        time.Time `bun:"created_at"`
}

// Recommendations an interviewer may give.
const (
	RecommendHire      = "hire"
	RecommendNoHire    = "no_hire"
	RecommendUndecided = "undecided"
)

// CriterionScore is one criterion of a scorecard with the interviewer's
// score from 1 to 5.
type CriterionScore struct {
	Criterion
	Score int `json:"score"`
}

// Scorecard is one interviewer's assessment of one application.
type Scorecard struct {
	bun.BaseModel `bun:"table:hiring_scorecards"`

	ID             string           `bun:"id,pk"`
	OrgID          string           `bun:"org_id"`
	ApplicationID  string           `bun:"application_id"`
	InterviewerID  string           `bun:"interviewer_id"`
	Criteria       []CriterionScore `bun:"criteria,type:jsonb"`
	WeightedSum    int              `bun:"weighted_sum"`
	WeightTotal    int              `bun:"weight_total"`
	Recommendation string           `bun:"recommendation"`
	Notes          string           `bun:"notes"`
	CreatedAt      time.Time        `bun:"created_at"`
	UpdatedAt      time.Time        `bun:"updated_at"`
	Version        int64            `bun:"version"`
}

// RowVersion is the scorecard's version, for If-Match.
func (s *Scorecard) RowVersion() int64 { return s.Version }

// Bump advances the version on a change.
func (s *Scorecard) Bump(at time.Time) { s.Version++; s.UpdatedAt = at }

// Offer statuses.
const (
	OfferSent      = "sent"
	OfferAccepted  = "accepted"
	OfferDeclined  = "declined"
	OfferWithdrawn = "withdrawn"
)

// Offer is what the school offers a candidate: a start date and a pay
// scheme. Its terms never change; a new offer replaces a withdrawn one.
type Offer struct {
	bun.BaseModel `bun:"table:hiring_offers"`

	ID                 string     `bun:"id,pk"`
	OrgID              string     `bun:"org_id"`
	ApplicationID      string     `bun:"application_id"`
	CandidateID        string     `bun:"candidate_id"`
	VacancyID          string     `bun:"vacancy_id"`
	StartDate          string     `bun:"start_date"`
	PayScheme          string     `bun:"pay_scheme"`
	MonthlyBaseKopecks *int64     `bun:"monthly_base_kopecks"`
	MentorID           *string    `bun:"mentor_id"`
	Status             string     `bun:"status"`
	TokenHash          string     `bun:"token_hash"`
	ExpiresAt          time.Time  `bun:"expires_at"`
	CreatedBy          string     `bun:"created_by"`
	CreatedAt          time.Time  `bun:"created_at"`
	DecidedAt          *time.Time `bun:"decided_at"`
	UserID             *string    `bun:"user_id"`
	PlanID             *string    `bun:"plan_id"`
	Version            int64      `bun:"version"`
}

// RowVersion is the offer's version, for If-Match.
func (o *Offer) RowVersion() int64 { return o.Version }

// Bump advances the version on a change.
func (o *Offer) Bump(at time.Time) { o.Version++ }

// State is the offer's status at now: a sent offer past its expiry is
// expired.
func (o *Offer) State(now time.Time) string {
	if o.Status == OfferSent && !now.Before(o.ExpiresAt) {
		return "expired"
	}
	return o.Status
}
