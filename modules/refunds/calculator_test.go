package refunds

import (
	"testing"
	"time"
)

func day(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

// course is a 6-module course order on a cohort of 150 days (1 February
// to 30 June 2026).
func course(amount int64) Order {
	return Order{ID: "o", Amount: amount, Currency: "RUB", PaymentMethod: "card", PaidAt: day("2026-01-20T10:00:00Z"),
		CohortStartsOn: "2026-02-01", CohortEndsOn: "2026-06-30", ModuleCount: 6}
}

var fee = []NonRefundableCost{{Title: "Комиссия платёжной системы", Amount: 150_000}}

// TestCalculateMatchesHandCounts: every figure below was worked out by
// hand, to the kopeck.
func TestCalculateMatchesHandCounts(t *testing.T) {
	instalments := course(6_990_000)
	instalments.PaymentMethod, instalments.InstalmentMonths, instalments.PaidAt = "instalment", 6, day("2026-01-15T09:00:00Z")
	refundedBefore := course(6_990_000)
	refundedBefore.Refunded = 1_000_000
	odd := course(1_000_000)
	odd.PaymentMethod, odd.InstalmentMonths = "instalment", 3

	cases := []struct {
		name       string
		order      Order
		terms      OfferTerms
		asOf       string
		opened     int
		paid       int64
		used       int64
		refundable int64
		rule       string
		parts      [2]int
		cancelled  int64
	}{
		// Within 14 days of payment: all of it, less the fee.
		{"full within the window", course(4_990_000), OfferTerms{14, ProRataModules, fee}, "2026-01-30T12:00:00Z", 3,
			4_990_000, 0, 4_840_000, RuleFull, [2]int{}, 0},
		// 1 Feb → 20 Mar 12:00 is 47 whole days of 150: 4 990 000 × 47 / 150
		// = 1 563 533.33, rounded down to 1 563 533; 4 990 000 − 1 563 533
		// − 150 000 = 3 276 467.
		{"pro rata by days", course(4_990_000), OfferTerms{14, ProRataDays, fee}, "2026-03-20T12:00:00Z", 0,
			4_990_000, 1_563_533, 3_276_467, RuleDays, [2]int{}, 0},
		// 2 of 6 modules: 6 990 000 × 2 / 6 = 2 330 000 used; 1 000 000
		// refunded already: 6 990 000 − 2 330 000 − 1 000 000 = 3 660 000.
		{"pro rata by modules, refunded before", refundedBefore, OfferTerms{14, ProRataModules, nil}, "2026-03-20T12:00:00Z", 2,
			6_990_000, 2_330_000, 3_660_000, RuleModules, [2]int{}, 0},
		// Six monthly parts of 1 165 000 from 15 January: 15 Jan, 15 Feb
		// and 15 Mar are due by 20 March, 3 495 000 paid; 1 of 6 modules
		// used, 1 165 000; refundable 2 330 000; 3 495 000 not collected.
		{"instalments", instalments, OfferTerms{14, ProRataModules, nil}, "2026-03-20T12:00:00Z", 1,
			3_495_000, 1_165_000, 2_330_000, RuleModules, [2]int{3, 6}, 3_495_000},
		// Three parts of 333 333 from 20 January: 20 Jan and 20 Feb are
		// due by 10 March, 666 666 paid; 31 of 150 days used, 1 000 000 ×
		// 31 / 150 = 206 666.67 → 206 666; 666 666 − 206 666 = 460 000.
		{"instalments with a remainder", odd, OfferTerms{14, ProRataDays, nil}, "2026-03-04T00:00:00Z", 0,
			666_666, 206_666, 460_000, RuleDays, [2]int{2, 3}, 333_334},
		// The last part takes the remainder: all three due, all paid.
		{"instalments all paid", odd, OfferTerms{14, ProRataDays, nil}, "2026-04-01T00:00:00Z", 0,
			1_000_000, 393_333, 606_667, RuleDays, [2]int{3, 3}, 0},
		// No pro rata after the window: nothing is refundable.
		{"no refund after the window", course(4_990_000), OfferTerms{14, ProRataNone, nil}, "2026-03-01T00:00:00Z", 0,
			4_990_000, 4_990_000, 0, RuleNone, [2]int{}, 0},
		// Costs above what is left never make the refund negative.
		{"never below zero", course(100_000), OfferTerms{0, ProRataModules, fee}, "2026-03-01T00:00:00Z", 0,
			100_000, 0, 0, RuleModules, [2]int{}, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := Calculate(c.order, c.terms, day(c.asOf), c.opened)
			if got.Paid != c.paid || got.Refundable != c.refundable || got.Rule != c.rule {
				t.Errorf("paid %d, refundable %d, rule %s; want %d, %d, %s", got.Paid, got.Refundable, got.Rule, c.paid, c.refundable, c.rule)
			}
			if got.InstalmentsPaid != c.parts[0] || got.InstalmentsTotal != c.parts[1] || got.InstalmentsStop != c.cancelled {
				t.Errorf("instalments %d of %d, %d cancelled; want %d of %d, %d", got.InstalmentsPaid, got.InstalmentsTotal, got.InstalmentsStop,
					c.parts[0], c.parts[1], c.cancelled)
			}
			var used, sum int64
			for _, l := range got.Lines {
				sum += l.Amount
				if l.Kind == LineUsed {
					used = -l.Amount
				}
			}
			if used != c.used {
				t.Errorf("used line %d, want %d", used, c.used)
			}
			if want := max(sum, 0); got.Refundable != min(want, got.Ceiling) {
				t.Errorf("the lines add up to %d but the refundable amount is %d", sum, got.Refundable)
			}
			if got.Refundable > got.Paid-c.order.Refunded {
				t.Errorf("refundable %d exceeds paid %d minus refunded %d", got.Refundable, got.Paid, c.order.Refunded)
			}
		})
	}
}
