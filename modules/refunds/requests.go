package refunds

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/auditlog"
	"github.com/curatorops/curatorops/modules/platform/errs"
	"github.com/curatorops/curatorops/modules/platform/ids"
	"github.com/curatorops/curatorops/modules/platform/reqctx"
)

const (
	entityRequest = "refund_request"
	// EventStatusChanged leaves for the LMS and CRM on every status change.
	EventStatusChanged = "refund.status_changed"
	// EventEscalated leaves when a request misses its decision deadline.
	EventEscalated = "refund.escalated"
)

// NewRequest is a refund request as staff or the LMS raise it.
type NewRequest struct {
	OrderID  string
	Reason   string
	Comment  string
	Channel  string
	RaisedBy string // student, curator or head
	// Amount is what the student asks for; nil asks for what the
	// calculator gives.
	Amount *int64
	// IdempotencyKey makes a retry return the first request.
	IdempotencyKey string
	// Source and ExternalID identify a request the LMS sent.
	Source, ExternalID string
	// RequestedAt is when the student asked; zero means now.
	RequestedAt time.Time
	// loc names fields in errors: "body." from the API, "data." from events.
	loc string
}

func (in NewRequest) at(field string) string {
	if in.loc == "" {
		return "body." + field
	}
	return in.loc + field
}

// hash fingerprints what the request asks, so that a replayed key with a
// different body is told apart from a retry.
func (in NewRequest) hash() string {
	b, _ := json.Marshal([]any{in.OrderID, in.Reason, strings.TrimSpace(in.Comment), in.Channel, in.RaisedBy, in.Amount})
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// check applies the rules that need no database but the settings.
func (in NewRequest) check(st *Settings) error {
	var v errs.ValidationError
	add := func(field, msg string) {
		v.Fields = append(v.Fields, errs.FieldError{Location: in.at(field), Message: msg})
	}
	if reason, ok := st.Reason(in.Reason); strings.TrimSpace(in.Reason) == "" {
		add("reason", "is required: a code from the school's reason catalog")
	} else if !ok || !reason.Active {
		add("reason", "is not an active reason of the school's catalog")
	}
	if !slices.Contains(Channels, in.Channel) {
		add("channel", "must be one of "+strings.Join(Channels, ", "))
	}
	if !slices.Contains([]string{RaisedByStudent, RaisedByCurator, RaisedByHead}, in.RaisedBy) {
		add("raised_by", "must be student, curator or head")
	}
	if len([]rune(in.Comment)) > 2000 {
		add("comment", "must be at most 2000 characters")
	}
	if in.Amount != nil && *in.Amount <= 0 {
		add("amount", "must be positive, in minor units (kopecks)")
	}
	if len(v.Fields) > 0 {
		return &v
	}
	return nil
}

// CreateRequest raises a refund request on an order and freezes its
// evidence. With an idempotency key already used it returns the first
// request and false, or a conflict when the body differs.
func (s *Service) CreateRequest(ctx context.Context, orgID string, in NewRequest) (*Request, bool, error) {
	if r, done, err := s.replayedRequest(ctx, orgID, in); done || err != nil {
		return r, false, err
	}
	r, pack, err := s.prepareRequest(ctx, orgID, in)
	if err != nil {
		return nil, false, err
	}
	err = s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error { return s.insertRequest(ctx, tx, r, pack) })
	if errors.Is(err, errs.ErrConflict) {
		// A concurrent retry with the same key won the insert.
		if r, done, err := s.replayedRequest(ctx, orgID, in); done || err != nil {
			return r, false, err
		}
	}
	return r, err == nil, err
}

