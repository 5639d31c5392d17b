package refunds

import (
	"context"
	"fmt"
	"time"
)

// Calculation line kinds: what was paid (positive), then what is kept
// (negative).
const (
	LinePaid            = "paid"
	LineUsed            = "used"
	LineCost            = "cost"
	LineAlreadyRefunded = "already_refunded"
)

// Rules a calculation applied to what was used.
const (
	RuleFull    = "full"
	RuleDays    = ProRataDays
	RuleModules = ProRataModules
	RuleNone    = ProRataNone
)

// CalculationLine is one itemised line of a calculation, in minor units: positive
// for what was paid, negative for what the school keeps.
type CalculationLine struct {
	Kind   string `json:"kind" enum:"paid,used,cost,already_refunded" doc:"paid is money received; used, cost and already_refunded are subtracted."`
	Title  string `json:"title" doc:"The line as the student's statement shows it."`
	Amount int64  `json:"amount" doc:"Minor units (kopecks); negative for what is kept."`
}

// RefundCalculation is the refundable amount of an order at a moment, from the
// offer terms, itemised.
type RefundCalculation struct {
	AsOf             time.Time         `json:"as_of"`
	OfferTerms       OfferTerms        `json:"terms"`
	Price            int64             `json:"price" doc:"The order's amount, in minor units."`
	Paid             int64             `json:"paid" doc:"What the school has actually received: for an instalment order, the instalments due by as_of."`
	InstalmentsPaid  int               `json:"instalments_paid" doc:"0 for an order paid at once."`
	InstalmentsTotal int               `json:"instalments_total" doc:"0 for an order paid at once."`
	InstalmentsStop  int64             `json:"instalments_cancelled" doc:"Instalments not yet due, which the refund cancels instead of collecting; minor units."`
	Rule             string            `json:"rule" enum:"full,days,modules,none" doc:"full within the full-refund window; otherwise the terms' pro-rata rule."`
	UsedNumerator    int               `json:"used_numerator" doc:"Days elapsed or modules opened."`
	UsedDenominator  int               `json:"used_denominator" doc:"Days of the cohort or modules of the course; 0 when the rule counts nothing."`
	Lines            []CalculationLine `json:"lines"`
	Refundable       int64             `json:"refundable" doc:"The sum of the lines, never below 0 nor above paid minus already refunded."`
	Ceiling          int64             `json:"ceiling" doc:"Paid minus already refunded: no refund may exceed it."`
}

// Calculate works out what of order o is refundable at asOf under terms t,
// the student having opened modulesOpened modules. It is pure: the same
// inputs give the same kopecks.
//
// Paid is what was received: the whole amount, or for an instalment plan
// the equal monthly parts due by asOf (the last part takes the rounding
// remainder). Within FullRefundDays of payment nothing counts as used.
// After it, "days" counts whole days from the cohort's start to asOf over
// the cohort's days, and "modules" the modules opened over the course's
// modules; the used share is of the full price, rounded down in the
// student's favour. The documented costs and earlier refunds are
// subtracted; the result is never negative.
func Calculate(o Order, t OfferTerms, asOf time.Time, modulesOpened int) RefundCalculation {
	c := RefundCalculation{AsOf: asOf.UTC(), OfferTerms: t, Price: o.Amount, Rule: t.ProRata}
	c.Paid, c.InstalmentsPaid, c.InstalmentsTotal = paidBy(o, asOf)
	c.InstalmentsStop = o.Amount - c.Paid
	c.Lines = append(c.Lines, CalculationLine{Kind: LinePaid, Title: paidTitle(c), Amount: c.Paid})
	var used int64
	if asOf.Before(o.PaidAt.AddDate(0, 0, t.FullRefundDays)) {
		c.Rule = RuleFull
	} else {
		c.UsedNumerator, c.UsedDenominator = usedShare(o, t.ProRata, asOf, modulesOpened)
		if c.UsedDenominator > 0 {
			used = o.Amount * int64(c.UsedNumerator) / int64(c.UsedDenominator)
		} else if t.ProRata == ProRataNone {
			used = o.Amount
		}
	}
	c.Lines = append(c.Lines, CalculationLine{Kind: LineUsed, Title: usedTitle(c), Amount: -used})
	total := c.Paid - used
	for _, cost := range t.Costs {
		c.Lines = append(c.Lines, CalculationLine{Kind: LineCost, Title: cost.Title, Amount: -cost.Amount})
		total -= cost.Amount
	}
	if o.Refunded > 0 {
		c.Lines = append(c.Lines, CalculationLine{Kind: LineAlreadyRefunded, Title: "Уже возвращено", Amount: -o.Refunded})
		total -= o.Refunded
	}
	c.Ceiling = max(c.Paid-o.Refunded, 0)
	c.Refundable = min(max(total, 0), c.Ceiling)
	return c
}

