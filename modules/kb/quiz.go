package kb

import (
	"fmt"
	"sort"

	"github.com/curatorops/curatorops/modules/platform/errs"
)

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
