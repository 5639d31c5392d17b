package console_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"
	"github.com/xuri/excelize/v2"

	"github.com/curatorops/curatorops/app/apptest"
)

// Environment of the browser tests.
const (
	// envChromium names the Chromium binary; without it the tests look for
	// chromium, chromium-browser, google-chrome and headless-shell on PATH.
	envChromium = "CHROMIUM_PATH"
	// envRequireBrowser=1 turns "no Chromium" from a skip into a failure:
	// CI sets it, so that the browser step cannot pass by skipping.
	envRequireBrowser = "CONSOLE_REQUIRE_BROWSER"
	// envScreenshots=1 writes a screenshot of each main page to
	// docs/screenshots (off by default, so that test runs leave the tree
	// alone).
	envScreenshots = "CONSOLE_SCREENSHOTS"
)

func chromiumPath(t *testing.T) string {
	t.Helper()
	if p := os.Getenv(envChromium); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "headless-shell"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv(envRequireBrowser) == "1" {
		t.Fatalf("no Chromium binary: install Debian's chromium or set %s (%s=1 forbids skipping)", envChromium, envRequireBrowser)
	}
	t.Skipf("no Chromium binary found (chromium, chromium-browser, google-chrome or headless-shell on PATH, or %s): browser tests skipped", envChromium)
	return ""
}

// headless is one person's browser: a Chromium of its own, so that cookies
// are not shared between people.
type headless struct {
	t    *testing.T
	ctx  context.Context
	site *demoSite
}

func (d *demoSite) headless(t *testing.T, exe string) *headless {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(exe), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.WindowSize(1280, 900), chromedp.Flag("lang", "ru-RU"))
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(alloc)
	ctx, cancelTimeout := context.WithTimeout(ctx, 60*time.Second)
	t.Cleanup(func() { cancelTimeout(); cancelCtx(); cancelAlloc() })
	return &headless{t: t, ctx: ctx, site: d}
}

func (h *headless) do(steps ...chromedp.Action[chromedp.Void]) {
	h.t.Helper()
	if err := chromedp.Do(h.ctx, steps...); err != nil {
		h.t.Fatalf("browser: %v (at %s)", err, h.location())
	}
}

func (h *headless) location() string {
	loc, _ := chromedp.Run(h.ctx, chromedp.Location())
	return loc
}

func (h *headless) text(sel string) string {
	h.t.Helper()
	s, err := chromedp.Run(h.ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		h.t.Fatalf("text of %s: %v", sel, err)
	}
	return s
}

func (h *headless) eval(js string) string {
	h.t.Helper()
	s, err := chromedp.Run(h.ctx, chromedp.Evaluate[string](js))
	if err != nil {
		h.t.Fatalf("evaluate: %v", err)
	}
	return s
}

// attrs is the attribute attr of every element matching sel, in the
// page's order: the ids a table shows, to compare with the API's.
func (h *headless) attrs(sel, attr string) []string {
	h.t.Helper()
	js := `Array.from(document.querySelectorAll(` + jsString(sel) + `)).map(e => e.getAttribute(` + jsString(attr) + `) || "")`
	s, err := chromedp.Run(h.ctx, chromedp.Evaluate[[]string](js))
	if err != nil {
		h.t.Fatalf("attributes %s of %s: %v", attr, sel, err)
	}
	return s
}

// texts is the text of every element matching sel, trimmed.
func (h *headless) texts(sel string) []string {
	h.t.Helper()
	js := `Array.from(document.querySelectorAll(` + jsString(sel) + `)).map(e => e.textContent.trim())`
	s, err := chromedp.Run(h.ctx, chromedp.Evaluate[[]string](js))
	if err != nil {
		h.t.Fatalf("texts of %s: %v", sel, err)
	}
	return s
}

func (h *headless) count(sel string) int { return len(h.texts(sel)) }

// open follows a link of the menu, as a person does, and waits for what
// the page must show.
func (h *headless) open(path, ready string) {
	h.t.Helper()
	h.do(chromedp.Click(chromedp.CSS(`nav a[href="`+path+`"]`)), chromedp.WaitVisible(chromedp.CSS(ready)))
}

func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// tableShowsAPI fails the test unless the rows of table (their data-id,
// in order) are the ids the API lists at apiPath to the same person, and
// returns them.
func (h *headless) tableShowsAPI(what, table, apiPath string, bearer apptest.Option) []string {
	h.t.Helper()
	api := idsFromJSON(h.site.Do(http.MethodGet, apiPath, nil, bearer).Expect(http.StatusOK), "id")
	sameIDs(h.t, what, h.attrs(table+" tbody tr[data-id]", "data-id"), api)
	return api
}

// sameIDs fails the test when the page's ids are not the API's, in order.
func sameIDs(t *testing.T, what string, page, api []string) {
	t.Helper()
	if !slices.Equal(page, api) {
		t.Fatalf("%s: the page shows %v, the API %v", what, page, api)
	}
}

