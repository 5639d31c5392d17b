package console_test

import (
	"context"
	"html"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/curatorops/curatorops/app/apptest"
	"github.com/curatorops/curatorops/modules/platform/testkit"
)

// TestConsoleHRAdmin covers the pages of offers and hiring, of managing
// webhooks and of a curator's own KPIs, on SQLite and (with
// TEST_DATABASE_URL) PostgreSQL: each table against the API's answer to the
// same person, each form through the service with its rules (403, 404,
// 409, 412, 422 with the field named and what was typed kept) and its
// audit entry.
func TestConsoleHRAdmin(t *testing.T) {
	for _, dialect := range testkit.Dialects() {
		t.Run(dialect, func(t *testing.T) {
			site := newDemoSite(t, dialect)
			t.Run("offer and hire from the board", func(t *testing.T) { checkOfferAndHire(t, site) })
			t.Run("webhooks created, edited and redelivered", func(t *testing.T) { checkWebhookForms(t, site) })
			t.Run("a curator's KPIs", func(t *testing.T) { checkKPIs(t, site) })
		})
	}
}

var (
	offerRow     = regexp.MustCompile(`<tr data-offer="([0-9a-f-]{36})" data-status="([a-z]+)"`)
	offerLink    = regexp.MustCompile(`<code id="new-offer-link">([^<]+)</code>`)
	offerErr     = regexp.MustCompile(`id="offer-error">[^<]*\(([a-z_]+)\)`)
	acceptErr    = regexp.MustCompile(`id="accept-error">[^<]*\(([a-z_]+)\)`)
	hookErr      = regexp.MustCompile(`id="hook-error">[^<]*\(([a-z_]+)\)`)
	newSecret    = regexp.MustCompile(`<code id="new-secret-value">([^<]+)</code>`)
	formVersion  = regexp.MustCompile(`id="hook-form"[^>]*>\s*<input type="hidden" name="csrf" value="[^"]+"><input type="hidden" name="version" value="(\d+)">`)
	mentorOption = regexp.MustCompile(`<option value="([0-9a-f-]{36})">`)
	deliveryRow  = regexp.MustCompile(`<tr data-id="([0-9a-f-]{36})" data-status="([a-z]+)"`)
	kpiRow       = regexp.MustCompile(`<tr data-figure="(kpi\.[a-z0-9_]+)" data-raw="([^"]*)"><th scope="row">[^<]*</th><td class="num">([^<]*)</td><td class="of">([^<]*)</td>`)
)

// userID is a demo person's id, as list-users gives it.
func userID(t *testing.T, site *demoSite, bearer apptest.Option, email string) string {
	t.Helper()
	ids := idsFromJSON(site.Do(http.MethodGet, "/v1/orgs/demo/users?email="+url.QueryEscape(email), nil, bearer).Expect(http.StatusOK), "user_id")
	if len(ids) != 1 {
		t.Fatalf("%s: %v", email, ids)
	}
	return ids[0]
}

// openApplications are the applications whose cards offer the offer form,
// found from the boards as HR finds them.
func openApplications(t *testing.T, site *demoSite, b *browser, bearer apptest.Option, want int) []string {
	t.Helper()
	var out []string
	for _, vac := range idsFromJSON(site.Do(http.MethodGet, "/v1/orgs/demo/hiring-vacancies?limit=25", nil, bearer).Expect(http.StatusOK), "id") {
		board := b.get("/console/demo/hiring/" + vac)
		if !strings.Contains(board.Body, `class="offer-link"`) {
			t.Fatalf("the board of %s links no card to its offers", vac)
		}
		for _, app := range matches(applicationHref, board.Body) {
			if card := b.get("/console/demo/hiring/applications/" + app); strings.Contains(card.Body, `id="offer-form"`) {
				out = append(out, app)
				if len(out) == want {
					return out
				}
			}
		}
	}
	t.Fatalf("the demo boards have %d applications open to an offer, want %d", len(out), want)
	return nil
}

