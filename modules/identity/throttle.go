package identity

import (
	"context"
	"time"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/errs"
)

// Sign-in throttling: failures are counted per email and per client address
// in the database, so every replica sees the same counts. Past a threshold
// within the window, sign-in is refused for a delay that doubles with each
// further failure.
const (
	throttleWindow   = 15 * time.Minute
	throttleMaxDelay = 15 * time.Minute
	emailThreshold   = 5
	ipThreshold      = 50
)

type throttleKey struct {
	key       string
	threshold int
}

func throttleKeys(email, ip string) []throttleKey {
	keys := []throttleKey{{key: "email:" + emailKey(email), threshold: emailThreshold}}
	if ip != "" {
		keys = append(keys, throttleKey{key: "ip:" + ip, threshold: ipThreshold})
	}
	return keys
}

func (s *Service) checkThrottle(ctx context.Context, keys []throttleKey, now time.Time) error {
	for _, k := range keys {
		row, err := s.store.Throttle(ctx, s.DB, k.key)
		if err != nil {
			return err
		}
		if row != nil && row.BlockedUntil != nil && now.Before(*row.BlockedUntil) {
			return &errs.RateLimitedError{RetryAfter: row.BlockedUntil.Sub(now)}
		}
	}
	return nil
}

func (s *Service) recordFailure(ctx context.Context, keys []throttleKey, now time.Time) error {
	return s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		for _, k := range keys {
			row, err := s.store.LockThrottle(ctx, tx, k.key, now)
			if err != nil {
				return err
			}
			if now.Sub(row.WindowStartedAt) > throttleWindow {
				row.Failures, row.WindowStartedAt, row.BlockedUntil = 0, now, nil
			}
			row.Failures++
			if over := row.Failures - k.threshold; over >= 0 {
				until := now.Add(blockDelay(over))
				row.BlockedUntil = &until
			}
			if err := s.store.SaveThrottle(ctx, tx, row); err != nil {
				return err
			}
		}
		return nil
	})
}

// blockDelay is 1 minute for the first failure over the threshold, doubling
// up to throttleMaxDelay.
func blockDelay(over int) time.Duration {
	d := time.Minute
	for i := 0; i < over && d < throttleMaxDelay; i++ {
		d *= 2
	}
	return min(d, throttleMaxDelay)
}
