package quality

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"slices"
	"sort"
	"strconv"
	"time"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/auditlog"
	"github.com/curatorops/curatorops/modules/platform/database"
	"github.com/curatorops/curatorops/modules/platform/errs"
	"github.com/curatorops/curatorops/modules/platform/ids"
)

// Roles the sampling reads from the school's members.
const (
	roleCurator       = "curator"
	roleSeniorCurator = "senior_curator"
	roleHead          = "head_of_service"
)

// Candidate is a conversation that may be sampled, with the reasons that
// force it in.
type Candidate struct {
	Answered
	LowCSI        bool
	RefundRequest bool
}

// mandatory reports whether the conversation is always sampled.
func (c *Candidate) mandatory() bool { return c.Breached || c.LowCSI || c.RefundRequest }

// Pick is a sampled conversation with its reviewer ("" when nobody but
// the curator herself could review it).
type Pick struct {
	Candidate
	Random     bool
	ReviewerID string
}

// SamplePlan is a day's sample as the rules compute it.
type SamplePlan struct {
	Day        string
	Seed       int64
	Candidates int
	Quotas     map[string]int // random picks allowed per curator
	Picks      []Pick
}

// Unassigned counts the picks that found no reviewer.
func (p *SamplePlan) Unassigned() int {
	n := 0
	for _, pk := range p.Picks {
		if pk.ReviewerID == "" {
			n++
		}
	}
	return n
}

// sampleInput is everything the sampling rule reads, so that the rule
// itself is a pure function of it.
type sampleInput struct {
	Day        string
	Seed       int64
	Candidates []Candidate
	// Weekly is each curator's sample for the week; SoFar what the days
	// of the week before Day already sampled.
	Weekly    map[string]int
	SoFar     map[string]int
	DaysLeft  int // days of the week from Day to Sunday, Day included
	Reviewers []string
	Fallback  []string // heads, when no senior curator but the curator is there
}

// rank orders what the seed shuffles: the same day, seed and key always
// give the same rank.
func rank(seed int64, parts ...string) uint64 {
	h := sha256.New()
	h.Write([]byte(strconv.FormatInt(seed, 10)))
	for _, p := range parts {
		h.Write([]byte{0})
		h.Write([]byte(p))
	}
	return binary.BigEndian.Uint64(h.Sum(nil)[:8])
}

// planSample applies the sampling rule. Each curator's conversations that
// breached a clock, come from a student with a low CSI answer or a refund
// request that day are always in. The rest are ranked by the seed and the
// first are taken while the curator's weekly sample is not used up: the
// day may take ceil((weekly − sampled so far) / days left), forced
// conversations counting towards it. Each pick goes to the reviewer with
// the fewest picks of the run who is not its curator, ties broken by the
// seed.
func planSample(in sampleInput) *SamplePlan {
	byCurator := map[string][]Candidate{}
	for _, c := range in.Candidates {
		byCurator[c.CuratorID] = append(byCurator[c.CuratorID], c)
	}
	curators := make([]string, 0, len(byCurator))
	for id := range byCurator {
		curators = append(curators, id)
	}
	sort.Strings(curators)
	plan := &SamplePlan{Day: in.Day, Seed: in.Seed, Candidates: len(in.Candidates), Quotas: map[string]int{}}
	for _, curator := range curators {
		cands := byCurator[curator]
		sort.Slice(cands, func(i, j int) bool {
			ri, rj := rank(in.Seed, in.Day, cands[i].ConversationID, curator), rank(in.Seed, in.Day, cands[j].ConversationID, curator)
			if ri != rj {
				return ri < rj
			}
			return cands[i].ConversationID < cands[j].ConversationID
		})
		quota := dayQuota(in.Weekly[curator], in.SoFar[curator], in.DaysLeft)
		plan.Quotas[curator] = quota
		taken := 0
		for _, c := range cands {
			if c.mandatory() {
				plan.Picks = append(plan.Picks, Pick{Candidate: c})
				taken++
			}
		}
		for _, c := range cands {
			if !c.mandatory() && taken < quota {
				plan.Picks = append(plan.Picks, Pick{Candidate: c, Random: true})
				taken++
			}
		}
	}
	assignReviewers(plan, in)
	return plan
}

// dayQuota spreads what is left of a weekly sample over the days left.
func dayQuota(weekly, soFar, daysLeft int) int {
	left := weekly - soFar
	if left <= 0 || daysLeft <= 0 {
		return 0
	}
	return (left + daysLeft - 1) / daysLeft
}

