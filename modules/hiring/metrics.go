package hiring

import (
	"context"
	"sort"
	"time"

	"github.com/curatorops/curatorops/modules/platform/clock"
)

// RetentionDays is the horizon of the retention of hires.
const RetentionDays = 90

// Ratio is a figure with its numerator and denominator; Percent is nil when
// the denominator is 0.
type Ratio struct {
	Numerator, Denominator int
	Percent                *float64
}

func ratio(num, den int) Ratio {
	r := Ratio{Numerator: num, Denominator: den}
	if den > 0 {
		v := float64(num) * 100 / float64(den)
		r.Percent = &v
	}
	return r
}

// TimeToHire is the days from application to hire over the hires of a
// period.
type TimeToHire struct {
	Hires      int
	MeanDays   *float64
	MedianDays *float64
	// TotalDays is the sum of the hires' days: MeanDays = TotalDays / Hires.
	TotalDays float64
}

// StageConversion is how many applications that reached the previous stage
// reached this one.
type StageConversion struct {
	Stage Stage
	// Reached counts the period's applications that ever entered the stage.
	Reached int
	// FromPrevious is (reached this and the previous stage) / (reached
	// the previous stage); nil for the first stage.
	FromPrevious *Ratio
	// FromApplied is Reached / the period's applications.
	FromApplied Ratio
}

// SourceFigures are one source's applications of a period and what became of them.
type SourceFigures struct {
	Source       string
	Applications int
	Hired        int
	HireRate     Ratio
}

// QuarterTurnover is one calendar quarter's curator turnover.
type QuarterTurnover struct {
	Quarter string // "2026-Q1"
	// Turnover is (curators at the quarter's start who left during it) /
	// (curators at the quarter's start).
	Turnover Ratio
}

// Metrics are the hiring figures of a period [From, To).
type Metrics struct {
	From, To        time.Time
	Applications    int
	TimeToHire      TimeToHire
	Conversion      []StageConversion
	Sources         []SourceFigures
	OfferAcceptance Ratio
	Retention90     Ratio
	Turnover        []QuarterTurnover
}

// Metrics computes the hiring figures of [from, to) as docs/hiring.md
// defines them.
func (s *Service) Metrics(ctx context.Context, orgID string, from, to time.Time) (*Metrics, error) {
	if err := clock.CheckPeriod(from, to); err != nil {
		return nil, err
	}
	stages, err := s.Stages(ctx, orgID)
	if err != nil {
		return nil, err
	}
	apps, err := s.store.AllApplications(ctx, s.DB, orgID, "")
	if err != nil {
		return nil, err
	}
	moves, err := s.store.AllMoves(ctx, s.DB, orgID)
	if err != nil {
		return nil, err
	}
	offers, err := s.store.Offers(ctx, s.DB, orgID, "")
	if err != nil {
		return nil, err
	}
	tenures, err := s.accounts.Tenures(ctx, orgID)
	if err != nil {
		return nil, err
	}
	now := s.Now()
	m := &Metrics{From: from, To: to}
	cohort := appsCreatedIn(apps, from, to)
	m.Applications = len(cohort)
	hired := stageOfKind(stages, KindHired)
	m.TimeToHire = timeToHire(apps, moves, hired.ID, from, to)
	m.Conversion = conversion(stages, cohort, moves)
	m.Sources = sources(cohort, moves, hired.ID)
	m.OfferAcceptance = offerAcceptance(offers, from, to, now)
	m.Retention90 = retention(offers, tenures, from, to, now)
	m.Turnover = turnover(tenures, from, to)
	return m, nil
}

func appsCreatedIn(apps []Application, from, to time.Time) map[string]Application {
	out := map[string]Application{}
	for _, a := range apps {
		if !a.CreatedAt.Before(from) && a.CreatedAt.Before(to) {
			out[a.ID] = a
		}
	}
	return out
}

// timeToHire measures, for every move into hired within [from, to), the
// days from the application's creation to that move.
func timeToHire(apps []Application, moves []StageMove, hiredID string, from, to time.Time) TimeToHire {
	created := map[string]time.Time{}
	for _, a := range apps {
		created[a.ID] = a.CreatedAt
	}
	var days []float64
	out := TimeToHire{}
	for _, mv := range moves {
		if mv.ToStageID != hiredID || mv.MovedAt.Before(from) || !mv.MovedAt.Before(to) {
			continue
		}
		d := mv.MovedAt.Sub(created[mv.ApplicationID]).Hours() / 24
		days = append(days, d)
		out.TotalDays += d
	}
	out.Hires = len(days)
	if len(days) == 0 {
		return out
	}
	mean := out.TotalDays / float64(len(days))
	sort.Float64s(days)
	median := days[len(days)/2]
	if len(days)%2 == 0 {
		median = (days[len(days)/2-1] + days[len(days)/2]) / 2
	}
	out.MeanDays, out.MedianDays = &mean, &median
	return out
}