func checkOfferAndHire(t *testing.T, site *demoSite) {
	b := site.browser(t)
	home := b.signIn("hr@demo.test")
	token := home.csrf(t)
	bearer := apptest.Bearer(b.token())
	apps := openApplications(t, site, b, bearer, 2)
	app := apps[0]
	card := b.get("/console/demo/hiring/applications/" + app)
	checkTexts(t, "candidate card", card.Body)
	// The offers shown are the API's (none yet).
	apiOffers := apiItems(t, site.Do(http.MethodGet, "/v1/orgs/demo/hiring-applications/"+app+"/offers", nil, bearer).Expect(http.StatusOK))
	if got := matches(offerRow, card.Body); len(got) != len(apiOffers) || len(got) != 0 {
		t.Fatalf("offers on the card %v, the API %v", got, field(apiOffers, "id"))
	}
	mentors := matches(mentorOption, card.Body)
	if len(mentors) == 0 {
		t.Fatal("the offer form names no mentor to choose")
	}
	start := demoAt.AddDate(0, 0, 10).Format(time.DateOnly)
	good := url.Values{"csrf": {token}, "start_date": {start}, "pay_scheme": {"Оклад 20 000 ₽ + 150 ₽ за проверенную работу"},
		"monthly_base": {"20 000"}, "mentor_id": {mentors[0]}, "valid_days": {"14"}}
	// A refused form comes back with the field named and what was typed.
	for field, bad := range map[string]string{"pay_scheme": "  ", "start_date": "2001-01-01", "monthly_base": "двадцать",
		"mentor_id": "00000000-0000-0000-0000-000000000000", "valid_days": "61"} {
		form := url.Values{}
		for k, v := range good {
			form[k] = v
		}
		form.Set(field, bad)
		p := b.post("/console/demo/hiring/applications/"+app+"/offers", form)
		m := offerErr.FindStringSubmatch(p.Body)
		if p.Status != http.StatusUnprocessableEntity || m == nil || m[1] != field {
			t.Fatalf("offer with %s=%q: %d %v", field, bad, p.Status, m)
		}
		if field != "pay_scheme" && !strings.Contains(p.Body, "Оклад 20 000 ₽ &#43; 150 ₽") {
			t.Fatalf("the refused form (%s) lost what was typed", field)
		}
	}
	if n := len(apiItems(t, site.Do(http.MethodGet, "/v1/orgs/demo/hiring-applications/"+app+"/offers", nil, bearer).Expect(http.StatusOK))); n != 0 {
		t.Fatalf("refused forms made %d offers", n)
	}
	// Without the form's token nothing happens.
	noToken := url.Values{}
	for k, v := range good {
		noToken[k] = v
	}
	noToken.Del("csrf")
	if p := b.post("/console/demo/hiring/applications/"+app+"/offers", noToken); p.Status != http.StatusForbidden {
		t.Fatalf("an offer without the CSRF token: %d", p.Status)
	}
	// The offer: the candidate's link shown once, the API lists it.
	p := b.post("/console/demo/hiring/applications/"+app+"/offers", good)
	link := offerLink.FindStringSubmatch(p.Body)
	if p.Status != http.StatusCreated || link == nil {
		t.Fatalf("make an offer: %d\n%s", p.Status, p.Body)
	}
	site.Do(http.MethodGet, link[1], nil).Expect(http.StatusOK) // the candidate's link works
	apiOffers = apiItems(t, site.Do(http.MethodGet, "/v1/orgs/demo/hiring-applications/"+app+"/offers", nil, bearer).Expect(http.StatusOK))
	if len(apiOffers) != 1 || apiOffers[0]["status"] != "sent" || apiOffers[0]["start_date"] != start ||
		apiOffers[0]["monthly_base_kopecks"] != float64(2_000_000) || apiOffers[0]["mentor_id"] != mentors[0] {
		t.Fatalf("the API's offers after the form: %v", apiOffers)
	}
	offerID := apiOffers[0]["id"].(string)
	card = b.get("/console/demo/hiring/applications/" + app)
	if got := matches(offerRow, card.Body); !slices.Equal(got, []string{offerID}) || strings.Contains(card.Body, link[1]) {
		t.Fatalf("the card's offers %v (the link must not be shown again)", got)
	}
	if strings.Contains(card.Body, `id="offer-form"`) || !strings.Contains(card.Body, `id="accept-form"`) {
		t.Fatal("with an open offer the card offers acceptance, not a second offer")
	}
	if p := b.post("/console/demo/hiring/applications/"+app+"/offers", good); p.Status != http.StatusConflict {
		t.Fatalf("a second open offer: %d", p.Status)
	}
	if n := site.Count("audit_entries", "entity_id = ?", offerID); n != 1 {
		t.Fatalf("the offer's audit entries: %d", n)
	}
	// Bad ids answer 404; an offer of another application too.
	for _, path := range []string{"/console/demo/hiring/applications/not-an-id/offers",
		"/console/demo/hiring/applications/" + app + "/offers/not-an-id/acceptance",
		"/console/demo/hiring/applications/" + apps[1] + "/offers/" + offerID + "/acceptance",
		"/console/demo/hiring/applications/" + apps[1] + "/offers/" + offerID + "/close"} {
		if p := b.post(path, url.Values{"csrf": {token}, "password": {"Hire-Password-2026!"}, "status": {"withdrawn"}}); p.Status != http.StatusNotFound {
			t.Fatalf("POST %s: %d", path, p.Status)
		}
	}
	// Acceptance: a short password is refused by name and kept nowhere.
	accept := "/console/demo/hiring/applications/" + app + "/offers/" + offerID + "/acceptance"
	p = b.post(accept, url.Values{"csrf": {token}, "password": {"short"}})
	if m := acceptErr.FindStringSubmatch(p.Body); p.Status != http.StatusUnprocessableEntity || m == nil || m[1] != "password" {
		t.Fatalf("a short password: %d %v", p.Status, m)
	}
	if p := b.post(accept, url.Values{"csrf": {token}, "password": {"Hire-Password-2026!"}}); p.Status != http.StatusSeeOther {
		t.Fatalf("record the acceptance: %d\n%s", p.Status, p.Body)
	}
	var accepted struct {
		Items []struct {
			Status string  `json:"status"`
			UserID *string `json:"user_id"`
			PlanID *string `json:"plan_id"`
		} `json:"items"`
	}
	site.Do(http.MethodGet, "/v1/orgs/demo/hiring-applications/"+app+"/offers", nil, bearer).Expect(http.StatusOK).Decode(&accepted)
	if len(accepted.Items) != 1 || accepted.Items[0].Status != "accepted" || accepted.Items[0].UserID == nil || accepted.Items[0].PlanID == nil {
		t.Fatalf("the API after the hire: %+v", accepted.Items)
	}
	hire, plan := *accepted.Items[0].UserID, *accepted.Items[0].PlanID
	// The API lists the new person, a curator of the school.
	var users struct {
		Items []struct {
			UserID string   `json:"user_id"`
			Email  string   `json:"email"`
			Roles  []string `json:"roles"`
		} `json:"items"`
	}
	admin := site.browser(t)
	admin.signIn("admin@demo.test")
	site.Do(http.MethodGet, "/v1/orgs/demo/users?role=curator&limit=100", nil, apptest.Bearer(admin.token())).Expect(http.StatusOK).Decode(&users)
	email := ""
	for _, u := range users.Items {
		if u.UserID == hire {
			email = u.Email
		}
	}
	if email == "" {
		t.Fatalf("the API does not list the hire %s among the curators", hire)
	}
	if n := site.Count("audit_entries", "entity_id = ?", offerID); n != 2 {
		t.Fatalf("the offer's audit entries after the hire: %d", n)
	}
	// The card shows the hire and links her onboarding plan, which is the API's.
	card = b.get("/console/demo/hiring/applications/" + app)
	if !strings.Contains(card.Body, `id="hired" data-user="`+hire+`" data-plan="`+plan+`"`) ||
		!strings.Contains(card.Body, `href="/console/demo/onboarding?user_id=`+hire+`"`) || strings.Contains(card.Body, `id="accept-form"`) {
		t.Fatalf("the card after the hire:\n%s", card.Body)
	}
	plans := b.get("/console/demo/onboarding?user_id=" + hire)
	want := idsFromJSON(site.Do(http.MethodGet, "/v1/orgs/demo/onboarding-plans?user_id="+hire, nil, bearer).Expect(http.StatusOK), "id")
	if got := matches(readingRow, plans.Body); !slices.Equal(got, []string{plan}) || !slices.Equal(want, []string{plan}) {
		t.Fatalf("the hire's plans: console %v, API %v, offer %s", got, want, plan)
	}
	if p := b.post(accept, url.Values{"csrf": {token}, "password": {"Hire-Password-2026!"}}); p.Status != http.StatusConflict {
		t.Fatalf("accepting twice: %d", p.Status)
	}
	// The hire signs in with the password HR recorded.
	nb := site.browser(t)
	form := nb.get("/console/sign-in")
	if p := nb.post("/console/sign-in", url.Values{"csrf": {form.csrf(t)}, "email": {email}, "password": {"Hire-Password-2026!"}}); p.Status != http.StatusSeeOther {
		t.Fatalf("the hire signs in: %d", p.Status)
	}
	// Another application's offer is withdrawn; the API shows it.
	other := apps[1]
	good.Set("mentor_id", "")
	if p := b.post("/console/demo/hiring/applications/"+other+"/offers", good); p.Status != http.StatusCreated {
		t.Fatalf("second offer: %d", p.Status)
	}
	second := field(apiItems(t, site.Do(http.MethodGet, "/v1/orgs/demo/hiring-applications/"+other+"/offers", nil, bearer).Expect(http.StatusOK)), "id")
	closeURL := "/console/demo/hiring/applications/" + other + "/offers/" + second[0] + "/close"
	if p := b.post(closeURL, url.Values{"csrf": {token}, "status": {"lost"}}); p.Status != http.StatusUnprocessableEntity {
		t.Fatalf("close with an unknown status: %d", p.Status)
	}
	if p := b.post(closeURL, url.Values{"csrf": {token}, "status": {"withdrawn"}}); p.Status != http.StatusSeeOther {
		t.Fatalf("withdraw: %d", p.Status)
	}
	if st := apiItems(t, site.Do(http.MethodGet, "/v1/orgs/demo/hiring-applications/"+other+"/offers", nil, bearer).Expect(http.StatusOK))[0]["status"]; st != "withdrawn" {
		t.Fatalf("the API's offer after withdrawal: %v", st)
	}
	if p := b.post(closeURL, url.Values{"csrf": {token}, "status": {"declined"}}); p.Status != http.StatusConflict {
		t.Fatalf("closing a closed offer: %d", p.Status)
	}
	// Roles without hiring_offer:create get the 403 page, and nothing happens.
	for _, who := range []string{"curator01@demo.test", "finance@demo.test"} {
		ob := site.browser(t)
		oh := ob.signIn(who)
		if p := ob.post("/console/demo/hiring/applications/"+other+"/offers", url.Values{"csrf": {oh.csrf(t)}, "start_date": {start}, "pay_scheme": {"x"}}); p.Status != http.StatusForbidden {
			t.Fatalf("%s making an offer: %d", who, p.Status)
		}
	}
	if n := len(apiItems(t, site.Do(http.MethodGet, "/v1/orgs/demo/hiring-applications/"+other+"/offers", nil, bearer).Expect(http.StatusOK))); n != 1 {
		t.Fatalf("offers of %s: %d", other, n)
	}
}

