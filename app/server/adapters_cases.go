package server

import (
	"context"
	"sort"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/cases"
	"github.com/curatorops/curatorops/modules/homework"
	"github.com/curatorops/curatorops/modules/school"
)

// casesSchool answers case collection's questions about students,
// enrollments and cohorts from the school module.
type casesSchool struct{ school *school.Service }

func casesStudent(st *school.Student) *cases.Student {
	return &cases.Student{ID: st.ID, ExternalID: st.ExternalID, BirthDate: st.BirthDate}
}

func (a casesSchool) Student(ctx context.Context, orgID, id string) (*cases.Student, error) {
	st, err := a.school.Student(ctx, orgID, id)
	if err != nil {
		return nil, err
	}
	return casesStudent(st), nil
}

func (a casesSchool) StudentByExternalID(ctx context.Context, orgID, source, externalID string) (*cases.Student, error) {
	st, err := a.school.StudentByExternalID(ctx, orgID, source, externalID)
	if err != nil {
		return nil, err
	}
	return casesStudent(st), nil
}

// enrollment adds the cohort's course to a school enrollment.
func (a casesSchool) enrollment(ctx context.Context, orgID string, e *school.Enrollment) (*cases.Enrollment, error) {
	c, err := a.school.Cohort(ctx, orgID, e.CohortID)
	if err != nil {
		return nil, err
	}
	return &cases.Enrollment{ID: e.ID, StudentID: e.StudentID, CohortID: e.CohortID, CourseID: c.CourseID, CuratorID: e.CuratorID, Status: e.Status}, nil
}

func (a casesSchool) Enrollment(ctx context.Context, orgID, id string) (*cases.Enrollment, error) {
	e, err := a.school.Enrollment(ctx, orgID, id)
	if err != nil {
		return nil, err
	}
	return a.enrollment(ctx, orgID, e)
}

func (a casesSchool) Enrollments(ctx context.Context, orgID, studentID string) ([]cases.Enrollment, error) {
	rows, err := a.school.EnrollmentsOfStudent(ctx, orgID, studentID)
	if err != nil {
		return nil, err
	}
	sort.SliceStable(rows, func(i, j int) bool { return rows[i].EnrolledAt.After(rows[j].EnrolledAt) })
	out := make([]cases.Enrollment, 0, len(rows))
	for i := range rows {
		e, err := a.enrollment(ctx, orgID, &rows[i])
		if err != nil {
			return nil, err
		}
		out = append(out, *e)
	}
	return out, nil
}

// cohortPage is how many cohorts one read of the school's list takes.
const cohortPage = 200

func (a casesSchool) Cohorts(ctx context.Context, orgID string) ([]cases.Cohort, error) {
	labels, err := a.school.Labels(ctx, orgID)
	if err != nil {
		return nil, err
	}
	var out []cases.Cohort
	after := ""
	for {
		page, err := a.school.ListCohorts(ctx, orgID, school.CohortFilter{Limit: cohortPage, AfterID: after})
		if err != nil {
			return nil, err
		}
		for i, c := range page {
			if i == cohortPage {
				break
			}
			out = append(out, cases.Cohort{ID: c.ID, Name: c.Name, CourseID: c.CourseID, CourseName: labels.Courses[c.CourseID], StartsOn: c.StartsOn})
		}
		if len(page) <= cohortPage {
			break
		}
		after = page[cohortPage-1].ID
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].StartsOn != out[j].StartsOn {
			return out[i].StartsOn < out[j].StartsOn
		}
		return out[i].ID < out[j].ID
	})
	return out, nil
}

// casesPeople names staff for case collection: the school's answers and
// display names from the identity module.
type casesPeople struct{ homeworkPeople }

// casesReviewObserver turns an accepted homework review into success
// moments: the top score, the module's homework done, the course done.
type casesReviewObserver struct{ cases *cases.Service }

func (o casesReviewObserver) ReviewAccepted(ctx context.Context, tx bun.IDB, r homework.AcceptedReview) error {
	base := cases.Moment{OrgID: r.OrgID, StudentID: r.StudentID, EnrollmentID: r.EnrollmentID, CohortID: r.CohortID, CuratorID: r.CuratorID, At: r.At}
	var moments []cases.Moment
	if r.MaxScore > 0 && r.Score == r.MaxScore {
		m := base
		m.Kind, m.SourceID = cases.MomentHomeworkTop, r.SubmissionID
		moments = append(moments, m)
	}
	if r.ModuleCompleted {
		m := base
		m.Kind, m.SourceID = cases.MomentModuleCompleted, r.EnrollmentID+":"+r.ModuleID
		moments = append(moments, m)
	}
	if r.CourseCompleted {
		m := base
		m.Kind, m.SourceID = cases.MomentCourseCompleted, r.EnrollmentID
		moments = append(moments, m)
	}
	// The rarest moment first: one request per interval, so a course
	// completion should not lose to the top score that came with it.
	for i := len(moments) - 1; i >= 0; i-- {
		if err := o.cases.SuccessMoment(ctx, tx, moments[i]); err != nil {
			return err
		}
	}
	return nil
}
