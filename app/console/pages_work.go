package console

import (
	"fmt"
	"html"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/curatorops/curatorops/modules/audit"
	"github.com/curatorops/curatorops/modules/hiring"
	"github.com/curatorops/curatorops/modules/homework"
	"github.com/curatorops/curatorops/modules/platform/httpapi"
	"github.com/curatorops/curatorops/modules/refunds"
)

// --- curator: the queue and the review form --------------------------------

func reviewerOf(r *request) homework.Reviewer { return homework.ReviewerFrom(r.ctx) }

func homeworkFilter(view string, limit int) homework.ListFilter {
	return homework.ListFilter{View: view, Limit: limit}
}

// queueLine is one submission of the queue.
type queueLine struct {
	ID, Status, Submitted, Due, Left string
	Attempt                          int
	Overdue, Mine                    bool
}

// queue lists the caller's queue (mine) or the cohorts' pool, most urgent
// first, paged, with "take next".
func (c *Console) queue(r *request) error {
	view := r.QueryParam("view")
	if view != homework.ViewPool && view != homework.ViewOverdue {
		view = homework.ViewMine
	}
	after, err := httpapi.AfterTimeID(r.QueryParam("cursor"))
	if err != nil {
		return badInput("cursor")
	}
	f := homeworkFilter(view, pageSize)
	f.After = after
	rows, err := c.d.Homework.List(r.ctx, r.org.ID, reviewerOf(r), f)
	if err != nil {
		return err
	}
	rows, next := onePage(rows, func(last homework.Submission) string {
		return httpapi.EncodeCursor(last.DueAt.UTC().Format(time.RFC3339Nano), last.ID)
	})
	now, me := c.d.Homework.Now(), r.principal.UserID
	lines := make([]queueLine, 0, len(rows))
	for _, s := range rows {
		lines = append(lines, queueLine{ID: s.ID, Status: r.L.Enum("hw", s.State(now)), Submitted: r.L.Time(s.SubmittedAt), Due: r.L.Time(s.DueAt),
			Left: r.L.Duration(s.DueAt.Sub(now)), Attempt: s.Attempt, Overdue: s.DueAt.Before(now),
			Mine: s.Held(now) && s.ClaimedBy != nil && *s.ClaimedBy == me})
	}
	return r.render(http.StatusOK, "queue", map[string]any{"View": view, "Items": lines, "Next": next,
		"CanClaim": r.allowed("homework", "claim"), "Empty": r.QueryParam("empty") == "1"})
}

// takeNext claims the most urgent free item, as claim-next-homework does,
// and opens its review form.
func (c *Console) takeNext(r *request) error {
	sub, err := c.d.Homework.ClaimNext(r.ctx, r.org.ID, reviewerOf(r))
	if err != nil {
		return err
	}
	if sub == nil {
		return r.back("/queue?empty=1")
	}
	return r.back("/homework/" + sub.ID)
}

// criterionField is one rubric line of the review form.
type criterionField struct {
	Key, Title string
	Max        int
	Required   bool
	Value      string
}

