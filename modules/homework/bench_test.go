package homework_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/app/apptest"
	"github.com/curatorops/curatorops/modules/homework"
	"github.com/curatorops/curatorops/modules/platform/ids"
	"github.com/curatorops/curatorops/modules/platform/testkit"
)

// BenchmarkReviewQueue is the load test of the review queue: the real
// server on a loopback port, CLAIM_REVIEWERS (100) curators of one cohort
// and CLAIM_ITEMS (100,000) queued submissions in the cohort's pool, so
// that every claim contends with every other. Four phases run on the same
// database in the same process, each on a fresh school:
//
//   - api-claim: every reviewer calls claim-next until the pool is empty;
//   - api-claim-review: claim-next, then the final review with If-Match;
//   - api-paced: claim-next + review cycles started on a fixed schedule
//     (CLAIM_RATE per second, 200, for CLAIM_SECONDS, 30) instead of as
//     fast as the machine allows: the latency a reviewer sees when the
//     server is not saturated;
//   - raw-sql: the same reviewers claim with BEGIN; SELECT … FOR UPDATE
//     SKIP LOCKED (PostgreSQL) or a conditional UPDATE in an immediate
//     transaction (SQLite); UPDATE; COMMIT — the floor the API is measured
//     against.
//
// Each phase reports claims/s, claim (and review) latency percentiles and
// CPU per claim, and counts items claimed more than once (must be 0).
// CLAIM_PHASES picks phases, CLAIM_POOL sets the connection pool size. Items
// are inserted in bulk: seeding is not what is measured.
//
//	go test -run '^$' -bench 'ReviewQueue/sqlite' -benchtime 1x -timeout 60m ./modules/homework/
//	CI_PG_PORT=56700 .ci/with-postgres go test -run '^$' -bench 'ReviewQueue/postgres' -benchtime 1x -timeout 60m ./modules/homework/
func BenchmarkReviewQueue(b *testing.B) {
	items, reviewers := envInt("CLAIM_ITEMS", 100000), envInt("CLAIM_REVIEWERS", 100)
	for _, dialect := range testkit.Dialects() {
		b.Run(dialect, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				runQueueBench(b, dialect, items, reviewers)
			}
		})
	}
}

// benchPhases are the phases to run: all four, or those CLAIM_PHASES
// names (comma-separated).
func benchPhases() []string {
	if v := os.Getenv("CLAIM_PHASES"); v != "" {
		return strings.Split(v, ",")
	}
	return []string{"api-claim", "api-claim-review", "api-paced", "raw-sql"}
}

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

type benchSchool struct {
	f     *fixture
	users []apptest.Actor
}

func runQueueBench(b *testing.B, dialect string, items, reviewers int) {
	b.StopTimer()
	s := apptest.New(b, dialect)
	if pool := envInt("CLAIM_POOL", 0); pool > 0 {
		// Otherwise the main pool testkit sets: 8 connections (reads have a pool of their own).
		s.DB.SetMaxOpenConns(pool)
		s.DB.SetMaxIdleConns(pool)
	}
	srv := httptest.NewServer(s.App.Handler())
	defer srv.Close()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: reviewers, MaxConnsPerHost: reviewers}}

	users := benchUsers(b, s, reviewers)
	for _, phase := range benchPhases() {
		bs := benchFixture(b, s, phase, users, items)
		load := loadOf(phase, items)
		var res phaseResult
		cpu0 := readCPU()
		b.StartTimer()
		switch phase {
		case "raw-sql":
			res = rawClaims(b, s, bs, reviewers)
		default:
			res = apiClaims(b, client, srv.URL, bs, load)
		}
		b.StopTimer()
		cpu := readCPU().since(cpu0)
		res.check(b, s, bs, load.want(items), load.review)
		fmt.Printf("%s %s: %d items, %d reviewers, %s: %.0f claims/s, claim p50 %.1f ms p99 %.1f ms, review p50 %.1f ms p99 %.1f ms, double claims %d, unclaimed %d, elapsed %s, CPU per claim: this process %.0f µs, PostgreSQL %.0f µs\n",
			dialect, phase, items, reviewers, load, float64(res.claims)/res.elapsed.Seconds(), ms(res.claimLat, 50), ms(res.claimLat, 99),
			ms(res.reviewLat, 50), ms(res.reviewLat, 99), res.doubles, load.want(items)-res.claims, res.elapsed.Round(time.Millisecond),
			cpu.self.Seconds()*1e6/float64(res.claims), cpu.postgres.Seconds()*1e6/float64(res.claims))
		b.ReportMetric(float64(res.claims)/res.elapsed.Seconds(), phase+"-claims/s")
	}
}

