package console_test

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserHire drives HR's hiring in headless Chromium on the demo
// school: from a vacancy board's card to the candidate card, an offer made
// with the form, then the candidate's acceptance recorded, which hires
// her: the card shows the hire and links her onboarding plan. Then a
// curator opens My KPIs for last month.
func TestBrowserHire(t *testing.T) {
	exe := chromiumPath(t)
	site := newDemoSite(t, "sqlite")
	h := site.headless(t, exe)
	h.signIn("hr@demo.test")
	h.do(chromedp.Click(chromedp.CSS(`nav a[href="/console/demo/hiring"]`)), chromedp.WaitVisible(chromedp.CSS("#vacancies")))
	h.do(chromedp.Click(chromedp.CSS("#vacancies tbody a")), chromedp.WaitVisible(chromedp.CSS("#board")))
	// A card before the offer stage: its link opens the card at its offers.
	app := h.eval(`(function () {
		for (const kind of ["applied", "step", "test_task", "interview"]) {
			const card = document.querySelector('.column[data-kind="' + kind + '"] .card .offer-link');
			if (card) { return card.closest(".card").dataset.application; }
		}
		return "";
	})()`)
	if app == "" {
		t.Fatal("no card before the offer stage on the first vacancy's board")
	}
	h.do(chromedp.Click(chromedp.CSS(`.card[data-application="`+app+`"] .offer-link`)), chromedp.WaitVisible(chromedp.CSS("#offer-form")))
	start := demoAt.AddDate(0, 0, 14).Format(time.DateOnly)
	h.do(
		chromedp.SetValue(chromedp.CSS("#start_date"), start),
		chromedp.SendKeys(chromedp.CSS("#pay_scheme"), "Оклад 20 000 ₽ + 150 ₽ за проверенную работу"),
		chromedp.SendKeys(chromedp.CSS("#monthly_base"), "20000"),
		chromedp.Click(chromedp.CSS("#make-offer")),
		chromedp.WaitVisible(chromedp.CSS("#new-offer-link")),
	)
	if n := site.Count("hiring_offers", "application_id = ? AND status = 'sent' AND monthly_base_kopecks = 2000000 AND start_date = ?", app, start); n != 1 {
		t.Fatalf("offers sent from the form: %d", n)
	}
	h.do(
		chromedp.SendKeys(chromedp.CSS("#hire-password"), "Hire-Password-2026!"),
		chromedp.Click(chromedp.CSS("#accept-offer")),
		chromedp.WaitVisible(chromedp.CSS("#hired")),
	)
	user := h.eval(`document.getElementById("hired").dataset.user`)
	if n := site.Count("hiring_offers", "application_id = ? AND status = 'accepted' AND user_id = ?", app, user); n != 1 {
		t.Fatalf("accepted offers hiring %s: %d", user, n)
	}
	if n := site.Count("onboarding_plans", "user_id = ?", user); n != 1 {
		t.Fatalf("the hire's onboarding plans: %d", n)
	}
	h.screenshot("hire")
	// The link leads to her plan.
	h.do(chromedp.Click(chromedp.CSS("#hire-plan")), chromedp.WaitVisible(chromedp.CSS("#plans")))
	if rows := h.eval(`String(document.querySelectorAll("#plans tbody tr[data-id]").length)`); rows != "1" {
		t.Fatalf("plans shown for the hire: %s", rows)
	}

	// A curator opens My KPIs from her menu: every figure with what it was
	// counted over, a figure without data a dash.
	c := site.headless(t, exe)
	c.signIn("curator01@demo.test")
	c.do(chromedp.Click(chromedp.CSS(`nav a[href="/console/demo/kpis"]`)), chromedp.WaitVisible(chromedp.CSS("#kpis")))
	month := time.Date(demoAt.Year(), demoAt.Month(), 1, 0, 0, 0, 0, time.UTC).AddDate(0, -1, 0)
	c.do(chromedp.SetValue(chromedp.CSS("#kpi-from"), month.Format(time.DateOnly)),
		chromedp.SetValue(chromedp.CSS("#kpi-to"), month.AddDate(0, 1, 0).Format(time.DateOnly)),
		chromedp.Submit(chromedp.CSS("#kpi-from")), chromedp.WaitVisible(chromedp.CSS(`#kpis caption`)))
	if rows := c.eval(`String(document.querySelectorAll("#kpis tbody tr[data-figure] td.of").length)`); rows != "16" {
		t.Fatalf("KPI rows with their counts: %s", rows)
	}
	if loc := c.location(); !strings.Contains(loc, "from="+month.Format(time.DateOnly)) {
		t.Fatalf("the period form went to %s", loc)
	}
	c.screenshot("my-kpis")
}