// signIn fills the sign-in form by keyboard, as a person would.
func (h *headless) signIn(email string) {
	h.t.Helper()
	h.do(
		chromedp.Navigate(h.site.URL+"/console/sign-in"),
		chromedp.WaitVisible(chromedp.CSS("#email")),
		chromedp.SendKeys(chromedp.CSS("#email"), email),
		chromedp.SendKeys(chromedp.CSS("#password"), "demo-Curator-2026"),
		chromedp.Click(chromedp.CSS("#sign-in")),
		chromedp.WaitVisible(chromedp.CSS("#home-tiles")),
	)
}

// screenshot writes the page to docs/screenshots/name.png when asked to.
func (h *headless) screenshot(name string) {
	h.t.Helper()
	if os.Getenv(envScreenshots) != "1" {
		return
	}
	png, err := chromedp.Run(h.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		h.t.Fatal(err)
	}
	dir := filepath.Join("..", "..", "docs", "screenshots")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		h.t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		h.t.Fatal(err)
	}
}

// TestBrowser drives the console in headless Chromium on the demo school:
// each person's main task, the 403 page, the sign-in redirect and a form
// sent without its CSRF token.
func TestBrowser(t *testing.T) {
	exe := chromiumPath(t)
	site := newDemoSite(t, "sqlite")
	// A webhook for every event, made before anyone acts, so that the
	// admin finds in its delivery log what the others did.
	var hook struct {
		ID string `json:"id"`
	}
	site.Do(http.MethodPost, "/v1/orgs/demo/webhooks", map[string]any{"url": "https://hooks.example.com/curatorops", "event_types": []string{"*"},
		"description": "CRM"}, apptest.Bearer(signedIn(t, site, "admin@demo.test").token())).Expect(http.StatusCreated).Decode(&hook)

	t.Run("head opens the scorecard and the SLA board", func(t *testing.T) {
		h := site.headless(t, exe)
		h.signIn("head@demo.test")
		h.screenshot("home-head")
		h.do(chromedp.Click(chromedp.CSS(`#home-tiles a[href="/console/demo/scorecard"]`)), chromedp.WaitVisible(chromedp.CSS("#scorecard")))
		if rows := h.eval(`String(document.querySelectorAll("#scorecard tbody tr").length)`); rows != "12" {
			t.Fatalf("scorecard rows: %s", rows)
		}
		if lines := h.eval(`String(document.querySelectorAll("#trend svg path").length)`); lines == "0" {
			t.Fatal("the trend chart draws no line")
		}
		h.screenshot("scorecard")
		h.do(chromedp.Click(chromedp.CSS(`nav a[href="/console/demo/sla"]`)), chromedp.WaitVisible(chromedp.CSS("#sla-breached")))
		if !strings.Contains(h.text("#sla-by-curator caption"), "By curator") {
			t.Fatal("headless Chromium asks for English: the board should be in English")
		}
		// The person's own choice of language wins, and is kept.
		h.do(chromedp.SetValue(chromedp.CSS("#lang"), "ru"), chromedp.Click(chromedp.CSS(`#lang + button`)),
			chromedp.WaitVisible(chromedp.CSS(`html[lang="ru"] #sla-breached`)))
		if !strings.Contains(h.text("#sla-by-curator caption"), "По кураторам") {
			t.Fatal("the board should be in Russian after choosing it")
		}
		h.screenshot("sla-board")
		if h.eval(`String(document.querySelectorAll("#sla-clocks a").length)`) != "0" {
			h.do(chromedp.Click(chromedp.CSS("#sla-clocks a")), chromedp.WaitVisible(chromedp.CSS("#explain-segments")))
			h.screenshot("sla-explain")
		}
		h.do(chromedp.Navigate(site.URL+"/console/demo/refunds/approve"), chromedp.WaitVisible(chromedp.CSS("#refunds")))
		h.screenshot("refunds-approve")
	})

	t.Run("curator takes the next submission and reviews it", func(t *testing.T) {
		h := site.headless(t, exe)
		h.signIn("curator01@demo.test")
		h.do(chromedp.Click(chromedp.CSS(`nav a[href="/console/demo/queue"]`)), chromedp.WaitVisible(chromedp.CSS("#take-next")))
		h.screenshot("queue")
		h.do(chromedp.Click(chromedp.CSS("#take-next")), chromedp.WaitVisible(chromedp.CSS("#review-form, #queue-empty")))
		if loc := h.location(); !strings.Contains(loc, "/console/demo/homework/") {
			t.Fatalf("take next went to %s: %s", loc, h.text("main"))
		}
		id := h.eval(`document.getElementById("submission").dataset.id`)
		// Every criterion gets its full points, typed in by keyboard.
		for _, field := range strings.Fields(h.eval(`Array.from(document.querySelectorAll("#review-form input[type=number]")).map(e => e.id + ":" + e.max).join(" ")`)) {
			sel, max, _ := strings.Cut(field, ":")
			h.do(chromedp.SendKeys(chromedp.CSS("#"+sel), max))
		}
		h.do(
			chromedp.Click(chromedp.CSS("#verdict-accepted")),
			chromedp.SendKeys(chromedp.CSS("#feedback"), "Хорошая работа: все пункты раскрыты."),
		)
		// The draft reaches the server a moment after typing stops.
		if _, err := chromedp.Run(h.ctx, chromedp.Poll[bool](`document.getElementById("draft-status").textContent.startsWith("✓")`,
			chromedp.WithPollingTimeout(10*time.Second))); err != nil {
			t.Fatalf("the draft was not saved: %v (%s)", err, h.text("#draft-status"))
		}
		if n := site.Count("homework_submissions", "id = ? AND draft_saved_at IS NOT NULL", id); n != 1 {
			t.Fatal("the server holds no draft")
		}
		h.screenshot("review-form")
		h.do(chromedp.Click(chromedp.CSS("#submit-review")), chromedp.WaitVisible(chromedp.CSS("#final-verdict")))
		if n := site.Count("homework_reviews", "submission_id = ? AND reviewer_id = (SELECT id FROM users WHERE email = 'curator01@demo.test')", id); n != 1 {
			t.Fatalf("reviews of %s by curator01: %d", id, n)
		}
		if n := site.Count("audit_entries", "entity_id = ? AND actor_name = 'curator01@demo.test'", id); n < 1 {
			t.Fatal("the review should be audited as the API's is")
		}
	})

	t.Run("HR moves a candidate to interview", func(t *testing.T) {
		h := site.headless(t, exe)
		h.signIn("hr@demo.test")
		h.do(chromedp.Click(chromedp.CSS(`nav a[href="/console/demo/hiring"]`)), chromedp.WaitVisible(chromedp.CSS("#vacancies")))
		h.screenshot("vacancies")
		h.do(chromedp.Click(chromedp.CSS("#vacancies tbody a")), chromedp.WaitVisible(chromedp.CSS("#board")))
		app := h.eval(`(function () {
			for (const kind of ["applied", "step"]) {
				const card = document.querySelector('.column[data-kind="' + kind + '"] .card');
				if (card) { return card.dataset.application; }
			}
			return "";
		})()`)
		if app == "" {
			t.Fatal("no card before the interview on the first vacancy's board")
		}
		interview := h.eval(`document.querySelector('#stage-` + app + ` option[data-kind="interview"]').value`)
		h.screenshot("vacancy-board")
		h.do(
			chromedp.SetValue(chromedp.CSS("#stage-"+app), interview),
			chromedp.SendKeys(chromedp.CSS("#note-"+app), "Сильное тестовое задание"),
			chromedp.Submit(chromedp.CSS("#stage-"+app)),
			chromedp.WaitVisible(chromedp.CSS(`.column[data-kind="interview"] .card[data-application="`+app+`"]`)),
		)
		if n := site.Count("hiring_stage_moves", "application_id = ? AND note = 'Сильное тестовое задание'", app); n != 1 {
			t.Fatalf("moves recorded: %d", n)
		}
	})

	t.Run("curator gets the 403 page on HR's pages", func(t *testing.T) {
		h := site.headless(t, exe)
		h.signIn("curator01@demo.test")
		h.do(chromedp.Navigate(site.URL+"/console/demo/hiring"), chromedp.WaitVisible(chromedp.CSS("#error-status")))
		if s := h.eval(`document.getElementById("error-status").dataset.status`); s != "403" {
			t.Fatalf("status shown: %s", s)
		}
		h.screenshot("forbidden")
	})

	t.Run("no session redirects to sign-in", func(t *testing.T) {
		h := site.headless(t, exe)
		h.do(chromedp.Navigate(site.URL+"/console/demo/scorecard"), chromedp.WaitVisible(chromedp.CSS("#sign-in-form")))
		if loc := h.location(); !strings.Contains(loc, "/console/sign-in?next=%2Fconsole%2Fdemo%2Fscorecard") {
			t.Fatalf("landed on %s", loc)
		}
		h.screenshot("sign-in")
		// Signing in returns to the page that was asked for.
		h.do(
			chromedp.SendKeys(chromedp.CSS("#email"), "finance@demo.test"),
			chromedp.SendKeys(chromedp.CSS("#password"), "demo-Curator-2026"),
			chromedp.Click(chromedp.CSS("#sign-in")),
			chromedp.WaitVisible(chromedp.CSS("#scorecard")),
		)
		h.do(chromedp.Navigate(site.URL+"/console/demo/refunds/execute"), chromedp.WaitVisible(chromedp.CSS("#refunds")))
		h.screenshot("refunds-execute")
	})

	t.Run("a form without the CSRF token is refused", func(t *testing.T) {
		h := site.headless(t, exe)
		h.signIn("curator02@demo.test")
		before := site.Count("homework_submissions", "status = 'in_review'")
		h.do(chromedp.Navigate(site.URL+"/console/demo/queue"), chromedp.WaitVisible(chromedp.CSS("#take-next")))
		h.eval(`document.querySelector('#take-next').form.querySelector('input[name="csrf"]').remove(); ""`)
		h.do(chromedp.Click(chromedp.CSS("#take-next")), chromedp.WaitVisible(chromedp.CSS("#error-status")))
		if s := h.eval(`document.getElementById("error-status").dataset.status`); s != "403" {
			t.Fatalf("status shown: %s", s)
		}
		if after := site.Count("homework_submissions", "status = 'in_review'"); after != before {
			t.Fatalf("the refused form claimed an item: %d → %d", before, after)
		}
	})

	t.Run("finance downloads the exported month's XLSX", func(t *testing.T) { browseFinanceExport(t, site, exe) })
	t.Run("head reviews the month, a statement and a line's sources", func(t *testing.T) { browseHeadPay(t, site, exe) })
	t.Run("head reads queue health, moderates a case and reads who has read", func(t *testing.T) { browseHeadWork(t, site, exe) })
	t.Run("curator reads her pay, regulations and conversations", func(t *testing.T) { browseCurator(t, site, exe) })
	t.Run("HR reads a candidate card, the reserve and onboarding", func(t *testing.T) { browseHR(t, site, exe) })

	t.Run("admin reads people and the audit log", func(t *testing.T) {
		h := site.headless(t, exe)
		h.signIn("admin@demo.test")
		h.do(chromedp.Click(chromedp.CSS(`nav a[href="/console/demo/people"]`)), chromedp.WaitVisible(chromedp.CSS("#people")))
		h.screenshot("people")
		h.do(chromedp.Click(chromedp.CSS(`nav a[href="/console/demo/audit"]`)), chromedp.WaitVisible(chromedp.CSS("#audit")))
		h.screenshot("audit-log")
	})

	t.Run("admin issues an API key and reads a webhook's deliveries", func(t *testing.T) { browseAdmin(t, site, exe, hook.ID) })
}

