package school

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/auditlog"
	"github.com/curatorops/curatorops/modules/platform/database"
	"github.com/curatorops/curatorops/modules/platform/errs"
	"github.com/curatorops/curatorops/modules/platform/ids"
)

// The catalog: what a school teaches (courses, their modules and
// assignments), when (cohorts) and what it sells (products). Modules and
// assignments are never deleted, since homework and pay refer to them; a
// course that is no longer taught is archived, and an archived course takes
// no new modules, edits, cohorts or products until it is made active again.

// NewCourse is what creating a course takes.
type NewCourse struct {
	Title       string      `json:"title" validate:"required,singleline,max=200"`
	Description string      `json:"description" validate:"text,max=5000"`
	Modules     []NewModule `json:"modules" validate:"dive"`
	Source      *string     `json:"source" validate:"omitnil,required,singleline,max=50"`
	ExternalID  *string     `json:"external_id" validate:"omitnil,required,singleline,max=200"`
}

// NewModule is one module of a course with its assignments, in order.
type NewModule struct {
	Title       string          `json:"title" validate:"required,singleline,max=200"`
	Assignments []NewAssignment `json:"assignments" validate:"dive"`
}

// NewAssignment is the homework of a module. A nil ReviewTargetMinutes
// takes the default of its kind.
type NewAssignment struct {
	Title               string      `json:"title" validate:"required,singleline,max=200"`
	Kind                string      `json:"kind" validate:"oneof=regular final_project"`
	ReviewTargetMinutes *int        `json:"review_target_minutes" validate:"omitnil,min=1,max=43200"`
	Rubric              []Criterion `json:"rubric" validate:"dive"`
	Source              *string     `json:"source" validate:"omitnil,required,singleline,max=50"`
	ExternalID          *string     `json:"external_id" validate:"omitnil,required,singleline,max=200"`
}

// CourseDetail is a course with its modules in order, each with its
// assignments in order.
type CourseDetail struct {
	Course  *Course
	Modules []ModuleDetail
}

// ModuleDetail is one module of a course with its assignments.
type ModuleDetail struct {
	CourseModule
	Assignments []Assignment
}

// CreateCourse adds a course with its modules and their assignments.
func (s *Service) CreateCourse(ctx context.Context, orgID string, in NewCourse) (*CourseDetail, error) {
	if err := fromBody.check(s.Now(), in); err != nil {
		return nil, err
	}
	if err := checkNewCourse(in); err != nil {
		return nil, err
	}
	now := s.Now()
	c := &Course{ID: ids.New(), OrgID: orgID, Title: in.Title, Description: in.Description, Status: StatusActive,
		External: External{Source: in.Source, ExternalID: in.ExternalID}, CreatedAt: now, UpdatedAt: now, Version: 1}
	var modules []ModuleDetail
	err := s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if err := s.store.InsertCourse(ctx, tx, c); err != nil {
			return err
		}
		if err := s.Record(ctx, tx, orgID, "course", c.ID, auditlog.Diff(nil, c)); err != nil {
			return err
		}
		var err error
		modules, err = s.insertModules(ctx, tx, c, 1, in.Modules)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &CourseDetail{Course: c, Modules: modules}, nil
}

