package console

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/curatorops/curatorops/modules/cases"
	"github.com/curatorops/curatorops/modules/homework"
	"github.com/curatorops/curatorops/modules/platform/errs"
	"github.com/curatorops/curatorops/modules/platform/httpapi"
	"github.com/curatorops/curatorops/modules/platform/ids"
	"github.com/curatorops/curatorops/modules/platform/reqctx"
	"github.com/curatorops/curatorops/modules/sla"
)

// idParam is the record id of the address: anything but an id is a page
// that does not exist, as the API's uuid format answers before any query.
func idParam(r *request) (string, error) {
	id := r.Param("id")
	if !ids.Valid(id) {
		return "", errPageNotFound
	}
	return id, nil
}

// idCursor reads the cursor of a list paged by id: a cursor that does not
// name an id is refused before it reaches a query.
func idCursor(r *request) (string, error) {
	after, err := httpapi.AfterKey(r.QueryParam("cursor"))
	if err != nil || (after != "" && !ids.Valid(after)) {
		return "", badInput("cursor")
	}
	return after, nil
}

// idQuery is a query parameter that names a row to page from ("after",
// "before"): empty, or an id.
func idQuery(r *request, name string) (string, error) {
	v := r.QueryParam(name)
	if v != "" && !ids.Valid(v) {
		return "", badInput(name)
	}
	return v, nil
}

// --- head: review-queue health -------------------------------------------------

// queueHealth shows each curator's queue as get-homework-stats does with
// group_by=curator: open items now and the reviews of the last 30 days
// (or the chosen days), each rate with what it was counted over. A
// reader without homework_stats:read_all gets her own row only, as from
// the API.
func (c *Console) queueHealth(r *request) error {
	now := c.d.Homework.Now()
	to := now.Add(time.Microsecond)
	from := to.AddDate(0, 0, -30)
	var fromText, toText string
	if v := r.QueryParam("from"); v != "" {
		t, err := time.ParseInLocation("2006-01-02", v, r.L.zone)
		if err != nil {
			return badInput("from")
		}
		from, fromText = t, v
	}
	if v := r.QueryParam("to"); v != "" {
		t, err := time.ParseInLocation("2006-01-02", v, r.L.zone)
		if err != nil {
			return badInput("to")
		}
		to, toText = t, v
	}
	if !to.After(from) {
		return badInput("to")
	}
	rows, err := c.d.Homework.QueueStats(r.ctx, r.org.ID, homework.StatsReaderFrom(r.ctx), homework.ByCurator, from, to)
	if err != nil {
		return err
	}
	type line struct {
		Name, Median, P90, SLA, SLAOf, Rework, ReworkOf string
		Pool                                            bool
		Queued, InReview, Overdue, Reviewed, InTime     int
		Late                                            int
		// What the shown figures are made of, to sort by.
		key               string
		median, p90       *int64
		slaPct, reworkPct *float64
	}
	seconds := func(s *int64) string {
		if s == nil {
			return "—"
		}
		return r.L.Duration(time.Duration(*s) * time.Second)
	}
	var lines []line
	var total line
	for _, q := range rows {
		name := q.Key
		if q.CuratorName != nil && *q.CuratorName != "" {
			name = *q.CuratorName
		}
		pool := q.CuratorID == nil
		if pool {
			name = r.L.T("health.pool")
		}
		lines = append(lines, line{Name: name, Pool: pool, Queued: q.Queued, InReview: q.InReview, Overdue: q.OpenOverdue, Reviewed: q.Reviewed,
			InTime: q.ReviewedInTime, Late: q.ReviewedLate, Median: seconds(q.MedianSeconds), P90: seconds(q.P90Seconds),
			SLA: r.L.Pct(q.SLAPercent), SLAOf: r.L.Int(q.ReviewedInTime) + " / " + r.L.Int(q.SLAItems),
			Rework: r.L.Pct(q.ReworkPercent), ReworkOf: r.L.Int(q.ReworkRequested) + " / " + r.L.Int(q.Reviewed),
			key: q.Key, median: q.MedianSeconds, p90: q.P90Seconds, slaPct: q.SLAPercent, reworkPct: q.ReworkPercent})
		total.Queued += q.Queued
		total.InReview += q.InReview
		total.Overdue += q.OpenOverdue
		total.Reviewed += q.Reviewed
	}
	// The most overdue first unless asked otherwise: that is where the
	// head looks.
	byName := byText(r.L)
	count := func(key string, f func(line) int) sortColumn[line] {
		return sortColumn[line]{key: key, compare: func(a, b line) int { return byNumber(f(a), f(b)) }, firstDesc: true}
	}
	sorted, err := sortRows(r, lines, sortTable[line]{
		cols: []sortColumn[line]{
			{key: "curator", compare: func(a, b line) int { return byName(a.Name, b.Name) }},
			count("queued", func(l line) int { return l.Queued }),
			count("in_review", func(l line) int { return l.InReview }),
			count("overdue", func(l line) int { return l.Overdue }),
			count("reviewed", func(l line) int { return l.Reviewed }),
			{key: "median", compare: func(a, b line) int { return byOptional(a.median, b.median) }, firstDesc: true},
			{key: "p90", compare: func(a, b line) int { return byOptional(a.p90, b.p90) }, firstDesc: true},
			{key: "sla", compare: func(a, b line) int { return byOptional(a.slaPct, b.slaPct) }},
			{key: "rework", compare: func(a, b line) int { return byOptional(a.reworkPct, b.reworkPct) }, firstDesc: true},
		},
		def: "overdue", defDesc: true,
		id: func(l line) string { return l.key },
	})
	if err != nil {
		return err
	}
	return r.render(http.StatusOK, "queue_health", map[string]any{
		"Rows": lines, "Total": total, "From": fromText, "To": toText, "Sort": sorted,
		"Period": r.L.Date(from) + " — " + r.L.Date(to.Add(-time.Microsecond)), "SeesAll": r.allowed("homework_stats", "read_all"),
	})
}

