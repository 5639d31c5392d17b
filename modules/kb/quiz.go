package kb

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/auditlog"
	"github.com/curatorops/curatorops/modules/platform/errs"
	"github.com/curatorops/curatorops/modules/platform/ids"
)

// QuizOption adjusts a quiz being set.
type QuizOption func(*Quiz)

// MaxAttemptsPerDay limits each person to n attempts per required revision
// within 24 hours (DefaultAttemptsPerDay without this option).
func MaxAttemptsPerDay(n int) QuizOption {
	return func(q *Quiz) { q.MaxAttemptsPerDay = n }
}

// SetQuiz gives an article a quiz, or replaces it. Attempts already made
// stay as they were graded.
func (s *Service) SetQuiz(ctx context.Context, v Viewer, orgID, id string, version int64, passMark int, questions []Question, opts ...QuizOption) (*Article, error) {
	quiz, err := newQuiz(passMark, questions)
	if err != nil {
		return nil, err
	}
	for _, opt := range opts {
		opt(quiz)
	}
	if n := quiz.MaxAttemptsPerDay; n < 0 || n > maxAttemptsPerDayLimit {
		return nil, errs.Invalid("body.max_attempts_per_day", fmt.Sprintf("must be between 1 and %d", maxAttemptsPerDayLimit))
	}
	return s.changeQuiz(ctx, orgID, id, version, quiz)
}

// maxAttemptsPerDayLimit is the most attempts a day a quiz may allow.
const maxAttemptsPerDayLimit = 20

// DeleteQuiz removes an article's quiz: acknowledging no longer needs one.
func (s *Service) DeleteQuiz(ctx context.Context, v Viewer, orgID, id string, version int64) (*Article, error) {
	return s.changeQuiz(ctx, orgID, id, version, nil)
}

func (s *Service) changeQuiz(ctx context.Context, orgID, id string, version int64, quiz *Quiz) (*Article, error) {
	var out *Article
	err := s.InTx(ctx, func(ctx context.Context, tx bun.Tx) (err error) {
		out, err = s.changeArticle(ctx, tx, orgID, id, version, func(a *Article) error {
			if quiz == nil && a.Quiz == nil {
				return errs.NotFound("quiz")
			}
			return nil
		}, func(a *Article) error {
			a.Quiz = quiz
			return nil
		})
		return err
	})
	return out, err
}

// Quiz returns an article's quiz with the article; the caller decides
// whether the correct options may be shown.
func (s *Service) Quiz(ctx context.Context, v Viewer, orgID, id string) (*Article, error) {
	a, err := s.readable(ctx, s.DB, v, orgID, id)
	if err != nil {
		return nil, err
	}
	if a.Quiz == nil {
		return nil, errs.NotFound("quiz")
	}
	return a, nil
}

// SubmitAttempt grades the viewer's answers to an article's quiz and keeps
// the attempt, passed or not, for the revision currently required. Each
// person has the quiz's attempts per 24 hours on a revision; one more is a
// *errs.RateLimitedError saying when the oldest of them stops counting.
func (s *Service) SubmitAttempt(ctx context.Context, v Viewer, orgID, articleID string, answers []Answer) (*QuizAttempt, error) {
	var out *QuizAttempt
	err := s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		// The article stays locked until the attempt is written, so that
		// two attempts sent at once cannot both pass the limit.
		if _, err := s.store.LockArticle(ctx, tx, orgID, articleID); err != nil {
			return err
		}
		a, err := s.readable(ctx, tx, v, orgID, articleID)
		if err != nil {
			return err
		}
		if a.Quiz == nil {
			return errs.NotFound("quiz")
		}
		if a.Status != StatusPublished {
			return errs.Conflict("the quiz opens when the article is published")
		}
		if err := s.checkAttemptLimit(ctx, tx, a, v.UserID); err != nil {
			return err
		}
		correct, err := grade(a.Quiz, answers)
		if err != nil {
			return err
		}
		total := len(a.Quiz.Questions)
		at := &QuizAttempt{ID: ids.New(), OrgID: orgID, ArticleID: a.ID, RevisionID: a.AckRevisionID, UserID: v.UserID,
			Answers: answers, Correct: correct, Total: total, ScorePercent: scorePercent(correct, total),
			PassMark: a.Quiz.PassMarkPercent, CreatedAt: s.Now()}
		at.Passed = at.ScorePercent >= at.PassMark
		if at.Answers == nil {
			at.Answers = []Answer{}
		}
		if err := s.store.InsertAttempt(ctx, tx, at); err != nil {
			return err
		}
		out = at
		return s.Record(ctx, tx, orgID, "kb_quiz_attempt", at.ID, map[string]auditlog.Change{
			"article_id": {After: at.ArticleID}, "revision_id": {After: at.RevisionID},
			"score_percent": {After: at.ScorePercent}, "passed": {After: at.Passed}})
	})
	return out, err
}

