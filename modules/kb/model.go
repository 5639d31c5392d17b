// Package kb is the school's knowledge base of regulations: versioned
// articles whose published revisions never change, required reading with
// append-only acknowledgments and an optional quiz gate, Russian full-text
// search on both databases, and answer templates for curators.
package kb

import (
	"database/sql/driver"
	"fmt"
	"strings"
	"time"

	"github.com/uptrace/bun"
)

// Article statuses.
const (
	StatusDraft     = "draft"
	StatusPublished = "published"
	StatusArchived  = "archived"
)

// Revision statuses: a draft can change, a published revision never does.
const (
	RevisionDraft     = "draft"
	RevisionPublished = "published"
)

// Kinds of change a publication makes. A major change asks everyone who
// must read the article to acknowledge it again; a minor one does not.
const (
	ChangeMajor = "major"
	ChangeMinor = "minor"
)

// What a due period counts from.
const (
	DueFromPublication = "publication"
	DueFromJoining     = "joining"
)

// Reading statuses of one person and one required article.
const (
	ReadingPending = "pending"
	ReadingOverdue = "overdue"
	ReadingDone    = "done"
)

// EventReadingOverdue is published once per person and required revision
// when the due date has passed without an acknowledgment.
const EventReadingOverdue = "kb.reading_overdue"

// Category groups articles and templates. The built-in ones exist in every
// school; a school adds its own as rows.
type Category struct {
	bun.BaseModel `bun:"table:kb_categories"`

	ID        string    `bun:"id,pk"`
	OrgID     string    `bun:"org_id"`
	Key       string    `bun:"key"`
	Name      string    `bun:"name"`
	CreatedBy string    `bun:"created_by"`
	CreatedAt time.Time `bun:"created_at"`
	BuiltIn   bool      `bun:"-"`
}

// BuiltInCategories are the categories every school has.
var BuiltInCategories = []Category{
	{Key: "duties", Name: "Обязанности куратора", BuiltIn: true},
	{Key: "homework_checking", Name: "Проверка домашних заданий", BuiltIn: true},
	{Key: "chat_communication", Name: "Общение в чатах", BuiltIn: true},
	{Key: "case_collection", Name: "Сбор кейсов и отзывов", BuiltIn: true},
	{Key: "refunds", Name: "Возвраты", BuiltIn: true},
	{Key: "onboarding", Name: "Адаптация новых сотрудников", BuiltIn: true},
}

func builtInCategory(key string) bool {
	for _, c := range BuiltInCategories {
		if c.Key == key {
			return true
		}
	}
	return false
}

// List is a set of short identifiers (roles, cohort ids) stored as one
// comma-separated text column, portable across both databases.
type List []string

// Value stores the list as "a,b,c"; an empty list is the empty string.
func (l List) Value() (driver.Value, error) { return strings.Join(l, ","), nil }

// Scan reads a list stored by Value.
func (l *List) Scan(src any) error {
	var s string
	switch v := src.(type) {
	case nil:
	case string:
		s = v
	case []byte:
		s = string(v)
	default:
		return fmt.Errorf("kb: cannot scan %T into a list", src)
	}
	*l = List{}
	if s != "" {
		*l = strings.Split(s, ",")
	}
	return nil
}

func (l List) has(v string) bool {
	for _, x := range l {
		if x == v {
			return true
		}
	}
	return false
}

// Article is a regulation. Its content lives in revisions; the article
// points at the current published one, the one acknowledgments are due for
// (the latest major), and the draft being edited, if any.
type Article struct {
	bun.BaseModel `bun:"table:kb_articles"`

	ID       string `bun:"id,pk"`
	OrgID    string `bun:"org_id"`
	Category string `bun:"category"`
	Status   string `bun:"status"`
	// Title is what readers see: the published title, or the draft's
	// while the article has never been published.
	Title string `bun:"title"`
	// AudienceRoles may read the article; empty means every staff role.
	AudienceRoles List `bun:"audience_roles"`
	// RequiredRoles must acknowledge it (and may read it).
	RequiredRoles List `bun:"required_roles"`
	// CohortIDs and CourseIDs are columns of an earlier audience by cohort
	// and course, which was never applied and is no longer taken or shown:
	// values stored before stay in the table and are ignored.
	CohortIDs         List       `bun:"cohort_ids"`
	CourseIDs         List       `bun:"course_ids"`
	DueDays           int        `bun:"due_days"`
	DueFrom           string     `bun:"due_from"`
	Quiz              *Quiz      `bun:"quiz,type:jsonb"`
	CurrentRevisionID string     `bun:"current_revision_id,nullzero"`
	AckRevisionID     string     `bun:"ack_revision_id,nullzero"`
	DraftRevisionID   string     `bun:"draft_revision_id,nullzero"`
	CreatedBy         string     `bun:"created_by"`
	CreatedAt         time.Time  `bun:"created_at"`
	UpdatedAt         time.Time  `bun:"updated_at"`
	PublishedAt       *time.Time `bun:"published_at"`
	ArchivedAt        *time.Time `bun:"archived_at"`
	Version           int64      `bun:"version"`
}