// insertModules adds modules to course c from position from on, with
// their assignments, and audits each.
func (s *Service) insertModules(ctx context.Context, tx bun.IDB, c *Course, from int, in []NewModule) ([]ModuleDetail, error) {
	out := make([]ModuleDetail, len(in))
	rows := make([]CourseModule, len(in))
	var assignments []Assignment
	for i, m := range in {
		rows[i] = CourseModule{ID: ids.New(), OrgID: c.OrgID, CourseID: c.ID, Position: from + i, Title: m.Title}
		out[i] = ModuleDetail{CourseModule: rows[i], Assignments: make([]Assignment, len(m.Assignments))}
		for j, a := range m.Assignments {
			out[i].Assignments[j] = newAssignment(rows[i], j+1, a)
		}
		assignments = append(assignments, out[i].Assignments...)
	}
	if err := s.store.InsertModules(ctx, tx, rows); err != nil {
		return nil, err
	}
	if err := s.store.InsertAssignments(ctx, tx, assignments); err != nil {
		return nil, err
	}
	for i := range rows {
		if err := s.Record(ctx, tx, c.OrgID, "course_module", rows[i].ID, auditlog.Diff(nil, &rows[i])); err != nil {
			return nil, err
		}
	}
	for i := range assignments {
		if err := s.Record(ctx, tx, c.OrgID, "assignment", assignments[i].ID, auditlog.Diff(nil, &assignments[i])); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func newAssignment(m CourseModule, position int, in NewAssignment) Assignment {
	target := DefaultReviewTarget
	if in.Kind == KindFinalProject {
		target = FinalProjectReviewTarget
	}
	if in.ReviewTargetMinutes != nil {
		target = *in.ReviewTargetMinutes
	}
	rubric := in.Rubric
	if rubric == nil {
		rubric = []Criterion{}
	}
	return Assignment{ID: ids.New(), OrgID: m.OrgID, CourseID: m.CourseID, ModuleID: m.ID, Position: position,
		Title: in.Title, Kind: in.Kind, ReviewTargetMinutes: target, Rubric: rubric,
		External: External{Source: in.Source, ExternalID: in.ExternalID}}
}

// Course returns a course of the school with its modules and assignments.
func (s *Service) Course(ctx context.Context, orgID, id string) (*CourseDetail, error) {
	return s.courseDetail(ctx, s.DB, orgID, id)
}

func (s *Service) courseDetail(ctx context.Context, db bun.IDB, orgID, id string) (*CourseDetail, error) {
	c, err := s.store.Course(ctx, db, orgID, id)
	if err != nil {
		return nil, err
	}
	modules, err := s.store.CourseModules(ctx, db, orgID, id)
	if err != nil {
		return nil, err
	}
	assignments, err := s.store.Assignments(ctx, db, orgID, id)
	if err != nil {
		return nil, err
	}
	return &CourseDetail{Course: c, Modules: groupByModule(modules, assignments)}, nil
}

// groupByModule nests assignments (in order) under their modules.
func groupByModule(modules []CourseModule, assignments []Assignment) []ModuleDetail {
	out := make([]ModuleDetail, len(modules))
	idx := make(map[string]int, len(modules))
	for i, m := range modules {
		out[i] = ModuleDetail{CourseModule: m, Assignments: []Assignment{}}
		idx[m.ID] = i
	}
	for _, a := range assignments {
		if i, ok := idx[a.ModuleID]; ok {
			out[i].Assignments = append(out[i].Assignments, a)
		}
	}
	return out
}

// ListCourses returns a page of the school's courses.
func (s *Service) ListCourses(ctx context.Context, orgID string, f CourseFilter) ([]Course, error) {
	return s.store.ListCourses(ctx, s.DB, orgID, f)
}

// CourseChanges are the course's own fields to change; nil stays as is.
type CourseChanges struct {
	Title       *string `json:"title" validate:"omitnil,required,singleline,max=200"`
	Description *string `json:"description" validate:"omitnil,text,max=5000"`
	Status      *string `json:"status" validate:"omitnil,oneof=active archived"`
}

// UpdateCourse changes a course's title, description or status (archiving
// it, or making it active again) if it is still at version.
func (s *Service) UpdateCourse(ctx context.Context, orgID, id string, version int64, ch CourseChanges) (*CourseDetail, error) {
	if err := fromBody.check(s.Now(), ch); err != nil {
		return nil, err
	}
	return s.changeCourse(ctx, orgID, id, &version, func(ctx context.Context, tx bun.IDB, c *Course) (bool, error) {
		before := *c
		database.SetIf(&c.Title, ch.Title)
		database.SetIf(&c.Description, ch.Description)
		database.SetIf(&c.Status, ch.Status)
		return courseFieldsChanged(&before, c), nil
	})
}

// AddModule appends a module with its assignments to a course. version is
// checked when given: appending does not overwrite anything, so a client
// may add a module without having read the latest course.
func (s *Service) AddModule(ctx context.Context, orgID, courseID string, version *int64, in NewModule) (*CourseDetail, error) {
	if err := fromBody.check(s.Now(), in); err != nil {
		return nil, err
	}
	if err := checkNewModule("body", in, map[string]string{}); err != nil {
		return nil, err
	}
	return s.changeCourse(ctx, orgID, courseID, version, func(ctx context.Context, tx bun.IDB, c *Course) (bool, error) {
		if err := requireActive(c); err != nil {
			return false, err
		}
		modules, err := s.store.CourseModules(ctx, tx, orgID, courseID)
		if err != nil {
			return false, err
		}
		_, err = s.insertModules(ctx, tx, c, len(modules)+1, []NewModule{in})
		return true, err
	})
}

// AssignmentChanges are the fields of an assignment to change; nil stays as
// is. A non-nil Rubric replaces the whole rubric (empty clears it).
type AssignmentChanges struct {
	Title               *string     `json:"title" validate:"omitnil,required,singleline,max=200"`
	ReviewTargetMinutes *int        `json:"review_target_minutes" validate:"omitnil,min=1,max=43200"`
	Rubric              []Criterion `json:"rubric" validate:"dive"`
}

// UpdateAssignment changes an assignment of a course. The version is the
// course's: every change inside a course bumps it, so that two people
// editing one course notice each other.
func (s *Service) UpdateAssignment(ctx context.Context, orgID, courseID, assignmentID string, version int64, ch AssignmentChanges) (*CourseDetail, error) {
	if err := fromBody.check(s.Now(), ch); err != nil {
		return nil, err
	}
	if ch.Rubric != nil {
		if err := checkRubric("body.rubric", ch.Rubric); err != nil {
			return nil, err
		}
	}
	return s.changeCourse(ctx, orgID, courseID, &version, func(ctx context.Context, tx bun.IDB, c *Course) (bool, error) {
		before, err := s.store.Assignment(ctx, tx, orgID, assignmentID)
		if err != nil {
			return false, err
		}
		if before.CourseID != courseID {
			return false, errs.NotFound("assignment")
		}
		if err := requireActive(c); err != nil {
			return false, err
		}
		after := *before
		database.SetIf(&after.Title, ch.Title)
		database.SetIf(&after.ReviewTargetMinutes, ch.ReviewTargetMinutes)
		if ch.Rubric != nil {
			after.Rubric = ch.Rubric
		}
		changes := auditlog.Diff(before, &after)
		if len(changes) == 0 {
			return false, nil
		}
		if err := s.store.UpdateAssignment(ctx, tx, &after); err != nil {
			return false, err
		}
		return true, s.Record(ctx, tx, orgID, "assignment", after.ID, changes)
	})
}

// changeCourse runs one change of a course in a transaction: it locks the
// course, checks the version the caller saw (when given) and applies
// change, which may edit the course's own fields and reports whether
// anything changed. A change bumps the course's version; one of its own
// fields is audited here, one inside it by change. It answers the course as
// it now is.
func (s *Service) changeCourse(ctx context.Context, orgID, id string, version *int64,
	change func(ctx context.Context, tx bun.IDB, c *Course) (bool, error)) (*CourseDetail, error) {
	var out *CourseDetail
	err := s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		locked, err := s.store.LockCourse(ctx, tx, orgID, id)
		if err != nil {
			return err
		}
		seen := locked.Version
		if version != nil {
			seen = *version
		}
		before, after, err := database.Optimistic[Course, *Course]{
			What: "the course",
			Load: database.Loaded(locked),
			Change: func(c *Course) error {
				changed, err := change(ctx, tx, c)
				if err == nil && !changed {
					return database.ErrUnchanged
				}
				return err
			},
			Write: func(c *Course, wasVersion int64) (bool, error) { return s.store.UpdateCourse(ctx, tx, c, wasVersion) },
		}.Run(seen, s.Now())
		if err != nil {
			return err
		}
		// A version bump alone is not a change worth an entry.
		if after != nil && courseFieldsChanged(before, after) {
			if err := s.Record(ctx, tx, orgID, "course", id, auditlog.Diff(before, after)); err != nil {
				return err
			}
		}
		out, err = s.courseDetail(ctx, tx, orgID, id)
		return err
	})
	return out, err
}

