package school

import (
	"context"
	"database/sql"
	"errors"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/database"
	"github.com/curatorops/curatorops/modules/platform/errs"
)

// Queries of the catalog: courses with their modules and assignments,
// cohorts and products. Every one filters by the school.

// --- courses

// Course returns one course of the school.
func (Store) Course(ctx context.Context, db bun.IDB, orgID, id string) (*Course, error) {
	c := new(Course)
	return c, database.ScanOne(ctx, db.NewSelect().Model(c).Where("org_id = ? AND id = ?", orgID, id), "course")
}

// CourseByExternalID returns the course the school's LMS knows as externalID.
func (Store) CourseByExternalID(ctx context.Context, db bun.IDB, orgID, source, externalID string) (*Course, error) {
	c := new(Course)
	return c, database.ScanOne(ctx, db.NewSelect().Model(c).Where("org_id = ? AND source = ? AND external_id = ?", orgID, source, externalID), "course")
}

// LockCourse returns a course and holds its row until the transaction ends,
// so that changes inside one course (a new module, an edited assignment)
// are made one after the other.
func (Store) LockCourse(ctx context.Context, db bun.IDB, orgID, id string) (*Course, error) {
	c := new(Course)
	err := database.ForUpdate(db.NewSelect().Model(c).Where("org_id = ? AND id = ?", orgID, id)).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errs.NotFound("course")
	}
	return c, err
}

// CourseFilter narrows the course list.
type CourseFilter struct {
	Status  string
	Limit   int
	AfterID string
}

// ListCourses returns up to f.Limit+1 courses of the school by id.
func (Store) ListCourses(ctx context.Context, db bun.IDB, orgID string, f CourseFilter) ([]Course, error) {
	var rows []Course
	q := db.NewSelect().Model(&rows).Where("org_id = ?", orgID)
	q = database.WhereSet(q, database.Eq("status", f.Status))
	return rows, database.PageByID(q, f.AfterID, f.Limit).Scan(ctx)
}

// InsertCourse adds a course; a second course with the same LMS id is a
// conflict.
func (Store) InsertCourse(ctx context.Context, db bun.IDB, c *Course) error {
	return insert(ctx, db, c, "a course with this source and external_id")
}

// UpdateCourse writes the course's own fields and its version if the stored
// version is still wasVersion. Changes inside the course (modules,
// assignments) go through it too, to bump the version.
func (Store) UpdateCourse(ctx context.Context, db bun.IDB, c *Course, wasVersion int64) (bool, error) {
	return database.UpdateVersion(ctx, db, c, wasVersion, "title", "description", "status", "updated_at", "version")
}

// --- modules and assignments

// CourseModules returns the modules of a course in order.
func (Store) CourseModules(ctx context.Context, db bun.IDB, orgID, courseID string) ([]CourseModule, error) {
	var rows []CourseModule
	return rows, db.NewSelect().Model(&rows).Where("org_id = ? AND course_id = ?", orgID, courseID).
		OrderExpr("position ASC").Scan(ctx)
}

// InsertModules adds modules of one course.
func (Store) InsertModules(ctx context.Context, db bun.IDB, modules []CourseModule) error {
	if len(modules) == 0 {
		return nil
	}
	_, err := db.NewInsert().Model(&modules).Exec(ctx)
	return err
}

// Assignment returns one assignment of the school.
func (Store) Assignment(ctx context.Context, db bun.IDB, orgID, id string) (*Assignment, error) {
	a := new(Assignment)
	return a, database.ScanOne(ctx, db.NewSelect().Model(a).Where("org_id = ? AND id = ?", orgID, id), "assignment")
}

// AssignmentByExternalID returns the assignment the school's LMS knows as
// externalID.
func (Store) AssignmentByExternalID(ctx context.Context, db bun.IDB, orgID, source, externalID string) (*Assignment, error) {
	a := new(Assignment)
	return a, database.ScanOne(ctx, db.NewSelect().Model(a).Where("org_id = ? AND source = ? AND external_id = ?", orgID, source, externalID), "assignment")
}

// Assignments returns the assignments of a course ordered by module
// position, then by their position in the module.
func (Store) Assignments(ctx context.Context, db bun.IDB, orgID, courseID string) ([]Assignment, error) {
	var rows []Assignment
	return rows, db.NewSelect().Model(&rows).
		Join("JOIN course_modules AS m ON m.id = assignment.module_id").
		Where("assignment.org_id = ? AND assignment.course_id = ?", orgID, courseID).
		OrderExpr("m.position ASC, assignment.position ASC").Scan(ctx)
}

// InsertAssignments adds assignments; an LMS id already used in the school
// is a conflict.
func (Store) InsertAssignments(ctx context.Context, db bun.IDB, assignments []Assignment) error {
	if len(assignments) == 0 {
		return nil
	}
	return insert(ctx, db, &assignments, "an assignment with this source and external_id")
}

