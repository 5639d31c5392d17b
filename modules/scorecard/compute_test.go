package scorecard

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/curatorops/curatorops/modules/platform/clock"
)

// fakes answer the scorecard's ports from memory, so that the figures the
// fixture of scorecard_test.go cannot reach (response clocks, reviews,
// cases, conversation quality) are checked against numbers worked out by
// hand.
type fakes struct {
	responses []Response
	reviews   []Review
	checks    []Check
	cases     []CollectedCase
	quality   []CuratorQuality
}

func (f *fakes) Scores(context.Context, string, time.Time, time.Time, func(Score)) error { return nil }
func (f *fakes) Ledger(context.Context, string, time.Time, time.Time) ([]Order, error) {
	return nil, nil
}
func (f *fakes) Enrollments(context.Context, string, []string) ([]Enrollment, error) { return nil, nil }
func (f *fakes) CuratorHistories(context.Context, string, []string) (map[string][]CuratorChange, error) {
	return nil, nil
}
func (f *fakes) Cohorts(context.Context, string) ([]Cohort, error) {
	return []Cohort{{ID: "c1", CourseID: "k1", Name: "Поток 1", StartsOn: "2026-01-10"}}, nil
}
func (f *fakes) CourseNames(context.Context, string) (map[string]string, error) {
	return map[string]string{"k1": "Курс"}, nil
}
func (f *fakes) CourseModules(context.Context, string, string) ([]Module, error) { return nil, nil }
func (f *fakes) Responses(_ context.Context, _ string, from, to time.Time, fn func(Response)) error {
	for _, r := range f.responses {
		if inPeriod(r.At, from, to) {
			fn(r)
		}
	}
	return nil
}
func (f *fakes) Reviews(_ context.Context, _ string, from, to time.Time, fn func(Review)) error {
	for _, r := range f.reviews {
		if inPeriod(r.At, from, to) {
			fn(r)
		}
	}
	return nil
}
func (f *fakes) Submitters(context.Context, string, []string) (map[string]map[string]struct{}, error) {
	return nil, nil
}
func (f *fakes) Checks(context.Context, string, time.Time, time.Time) ([]Check, error) {
	return f.checks, nil
}
func (f *fakes) Names(_ context.Context, _ string, ids []string) (map[string]string, error) {
	out := map[string]string{}
	for _, id := range ids {
		out[id] = "Куратор " + id
	}
	return out, nil
}
func (f *fakes) Location(context.Context, string) (*time.Location, error) { return time.UTC, nil }
func (f *fakes) CollectedCases(context.Context, string, time.Time, time.Time) ([]CollectedCase, error) {
	return f.cases, nil
}
func (f *fakes) CuratorScores(context.Context, string, time.Time, time.Time) ([]CuratorQuality, error) {
	return f.quality, nil
}

func at(d int) time.Time { return time.Date(2026, 1, d, 12, 0, 0, 0, time.UTC) }

func secs(h float64) *int64 { v := int64(h * 3600); return &v }