func courseFieldsChanged(before, after *Course) bool {
	return before.Title != after.Title || before.Description != after.Description || before.Status != after.Status
}

func requireActive(c *Course) error {
	if c.Status != StatusActive {
		return errs.Conflict("the course is archived; make it active again to change it")
	}
	return nil
}

// --- validation of business rules; huma checks lengths, ranges and enums.

func checkNewCourse(in NewCourse) error {
	var fields []errs.FieldError
	fields = append(fields, externalFields("body", in.Source, in.ExternalID)...)
	seen := map[string]string{}
	for i, m := range in.Modules {
		fields = append(fields, moduleFields(fmt.Sprintf("body.modules[%d]", i), m, seen)...)
	}
	return asValidation(fields)
}

func checkNewModule(location string, m NewModule, seen map[string]string) error {
	return asValidation(moduleFields(location, m, seen))
}

// moduleFields checks a new module's assignments. seen maps the LMS ids
// already used in the request to where, so a repeat is named.
func moduleFields(location string, m NewModule, seen map[string]string) []errs.FieldError {
	var fields []errs.FieldError
	for j, a := range m.Assignments {
		loc := fmt.Sprintf("%s.assignments[%d]", location, j)
		fields = append(fields, externalFields(loc, a.Source, a.ExternalID)...)
		fields = append(fields, rubricFields(loc+".rubric", a.Rubric)...)
		if a.Source != nil && a.ExternalID != nil {
			key := *a.Source + "\x00" + *a.ExternalID
			if first, dup := seen[key]; dup {
				fields = append(fields, errs.FieldError{Location: loc + ".external_id", Message: "is also given to " + first})
			} else {
				seen[key] = loc
			}
		}
	}
	return fields
}

