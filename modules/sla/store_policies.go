package sla

import (
	"context"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/database"
	"github.com/curatorops/curatorops/modules/platform/errs"
)

func (Store) Policy(ctx context.Context, db bun.IDB, orgID, id string) (*Policy, error) {
	p := &Policy{}
	err := db.NewSelect().Model(p).Where("org_id = ? AND id = ?", orgID, id).Scan(ctx)
	return p, notFound(err, "policy")
}

func (Store) ListPolicies(ctx context.Context, db bun.IDB, orgID string) ([]Policy, error) {
	var out []Policy
	err := db.NewSelect().Model(&out).Where("org_id = ?", orgID).OrderExpr("name").Scan(ctx)
	return out, err
}

func (Store) InsertPolicy(ctx context.Context, db bun.IDB, p *Policy) error {
	_, err := db.NewInsert().Model(p).Exec(ctx)
	if database.IsUniqueViolation(err) {
		return errs.Conflict("a policy named %q already exists", p.Name)
	}
	return err
}

// UpdatePolicy saves a policy while it is still at wasVersion.
func (Store) UpdatePolicy(ctx context.Context, db bun.IDB, p *Policy, wasVersion int64) (bool, error) {
	return database.UpdateVersion(ctx, db, p, wasVersion)
}

func (Store) PolicyVersion(ctx context.Context, db bun.IDB, orgID, id string) (*PolicyVersion, error) {
	v := &PolicyVersion{}
	err := db.NewSelect().Model(v).Where("org_id = ? AND id = ?", orgID, id).Scan(ctx)
	return v, notFound(err, "policy version")
}

func (Store) PolicyVersions(ctx context.Context, db bun.IDB, orgID, policyID string) ([]PolicyVersion, error) {
	var out []PolicyVersion
	err := db.NewSelect().Model(&out).Where("org_id = ? AND policy_id = ?", orgID, policyID).OrderExpr("number").Scan(ctx)
	return out, err
}

// ActiveVersions lists the active version of every policy of the school,
// the highest priority first (then the oldest policy).
func (Store) ActiveVersions(ctx context.Context, db bun.IDB, orgID string) ([]PolicyVersion, error) {
	var out []PolicyVersion
	err := db.NewSelect().Model(&out).Where("org_id = ? AND status = ?", orgID, VersionActive).
		OrderExpr("priority DESC, policy_id").Scan(ctx)
	return out, err
}

// InsertPolicyVersion adds a version; a number the policy already has is a
// unique violation.
func (Store) InsertPolicyVersion(ctx context.Context, db bun.IDB, v *PolicyVersion) error {
	_, err := db.NewInsert().Model(v).Exec(ctx)
	return err
}

func (Store) SetVersionStatus(ctx context.Context, db bun.IDB, v *PolicyVersion) error {
	_, err := db.NewUpdate().Model(v).Column("status", "activated_at").WherePK().Exec(ctx)
	return err
}
