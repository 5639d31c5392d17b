package sla_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/curatorops/curatorops/app/apptest"
	"github.com/curatorops/curatorops/modules/platform/bizcal"
	"github.com/curatorops/curatorops/modules/platform/events"
	"github.com/curatorops/curatorops/modules/school"
)

const (
	post = http.MethodPost
	get  = http.MethodGet
	put  = http.MethodPut
)

var msk = mustZone("Europe/Moscow")

func mustZone(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// demoCalendar is the demo school's hours: Mon–Fri 09:00–21:00,
// Sat 10:00–18:00, Moscow, Russian holidays of 2026.
func demoCalendar() bizcal.Spec {
	day := []bizcal.Interval{{Start: "09:00", End: "21:00"}}
	return bizcal.Spec{TimeZone: "Europe/Moscow",
		Weekly: bizcal.Weekly{Monday: day, Tuesday: day, Wednesday: day, Thursday: day, Friday: day,
			Saturday: []bizcal.Interval{{Start: "10:00", End: "18:00"}}},
		Holidays: bizcal.Russia2026Holidays(), WorkingDays: bizcal.Russia2026WorkingDays()}
}

// fixture is a school with the demo calendar, one course with a cohort,
// and students enrolled with the school's curator.
type fixture struct {
	*apptest.School
	s          *apptest.Server
	calendarID string
	courseID   string
	cohortID   string
	students   []string // ids; external ids are st-1, st-2 …
}

func newFixture(s *apptest.Server, slug string, students int) *fixture {
	s.T.Helper()
	sc := s.NewSchool(slug)
	ctx := s.Ctx()
	org := sc.Org.ID
	f := &fixture{School: sc, s: s}
	cal, err := s.Services.School.CreateCalendar(ctx, org, school.CalendarInput{Name: "Основной", IsDefault: true, Spec: demoCalendar()})
	if err != nil {
		s.T.Fatal(err)
	}
	f.calendarID = cal.ID
	course, err := s.Services.School.CreateCourse(ctx, org, school.NewCourse{Title: "Психология"})
	if err != nil {
		s.T.Fatal(err)
	}
	f.courseID = course.Course.ID
	src, ext := "lms", "co-1"
	cohort, err := s.Services.School.CreateCohort(ctx, org, school.NewCohort{CourseID: f.courseID, Name: "Поток 1",
		StartsOn: "2026-01-12", EndsOn: "2026-12-20", Status: school.CohortActive, Source: &src, ExternalID: &ext})
	if err != nil {
		s.T.Fatal(err)
	}
	f.cohortID = cohort.ID
	for i := 1; i <= students; i++ {
		f.students = append(f.students, f.addStudent(s, fmt.Sprintf("st-%d", i), sc.People["curator"].Email))
	}
	return f
}

// addStudent enrolls a student, external id ext, in the cohort with the
// curator and returns the student's id.
func (f *fixture) addStudent(s *apptest.Server, ext, curatorEmail string) string {
	s.T.Helper()
	f.apply(s, "student.upserted", map[string]any{"external_id": ext, "full_name": "Студент " + ext})
	f.apply(s, "enrollment.upserted", map[string]any{"external_id": "e-" + ext, "student_external_id": ext,
		"cohort_external_id": "co-1", "tariff": "Стандарт", "status": "active", "curator_email": curatorEmail})
	st, err := s.Services.School.StudentByExternalID(s.Ctx(), f.Org.ID, "lms", ext)
	if err != nil {
		s.T.Fatal(err)
	}
	return st.ID
}

func (f *fixture) apply(s *apptest.Server, kind string, data map[string]any) {
	s.T.Helper()
	raw, _ := json.Marshal(data)
	if err := events.Apply(s.Ctx(), s.DB, s.Services.School.EventHandlers(), events.Inbound{OrgID: f.Org.ID, EventID: kind + fmt.Sprint(data["external_id"]),
		Type: kind, OccurredAt: apptest.Start, Data: raw}); err != nil {
		s.T.Fatal(err)
	}
}

// conversation opens a Telegram conversation with the i-th student.
func (f *fixture) conversation(s *apptest.Server, i int) string {
	s.T.Helper()
	return f.conversationWith(s, f.students[i])
}

// conversationWith opens a Telegram conversation with the student.
func (f *fixture) conversationWith(s *apptest.Server, studentID string) string {
	s.T.Helper()
	out := s.Do(post, f.Path("/conversations"), map[string]any{"channel": "telegram", "student_id": studentID},
		f.People["curator"].Auth()).Expect(201).Map()
	return out["id"].(string)
}

// message is one message as the API takes it.
type message struct {
	dir, author, kind, text string
	at                      time.Time
}

func student(text string, at time.Time) message {
	return message{"student", "student", "text", text, at}
}
func staff(text string, at time.Time) message { return message{"staff", "staff", "text", text, at} }
func bot(text string, at time.Time) message   { return message{"staff", "bot", "text", text, at} }

func (f *fixture) send(s *apptest.Server, conv string, m message) map[string]any {
	s.T.Helper()
	body := map[string]any{"direction": m.dir, "author_kind": m.author, "kind": m.kind, "text": m.text, "sent_at": m.at.Format(time.RFC3339)}
	if m.author == "staff" {
		body["author_email"] = f.People["curator"].Email
	}
	return s.Do(post, f.Path("/conversations/"+conv+"/messages"), body, f.People["integration"].Auth()).Expect(201).Map()
}

// clockDTO is what the tests read of a clock.
type clockDTO struct {
	ID                  string     `json:"id"`
	ConversationID      string     `json:"conversation_id"`
	Kind                string     `json:"kind"`
	Status              string     `json:"status"`
	StartedAt           time.Time  `json:"started_at"`
	Messages            int        `json:"messages"`
	DueAt               time.Time  `json:"due_at"`
	WarnAt              time.Time  `json:"warn_at"`
	StoppedAt           *time.Time `json:"stopped_at"`
	BusinessSeconds     *int64     `json:"business_seconds"`
	Breached            bool       `json:"breached"`
	TargetSeconds       int64      `json:"target_seconds"`
	PolicyID            string     `json:"policy_id"`
	PolicyVersionNumber int        `json:"policy_version_number"`
	CuratorID           string     `json:"curator_id"`
	DismissReason       string     `json:"dismiss_reason"`
	Version             int64      `json:"version"`
}

func (f *fixture) clock(s *apptest.Server, id string) clockDTO {
	s.T.Helper()
	var c clockDTO
	s.Do(get, f.Path("/sla/clocks/"+id), nil, f.People["curator"].Auth()).Expect(200).Decode(&c)
	return c
}

func (f *fixture) clocks(s *apptest.Server, query string, who apptest.Actor) []clockDTO {
	s.T.Helper()
	var page struct{ Items []clockDTO }
	s.Do(get, f.Path(query), nil, who.Auth()).Expect(200).Decode(&page)
	return page.Items
}

// at moves the test clock and signs everyone in again, since sessions
// expire when the clock jumps ahead.
func (f *fixture) at(s *apptest.Server, t time.Time) {
	s.T.Helper()
	s.Clock.Set(t)
	for role, a := range f.People {
		a.Token = s.Login(a.Email, apptest.Password)
		f.People[role] = a
	}
}

// alwaysOpenPolicy makes every new clock of the school due minutes after
// it starts, around the clock.
func (f *fixture) alwaysOpenPolicy(s *apptest.Server, minutes int) string {
	s.T.Helper()
	return s.Do(post, f.Path("/sla/policies"), map[string]any{"name": "24/7", "always_open": true, "priority": 100,
		"first_response_minutes": minutes, "next_response_minutes": minutes}, f.People["head_of_service"].Auth()).Expect(201).Map()["id"].(string)
}