// reachedStages returns, per application, the stages it ever entered.
func reachedStages(moves []StageMove) map[string]map[string]bool {
	out := map[string]map[string]bool{}
	for _, mv := range moves {
		if out[mv.ApplicationID] == nil {
			out[mv.ApplicationID] = map[string]bool{}
		}
		out[mv.ApplicationID][mv.ToStageID] = true
	}
	return out
}

// conversion follows the period's applications along the forward stages
// (every stage but rejected and reserve) in board order.
func conversion(stages []Stage, cohort map[string]Application, moves []StageMove) []StageConversion {
	reached := reachedStages(moves)
	out := []StageConversion{}
	var prev *Stage
	for i := range stages {
		st := stages[i]
		if st.Kind == KindRejected || st.Kind == KindReserve {
			continue
		}
		c := StageConversion{Stage: st}
		both := 0
		prevReached := 0
		for id := range cohort {
			if reached[id][st.ID] {
				c.Reached++
			}
			if prev != nil && reached[id][prev.ID] {
				prevReached++
				if reached[id][st.ID] {
					both++
				}
			}
		}
		c.FromApplied = ratio(c.Reached, len(cohort))
		if prev != nil {
			r := ratio(both, prevReached)
			c.FromPrevious = &r
		}
		out = append(out, c)
		prev = &stages[i]
	}
	return out
}

// sources counts the period's applications and hires per source.
func sources(cohort map[string]Application, moves []StageMove, hiredID string) []SourceFigures {
	reached := reachedStages(moves)
	bySource := map[string]*SourceFigures{}
	for id, a := range cohort {
		f := bySource[a.Source]
		if f == nil {
			f = &SourceFigures{Source: a.Source}
			bySource[a.Source] = f
		}
		f.Applications++
		if reached[id][hiredID] {
			f.Hired++
		}
	}
	out := []SourceFigures{}
	for _, src := range []string{SourceJobSite, SourceReferral, SourceFormerStudent, SourceReserve, SourceOther} {
		if f := bySource[src]; f != nil {
			f.HireRate = ratio(f.Hired, f.Applications)
			out = append(out, *f)
		}
	}
	return out
}

// offerAcceptance is accepted / answered-or-expired over the offers made in
// [from, to); open offers and withdrawn ones are left out.
func offerAcceptance(offers []Offer, from, to, now time.Time) Ratio {
	accepted, decided := 0, 0
	for _, o := range offers {
		if o.CreatedAt.Before(from) || !o.CreatedAt.Before(to) {
			continue
		}
		switch o.State(now) {
		case OfferAccepted:
			accepted++
			decided++
		case OfferDeclined, "expired":
			decided++
		}
	}
	return ratio(accepted, decided)
}

// retention counts the hires (accepted offers) starting in [from, to)
// whose 90th day has passed, and how many of them were still curators on
// it.
func retention(offers []Offer, tenures []Tenure, from, to, now time.Time) Ratio {
	left := map[string]*time.Time{}
	for _, t := range tenures {
		left[t.UserID] = t.LeftAt
	}
	kept, hires := 0, 0
	for _, o := range offers {
		if o.Status != OfferAccepted || o.UserID == nil {
			continue
		}
		start, err := time.ParseInLocation(time.DateOnly, o.StartDate, time.UTC)
		if err != nil || start.Before(from) || !start.Before(to) {
			continue
		}
		horizon := start.AddDate(0, 0, RetentionDays)
		if horizon.After(now) {
			continue
		}
		hires++
		if l := left[*o.UserID]; l == nil || !l.Before(horizon) {
			kept++
		}
	}
	return ratio(kept, hires)
}

// turnover computes, for every calendar quarter that starts in [from, to),
// the share of the curators at its start who left during it.
func turnover(tenures []Tenure, from, to time.Time) []QuarterTurnover {
	out := []QuarterTurnover{}
	for q := quarterStart(from); q.Before(to); q = q.AddDate(0, 3, 0) {
		if q.Before(from) {
			continue
		}
		end := q.AddDate(0, 3, 0)
		atStart, leavers := 0, 0
		for _, t := range tenures {
			if !t.JoinedAt.Before(q) || (t.LeftAt != nil && t.LeftAt.Before(q)) {
				continue
			}
			atStart++
			if t.LeftAt != nil && t.LeftAt.Before(end) {
				leavers++
			}
		}
		out = append(out, QuarterTurnover{Quarter: q.Format("2006") + "-Q" + string(rune('1'+int(q.Month()-1)/3)), Turnover: ratio(leavers, atStart)})
	}
	return out
}

func quarterStart(t time.Time) time.Time {
	t = t.UTC()
	return time.Date(t.Year(), time.Month((int(t.Month())-1)/3*3+1), 1, 0, 0, 0, 0, time.UTC)
}