func assignReviewers(plan *SamplePlan, in sampleInput) {
	order := make([]int, len(plan.Picks))
	for i := range order {
		order[i] = i
	}
	key := func(p *Pick) uint64 { return rank(in.Seed, in.Day, p.ConversationID, p.CuratorID, "review") }
	sort.SliceStable(order, func(a, b int) bool { return key(&plan.Picks[order[a]]) < key(&plan.Picks[order[b]]) })
	load := map[string]int{}
	for _, i := range order {
		p := &plan.Picks[i]
		pool := without(in.Reviewers, p.CuratorID)
		if len(pool) == 0 {
			pool = without(in.Fallback, p.CuratorID)
		}
		best, bestRank := "", uint64(0)
		for _, r := range pool {
			rr := rank(in.Seed, in.Day, p.ConversationID, p.CuratorID, r)
			if best == "" || load[r] < load[best] || (load[r] == load[best] && rr < bestRank) {
				best, bestRank = r, rr
			}
		}
		if best != "" {
			p.ReviewerID = best
			load[best]++
		}
	}
}

func without(ids []string, id string) []string {
	out := make([]string, 0, len(ids))
	for _, x := range ids {
		if x != id {
			out = append(out, x)
		}
	}
	return out
}

// weekBefore lists the days of day's week (Monday first) before day, and
// how many days of the week are left, day included.
func weekBefore(day string) ([]string, int) {
	d, _ := time.Parse(time.DateOnly, day)
	index := (int(d.Weekday()) + 6) % 7 // Monday 0 … Sunday 6
	out := make([]string, index)
	for i := range index {
		out[i] = d.AddDate(0, 0, i-index).Format(time.DateOnly)
	}
	return out, 7 - index
}

// PreviewSample computes the sample of date with seed without storing it.
func (s *Service) PreviewSample(ctx context.Context, orgID, date string, seed int64) (*SamplePlan, error) {
	day, err := s.conversations.LocalDay(ctx, orgID, date, "query.day")
	if err != nil {
		return nil, err
	}
	in, err := s.sampleInput(ctx, s.DB, orgID, day, seed)
	if err != nil {
		return nil, err
	}
	return planSample(*in), nil
}

// Sample draws and stores the sample of a finished local day: one
// assignment per pick. A day is sampled once; the same day and seed
// always give the same sample.
func (s *Service) Sample(ctx context.Context, orgID, date string, seed int64) (*SampleRun, []Assignment, error) {
	day, err := s.conversations.LocalDay(ctx, orgID, date, "body.day")
	if err != nil {
		return nil, nil, err
	}
	if day.To.After(s.Now()) {
		return nil, nil, errs.Invalid("body.day", "must be a day that is over in the school's time zone")
	}
	by := actor(ctx)
	return s.drawSample(ctx, orgID, day, seed, &by)
}

// drawSample stores the sample of day, a day that is over; by is nil when
// the daily pass draws it. A day sampled already is a conflict.
func (s *Service) drawSample(ctx context.Context, orgID string, day Day, seed int64, by *string) (*SampleRun, []Assignment, error) {
	now := s.Now()
	var run *SampleRun
	var out []Assignment
	err := s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if have, err := s.store.RunOn(ctx, tx, orgID, day.Date); err != nil {
			return err
		} else if have != nil {
			return errs.Conflict("%s was sampled already (seed %d)", day.Date, have.Seed)
		}
		in, err := s.sampleInput(ctx, tx, orgID, day, seed)
		if err != nil {
			return err
		}
		plan := planSample(*in)
		run = &SampleRun{ID: ids.New(), OrgID: orgID, Day: day.Date, Seed: seed, Candidates: plan.Candidates, Sampled: len(plan.Picks),
			Unassigned: plan.Unassigned(), CreatedBy: by, CreatedAt: now}
		if err := s.store.InsertRun(ctx, tx, run); err != nil {
			if database.IsUniqueViolation(err) {
				return errs.Conflict("%s is being sampled by someone else", day.Date)
			}
			return err
		}
		out = assignmentsOf(plan, run, by, now)
		if err := s.store.InsertAssignments(ctx, tx, out); err != nil {
			return err
		}
		return s.Record(ctx, tx, orgID, "quality_sample_run", run.ID, auditlog.Diff(nil, map[string]any{"day": day.Date, "seed": seed,
			"candidates": run.Candidates, "sampled": run.Sampled, "unassigned": run.Unassigned}))
	})
	if err != nil {
		return nil, nil, err
	}
	return run, out, nil
}