// prepareRequest checks a new request and gathers its evidence, before
// any transaction: the reads cross several modules.
func (s *Service) prepareRequest(ctx context.Context, orgID string, in NewRequest) (*Request, *EvidencePack, error) {
	st, err := s.store.Settings(ctx, s.DB, orgID)
	if err != nil {
		return nil, nil, err
	}
	if err := in.check(st); err != nil {
		return nil, nil, err
	}
	o, err := s.school.Order(ctx, orgID, in.OrderID)
	if errors.Is(err, errs.ErrNotFound) {
		return nil, nil, errs.Invalid(in.at("order_id"), "no order of this school has this id")
	} else if err != nil {
		return nil, nil, err
	}
	requestedAt := in.RequestedAt
	if requestedAt.IsZero() {
		requestedAt = s.Now()
	}
	if requestedAt.Before(o.PaidAt) {
		return nil, nil, errs.Invalid(in.at("requested_at"), "must not be before the order was paid")
	}
	pack, err := s.assemble(ctx, orgID, o, requestedAt)
	if err != nil {
		return nil, nil, err
	}
	amount := pack.RefundCalculation.Refundable
	if in.Amount != nil {
		amount = *in.Amount
	}
	if amount > pack.RefundCalculation.Ceiling {
		return nil, nil, errs.Invalid(in.at("amount"), "exceeds what was paid and not yet refunded on the order")
	}
	due, err := s.decisionDue(ctx, orgID, requestedAt, st.DecisionHours)
	if err != nil {
		return nil, nil, err
	}
	return s.newRequest(ctx, orgID, o, in, amount, requestedAt, due), &pack, nil
}

// insertRequest stores a prepared request with its evidence in tx.
func (s *Service) insertRequest(ctx context.Context, tx bun.IDB, r *Request, pack *EvidencePack) error {
	if err := s.store.InsertRequest(ctx, tx, r); err != nil {
		return err
	}
	if err := s.store.InsertEvidence(ctx, tx, &Evidence{RequestID: r.ID, OrgID: r.OrgID, Body: *pack, AssembledAt: s.Now()}); err != nil {
		return err
	}
	return s.recordChange(ctx, tx, nil, r, "", nil)
}

func (s *Service) newRequest(ctx context.Context, orgID string, o *Order, in NewRequest, amount int64, requestedAt, due time.Time) *Request {
	now := s.Now()
	r := &Request{ID: ids.New(), OrgID: orgID, OrderID: o.ID, StudentID: o.StudentID, EnrollmentID: o.EnrollmentID, CohortID: o.CohortID,
		CourseID: o.CourseID, ProductID: o.ProductID, CuratorID: o.CuratorID, Reason: in.Reason, Comment: strings.TrimSpace(in.Comment),
		Channel: in.Channel, RaisedByKind: in.RaisedBy, RequestedAmount: amount, Currency: o.Currency, Status: StatusRequested,
		ApprovalsNeeded: 1, DueAt: due.UTC(), RequestedAt: requestedAt.UTC(), CreatedAt: now, UpdatedAt: now, Version: 1}
	if actor := reqctx.From(ctx).Principal.ActorID(); actor != "" {
		r.RaisedBy = &actor
	}
	if in.IdempotencyKey != "" {
		key, hash := in.IdempotencyKey, in.hash()
		r.IdempotencyKey, r.RequestHash = &key, &hash
	}
	if in.ExternalID != "" {
		src, ext, hash := in.Source, in.ExternalID, in.hash()
		r.Source, r.ExternalID, r.RequestHash = &src, &ext, &hash
	}
	return r
}

// replayedRequest finds the request an idempotency key or external id
// already made: done with it when the body is the same, a conflict when it
// differs, not done when the key is new.
func (s *Service) replayedRequest(ctx context.Context, orgID string, in NewRequest) (*Request, bool, error) {
	var (
		r   *Request
		err error
	)
	switch {
	case in.ExternalID != "":
		r, err = s.store.RequestByExternalID(ctx, s.DB, orgID, in.Source, in.ExternalID)
	case in.IdempotencyKey != "":
		r, err = s.store.RequestBy(ctx, s.DB, orgID, "idempotency_key", in.IdempotencyKey)
	default:
		return nil, false, nil
	}
	if errors.Is(err, errs.ErrNotFound) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	if r.RequestHash == nil || *r.RequestHash != in.hash() {
		return nil, true, errs.Conflict("a refund request with this idempotency key exists with different content")
	}
	return r, true, nil
}

