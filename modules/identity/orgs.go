package identity

import (
	"context"
	"time"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/auditlog"
	"github.com/curatorops/curatorops/modules/platform/database"
	"github.com/curatorops/curatorops/modules/platform/errs"
	"github.com/curatorops/curatorops/modules/platform/ids"
)

// NewOrg is what creating a school takes.
type NewOrg struct {
	Slug, Name, TimeZone, Currency string
}

// CreateOrg adds a school.
func (s *Service) CreateOrg(ctx context.Context, in NewOrg) (*Org, error) {
	if err := checkTimeZone(in.TimeZone); err != nil {
		return nil, err
	}
	now := s.Now()
	o := &Org{ID: ids.New(), Slug: in.Slug, Name: in.Name, TimeZone: in.TimeZone, Currency: in.Currency,
		CreatedAt: now, UpdatedAt: now, Version: 1}
	return o, s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if err := s.store.InsertOrg(ctx, tx, o); err != nil {
			return err
		}
		return s.Record(ctx, tx, o.ID, "org", o.ID, auditlog.Diff(nil, o))
	})
}

// checkTimeZone accepts IANA zone names only: "" and "Local" load too, but
// would make the school's clock depend on the server's.
func checkTimeZone(zone string) error {
	if _, err := time.LoadLocation(zone); err != nil || zone == "" || zone == "Local" {
		return errs.Invalid("body.time_zone", "must be an IANA time zone such as Europe/Moscow")
	}
	return nil
}

// Org returns a school by slug.
func (s *Service) Org(ctx context.Context, slug string) (*Org, error) {
	return s.store.OrgBySlug(ctx, s.DB, slug)
}

// ListOrgs returns a page of schools by slug.
func (s *Service) ListOrgs(ctx context.Context, limit int, afterSlug string) ([]Org, error) {
	return s.store.ListOrgs(ctx, s.DB, limit, afterSlug)
}

// OrgChanges are the settings a school's administrator may change; nil
// fields stay as they are.
type OrgChanges struct {
	Name, TimeZone, Currency *string
}

// UpdateOrg changes a school's settings if it is still at version.
func (s *Service) UpdateOrg(ctx context.Context, slug string, version int64, ch OrgChanges) (*Org, error) {
	if ch.TimeZone != nil {
		if err := checkTimeZone(*ch.TimeZone); err != nil {
			return nil, err
		}
	}
	var out *Org
	// The school's settings travel with every caller's cached roles there.
	err := s.inTxChanging(ctx, func(ctx context.Context, tx bun.Tx) ([]credentialChange, error) {
		before, after, err := database.Optimistic[Org, *Org]{
			What: "the organisation",
			Load: func() (*Org, error) { return s.store.OrgBySlug(ctx, tx, slug) },
			Change: func(o *Org) error {
				database.SetIf(&o.Name, ch.Name)
				database.SetIf(&o.TimeZone, ch.TimeZone)
				database.SetIf(&o.Currency, ch.Currency)
				return nil
			},
			Write: func(o *Org, wasVersion int64) (bool, error) { return s.store.UpdateOrg(ctx, tx, o, wasVersion) },
		}.Run(version, s.Now())
		if err != nil {
			return nil, err
		}
		out = after
		return []credentialChange{orgChanged(after.ID)}, s.Record(ctx, tx, after.ID, "org", after.ID, auditlog.Diff(before, after))
	})
	return out, err
}
