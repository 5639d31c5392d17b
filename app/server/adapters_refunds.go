package server

import (
	"context"
	"sync"
	"time"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/homework"
	"github.com/curatorops/curatorops/modules/identity"
	"github.com/curatorops/curatorops/modules/platform/bizcal"
	"github.com/curatorops/curatorops/modules/refunds"
	"github.com/curatorops/curatorops/modules/school"
	"github.com/curatorops/curatorops/modules/sla"
)

// refundSource names the ledger refunds that refund requests write; their
// external id is the request's id, so a payout is recorded once.
const refundSource = "refunds"

// adapterPage is how many rows an adapter asks another module for at once.
const adapterPage = 200

// refundsSchool answers refund handling's questions from the school
// module, which keeps the order ledger.
type refundsSchool struct {
	school   *school.Service
	identity *identity.Service
	zones    sync.Map // org id → time zone
}

func refundsOrder(o *school.RefundableOrder) *refunds.Order {
	return &refunds.Order{ID: o.ID, StudentID: o.StudentID, ProductID: o.ProductID, CohortID: o.CohortID, CourseID: o.CourseID,
		EnrollmentID: o.EnrollmentID, CuratorID: o.CuratorID, Amount: o.Amount, Refunded: o.Refunded, Currency: o.Currency,
		PaymentMethod: o.PaymentMethod, InstalmentMonths: o.InstalmentMonths, PaidAt: o.PaidAt, CohortStartsOn: o.CohortStartsOn,
		CohortEndsOn: o.CohortEndsOn, ModuleCount: o.ModuleCount}
}

func (a *refundsSchool) Order(ctx context.Context, orgID, orderID string) (*refunds.Order, error) {
	o, err := a.school.RefundableOrder(ctx, orgID, orderID)
	if err != nil {
		return nil, err
	}
	return refundsOrder(o), nil
}

func (a *refundsSchool) OrderIn(ctx context.Context, db bun.IDB, orgID, orderID string) (*refunds.Order, error) {
	o, err := a.school.RefundableOrderIn(ctx, db, orgID, orderID)
	if err != nil {
		return nil, err
	}
	return refundsOrder(o), nil
}

func (a *refundsSchool) OrderByExternalID(ctx context.Context, orgID, source, externalID string) (*refunds.Order, error) {
	o, err := a.school.RefundableOrderByExternalID(ctx, orgID, source, externalID)
	if err != nil {
		return nil, err
	}
	return refundsOrder(o), nil
}

func (a *refundsSchool) StudentRefunds(ctx context.Context, orgID, studentID string) ([]refunds.LedgerRefund, error) {
	orders, err := a.school.StudentOrders(ctx, orgID, studentID)
	if err != nil {
		return nil, err
	}
	var out []refunds.LedgerRefund
	for _, o := range orders {
		if o.Refunded == 0 {
			continue
		}
		rows, err := a.school.OrderRefunds(ctx, orgID, o.ID)
		if err != nil {
			return nil, err
		}
		for _, r := range rows {
			out = append(out, refunds.LedgerRefund{ID: r.ID, OrderID: r.OrderID, Amount: r.Amount, RefundedAt: r.RefundedAt, Reason: r.Reason})
		}
	}
	return out, nil
}

func (a *refundsSchool) RecordRefund(ctx context.Context, tx bun.IDB, orgID, orderID, externalID string, amount int64, at time.Time, reason string, ceiling int64) (*refunds.LedgerRefund, error) {
	src, ext := refundSource, externalID
	r, _, err := a.school.RecordRefundTx(ctx, tx, orgID, orderID, school.RefundInput{Amount: amount, RefundedAt: at, Reason: reason,
		External: school.External{Source: &src, ExternalID: &ext}}, ceiling)
	if err != nil {
		return nil, err
	}
	return &refunds.LedgerRefund{ID: r.ID, OrderID: r.OrderID, Amount: r.Amount, RefundedAt: r.RefundedAt, Reason: r.Reason}, nil
}

