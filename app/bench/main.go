// Command bench measures what the project costs per request against a bare
// echo + huma server answering the same JSON, in the same run, on loopback:
// GET /v1/me and one school listing (GET /v1/orgs/{org}/students, 50 per
// page), on SQLite and, when a PostgreSQL URL is given, on PostgreSQL.
//
//	go run ./app/bench                                 # SQLite only
//	.ci/with-postgres go run ./app/bench --write docs/benchmarks.md
//
// For each request it runs both servers in closed loops, alternating them
// round by round so that a busy machine slows both alike, then paces both
// at half the rate the project reached, again round by round, and reads
// the latency percentiles. The load comes from a process of its own (see
// generator), which runs on half of the processors while the servers run
// on the other half (see cpuSplit; --split-cpus=false shares them all).
// Every phase is bounded in time and in request count.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"os"
	"runtime"
	"runtime/pprof"
	"slices"
	"strings"
	"time"
)

type options struct {
	duration, warmup time.Duration
	rounds, workers  int
	students         int
	maxRequests      int
	pgURL, write     string
	cpuProfile       string
	requests         string
	splitCPUs        bool
	// split is where the servers and the load generator run; nil when
	// they share every processor.
	split *cpuSplit
}

func main() {
	if len(os.Args) == 2 && os.Args[1] == generatorCommand {
		collectRarely()
		if err := serveGenerator(os.Stdin, os.Stdout); err != nil {
			fmt.Fprintln(os.Stderr, "bench: load generator:", err)
			os.Exit(1)
		}
		return
	}
	var o options
	flag.DurationVar(&o.duration, "duration", 5*time.Second, "length of each measured phase (at most 60s)")
	flag.DurationVar(&o.warmup, "warmup", time.Second, "unmeasured load before each request's rounds")
	flag.IntVar(&o.rounds, "rounds", 3, "closed-loop rounds per server, alternated")
	flag.IntVar(&o.workers, "concurrency", 16, "concurrent clients in the closed loops")
	flag.IntVar(&o.students, "students", 200, "students in the listed school")
	flag.IntVar(&o.maxRequests, "max-requests", 2_000_000, "upper bound of requests per phase")
	flag.StringVar(&o.pgURL, "postgres", os.Getenv("TEST_DATABASE_URL"), "PostgreSQL URL; empty runs SQLite only")
	flag.StringVar(&o.write, "write", "", "Markdown file whose bench:http section receives the results")
	flag.StringVar(&o.requests, "requests", "me,students", "which requests to measure: me, students or both")
	flag.StringVar(&o.cpuProfile, "cpuprofile", "", "write a CPU profile of the servers (not of the load generator) to this file")
	flag.BoolVar(&o.splitCPUs, "split-cpus", true, "run the servers on half of the processors and the load generator on the other half (Linux)")
	flag.Parse()
	if err := o.check(); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(2)
	}
	if err := o.placeServers(); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
	if o.cpuProfile != "" {
		stop, err := profileCPU(o.cpuProfile)
		if err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
			os.Exit(1)
		}
		defer stop()
	}
	loadBefore := loadAverage()
	rows, err := run(context.Background(), o)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
	table := markdown(o, rows, loadBefore)
	fmt.Print(table)
	if o.write != "" {
		if err := writeSection(o.write, table); err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
			os.Exit(1)
		}
	}
}

func profileCPU(path string) (func(), error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		_ = f.Close()
		return nil, err
	}
	return func() { pprof.StopCPUProfile(); _ = f.Close() }, nil
}

func (o options) check() error {
	switch {
	case o.duration <= 0 || o.duration > time.Minute:
		return fmt.Errorf("--duration must be within (0, 60s]")
	case o.warmup < 0 || o.warmup > 10*time.Second:
		return fmt.Errorf("--warmup must be within [0, 10s]")
	case o.rounds < 1 || o.rounds > 10:
		return fmt.Errorf("--rounds must be 1..10")
	case o.workers < 1 || 4*o.workers > maxWorkers:
		return fmt.Errorf("--concurrency must be 1..256")
	case o.students < 50 || o.students > 100_000:
		return fmt.Errorf("--students must be 50..100000")
	case o.maxRequests < 1000:
		return fmt.Errorf("--max-requests must be at least 1000")
	}
	return nil
}