func checkRubric(location string, rubric []Criterion) error {
	return asValidation(rubricFields(location, rubric))
}

// rubricFields checks that the criteria of one rubric have distinct keys:
// reviews score each criterion by its key.
func rubricFields(location string, rubric []Criterion) []errs.FieldError {
	var fields []errs.FieldError
	seen := map[string]int{}
	for k, c := range rubric {
		if first, dup := seen[c.Key]; dup {
			fields = append(fields, errs.FieldError{Location: fmt.Sprintf("%s[%d].key", location, k),
				Message: fmt.Sprintf("criterion key %q is already used by %s[%d]", c.Key, location, first)})
			continue
		}
		seen[c.Key] = k
	}
	return fields
}

// externalFields checks that an LMS id comes with its source and the other
// way round: either alone cannot be matched later.
func externalFields(location string, source, externalID *string) []errs.FieldError {
	switch {
	case source != nil && externalID == nil:
		return []errs.FieldError{{Location: location + ".external_id", Message: "is required with source"}}
	case source == nil && externalID != nil:
		return []errs.FieldError{{Location: location + ".source", Message: "is required with external_id"}}
	}
	return nil
}

func asValidation(fields []errs.FieldError) error {
	if len(fields) == 0 {
		return nil
	}
	return &errs.ValidationError{Fields: fields}
}

// --- cohorts

// NewCohort is what creating a cohort takes. Dates are YYYY-MM-DD; an
// empty status means planned.
type NewCohort struct {
	CourseID   string  `json:"course_id" validate:"required,uuid"`
	Name       string  `json:"name" validate:"required,singleline,max=200"`
	StartsOn   string  `json:"starts_on" validate:"plandate"`
	EndsOn     string  `json:"ends_on" validate:"plandate"`
	Status     string  `json:"status" validate:"omitempty,oneof=planned active finished archived"`
	Source     *string `json:"source" validate:"omitnil,required,singleline,max=50"`
	ExternalID *string `json:"external_id" validate:"omitnil,required,singleline,max=200"`
}

