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
		// Curator.
		org(get, "/queue", "queue", "nav.queue", c.queue, "homework", "read_own"),
		org(post, "/queue/next", "take-next", "", c.takeNext, "homework", "claim"),
		org(get, "/homework/:id", "submission", "", c.submission, "homework", "read_own"),
		org(post, "/homework/:id/review", "review", "", c.review, "homework", "review"),
		org(post, "/homework/:id/draft", "save-draft", "", c.saveDraft, "homework", "review"),
		org(post, "/homework/:id/release", "release", "", c.release, "homework", "claim"),
		// HR.
		org(get, "/hiring", "vacancies", "nav.hiring", c.vacancies, "hiring_vacancy", "read"),
		org(get, "/hiring/:vacancy", "vacancy-board", "", c.board, "hiring_vacancy", "read", "hiring_pipeline", "read"),
		org(post, "/hiring/applications/:id/move", "move-application", "", c.moveApplication, "hiring_pipeline", "move"),
		// Finance.
		org(get, "/refunds/execute", "refunds-to-execute", "nav.refunds_execute", c.refundsToExecute,
			"refund_requests", "read", "refund_requests", "execute"),
		org(post, "/refunds/:id/execute", "execute-refund", "", c.executeRefund, "refund_requests", "execute"),
		// Administration.
		org(get, "/people", "people", "nav.people", c.people, "users", "read"),
		org(get, "/audit", "audit-log", "nav.audit", c.auditLog, "audit", "read"),
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