func assignmentsOf(plan *SamplePlan, run *SampleRun, by *string, now time.Time) []Assignment {
	out := make([]Assignment, 0, len(plan.Picks))
	for _, p := range plan.Picks {
		if p.ReviewerID == "" {
			continue
		}
		out = append(out, Assignment{ID: ids.New(), OrgID: run.OrgID, ConversationID: p.ConversationID, CuratorID: p.CuratorID,
			Day: p.Day, AnsweredAt: p.LastAnsweredAt, ReviewerID: p.ReviewerID, Source: SourceSample, RunID: &run.ID,
			Breached: p.Breached, LowCSI: p.LowCSI, RefundRequest: p.RefundRequest, RandomPick: p.Random, CreatedBy: by, CreatedAt: now})
	}
	return out
}

// sampleInput gathers what the rule reads for day.
func (s *Service) sampleInput(ctx context.Context, db bun.IDB, orgID string, day Day, seed int64) (*sampleInput, error) {
	answered, err := s.conversations.AnsweredOn(ctx, orgID, day)
	if err != nil {
		return nil, err
	}
	curators, err := s.membersWith(ctx, orgID, roleCurator, roleSeniorCurator)
	if err != nil {
		return nil, err
	}
	lowCSI, refunds, err := s.flaggedStudents(ctx, orgID, day)
	if err != nil {
		return nil, err
	}
	in := &sampleInput{Day: day.Date, Seed: seed, Weekly: map[string]int{}}
	for _, a := range answered {
		if !slices.Contains(curators, a.CuratorID) {
			continue
		}
		in.Candidates = append(in.Candidates, Candidate{Answered: a, LowCSI: lowCSI[a.StudentID], RefundRequest: refunds[a.StudentID]})
	}
	if err := s.weeklySamples(ctx, db, orgID, in); err != nil {
		return nil, err
	}
	if in.Reviewers, err = s.membersWith(ctx, orgID, roleSeniorCurator); err != nil {
		return nil, err
	}
	if in.Fallback, err = s.membersWith(ctx, orgID, roleHead); err != nil {
		return nil, err
	}
	return in, nil
}

// weeklySamples fills in each candidate curator's weekly sample size and
// what the week sampled before the day.
func (s *Service) weeklySamples(ctx context.Context, db bun.IDB, orgID string, in *sampleInput) error {
	st, err := s.store.Settings(ctx, db, orgID)
	if err != nil {
		return err
	}
	var newcomers []string
	if s.newcomers != nil {
		if newcomers, err = s.newcomers.Newcomers(ctx, orgID); err != nil {
			return err
		}
	}
	for _, c := range in.Candidates {
		in.Weekly[c.CuratorID] = st.ReviewsPerWeek
		if slices.Contains(newcomers, c.CuratorID) {
			in.Weekly[c.CuratorID] = st.NewcomerReviewsPerWeek
		}
	}
	before, left := weekBefore(in.Day)
	in.DaysLeft = left
	in.SoFar, err = s.store.SampledOn(ctx, db, orgID, before)
	return err
}

// flaggedStudents lists the students with a low CSI answer or a refund
// request on day; a port not connected flags nobody.
func (s *Service) flaggedStudents(ctx context.Context, orgID string, day Day) (lowCSI, refunds map[string]bool, err error) {
	lowCSI, refunds = map[string]bool{}, map[string]bool{}
	if s.lowCSI != nil {
		students, err := s.lowCSI.LowCSIStudents(ctx, orgID, day.From, day.To)
		if err != nil {
			return nil, nil, err
		}
		for _, id := range students {
			lowCSI[id] = true
		}
	}
	if s.refunds != nil {
		students, err := s.refunds.RefundStudents(ctx, orgID, day.From, day.To)
		if err != nil {
			return nil, nil, err
		}
		for _, id := range students {
			refunds[id] = true
		}
	}
	return lowCSI, refunds, nil
}

// membersWith lists the active members holding any of roles, sorted.
func (s *Service) membersWith(ctx context.Context, orgID string, roles ...string) ([]string, error) {
	var out []string
	for _, r := range roles {
		ids, err := s.people.WithRole(ctx, orgID, r)
		if err != nil {
			return nil, err
		}
		out = append(out, ids...)
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

// hasAnyRole reports whether the user is an active member with one of
// roles.
func (s *Service) hasAnyRole(ctx context.Context, orgID, userID string, roles ...string) (bool, error) {
	have, err := s.people.Roles(ctx, orgID, userID)
	if errors.Is(err, errs.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	for _, r := range roles {
		if slices.Contains(have, r) {
			return true, nil
		}
	}
	return false, nil
}
