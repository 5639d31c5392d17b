package hiring_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/curatorops/curatorops/app/apptest"
	"github.com/curatorops/curatorops/modules/homework"
	"github.com/curatorops/curatorops/modules/platform/bizcal"
	"github.com/curatorops/curatorops/modules/school"
)

const (
	get   = http.MethodGet
	post  = http.MethodPost
	put   = http.MethodPut
	patch = http.MethodPatch
)

func str(s string) *string { return &s }

func etag(r *apptest.Response) apptest.Option {
	return apptest.Header("If-Match", r.Header.Get("ETag"))
}

// seedSubmission gives the school a course with a rubric of 10 points, a
// student named Иван Петров and his submission, whose text names him.
func seedSubmission(t *testing.T, s *apptest.Server, sc *apptest.School) string {
	t.Helper()
	ctx, org := s.Ctx(), sc.Org.ID
	day := []bizcal.Interval{{Start: "09:00", End: "21:00"}}
	if _, err := s.Services.School.CreateCalendar(ctx, org, school.CalendarInput{Name: "Main", IsDefault: true,
		Spec: bizcal.Spec{TimeZone: "Europe/Moscow", Weekly: bizcal.Weekly{Monday: day, Tuesday: day, Wednesday: day, Thursday: day, Friday: day}}}); err != nil {
		t.Fatal(err)
	}
	course, err := s.Services.School.CreateCourse(ctx, org, school.NewCourse{Title: "Веб-дизайн", Modules: []school.NewModule{{Title: "Лендинг",
		Assignments: []school.NewAssignment{{Title: "Лендинг", Kind: school.KindRegular, Source: str("lms"), ExternalID: str("hw-1"),
			Rubric: []school.Criterion{{Key: "layout", Title: "Вёрстка", MaxPoints: 6, Required: true}, {Key: "text", Title: "Тексты", MaxPoints: 4}}}}}}})
	if err != nil {
		t.Fatal(err)
	}
	cohort, err := s.Services.School.CreateCohort(ctx, org, school.NewCohort{CourseID: course.Course.ID, Name: "Поток 1", StartsOn: "2026-02-01",
		EndsOn: "2026-06-30", Status: school.CohortActive})
	if err != nil {
		t.Fatal(err)
	}
	st, err := s.Services.School.CreateStudent(ctx, org, school.StudentInput{FullName: "Иван Петров", Email: str("ivan@example.com"),
		External: school.External{Source: str("lms"), ExternalID: str("st-1")}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Services.School.CreateEnrollment(ctx, org, school.EnrollmentInput{StudentID: st.ID, CohortID: cohort.ID, Status: school.EnrollmentActive}); err != nil {
		t.Fatal(err)
	}
	sub, err := s.Services.Homework.Submit(ctx, org, homework.NewSubmission{Source: "lms", ExternalID: "sub-1", StudentExternalID: "st-1",
		AssignmentExternalID: "hw-1", SubmittedAt: s.Clock.Now().Add(-time.Hour),
		Content: homework.SubmissionContent{Text: "Здравствуйте, я Иван Петров (ivan@example.com). Вот мой лендинг.", Links: []string{"https://figma.com/file/1"}}})
	if err != nil {
		t.Fatal(err)
	}
	return sub.ID
}

// TestHiringPathThroughTheAPI walks a candidate from the application to the
// hire: vacancy, candidate, moves, a calibration test task through the
// candidate's link, two interviewers' scorecards, the offer, and the
// acceptance that creates the account, the curator membership and the
// onboarding plan.
func TestHiringPathThroughTheAPI(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		sc := s.NewSchool("alpha")
		other := s.NewSchool("beta")
		hr, head, senior := sc.People["hr"].Auth(), sc.People["head_of_service"].Auth(), sc.People["senior_curator"].Auth()
		submissionID := seedSubmission(t, s, sc)

		var vacancy struct{ ID string }
		s.Do(post, sc.Path("/hiring-vacancies"), map[string]any{"title": "Куратор веб-дизайна", "headcount": 2,
			"pay_scheme": "Оклад + 150 ₽ за проверку", "status": "open"}, hr).Expect(http.StatusCreated).Decode(&vacancy)
		var cand struct {
			ID      string
			Version int64
		}
		s.Do(post, sc.Path("/hiring-candidates"), map[string]any{"full_name": "Анна Соколова", "email": "anna@example.com",
			"source": "referral", "consent_expires_at": s.Clock.Now().AddDate(1, 0, 0)}, hr).Expect(http.StatusCreated).Decode(&cand)
		var app struct {
			ID        string
			StageKind string `json:"stage_kind"`
		}
		r := s.Do(post, sc.Path("/hiring-applications"), map[string]any{"candidate_id": cand.ID, "vacancy_id": vacancy.ID}, hr).Expect(http.StatusCreated)
		r.Decode(&app)
		if app.StageKind != "applied" {
			t.Fatalf("first stage %s", app.StageKind)
		}
		var stages struct {
			Items []struct{ ID, Key string }
		}
		s.Do(get, sc.Path("/hiring-stages"), nil, hr).Expect(http.StatusOK).Decode(&stages)
		stage := map[string]string{}
		for _, st := range stages.Items {
			stage[st.Key] = st.ID
		}
		// A move needs If-Match: 428 without, 412 when stale.
		s.Do(post, sc.Path("/hiring-applications/"+app.ID+"/moves"), map[string]any{"stage_id": stage["screening"]}, hr).Expect(http.StatusPreconditionRequired)
		s.Do(post, sc.Path("/hiring-applications/"+app.ID+"/moves"), map[string]any{"stage_id": stage["screening"]}, hr,
			apptest.Header("If-Match", `"9"`)).Expect(http.StatusPreconditionFailed)
		r = s.Do(post, sc.Path("/hiring-applications/"+app.ID+"/moves"), map[string]any{"stage_id": stage["screening"]}, hr, etag(r)).Expect(http.StatusOK)
		r = s.Do(post, sc.Path("/hiring-applications/"+app.ID+"/moves"), map[string]any{"stage_id": stage["test_task"]}, hr, etag(r)).Expect(http.StatusOK)

		// The head marks the calibration item; the student's name is gone.
		var item struct {
			ID      string
			Content struct{ Text string }
		}
		s.Do(post, sc.Path("/hiring-calibration-items"), map[string]any{"submission_id": submissionID, "title": "Лендинг",
			"reference_verdict": "rework_requested", "reference_score": 6}, hr).Expect(http.StatusForbidden)
		s.Do(post, sc.Path("/hiring-calibration-items"), map[string]any{"submission_id": submissionID, "title": "Лендинг",
			"reference_verdict": "rework_requested", "reference_score": 11}, head).ExpectProblem(http.StatusUnprocessableEntity, "body.reference_score")
		s.Do(post, sc.Path("/hiring-calibration-items"), map[string]any{"submission_id": submissionID, "title": "Лендинг",
			"reference_verdict": "rework_requested", "reference_score": 6}, head).Expect(http.StatusCreated).Decode(&item)
		if strings.Contains(item.Content.Text, "Иван") || strings.Contains(item.Content.Text, "ivan@") {
			t.Fatalf("calibration text names the student: %q", item.Content.Text)
		}
		s.Do(post, other.Path("/hiring-calibration-items"), map[string]any{"submission_id": submissionID, "title": "x",
			"reference_verdict": "accepted", "reference_score": 1}, other.People["head_of_service"].Auth()).ExpectProblem(http.StatusUnprocessableEntity, "body.submission_id")

		var issued struct {
			Task     struct{ ID string }
			Token    string
			LinkPath string `json:"link_path"`
		}
		s.Do(post, sc.Path("/hiring-applications/"+app.ID+"/test-tasks"), map[string]any{}, hr).Expect(http.StatusCreated).Decode(&issued)
		// The candidate's link: no account, no reference, nothing of the student.
		view := s.Do(get, issued.LinkPath, nil).Expect(http.StatusOK)
		for _, secret := range []string{"reference", "rework_requested", "Иван", submissionID, cand.ID} {
			if strings.Contains(string(view.Body), secret) {
				t.Errorf("the candidate's view shows %q: %s", secret, view.Body)
			}
		}
		s.Do(post, issued.LinkPath+"/submission", map[string]any{"answers": []map[string]any{{"item_id": item.ID, "verdict": "rework_requested",
			"score": 11}}}).ExpectProblem(http.StatusUnprocessableEntity, "body.answers[0].score")
		s.Do(post, issued.LinkPath+"/submission", map[string]any{"answers": []map[string]any{{"item_id": item.ID, "verdict": "rework_requested",
			"score": 4, "comment": "Поправьте отступы"}}}).Expect(http.StatusOK)
		s.Do(post, issued.LinkPath+"/submission", map[string]any{"answers": []map[string]any{{"item_id": item.ID, "verdict": "accepted",
			"score": 6}}}).Expect(http.StatusConflict)
		s.Do(get, "/v1/hiring/test-tasks/"+strings.Repeat("x", 43), nil).Expect(http.StatusNotFound)
		var result struct {
			Agreement struct {
				Numerator, Denominator int
				Percent                float64
			}
			MeanDeviation float64 `json:"mean_score_deviation"`
		}
		s.Do(get, sc.Path("/hiring-test-tasks/"+issued.Task.ID), nil, hr).Expect(http.StatusOK).Decode(&result)
		if result.Agreement.Numerator != 1 || result.Agreement.Denominator != 1 || result.MeanDeviation != 2 {
			t.Fatalf("result %+v", result)
		}
		s.Do(get, other.Path("/hiring-test-tasks/"+issued.Task.ID), nil, other.People["hr"].Auth()).Expect(http.StatusNotFound)

		// Two interviewers, kept apart and combined.
		scores := map[string]any{"scores": map[string]int{"communication": 5, "tone": 5, "accuracy": 4, "speed": 4}, "recommendation": "hire"}
		s.Do(post, sc.Path("/hiring-applications/"+app.ID+"/scorecards"), scores, senior).Expect(http.StatusCreated)
		s.Do(post, sc.Path("/hiring-applications/"+app.ID+"/scorecards"), map[string]any{"scores": map[string]int{"communication": 3, "tone": 3,
			"accuracy": 3, "speed": 3}, "recommendation": "undecided"}, head).Expect(http.StatusCreated)
		var cards struct {
			Items []struct {
				InterviewerName string `json:"interviewer_name"`
			}
			Combined struct {
				Scorecards int
				Score      float64
			}
		}
		s.Do(get, sc.Path("/hiring-applications/"+app.ID+"/scorecards"), nil, senior).Expect(http.StatusOK).Decode(&cards)
		if len(cards.Items) != 1 || cards.Combined.Scorecards != 1 || cards.Combined.Score != 4.5 {
			t.Fatalf("an interviewer sees %+v", cards)
		}
		s.Do(get, sc.Path("/hiring-applications/"+app.ID+"/scorecards"), nil, hr).Expect(http.StatusOK).Decode(&cards)
		if len(cards.Items) != 2 || cards.Combined.Score != 3.75 || cards.Items[0].InterviewerName == "" {
			t.Fatalf("HR sees %+v", cards)
		}

		// The offer; HR accepts for the candidate with no admin involved.
		var offer struct {
			Offer struct{ ID string }
			Token string
		}
		s.Do(post, sc.Path("/hiring-applications/"+app.ID+"/offers"), map[string]any{"start_date": "2026-03-16", "pay_scheme": "Оклад + KPI",
			"monthly_base_kopecks": 2000000, "mentor_id": sc.People["senior_curator"].UserID}, sc.People["curator"].Auth()).Expect(http.StatusForbidden)
		s.Do(post, sc.Path("/hiring-applications/"+app.ID+"/offers"), map[string]any{"start_date": "2026-03-16", "pay_scheme": "Оклад + KPI",
			"monthly_base_kopecks": 2000000, "mentor_id": sc.People["senior_curator"].UserID}, hr).Expect(http.StatusCreated).Decode(&offer)
		var open struct {
			Status   string
			FullName string `json:"full_name"`
		}
		s.Do(get, "/v1/hiring/offers/"+offer.Token, nil).Expect(http.StatusOK).Decode(&open)
		if open.Status != "sent" || open.FullName != "Анна Соколова" {
			t.Fatalf("offer view %+v", open)
		}
		s.Do(post, "/v1/hiring/offers/"+offer.Token+"/acceptance", map[string]any{"password": "password12"}).ExpectProblem(http.StatusUnprocessableEntity, "body.password")
		if n := s.Count("users", "email = ?", "anna@example.com"); n != 0 {
			t.Fatal("a refused acceptance left an account")
		}
		var accepted struct {
			Status string
			UserID string `json:"user_id"`
			PlanID string `json:"plan_id"`
		}
		s.Do(post, sc.Path("/hiring-offers/"+offer.Offer.ID+"/acceptance"), map[string]any{"password": "Sokolova-curator-2026!"}, hr).
			Expect(http.StatusOK).Decode(&accepted)
		if accepted.Status != "accepted" || accepted.UserID == "" || accepted.PlanID == "" {
			t.Fatalf("accepted %+v", accepted)
		}
		// The hire signs in and is a curator of the school.
		token := s.Login("anna@example.com", "Sokolova-curator-2026!")
		var me struct {
			Memberships []struct {
				Org   struct{ Slug string }
				Roles []string
			}
		}
		s.Do(get, "/v1/me", nil, apptest.Bearer(token)).Expect(http.StatusOK).Decode(&me)
		if !strings.Contains(string(s.Do(get, "/v1/me", nil, apptest.Bearer(token)).Body), "curator") {
			t.Fatalf("the hire's memberships: %+v", me)
		}
		var moves struct {
			Items []struct {
				ToStageTitle string `json:"to_stage_title"`
				ActorName    string `json:"actor_name"`
			}
		}
		s.Do(get, sc.Path("/hiring-applications/"+app.ID+"/moves"), nil, hr).Expect(http.StatusOK).Decode(&moves)
		if len(moves.Items) != 5 || moves.Items[4].ToStageTitle != "Нанят" {
			t.Fatalf("history %+v", moves.Items)
		}
		s.Do(post, "/v1/hiring/offers/"+offer.Token+"/acceptance", map[string]any{"password": "Sokolova-curator-2026!"}).Expect(http.StatusConflict)
	})
}

