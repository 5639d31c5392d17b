package server

import (
	"context"
	"sync"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/homework"
	"github.com/curatorops/curatorops/modules/identity"
	"github.com/curatorops/curatorops/modules/platform/bizcal"
	"github.com/curatorops/curatorops/modules/platform/clock"
	"github.com/curatorops/curatorops/modules/school"
)

// NewHomework builds the homework service on the other services, reading
// the time from c: the demo seed builds one on a clock of its own to replay
// weeks of review work in a few seconds.
func NewHomework(db *bun.DB, c clock.Clock, svc *Services, opts ...homework.Option) *homework.Service {
	return homework.NewService(db, c, svc.Audit, &homeworkSchool{school: svc.School, identity: svc.Identity}, homeworkPeople{schoolPeople{svc.Identity}}, svc.Integration, opts...)
}

// homeworkSchool answers the review queue's questions about school data
// from the school module.
type homeworkSchool struct {
	school   *school.Service
	identity *identity.Service
	zones    sync.Map // org id → time zone; a school's zone rarely changes
}

func (h *homeworkSchool) StudentByExternalID(ctx context.Context, orgID, source, externalID string) (*homework.Student, error) {
	st, err := h.school.StudentByExternalID(ctx, orgID, source, externalID)
	if err != nil {
		return nil, err
	}
	return &homework.Student{ID: st.ID, ExternalID: st.ExternalID}, nil
}

func (h *homeworkSchool) Student(ctx context.Context, orgID, id string) (*homework.Student, error) {
	st, err := h.school.Student(ctx, orgID, id)
	if err != nil {
		return nil, err
	}
	return &homework.Student{ID: st.ID, ExternalID: st.ExternalID}, nil
}

func (h *homeworkSchool) AssignmentByExternalID(ctx context.Context, orgID, source, externalID string) (*homework.Assignment, error) {
	a, err := h.school.AssignmentByExternalID(ctx, orgID, source, externalID)
	if err != nil {
		return nil, err
	}
	return homeworkAssignment(a), nil
}

func (h *homeworkSchool) Assignment(ctx context.Context, orgID, id string) (*homework.Assignment, error) {
	a, err := h.school.Assignment(ctx, orgID, id)
	if err != nil {
		return nil, err
	}
	return homeworkAssignment(a), nil
}

func homeworkAssignment(a *school.Assignment) *homework.Assignment {
	rubric := make([]homework.RubricCriterion, len(a.Rubric))
	for i, c := range a.Rubric {
		rubric[i] = homework.RubricCriterion{Key: c.Key, Title: c.Title, MaxPoints: c.MaxPoints, Required: c.Required}
	}
	return &homework.Assignment{ID: a.ID, ExternalID: a.ExternalID, CourseID: a.CourseID, ModuleID: a.ModuleID, Kind: a.Kind,
		ReviewTargetMinutes: a.ReviewTargetMinutes, Rubric: rubric}
}

func (h *homeworkSchool) EnrollmentInCourse(ctx context.Context, orgID, studentID, courseID string) (*homework.Enrollment, error) {
	e, err := h.school.EnrollmentInCourse(ctx, orgID, studentID, courseID)
	if err != nil {
		return nil, err
	}
	return &homework.Enrollment{ID: e.ID, CohortID: e.CohortID, CuratorID: e.CuratorID}, nil
}

func (h *homeworkSchool) CuratorCohorts(ctx context.Context, orgID, curatorID string) ([]string, error) {
	return h.school.CuratorCohortIDs(ctx, orgID, curatorID)
}

// Calendar is the school's default calendar; a school without one works
// around the clock in its own time zone.
func (h *homeworkSchool) Calendar(ctx context.Context, orgID string) (*bizcal.Calendar, error) {
	tz, ok := h.zones.Load(orgID)
	if !ok {
		org, err := h.identity.OrgByID(ctx, orgID)
		if err != nil {
			return nil, err
		}
		h.zones.Store(orgID, org.TimeZone)
		tz = org.TimeZone
	}
	cal, _, err := h.school.CompiledCalendar(ctx, orgID, "", tz.(string))
	return cal, err
}

func (h *homeworkSchool) Cohorts(ctx context.Context, orgID string) ([]homework.Cohort, error) {
	rows, err := h.school.CohortHeadcounts(ctx, orgID)
	if err != nil {
		return nil, err
	}
	out := make([]homework.Cohort, len(rows))
	for i, c := range rows {
		out[i] = homework.Cohort{ID: c.ID, CourseID: c.CourseID, Name: c.Name}
	}
	return out, nil
}

func (h *homeworkSchool) CohortEnrollments(ctx context.Context, orgID, cohortID string) ([]homework.EnrollmentStatus, error) {
	rows, err := h.school.EnrollmentStatuses(ctx, orgID, cohortID)
	if err != nil {
		return nil, err
	}
	out := make([]homework.EnrollmentStatus, len(rows))
	for i, e := range rows {
		out[i] = homework.EnrollmentStatus{StudentID: e.StudentID, CohortID: e.CohortID, CuratorID: e.CuratorID, Status: e.Status}
	}
	return out, nil
}

func (h *homeworkSchool) Labels(ctx context.Context, orgID string) (*homework.Labels, error) {
	l, err := h.school.Labels(ctx, orgID)
	if err != nil {
		return nil, err
	}
	return &homework.Labels{Cohorts: l.Cohorts, Courses: l.Courses}, nil
}

func (h *homeworkSchool) CourseModules(ctx context.Context, orgID, courseID string) ([]homework.Module, error) {
	detail, err := h.school.Course(ctx, orgID, courseID)
	if err != nil {
		return nil, err
	}
	out := make([]homework.Module, len(detail.Modules))
	for i, m := range detail.Modules {
		out[i] = homework.Module{ID: m.ID, Position: m.Position, Title: m.Title}
		for _, a := range m.Assignments {
			out[i].Assignments = append(out[i].Assignments, homework.ModuleAssignment{ID: a.ID, Title: a.Title})
		}
	}
	return out, nil
}

// homeworkPeople answers the review queue's questions about people from
// the identity module: the school's answers, and display names for the
// numbers.
type homeworkPeople struct{ schoolPeople }

func (p homeworkPeople) Names(ctx context.Context, orgID string, userIDs []string) (map[string]string, error) {
	return p.identity.MemberNames(ctx, orgID, userIDs)
}
