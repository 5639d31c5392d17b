package hiring

import (
	"context"
	"strconv"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/auditlog"
	"github.com/curatorops/curatorops/modules/platform/database"
	"github.com/curatorops/curatorops/modules/platform/errs"
	"github.com/curatorops/curatorops/modules/platform/ids"
	"github.com/curatorops/curatorops/modules/platform/validate"
)

// VacancyInput is a vacancy as HR writes it.
type VacancyInput struct {
	Title     string      `json:"title" validate:"required,min=1,max=200,singleline"`
	CourseID  *string     `json:"course_id"`
	CohortID  *string     `json:"cohort_id"`
	Focus     string      `json:"focus" validate:"max=2000,text"`
	Headcount int         `json:"headcount" validate:"min=1,max=1000"`
	PayScheme string      `json:"pay_scheme" validate:"required,min=1,max=2000,text"`
	Status    string      `json:"status" validate:"omitempty,oneof=draft open paused closed"`
	Criteria  []Criterion `json:"criteria" validate:"max=20,dive"`
}

// CreateVacancy opens a vacancy (draft unless a status is given). Without
// criteria it gets the four default interview criteria.
func (s *Service) CreateVacancy(ctx context.Context, orgID string, in VacancyInput) (*Vacancy, error) {
	if err := s.checkVacancy(ctx, orgID, &in); err != nil {
		return nil, err
	}
	now := s.Now()
	v := &Vacancy{ID: ids.New(), OrgID: orgID, Title: in.Title, CourseID: in.CourseID, CohortID: in.CohortID, Focus: in.Focus,
		Headcount: in.Headcount, PayScheme: in.PayScheme, Status: in.Status, Criteria: in.Criteria, CreatedBy: actorID(ctx),
		CreatedAt: now, UpdatedAt: now, Version: 1}
	err := s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if err := s.store.InsertVacancy(ctx, tx, v); err != nil {
			return err
		}
		return s.Record(ctx, tx, orgID, "hiring_vacancy", v.ID, auditlog.Diff(nil, v))
	})
	return v, err
}

// UpdateVacancy replaces a vacancy's fields at version. Changing the
// criteria does not touch scorecards already filled: each keeps the
// criteria and weights it was filled against.
func (s *Service) UpdateVacancy(ctx context.Context, orgID, id string, version int64, in VacancyInput) (*Vacancy, error) {
	if err := s.checkVacancy(ctx, orgID, &in); err != nil {
		return nil, err
	}
	var out *Vacancy
	err := s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		before, after, err := database.Optimistic[Vacancy, *Vacancy]{
			What: "the vacancy",
			Load: func() (*Vacancy, error) { return s.store.Vacancy(ctx, tx, orgID, id) },
			Change: func(v *Vacancy) error {
				v.Title, v.CourseID, v.CohortID, v.Focus, v.Headcount = in.Title, in.CourseID, in.CohortID, in.Focus, in.Headcount
				v.PayScheme, v.Status, v.Criteria = in.PayScheme, in.Status, in.Criteria
				return nil
			},
			Write: func(v *Vacancy, was int64) (bool, error) { return s.store.UpdateVacancy(ctx, tx, v, was) },
		}.Run(version, s.Now())
		if err != nil {
			return err
		}
		out = after
		return s.Record(ctx, tx, orgID, "hiring_vacancy", id, auditlog.Diff(before, after))
	})
	return out, err
}

func (s *Service) checkVacancy(ctx context.Context, orgID string, in *VacancyInput) error {
	if err := validate.Struct(s.Now(), "body.", in); err != nil {
		return err
	}
	if in.Status == "" {
		in.Status = VacancyDraft
	}
	if len(in.Criteria) == 0 {
		in.Criteria = DefaultCriteria()
	}
	seen := map[string]bool{}
	for i, c := range in.Criteria {
		if err := checkKey(c.Key, "body.criteria["+strconv.Itoa(i)+"].key"); err != nil {
			return err
		}
		if seen[c.Key] {
			return errs.Invalid("body.criteria["+strconv.Itoa(i)+"].key", "each criterion key appears once")
		}
		seen[c.Key] = true
	}
	if in.CourseID == nil && in.CohortID == nil {
		return nil
	}
	courses, cohorts, err := s.catalog.Labels(ctx, orgID)
	if err != nil {
		return err
	}
	if in.CourseID != nil && courses[*in.CourseID] == "" {
		return errs.Invalid("body.course_id", "no such course in this school")
	}
	if in.CohortID != nil && cohorts[*in.CohortID] == "" {
		return errs.Invalid("body.cohort_id", "no such cohort in this school")
	}
	return nil
}

// Vacancy returns one vacancy.
func (s *Service) Vacancy(ctx context.Context, orgID, id string) (*Vacancy, error) {
	return s.store.Vacancy(ctx, s.DB, orgID, id)
}

// Vacancies lists a school's vacancies.
func (s *Service) Vacancies(ctx context.Context, orgID string, f VacancyFilter) ([]Vacancy, error) {
	return s.store.ListVacancies(ctx, s.DB, orgID, f)
}

// FocusLabels names the courses and cohorts vacancies focus on.
func (s *Service) FocusLabels(ctx context.Context, orgID string) (courses, cohorts map[string]string, err error) {
	return s.catalog.Labels(ctx, orgID)
}

// MemberNames returns the display names of the school's members among
// userIDs (an empty id is skipped).
func (s *Service) MemberNames(ctx context.Context, orgID string, userIDs []string) (map[string]string, error) {
	var want []string
	for _, id := range userIDs {
		if id != "" {
			want = append(want, id)
		}
	}
	if len(want) == 0 {
		return map[string]string{}, nil
	}
	return s.accounts.Names(ctx, orgID, want)
}
