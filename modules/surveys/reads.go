package surveys

import (
	"context"
	"time"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/errs"
	"github.com/curatorops/curatorops/modules/platform/reqctx"
)

// answerScope returns the curator whose students' answers alone the caller
// may read, or "" for all. The policy decides: survey_answers:read_all sees
// the school, read_own the answers that count for the caller as curator;
// the application itself (no school access in the context) sees all.
func answerScope(ctx context.Context) (string, error) {
	m := reqctx.From(ctx)
	if m.Org == nil || m.Org.Allowed("survey_answers", "read_all") {
		return "", nil
	}
	if id := m.Principal.ActorID(); id != "" && m.Org.Allowed("survey_answers", "read_own") {
		return id, nil
	}
	return "", errs.Forbidden("survey answers are shown to the head, senior curators and the student's curator")
}

// ListAnswers lists answers; a caller who may read only her own gets the
// answers that count for her, whatever curator filter she sent.
func (s *Service) ListAnswers(ctx context.Context, orgID string, f AnswerFilter) ([]Answer, error) {
	only, err := answerScope(ctx)
	if err != nil {
		return nil, err
	}
	if only != "" {
		if f.CuratorID != "" && f.CuratorID != only {
			return []Answer{}, nil
		}
		f.CuratorID = only
	}
	if f.From != nil && f.To != nil && !f.To.After(*f.From) {
		return nil, errs.Invalid("query.to", "must be after from")
	}
	return s.store.ListAnswers(ctx, s.DB, orgID, f)
}

// Answer returns one answer the caller may read; another curator's answer
// is not found, as if it did not exist.
func (s *Service) Answer(ctx context.Context, orgID, id string) (*Answer, error) {
	only, err := answerScope(ctx)
	if err != nil {
		return nil, err
	}
	a, err := s.store.Answer(ctx, s.DB, orgID, id)
	if err != nil {
		return nil, err
	}
	if only != "" && (a.CuratorID == nil || *a.CuratorID != only) {
		return nil, errs.NotFound("survey answer")
	}
	return a, nil
}

// SurveyTitles names surveys by id.
func (s *Service) SurveyTitles(ctx context.Context, orgID string, ids []string) (map[string]*Survey, error) {
	rows, err := s.store.SurveysByID(ctx, s.DB, orgID, ids)
	if err != nil {
		return nil, err
	}
	out := make(map[string]*Survey, len(rows))
	for i := range rows {
		out[rows[i].ID] = &rows[i]
	}
	return out, nil
}

// StudentAnswer is one answer of a student with its survey and question,
// for the student's record (a refund's evidence, a privacy export).
type StudentAnswer struct {
	AnswerID     string
	SurveyID     string
	SurveyTitle  string
	Moment       string
	QuestionKey  string
	QuestionText string
	Scale        string
	Value        *int
	Comment      *string
	Tags         []string
	EnrollmentID string
	CohortID     string
	ModuleID     *string
	CuratorID    *string
	AnsweredAt   time.Time
}

// StudentAnswers lists every answer of a student, oldest first, read in db
// (the caller's transaction, or the service's database).
func (s *Service) StudentAnswers(ctx context.Context, db bun.IDB, orgID, studentID string) ([]StudentAnswer, error) {
	if db == nil {
		db = s.DB
	}
	rows, err := s.store.StudentAnswers(ctx, db, orgID, studentID)
	if err != nil {
		return nil, err
	}
	surveyIDs := make([]string, 0, len(rows))
	for _, a := range rows {
		surveyIDs = append(surveyIDs, a.SurveyID)
	}
	svs, err := s.store.SurveysByID(ctx, db, orgID, surveyIDs)
	if err != nil {
		return nil, err
	}
	byID := map[string]*Survey{}
	for i := range svs {
		byID[svs[i].ID] = &svs[i]
	}
	out := make([]StudentAnswer, 0, len(rows))
	for _, a := range rows {
		sa := StudentAnswer{AnswerID: a.ID, SurveyID: a.SurveyID, QuestionKey: a.QuestionKey, Scale: a.Scale, Value: a.Value,
			Comment: a.Comment, Tags: a.Tags, EnrollmentID: a.EnrollmentID, CohortID: a.CohortID, ModuleID: a.ModuleID,
			CuratorID: a.CuratorID, AnsweredAt: a.AnsweredAt}
		if sv := byID[a.SurveyID]; sv != nil {
			sa.SurveyTitle, sa.Moment = sv.Title, sv.Moment
			if q := sv.Question(a.QuestionKey); q != nil {
				sa.QuestionText = q.Text
			}
		}
		out = append(out, sa)
	}
	return out, nil
}

// LowScoreAnswer is a CSI answer of 1–3: a student not satisfied.
type LowScoreAnswer struct {
	AnswerID   string
	StudentID  string
	CohortID   string
	CuratorID  *string
	Value      int
	AnsweredAt time.Time
}

// LowScoreAnswers lists the CSI answers of 1–3 answered in [from, to),
// oldest first (conversation quality samples their curators' work).
func (s *Service) LowScoreAnswers(ctx context.Context, orgID string, from, to time.Time) ([]LowScoreAnswer, error) {
	rows, err := s.store.LowScores(ctx, s.DB, orgID, from, to)
	if err != nil {
		return nil, err
	}
	out := make([]LowScoreAnswer, 0, len(rows))
	for _, a := range rows {
		out = append(out, LowScoreAnswer{AnswerID: a.ID, StudentID: a.StudentID, CohortID: a.CohortID, CuratorID: a.CuratorID,
			Value: *a.Value, AnsweredAt: a.AnsweredAt})
	}
	return out, nil
}

// Scores passes every CSI and NPS answer answered in [from, to) to fn, with
// its cohort, course and the curator of its moment: what the scorecard
// counts. No visibility rule applies; the scorecard applies its own.
func (s *Service) Scores(ctx context.Context, orgID string, from, to time.Time, fn func(Score)) error {
	return s.store.Scores(ctx, s.DB, orgID, from, to, fn)
}

// AnswerNames are the names people read beside the ids of answers.
type AnswerNames struct {
	Surveys  map[string]*Survey
	Students map[string]string
	Cohorts  map[string]string
	Curators map[string]string
}

// Names looks up the names of the surveys, students, cohorts and curators
// of answers, a page at a time.
func (s *Service) Names(ctx context.Context, orgID string, answers []Answer) (*AnswerNames, error) {
	var surveyIDs, studentIDs, curatorIDs []string
	for _, a := range answers {
		surveyIDs = append(surveyIDs, a.SurveyID)
		studentIDs = append(studentIDs, a.StudentID)
		if a.CuratorID != nil {
			curatorIDs = append(curatorIDs, *a.CuratorID)
		}
	}
	out := &AnswerNames{}
	var err error
	if out.Surveys, err = s.SurveyTitles(ctx, orgID, uniq(surveyIDs)); err != nil {
		return nil, err
	}
	if out.Students, err = s.school.StudentNames(ctx, orgID, uniq(studentIDs)); err != nil {
		return nil, err
	}
	if out.Cohorts, err = s.school.CohortNames(ctx, orgID); err != nil {
		return nil, err
	}
	if out.Curators, err = s.people.Names(ctx, orgID, uniq(curatorIDs)); err != nil {
		return nil, err
	}
	return out, nil
}

func uniq(in []string) []string {
	seen := map[string]bool{}
	out := in[:0:0]
	for _, v := range in {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}
