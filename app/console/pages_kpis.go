package console

import (
	"net/http"
	"strconv"
	"time"

	"github.com/curatorops/curatorops/modules/identity"
	"github.com/curatorops/curatorops/modules/platform/ids"
	"github.com/curatorops/curatorops/modules/scorecard"
)

// --- curator: My KPIs ------------------------------------------------------------

// kpiFigure is one figure of a curator's scorecard as the page shows it:
// the value, what it was counted over, and Raw, the API's numbers behind
// both (for the tests, which compare them with get-curator-scorecard).
type kpiFigure struct {
	Key, Value, Of, Raw string
	NoData              bool
}

// myKPIs is the caller's own scorecard, as get-curator-scorecard answers
// her. Those who read every curator's (scorecard_curators:read_all) pick
// another curator with curator_id, which is the same as /kpis/{user}.
func (c *Console) myKPIs(r *request) error {
	who := r.principal.UserID
	if v := r.QueryParam("curator_id"); v != "" {
		if !ids.Valid(v) {
			return badInput("curator_id")
		}
		who = v
	}
	return c.kpis(r, who)
}

// curatorKPIs is one curator's scorecard. The service decides as it does
// for the API: a curator reading another's gets the 403 page.
func (c *Console) curatorKPIs(r *request) error {
	who := r.Param("user")
	if !ids.Valid(who) {
		return errPageNotFound
	}
	return c.kpis(r, who)
}

func (c *Console) kpis(r *request, curatorID string) error {
	// By default the current month in the school's time zone; "to" is
	// exclusive, as the API's.
	now := c.d.Identity.Now().In(r.L.zone)
	from := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, r.L.zone)
	to := from.AddDate(0, 1, 0)
	for _, f := range []struct {
		name string
		into *time.Time
	}{{"from", &from}, {"to", &to}} {
		if v := r.QueryParam(f.name); v != "" {
			t, err := time.ParseInLocation(time.DateOnly, v, r.L.zone)
			if err != nil {
				return badInput(f.name)
			}
			*f.into = t
		}
	}
	sc, err := c.d.Scorecard.Curator(r.ctx, r.org.ID, curatorID, scorecard.Query{From: from, To: to})
	if field := invalidField(err); field != "" {
		return badInput(field)
	}
	if err != nil {
		return err
	}
	names, err := c.d.Identity.MemberNames(r.ctx, r.org.ID, []string{curatorID})
	if err != nil {
		return err
	}
	type cohort struct {
		Key, Name string
		Figures   []kpiFigure
	}
	cohorts := make([]cohort, 0, len(sc.Rows))
	for _, row := range sc.Rows {
		name := r.L.T("kpi.no_cohort")
		if row.CohortName != nil {
			name = *row.CohortName
		}
		cohorts = append(cohorts, cohort{Key: row.Key, Name: name, Figures: cohortFigures(kpiFigures(r.L, row.Period))})
	}
	data := map[string]any{
		"CuratorID": curatorID, "Curator": nameOr(names, curatorID, r.L), "Own": curatorID == r.principal.UserID,
		"From": from.Format(time.DateOnly), "To": to.Format(time.DateOnly),
		"Figures": kpiFigures(r.L, sc.Total.Period), "Cohorts": cohorts, "Hidden": sc.Hidden, "Notes": sc.Notes,
		"Picker": nil, "Columns": cohortColumns,
	}
	if r.allowed("scorecard_curators", "read_all") {
		type option struct{ ID, Name string }
		var picker []option
		seen := map[string]bool{}
		for _, role := range []string{"curator", "senior_curator"} {
			members, err := c.d.Identity.ListMembers(r.ctx, r.org.ID, identity.MemberFilter{Role: role, Status: "active", Limit: 200})
			if err != nil {
				return err
			}
			for _, m := range members {
				if !seen[m.UserID] {
					seen[m.UserID] = true
					picker = append(picker, option{ID: m.UserID, Name: m.Name})
				}
			}
		}
		data["Picker"] = picker
	}
	return r.render(http.StatusOK, "kpis", data)
}

// cohortKeys are the figures of the by-cohort table: the student-facing
// ones; response and review times stay in the total.
var cohortKeys = map[string]bool{"kpi.csi": true, "kpi.completion": true, "kpi.refund_rate": true, "kpi.sla": true,
	"kpi.review_in_time": true, "kpi.review_quality": true, "kpi.cases_total": true}

func cohortFigures(all []kpiFigure) []kpiFigure {
	out := make([]kpiFigure, 0, len(cohortKeys))
	for _, f := range all {
		if cohortKeys[f.Key] {
			out = append(out, f)
		}
	}
	return out
}

// cohortColumns are the by-cohort table's columns, in the figures' order.
var cohortColumns = []string{"kpi.csi", "kpi.completion", "kpi.refund_rate", "kpi.sla", "kpi.review_in_time", "kpi.review_quality", "kpi.cases_total"}