// browseFinanceExport: finance opens last month, exported by the demo, and
// presses the XLSX download; the file Chromium saves is the API's, its
// summary adds up to the period's total.
func browseFinanceExport(t *testing.T, site *demoSite, exe string) {
	api := signedIn(t, site, "finance@demo.test")
	periods := payPeriodsOf(t, site, api)
	last := periods[1]
	var detail struct {
		Total      int64
		Statements int
		Exports    []struct {
			Format, Checksum string
			Bytes            int64
		}
	}
	payAPI(t, site, api, "/pay-periods/"+last.ID, &detail)
	var xlsx struct {
		Checksum string
		Bytes    int64
	}
	for _, e := range detail.Exports {
		if e.Format == "xlsx" {
			xlsx.Checksum, xlsx.Bytes = e.Checksum, e.Bytes
		}
	}
	if xlsx.Checksum == "" || detail.Total <= 0 {
		t.Fatalf("the demo's last month should be exported to XLSX with a total: %+v", detail)
	}

	h := site.headless(t, exe)
	h.signIn("finance@demo.test")
	h.open("/console/demo/pay", "#pay-periods")
	sameIDs(t, "pay periods", h.attrs("#pay-periods tbody tr[data-id]", "data-id"), []string{periods[0].ID, last.ID})
	h.screenshot("pay-periods")
	h.do(chromedp.Click(chromedp.CSS(`#pay-periods tr[data-id="`+last.ID+`"] a`)),
		chromedp.WaitVisible(chromedp.CSS(`#period[data-status="exported"]`)))
	if got := h.attrs("#steps form", "data-step"); !slices.Equal(got, []string{"mark-paid"}) {
		t.Errorf("finance's steps on an exported month: %v", got)
	}
	h.screenshot("pay-period-exported")

	// The real download: Chromium saves the file where the test tells it.
	dir := t.TempDir()
	h.do(chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Call(ctx, cdpbrowser.SetDownloadBehavior, cdpbrowser.SetDownloadBehaviorParams{
			Behavior: cdpbrowser.SetDownloadBehaviorBehaviorAllow, DownloadPath: dir})
		return err
	}), chromedp.Click(chromedp.CSS(`#exports a[href$="/exports/xlsx"]`)))
	file := filepath.Join(dir, "pay-"+last.Month+".xlsx")
	var body []byte
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		if b, err := os.ReadFile(file); err == nil && int64(len(b)) == xlsx.Bytes {
			body = b
			break
		}
		if time.Now().After(deadline) {
			entries, _ := os.ReadDir(dir)
			t.Fatalf("no %s of %d bytes downloaded in 20 s (the directory holds %v)", filepath.Base(file), xlsx.Bytes, entries)
		}
	}
	if sum := sha256.Sum256(body); hex.EncodeToString(sum[:]) != xlsx.Checksum {
		t.Fatal("the downloaded file is not the export the API recorded")
	}
	f, err := excelize.OpenReader(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("the XLSX does not open: %v", err)
	}
	defer f.Close()
	sheets := f.GetSheetList()
	slices.Sort(sheets)
	if !slices.Equal(sheets, []string{"Control", "Lines", "Summary"}) {
		t.Fatalf("sheets %v", sheets)
	}
	rows, err := f.GetRows("Summary")
	if err != nil || len(rows) < 2 || rows[0][3] != "total_kopecks" {
		t.Fatalf("the summary sheet: %v %v", rows, err)
	}
	var total int64
	for _, r := range rows[1:] {
		n, err := strconv.ParseInt(r[3], 10, 64)
		if err != nil {
			t.Fatalf("summary row %v: %v", r, err)
		}
		total += n
	}
	if total != detail.Total || len(rows)-1 != detail.Statements {
		t.Fatalf("the summary adds up to %d over %d people, the API's period %d over %d", total, len(rows)-1, detail.Total, detail.Statements)
	}
	control, _ := f.GetRows("Control")
	checked := false
	for _, r := range control {
		if len(r) == 2 && r[0] == "sum_of_statements_kopecks" {
			checked = r[1] == strconv.FormatInt(detail.Total, 10)
		}
	}
	if !checked {
		t.Fatalf("the control sheet's sum of statements is not the period's total %d: %v", detail.Total, control)
	}
}