// checkAttemptLimit refuses an attempt beyond the quiz's attempts per 24
// hours on the required revision.
func (s *Service) checkAttemptLimit(ctx context.Context, db bun.IDB, a *Article, userID string) error {
	now := s.Now()
	times, err := s.store.AttemptTimesSince(ctx, db, a.OrgID, a.AckRevisionID, userID, now.Add(-AttemptWindow))
	if err != nil {
		return err
	}
	limit := a.Quiz.AttemptsPerDay()
	if len(times) < limit {
		return nil
	}
	// The attempt that frees a place is the one limit-th from the newest.
	freed := times[len(times)-limit]
	return &errs.RateLimitedError{RetryAfter: max(freed.Add(AttemptWindow).Sub(now), time.Second)}
}

// MyAttempts lists the viewer's attempts at an article's quiz.
func (s *Service) MyAttempts(ctx context.Context, v Viewer, orgID, articleID string) ([]QuizAttempt, error) {
	if _, err := s.readable(ctx, s.DB, v, orgID, articleID); err != nil {
		return nil, err
	}
	return s.store.Attempts(ctx, s.DB, orgID, articleID, v.UserID)
}

// newQuiz numbers the questions (q1, q2 …) and their options (o1, o2 …)
// and checks what the HTTP shape cannot: a single-choice question has
// exactly one correct option, a multiple-choice one at least one.
func newQuiz(passMark int, questions []Question) (*Quiz, error) {
	var fields []errs.FieldError
	q := &Quiz{PassMarkPercent: passMark, Questions: make([]Question, len(questions))}
	for i, in := range questions {
		out := Question{ID: fmt.Sprintf("q%d", i+1), Text: in.Text, Kind: in.Kind, Options: make([]Option, len(in.Options))}
		correct := 0
		for j, o := range in.Options {
			out.Options[j] = Option{ID: fmt.Sprintf("o%d", j+1), Text: o.Text, Correct: o.Correct}
			if o.Correct {
				correct++
			}
		}
		loc := fmt.Sprintf("body.questions[%d].options", i)
		switch {
		case in.Kind == QuestionSingle && correct != 1:
			fields = append(fields, errs.FieldError{Location: loc, Message: "a single-choice question has exactly one correct option"})
		case in.Kind == QuestionMultiple && correct == 0:
			fields = append(fields, errs.FieldError{Location: loc, Message: "mark at least one option correct"})
		}
		q.Questions[i] = out
	}
	if len(fields) > 0 {
		return nil, &errs.ValidationError{Fields: fields}
	}
	return q, nil
}

// grade scores answers against the quiz: a question counts as right when
// exactly its correct options were chosen. Unanswered questions are wrong;
// answers naming unknown questions or options are refused.
func grade(q *Quiz, answers []Answer) (correct int, err error) {
	byID := make(map[string]*Question, len(q.Questions))
	for i := range q.Questions {
		byID[q.Questions[i].ID] = &q.Questions[i]
	}
	seen := map[string]bool{}
	var fields []errs.FieldError
	chosen := map[string][]string{}
	for i, a := range answers {
		question, ok := byID[a.QuestionID]
		loc := fmt.Sprintf("body.answers[%d]", i)
		switch {
		case !ok:
			fields = append(fields, errs.FieldError{Location: loc + ".question_id", Message: "no such question in this quiz"})
			continue
		case seen[a.QuestionID]:
			fields = append(fields, errs.FieldError{Location: loc + ".question_id", Message: "answered twice"})
			continue
		case question.Kind == QuestionSingle && len(a.OptionIDs) > 1:
			fields = append(fields, errs.FieldError{Location: loc + ".option_ids", Message: "choose one option for a single-choice question"})
			continue
		}
		seen[a.QuestionID] = true
		for j, id := range a.OptionIDs {
			if !question.hasOption(id) {
				fields = append(fields, errs.FieldError{Location: fmt.Sprintf("%s.option_ids[%d]", loc, j), Message: "no such option in this question"})
			}
		}
		chosen[a.QuestionID] = a.OptionIDs
	}
	if len(fields) > 0 {
		return 0, &errs.ValidationError{Fields: fields}
	}
	for _, question := range q.Questions {
		if sameSet(chosen[question.ID], question.correctIDs()) {
			correct++
		}
	}
	return correct, nil
}

func (q *Question) hasOption(id string) bool {
	for _, o := range q.Options {
		if o.ID == id {
			return true
		}
	}
	return false
}

func (q *Question) correctIDs() []string {
	var ids []string
	for _, o := range q.Options {
		if o.Correct {
			ids = append(ids, o.ID)
		}
	}
	return ids
}

func sameSet(a, b []string) bool {
	a, b = uniqueSorted(a), uniqueSorted(b)
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func uniqueSorted(s []string) []string {
	out := append([]string(nil), s...)
	sort.Strings(out)
	n := 0
	for i, v := range out {
		if i == 0 || v != out[n-1] {
			out[n] = v
			n++
		}
	}
	return out[:n]
}

// scorePercent rounds down, so that a pass mark is never reached by
// rounding up.
func scorePercent(correct, total int) int {
	if total == 0 {
		return 0
	}
	return correct * 100 / total
}
