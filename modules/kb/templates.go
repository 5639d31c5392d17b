package kb

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/auditlog"
	"github.com/curatorops/curatorops/modules/platform/database"
	"github.com/curatorops/curatorops/modules/platform/errs"
	"github.com/curatorops/curatorops/modules/platform/ids"
)

// A template variable is written {{name}} (spaces inside the braces are
// allowed); names are lower-case snake_case, e.g. {{student_name}}.
var (
	placeholder  = regexp.MustCompile(`\{\{([^{}]*)\}\}`)
	variableName = regexp.MustCompile(`^[a-z][a-z0-9_]{0,63}$`)
)

// templateVariables returns the variables a template body uses, in order
// of first use, or a validation error naming the body when a placeholder
// is malformed or braces are left unclosed.
func templateVariables(body, location string) ([]string, error) {
	var vars []string
	seen := map[string]bool{}
	for _, m := range placeholder.FindAllStringSubmatch(body, -1) {
		name := strings.TrimSpace(m[1])
		if !variableName.MatchString(name) {
			return nil, errs.Invalid(location, fmt.Sprintf("{{%s}} is not a variable: use lower-case letters, digits and _ such as {{student_name}}", m[1]))
		}
		if !seen[name] {
			seen[name] = true
			vars = append(vars, name)
		}
	}
	rest := placeholder.ReplaceAllString(body, "")
	if strings.Contains(rest, "{{") || strings.Contains(rest, "}}") {
		return nil, errs.Invalid(location, "unbalanced {{ or }}; a variable is written {{name}}")
	}
	return vars, nil
}

// Variables returns the variables the template uses.
func (t *Template) Variables() []string {
	vars, _ := templateVariables(t.Body, "")
	if vars == nil {
		vars = []string{}
	}
	return vars
}

// render fills the template's variables from values. Every variable needs
// a non-blank value, and values for variables the template does not use
// are refused, so that a typo in a name is caught rather than ignored.
func render(body string, values map[string]string) (string, error) {
	vars, err := templateVariables(body, "body")
	if err != nil {
		return "", err
	}
	used := map[string]bool{}
	var fields []errs.FieldError
	for _, v := range vars {
		used[v] = true
		if strings.TrimSpace(values[v]) == "" {
			fields = append(fields, errs.FieldError{Location: "body.variables." + v, Message: fmt.Sprintf("missing: the template uses {{%s}}", v)})
		}
	}
	var unknown []string
	for k := range values {
		if !used[k] {
			unknown = append(unknown, k)
		}
	}
	sort.Strings(unknown)
	for _, k := range unknown {
		fields = append(fields, errs.FieldError{Location: "body.variables." + k, Message: "unknown: the template has no such variable"})
	}
	if len(fields) > 0 {
		return "", &errs.ValidationError{Fields: fields}
	}
	return placeholder.ReplaceAllStringFunc(body, func(m string) string {
		return values[strings.TrimSpace(m[2:len(m)-2])]
	}), nil
}

// NewTemplate is what writing an answer template takes.
type NewTemplate struct {
	Category, Title, Body string
}

// CreateTemplate adds an answer template.
func (s *Service) CreateTemplate(ctx context.Context, v Viewer, orgID string, in NewTemplate) (*Template, error) {
	if _, err := templateVariables(in.Body, "body.body"); err != nil {
		return nil, err
	}
	now := s.Now()
	t := &Template{ID: ids.New(), OrgID: orgID, Category: in.Category, Title: in.Title, Body: in.Body,
		CreatedBy: v.UserID, CreatedAt: now, UpdatedAt: now, Version: 1}
	return t, s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if err := s.checkCategory(ctx, tx, orgID, in.Category, "body.category"); err != nil {
			return err
		}
		if err := s.store.InsertTemplate(ctx, tx, t); err != nil {
			return err
		}
		return s.Record(ctx, tx, orgID, "kb_template", t.ID, auditlog.Diff(nil, t.auditFields()))
	})
}

// Template returns one template.
func (s *Service) Template(ctx context.Context, orgID, id string) (*Template, error) {
	return s.store.Template(ctx, s.DB, orgID, id)
}

// Templates returns a page of the school's templates.
func (s *Service) Templates(ctx context.Context, orgID string, f TemplateFilter) ([]Template, error) {
	return s.store.Templates(ctx, s.DB, orgID, f)
}

// TemplateChanges are the edits of a template; nil fields stay.
type TemplateChanges struct {
	Category, Title, Body *string
}

// UpdateTemplate edits a template still at version.
func (s *Service) UpdateTemplate(ctx context.Context, orgID, id string, version int64, ch TemplateChanges) (*Template, error) {
	if ch.Body != nil {
		if _, err := templateVariables(*ch.Body, "body.body"); err != nil {
			return nil, err
		}
	}
	var out *Template
	err := s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		before, after, err := database.Optimistic[Template, *Template]{
			What: "the template",
			Load: func() (*Template, error) { return s.store.Template(ctx, tx, orgID, id) },
			Change: func(t *Template) error {
				if ch.Category != nil {
					if err := s.checkCategory(ctx, tx, orgID, *ch.Category, "body.category"); err != nil {
						return err
					}
				}
				database.SetIf(&t.Category, ch.Category)
				database.SetIf(&t.Title, ch.Title)
				database.SetIf(&t.Body, ch.Body)
				return nil
			},
			Write: func(t *Template, was int64) (bool, error) { return s.store.UpdateTemplate(ctx, tx, t, was) },
		}.Run(version, s.Now())
		if err != nil {
			return err
		}
		out = after
		return s.Record(ctx, tx, orgID, "kb_template", after.ID, auditlog.Diff(before.auditFields(), after.auditFields()))
	})
	return out, err
}

// DeleteTemplate removes a template still at version. A deletion is the
// last write of the template: it goes the way of every versioned write.
func (s *Service) DeleteTemplate(ctx context.Context, orgID, id string, version int64) error {
	return s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		t, _, err := database.Optimistic[Template, *Template]{
			What: "the template",
			Load: func() (*Template, error) { return s.store.Template(ctx, tx, orgID, id) },
			Write: func(_ *Template, was int64) (bool, error) {
				return s.store.DeleteTemplate(ctx, tx, orgID, id, was)
			},
		}.Run(version, s.Now())
		if err != nil {
			return err
		}
		return s.Record(ctx, tx, orgID, "kb_template", t.ID, auditlog.Diff(t.auditFields(), nil))
	})
}

// Rendered is a template filled in.
type Rendered struct {
	Template *Template
	Text     string
}

// RenderTemplate fills a template's variables and counts the use. The
// count is a statistic, not a change of the template: it is not audited
// and does not move the template's version.
func (s *Service) RenderTemplate(ctx context.Context, orgID, id string, values map[string]string) (*Rendered, error) {
	t, err := s.store.Template(ctx, s.DB, orgID, id)
	if err != nil {
		return nil, err
	}
	text, err := render(t.Body, values)
	if err != nil {
		return nil, err
	}
	now := s.Now()
	n, err := s.store.CountUse(ctx, s.DB, orgID, id, now)
	if err != nil {
		return nil, err
	}
	t.UsageCount, t.LastUsedAt = n, &now
	return &Rendered{Template: t, Text: text}, nil
}
