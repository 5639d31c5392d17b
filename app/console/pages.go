package console

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/curatorops/curatorops/modules/platform/errs"
	"github.com/curatorops/curatorops/modules/platform/reqctx"
)

// pageList is every page and form of the console with its declaration.
// A page declares the permission of the API operation whose data it
// shows, and a form the permission of the operation it performs.
func (c *Console) pageList() []*page {
	get, post := http.MethodGet, http.MethodPost
	org := func(method, path, name, nav string, h func(*request) error, perms ...string) *page {
		p := &page{name: name, method: method, path: "/:org" + path, access: accessOrg, nav: nav, handler: h}
		for i := 0; i+1 < len(perms); i += 2 {
			p.perms = append(p.perms, perm(perms[i], perms[i+1]))
		}
		return p
	}
	return []*page{
		{name: "sign-in-form", method: get, path: "/sign-in", access: accessPublic, handler: c.signInForm},
		{name: "sign-in", method: post, path: "/sign-in", access: accessPublic, handler: c.signIn},
		{name: "language", method: post, path: "/language", access: accessPublic, handler: c.setLanguage},
		{name: "start", method: get, path: "/", access: accessSignedIn, handler: c.start},
		{name: "sign-out", method: post, path: "/sign-out", access: accessSignedIn, handler: c.signOut},

		org(get, "/", "home", "", c.home, "org", "read"),
		// Head of service.
		org(get, "/scorecard", "scorecard", "nav.scorecard", c.scorecardPage, "scorecard", "read"),
		org(get, "/sla", "sla-board", "nav.sla", c.slaBoard, "sla_clocks", "read"),
		org(get, "/sla/clocks/:id", "sla-explain", "", c.slaExplain, "sla_clocks", "read"),
		org(get, "/refunds/approve", "refunds-to-approve", "nav.refunds_approve", c.refundsToApprove,
			"refund_requests", "read", "refund_requests", "approve"),
		org(post, "/refunds/:id/approve", "approve-refund", "", c.approveRefund, "refund_requests", "approve"),
		org(post, "/refunds/:id/reject", "reject-refund", "", c.rejectRefund, "refund_requests", "approve"),
		// homework_stats:read like get-homework-stats; a curator holds it
		// too and sees her own row, as from the API.
		org(get, "/queue-health", "queue-health", "nav.queue_health", c.queueHealth, "homework_stats", "read"),
		org(get, "/cases/moderation", "cases-to-moderate", "nav.cases_moderation", c.casesToModerate,
			"cases", "read_own", "cases", "moderate"),
		org(post, "/cases/:id/moderation", "moderate-case", "", c.moderateCase, "cases", "moderate"),
		org(get, "/regulations/reading", "reading-by-article", "nav.reading_by_article", c.readingByArticle,
			"kb_acknowledgments", "read_all"),
		org(get, "/regulations/reading/:id", "readers-of-article", "", c.readersOf, "kb_acknowledgments", "read_all", "kb_articles", "read"),
		// Everyone's regulations.
		org(get, "/regulations", "my-reading", "nav.reading", c.myReading, "kb_reading", "read_own"),
		org(get, "/regulations/:id", "regulation", "", c.regulation, "kb_articles", "read"),
		org(post, "/regulations/:id/acknowledgments", "acknowledge-regulation", "", c.acknowledge, "kb_reading", "acknowledge"),
		org(post, "/regulations/:id/quiz", "quiz-attempt", "", c.quizAttempt, "kb_reading", "acknowledge"),
		// Curator.
		org(get, "/queue", "queue", "nav.queue", c.queue, "homework", "read_own"),
		org(post, "/queue/next", "take-next", "", c.takeNext, "homework", "claim"),
		org(get, "/homework/:id", "submission", "", c.submission, "homework", "read_own"),
		org(post, "/homework/:id/review", "review", "", c.review, "homework", "review"),
		org(post, "/homework/:id/draft", "save-draft", "", c.saveDraft, "homework", "review"),
		org(post, "/homework/:id/release", "release", "", c.release, "homework", "claim"),
		org(get, "/conversations", "my-conversations", "nav.conversations", c.myConversations, "sla_clocks", "read_own"),
		// My KPIs: get-curator-scorecard for oneself; another curator's
		// page answers as the API does (403 to a curator).
		org(get, "/kpis", "my-kpis", "nav.kpis", c.myKPIs, "scorecard_curator", "read_own"),
		org(get, "/kpis/:user", "curator-kpis", "", c.curatorKPIs, "scorecard_curator", "read_own"),
		org(get, "/cases/new", "record-case-form", "nav.record_case", c.recordCaseForm, "cases", "create"),
		org(post, "/cases", "record-case", "", c.recordCase, "cases", "create"),
		// HR.
		org(get, "/hiring", "vacancies", "nav.hiring", c.vacancies, "hiring_vacancy", "read"),
		org(get, "/hiring/:vacancy", "vacancy-board", "", c.board, "hiring_vacancy", "read", "hiring_pipeline", "read"),
		org(post, "/hiring/applications/:id/move", "move-application", "", c.moveApplication, "hiring_pipeline", "move"),
		org(get, "/hiring/applications/:id", "candidate-card", "", c.candidateCard, "hiring_pipeline", "read", "hiring_candidate", "read"),
		org(get, "/hiring/reserve", "reserve", "nav.reserve", c.reserve, "hiring_candidate", "read"),
		// Offers and hiring, each form as its hiring operation.
		org(post, "/hiring/applications/:id/offers", "create-offer", "", c.createOffer, "hiring_offer", "create"),
		org(post, "/hiring/applications/:id/offers/:offer/acceptance", "accept-offer", "", c.acceptOffer, "hiring_offer", "accept"),
		org(post, "/hiring/applications/:id/offers/:offer/close", "close-offer", "", c.closeOffer, "hiring_offer", "create"),
		// A curator holds onboarding_plans:read too and sees her own plan.
		org(get, "/onboarding", "onboarding-plans", "nav.onboarding", c.onboardingPlans, "onboarding_plans", "read"),
		// Finance.
		org(get, "/refunds/execute", "refunds-to-execute", "nav.refunds_execute", c.refundsToExecute,
			"refund_requests", "read", "refund_requests", "execute"),
		org(post, "/refunds/:id/execute", "execute-refund", "", c.executeRefund, "refund_requests", "execute"),
		// Pay: each page and form with the permission of the pay operation
		// it mirrors. "My pay" joins reading one's own statement and
		// disputing its lines (get-pay-statement, create-pay-dispute), so it
		// is the menu of those paid by a scheme, not of everyone who may
		// read a statement of her own.
		org(get, "/pay", "pay-periods", "nav.pay", c.payPeriods, "pay_periods", "read"),
		org(post, "/pay/periods", "open-pay-period", "", c.openPayPeriod, "pay_periods", "manage"),
		org(get, "/pay/periods/:id", "pay-period", "", c.payPeriod, "pay_periods", "read"),
		org(post, "/pay/periods/:id/calculate", "calculate-pay-period", "", c.payStep("calculate"), "pay_periods", "calculate"),
		org(post, "/pay/periods/:id/submit", "submit-pay-period", "", c.payStep("submit"), "pay_periods", "manage"),
		org(post, "/pay/periods/:id/approve", "approve-pay-period", "", c.payStep("approve"), "pay_periods", "approve"),
		org(post, "/pay/periods/:id/approve-finance", "approve-finance-pay-period", "", c.payStep("approve-finance"), "pay_periods", "approve_finance"),
		org(post, "/pay/periods/:id/lock", "lock-pay-period", "", c.payStep("lock"), "pay_periods", "lock"),
		org(post, "/pay/periods/:id/mark-paid", "mark-paid-pay-period", "", c.payStep("mark-paid"), "pay_periods", "mark_paid"),
		org(post, "/pay/periods/:id/unlock", "unlock-pay-period", "", c.payStep("unlock"), "pay_periods", "unlock"),
		org(post, "/pay/periods/:id/exports", "export-pay-period", "", c.exportPayPeriod, "pay_periods", "export"),
		org(get, "/pay/periods/:id/exports/:format", "download-pay-export", "", c.downloadPayExport, "pay_periods", "export"),
		org(get, "/pay/periods/:id/statements/:user", "pay-statement", "", c.payStatement, "pay_statements", "read_own"),
		org(get, "/pay/mine", "my-pay", "nav.my_pay", c.myPay, "pay_statements", "read_own", "pay_statements", "dispute"),
		org(get, "/pay/lines/:id/sources", "pay-line-sources", "", c.payLineSources, "pay_statements", "read_own"),
		org(post, "/pay/lines/:id/disputes", "dispute-pay-line", "", c.disputePayLine, "pay_statements", "dispute"),
		org(post, "/pay/disputes/:id/resolve", "resolve-pay-dispute", "", c.resolvePayDispute, "pay_statements", "resolve"),
		// Students: the CSV import as import-students, run as a job.
		org(get, "/students/import", "import-students-form", "nav.import", c.importForm, "students", "import"),
		org(post, "/students/import", "import-students", "", c.importStudents, "students", "import"),
		// A long operation's progress (jobs.go): open to everyone of the
		// school, and only its own starter finds it.
		org(get, "/jobs/:id", "job", "", c.jobPage, "org", "read"),
		// Administration.
		org(get, "/people", "people", "nav.people", c.people, "users", "read"),
		org(post, "/people/:id/roles", "grant-role", "", c.grantRole, "roles", "grant"),
		org(post, "/people/:id/roles/revoke", "revoke-role", "", c.revokeRole, "roles", "revoke"),
		org(post, "/people/:id/status", "update-user", "", c.setMemberStatus, "users", "update"),
		org(get, "/audit", "audit-log", "nav.audit", c.auditLog, "audit", "read"),
		org(get, "/api-keys", "api-keys", "nav.api_keys", c.apiKeys, "api_keys", "read"),
		org(post, "/api-keys", "create-api-key", "", c.createAPIKey, "api_keys", "create"),
		org(post, "/api-keys/:id/revoke", "revoke-api-key", "", c.revokeAPIKey, "api_keys", "revoke"),
		org(get, "/webhooks", "webhooks", "nav.webhooks", c.webhooks, "webhooks", "read"),
		org(get, "/webhooks/:id", "webhook-deliveries", "", c.deliveries, "webhooks", "read"),
		org(post, "/webhooks", "create-webhook", "", c.createWebhook, "webhooks", "create"),
		org(post, "/webhooks/:id", "update-webhook", "", c.updateWebhook, "webhooks", "update"),
		org(post, "/webhooks/:id/active", "set-webhook-active", "", c.setWebhookActive, "webhooks", "update"),
		org(post, "/webhooks/:id/rotate-secret", "rotate-webhook-secret", "", c.rotateWebhookSecret, "webhooks", "update"),
		org(post, "/webhooks/:id/delete", "delete-webhook", "", c.deleteWebhook, "webhooks", "delete"),
		org(post, "/webhook-deliveries/:id/redeliver", "redeliver-webhook-delivery", "", c.redeliver, "webhooks", "redeliver"),
	}
}