// UpdateAssignment writes the editable fields of an assignment. The caller
// holds the course's lock and bumps its version.
func (Store) UpdateAssignment(ctx context.Context, db bun.IDB, a *Assignment) error {
	_, err := db.NewUpdate().Model(a).Column("title", "review_target_minutes", "rubric").
		WherePK().Where("org_id = ?", a.OrgID).Exec(ctx)
	return err
}

// --- cohorts

// Cohort returns one cohort of the school.
func (Store) Cohort(ctx context.Context, db bun.IDB, orgID, id string) (*Cohort, error) {
	c := new(Cohort)
	return c, database.ScanOne(ctx, db.NewSelect().Model(c).Where("org_id = ? AND id = ?", orgID, id), "cohort")
}

// CohortByExternalID returns the cohort the school's LMS knows as externalID.
func (Store) CohortByExternalID(ctx context.Context, db bun.IDB, orgID, source, externalID string) (*Cohort, error) {
	c := new(Cohort)
	return c, database.ScanOne(ctx, db.NewSelect().Model(c).Where("org_id = ? AND source = ? AND external_id = ?", orgID, source, externalID), "cohort")
}

// CohortFilter narrows the cohort list.
type CohortFilter struct {
	CourseID string
	Status   string
	Limit    int
	AfterID  string
}

// ListCohorts returns up to f.Limit+1 cohorts of the school by id.
func (Store) ListCohorts(ctx context.Context, db bun.IDB, orgID string, f CohortFilter) ([]Cohort, error) {
	var rows []Cohort
	q := db.NewSelect().Model(&rows).Where("org_id = ?", orgID)
	q = database.WhereSet(q, database.Eq("course_id", f.CourseID), database.Eq("status", f.Status))
	return rows, database.PageByID(q, f.AfterID, f.Limit).Scan(ctx)
}

// InsertCohort adds a cohort; a second cohort with the same LMS id is a
// conflict.
func (Store) InsertCohort(ctx context.Context, db bun.IDB, c *Cohort) error {
	return insert(ctx, db, c, "a cohort with this source and external_id")
}

// UpdateCohort writes c if its stored version is still wasVersion.
func (Store) UpdateCohort(ctx context.Context, db bun.IDB, c *Cohort, wasVersion int64) (bool, error) {
	return database.UpdateVersion(ctx, db, c, wasVersion, "name", "starts_on", "ends_on", "status", "updated_at", "version")
}

// --- products

// Product returns one product of the school.
func (Store) Product(ctx context.Context, db bun.IDB, orgID, id string) (*Product, error) {
	p := new(Product)
	return p, database.ScanOne(ctx, db.NewSelect().Model(p).Where("org_id = ? AND id = ?", orgID, id), "product")
}

// ProductByExternalID returns the product the school's LMS or CRM knows as
// externalID.
func (Store) ProductByExternalID(ctx context.Context, db bun.IDB, orgID, source, externalID string) (*Product, error) {
	p := new(Product)
	return p, database.ScanOne(ctx, db.NewSelect().Model(p).Where("org_id = ? AND source = ? AND external_id = ?", orgID, source, externalID), "product")
}

// ProductFilter narrows the product list.
type ProductFilter struct {
	Kind     string
	Status   string
	CourseID string
	Limit    int
	AfterID  string
}

// ListProducts returns up to f.Limit+1 products of the school by id.
func (Store) ListProducts(ctx context.Context, db bun.IDB, orgID string, f ProductFilter) ([]Product, error) {
	var rows []Product
	q := db.NewSelect().Model(&rows).Where("org_id = ?", orgID)
	q = database.WhereSet(q,
		database.Eq("kind", f.Kind),
		database.Eq("status", f.Status),
		database.Eq("course_id", f.CourseID),
	)
	return rows, database.PageByID(q, f.AfterID, f.Limit).Scan(ctx)
}

// InsertProduct adds a product; a second product with the same LMS id is a
// conflict.
func (Store) InsertProduct(ctx context.Context, db bun.IDB, p *Product) error {
	return insert(ctx, db, p, "a product with this source and external_id")
}

// UpdateProduct writes p if its stored version is still wasVersion.
func (Store) UpdateProduct(ctx context.Context, db bun.IDB, p *Product, wasVersion int64) (bool, error) {
	return database.UpdateVersion(ctx, db, p, wasVersion, "title", "price_amount", "currency", "status", "updated_at", "version")
}

// Labels reads the names of the school's cohorts and courses.
func (Store) Labels(ctx context.Context, db bun.IDB, orgID string) (*Labels, error) {
	type named struct {
		ID   string `bun:"id"`
		Name string `bun:"name"`
	}
	read := func(table, column string) (map[string]string, error) {
		var rows []named
		err := db.NewSelect().TableExpr(table).ColumnExpr("id, ? AS name", bun.Ident(column)).Where("org_id = ?", orgID).Scan(ctx, &rows)
		out := make(map[string]string, len(rows))
		for _, r := range rows {
			out[r.ID] = r.Name
		}
		return out, err
	}
	cohorts, err := read("cohorts", "name")
	if err != nil {
		return nil, err
	}
	courses, err := read("courses", "title")
	return &Labels{Cohorts: cohorts, Courses: courses}, err
}
