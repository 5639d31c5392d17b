package homework_test

import (
	"fmt"
	"net/http"
	"reflect"
	"testing"
	"time"

	"github.com/curatorops/curatorops/app/apptest"
	"github.com/curatorops/curatorops/modules/homework"
)

// statsRows decodes a homework-stats answer by key.
func statsRows(t *testing.T, r *apptest.Response) map[string]homework.QueueStats {
	t.Helper()
	var body struct{ Items []homework.QueueStats }
	r.Expect(200).Decode(&body)
	out := map[string]homework.QueueStats{}
	for _, st := range body.Items {
		out[st.Key] = st
	}
	if len(out) != len(body.Items) {
		t.Fatalf("a key appears twice: %+v", body.Items)
	}
	return out
}

func val[T any](p *T) any {
	if p == nil {
		return nil
	}
	return *p
}

func TestQueueStats(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		f := newFixture(t, s, "alpha", 4, "") // students 0..3 have no curator: their items go to the pool
		cur, senior := f.sc.People["curator"], f.sc.People["senior_curator"]
		for i := 0; i < 3; i++ {
			f.addStudent(t, cur.UserID) // students 4..6
		}
		start := s.Clock.Now() // Monday 12:00 in Moscow
		tenDaysAgo := start.Add(-10 * 24 * time.Hour)
		var inTime []string
		for i := 0; i < 3; i++ {
			inTime = append(inTime, f.submit(submission(fmt.Sprintf("s-%d", i), 4+i, 0, start))["id"].(string))
		}
		f.submit(submission("open-1", 4, 1, start))                    // cur's queue, not yet due
		f.submit(submission("late-1", 5, 1, tenDaysAgo))               // cur's queue, past due and open: a miss as of now
		late := f.submit(submission("late-2", 6, 1, tenDaysAgo))["id"] // cur reviews it after its due time
		f.submit(submission("pool-1", 0, 0, start))                    // the pool, not yet due
		held := f.submit(submission("held-1", 1, 0, tenDaysAgo))["id"] // the pool, past due, held by the senior curator
		// Reviews after 1 h, 2 h and (past closing at 21:00) 10 h: 9 business hours.
		for i, step := range []time.Duration{time.Hour, time.Hour, 8 * time.Hour} {
			s.Clock.Advance(step)
			verdict := "accepted"
			if i == 1 {
				verdict = "rework_requested"
			}
			review(s, f, inTime[i], cur, verdict, fullScores())
		}
		review(s, f, late.(string), cur, "accepted", fullScores())
		s.Do(post, f.sc.Path("/homework-submissions/"+held.(string)+"/claim"), nil, senior.Auth()).Expect(200)

		byCurator := statsRows(t, s.Do(get, f.sc.Path("/homework-stats?group_by=curator"), nil, f.as("head_of_service")))
		if len(byCurator) != 3 {
			t.Fatalf("rows %+v, want the curator, the senior curator and the pool", byCurator)
		}
		c := byCurator[cur.UserID]
		got := fmt.Sprint(val(c.CuratorID), val(c.CuratorName), c.Queued, c.InReview, c.OpenOverdue, c.Reviewed, c.ReviewedInTime, c.ReviewedLate,
			c.SLAItems, val(c.SLAPercent), c.ReworkRequested, val(c.ReworkPercent), val(c.MedianSeconds))
		want := fmt.Sprint(cur.UserID, "Person curator@alpha.test", 2, 0, 1, 4, 3, 1, 5, 60.0, 1, 25.0, int64(7200))
		if got != want {
			t.Errorf("curator: %s, want %s", got, want)
		}
		if c.P90Seconds == nil || *c.P90Seconds <= 9*3600 {
			t.Errorf("the late review is the slowest: p90 %v", val(c.P90Seconds))
		}
		// An overdue item under a live claim is charged to whoever holds it:
		// it is her only item, so her compliance is 0, not empty.
		sc := byCurator[senior.UserID]
		if fmt.Sprint(val(sc.CuratorName), sc.InReview, sc.OpenOverdue, sc.Reviewed, sc.SLAItems, val(sc.SLAPercent), val(sc.ReworkPercent)) !=
			fmt.Sprint("Person senior_curator@alpha.test", 1, 1, 0, 1, 0.0, nil) {
			t.Errorf("senior curator %+v", sc)
		}
		// The pool: nothing due, nothing reviewed, so no rate at all.
		p := byCurator["pool"]
		if p.CuratorID != nil || p.CuratorName != nil || p.Queued != 1 || p.SLAItems != 0 || p.SLAPercent != nil || p.ReworkPercent != nil || p.MedianSeconds != nil {
			t.Errorf("pool %+v", p)
		}

		byCohort := statsRows(t, s.Do(get, f.sc.Path("/homework-stats?group_by=cohort"), nil, f.as("senior_curator")))
		co := byCohort[f.cohort.ID]
		if len(byCohort) != 1 || val(co.CohortID) != f.cohort.ID || val(co.CohortName) != "Cohort 1" || val(co.CourseID) != f.cohort.CourseID ||
			val(co.CourseName) != "Course alpha" || co.Queued != 3 || co.InReview != 1 || co.OpenOverdue != 2 || co.Reviewed != 4 ||
			co.SLAItems != 6 || val(co.SLAPercent) != 50.0 {
			t.Errorf("cohort %+v", co)
		}
		byAssignment := statsRows(t, s.Do(get, f.sc.Path("/homework-stats?group_by=assignment"), nil, f.as("admin")))
		a := byAssignment[f.assignments[1].ID]
		if len(byAssignment) != 2 || val(a.AssignmentTitle) != "Homework 2" || val(a.ModuleID) != f.assignments[1].ModuleID ||
			val(a.ModuleTitle) != "Module 2" || val(a.CourseName) != "Course alpha" || a.Queued != 2 || a.Reviewed != 1 || a.ReviewedLate != 1 {
			t.Errorf("assignment %+v", a)
		}

		// A curator reads her own numbers, however grouped, and nobody else's.
		own := statsRows(t, s.Do(get, f.sc.Path("/homework-stats"), nil, cur.Auth()))
		if len(own) != 1 || !reflect.DeepEqual(own[cur.UserID], c) {
			t.Errorf("the curator's own stats %+v, want only %+v", own, c)
		}
		ownCohort := statsRows(t, s.Do(get, f.sc.Path("/homework-stats?group_by=cohort"), nil, cur.Auth()))[f.cohort.ID]
		if ownCohort.Queued != 2 || ownCohort.InReview != 0 || ownCohort.Reviewed != 4 || ownCohort.SLAItems != 5 {
			t.Errorf("the curator's own stats by cohort %+v", ownCohort)
		}
		stranger := s.NewMember(f.sc.Org.ID, "stranger@alpha.test", "curator")
		if rows := statsRows(t, s.Do(get, f.sc.Path("/homework-stats"), nil, stranger.Auth())); len(rows) != 0 {
			t.Errorf("a curator without work sees %+v", rows)
		}
		for _, role := range []string{"hr", "finance", "integration"} {
			for _, path := range []string{"/homework-stats", "/homework-completion", "/homework-quality-scores?month=2026-03"} {
				s.Do(get, f.sc.Path(path), nil, f.as(role)).ExpectProblem(http.StatusForbidden)
			}
		}
		s.Do(get, f.sc.Path("/homework-stats?from=2026-03-02T00:00:00Z&to=2026-03-01T00:00:00Z"), nil, f.as("head_of_service")).
			ExpectProblem(422, "query.to")
	})
}