// --- head: case moderation -------------------------------------------------------

// caseViewer is the caller as the cases API sees her: every curator's
// cases with cases:read_all, only those credited to her otherwise.
func caseViewer(r *request) cases.Viewer {
	return cases.Viewer{UserID: r.principal.UserID, SeesAll: r.allowed("cases", "read_all")}
}

// studentNames names the students of ids as get-student shows them, to
// those whose roles read students; others see the ids alone.
func (c *Console) studentNames(r *request, students []string) (map[string]string, error) {
	out := map[string]string{}
	if !r.allowed("students", "read") {
		return out, nil
	}
	for _, id := range students {
		if _, done := out[id]; done || !ids.Valid(id) {
			continue
		}
		st, err := c.d.School.Student(r.ctx, r.org.ID, id)
		if err != nil {
			if errors.Is(err, errs.ErrNotFound) {
				continue
			}
			return nil, err
		}
		out[id] = st.FullName
	}
	return out, nil
}

// caseLine is one case of the moderation list.
type caseLine struct {
	ID, Student, StudentID, Curator, Source, Submitted, Text, Before, After, Video, Scopes string
	Rating                                                                                 string
	Version                                                                                int64
	CanPublish                                                                             bool
}

// casesToModerate lists the cases waiting for a moderator (status
// pending, as list-cases?status=pending), oldest first, paged, with the
// approve and reject forms of moderate-case.
func (c *Console) casesToModerate(r *request) error {
	after, err := idCursor(r)
	if err != nil {
		return err
	}
	rows, err := c.d.Cases.Submissions(r.ctx, r.org.ID, caseViewer(r), cases.SubmissionFilter{Status: cases.StatusPending,
		AfterID: after, Limit: pageSize})
	if err != nil {
		return err
	}
	rows, next := onePage(rows, func(last cases.Submission) string { return httpapi.EncodeCursor(last.ID) })
	var curators, students []string
	for _, s := range rows {
		if s.CuratorID != nil {
			curators = append(curators, *s.CuratorID)
		}
		students = append(students, s.StudentID)
	}
	names, err := c.d.Identity.MemberNames(r.ctx, r.org.ID, curators)
	if err != nil {
		return err
	}
	studentNames, err := c.studentNames(r, students)
	if err != nil {
		return err
	}
	lines := make([]caseLine, 0, len(rows))
	for _, s := range rows {
		l := caseLine{ID: s.ID, StudentID: s.StudentID, Student: studentNames[s.StudentID], Source: r.L.Enum("case_source", s.Source),
			Submitted: r.L.Time(s.SubmittedAt), Text: deref(s.Body), Before: deref(s.BeforeText), After: deref(s.AfterText),
			Video: deref(s.VideoURL), Version: s.Version, Rating: "—"}
		if s.CuratorID != nil {
			l.Curator = nameOr(names, *s.CuratorID, r.L)
		} else {
			l.Curator = r.L.T("common.unassigned")
		}
		if s.Rating != nil {
			l.Rating = strconv.Itoa(*s.Rating)
		}
		scopes := make([]string, 0, 4)
		for _, sc := range s.Scopes() {
			scopes = append(scopes, r.L.Enum("scope", sc))
		}
		l.Scopes = strings.Join(scopes, ", ")
		if l.Scopes == "" {
			l.Scopes = r.L.T("cases.no_consent")
		}
		lines = append(lines, l)
	}
	return r.render(http.StatusOK, "cases_moderation", map[string]any{"Cases": lines, "Next": next, "Done": r.QueryParam("done")})
}