// browseHeadPay: the head opens the month in review with curator01's
// dispute, curator01's statement there, then a statement of last month and
// a line's source rows.
func browseHeadPay(t *testing.T, site *demoSite, exe string) {
	api := signedIn(t, site, "head@demo.test")
	periods := payPeriodsOf(t, site, api)
	cur, last := periods[0], periods[1]
	var disputes []struct {
		ID, Status string
	}
	payAPI(t, site, api, "/pay-periods/"+cur.ID+"/disputes", &disputes)
	var disputeIDs []string
	open := 0
	for _, d := range disputes {
		disputeIDs = append(disputeIDs, d.ID)
		if d.Status == "open" {
			open++
		}
	}
	curator := meOf(t, site, signedIn(t, site, "curator01@demo.test"))

	h := site.headless(t, exe)
	h.signIn("head@demo.test")
	h.open("/console/demo/pay", "#pay-periods")
	h.do(chromedp.Click(chromedp.CSS(`#pay-periods tr[data-id="`+cur.ID+`"] a`)),
		chromedp.WaitVisible(chromedp.CSS(`#period[data-status="in_review"]`)))
	// In review with an open dispute: recalculate or approve, and the
	// dispute with the form to answer it.
	if got := h.attrs("#steps form", "data-step"); !slices.Equal(got, []string{"calculate", "approve"}) {
		t.Errorf("the head's steps in review: %v", got)
	}
	sameIDs(t, "disputes", h.attrs("#disputes tbody tr[data-id]", "data-id"), disputeIDs)
	if open == 0 || h.count(`#disputes form[action$="/resolve"]`) != open {
		t.Fatalf("%d open disputes, %d resolve forms", open, h.count(`#disputes form[action$="/resolve"]`))
	}
	h.screenshot("pay-period")
	// curator01's statement, from the statements table.
	h.statementOf(curator)
	var want []string
	for _, l := range curatorStatement(t, site, api, cur.ID, curator) {
		want = append(want, l.ID)
	}
	sameIDs(t, "curator01's lines", h.attrs("#lines tbody tr[data-id]", "data-id"), want)

	// Last month, a month of facts: its first statement and the first line
	// with source rows.
	var sts []struct {
		UserID string `json:"user_id"`
		Lines  []struct{ ID string }
	}
	payAPI(t, site, api, "/pay-periods/"+last.ID+"/statements", &sts)
	st := sts[0]
	h.do(chromedp.Navigate(site.URL+"/console/demo/pay/periods/"+last.ID), chromedp.WaitVisible(chromedp.CSS(`#period[data-status="exported"]`)))
	h.statementOf(st.UserID)
	want = nil
	for _, l := range st.Lines {
		want = append(want, l.ID)
	}
	sameIDs(t, "last month's lines", h.attrs("#lines tbody tr[data-id]", "data-id"), want)
	h.screenshot("pay-statement")
	for _, l := range st.Lines {
		var page struct {
			Items []struct {
				SourceID string `json:"source_id"`
			}
		}
		payAPI(t, site, api, "/pay-lines/"+l.ID+"/sources?limit=25", &page)
		if len(page.Items) == 0 {
			continue
		}
		var ids []string
		for _, it := range page.Items {
			ids = append(ids, it.SourceID)
		}
		h.do(chromedp.Click(chromedp.CSS(`#lines tr[data-id="`+l.ID+`"] a[href*="/sources"]`)),
			chromedp.WaitVisible(chromedp.CSS(`#line[data-id="`+l.ID+`"]`)))
		sameIDs(t, "a line's sources", h.texts("#sources tbody td code"), ids)
		h.screenshot("pay-sources")
		return
	}
	t.Fatal("last month's first statement should have a line with source rows")
}