// CreateCohort adds a run of a course.
func (s *Service) CreateCohort(ctx context.Context, orgID string, in NewCohort) (*Cohort, error) {
	if err := fromBody.check(s.Now(), in); err != nil {
		return nil, err
	}
	if in.Status == "" {
		in.Status = CohortPlanned
	}
	fields := externalFields("body", in.Source, in.ExternalID)
	fields = append(fields, dateFields(in.StartsOn, in.EndsOn)...)
	if err := asValidation(fields); err != nil {
		return nil, err
	}
	now := s.Now()
	c := &Cohort{ID: ids.New(), OrgID: orgID, CourseID: in.CourseID, Name: in.Name, StartsOn: in.StartsOn, EndsOn: in.EndsOn,
		Status: in.Status, External: External{Source: in.Source, ExternalID: in.ExternalID}, CreatedAt: now, UpdatedAt: now, Version: 1}
	err := s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if err := s.checkCourseRef(ctx, tx, orgID, in.CourseID); err != nil {
			return err
		}
		if err := s.store.InsertCohort(ctx, tx, c); err != nil {
			return err
		}
		return s.Record(ctx, tx, orgID, "cohort", c.ID, auditlog.Diff(nil, c))
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// checkCourseRef checks that a course named in a request body is one of
// the school's active courses. Another school's course is "unknown", like
// one that does not exist, so that nothing leaks between schools.
func (s *Service) checkCourseRef(ctx context.Context, db bun.IDB, orgID, courseID string) error {
	c, err := s.store.Course(ctx, db, orgID, courseID)
	if errors.Is(err, errs.ErrNotFound) {
		return errs.Invalid("body.course_id", "unknown course")
	}
	if err != nil {
		return err
	}
	if c.Status != StatusActive {
		return errs.Invalid("body.course_id", "the course is archived")
	}
	return nil
}

// dateFields checks that a cohort ends on or after the day it starts. The
// format itself is checked by the API.
func dateFields(startsOn, endsOn string) []errs.FieldError {
	start, err1 := time.Parse(time.DateOnly, startsOn)
	end, err2 := time.Parse(time.DateOnly, endsOn)
	switch {
	case err1 != nil:
		return []errs.FieldError{{Location: "body.starts_on", Message: "must be a date, YYYY-MM-DD"}}
	case err2 != nil:
		return []errs.FieldError{{Location: "body.ends_on", Message: "must be a date, YYYY-MM-DD"}}
	case end.Before(start):
		return []errs.FieldError{{Location: "body.ends_on", Message: "must be on or after starts_on (" + startsOn + ")"}}
	}
	return nil
}

// Cohort returns a cohort of the school.
func (s *Service) Cohort(ctx context.Context, orgID, id string) (*Cohort, error) {
	return s.store.Cohort(ctx, s.DB, orgID, id)
}

// ListCohorts returns a page of the school's cohorts.
func (s *Service) ListCohorts(ctx context.Context, orgID string, f CohortFilter) ([]Cohort, error) {
	return s.store.ListCohorts(ctx, s.DB, orgID, f)
}

// CohortChanges are the cohort fields to change; nil stays as is. A cohort
// stays with its course: its enrollments belong to that course.
type CohortChanges struct {
	Name     *string `json:"name" validate:"omitnil,required,singleline,max=200"`
	StartsOn *string `json:"starts_on" validate:"omitnil,plandate"`
	EndsOn   *string `json:"ends_on" validate:"omitnil,plandate"`
	Status   *string `json:"status" validate:"omitnil,oneof=planned active finished archived"`
}

// apply sets the given fields on c.
func (ch CohortChanges) apply(c *Cohort) {
	database.SetIf(&c.Name, ch.Name)
	database.SetIf(&c.StartsOn, ch.StartsOn)
	database.SetIf(&c.EndsOn, ch.EndsOn)
	database.SetIf(&c.Status, ch.Status)
}

// UpdateCohort changes a cohort if it is still at version.
func (s *Service) UpdateCohort(ctx context.Context, orgID, id string, version int64, ch CohortChanges) (*Cohort, error) {
	if err := fromBody.check(s.Now(), ch); err != nil {
		return nil, err
	}
	var out *Cohort
	err := s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		before, after, err := database.Optimistic[Cohort, *Cohort]{
			What: "the cohort",
			Load: func() (*Cohort, error) { return s.store.Cohort(ctx, tx, orgID, id) },
			Change: func(c *Cohort) error {
				ch.apply(c)
				return asValidation(dateFields(c.StartsOn, c.EndsOn))
			},
			Write: func(c *Cohort, wasVersion int64) (bool, error) { return s.store.UpdateCohort(ctx, tx, c, wasVersion) },
		}.Run(version, s.Now())
		if err != nil {
			return err
		}
		out = after
		return s.Record(ctx, tx, orgID, "cohort", id, auditlog.Diff(before, after))
	})
	return out, err
}

// --- products

// NewProduct is what creating a product takes. CourseID is required for
// kind course; an empty status means active.
type NewProduct struct {
	Kind        string  `json:"kind" validate:"oneof=course consultation mentoring club_subscription"`
	Title       string  `json:"title" validate:"required,singleline,max=200"`
	CourseID    *string `json:"course_id" validate:"omitnil,uuid"`
	PriceAmount int64   `json:"price_amount" validate:"money"`
	Currency    string  `json:"currency" validate:"iso4217"`
	Status      string  `json:"status" validate:"omitempty,oneof=active archived"`
	Source      *string `json:"source" validate:"omitnil,required,singleline,max=50"`
	ExternalID  *string `json:"external_id" validate:"omitnil,required,singleline,max=200"`
}

