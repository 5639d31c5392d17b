package cases

import (
	"context"
	"slices"

	"github.com/curatorops/curatorops/modules/platform/errs"
)

// exportPage is how many cases a CSV export reads at a time.
const exportPage = 500

// ExportItem is an exportable case with the names marketing needs.
type ExportItem struct {
	Submission  Submission
	CohortName  *string
	CourseName  *string
	CuratorName *string
}

// Quote is the text to publish: the chosen excerpt, or the whole text.
func (it ExportItem) Quote() *string {
	if it.Submission.Excerpt != nil {
		return it.Submission.Excerpt
	}
	return it.Submission.Body
}

// MarketingExport lists, by id, the approved or published cases whose
// consent in force covers scope, and nothing else: a case whose consent
// was withdrawn, or never covered scope, or that was erased, is not there.
func (s *Service) MarketingExport(ctx context.Context, orgID, scope, cohortID, afterID string, limit int) ([]ExportItem, error) {
	if !slices.Contains(Scopes, scope) {
		return nil, errs.Invalid("query.scope", "must be internal, website, social or advertising")
	}
	rows, err := s.store.Exportable(ctx, s.DB, orgID, scope, cohortID, afterID, limit)
	if err != nil {
		return nil, err
	}
	return s.named(ctx, orgID, rows)
}

// MarketingExportAll is every exportable case for scope, for the CSV file.
func (s *Service) MarketingExportAll(ctx context.Context, orgID, scope, cohortID string) ([]ExportItem, error) {
	var out []ExportItem
	after := ""
	for {
		page, err := s.MarketingExport(ctx, orgID, scope, cohortID, after, exportPage)
		if err != nil {
			return nil, err
		}
		if len(page) <= exportPage {
			return append(out, page...), nil
		}
		out = append(out, page[:exportPage]...)
		after = page[exportPage-1].Submission.ID
	}
}

// named adds cohort, course and curator names to rows.
func (s *Service) named(ctx context.Context, orgID string, rows []Submission) ([]ExportItem, error) {
	cohorts, err := s.school.Cohorts(ctx, orgID)
	if err != nil {
		return nil, err
	}
	byID := map[string]Cohort{}
	for _, c := range cohorts {
		byID[c.ID] = c
	}
	var curators []string
	for _, r := range rows {
		if r.CuratorID != nil && !slices.Contains(curators, *r.CuratorID) {
			curators = append(curators, *r.CuratorID)
		}
	}
	names, err := s.people.Names(ctx, orgID, curators)
	if err != nil {
		return nil, err
	}
	out := make([]ExportItem, len(rows))
	for i, r := range rows {
		it := ExportItem{Submission: r}
		if c, ok := byID[r.CohortID]; ok {
			it.CohortName, it.CourseName = &c.Name, &c.CourseName
		}
		if r.CuratorID != nil {
			if n, ok := names[*r.CuratorID]; ok {
				it.CuratorName = &n
			}
		}
		out[i] = it
	}
	return out, nil
}