// moderateCase takes one moderation step, as moderate-case does with the
// form's version as If-Match.
func (c *Console) moderateCase(r *request) error {
	id, v, err := idAndVersion(r)
	if err != nil {
		return err
	}
	status := r.FormValue("status")
	if status != cases.StatusApproved && status != cases.StatusRejected {
		return badInput("status")
	}
	if _, err := c.d.Cases.Moderate(r.ctx, r.org.ID, id, v, r.principal.UserID,
		cases.Decision{Status: status, Reason: strings.TrimSpace(r.FormValue("reason"))}); err != nil {
		return err
	}
	return r.back("/cases/moderation?done=" + status)
}

// --- curator: my open conversations and recording a case --------------------------

// myConversations lists the caller's open response clocks, the next to
// breach first, as list-my-sla-clocks does, paged; each with a link to
// record the student's case.
func (c *Console) myConversations(r *request) error {
	after, err := httpapi.AfterTimeID(r.QueryParam("cursor"))
	if err != nil {
		return badInput("cursor")
	}
	rows, err := c.d.SLA.OpenClocks(r.ctx, r.org.ID, sla.ClockFilter{CuratorID: reqctx.From(r.ctx).Principal.ActorID(), Limit: pageSize, After: after})
	if err != nil {
		return err
	}
	rows, next := onePage(rows, func(last sla.ResponseClock) string {
		return httpapi.EncodeCursor(last.DueAt.UTC().Format(time.RFC3339Nano), last.ID)
	})
	studentIDs := make([]string, 0, len(rows))
	for _, cl := range rows {
		studentIDs = append(studentIDs, cl.StudentID)
	}
	students, err := c.studentNames(r, studentIDs)
	if err != nil {
		return err
	}
	now := c.d.SLA.Now()
	type line struct {
		ID, StudentID, Student, Channel, Started, Due, Left string
		Messages                                            int
		Breached                                            bool
	}
	lines := make([]line, 0, len(rows))
	breached := 0
	for _, cl := range rows {
		b := !cl.DueAt.After(now)
		if b {
			breached++
		}
		lines = append(lines, line{ID: cl.ID, StudentID: cl.StudentID, Student: students[cl.StudentID], Channel: r.L.Enum("channel", cl.Channel),
			Started: r.L.Time(cl.StartedAt), Due: r.L.Time(cl.DueAt), Left: r.L.Duration(cl.DueAt.Sub(now)), Messages: cl.MessageCount, Breached: b})
	}
	return r.render(http.StatusOK, "conversations", map[string]any{"Clocks": lines, "Next": next, "UpdatedAt": r.L.Time(now),
		"CanRecord": r.allowed("cases", "create"), "CanExplain": r.allowed("sla_clocks", "read")})
}