// placeServers splits the processors between the servers and the load
// generator when asked to and there are two or more.
func (o *options) placeServers() error {
	if !o.splitCPUs {
		return nil
	}
	split, err := splitCPUs()
	if err != nil || split == nil {
		return err
	}
	o.split = split
	return split.pinServers()
}

// placement says where the servers and the load generator ran.
func (o options) placement() string {
	if o.split == nil {
		return "servers and load generator on all"
	}
	return o.split.String()
}

// row is one request on one database.
type row struct {
	dialect, request string
	bare, project    []float64 // requests/s per round
	queries          float64   // database queries per project request
	paced            []result  // the project at half its maximum rate, per round
	barePaced        []result  // the bare server at the same rate: the machine's floor
	pacedRate        float64
	// pacedDiag and barePacedDiag are what the process did during the
	// paced phases (garbage collection, waits for a CPU or a connection).
	pacedDiag, barePacedDiag diag
	errors                   int
}

func run(ctx context.Context, o options) ([]row, error) {
	dialects := []string{"sqlite"}
	if o.pgURL != "" {
		dialects = append(dialects, "postgres")
	}
	var rows []row
	for _, d := range dialects {
		r, err := runDialect(ctx, o, d)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", d, err)
		}
		rows = append(rows, r...)
	}
	return rows, nil
}

func runDialect(ctx context.Context, o options, dialect string) ([]row, error) {
	f, err := newFixture(ctx, dialect, o.pgURL, o.students)
	if err != nil {
		return nil, err
	}
	defer f.close()
	auth := http.Header{"Authorization": {"Bearer " + f.token}}
	studentsPath := "/v1/orgs/" + f.slug + "/students?limit=50"
	meRaw, err := capture(f.app, "/v1/me", auth)
	if err != nil {
		return nil, err
	}
	listRaw, err := capture(f.app, studentsPath, auth)
	if err != nil {
		return nil, err
	}
	var me meBody
	var list studentsPage
	if err := json.Unmarshal(meRaw, &me); err != nil {
		return nil, err
	}
	if err := json.Unmarshal(listRaw, &list); err != nil {
		return nil, err
	}
	projectURL, stopProject, err := serve(f.app)
	if err != nil {
		return nil, err
	}
	defer stopProject()
	bareURL, stopBare, err := serve(bareHandler(me, list))
	if err != nil {
		return nil, err
	}
	defer stopBare()
	if err := sameAnswers(bareURL, projectURL, auth, "/v1/me", studentsPath); err != nil {
		return nil, err
	}
	gen, err := startGenerator(o.split)
	if err != nil {
		return nil, err
	}
	defer func() { _ = gen.stop() }()
	var rows []row
	for _, req := range []struct{ key, name, path string }{
		{"me", "GET /v1/me", "/v1/me"},
		{"students", "GET …/students?limit=50", studentsPath},
	} {
		if !strings.Contains(o.requests, req.key) {
			continue
		}
		fmt.Fprintf(os.Stderr, "bench: %s %s\n", dialect, req.name)
		bare := phase{URL: bareURL + req.path, Header: auth, Workers: o.workers, MaxRequests: o.maxRequests}
		project := bare
		project.URL = projectURL + req.path
		r, err := measure(gen, o, f, dialect, req.name, bare, project)
		if err != nil {
			return nil, err
		}
		rows = append(rows, r)
	}
	return rows, nil
}

