package surveys_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/app/apptest"
	"github.com/curatorops/curatorops/modules/integration"
	"github.com/curatorops/curatorops/modules/platform/errs"
	"github.com/curatorops/curatorops/modules/platform/ids"
	"github.com/curatorops/curatorops/modules/platform/privacy"
	"github.com/curatorops/curatorops/modules/surveys"
)

func TestSurveyDefinitions(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		f := newFixture(t, s, "defs", 1)
		other := s.NewSchool("defs-other")
		body := map[string]any{"title": "Оценка модуля", "moment": "module_end", "course_id": f.course.Course.ID,
			"questions": []map[string]any{{"key": "csi", "scale": "csi", "text": "Довольны?"}, {"key": "nps", "scale": "nps", "text": "Порекомендуете?"}}}
		created := s.Do(post, f.sc.Path("/surveys"), body, f.as("head_of_service")).Expect(http.StatusCreated)
		id := created.Map()["id"].(string)
		if created.Header.Get("ETag") != `"1"` {
			t.Fatalf("ETag %q", created.Header.Get("ETag"))
		}
		got := s.Do(get, f.sc.Path("/surveys/"+id), nil, f.as("curator")).Expect(http.StatusOK)
		if len(got.Map()["questions"].([]any)) != 2 {
			t.Fatalf("questions: %s", got.Body)
		}
		s.Do(patch, f.sc.Path("/surveys/"+id), map[string]any{"title": "Новое"}, f.as("head_of_service")).ExpectProblem(http.StatusPreconditionRequired)
		s.Do(patch, f.sc.Path("/surveys/"+id), map[string]any{"title": "Новое"}, f.as("head_of_service"), apptest.Header("If-Match", `"7"`)).
			ExpectProblem(http.StatusPreconditionFailed)
		changed := s.Do(patch, f.sc.Path("/surveys/"+id), map[string]any{"title": "Новое"}, f.as("head_of_service"), etag(got)).Expect(http.StatusOK)
		if changed.Map()["title"] != "Новое" || changed.Header.Get("ETag") != `"2"` {
			t.Fatalf("update: %s", changed.Body)
		}
		if n := s.Count("audit_entries", "entity_type = 'survey' AND entity_id = ?", id); n != 2 {
			t.Fatalf("audit entries %d, want 2", n)
		}

		// An answered question keeps its key and scale.
		if _, err := s.Services.Surveys.RecordResponse(s.Ctx(), f.sc.Org.ID, surveys.ResponseInput{SurveyID: id, StudentID: f.students[0].ID,
			CohortID: f.cohort.ID, ModuleID: &f.course.Modules[0].ID, AnsweredAt: time.Date(2026, 2, 1, 10, 0, 0, 0, time.UTC),
			Answers: []surveys.AnswerInput{{QuestionKey: "csi", Value: intp(5)}}}); err != nil {
			t.Fatal(err)
		}
		s.Do(patch, f.sc.Path("/surveys/"+id), map[string]any{"questions": []map[string]any{{"key": "csi", "scale": "nps", "text": "Довольны?"}}},
			f.as("head_of_service"), etag(changed)).ExpectProblem(http.StatusUnprocessableEntity, "body.questions")
		s.Do(patch, f.sc.Path("/surveys/"+id), map[string]any{"questions": []map[string]any{{"key": "nps", "scale": "nps", "text": "?"}}},
			f.as("head_of_service"), etag(changed)).ExpectProblem(http.StatusUnprocessableEntity, "body.questions")

		for _, r := range []struct {
			name   string
			body   map[string]any
			status int
			where  string
		}{
			{"repeated key", map[string]any{"title": "x", "moment": "ad_hoc", "questions": []map[string]any{{"key": "a", "scale": "csi", "text": "a"}, {"key": "a", "scale": "nps", "text": "b"}}}, 422, "body.questions[1].key"},
			{"bad scale", map[string]any{"title": "x", "moment": "ad_hoc", "questions": []map[string]any{{"key": "a", "scale": "stars", "text": "a"}}}, 422, "body.questions[0].scale"},
			{"no questions", map[string]any{"title": "x", "moment": "ad_hoc", "questions": []map[string]any{}}, 422, "body.questions"},
			{"other school's course", map[string]any{"title": "x", "moment": "ad_hoc", "course_id": ids.New(), "questions": []map[string]any{{"key": "a", "scale": "csi", "text": "a"}}}, 422, "body.course_id"},
		} {
			t.Run(r.name, func(t *testing.T) {
				s.WithT(t).Do(post, f.sc.Path("/surveys"), r.body, f.as("head_of_service")).ExpectProblem(r.status, r.where)
			})
		}
		s.Do(post, f.sc.Path("/surveys"), body, f.as("curator")).ExpectProblem(http.StatusForbidden)
		s.Do(get, f.sc.Path("/surveys"), nil, f.as("hr")).ExpectProblem(http.StatusForbidden)
		s.Do(get, f.sc.Path("/surveys"), nil).ExpectProblem(http.StatusUnauthorized)
		s.Do(get, other.Path("/surveys/"+id), nil, other.People["head_of_service"].Auth()).ExpectProblem(http.StatusNotFound)
		list := s.Do(get, other.Path("/surveys"), nil, other.People["head_of_service"].Auth()).Expect(http.StatusOK).Map()
		if len(list["items"].([]any)) != 0 {
			t.Fatalf("another school lists this school's survey: %v", list)
		}
	})
}