// statementOf opens a person's statement from the period page's
// statements table, paging through the table to her row.
func (h *headless) statementOf(user string) {
	h.t.Helper()
	row := `#statements tr[data-user="` + user + `"] a`
	for h.count(row) == 0 {
		if h.count(`a[rel="next"]`) == 0 {
			h.t.Fatalf("no statement of %s in the period's table", user)
		}
		// Navigate, not click: it returns once the next page has loaded.
		h.do(chromedp.Navigate(h.eval(`document.querySelector('a[rel="next"]').href`)), chromedp.WaitVisible(chromedp.CSS("#statements")))
	}
	h.do(chromedp.Click(chromedp.CSS(row)), chromedp.WaitVisible(chromedp.CSS(`#statement[data-user="`+user+`"]`)))
}

// signedInBoth signs a person in twice: on the API, for the answers the
// pages are compared with, and in the browser.
func signedInBoth(t *testing.T, site *demoSite, exe, email string) (apptest.Option, *headless) {
	bearer := apptest.Bearer(signedIn(t, site, email).token())
	h := site.headless(t, exe)
	h.signIn(email)
	return bearer, h
}

// browseHeadWork: queue health per curator, the cases awaiting moderation
// (one approved from its form) and who has read a regulation.
func browseHeadWork(t *testing.T, site *demoSite, exe string) {
	bearer, h := signedInBoth(t, site, exe, "head@demo.test")

	h.open("/console/demo/queue-health", "#queue-health")
	stats := apiItems(t, site.Do(http.MethodGet, "/v1/orgs/demo/homework-stats?group_by=curator", nil, bearer).Expect(http.StatusOK))
	rows := h.texts("#queue-health tbody th[scope=row]")
	if len(rows) != len(stats) || len(rows) < 2 {
		t.Fatalf("queue health shows %d rows, the API %d", len(rows), len(stats))
	}
	for _, it := range stats {
		if name, _ := it["curator_name"].(string); it["curator_id"] != nil && !slices.Contains(rows, name) {
			t.Fatalf("queue health lacks %s: %v", name, rows)
		}
	}
	h.screenshot("queue-health")

	h.open("/console/demo/cases/moderation", "#cases")
	pending := h.tableShowsAPI("cases awaiting moderation", "#cases", "/v1/orgs/demo/cases?status=pending&limit=25", bearer)
	if len(pending) == 0 {
		t.Fatal("the demo should have cases awaiting moderation")
	}
	h.screenshot("cases-moderation")
	// Approving the first from its own form: the case leaves the list and
	// the API has it approved.
	first := pending[0]
	h.do(chromedp.SendKeys(chromedp.CSS("#reason-a-"+first), "Подходит для сайта"),
		chromedp.Click(chromedp.CSS(`#cases tr[data-id="`+first+`"] form input[value="approved"] ~ button`)),
		chromedp.WaitVisible(chromedp.CSS("#moderated")))
	if h.count(`#cases tr[data-id="`+first+`"]`) != 0 {
		t.Fatal("the approved case is still listed")
	}
	var c struct{ Status string }
	site.Do(http.MethodGet, "/v1/orgs/demo/cases/"+first, nil, bearer).Expect(http.StatusOK).Decode(&c)
	if c.Status != "approved" {
		t.Fatalf("the case after approval: %s", c.Status)
	}

	h.open("/console/demo/regulations/reading", "#reading-articles")
	arts := field(apiItems(t, site.Do(http.MethodGet, "/v1/orgs/demo/kb/required-reading/articles?limit=25", nil, bearer).Expect(http.StatusOK)), "article_id")
	sameIDs(t, "reading by regulation", h.attrs("#reading-articles tbody tr[data-id]", "data-id"), arts)
	if len(arts) == 0 {
		t.Fatal("the demo should have required reading")
	}
	h.screenshot("regulations-reading")
	h.do(chromedp.Click(chromedp.CSS(`#reading-articles tr[data-id="`+arts[0]+`"] a`)), chromedp.WaitVisible(chromedp.CSS("#readers")))
	readers := field(apiItems(t, site.Do(http.MethodGet, "/v1/orgs/demo/kb/required-reading/articles/"+arts[0]+"?limit=25", nil, bearer).Expect(http.StatusOK)), "user_id")
	sameIDs(t, "readers of a regulation", h.attrs("#readers tbody tr[data-id]", "data-id"), readers)
	h.screenshot("regulation-readers")
}

