package console

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/curatorops/curatorops/modules/platform/errs"
	"github.com/curatorops/curatorops/modules/platform/progress"
	"github.com/curatorops/curatorops/modules/platform/reqctx"
)

// Long operations (a period's calculation, recording an export) run as
// background jobs: the form's POST starts the operation and sends the
// browser to the job's page, which shows how far it has got and refreshes
// itself until the operation ends, then sends the browser on to the result
// (or shows the error the form would have shown). The operation runs with
// the request's identity, school and request id — so its audit entries
// and statuses are those of the form answered synchronously — but not its
// cancellation: closing the tab does not cut a calculation short.
//
// Jobs live in the memory of the process that runs them: another replica
// does not know them and answers their page with 404 (saying so), and a
// restart forgets them (the operation's transaction either committed or
// did not; the period page tells which).

const (
	// maxJobs bounds the registry; it is full only when that many jobs
	// are running or ended less than jobTTL ago.
	maxJobs = 200
	// maxRunningPerPerson keeps one person from filling the registry.
	maxRunningPerPerson = 3
	// jobTTL is how long an ended job's page still answers.
	jobTTL = 10 * time.Minute
	// jobRefresh is how often a running job's page reloads, in seconds.
	jobRefresh = 1
)

// job is one long operation started from the console.
type job struct {
	id, orgID, userID string
	kind              string // the message of job.kind.<kind> names it
	back              string // the page it was started from, below the school
	tracker           *progress.Tracker

	mu     sync.Mutex
	ended  time.Time // zero while running
	err    error
	result string // where the browser goes when it succeeded, below the school
	// show, when set, is the page a successful job ends on instead of a
	// redirect (an import's report, which no other page keeps): it renders
	// it for the job page's request, with the job's final progress.
	show func(r *request, done, total int) error
}

func (j *job) state() (ended time.Time, result string, err error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.ended, j.result, j.err
}

// jobs is the registry of the console's jobs in this process. Its clock is
// the wall clock, not the services' (which tests stop): a job's lifetime
// is real time.
type jobs struct {
	mu   sync.Mutex
	byID map[string]*job
	now  func() time.Time
}

func newJobs() *jobs { return &jobs{byID: map[string]*job{}, now: time.Now} }

// sweep forgets the jobs that ended more than jobTTL ago. The caller holds
// the lock.
func (js *jobs) sweep() {
	cut := js.now().Add(-jobTTL)
	for id, j := range js.byID {
		if ended, _, _ := j.state(); !ended.IsZero() && ended.Before(cut) {
			delete(js.byID, id)
		}
	}
}

// add registers j, unless the registry is full or its person already runs
// as many jobs as she may: 429, try again shortly.
func (js *jobs) add(j *job) error {
	js.mu.Lock()
	defer js.mu.Unlock()
	js.sweep()
	running := 0
	for _, other := range js.byID {
		if ended, _, _ := other.state(); ended.IsZero() && other.userID == j.userID {
			running++
		}
	}
	if running >= maxRunningPerPerson || len(js.byID) >= maxJobs {
		return &errs.RateLimitedError{RetryAfter: 10 * time.Second}
	}
	js.byID[j.id] = j
	return nil
}

// get is the job id, when it is still known here.
func (js *jobs) get(id string) *job {
	js.mu.Lock()
	defer js.mu.Unlock()
	js.sweep()
	return js.byID[id]
}

// newJobID is 128 random bits in hex: a job's address cannot be guessed,
// though it would not open to anyone but its owner anyway.
func newJobID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func validJobID(id string) bool {
	if len(id) != 32 {
		return false
	}
	_, err := hex.DecodeString(id)
	return err == nil
}

// startJob runs op in the background as the caller, in this school, and
// sends the browser to the job's page. op returns where the browser goes
// once it succeeded (below the school); back is the page the job belongs
// to, linked from the job's page while it runs.
func (c *Console) startJob(r *request, kind, back string, op func(ctx context.Context) (string, error)) error {
	return c.launchJob(r, kind, back, func(ctx context.Context) (string, func(*request, int, int) error, error) {
		result, err := op(ctx)
		return result, nil, err
	})
}

// startJobShowing is startJob for an operation whose outcome is a page of
// its own rather than a page to send the browser to: op returns the
// function that renders it, and the job's page shows it once the job ended
// (for as long as the job is kept).
func (c *Console) startJobShowing(r *request, kind, back string, op func(ctx context.Context) (func(r *request, done, total int) error, error)) error {
	return c.launchJob(r, kind, back, func(ctx context.Context) (string, func(*request, int, int) error, error) {
		show, err := op(ctx)
		return "", show, err
	})
}

func (c *Console) launchJob(r *request, kind, back string, op func(ctx context.Context) (string, func(*request, int, int) error, error)) error {
	j := &job{id: newJobID(), orgID: r.org.ID, userID: r.principal.UserID, kind: kind, back: back, tracker: &progress.Tracker{}}
	if err := c.jobs.add(j); err != nil {
		return err
	}
	// The request's values (who, which school, the request id the audit
	// entries carry) without its cancellation, and a copy of its meta so
	// that nothing the request does after its answer reaches the job.
	meta := *reqctx.From(r.ctx)
	ctx := progress.With(reqctx.With(context.WithoutCancel(r.ctx), &meta), j.tracker)
	logger := c.d.Logger
	go func() {
		var result string
		var show func(*request, int, int) error
		var err error
		defer func() {
			if p := recover(); p != nil {
				err = fmt.Errorf("console job %s panicked: %v", kind, p)
				logger.Error("console job failed", "job", kind, "error", err, "request_id", meta.RequestID)
			}
			j.mu.Lock()
			j.ended, j.result, j.show, j.err = c.jobs.now(), result, show, err
			j.mu.Unlock()
		}()
		result, show, err = op(ctx)
	}()
	return r.back("/jobs/" + j.id)
}

// jobBackKeys name the link back of the kinds of job that do not belong
// to a pay period ("job.back" says "back to the period").
var jobBackKeys = map[string]string{"import": "job.back.import"}

// jobView is the job page's data; a running job's page reloads itself.
type jobView struct {
	Kind, Back, BackKey  string
	Done, Total, Percent int
	Running              bool
}

func (v jobView) refresh() int {
	if v.Running {
		return jobRefresh
	}
	return 0
}

// jobPage shows a job of the caller's: its progress while it runs; once it
// ended, the result page it leads to (303) or the error page the form
// would have answered with. Another person's job, or one this process does
// not know, is not found.
func (c *Console) jobPage(r *request) error {
	id := r.Param("id")
	var j *job
	if validJobID(id) {
		j = c.jobs.get(id)
	}
	if j == nil || j.orgID != r.org.ID || j.userID != r.principal.UserID {
		return &pageError{status: http.StatusNotFound, key: "error.not_found", detail: r.L.T("job.unknown")}
	}
	ended, result, err := j.state()
	switch {
	case ended.IsZero():
		done, total := j.tracker.State()
		v := jobView{Kind: j.kind, Back: r.orgPath(j.back), BackKey: "job.back", Done: done, Total: total, Running: true}
		if key, ok := jobBackKeys[j.kind]; ok {
			v.BackKey = key
		}
		if total > 0 {
			v.Percent = done * 100 / total
		}
		return r.render(http.StatusOK, "job", v)
	case err != nil:
		return err
	}
	j.mu.Lock()
	show := j.show
	j.mu.Unlock()
	if show != nil {
		done, total := j.tracker.State()
		return show(r, done, total)
	}
	return r.back(result)
}