// RowVersion is the version an edit of the article names in If-Match.
func (a *Article) RowVersion() int64 { return a.Version }

// Bump gives the article its next version, changed at at.
func (a *Article) Bump(at time.Time) { a.Version, a.UpdatedAt = a.Version+1, at }

// meantFor reports whether one of roles may read the article.
func (a *Article) meantFor(roles []string) bool {
	if len(a.AudienceRoles) == 0 {
		return true
	}
	for _, r := range roles {
		if a.AudienceRoles.has(r) || a.RequiredRoles.has(r) {
			return true
		}
	}
	return false
}

// requiredFor reports whether one of roles must acknowledge the article.
func (a *Article) requiredFor(roles []string) bool {
	for _, r := range roles {
		if a.RequiredRoles.has(r) {
			return true
		}
	}
	return false
}

// auditFields is what the audit log shows of an article.
func (a *Article) auditFields() map[string]any {
	return map[string]any{
		"category": a.Category, "status": a.Status, "title": a.Title,
		"audience_roles": []string(a.AudienceRoles), "required_roles": []string(a.RequiredRoles),
		"due_days": a.DueDays, "due_from": a.DueFrom, "has_quiz": a.Quiz != nil,
		"current_revision_id": a.CurrentRevisionID, "ack_revision_id": a.AckRevisionID, "draft_revision_id": a.DraftRevisionID,
	}
}

// Revision is one version of an article's title and body.
type Revision struct {
	bun.BaseModel `bun:"table:kb_revisions"`

	ID         string `bun:"id,pk"`
	OrgID      string `bun:"org_id"`
	ArticleID  string `bun:"article_id"`
	Number     int    `bun:"number"`
	Status     string `bun:"status"`
	ChangeKind string `bun:"change_kind,nullzero"`
	Title      string `bun:"title"`
	Body       string `bun:"body"`
	// ContentSHA256 is ContentHash(Title, Body): what an acknowledgment of
	// this revision certifies was read.
	ContentSHA256 string `bun:"content_sha256"`
	// AckRevisionID is the major revision an acknowledgment of this one
	// counts for: itself when major, the latest major before it when minor.
	AckRevisionID string     `bun:"ack_revision_id,nullzero"`
	CreatedBy     string     `bun:"created_by"`
	CreatedAt     time.Time  `bun:"created_at"`
	UpdatedAt     time.Time  `bun:"updated_at"`
	PublishedBy   string     `bun:"published_by,nullzero"`
	PublishedAt   *time.Time `bun:"published_at"`
}

// auditFields is what the audit log shows of a revision: the hash stands
// for the body, which may be long.
func (r *Revision) auditFields() map[string]any {
	return map[string]any{
		"number": r.Number, "status": r.Status, "change_kind": r.ChangeKind, "title": r.Title,
		"content_sha256": r.ContentSHA256, "ack_revision_id": r.AckRevisionID,
	}
}

// Acknowledgment records that a person read a major revision (or a minor
// one after it): when, from where, and the hash of exactly what they saw.
// Rows are only ever inserted.
type Acknowledgment struct {
	bun.BaseModel `bun:"table:kb_acknowledgments"`

	ID             string    `bun:"id,pk"`
	OrgID          string    `bun:"org_id"`
	ArticleID      string    `bun:"article_id"`
	RevisionID     string    `bun:"revision_id"`
	AckRevisionID  string    `bun:"ack_revision_id"`
	UserID         string    `bun:"user_id"`
	AcknowledgedAt time.Time `bun:"acknowledged_at"`
	IP             string    `bun:"ip"`
	UserAgent      string    `bun:"user_agent"`
	ContentSHA256  string    `bun:"content_sha256"`
	QuizAttemptID  string    `bun:"quiz_attempt_id,nullzero"`
}

