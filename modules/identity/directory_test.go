package identity_test

import (
	"context"
	"errors"
	"testing"

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