func TestResponsesTieAnswersToTheCuratorOfTheMoment(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		f := newFixture(t, s, "moment", 2)
		sv := f.survey(t)
		f.reassign(t, 1, time.Date(2026, 1, 20, 12, 0, 0, 0, time.UTC))
		path := f.sc.Path("/surveys/" + sv.ID + "/responses")
		body := func(student int, at time.Time, csi int) map[string]any {
			return map[string]any{"student_id": f.students[student].ID, "cohort_id": f.cohort.ID, "module_id": f.course.Modules[0].ID,
				"answered_at": at.Format(time.RFC3339), "answers": []map[string]any{{"question_key": "csi", "value": csi},
					{"question_key": "comment", "comment": "Куратор отвечал быстро"}}}
		}
		before := s.Do(post, path, body(1, time.Date(2026, 1, 15, 10, 0, 0, 0, time.UTC), 4), f.as("head_of_service")).Expect(http.StatusCreated).Map()
		items := before["items"].([]any)
		if len(items) != 2 {
			t.Fatalf("answers: %v", before)
		}
		first := items[0].(map[string]any)
		if first["curator_id"] != f.sc.People["curator"].UserID || first["student_name"] != "Студент st-2" || first["cohort_name"] != "Поток 1" ||
			first["question_text"] != "Насколько вы довольны?" || first["source"] != "api" {
			t.Fatalf("the answer before the change counts for the first curator, with names: %v", first)
		}
		// The same student after the change, at the end of another module.
		after := body(1, time.Date(2026, 1, 25, 10, 0, 0, 0, time.UTC), 2)
		after["module_id"] = f.course.Modules[1].ID
		got := s.Do(post, path, after, f.as("head_of_service")).Expect(http.StatusCreated).Map()["items"].([]any)[0].(map[string]any)
		if got["curator_id"] != f.other.UserID || got["curator_name"] == nil {
			t.Fatalf("the answer after the change counts for the new curator: %v", got)
		}
		// One response per student, survey and moment.
		s.Do(post, path, body(1, time.Date(2026, 1, 16, 10, 0, 0, 0, time.UTC), 5), f.as("head_of_service")).ExpectProblem(http.StatusConflict)
		if n := s.Count("survey_answers", "org_id = ?", f.sc.Org.ID); n != 4 {
			t.Fatalf("answers stored %d, want 4", n)
		}

		bad := func(edit func(map[string]any)) map[string]any {
			b := body(0, time.Date(2026, 2, 1, 10, 0, 0, 0, time.UTC), 5)
			edit(b)
			return b
		}
		for _, r := range []struct {
			name  string
			body  map[string]any
			where string
		}{
			{"csi out of scale", bad(func(b map[string]any) { b["answers"] = []map[string]any{{"question_key": "csi", "value": 9}} }), "body.answers[0].value"},
			{"csi without value", bad(func(b map[string]any) { b["answers"] = []map[string]any{{"question_key": "csi"}} }), "body.answers[0].value"},
			{"text without comment", bad(func(b map[string]any) { b["answers"] = []map[string]any{{"question_key": "comment"}} }), "body.answers[0].comment"},
			{"unknown question", bad(func(b map[string]any) { b["answers"] = []map[string]any{{"question_key": "stars", "value": 1}} }), "body.answers[0].question_key"},
			{"same question twice", bad(func(b map[string]any) {
				b["answers"] = []map[string]any{{"question_key": "csi", "value": 1}, {"question_key": "csi", "value": 2}}
			}), "body.answers[1].question_key"},
			{"no module", bad(func(b map[string]any) { delete(b, "module_id") }), "body.module_id"},
			{"module of no course", bad(func(b map[string]any) { b["module_id"] = ids.New() }), "body.module_id"},
			{"future", bad(func(b map[string]any) { b["answered_at"] = "2027-01-01T00:00:00Z" }), "body.answered_at"},
			{"unknown cohort", bad(func(b map[string]any) { b["cohort_id"] = ids.New() }), "body.cohort_id"},
			{"student not enrolled", bad(func(b map[string]any) { b["student_id"] = ids.New() }), "body.student_id"},
		} {
			t.Run(r.name, func(t *testing.T) {
				s.WithT(t).Do(post, path, r.body, f.as("head_of_service")).ExpectProblem(http.StatusUnprocessableEntity, r.where)
			})
		}
		if n := s.Count("survey_answers", "org_id = ?", f.sc.Org.ID); n != 4 {
			t.Fatalf("a refused response stored answers: %d", n)
		}
		s.Do(post, path, body(0, time.Date(2026, 2, 1, 10, 0, 0, 0, time.UTC), 5), f.as("curator")).ExpectProblem(http.StatusForbidden)
		s.Do(post, f.sc.Path("/surveys/"+ids.New()+"/responses"), body(0, time.Date(2026, 2, 1, 10, 0, 0, 0, time.UTC), 5), f.as("head_of_service")).
			ExpectProblem(http.StatusUnprocessableEntity, "body.survey_id")
	})
}

