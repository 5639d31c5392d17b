package homework

import (
	"context"
)

// catalog holds the names of a school's cohorts, courses, modules and
// assignments for one report, so that each is asked of the school module
// once.
type catalog struct {
	s       *Service
	orgID   string
	labels  *Labels
	modules map[string][]Module // by course id, read on first use
}

// catalogNames starts the names of one report.
func (s *Service) catalogNames(ctx context.Context, orgID string) (*catalog, error) {
	labels, err := s.school.Labels(ctx, orgID)
	if err != nil {
		return nil, err
	}
	return &catalog{s: s, orgID: orgID, labels: labels, modules: map[string][]Module{}}, nil
}

func (c *catalog) cohort(id string) *string { return label(c.labels.Cohorts, id) }

func (c *catalog) course(id string) *string { return label(c.labels.Courses, id) }

// courseModules lists a course's modules in order.
func (c *catalog) courseModules(ctx context.Context, courseID string) ([]Module, error) {
	if m, ok := c.modules[courseID]; ok {
		return m, nil
	}
	m, err := c.s.school.CourseModules(ctx, c.orgID, courseID)
	if err != nil {
		return nil, err
	}
	c.modules[courseID] = m
	return m, nil
}

// assignment names an assignment and its module; a name the course no
// longer has is nil.
func (c *catalog) assignment(ctx context.Context, courseID, moduleID, assignmentID string) (module, assignment *string, err error) {
	modules, err := c.courseModules(ctx, courseID)
	if err != nil {
		return nil, nil, err
	}
	for _, m := range modules {
		if m.ID != moduleID {
			continue
		}
		module = ptr(m.Title)
		for _, a := range m.Assignments {
			if a.ID == assignmentID {
				assignment = ptr(a.Title)
			}
		}
	}
	return module, assignment, nil
}

// personNames gives the display names of people by user id.
func (s *Service) personNames(ctx context.Context, orgID string, userIDs []string) (map[string]string, error) {
	if len(userIDs) == 0 {
		return map[string]string{}, nil
	}
	return s.people.Names(ctx, orgID, userIDs)
}

// label is the name of id, or nil when names has none.
func label(names map[string]string, id string) *string {
	if n, ok := names[id]; ok {
		return &n
	}
	return nil
}
