package background

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"
)

func TestEveryRunsAtOnceAndStopsWhenAsked(t *testing.T) {
	var runs atomic.Int32
	first := make(chan struct{}, 1)
	stop := Every(context.Background(), time.Hour, slog.New(slog.NewTextHandler(io.Discard, nil)), "test", func(context.Context) error {
		if runs.Add(1) == 1 {
			first <- struct{}{}
		}
		return errors.New("a failing pass is logged, not fatal")
	})
	<-first
	stop()
	if n := runs.Load(); n != 1 {
		t.Fatalf("%d passes within the first hour, want 1", n)
	}
}