// measure alternates closed-loop rounds of the two servers, then paced
// rounds of both at half the mean rate the project reached.
func measure(gen *generator, o options, f *fixture, dialect, name string, bare, project phase) (row, error) {
	r := row{dialect: dialect, request: name}
	for _, p := range []phase{bare, project} {
		if _, err := gen.run(lasting(p, o.warmup)); err != nil {
			return r, err
		}
	}
	for i := 0; i < o.rounds; i++ {
		b, err := gen.run(lasting(bare, o.duration))
		if err != nil {
			return r, err
		}
		before := f.queries.n.Load()
		p, err := gen.run(lasting(project, o.duration))
		if err != nil {
			return r, err
		}
		r.queries = float64(f.queries.n.Load()-before) / float64(max(p.Requests, 1))
		r.bare = append(r.bare, b.rate())
		r.project = append(r.project, p.rate())
		r.errors += b.Errors + p.Errors
	}
	r.pacedRate = mean(r.project) / 2
	for i := 0; i < o.rounds; i++ {
		if err := r.pacedRound(gen, f, pacedAt(project, r.pacedRate, o.duration), pacedAt(bare, r.pacedRate, o.duration)); err != nil {
			return r, err
		}
	}
	return r, nil
}

// pacedRound runs one paced phase of each server at the same rate. A
// phase's p99 rests on its slowest one per cent, which one stall of the
// machine can fill, so rounds are repeated and their median is shown.
func (r *row) pacedRound(gen *generator, f *fixture, project, bare phase) error {
	s0 := takeSnapshot(f.db, f.queries)
	p, err := gen.run(project)
	if err != nil {
		return err
	}
	s1 := takeSnapshot(f.db, f.queries)
	b, err := gen.run(bare)
	if err != nil {
		return err
	}
	r.paced, r.barePaced = append(r.paced, p), append(r.barePaced, b)
	r.pacedDiag = r.pacedDiag.plus(s1.since(s0))
	r.barePacedDiag = r.barePacedDiag.plus(takeSnapshot(f.db, f.queries).since(s1))
	r.errors += p.Errors + b.Errors
	return nil
}

// lasting is p as a closed loop of d.
func lasting(p phase, d time.Duration) phase {
	p.Duration = d
	return p
}

// pacedAt is p paced at rate for d, with four times the closed loops'
// workers so that a slow answer does not hold the schedule back.
func pacedAt(p phase, rate float64, d time.Duration) phase {
	p.Rate, p.Duration, p.Workers = rate, d, 4*p.Workers
	return p
}

// sameAnswers checks that both servers answer each path with the same
// bytes, so that the comparison is of the same work.
func sameAnswers(bareURL, projectURL string, auth http.Header, paths ...string) error {
	for _, p := range paths {
		var got [2]string
		for i, base := range []string{bareURL, projectURL} {
			req, _ := http.NewRequest(http.MethodGet, base+p, nil)
			req.Header = auth.Clone()
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				return err
			}
			got[i] = readAll(resp)
		}
		if got[0] != got[1] {
			return fmt.Errorf("GET %s: the bare server's answer differs from the project's:\n%s\n%s", p, got[0], got[1])
		}
	}
	return nil
}

func readAll(resp *http.Response) string {
	defer resp.Body.Close()
	var b strings.Builder
	buf := make([]byte, 32<<10)
	for {
		n, err := resp.Body.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			return b.String()
		}
	}
}

func mean(xs []float64) float64 {
	var s float64
	for _, x := range xs {
		s += x
	}
	return s / float64(max(len(xs), 1))
}

