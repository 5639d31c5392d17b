package server

import (
	"context"
	"sync"

	"github.com/curatorops/curatorops/modules/identity"
	"github.com/curatorops/curatorops/modules/platform/bizcal"
	"github.com/curatorops/curatorops/modules/school"
	"github.com/curatorops/curatorops/modules/sla"
)

// slaSchool answers the SLA module's questions from the school module.
type slaSchool struct {
	school   *school.Service
	identity *identity.Service
	mu       sync.Mutex
	open     map[string]*bizcal.Calendar // 24/7 calendars by time zone
}

func newSLASchool(s *school.Service, id *identity.Service) *slaSchool {
	return &slaSchool{school: s, identity: id, open: map[string]*bizcal.Calendar{}}
}

func (a *slaSchool) StudentIDByExternalID(ctx context.Context, orgID, externalID string) (string, error) {
	st, err := a.school.StudentByExternalID(ctx, orgID, school.DefaultSource, externalID)
	if err != nil {
		return "", err
	}
	return st.ID, nil
}

func (a *slaSchool) CheckStudent(ctx context.Context, orgID, studentID string) error {
	_, err := a.school.Student(ctx, orgID, studentID)
	return err
}

func (a *slaSchool) CohortIDByExternalID(ctx context.Context, orgID, externalID string) (string, error) {
	c, err := a.school.CohortByExternalID(ctx, orgID, school.DefaultSource, externalID)
	if err != nil {
		return "", err
	}
	return c.ID, nil
}

// Placement is the school's placement of the student, in the SLA's terms.
func (a *slaSchool) Placement(ctx context.Context, orgID, studentID, cohortID string) (sla.Placement, error) {
	p, err := a.school.Placement(ctx, orgID, studentID, cohortID)
	if err != nil || p == nil {
		return sla.Placement{}, err
	}
	out := sla.Placement{CohortID: p.CohortID, CourseID: p.CourseID, Tariff: p.Tariff}
	if p.CuratorID != nil {
		out.CuratorID = *p.CuratorID
	}
	return out, nil
}

func (a *slaSchool) Calendar(ctx context.Context, orgID, id string, alwaysOpen bool) (*bizcal.Calendar, error) {
	tz, err := a.TimeZone(ctx, orgID)
	if err != nil {
		return nil, err
	}
	if !alwaysOpen {
		cal, _, err := a.school.CompiledCalendar(ctx, orgID, id, tz)
		return cal, err
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if cal, ok := a.open[tz]; ok {
		return cal, nil
	}
	cal, err := bizcal.New(bizcal.Spec{TimeZone: tz, AlwaysOpen: true})
	if err != nil {
		return nil, err
	}
	a.open[tz] = cal
	return cal, nil
}

// TimeZone is the school's own zone, from identity.
func (a *slaSchool) TimeZone(ctx context.Context, orgID string) (string, error) {
	org, err := a.identity.OrgByID(ctx, orgID)
	if err != nil {
		return "", err
	}
	return org.TimeZone, nil
}

// Labels are the school's cohort and course names, in the SLA's terms.
func (a *slaSchool) Labels(ctx context.Context, orgID string) (sla.Labels, error) {
	l, err := a.school.Labels(ctx, orgID)
	if err != nil || l == nil {
		return sla.Labels{}, err
	}
	return sla.Labels{Cohorts: l.Cohorts, Courses: l.Courses}, nil
}

// slaPeople answers the SLA module's questions about staff from identity.
type slaPeople struct{ identity *identity.Service }

func (p slaPeople) UserIDByEmail(ctx context.Context, orgID, email string) (string, error) {
	person, err := p.identity.ActivePersonByEmail(ctx, orgID, email)
	if err != nil {
		return "", err
	}
	return person.UserID, nil
}

func (p slaPeople) Person(ctx context.Context, orgID, userID string) (sla.Recipient, error) {
	person, err := p.identity.ActivePerson(ctx, orgID, userID)
	if err != nil {
		return sla.Recipient{}, err
	}
	return sla.Recipient{UserID: person.UserID, Email: person.Email, Name: person.Name}, nil
}

func (p slaPeople) WithRole(ctx context.Context, orgID, role string) ([]sla.Recipient, error) {
	people, err := p.identity.ActivePeople(ctx, orgID, role)
	if err != nil {
		return nil, err
	}
	out := make([]sla.Recipient, len(people))
	for i, person := range people {
		out[i] = sla.Recipient{UserID: person.UserID, Email: person.Email, Name: person.Name}
	}
	return out, nil
}

func (p slaPeople) Names(ctx context.Context, orgID string, userIDs []string) (map[string]string, error) {
	return p.identity.MemberNames(ctx, orgID, userIDs)
}