// observed records what an AnswerObserver hears.
type observed struct{ facts []surveys.AnswerFact }

func (o *observed) SurveyAnswered(_ context.Context, _ bun.IDB, a surveys.AnswerFact) error {
	o.facts = append(o.facts, a)
	return nil
}

func TestEventsStoreAnswersOnceAndTellObservers(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		f := newFixture(t, s, "events", 2)
		sv := f.survey(t)
		obs := &observed{}
		s.Services.Surveys.ObserveAnswers(obs)
		at := time.Date(2026, 2, 10, 18, 0, 0, 0, time.UTC)
		if err := f.event("ev-1", answered(sv.ID, 0, 1, 5, 10, at)); err != nil {
			t.Fatal(err)
		}
		// The LMS sends the same response again under a new event id.
		if err := f.event("ev-2", answered(sv.ID, 0, 1, 5, 10, at)); err != nil {
			t.Fatal(err)
		}
		if n := s.Count("survey_answers", "org_id = ?", f.sc.Org.ID); n != 2 {
			t.Fatalf("answers %d, want 2 (csi and nps, once)", n)
		}
		if len(obs.facts) != 2 || obs.facts[0].Scale != "csi" || obs.facts[0].Value != 5 || obs.facts[1].Value != 10 ||
			obs.facts[0].CuratorID == nil || *obs.facts[0].CuratorID != f.sc.People["curator"].UserID || obs.facts[0].ModuleID == nil {
			t.Fatalf("observers hear each new numeric answer once: %+v", obs.facts)
		}
		for _, r := range []struct {
			name  string
			data  map[string]any
			where string
		}{
			{"no survey", map[string]any{"student_external_id": "st-1", "cohort_external_id": "cohort-1", "answered_at": at, "answers": []any{}}, "data.survey_id"},
			{"unknown student", answered(sv.ID, 7, 1, 5, 10, at), "data.student_external_id"},
			{"module out of course", answered(sv.ID, 1, 9, 5, 10, at), "data.module_position"},
			{"nps out of scale", answered(sv.ID, 1, 2, 5, 11, at), "data.answers[1].value"},
		} {
			t.Run(r.name, func(t *testing.T) {
				err := f.event("bad-"+r.name, r.data)
				if err == nil || !names(err, r.where) {
					t.Fatalf("want a refusal naming %s, got %v", r.where, err)
				}
			})
		}
	})
}

// names reports whether a validation error names the field.
func names(err error, where string) bool {
	var v *errs.ValidationError
	if !errors.As(err, &v) {
		return false
	}
	for _, f := range v.Fields {
		if f.Location == where {
			return true
		}
	}
	return false
}