// priceFromBody names a product's price fields as the API nests them.
var priceFromBody = fromBody.renamed(map[string]string{"price_amount": "price.amount", "currency": "price.currency"})

// CreateProduct adds something the school sells.
func (s *Service) CreateProduct(ctx context.Context, orgID string, in NewProduct) (*Product, error) {
	if err := priceFromBody.check(s.Now(), in); err != nil {
		return nil, err
	}
	if err := s.checkCurrency(ctx, orgID, in.Currency, priceFromBody.at("currency")); err != nil {
		return nil, err
	}
	if in.Status == "" {
		in.Status = StatusActive
	}
	fields := externalFields("body", in.Source, in.ExternalID)
	if in.Kind == ProductCourse && in.CourseID == nil {
		fields = append(fields, errs.FieldError{Location: "body.course_id", Message: "is required for a product of kind course"})
	}
	if err := asValidation(fields); err != nil {
		return nil, err
	}
	now := s.Now()
	p := &Product{ID: ids.New(), OrgID: orgID, Kind: in.Kind, Title: in.Title, CourseID: in.CourseID,
		PriceAmount: in.PriceAmount, Currency: in.Currency, Status: in.Status,
		External: External{Source: in.Source, ExternalID: in.ExternalID}, CreatedAt: now, UpdatedAt: now, Version: 1}
	err := s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if in.CourseID != nil {
			if err := s.checkCourseRef(ctx, tx, orgID, *in.CourseID); err != nil {
				return err
			}
		}
		if err := s.store.InsertProduct(ctx, tx, p); err != nil {
			return err
		}
		return s.Record(ctx, tx, orgID, "product", p.ID, auditlog.Diff(nil, p))
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

// Product returns a product of the school.
func (s *Service) Product(ctx context.Context, orgID, id string) (*Product, error) {
	return s.store.Product(ctx, s.DB, orgID, id)
}

// ListProducts returns a page of the school's products.
func (s *Service) ListProducts(ctx context.Context, orgID string, f ProductFilter) ([]Product, error) {
	return s.store.ListProducts(ctx, s.DB, orgID, f)
}

// ProductChanges are the product fields to change; nil stays as is. The
// price is list data: what students paid is kept on their orders, so a new
// price changes no order.
type ProductChanges struct {
	Title       *string `json:"title" validate:"omitnil,required,singleline,max=200"`
	PriceAmount *int64  `json:"price_amount" validate:"omitnil,money"`
	Currency    *string `json:"currency" validate:"omitnil,iso4217"`
	Status      *string `json:"status" validate:"omitnil,oneof=active archived"`
}

// apply sets the given fields on p.
func (ch ProductChanges) apply(p *Product) {
	database.SetIf(&p.Title, ch.Title)
	database.SetIf(&p.PriceAmount, ch.PriceAmount)
	database.SetIf(&p.Currency, ch.Currency)
	database.SetIf(&p.Status, ch.Status)
}

// UpdateProduct changes a product if it is still at version.
func (s *Service) UpdateProduct(ctx context.Context, orgID, id string, version int64, ch ProductChanges) (*Product, error) {
	if err := priceFromBody.check(s.Now(), ch); err != nil {
		return nil, err
	}
	if ch.Currency != nil {
		if err := s.checkCurrency(ctx, orgID, *ch.Currency, priceFromBody.at("currency")); err != nil {
			return nil, err
		}
	}
	var out *Product
	err := s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		before, after, err := database.Optimistic[Product, *Product]{
			What:   "the product",
			Load:   func() (*Product, error) { return s.store.Product(ctx, tx, orgID, id) },
			Change: func(p *Product) error { ch.apply(p); return nil },
			Write:  func(p *Product, wasVersion int64) (bool, error) { return s.store.UpdateProduct(ctx, tx, p, wasVersion) },
		}.Run(version, s.Now())
		if err != nil {
			return err
		}
		out = after
		return s.Record(ctx, tx, orgID, "product", id, auditlog.Diff(before, after))
	})
	return out, err
}
