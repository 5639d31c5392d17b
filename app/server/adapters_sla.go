package server

import (
	"context"
	"sort"
	"sync"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/identity"
	"github.com/curatorops/curatorops/modules/platform/bizcal"
	"github.com/curatorops/curatorops/modules/school"
	"github.com/curatorops/curatorops/modules/sla"
)

// slaSchool answers the SLA module's questions from the school module.
type slaSchool struct {
	school *school.Service
	db     *bun.DB
	mu     sync.Mutex
	open   map[string]*bizcal.Calendar // 24/7 calendars by time zone
}

func newSLASchool(s *school.Service, db *bun.DB) *slaSchool {
	return &slaSchool{school: s, db: db, open: map[string]*bizcal.Calendar{}}
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

// Placement picks the enrollment in the conversation's cohort when known,
// else the most recent active one, else the most recent of any status.
func (a *slaSchool) Placement(ctx context.Context, orgID, studentID, cohortID string) (sla.Placement, error) {
	es, err := a.school.EnrollmentsOfStudent(ctx, orgID, studentID)
	if err != nil || len(es) == 0 {
		return sla.Placement{}, err
	}
	sort.SliceStable(es, func(i, j int) bool { return es[i].EnrolledAt.After(es[j].EnrolledAt) })
	chosen := &es[0]
	for i := len(es) - 1; i >= 0; i-- {
		if es[i].Status == school.EnrollmentActive {
			chosen = &es[i]
		}
	}
	for i := range es {
		if cohortID != "" && es[i].CohortID == cohortID {
			chosen = &es[i]
		}
	}
	out := sla.Placement{CohortID: chosen.CohortID, Tariff: chosen.Tariff}
	if chosen.CuratorID != nil {
		out.CuratorID = *chosen.CuratorID
	}
	cohort, err := a.school.Cohort(ctx, orgID, chosen.CohortID)
	if err != nil {
		return out, err
	}
	out.CourseID = cohort.CourseID
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

// TimeZone reads the school's zone from its row: identity offers no
// lookup by id, and the zone is all the SLA needs of the school itself.
func (a *slaSchool) TimeZone(ctx context.Context, orgID string) (string, error) {
	var tz string
	err := a.db.NewSelect().Model((*identity.Org)(nil)).Column("time_zone").Where("id = ?", orgID).Scan(ctx, &tz)
	return tz, err
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
