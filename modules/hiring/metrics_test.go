package hiring

import (
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/testkit"
)

func day(n int) time.Time { return t0.AddDate(0, 0, n) }

func TestMetricsEqualHandComputation(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *bun.DB) {
		f := newFixture(t, db)
		v := f.vacancy(orgA)
		reasons, err := f.svc.Reasons(f.ctx, orgA)
		f.must(err)
		apply := func(name, source string, at time.Time) *Application {
			f.clock.Set(at)
			a, err := f.svc.Apply(f.ctx, orgA, f.candidate(orgA, name, source).ID, v.ID, "")
			f.must(err)
			return a
		}
		walk := func(a *Application, keys ...string) *Application {
			for _, k := range keys {
				a = f.move(orgA, a, k, nil)
			}
			return a
		}
		// A: hired on day 10; B: rejected at screening; C: offer declined;
		// D: still applied.
		a := apply("a", SourceJobSite, day(0))
		b := apply("b", SourceJobSite, day(0))
		c := apply("c", SourceReferral, day(1))
		apply("d", SourceReferral, day(2))
		f.clock.Set(day(3))
		a = walk(a, "screening", "test_task", "interview")
		b = walk(b, "screening")
		f.move(orgA, b, "rejected", &reasons[0].ID)
		c = walk(c, "screening", "test_task", "interview")
		f.clock.Set(day(5))
		offerA, err := f.svc.CreateOffer(f.ctx, orgA, a.ID, OfferInput{StartDate: "2026-03-16", PayScheme: "KPI"})
		f.must(err)
		offerC, err := f.svc.CreateOffer(f.ctx, orgA, c.ID, OfferInput{StartDate: "2026-03-16", PayScheme: "KPI"})
		f.must(err)
		_, err = f.svc.CloseOffer(f.ctx, orgA, offerC.Offer.ID, OfferDeclined)
		f.must(err)
		f.clock.Set(day(10))
		accepted, err := f.svc.AcceptByLink(f.ctx, offerA.Token, "long-enough-password")
		f.must(err)

		m, err := f.svc.Metrics(f.ctx, orgA, time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC))
		f.must(err)
		if m.Applications != 4 || m.TimeToHire.Hires != 1 || *m.TimeToHire.MeanDays != 10 || *m.TimeToHire.MedianDays != 10 {
			t.Fatalf("applications %d, time to hire %+v", m.Applications, m.TimeToHire)
		}
		want := []struct {
			key               string
			reached, num, den int
		}{{"applied", 4, 0, 0}, {"screening", 3, 3, 4}, {"test_task", 2, 2, 3}, {"interview", 2, 2, 2}, {"offer", 2, 2, 2}, {"hired", 1, 1, 2}}
		if len(m.Conversion) != len(want) {
			t.Fatalf("%d conversion rows", len(m.Conversion))
		}
		for i, w := range want {
			got := m.Conversion[i]
			if got.Stage.Key != w.key || got.Reached != w.reached || got.FromApplied.Denominator != 4 {
				t.Errorf("%s: %+v", w.key, got)
			}
			if i == 0 {
				if got.FromPrevious != nil {
					t.Errorf("first stage has a previous ratio")
				}
				continue
			}
			if got.FromPrevious.Numerator != w.num || got.FromPrevious.Denominator != w.den {
				t.Errorf("%s from previous: %d/%d, want %d/%d", w.key, got.FromPrevious.Numerator, got.FromPrevious.Denominator, w.num, w.den)
			}
		}
		if len(m.Sources) != 2 || m.Sources[0].Source != SourceJobSite || m.Sources[0].Hired != 1 || *m.Sources[0].HireRate.Percent != 50 ||
			m.Sources[1].Applications != 2 || *m.Sources[1].HireRate.Percent != 0 {
			t.Fatalf("sources %+v", m.Sources)
		}
		if m.OfferAcceptance.Numerator != 1 || m.OfferAcceptance.Denominator != 2 {
			t.Fatalf("offer acceptance %+v", m.OfferAcceptance)
		}
		if m.Retention90.Denominator != 0 || m.Retention90.Percent != nil {
			t.Fatalf("retention before day 90: %+v", m.Retention90)
		}

		// Tenures: u1 stays; u2 leaves in Q1; the hire joins in March and
		// leaves on 1 May, before their 90th day (14 June).
		left2, left3 := time.Date(2026, 2, 10, 0, 0, 0, 0, time.UTC), time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
		f.accounts.tenures = []Tenure{
			{UserID: "u1", JoinedAt: time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)},
			{UserID: "u2", JoinedAt: time.Date(2025, 9, 1, 0, 0, 0, 0, time.UTC), LeftAt: &left2},
			{UserID: *accepted.Offer.UserID, JoinedAt: day(10), LeftAt: &left3},
		}
		f.clock.Set(time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC))
		m, err = f.svc.Metrics(f.ctx, orgA, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC))
		f.must(err)
		if m.Retention90.Numerator != 0 || m.Retention90.Denominator != 1 || *m.Retention90.Percent != 0 {
			t.Fatalf("retention %+v", m.Retention90)
		}
		if len(m.Turnover) != 2 || m.Turnover[0].Quarter != "2026-Q1" || m.Turnover[0].Turnover.Numerator != 1 || m.Turnover[0].Turnover.Denominator != 2 ||
			m.Turnover[1].Quarter != "2026-Q2" || m.Turnover[1].Turnover.Numerator != 1 || m.Turnover[1].Turnover.Denominator != 2 {
			t.Fatalf("turnover %+v", m.Turnover)
		}
		// Offers made in Q2: none, so the acceptance is empty, not 0.
		m, err = f.svc.Metrics(f.ctx, orgA, time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC))
		f.must(err)
		if m.OfferAcceptance.Percent != nil || m.TimeToHire.MeanDays != nil {
			t.Fatalf("empty period: %+v %+v", m.OfferAcceptance, m.TimeToHire)
		}
	})
}