// benchUsers makes n curators, signed in once; each phase's school adds
// them as members.
func benchUsers(b *testing.B, s *apptest.Server, n int) []apptest.Actor {
	host := s.NewSchool("bench-host")
	users := make([]apptest.Actor, n)
	for i := range users {
		users[i] = s.NewMember(host.Org.ID, fmt.Sprintf("reviewer%03d@bench.test", i), "curator")
	}
	return users
}

// benchFixture builds a school whose cohort every reviewer curates and
// fills its pool with items queued submissions, one per student and
// assignment, due one minute apart.
func benchFixture(b *testing.B, s *apptest.Server, slug string, users []apptest.Actor, items int) *benchSchool {
	f := newFixture(b, s, slug, 0, "")
	for _, u := range users {
		if err := s.Services.Identity.EnsureMember(s.Ctx(), f.sc.Org.ID, u.UserID, []string{"curator"}); err != nil {
			b.Fatal(err)
		}
		f.addStudent(b, u.UserID)
	}
	rubric := []homework.RubricCriterion{{Key: "task", MaxPoints: 5, Required: true}, {Key: "depth", MaxPoints: 5, Required: true}, {Key: "theory", MaxPoints: 3}}
	start := s.Clock.Now().Add(-time.Duration(items) * time.Minute)
	batch := make([]homework.Submission, 0, 500)
	flush := func() {
		if len(batch) == 0 {
			return
		}
		if _, err := s.DB.NewInsert().Model(&batch).Exec(context.Background()); err != nil {
			b.Fatal(err)
		}
		batch = batch[:0]
	}
	for i := 0; i < items; i++ {
		st := f.students[i%len(f.students)]
		a := f.assignments[i%len(f.assignments)]
		at := start.Add(time.Duration(i) * time.Minute)
		batch = append(batch, homework.Submission{ID: ids.New(), OrgID: f.sc.Org.ID, Source: "lms", ExternalID: fmt.Sprintf("b-%d", i),
			StudentID: st.ID, AssignmentID: a.ID, CourseID: a.CourseID, ModuleID: a.ModuleID, CohortID: f.cohort.ID, EnrollmentID: st.ID,
			Attempt: 1 + i/(len(f.students)*len(f.assignments)), Content: homework.SubmissionContent{Text: "answer", Links: []string{}, Attachments: []homework.SubmissionAttachment{}},
			Rubric: rubric, SubmittedAt: at, TargetMinutes: 1440, DueAt: at.Add(24 * time.Hour), Status: homework.StatusQueued,
			CreatedAt: at, UpdatedAt: at, Version: 1})
		if len(batch) == cap(batch) {
			flush()
		}
	}
	flush()
	if dialect := s.Dialect; dialect == "postgres" {
		if _, err := s.DB.ExecContext(context.Background(), "ANALYZE homework_submissions"); err != nil {
			b.Fatal(err)
		}
	}
	return &benchSchool{f: f, users: users}
}

type phaseResult struct {
	claims    int
	doubles   int
	elapsed   time.Duration
	claimLat  []time.Duration
	reviewLat []time.Duration
}

func ms(lat []time.Duration, p int) float64 {
	if len(lat) == 0 {
		return 0
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	idx := (len(lat)*p + 99) / 100
	return float64(lat[max(idx, 1)-1]) / float64(time.Millisecond)
}

// tally collects what the reviewers claimed, to count double claims.
type tally struct {
	mu        sync.Mutex
	seen      map[string]int
	claimLat  []time.Duration
	reviewLat []time.Duration
}

func (t *tally) add(id string, claim, review time.Duration) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.seen[id]++
	t.claimLat = append(t.claimLat, claim)
	if review > 0 {
		t.reviewLat = append(t.reviewLat, review)
	}
}

func (t *tally) result(elapsed time.Duration) phaseResult {
	r := phaseResult{claims: len(t.seen), elapsed: elapsed, claimLat: t.claimLat, reviewLat: t.reviewLat}
	for _, n := range t.seen {
		r.doubles += n - 1
	}
	return r
}

