package school

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/database"
	"github.com/curatorops/curatorops/modules/platform/errs"
	"github.com/curatorops/curatorops/modules/platform/events"
	"github.com/curatorops/curatorops/modules/platform/validate"
)

// DefaultSource names records that arrive from the LMS without a source.
const DefaultSource = "lms"

// EventHandlers returns the handlers of the school-data events the LMS
// sends; the server registers them with the integration inbox.
func (s *Service) EventHandlers() map[string]events.Handler {
	return map[string]events.Handler{
		"student.upserted":    s.handleStudentUpserted,
		"enrollment.upserted": s.handleEnrollmentUpserted,
		"order.paid":          s.handleOrderPaid,
		"order.refunded":      s.handleOrderRefunded,
	}
}

func sourceOr(src string) string {
	if strings.TrimSpace(src) == "" {
		return DefaultSource
	}
	return src
}

func ext(source, externalID string) External {
	return External{Source: &source, ExternalID: &externalID}
}

// --- student.upserted

type studentEvent struct {
	ExternalID string  `json:"external_id"`
	Source     string  `json:"source"`
	FullName   string  `json:"full_name"`
	Email      *string `json:"email"`
	Telegram   *string `json:"telegram"`
	Phone      *string `json:"phone"`
	BirthDate  *string `json:"birth_date"`
}

func (s *Service) handleStudentUpserted(ctx context.Context, tx bun.IDB, ev events.Inbound) error {
	var d studentEvent
	if err := events.DecodeData(ev.Data, &d); err != nil {
		return err
	}
	if err := events.Required("external_id", d.ExternalID, "full_name", d.FullName); err != nil {
		return err
	}
	in := StudentInput{FullName: d.FullName, Email: d.Email, Telegram: d.Telegram, Phone: d.Phone, BirthDate: d.BirthDate,
		External: ext(sourceOr(d.Source), d.ExternalID)}
	if err := s.checkStudent(in, fromEvent); err != nil {
		return err
	}
	existing, err := s.store.StudentByExternalID(ctx, tx, ev.OrgID, *in.Source, d.ExternalID)
	switch {
	case errors.Is(err, errs.ErrNotFound):
		return s.insertStudent(ctx, tx, s.newStudent(ev.OrgID, in))
	case err != nil:
		return err
	case existing.ErasedAt != nil:
		return errs.Invalid("data.external_id", "this student's personal data was erased; it is not taken again")
	}
	_, err = s.applyStudent(ctx, tx, database.Loaded(existing), existing.Version, in)
	return err
}

// --- enrollment.upserted

type enrollmentEvent struct {
	ExternalID        string     `json:"external_id"`
	Source            string     `json:"source"`
	StudentExternalID string     `json:"student_external_id"`
	CohortExternalID  string     `json:"cohort_external_id"`
	Tariff            *string    `json:"tariff"`
	Status            *string    `json:"status"`
	CuratorEmail      *string    `json:"curator_email"`
	EnrolledAt        *time.Time `json:"enrolled_at"`
}

func (s *Service) handleEnrollmentUpserted(ctx context.Context, tx bun.IDB, ev events.Inbound) error {
	var d enrollmentEvent
	if err := events.DecodeData(ev.Data, &d); err != nil {
		return err
	}
	if err := events.Required("external_id", d.ExternalID, "student_external_id", d.StudentExternalID, "cohort_external_id", d.CohortExternalID); err != nil {
		return err
	}
	if err := fromEvent.check(s.Now(), enrollmentFields{Tariff: d.Tariff, Status: d.Status}); err != nil {
		return err
	}
	src := sourceOr(d.Source)
	st, err := s.store.StudentByExternalID(ctx, tx, ev.OrgID, src, d.StudentExternalID)
	if err != nil {
		return unknownRef(err, "data.student_external_id", "no student with this external id; send student.upserted first")
	}
	cohort, err := s.store.CohortByExternalID(ctx, tx, ev.OrgID, src, d.CohortExternalID)
	if err != nil {
		return unknownRef(err, "data.cohort_external_id", "no cohort with this external id")
	}
	curatorID, err := s.curatorByEmail(ctx, ev.OrgID, d.CuratorEmail, fromEvent)
	if err != nil {
		return err
	}
	existing, err := s.store.EnrollmentByExternalID(ctx, tx, ev.OrgID, src, d.ExternalID)
	if errors.Is(err, errs.ErrNotFound) {
		in := EnrollmentInput{StudentID: st.ID, CohortID: cohort.ID, Tariff: deref(d.Tariff), Status: deref(d.Status),
			CuratorID: curatorID, EnrolledAt: d.EnrolledAt, External: ext(src, d.ExternalID)}
		if in.EnrolledAt == nil {
			in.EnrolledAt = &ev.OccurredAt
		}
		_, err = s.createEnrollment(ctx, tx, ev.OrgID, in, fromEvent)
		return err
	}
	if err != nil {
		return err
	}
	if curatorID != nil && d.CuratorEmail != nil && (existing.CuratorID == nil || *existing.CuratorID != *curatorID) {
		if err := s.checkGate(ctx, ev.OrgID, *curatorID); err != nil {
			return err
		}
	}
	_, err = s.saveEnrollment(ctx, tx, database.Loaded(existing), existing.Version, func(e *Enrollment) string {
		database.SetIf(&e.Tariff, d.Tariff)
		database.SetIf(&e.Status, d.Status)
		if d.CuratorEmail != nil {
			e.CuratorID = curatorID
		}
		return "changed in the LMS"
	})
	return err
}