// recordCaseForm is the form of record-case: the student's own words,
// taken down word for word.
func (c *Console) recordCaseForm(r *request) error {
	student := r.QueryParam("student_id")
	name := ""
	if student != "" {
		names, err := c.studentNames(r, []string{student})
		if err != nil {
			return err
		}
		name = names[student]
	}
	// The consent text the school shows now, as get-case-settings gives it.
	form := map[string]string{}
	if r.allowed("cases_settings", "read") {
		st, err := c.d.Cases.Settings(r.ctx, r.org.ID)
		if err != nil {
			return err
		}
		form["consent_text_version"] = st.ConsentTextVersion
	}
	return r.render(http.StatusOK, "case_new", map[string]any{"StudentID": student, "Student": name, "Form": form,
		"Scopes": cases.Scopes, "Saved": r.QueryParam("saved"), "Field": "", "Error": ""})
}

// recordCase records a case as record-case does: credited to the
// student's curator, audited, the words stored exactly as typed. A refused
// form is shown again with what was typed and the field named.
func (c *Console) recordCase(r *request) error {
	if err := r.Request().ParseForm(); err != nil {
		return badInput("form")
	}
	f := r.Request().PostForm
	in := cases.NewSubmission{StudentID: strings.TrimSpace(f.Get("student_id"))}
	optional := func(name string) *string {
		if v := f.Get(name); strings.TrimSpace(v) != "" {
			return &v
		}
		return nil
	}
	if !ids.Valid(in.StudentID) {
		return c.recordCaseAgain(r, "student_id")
	}
	in.Body, in.BeforeText, in.AfterText = optional("text"), optional("before"), optional("after")
	if v := optional("video_url"); v != nil {
		trimmed := strings.TrimSpace(*v)
		in.VideoURL = &trimmed
	}
	if v := strings.TrimSpace(f.Get("rating")); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return c.recordCaseAgain(r, "rating")
		}
		in.Rating = &n
	}
	if tags := strings.TrimSpace(f.Get("tags")); tags != "" {
		for _, t := range strings.Split(tags, ",") {
			if t = strings.TrimSpace(t); t != "" {
				in.Tags = append(in.Tags, t)
			}
		}
	}
	if scopes := f["consent_scopes"]; len(scopes) > 0 {
		in.Consent = &cases.ConsentInput{Scopes: scopes, TextVersion: strings.TrimSpace(f.Get("consent_text_version")),
			Channel: "curator", GivenBy: cases.GivenByStudent}
	}
	sub, err := c.d.Cases.RecordSubmission(r.ctx, r.org.ID, caseViewer(r), in)
	var ve *errs.ValidationError
	if errors.As(err, &ve) {
		field := ""
		if len(ve.Fields) > 0 {
			field = strings.TrimPrefix(ve.Fields[0].Location, "body.")
		}
		return c.recordCaseAgain(r, field)
	}
	if err != nil {
		return err
	}
	return r.back("/cases/new?saved=" + sub.ID)
}

// recordCaseAgain shows the form again with what was typed and the field
// the service refused.
func (c *Console) recordCaseAgain(r *request, field string) error {
	f := r.Request().PostForm
	form := map[string]string{}
	for _, k := range []string{"text", "before", "after", "video_url", "rating", "tags", "consent_text_version"} {
		form[k] = f.Get(k)
	}
	student := f.Get("student_id")
	names, err := c.studentNames(r, []string{student})
	if err != nil {
		return err
	}
	return r.render(http.StatusUnprocessableEntity, "case_new", map[string]any{"StudentID": student, "Student": names[student],
		"Form": form, "Scopes": cases.Scopes, "Field": field, "Error": "error.invalid"})
}
