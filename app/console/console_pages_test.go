package console_test

import (
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/curatorops/curatorops/app/apptest"
	"github.com/curatorops/curatorops/modules/platform/httpapi"
)

// The pages of the head's and the curators' work beyond the queue: queue
// health, case moderation, regulations with acknowledgment and quiz, a
// curator's open conversations and recording a case. Each is compared with
// the API's answer to the same person, and each form goes through the
// module's service with its rules (422, 412, 429 kept).

var (
	rowHeader  = regexp.MustCompile(`<tr(?: class="breached")?><th scope="row">([^<]+)</th>`)
	readingRow = regexp.MustCompile(`<tr data-id="([0-9a-f-]{36})"`)
)

// apiItems is the items of an API page as maps.
func apiItems(t *testing.T, r *apptest.Response) []map[string]any {
	t.Helper()
	var body struct {
		Items []map[string]any `json:"items"`
	}
	r.Decode(&body)
	return body.Items
}

func field(items []map[string]any, name string) []string {
	var out []string
	for _, it := range items {
		if v, ok := it[name].(string); ok {
			out = append(out, v)
		}
	}
	return out
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	sort.Strings(a)
	sort.Strings(b)
	return slices.Equal(a, b)
}

func checkQueueHealth(t *testing.T, site *demoSite) {
	for _, c := range []struct {
		email   string
		minRows int
	}{{"head@demo.test", 2}, {"curator01@demo.test", 1}} {
		b := site.browser(t)
		b.signIn(c.email)
		p := b.get("/console/demo/queue-health")
		if p.Status != http.StatusOK {
			t.Fatalf("%s on queue health: %d\n%s", c.email, p.Status, p.Body)
		}
		got := matches(rowHeader, p.Body)
		items := apiItems(t, site.Do(http.MethodGet, "/v1/orgs/demo/homework-stats?group_by=curator", nil, apptest.Bearer(b.token())).Expect(http.StatusOK))
		var want []string
		for _, it := range items {
			name, _ := it["curator_name"].(string)
			if it["curator_id"] == nil {
				name = "Общая очередь" // the pool's row, in the default language
			}
			want = append(want, name)
		}
		if !sameSet(got, want) || len(got) < c.minRows {
			t.Errorf("%s: queue health shows %v, the API %v", c.email, got, want)
		}
		// Every rate is shown with what it was counted over.
		if !strings.Contains(p.Body, `class="of"`) {
			t.Errorf("%s: no numerator / denominator beside the rates", c.email)
		}
	}
	b := site.browser(t)
	b.signIn("head@demo.test")
	if p := b.get("/console/demo/queue-health?from=not-a-date"); p.Status != http.StatusUnprocessableEntity {
		t.Fatalf("bad date: %d", p.Status)
	}
	if p := b.get("/console/demo/queue-health?from=2026-03-01&to=2026-02-01"); p.Status != http.StatusUnprocessableEntity {
		t.Fatalf("end before start: %d", p.Status)
	}
}

