package hiring

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/audit"
	"github.com/curatorops/curatorops/modules/platform/clock"
	"github.com/curatorops/curatorops/modules/platform/errs"
	"github.com/curatorops/curatorops/modules/platform/ids"
	"github.com/curatorops/curatorops/modules/platform/reqctx"
	"github.com/curatorops/curatorops/modules/platform/testkit"
)

var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// fakeAccounts creates hires as user rows in the caller's transaction, so
// that a rolled-back acceptance leaves no account behind.
type fakeAccounts struct {
	mu      sync.Mutex
	tenures []Tenure
}

func (f *fakeAccounts) AddCurator(ctx context.Context, tx bun.IDB, orgID, email, name, password string) (string, bool, error) {
	if len(password) < 10 {
		return "", false, errs.Invalid("body.password", "too short")
	}
	id := ids.New()
	_, err := tx.NewRaw("INSERT INTO users (id, email, email_key, name, password_hash, status, created_at, updated_at) VALUES (?, ?, ?, ?, '', 'active', ?, ?)",
		id, email, email, name, t0, t0).Exec(ctx)
	return id, false, err
}

func (f *fakeAccounts) Names(ctx context.Context, orgID string, userIDs []string) (map[string]string, error) {
	out := map[string]string{}
	for _, id := range userIDs {
		out[id] = "Person " + id[:4]
	}
	return out, nil
}

func (f *fakeAccounts) IsMember(ctx context.Context, orgID, userID string) (bool, error) {
	return userID == mentorID, nil
}

func (f *fakeAccounts) Tenures(ctx context.Context, orgID string) ([]Tenure, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Tenure(nil), f.tenures...), nil
}

// fakeOnboarding records plans, or fails when told to.
type fakeOnboarding struct {
	fail  error
	plans []string
}

func (f *fakeOnboarding) StartPlan(ctx context.Context, tx bun.IDB, orgID, userID, role string, startDate time.Time, mentor *string) (string, error) {
	if f.fail != nil {
		return "", f.fail
	}
	if role != HiredRole || startDate.IsZero() {
		return "", errors.New("unexpected plan arguments")
	}
	id := ids.New()
	f.plans = append(f.plans, userID)
	return id, nil
}

type fakeCatalog struct{}

func (fakeCatalog) Labels(ctx context.Context, orgID string) (map[string]string, map[string]string, error) {
	return map[string]string{courseID: "Веб-дизайн"}, map[string]string{}, nil
}

// fakeSubmissions holds three submissions by one student, Иван Петров.
type fakeSubmissions struct{}

func (fakeSubmissions) CalibrationSource(ctx context.Context, orgID, submissionID string) (*SourceWork, error) {
	if submissionID == missingSubmission {
		return nil, errs.NotFound("submission")
	}
	return &SourceWork{Text: "Здравствуйте! Меня зовут Иван Петров, вот мой лендинг. Иван.", Links: []string{"https://figma.com/x"},
		Rubric:        []RubricLine{{Key: "layout", Title: "Вёрстка", MaxPoints: 6}, {Key: "text", Title: "Тексты", MaxPoints: 4}},
		StudentValues: []string{"Иван Петров", "ivan@example.com"}}, nil
}

const (
	orgA              = "0190a000-0000-7000-8000-00000000000a"
	orgB              = "0190b000-0000-7000-8000-00000000000b"
	courseID          = "0190c000-0000-7000-8000-00000000000c"
	mentorID          = "0190d000-0000-7000-8000-00000000000d"
	hrID              = "0190e000-0000-7000-8000-00000000000e"
	missingSubmission = "0190f000-0000-7000-8000-00000000000f"
)

type fixture struct {
	t          *testing.T
	db         *bun.DB
	clock      *clock.Fixed
	svc        *Service
	accounts   *fakeAccounts
	onboarding *fakeOnboarding
	ctx        context.Context
}

func newFixture(t *testing.T, db *bun.DB) *fixture {
	testkit.SeedOrg(t, db, orgA, "alpha")
	testkit.SeedOrg(t, db, orgB, "beta")
	testkit.SeedUser(t, db, hrID, "hr@alpha.test", "HR")
	c := clock.NewFixed(t0)
	auditSvc := audit.NewService(db, c)
	f := &fixture{t: t, db: db, clock: c, accounts: &fakeAccounts{}, onboarding: &fakeOnboarding{}}
	f.svc = NewService(db, c, auditSvc, f.accounts, fakeCatalog{}, fakeSubmissions{}, WithErasers(auditSvc))
	f.svc.UseOnboarding(f.onboarding)
	f.ctx = reqctx.With(context.Background(), &reqctx.Meta{Principal: &reqctx.Principal{Kind: reqctx.ActorUser, UserID: hrID, Name: "hr@alpha.test"}})
	return f
}

func (f *fixture) must(err error) {
	f.t.Helper()
	if err != nil {
		f.t.Fatal(err)
	}
}

func (f *fixture) vacancy(org string) *Vacancy {
	f.t.Helper()
	v, err := f.svc.CreateVacancy(f.ctx, org, VacancyInput{Title: "Куратор", Headcount: 2, PayScheme: "Оклад + KPI", Status: VacancyOpen})
	f.must(err)
	return v
}

func (f *fixture) candidate(org, name, source string) *Candidate {
	f.t.Helper()
	email := name + "@example.com"
	c, err := f.svc.CreateCandidate(f.ctx, org, CandidateInput{FullName: name, Email: &email, Source: source}, t0.AddDate(1, 0, 0))
	f.must(err)
	return c
}

func (f *fixture) stage(org, key string) *Stage {
	f.t.Helper()
	stages, err := f.svc.Stages(f.ctx, org)
	f.must(err)
	for i := range stages {
		if stages[i].Key == key {
			return &stages[i]
		}
	}
	f.t.Fatalf("no stage %s", key)
	return nil
}

func (f *fixture) move(org string, a *Application, key string, reason *string) *Application {
	f.t.Helper()
	out, err := f.svc.Move(f.ctx, org, a.ID, a.Version, MoveInput{StageID: f.stage(org, key).ID, ReasonID: reason})
	f.must(err)
	return out
}

func (f *fixture) count(table, where string, args ...any) int {
	f.t.Helper()
	n, err := f.db.NewSelect().TableExpr(table).Where(where, args...).Count(context.Background())
	f.must(err)
	return int(n)
}

func withUser(ctx context.Context, userID string) context.Context {
	return reqctx.With(ctx, &reqctx.Meta{Principal: &reqctx.Principal{Kind: reqctx.ActorUser, UserID: userID, Name: userID}})
}