// submission shows a submission with its content and, to the claim holder,
// the review form with the rubric and the lease's end.
func (c *Console) submission(r *request) error {
	sub, err := c.d.Homework.Submission(r.ctx, r.org.ID, r.Param("id"), reviewerOf(r))
	if err != nil {
		return err
	}
	now := c.d.Homework.Now()
	holder := sub.Held(now) && sub.ClaimedBy != nil && *sub.ClaimedBy == r.principal.UserID
	var fields []criterionField
	verdict, feedback := "", ""
	if sub.Draft != nil && holder {
		feedback = sub.Draft.Feedback
		if sub.Draft.Verdict != nil {
			verdict = *sub.Draft.Verdict
		}
	}
	for _, cr := range sub.Rubric {
		f := criterionField{Key: cr.Key, Title: cr.Title, Max: cr.MaxPoints, Required: cr.Required}
		if sub.Draft != nil && holder {
			if v, ok := sub.Draft.Scores[cr.Key]; ok {
				f.Value = strconv.Itoa(v)
			}
		}
		fields = append(fields, f)
	}
	lease := ""
	if holder && sub.LeaseExpiresAt != nil {
		lease = sub.LeaseExpiresAt.UTC().Format(time.RFC3339)
	}
	return r.render(http.StatusOK, "submission", map[string]any{
		"ID": sub.ID, "Status": r.L.Enum("hw", sub.State(now)), "Attempt": sub.Attempt, "Submitted": r.L.Time(sub.SubmittedAt),
		"Due": r.L.Time(sub.DueAt), "Text": sub.Content.Text, "Links": sub.Content.Links, "Version": sub.Version,
		"Holder": holder, "Rubric": fields, "Verdict": verdict, "Feedback": feedback, "LeaseEnds": lease,
		"LeaseEndsText": r.L.TimePtr(sub.LeaseExpiresAt), "Verdicts": homework.Verdicts,
		"Reviewed": sub.Verdict != nil, "FinalVerdict": r.L.Enum("verdict", deref(sub.Verdict)), "Score": sub.Score,
	})
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// reviewForm reads the rubric's scores of the review form; an empty field
// is a criterion not scored yet.
func reviewForm(r *request) (map[string]int, error) {
	if err := r.Request().ParseForm(); err != nil {
		return nil, badInput("form")
	}
	scores := map[string]int{}
	for key, vals := range r.Request().PostForm {
		name, ok := strings.CutPrefix(key, "score.")
		if !ok || len(vals) == 0 || strings.TrimSpace(vals[0]) == "" {
			continue
		}
		n, err := strconv.Atoi(strings.TrimSpace(vals[0]))
		if err != nil {
			return nil, badInput(key)
		}
		scores[name] = n
	}
	if len(scores) > 50 {
		return nil, badInput("scores")
	}
	return scores, nil
}

// saveDraft keeps the review as it is typed, as save-homework-draft does;
// the page's script sends the form here a moment after each change.
func (c *Console) saveDraft(r *request) error {
	scores, err := reviewForm(r)
	if err != nil {
		return err
	}
	d := homework.ReviewDraft{Scores: scores, Feedback: r.FormValue("feedback")}
	if v := r.FormValue("verdict"); v != "" {
		d.Verdict = &v
	}
	if _, err := c.d.Homework.SaveDraft(r.ctx, r.org.ID, r.Param("id"), reviewerOf(r), d); err != nil {
		return err
	}
	return r.NoContent(http.StatusNoContent)
}

// review completes the review with the rubric's scores, as
// review-homework-submission does with the form's version as If-Match.
func (c *Console) review(r *request) error {
	v, err := r.version()
	if err != nil {
		return err
	}
	scores, err := reviewForm(r)
	if err != nil {
		return err
	}
	_, _, err = c.d.Homework.Review(r.ctx, r.org.ID, r.Param("id"), v, reviewerOf(r),
		homework.ReviewInput{Verdict: r.FormValue("verdict"), Scores: scores, Feedback: r.FormValue("feedback")})
	if err != nil {
		return err
	}
	return r.back("/homework/" + r.Param("id"))
}

// release gives the item back to its queue.
func (c *Console) release(r *request) error {
	if _, err := c.d.Homework.Release(r.ctx, r.org.ID, r.Param("id"), reviewerOf(r)); err != nil {
		return err
	}
	return r.back("/queue")
}

// --- HR: vacancies and their boards --------------------------------------------

func (c *Console) vacancies(r *request) error {
	after, err := idQuery(r, "after")
	if err != nil {
		return err
	}
	rows, err := c.d.Hiring.Vacancies(r.ctx, r.org.ID, hiring.VacancyFilter{Limit: pageSize, AfterID: after})
	if err != nil {
		return err
	}
	rows, next := onePage(rows, func(last hiring.Vacancy) string { return last.ID })
	type line struct {
		ID, Title, Status string
		Headcount         int
	}
	var lines []line
	for _, v := range rows {
		lines = append(lines, line{ID: v.ID, Title: v.Title, Status: r.L.Enum("vacancy", v.Status), Headcount: v.Headcount})
	}
	return r.render(http.StatusOK, "vacancies", map[string]any{"Vacancies": lines, "Next": next})
}

// board shows a vacancy's stages with their cards and, to those who may
// move applications, the move form with its reason.
func (c *Console) board(r *request) error {
	vac, err := c.d.Hiring.Vacancy(r.ctx, r.org.ID, r.Param("vacancy"))
	if err != nil {
		return err
	}
	cols, err := c.d.Hiring.Board(r.ctx, r.org.ID, vac.ID, "", "")
	if err != nil {
		return err
	}
	stages, err := c.d.Hiring.Stages(r.ctx, r.org.ID)
	if err != nil {
		return err
	}
	reasons, err := c.d.Hiring.Reasons(r.ctx, r.org.ID)
	if err != nil {
		return err
	}
	type option struct{ ID, Title, Kind string }
	var targets, why []option
	for _, s := range stages {
		// The hired stage is reached only by an accepted offer.
		if s.Active && s.Kind != hiring.KindHired {
			targets = append(targets, option{s.ID, s.Title, s.Kind})
		}
	}
	for _, rr := range reasons {
		if rr.Active {
			why = append(why, option{rr.ID, rr.Title, ""})
		}
	}
	type card struct {
		ApplicationID, Name, Source, InStage, StageID string
		Version                                       int64
	}
	type column struct {
		Title, Kind string
		Count       int
		Cards       []card
	}
	var columns []column
	for _, col := range cols {
		cc := column{Title: col.Stage.Title, Kind: col.Stage.Kind, Count: col.Count}
		for _, k := range col.Cards {
			cc.Cards = append(cc.Cards, card{ApplicationID: k.Application.ID, Name: k.Candidate.FullName, Source: r.L.Enum("source", k.Application.Source),
				InStage: r.L.Duration(k.InStage.Truncate(time.Minute)), StageID: k.Application.StageID, Version: k.Application.Version})
		}
		columns = append(columns, cc)
	}
	return r.render(http.StatusOK, "board", map[string]any{"Vacancy": vac.Title, "VacancyID": vac.ID, "Columns": columns,
		"Stages": targets, "Reasons": why, "CanMove": r.allowed("hiring_pipeline", "move"), "CanOpen": r.allowed("hiring_candidate", "read")})
}

// moveApplication moves a card to another stage with its reason, as
// move-application does: one new history entry.
func (c *Console) moveApplication(r *request) error {
	v, err := r.version()
	if err != nil {
		return err
	}
	in := hiring.MoveInput{StageID: r.FormValue("stage_id"), Note: r.FormValue("note")}
	if reason := r.FormValue("reason_id"); reason != "" {
		in.ReasonID = &reason
	}
	a, err := c.d.Hiring.Move(r.ctx, r.org.ID, r.Param("id"), v, in)
	if err != nil {
		return err
	}
	return r.back("/hiring/" + a.VacancyID)
}

// --- finance: refunds to pay out -------------------------------------------------

func (c *Console) refundsToExecute(r *request) error {
	rows, next, err := c.refundList(r, refunds.StatusApproved)
	if err != nil {
		return err
	}
	return r.render(http.StatusOK, "refunds_execute", map[string]any{"Requests": rows, "Next": next})
}

// executeRefund pays an approved refund out. The form carries the request's
// version as its idempotency key: sending the form twice pays once.
func (c *Console) executeRefund(r *request) error {
	v, err := r.version()
	if err != nil {
		return err
	}
	key := fmt.Sprintf("console:%s:%d", r.Param("id"), v)
	if _, _, err := c.d.Refunds.Execute(r.ctx, r.org.ID, r.Param("id"), key, refunds.ExecuteInput{Note: r.FormValue("note")}); err != nil {
		return err
	}
	return r.back("/refunds/execute")
}

// --- administration ---------------------------------------------------------------

func (c *Console) auditLog(r *request) error {
	after, err := idQuery(r, "after")
	if err != nil {
		return err
	}
	rows, err := c.d.Audit.List(r.ctx, r.org.ID, audit.Filter{Limit: pageSize, AfterID: after,
		EntityType: r.QueryParam("entity_type")})
	if err != nil {
		return err
	}
	rows, next := onePage(rows, func(last audit.Entry) string { return last.ID })
	type line struct {
		At, Actor, Action, Entity, EntityID, Fields string
	}
	var lines []line
	for _, e := range rows {
		fields := make([]string, 0, len(e.Changes))
		for k := range e.Changes {
			fields = append(fields, k)
		}
		lines = append(lines, line{At: r.L.Time(e.OccurredAt), Actor: e.ActorName, Action: e.Action, Entity: e.EntityType, EntityID: e.EntityID,
			Fields: strings.Join(sortedStrings(fields), ", ")})
	}
	return r.render(http.StatusOK, "audit", map[string]any{"Entries": lines, "Next": next, "EntityType": r.QueryParam("entity_type")})
}

// --- helpers -------------------------------------------------------------------------

// parseRoubles reads an amount typed in roubles ("1 234,50" or "1234.5")
// as kopecks.
func parseRoubles(s string) (int64, error) {
	s = strings.NewReplacer(" ", "", "\u00a0", "", ",", ".").Replace(strings.TrimSpace(s))
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f <= 0 || f > 1e10 || math.IsNaN(f) {
		return 0, badInput("amount")
	}
	return int64(math.Round(f * 100)), nil
}

func sortedStrings(s []string) []string {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
	return s
}

// svgBuilder collects an SVG drawing.
type svgBuilder struct{ strings.Builder }

func (b *svgBuilder) printf(format string, args ...any) { fmt.Fprintf(&b.Builder, format, args...) }

// esc escapes text for an SVG element or attribute.
func esc(s string) string { return html.EscapeString(s) }