func checkWebhookForms(t *testing.T, site *demoSite) {
	// Deliveries go to a local receiver: the operator opens loopback for it.
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) }))
	t.Cleanup(receiver.Close)
	site.Services.Integration.AllowWebhookRanges([]netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")})

	b := site.browser(t)
	home := b.signIn("admin@demo.test")
	token := home.csrf(t)
	bearer := apptest.Bearer(b.token())
	good := url.Values{"csrf": {token}, "url": {receiver.URL + "/hooks"}, "description": {"CRM"}, "event_types": {"*"}, "active": {"1"}}
	for field, bad := range map[string]string{"url": "ftp://example.com/x", "event_types": "Not An Event", "description": strings.Repeat("д", 501)} {
		form := url.Values{}
		for k, v := range good {
			form[k] = v
		}
		form.Set(field, bad)
		p := b.post("/console/demo/webhooks", form)
		if m := hookErr.FindStringSubmatch(p.Body); p.Status != http.StatusUnprocessableEntity || m == nil || m[1] != field {
			t.Fatalf("webhook with %s=%q: %d %v", field, bad, p.Status, m)
		}
		if field != "url" && !strings.Contains(p.Body, `value="`+receiver.URL+`/hooks"`) {
			t.Fatalf("the refused form (%s) lost the URL typed", field)
		}
	}
	// A private address the operator did not open is refused by the service, by name.
	p := b.post("/console/demo/webhooks", url.Values{"csrf": {token}, "url": {"http://10.1.2.3/x"}, "event_types": {"*"}})
	if m := hookErr.FindStringSubmatch(p.Body); p.Status != http.StatusUnprocessableEntity || m == nil || m[1] != "url" {
		t.Fatalf("a private address: %d %v", p.Status, m)
	}
	// Created: the secret shown once, the API lists it with the secret's prefix.
	p = b.post("/console/demo/webhooks", good)
	m := newSecret.FindStringSubmatch(p.Body)
	if p.Status != http.StatusCreated || m == nil {
		t.Fatalf("create a webhook: %d\n%s", p.Status, p.Body)
	}
	secret := m[1]
	var hooks struct {
		Items []struct {
			ID, URL, SecretPrefix string
			Active                bool
		} `json:"items"`
	}
	site.Do(http.MethodGet, "/v1/orgs/demo/webhooks?limit=100", nil, bearer).Expect(http.StatusOK).Decode(&hooks)
	if len(hooks.Items) != 1 || hooks.Items[0].URL != receiver.URL+"/hooks" || !strings.HasPrefix(secret, hooks.Items[0].SecretPrefix) {
		t.Fatalf("the API's webhooks: %+v", hooks.Items)
	}
	hook := hooks.Items[0].ID
	list := b.get("/console/demo/webhooks")
	if got := matches(readingRow, list.Body); !slices.Equal(got, []string{hook}) || strings.Contains(list.Body, secret) {
		t.Fatalf("the list %v (the secret must not be shown again)", got)
	}
	if n := site.Count("audit_entries", "entity_id = ?", hook); n != 1 {
		t.Fatalf("the webhook's audit entries: %d", n)
	}
	// Edited: URL, events and active, with the version as If-Match.
	page := b.get("/console/demo/webhooks/" + hook)
	checkTexts(t, "webhook", page.Body)
	vm := formVersion.FindStringSubmatch(page.Body)
	if vm == nil {
		t.Fatalf("no edit form with a version:\n%s", page.Body)
	}
	edit := url.Values{"csrf": {token}, "version": {vm[1]}, "url": {receiver.URL + "/v2"}, "description": {"CRM v2"},
		"event_types": {"review.completed, sla.breached"}}
	bad := url.Values{}
	for k, v := range edit {
		bad[k] = v
	}
	bad.Set("event_types", "review.completed, review.completed")
	if p := b.post("/console/demo/webhooks/"+hook, bad); p.Status != http.StatusUnprocessableEntity || hookErr.FindStringSubmatch(p.Body)[1] != "event_types" ||
		!strings.Contains(p.Body, "CRM v2") {
		t.Fatalf("an event type twice: %d", p.Status)
	}
	if p := b.post("/console/demo/webhooks/"+hook, edit); p.Status != http.StatusSeeOther {
		t.Fatalf("edit: %d\n%s", p.Status, p.Body)
	}
	var got struct {
		URL        string   `json:"url"`
		EventTypes []string `json:"event_types"`
		Active     bool     `json:"active"`
		Version    int64    `json:"version"`
	}
	site.Do(http.MethodGet, "/v1/orgs/demo/webhooks/"+hook, nil, bearer).Expect(http.StatusOK).Decode(&got)
	if got.URL != receiver.URL+"/v2" || !slices.Equal(got.EventTypes, []string{"review.completed", "sla.breached"}) || got.Active {
		t.Fatalf("the API after the edit: %+v", got)
	}
	// The version read before the edit is stale now.
	if p := b.post("/console/demo/webhooks/"+hook, edit); p.Status != http.StatusPreconditionFailed {
		t.Fatalf("a stale edit: %d", p.Status)
	}
	// Switched on again (every event), then a delivery made and delivered.
	enable := url.Values{"csrf": {token}, "version": {strconv.FormatInt(got.Version, 10)}, "active": {"1"}}
	if p := b.post("/console/demo/webhooks/"+hook+"/active", enable); p.Status != http.StatusSeeOther {
		t.Fatalf("enable: %d", p.Status)
	}
	if p := b.post("/console/demo/webhooks/"+hook+"/active", enable); p.Status != http.StatusPreconditionFailed {
		t.Fatalf("enable with a stale version: %d", p.Status)
	}
	site.Do(http.MethodGet, "/v1/orgs/demo/webhooks/"+hook, nil, bearer).Expect(http.StatusOK).Decode(&got)
	if !got.Active {
		t.Fatal("the webhook should be active again")
	}
	var orgID string
	if err := site.DB.NewSelect().Table("orgs").Column("id").Where("slug = ?", "demo").Scan(context.Background(), &orgID); err != nil {
		t.Fatal(err)
	}
	if err := site.Services.Integration.Publish(context.Background(), site.DB, orgID, "review.completed", map[string]string{"id": "x"}); err != nil {
		t.Fatal(err)
	}
	if n, err := site.Services.Integration.DeliverDue(context.Background(), demoAt.Add(time.Minute)); err != nil || n != 1 {
		t.Fatalf("deliveries sent: %d %v", n, err)
	}
	log := b.get("/console/demo/webhooks/" + hook)
	rows := deliveryRow.FindAllStringSubmatch(log.Body, -1)
	apiRows := apiItems(t, site.Do(http.MethodGet, "/v1/orgs/demo/webhooks/"+hook+"/deliveries?limit=25", nil, bearer).Expect(http.StatusOK))
	if len(rows) != 1 || len(apiRows) != 1 || rows[0][1] != apiRows[0]["id"] || rows[0][2] != "delivered" || apiRows[0]["status"] != "delivered" {
		t.Fatalf("the delivery log %v, the API %v", rows, apiRows)
	}
	delivery := rows[0][1]
	// Redelivered from the log: the API shows it queued again, audited.
	if p := b.post("/console/demo/webhook-deliveries/"+delivery+"/redeliver", url.Values{"csrf": {token}}); p.Status != http.StatusSeeOther ||
		p.Header.Get("Location") != "/console/demo/webhooks/"+hook+"?done=redelivered" {
		t.Fatalf("redeliver: %d %s", p.Status, p.Header.Get("Location"))
	}
	apiRows = apiItems(t, site.Do(http.MethodGet, "/v1/orgs/demo/webhooks/"+hook+"/deliveries?limit=25", nil, bearer).Expect(http.StatusOK))
	if apiRows[0]["status"] != "pending" || apiRows[0]["attempts"] != float64(0) {
		t.Fatalf("the API after redelivery: %v", apiRows[0])
	}
	if got := deliveryRow.FindAllStringSubmatch(b.get("/console/demo/webhooks/"+hook).Body, -1); len(got) != 1 || got[0][2] != "pending" {
		t.Fatalf("the log after redelivery: %v", got)
	}
	if n := site.Count("audit_entries", "entity_id = ?", delivery); n != 1 {
		t.Fatalf("the redelivery's audit entries: %d", n)
	}
	if p := b.post("/console/demo/webhook-deliveries/"+delivery+"/redeliver", url.Values{"csrf": {token}}); p.Status != http.StatusConflict {
		t.Fatalf("redeliver a pending delivery: %d", p.Status)
	}
	// A new secret, shown once; the API's prefix follows it.
	p = b.post("/console/demo/webhooks/"+hook+"/rotate-secret", url.Values{"csrf": {token}})
	m = newSecret.FindStringSubmatch(p.Body)
	if p.Status != http.StatusOK || m == nil || m[1] == secret {
		t.Fatalf("rotate: %d", p.Status)
	}
	site.Do(http.MethodGet, "/v1/orgs/demo/webhooks?limit=100", nil, bearer).Expect(http.StatusOK).Decode(&hooks)
	if !strings.HasPrefix(m[1], hooks.Items[0].SecretPrefix) {
		t.Fatalf("the API's prefix %q for %q", hooks.Items[0].SecretPrefix, m[1])
	}
	// Bad ids 404; other roles 403.
	for _, path := range []string{"/console/demo/webhooks/not-an-id", "/console/demo/webhooks/not-an-id/active", "/console/demo/webhook-deliveries/not-an-id/redeliver",
		"/console/demo/webhook-deliveries/00000000-0000-0000-0000-000000000000/redeliver", "/console/demo/webhooks/00000000-0000-0000-0000-000000000000/delete"} {
		if p := b.post(path, url.Values{"csrf": {token}, "version": {"1"}, "active": {"1"}, "url": {"https://example.com"}, "event_types": {"*"}}); p.Status != http.StatusNotFound {
			t.Fatalf("POST %s: %d", path, p.Status)
		}
	}
	hr := site.browser(t)
	hh := hr.signIn("hr@demo.test")
	for _, path := range []string{"/console/demo/webhooks", "/console/demo/webhooks/" + hook + "/delete", "/console/demo/webhook-deliveries/" + delivery + "/redeliver"} {
		if p := hr.post(path, url.Values{"csrf": {hh.csrf(t)}, "url": {"https://example.com"}, "event_types": {"*"}}); p.Status != http.StatusForbidden {
			t.Fatalf("hr POST %s: %d", path, p.Status)
		}
	}
	// Deleted: the API no longer has it.
	if p := b.post("/console/demo/webhooks/"+hook+"/delete", url.Values{"csrf": {token}}); p.Status != http.StatusSeeOther {
		t.Fatalf("delete: %d", p.Status)
	}
	site.Do(http.MethodGet, "/v1/orgs/demo/webhooks/"+hook, nil, bearer).Expect(http.StatusNotFound)
}