// decisionDue is when a request raised at at must be decided: hours of the
// school's business calendar later.
func (s *Service) decisionDue(ctx context.Context, orgID string, at time.Time, hours int) (time.Time, error) {
	cal, err := s.school.Calendar(ctx, orgID)
	if err != nil {
		return time.Time{}, err
	}
	return cal.AddBusiness(at, time.Duration(hours)*time.Hour), nil
}

// recordChange writes what a change of a request leaves behind, in its
// transaction: the history entry when the status moved, the outbound
// event, and the audit entry.
func (s *Service) recordChange(ctx context.Context, tx bun.IDB, before, after *Request, note string, amount *int64) error {
	var from *string
	if before != nil {
		from = &before.Status
	}
	if before == nil || before.Status != after.Status {
		h := &HistoryEntry{ID: ids.New(), OrgID: after.OrgID, RequestID: after.ID, FromStatus: from, ToStatus: after.Status,
			Amount: amount, Note: note, At: s.Now()}
		if actor := reqctx.From(ctx).Principal.ActorID(); actor != "" {
			h.ActorID = &actor
		}
		if err := s.store.InsertHistory(ctx, tx, h); err != nil {
			return err
		}
		if err := s.publish.Publish(ctx, tx, after.OrgID, EventStatusChanged, statusPayload(from, after)); err != nil {
			return err
		}
	}
	if before == nil {
		return s.Record(ctx, tx, after.OrgID, entityRequest, after.ID, auditlog.Diff(nil, after))
	}
	return s.Record(ctx, tx, after.OrgID, entityRequest, after.ID, auditlog.Diff(before, after))
}

// StatusPayload is the data of refund.status_changed.
type StatusPayload struct {
	RequestID       string     `json:"request_id"`
	OrderID         string     `json:"order_id"`
	StudentID       string     `json:"student_id"`
	EnrollmentID    *string    `json:"enrollment_id"`
	From            *string    `json:"from"`
	To              string     `json:"to"`
	Reason          string     `json:"reason"`
	RequestedAmount int64      `json:"requested_amount"`
	ApprovedAmount  *int64     `json:"approved_amount"`
	RefundedAmount  *int64     `json:"refunded_amount"`
	Currency        string     `json:"currency"`
	StopInstalments bool       `json:"stop_instalments"`
	RefundedAt      *time.Time `json:"refunded_at"`
}

func statusPayload(from *string, r *Request) StatusPayload {
	return StatusPayload{RequestID: r.ID, OrderID: r.OrderID, StudentID: r.StudentID, EnrollmentID: r.EnrollmentID, From: from, To: r.Status,
		Reason: r.Reason, RequestedAmount: r.RequestedAmount, ApprovedAmount: r.ApprovedAmount, RefundedAmount: r.RefundedAmount,
		Currency: r.Currency, StopInstalments: r.StopInstalments, RefundedAt: r.RefundedAt}
}

// Viewer is who asks to see requests: everyone's, or only those of the
// students they curate.
type Viewer struct {
	UserID  string
	SeesAll bool
}

// ViewerFrom reads the caller of a request: SeesAll when the policy grants
// refund_requests:read_all.
func ViewerFrom(ctx context.Context) Viewer {
	m := reqctx.From(ctx)
	return Viewer{UserID: m.Principal.ActorID(), SeesAll: m.Org.Allowed("refund_requests", "read_all")}
}

func (v Viewer) sees(r *Request) bool {
	return v.SeesAll || (r.CuratorID != nil && *r.CuratorID == v.UserID)
}

// RequestDetail is a request with everything recorded about it.
type RequestDetail struct {
	Request   *Request
	Evidence  *EvidencePack
	History   []HistoryEntry
	Approvals []Approval
	Attempts  []Attempt
	Names     map[string]string // staff by user id
}

