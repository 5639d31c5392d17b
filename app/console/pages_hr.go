package console

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/curatorops/curatorops/modules/hiring"
	"github.com/curatorops/curatorops/modules/onboarding"
	"github.com/curatorops/curatorops/modules/platform/httpapi"
)

// --- HR: candidate card, reserve search, onboarding plans ----------------------

// candidateCard shows one application: the candidate, the vacancy and
// stage, the stage history (list-hiring-application-moves) and the
// interview scorecards (list-hiring-scorecards: every one to those who
// hold hiring_scorecard:read_all, the caller's own otherwise, and none to
// a role without scorecards).
func (c *Console) candidateCard(r *request) error {
	id, err := idParam(r)
	if err != nil {
		return err
	}
	app, err := c.d.Hiring.Application(r.ctx, r.org.ID, id)
	if err != nil {
		return err
	}
	cand, err := c.d.Hiring.Candidate(r.ctx, r.org.ID, app.CandidateID)
	if err != nil {
		return err
	}
	vac, err := c.d.Hiring.Vacancy(r.ctx, r.org.ID, app.VacancyID)
	if err != nil {
		return err
	}
	moves, err := c.d.Hiring.History(r.ctx, r.org.ID, app.ID)
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
	stageTitle, reasonTitle := map[string]string{}, map[string]string{}
	for _, s := range stages {
		stageTitle[s.ID] = s.Title
	}
	for _, rr := range reasons {
		reasonTitle[rr.ID] = rr.Title
	}
	var cards []hiring.Scorecard
	if r.allowed("hiring_scorecard", "read_own") {
		if cards, err = c.d.Hiring.Scorecards(r.ctx, r.org.ID, app.ID, r.principal.UserID, r.allowed("hiring_scorecard", "read_all")); err != nil {
			return err
		}
	}
	people := make([]string, 0, len(moves)+len(cards))
	for _, m := range moves {
		people = append(people, m.ActorID)
	}
	for _, sc := range cards {
		people = append(people, sc.InterviewerID)
	}
	names, err := c.d.Identity.MemberNames(r.ctx, r.org.ID, people)
	if err != nil {
		return err
	}
	type move struct{ At, From, To, Reason, Note, Actor string }
	history := make([]move, 0, len(moves))
	for _, m := range moves {
		mv := move{At: r.L.Time(m.MovedAt), To: stageTitle[m.ToStageID], Note: m.Note, Actor: nameOr(names, m.ActorID, r.L), From: "—", Reason: "—"}
		if m.FromStageID != nil {
			mv.From = stageTitle[*m.FromStageID]
		}
		if m.ReasonID != nil {
			mv.Reason = reasonTitle[*m.ReasonID]
		}
		history = append(history, mv)
	}
	type criterion struct {
		Title       string
		Score, Wght int
	}
	type scorecard struct {
		ID, Interviewer, Recommendation, Notes, Score, At string
		Criteria                                          []criterion
	}
	var scs []scorecard
	for _, sc := range cards {
		s := scorecard{ID: sc.ID, Interviewer: nameOr(names, sc.InterviewerID, r.L), Recommendation: r.L.Enum("recommend", sc.Recommendation),
			Notes: sc.Notes, At: r.L.Time(sc.UpdatedAt), Score: "—"}
		if sc.WeightTotal > 0 {
			s.Score = r.L.Dec(float64(sc.WeightedSum)/float64(sc.WeightTotal), 2) + " (" + r.L.Int(sc.WeightedSum) + " / " + r.L.Int(sc.WeightTotal) + ")"
		}
		for _, cr := range sc.Criteria {
			s.Criteria = append(s.Criteria, criterion{Title: cr.Title, Score: cr.Score, Wght: cr.Weight})
		}
		scs = append(scs, s)
	}
	combined := hiring.Combine(cards)
	combinedScore := r.L.Opt(combined.Score, 2)
	type mean struct{ Title, Mean, Of string }
	var means []mean
	for _, m := range combined.Criteria {
		means = append(means, mean{Title: m.Title, Mean: r.L.Dec(m.Mean, 2), Of: r.L.Int(m.Sum) + " / " + r.L.Int(m.N)})
	}
	return r.render(http.StatusOK, "candidate", map[string]any{
		"Name": cand.FullName, "CandidateID": cand.ID, "Email": deref(cand.Email), "Phone": deref(cand.Phone), "Telegram": deref(cand.Telegram),
		"Source": r.L.Enum("source", app.Source), "CV": deref(cand.CVURL), "Notes": cand.Notes, "InReserve": cand.InReserve,
		"Tags": strings.Join(cand.Tags(), ", "), "BestTest": intOr(cand.BestTestPercent, r.L), "ConsentUntil": r.L.Date(cand.ConsentExpiresAt),
		"Vacancy": vac.Title, "VacancyID": vac.ID, "Stage": stageTitle[app.StageID], "InStageSince": r.L.Time(app.StageEnteredAt),
		"Moves": history, "Scorecards": scs, "ShowScorecards": r.allowed("hiring_scorecard", "read_own"),
		"Combined": combinedScore, "CombinedOf": r.L.Int(combined.Scorecards), "Means": means,
		"Hire": combined.Recommendations[hiring.RecommendHire], "NoHire": combined.Recommendations[hiring.RecommendNoHire],
		"Undecided": combined.Recommendations[hiring.RecommendUndecided],
	})
}

