package cases

import (
	"context"
	"log/slog"
	"time"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/background"
)

// expiryBatch bounds one transaction of the expiry pass.
const expiryBatch = 100

// ExpiryInterval is how often Start looks for expired requests.
const ExpiryInterval = 5 * time.Minute

// ExpireOnce marks expired every open request (created, sent, opened) of
// any school whose link expired by now, with its trail entry and audit
// entry, as using the link after its expiry would. Without it a request
// nobody opens again would keep its open status forever, and listings by
// status would count it as waiting. Rows another replica's pass holds are
// skipped, so every replica may run it. It returns how many it marked.
func (s *Service) ExpireOnce(ctx context.Context, now time.Time) (int, error) {
	total := 0
	for {
		n := 0
		err := s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
			rows, err := s.store.DueForExpiry(ctx, tx, now, expiryBatch)
			if err != nil {
				return err
			}
			n = len(rows)
			for i := range rows {
				if err := s.moveRequest(ctx, tx, &rows[i], RequestExpired, nil, now); err != nil {
					return err
				}
			}
			return nil
		})
		total += n
		if err != nil || n < expiryBatch {
			return total, err
		}
	}
}

// Start marks expired requests every ExpiryInterval until ctx ends; the
// returned stop ends it and waits for a pass in flight.
func (s *Service) Start(ctx context.Context, logger *slog.Logger) (stop func()) {
	return background.Every(ctx, ExpiryInterval, logger, "case-request-expiry", func(ctx context.Context) error {
		_, err := s.ExpireOnce(ctx, s.Now())
		return err
	})
}