func TestHiringAccessAndInput(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		sc := s.NewSchool("alpha")
		other := s.NewSchool("beta")
		hr := sc.People["hr"].Auth()
		s.Do(get, sc.Path("/hiring-candidates"), nil).Expect(http.StatusUnauthorized)
		for _, role := range []string{"curator", "finance", "integration"} {
			s.Do(get, sc.Path("/hiring-candidates"), nil, sc.People[role].Auth()).Expect(http.StatusForbidden)
		}
		s.Do(post, sc.Path("/hiring-candidates"), map[string]any{"full_name": "X", "source": "referral",
			"consent_expires_at": s.Clock.Now().Add(-time.Hour)}, hr).ExpectProblem(http.StatusUnprocessableEntity, "body.consent_expires_at")
		s.Do(post, sc.Path("/hiring-candidates"), map[string]any{"full_name": "X", "source": "referral", "phone": "not a phone",
			"consent_expires_at": s.Clock.Now().AddDate(0, 1, 0)}, hr).ExpectProblem(http.StatusUnprocessableEntity, "body.phone")
		var cand struct{ ID string }
		r := s.Do(post, sc.Path("/hiring-candidates"), map[string]any{"full_name": "Олег Котов", "telegram": "@kotov", "source": "job_site",
			"consent_expires_at": s.Clock.Now().AddDate(0, 6, 0)}, hr).Expect(http.StatusCreated)
		r.Decode(&cand)
		// Cross-school: the other school's HR cannot see or touch it.
		otherHR := other.People["hr"].Auth()
		s.Do(get, other.Path("/hiring-candidates/"+cand.ID), nil, otherHR).Expect(http.StatusNotFound)
		s.Do(put, other.Path("/hiring-candidates/"+cand.ID+"/reserve"), map[string]any{"in_reserve": true, "tags": []string{}}, otherHR, etag(r)).
			Expect(http.StatusNotFound)
		var vacancy struct{ ID string }
		s.Do(post, other.Path("/hiring-vacancies"), map[string]any{"title": "V", "headcount": 1, "pay_scheme": "KPI", "status": "open"}, otherHR).
			Expect(http.StatusCreated).Decode(&vacancy)
		s.Do(post, sc.Path("/hiring-applications"), map[string]any{"candidate_id": cand.ID, "vacancy_id": vacancy.ID}, hr).
			ExpectProblem(http.StatusUnprocessableEntity, "body.vacancy_id")
		// The reserve: tags and a recontact date, then a search.
		r = s.Do(put, sc.Path("/hiring-candidates/"+cand.ID+"/reserve"), map[string]any{"in_reserve": true, "tags": []string{"Figma", "дизайн"},
			"recontact_on": "2026-03-01"}, hr, etag(r)).Expect(http.StatusOK)
		var found struct{ Items []struct{ ID string } }
		s.Do(get, sc.Path("/hiring-candidates?in_reserve=true&tag=figma&recontact_due=true"), nil, hr).Expect(http.StatusOK).Decode(&found)
		if len(found.Items) != 1 {
			t.Fatalf("reserve search found %d", len(found.Items))
		}
		// Export, then erasure, audited and scrubbed from the audit log.
		s.Do(get, sc.Path("/hiring-candidates/"+cand.ID+"/export"), nil, sc.People["head_of_service"].Auth()).Expect(http.StatusForbidden)
		if !strings.Contains(string(s.Do(get, sc.Path("/hiring-candidates/"+cand.ID+"/export"), nil, hr).Expect(http.StatusOK).Body), "Олег Котов") {
			t.Fatal("the export lacks the candidate")
		}
		s.Do(post, sc.Path("/hiring-candidates/"+cand.ID+"/erase"), nil, hr).Expect(http.StatusOK)
		s.Do(post, sc.Path("/hiring-candidates/"+cand.ID+"/erase"), nil, hr).Expect(http.StatusConflict)
		if n := s.Count("audit_entries", "CAST(changes AS text) LIKE ?", "%Котов%"); n != 0 {
			t.Fatalf("the audit log keeps the name in %d entries", n)
		}
		// Bad input on the metrics period, and no data means null figures.
		s.Do(get, sc.Path("/hiring-metrics?from=2026-04-01T00:00:00Z&to=2026-03-01T00:00:00Z"), nil, hr).Expect(http.StatusUnprocessableEntity)
		var m struct {
			OfferAcceptance struct{ Percent *float64 } `json:"offer_acceptance"`
		}
		s.Do(get, sc.Path("/hiring-metrics?from=2026-01-01T00:00:00Z&to=2026-04-01T00:00:00Z"), nil, hr).Expect(http.StatusOK).Decode(&m)
		if m.OfferAcceptance.Percent != nil {
			t.Fatal("offer acceptance without offers is not null")
		}
		s.Do(patch, sc.Path("/hiring-stages/"+cand.ID), map[string]any{"title": "x"}, hr, apptest.Header("If-Match", `"1"`)).Expect(http.StatusNotFound)
	})
}
