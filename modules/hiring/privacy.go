package hiring

import (
	"context"
	"log/slog"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/auditlog"
	"github.com/curatorops/curatorops/modules/platform/background"
	"github.com/curatorops/curatorops/modules/platform/errs"
	"github.com/curatorops/curatorops/modules/platform/privacy"
	"github.com/curatorops/curatorops/modules/platform/reqctx"
)

// CandidateExport is everything the hiring module holds about a candidate.
type CandidateExport struct {
	Candidate  *Candidate
	History    *CandidateHistory
	Tasks      []TestTask
	Answers    map[string][]TestAnswer // by task id
	Scorecards []Scorecard
	Offers     []Offer
}

// ExportCandidate gathers a candidate's data for a data-subject request.
// The export is audited: it discloses personal data.
func (s *Service) ExportCandidate(ctx context.Context, orgID, id string) (*CandidateExport, error) {
	out := &CandidateExport{Answers: map[string][]TestAnswer{}, History: &CandidateHistory{}}
	err := s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		var err error
		if out.Candidate, err = s.store.Candidate(ctx, tx, orgID, id); err != nil {
			return err
		}
		if out.History.Applications, err = s.store.AllCandidateApplications(ctx, tx, orgID, id); err != nil {
			return err
		}
		if out.History.Moves, err = s.store.Moves(ctx, tx, orgID, id, ""); err != nil {
			return err
		}
		if out.History.Consents, err = s.store.Consents(ctx, tx, orgID, id); err != nil {
			return err
		}
		for _, a := range out.History.Applications {
			if err := s.exportApplication(ctx, tx, orgID, a.ID, out); err != nil {
				return err
			}
		}
		return s.Record(ctx, tx, orgID, "hiring_candidate", id, map[string]auditlog.Change{"exported": {After: true}})
	})
	return out, err
}

func (s *Service) exportApplication(ctx context.Context, tx bun.IDB, orgID, applicationID string, out *CandidateExport) error {
	tasks, err := s.store.Tasks(ctx, tx, orgID, applicationID)
	if err != nil {
		return err
	}
	for _, t := range tasks {
		if out.Answers[t.ID], err = s.store.Answers(ctx, tx, orgID, t.ID); err != nil {
			return err
		}
	}
	out.Tasks = append(out.Tasks, tasks...)
	cards, err := s.store.Scorecards(ctx, tx, orgID, applicationID)
	if err != nil {
		return err
	}
	out.Scorecards = append(out.Scorecards, cards...)
	offers, err := s.store.Offers(ctx, tx, orgID, applicationID)
	out.Offers = append(out.Offers, offers...)
	return err
}

// EraseCandidate anonymises a candidate: the name becomes ErasedName, the
// contacts, CV link, notes and reserve tags go, and the audit log's copies
// are replaced. Applications, the stage history and scores stay, so the
// funnel's counts do not change.
func (s *Service) EraseCandidate(ctx context.Context, orgID, id string) (*Candidate, error) {
	var out *Candidate
	err := s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		c, err := s.store.LockCandidate(ctx, tx, orgID, id)
		if err != nil {
			return err
		}
		if c.ErasedAt != nil {
			return errs.Conflict("the candidate was already erased at %s", c.ErasedAt.UTC().Format(time.RFC3339))
		}
		out, err = s.erase(ctx, tx, c)
		return err
	})
	return out, err
}

// WithdrawConsent records that the candidate withdrew their consent and
// erases their data at once.
func (s *Service) WithdrawConsent(ctx context.Context, orgID, id string) (*Candidate, error) {
	var out *Candidate
	err := s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		c, err := s.store.LockCandidate(ctx, tx, orgID, id)
		if err != nil {
			return err
		}
		if c.ErasedAt != nil {
			return errs.Conflict("the candidate was already erased at %s", c.ErasedAt.UTC().Format(time.RFC3339))
		}
		if err := s.addConsent(ctx, tx, c, ConsentWithdrawn, nil); err != nil {
			return err
		}
		out, err = s.erase(ctx, tx, c)
		return err
	})
	return out, err
}

func (s *Service) erase(ctx context.Context, tx bun.IDB, c *Candidate) (*Candidate, error) {
	subject := privacy.Subject{OrgID: c.OrgID, EntityType: "hiring_candidate", EntityID: c.ID, Values: personalValues(c)}
	now := s.Now()
	erased := *c
	erased.FullName, erased.Email, erased.Phone, erased.Telegram, erased.CVURL = ErasedName, nil, nil, nil, nil
	erased.Notes, erased.ReserveTags, erased.RecontactOn, erased.InReserve = "", "", nil, false
	erased.ErasedAt = &now
	erased.Bump(now)
	ok, err := s.store.UpdateCandidate(ctx, tx, &erased, c.Version)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, errs.Stale("the candidate", c.Version+1)
	}
	for _, e := range s.erasers {
		if err := e.EraseSubject(ctx, tx, subject); err != nil {
			return nil, err
		}
	}
	// The entry names no personal value: it records that erasure happened.
	return &erased, s.Record(ctx, tx, c.OrgID, "hiring_candidate", c.ID, map[string]auditlog.Change{"erased": {Before: false, After: true}})
}

// personalValues lists the candidate's personal strings as they may have
// been copied into the audit log.
func personalValues(c *Candidate) []string {
	values := []string{c.FullName}
	for _, v := range []*string{c.Email, c.Phone, c.Telegram, c.CVURL} {
		if v != nil && *v != "" {
			values = append(values, *v)
			if trimmed := strings.TrimPrefix(*v, "@"); trimmed != *v {
				values = append(values, trimmed)
			}
		}
	}
	if c.Notes != "" {
		values = append(values, c.Notes)
	}
	return values
}

// expiryBatch is how many candidates one erasure transaction takes.
const expiryBatch = 100

// EraseExpired erases every candidate, in every school, whose consent ran
// out before now, in batches, and returns how many it erased. Replicas may
// run it at once: on PostgreSQL each takes rows the others have not locked.
func (s *Service) EraseExpired(ctx context.Context, now time.Time) (int, error) {
	ctx = reqctx.System(ctx, "hiring-consent-expiry")
	total := 0
	for {
		n, err := s.eraseExpiredBatch(ctx, now)
		total += n
		if err != nil || n < expiryBatch {
			return total, err
		}
	}
}

func (s *Service) eraseExpiredBatch(ctx context.Context, now time.Time) (int, error) {
	n := 0
	err := s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		rows, err := s.store.ConsentExpired(ctx, tx, now, expiryBatch)
		if err != nil {
			return err
		}
		for i := range rows {
			if _, err := s.erase(ctx, tx, &rows[i]); err != nil {
				return err
			}
		}
		n = len(rows)
		return nil
	})
	return n, err
}

// ExpiryInterval is how often serve erases candidates whose consent ran out.
const ExpiryInterval = time.Hour

// Start runs the consent-expiry erasure every ExpiryInterval in the
// background; the returned function stops it and waits for the pass in
// flight.
func (s *Service) Start(ctx context.Context, logger *slog.Logger) (stop func()) {
	return background.Every(ctx, ExpiryInterval, logger, "hiring-consent-expiry", func(ctx context.Context) error {
		_, err := s.EraseExpired(ctx, s.Now())
		return err
	})
}