// browseCurator: curator01's pay with her dispute, her regulations and her
// open conversations; the open conversations of the curator whose clock is
// next to breach when curator01 has none.
func browseCurator(t *testing.T, site *demoSite, exe string) {
	api := signedIn(t, site, "curator01@demo.test")
	me := meOf(t, site, api)
	bearer := apptest.Bearer(api.token())
	cur := payPeriodsOf(t, site, signedIn(t, site, "head@demo.test"))[0]
	var disputes []struct{ Status string }
	payAPI(t, site, api, "/pay-periods/"+cur.ID+"/disputes", &disputes)
	open := 0
	for _, d := range disputes {
		if d.Status == "open" {
			open++
		}
	}

	h := site.headless(t, exe)
	h.signIn("curator01@demo.test")
	h.open("/console/demo/pay/mine", "#statement")
	if got := h.attrs("#statement", "data-user"); !slices.Equal(got, []string{me}) {
		t.Fatalf("My pay is the statement of %v, not curator01's %s", got, me)
	}
	var want []string
	for _, l := range curatorStatement(t, site, api, cur.ID, me) {
		want = append(want, l.ID)
	}
	lines := h.attrs("#lines tbody tr[data-id]", "data-id")
	sameIDs(t, "My pay", lines, want)
	// Her disputed line shows the dispute instead of the form; every other
	// line still has the form while the month is in review.
	if forms := h.count(`#lines form[action$="/disputes"]`); open == 0 || forms != len(lines)-open {
		t.Fatalf("%d lines, %d open disputes of hers, %d dispute forms", len(lines), open, forms)
	}
	h.screenshot("my-pay")

	h.open("/console/demo/regulations", "#reading")
	mine := apiItems(t, site.Do(http.MethodGet, "/v1/orgs/demo/kb/me/required-reading?limit=25", nil, bearer).Expect(http.StatusOK))
	sameIDs(t, "my regulations", h.attrs("#reading tbody tr[data-id]", "data-id"), field(mine, "article_id"))
	h.screenshot("my-regulations")
	for _, it := range mine {
		if it["status"] == "done" {
			continue
		}
		id := it["article_id"].(string)
		h.do(chromedp.Click(chromedp.CSS(`#reading tr[data-id="`+id+`"] a`)), chromedp.WaitVisible(chromedp.CSS("#article-body")))
		if got, title := h.text("#article-title"), it["title"].(string); got != title {
			t.Fatalf("the regulation's title %q, the API's %q", got, title)
		}
		if h.count("#quiz, #acknowledge") == 0 {
			t.Fatal("a regulation still to read offers the quiz or the acknowledgment")
		}
		h.screenshot("regulation")
		break
	}

	h.open("/console/demo/conversations", "#my-clocks")
	clocks := field(apiItems(t, site.Do(http.MethodGet, "/v1/orgs/demo/sla/my-clocks?limit=25", nil, bearer).Expect(http.StatusOK)), "id")
	sameIDs(t, "curator01's open conversations", h.attrs("#my-clocks tbody tr[data-id]", "data-id"), clocks)
	if len(clocks) > 0 {
		h.screenshot("conversations")
		return
	}
	// The demo gives open conversations to some curators only: the one
	// whose clock is next to breach shows the page with rows.
	head := signedIn(t, site, "head@demo.test")
	next := apiItems(t, site.Do(http.MethodGet, "/v1/orgs/demo/sla/clocks?limit=1", nil, apptest.Bearer(head.token())).Expect(http.StatusOK))
	if len(next) == 0 {
		t.Fatal("the demo should have open clocks")
	}
	var curator struct {
		Email string `json:"email"`
	}
	site.Do(http.MethodGet, "/v1/orgs/demo/users/"+next[0]["curator_id"].(string), nil, apptest.Bearer(head.token())).Expect(http.StatusOK).Decode(&curator)
	other := signedIn(t, site, curator.Email)
	clocks = field(apiItems(t, site.Do(http.MethodGet, "/v1/orgs/demo/sla/my-clocks?limit=25", nil, apptest.Bearer(other.token())).Expect(http.StatusOK)), "id")
	h2 := site.headless(t, exe)
	h2.signIn(curator.Email)
	h2.open("/console/demo/conversations", "#my-clocks")
	sameIDs(t, curator.Email+"'s open conversations", h2.attrs("#my-clocks tbody tr[data-id]", "data-id"), clocks)
	if len(clocks) == 0 {
		t.Fatalf("%s holds the clock next to breach but has no open conversation", curator.Email)
	}
	h2.screenshot("conversations")
}