// kpiRaw is what the page's data-raw says for a figure of the API's
// curator scorecard: the numbers behind the value and its "of".
func kpiRaw(fig map[string]any) map[string]string {
	num := func(v any) string {
		if v == nil {
			return "null"
		}
		return strconv.FormatFloat(v.(float64), 'f', -1, 64)
	}
	obj := func(name string) map[string]any { m, _ := fig[name].(map[string]any); return m }
	out := map[string]string{}
	rate := func(key string, r map[string]any) {
		if r == nil {
			out[key] = "hidden"
			return
		}
		out[key] = num(r["numerator"]) + "/" + num(r["denominator"]) + "/" + num(r["percent"])
	}
	rate("kpi.csi", obj("csi"))
	if n := obj("nps"); n != nil {
		out["kpi.nps"] = num(n["answers"]) + "/" + num(n["score"])
	}
	if c := obj("completion"); c != nil {
		rate("kpi.completion", c["enrolled"].(map[string]any))
		rate("kpi.completion_active", c["active"].(map[string]any))
	}
	rate("kpi.refund_rate", obj("refund_rate"))
	for key, name := range map[string]string{"kpi.response": "response_time", "kpi.review": "review_time"} {
		if d := obj(name); d != nil {
			out[key+"_median"] = num(d["sample"]) + "/" + num(d["median_hours"])
			out[key+"_p90"] = num(d["sample"]) + "/" + num(d["p90_hours"])
		}
	}
	rate("kpi.sla", obj("sla"))
	rate("kpi.review_in_time", obj("review_in_time"))
	if a := obj("review_quality"); a != nil {
		out["kpi.review_quality"] = num(a["sample"]) + "/" + num(a["score"])
	}
	if q := obj("conversation_quality"); q != nil && q["available"] == true {
		out["kpi.conversation_quality"] = num(q["reviews"]) + "/" + num(q["points"]) + "/" + num(q["max_points"]) + "/" + num(q["score"])
	} else {
		out["kpi.conversation_quality"] = "unavailable"
	}
	if c := obj("cases"); c != nil && c["available"] == true {
		out["kpi.cases_text"], out["kpi.cases_video"], out["kpi.cases_total"] = num(c["text"]), num(c["video"]), num(c["total"])
	} else {
		out["kpi.cases_text"], out["kpi.cases_video"], out["kpi.cases_total"] = "unavailable", "unavailable", "unavailable"
	}
	if v, ok := fig["revenue_kopecks"]; ok && v != nil {
		out["kpi.revenue"] = num(v)
	}
	for key, name := range map[string]string{"kpi.arppu": "arppu", "kpi.ltv": "ltv"} {
		if m := obj(name); m != nil {
			out[key] = num(m["kopecks"]) + "/" + num(m["students"]) + "/" + num(m["average_kopecks"])
		}
	}
	if r := obj("repeat_purchase"); r != nil {
		rate("kpi.repeat_purchase", r)
	}
	return out
}

