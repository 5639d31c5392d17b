package homework_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/curatorops/curatorops/app/apptest"
	"github.com/curatorops/curatorops/modules/homework"
	"github.com/curatorops/curatorops/modules/school"
)

// addCohort adds a cohort of the fixture's course.
func (f *fixture) addCohort(t testing.TB, name string) *school.Cohort {
	t.Helper()
	c, err := f.s.Services.School.CreateCohort(f.s.Ctx(), f.sc.Org.ID, school.NewCohort{CourseID: f.cohort.CourseID, Name: name,
		StartsOn: "2026-02-01", EndsOn: "2026-06-30", Status: school.CohortActive})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// newStudent adds a student enrolled nowhere yet.
func (f *fixture) newStudent(t testing.TB, name string) string {
	t.Helper()
	st, err := f.s.Services.School.CreateStudent(f.s.Ctx(), f.sc.Org.ID, school.StudentInput{FullName: name})
	if err != nil {
		t.Fatal(err)
	}
	return st.ID
}

// enroll puts a student in a cohort with a status and a curator (none
// when empty).
func (f *fixture) enroll(t testing.TB, studentID, cohortID, status, curatorID string) {
	t.Helper()
	in := school.EnrollmentInput{StudentID: studentID, CohortID: cohortID, Status: status}
	if curatorID != "" {
		in.CuratorID = &curatorID
	}
	if _, err := f.s.Services.School.CreateEnrollment(f.s.Ctx(), f.sc.Org.ID, in); err != nil {
		t.Fatal(err)
	}
}

// handIn records a submission of the module's homework by the student.
func (f *fixture) handIn(t testing.TB, studentID string, module int) {
	t.Helper()
	_, err := f.s.Services.Homework.Submit(f.s.Ctx(), f.sc.Org.ID, homework.NewSubmission{ExternalID: fmt.Sprintf("%s-%d", studentID, module),
		StudentID: studentID, AssignmentID: f.assignments[module].ID, SubmittedAt: f.s.Clock.Now()})
	if err != nil {
		t.Fatal(err)
	}
}

// completion reads homework-completion as the actor.
func completion(t *testing.T, s *apptest.Server, path string, who apptest.Actor) []homework.CompletionRate {
	t.Helper()
	var body struct{ Items []homework.CompletionRate }
	s.Do(get, path, nil, who.Auth()).Expect(200).Decode(&body)
	return body.Items
}

// shareText is a share as the tests compare it: "submitted/students percent".
func shareText(c homework.CompletionShare) string {
	return fmt.Sprintf("%d/%d %v", c.Submitted, c.Students, val(c.Percent))
}

func completionText(rows []homework.CompletionRate) string {
	var b strings.Builder
	for _, r := range rows {
		fmt.Fprintf(&b, "%s %s m%d %s: enrolled %s, active %s\n", r.CohortName, val(r.CourseName), r.Position, r.Module, shareText(r.Enrolled), shareText(r.Active))
	}
	return b.String()
}

func TestCompletionFollowsTheDefinition(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		f := newFixture(t, s, "alpha", 0, "")
		cur := f.sc.People["curator"]
		a, b := f.cohort, f.addCohort(t, "Cohort 2")
		f.addCohort(t, "Cohort 3") // nobody enrolled
		var st []string
		for i := 0; i < 10; i++ {
			st = append(st, f.newStudent(t, fmt.Sprintf("Student %d", i)))
		}
		// Cohort 1: six active (two of them the curator's), one completed,
		// two dropped (one of them, the curator's, stays in the course;
		// the other moved to cohort 2), one refunded.
		for i, status := range []string{"active", "active", "active", "active", "active", "active", "completed", "dropped", "refunded", "dropped"} {
			curator := ""
			if i == 0 || i == 1 || i == 7 {
				curator = cur.UserID
			}
			f.enroll(t, st[i], a.ID, status, curator)
		}
		t0, t1 := f.newStudent(t, "Transfer 0"), f.newStudent(t, "Transfer 1")
		f.enroll(t, t0, b.ID, "active", cur.UserID)
		f.enroll(t, t1, b.ID, "active", "")
		f.enroll(t, st[9], b.ID, "active", "")
		// Module 1: students 0, 1, 2, 6 (active or completed), 7 and 8
		// (gone), 9 (handed in from cohort 2), and cohort 2's two.
		for _, id := range []string{st[0], st[1], st[2], st[6], st[7], st[8], st[9], t0, t1} {
			f.handIn(t, id, 0)
		}
		for _, id := range []string{st[0], st[7], t0} {
			f.handIn(t, id, 1)
		}

		head := completion(t, s, f.sc.Path("/homework-completion"), f.sc.People["head_of_service"])
		var want strings.Builder
		for _, line := range []string{
			"Cohort 1 Course alpha m1 Module 1: enrolled 7/10 70, active 4/7 57.1",
			"Cohort 1 Course alpha m2 Module 2: enrolled 2/10 20, active 1/7 14.3",
			"Cohort 1 Course alpha m3 Module 3: enrolled 0/10 0, active 0/7 0",
			"Cohort 1 Course alpha m4 Module 4: enrolled 0/10 0, active 0/7 0",
			"Cohort 1 Course alpha m5 Module 5: enrolled 0/10 0, active 0/7 0",
			"Cohort 2 Course alpha m1 Module 1: enrolled 3/3 100, active 3/3 100",
			"Cohort 2 Course alpha m2 Module 2: enrolled 1/3 33.3, active 1/3 33.3",
			"Cohort 2 Course alpha m3 Module 3: enrolled 0/3 0, active 0/3 0",
			"Cohort 2 Course alpha m4 Module 4: enrolled 0/3 0, active 0/3 0",
			"Cohort 2 Course alpha m5 Module 5: enrolled 0/3 0, active 0/3 0",
			"Cohort 3 Course alpha m1 Module 1: enrolled 0/0 <nil>, active 0/0 <nil>",
			"Cohort 3 Course alpha m2 Module 2: enrolled 0/0 <nil>, active 0/0 <nil>",
			"Cohort 3 Course alpha m3 Module 3: enrolled 0/0 <nil>, active 0/0 <nil>",
			"Cohort 3 Course alpha m4 Module 4: enrolled 0/0 <nil>, active 0/0 <nil>",
			"Cohort 3 Course alpha m5 Module 5: enrolled 0/0 <nil>, active 0/0 <nil>",
		} {
			want.WriteString(line + "\n")
		}
		if got := completionText(head); got != want.String() {
			t.Errorf("completion as the head:\n%s\nwant:\n%s", got, want.String())
		}
		if r := head[0]; r.CohortID != a.ID || r.CourseID != a.CourseID || r.ModuleID != f.assignments[0].ModuleID {
			t.Errorf("ids of the first row %+v", r)
		}
		one := completion(t, s, f.sc.Path("/homework-completion?cohort_id="+b.ID), f.sc.People["senior_curator"])
		if got := completionText(one); len(one) != 5 || !strings.HasPrefix(got, "Cohort 2 ") || !strings.Contains(want.String(), got) {
			t.Errorf("one cohort:\n%s", got)
		}

		// The curator counts her own students only: 0, 1 and 7 of cohort 1
		// (0 and 1 active), and t0 of cohort 2; cohort 3 is not hers.
		own := completionText(completion(t, s, f.sc.Path("/homework-completion"), cur))
		wantOwn := strings.Join([]string{
			"Cohort 1 Course alpha m1 Module 1: enrolled 3/3 100, active 2/2 100",
			"Cohort 1 Course alpha m2 Module 2: enrolled 2/3 66.7, active 1/2 50",
			"Cohort 1 Course alpha m3 Module 3: enrolled 0/3 0, active 0/2 0",
			"Cohort 1 Course alpha m4 Module 4: enrolled 0/3 0, active 0/2 0",
			"Cohort 1 Course alpha m5 Module 5: enrolled 0/3 0, active 0/2 0",
			"Cohort 2 Course alpha m1 Module 1: enrolled 1/1 100, active 1/1 100",
			"Cohort 2 Course alpha m2 Module 2: enrolled 1/1 100, active 1/1 100",
			"Cohort 2 Course alpha m3 Module 3: enrolled 0/1 0, active 0/1 0",
			"Cohort 2 Course alpha m4 Module 4: enrolled 0/1 0, active 0/1 0",
			"Cohort 2 Course alpha m5 Module 5: enrolled 0/1 0, active 0/1 0",
		}, "\n") + "\n"
		if own != wantOwn {
			t.Errorf("completion as the curator:\n%s\nwant:\n%s", own, wantOwn)
		}
		stranger := s.NewMember(f.sc.Org.ID, "stranger@alpha.test", "curator")
		if rows := completion(t, s, f.sc.Path("/homework-completion"), stranger); len(rows) != 0 {
			t.Errorf("a curator without students sees %s", completionText(rows))
		}
	})
}