// browseHR: a candidate card from a vacancy's board, the reserve searched
// by a tag, and the onboarding plans.
func browseHR(t *testing.T, site *demoSite, exe string) {
	bearer, h := signedInBoth(t, site, exe, "hr@demo.test")

	h.open("/console/demo/hiring", "#vacancies")
	h.do(chromedp.Click(chromedp.CSS("#vacancies tbody a")), chromedp.WaitVisible(chromedp.CSS("#board")))
	apps := h.attrs(`#board a[href^="/console/demo/hiring/applications/"]`, "href")
	if len(apps) == 0 {
		t.Fatal("the first board links no candidate card")
	}
	app := strings.TrimPrefix(apps[0], "/console/demo/hiring/applications/")
	h.do(chromedp.Click(chromedp.CSS(`#board a[href="`+apps[0]+`"]`)), chromedp.WaitVisible(chromedp.CSS("#candidate-name")))
	var application struct {
		CandidateName string `json:"candidate_name"`
	}
	site.Do(http.MethodGet, "/v1/orgs/demo/hiring-applications/"+app, nil, bearer).Expect(http.StatusOK).Decode(&application)
	if got := h.text("#candidate-name"); got != application.CandidateName {
		t.Fatalf("the card names %q, the API %q", got, application.CandidateName)
	}
	moves := apiItems(t, site.Do(http.MethodGet, "/v1/orgs/demo/hiring-applications/"+app+"/moves", nil, bearer).Expect(http.StatusOK))
	if got := h.count("#moves tbody tr td:nth-child(6)"); got != len(moves) {
		t.Fatalf("the card shows %d moves, the API %d", got, len(moves))
	}
	h.screenshot("candidate")

	h.open("/console/demo/hiring/reserve", "#reserve")
	reserve := apiItems(t, site.Do(http.MethodGet, "/v1/orgs/demo/hiring-candidates?in_reserve=true&limit=25", nil, bearer).Expect(http.StatusOK))
	sameIDs(t, "the reserve", h.attrs("#reserve tbody tr[data-id]", "data-id"), field(reserve, "id"))
	if len(reserve) == 0 {
		t.Fatal("the demo should have candidates in reserve")
	}
	h.screenshot("reserve")
	var tag string
	for _, c := range reserve {
		if tags, _ := c["tags"].([]any); len(tags) > 0 && tag == "" {
			tag = tags[0].(string)
		}
	}
	if tag != "" {
		h.do(chromedp.SendKeys(chromedp.CSS("#tag"), tag), chromedp.Submit(chromedp.CSS("#tag")),
			chromedp.WaitVisible(chromedp.CSS(`#tag[value="`+tag+`"]`)))
		h.tableShowsAPI("the reserve by tag "+tag, "#reserve", "/v1/orgs/demo/hiring-candidates?in_reserve=true&limit=25&tag="+url.QueryEscape(tag), bearer)
	}

	h.open("/console/demo/onboarding", "#plans")
	plans := h.tableShowsAPI("onboarding plans", "#plans", "/v1/orgs/demo/onboarding-plans?limit=25", bearer)
	if len(plans) == 0 {
		t.Fatal("the demo should have onboarding plans")
	}
	h.screenshot("onboarding")
}

