package demo

import (
	"context"
	"fmt"
	"math/rand"
	"time"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/auditlog"
	"github.com/curatorops/curatorops/modules/platform/bizcal"
	"github.com/curatorops/curatorops/modules/platform/database"
	"github.com/curatorops/curatorops/modules/platform/ids"
	"github.com/curatorops/curatorops/modules/refunds"
	"github.com/curatorops/curatorops/modules/school"
)

// seedRefunds gives every refund of the demo's order ledger its request
// and history — raised by the student, a retention attempt that did not
// keep them, the head's approval, finance's payout — and adds requests in
// every other state over the cohorts: students kept by their curator,
// refusals, a failed payout, and the work open today. None of them writes
// the ledger, so the refund rates the school's story tells stay as they
// are (the latest cohort near 2 %). The rows are written as the refunds
// service writes them, in one transaction with multi-row inserts; the
// history is not announced to webhooks. A school that has requests
// already is left alone.
func seedRefunds(ctx context.Context, r *run) error {
	existing, _, err := r.svc.Refunds.Requests(ctx, r.orgID, refunds.Viewer{SeesAll: true}, refunds.RequestFilter{Limit: 1})
	if err != nil || len(existing) > 0 {
		return err
	}
	w, err := newRefundWriter(ctx, r)
	if err != nil {
		return err
	}
	rnd := rand.New(rand.NewSource(16))
	for _, seat := range demoSeats() {
		if err := w.plan(ctx, rnd, seat); err != nil {
			return err
		}
	}
	if err := database.InTx(ctx, r.svc.School.DB, w.write); err != nil {
		return err
	}
	_, err = r.svc.Refunds.RunOnce(ctx, r.svc.Refunds.Now())
	return err
}

// refundPlan is what happens to the requests of one cohort besides its
// refunds, by status, in the order the cohort's seats are walked.
var refundPlans = map[string][]string{
	"flow-rel-10": {refunds.StatusRetained, refunds.StatusRejected},
	"flow-prac-7": {refunds.StatusRetained, refunds.StatusRejected, refunds.StatusFailed},
	"flow-rel-11": {refunds.StatusRetained, refunds.StatusRetained},
	"flow-rel-12": {refunds.StatusRetained, refunds.StatusRetained, refunds.StatusRetained, refunds.StatusApproved, refunds.StatusProcessing},
	"flow-prac-8": {refunds.StatusRetained, refunds.StatusRetained, refunds.StatusRetained, refunds.StatusInReview,
		refunds.StatusRequested, refunds.StatusRequested},
}

// ledgerReasons maps the reasons the demo's ledger refunds were given to
// the catalog's codes.
var ledgerReasons = map[string]string{
	"Не подошёл формат обучения": "content",
	"Финансовые трудности":       "financial",
	"Нет времени на занятия":     "no_time",
}

var (
	studentComments = map[string][]string{
		"content":         {"Ожидала больше практики, а в курсе в основном теория", "Формат видеолекций мне не подходит"},
		"financial":       {"Потеряла работу, не смогу платить дальше", "Изменились обстоятельства, нужны деньги"},
		"no_time":         {"Не успеваю совмещать с работой", "Новый проект на работе, времени на учёбу нет совсем"},
		"health_personal": {"Семейные обстоятельства, сейчас не до учёбы"},
	}
	attemptNotes = map[string]string{
		"pause":        "Предложили заморозить обучение на месяц",
		"transfer":     "Предложили перейти в следующий поток",
		"consultation": "Провели консультацию с наставником, разобрали трудности",
	}
)

// refundWriter collects the rows of the demo's refund requests.
type refundWriter struct {
	r         *run
	cal       *bizcal.Calendar
	settings  *refunds.Settings
	head      string
	finance   string
	planned   map[string]int // requests planned so far, by cohort key
	requests  []*refunds.Request
	evidence  []*refunds.Evidence
	history   []*refunds.HistoryEntry
	approvals []*refunds.Approval
	attempts  []*refunds.Attempt
	entries   []auditlog.Entry
}

