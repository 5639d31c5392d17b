package quality

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/auditlog"
	"github.com/curatorops/curatorops/modules/platform/database"
	"github.com/curatorops/curatorops/modules/platform/errs"
	"github.com/curatorops/curatorops/modules/platform/ids"
	"github.com/curatorops/curatorops/modules/platform/reqctx"
	"github.com/curatorops/curatorops/modules/platform/validate"
)

// Limits of a scorecard.
const (
	MaxCriteria = 30
	MaxWeight   = 100
)

var criterionKey = regexp.MustCompile(`^[a-z][a-z0-9_]{0,39}$`)

// CriterionInput is one criterion of a new scorecard version.
type CriterionInput struct {
	Key         string
	Title       string
	Description string
	Kind        string
	Weight      int
	AllowNA     bool
	KBArticleID *string
}

// ScorecardDetail is a scorecard with its versions, oldest first.
type ScorecardDetail struct {
	Scorecard Scorecard
	Versions  []ScorecardVersion
}

// Active returns the scorecard's active version, or nil.
func (d *ScorecardDetail) Active() *ScorecardVersion {
	for i := range d.Versions {
		if d.Versions[i].Status == VersionActive {
			return &d.Versions[i]
		}
	}
	return nil
}

func actor(ctx context.Context) string { return reqctx.From(ctx).Principal.ActorID() }

// checkCriteria validates a version's criteria and names the bad field.
func (s *Service) checkCriteria(ctx context.Context, orgID string, in []CriterionInput) (CriteriaSet, error) {
	if len(in) == 0 || len(in) > MaxCriteria {
		return nil, errs.Invalid("body.criteria", fmt.Sprintf("must hold 1 to %d criteria", MaxCriteria))
	}
	out := make(CriteriaSet, len(in))
	var fields []errs.FieldError
	bad := func(i int, field, msg string) {
		fields = append(fields, errs.FieldError{Location: fmt.Sprintf("body.criteria[%d].%s", i, field), Message: msg})
	}
	seen := map[string]bool{}
	var articleIDs []string
	for i, c := range in {
		c.Title = strings.TrimSpace(c.Title)
		switch {
		case !criterionKey.MatchString(c.Key):
			bad(i, "key", "must be 1–40 lowercase letters, digits or underscores, starting with a letter")
		case seen[c.Key]:
			bad(i, "key", "is used by another criterion of the scorecard")
		}
		seen[c.Key] = true
		if c.Title == "" || len(c.Title) > 200 || !validate.IsSingleLine(c.Title) {
			bad(i, "title", "must be one line of 1–200 characters")
		}
		if len(c.Description) > 2000 || !validate.IsText(c.Description) {
			bad(i, "description", "must be text of at most 2000 characters")
		}
		if c.Kind != KindYesNo && c.Kind != KindScale {
			bad(i, "kind", "must be yes_no or scale")
		}
		if c.Weight < 1 || c.Weight > MaxWeight {
			bad(i, "weight", fmt.Sprintf("must be 1 to %d", MaxWeight))
		}
		if c.KBArticleID != nil {
			if !ids.Valid(*c.KBArticleID) {
				bad(i, "kb_article_id", "must be an article id")
			} else {
				articleIDs = append(articleIDs, *c.KBArticleID)
			}
		}
		out[i] = Criterion{Key: c.Key, Title: c.Title, Description: c.Description, Kind: c.Kind, Weight: c.Weight, AllowNA: c.AllowNA,
			KBArticleID: c.KBArticleID}
	}
	if len(fields) > 0 {
		return nil, &errs.ValidationError{Fields: fields}
	}
	titles, err := s.articleTitles(ctx, orgID, articleIDs)
	if err != nil {
		return nil, err
	}
	for i, c := range out {
		if c.KBArticleID != nil {
			if _, ok := titles[*c.KBArticleID]; !ok {
				bad(i, "kb_article_id", "the school's knowledge base has no such article")
			}
		}
	}
	if len(fields) > 0 {
		return nil, &errs.ValidationError{Fields: fields}
	}
	return out, nil
}

func (s *Service) articleTitles(ctx context.Context, orgID string, ids []string) (map[string]string, error) {
	if len(ids) == 0 || s.articles == nil {
		return map[string]string{}, nil
	}
	return s.articles.ArticleTitles(ctx, orgID, ids)
}

func checkName(name string) (string, error) {
	name = strings.TrimSpace(name)
	if name == "" || len(name) > 200 || !validate.IsSingleLine(name) {
		return "", errs.Invalid("body.name", "must be one line of 1–200 characters")
	}
	return name, nil
}

func newScorecardVersion(orgID, scorecardID string, number int, status string, criteria CriteriaSet, by string, at time.Time) *ScorecardVersion {
	v := &ScorecardVersion{ID: ids.New(), OrgID: orgID, ScorecardID: scorecardID, Number: number, Status: status, Criteria: criteria,
		CreatedBy: by, CreatedAt: at}
	if status == VersionActive {
		v.ActivatedAt = &at
	}
	return v
}