func intOr(v *int, l *locale) string {
	if v == nil {
		return "—"
	}
	return l.Int(*v) + "\u00a0%"
}

// reserve searches the talent reserve as list-hiring-candidates does with
// in_reserve=true: by tag, source, minimum test score, or recontact due.
func (c *Console) reserve(r *request) error {
	after, err := idCursor(r)
	if err != nil {
		return err
	}
	yes := true
	f := hiring.CandidateFilter{InReserve: &yes, Tag: strings.TrimSpace(r.QueryParam("tag")), Source: r.QueryParam("source"),
		AfterID: after, Limit: pageSize}
	if len(f.Tag) > 40 {
		return badInput("tag")
	}
	switch f.Source {
	case "", "job_site", "referral", "former_student", "reserve", "other":
	default:
		return badInput("source")
	}
	minScore := strings.TrimSpace(r.QueryParam("min_score"))
	if minScore != "" {
		n, err := parseInt(minScore, 0, 100)
		if err != nil {
			return badInput("min_score")
		}
		if n > 0 {
			f.MinScore = &n
		}
	}
	due := r.QueryParam("recontact_due") == "1"
	if due {
		f.RecontactBy = c.d.Hiring.Now().UTC().Format("2006-01-02")
	}
	rows, err := c.d.Hiring.Candidates(r.ctx, r.org.ID, f)
	if err != nil {
		return err
	}
	rows, next := onePage(rows, func(last hiring.Candidate) string { return httpapi.EncodeCursor(last.ID) })
	type line struct{ ID, Name, Source, Tags, Recontact, BestTest, Email string }
	lines := make([]line, 0, len(rows))
	for _, cd := range rows {
		lines = append(lines, line{ID: cd.ID, Name: cd.FullName, Source: r.L.Enum("source", cd.Source), Tags: strings.Join(cd.Tags(), ", "),
			Recontact: derefOr(cd.RecontactOn), BestTest: intOr(cd.BestTestPercent, r.L), Email: deref(cd.Email)})
	}
	return r.render(http.StatusOK, "reserve", map[string]any{"Candidates": lines, "Next": next, "Tag": f.Tag, "Source": f.Source,
		"MinScore": minScore, "Due": due, "Sources": []string{"job_site", "referral", "former_student", "reserve", "other"}})
}

func derefOr(s *string) string {
	if s == nil || *s == "" {
		return "—"
	}
	return *s
}

// onboardingPlans lists the plans as list-onboarding-plans does, each as
// it stands now: progress by weight with its numerator and denominator,
// overdue items, the required items left. A reader without
// onboarding_plans:read_all sees her own plan and her mentees'.
func (c *Console) onboardingPlans(r *request) error {
	after, err := idCursor(r)
	if err != nil {
		return err
	}
	views, err := c.d.Onboarding.Plans(r.ctx, r.org.ID, onboarding.ReaderFrom(r.ctx), onboarding.PlanFilter{AfterID: after, Limit: pageSize})
	if err != nil {
		return err
	}
	views, next := onePage(views, func(last onboarding.PlanView) string { return httpapi.EncodeCursor(last.Plan.ID) })
	var ids []string
	for _, v := range views {
		ids = append(ids, v.Plan.UserID)
		if v.Plan.MentorID != nil {
			ids = append(ids, *v.Plan.MentorID)
		}
	}
	names, err := c.d.Onboarding.PeopleNames(r.ctx, r.org.ID, ids)
	if err != nil {
		return err
	}
	type line struct {
		ID, Person, Mentor, Role, Start, Status, Progress, Of, Left, Activated string
		Overdue                                                                int
	}
	lines := make([]line, 0, len(views))
	for i := range views {
		v := &views[i]
		l := line{ID: v.Plan.ID, Person: nameOr(names, v.Plan.UserID, r.L), Mentor: "—", Role: r.L.Enum("role", v.Plan.Role),
			Start: r.L.Date(v.Plan.StartDate), Status: r.L.Enum("plan", v.Status()), Progress: r.L.Pct(v.Progress()),
			Of: r.L.Int(v.WeightDone) + " / " + r.L.Int(v.WeightTotal), Left: strings.Join(v.Unfinished(), "; "), Overdue: v.Overdue(),
			Activated: r.L.TimePtr(v.ActivatedAt())}
		if v.Plan.MentorID != nil {
			l.Mentor = nameOr(names, *v.Plan.MentorID, r.L)
		}
		if l.Left == "" {
			l.Left = "—"
		}
		lines = append(lines, l)
	}
	return r.render(http.StatusOK, "onboarding", map[string]any{"Plans": lines, "Next": next})
}

// parseInt reads a whole number between lo and hi.
func parseInt(s string, lo, hi int) (int, error) {
	n, err := strconv.Atoi(s)
	if err != nil || n < lo || n > hi {
		return 0, badInput("number")
	}
	return n, nil
}