func checkCaseModeration(t *testing.T, site *demoSite) {
	b := site.browser(t)
	b.signIn("head@demo.test")
	p := b.get("/console/demo/cases/moderation")
	if p.Status != http.StatusOK {
		t.Fatalf("moderation page: %d\n%s", p.Status, p.Body)
	}
	got := matches(readingRow, p.Body)
	want := idsFromJSON(site.Do(http.MethodGet, "/v1/orgs/demo/cases?status=pending&limit=25", nil, apptest.Bearer(b.token())).Expect(http.StatusOK), "id")
	if !slices.Equal(got, want) || len(want) < 2 {
		t.Fatalf("the page shows %v, the API %v (the demo has pending cases)", got, want)
	}
	token := p.csrf(t)
	first, second := want[0], want[1]
	caseOf := func(id string) map[string]any {
		var c map[string]any
		site.Do(http.MethodGet, "/v1/orgs/demo/cases/"+id, nil, apptest.Bearer(b.token())).Expect(http.StatusOK).Decode(&c)
		return c
	}
	version := func(id string) string {
		m := regexp.MustCompile(`<tr data-id="` + id + `"[\s\S]*?name="version" value="(\d+)"`).FindStringSubmatch(p.Body)
		if m == nil {
			t.Fatalf("no version for case %s", id)
		}
		return m[1]
	}
	v := version(first)
	// A rejection without its reason is refused, as by the API, and
	// nothing changes.
	if r := b.post("/console/demo/cases/"+first+"/moderation", url.Values{"csrf": {token}, "version": {v}, "status": {"rejected"}}); r.Status != http.StatusUnprocessableEntity {
		t.Fatalf("rejection without a reason: %d", r.Status)
	}
	if s := caseOf(first)["status"]; s != "pending" {
		t.Fatalf("a refused form changed the case: %v", s)
	}
	// A status the form does not offer is refused.
	if r := b.post("/console/demo/cases/"+first+"/moderation", url.Values{"csrf": {token}, "version": {v}, "status": {"published"}}); r.Status != http.StatusUnprocessableEntity {
		t.Fatalf("publish from the moderation form: %d", r.Status)
	}
	r := b.post("/console/demo/cases/"+first+"/moderation", url.Values{"csrf": {token}, "version": {v}, "status": {"approved"}, "reason": {"Fits the site"}})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("approve: %d\n%s", r.Status, r.Body)
	}
	after := caseOf(first)
	if after["status"] != "approved" || len(after["moderations"].([]any)) == 0 {
		t.Fatalf("after approval: %v", after["status"])
	}
	if landed := b.follow(r); !strings.Contains(landed.Body, `id="moderated"`) || strings.Contains(landed.Body, `data-id="`+first+`"`) {
		t.Fatal("the approved case should leave the list with a notice")
	}
	// The same version again is stale: 412, like If-Match on the API.
	if r := b.post("/console/demo/cases/"+first+"/moderation", url.Values{"csrf": {token}, "version": {v}, "status": {"rejected"}, "reason": {"x"}}); r.Status != http.StatusPreconditionFailed {
		t.Fatalf("stale version: %d", r.Status)
	}
	v2 := version(second)
	if r := b.post("/console/demo/cases/"+second+"/moderation", url.Values{"csrf": {token}, "version": {v2}, "status": {"rejected"}, "reason": {"Not about the course"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("reject: %d", r.Status)
	}
	if s := caseOf(second)["status"]; s != "rejected" {
		t.Fatalf("after rejection: %v", s)
	}
	if site.Count("audit_entries", "entity_type = 'case' AND entity_id = '"+second+"'") == 0 {
		t.Fatal("a moderation from the console should be audited as from the API")
	}
	// A curator cannot moderate, by page or by form.
	cb := site.browser(t)
	home := cb.signIn("curator01@demo.test")
	if p := cb.get("/console/demo/cases/moderation"); p.Status != http.StatusForbidden {
		t.Fatalf("curator on moderation: %d", p.Status)
	}
	if r := cb.post("/console/demo/cases/"+want[2%len(want)]+"/moderation", url.Values{"csrf": {home.csrf(t)}, "version": {"1"}, "status": {"approved"}}); r.Status != http.StatusForbidden {
		t.Fatalf("curator's moderation form: %d", r.Status)
	}
}

func checkRegulations(t *testing.T, site *demoSite) {
	cb := site.browser(t)
	cb.signIn("curator01@demo.test")
	p := cb.get("/console/demo/regulations")
	if p.Status != http.StatusOK {
		t.Fatalf("curator's regulations: %d\n%s", p.Status, p.Body)
	}
	mine := apiItems(t, site.Do(http.MethodGet, "/v1/orgs/demo/kb/me/required-reading?limit=25", nil, apptest.Bearer(cb.token())).Expect(http.StatusOK))
	if got, want := matches(readingRow, p.Body), field(mine, "article_id"); !slices.Equal(got, want) || len(want) == 0 {
		t.Fatalf("curator's reading %v, the API %v", got, want)
	}
	// An open item without a quiz: acknowledged straight away.
	var plain map[string]any
	for _, it := range mine {
		if it["status"] != "done" && it["quiz_required"] == false && plain == nil {
			plain = it
		}
	}
	head := site.browser(t)
	head.signIn("head@demo.test")
	if plain != nil {
		id := plain["article_id"].(string)
		page := cb.get("/console/demo/regulations/" + id)
		checkTexts(t, "regulation", page.Body)
		if page.Status != http.StatusOK || !strings.Contains(page.Body, `id="acknowledge"`) {
			t.Fatalf("regulation without a quiz should offer the acknowledgment: %d", page.Status)
		}
		form := url.Values{"csrf": {page.csrf(t)}, "revision_id": {plain["revision_id"].(string)}, "content_sha256": {strings.Repeat("0", 64)}, "read": {"1"}}
		// A hash of something else than the revision is refused.
		if r := cb.post("/console/demo/regulations/"+id+"/acknowledgments", form); r.Status == http.StatusSeeOther {
			t.Fatal("an acknowledgment of other content was accepted")
		}
		form.Set("content_sha256", regexp.MustCompile(`name="content_sha256" value="([0-9a-f]{64})"`).FindStringSubmatch(page.Body)[1])
		if r := cb.post("/console/demo/regulations/"+id+"/acknowledgments", form); r.Status != http.StatusSeeOther {
			t.Fatalf("acknowledge: %d\n%s", r.Status, r.Body)
		}
		if again := cb.get("/console/demo/regulations/" + id); !strings.Contains(again.Body, `id="acknowledged"`) || strings.Contains(again.Body, `id="acknowledge"`) {
			t.Fatal("after the acknowledgment the page should show it and no form")
		}
		if r := cb.post("/console/demo/regulations/"+id+"/acknowledgments", form); r.Status != http.StatusConflict {
			t.Fatalf("second acknowledgment: %d", r.Status)
		}
	} else {
		t.Log("the demo gives curator01 no open regulation without a quiz")
	}
	if id, email := openQuiz(t, site, head); id != "" {
		cb := site.browser(t)
		cb.signIn(email)
		page := cb.get("/console/demo/regulations/" + id)
		checkTexts(t, "quiz", page.Body)
		if !strings.Contains(page.Body, `id="quiz"`) || strings.Contains(page.Body, `id="acknowledge"`) {
			t.Fatal("a regulation with a quiz should show the quiz before the acknowledgment")
		}
		if strings.Contains(page.Body, "correct") {
			t.Fatal("the quiz page must not tell which options are correct")
		}
		var key struct {
			Questions []struct {
				ID      string `json:"id"`
				Options []struct {
					ID      string `json:"id"`
					Correct bool   `json:"correct"`
				} `json:"options"`
			} `json:"questions"`
		}
		site.Do(http.MethodGet, "/v1/orgs/demo/kb/articles/"+id+"/quiz/answer-key", nil, apptest.Bearer(head.token())).Expect(http.StatusOK).Decode(&key)
		wrong, right := url.Values{"csrf": {page.csrf(t)}}, url.Values{"csrf": {page.csrf(t)}}
		for _, q := range key.Questions {
			for _, o := range q.Options {
				if o.Correct {
					right.Add("answer."+q.ID, o.ID)
				} else if !wrong.Has("answer." + q.ID) {
					wrong.Add("answer."+q.ID, o.ID)
				}
			}
		}
		r := cb.post("/console/demo/regulations/"+id+"/quiz", wrong)
		if r.Status != http.StatusSeeOther || !strings.Contains(r.Header.Get("Location"), "attempt=failed") {
			t.Fatalf("wrong answers: %d %s", r.Status, r.Header.Get("Location"))
		}
		r = cb.post("/console/demo/regulations/"+id+"/quiz", right)
		if r.Status != http.StatusSeeOther || !strings.Contains(r.Header.Get("Location"), "attempt=passed") {
			t.Fatalf("right answers: %d %s", r.Status, r.Header.Get("Location"))
		}
		if passed := cb.follow(r); !strings.Contains(passed.Body, `id="acknowledge"`) || !strings.Contains(passed.Body, `id="quiz-result"`) {
			t.Fatal("after a passed quiz the acknowledgment form should show")
		}
	} else {
		t.Error("the demo should have a regulation with a quiz someone has still to pass")
	}
	// The head: per article, and who has read one, as the API answers.
	hp := head.get("/console/demo/regulations/reading")
	if hp.Status != http.StatusOK {
		t.Fatalf("head's reading by article: %d", hp.Status)
	}
	arts := field(apiItems(t, site.Do(http.MethodGet, "/v1/orgs/demo/kb/required-reading/articles?limit=25", nil, apptest.Bearer(head.token())).Expect(http.StatusOK)), "article_id")
	if got := matches(readingRow, hp.Body); !slices.Equal(got, arts) || len(arts) == 0 {
		t.Fatalf("reading by article %v, the API %v", got, arts)
	}
	for _, status := range []string{"", "pending"} {
		path := "/console/demo/regulations/reading/" + arts[0]
		api := "/v1/orgs/demo/kb/required-reading/articles/" + arts[0] + "?limit=25"
		if status != "" {
			path += "?status=" + status
			api += "&status=" + status
		}
		rp := head.get(path)
		people := field(apiItems(t, site.Do(http.MethodGet, api, nil, apptest.Bearer(head.token())).Expect(http.StatusOK)), "user_id")
		if got := matches(readingRow, rp.Body); rp.Status != http.StatusOK || !slices.Equal(got, people) {
			t.Fatalf("readers (%q): %d %v, the API %v", status, rp.Status, got, people)
		}
	}
	// The head reads the regulation itself too (it is not required for her).
	if rp := head.get("/console/demo/regulations/" + arts[0]); rp.Status != http.StatusOK || strings.Contains(rp.Body, `id="acknowledge"`) {
		t.Fatalf("head on a regulation: %d", rp.Status)
	}
	if rp := head.get("/console/demo/regulations/reading/" + arts[0] + "?status=everything"); rp.Status != http.StatusUnprocessableEntity {
		t.Fatalf("unknown status: %d", rp.Status)
	}
	if rp := head.get("/console/demo/regulations/reading/00000000-0000-0000-0000-000000000000"); rp.Status != http.StatusNotFound {
		t.Fatalf("unknown article: %d", rp.Status)
	}
	// A curator does not see who else has read.
	if rp := cb.get("/console/demo/regulations/reading"); rp.Status != http.StatusForbidden {
		t.Fatalf("curator on reading by article: %d", rp.Status)
	}
}

func checkConversationsAndCase(t *testing.T, site *demoSite) {
	// The curator of the open clock next to breach: the demo gives open
	// conversations to some curators only.
	head := site.browser(t)
	head.signIn("head@demo.test")
	open := apiItems(t, site.Do(http.MethodGet, "/v1/orgs/demo/sla/clocks?limit=1", nil, apptest.Bearer(head.token())).Expect(http.StatusOK))
	if len(open) == 0 {
		t.Fatal("the demo should have open clocks")
	}
	var curator struct {
		Email string `json:"email"`
	}
	site.Do(http.MethodGet, "/v1/orgs/demo/users/"+open[0]["curator_id"].(string), nil, apptest.Bearer(head.token())).Expect(http.StatusOK).Decode(&curator)
	b := site.browser(t)
	b.signIn(curator.Email)
	p := b.get("/console/demo/conversations")
	if p.Status != http.StatusOK {
		t.Fatalf("my conversations: %d\n%s", p.Status, p.Body)
	}
	api := apiItems(t, site.Do(http.MethodGet, "/v1/orgs/demo/sla/my-clocks?limit=25", nil, apptest.Bearer(b.token())).Expect(http.StatusOK))
	if got, want := matches(readingRow, p.Body), field(api, "id"); !slices.Equal(got, want) || len(want) == 0 {
		t.Fatalf("my conversations %v, the API %v", got, want)
	}
	// Recording a case for one of her students, from the conversation.
	student := field(api, "student_id")[0]
	form := b.get("/console/demo/cases/new?student_id=" + student)
	if form.Status != http.StatusOK || !strings.Contains(form.Body, `value="`+student+`"`) {
		t.Fatalf("case form: %d", form.Status)
	}
	words := "Курс помог мне сменить работу.\n  Спасибо куратору!  "
	vals := url.Values{"csrf": {form.csrf(t)}, "student_id": {student}, "text": {words}, "rating": {"5"}, "tags": {"career, thanks"},
		"consent_scopes": {"internal", "website"}, "consent_text_version": {"v1"}}
	// Bad input comes back as the form, with the field named and the
	// words kept.
	bad := url.Values{}
	for k, v := range vals {
		bad[k] = v
	}
	bad.Set("rating", "9")
	if r := b.post("/console/demo/cases", bad); r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, `id="case-error"`) ||
		!strings.Contains(r.Body, "rating") || !strings.Contains(r.Body, "Спасибо куратору!") {
		t.Fatalf("bad rating: %d\n%s", r.Status, r.Body)
	}
	bad.Set("rating", "5")
	bad.Set("student_id", "not-an-id")
	if r := b.post("/console/demo/cases", bad); r.Status != http.StatusUnprocessableEntity {
		t.Fatalf("bad student: %d", r.Status)
	}
	r := b.post("/console/demo/cases", vals)
	if r.Status != http.StatusSeeOther {
		t.Fatalf("record a case: %d\n%s", r.Status, r.Body)
	}
	saved := regexp.MustCompile(`saved=([0-9a-f-]{36})`).FindStringSubmatch(r.Header.Get("Location"))
	if saved == nil {
		t.Fatalf("no case id in %q", r.Header.Get("Location"))
	}
	var c map[string]any
	site.Do(http.MethodGet, "/v1/orgs/demo/cases/"+saved[1], nil, apptest.Bearer(b.token())).Expect(http.StatusOK).Decode(&c)
	if c["text"] != words || c["source"] != "curator" || c["status"] != "pending" || len(c["consents"].([]any)) != 1 {
		t.Fatalf("the recorded case: %v", c)
	}
	// HR records no cases and has no conversations.
	hr := site.browser(t)
	hr.signIn("hr@demo.test")
	for _, path := range []string{"/console/demo/cases/new", "/console/demo/conversations", "/console/demo/cases/moderation"} {
		if p := hr.get(path); p.Status != http.StatusForbidden {
			t.Fatalf("hr on %s: %d", path, p.Status)
		}
	}
}

