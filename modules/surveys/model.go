// Package surveys keeps what students say about the school: survey
// definitions (CSI 1–5, NPS 0–10, free text) attached to a moment of the
// course, and the answers the LMS sends or staff enter, each tied to the
// student's cohort, module and the curator the student had at that moment.
package surveys

import (
	"time"

	"github.com/uptrace/bun"
)

// Scales of a question.
const (
	ScaleCSI  = "csi"  // 1–5; 4 and 5 are "satisfied"
	ScaleNPS  = "nps"  // 0–10; 9–10 promoters, 0–6 detractors
	ScaleText = "text" // free text, no value
)

// Moments a survey is attached to; an answer's moment key says which one
// of them it answers (the module, the cohort, the conversation).
const (
	MomentModuleEnd         = "module_end"
	MomentCourseEnd         = "course_end"
	MomentAfterConversation = "after_conversation"
	MomentAdHoc             = "ad_hoc"
)

// Survey statuses: an archived survey takes no new answers.
const (
	StatusActive   = "active"
	StatusArchived = "archived"
)

// Where an answer came from.
const (
	SourceLMS = "lms"
	SourceAPI = "api"
)

// Question is one question of a survey. Its key names it in answers and
// never changes once answered.
type Question struct {
	Key   string `json:"key" validate:"required,max=64,singleline"`
	Scale string `json:"scale" validate:"required,oneof=csi nps text"`
	Text  string `json:"text" validate:"required,max=500,singleline"`
}

// Survey is a questionnaire of a school.
type Survey struct {
	bun.BaseModel `bun:"table:surveys"`

	ID        string     `bun:"id,pk"`
	OrgID     string     `bun:"org_id"`
	Title     string     `bun:"title"`
	Moment    string     `bun:"moment"`
	CourseID  *string    `bun:"course_id"`
	Questions []Question `bun:"questions,type:jsonb"`
	Status    string     `bun:"status"`
	CreatedAt time.Time  `bun:"created_at"`
	UpdatedAt time.Time  `bun:"updated_at"`
	Version   int64      `bun:"version"`
}

// RowVersion is the version an update of the survey must name.
func (s *Survey) RowVersion() int64 { return s.Version }

// Bump gives the survey its next version, changed at at.
func (s *Survey) Bump(at time.Time) { s.Version++; s.UpdatedAt = at }

// Question returns the survey's question with the key, or nil.
func (s *Survey) Question(key string) *Question {
	for i := range s.Questions {
		if s.Questions[i].Key == key {
			return &s.Questions[i]
		}
	}
	return nil
}

// Answer is one question answered by one student at one moment. Never
// changed: the student's erasure blanks the comment, nothing else.
type Answer struct {
	bun.BaseModel `bun:"table:survey_answers"`

	ID           string    `bun:"id,pk"`
	OrgID        string    `bun:"org_id"`
	SurveyID     string    `bun:"survey_id"`
	QuestionKey  string    `bun:"question_key"`
	Scale        string    `bun:"scale"`
	Value        *int      `bun:"value"`
	Comment      *string   `bun:"comment"`
	StudentID    string    `bun:"student_id"`
	EnrollmentID string    `bun:"enrollment_id"`
	CohortID     string    `bun:"cohort_id"`
	CourseID     string    `bun:"course_id"`
	ModuleID     *string   `bun:"module_id"`
	CuratorID    *string   `bun:"curator_id"`
	MomentKey    string    `bun:"moment_key"`
	Source       string    `bun:"source"`
	EventID      *string   `bun:"event_id"`
	AnsweredAt   time.Time `bun:"answered_at"`
	CreatedAt    time.Time `bun:"created_at"`
	CreatedBy    *string   `bun:"created_by"`

	// Tags and TagsVersion come from survey_answer_tags when listed.
	Tags        []string `bun:"tags,scanonly,type:jsonb"`
	TagsVersion *int64   `bun:"tags_version,scanonly"`
}

// TagsETagVersion is the version an answer's tags are edited at: 1 until
// the first tagging.
func (a *Answer) TagsETagVersion() int64 {
	if a.TagsVersion == nil {
		return untaggedVersion
	}
	return *a.TagsVersion
}

// Satisfied reports whether a CSI answer counts as satisfied (4 or 5).
func Satisfied(value int) bool { return value >= 4 }

// Promoter and Detractor classify an NPS answer.
func Promoter(value int) bool  { return value >= 9 }
func Detractor(value int) bool { return value <= 6 }

// ValueRange is the values a scale accepts; ok is false for text.
func ValueRange(scale string) (lo, hi int, ok bool) {
	switch scale {
	case ScaleCSI:
		return 1, 5, true
	case ScaleNPS:
		return 0, 10, true
	}
	return 0, 0, false
}

// AnswerTags is the tags put on an answer, versioned because the head and
// senior curators edit them.
type AnswerTags struct {
	bun.BaseModel `bun:"table:survey_answer_tags"`

	AnswerID  string    `bun:"answer_id,pk"`
	OrgID     string    `bun:"org_id"`
	Tags      []string  `bun:"tags,type:jsonb"`
	UpdatedAt time.Time `bun:"updated_at"`
	UpdatedBy *string   `bun:"updated_by"`
	Version   int64     `bun:"version"`
}

// RowVersion is the version an update of the tags must name.
func (t *AnswerTags) RowVersion() int64 { return t.Version }

// Bump gives the tags their next version, changed at at.
func (t *AnswerTags) Bump(at time.Time) { t.Version++; t.UpdatedAt = at }