// CreateScorecard creates a scorecard whose first version is active at once.
func (s *Service) CreateScorecard(ctx context.Context, orgID, name string, criteria []CriterionInput) (*ScorecardDetail, error) {
	name, err := checkName(name)
	if err != nil {
		return nil, err
	}
	set, err := s.checkCriteria(ctx, orgID, criteria)
	if err != nil {
		return nil, err
	}
	now := s.Now()
	c := &Scorecard{ID: ids.New(), OrgID: orgID, Name: name, ActiveNumber: 1, CreatedAt: now, UpdatedAt: now, Version: 1}
	v := newScorecardVersion(orgID, c.ID, 1, VersionActive, set, actor(ctx), now)
	c.ActiveVersionID = &v.ID
	err = s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if err := s.store.InsertScorecard(ctx, tx, c); err != nil {
			if database.IsUniqueViolation(err) {
				return errs.Conflict("a scorecard named %q already exists", name)
			}
			return err
		}
		if err := s.store.InsertVersion(ctx, tx, v); err != nil {
			return err
		}
		return s.Record(ctx, tx, orgID, "quality_scorecard", c.ID, auditlog.Diff(nil, map[string]any{"name": name, "number": 1, "criteria": set}))
	})
	if err != nil {
		return nil, err
	}
	return &ScorecardDetail{Scorecard: *c, Versions: []ScorecardVersion{*v}}, nil
}

// Scorecard returns one scorecard with its versions.
func (s *Service) Scorecard(ctx context.Context, orgID, id string) (*ScorecardDetail, error) {
	return s.scorecardDetail(ctx, s.DB, orgID, id)
}

func (s *Service) scorecardDetail(ctx context.Context, db bun.IDB, orgID, id string) (*ScorecardDetail, error) {
	c, err := s.store.Scorecard(ctx, db, orgID, id)
	if err != nil {
		return nil, err
	}
	vs, err := s.store.ScorecardVersions(ctx, db, orgID, []string{id})
	if err != nil {
		return nil, err
	}
	return &ScorecardDetail{Scorecard: *c, Versions: vs}, nil
}

// Scorecards lists the school's scorecards by name with their versions.
func (s *Service) Scorecards(ctx context.Context, orgID string) ([]ScorecardDetail, error) {
	cards, err := s.store.Scorecards(ctx, s.DB, orgID)
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(cards))
	for i, c := range cards {
		ids[i] = c.ID
	}
	versions, err := s.store.ScorecardVersions(ctx, s.DB, orgID, ids)
	if err != nil {
		return nil, err
	}
	out := make([]ScorecardDetail, len(cards))
	for i, c := range cards {
		out[i].Scorecard = c
		for _, v := range versions {
			if v.ScorecardID == c.ID {
				out[i].Versions = append(out[i].Versions, v)
			}
		}
	}
	return out, nil
}

// DraftVersion adds a draft version to a scorecard; reviews keep using the
// active version until the draft is activated.
func (s *Service) DraftVersion(ctx context.Context, orgID, scorecardID string, criteria []CriterionInput) (*ScorecardVersion, error) {
	set, err := s.checkCriteria(ctx, orgID, criteria)
	if err != nil {
		return nil, err
	}
	var v *ScorecardVersion
	err = s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		d, err := s.scorecardDetail(ctx, tx, orgID, scorecardID)
		if err != nil {
			return err
		}
		v = newScorecardVersion(orgID, scorecardID, d.Versions[len(d.Versions)-1].Number+1, VersionDraft, set, actor(ctx), s.Now())
		if err := s.store.InsertVersion(ctx, tx, v); err != nil {
			if database.IsUniqueViolation(err) {
				return errs.Conflict("another version was drafted at the same time; try again")
			}
			return err
		}
		return s.Record(ctx, tx, orgID, "quality_scorecard_version", v.ID, auditlog.Diff(nil, map[string]any{"scorecard_id": scorecardID,
			"number": v.Number, "status": v.Status, "criteria": set}))
	})
	return v, err
}

// ActivateVersion makes a draft the scorecard's active version. Reviews
// already written keep the version they were scored with.
func (s *Service) ActivateVersion(ctx context.Context, orgID, scorecardID, versionID string, version int64) (*ScorecardDetail, error) {
	var out *ScorecardDetail
	err := s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		var versions []ScorecardVersion
		var target *ScorecardVersion
		now := s.Now()
		before, after, err := database.Optimistic[Scorecard, *Scorecard]{What: "scorecard",
			Load: func() (*Scorecard, error) { return s.store.Scorecard(ctx, tx, orgID, scorecardID) },
			Change: func(c *Scorecard) error {
				var err error
				if versions, err = s.store.ScorecardVersions(ctx, tx, orgID, []string{scorecardID}); err != nil {
					return err
				}
				i := slices.IndexFunc(versions, func(v ScorecardVersion) bool { return v.ID == versionID })
				if i < 0 {
					return errs.NotFound("scorecard version")
				}
				if target = &versions[i]; target.Status != VersionDraft {
					return errs.Conflict("version %d is %s; only a draft can be activated", target.Number, target.Status)
				}
				c.ActiveVersionID, c.ActiveNumber = &target.ID, target.Number
				return nil
			},
			Write: func(c *Scorecard, was int64) (bool, error) { return s.store.UpdateScorecard(ctx, tx, c, was) },
		}.Run(version, now)
		if err != nil {
			return err
		}
		for i := range versions {
			if versions[i].Status == VersionActive {
				versions[i].Status = VersionSuperseded
				if err := s.store.SetVersionStatus(ctx, tx, &versions[i]); err != nil {
					return err
				}
			}
		}
		target.Status, target.ActivatedAt = VersionActive, &now
		if err := s.store.SetVersionStatus(ctx, tx, target); err != nil {
			return err
		}
		out = &ScorecardDetail{Scorecard: *after, Versions: versions}
		return s.Record(ctx, tx, orgID, "quality_scorecard", scorecardID, auditlog.Diff(
			map[string]any{"active_number": before.ActiveNumber}, map[string]any{"active_number": after.ActiveNumber}))
	})
	return out, err
}