// navItem is a link of the menu.
type navItem struct {
	Key, Href string
	Current   bool
}

// nav is the menu of the caller in the school: the pages their roles open.
func (r *request) nav() []navItem {
	if r.org == nil {
		return nil
	}
	var out []navItem
	for _, p := range r.c.pages {
		if p.nav == "" || !r.grants(p) {
			continue
		}
		out = append(out, navItem{Key: p.nav, Href: r.orgPath(strings.TrimPrefix(p.path, "/:org")), Current: p == r.page})
	}
	return out
}

// grants reports whether the caller's roles here open page p.
func (r *request) grants(p *page) bool {
	for _, perm := range p.perms {
		if !r.allowed(perm.Object, perm.Action) {
			return false
		}
	}
	return true
}

// --- signing in and out ----------------------------------------------------

func (c *Console) signInForm(r *request) error {
	if r.principal != nil {
		return r.Redirect(http.StatusSeeOther, Prefix+"/")
	}
	return r.render(http.StatusOK, "signin", map[string]any{"Next": safeNext(r.QueryParam("next"))})
}

// signIn opens a session through the identity module, with its throttling
// and audit entry, and keeps the token in the session cookie.
func (c *Console) signIn(r *request) error {
	email, password := strings.TrimSpace(r.FormValue("email")), r.FormValue("password")
	next := safeNext(r.FormValue("next"))
	if email == "" || password == "" || len(email) > 254 || len(password) > 128 {
		return r.render(http.StatusUnprocessableEntity, "signin", map[string]any{"Next": next, "Email": email, "Error": "signin.missing"})
	}
	s, err := c.d.Identity.Login(r.ctx, email, password)
	if errors.Is(err, errs.ErrUnauthorized) {
		return r.render(http.StatusUnauthorized, "signin", map[string]any{"Next": next, "Email": email, "Error": "signin.wrong"})
	}
	if err != nil {
		return err
	}
	r.setCookie(sessionCookie, s.Token, int(s.ExpiresAt.Sub(c.d.Identity.Now()).Seconds()))
	r.setCookie(csrfCookie, "", -1)
	if next == "" {
		next = Prefix + "/"
	}
	return r.Redirect(http.StatusSeeOther, next)
}

