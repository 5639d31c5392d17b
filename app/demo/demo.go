// Package demo seeds the demo school: an organisation "demo" with its staff,
// every one with the password "demo-Curator-2026". Seeding twice changes nothing.
// Each module adds its own demo data in a file of this package.
package demo

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/curatorops/curatorops/app/server"
	"github.com/curatorops/curatorops/modules/identity"
)

// Password of every demo account. Only this seed can set it: the identity
// rules refuse it for real accounts.
const Password = "demo-Curator-2026"

// Slug of the demo school.
const Slug = "demo"

// CuratorCount is how many curators the demo school employs.
const CuratorCount = 28

// Seed creates the demo school unless it exists, then fills whatever part
// of it is missing. The story is told up to the services' present hour.
func Seed(ctx context.Context, svc *server.Services, logger *slog.Logger) error {
	org, created, err := svc.Identity.EnsureOrg(ctx, identity.NewOrg{
		Slug: Slug, Name: "Демо-школа психологии", TimeZone: "Europe/Moscow", Currency: "RUB",
	})
	if err != nil {
		return err
	}
	r, err := newRun(ctx, svc, org.ID, svc.Identity.Now())
	if err != nil {
		return err
	}
	parts := []struct {
		name string
		seed func(context.Context, *run) error
	}{
		{"staff", func(ctx context.Context, r *run) error { return seedStaff(ctx, r.svc.Identity, r.orgID) }},
		{"school data", seedSchool},
		{"knowledge base", func(ctx context.Context, r *run) error { return seedKB(ctx, r.svc, r.orgID) }},
		{"SLA conversations", seedSLA},
		{"homework", seedHomework},
		{"surveys", seedSurveys},
		{"cases", seedCases},
		{"refunds", seedRefunds},
		{"hiring", seedHiring},
		{"onboarding", seedOnboarding},
		{"conversation quality", seedQuality},
		{"pay", seedPay},
	}
	// A fresh demo takes a few seconds; say what is going on meanwhile.
	logger.Info("seeding the demo school", "org", org.Slug, "created", created)
	for _, part := range parts {
		start := time.Now()
		if err := part.seed(ctx, r); err != nil {
			return fmt.Errorf("demo %s: %w", part.name, err)
		}
		logger.Info("demo part ready", "part", part.name, "ms", time.Since(start).Milliseconds())
	}
	logger.Info("demo school ready", "org", org.Slug, "created", created, "password", Password)
	return nil
}

// run is one seeding of the demo school: the story it tells (the
// timeline and every student's fate) and the hour it tells it up to.
type run struct {
	svc   *server.Services
	orgID string
	tl    timeline
	fates map[int]demoFate
	// wall is the present: a review the demo shows as in progress was
	// claimed a few minutes before it, so that its lease is still live.
	wall time.Time
}

// newRun prepares a seeding that tells the story up to the hour of now.
func newRun(ctx context.Context, svc *server.Services, orgID string, now time.Time) (*run, error) {
	tl, err := newTimeline(ctx, svc, orgID, now.UTC().Truncate(time.Hour))
	if err != nil {
		return nil, err
	}
	return &run{svc: svc, orgID: orgID, tl: tl, fates: demoFates(), wall: now}, nil
}

type staffMember struct {
	email, name   string
	roles         []string
	platformAdmin bool
}

func demoStaff() []staffMember {
	staff := []staffMember{
		{"admin@demo.test", "Алексей Администраторов", []string{"admin"}, true},
		{"head@demo.test", "Марина Руководова", []string{"head_of_service"}, false},
		{"senior@demo.test", "Ольга Старшова", []string{"senior_curator"}, false},
		{"hr@demo.test", "Ирина Кадрова", []string{"hr"}, false},
		{"finance@demo.test", "Павел Финансов", []string{"finance"}, false},
	}
	for i := 1; i <= CuratorCount; i++ {
		staff = append(staff, staffMember{
			email: fmt.Sprintf("curator%02d@demo.test", i),
			name:  curatorNames[(i-1)%len(curatorNames)],
			roles: []string{"curator"},
		})
	}
	return staff
}

var curatorNames = []string{
	"Анна Смирнова", "Дарья Иванова", "Екатерина Кузнецова", "Мария Попова", "Ольга Васильева",
	"Татьяна Петрова", "Наталья Соколова", "Елена Михайлова", "Юлия Новикова", "Светлана Фёдорова",
	"Ксения Морозова", "Алина Волкова", "Виктория Алексеева", "Полина Лебедева", "Анастасия Семёнова",
	"Вероника Егорова", "Софья Павлова", "Валерия Козлова", "Ирина Степанова", "Людмила Николаева",
	"Кристина Орлова", "Надежда Андреева", "Галина Макарова", "Евгения Никитина", "Алёна Захарова",
	"Дмитрий Зайцев", "Сергей Соловьёв", "Михаил Борисов",
}

func seedStaff(ctx context.Context, svc *identity.Service, orgID string) error {
	for _, s := range demoStaff() {
		u, _, err := svc.EnsureDemoUser(ctx, identity.UserSpec{Email: s.email, Name: s.name, Password: Password, PlatformAdmin: s.platformAdmin})
		if err != nil {
			return fmt.Errorf("demo user %s: %w", s.email, err)
		}
		if err := svc.EnsureMember(ctx, orgID, u.ID, s.roles); err != nil {
			return fmt.Errorf("demo member %s: %w", s.email, err)
		}
	}
	return nil
}
