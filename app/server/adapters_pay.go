package server

import (
	"context"
	"time"

	"github.com/curatorops/curatorops/modules/cases"
	"github.com/curatorops/curatorops/modules/homework"
	"github.com/curatorops/curatorops/modules/identity"
	"github.com/curatorops/curatorops/modules/pay"
	"github.com/curatorops/curatorops/modules/school"
	"github.com/curatorops/curatorops/modules/sla"
	"github.com/curatorops/curatorops/modules/surveys"
)

// payPeople names the school's staff from the identity module.
type payPeople struct{ identity *identity.Service }

func (p payPeople) Names(ctx context.Context, orgID string, userIDs []string) (map[string]string, error) {
	return p.identity.MemberNames(ctx, orgID, userIDs)
}

// Location is the school's time zone, in which pay months are counted.
func (p payPeople) Location(ctx context.Context, orgID string) (*time.Location, error) {
	org, err := p.identity.OrgByID(ctx, orgID)
	if err != nil {
		return nil, err
	}
	return time.LoadLocation(org.TimeZone)
}

// payFacts answers pay's reads from the modules that own the rows, each
// fact with the id of its row.
type payFacts struct {
	homework *homework.Service
	sla      *sla.Service
	surveys  *surveys.Service
	cases    *cases.Service
	school   *school.Service
}

// newPayFacts reads pay's facts from the services built before pay.
func newPayFacts(svc *Services) payFacts {
	return payFacts{homework: svc.Homework, sla: svc.SLA, surveys: svc.Surveys, cases: svc.Cases, school: svc.School}
}

var _ pay.Facts = payFacts{}

// ReviewGroups gives each group of verdicts its assignment's kind, which
// the school keeps: the kinds are read once for the whole month.
func (a payFacts) ReviewGroups(ctx context.Context, orgID string, from, to time.Time, cuts []time.Time, fn func(pay.ReviewGroup)) error {
	kinds, err := a.school.AssignmentKinds(ctx, orgID)
	if err != nil {
		return err
	}
	return a.homework.PayReviewGroups(ctx, orgID, from, to, cuts, func(g homework.PayReviewGroup) {
		fn(pay.ReviewGroup{ReviewerID: g.ReviewerID, AssignmentKind: kinds[g.AssignmentID], Resubmission: g.Resubmission,
			Overturned: g.Overturned, Part: g.Part, Count: g.Count, IDs: g.IDs})
	})
}

func (a payFacts) ClockGroups(ctx context.Context, orgID string, from, to time.Time, fn func(pay.ClockGroup)) error {
	return a.sla.PayClockGroups(ctx, orgID, from, to, func(g sla.PayClockGroup) {
		fn(pay.ClockGroup{CuratorID: g.CuratorID, Compliant: g.Compliant, Count: g.Count, IDs: g.IDs})
	})
}

func (a payFacts) Answers(ctx context.Context, orgID string, from, to time.Time, fn func(pay.AnswerFact)) error {
	return a.surveys.CSIAnswers(ctx, orgID, from, to, func(s surveys.CSIAnswer) {
		fn(pay.AnswerFact{ID: s.ID, CuratorID: s.CuratorID, Value: s.Value, At: s.AnsweredAt})
	})
}

func (a payFacts) Checks(ctx context.Context, orgID string, from, to time.Time) ([]pay.CheckFact, error) {
	rows, err := a.homework.PayChecks(ctx, orgID, from, to)
	if err != nil {
		return nil, err
	}
	out := make([]pay.CheckFact, len(rows))
	for i, c := range rows {
		out[i] = pay.CheckFact{ID: c.ID, ReviewID: c.ReviewID, CuratorID: c.CuratorID, Points: c.Points}
	}
	return out, nil
}

func (a payFacts) Cases(ctx context.Context, orgID string, from, to time.Time) ([]pay.CaseFact, error) {
	rows, err := a.cases.CreditedCases(ctx, orgID, from, to)
	if err != nil {
		return nil, err
	}
	out := make([]pay.CaseFact, len(rows))
	for i, c := range rows {
		out[i] = pay.CaseFact{ID: c.ID, CuratorID: c.CuratorID, Kind: c.Kind, At: c.SubmittedAt}
	}
	return out, nil
}

func (a payFacts) Curations(ctx context.Context, orgID string, from, to time.Time) ([]pay.CurationFact, error) {
	rows, err := a.school.Curations(ctx, orgID, from, to)
	if err != nil {
		return nil, err
	}
	out := make([]pay.CurationFact, len(rows))
	for i, c := range rows {
		out[i] = pay.CurationFact{EnrollmentID: c.EnrollmentID, StudentID: c.StudentID, CohortID: c.CohortID, CourseID: c.CourseID,
			CuratorID: c.CuratorID, From: c.From, To: c.To}
	}
	return out, nil
}

// ModuleSubmissions asks the school which module sits at the position of
// each course, then homework for the first submissions of those modules.
func (a payFacts) ModuleSubmissions(ctx context.Context, orgID string, position int, before time.Time) (map[pay.ModuleKey]string, error) {
	moduleIDs, err := a.school.ModulesAtPosition(ctx, orgID, position)
	if err != nil {
		return nil, err
	}
	rows, err := a.homework.FirstSubmissions(ctx, orgID, moduleIDs, before)
	if err != nil {
		return nil, err
	}
	out := make(map[pay.ModuleKey]string, len(rows))
	for k, id := range rows {
		out[pay.ModuleKey{CourseID: k.CourseID, StudentID: k.StudentID}] = id
	}
	return out, nil
}

func (a payFacts) Orders(ctx context.Context, orgID string, to time.Time) ([]pay.OrderFact, error) {
	rows, err := a.school.PaidOrders(ctx, orgID, to)
	if err != nil {
		return nil, err
	}
	out := make([]pay.OrderFact, len(rows))
	for i, o := range rows {
		refunds := make([]pay.RefundFact, len(o.Refunds))
		for j, r := range o.Refunds {
			refunds[j] = pay.RefundFact{ID: r.ID, Amount: r.Amount, At: r.RefundedAt}
		}
		out[i] = pay.OrderFact{ID: o.ID, StudentID: o.StudentID, CohortID: o.CohortID, Amount: o.Amount, PaidAt: o.PaidAt, Refunds: refunds}
	}
	return out, nil
}