func markdown(o options, rows []row, loadBefore string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Run of %s: %s, %d CPUs (%s), %d clients, %d rounds of %s per server (alternated), %d students; load average %s before, %s after.\n\n",
		time.Now().UTC().Format("2006-01-02 15:04 UTC"), runtime.Version(), runtime.NumCPU(), o.placement(), o.workers, o.rounds, o.duration, o.students,
		loadBefore, loadAverage())
	b.WriteString("| database | request | bare echo + huma, req/s | curatorops, req/s | ratio | queries per request | at half curatorops' max rate: curatorops p50 / p99, median of rounds (each round's p99) | bare p50 / p99 at that rate | errors |\n")
	b.WriteString("|---|---|---|---|---|---|---|---|---|\n")
	for _, r := range rows {
		fmt.Fprintf(&b, "| %s | %s | %s | %s | **%.2f** | %.2f | %.0f req/s: %s | %s | %d |\n",
			r.dialect, r.request, rates(r.bare), rates(r.project), mean(r.project)/mean(r.bare), r.queries,
			r.pacedRate, tail(r.paced, true), tail(r.barePaced, false), r.errors)
	}
	b.WriteString("\nDuring the paced phases, all rounds together (the run-queue wait is how long a goroutine ready to run waited for a CPU, worst round; pool waits are database/sql's, of both the main pool and the one plain reads use; a pause of the load generator's process delays every request due in it, whichever server is measured):\n\n")
	for _, r := range rows {
		fmt.Fprintf(&b, "- %s, %s: curatorops: %s; over 10 ms: %s of requests; %s; bare: %s; %s.\n",
			r.dialect, r.request, r.pacedDiag.project(), share(r.paced, 10*time.Millisecond), stalls(r.paced),
			r.barePacedDiag.machine(), stalls(r.barePaced))
	}
	return b.String()
}

// loadAverage is the machine's one-minute load average (Linux), or "?":
// the load generator, both servers and PostgreSQL share the machine with
// whatever else runs on it.
func loadAverage() string {
	raw, err := os.ReadFile("/proc/loadavg")
	if fields := strings.Fields(string(raw)); err == nil && len(fields) > 0 {
		return fields[0]
	}
	return "?"
}

// tail shows the median over rounds of the p50 and of the p99, with
// each round's p99 beside it when rounds is set.
func tail(rs []result, rounds bool) string {
	p50s, p99s := make([]time.Duration, len(rs)), make([]time.Duration, len(rs))
	for i, r := range rs {
		p50s[i], p99s[i] = r.percentile(50), r.percentile(99)
	}
	p50, p99 := ms(median(p50s)), ms(median(p99s))
	if !rounds {
		return p50 + " / " + p99
	}
	each := make([]string, len(p99s))
	for i, d := range p99s {
		each[i] = fmt.Sprintf("%.2f", float64(d.Microseconds())/1000)
	}
	return fmt.Sprintf("%s / **%s** (%s)", p50, p99, strings.Join(each, ", "))
}

// stalls shows how often the load generator went unrun during rs.
func stalls(rs []result) string {
	var all stallWatch
	for _, r := range rs {
		all = all.plus(r.Stalls)
	}
	if all.Count == 0 {
		return fmt.Sprintf("load generator never paused %d ms or more", stallAt.Milliseconds())
	}
	return fmt.Sprintf("load generator paused %d ms or more %d times, longest %s", stallAt.Milliseconds(), all.Count, ms(all.Longest))
}

// median is the middle value of ds (the upper one of an even count).
func median(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	sorted := slices.Clone(ds)
	slices.Sort(sorted)
	return sorted[len(sorted)/2]
}

// rates shows the mean rate and the range over rounds.
func rates(xs []float64) string {
	lo, hi := xs[0], xs[0]
	for _, x := range xs {
		lo, hi = min(lo, x), max(hi, x)
	}
	return fmt.Sprintf("%.0f (%.0f–%.0f)", mean(xs), lo, hi)
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d.Microseconds())/1000) }

const (
	sectionStart = "<!-- bench:http start -->"
	sectionEnd   = "<!-- bench:http end -->"
)

// writeSection replaces the text between the bench:http markers of path
// with table, leaving the rest of the document as it is.
func writeSection(path, table string) error {
	raw, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	doc := string(raw)
	start, end := strings.Index(doc, sectionStart), strings.Index(doc, sectionEnd)
	if start < 0 || end < start {
		return fmt.Errorf("%s has no %s … %s section", path, sectionStart, sectionEnd)
	}
	doc = doc[:start+len(sectionStart)] + "\n" + table + doc[end:]
	return os.WriteFile(path, []byte(doc), 0o644)
}
