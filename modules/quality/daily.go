package quality

import (
	"context"
	"errors"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/curatorops/curatorops/modules/platform/background"
	"github.com/curatorops/curatorops/modules/platform/errs"
	"github.com/curatorops/curatorops/modules/platform/reqctx"
)

// DailyInterval is how often the daily pass looks for a finished day to
// sample; a school's day is sampled by the first pass after its midnight.
const DailyInterval = 15 * time.Minute

// passName is how the daily pass signs the audit entries of its runs.
const passName = "quality-daily-sample"

// DailySeed is the seed the daily pass draws day with: the date's digits
// (2026-11-30 → 20261130), so anyone can preview the same sample with
// GET /quality/samples/preview.
func DailySeed(day string) int64 {
	n, _ := strconv.ParseInt(strings.ReplaceAll(day, "-", ""), 10, 64)
	return n
}

// DailyResult counts what one pass did.
type DailyResult struct {
	Sampled int // schools whose finished day was sampled now
	Failed  int // schools skipped because of an error; each is logged
}

// RunDaily samples, for every school with a scorecard, its last local day
// that is over by now, unless that day was sampled already (by the pass,
// another replica or a head by hand): a second pass on the same day
// changes nothing. The run records no user as its creator; the audit entry
// names the pass.
func (s *Service) RunDaily(ctx context.Context, logger *slog.Logger, now time.Time) (DailyResult, error) {
	var res DailyResult
	orgs, err := s.store.OrgsWithScorecards(ctx, s.DB)
	if err != nil {
		return res, err
	}
	ctx = reqctx.System(ctx, passName)
	for _, orgID := range orgs {
		done, err := s.sampleLastDay(ctx, orgID, now)
		if err != nil {
			logger.Error("quality daily sample: school skipped", "org", orgID, "error", err)
			res.Failed++
			continue
		}
		if done {
			res.Sampled++
		}
	}
	return res, nil
}

// sampleLastDay draws the school's last finished local day; false when it
// had been drawn already.
func (s *Service) sampleLastDay(ctx context.Context, orgID string, now time.Time) (bool, error) {
	day, err := s.lastFinishedDay(ctx, orgID, now)
	if err != nil {
		return false, err
	}
	if have, err := s.store.RunOn(ctx, s.DB, orgID, day.Date); err != nil || have != nil {
		return false, err
	}
	_, _, err = s.drawSample(ctx, orgID, day, DailySeed(day.Date), nil)
	if errors.Is(err, errs.ErrConflict) {
		// Another replica drew it between the check and the insert.
		return false, nil
	}
	return err == nil, err
}

// lastFinishedDay finds the latest local day of the school that ended by
// now. The school's zone is only known through LocalDay, so the UTC dates
// around now are tried from the latest down: zones lie within ±14 hours,
// so one of the next three days back is the one.
func (s *Service) lastFinishedDay(ctx context.Context, orgID string, now time.Time) (Day, error) {
	d := now.UTC().AddDate(0, 0, 1)
	for range 4 {
		day, err := s.conversations.LocalDay(ctx, orgID, d.Format(time.DateOnly), "day")
		if err != nil {
			return Day{}, err
		}
		if !day.To.After(now) {
			return day, nil
		}
		d = d.AddDate(0, 0, -1)
	}
	return Day{}, errors.New("no finished local day within two days of now")
}

// Start runs RunDaily every DailyInterval until ctx ends; the returned
// stop waits for a pass in progress.
func (s *Service) Start(ctx context.Context, logger *slog.Logger) (stop func()) {
	return background.Every(ctx, DailyInterval, logger, passName, func(ctx context.Context) error {
		_, err := s.RunDaily(ctx, logger, s.Now())
		return err
	})
}