func TestReplayFillsPendingAnswersOnce(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		f := newFixture(t, s, "replay", 3)
		sv := f.survey(t)
		// Events the inbox kept before the surveys module existed.
		for i := 0; i < 3; i++ {
			data, _ := json.Marshal(answered(sv.ID, i, 1, 3+i, 7+i, time.Date(2026, 2, 10+i, 9, 0, 0, 0, time.UTC)))
			row := &integration.InboxEvent{ID: ids.New(), OrgID: f.sc.Org.ID, EventID: "old-" + string(rune('a'+i)), Type: surveys.EventSurveyAnswered,
				OccurredAt: time.Date(2026, 2, 10, 9, 0, 0, 0, time.UTC), ReceivedAt: time.Date(2026, 2, 10, 9, 0, 0, 0, time.UTC), Data: data,
				Status: integration.InboxPendingHandler}
			if _, err := s.DB.NewInsert().Model(row).Exec(context.Background()); err != nil {
				t.Fatal(err)
			}
		}
		replay := map[string]any{"types": []string{surveys.EventSurveyAnswered}}
		first := s.Do(post, f.sc.Path("/events/replay"), replay, f.as("admin")).Expect(http.StatusOK).Map()
		if first["applied"] != float64(3) || first["remaining"] != float64(0) {
			t.Fatalf("first replay: %v", first)
		}
		second := s.Do(post, f.sc.Path("/events/replay"), replay, f.as("admin")).Expect(http.StatusOK).Map()
		if second["applied"] != float64(0) {
			t.Fatalf("second replay applied again: %v", second)
		}
		if n := s.Count("survey_answers", "org_id = ? AND source = 'lms' AND event_id LIKE 'old-%'", f.sc.Org.ID); n != 6 {
			t.Fatalf("answers after two replays %d, want 6", n)
		}
		// A batch sent twice through the API stores the answers once.
		batch := []map[string]any{{"event_id": "live-1", "type": surveys.EventSurveyAnswered, "occurred_at": "2026-02-20T09:00:00Z",
			"data": answered(sv.ID, 0, 2, 5, 9, time.Date(2026, 2, 20, 9, 0, 0, 0, time.UTC))}}
		for i := 0; i < 2; i++ {
			s.Do(post, f.sc.Path("/events"), map[string]any{"events": batch}, f.as("integration")).Expect(http.StatusOK)
		}
		if n := s.Count("survey_answers", "org_id = ?", f.sc.Org.ID); n != 8 {
			t.Fatalf("answers %d, want 8", n)
		}
	})
}

