package school_test

import (
	"context"
	"testing"
	"time"

	"github.com/curatorops/curatorops/app/apptest"
	"github.com/curatorops/curatorops/modules/platform/ids"
	"github.com/curatorops/curatorops/modules/school"
)

var payFrom, payTo = time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)

func payDay(d int) time.Time { return time.Date(2026, 3, d, 12, 0, 0, 0, time.UTC) }

// payCuration builds enrollments through the service at the moments the
// history records, so the history rows are the ones the school writes.
type payCuration struct {
	t        *testing.T
	s        *apptest.Server
	orgID    string
	cohortID string
	courseID string
}

// at runs fn with the clock at the moment.
func (p *payCuration) at(at time.Time, fn func()) {
	now := p.s.Clock.Now()
	p.s.Clock.Set(at)
	defer p.s.Clock.Set(now)
	fn()
}

// enroll makes a student and enrolls them at the moment, with curatorID
// (none when nil) and the enrollment date enrolledAt when set.
func (p *payCuration) enroll(at time.Time, curatorID *string, enrolledAt *time.Time) *school.Enrollment {
	p.t.Helper()
	var e *school.Enrollment
	p.at(at, func() {
		st, err := p.s.Services.School.CreateStudent(p.s.Ctx(), p.orgID, school.StudentInput{FullName: "Студент"})
		if err != nil {
			p.t.Fatal(err)
		}
		e, err = p.s.Services.School.CreateEnrollment(p.s.Ctx(), p.orgID, school.EnrollmentInput{StudentID: st.ID, CohortID: p.cohortID,
			Status: school.EnrollmentActive, CuratorID: curatorID, EnrolledAt: enrolledAt})
		if err != nil {
			p.t.Fatal(err)
		}
	})
	return e
}

func (p *payCuration) assign(e *school.Enrollment, curatorID *string, at time.Time) *school.Enrollment {
	p.t.Helper()
	var out *school.Enrollment
	p.at(at, func() {
		var err error
		if out, err = p.s.Services.School.AssignCurator(p.s.Ctx(), p.orgID, e.ID, e.Version, curatorID, "замена"); err != nil {
			p.t.Fatal(err)
		}
	})
	return out
}

