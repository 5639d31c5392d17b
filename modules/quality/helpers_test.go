package quality_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/curatorops/curatorops/app/apptest"
	"github.com/curatorops/curatorops/modules/platform/events"
	"github.com/curatorops/curatorops/modules/platform/reqctx"
	"github.com/curatorops/curatorops/modules/school"
	"github.com/curatorops/curatorops/modules/sla"
)

const (
	post = http.MethodPost
	get  = http.MethodGet
	put  = http.MethodPut
)

var msk = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Moscow")
	if err != nil {
		panic(err)
	}
	return loc
}()

// day is the fixture's working day: Monday 2 March 2026 in Moscow.
const day = "2026-03-02"

// at is a Moscow time on the fixture's day.
func at(hour, minute int) time.Time { return time.Date(2026, 3, 2, hour, minute, 0, 0, msk) }

// fixture is a school with one cohort, students, two curators, two senior
// curators and the head, and a 24/7 response policy of 30 minutes.
type fixture struct {
	*apptest.School
	s        *apptest.Server
	cohortID string
	students []string
}

func newFixture(t *testing.T, s *apptest.Server, slug string, students int) *fixture {
	t.Helper()
	sc := s.NewSchool(slug)
	sc.People["curator2"] = s.NewMember(sc.Org.ID, "curator2@"+slug+".test", "curator")
	sc.People["senior2"] = s.NewMember(sc.Org.ID, "senior2@"+slug+".test", "senior_curator")
	f := &fixture{School: sc, s: s}
	ctx, org := s.Ctx(), sc.Org.ID
	course, err := s.Services.School.CreateCourse(ctx, org, school.NewCourse{Title: "Психология"})
	if err != nil {
		t.Fatal(err)
	}
	src, ext := "lms", "co-1"
	cohort, err := s.Services.School.CreateCohort(ctx, org, school.NewCohort{CourseID: course.Course.ID, Name: "Поток 1",
		StartsOn: "2026-01-12", EndsOn: "2026-12-20", Status: school.CohortActive, Source: &src, ExternalID: &ext})
	if err != nil {
		t.Fatal(err)
	}
	f.cohortID = cohort.ID
	for i := 1; i <= students; i++ {
		f.students = append(f.students, f.addStudent(t, fmt.Sprintf("st-%d", i)))
	}
	if _, err := s.Services.SLA.CreatePolicy(ctx, org, "24/7", sla.VersionInput{AlwaysOpen: true, Priority: 100,
		FirstResponseMinutes: 30, NextResponseMinutes: 30}); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *fixture) addStudent(t *testing.T, ext string) string {
	t.Helper()
	f.apply(t, "student.upserted", map[string]any{"external_id": ext, "full_name": "Студент " + ext})
	f.apply(t, "enrollment.upserted", map[string]any{"external_id": "e-" + ext, "student_external_id": ext,
		"cohort_external_id": "co-1", "tariff": "Стандарт", "status": "active", "curator_email": f.People["curator"].Email})
	st, err := f.s.Services.School.StudentByExternalID(f.s.Ctx(), f.Org.ID, "lms", ext)
	if err != nil {
		t.Fatal(err)
	}
	return st.ID
}

func (f *fixture) apply(t *testing.T, kind string, data map[string]any) {
	t.Helper()
	raw, _ := json.Marshal(data)
	if err := events.Apply(f.s.Ctx(), f.s.DB, f.s.Services.School.EventHandlers(), events.Inbound{OrgID: f.Org.ID,
		EventID: kind + fmt.Sprint(data["external_id"]), Type: kind, OccurredAt: apptest.Start, Data: raw}); err != nil {
		t.Fatal(err)
	}
}

// talk opens a conversation with the i-th student: she writes at asked,
// the member with role answers at answered (after 30 minutes the clock
// breached). It returns the conversation and the staff message ids.
func (f *fixture) talk(t *testing.T, i int, role string, asked, answered time.Time) (conv, reply string) {
	t.Helper()
	ctx, org := f.s.Ctx(), f.Org.ID
	c, err := f.s.Services.SLA.CreateConversation(ctx, org, sla.ConversationInput{Channel: sla.ChannelTelegram, StudentID: f.students[i]})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.Services.SLA.AddMessage(ctx, org, c.ID, sla.MessageInput{Direction: sla.DirectionStudent, AuthorKind: sla.AuthorStudent,
		Kind: sla.KindText, Text: "Здравствуйте! Не открывается урок 3, что делать?", SentAt: asked}); err != nil {
		t.Fatal(err)
	}
	m, err := f.s.Services.SLA.AddMessage(ctx, org, c.ID, sla.MessageInput{Direction: sla.DirectionStaff, AuthorKind: sla.AuthorStaff,
		AuthorEmail: f.People[role].Email, Kind: sla.KindText, Text: "Добрый день! Обновите страницу, доступ открыт.", SentAt: answered})
	if err != nil {
		t.Fatal(err)
	}
	return c.ID, m.ID
}

// signIn moves the test clock and signs everyone in again, since sessions
// expire when the clock jumps ahead.
func (f *fixture) signIn(t *testing.T, now time.Time) {
	t.Helper()
	f.s.Clock.Set(now)
	for role, a := range f.People {
		a.Token = f.s.Login(a.Email, apptest.Password)
		f.People[role] = a
	}
}

func (f *fixture) do(role, method, path string, body any, opts ...apptest.Option) *apptest.Response {
	return f.s.Do(method, f.Path(path), body, append(opts, f.People[role].Auth())...)
}

// chatScorecard is the hand-computation fixture's scorecard: weights 10,
// 30, 20, 40; the last may be not applicable.
func chatScorecard() map[string]any {
	return map[string]any{"name": "Чаты", "criteria": []map[string]any{
		{"key": "greeting", "title": "Приветствие и имя", "kind": "yes_no", "weight": 10},
		{"key": "answered", "title": "Ответила на вопрос", "kind": "scale", "weight": 30},
		{"key": "tone", "title": "Тон", "kind": "scale", "weight": 20},
		{"key": "promises", "title": "Без обещаний вне оферты", "kind": "yes_no", "weight": 40, "allow_not_applicable": true},
	}}
}

// scores builds a scores body in the chat scorecard's order; nil is not
// applicable.
func scores(values ...*int) []map[string]any {
	keys := []string{"greeting", "answered", "tone", "promises"}
	out := make([]map[string]any, len(values))
	for i, v := range values {
		out[i] = map[string]any{"key": keys[i]}
		if v != nil {
			out[i]["value"] = *v
		}
	}
	return out
}

func v(n int) *int { return &n }

// ctx is a context for direct service calls.
func (f *fixture) ctx() context.Context { return f.s.Ctx() }

func actingAs(s *apptest.Server, userID string) context.Context {
	return reqctx.With(context.Background(), &reqctx.Meta{Principal: &reqctx.Principal{Kind: reqctx.ActorUser, UserID: userID}})
}
