package console

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/curatorops/curatorops/modules/platform/errs"
	"github.com/curatorops/curatorops/modules/platform/progress"
	"github.com/curatorops/curatorops/modules/platform/reqctx"
)

// jobConsole is a console with its templates and a job registry, no
// services: the jobs' operations are the tests'.
func jobConsole(t *testing.T) *Console {
	t.Helper()
	tmpl, err := loadTemplates()
	if err != nil {
		t.Fatal(err)
	}
	return &Console{d: Deps{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}, tmpl: tmpl, jobs: newJobs()}
}

// jobRequest is a request of user in the school orgID, admitted.
func (c *Console) jobRequest(method, target, user, orgID string) (*request, func() (int, http.Header, string)) {
	r, rec := testRequest(method, target, "ru")
	r.c, r.page = c, &page{name: "test"}
	r.principal = &reqctx.Principal{Kind: reqctx.ActorUser, UserID: user, Name: user}
	r.org = &reqctx.OrgAccess{ID: orgID, Slug: "demo", Roles: []string{"head_of_service"}, Can: func(string, string) bool { return true }}
	meta := &reqctx.Meta{RequestID: "req-1", OperationID: "console:test", Principal: r.principal, Org: r.org}
	r.ctx = reqctx.With(r.ctx, meta)
	return r, func() (int, http.Header, string) { return rec.Code, rec.Header(), rec.Body.String() }
}

// openJob answers the job page at path for user in orgID.
func (c *Console) openJob(t *testing.T, path, user, orgID string) (int, http.Header, string) {
	t.Helper()
	r, answer := c.jobRequest(http.MethodGet, path, user, orgID)
	r.SetParamNames("id")
	r.SetParamValues(strings.TrimPrefix(path, "/console/demo/jobs/"))
	if err := c.jobPage(r); err != nil {
		if err := r.fail(err); err != nil {
			t.Fatal(err)
		}
	}
	return answer()
}

