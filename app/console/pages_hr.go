package console

import (
	"errors"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/curatorops/curatorops/modules/hiring"
	"github.com/curatorops/curatorops/modules/identity"
	"github.com/curatorops/curatorops/modules/onboarding"
	"github.com/curatorops/curatorops/modules/platform/errs"
	"github.com/curatorops/curatorops/modules/platform/httpapi"
	"github.com/curatorops/curatorops/modules/platform/ids"
)

// --- HR: candidate card, reserve search, onboarding plans ----------------------

// candidateCard shows one application: the candidate, the vacancy and
// stage, the stage history (list-hiring-application-moves) and the
// interview scorecards (list-hiring-scorecards: every one to those who
// hold hiring_scorecard:read_all, the caller's own otherwise, and none to
// a role without scorecards).
func (c *Console) candidateCard(r *request) error {
	return c.renderCandidate(r, http.StatusOK, map[string]any{})
}

// renderCandidate shows the card with extra: a refused form's field and
// what was typed, or a new offer's link, shown once.
func (c *Console) renderCandidate(r *request, status int, extra map[string]any) error {
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
	offers, err := c.offerSection(r, app, stages)
	if err != nil {
		return err
	}
	data := map[string]any{
		"Name": cand.FullName, "CandidateID": cand.ID, "Email": deref(cand.Email), "Phone": deref(cand.Phone), "Telegram": deref(cand.Telegram),
		"Source": r.L.Enum("source", app.Source), "CV": deref(cand.CVURL), "Notes": cand.Notes, "InReserve": cand.InReserve,
		"Tags": strings.Join(cand.Tags(), ", "), "BestTest": intOr(cand.BestTestPercent, r.L), "ConsentUntil": r.L.Date(cand.ConsentExpiresAt),
		"Vacancy": vac.Title, "VacancyID": vac.ID, "Stage": stageTitle[app.StageID], "InStageSince": r.L.Time(app.StageEnteredAt),
		"Moves": history, "Scorecards": scs, "ShowScorecards": r.allowed("hiring_scorecard", "read_own"),
		"Combined": combinedScore, "CombinedOf": r.L.Int(combined.Scorecards), "Means": means,
		"Hire": combined.Recommendations[hiring.RecommendHire], "NoHire": combined.Recommendations[hiring.RecommendNoHire],
		"Undecided": combined.Recommendations[hiring.RecommendUndecided], "ApplicationID": app.ID, "HasEmail": cand.Email != nil,
	}
	for k, v := range offers {
		data[k] = v
	}
	for k, v := range extra {
		data[k] = v
	}
	return r.render(status, "candidate", data)
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
	// user_id narrows the list to one person's plan, as the API's filter
	// does: the candidate card links a new hire's plan this way.
	user, err := idQuery(r, "user_id")
	if err != nil {
		return err
	}
	views, err := c.d.Onboarding.Plans(r.ctx, r.org.ID, onboarding.ReaderFrom(r.ctx), onboarding.PlanFilter{UserID: user, AfterID: after, Limit: pageSize})
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
	return r.render(http.StatusOK, "onboarding", map[string]any{"Plans": lines, "Next": next, "UserID": user})
}

// parseInt reads a whole number between lo and hi.
func parseInt(s string, lo, hi int) (int, error) {
	n, err := strconv.Atoi(s)
	if err != nil || n < lo || n > hi {
		return 0, badInput("number")
	}
	return n, nil
}

// --- HR: offers and hiring -------------------------------------------------------

// offerLine is one of an application's offers as the card shows it.
type offerLine struct {
	ID, Status, StatusKey, StartDate, PayScheme, Base, Mentor, Expires, Decided, Created, CreatedBy string
	Hire, HireID, PlanID                                                                            string
	Open                                                                                            bool
}