func TestAnswersVisibilityAndTags(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		f := newFixture(t, s, "seen", 2)
		other := s.NewSchool("seen-other")
		sv := f.survey(t)
		f.reassign(t, 1, time.Date(2026, 1, 20, 12, 0, 0, 0, time.UTC))
		for i := 0; i < 2; i++ {
			if err := f.event("ev-"+string(rune('a'+i)), answered(sv.ID, i, 1, 4, 9, time.Date(2026, 2, 1, 9, 0, 0, 0, time.UTC))); err != nil {
				t.Fatal(err)
			}
		}
		list := func(role string) []any {
			return s.Do(get, f.sc.Path("/survey-answers?limit=50"), nil, f.as(role)).Expect(http.StatusOK).Map()["items"].([]any)
		}
		if n := len(list("head_of_service")); n != 4 {
			t.Fatalf("the head sees %d answers, want 4", n)
		}
		if n := len(list("senior_curator")); n != 4 {
			t.Fatalf("a senior sees %d answers, want 4", n)
		}
		mine := list("curator")
		if len(mine) != 2 {
			t.Fatalf("the first curator sees %d answers, want her student's 2", len(mine))
		}
		theirs := s.Do(get, f.sc.Path("/survey-answers?curator_id="+f.other.UserID), nil, f.as("curator")).Expect(http.StatusOK).Map()["items"].([]any)
		if len(theirs) != 0 {
			t.Fatalf("a curator reads another curator's answers: %v", theirs)
		}
		hidden := s.Do(get, f.sc.Path("/survey-answers?curator_id="+f.other.UserID), nil, f.as("head_of_service")).Expect(http.StatusOK).Map()["items"].([]any)
		id := hidden[0].(map[string]any)["id"].(string)
		s.Do(get, f.sc.Path("/survey-answers/"+id), nil, f.as("curator")).ExpectProblem(http.StatusNotFound)
		for _, role := range []string{"hr", "finance"} {
			s.Do(get, f.sc.Path("/survey-answers"), nil, f.as(role)).ExpectProblem(http.StatusForbidden)
		}
		s.Do(get, other.Path("/survey-answers/"+id), nil, other.People["head_of_service"].Auth()).ExpectProblem(http.StatusNotFound)
		s.Do(get, f.sc.Path("/survey-answers?from=2026-03-01T00:00:00Z&to=2026-02-01T00:00:00Z"), nil, f.as("head_of_service")).
			ExpectProblem(http.StatusUnprocessableEntity, "query.to")

		// Tags: the head and senior curators, with If-Match.
		read := s.Do(get, f.sc.Path("/survey-answers/"+id), nil, f.as("senior_curator")).Expect(http.StatusOK)
		if read.Header.Get("ETag") != `"1"` {
			t.Fatalf("an untagged answer's ETag %q", read.Header.Get("ETag"))
		}
		tagsPath := f.sc.Path("/survey-answers/" + id + "/tags")
		s.Do(put, tagsPath, map[string]any{"tags": []string{"сроки"}}, f.as("senior_curator")).ExpectProblem(http.StatusPreconditionRequired)
		tagged := s.Do(put, tagsPath, map[string]any{"tags": []string{"сроки", "куратор", "сроки"}}, f.as("senior_curator"), etag(read)).Expect(http.StatusOK)
		if tags := tagged.Map()["tags"].([]any); len(tags) != 2 || tagged.Header.Get("ETag") != `"2"` {
			t.Fatalf("tags: %s %s", tagged.Body, tagged.Header.Get("ETag"))
		}
		s.Do(put, tagsPath, map[string]any{"tags": []string{"другое"}}, f.as("head_of_service"), etag(read)).ExpectProblem(http.StatusPreconditionFailed)
		s.Do(put, tagsPath, map[string]any{"tags": []string{"другое"}}, f.as("curator"), etag(tagged)).ExpectProblem(http.StatusForbidden)
		s.Do(put, tagsPath, map[string]any{"tags": []string{"строка\nдве"}}, f.as("head_of_service"), etag(tagged)).ExpectProblem(http.StatusUnprocessableEntity)
		byTag := s.Do(get, f.sc.Path("/survey-answers?tag=куратор"), nil, f.as("head_of_service")).Expect(http.StatusOK).Map()["items"].([]any)
		if len(byTag) != 1 {
			t.Fatalf("answers tagged: %v", byTag)
		}
		if n := s.Count("audit_entries", "entity_type = 'survey_answer_tags' AND entity_id = ?", id); n != 1 {
			t.Fatalf("tag audit entries %d", n)
		}
	})
}

func TestAnswersAreAppendOnlyAndErasureBlanksComments(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		f := newFixture(t, s, "evidence", 1)
		sv := f.survey(t)
		if err := f.event("ev-1", answered(sv.ID, 0, 1, 2, 3, time.Date(2026, 2, 1, 9, 0, 0, 0, time.UTC))); err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		if _, err := s.DB.NewUpdate().TableExpr("survey_answers").Set("value = 5").Where("org_id = ?", f.sc.Org.ID).Exec(ctx); err == nil {
			t.Fatal("an answer's value was changed in place")
		}
		if _, err := s.DB.NewDelete().TableExpr("survey_answers").Where("org_id = ?", f.sc.Org.ID).Exec(ctx); err == nil {
			t.Fatal("an answer was deleted")
		}
		err := s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			return s.Services.Surveys.EraseSubject(ctx, tx, privacy.Subject{OrgID: f.sc.Org.ID, EntityType: "student", EntityID: f.students[0].ID})
		})
		if err != nil {
			t.Fatal(err)
		}
		if n := s.Count("survey_answers", "org_id = ? AND comment IS NOT NULL", f.sc.Org.ID); n != 0 {
			t.Fatalf("comments left after erasure: %d", n)
		}
		got, err := s.Services.Surveys.StudentAnswers(ctx, nil, f.sc.Org.ID, f.students[0].ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || *got[0].Value != 2 || got[0].SurveyTitle != "Оценка модуля" || got[0].QuestionText == "" {
			t.Fatalf("scores stay after erasure: %+v", got)
		}
		low, err := s.Services.Surveys.LowScoreAnswers(ctx, f.sc.Org.ID, time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 2, 2, 0, 0, 0, 0, time.UTC))
		if err != nil {
			t.Fatal(err)
		}
		if len(low) != 1 || low[0].Value != 2 || low[0].StudentID != f.students[0].ID {
			t.Fatalf("low scores: %+v", low)
		}
	})
}