// apiLoad is how the reviewers use the API in a phase.
type apiLoad struct {
	review bool // each claim is followed by the final review
	// rate > 0 makes the phase open-loop: cycles claim(+review) cycles
	// start on a fixed schedule, rate per second, each taken by a free
	// reviewer; a claim's latency counts from its scheduled start, so time
	// spent waiting for a free reviewer is not hidden. Otherwise every
	// reviewer loops without pause until the queue is empty.
	rate   float64
	cycles int
}

// loadOf tells a phase's load by its name.
func loadOf(phase string, items int) apiLoad {
	switch phase {
	case "api-claim":
		return apiLoad{}
	case "api-claim-review":
		return apiLoad{review: true}
	case "api-paced":
		rate := float64(envInt("CLAIM_RATE", 200))
		return apiLoad{review: true, rate: rate, cycles: min(items, int(rate)*envInt("CLAIM_SECONDS", 30))}
	}
	return apiLoad{} // raw-sql: claims only, until the queue is empty
}

func (l apiLoad) String() string {
	if l.rate == 0 {
		return "closed loop"
	}
	return fmt.Sprintf("%.0f cycles/s offered", l.rate)
}

// want is how many items the phase claims: all of them, or the paced
// phase's number of cycles.
func (l apiLoad) want(items int) int {
	if l.cycles > 0 {
		return l.cycles
	}
	return items
}

// schedule yields the planned start of each cycle. Closed-loop it yields
// the zero time, unbuffered, until stopped: a reviewer starts its next
// cycle at once.
func (l apiLoad) schedule(stop <-chan struct{}) <-chan time.Time {
	if l.rate == 0 {
		out := make(chan time.Time)
		go func() {
			defer close(out)
			for {
				select {
				case out <- time.Time{}:
				case <-stop:
					return
				}
			}
		}()
		return out
	}
	out := make(chan time.Time, l.cycles)
	go func() {
		defer close(out)
		began := time.Now()
		for i := 0; i < l.cycles; i++ {
			at := began.Add(time.Duration(float64(i) / l.rate * float64(time.Second)))
			time.Sleep(time.Until(at))
			out <- at
		}
	}()
	return out
}

func apiClaims(b *testing.B, client *http.Client, base string, bs *benchSchool, load apiLoad) phaseResult {
	t := &tally{seen: map[string]int{}}
	var wg sync.WaitGroup
	stop := make(chan struct{})
	var once sync.Once
	done := func() { once.Do(func() { close(stop) }) }
	starts := load.schedule(stop)
	began := time.Now()
	reviewBody, _ := json.Marshal(map[string]any{"verdict": "accepted", "scores": fullScores(), "feedback": "Good work"})
	for _, u := range bs.users {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for planned := range starts {
				if planned.IsZero() {
					planned = time.Now()
				}
				code, body, etag := call(client, http.MethodPost, base+bs.f.sc.Path("/homework/claim-next"), u.Token, nil, "")
				claimLat := time.Since(planned)
				if code == http.StatusNoContent {
					done()
					return
				}
				var sub struct{ ID string }
				if code != http.StatusOK || json.Unmarshal(body, &sub) != nil {
					b.Errorf("claim-next: %d %s", code, body)
					done()
					return
				}
				var reviewLat time.Duration
				if load.review {
					t1 := time.Now()
					code, body, _ = call(client, http.MethodPost, base+bs.f.sc.Path("/homework-submissions/"+sub.ID+"/review"), u.Token, reviewBody, etag)
					reviewLat = time.Since(t1)
					if code != http.StatusOK {
						b.Errorf("review: %d %s", code, body)
						done()
						return
					}
				}
				t.add(sub.ID, claimLat, reviewLat)
			}
		}()
	}
	wg.Wait()
	done()
	return t.result(time.Since(began))
}