var periodInput = regexp.MustCompile(`id="kpi-(from|to)" name="(?:from|to)" type="date" value="([0-9-]{10})"`)

// compareKPIs checks every figure of a KPI page against the API's curator
// scorecard for the same person and period, and that a figure without data
// is a dash with "no data", never 0.
func compareKPIs(t *testing.T, site *demoSite, b *browser, path, curator string) (withData []string) {
	t.Helper()
	p := b.get(path)
	if p.Status != http.StatusOK {
		t.Fatalf("%s: %d\n%s", path, p.Status, p.Body)
	}
	checkTexts(t, path, p.Body)
	if strings.Contains(p.Body, ">kpi.") {
		t.Fatalf("%s shows a catalog key", path)
	}
	var org struct {
		TimeZone string `json:"time_zone"`
	}
	site.Do(http.MethodGet, "/v1/orgs/demo", nil, apptest.Bearer(b.token())).Expect(http.StatusOK).Decode(&org)
	zone, err := time.LoadLocation(org.TimeZone)
	if err != nil {
		t.Fatal(err)
	}
	dates := map[string]time.Time{}
	for _, m := range periodInput.FindAllStringSubmatch(p.Body, -1) {
		d, err := time.ParseInLocation(time.DateOnly, m[2], zone)
		if err != nil {
			t.Fatal(err)
		}
		dates[m[1]] = d
	}
	if len(dates) != 2 {
		t.Fatalf("%s has no period inputs", path)
	}
	var body struct {
		Total struct {
			Period map[string]any `json:"period"`
		} `json:"total"`
		Rows []struct {
			Key string `json:"key"`
		} `json:"rows"`
	}
	q := url.Values{"from": {dates["from"].Format(time.RFC3339)}, "to": {dates["to"].Format(time.RFC3339)}}
	site.Do(http.MethodGet, "/v1/orgs/demo/metrics/scorecard/curators/"+curator+"?"+q.Encode(), nil, apptest.Bearer(b.token())).Expect(http.StatusOK).Decode(&body)
	want := kpiRaw(body.Total.Period)
	rows := kpiRow.FindAllStringSubmatch(p.Body, -1)
	if len(rows) < 15 {
		t.Fatalf("%s shows %d figures:\n%s", path, len(rows), regexp.MustCompile(`<table id="kpis">[\s\S]*?</table>`).FindString(p.Body))
	}
	for _, r := range rows {
		key, raw, value, of := r[1], html.UnescapeString(r[2]), r[3], r[4]
		if w, ok := want[key]; !ok || w != raw {
			t.Errorf("%s %s: page %q, API %q", path, key, raw, w)
		}
		if strings.HasSuffix(raw, "null") || raw == "unavailable" || raw == "hidden" {
			if value != "—" || !strings.Contains(of, "нет данных") {
				t.Errorf("%s %s without data shows %q (%q)", path, key, value, of)
			}
		} else {
			withData = append(withData, key)
		}
	}
	if len(rows) != len(want) {
		t.Errorf("%s shows %d figures, the API has %d", path, len(rows), len(want))
	}
	var cohorts []string
	for _, r := range body.Rows {
		cohorts = append(cohorts, r.Key)
	}
	got := regexp.MustCompile(`<tr data-id="([^"]+)"><th scope="row">`).FindAllStringSubmatch(p.Body, -1)
	var keys []string
	for _, g := range got {
		keys = append(keys, g[1])
	}
	if !slices.Equal(keys, cohorts) {
		t.Errorf("%s cohorts %v, the API %v", path, keys, cohorts)
	}
	return withData
}

