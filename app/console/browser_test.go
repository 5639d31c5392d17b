package console_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
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

	t.Run("admin reads people and the audit log", func(t *testing.T) {
		h := site.headless(t, exe)
		h.signIn("admin@demo.test")
		h.do(chromedp.Click(chromedp.CSS(`nav a[href="/console/demo/people"]`)), chromedp.WaitVisible(chromedp.CSS("#people")))
		h.screenshot("people")
		h.do(chromedp.Click(chromedp.CSS(`nav a[href="/console/demo/audit"]`)), chromedp.WaitVisible(chromedp.CSS("#audit")))
		h.screenshot("audit-log")
	})
}