// Request returns one request the viewer may see (403 otherwise), with
// its evidence, history, approvals and retention attempts.
func (s *Service) Request(ctx context.Context, orgID, id string, v Viewer) (*RequestDetail, error) {
	r, err := s.store.Request(ctx, s.DB, orgID, id)
	if err != nil {
		return nil, err
	}
	if !v.sees(r) {
		return nil, errs.Forbidden("the request is of a student you do not curate")
	}
	d := &RequestDetail{Request: r}
	ev, err := s.store.Evidence(ctx, s.DB, orgID, id)
	if err != nil {
		return nil, err
	}
	d.Evidence = &ev.Body
	if d.History, err = s.store.History(ctx, s.DB, orgID, id); err != nil {
		return nil, err
	}
	if d.Approvals, err = s.store.Approvals(ctx, s.DB, orgID, id); err != nil {
		return nil, err
	}
	if d.Attempts, err = s.store.Attempts(ctx, s.DB, orgID, id); err != nil {
		return nil, err
	}
	d.Names, err = s.people.Names(ctx, orgID, d.staff())
	return d, err
}

// staff lists every person the detail mentions.
func (d *RequestDetail) staff() []string {
	var out []string
	add := func(p *string) {
		if p != nil && !slices.Contains(out, *p) {
			out = append(out, *p)
		}
	}
	r := d.Request
	add(r.CuratorID)
	add(r.RaisedBy)
	add(r.DecidedBy)
	add(r.ExecutedBy)
	for i := range d.History {
		add(d.History[i].ActorID)
	}
	for i := range d.Approvals {
		add(&d.Approvals[i].ApproverID)
	}
	for i := range d.Attempts {
		add(&d.Attempts[i].ByID)
	}
	return out
}

// Requests returns a page of the requests the viewer may see, newest first,
// with the names of the curators on it.
func (s *Service) Requests(ctx context.Context, orgID string, v Viewer, f RequestFilter) ([]Request, map[string]string, error) {
	if !v.SeesAll {
		if f.CuratorID != "" && f.CuratorID != v.UserID {
			return []Request{}, map[string]string{}, nil
		}
		f.CuratorID = v.UserID
	}
	rows, err := s.store.ListRequests(ctx, s.DB, orgID, f)
	if err != nil {
		return nil, nil, err
	}
	var people []string
	for _, r := range rows {
		if r.CuratorID != nil && !slices.Contains(people, *r.CuratorID) {
			people = append(people, *r.CuratorID)
		}
	}
	names, err := s.people.Names(ctx, orgID, people)
	return rows, names, err
}

// RaisedRequest is a refund request as quality sampling sees it.
type RaisedRequest struct {
	ID           string
	StudentID    string
	EnrollmentID *string
	CuratorID    *string // the student's curator when the request was raised
	RequestedAt  time.Time
}

// RequestsRaised lists the requests raised in [from, to), oldest first;
// those recorded only because a refund arrived without one are left out.
func (s *Service) RequestsRaised(ctx context.Context, orgID string, from, to time.Time) ([]RaisedRequest, error) {
	rows, err := s.store.RequestsBetween(ctx, s.DB, orgID, "requested_at", from, to)
	if err != nil {
		return nil, err
	}
	out := make([]RaisedRequest, 0, len(rows))
	for _, r := range rows {
		if r.RaisedByKind != RaisedByLedger {
			out = append(out, RaisedRequest{ID: r.ID, StudentID: r.StudentID, EnrollmentID: r.EnrollmentID, CuratorID: r.CuratorID, RequestedAt: r.RequestedAt})
		}
	}
	return out, nil
}

// StaffNames gives the display names of the school's staff among ids.
func (s *Service) StaffNames(ctx context.Context, orgID string, ids []string) (map[string]string, error) {
	return s.people.Names(ctx, orgID, ids)
}