// TestCompletionIsAlwaysAShare builds schools of random enrollments (every
// status, students in two cohorts, students with no curator) and random
// submissions (by dropped and refunded students and by students of other
// cohorts too), and checks every row against a count made here: its
// numerator never exceeds its denominator, and its rate lies in [0, 100],
// null only without a denominator.
func TestCompletionIsAlwaysAShare(t *testing.T) {
	statuses := []string{"active", "completed", "dropped", "refunded"}
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		for seed := uint64(1); seed <= 3; seed++ {
			rnd := rand.New(rand.NewPCG(seed, 13))
			f := newFixture(t, s, fmt.Sprintf("prop-%d", seed), 0, "")
			cur := f.sc.People["curator"]
			other := s.NewMember(f.sc.Org.ID, fmt.Sprintf("other@prop-%d.test", seed), "curator")
			curators := []string{cur.UserID, other.UserID, ""}
			cohorts := []string{f.cohort.ID, f.addCohort(t, "Cohort 2").ID, f.addCohort(t, "Cohort 3").ID, f.addCohort(t, "Cohort 4").ID}

			type enrollment struct{ student, status, curator string }
			byCohort := map[string][]enrollment{}
			var students []string
			for i := 0; i < 24; i++ {
				id := f.newStudent(t, fmt.Sprintf("Student %d", i))
				students = append(students, id)
				for _, c := range rnd.Perm(len(cohorts))[:1+rnd.IntN(2)] {
					e := enrollment{id, statuses[rnd.IntN(len(statuses))], curators[rnd.IntN(len(curators))]}
					f.enroll(t, id, cohorts[c], e.status, e.curator)
					byCohort[cohorts[c]] = append(byCohort[cohorts[c]], e)
				}
			}
			handedIn := map[[2]string]bool{} // {student, module id}
			for _, id := range students {
				for m := range f.assignments {
					if rnd.IntN(5) < 2 {
						f.handIn(t, id, m)
						handedIn[[2]string{id, f.assignments[m].ModuleID}] = true
					}
				}
			}

			// expect counts a share of the cohort's enrollments that keep.
			expect := func(cohortID, moduleID string, keep func(enrollment) bool) homework.CompletionShare {
				var n, sub int
				for _, e := range byCohort[cohortID] {
					if keep(e) {
						n++
						if handedIn[[2]string{e.student, moduleID}] {
							sub++
						}
					}
				}
				out := homework.CompletionShare{Students: n, Submitted: sub}
				if n > 0 {
					p := math.Round(float64(sub)*1000/float64(n)) / 10
					out.Percent = &p
				}
				return out
			}
			active := func(e enrollment) bool { return e.status == "active" || e.status == "completed" }
			for _, reader := range []apptest.Actor{f.sc.People["head_of_service"], cur} {
				mine := func(e enrollment) bool { return reader.UserID != cur.UserID || e.curator == cur.UserID }
				rows := completion(t, s, f.sc.Path("/homework-completion"), reader)
				if reader.UserID != cur.UserID && len(rows) != len(cohorts)*len(f.assignments) {
					t.Fatalf("seed %d: %d rows, want every module of every cohort", seed, len(rows))
				}
				for _, r := range rows {
					for _, sh := range []homework.CompletionShare{r.Enrolled, r.Active} {
						if sh.Submitted > sh.Students || (sh.Percent == nil) != (sh.Students == 0) ||
							(sh.Percent != nil && (*sh.Percent < 0 || *sh.Percent > 100)) {
							t.Fatalf("seed %d: %s m%d is not a share: %s", seed, r.CohortName, r.Position, shareText(sh))
						}
					}
					all := expect(r.CohortID, r.ModuleID, mine)
					if reader.UserID == cur.UserID && all.Students == 0 {
						t.Errorf("seed %d: the curator sees %s, where she has no students", seed, r.CohortName)
					}
					act := expect(r.CohortID, r.ModuleID, func(e enrollment) bool { return mine(e) && active(e) })
					if shareText(r.Enrolled) != shareText(all) || shareText(r.Active) != shareText(act) {
						t.Errorf("seed %d, %s m%d: enrolled %s active %s, counted here %s and %s",
							seed, r.CohortName, r.Position, shareText(r.Enrolled), shareText(r.Active), shareText(all), shareText(act))
					}
				}
			}
		}
	})
}
