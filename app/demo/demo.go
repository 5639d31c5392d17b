// Package demo seeds the demo school: an organisation "demo" with its staff,
// every one with the password "demo-password". Seeding twice changes nothing.
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
const Password = "demo-password"

// Slug of the demo school.
const Slug = "demo"

// CuratorCount is how many curators the demo school employs.
const CuratorCount = 28

// Seed creates the demo school unless it exists, then fills whatever part
// of it is missing.
func Seed(ctx context.Context, svc *server.Services, logger *slog.Logger) error {
	org, created, err := svc.Identity.EnsureOrg(ctx, identity.NewOrg{
		Slug: Slug, Name: "Демо-школа психологии", TimeZone: "Europe/Moscow", Currency: "RUB",
	})
	if err != nil {
		return err
	}
	parts := []struct {
		name string
		seed func(context.Context, *server.Services, string) error
	}{
		{"staff", func(ctx context.Context, svc *server.Services, orgID string) error {
			return seedStaff(ctx, svc.Identity, orgID)
		}},
		{"school data", seedSchool},
		{"knowledge base", seedKB},
		{"SLA conversations", seedSLA},
		{"homework", seedHomework},
	}
	// A fresh demo takes several seconds; say what is going on meanwhile.
	logger.Info("seeding the demo school", "org", org.Slug, "created", created)
	for _, part := range parts {
		start := time.Now()
		if err := part.seed(ctx, svc, org.ID); err != nil {
			return fmt.Errorf("demo %s: %w", part.name, err)
		}
		logger.Info("demo part ready", "part", part.name, "ms", time.Since(start).Milliseconds())
	}
	logger.Info("demo school ready", "org", org.Slug, "created", created, "password", Password)
	return nil
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
