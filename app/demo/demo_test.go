package demo_test

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sort"
	"strings"
	"testing"

	"github.com/curatorops/curatorops/app/apptest"
	"github.com/curatorops/curatorops/app/demo"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// tables the demo seed writes to; seeding again must leave each alone.
var seededTables = []string{"orgs", "users", "memberships", "membership_roles", "audit_entries", "homework_submissions", "homework_reviews"}

// TestDemoSchool takes the demo school seeded once per database and
// checks each part of it and the story
// it tells, then that seeding again changes nothing, completes a half-made
// school and, days later, keeps the homework history. The demo is laid
// out around the services' present, which is set to today's and stands
// still.
func TestDemoSchool(t *testing.T) {
	eachSeededDemo(t, func(t *testing.T, s *apptest.Server) {
		for _, check := range []struct {
			name string
			fn   func(*testing.T, *apptest.Server)
		}{
			{"staff", checkSeedCreatesTheDemoSchool},
			{"school data", checkSeedEnrollsTheStudents},
			{"knowledge base", checkSeedWritesTheKnowledgeBase},
			{"SLA conversations", checkSeedWritesSLAConversations},
			{"homework", checkSeedReplaysHomework},
			{"names agree in gender", checkNamesAgreeInGender},
			{"every refund matches a refunded enrollment", checkRefundsMatchEnrollments},
			{"queues hold recent work", checkQueuesAreRecent},
			{"headline figures", checkHeadlineFigures},
			{"seeding twice changes nothing", checkSeedTwiceChangesNothing},
			{"a half-made school is completed", checkSeedCompletesAPartialSchool},
			{"a later seed keeps the history", checkLaterSeedKeepsTheHistory},
		} {
			t.Run(check.name, func(t *testing.T) { check.fn(t, s.WithT(t)) })
		}
	})
}

func checkSeedCreatesTheDemoSchool(t *testing.T, s *apptest.Server) {
	staff := 5 + demo.CuratorCount + demo.NewcomerCount
	if staff != 36 {
		t.Fatalf("the demo school should employ 36 people, the seed has %d", staff)
	}
	org, err := s.Services.Identity.Org(s.Ctx(), demo.Slug)
	if err != nil {
		t.Fatalf("no demo school: %v", err)
	}
	for table, want := range map[string]int{"orgs": 1, "users": staff, "memberships": staff, "membership_roles": staff} {
		if got := s.Count(table, ""); got != want {
			t.Errorf("%s: %d rows, want %d", table, got, want)
		}
	}
	if got := s.Count("memberships", "org_id = ?", org.ID); got != staff {
		t.Errorf("the demo school has %d members, want %d", got, staff)
	}
	if got := s.Count("users", "platform_admin = ?", true); got != 1 {
		t.Errorf("%d platform admins, want 1 (admin@demo.test)", got)
	}

	cases := []struct {
		email         string
		roles         []string
		platformAdmin bool
	}{
		{"admin@demo.test", []string{"admin"}, true},
		{"head@demo.test", []string{"head_of_service"}, false},
		{"senior@demo.test", []string{"senior_curator"}, false},
		{"hr@demo.test", []string{"hr"}, false},
		{"finance@demo.test", []string{"finance"}, false},
		{"curator01@demo.test", []string{"curator"}, false},
		{fmt.Sprintf("curator%02d@demo.test", demo.CuratorCount), []string{"curator"}, false},
	}
	for _, c := range cases {
		t.Run(c.email, func(t *testing.T) {
			s := s.WithT(t)
			token := s.Login(c.email, demo.Password)
			var me struct {
				User struct {
					Email         string `json:"email"`
					PlatformAdmin bool   `json:"platform_admin"`
				} `json:"user"`
				Memberships []struct {
					Org struct {
						Slug string `json:"slug"`
					} `json:"org"`
					Status string   `json:"status"`
					Roles  []string `json:"roles"`
				} `json:"memberships"`
			}
			s.Do(http.MethodGet, "/v1/me", nil, apptest.Bearer(token)).Expect(http.StatusOK).Decode(&me)
			if me.User.Email != c.email || me.User.PlatformAdmin != c.platformAdmin {
				t.Errorf("user %s platform_admin=%v, want %s platform_admin=%v", me.User.Email, me.User.PlatformAdmin, c.email, c.platformAdmin)
			}
			if len(me.Memberships) != 1 {
				t.Fatalf("%d memberships, want 1 (demo)", len(me.Memberships))
			}
			m := me.Memberships[0]
			sort.Strings(m.Roles)
			if m.Org.Slug != demo.Slug || m.Status != "active" || strings.Join(m.Roles, ",") != strings.Join(c.roles, ",") {
				t.Errorf("membership %s %s %v, want demo active %v", m.Org.Slug, m.Status, m.Roles, c.roles)
			}
		})
	}

	t.Run("curators are listed by role", func(t *testing.T) {
		s := s.WithT(t)
		admin := s.Login("admin@demo.test", demo.Password)
		var page struct {
			Items []struct {
				Email string   `json:"email"`
				Roles []string `json:"roles"`
			} `json:"items"`
			NextCursor string `json:"next_cursor"`
		}
		s.Do(http.MethodGet, "/v1/orgs/demo/users?role=curator&limit=200", nil, apptest.Bearer(admin)).Expect(http.StatusOK).Decode(&page)
		if want := demo.CuratorCount + demo.NewcomerCount; len(page.Items) != want || page.NextCursor != "" {
			t.Errorf("%d curators (next cursor %q), want %d on one page", len(page.Items), page.NextCursor, want)
		}
		for _, m := range page.Items {
			hired := strings.HasPrefix(m.Email, "curator") || strings.HasPrefix(m.Email, "newcomer")
			if !hired || len(m.Roles) != 1 || m.Roles[0] != "curator" {
				t.Errorf("listed as a curator: %s with roles %v", m.Email, m.Roles)
			}
		}
	})
}