func (a *refundsSchool) PaidEnrollments(ctx context.Context, orgID string) ([]refunds.PaidEnrollment, error) {
	enrollments, err := a.school.EnrollmentStatuses(ctx, orgID, "")
	if err != nil {
		return nil, err
	}
	curators := make(map[string]*string, len(enrollments))
	for _, e := range enrollments {
		curators[e.StudentID+"/"+e.CohortID] = e.CuratorID
	}
	var out []refunds.PaidEnrollment
	for after := ""; ; {
		orders, err := a.school.OrdersPage(ctx, orgID, after, adapterPage)
		if err != nil {
			return nil, err
		}
		for i, o := range orders {
			if i == adapterPage {
				break
			}
			if o.CohortID != nil {
				out = append(out, refunds.PaidEnrollment{OrderID: o.ID, StudentID: o.StudentID, CohortID: *o.CohortID,
					CuratorID: curators[o.StudentID+"/"+*o.CohortID], Amount: o.Amount, Refunded: o.Refunded, PaidAt: o.PaidAt})
			}
			after = o.ID
		}
		if len(orders) <= adapterPage {
			return out, nil
		}
	}
}

func (a *refundsSchool) Catalog(ctx context.Context, orgID string) (*refunds.Catalog, error) {
	cohorts, err := a.school.CohortHeadcounts(ctx, orgID)
	if err != nil {
		return nil, err
	}
	l, err := a.school.Labels(ctx, orgID)
	if err != nil {
		return nil, err
	}
	out := &refunds.Catalog{CohortNames: l.Cohorts, CohortCourse: make(map[string]string, len(cohorts)), CourseNames: l.Courses}
	for _, c := range cohorts {
		out.CohortCourse[c.ID] = c.CourseID
	}
	return out, nil
}

func (a *refundsSchool) CheckProduct(ctx context.Context, orgID, productID string) error {
	_, err := a.school.Product(ctx, orgID, productID)
	return err
}

func (a *refundsSchool) Calendar(ctx context.Context, orgID string) (*bizcal.Calendar, error) {
	tz, ok := a.zones.Load(orgID)
	if !ok {
		org, err := a.identity.OrgByID(ctx, orgID)
		if err != nil {
			return nil, err
		}
		a.zones.Store(orgID, org.TimeZone)
		tz = org.TimeZone
	}
	cal, _, err := a.school.CompiledCalendar(ctx, orgID, "", tz.(string))
	return cal, err
}

// refundsPeople names the school's staff from the identity module.
type refundsPeople struct{ identity *identity.Service }

func (p refundsPeople) Names(ctx context.Context, orgID string, userIDs []string) (map[string]string, error) {
	return p.identity.MemberNames(ctx, orgID, userIDs)
}

// refundsHomework tells refund handling what a student handed in, from
// the homework module, with module titles from the school's catalog.
type refundsHomework struct {
	homework *homework.Service
	school   *school.Service
}

func (h refundsHomework) StudentHomework(ctx context.Context, orgID, studentID, cohortID string) ([]refunds.HomeworkFact, error) {
	var (
		out     []refunds.HomeworkFact
		after   []string
		modules = map[string]school.ModuleDetail{}
	)
	for {
		rows, err := h.homework.List(ctx, orgID, homework.Reviewer{SeesAll: true}, homework.ListFilter{StudentID: studentID, CohortID: cohortID,
			Limit: adapterPage, After: after})
		if err != nil {
			return nil, err
		}
		for i := range rows {
			if i == adapterPage {
				break
			}
			sub := &rows[i]
			m, err := h.module(ctx, orgID, sub.CourseID, sub.ModuleID, modules)
			if err != nil {
				return nil, err
			}
			out = append(out, refunds.HomeworkFact{SubmissionID: sub.ID, ModuleID: sub.ModuleID, ModulePosition: m.Position, ModuleTitle: m.Title,
				Attempt: sub.Attempt, Status: sub.Status, SubmittedAt: sub.SubmittedAt.UTC(), ReviewedAt: sub.ReviewedAt,
				ReviewBusinessSeconds: sub.ReviewSeconds, Verdict: sub.Verdict, Score: sub.Score})
			after = []string{sub.DueAt.UTC().Format(time.RFC3339Nano), sub.ID}
		}
		if len(rows) <= adapterPage {
			return out, nil
		}
	}
}

