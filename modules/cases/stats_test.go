package cases_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/curatorops/curatorops/app/apptest"
)

type countsRow struct {
	CohortID    string  `json:"cohort_id"`
	CuratorID   *string `json:"curator_id"`
	CuratorName *string `json:"curator_name"`
	Requests    int     `json:"requests"`
	Conversion  struct {
		Part    int      `json:"part"`
		Whole   int      `json:"whole"`
		Percent *float64 `json:"percent"`
	} `json:"conversion"`
	Submissions    int `json:"submissions"`
	Pending        int `json:"pending"`
	Rejected       int `json:"rejected"`
	Reviews        int `json:"reviews"`
	Videos         int `json:"videos"`
	ReviewTarget   *int
	ReviewProgress *struct {
		Part    int      `json:"part"`
		Whole   int      `json:"whole"`
		Percent *float64 `json:"percent"`
	} `json:"review_progress"`
	VideoProgress *struct {
		Part    int      `json:"part"`
		Whole   int      `json:"whole"`
		Percent *float64 `json:"percent"`
	} `json:"video_progress"`
	Median *float64 `json:"median_hours_to_collect"`
	Sample int      `json:"collect_sample"`
}

func (r countsRow) String() string {
	pct := func(p *float64) string {
		if p == nil {
			return "null"
		}
		return fmt.Sprintf("%.2f", *p)
	}
	med := "null"
	if r.Median != nil {
		med = fmt.Sprintf("%.1f", *r.Median)
	}
	s := fmt.Sprintf("req %d conv %d/%d=%s subs %d pend %d rej %d reviews %d videos %d median %s/%d", r.Requests, r.Conversion.Part,
		r.Conversion.Whole, pct(r.Conversion.Percent), r.Submissions, r.Pending, r.Rejected, r.Reviews, r.Videos, med, r.Sample)
	if r.ReviewProgress != nil {
		s += fmt.Sprintf(" progress %d/%d=%s %d/%d=%s", r.ReviewProgress.Part, r.ReviewProgress.Whole, pct(r.ReviewProgress.Percent),
			r.VideoProgress.Part, r.VideoProgress.Whole, pct(r.VideoProgress.Percent))
	}
	return s
}

