package identity_test

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/identity"
	"github.com/curatorops/curatorops/modules/platform/errs"
	"github.com/curatorops/curatorops/modules/platform/ids"
	"github.com/curatorops/curatorops/modules/platform/testkit"
)

// TestOrgByID: the server's adapters read a school's time zone and currency
// through OrgByID, and a school that is not there is not-found, not an
// empty row.
func TestOrgByID(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *bun.DB) {
		ctx := context.Background()
		id := ids.New()
		testkit.SeedOrg(t, db, id, "alpha")
		cfg := identity.DefaultConfig()
		cfg.PasswordParams = identity.PasswordParams{Memory: 64, Time: 1, Threads: 1}
		svc := identity.NewService(db, nil, nil, cfg)

		org, err := svc.OrgByID(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if org.ID != id || org.Slug != "alpha" || org.TimeZone != "UTC" || org.Currency != "RUB" {
			t.Fatalf("OrgByID answered %+v", org)
		}

		_, err = svc.OrgByID(ctx, ids.New())
		if !errors.Is(err, errs.ErrNotFound) || err.Error() != errs.NotFound("school").Error() {
			t.Fatalf("a missing school gave %v, want %v", err, errs.NotFound("school"))
		}
	})
}

// MemberNames names present and former members of the school, and nobody
// else, so that a report cannot be used to look up people elsewhere.
func TestMemberNamesCoverMembersOfTheSchoolOnly(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *bun.DB) {
		ctx := context.Background()
		alpha, beta := ids.New(), ids.New()
		testkit.SeedOrg(t, db, alpha, "alpha")
		testkit.SeedOrg(t, db, beta, "beta")
		member, former, outsider := ids.New(), ids.New(), ids.New()
		testkit.SeedUser(t, db, member, "anna@alpha.test", "Анна Петрова")
		testkit.SeedUser(t, db, former, "boris@alpha.test", "Борис Иванов")
		testkit.SeedUser(t, db, outsider, "vera@beta.test", "Вера Смирнова")
		for _, m := range []struct{ org, user, status string }{{alpha, member, "active"}, {alpha, former, "disabled"}, {beta, outsider, "active"}} {
			if _, err := db.NewRaw("INSERT INTO memberships (id, org_id, user_id, status, created_at, updated_at, version) VALUES (?, ?, ?, ?, ?, ?, 1)",
				ids.New(), m.org, m.user, m.status, time.Now().UTC(), time.Now().UTC()).Exec(ctx); err != nil {
				t.Fatal(err)
			}
		}
		cfg := identity.DefaultConfig()
		svc := identity.NewService(db, nil, nil, cfg)

		names, err := svc.MemberNames(ctx, alpha, []string{member, former, outsider, ids.New()})
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]string{member: "Анна Петрова", former: "Борис Иванов"}
		if !reflect.DeepEqual(names, want) {
			t.Errorf("MemberNames = %v, want %v", names, want)
		}
		if none, err := svc.MemberNames(ctx, alpha, nil); err != nil || len(none) != 0 {
			t.Errorf("MemberNames of nobody = %v, %v", none, err)
		}
	})
}