func newRefundWriter(ctx context.Context, r *run) (*refundWriter, error) {
	cal, _, err := r.svc.School.CompiledCalendar(ctx, r.orgID, "", "Europe/Moscow")
	if err != nil {
		return nil, err
	}
	st, err := r.svc.Refunds.Settings(ctx, r.orgID)
	if err != nil {
		return nil, err
	}
	w := &refundWriter{r: r, cal: cal, settings: st, planned: map[string]int{}}
	for email, id := range map[string]*string{"head@demo.test": &w.head, "finance@demo.test": &w.finance} {
		p, err := r.svc.Identity.ActivePersonByEmail(ctx, r.orgID, email)
		if err != nil {
			return nil, err
		}
		*id = p.UserID
	}
	return w, nil
}

// plan adds the requests of one student: the request behind their refund,
// or the next planned state of their cohort when they stayed.
func (w *refundWriter) plan(ctx context.Context, rnd *rand.Rand, seat demoSeat) error {
	fate, c := w.r.fates[seat.n], seat.cohort
	status := ""
	if !fate.refunded {
		if i := w.planned[c.key]; i < len(refundPlans[c.key]) && rnd.Intn(4) == 0 {
			status = refundPlans[c.key][i]
			w.planned[c.key]++
		}
		if status == "" {
			return nil
		}
	}
	o, err := w.r.svc.School.RefundableOrderByExternalID(ctx, w.r.orgID, demoSource, "o-"+seat.studentID())
	if err != nil {
		return err
	}
	if fate.refunded {
		return w.refunded(ctx, rnd, o)
	}
	return w.other(rnd, o, status, w.r.tl.starts(c), fate)
}

// refunded is the request behind a refund of the ledger.
func (w *refundWriter) refunded(ctx context.Context, rnd *rand.Rand, o *school.RefundableOrder) error {
	rows, err := w.r.svc.School.OrderRefunds(ctx, w.r.orgID, o.ID)
	if err != nil || len(rows) == 0 {
		return fmt.Errorf("the refunded order %s has no refund: %w", o.ID, err)
	}
	ledger := rows[0]
	code := ledgerReasons[ledger.Reason]
	if code == "" {
		code = "other"
	}
	t0 := ledger.RefundedAt.Add(-5 * 24 * time.Hour)
	req := w.request(rnd, o, code, t0, ledger.Amount, 1)
	offer := pick(rnd, "pause", "transfer", "consultation")
	curator := deref(o.CuratorID)
	w.step(req, refunds.StatusInReview, t0.Add(3*time.Hour), curator, "")
	w.attempt(req, curator, offer, refunds.OutcomeRefundContinues, t0.Add(26*time.Hour))
	w.approve(req, ledger.Amount, t0.Add(50*time.Hour))
	w.step(req, refunds.StatusProcessing, t0.Add(72*time.Hour), w.finance, "")
	at, amount := ledger.RefundedAt, ledger.Amount
	req.ExecutedBy, req.OrderRefundID, req.RefundedAt, req.RefundedAmount = &w.finance, &ledger.ID, &at, &amount
	w.step(req, refunds.StatusRefunded, at, w.finance, "")
	return nil
}

