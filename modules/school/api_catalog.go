package school

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/curatorops/curatorops/modules/platform/httpapi"
)

// --- DTOs: what the API shows, kept apart from the rows.

// CriterionDTO is one line of an assignment's rubric.
type CriterionDTO struct {
	Key       string `json:"key" pattern:"^[a-z0-9][a-z0-9_-]{0,63}$" doc:"Stable key reviews score the criterion by; unique in the rubric."`
	Title     string `json:"title" minLength:"1" maxLength:"200"`
	MaxPoints int    `json:"max_points" minimum:"1" maximum:"1000"`
	Required  bool   `json:"required" required:"false" doc:"Whether the work fails without points here. Default false."`
}

func criterionDTOs(rubric []Criterion) []CriterionDTO {
	out := make([]CriterionDTO, len(rubric))
	for i, c := range rubric {
		out[i] = CriterionDTO{Key: c.Key, Title: c.Title, MaxPoints: c.MaxPoints, Required: c.Required}
	}
	return out
}

func criteria(in []CriterionDTO) []Criterion {
	if in == nil {
		return nil
	}
	out := make([]Criterion, len(in))
	for i, c := range in {
		out[i] = Criterion{Key: c.Key, Title: c.Title, MaxPoints: c.MaxPoints, Required: c.Required}
	}
	return out
}

// AssignmentDTO is the homework of a module.
type AssignmentDTO struct {
	ID                  string         `json:"id" format:"uuid"`
	ModuleID            string         `json:"module_id" format:"uuid"`
	Position            int            `json:"position" doc:"1-based order within the module."`
	Title               string         `json:"title"`
	Kind                string         `json:"kind" enum:"regular,final_project"`
	ReviewTargetMinutes int            `json:"review_target_minutes" doc:"Business minutes a review should take at most."`
	Rubric              []CriterionDTO `json:"rubric" nullable:"false"`
	Source              *string        `json:"source,omitempty"`
	ExternalID          *string        `json:"external_id,omitempty"`
}

func assignmentDTO(a Assignment) AssignmentDTO {
	return AssignmentDTO{ID: a.ID, ModuleID: a.ModuleID, Position: a.Position, Title: a.Title, Kind: a.Kind,
		ReviewTargetMinutes: a.ReviewTargetMinutes, Rubric: criterionDTOs(a.Rubric), Source: a.Source, ExternalID: a.ExternalID}
}

// CourseModuleDTO is one module of a course with its assignments in order.
type CourseModuleDTO struct {
	ID          string          `json:"id" format:"uuid"`
	Position    int             `json:"position" doc:"1-based order within the course."`
	Title       string          `json:"title"`
	Assignments []AssignmentDTO `json:"assignments" nullable:"false"`
}

// CourseDTO is a course without its modules, as lists show it.
type CourseDTO struct {
	ID          string    `json:"id" format:"uuid"`
	Title       string    `json:"title"`
	Description string    `json:"description"`
	Status      string    `json:"status" enum:"active,archived"`
	Source      *string   `json:"source,omitempty"`
	ExternalID  *string   `json:"external_id,omitempty"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
	Version     int64     `json:"version" doc:"Bumped by every change of the course, its modules or its assignments."`
}

func courseDTO(c Course) CourseDTO {
	return CourseDTO{ID: c.ID, Title: c.Title, Description: c.Description, Status: c.Status, Source: c.Source, ExternalID: c.ExternalID,
		CreatedAt: c.CreatedAt.UTC(), UpdatedAt: c.UpdatedAt.UTC(), Version: c.Version}
}

// CourseDetailDTO is a course with its modules and their assignments.
type CourseDetailDTO struct {
	CourseDTO
	Modules []CourseModuleDTO `json:"modules" nullable:"false"`
}

func courseDetailDTO(d *CourseDetail) CourseDetailDTO {
	out := CourseDetailDTO{CourseDTO: courseDTO(*d.Course), Modules: make([]CourseModuleDTO, len(d.Modules))}
	for i, m := range d.Modules {
		out.Modules[i] = CourseModuleDTO{ID: m.ID, Position: m.Position, Title: m.Title, Assignments: make([]AssignmentDTO, len(m.Assignments))}
		for j, a := range m.Assignments {
			out.Modules[i].Assignments[j] = assignmentDTO(a)
		}
	}
	return out
}

// CohortDTO is one run of a course.
type CohortDTO struct {
	ID         string    `json:"id" format:"uuid"`
	CourseID   string    `json:"course_id" format:"uuid"`
	Name       string    `json:"name"`
	StartsOn   string    `json:"starts_on" format:"date"`
	EndsOn     string    `json:"ends_on" format:"date"`
	Status     string    `json:"status" enum:"planned,active,finished,archived"`
	Source     *string   `json:"source,omitempty"`
	ExternalID *string   `json:"external_id,omitempty"`
	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`
	Version    int64     `json:"version"`
}