// kpiFigures lays out every figure of a curator's row: each with its
// numerator and denominator or sample; a figure without data is a dash
// with "no data", never 0.
func kpiFigures(l *locale, f scorecard.Figures) []kpiFigure {
	num := func(v *float64) string {
		if v == nil {
			return "null"
		}
		return strconv.FormatFloat(*v, 'f', -1, 64)
	}
	intp := func(v *int) string {
		if v == nil {
			return "null"
		}
		return strconv.Itoa(*v)
	}
	noData := l.T("kpi.no_data")
	var out []kpiFigure
	add := func(k kpiFigure) {
		if k.Value == "—" {
			k.NoData = true
			if k.Of == "" {
				k.Of = noData
			} else {
				k.Of = noData + " · " + k.Of
			}
		}
		out = append(out, k)
	}
	rate := func(key string, r *scorecard.Rate) {
		if r == nil {
			add(kpiFigure{Key: key, Value: "—", Raw: "hidden"})
			return
		}
		add(kpiFigure{Key: key, Value: l.Pct(r.Percent), Of: l.Int(r.Numerator) + " / " + l.Int(r.Denominator),
			Raw: strconv.Itoa(r.Numerator) + "/" + strconv.Itoa(r.Denominator) + "/" + num(r.Percent)})
	}
	rate("kpi.csi", f.CSI)
	if f.NPS != nil {
		add(kpiFigure{Key: "kpi.nps", Value: l.Opt(f.NPS.Score, 1),
			Of:  l.T("kpi.nps_of", l.Int(f.NPS.Promoters), l.Int(f.NPS.Passives), l.Int(f.NPS.Detractors), l.Int(f.NPS.Answers)),
			Raw: strconv.Itoa(f.NPS.Answers) + "/" + num(f.NPS.Score)})
	} else {
		add(kpiFigure{Key: "kpi.nps", Value: "—", Raw: "hidden"})
	}
	if f.Completion != nil {
		rate("kpi.completion", &f.Completion.Enrolled)
		rate("kpi.completion_active", &f.Completion.Active)
	} else {
		rate("kpi.completion", nil)
		rate("kpi.completion_active", nil)
	}
	rate("kpi.refund_rate", f.RefundRate)
	durations := func(key string, d *scorecard.Durations) {
		if d == nil {
			add(kpiFigure{Key: key + "_median", Value: "—", Raw: "hidden"})
			add(kpiFigure{Key: key + "_p90", Value: "—", Raw: "hidden"})
			return
		}
		sample := l.T("sc.sample", l.Int(d.Sample))
		add(kpiFigure{Key: key + "_median", Value: l.Opt(d.MedianHours, 2), Of: sample, Raw: strconv.Itoa(d.Sample) + "/" + num(d.MedianHours)})
		add(kpiFigure{Key: key + "_p90", Value: l.Opt(d.P90Hours, 2), Of: sample, Raw: strconv.Itoa(d.Sample) + "/" + num(d.P90Hours)})
	}
	durations("kpi.response", f.ResponseTime)
	rate("kpi.sla", f.SLA)
	durations("kpi.review", f.ReviewTime)
	rate("kpi.review_in_time", f.ReviewInTime)
	if a := f.ReviewQuality; a != nil {
		add(kpiFigure{Key: "kpi.review_quality", Value: l.Opt(a.Score, 1), Of: l.T("sc.sample", l.Int(a.Sample)),
			Raw: strconv.Itoa(a.Sample) + "/" + num(a.Score)})
	} else {
		add(kpiFigure{Key: "kpi.review_quality", Value: "—", Raw: "hidden"})
	}
	if q := f.ConversationQuality; q != nil && q.Available {
		add(kpiFigure{Key: "kpi.conversation_quality", Value: l.Opt(q.Score, 1),
			Of:  l.Dec(q.Points, 1) + " / " + l.Dec(q.MaxPoints, 1) + " · " + l.T("sc.sample", l.Int(q.Reviews)),
			Raw: strconv.Itoa(q.Reviews) + "/" + num(&q.Points) + "/" + num(&q.MaxPoints) + "/" + num(q.Score)})
	} else {
		k := kpiFigure{Key: "kpi.conversation_quality", Value: "—", Raw: "unavailable"}
		if q != nil && q.Note != nil {
			k.Of = *q.Note
		}
		add(k)
	}
	cases := func(key string, v *int, c *scorecard.CaseCounts) {
		if c == nil || !c.Available || v == nil {
			k := kpiFigure{Key: key, Value: "—", Raw: "unavailable"}
			if c != nil && c.Note != nil {
				k.Of = *c.Note
			}
			add(k)
			return
		}
		add(kpiFigure{Key: key, Value: l.Int(*v), Of: l.T("kpi.cases_of"), Raw: intp(v)})
	}
	if c := f.Cases; c != nil {
		cases("kpi.cases_text", c.Text, c)
		cases("kpi.cases_video", c.Video, c)
		cases("kpi.cases_total", c.Total, c)
	} else {
		cases("kpi.cases_text", nil, nil)
		cases("kpi.cases_video", nil, nil)
		cases("kpi.cases_total", nil, nil)
	}
	// Money figures only to those who hold scorecard_money:read_all; the
	// others see them named among the hidden groups.
	if f.Revenue != nil {
		add(kpiFigure{Key: "kpi.revenue", Value: l.MoneyPtr(f.Revenue), Raw: strconv.FormatInt(*f.Revenue, 10)})
	}
	money := func(key string, m *scorecard.Money) {
		if m == nil {
			return
		}
		v := "—"
		if m.Average != nil {
			v = l.Money(int64(*m.Average))
		}
		add(kpiFigure{Key: key, Value: v, Of: l.Money(m.Kopecks) + " / " + l.Int(m.Students),
			Raw: strconv.FormatInt(m.Kopecks, 10) + "/" + strconv.Itoa(m.Students) + "/" + num(m.Average)})
	}
	money("kpi.arppu", f.ARPPU)
	money("kpi.ltv", f.LTV)
	if f.RepeatPurchase != nil {
		rate("kpi.repeat_purchase", f.RepeatPurchase)
	}
	return out
}