// other is a request of a student who stayed, in the planned state.
func (w *refundWriter) other(rnd *rand.Rand, o *school.RefundableOrder, status string, starts time.Time, fate demoFate) error {
	now := w.r.svc.Refunds.Now()
	t0 := starts.AddDate(0, 0, 10+rnd.Intn(25)).Add(time.Duration(9+rnd.Intn(10)) * time.Hour)
	switch status {
	case refunds.StatusRequested:
		t0 = now.Add(-time.Duration(3+rnd.Intn(30)) * time.Hour)
	case refunds.StatusInReview, refunds.StatusApproved, refunds.StatusProcessing:
		t0 = now.Add(-time.Duration(30+rnd.Intn(60)) * time.Hour)
	}
	if t0.After(now) {
		t0 = now.Add(-time.Hour)
	}
	calc := refunds.Calculate(order(o), w.settings.OfferTerms(), t0, min(fate.reach, 2))
	amount := max(calc.Refundable, 100_000)
	req := w.request(rnd, o, pick(rnd, "no_time", "financial", "content", "health_personal"), t0, amount, min(fate.reach, 2))
	if status == refunds.StatusRequested {
		return nil
	}
	curator, step := deref(o.CuratorID), min(now.Sub(t0)/8, 24*time.Hour)
	w.step(req, refunds.StatusInReview, t0.Add(step), curator, "")
	switch status {
	case refunds.StatusRetained:
		offer := pick(rnd, "pause", "transfer", "consultation")
		w.attempt(req, curator, offer, refunds.OutcomeKept, t0.Add(20*time.Hour))
	case refunds.StatusRejected:
		w.attempt(req, curator, "consultation", refunds.OutcomeRefundContinues, t0.Add(20*time.Hour))
		w.decide(req, refunds.StatusRejected, t0.Add(40*time.Hour), w.head, "Курс пройден больше чем наполовину: по условиям оферты возврат не положен")
	case refunds.StatusInReview:
		w.attempt(req, curator, "pause", refunds.OutcomeRefundContinues, t0.Add(2*step))
	case refunds.StatusApproved, refunds.StatusProcessing, refunds.StatusFailed:
		w.approve(req, amount, t0.Add(2*step))
		if status == refunds.StatusApproved {
			return nil
		}
		w.step(req, refunds.StatusProcessing, t0.Add(3*step), w.finance, "")
		req.ExecutedBy = &w.finance
		if status == refunds.StatusFailed {
			req.FailureReason = "Банк отклонил перевод: неверные реквизиты карты"
			w.step(req, refunds.StatusFailed, t0.Add(4*step), w.finance, req.FailureReason)
		}
	}
	return nil
}

// order is the school's order in the refunds module's terms.
func order(o *school.RefundableOrder) refunds.Order {
	return refunds.Order{ID: o.ID, StudentID: o.StudentID, ProductID: o.ProductID, CohortID: o.CohortID, CourseID: o.CourseID,
		EnrollmentID: o.EnrollmentID, CuratorID: o.CuratorID, Amount: o.Amount, Refunded: o.Refunded, Currency: o.Currency,
		PaymentMethod: o.PaymentMethod, InstalmentMonths: o.InstalmentMonths, PaidAt: o.PaidAt, CohortStartsOn: o.CohortStartsOn,
		CohortEndsOn: o.CohortEndsOn, ModuleCount: o.ModuleCount}
}

// request starts a request raised by the student in the chat at t0.
func (w *refundWriter) request(rnd *rand.Rand, o *school.RefundableOrder, reason string, t0 time.Time, amount int64, reached int) *refunds.Request {
	comments := studentComments[reason]
	req := &refunds.Request{ID: ids.New(), OrgID: w.r.orgID, OrderID: o.ID, StudentID: o.StudentID, EnrollmentID: o.EnrollmentID,
		CohortID: o.CohortID, CourseID: o.CourseID, ProductID: o.ProductID, CuratorID: o.CuratorID, Reason: reason,
		Comment: comments[rnd.Intn(len(comments))], Channel: "chat", RaisedByKind: refunds.RaisedByStudent, RaisedBy: o.CuratorID,
		RequestedAmount: amount, Currency: o.Currency, Status: refunds.StatusRequested, ApprovalsNeeded: 1,
		DueAt: w.cal.AddBusiness(t0, time.Duration(w.settings.DecisionHours)*time.Hour).UTC(), RequestedAt: t0.UTC(),
		CreatedAt: t0.UTC(), UpdatedAt: t0.UTC(), Version: 1}
	w.requests = append(w.requests, req)
	before := order(o)
	before.Refunded = 0 // the pack describes the order before its refund
	w.evidence = append(w.evidence, &refunds.Evidence{RequestID: req.ID, OrgID: w.r.orgID, AssembledAt: t0.UTC(), Body: refunds.EvidencePack{
		AssembledAt: t0.UTC(), ModulesReached: reached, ModulesTotal: o.ModuleCount, Homework: []refunds.HomeworkFact{},
		Conversations: []refunds.ConversationFact{}, Surveys: []refunds.SurveyAnswerFact{}, PreviousRefunds: []refunds.PreviousRefund{},
		RefundCalculation: refunds.Calculate(before, w.settings.OfferTerms(), t0, reached),
		Notes:             []string{"written by the demo seed: the student's homework and conversations are in their own sections"}}})
	w.history = append(w.history, &refunds.HistoryEntry{ID: ids.New(), OrgID: w.r.orgID, RequestID: req.ID, ToStatus: refunds.StatusRequested,
		ActorID: o.CuratorID, At: t0.UTC()})
	w.entries = append(w.entries, auditlog.Entry{OrgID: w.r.orgID, EntityType: "refund_request", EntityID: req.ID, Changes: auditlog.Diff(nil, req)})
	return req
}

