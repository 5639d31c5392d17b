// Package onboarding brings a newcomer from the offer to their first
// students: a template of typed items per role, one plan per newcomer with
// a mentor and due dates, items that complete themselves from the facts of
// other modules (a regulation acknowledged, a quiz passed, supervised
// reviews that passed quality control), the gate that keeps students from
// a newcomer until every required item is done, and thanks and
// certificates on curators' profiles.
package onboarding

import (
	"time"

	"github.com/uptrace/bun"
)

// Item kinds. The first three complete themselves from facts the
// knowledge base and the review queue hold; the others are confirmed by a
// person.
const (
	KindRegulation = "read_regulation"
	KindQuiz       = "pass_quiz"
	KindSupervised = "supervised_reviews"
	KindShadow     = "shadow"
	KindSign       = "sign_document"
	KindTask       = "task"
)

// Kinds lists every item kind.
var Kinds = []string{KindRegulation, KindQuiz, KindShadow, KindSupervised, KindSign, KindTask}

// Assignees: who does (or confirms) an item.
const (
	AssigneeNewcomer = "newcomer"
	AssigneeMentor   = "mentor"
	AssigneeHR       = "hr"
)

// Assignees lists every assignee.
var Assignees = []string{AssigneeNewcomer, AssigneeMentor, AssigneeHR}

// Item states as a plan shows them at a moment.
const (
	ItemDone    = "done"
	ItemPending = "pending"
	ItemOverdue = "overdue"
)

// Plan states.
const (
	PlanOnboarding = "onboarding" // required items left: no students yet
	PlanActive     = "active"     // may take students; optional items may remain
	PlanCompleted  = "completed"  // every item done
)

// Activation: how a plan's newcomer came to take students.
const (
	ActivationCompleted = "completed" // every required item was done
	ActivationEarly     = "early"     // HR or the head let them start sooner
)

// Recognition kinds: «благодарность» and «сертификат».
const (
	RecognitionThanks      = "thanks"
	RecognitionCertificate = "certificate"
)

// Completion sources: a person confirmed the item, or the fact of another
// module completed it.
const (
	SourceManual     = "manual"
	SourceKB         = "kb"
	SourceHomework   = "homework"
	systemActor      = "system"
	entityTemplate   = "onboarding_template"
	entityPlan       = "onboarding_plan"
	entityCompletion = "onboarding_completion"
	entityRecognize  = "onboarding_recognition"
)

// EventItemOverdue is published once per plan item that passes its due
// date undone, for the notice bots (as kb.reading_overdue is).
const EventItemOverdue = "onboarding.item_overdue"

// Limits of templates and items.
const (
	MaxItems                 = 50
	MaxDayOffset             = 365
	MaxWeight                = 100
	MaxReviewCount           = 200
	DefaultMinQualityPercent = 80
	maxKeyLen                = 64
)

// TemplateItem is one item of a role's template.
type TemplateItem struct {
	Key         string `json:"key"`
	Title       string `json:"title"`
	Description string `json:"description"`
	Kind        string `json:"kind"`
	Assignee    string `json:"assignee"`
	DayOffset   int    `json:"day_offset"`
	Weight      int    `json:"weight"`
	Required    bool   `json:"required"`
	// ArticleID is the regulation to acknowledge, or whose quiz to pass.
	ArticleID *string `json:"article_id,omitempty"`
	// ReviewCount is how many supervised reviews must pass quality
	// control, each scoring at least MinQualityPercent with its verdict
	// upheld.
	ReviewCount       int `json:"review_count,omitempty"`
	MinQualityPercent int `json:"min_quality_percent,omitempty"`
}

// Template is a role's onboarding template. A plan copies its items when
// it starts, so that editing the template never moves a running plan.
type Template struct {
	bun.BaseModel `bun:"table:onboarding_templates"`

	ID        string         `bun:"id,pk" json:"id"`
	OrgID     string         `bun:"org_id" json:"-"`
	Role      string         `bun:"role" json:"role"`
	Title     string         `bun:"title" json:"title"`
	Items     []TemplateItem `bun:"items,type:jsonb" json:"items"`
	CreatedAt time.Time      `bun:"created_at" json:"-"`
	UpdatedAt time.Time      `bun:"updated_at" json:"-"`
	Version   int64          `bun:"version" json:"version"`
}