// openQuiz finds, as the head, a regulation with a quiz and a person who
// has still to read it.
func openQuiz(t *testing.T, site *demoSite, head *browser) (articleID, email string) {
	t.Helper()
	arts := field(apiItems(t, site.Do(http.MethodGet, "/v1/orgs/demo/kb/required-reading/articles?limit=100", nil, apptest.Bearer(head.token())).Expect(http.StatusOK)), "article_id")
	for _, id := range arts {
		if site.Do(http.MethodGet, "/v1/orgs/demo/kb/articles/"+id+"/quiz/answer-key", nil, apptest.Bearer(head.token())).Code != http.StatusOK {
			continue
		}
		for _, status := range []string{"pending", "overdue"} {
			people := apiItems(t, site.Do(http.MethodGet, "/v1/orgs/demo/kb/required-reading/articles/"+id+"?limit=1&status="+status, nil,
				apptest.Bearer(head.token())).Expect(http.StatusOK))
			if len(people) > 0 {
				return id, people[0]["email"].(string)
			}
		}
	}
	return "", ""
}

var (
	applicationHref = regexp.MustCompile(`href="/console/demo/hiring/applications/([0-9a-f-]{36})"`)
	scorecardID     = regexp.MustCompile(`data-scorecard="([0-9a-f-]{36})"`)
	movesRow        = regexp.MustCompile(`<table id="moves">[\s\S]*?</table>`)
)

