package server

import (
	"context"
	"time"

	"github.com/curatorops/curatorops/modules/homework"
	"github.com/curatorops/curatorops/modules/identity"
	"github.com/curatorops/curatorops/modules/school"
	"github.com/curatorops/curatorops/modules/scorecard"
	"github.com/curatorops/curatorops/modules/sla"
	"github.com/curatorops/curatorops/modules/surveys"
)

// scorecardSurveys reads the survey answers for the scorecard.
type scorecardSurveys struct{ surveys *surveys.Service }

func (a scorecardSurveys) Scores(ctx context.Context, orgID string, from, to time.Time, fn func(scorecard.Score)) error {
	return a.surveys.Scores(ctx, orgID, from, to, func(s surveys.Score) {
		fn(scorecard.Score{CohortID: s.CohortID, CourseID: s.CourseID, CuratorID: s.CuratorID, Scale: s.Scale, Value: s.Value, At: s.AnsweredAt})
	})
}

// scorecardSchool reads the school's reference data and ledger.
type scorecardSchool struct{ school *school.Service }

func (a scorecardSchool) Ledger(ctx context.Context, orgID string, from, to time.Time) ([]scorecard.Order, error) {
	rows, err := a.school.LedgerForPeriod(ctx, orgID, from, to)
	if err != nil {
		return nil, err
	}
	out := make([]scorecard.Order, len(rows))
	for i, o := range rows {
		refunds := make([]scorecard.Refund, len(o.Refunds))
		for j, r := range o.Refunds {
			refunds[j] = scorecard.Refund{Amount: r.Amount, At: r.At}
		}
		out[i] = scorecard.Order{ID: o.ID, StudentID: o.StudentID, CohortID: o.CohortID, CourseID: o.CourseID, Amount: o.Amount,
			PaidAt: o.PaidAt, Refunds: refunds}
	}
	return out, nil
}

func (a scorecardSchool) Enrollments(ctx context.Context, orgID string, cohortIDs []string) ([]scorecard.Enrollment, error) {
	rows, err := a.school.CohortEnrollments(ctx, orgID, cohortIDs)
	if err != nil {
		return nil, err
	}
	out := make([]scorecard.Enrollment, len(rows))
	for i, e := range rows {
		out[i] = scorecard.Enrollment{ID: e.ID, StudentID: e.StudentID, CohortID: e.CohortID, CuratorID: e.CuratorID, Status: e.Status}
	}
	return out, nil
}

func (a scorecardSchool) CuratorHistories(ctx context.Context, orgID string, enrollmentIDs []string) (map[string][]scorecard.CuratorChange, error) {
	rows, err := a.school.CuratorHistories(ctx, orgID, enrollmentIDs)
	if err != nil {
		return nil, err
	}
	out := make(map[string][]scorecard.CuratorChange, len(rows))
	for id, history := range rows {
		changes := make([]scorecard.CuratorChange, len(history))
		for i, h := range history {
			changes[i] = scorecard.CuratorChange{CuratorID: h.CuratorID, Previous: h.PreviousCuratorID, At: h.AssignedAt}
		}
		out[id] = changes
	}
	return out, nil
}

func (a scorecardSchool) Cohorts(ctx context.Context, orgID string) ([]scorecard.Cohort, error) {
	rows, err := a.school.AllCohorts(ctx, orgID)
	if err != nil {
		return nil, err
	}
	out := make([]scorecard.Cohort, len(rows))
	for i, c := range rows {
		out[i] = scorecard.Cohort{ID: c.ID, CourseID: c.CourseID, Name: c.Name, StartsOn: c.StartsOn}
	}
	return out, nil
}

func (a scorecardSchool) CourseNames(ctx context.Context, orgID string) (map[string]string, error) {
	l, err := a.school.Labels(ctx, orgID)
	if err != nil {
		return nil, err
	}
	return l.Courses, nil
}

func (a scorecardSchool) CourseModules(ctx context.Context, orgID, courseID string) ([]scorecard.Module, error) {
	detail, err := a.school.Course(ctx, orgID, courseID)
	if err != nil {
		return nil, err
	}
	out := make([]scorecard.Module, len(detail.Modules))
	for i, m := range detail.Modules {
		out[i] = scorecard.Module{ID: m.ID, Position: m.Position, Title: m.Title}
	}
	return out, nil
}

// scorecardSLA reads the response clocks.
type scorecardSLA struct{ sla *sla.Service }

func (a scorecardSLA) Responses(ctx context.Context, orgID string, from, to time.Time, fn func(scorecard.Response)) error {
	return a.sla.ResponseFacts(ctx, orgID, from, to, func(f sla.ResponseFact) {
		fn(scorecard.Response{CuratorID: f.CuratorID, CohortID: f.CohortID, CourseID: f.CourseID, At: f.StartedAt, Item: f.Item,
			Compliant: f.Compliant, Seconds: f.BusinessSeconds})
	})
}

// scorecardHomework reads the review queue.
type scorecardHomework struct{ homework *homework.Service }

func (a scorecardHomework) Reviews(ctx context.Context, orgID string, from, to time.Time, fn func(scorecard.Review)) error {
	return a.homework.ReviewFacts(ctx, orgID, from, to, func(r homework.ReviewFact) {
		fn(scorecard.Review{ReviewerID: r.ReviewerID, CohortID: r.CohortID, CourseID: r.CourseID, At: r.ReviewedAt, Seconds: r.Seconds, InTime: r.InTime})
	})
}

func (a scorecardHomework) Submitters(ctx context.Context, orgID string, moduleIDs []string) (map[string]map[string]struct{}, error) {
	return a.homework.ModuleSubmitters(ctx, orgID, moduleIDs)
}

func (a scorecardHomework) Checks(ctx context.Context, orgID string, from, to time.Time) ([]scorecard.Check, error) {
	rows, err := a.homework.QualityFacts(ctx, orgID, from, to)
	if err != nil {
		return nil, err
	}
	out := make([]scorecard.Check, len(rows))
	for i, c := range rows {
		out[i] = scorecard.Check{CuratorID: c.CuratorID, CohortID: c.CohortID, CourseID: c.CourseID, At: c.ReviewedAt, Percent: c.Percent}
	}
	return out, nil
}

// scorecardPeople names staff and tells the school's time zone.
type scorecardPeople struct{ identity *identity.Service }

func (p scorecardPeople) Names(ctx context.Context, orgID string, userIDs []string) (map[string]string, error) {
	return p.identity.MemberNames(ctx, orgID, userIDs)
}

func (p scorecardPeople) Location(ctx context.Context, orgID string) (*time.Location, error) {
	org, err := p.identity.OrgByID(ctx, orgID)
	if err != nil {
		return nil, err
	}
	return time.LoadLocation(org.TimeZone)
}