// offerSection is the card's offers, as list-hiring-offers gives them to
// those who hold hiring_offer:read, with what the caller's roles may do
// next: make an offer (hiring_offer:create, when none is open and the
// application is not closed), record the acceptance (hiring_offer:accept)
// or the candidate's decline and the school's withdrawal
// (hiring_offer:create, like close-hiring-offer).
func (c *Console) offerSection(r *request, app *hiring.Application, stages []hiring.Stage) (map[string]any, error) {
	out := map[string]any{"ShowOffers": false, "Offers": []offerLine{}, "CanOffer": false, "CanAccept": false, "CanClose": false,
		"Hired": false, "Mentors": nil}
	closed := false
	for _, s := range stages {
		if s.ID == app.StageID && (s.Kind == hiring.KindHired || s.Kind == hiring.KindRejected || s.Kind == hiring.KindReserve) {
			closed = true
			out["Hired"] = s.Kind == hiring.KindHired
		}
	}
	if !r.allowed("hiring_offer", "read") {
		return out, nil
	}
	offers, err := c.d.Hiring.Offers(r.ctx, r.org.ID, app.ID)
	if err != nil {
		return nil, err
	}
	people := []string{}
	for _, o := range offers {
		people = append(people, o.CreatedBy)
		if o.MentorID != nil {
			people = append(people, *o.MentorID)
		}
		if o.UserID != nil {
			people = append(people, *o.UserID)
		}
	}
	names, err := c.d.Identity.MemberNames(r.ctx, r.org.ID, people)
	if err != nil {
		return nil, err
	}
	now := c.d.Hiring.Now()
	open := false
	lines := make([]offerLine, 0, len(offers))
	for i := range offers {
		o := &offers[i]
		st := o.State(now)
		l := offerLine{ID: o.ID, Status: r.L.Enum("offer_status", st), StatusKey: st, StartDate: o.StartDate, PayScheme: o.PayScheme,
			Base: r.L.MoneyPtr(o.MonthlyBaseKopecks), Mentor: "—", Expires: r.L.Time(o.ExpiresAt), Decided: r.L.TimePtr(o.DecidedAt),
			Created: r.L.Time(o.CreatedAt), CreatedBy: nameOr(names, o.CreatedBy, r.L), Open: st == hiring.OfferSent}
		if o.MentorID != nil {
			l.Mentor = nameOr(names, *o.MentorID, r.L)
		}
		if o.UserID != nil {
			l.Hire, l.HireID = nameOr(names, *o.UserID, r.L), *o.UserID
		}
		if o.PlanID != nil {
			l.PlanID = *o.PlanID
		}
		open = open || l.Open
		lines = append(lines, l)
	}
	out["ShowOffers"], out["Offers"] = true, lines
	out["CanOffer"] = r.allowed("hiring_offer", "create") && !open && !closed
	out["CanAccept"] = r.allowed("hiring_offer", "accept") && open
	out["CanClose"] = r.allowed("hiring_offer", "create") && open
	if out["CanOffer"] == true {
		// The mentor is chosen by name among the school's active members.
		members, err := c.d.Identity.ListMembers(r.ctx, r.org.ID, identity.MemberFilter{Status: "active", Limit: 200})
		if err != nil {
			return nil, err
		}
		type option struct{ ID, Name string }
		mentors := make([]option, 0, len(members))
		for _, m := range members {
			mentors = append(mentors, option{ID: m.UserID, Name: m.Name})
		}
		out["Mentors"] = mentors
	}
	for _, k := range []string{"OfferField", "OfferError", "AcceptField", "AcceptError", "NewOfferLink"} {
		out[k] = ""
	}
	out["OfferForm"] = map[string]string{"valid_days": strconv.Itoa(hiring.DefaultOfferDays)}
	return out, nil
}

