package homework

import (
	"context"
	"slices"

	"github.com/curatorops/curatorops/modules/platform/errs"
	"github.com/curatorops/curatorops/modules/platform/reqctx"
)

// Reviewer is who acts on the queue: a curator sees their own queue and
// the pools of the cohorts where they curate students; senior curators
// and the head (SeesAll) see every item of the school.
type Reviewer struct {
	UserID  string
	SeesAll bool
}

// ReviewerFrom reads the caller of a request: SeesAll when the policy
// grants homework:read_all.
func ReviewerFrom(ctx context.Context) Reviewer {
	m := reqctx.From(ctx)
	return Reviewer{UserID: m.Principal.ActorID(), SeesAll: m.Org.Allowed("homework", "read_all")}
}

// mustSee refuses (403) a submission outside the caller's queues.
func (s *Service) mustSee(ctx context.Context, orgID string, who Reviewer, sub *Submission) error {
	ok, err := s.sees(ctx, orgID, who, sub)
	if err != nil {
		return err
	}
	if !ok {
		return errs.Forbidden("this submission is in another curator's queue")
	}
	return nil
}

func (s *Service) sees(ctx context.Context, orgID string, who Reviewer, sub *Submission) (bool, error) {
	switch {
	case who.SeesAll:
		return true, nil
	case who.UserID == "":
		return false, nil
	case eq(sub.QueueCuratorID, who.UserID), eq(sub.ClaimedBy, who.UserID), eq(sub.ReviewedBy, who.UserID):
		return true, nil
	case sub.QueueCuratorID != nil:
		return false, nil
	}
	cohorts, err := s.school.CuratorCohorts(ctx, orgID, who.UserID)
	return slices.Contains(cohorts, sub.CohortID), err
}

func eq(p *string, v string) bool { return p != nil && *p == v }

// StatsReader is who reads the review numbers: with SeesAll every
// curator's rows, otherwise only the reader's own (her queue, her claims,
// her reviews, her quality score, the completion of her students).
type StatsReader struct {
	UserID  string
	SeesAll bool
}

// StatsReaderFrom reads the caller of a request: SeesAll when the policy
// grants homework_stats:read_all.
func StatsReaderFrom(ctx context.Context) StatsReader {
	m := reqctx.From(ctx)
	return StatsReader{UserID: m.Principal.ActorID(), SeesAll: m.Org.Allowed("homework_stats", "read_all")}
}

// owns reports whether the reader may see a row that belongs to userID.
func (r StatsReader) owns(userID *string) bool {
	return r.SeesAll || (r.UserID != "" && eq(userID, r.UserID))
}

// onlyUser is the user the reader's numbers are limited to, or "" when
// the reader sees everyone's.
func (r StatsReader) onlyUser() string {
	if r.SeesAll {
		return ""
	}
	return r.UserID
}