func checkHRPages(t *testing.T, site *demoSite) {
	b := site.browser(t)
	b.signIn("hr@demo.test")
	bearer := apptest.Bearer(b.token())
	// The candidate card, from a card of a vacancy's board, with the
	// application's stage history and scorecards as the API gives them.
	apps := 0
	scored := false
	// The demo has no interview yet: HR scores the first application of
	// the first board through the API, and its card must show it.
	firstVac := idsFromJSON(site.Do(http.MethodGet, "/v1/orgs/demo/hiring-vacancies?limit=1", nil, bearer).Expect(http.StatusOK), "id")[0]
	firstApp := matches(applicationHref, b.get("/console/demo/hiring/"+firstVac).Body)
	if len(firstApp) == 0 {
		t.Fatal("the first demo board has no card")
	}
	site.Do(http.MethodPost, "/v1/orgs/demo/hiring-applications/"+firstApp[0]+"/scorecards", map[string]any{
		"scores": map[string]int{"communication": 4, "tone": 5, "accuracy": 3, "speed": 4}, "recommendation": "hire", "notes": "Clear and kind"},
		bearer).Expect(http.StatusCreated)
	for _, vac := range idsFromJSON(site.Do(http.MethodGet, "/v1/orgs/demo/hiring-vacancies?limit=25", nil, bearer).Expect(http.StatusOK), "id") {
		board := b.get("/console/demo/hiring/" + vac)
		for _, app := range matches(applicationHref, board.Body) {
			apps++
			card := b.get("/console/demo/hiring/applications/" + app)
			checkTexts(t, "candidate card", card.Body)
			if card.Status != http.StatusOK || !strings.Contains(card.Body, `id="candidate-name"`) {
				t.Fatalf("candidate card %s: %d\n%s", app, card.Status, card.Body)
			}
			moves := apiItems(t, site.Do(http.MethodGet, "/v1/orgs/demo/hiring-applications/"+app+"/moves", nil, bearer).Expect(http.StatusOK))
			if got := strings.Count(movesRow.FindString(card.Body), "<tr><td>"); got != len(moves) {
				t.Fatalf("card %s shows %d moves, the API %d", app, got, len(moves))
			}
			cards := field(apiItems(t, site.Do(http.MethodGet, "/v1/orgs/demo/hiring-applications/"+app+"/scorecards", nil, bearer).Expect(http.StatusOK)), "id")
			if got := matches(scorecardID, card.Body); !sameSet(got, cards) {
				t.Fatalf("card %s shows scorecards %v, the API %v", app, got, cards)
			}
			scored = scored || len(cards) > 0
			if apps >= 8 && scored {
				break
			}
		}
		if apps >= 8 && scored {
			break
		}
	}
	if apps == 0 || !scored {
		t.Fatalf("the demo boards should link candidate cards, some with scorecards (%d cards, scored %v)", apps, scored)
	}
	if p := b.get("/console/demo/hiring/applications/00000000-0000-0000-0000-000000000000"); p.Status != http.StatusNotFound {
		t.Fatalf("unknown application: %d", p.Status)
	}
	// The reserve search, plain and by tag, as the API's.
	reserve := b.get("/console/demo/hiring/reserve")
	api := apiItems(t, site.Do(http.MethodGet, "/v1/orgs/demo/hiring-candidates?in_reserve=true&limit=25", nil, bearer).Expect(http.StatusOK))
	if got := matches(readingRow, reserve.Body); reserve.Status != http.StatusOK || !slices.Equal(got, field(api, "id")) || len(api) == 0 {
		t.Fatalf("reserve %d %v, the API %v", reserve.Status, got, field(api, "id"))
	}
	var tag string
	for _, c := range api {
		if tags, _ := c["tags"].([]any); len(tags) > 0 && tag == "" {
			tag = tags[0].(string)
		}
	}
	if tag != "" {
		byTag := b.get("/console/demo/hiring/reserve?tag=" + url.QueryEscape(tag))
		want := idsFromJSON(site.Do(http.MethodGet, "/v1/orgs/demo/hiring-candidates?in_reserve=true&limit=25&tag="+url.QueryEscape(tag), nil, bearer).Expect(http.StatusOK), "id")
		if got := matches(readingRow, byTag.Body); !slices.Equal(got, want) || len(want) == 0 {
			t.Fatalf("reserve by tag %q: %v, the API %v", tag, got, want)
		}
	}
	for _, bad := range []string{"min_score=101", "min_score=x", "source=nowhere", "cursor=not*a*cursor"} {
		if p := b.get("/console/demo/hiring/reserve?" + bad); p.Status != http.StatusUnprocessableEntity {
			t.Fatalf("reserve?%s: %d", bad, p.Status)
		}
	}
	// Onboarding plans: HR sees every plan, a curator her own, as the API.
	for _, email := range []string{"hr@demo.test", "curator01@demo.test"} {
		pb := site.browser(t)
		pb.signIn(email)
		p := pb.get("/console/demo/onboarding")
		want := idsFromJSON(site.Do(http.MethodGet, "/v1/orgs/demo/onboarding-plans?limit=25", nil, apptest.Bearer(pb.token())).Expect(http.StatusOK), "id")
		if got := matches(readingRow, p.Body); p.Status != http.StatusOK || !slices.Equal(got, want) {
			t.Fatalf("%s onboarding %d: %v, the API %v", email, p.Status, got, want)
		}
		if email == "hr@demo.test" && (len(want) == 0 || !strings.Contains(p.Body, `class="of"`)) {
			t.Fatal("HR should see the demo's plans with progress counted over weights")
		}
	}
	// A curator opens no candidate and no reserve.
	cb := site.browser(t)
	cb.signIn("curator01@demo.test")
	for _, path := range []string{"/console/demo/hiring/reserve", "/console/demo/hiring/applications/00000000-0000-0000-0000-000000000000"} {
		if p := cb.get(path); p.Status != http.StatusForbidden {
			t.Fatalf("curator on %s: %d", path, p.Status)
		}
	}
}