// createOffer makes an offer as create-hiring-offer does: the application
// moves to the offer stage, audited. The candidate's link is shown once,
// on the answer to the form. A form the API's schema or the service would
// refuse comes back with the field named and what was typed.
func (c *Console) createOffer(r *request) error {
	if _, err := idParam(r); err != nil {
		return err
	}
	if err := r.Request().ParseForm(); err != nil {
		return badInput("form")
	}
	f := r.Request().PostForm
	typed := map[string]string{}
	for _, k := range []string{"start_date", "pay_scheme", "monthly_base", "mentor_id", "valid_days"} {
		typed[k] = f.Get(k)
	}
	again := func(field string) error {
		return c.renderCandidate(r, http.StatusUnprocessableEntity, map[string]any{"OfferForm": typed, "OfferField": field, "OfferError": "error.invalid"})
	}
	in := hiring.OfferInput{StartDate: strings.TrimSpace(typed["start_date"]), PayScheme: typed["pay_scheme"]}
	if n := utf8.RuneCountInString(strings.TrimSpace(in.PayScheme)); n == 0 || utf8.RuneCountInString(in.PayScheme) > 2000 {
		return again("pay_scheme")
	}
	if len(in.StartDate) != len(time.DateOnly) {
		return again("start_date")
	}
	if v := strings.TrimSpace(typed["monthly_base"]); v != "" {
		k, err := parseKopecks(v)
		if err != nil {
			return again("monthly_base")
		}
		in.MonthlyBaseKopecks = &k
	}
	if v := strings.TrimSpace(typed["mentor_id"]); v != "" {
		if !ids.Valid(v) {
			return again("mentor_id")
		}
		in.MentorID = &v
	}
	if v := strings.TrimSpace(typed["valid_days"]); v != "" {
		n, err := parseInt(v, 0, hiring.MaxOfferDays)
		if err != nil {
			return again("valid_days")
		}
		in.ValidDays = n
	}
	issued, err := c.d.Hiring.CreateOffer(r.ctx, r.org.ID, r.Param("id"), in)
	if field := invalidField(err); field != "" {
		if field == "monthly_base_kopecks" {
			field = "monthly_base"
		}
		return again(field)
	}
	if err != nil {
		return err
	}
	return c.renderCandidate(r, http.StatusCreated, map[string]any{"NewOfferLink": "/v1/hiring/offers/" + issued.Token})
}

// applicationOffer is the offer of the address, when it is one of the
// application's: anything else is a page that does not exist.
func (c *Console) applicationOffer(r *request) (string, error) {
	appID, err := idParam(r)
	if err != nil {
		return "", err
	}
	offerID := r.Param("offer")
	if !ids.Valid(offerID) {
		return "", errPageNotFound
	}
	offers, err := c.d.Hiring.Offers(r.ctx, r.org.ID, appID)
	if err != nil {
		return "", err
	}
	for _, o := range offers {
		if o.ID == offerID {
			return offerID, nil
		}
	}
	return "", errPageNotFound
}

// acceptOffer records the candidate's acceptance as
// accept-hiring-offer-on-behalf does: in one transaction the account, the
// curator membership, the onboarding plan and the hired stage. The
// password is never shown again, not even on a refused form.
func (c *Console) acceptOffer(r *request) error {
	offerID, err := c.applicationOffer(r)
	if err != nil {
		return err
	}
	again := func(field string) error {
		return c.renderCandidate(r, http.StatusUnprocessableEntity, map[string]any{"AcceptField": field, "AcceptError": "error.invalid"})
	}
	password := r.FormValue("password")
	if n := utf8.RuneCountInString(password); n < 10 || n > 200 {
		return again("password")
	}
	_, err = c.d.Hiring.AcceptOnBehalf(r.ctx, r.org.ID, offerID, password)
	if field := invalidField(err); field != "" {
		return again(field)
	}
	if err != nil {
		return err
	}
	return r.back("/hiring/applications/" + r.Param("id"))
}

// closeOffer records the candidate's decline or withdraws the offer, as
// close-hiring-offer does.
func (c *Console) closeOffer(r *request) error {
	offerID, err := c.applicationOffer(r)
	if err != nil {
		return err
	}
	status := r.FormValue("status")
	if status != hiring.OfferDeclined && status != hiring.OfferWithdrawn {
		return badInput("status")
	}
	if _, err := c.d.Hiring.CloseOffer(r.ctx, r.org.ID, offerID, status); err != nil {
		return err
	}
	return r.back("/hiring/applications/" + r.Param("id"))
}

// invalidField is the field a service's validation error names, without
// its "body." or "query." prefix; "" for any other error.
func invalidField(err error) string {
	var ve *errs.ValidationError
	if !errors.As(err, &ve) {
		return ""
	}
	if len(ve.Fields) == 0 {
		return "form"
	}
	loc := ve.Fields[0].Location
	for _, p := range []string{"body.", "query.", "path."} {
		loc = strings.TrimPrefix(loc, p)
	}
	return loc
}

// parseKopecks reads an amount typed in roubles ("20 000", "1234,50") as
// kopecks; zero is an amount.
func parseKopecks(s string) (int64, error) {
	s = strings.NewReplacer(" ", "", "\u00a0", "", ",", ".").Replace(strings.TrimSpace(s))
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f < 0 || f > 1e10 || math.IsNaN(f) {
		return 0, badInput("amount")
	}
	return int64(math.Round(f * 100)), nil
}