// RowVersion is the version an If-Match names.
func (t *Template) RowVersion() int64 { return t.Version }

// Bump gives the template its next version, changed at at.
func (t *Template) Bump(at time.Time) { t.Version++; t.UpdatedAt = at }

// Plan is one newcomer's onboarding.
type Plan struct {
	bun.BaseModel `bun:"table:onboarding_plans"`

	ID               string     `bun:"id,pk" json:"id"`
	OrgID            string     `bun:"org_id" json:"-"`
	UserID           string     `bun:"user_id" json:"user_id"`
	Role             string     `bun:"role" json:"role"`
	TemplateID       string     `bun:"template_id" json:"template_id"`
	MentorID         *string    `bun:"mentor_id" json:"mentor_id"`
	StartDate        time.Time  `bun:"start_date" json:"start_date"`
	ActivatedAt      *time.Time `bun:"activated_at" json:"activated_at"`
	Activation       *string    `bun:"activation" json:"activation"`
	ActivationReason string     `bun:"activation_reason" json:"activation_reason"`
	ActivatedBy      string     `bun:"activated_by" json:"activated_by"`
	CreatedBy        string     `bun:"created_by" json:"-"`
	CreatedAt        time.Time  `bun:"created_at" json:"-"`
	UpdatedAt        time.Time  `bun:"updated_at" json:"-"`
	Version          int64      `bun:"version" json:"version"`
}

// RowVersion is the version an If-Match names.
func (p *Plan) RowVersion() int64 { return p.Version }

// Bump gives the plan its next version, changed at at.
func (p *Plan) Bump(at time.Time) { p.Version++; p.UpdatedAt = at }

// PlanItem is one item of a plan, copied from the template with its due
// date worked out from the start date.
type PlanItem struct {
	bun.BaseModel `bun:"table:onboarding_plan_items"`

	ID                string     `bun:"id,pk"`
	OrgID             string     `bun:"org_id"`
	PlanID            string     `bun:"plan_id"`
	Position          int        `bun:"position"`
	Key               string     `bun:"key"`
	Title             string     `bun:"title"`
	Description       string     `bun:"description"`
	Kind              string     `bun:"kind"`
	Assignee          string     `bun:"assignee"`
	DayOffset         int        `bun:"day_offset"`
	DueAt             time.Time  `bun:"due_at"`
	Weight            int        `bun:"weight"`
	Required          bool       `bun:"required"`
	ArticleID         *string    `bun:"article_id"`
	ReviewCount       int        `bun:"review_count"`
	MinQualityPercent int        `bun:"min_quality_percent"`
	RemindedAt        *time.Time `bun:"reminded_at"`
}

// Automatic reports whether the item completes itself from another
// module's facts rather than by a person's confirmation.
func (it *PlanItem) Automatic() bool {
	return it.Kind == KindRegulation || it.Kind == KindQuiz || it.Kind == KindSupervised
}

// Completion records that a plan item was done: by whom (a person, or
// "system" for a fact of another module), when, and from which source.
// Rows are only ever inserted.
type Completion struct {
	bun.BaseModel `bun:"table:onboarding_completions"`

	ID        string    `bun:"id,pk"`
	OrgID     string    `bun:"org_id"`
	PlanID    string    `bun:"plan_id"`
	ItemID    string    `bun:"item_id"`
	DoneAt    time.Time `bun:"done_at"`
	DoneBy    string    `bun:"done_by"`
	Source    string    `bun:"source"`
	Note      string    `bun:"note"`
	CreatedAt time.Time `bun:"created_at"`
}

// Recognition is a thanks or a certificate on a curator's profile.
type Recognition struct {
	bun.BaseModel `bun:"table:onboarding_recognitions"`

	ID        string    `bun:"id,pk" json:"id"`
	OrgID     string    `bun:"org_id" json:"-"`
	UserID    string    `bun:"user_id" json:"user_id"`
	Kind      string    `bun:"kind" json:"kind"`
	Title     string    `bun:"title" json:"title"`
	Text      string    `bun:"text" json:"text"`
	AwardedBy string    `bun:"awarded_by" json:"awarded_by"`
	AwardedAt time.Time `bun:"awarded_at" json:"awarded_at"`
}