func TestPayReadsCurations(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		sc := s.NewSchool("pay-curations")
		p := &payCuration{t: t, s: s, orgID: sc.Org.ID}
		p.cohortID = newCohort(t, s, p.orgID, "pay-1")
		cohort, err := s.Services.School.Cohort(s.Ctx(), p.orgID, p.cohortID)
		if err != nil {
			t.Fatal(err)
		}
		p.courseID = cohort.CourseID
		a := sc.People["curator"].UserID
		b := s.NewMember(p.orgID, "second-curator@pay-curations.test", "curator").UserID
		feb := time.Date(2026, 2, 10, 9, 0, 0, 0, time.UTC)

		// A curator change in the middle of the month: two clipped stretches.
		changed := p.enroll(feb, &a, nil)
		p.assign(changed, &b, payDay(10))
		// Enrolled in the middle of the month: from the enrollment on.
		late := p.enroll(payDay(15), &a, nil)
		// Enrolled without a curator, given one on the 20th: nobody before.
		unassigned := p.enroll(feb, nil, nil)
		p.assign(unassigned, &a, payDay(20))
		// Given up on the 25th: nobody after.
		dropped := p.enroll(feb, &b, nil)
		p.assign(dropped, nil, payDay(25))
		// Changed after the month: the whole month is the first curator's.
		april := p.enroll(feb, &a, nil)
		p.assign(april, &b, payTo.Add(24*time.Hour))
		// Loaded on the 10th with an enrollment date in January: its first
		// curator holds it from that date, not from the row's.
		jan := time.Date(2026, 1, 20, 0, 0, 0, 0, time.UTC)
		imported := p.enroll(payDay(10), &b, &jan)
		// Enrolled after the month: not listed.
		p.enroll(payTo.Add(time.Hour), &a, nil)
		// An enrollment without any history keeps its curator now.
		st, err := s.Services.School.CreateStudent(s.Ctx(), p.orgID, school.StudentInput{FullName: "Без истории"})
		if err != nil {
			t.Fatal(err)
		}
		bare := &school.Enrollment{ID: ids.New(), OrgID: p.orgID, StudentID: st.ID, CohortID: p.cohortID, Status: school.EnrollmentActive,
			CuratorID: &b, EnrolledAt: feb, CreatedAt: feb, UpdatedAt: feb, Version: 1}
		if _, err := s.DB.NewInsert().Model(bare).Exec(context.Background()); err != nil {
			t.Fatal(err)
		}
		// Another school's enrollment is not listed.
		other := s.NewSchool("pay-curations-other")
		o := &payCuration{t: t, s: s, orgID: other.Org.ID, cohortID: newCohort(t, s, other.Org.ID, "pay-2")}
		otherCurator := other.People["curator"].UserID
		o.enroll(feb, &otherCurator, nil)

		got, err := s.Services.School.Curations(s.Ctx(), p.orgID, payFrom, payTo)
		if err != nil {
			t.Fatal(err)
		}
		c := func(e *school.Enrollment, curator string, from, to time.Time) school.Curation {
			return school.Curation{EnrollmentID: e.ID, StudentID: e.StudentID, CohortID: p.cohortID, CourseID: p.courseID,
				CuratorID: curator, From: from, To: to}
		}
		want := []school.Curation{
			c(changed, a, payFrom, payDay(10)), c(changed, b, payDay(10), payTo),
			c(late, a, payDay(15), payTo),
			c(unassigned, a, payDay(20), payTo),
			c(dropped, b, payFrom, payDay(25)),
			c(april, a, payFrom, payTo),
			c(imported, b, payFrom, payTo),
			c(bare, b, payFrom, payTo),
		}
		byEnrollment := map[string][]school.Curation{}
		for _, g := range got {
			byEnrollment[g.EnrollmentID] = append(byEnrollment[g.EnrollmentID], g)
		}
		if len(got) != len(want) {
			t.Errorf("want %d stretches, got %d: %+v", len(want), len(got), got)
		}
		for _, w := range want {
			found := false
			for _, g := range byEnrollment[w.EnrollmentID] {
				if g.CuratorID == w.CuratorID && g.From.Equal(w.From) && g.To.Equal(w.To) && g.StudentID == w.StudentID &&
					g.CohortID == w.CohortID && g.CourseID == w.CourseID && g.From.Location() == time.UTC && g.To.Location() == time.UTC {
					found = true
				}
			}
			if !found {
				t.Errorf("missing %+v; the enrollment has %+v", w, byEnrollment[w.EnrollmentID])
			}
		}
		// Stretches come in order of enrollment and time.
		for i := 1; i < len(got); i++ {
			if got[i].EnrollmentID == got[i-1].EnrollmentID && !got[i].From.After(got[i-1].From) {
				t.Errorf("stretches of %s out of order: %+v", got[i].EnrollmentID, got)
			}
		}
	})
}

