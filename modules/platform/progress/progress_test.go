package progress_test

import (
	"context"
	"sync"
	"testing"

	"github.com/curatorops/curatorops/modules/platform/progress"
)

func TestReportWithoutTrackerDoesNothing(t *testing.T) {
	// Must not panic, and there is nothing to read back.
	progress.Report(context.Background(), 1, 2)
	progress.Report(progress.With(context.Background(), nil), 1, 2)
}

func TestTrackerReachesTotalAndNeverMovesBack(t *testing.T) {
	tr := &progress.Tracker{}
	ctx := progress.With(context.Background(), tr)
	if d, n := tr.State(); d != 0 || n != 0 || tr.Percent() != 0 {
		t.Fatalf("before any report: %d/%d", d, n)
	}
	for i := 1; i <= 4; i++ {
		progress.Report(ctx, i, 4)
		if d, n := tr.State(); d != i || n != 4 {
			t.Fatalf("after %d: %d/%d", i, d, n)
		}
	}
	if tr.Percent() != 100 {
		t.Fatalf("percent at the end: %d", tr.Percent())
	}
	// A second pass (the corrections' months) does not move the bar back.
	progress.Report(ctx, 1, 4)
	progress.Report(ctx, 1, 3)
	if d, n := tr.State(); d != 4 || n != 4 {
		t.Fatalf("a second pass moved the bar back: %d/%d", d, n)
	}
	// Nonsense is ignored or clamped.
	tr2 := &progress.Tracker{}
	tr2.Report(-1, 3)
	tr2.Report(1, 0)
	if d, n := tr2.State(); d != 0 || n != 0 {
		t.Fatalf("nonsense recorded: %d/%d", d, n)
	}
	tr2.Report(5, 3)
	if d, n := tr2.State(); d != 3 || n != 3 {
		t.Fatalf("done beyond total: %d/%d", d, n)
	}
	tr3 := &progress.Tracker{}
	tr3.Report(1, 3)
	if tr3.Percent() != 33 {
		t.Fatalf("1 of 3: %d %%", tr3.Percent())
	}
}

func TestTrackerConcurrentUse(t *testing.T) {
	tr := &progress.Tracker{}
	ctx := progress.With(context.Background(), tr)
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 1; i <= 100; i++ {
				progress.Report(ctx, i, 100)
				tr.State()
			}
		}()
	}
	wg.Wait()
	if d, n := tr.State(); d != 100 || n != 100 {
		t.Fatalf("after concurrent reports: %d/%d", d, n)
	}
}