func checkSeedEnrollsTheStudents(t *testing.T, s *apptest.Server) {
	for table, want := range map[string]int{"cohorts": 5, "students": demo.StudentCount, "enrollments": demo.StudentCount} {
		if got := s.Count(table, ""); got != want {
			t.Errorf("%s: %d rows, want %d", table, got, want)
		}
	}
}

// checkSeedTwiceChangesNothing: two seeds at one hour write nothing new.
// The homework is replayed up to the present hour, so a seed in a later
// hour rightly adds that hour's work; the services' clock stands still here.
func checkSeedTwiceChangesNothing(t *testing.T, s *apptest.Server) {
	for _, table := range seededTables {
		if s.Count(table, "") == 0 {
			t.Errorf("the first seed wrote nothing to %s", table)
		}
	}
	reseed(t, s)
	before := countRows(s, seededTables)
	reseed(t, s)
	for table, got := range countRows(s, seededTables) {
		if got != before[table] {
			t.Errorf("%s: %d rows after seeding again, %d before", table, got, before[table])
		}
	}
}

func reseed(t *testing.T, s *apptest.Server) {
	if err := demo.Seed(s.Ctx(), s.Services, quiet); err != nil {
		t.Fatalf("seeding again: %v", err)
	}
}

func countRows(s *apptest.Server, tables []string) map[string]int {
	n := map[string]int{}
	for _, table := range tables {
		n[table] = s.Count(table, "")
	}
	return n
}

// TestSeedCompletesAPartialSchool: a school left half-made (the process
// stopped mid-seed) is filled in, not duplicated.
func checkSeedCompletesAPartialSchool(t *testing.T, s *apptest.Server) {
	full := map[string]int{}
	for _, table := range []string{"orgs", "users", "memberships", "membership_roles"} {
		full[table] = s.Count(table, "")
	}
	var userID string
	if err := s.DB.NewSelect().TableExpr("users").Column("id").Where("email = ?", "curator07@demo.test").Scan(s.Ctx(), &userID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.DB.NewDelete().TableExpr("membership_roles").Where("membership_id IN (SELECT id FROM memberships WHERE user_id = ?)", userID).Exec(s.Ctx()); err != nil {
		t.Fatal(err)
	}
	if _, err := s.DB.NewDelete().TableExpr("memberships").Where("user_id = ?", userID).Exec(s.Ctx()); err != nil {
		t.Fatal(err)
	}
	if got := s.Count("memberships", ""); got != full["memberships"]-1 {
		t.Fatalf("setup: %d memberships after removing one of %d", got, full["memberships"])
	}
	if err := demo.Seed(s.Ctx(), s.Services, quiet); err != nil {
		t.Fatal(err)
	}
	for table, want := range full {
		if got := s.Count(table, ""); got != want {
			t.Errorf("%s: %d rows after re-seeding, want %d", table, got, want)
		}
	}
}
