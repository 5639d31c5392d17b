package onboarding

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/auditlog"
	"github.com/curatorops/curatorops/modules/platform/database"
	"github.com/curatorops/curatorops/modules/platform/errs"
	"github.com/curatorops/curatorops/modules/platform/ids"
	"github.com/curatorops/curatorops/modules/platform/validate"
)

// Roles are the staff roles a school may keep an onboarding template for.
var Roles = []string{"curator", "senior_curator", "head_of_service", "hr", "finance"}

// TemplateInput is a template's title and items.
type TemplateInput struct {
	Title string
	Items []TemplateItem
}

var itemKey = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,63}$`)

// Templates lists the school's templates by role.
func (s *Service) Templates(ctx context.Context, orgID string) ([]Template, error) {
	return s.store.Templates(ctx, s.DB, orgID)
}

// Template returns one template of the school.
func (s *Service) Template(ctx context.Context, orgID, id string) (*Template, error) {
	return s.store.Template(ctx, s.DB, orgID, id)
}

// CreateTemplate sets up the role's template; a role has one.
func (s *Service) CreateTemplate(ctx context.Context, orgID, role string, in TemplateInput) (*Template, error) {
	if !slices.Contains(Roles, role) {
		return nil, errs.Invalid("body.role", "must be one of "+strings.Join(Roles, ", "))
	}
	if err := s.checkTemplate(ctx, orgID, &in); err != nil {
		return nil, err
	}
	var out *Template
	err := s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		now := s.Now()
		t := &Template{ID: ids.New(), OrgID: orgID, Role: role, Title: in.Title, Items: in.Items, CreatedAt: now, UpdatedAt: now, Version: 1}
		if err := s.store.InsertTemplate(ctx, tx, t); err != nil {
			if database.IsUniqueViolation(err) {
				return errs.Conflict("the role %s has a template already; edit it", role)
			}
			return err
		}
		out = t
		return s.Record(ctx, tx, orgID, entityTemplate, t.ID, auditlog.Diff(nil, t))
	})
	return out, err
}

// UpdateTemplate replaces the template's title and items if it is still at
// version. Running plans keep the items they were started with.
func (s *Service) UpdateTemplate(ctx context.Context, orgID, id string, version int64, in TemplateInput) (*Template, error) {
	if err := s.checkTemplate(ctx, orgID, &in); err != nil {
		return nil, err
	}
	var out *Template
	err := s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		before, after, err := database.Optimistic[Template, *Template]{
			What: "the onboarding template",
			Load: func() (*Template, error) { return s.store.LockTemplate(ctx, tx, orgID, id) },
			Change: func(t *Template) error {
				t.Title, t.Items = in.Title, in.Items
				return nil
			},
			Write: func(t *Template, was int64) (bool, error) { return s.store.SaveTemplate(ctx, tx, t, was) },
		}.Run(version, s.Now())
		if err != nil {
			return err
		}
		out = after
		return s.Record(ctx, tx, orgID, entityTemplate, after.ID, auditlog.Diff(before, after))
	})
	return out, err
}

// checkTemplate checks every item and names each bad field; it fills in
// the default pass mark of supervised reviews.
func (s *Service) checkTemplate(ctx context.Context, orgID string, in *TemplateInput) error {
	var v errs.ValidationError
	add := func(loc, msg string) { v.Fields = append(v.Fields, errs.FieldError{Location: loc, Message: msg}) }
	in.Title = strings.TrimSpace(in.Title)
	if in.Title == "" || len(in.Title) > 200 || !validate.IsSingleLine(in.Title) {
		add("body.title", "must be one line of 1 to 200 characters")
	}
	if len(in.Items) == 0 || len(in.Items) > MaxItems {
		add("body.items", fmt.Sprintf("must have 1 to %d items", MaxItems))
	}
	keys := map[string]bool{}
	for i := range in.Items {
		it := &in.Items[i]
		at := fmt.Sprintf("body.items[%d].", i)
		if !itemKey.MatchString(it.Key) {
			add(at+"key", "must be 1 to 64 lowercase letters, digits, _ or -, starting with a letter or digit")
		} else if keys[it.Key] {
			add(at+"key", "is used by another item")
		}
		keys[it.Key] = true
		it.Title = strings.TrimSpace(it.Title)
		if it.Title == "" || len(it.Title) > 200 || !validate.IsSingleLine(it.Title) {
			add(at+"title", "must be one line of 1 to 200 characters")
		}
		if len(it.Description) > 2000 {
			add(at+"description", "must be at most 2000 characters")
		}
		if !slices.Contains(Kinds, it.Kind) {
			add(at+"kind", "must be one of "+strings.Join(Kinds, ", "))
			continue
		}
		if msg := assigneeRule(it); msg != "" {
			add(at+"assignee", msg)
		}
		if it.DayOffset < 0 || it.DayOffset > MaxDayOffset {
			add(at+"day_offset", fmt.Sprintf("must be between 0 and %d", MaxDayOffset))
		}
		if it.Weight < 1 || it.Weight > MaxWeight {
			add(at+"weight", fmt.Sprintf("must be between 1 and %d", MaxWeight))
		}
		if err := s.checkKindFields(ctx, orgID, it, at, add); err != nil {
			return err
		}
	}
	if len(v.Fields) > 0 {
		return &v
	}
	return nil
}

// assigneeRule says what is wrong with an item's assignee, if anything:
// automatic items are the newcomer's, the shadowing is the mentor's.
func assigneeRule(it *TemplateItem) string {
	switch {
	case !slices.Contains(Assignees, it.Assignee):
		return "must be one of " + strings.Join(Assignees, ", ")
	case (it.Kind == KindRegulation || it.Kind == KindQuiz || it.Kind == KindSupervised) && it.Assignee != AssigneeNewcomer:
		return "an item that completes itself from the newcomer's own work is the newcomer's"
	case it.Kind == KindShadow && it.Assignee != AssigneeMentor:
		return "the shadowing is confirmed by the mentor"
	}
	return ""
}

// checkKindFields checks what each kind needs: a published regulation
// (with a quiz, for a quiz item) or a number of reviews and a pass mark.
func (s *Service) checkKindFields(ctx context.Context, orgID string, it *TemplateItem, at string, add func(loc, msg string)) error {
	needsArticle := it.Kind == KindRegulation || it.Kind == KindQuiz
	switch {
	case needsArticle && it.ArticleID == nil:
		add(at+"article_id", "is required for this kind")
	case needsArticle:
		a, err := s.article(ctx, orgID, *it.ArticleID)
		if err != nil {
			return err
		}
		if a == nil {
			add(at+"article_id", "must be a published article of this school's knowledge base")
		} else if it.Kind == KindQuiz && !a.HasQuiz {
			add(at+"article_id", "the article has no quiz")
		}
	case it.ArticleID != nil:
		add(at+"article_id", "only regulation and quiz items name an article")
	}
	if it.Kind != KindSupervised {
		if it.ReviewCount != 0 || it.MinQualityPercent != 0 {
			add(at+"review_count", "only supervised-review items count reviews")
		}
		return nil
	}
	if it.ReviewCount < 1 || it.ReviewCount > MaxReviewCount {
		add(at+"review_count", fmt.Sprintf("must be between 1 and %d", MaxReviewCount))
	}
	if it.MinQualityPercent == 0 {
		it.MinQualityPercent = DefaultMinQualityPercent
	}
	if it.MinQualityPercent < 1 || it.MinQualityPercent > 100 {
		add(at+"min_quality_percent", "must be between 1 and 100")
	}
	return nil
}

// article returns the published article, or nil when the school has none
// with that id (or the knowledge base is not connected).
func (s *Service) article(ctx context.Context, orgID, id string) (*Article, error) {
	if s.regulations == nil || !ids.Valid(id) {
		return nil, nil
	}
	a, err := s.regulations.Article(ctx, orgID, id)
	if errors.Is(err, errs.ErrNotFound) {
		return nil, nil
	}
	return a, err
}

// templateFor returns the role's template, setting up the default one
// when the school has none yet, so that a hire is never left without a
// plan.
func (s *Service) templateFor(ctx context.Context, tx bun.IDB, orgID, role string) (*Template, error) {
	t, err := s.store.TemplateByRole(ctx, tx, orgID, role)
	if !errors.Is(err, errs.ErrNotFound) {
		return t, err
	}
	items, err := s.defaultItems(ctx, orgID, role)
	if err != nil {
		return nil, err
	}
	now := s.Now()
	t = &Template{ID: ids.New(), OrgID: orgID, Role: role, Title: "Адаптация: " + role, Items: items, CreatedAt: now, UpdatedAt: now, Version: 1}
	if err := s.store.InsertTemplate(ctx, tx, t); err != nil {
		return nil, err
	}
	return t, s.Record(ctx, tx, orgID, entityTemplate, t.ID, auditlog.Diff(nil, t))
}

// defaultItems is the default onboarding of a role: sign the contract,
// read every regulation the knowledge base requires of the role and pass
// its quiz, and for curators shadow a senior curator and have five
// reviews pass quality control under supervision.
func (s *Service) defaultItems(ctx context.Context, orgID, role string) ([]TemplateItem, error) {
	items := []TemplateItem{{Key: "contract", Title: "Подписать договор и соглашение о неразглашении", Kind: KindSign,
		Assignee: AssigneeHR, DayOffset: 0, Weight: 10, Required: true}}
	if s.regulations != nil {
		arts, err := s.regulations.RequiredArticles(ctx, orgID, role)
		if err != nil {
			return nil, err
		}
		for i := range arts {
			a := arts[i]
			if a.HasQuiz {
				items = append(items, TemplateItem{Key: fmt.Sprintf("quiz-%d", i+1), Title: "Сдать тест: " + a.Title, Kind: KindQuiz,
					Assignee: AssigneeNewcomer, DayOffset: 3, Weight: 10, Required: true, ArticleID: &a.ID})
			}
			items = append(items, TemplateItem{Key: fmt.Sprintf("read-%d", i+1), Title: "Прочитать регламент: " + a.Title, Kind: KindRegulation,
				Assignee: AssigneeNewcomer, DayOffset: 3, Weight: 10, Required: true, ArticleID: &a.ID})
		}
	}
	if role == "curator" {
		items = append(items,
			TemplateItem{Key: "shadow", Title: "Провести день в паре со старшим куратором", Kind: KindShadow,
				Assignee: AssigneeMentor, DayOffset: 5, Weight: 15, Required: true},
			TemplateItem{Key: "supervised", Title: "Пять проверок домашних заданий под контролем качества", Kind: KindSupervised,
				Assignee: AssigneeNewcomer, DayOffset: 14, Weight: 25, Required: true, ReviewCount: 5, MinQualityPercent: DefaultMinQualityPercent})
	}
	return items, nil
}