func TestFiguresFromTheOtherModules(t *testing.T) {
	x, y := "x", "y"
	f := &fakes{
		// X: answered in 1, 2, 3, 4 and 10 business hours, the last
		// breached; one open clock past due. Y: one answered in 5 hours.
		responses: []Response{
			{CuratorID: x, CohortID: "c1", CourseID: "k1", At: at(2), Item: true, Compliant: true, Seconds: secs(1)},
			{CuratorID: x, CohortID: "c1", CourseID: "k1", At: at(3), Item: true, Compliant: true, Seconds: secs(2)},
			{CuratorID: x, CohortID: "c1", CourseID: "k1", At: at(4), Item: true, Compliant: true, Seconds: secs(3)},
			{CuratorID: x, CohortID: "c1", CourseID: "k1", At: at(5), Item: true, Compliant: true, Seconds: secs(4)},
			{CuratorID: x, CohortID: "c1", CourseID: "k1", At: at(6), Item: true, Seconds: secs(10)},
			{CuratorID: x, CohortID: "c1", CourseID: "k1", At: at(7), Item: true},
			{CuratorID: y, CohortID: "c1", CourseID: "k1", At: at(8), Item: true, Compliant: true, Seconds: secs(5)},
			{CuratorID: "", At: at(9)}, // open, within target: counted nowhere
		},
		reviews: []Review{
			{ReviewerID: &x, CohortID: "c1", CourseID: "k1", At: at(3), Seconds: secs(20), InTime: true},
			{ReviewerID: &x, CohortID: "c1", CourseID: "k1", At: at(4), Seconds: secs(30)},
		},
		checks: []Check{{CuratorID: x, CohortID: "c1", CourseID: "k1", At: at(3), Percent: 80}, {CuratorID: x, CohortID: "c1", CourseID: "k1", At: at(4), Percent: 90}},
		cases: []CollectedCase{{ID: "1", CohortID: "c1", CourseID: "k1", CuratorID: &x, SubmittedAt: at(5)},
			{ID: "2", CohortID: "c1", CourseID: "k1", CuratorID: &x, Video: true, SubmittedAt: at(6)}},
		// 18 of 20 points over 2 reviews and 3 of 10 over 1.
		quality: []CuratorQuality{{CuratorID: x, Reviews: 2, Points: 18, MaxPoints: 20}, {CuratorID: y, Reviews: 1, Points: 3, MaxPoints: 10}},
	}
	svc := NewService(nil, clock.NewFixed(at(31)), nil, f, f, f, f, f)
	svc.UseCases(f)
	svc.UseConversationQuality(f)
	q := Query{From: at(1), To: at(31), Breakdown: ByCurator}

	sc, err := svc.School(context.Background(), "org", q)
	if err != nil {
		t.Fatal(err)
	}
	total := sc.Total.Period
	check := func(what, got, want string) {
		t.Helper()
		if got != want {
			t.Errorf("%s = %s, want %s", what, got, want)
		}
	}
	show := func(v *float64) string {
		if v == nil {
			return "null"
		}
		return fmt.Sprint(*v)
	}
	// Six answered times sorted: 1 2 3 4 5 10 — median rank ⌈0.5×6⌉ = 3,
	// p90 rank ⌈0.9×6⌉ = 6.
	check("median", show(total.ResponseTime.MedianHours), "3")
	check("p90", show(total.ResponseTime.P90Hours), "10")
	check("SLA", fmt.Sprintf("%d/%d %s", total.SLA.Numerator, total.SLA.Denominator, show(total.SLA.Percent)), "5/7 71.4")
	check("review median", show(total.ReviewTime.MedianHours), "20")
	check("reviews in time", show(total.ReviewInTime.Percent), "50")
	check("review quality", show(total.ReviewQuality.Score), "85")
	check("cases", fmt.Sprintf("%d %d %d", *total.Cases.Text, *total.Cases.Video, *total.Cases.Total), "1 1 2")
	check("conversation quality", fmt.Sprintf("%d %s", total.ConversationQuality.Reviews, show(total.ConversationQuality.Score)), "3 70")
	if len(sc.Notes) != 0 {
		t.Errorf("no notes with every port connected: %v", sc.Notes)
	}
	rows := map[string]Row{}
	for _, r := range sc.Rows {
		rows[r.Key] = r
	}
	check("X's median", show(rows[x].Period.ResponseTime.MedianHours), "3")
	check("X's SLA", show(rows[x].Period.SLA.Percent), "66.7")
	check("Y's SLA", show(rows[y].Period.SLA.Percent), "100")
	check("X's quality", show(rows[x].Period.ConversationQuality.Score), "90")
	check("Y's quality", show(rows[y].Period.ConversationQuality.Score), "30")
	check("rows (x, y and the clock charged to nobody)", fmt.Sprint(len(sc.Rows)), "3")
	check("X's name", *rows[x].CuratorName, "Куратор x")

	// By cohort, conversation quality has no meaning; without the ports,
	// cases and quality are null with a note.
	bare := NewService(nil, clock.NewFixed(at(31)), nil, f, f, f, f, f)
	byCohort, err := svc.School(context.Background(), "org", Query{From: at(1), To: at(31), Breakdown: ByCohort})
	if err != nil {
		t.Fatal(err)
	}
	if byCohort.Total.Period.ConversationQuality.Available || byCohort.Rows[0].Period.ConversationQuality.Score != nil {
		t.Errorf("conversation quality by cohort: %+v", byCohort.Total.Period.ConversationQuality)
	}
	none, err := bare.School(context.Background(), "org", q)
	if err != nil {
		t.Fatal(err)
	}
	if none.Total.Period.Cases.Total != nil || none.Total.Period.ConversationQuality.Score != nil || len(none.Notes) != 2 {
		t.Errorf("without the ports: %+v %+v %v", none.Total.Period.Cases, none.Total.Period.ConversationQuality, none.Notes)
	}
}

func TestCuratorAtTheMoment(t *testing.T) {
	x, y := "x", "y"
	history := []CuratorChange{{CuratorID: &x, At: at(5)}, {CuratorID: &y, Previous: &x, At: at(20)}}
	for _, c := range []struct {
		at   time.Time
		want string
	}{{at(1), "x"}, {at(5), "x"}, {at(19), "x"}, {at(20), "y"}, {at(30), "y"}} {
		got := curatorAt(history, &y, c.at)
		if got == nil || *got != c.want {
			t.Errorf("curator on %s = %v, want %s", c.at.Format(time.DateOnly), got, c.want)
		}
	}
	if got := curatorAt(nil, &y, at(1)); got == nil || *got != y {
		t.Errorf("without a history, the curator now: %v", got)
	}
}