// browseAdmin: a key issued from the form is shown once and works on the
// API; the webhook made before the others acted has their events in its
// delivery log, as the API lists them.
func browseAdmin(t *testing.T, site *demoSite, exe, hook string) {
	bearer, h := signedInBoth(t, site, exe, "admin@demo.test")

	h.open("/console/demo/api-keys", "#api-keys")
	h.do(chromedp.SendKeys(chromedp.CSS("#key-name"), "LMS GetCourse"), chromedp.Submit(chromedp.CSS("#key-name")),
		chromedp.WaitVisible(chromedp.CSS("#new-key-value")))
	key := h.text("#new-key-value")
	site.Do(http.MethodGet, "/v1/orgs/demo/events?limit=1", nil, apptest.APIKey(key)).Expect(http.StatusOK)
	keys := h.tableShowsAPI("API keys", "#api-keys", "/v1/orgs/demo/api-keys?limit=25", bearer)
	if len(keys) == 0 {
		t.Fatal("the key issued should be listed")
	}
	h.screenshot("api-keys")

	h.open("/console/demo/webhooks", "#webhooks")
	if got := h.attrs("#webhooks tbody tr[data-id]", "data-id"); !slices.Contains(got, hook) {
		t.Fatalf("webhooks %v lack %s", got, hook)
	}
	h.screenshot("webhooks")
	h.do(chromedp.Click(chromedp.CSS(`#webhooks tr[data-id="`+hook+`"] a`)), chromedp.WaitVisible(chromedp.CSS("#deliveries")))
	deliveries := h.tableShowsAPI("the delivery log", "#deliveries", "/v1/orgs/demo/webhooks/"+hook+"/deliveries?limit=25", bearer)
	if len(deliveries) == 0 {
		t.Fatal("what the others did should be queued for the webhook")
	}
	h.screenshot("webhook-deliveries")
}