func cohortDTO(c Cohort) CohortDTO {
	return CohortDTO{ID: c.ID, CourseID: c.CourseID, Name: c.Name, StartsOn: c.StartsOn, EndsOn: c.EndsOn, Status: c.Status,
		Source: c.Source, ExternalID: c.ExternalID, CreatedAt: c.CreatedAt.UTC(), UpdatedAt: c.UpdatedAt.UTC(), Version: c.Version}
}

// ProductDTO is something the school sells, with its list price.
type ProductDTO struct {
	ID         string    `json:"id" format:"uuid"`
	Kind       string    `json:"kind" enum:"course,consultation,mentoring,club_subscription"`
	Title      string    `json:"title"`
	CourseID   *string   `json:"course_id,omitempty" format:"uuid"`
	Price      Money     `json:"price" doc:"List price; what a student paid is on their order."`
	Status     string    `json:"status" enum:"active,archived"`
	Source     *string   `json:"source,omitempty"`
	ExternalID *string   `json:"external_id,omitempty"`
	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`
	Version    int64     `json:"version"`
}

func productDTO(p Product) ProductDTO {
	return ProductDTO{ID: p.ID, Kind: p.Kind, Title: p.Title, CourseID: p.CourseID, Price: Money{Amount: p.PriceAmount, Currency: p.Currency},
		Status: p.Status, Source: p.Source, ExternalID: p.ExternalID, CreatedAt: p.CreatedAt.UTC(), UpdatedAt: p.UpdatedAt.UTC(), Version: p.Version}
}

// --- inputs

// NewAssignmentBody is an assignment in a new module.
type NewAssignmentBody struct {
	Title               string         `json:"title" minLength:"1" maxLength:"200"`
	Kind                string         `json:"kind" enum:"regular,final_project"`
	ReviewTargetMinutes *int           `json:"review_target_minutes,omitempty" minimum:"1" maximum:"43200" doc:"Business minutes a review should take at most; default 1440 for regular work, 4320 for a final project."`
	Rubric              []CriterionDTO `json:"rubric,omitempty" maxItems:"50" doc:"Criteria with distinct keys; none by default."`
	ExternalRef
}

// NewModuleBody is a new module with its assignments in order.
type NewModuleBody struct {
	Title       string              `json:"title" minLength:"1" maxLength:"200"`
	Assignments []NewAssignmentBody `json:"assignments,omitempty" maxItems:"50"`
}

func newModule(in NewModuleBody) NewModule {
	m := NewModule{Title: in.Title, Assignments: make([]NewAssignment, len(in.Assignments))}
	for i, a := range in.Assignments {
		m.Assignments[i] = NewAssignment{Title: a.Title, Kind: a.Kind, ReviewTargetMinutes: a.ReviewTargetMinutes,
			Rubric: criteria(a.Rubric), Source: a.Source, ExternalID: a.ExternalID}
	}
	return m
}

// CoursePath addresses one course of a school. Path structs are exported:
// huma ignores parameters of unexported embedded structs.
type CoursePath struct {
	httpapi.OrgPath
	ID string `path:"id" format:"uuid" doc:"Course id."`
}

type createCourseInput struct {
	httpapi.OrgPath
	Body struct {
		Title       string          `json:"title" minLength:"1" maxLength:"200"`
		Description string          `json:"description,omitempty" maxLength:"5000"`
		Modules     []NewModuleBody `json:"modules" minItems:"1" maxItems:"100"`
		ExternalRef
	}
}

type courseOutput struct {
	ETag string `header:"ETag"`
	Body CourseDetailDTO
}

func newCourseOutput(d *CourseDetail) *courseOutput {
	return &courseOutput{ETag: httpapi.ETag(d.Course.Version), Body: courseDetailDTO(d)}
}

type listCoursesInput struct {
	httpapi.OrgPath
	httpapi.PageQuery
	Status string `query:"status" enum:"active,archived"`
}

type listCoursesOutput struct{ Body httpapi.Page[CourseDTO] }

type updateCourseInput struct {
	CoursePath
	httpapi.IfMatch
	Body struct {
		Title       *string `json:"title,omitempty" minLength:"1" maxLength:"200"`
		Description *string `json:"description,omitempty" maxLength:"5000"`
		Status      *string `json:"status,omitempty" enum:"active,archived" doc:"archived hides the course from new cohorts and products and freezes its content."`
	}
}

type addModuleInput struct {
	CoursePath
	IfMatch string `header:"If-Match" maxLength:"64" doc:"Optional: the course's ETag; when sent, the module is refused with 412 if the course changed since."`
	Body    NewModuleBody
}

type updateAssignmentInput struct {
	CoursePath
	httpapi.IfMatch
	AssignmentID string `path:"assignment_id" format:"uuid" doc:"Assignment id."`
	Body         struct {
		Title               *string        `json:"title,omitempty" minLength:"1" maxLength:"200"`
		ReviewTargetMinutes *int           `json:"review_target_minutes,omitempty" minimum:"1" maximum:"43200"`
		Rubric              []CriterionDTO `json:"rubric,omitempty" maxItems:"50" doc:"Replaces the whole rubric; an empty list clears it."`
	}
}

func registerCatalog(api huma.API, svc *Service) {
	registerCourses(api, svc)
	registerCohorts(api, svc)
	registerProducts(api, svc)
}

func registerCourses(api huma.API, svc *Service) {
	edits := []int{http.StatusConflict, http.StatusPreconditionFailed, http.StatusPreconditionRequired}

	httpapi.Register(api, httpapi.OrgPermission("courses", "read"), huma.Operation{
		OperationID: "list-courses", Method: http.MethodGet, Path: "/v1/orgs/{org}/courses", Tags: []string{"Courses"},
		Summary:     "List the school's courses",
		Description: "Without their modules; filter by status. Ordered by creation.",
	}, func(ctx context.Context, in *listCoursesInput) (*listCoursesOutput, error) {
		after, err := httpapi.AfterID(in.Cursor)
		if err != nil {
			return nil, err
		}
		rows, err := svc.ListCourses(ctx, httpapi.OrgID(ctx), CourseFilter{Status: in.Status, Limit: in.Limit, AfterID: after})
		if err != nil {
			return nil, err
		}
		return &listCoursesOutput{Body: httpapi.NewPage(rows, in.Limit, courseDTO, func(c Course) []string { return []string{c.ID} })}, nil
	})

	httpapi.Register(api, httpapi.OrgPermission("courses", "write"), huma.Operation{
		OperationID: "create-course", Method: http.MethodPost, Path: "/v1/orgs/{org}/courses", Tags: []string{"Courses"},
		Summary: "Create a course with its modules and assignments",
		Description: "Modules and their assignments are numbered in the order given, from 1. An assignment without a review target gets " +
			"1440 business minutes, or 4320 for a final project. Rubric keys must be distinct within an assignment. " +
			"A source and external_id already used in the school answer 409.",
		DefaultStatus: http.StatusCreated, Errors: []int{http.StatusConflict},
	}, func(ctx context.Context, in *createCourseInput) (*courseOutput, error) {
		nc := NewCourse{Title: in.Body.Title, Description: in.Body.Description, Modules: make([]NewModule, len(in.Body.Modules)),
			Source: in.Body.Source, ExternalID: in.Body.ExternalID}
		for i, m := range in.Body.Modules {
			nc.Modules[i] = newModule(m)
		}
		d, err := svc.CreateCourse(ctx, httpapi.OrgID(ctx), nc)
		if err != nil {
			return nil, err
		}
		return newCourseOutput(d), nil
	})

	httpapi.Register(api, httpapi.OrgPermission("courses", "read"), huma.Operation{
		OperationID: "get-course", Method: http.MethodGet, Path: "/v1/orgs/{org}/courses/{id}", Tags: []string{"Courses"},
		Summary:     "Get a course with its modules and assignments",
		Description: "Modules and assignments in order. The ETag is needed to change the course or anything in it.",
	}, func(ctx context.Context, in *CoursePath) (*courseOutput, error) {
		d, err := svc.Course(ctx, httpapi.OrgID(ctx), in.ID)
		if err != nil {
			return nil, err
		}
		return newCourseOutput(d), nil
	})

	httpapi.Register(api, httpapi.OrgPermission("courses", "write"), huma.Operation{
		OperationID: "update-course", Method: http.MethodPatch, Path: "/v1/orgs/{org}/courses/{id}", Tags: []string{"Courses"},
		Summary: "Rename, archive or reactivate a course",
		Description: "Fields left out stay as they are. Courses are archived, never deleted: homework refers to their assignments. " +
			"Needs If-Match with the ETag of the last read.",
		Errors: edits,
	}, func(ctx context.Context, in *updateCourseInput) (*courseOutput, error) {
		version, err := in.Version()
		if err != nil {
			return nil, err
		}
		d, err := svc.UpdateCourse(ctx, httpapi.OrgID(ctx), in.ID, version,
			CourseChanges{Title: in.Body.Title, Description: in.Body.Description, Status: in.Body.Status})
		if err != nil {
			return nil, err
		}
		return newCourseOutput(d), nil
	})

	httpapi.Register(api, httpapi.OrgPermission("courses", "write"), huma.Operation{
		OperationID: "add-course-module", Method: http.MethodPost, Path: "/v1/orgs/{org}/courses/{id}/modules", Tags: []string{"Courses"},
		Summary: "Append a module with its assignments to a course",
		Description: "The module goes after the last one. Answers the whole course with its new ETag. " +
			"An archived course takes no new modules (409).",
		DefaultStatus: http.StatusCreated, Errors: []int{http.StatusConflict, http.StatusPreconditionFailed},
	}, func(ctx context.Context, in *addModuleInput) (*courseOutput, error) {
		var version *int64
		if in.IfMatch != "" {
			v, err := httpapi.IfMatch{IfMatch: in.IfMatch}.Version()
			if err != nil {
				return nil, err
			}
			version = &v
		}
		d, err := svc.AddModule(ctx, httpapi.OrgID(ctx), in.ID, version, newModule(in.Body))
		if err != nil {
			return nil, err
		}
		return newCourseOutput(d), nil
	})

	httpapi.Register(api, httpapi.OrgPermission("courses", "write"), huma.Operation{
		OperationID: "update-assignment", Method: http.MethodPatch, Path: "/v1/orgs/{org}/courses/{id}/assignments/{assignment_id}", Tags: []string{"Courses"},
		Summary: "Change an assignment's title, review target or rubric",
		Description: "Needs If-Match with the course's ETag: every change inside a course bumps its version, so two people editing one course " +
			"notice each other. Answers the whole course with its new ETag. An archived course cannot be edited (409).",
		Errors: edits,
	}, func(ctx context.Context, in *updateAssignmentInput) (*courseOutput, error) {
		version, err := in.Version()
		if err != nil {
			return nil, err
		}
		d, err := svc.UpdateAssignment(ctx, httpapi.OrgID(ctx), in.ID, in.AssignmentID, version, AssignmentChanges{
			Title: in.Body.Title, ReviewTargetMinutes: in.Body.ReviewTargetMinutes, Rubric: criteria(in.Body.Rubric)})
		if err != nil {
			return nil, err
		}
		return newCourseOutput(d), nil
	})
}

// --- cohorts

// CohortPath addresses one cohort of a school.
type CohortPath struct {
	httpapi.OrgPath
	ID string `path:"id" format:"uuid" doc:"Cohort id."`
}

type createCohortInput struct {
	httpapi.OrgPath
	Body struct {
		CourseID string `json:"course_id" format:"uuid"`
		Name     string `json:"name" minLength:"1" maxLength:"200"`
		StartsOn string `json:"starts_on" format:"date" doc:"First day, YYYY-MM-DD."`
		EndsOn   string `json:"ends_on" format:"date" doc:"Last day, YYYY-MM-DD; not before starts_on."`
		Status   string `json:"status,omitempty" enum:"planned,active,finished,archived" default:"planned"`
		ExternalRef
	}
}

type cohortOutput struct {
	ETag string `header:"ETag"`
	Body CohortDTO
}

func newCohortOutput(c *Cohort) *cohortOutput {
	return &cohortOutput{ETag: httpapi.ETag(c.Version), Body: cohortDTO(*c)}
}

type listCohortsInput struct {
	httpapi.OrgPath
	httpapi.PageQuery
	CourseID string `query:"course_id" format:"uuid" doc:"Only cohorts of this course."`
	Status   string `query:"status" enum:"planned,active,finished,archived"`
}

type listCohortsOutput struct{ Body httpapi.Page[CohortDTO] }

type updateCohortInput struct {
	CohortPath
	httpapi.IfMatch
	Body struct {
		Name     *string `json:"name,omitempty" minLength:"1" maxLength:"200"`
		StartsOn *string `json:"starts_on,omitempty" format:"date"`
		EndsOn   *string `json:"ends_on,omitempty" format:"date"`
		Status   *string `json:"status,omitempty" enum:"planned,active,finished,archived"`
	}
}

func registerCohorts(api huma.API, svc *Service) {
	httpapi.Register(api, httpapi.OrgPermission("cohorts", "read"), huma.Operation{
		OperationID: "list-cohorts", Method: http.MethodGet, Path: "/v1/orgs/{org}/cohorts", Tags: []string{"Courses"},
		Summary:     "List the school's cohorts",
		Description: "Filter by course and status. Ordered by creation.",
	}, func(ctx context.Context, in *listCohortsInput) (*listCohortsOutput, error) {
		after, err := httpapi.AfterID(in.Cursor)
		if err != nil {
			return nil, err
		}
		rows, err := svc.ListCohorts(ctx, httpapi.OrgID(ctx), CohortFilter{CourseID: in.CourseID, Status: in.Status, Limit: in.Limit, AfterID: after})
		if err != nil {
			return nil, err
		}
		return &listCohortsOutput{Body: httpapi.NewPage(rows, in.Limit, cohortDTO, func(c Cohort) []string { return []string{c.ID} })}, nil
	})

	httpapi.Register(api, httpapi.OrgPermission("cohorts", "write"), huma.Operation{
		OperationID: "create-cohort", Method: http.MethodPost, Path: "/v1/orgs/{org}/cohorts", Tags: []string{"Courses"},
		Summary: "Start a cohort of a course",
		Description: "The course must be an active course of the school. A cohort ends on or after the day it starts. " +
			"A source and external_id already used in the school answer 409.",
		DefaultStatus: http.StatusCreated, Errors: []int{http.StatusConflict},
	}, func(ctx context.Context, in *createCohortInput) (*cohortOutput, error) {
		b := in.Body
		c, err := svc.CreateCohort(ctx, httpapi.OrgID(ctx), NewCohort{CourseID: b.CourseID, Name: b.Name, StartsOn: b.StartsOn, EndsOn: b.EndsOn,
			Status: b.Status, Source: b.Source, ExternalID: b.ExternalID})
		if err != nil {
			return nil, err
		}
		return newCohortOutput(c), nil
	})

	httpapi.Register(api, httpapi.OrgPermission("cohorts", "read"), huma.Operation{
		OperationID: "get-cohort", Method: http.MethodGet, Path: "/v1/orgs/{org}/cohorts/{id}", Tags: []string{"Courses"},
		Summary:     "Get a cohort",
		Description: "The ETag is needed to change it.",
	}, func(ctx context.Context, in *CohortPath) (*cohortOutput, error) {
		c, err := svc.Cohort(ctx, httpapi.OrgID(ctx), in.ID)
		if err != nil {
			return nil, err
		}
		return newCohortOutput(c), nil
	})

	httpapi.Register(api, httpapi.OrgPermission("cohorts", "write"), huma.Operation{
		OperationID: "update-cohort", Method: http.MethodPatch, Path: "/v1/orgs/{org}/cohorts/{id}", Tags: []string{"Courses"},
		Summary: "Rename, reschedule or change the status of a cohort",
		Description: "Fields left out stay as they are; the cohort keeps its course. The dates are checked together after the change. " +
			"Needs If-Match with the ETag of the last read.",
		Errors: []int{http.StatusPreconditionFailed, http.StatusPreconditionRequired},
	}, func(ctx context.Context, in *updateCohortInput) (*cohortOutput, error) {
		version, err := in.Version()
		if err != nil {
			return nil, err
		}
		b := in.Body
		c, err := svc.UpdateCohort(ctx, httpapi.OrgID(ctx), in.ID, version, CohortChanges{Name: b.Name, StartsOn: b.StartsOn, EndsOn: b.EndsOn, Status: b.Status})
		if err != nil {
			return nil, err
		}
		return newCohortOutput(c), nil
	})
}

// --- products

// ProductPath addresses one product of a school.
type ProductPath struct {
	httpapi.OrgPath
	ID string `path:"id" format:"uuid" doc:"Product id."`
}

type createProductInput struct {
	httpapi.OrgPath
	Body struct {
		Kind     string  `json:"kind" enum:"course,consultation,mentoring,club_subscription"`
		Title    string  `json:"title" minLength:"1" maxLength:"200"`
		CourseID *string `json:"course_id,omitempty" format:"uuid" doc:"Required for kind course."`
		Price    Money   `json:"price"`
		Status   string  `json:"status,omitempty" enum:"active,archived" default:"active"`
		ExternalRef
	}
}

type productOutput struct {
	ETag string `header:"ETag"`
	Body ProductDTO
}

func newProductOutput(p *Product) *productOutput {
	return &productOutput{ETag: httpapi.ETag(p.Version), Body: productDTO(*p)}
}

type listProductsInput struct {
	httpapi.OrgPath
	httpapi.PageQuery
	Kind     string `query:"kind" enum:"course,consultation,mentoring,club_subscription"`
	Status   string `query:"status" enum:"active,archived"`
	CourseID string `query:"course_id" format:"uuid" doc:"Only products of this course."`
}

type listProductsOutput struct{ Body httpapi.Page[ProductDTO] }

type updateProductInput struct {
	ProductPath
	httpapi.IfMatch
	Body struct {
		Title  *string `json:"title,omitempty" minLength:"1" maxLength:"200"`
		Price  *Money  `json:"price,omitempty" doc:"New list price; orders keep what was paid."`
		Status *string `json:"status,omitempty" enum:"active,archived"`
	}
}

func registerProducts(api huma.API, svc *Service) {
	httpapi.Register(api, httpapi.OrgPermission("products", "read"), huma.Operation{
		OperationID: "list-products", Method: http.MethodGet, Path: "/v1/orgs/{org}/products", Tags: []string{"Products"},
		Summary:     "List what the school sells",
		Description: "Filter by kind, status and course. Ordered by creation.",
	}, func(ctx context.Context, in *listProductsInput) (*listProductsOutput, error) {
		after, err := httpapi.AfterID(in.Cursor)
		if err != nil {
			return nil, err
		}
		rows, err := svc.ListProducts(ctx, httpapi.OrgID(ctx), ProductFilter{Kind: in.Kind, Status: in.Status, CourseID: in.CourseID,
			Limit: in.Limit, AfterID: after})
		if err != nil {
			return nil, err
		}
		return &listProductsOutput{Body: httpapi.NewPage(rows, in.Limit, productDTO, func(p Product) []string { return []string{p.ID} })}, nil
	})

	httpapi.Register(api, httpapi.OrgPermission("products", "write"), huma.Operation{
		OperationID: "create-product", Method: http.MethodPost, Path: "/v1/orgs/{org}/products", Tags: []string{"Products"},
		Summary: "Add a product with its list price",
		Description: "A course product names an active course of the school. The price is in minor units (kopecks). " +
			"A source and external_id already used in the school answer 409.",
		DefaultStatus: http.StatusCreated, Errors: []int{http.StatusConflict},
	}, func(ctx context.Context, in *createProductInput) (*productOutput, error) {
		b := in.Body
		p, err := svc.CreateProduct(ctx, httpapi.OrgID(ctx), NewProduct{Kind: b.Kind, Title: b.Title, CourseID: b.CourseID,
			PriceAmount: b.Price.Amount, Currency: b.Price.Currency, Status: b.Status, Source: b.Source, ExternalID: b.ExternalID})
		if err != nil {
			return nil, err
		}
		return newProductOutput(p), nil
	})

	httpapi.Register(api, httpapi.OrgPermission("products", "read"), huma.Operation{
		OperationID: "get-product", Method: http.MethodGet, Path: "/v1/orgs/{org}/products/{id}", Tags: []string{"Products"},
		Summary:     "Get a product",
		Description: "The ETag is needed to change it.",
	}, func(ctx context.Context, in *ProductPath) (*productOutput, error) {
		p, err := svc.Product(ctx, httpapi.OrgID(ctx), in.ID)
		if err != nil {
			return nil, err
		}
		return newProductOutput(p), nil
	})

	httpapi.Register(api, httpapi.OrgPermission("products", "write"), huma.Operation{
		OperationID: "update-product", Method: http.MethodPatch, Path: "/v1/orgs/{org}/products/{id}", Tags: []string{"Products"},
		Summary: "Rename, reprice or archive a product",
		Description: "Fields left out stay as they are. A new price is a new list price: orders keep the amount paid. " +
			"Needs If-Match with the ETag of the last read.",
		Errors: []int{http.StatusPreconditionFailed, http.StatusPreconditionRequired},
	}, func(ctx context.Context, in *updateProductInput) (*productOutput, error) {
		version, err := in.Version()
		if err != nil {
			return nil, err
		}
		ch := ProductChanges{Title: in.Body.Title, Status: in.Body.Status}
		if in.Body.Price != nil {
			ch.PriceAmount, ch.Currency = &in.Body.Price.Amount, &in.Body.Price.Currency
		}
		p, err := svc.UpdateProduct(ctx, httpapi.OrgID(ctx), in.ID, version, ch)
		if err != nil {
			return nil, err
		}
		return newProductOutput(p), nil
	})
}