// module finds a module of the course, reading each course once per call.
func (h refundsHomework) module(ctx context.Context, orgID, courseID, moduleID string, seen map[string]school.ModuleDetail) (school.ModuleDetail, error) {
	if m, ok := seen[moduleID]; ok {
		return m, nil
	}
	c, err := h.school.Course(ctx, orgID, courseID)
	if err != nil {
		return school.ModuleDetail{}, err
	}
	for _, m := range c.Modules {
		seen[m.ID] = m
	}
	return seen[moduleID], nil
}

// refundsConversations tells refund handling a student's conversations
// and how fast they were answered, from the SLA module.
type refundsConversations struct{ sla *sla.Service }

func (c refundsConversations) StudentConversations(ctx context.Context, orgID, studentID string) ([]refunds.ConversationFact, error) {
	var out []refunds.ConversationFact
	for after := ""; ; {
		rows, err := c.sla.Conversations(ctx, orgID, sla.ConversationFilter{StudentID: studentID, Limit: adapterPage, AfterID: after})
		if err != nil {
			return nil, err
		}
		for i := range rows {
			if i == adapterPage {
				break
			}
			fact, err := c.conversation(ctx, orgID, &rows[i])
			if err != nil {
				return nil, err
			}
			out = append(out, fact)
			after = rows[i].ID
		}
		if len(rows) <= adapterPage {
			return out, nil
		}
	}
}

// conversation counts a conversation's messages and reads the waits they
// started.
func (c refundsConversations) conversation(ctx context.Context, orgID string, conv *sla.Conversation) (refunds.ConversationFact, error) {
	fact := refunds.ConversationFact{ID: conv.ID, Channel: conv.Channel, StartedAt: conv.CreatedAt.UTC(), LastMessageAt: conv.LastMessageAt, Waits: []refunds.ResponseWait{}}
	seen := map[string]bool{}
	var after []string
	for {
		msgs, err := c.sla.Messages(ctx, orgID, conv.ID, adapterPage, after)
		if err != nil {
			return fact, err
		}
		for i := range msgs {
			if i == adapterPage {
				break
			}
			m := &msgs[i]
			fact.Messages++
			after = []string{m.SentAt.UTC().Format(time.RFC3339Nano), m.ID}
			if m.ClockID == nil || seen[*m.ClockID] {
				continue
			}
			seen[*m.ClockID] = true
			w, err := c.sla.ResponseClock(ctx, orgID, *m.ClockID)
			if err != nil {
				return fact, err
			}
			fact.Waits = append(fact.Waits, refunds.ResponseWait{StartedAt: w.StartedAt.UTC(), AnsweredAt: w.StoppedAt, Status: w.Status,
				BusinessSeconds: w.BusinessSeconds, TargetSeconds: w.TargetSeconds, Breached: w.Breached})
		}
		if len(msgs) <= adapterPage {
			return fact, nil
		}
	}
}

// refundsObserver passes refunds recorded from order.refunded events to
// refund handling.
type refundsObserver struct{ refunds *refunds.Service }

func (o refundsObserver) OrderRefunded(ctx context.Context, tx bun.IDB, r school.RecordedRefund) error {
	return o.refunds.RefundArrived(ctx, tx, refunds.LedgerRefundFact{OrgID: r.OrgID, RefundID: r.RefundID, OrderID: r.OrderID,
		Amount: r.Amount, RefundedAt: r.RefundedAt, Reason: r.Reason})
}