var newKey = regexp.MustCompile(`<code id="new-key-value">([^<]+)</code>`)

func checkAdminPages(t *testing.T, site *demoSite) {
	b := site.browser(t)
	page := b.signIn("admin@demo.test")
	bearer := apptest.Bearer(b.token())
	token := page.csrf(t)
	// A key issued from the console is shown once, works on the API, and
	// stops working when revoked from the console.
	for _, bad := range []url.Values{{"name": {""}}, {"name": {strings.Repeat("к", 201)}}, {"name": {"LMS"}, "role": {"admin"}},
		{"name": {"LMS"}, "expires_on": {"2001-01-01"}}, {"name": {"LMS"}, "expires_on": {"tomorrow"}}} {
		bad.Set("csrf", token)
		if p := b.post("/console/demo/api-keys", bad); p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, `id="key-error"`) {
			t.Fatalf("key form %v: %d", bad, p.Status)
		}
	}
	before := len(idsFromJSON(site.Do(http.MethodGet, "/v1/orgs/demo/api-keys?limit=100", nil, bearer).Expect(http.StatusOK), "id"))
	if before != 0 {
		t.Logf("the school already has %d keys", before)
	}
	p := b.post("/console/demo/api-keys", url.Values{"csrf": {token}, "name": {"LMS GetCourse"}, "role": {"integration"}})
	m := newKey.FindStringSubmatch(p.Body)
	if p.Status != http.StatusCreated || m == nil {
		t.Fatalf("create a key: %d\n%s", p.Status, p.Body)
	}
	key := m[1]
	checkTexts(t, "new key", p.Body)
	site.Do(http.MethodGet, "/v1/orgs/demo/events?limit=1", nil, apptest.APIKey(key)).Expect(http.StatusOK)
	list := b.get("/console/demo/api-keys")
	want := idsFromJSON(site.Do(http.MethodGet, "/v1/orgs/demo/api-keys?limit=25", nil, bearer).Expect(http.StatusOK), "id")
	if got := matches(readingRow, list.Body); !slices.Equal(got, want) || len(want) != before+1 {
		t.Fatalf("keys %v, the API %v", got, want)
	}
	if strings.Contains(list.Body, key) {
		t.Fatal("the key must be shown once, never on the list")
	}
	id := want[len(want)-1]
	if r := b.post("/console/demo/api-keys/"+id+"/revoke", url.Values{"csrf": {token}}); r.Status != http.StatusSeeOther {
		t.Fatalf("revoke: %d", r.Status)
	}
	site.Do(http.MethodGet, "/v1/orgs/demo/events?limit=1", nil, apptest.APIKey(key)).Expect(http.StatusUnauthorized)
	if r := b.post("/console/demo/api-keys/"+id+"/revoke", url.Values{"csrf": {token}}); r.Status != http.StatusConflict {
		t.Fatalf("revoke twice: %d", r.Status)
	}
	// A webhook and its delivery log: a refund decided by the head is
	// queued for it, and the log shows what the API shows.
	var hook struct {
		ID string `json:"id"`
	}
	site.Do(http.MethodPost, "/v1/orgs/demo/webhooks", map[string]any{"url": "https://hooks.example.com/curatorops", "event_types": []string{"*"},
		"description": "CRM"}, bearer).Expect(http.StatusCreated).Decode(&hook)
	head := site.browser(t)
	head.signIn("head@demo.test")
	refunds := head.get("/console/demo/refunds/approve")
	rm := regexp.MustCompile(`<tr data-id="([0-9a-f-]{36})"[\s\S]*?name="version" value="(\d+)"`).FindStringSubmatch(refunds.Body)
	if rm == nil {
		t.Fatal("the demo should have a refund to decide")
	}
	if r := head.post("/console/demo/refunds/"+rm[1]+"/reject", url.Values{"csrf": {refunds.csrf(t)}, "version": {rm[2]}, "note": {"Outside the refund window"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("reject a refund: %d", r.Status)
	}
	hooks := b.get("/console/demo/webhooks")
	if got := matches(readingRow, hooks.Body); hooks.Status != http.StatusOK || !slices.Contains(got, hook.ID) {
		t.Fatalf("webhooks %d %v", hooks.Status, got)
	}
	log := b.get("/console/demo/webhooks/" + hook.ID)
	checkTexts(t, "delivery log", log.Body)
	deliveries := idsFromJSON(site.Do(http.MethodGet, "/v1/orgs/demo/webhooks/"+hook.ID+"/deliveries?limit=25", nil, bearer).Expect(http.StatusOK), "id")
	if got := matches(readingRow, log.Body); log.Status != http.StatusOK || !slices.Equal(got, deliveries) || len(deliveries) == 0 {
		t.Fatalf("delivery log %d %v, the API %v", log.Status, got, deliveries)
	}
	if p := b.get("/console/demo/webhooks/" + hook.ID + "?status=lost"); p.Status != http.StatusUnprocessableEntity {
		t.Fatalf("unknown status: %d", p.Status)
	}
	if p := b.get("/console/demo/webhooks/00000000-0000-0000-0000-000000000000"); p.Status != http.StatusNotFound {
		t.Fatalf("unknown webhook: %d", p.Status)
	}
	// Nobody else manages keys or sees webhooks.
	hr := site.browser(t)
	home := hr.signIn("hr@demo.test")
	for _, path := range []string{"/console/demo/api-keys", "/console/demo/webhooks", "/console/demo/webhooks/" + hook.ID} {
		if p := hr.get(path); p.Status != http.StatusForbidden {
			t.Fatalf("hr on %s: %d", path, p.Status)
		}
	}
	if p := hr.post("/console/demo/api-keys", url.Values{"csrf": {home.csrf(t)}, "name": {"x"}}); p.Status != http.StatusForbidden {
		t.Fatalf("hr creating a key: %d", p.Status)
	}
}

// checkMalformedAddresses: an id or a cursor that is not one answers 404
// or 422 on both databases, never a failed query.
func checkMalformedAddresses(t *testing.T, site *demoSite) {
	bad := httpapi.EncodeCursor("not-an-id")
	for email, cases := range map[string]map[string]int{
		"head@demo.test": {
			"/console/demo/regulations/not-an-id": http.StatusNotFound, "/console/demo/regulations/reading/not-an-id": http.StatusNotFound,
			"/console/demo/cases/moderation?cursor=" + bad: http.StatusUnprocessableEntity,
			"/console/demo/refunds/approve?before=x":       http.StatusUnprocessableEntity,
		},
		"hr@demo.test": {
			"/console/demo/hiring/applications/not-an-id": http.StatusNotFound, "/console/demo/hiring/reserve?cursor=" + bad: http.StatusUnprocessableEntity,
			"/console/demo/onboarding?cursor=" + bad: http.StatusUnprocessableEntity,
			"/console/demo/hiring?after=x":           http.StatusUnprocessableEntity, "/console/demo/people?after=x": http.StatusUnprocessableEntity,
		},
		"admin@demo.test": {
			"/console/demo/webhooks/not-an-id": http.StatusNotFound, "/console/demo/api-keys?cursor=" + bad: http.StatusUnprocessableEntity,
			"/console/demo/webhooks?cursor=" + bad: http.StatusUnprocessableEntity,
			"/console/demo/audit?after=x":          http.StatusUnprocessableEntity,
		},
		"curator01@demo.test": {"/console/demo/cases/new?student_id=not-an-id": http.StatusOK},
	} {
		b := site.browser(t)
		home := b.signIn(email)
		for path, want := range cases {
			if p := b.get(path); p.Status != want {
				t.Errorf("%s %s: %d, want %d", email, path, p.Status, want)
			}
		}
		form := url.Values{"csrf": {home.csrf(t)}, "version": {"1"}, "status": {"approved"}, "revision_id": {"x"}}
		for _, path := range map[string][]string{
			"head@demo.test":      {"/console/demo/cases/not-an-id/moderation", "/console/demo/regulations/not-an-id/acknowledgments"},
			"admin@demo.test":     {"/console/demo/api-keys/not-an-id/revoke"},
			"curator01@demo.test": {"/console/demo/regulations/not-an-id/quiz"},
		}[email] {
			if p := b.post(path, form); p.Status != http.StatusNotFound {
				t.Errorf("%s POST %s: %d", email, path, p.Status)
			}
		}
	}
}

// rawKey is a catalog key shown as itself: a text missing from the
// catalog.
var rawKey = regexp.MustCompile(`>(?:nav|title|health|cases|conv|reading|quiz|cand|reserve|onb|keys|hooks|common|sla)\.[a-z_.]+<`)

// checkTexts fails a page showing a formatting error or a catalog key
// instead of its text.
func checkTexts(t *testing.T, path, body string) {
	t.Helper()
	if strings.Contains(body, "%!") {
		t.Errorf("%s shows a formatting error: %s", path, body[max(0, strings.Index(body, "%!")-80):min(len(body), strings.Index(body, "%!")+40)])
	}
	if m := rawKey.FindString(body); m != "" {
		t.Errorf("%s shows the key %s instead of its text", path, m)
	}
}