// Counts per cohort and per curator equal a hand count.
func TestCounts(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		f := newFixture(t, s, "counts", 4) // students 0–3: cohort 1, curator C
		c2 := s.NewMember(f.sc.Org.ID, "c2@counts.test", "curator")
		f.addStudent(t, 1, c2.UserID, nil) // student 4: cohort 2, curator C2
		f.addStudent(t, 1, c2.UserID, nil) // student 5: asked by nobody

		// Four requests at T0; three answered after 10, 20 and 30 hours.
		t0 := s.Clock.Now()
		tokens := map[int]string{}
		for _, i := range []int{0, 1, 2, 4} {
			_, tokens[i] = f.ask(t, i)
		}
		answer := func(i int, body map[string]any) {
			f.advance(10 * time.Hour)
			s.Do(post, "/v1/case-requests/"+tokens[i], body).Expect(http.StatusCreated)
		}
		consent := map[string]any{"scopes": []string{"website"}, "text_version": "v1"}
		answer(0, map[string]any{"text": "Видео-кейс", "video_url": "https://youtu.be/x"})
		answer(1, map[string]any{"text": "Отзыв", "consent": consent})
		answer(4, map[string]any{"text": "Не по теме"})
		// Student 3's case taken down by hand, credited to C2.
		rec := f.record(t, 3, map[string]any{"text": "Рассказал на созвоне", "curator_id": c2.UserID})

		var list struct {
			Items []struct {
				ID        string `json:"id"`
				StudentID string `json:"student_id"`
				Version   int    `json:"version"`
			} `json:"items"`
		}
		s.Do(get, f.sc.Path("/cases?limit=10"), nil, f.as("head_of_service")).Expect(http.StatusOK).Decode(&list)
		byStudent := map[string]map[string]any{}
		for _, it := range list.Items {
			byStudent[it.StudentID] = map[string]any{"id": it.ID, "version": float64(it.Version)}
		}
		f.moderate(t, byStudent[f.students[0].ID], "approved", "")
		f.moderate(t, f.moderate(t, byStudent[f.students[1].ID], "approved", ""), "published", "")
		f.moderate(t, byStudent[f.students[4].ID], "rejected", "не о курсе")
		f.moderate(t, rec, "approved", "")
		s.Do(put, f.sc.Path("/case-targets/"+f.cohorts[1].ID), map[string]any{"video_target": 2, "review_target": 4},
			f.as("head_of_service")).Expect(http.StatusOK)

		var cohorts struct{ Items []countsRow }
		s.Do(get, f.sc.Path("/case-stats/cohorts"), nil, f.as("head_of_service")).Expect(http.StatusOK).Decode(&cohorts)
		want := []string{
			"req 3 conv 2/3=66.67 subs 3 pend 0 rej 0 reviews 3 videos 1 median 10.0/2 progress 3/100=3.00 1/10=10.00",
			"req 1 conv 1/1=100.00 subs 1 pend 0 rej 1 reviews 0 videos 0 median 30.0/1 progress 0/4=0.00 0/2=0.00",
		}
		if len(cohorts.Items) != 2 {
			t.Fatalf("%d cohorts", len(cohorts.Items))
		}
		for i, w := range want {
			if got := cohorts.Items[i].String(); got != w || cohorts.Items[i].CohortID != f.cohorts[i].ID {
				t.Errorf("cohort %d:\n got %s\nwant %s", i+1, got, w)
			}
		}

		var curators struct{ Items []countsRow }
		s.Do(get, f.sc.Path("/case-stats/curators"), nil, f.as("senior_curator")).Expect(http.StatusOK).Decode(&curators)
		wantCurators := map[string]string{
			f.sc.People["curator"].UserID: "req 3 conv 2/3=66.67 subs 2 pend 0 rej 0 reviews 2 videos 1 median 10.0/2",
			c2.UserID:                     "req 1 conv 1/1=100.00 subs 2 pend 0 rej 1 reviews 1 videos 0 median 30.0/1",
		}
		if len(curators.Items) != 2 {
			t.Fatalf("%d curator rows: %+v", len(curators.Items), curators.Items)
		}
		for _, r := range curators.Items {
			if r.CuratorID == nil || r.CuratorName == nil || r.String() != wantCurators[*r.CuratorID] {
				t.Errorf("curator %v:\n got %s\nwant %s", r.CuratorID, r, wantCurators[deref(r.CuratorID)])
			}
		}

		// A curator counts only what is credited to her.
		var own struct{ Items []countsRow }
		s.Do(get, f.sc.Path("/case-stats/cohorts?cohort_id="+f.cohorts[0].ID), nil, f.as("curator")).Expect(http.StatusOK).Decode(&own)
		if len(own.Items) != 1 || own.Items[0].Requests != 3 || own.Items[0].Submissions != 2 || own.Items[0].Reviews != 2 {
			t.Fatalf("the curator's own counts: %+v", own.Items)
		}

		// The scorecard's view: cases collected in a period, with videos.
		got, err := s.Services.Cases.CollectedCases(s.Ctx(), f.sc.Org.ID, apptest.Start, s.Clock.Now().Add(time.Second))
		if err != nil {
			t.Fatal(err)
		}
		videos := 0
		for _, c := range got {
			if c.Video {
				videos++
			}
		}
		if len(got) != 3 || videos != 1 {
			t.Fatalf("collected %d (videos %d), want 3 (1)", len(got), videos)
		}

		// A period: student 5 is asked at T0+54h and answers at T0+64h.
		f.advance(24 * time.Hour)
		_, tokens[5] = f.ask(t, 5)
		answer(5, map[string]any{"text": "Позже"})
		period := func(from, to time.Duration) string {
			return "from=" + t0.Add(from).UTC().Format(time.RFC3339) + "&to=" + t0.Add(to).UTC().Format(time.RFC3339)
		}
		// [T0+15h, T0+70h): no request of T0; the cases of students 1 (20h,
		// published, C), 3 (recorded at 30h, approved, C2), 4 (30h, rejected,
		// C2) and 5 (64h, pending, C2), and the request of student 5.
		s.Do(get, f.sc.Path("/case-stats/cohorts?"+period(15*time.Hour, 70*time.Hour)), nil, f.as("head_of_service")).
			Expect(http.StatusOK).Decode(&cohorts)
		want = []string{
			"req 0 conv 0/0=null subs 2 pend 0 rej 0 reviews 2 videos 0 median 20.0/1 progress 2/100=2.00 0/10=0.00",
			"req 1 conv 1/1=100.00 subs 2 pend 1 rej 1 reviews 0 videos 0 median 10.0/2 progress 0/4=0.00 0/2=0.00",
		}
		for i, w := range want {
			if got := cohorts.Items[i].String(); got != w {
				t.Errorf("cohort %d in the period:\n got %s\nwant %s", i+1, got, w)
			}
		}
		s.Do(get, f.sc.Path("/case-stats/curators?"+period(15*time.Hour, 70*time.Hour)), nil, f.as("senior_curator")).
			Expect(http.StatusOK).Decode(&curators)
		wantCurators = map[string]string{
			f.sc.People["curator"].UserID: "req 0 conv 0/0=null subs 1 pend 0 rej 0 reviews 1 videos 0 median 20.0/1",
			c2.UserID:                     "req 1 conv 1/1=100.00 subs 3 pend 1 rej 1 reviews 1 videos 0 median 10.0/2",
		}
		if len(curators.Items) != 2 {
			t.Fatalf("%d curator rows in the period: %+v", len(curators.Items), curators.Items)
		}
		for _, r := range curators.Items {
			if r.CuratorID == nil || r.String() != wantCurators[*r.CuratorID] {
				t.Errorf("curator %v in the period:\n got %s\nwant %s", r.CuratorID, r, wantCurators[deref(r.CuratorID)])
			}
		}
		// from is inclusive, to exclusive: [T0, T0+20h) holds student 0's
		// case and the four requests of T0; [T0+20h, T0+21h) student 1's.
		s.Do(get, f.sc.Path("/case-stats/cohorts?cohort_id="+f.cohorts[0].ID+"&"+period(0, 20*time.Hour)), nil, f.as("head_of_service")).
			Expect(http.StatusOK).Decode(&cohorts)
		if got := cohorts.Items[0].String(); got != "req 3 conv 2/3=66.67 subs 1 pend 0 rej 0 reviews 1 videos 1 median 10.0/1 progress 1/100=1.00 1/10=10.00" {
			t.Errorf("[T0, T0+20h): %s", got)
		}
		s.Do(get, f.sc.Path("/case-stats/cohorts?cohort_id="+f.cohorts[0].ID+"&"+period(20*time.Hour, 21*time.Hour)), nil, f.as("head_of_service")).
			Expect(http.StatusOK).Decode(&cohorts)
		if got := cohorts.Items[0]; got.Requests != 0 || got.Submissions != 1 || got.Reviews != 1 || got.Videos != 0 {
			t.Errorf("[T0+20h, T0+21h): %s", got)
		}

		// Bad periods are refused naming the field.
		for _, path := range []string{"/case-stats/cohorts", "/case-stats/curators"} {
			s.Do(get, f.sc.Path(path+"?"+period(10*time.Hour, 5*time.Hour)), nil, f.as("head_of_service")).
				ExpectProblem(http.StatusUnprocessableEntity, "query.to")
			s.Do(get, f.sc.Path(path+"?from=9999-01-01T00:00:00Z"), nil, f.as("head_of_service")).
				ExpectProblem(http.StatusUnprocessableEntity, "query.from")
			s.Do(get, f.sc.Path(path+"?to=yesterday"), nil, f.as("head_of_service")).
				ExpectProblem(http.StatusUnprocessableEntity, "query.to")
		}
	})
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}
