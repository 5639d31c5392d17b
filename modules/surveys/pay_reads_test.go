package surveys_test

import (
	"context"
	"testing"
	"time"

	"github.com/curatorops/curatorops/app/apptest"
	"github.com/curatorops/curatorops/modules/platform/ids"
	"github.com/curatorops/curatorops/modules/surveys"
)

func TestPayReadsCSIAnswers(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		from, to := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)
		day := func(d int) time.Time { return time.Date(2026, 3, d, 12, 0, 0, 0, time.UTC) }
		f := newFixture(t, s, "pay-csi", 2)
		sv := f.survey(t)
		curator, other := f.sc.People["curator"].UserID, f.other.UserID
		n := 0
		// answer writes one answer as it stands: the curator is the one of
		// its moment, whoever curates the student now.
		answer := func(student int, scale, key string, value *int, curatorID *string, at time.Time) string {
			t.Helper()
			n++
			a := &surveys.Answer{ID: ids.New(), OrgID: f.sc.Org.ID, SurveyID: sv.ID, QuestionKey: key, Scale: scale, Value: value,
				StudentID: f.students[student].ID, EnrollmentID: f.enrolled[student].ID, CohortID: f.cohort.ID, CourseID: f.course.Course.ID,
				CuratorID: curatorID, MomentKey: "m" + string(rune('a'+n)), Source: "lms", AnsweredAt: at, CreatedAt: at}
			if _, err := s.DB.NewInsert().Model(a).Exec(context.Background()); err != nil {
				t.Fatal(err)
			}
			return a.ID
		}
		first := answer(0, surveys.ScaleCSI, "csi", intp(5), &curator, from)
		low := answer(1, surveys.ScaleCSI, "csi", intp(2), &other, day(15))
		uncurated := answer(0, surveys.ScaleCSI, "csi", intp(4), nil, day(16))
		answer(0, surveys.ScaleNPS, "nps", intp(9), &curator, day(10))                // another scale
		answer(0, surveys.ScaleText, "comment", nil, &curator, day(10))               // no score
		answer(1, surveys.ScaleCSI, "csi", intp(3), &curator, from.Add(-time.Second)) // February's
		answer(1, surveys.ScaleCSI, "csi", intp(3), &curator, to)                     // April's

		var got []surveys.CSIAnswer
		if err := s.Services.Surveys.CSIAnswers(s.Ctx(), f.sc.Org.ID, from, to, func(a surveys.CSIAnswer) { got = append(got, a) }); err != nil {
			t.Fatal(err)
		}
		want := []surveys.CSIAnswer{
			{ID: first, CuratorID: &curator, Value: 5, AnsweredAt: from},
			{ID: low, CuratorID: &other, Value: 2, AnsweredAt: day(15)},
			{ID: uncurated, Value: 4, AnsweredAt: day(16)},
		}
		if len(got) != len(want) {
			t.Fatalf("want %d CSI answers, got %+v", len(want), got)
		}
		for i, w := range want {
			g := got[i]
			if g.ID != w.ID || g.Value != w.Value || !g.AnsweredAt.Equal(w.AnsweredAt) || g.AnsweredAt.Location() != time.UTC ||
				(g.CuratorID == nil) != (w.CuratorID == nil) || (w.CuratorID != nil && *g.CuratorID != *w.CuratorID) {
				t.Errorf("answer %d:\n got %+v (curator %v)\nwant %+v (curator %v)", i, g, deref(g.CuratorID), w, deref(w.CuratorID))
			}
		}
	})
}

func deref(s *string) string {
	if s == nil {
		return "<nil>"
	}
	return *s
}
