package refunds

import (
	"context"
	"time"
)

// HomeworkFact is one submission of the student in the cohort.
type HomeworkFact struct {
	SubmissionID          string     `json:"submission_id"`
	ModuleID              string     `json:"module_id"`
	ModulePosition        int        `json:"module_position"`
	ModuleTitle           string     `json:"module_title"`
	Attempt               int        `json:"attempt"`
	Status                string     `json:"status"`
	SubmittedAt           time.Time  `json:"submitted_at"`
	ReviewedAt            *time.Time `json:"reviewed_at"`
	ReviewBusinessSeconds *int64     `json:"review_business_seconds"`
	Verdict               *string    `json:"verdict"`
	Score                 *int       `json:"score"`
}

// ResponseWait is one wait of the student for an answer in a conversation.
type ResponseWait struct {
	StartedAt       time.Time  `json:"started_at"`
	AnsweredAt      *time.Time `json:"answered_at"`
	Status          string     `json:"status"`
	BusinessSeconds *int64     `json:"business_seconds" doc:"How long the answer took in business time; null while unanswered."`
	TargetSeconds   int64      `json:"target_seconds"`
	Breached        bool       `json:"breached"`
}

// ConversationFact is one conversation of the student with the school.
type ConversationFact struct {
	ID            string         `json:"id"`
	Channel       string         `json:"channel" enum:"telegram,lms_comment,email,other"`
	StartedAt     time.Time      `json:"started_at"`
	LastMessageAt *time.Time     `json:"last_message_at"`
	Messages      int            `json:"messages"`
	Waits         []ResponseWait `json:"waits"`
}

// SurveyAnswerFact is one answer of the student to a survey.
type SurveyAnswerFact struct {
	SurveyID     string    `json:"survey_id"`
	SurveyTitle  string    `json:"survey_title"`
	Moment       string    `json:"moment"`
	QuestionID   string    `json:"question_id"`
	QuestionText string    `json:"question_text"`
	Scale        string    `json:"scale" doc:"csi, nps or text."`
	Value        *int      `json:"value"`
	HasComment   bool      `json:"has_comment" doc:"The student wrote a comment; its text stays in the surveys module, so that erasing the student reaches it."`
	CohortID     *string   `json:"cohort_id"`
	ModuleID     *string   `json:"module_id"`
	CuratorID    *string   `json:"curator_id"`
	AnsweredAt   time.Time `json:"answered_at"`
}

// PreviousRefund is a refund of the student's earlier money.
type PreviousRefund struct {
	OrderID    string    `json:"order_id"`
	Amount     int64     `json:"amount"`
	RefundedAt time.Time `json:"refunded_at"`
	Reason     string    `json:"reason"`
}

// EvidencePack is what was known of the student when a request was raised.
type EvidencePack struct {
	AssembledAt       time.Time          `json:"assembled_at"`
	ModulesReached    int                `json:"modules_reached" doc:"Distinct modules the student handed homework in for."`
	ModulesTotal      int                `json:"modules_total"`
	Homework          []HomeworkFact     `json:"homework"`
	Conversations     []ConversationFact `json:"conversations"`
	Surveys           []SurveyAnswerFact `json:"surveys"`
	PreviousRefunds   []PreviousRefund   `json:"previous_refunds"`
	RefundCalculation RefundCalculation  `json:"calculation" doc:"The refundable amount when the request was raised."`
	Notes             []string           `json:"notes" doc:"What the pack could not include, and why."`
}

// modulesReached counts the distinct modules among the submissions.
func modulesReached(work []HomeworkFact) int {
	seen := map[string]bool{}
	for _, w := range work {
		seen[w.ModuleID] = true
	}
	return len(seen)
}

// assemble gathers the evidence of a request on order o at now. What a
// port cannot give is noted rather than failing the request: a request for
// money back must not wait for a survey service.
func (s *Service) assemble(ctx context.Context, orgID string, o *Order, now time.Time) (EvidencePack, error) {
	p := EvidencePack{AssembledAt: now.UTC(), ModulesTotal: o.ModuleCount, Homework: []HomeworkFact{}, Conversations: []ConversationFact{},
		Surveys: []SurveyAnswerFact{}, PreviousRefunds: []PreviousRefund{}, Notes: []string{}}
	if o.CohortID != nil {
		work, err := s.homework.StudentHomework(ctx, orgID, o.StudentID, *o.CohortID)
		if err != nil {
			return p, err
		}
		p.Homework = append(p.Homework, work...)
		p.ModulesReached = modulesReached(work)
	} else {
		p.Notes = append(p.Notes, "the order is of no cohort: no homework is counted")
	}
	conv, err := s.conversations.StudentConversations(ctx, orgID, o.StudentID)
	if err != nil {
		return p, err
	}
	p.Conversations = append(p.Conversations, conv...)
	if s.surveys == nil {
		p.Notes = append(p.Notes, "survey answers are not available: the surveys module is not connected")
	} else {
		answers, err := s.surveys.StudentAnswers(ctx, s.DB, orgID, o.StudentID)
		if err != nil {
			return p, err
		}
		p.Surveys = append(p.Surveys, answers...)
	}
	refunds, err := s.school.StudentRefunds(ctx, orgID, o.StudentID)
	if err != nil {
		return p, err
	}
	for _, r := range refunds {
		p.PreviousRefunds = append(p.PreviousRefunds, PreviousRefund{OrderID: r.OrderID, Amount: r.Amount, RefundedAt: r.RefundedAt.UTC(), Reason: r.Reason})
	}
	t, err := s.termsFor(ctx, orgID, o)
	if err != nil {
		return p, err
	}
	p.RefundCalculation = Calculate(*o, t, now, p.ModulesReached)
	return p, nil
}