func call(client *http.Client, method, url, token string, body []byte, ifMatch string) (int, []byte, string) {
	req, _ := http.NewRequest(method, url, bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if ifMatch != "" {
		req.Header.Set("If-Match", ifMatch)
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, []byte(err.Error()), ""
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, out, resp.Header.Get("ETag")
}

// rawClaims is the floor: two statements in a transaction per claim, no
// HTTP, no authentication, no lookups.
func rawClaims(b *testing.B, s *apptest.Server, bs *benchSchool, reviewers int) phaseResult {
	t := &tally{seen: map[string]int{}}
	var wg sync.WaitGroup
	org, cohort := bs.f.sc.Org.ID, bs.f.cohort.ID
	pg := s.Dialect == "postgres"
	began := time.Now()
	for _, u := range bs.users[:reviewers] {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				t0 := time.Now()
				var id string
				err := s.DB.RunInTx(context.Background(), nil, func(ctx context.Context, tx bun.Tx) error {
					now := time.Now().UTC()
					q := "SELECT id FROM homework_submissions WHERE org_id = ? AND status = 'queued' AND queue_curator_id IS NULL AND cohort_id = ? ORDER BY due_at, id LIMIT 1"
					if pg {
						q += " FOR UPDATE SKIP LOCKED"
					}
					if err := tx.NewRaw(q, org, cohort).Scan(ctx, &id); err != nil {
						return err
					}
					res, err := tx.ExecContext(ctx, "UPDATE homework_submissions SET status = 'in_review', claimed_by = ?, claimed_at = ?, lease_expires_at = ?, version = version + 1 WHERE id = ? AND status = 'queued'",
						u.UserID, now, now.Add(30*time.Minute), id)
					if err != nil {
						return err
					}
					if n, _ := res.RowsAffected(); n != 1 {
						return fmt.Errorf("lost %s", id)
					}
					return nil
				})
				if err != nil {
					if id == "" {
						return // no rows: the pool is empty
					}
					b.Errorf("raw claim: %v", err)
					return
				}
				t.add(id, time.Since(t0), 0)
			}
		}()
	}
	wg.Wait()
	return t.result(time.Since(began))
}

// check proves the phase against the database: every item held or
// reviewed by exactly one reviewer.
func (r phaseResult) check(b *testing.B, s *apptest.Server, bs *benchSchool, want int, reviewed bool) {
	org := bs.f.sc.Org.ID
	if r.doubles != 0 || r.claims != want {
		b.Errorf("%d items claimed (want %d), %d double claims", r.claims, want, r.doubles)
	}
	if reviewed {
		if n := s.Count("homework_submissions", "org_id = ? AND status = ?", org, homework.StatusAccepted); n != want {
			b.Errorf("%d items reviewed, want %d", n, want)
		}
		var twice int
		err := s.DB.NewRaw("SELECT COUNT(*) FROM (SELECT submission_id FROM homework_reviews WHERE org_id = ? GROUP BY submission_id HAVING COUNT(*) > 1) t", org).Scan(context.Background(), &twice)
		if err != nil || twice != 0 {
			b.Errorf("%d submissions reviewed twice (%v)", twice, err)
		}
	} else if n := s.Count("homework_submissions", "org_id = ? AND claimed_by IS NOT NULL", org); n != want {
		b.Errorf("%d items held, want %d", n, want)
	}
}

// cpuTime is CPU time spent so far by this process and by the PostgreSQL
// server's processes on this machine, read from /proc (zero elsewhere).
// On a shared machine, CPU per claim varies less than claims per second.
type cpuTime struct{ self, postgres time.Duration }

func (c cpuTime) since(start cpuTime) cpuTime {
	return cpuTime{c.self - start.self, c.postgres - start.postgres}
}

func readCPU() cpuTime {
	c := cpuTime{self: procCPU("/proc/self/stat")}
	dirs, _ := os.ReadDir("/proc")
	for _, d := range dirs {
		if comm, err := os.ReadFile("/proc/" + d.Name() + "/comm"); err == nil && strings.TrimSpace(string(comm)) == "postgres" {
			c.postgres += procCPU("/proc/" + d.Name() + "/stat")
		}
	}
	return c
}

// procCPU reads utime + stime + cutime + cstime of a /proc/<pid>/stat
// file, in clock ticks of 10 ms (USER_HZ is 100 on Linux). The children's
// times keep the sum growing when a server backend exits: its time moves
// to the postmaster's.
func procCPU(path string) time.Duration {
	raw, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	s := string(raw)
	fields := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(fields) < 15 {
		return 0
	}
	var ticks int64
	for _, f := range fields[11:15] {
		n, _ := strconv.ParseInt(f, 10, 64)
		ticks += n
	}
	return time.Duration(ticks) * 10 * time.Millisecond
}
