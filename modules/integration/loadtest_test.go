package integration_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/app/apptest"
	"github.com/curatorops/curatorops/modules/platform/events"
	"github.com/curatorops/curatorops/modules/platform/testkit"
)

// BenchmarkIngest is the load test of the event intake: the real server on a
// loopback port, an integration API key, and INGEST_EVENTS events (100,000)
// in batches of INGEST_BATCH (500) from INGEST_CLIENTS (4) concurrent
// clients. Each event upserts a row through a handler, as the school
// module's handlers do. It reports events/s and the process's peak RSS.
//
//	go test -run '^$' -bench 'Ingest/sqlite' -benchtime 1x ./modules/integration/
//	.ci/with-postgres go test -run '^$' -bench 'Ingest/postgres' -benchtime 1x ./modules/integration/
//
// Run one database per process: peak RSS is the process's high-water mark.
func BenchmarkIngest(b *testing.B) {
	total, size, clients := envInt("INGEST_EVENTS", 100000), envInt("INGEST_BATCH", 500), envInt("INGEST_CLIENTS", 4)
	for _, dialect := range testkit.Dialects() {
		b.Run(dialect, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				s := apptest.New(b, dialect)
				if _, err := s.DB.ExecContext(context.Background(),
					`CREATE TABLE bench_rows (org_id text NOT NULL, external_id text NOT NULL, email text NOT NULL, name text NOT NULL, PRIMARY KEY (org_id, external_id))`); err != nil {
					b.Fatal(err)
				}
				s.Services.Integration.Handle("bench.row", upsertBenchRow)
				school := s.NewSchool("bench")
				key := integrationKey(b, s, school)
				srv := httptest.NewServer(s.App.Handler())
				b.StartTimer()

				start, cpuStart := time.Now(), cpuTime()
				ingestConcurrently(b, srv.URL+school.Path("/events"), key, total, size, clients)
				elapsed, cpu := time.Since(start), cpuTime()-cpuStart

				b.StopTimer()
				srv.Close()
				if n := s.Count("integration_inbox", "status = 'applied'"); n != total {
					b.Fatalf("%d events applied, want %d", n, total)
				}
				rate := float64(total) / elapsed.Seconds()
				rss := peakRSSMiB(b)
				b.ReportMetric(rate, "events/s")
				b.ReportMetric(rss, "peak-RSS-MiB")
				b.ReportMetric(float64(cpu.Microseconds())/float64(total), "CPU-µs/event")
				b.Logf("%s: %d events in batches of %d from %d clients: %s, %.0f events/s, peak RSS %.0f MiB, process CPU %s (%.0f µs/event, client included)",
					dialect, total, size, clients, elapsed.Round(time.Millisecond), rate, rss, cpu.Round(time.Millisecond), float64(cpu.Microseconds())/float64(total))
			}
		})
	}
}

// upsertBenchRow is a handler the shape of the school module's: one upsert
// keyed by the LMS's id.
func upsertBenchRow(ctx context.Context, tx bun.IDB, ev events.Inbound) error {
	var d struct {
		ExternalID string `json:"external_id"`
		Email      string `json:"email"`
		Name       string `json:"name"`
	}
	if err := json.Unmarshal(ev.Data, &d); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO bench_rows (org_id, external_id, email, name) VALUES (?, ?, ?, ?)
		ON CONFLICT (org_id, external_id) DO UPDATE SET email = EXCLUDED.email, name = EXCLUDED.name`,
		ev.OrgID, d.ExternalID, d.Email, d.Name)
	return err
}

// ingestConcurrently posts total events in batches of size from clients
// goroutines, each taking the next batch as it finishes one.
func ingestConcurrently(b *testing.B, url, key string, total, size, clients int) {
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients}, Timeout: 5 * time.Minute}
	batches := (total + size - 1) / size
	var next atomic.Int64
	var wg sync.WaitGroup
	errc := make(chan error, clients)
	for c := 0; c < clients; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				n := int(next.Add(1)) - 1
				if n >= batches {
					return
				}
				from, to := n*size, min((n+1)*size, total)
				if err := postBatch(client, url, key, benchBatch(from, to), to-from); err != nil {
					errc <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errc)
	if err := <-errc; err != nil {
		b.Fatal(err)
	}
}

// benchBatch builds events from..to-1; every fifth updates a student sent
// earlier, so the handler both inserts and updates.
func benchBatch(from, to int) []byte {
	var buf bytes.Buffer
	buf.WriteString(`{"events":[`)
	for i := from; i < to; i++ {
		if i > from {
			buf.WriteByte(',')
		}
		student := i
		if i%5 == 0 {
			student = i / 5
		}
		fmt.Fprintf(&buf, `{"event_id":"bench-%07d","type":"bench.row","occurred_at":"2026-03-02T08:00:00Z",`+
			`"data":{"external_id":"st-%d","email":"student%d@example.com","name":"Студент номер %d"}}`, i, student, student, student)
	}
	buf.WriteString(`]}`)
	return buf.Bytes()
}

func postBatch(client *http.Client, url, key string, body []byte, want int) error {
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-API-Key", key)
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	var r struct{ Accepted int }
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil || resp.StatusCode != http.StatusOK || r.Accepted != want {
		return fmt.Errorf("batch answered %d with %d accepted of %d (%v)", resp.StatusCode, r.Accepted, want, err)
	}
	return nil
}

// peakRSSMiB reads the process's resident-set high-water mark (Linux).
func peakRSSMiB(b *testing.B) float64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		b.Logf("peak RSS unknown: %v", err)
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, _ := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")))
			return float64(kb) / 1024
		}
	}
	return 0
}

// cpuTime is the user and system CPU time this process has used: unlike
// wall time, it does not depend on what else the machine is running.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}