func checkKPIs(t *testing.T, site *demoSite) {
	cb := site.browser(t)
	home := cb.signIn("curator01@demo.test")
	if !strings.Contains(home.Body, `href="/console/demo/kpis"`) {
		t.Fatal("My KPIs should be in the curator's menu")
	}
	head := site.browser(t)
	head.signIn("head@demo.test")
	hb := apptest.Bearer(head.token())
	me := userID(t, site, hb, "curator01@demo.test")
	other := userID(t, site, hb, "curator02@demo.test")
	compareKPIs(t, site, cb, "/console/demo/kpis", me)
	// The last complete month, where the demo has data.
	month := time.Date(demoAt.Year(), demoAt.Month(), 1, 0, 0, 0, 0, time.UTC)
	lastMonth := "/console/demo/kpis?from=" + month.AddDate(0, -1, 0).Format(time.DateOnly) + "&to=" + month.Format(time.DateOnly)
	if got := compareKPIs(t, site, cb, lastMonth, me); !slices.Contains(got, "kpi.sla") || !slices.Contains(got, "kpi.review_in_time") {
		t.Errorf("curator01's last month should have SLA and review figures, has %v", got)
	}
	// Another curator's page answers as the API: 403.
	if p := cb.get("/console/demo/kpis/" + other); p.Status != http.StatusForbidden {
		t.Fatalf("curator01 on curator02's KPIs: %d", p.Status)
	}
	site.Do(http.MethodGet, "/v1/orgs/demo/metrics/scorecard/curators/"+other+"?from=2026-01-01T00:00:00Z&to=2026-02-01T00:00:00Z", nil,
		apptest.Bearer(cb.token())).Expect(http.StatusForbidden)
	// The head picks any curator, and sees the money figures too.
	if got := compareKPIs(t, site, head, "/console/demo/kpis/"+me+strings.TrimPrefix(lastMonth, "/console/demo/kpis"), me); !slices.Contains(got, "kpi.revenue") {
		t.Errorf("the head should see curator01's money figures, has %v", got)
	}
	picked := head.get("/console/demo/kpis?curator_id=" + other)
	if !strings.Contains(picked.Body, `id="kpi-curator" data-id="`+other+`"`) || !strings.Contains(picked.Body, `id="kpi-who"`) {
		t.Fatal("the head's picker should open curator02's KPIs")
	}
	// HR holds no scorecard: the 403 page; bad input named.
	hr := site.browser(t)
	hr.signIn("hr@demo.test")
	if p := hr.get("/console/demo/kpis"); p.Status != http.StatusForbidden {
		t.Fatalf("hr on KPIs: %d", p.Status)
	}
	for path, want := range map[string]struct {
		status int
		field  string
	}{
		"/console/demo/kpis/not-an-id":                     {http.StatusNotFound, ""},
		"/console/demo/kpis?from=yesterday":                {http.StatusUnprocessableEntity, "from"},
		"/console/demo/kpis?curator_id=x":                  {http.StatusUnprocessableEntity, "curator_id"},
		"/console/demo/kpis?from=2026-03-01&to=2026-02-01": {http.StatusUnprocessableEntity, "to"},
	} {
		p := cb.get(path)
		if p.Status != want.status {
			t.Errorf("%s: %d, want %d", path, p.Status, want.status)
		}
		if want.field != "" && !strings.Contains(p.Body, `<p class="detail">`+want.field+`</p>`) {
			t.Errorf("%s does not name the field %s", path, want.field)
		}
	}
}
