// Package quality is conversation quality control: senior curators score
// sampled student conversations against the school's scorecards (the chat
// regulation's criteria), curators acknowledge or dispute the reviews, the
// head settles disputes and calibrates reviewers, and each curator gets a
// quality score with its sample size and the criteria to work on.
package quality

import (
	"encoding/json"
	"time"

	"github.com/uptrace/bun"
)

// Criterion kinds: a yes/no check or a 1–5 rating.
const (
	KindYesNo = "yes_no"
	KindScale = "scale"
)

// Scorecard version statuses.
const (
	VersionDraft      = "draft"
	VersionActive     = "active"
	VersionSuperseded = "superseded"
)

// Why an assignment exists.
const (
	SourceSample      = "sample"
	SourceManual      = "manual"
	SourceCalibration = "calibration"
)

// Review kinds: the reviewer's own, or the one a settled dispute adds.
const (
	ReviewOriginal = "review"
	ReviewRevision = "revision"
)

// A curator's answer to a review.
const (
	ResponseAcknowledged = "acknowledged"
	ResponseDisputed     = "disputed"
)

// Settlement outcomes.
const (
	OutcomeUpheld  = "upheld"
	OutcomeRevised = "revised"
)

// Sampling defaults for a school that never saved its settings.
const (
	DefaultReviewsPerWeek         = 3
	DefaultNewcomerReviewsPerWeek = 7
)

// Settings are a school's sampling settings.
type Settings struct {
	bun.BaseModel `bun:"table:quality_settings"`

	OrgID                  string    `bun:"org_id,pk"`
	ReviewsPerWeek         int       `bun:"reviews_per_week"`
	NewcomerReviewsPerWeek int       `bun:"newcomer_reviews_per_week"`
	DefaultScorecardID     *string   `bun:"default_scorecard_id"`
	UpdatedAt              time.Time `bun:"updated_at"`
	Version                int64     `bun:"version"`
}

// RowVersion and Bump make the settings a database.Versioned row; version 0
// is settings never saved.
func (s *Settings) RowVersion() int64 { return s.Version }

// Bump gives the settings their next version, changed at at.
func (s *Settings) Bump(at time.Time) { s.Version++; s.UpdatedAt = at }

// Scorecard is a named set of criteria whose content lives in its versions.
type Scorecard struct {
	bun.BaseModel `bun:"table:quality_scorecards"`

	ID              string    `bun:"id,pk"`
	OrgID           string    `bun:"org_id"`
	Name            string    `bun:"name"`
	ActiveVersionID *string   `bun:"active_version_id"`
	ActiveNumber    int       `bun:"active_number"`
	CreatedAt       time.Time `bun:"created_at"`
	UpdatedAt       time.Time `bun:"updated_at"`
	Version         int64     `bun:"version"`
}

// RowVersion and Bump make a scorecard a database.Versioned row.
func (c *Scorecard) RowVersion() int64 { return c.Version }

// Bump gives the scorecard its next version, changed at at.
func (c *Scorecard) Bump(at time.Time) { c.Version++; c.UpdatedAt = at }

// Criterion is one thing a reviewer checks.
type Criterion struct {
	Key           string  `json:"key"`
	Title         string  `json:"title"`
	Description   string  `json:"description,omitempty"`
	Kind          string  `json:"kind"`
	Weight        int     `json:"weight"`
	AllowNA       bool    `json:"allow_not_applicable"`
	KBArticleID   *string `json:"kb_article_id,omitempty"`
	KBArticleSlug *string `json:"kb_article_slug,omitempty"`
}

// ScorecardVersion is one immutable set of criteria. A review keeps the
// version it was scored with, so a new version changes no past score.
type ScorecardVersion struct {
	bun.BaseModel `bun:"table:quality_scorecard_versions"`

	ID          string      `bun:"id,pk"`
	OrgID       string      `bun:"org_id"`
	ScorecardID string      `bun:"scorecard_id"`
	Number      int         `bun:"number"`
	Status      string      `bun:"status"`
	Criteria    CriteriaSet `bun:"criteria"`
	CreatedBy   string      `bun:"created_by"`
	CreatedAt   time.Time   `bun:"created_at"`
	ActivatedAt *time.Time  `bun:"activated_at"`
}

// CriteriaSet is a version's criteria, stored as JSON text on both
// databases.
type CriteriaSet []Criterion

// Value stores the criteria as JSON.
func (c CriteriaSet) Value() (any, error) {
	b, err := json.Marshal([]Criterion(c))
	return string(b), err
}

// Scan reads the criteria from JSON.
func (c *CriteriaSet) Scan(src any) error {
	var b []byte
	switch v := src.(type) {
	case string:
		b = []byte(v)
	case []byte:
		b = v
	case nil:
		*c = nil
		return nil
	}
	return json.Unmarshal(b, (*[]Criterion)(c))
}

// Find returns the criterion with key, or nil.
func (c CriteriaSet) Find(key string) *Criterion {
	for i := range c {
		if c[i].Key == key {
			return &c[i]
		}
	}
	return nil
}

// SampleRun is one day's sample of a school.
type SampleRun struct {
	bun.BaseModel `bun:"table:quality_sample_runs"`

	ID         string    `bun:"id,pk"`
	OrgID      string    `bun:"org_id"`
	Day        string    `bun:"day"`
	Seed       int64     `bun:"seed"`
	Candidates int       `bun:"candidates"`
	Sampled    int       `bun:"sampled"`
	Unassigned int       `bun:"unassigned"`
	CreatedBy  *string   `bun:"created_by"` // nil: drawn by the daily pass, not by a user
	CreatedAt  time.Time `bun:"created_at"`
}