// curatorByEmail finds the active curator with the email; an empty or absent
// email means none.
func (s *Service) curatorByEmail(ctx context.Context, orgID string, email *string, from origin) (*string, error) {
	if email == nil || strings.TrimSpace(*email) == "" {
		return nil, nil
	}
	if !validate.IsSingleLine(*email) || len(*email) > 254 {
		return nil, errs.Invalid(from.at("curator_email"), "no active curator of this school has this email")
	}
	id, err := s.identity.CuratorIDByEmail(ctx, orgID, *email)
	if errors.Is(err, errs.ErrNotFound) {
		return nil, errs.Invalid(from.at("curator_email"), "no active curator of this school has this email")
	}
	if err != nil {
		return nil, err
	}
	return &id, nil
}

// --- order.paid

type orderEvent struct {
	ExternalID        string     `json:"external_id"`
	Source            string     `json:"source"`
	StudentExternalID string     `json:"student_external_id"`
	ProductExternalID *string    `json:"product_external_id"`
	CohortExternalID  *string    `json:"cohort_external_id"`
	Amount            int64      `json:"amount"`
	Currency          string     `json:"currency"`
	PaymentMethod     string     `json:"payment_method"`
	InstalmentMonths  int        `json:"instalment_months"`
	PaidAt            *time.Time `json:"paid_at"`
}

func (s *Service) handleOrderPaid(ctx context.Context, tx bun.IDB, ev events.Inbound) error {
	var d orderEvent
	if err := events.DecodeData(ev.Data, &d); err != nil {
		return err
	}
	if err := events.Required("external_id", d.ExternalID, "student_external_id", d.StudentExternalID, "currency", d.Currency, "payment_method", d.PaymentMethod); err != nil {
		return err
	}
	src := sourceOr(d.Source)
	in := OrderInput{Amount: d.Amount, Currency: d.Currency, PaymentMethod: d.PaymentMethod, InstalmentMonths: d.InstalmentMonths,
		PaidAt: ev.OccurredAt, External: ext(src, d.ExternalID)}
	if d.PaidAt != nil {
		in.PaidAt = *d.PaidAt
	}
	st, err := s.store.StudentByExternalID(ctx, tx, ev.OrgID, src, d.StudentExternalID)
	if err != nil {
		return unknownRef(err, "data.student_external_id", "no student with this external id; send student.upserted first")
	}
	in.StudentID = st.ID
	if d.ProductExternalID != nil {
		p, err := s.store.ProductByExternalID(ctx, tx, ev.OrgID, src, *d.ProductExternalID)
		if err != nil {
			return unknownRef(err, "data.product_external_id", "no product with this external id")
		}
		in.ProductID = &p.ID
	}
	if d.CohortExternalID != nil {
		c, err := s.store.CohortByExternalID(ctx, tx, ev.OrgID, src, *d.CohortExternalID)
		if err != nil {
			return unknownRef(err, "data.cohort_external_id", "no cohort with this external id")
		}
		in.CohortID = &c.ID
	}
	_, _, err = s.recordOrder(ctx, tx, ev.OrgID, in, fromEvent)
	return err
}

// --- order.refunded

type refundEvent struct {
	ExternalID      string     `json:"external_id"`
	Source          string     `json:"source"`
	OrderExternalID string     `json:"order_external_id"`
	Amount          int64      `json:"amount"`
	RefundedAt      *time.Time `json:"refunded_at"`
	Reason          string     `json:"reason"`
}

func (s *Service) handleOrderRefunded(ctx context.Context, tx bun.IDB, ev events.Inbound) error {
	var d refundEvent
	if err := events.DecodeData(ev.Data, &d); err != nil {
		return err
	}
	if err := events.Required("external_id", d.ExternalID, "order_external_id", d.OrderExternalID); err != nil {
		return err
	}
	src := sourceOr(d.Source)
	o, err := s.store.OrderByExternalID(ctx, tx, ev.OrgID, src, d.OrderExternalID)
	if err != nil {
		return unknownRef(err, "data.order_external_id", "no order with this external id")
	}
	in := RefundInput{Amount: d.Amount, RefundedAt: ev.OccurredAt, Reason: d.Reason, External: ext(src, d.ExternalID)}
	if d.RefundedAt != nil {
		in.RefundedAt = *d.RefundedAt
	}
	r, created, err := s.recordRefund(ctx, tx, ev.OrgID, o.ID, in, fromEvent)
	if err != nil || !created {
		return err
	}
	return s.refundRecorded(ctx, tx, o, r)
}

func oneOf(v string, allowed ...string) bool {
	for _, a := range allowed {
		if v == a {
			return true
		}
	}
	return false
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}