// safeNext keeps a return address only when it is a console page, so that
// the sign-in form cannot send anyone elsewhere.
func safeNext(next string) string {
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || !strings.HasPrefix(u.Path, Prefix+"/") || strings.Contains(next, "//") ||
		strings.Contains(next, "\\") {
		return ""
	}
	return u.RequestURI()
}

// signOut revokes the session, as the API's logout does.
func (c *Console) signOut(r *request) error {
	if err := c.d.Identity.Logout(r.ctx, r.principal); err != nil {
		return err
	}
	r.setCookie(sessionCookie, "", -1)
	return r.Redirect(http.StatusSeeOther, Prefix+"/sign-in")
}

// setLanguage keeps the person's choice of language.
func (c *Console) setLanguage(r *request) error {
	lang := r.FormValue("lang")
	if lang != "ru" && lang != "en" {
		return badInput("lang")
	}
	r.SetCookie(&http.Cookie{Name: langCookie, Value: lang, Path: Prefix + "/", HttpOnly: true, SameSite: http.SameSiteLaxMode,
		Secure: r.secure(), MaxAge: 365 * 24 * 3600})
	next := safeNext(r.FormValue("next"))
	if next == "" {
		next = Prefix + "/"
	}
	return r.Redirect(http.StatusSeeOther, next)
}