// Calibration is one conversation sent to several reviewers on one pinned
// scorecard version, to compare how they score.
type Calibration struct {
	bun.BaseModel `bun:"table:quality_calibrations"`

	ID                 string    `bun:"id,pk"`
	OrgID              string    `bun:"org_id"`
	ConversationID     string    `bun:"conversation_id"`
	CuratorID          string    `bun:"curator_id"`
	Day                string    `bun:"day"`
	AnsweredAt         time.Time `bun:"answered_at"`
	ScorecardID        string    `bun:"scorecard_id"`
	ScorecardVersionID string    `bun:"scorecard_version_id"`
	Note               string    `bun:"note"`
	CreatedBy          string    `bun:"created_by"`
	CreatedAt          time.Time `bun:"created_at"`
}

// Assignment hands one curator's answers in a conversation on one local
// day to one reviewer.
type Assignment struct {
	bun.BaseModel `bun:"table:quality_assignments"`

	ID             string    `bun:"id,pk"`
	OrgID          string    `bun:"org_id"`
	ConversationID string    `bun:"conversation_id"`
	CuratorID      string    `bun:"curator_id"`
	Day            string    `bun:"day"`
	AnsweredAt     time.Time `bun:"answered_at"`
	ReviewerID     string    `bun:"reviewer_id"`
	Source         string    `bun:"source"`
	RunID          *string   `bun:"run_id"`
	CalibrationID  *string   `bun:"calibration_id"`
	Breached       bool      `bun:"breached"`
	LowCSI         bool      `bun:"low_csi"`
	RefundRequest  bool      `bun:"refund_request"`
	RandomPick     bool      `bun:"random_pick"`
	CreatedBy      *string   `bun:"created_by"` // nil: handed out by the daily pass
	CreatedAt      time.Time `bun:"created_at"`

	// Reviewed is read with the row: whether the reviewer has scored it.
	Reviewed bool `bun:"reviewed,scanonly"`
}

// Review is a reviewer's scoring of an assignment, or the revision a
// settled dispute adds. Earned and Possible are in quarter points: a
// criterion of weight w is worth 4w, a yes 4w, a no 0, a rating v of 5
// w·(v−1).
type Review struct {
	bun.BaseModel `bun:"table:quality_reviews"`

	ID                 string    `bun:"id,pk"`
	OrgID              string    `bun:"org_id"`
	AssignmentID       string    `bun:"assignment_id"`
	ConversationID     string    `bun:"conversation_id"`
	CuratorID          string    `bun:"curator_id"`
	Day                string    `bun:"day"`
	AnsweredAt         time.Time `bun:"answered_at"`
	ReviewerID         string    `bun:"reviewer_id"`
	CalibrationID      *string   `bun:"calibration_id"`
	ScorecardID        string    `bun:"scorecard_id"`
	ScorecardVersionID string    `bun:"scorecard_version_id"`
	ScorecardNumber    int       `bun:"scorecard_number"`
	Kind               string    `bun:"kind"`
	RevisesReviewID    *string   `bun:"revises_review_id"`
	Earned             int64     `bun:"earned"`
	Possible           int64     `bun:"possible"`
	Comment            string    `bun:"comment"`
	CreatedAt          time.Time `bun:"created_at"`
}

// Percent is the review's score on a 0–100 scale; nil when every criterion
// was not applicable.
func (r *Review) Percent() *float64 {
	if r.Possible == 0 {
		return nil
	}
	p := 100 * float64(r.Earned) / float64(r.Possible)
	return &p
}

// Score is one criterion of a review; a nil Value is "not applicable".
type Score struct {
	bun.BaseModel `bun:"table:quality_review_scores"`

	ID             string  `bun:"id,pk"`
	OrgID          string  `bun:"org_id"`
	ReviewID       string  `bun:"review_id"`
	Position       int     `bun:"position"`
	CriterionKey   string  `bun:"criterion_key"`
	Value          *int    `bun:"value"`
	Comment        string  `bun:"comment"`
	QuoteMessageID *string `bun:"quote_message_id"`
}

// Response is the curator's one answer to a review.
type Response struct {
	bun.BaseModel `bun:"table:quality_responses"`

	ID        string    `bun:"id,pk"`
	OrgID     string    `bun:"org_id"`
	ReviewID  string    `bun:"review_id"`
	CuratorID string    `bun:"curator_id"`
	Kind      string    `bun:"kind"`
	Comment   string    `bun:"comment"`
	CreatedAt time.Time `bun:"created_at"`
}

// Settlement is the head's decision on a disputed review.
type Settlement struct {
	bun.BaseModel `bun:"table:quality_settlements"`

	ID              string    `bun:"id,pk"`
	OrgID           string    `bun:"org_id"`
	ReviewID        string    `bun:"review_id"`
	ResponseID      string    `bun:"response_id"`
	Outcome         string    `bun:"outcome"`
	RevisedReviewID *string   `bun:"revised_review_id"`
	Comment         string    `bun:"comment"`
	SettledBy       string    `bun:"settled_by"`
	CreatedAt       time.Time `bun:"created_at"`
}

// points is what one criterion's value earns and could earn, in quarter
// points; applicable is false for a "not applicable" answer.
func points(c *Criterion, value *int) (earned, possible int64, applicable bool) {
	if value == nil {
		return 0, 0, false
	}
	w := int64(c.Weight)
	if c.Kind == KindYesNo {
		return 4 * w * int64(*value), 4 * w, true
	}
	return w * int64(*value-1), 4 * w, true
}

// criterionPercent is one criterion's value on a 0–100 scale.
func criterionPercent(kind string, value int) float64 {
	if kind == KindYesNo {
		return 100 * float64(value)
	}
	return 25 * float64(value-1)
}
