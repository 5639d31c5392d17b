package server

import (
	"context"
	"time"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/cases"
	"github.com/curatorops/curatorops/modules/quality"
	"github.com/curatorops/curatorops/modules/refunds"
	"github.com/curatorops/curatorops/modules/scorecard"
	"github.com/curatorops/curatorops/modules/surveys"
)

// The newer modules read each other through these adapters. Each only
// translates one module's answer into the other's port type; the rules
// stay in the modules.

// linkNewModules sets the ports between the modules built after homework,
// once all of them exist.
func linkNewModules(svc *Services) {
	svc.Surveys.ObserveAnswers(surveysToCases{svc.Cases})
	svc.Scorecard.UseCases(scorecardCases{svc.Cases})
	svc.Scorecard.UseConversationQuality(scorecardQuality{svc.Quality})
	svc.Refunds.UseSurveys(refundsSurveys{svc.Surveys})
	svc.Quality.UseNewcomers(svc.Onboarding)
	svc.Quality.UseLowCSI(qualityLowCSI{svc.Surveys})
	svc.Quality.UseRefundRequests(qualityRefunds{svc.Refunds})
}

// surveysToCases turns a stored answer into a success moment; cases
// decides which scores deserve a request (CSI 5, NPS 9–10).
type surveysToCases struct{ cases *cases.Service }

func (a surveysToCases) SurveyAnswered(ctx context.Context, tx bun.IDB, f surveys.AnswerFact) error {
	kind := "csi_top"
	if f.Scale == "nps" {
		kind = "nps_promoter"
	}
	value := f.Value
	return a.cases.SuccessMoment(ctx, tx, cases.Moment{
		OrgID: f.OrgID, StudentID: f.StudentID, EnrollmentID: f.EnrollmentID, CohortID: f.CohortID,
		CuratorID: f.CuratorID, Kind: kind, SourceID: f.AnswerID, Scale: f.Scale, Value: &value, At: f.AnsweredAt,
	})
}

type scorecardCases struct{ cases *cases.Service }

func (a scorecardCases) CollectedCases(ctx context.Context, orgID string, from, to time.Time) ([]scorecard.CollectedCase, error) {
	rows, err := a.cases.CollectedCases(ctx, orgID, from, to)
	if err != nil {
		return nil, err
	}
	out := make([]scorecard.CollectedCase, len(rows))
	for i, c := range rows {
		out[i] = scorecard.CollectedCase{ID: c.ID, StudentID: c.StudentID, CohortID: c.CohortID, CourseID: c.CourseID,
			CuratorID: c.CuratorID, Video: c.Video, SubmittedAt: c.SubmittedAt}
	}
	return out, nil
}

// scorecardQuality hands over a curator's conversation score as points of
// a maximum: each reviewed conversation scores 0–100, so the maximum is
// 100 per review and the ratio is the mean score.
type scorecardQuality struct{ quality *quality.Service }

func (a scorecardQuality) CuratorScores(ctx context.Context, orgID string, from, to time.Time) ([]scorecard.CuratorQuality, error) {
	rows, err := a.quality.CuratorScores(ctx, orgID, from, to)
	if err != nil {
		return nil, err
	}
	out := make([]scorecard.CuratorQuality, len(rows))
	for i, q := range rows {
		out[i] = scorecard.CuratorQuality{CuratorID: q.CuratorID, Reviews: q.Reviews, Score: q.Score,
			Points: q.PercentSum, MaxPoints: 100 * float64(q.Reviews)}
	}
	return out, nil
}

// refundsSurveys gives the evidence pack the student's answers without
// their comments' text, which stays in surveys where erasure reaches it.
type refundsSurveys struct{ surveys *surveys.Service }

func (a refundsSurveys) StudentAnswers(ctx context.Context, db bun.IDB, orgID, studentID string) ([]refunds.SurveyAnswerFact, error) {
	rows, err := a.surveys.StudentAnswers(ctx, db, orgID, studentID)
	if err != nil {
		return nil, err
	}
	out := make([]refunds.SurveyAnswerFact, len(rows))
	for i, r := range rows {
		cohort := r.CohortID
		out[i] = refunds.SurveyAnswerFact{SurveyID: r.SurveyID, SurveyTitle: r.SurveyTitle, Moment: r.Moment,
			QuestionID: r.QuestionKey, QuestionText: r.QuestionText, Scale: r.Scale, Value: r.Value,
			HasComment: r.Comment != nil && *r.Comment != "", CohortID: &cohort, ModuleID: r.ModuleID,
			CuratorID: r.CuratorID, AnsweredAt: r.AnsweredAt}
	}
	return out, nil
}

type qualityLowCSI struct{ surveys *surveys.Service }

func (a qualityLowCSI) LowCSIStudents(ctx context.Context, orgID string, from, to time.Time) ([]string, error) {
	rows, err := a.surveys.LowScoreAnswers(ctx, orgID, from, to)
	if err != nil {
		return nil, err
	}
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = r.StudentID
	}
	return out, nil
}

type qualityRefunds struct{ refunds *refunds.Service }

func (a qualityRefunds) RefundStudents(ctx context.Context, orgID string, from, to time.Time) ([]string, error) {
	rows, err := a.refunds.RequestsRaised(ctx, orgID, from, to)
	if err != nil {
		return nil, err
	}
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = r.StudentID
	}
	return out, nil
}
