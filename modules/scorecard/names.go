package scorecard

import (
	"context"
)

// rowLabels are the names people read beside the rows' keys.
type rowLabels struct {
	ref      *reference
	curators map[string]string
}

// rowNames looks up the names of the rows' curators; cohorts and courses
// are named from the reference already read.
func (s *Service) rowNames(ctx context.Context, orgID string, ref *reference, by string, tallies ...*tally) (*rowLabels, error) {
	l := &rowLabels{ref: ref, curators: map[string]string{}}
	if by != ByCurator {
		return l, nil
	}
	var ids []string
	for _, t := range tallies {
		if t == nil {
			continue
		}
		for k := range t.rows {
			if k != NoneKey {
				ids = append(ids, k)
			}
		}
	}
	names, err := s.people.Names(ctx, orgID, ids)
	if err != nil {
		return nil, err
	}
	l.curators = names
	return l, nil
}

// label is what a row is sorted by: the name of its cohort, course or
// curator, or its key (a month).
func (l *rowLabels) label(key string) string {
	if c, ok := l.ref.cohorts[key]; ok {
		return c.StartsOn + " " + c.Name
	}
	if name, ok := l.ref.courseNames[key]; ok {
		return name
	}
	if name, ok := l.curators[key]; ok {
		return name
	}
	return key
}

// apply fills in a row's ids and names by the breakdown.
func (l *rowLabels) apply(r *Row, by string) {
	if r.Key == NoneKey {
		return
	}
	switch by {
	case ByCohort:
		r.CohortID = ptr(r.Key)
		if c, ok := l.ref.cohorts[r.Key]; ok {
			r.CohortName, r.CourseID = ptr(c.Name), ptr(c.CourseID)
			if name, ok := l.ref.courseNames[c.CourseID]; ok {
				r.CourseName = ptr(name)
			}
		}
	case ByCourse:
		r.CourseID = ptr(r.Key)
		if name, ok := l.ref.courseNames[r.Key]; ok {
			r.CourseName = ptr(name)
		}
	case ByCurator:
		r.CuratorID = ptr(r.Key)
		if name, ok := l.curators[r.Key]; ok {
			r.CuratorName = ptr(name)
		}
	case ByMonth:
		r.Month = ptr(r.Key)
	}
}
