package homework

import (
	"context"
)

// CompletionShare is how many of a set of a cohort's students submitted a
// module's homework: Submitted of Students. Submitted counts only students
// of the set, so Percent never exceeds 100.
type CompletionShare struct {
	Students  int      `json:"students" doc:"The denominator: students in the set."`
	Submitted int      `json:"submitted" doc:"The numerator: those of the students who submitted the module's homework at least once."`
	Percent   *float64 `json:"percent" doc:"submitted ÷ students, in percent; null when students is 0."`
}

// CompletionRate is the completion (доходимость) of one module in one
// cohort, over two sets of the cohort's students.
type CompletionRate struct {
	CohortID   string          `json:"cohort_id"`
	CohortName string          `json:"cohort_name"`
	CourseID   string          `json:"course_id"`
	CourseName *string         `json:"course_name"`
	ModuleID   string          `json:"module_id"`
	Position   int             `json:"module_position"`
	Module     string          `json:"module_title"`
	Enrolled   CompletionShare `json:"enrolled" doc:"Over every enrollment of the cohort, whatever its status now (dropped and refunded included)."`
	Active     CompletionShare `json:"active" doc:"Over the cohort's active or completed enrollments."`
}

// CompletionRate computes, for each cohort and each module of its course,
// the share of the cohort's students who submitted that module's homework
// at least once (in any cohort of the course), over all the cohort's
// enrollments and over its active or completed ones. cohortID narrows it
// to one cohort. A reader without SeesAll counts only her own students
// (enrollments whose curator she is now) and sees only cohorts where she
// has some.
func (s *Service) CompletionRate(ctx context.Context, orgID string, reader StatsReader, cohortID string) ([]CompletionRate, error) {
	cohorts, err := s.school.Cohorts(ctx, orgID)
	if err != nil {
		return nil, err
	}
	enrollments, err := s.school.CohortEnrollments(ctx, orgID, cohortID)
	if err != nil {
		return nil, err
	}
	rolls := cohortRolls(enrollments, reader)
	var shown []Cohort
	for _, c := range cohorts {
		if (cohortID == "" || c.ID == cohortID) && (reader.SeesAll || rolls[c.ID] != nil) {
			shown = append(shown, c)
		}
	}
	if len(shown) == 0 {
		return []CompletionRate{}, nil
	}
	submitted, err := s.store.StudentsByModule(ctx, s.DB, orgID, courseIDs(shown))
	if err != nil {
		return nil, err
	}
	names, err := s.catalogNames(ctx, orgID)
	if err != nil {
		return nil, err
	}
	out := []CompletionRate{}
	for _, c := range shown {
		modules, err := names.courseModules(ctx, c.CourseID)
		if err != nil {
			return nil, err
		}
		roll := rolls[c.ID]
		if roll == nil {
			roll = &cohortRoll{} // a cohort nobody is enrolled in: every share is empty
		}
		for _, m := range modules {
			out = append(out, CompletionRate{CohortID: c.ID, CohortName: c.Name, CourseID: c.CourseID, CourseName: names.course(c.CourseID),
				ModuleID: m.ID, Position: m.Position, Module: m.Title,
				Enrolled: roll.all.share(submitted[m.ID]), Active: roll.active.share(submitted[m.ID])})
		}
	}
	return out, nil
}

// studentSet is a set of student ids.
type studentSet map[string]struct{}

// share counts the students of the set who are in submitted.
func (set studentSet) share(submitted map[string]struct{}) CompletionShare {
	n := 0
	for id := range set {
		if _, ok := submitted[id]; ok {
			n++
		}
	}
	return CompletionShare{Students: len(set), Submitted: n, Percent: percentOf(n, len(set))}
}

// cohortRoll is a cohort's students: every enrolled one, and the active or
// completed ones.
type cohortRoll struct {
	all, active studentSet
}

// cohortRolls groups the enrollments the reader may count by cohort.
func cohortRolls(enrollments []EnrollmentStatus, reader StatsReader) map[string]*cohortRoll {
	rolls := map[string]*cohortRoll{}
	for _, e := range enrollments {
		if !reader.owns(e.CuratorID) {
			continue
		}
		r := rolls[e.CohortID]
		if r == nil {
			r = &cohortRoll{all: studentSet{}, active: studentSet{}}
			rolls[e.CohortID] = r
		}
		r.all[e.StudentID] = struct{}{}
		if e.Status == EnrollmentActive || e.Status == EnrollmentCompleted {
			r.active[e.StudentID] = struct{}{}
		}
	}
	return rolls
}

// courseIDs lists the distinct courses of cohorts.
func courseIDs(cohorts []Cohort) []string {
	seen := map[string]bool{}
	var out []string
	for _, c := range cohorts {
		if !seen[c.CourseID] {
			seen[c.CourseID] = true
			out = append(out, c.CourseID)
		}
	}
	return out
}