// start sends a signed-in person to the home page of their school: the
// first active membership, or a list when they work for several.
func (c *Console) start(r *request) error {
	me, err := c.d.Identity.Me(r.ctx, r.principal)
	if err != nil {
		return err
	}
	type school struct{ Name, Href string }
	var schools []school
	for _, m := range me.Memberships {
		if m.Status == "active" {
			schools = append(schools, school{Name: m.Org.Name, Href: Prefix + "/" + url.PathEscape(m.Org.Slug) + "/"})
		}
	}
	if len(schools) == 1 {
		return r.Redirect(http.StatusSeeOther, schools[0].Href)
	}
	return r.render(http.StatusOK, "schools", map[string]any{"Schools": schools, "Name": me.User.Name})
}

// home is the person's own start page: what their roles let them do here,
// with the figures of their work.
func (c *Console) home(r *request) error {
	data := map[string]any{"Roles": r.org.Roles}
	if r.allowed("homework", "claim") {
		mine, err := c.d.Homework.List(r.ctx, r.org.ID, reviewerOf(r), homeworkFilter("mine", 100))
		if err != nil {
			return err
		}
		data["MyQueue"] = len(mine)
	}
	return r.render(http.StatusOK, "home", data)
}

func principalName(p *reqctx.Principal) string {
	if p == nil {
		return ""
	}
	return p.Name
}
