package server

import (
	"context"

	"github.com/curatorops/curatorops/modules/identity"
	"github.com/curatorops/curatorops/modules/school"
	"github.com/curatorops/curatorops/modules/surveys"
)

// surveysSchool answers the surveys' questions about school data from the
// school module.
type surveysSchool struct{ school *school.Service }

func (a surveysSchool) StudentByExternalID(ctx context.Context, orgID, source, externalID string) (*surveys.Student, error) {
	st, err := a.school.StudentByExternalID(ctx, orgID, source, externalID)
	if err != nil {
		return nil, err
	}
	return &surveys.Student{ID: st.ID, FullName: st.FullName}, nil
}

func (a surveysSchool) Student(ctx context.Context, orgID, id string) (*surveys.Student, error) {
	st, err := a.school.Student(ctx, orgID, id)
	if err != nil {
		return nil, err
	}
	return &surveys.Student{ID: st.ID, FullName: st.FullName}, nil
}

func (a surveysSchool) CohortByExternalID(ctx context.Context, orgID, source, externalID string) (*surveys.Cohort, error) {
	c, err := a.school.CohortByExternalID(ctx, orgID, source, externalID)
	if err != nil {
		return nil, err
	}
	return &surveys.Cohort{ID: c.ID, CourseID: c.CourseID, Name: c.Name}, nil
}

func (a surveysSchool) Cohort(ctx context.Context, orgID, id string) (*surveys.Cohort, error) {
	c, err := a.school.Cohort(ctx, orgID, id)
	if err != nil {
		return nil, err
	}
	return &surveys.Cohort{ID: c.ID, CourseID: c.CourseID, Name: c.Name}, nil
}

func (a surveysSchool) CourseExists(ctx context.Context, orgID, id string) error {
	_, err := a.school.Course(ctx, orgID, id)
	return err
}

func (a surveysSchool) StudentInCohort(ctx context.Context, orgID, studentID, cohortID string) (*surveys.Enrollment, error) {
	e, err := a.school.StudentInCohort(ctx, orgID, studentID, cohortID)
	if err != nil {
		return nil, err
	}
	return &surveys.Enrollment{ID: e.ID, CuratorID: e.CuratorID}, nil
}

func (a surveysSchool) CuratorHistory(ctx context.Context, orgID, enrollmentID string) ([]surveys.CuratorChange, error) {
	rows, err := a.school.CuratorHistory(ctx, orgID, enrollmentID)
	if err != nil {
		return nil, err
	}
	out := make([]surveys.CuratorChange, len(rows))
	for i, r := range rows {
		out[i] = surveys.CuratorChange{CuratorID: r.CuratorID, Previous: r.PreviousCuratorID, At: r.AssignedAt}
	}
	return out, nil
}

func (a surveysSchool) CourseModules(ctx context.Context, orgID, courseID string) ([]surveys.Module, error) {
	detail, err := a.school.Course(ctx, orgID, courseID)
	if err != nil {
		return nil, err
	}
	out := make([]surveys.Module, len(detail.Modules))
	for i, m := range detail.Modules {
		out[i] = surveys.Module{ID: m.ID, Position: m.Position, Title: m.Title}
	}
	return out, nil
}

// StudentNames names a page of students, one look-up each.
func (a surveysSchool) StudentNames(ctx context.Context, orgID string, ids []string) (map[string]string, error) {
	out := make(map[string]string, len(ids))
	for _, id := range ids {
		st, err := a.school.Student(ctx, orgID, id)
		if err != nil {
			return nil, err
		}
		out[id] = st.FullName
	}
	return out, nil
}

func (a surveysSchool) CohortNames(ctx context.Context, orgID string) (map[string]string, error) {
	l, err := a.school.Labels(ctx, orgID)
	if err != nil {
		return nil, err
	}
	return l.Cohorts, nil
}

// surveysPeople names staff for the surveys from the identity module.
type surveysPeople struct{ identity *identity.Service }

func (p surveysPeople) Names(ctx context.Context, orgID string, userIDs []string) (map[string]string, error) {
	return p.identity.MemberNames(ctx, orgID, userIDs)
}