// step moves a request to status at at.
func (w *refundWriter) step(req *refunds.Request, status string, at time.Time, actor, note string) {
	from := req.Status
	h := &refunds.HistoryEntry{ID: ids.New(), OrgID: w.r.orgID, RequestID: req.ID, FromStatus: &from, ToStatus: status, Note: note, At: at.UTC()}
	if actor != "" {
		h.ActorID = &actor
	}
	if status == refunds.StatusRefunded {
		h.Amount = req.RefundedAmount
	}
	w.history = append(w.history, h)
	req.Status, req.UpdatedAt = status, at.UTC()
	req.Version++
}

// decide closes a request with a decision.
func (w *refundWriter) decide(req *refunds.Request, status string, at time.Time, by, note string) {
	w.step(req, status, at, by, note)
	decided := at.UTC()
	req.DecidedAt, req.DecidedBy, req.DecisionNote = &decided, &by, note
}

// attempt records a retention attempt; a kept student closes the request.
func (w *refundWriter) attempt(req *refunds.Request, by, offer, outcome string, at time.Time) {
	note := attemptNotes[offer]
	w.attempts = append(w.attempts, &refunds.Attempt{ID: ids.New(), OrgID: w.r.orgID, RequestID: req.ID, ByID: by, Offer: offer, Outcome: outcome,
		Note: note, At: at.UTC()})
	if outcome == refunds.OutcomeKept {
		w.decide(req, refunds.StatusRetained, at, by, note)
	}
}

// approve records the head's approval of amount.
func (w *refundWriter) approve(req *refunds.Request, amount int64, at time.Time) {
	w.approvals = append(w.approvals, &refunds.Approval{ID: ids.New(), OrgID: w.r.orgID, RequestID: req.ID, ApproverID: w.head, Amount: amount,
		LimitAmount: w.settings.Limit([]string{"head_of_service"}), At: at.UTC()})
	req.ApprovedAmount = &amount
	w.decide(req, refunds.StatusApproved, at, w.head, "")
	w.history[len(w.history)-1].Amount = &amount
}

// write inserts everything planned, in tx.
func (w *refundWriter) write(ctx context.Context, tx bun.Tx) error {
	for _, insert := range []func() error{
		func() error { return insertInBatches(ctx, tx, w.requests) },
		func() error { return insertInBatches(ctx, tx, w.evidence) },
		func() error { return insertInBatches(ctx, tx, w.history) },
		func() error { return insertInBatches(ctx, tx, w.approvals) },
		func() error { return insertInBatches(ctx, tx, w.attempts) },
		func() error { return insertInBatches(ctx, tx, auditRows(ctx, w.r, w.entries)) },
	} {
		if err := insert(); err != nil {
			return err
		}
	}
	return nil
}