// paidBy is what was received of o by asOf, with the instalments paid and
// planned (0 and 0 for an order paid at once).
func paidBy(o Order, asOf time.Time) (paid int64, parts, total int) {
	if o.InstalmentMonths < 2 {
		return o.Amount, 0, 0
	}
	n := o.InstalmentMonths
	for parts < n && !o.PaidAt.AddDate(0, parts, 0).After(asOf) {
		parts++
	}
	if parts == n {
		return o.Amount, n, n
	}
	return o.Amount / int64(n) * int64(parts), parts, n
}

// usedShare is the used share of the offer as numerator and denominator;
// 0/0 when the rule counts nothing (none, or no cohort dates or modules).
func usedShare(o Order, rule string, asOf time.Time, modulesOpened int) (int, int) {
	switch rule {
	case ProRataDays:
		start, err1 := time.Parse(time.DateOnly, o.CohortStartsOn)
		end, err2 := time.Parse(time.DateOnly, o.CohortEndsOn)
		if err1 != nil || err2 != nil || end.Before(start) {
			return 0, 0
		}
		total := int(end.Sub(start).Hours()/24) + 1
		elapsed := 0
		if asOf.After(start) {
			elapsed = int(asOf.Sub(start).Hours() / 24)
		}
		return min(elapsed, total), total
	case ProRataModules:
		if o.ModuleCount == 0 {
			return 0, 0
		}
		return min(max(modulesOpened, 0), o.ModuleCount), o.ModuleCount
	}
	return 0, 0
}

func paidTitle(c RefundCalculation) string {
	if c.InstalmentsTotal == 0 {
		return "Оплачено"
	}
	return fmt.Sprintf("Оплачено частями: %d из %d платежей", c.InstalmentsPaid, c.InstalmentsTotal)
}

func usedTitle(c RefundCalculation) string {
	switch {
	case c.Rule == RuleFull:
		return fmt.Sprintf("Полный возврат в течение %d дней после оплаты", c.OfferTerms.FullRefundDays)
	case c.Rule == RuleNone:
		return "Возврат после окончания срока полного возврата не предусмотрен"
	case c.UsedDenominator == 0:
		return "Использованная часть не определена: нет дат потока или модулей курса"
	case c.Rule == RuleDays:
		return fmt.Sprintf("Прошло дней обучения: %d из %d", c.UsedNumerator, c.UsedDenominator)
	default:
		return fmt.Sprintf("Открыто модулей: %d из %d", c.UsedNumerator, c.UsedDenominator)
	}
}

// termsFor returns the terms of the order's product, else the school's.
func (s *Service) termsFor(ctx context.Context, orgID string, o *Order) (OfferTerms, error) {
	if o.ProductID != nil {
		t, err := s.store.ProductTerms(ctx, s.DB, orgID, *o.ProductID)
		if err != nil {
			return OfferTerms{}, err
		}
		if t != nil {
			return t.OfferTerms(), nil
		}
	}
	st, err := s.store.Settings(ctx, s.DB, orgID)
	if err != nil {
		return OfferTerms{}, err
	}
	return st.OfferTerms(), nil
}

// CalculateOrder works out the refundable amount of an order at asOf; a
// nil modulesOpened counts the modules the student handed homework in for.
func (s *Service) CalculateOrder(ctx context.Context, orgID, orderID string, asOf time.Time, modulesOpened *int) (*RefundCalculation, error) {
	o, err := s.school.Order(ctx, orgID, orderID)
	if err != nil {
		return nil, err
	}
	return s.calculate(ctx, orgID, o, asOf, modulesOpened)
}

func (s *Service) calculate(ctx context.Context, orgID string, o *Order, asOf time.Time, modulesOpened *int) (*RefundCalculation, error) {
	t, err := s.termsFor(ctx, orgID, o)
	if err != nil {
		return nil, err
	}
	opened := 0
	if modulesOpened != nil {
		opened = *modulesOpened
	} else if o.CohortID != nil {
		work, err := s.homework.StudentHomework(ctx, orgID, o.StudentID, *o.CohortID)
		if err != nil {
			return nil, err
		}
		opened = modulesReached(work)
	}
	c := Calculate(*o, t, asOf, opened)
	return &c, nil
}