// TestJobProgress: a job's page shows its progress while it runs —
// <progress> with done and total, the percentage as text, a refresh
// without script — and once it ended sends its owner to the result; the
// job keeps the request's identity but not its cancellation; another
// person or school does not find it.
func TestJobProgress(t *testing.T) {
	c := jobConsole(t)
	step := make(chan struct{})
	var seen struct {
		user, request string
		cancelled     error
	}
	r, answer := c.jobRequest(http.MethodPost, "/console/demo/pay/periods/p/calculate", "u1", "org1")
	ctx, cancel := context.WithCancel(r.ctx)
	r.ctx = ctx
	err := c.startJob(r, "calculate", "/pay/periods/p", func(ctx context.Context) (string, error) {
		progress.Report(ctx, 1, 4)
		<-step
		progress.Report(ctx, 4, 4)
		<-step
		m := reqctx.From(ctx)
		seen.user, seen.request, seen.cancelled = m.Principal.UserID, m.RequestID, ctx.Err()
		return "/pay/periods/p?done=calculate", nil
	})
	if err != nil {
		t.Fatal(err)
	}
	cancel() // the browser went away: the job goes on
	status, h, _ := answer()
	path := h.Get("Location")
	if status != http.StatusSeeOther || !strings.HasPrefix(path, "/console/demo/jobs/") || !validJobID(strings.TrimPrefix(path, "/console/demo/jobs/")) {
		t.Fatalf("start: %d %q", status, path)
	}
	waitFor := func(want string) string {
		t.Helper()
		for range 500 {
			status, _, body := c.openJob(t, path, "u1", "org1")
			if status == http.StatusOK && strings.Contains(body, want) {
				return body
			}
			time.Sleep(5 * time.Millisecond)
		}
		t.Fatalf("the job's page never showed %q", want)
		return ""
	}
	body := waitFor(`<progress id="job-progress" max="4" value="1">`)
	for _, want := range []string{`<meta http-equiv="refresh" content="1">`, `<span id="job-percent">25 %</span>`, "1 из 4", "этапов пройдено",
		`href="/console/demo/pay/periods/p"`} {
		if !strings.Contains(body, want) {
			t.Errorf("the running job's page lacks %s:\n%s", want, body)
		}
	}
	if strings.Contains(body, "<script>") || strings.Contains(body, " style=") {
		t.Error("inline script or style on the job's page")
	}
	step <- struct{}{}
	waitFor(`<span id="job-percent">100 %</span>`)
	// Another person of the school, or the same person in another school,
	// does not find it.
	for _, who := range [][2]string{{"u2", "org1"}, {"u1", "org2"}} {
		if status, _, body := c.openJob(t, path, who[0], who[1]); status != http.StatusNotFound || !strings.Contains(body, "другой сервер консоли") {
			t.Errorf("%v: %d", who, status)
		}
	}
	step <- struct{}{}
	for range 500 {
		status, h, _ := c.openJob(t, path, "u1", "org1")
		if status == http.StatusSeeOther {
			if h.Get("Location") != "/console/demo/pay/periods/p?done=calculate" {
				t.Errorf("the ended job leads to %q", h.Get("Location"))
			}
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	if seen.user != "u1" || seen.request != "req-1" || seen.cancelled != nil {
		t.Errorf("the job ran as %q in request %q, cancelled: %v", seen.user, seen.request, seen.cancelled)
	}
	// Some minutes after it ended the job is forgotten.
	c.jobs.now = func() time.Time { return time.Now().Add(jobTTL + time.Minute) }
	if status, _, _ := c.openJob(t, path, "u1", "org1"); status != http.StatusNotFound {
		t.Errorf("a job long ended: %d", status)
	}
}

// TestJobError: a failed job's page is the error page the form would have
// answered with: the service's status and words.
func TestJobError(t *testing.T) {
	c := jobConsole(t)
	r, answer := c.jobRequest(http.MethodPost, "/x", "u1", "org1")
	if err := c.startJob(r, "export", "/pay/periods/p", func(context.Context) (string, error) {
		return "", errs.Conflict("the period is open; only a locked period is exported")
	}); err != nil {
		t.Fatal(err)
	}
	_, h, _ := answer()
	for range 500 {
		status, _, body := c.openJob(t, h.Get("Location"), "u1", "org1")
		if status == http.StatusOK {
			time.Sleep(5 * time.Millisecond)
			continue
		}
		if status != http.StatusConflict || !strings.Contains(body, "only a locked period is exported") || !strings.Contains(body, `data-status="409"`) {
			t.Fatalf("a failed job: %d\n%s", status, body)
		}
		return
	}
	t.Fatal("the job did not end")
}

// TestJobLimits: a person runs a few jobs at once; the next is refused
// with 429 until one ends. Malformed ids are not found.
func TestJobLimits(t *testing.T) {
	c := jobConsole(t)
	release := make(chan struct{})
	for i := 0; i <= maxRunningPerPerson; i++ {
		r, _ := c.jobRequest(http.MethodPost, "/x", "u1", "org1")
		err := c.startJob(r, "calculate", "/", func(context.Context) (string, error) { <-release; return "/", nil })
		var rl *errs.RateLimitedError
		if i < maxRunningPerPerson && err != nil {
			t.Fatalf("job %d: %v", i, err)
		}
		if i == maxRunningPerPerson && !errors.As(err, &rl) {
			t.Fatalf("job over the limit: %v", err)
		}
	}
	// Someone else may still start one.
	r, _ := c.jobRequest(http.MethodPost, "/x", "u2", "org1")
	if err := c.startJob(r, "calculate", "/", func(context.Context) (string, error) { return "/", nil }); err != nil {
		t.Fatalf("another person's job: %v", err)
	}
	close(release)
	for _, id := range []string{"", "x", strings.Repeat("g", 32), strings.Repeat("0", 32)} {
		if status, _, _ := c.openJob(t, "/console/demo/jobs/"+id, "u1", "org1"); status != http.StatusNotFound {
			t.Errorf("job %q: %d", id, status)
		}
	}
}
