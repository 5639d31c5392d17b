package pay

import (
	"context"
	"strings"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/auditlog"
	"github.com/curatorops/curatorops/modules/platform/database"
	"github.com/curatorops/curatorops/modules/platform/errs"
	"github.com/curatorops/curatorops/modules/platform/ids"
	"github.com/curatorops/curatorops/modules/platform/reqctx"
)

const (
	entityScheme     = "pay_scheme"
	entityVersion    = "pay_scheme_version"
	entityAssignment = "pay_assignment"
)

// SchemeDetail is a scheme with its versions, oldest first.
type SchemeDetail struct {
	Scheme   *Scheme
	Versions []SchemeVersion
}

func actor(ctx context.Context) *string {
	if m := reqctx.From(ctx); m != nil && m.Principal != nil {
		if id := m.Principal.ActorID(); id != "" {
			return &id
		}
	}
	return nil
}

func cleanNote(note string) (string, error) { return cleanText("body.note", note, false) }

// cleanText trims a free text of at most 2000 characters, refused empty
// when required.
func cleanText(location, text string, required bool) (string, error) {
	text = strings.TrimSpace(text)
	switch {
	case required && text == "":
		return "", errs.Invalid(location, "is required")
	case len([]rune(text)) > 2000:
		return "", errs.Invalid(location, "must be at most 2000 characters")
	}
	return text, nil
}

// CreateScheme creates a scheme with its first version.
func (s *Service) CreateScheme(ctx context.Context, orgID, name string, spec Spec, note string) (*SchemeDetail, error) {
	name = strings.TrimSpace(name)
	if name == "" || len([]rune(name)) > 200 {
		return nil, errs.Invalid("body.name", "must be 1 to 200 characters")
	}
	if err := spec.Check("body.spec."); err != nil {
		return nil, err
	}
	note, err := cleanNote(note)
	if err != nil {
		return nil, err
	}
	now := s.Now()
	sc := &Scheme{ID: ids.New(), OrgID: orgID, Name: name, CreatedAt: now, UpdatedAt: now, Version: 1}
	v := &SchemeVersion{ID: ids.New(), OrgID: orgID, SchemeID: sc.ID, Number: 1, Spec: spec, Note: note, CreatedBy: actor(ctx),
		CreatedAt: now, UpdatedAt: now, Version: 1}
	err = s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if same, err := s.store.SchemeByName(ctx, tx, orgID, name); err != nil {
			return err
		} else if same != nil {
			return errs.Invalid("body.name", "another scheme has this name")
		}
		if _, err := tx.NewInsert().Model(sc).Exec(ctx); err != nil {
			return err
		}
		if _, err := tx.NewInsert().Model(v).Exec(ctx); err != nil {
			return err
		}
		if err := s.Record(ctx, tx, orgID, entityScheme, sc.ID, auditlog.Diff(nil, sc)); err != nil {
			return err
		}
		return s.Record(ctx, tx, orgID, entityVersion, v.ID, auditlog.Diff(nil, v))
	})
	if err != nil {
		return nil, err
	}
	return &SchemeDetail{Scheme: sc, Versions: []SchemeVersion{*v}}, nil
}

// Schemes lists the school's schemes with their versions.
func (s *Service) Schemes(ctx context.Context, orgID string) ([]SchemeDetail, error) {
	rows, err := s.store.Schemes(ctx, s.DB, orgID)
	if err != nil {
		return nil, err
	}
	schemeIDs := make([]string, len(rows))
	for i, r := range rows {
		schemeIDs[i] = r.ID
	}
	versions, err := s.store.Versions(ctx, s.DB, orgID, schemeIDs...)
	if err != nil {
		return nil, err
	}
	by := map[string][]SchemeVersion{}
	for _, v := range versions {
		by[v.SchemeID] = append(by[v.SchemeID], v)
	}
	out := make([]SchemeDetail, len(rows))
	for i := range rows {
		out[i] = SchemeDetail{Scheme: &rows[i], Versions: by[rows[i].ID]}
	}
	return out, nil
}

// SchemeOf reads one scheme with its versions.
func (s *Service) SchemeOf(ctx context.Context, orgID, id string) (*SchemeDetail, error) {
	sc, err := s.store.Scheme(ctx, s.DB, orgID, id)
	if err != nil {
		return nil, err
	}
	versions, err := s.store.Versions(ctx, s.DB, orgID, id)
	if err != nil {
		return nil, err
	}
	return &SchemeDetail{Scheme: sc, Versions: versions}, nil
}

// AddVersion adds the next version of a scheme: the way to change the
// rules of a scheme whose versions were used.
func (s *Service) AddVersion(ctx context.Context, orgID, schemeID string, spec Spec, note string) (*SchemeVersion, error) {
	if err := spec.Check("body.spec."); err != nil {
		return nil, err
	}
	note, err := cleanNote(note)
	if err != nil {
		return nil, err
	}
	var v *SchemeVersion
	err = s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		sc, err := s.store.Scheme(ctx, tx, orgID, schemeID)
		if err != nil {
			return err
		}
		// Bumping the scheme serialises concurrent additions, so two
		// versions never get the same number.
		was := sc.Version
		sc.Bump(s.Now())
		if ok, err := database.UpdateVersion(ctx, tx, sc, was, "version", "updated_at"); err != nil {
			return err
		} else if !ok {
			return errs.Conflict("the scheme changed meanwhile; try again")
		}
		n, err := s.store.LastNumber(ctx, tx, schemeID)
		if err != nil {
			return err
		}
		now := s.Now()
		v = &SchemeVersion{ID: ids.New(), OrgID: orgID, SchemeID: schemeID, Number: n + 1, Spec: spec, Note: note, CreatedBy: actor(ctx),
			CreatedAt: now, UpdatedAt: now, Version: 1}
		if _, err := tx.NewInsert().Model(v).Exec(ctx); err != nil {
			return err
		}
		return s.Record(ctx, tx, orgID, entityVersion, v.ID, auditlog.Diff(nil, v))
	})
	return v, err
}

// VersionOf reads one scheme version.
func (s *Service) VersionOf(ctx context.Context, orgID, id string) (*SchemeVersion, error) {
	return s.store.Version(ctx, s.DB, orgID, id, false)
}

// EditVersion changes a version that no calculated period has used yet;
// a used version answers 409, and the change belongs in a new version.
func (s *Service) EditVersion(ctx context.Context, orgID, id string, version int64, spec Spec, note string) (*SchemeVersion, error) {
	if err := spec.Check("body.spec."); err != nil {
		return nil, err
	}
	note, err := cleanNote(note)
	if err != nil {
		return nil, err
	}
	var out *SchemeVersion
	err = s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		before, after, err := database.Optimistic[SchemeVersion, *SchemeVersion]{
			What: "the pay scheme version",
			Load: func() (*SchemeVersion, error) { return s.store.Version(ctx, tx, orgID, id, true) },
			Change: func(v *SchemeVersion) error {
				if v.UsedAt != nil {
					return errs.Conflict("version %d was used by a calculated period and cannot change; add a new version", v.Number)
				}
				v.Spec, v.Note = spec, note
				return nil
			},
			Write: func(v *SchemeVersion, was int64) (bool, error) { return s.store.SaveVersionSpec(ctx, tx, v, was) },
		}.Run(version, s.Now())
		if err != nil {
			return err
		}
		out = after
		return s.Record(ctx, tx, orgID, entityVersion, id, auditlog.Diff(before, after))
	})
	return out, err
}