func TestPayReadsOrders(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		sc := s.NewSchool("pay-orders")
		orgID := sc.Org.ID
		cohortID := newCohort(t, s, orgID, "pay-1")
		st, err := s.Services.School.CreateStudent(s.Ctx(), orgID, school.StudentInput{FullName: "Покупатель"})
		if err != nil {
			t.Fatal(err)
		}
		insert := func(row any) {
			t.Helper()
			if _, err := s.DB.NewInsert().Model(row).Exec(context.Background()); err != nil {
				t.Fatal(err)
			}
		}
		order := func(org, studentID string, cohort *string, amount int64, at time.Time) string {
			o := &school.Order{ID: ids.New(), OrgID: org, StudentID: studentID, CohortID: cohort, Amount: amount, Currency: "RUB",
				PaymentMethod: "card", PaidAt: at, CreatedAt: at}
			insert(o)
			return o.ID
		}
		refund := func(orderID string, amount int64, at time.Time) string {
			r := &school.OrderRefund{ID: ids.New(), OrgID: orgID, OrderID: orderID, Amount: amount, RefundedAt: at, Reason: "не подошло",
				CreatedAt: at.Add(time.Minute)}
			insert(r)
			return r.ID
		}
		feb := time.Date(2026, 2, 10, 9, 0, 0, 0, time.UTC)
		course := order(orgID, st.ID, &cohortID, 100_000_00, feb)
		// Two refunds, one after the month: every refund comes with the order.
		laterRefund := refund(course, 20_000_00, payTo.Add(48*time.Hour))
		firstRefund := refund(course, 10_000_00, payDay(5))
		upsell := order(orgID, st.ID, nil, 15_000_00, payDay(20))
		order(orgID, st.ID, nil, 5_000_00, payTo) // paid at the end: not before it
		other := s.NewSchool("pay-orders-other")
		otherStudent, err := s.Services.School.CreateStudent(s.Ctx(), other.Org.ID, school.StudentInput{FullName: "Чужой"})
		if err != nil {
			t.Fatal(err)
		}
		order(other.Org.ID, otherStudent.ID, nil, 1_000_00, payDay(3))

		got, err := s.Services.School.PaidOrders(s.Ctx(), orgID, payTo)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got[0].ID != course || got[1].ID != upsell {
			t.Fatalf("want the February order then the upsell, got %+v", got)
		}
		o := got[0]
		if o.StudentID != st.ID || o.CohortID == nil || *o.CohortID != cohortID || o.Amount != 100_000_00 || !o.PaidAt.Equal(feb) || o.PaidAt.Location() != time.UTC {
			t.Errorf("order: %+v", o)
		}
		if len(o.Refunds) != 2 {
			t.Fatalf("want both refunds, got %+v", o.Refunds)
		}
		r0, r1 := o.Refunds[0], o.Refunds[1]
		if r0.ID != firstRefund || r0.Amount != 10_000_00 || !r0.RefundedAt.Equal(payDay(5)) || !r0.CreatedAt.Equal(payDay(5).Add(time.Minute)) {
			t.Errorf("first refund: %+v", r0)
		}
		if r1.ID != laterRefund || r1.Amount != 20_000_00 || !r1.RefundedAt.Equal(payTo.Add(48*time.Hour)) {
			t.Errorf("later refund: %+v", r1)
		}
		if u := got[1]; u.CohortID != nil || u.Amount != 15_000_00 || len(u.Refunds) != 0 {
			t.Errorf("upsell: %+v", u)
		}
	})
}

func TestPayReadsCatalog(t *testing.T) {
	apptest.Run(t, func(t *testing.T, s *apptest.Server) {
		orgID := s.NewSchool("pay-catalog").Org.ID
		lms := "lms"
		course := func(title string, modules int) *school.CourseDetail {
			in := school.NewCourse{Title: title}
			for i := 1; i <= modules; i++ {
				kind := school.KindRegular
				if i == modules {
					kind = school.KindFinalProject
				}
				ext := title + string(rune('0'+i))
				in.Modules = append(in.Modules, school.NewModule{Title: "Модуль", Assignments: []school.NewAssignment{{Title: "Задание", Kind: kind,
					Source: &lms, ExternalID: &ext}}})
			}
			c, err := s.Services.School.CreateCourse(s.Ctx(), orgID, in)
			if err != nil {
				t.Fatal(err)
			}
			return c
		}
		long, short := course("long", 3), course("short", 1)

		kinds, err := s.Services.School.AssignmentKinds(s.Ctx(), orgID)
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]string{long.Modules[0].Assignments[0].ID: school.KindRegular, long.Modules[1].Assignments[0].ID: school.KindRegular,
			long.Modules[2].Assignments[0].ID: school.KindFinalProject, short.Modules[0].Assignments[0].ID: school.KindFinalProject}
		if len(kinds) != len(want) {
			t.Errorf("want %v, got %v", want, kinds)
		}
		for id, k := range want {
			if kinds[id] != k {
				t.Errorf("assignment %s: kind %q, want %q", id, kinds[id], k)
			}
		}
		second, err := s.Services.School.ModulesAtPosition(s.Ctx(), orgID, long.Modules[1].Position)
		if err != nil {
			t.Fatal(err)
		}
		if len(second) != 1 || second[0] != long.Modules[1].ID {
			t.Errorf("the second module is only the long course's %s, got %v", long.Modules[1].ID, second)
		}
		first, err := s.Services.School.ModulesAtPosition(s.Ctx(), orgID, long.Modules[0].Position)
		if err != nil {
			t.Fatal(err)
		}
		if len(first) != 2 {
			t.Errorf("both courses have a first module, got %v", first)
		}
	})
}