// Quiz gates the acknowledgment of an article: a person passes it first.
type Quiz struct {
	PassMarkPercent int        `json:"pass_mark_percent"`
	Questions       []Question `json:"questions"`
	// MaxAttemptsPerDay is how many attempts one person may make on one
	// required revision within 24 hours; zero (quizzes set before the
	// limit existed) means DefaultAttemptsPerDay.
	MaxAttemptsPerDay int `json:"max_attempts_per_day,omitempty"`
}

// DefaultAttemptsPerDay is the attempts a person gets per 24 hours when the
// quiz does not say otherwise: enough to retry after reading again, too few
// to find the answers by trying every combination.
const DefaultAttemptsPerDay = 3

// AttemptWindow is the rolling period the attempt limit counts over.
const AttemptWindow = 24 * time.Hour

// AttemptsPerDay is the quiz's limit, with the default filled in.
func (q *Quiz) AttemptsPerDay() int {
	if q.MaxAttemptsPerDay <= 0 {
		return DefaultAttemptsPerDay
	}
	return q.MaxAttemptsPerDay
}

// Question kinds.
const (
	QuestionSingle   = "single"
	QuestionMultiple = "multiple"
)

// Question is one quiz question with its options.
type Question struct {
	ID      string   `json:"id"`
	Text    string   `json:"text"`
	Kind    string   `json:"kind"`
	Options []Option `json:"options"`
}

// Option is one answer to choose; Correct is never shown to the people
// taking the quiz.
type Option struct {
	ID      string `json:"id"`
	Text    string `json:"text"`
	Correct bool   `json:"correct"`
}

// Answer is the options a person chose for one question.
type Answer struct {
	QuestionID string   `json:"question_id"`
	OptionIDs  []string `json:"option_ids"`
}

// QuizAttempt is one try at an article's quiz for one required revision.
// Rows are only ever inserted.
type QuizAttempt struct {
	bun.BaseModel `bun:"table:kb_quiz_attempts"`

	ID           string    `bun:"id,pk"`
	OrgID        string    `bun:"org_id"`
	ArticleID    string    `bun:"article_id"`
	RevisionID   string    `bun:"revision_id"`
	UserID       string    `bun:"user_id"`
	Answers      []Answer  `bun:"answers,type:jsonb"`
	Correct      int       `bun:"correct"`
	Total        int       `bun:"total"`
	ScorePercent int       `bun:"score_percent"`
	PassMark     int       `bun:"pass_mark"`
	Passed       bool      `bun:"passed"`
	CreatedAt    time.Time `bun:"created_at"`
}

// Reminder is one overdue-reading event that was emitted; it keeps the
// event for replay and stops it from being emitted twice.
type Reminder struct {
	bun.BaseModel `bun:"table:kb_reading_reminders"`

	ID         string    `bun:"id,pk"`
	OrgID      string    `bun:"org_id"`
	ArticleID  string    `bun:"article_id"`
	RevisionID string    `bun:"revision_id"`
	UserID     string    `bun:"user_id"`
	DueAt      time.Time `bun:"due_at"`
	RemindedAt time.Time `bun:"reminded_at"`
}

// Template is an answer template ("шаблон ответа") with {{variables}}.
type Template struct {
	bun.BaseModel `bun:"table:kb_templates"`

	ID         string     `bun:"id,pk"`
	OrgID      string     `bun:"org_id"`
	Category   string     `bun:"category"`
	Title      string     `bun:"title"`
	Body       string     `bun:"body"`
	UsageCount int64      `bun:"usage_count"`
	LastUsedAt *time.Time `bun:"last_used_at"`
	CreatedBy  string     `bun:"created_by"`
	CreatedAt  time.Time  `bun:"created_at"`
	UpdatedAt  time.Time  `bun:"updated_at"`
	Version    int64      `bun:"version"`
}

// RowVersion is the version an edit of the template names in If-Match.
func (t *Template) RowVersion() int64 { return t.Version }

// Bump gives the template its next version, changed at at.
func (t *Template) Bump(at time.Time) { t.Version, t.UpdatedAt = t.Version+1, at }

// auditFields is what the audit log shows of a template.
func (t *Template) auditFields() map[string]any {
	return map[string]any{"category": t.Category, "title": t.Title, "body": t.Body}
}
