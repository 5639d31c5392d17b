// Package school holds a school's reference data, which every other module
// reads: courses with modules and assignments, cohorts ("потоки"),
// students, enrollments with their curator and its history, products,
// orders and refunds, and business calendars.
package school

import (
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/curatorops/curatorops/modules/platform/bizcal"
)

// Course statuses, cohort statuses, enrollment statuses and other enums.
const (
	StatusActive   = "active"
	StatusArchived = "archived"

	KindRegular      = "regular"
	KindFinalProject = "final_project"

	EnrollmentActive    = "active"
	EnrollmentCompleted = "completed"
	EnrollmentDropped   = "dropped"
	EnrollmentRefunded  = "refunded"
)

// Cohort statuses and product kinds.
const (
	CohortPlanned  = "planned"
	CohortActive   = "active"
	CohortFinished = "finished"
	CohortArchived = "archived"

	ProductCourse           = "course"
	ProductConsultation     = "consultation"
	ProductMentoring        = "mentoring"
	ProductClubSubscription = "club_subscription"
)

// DefaultReviewTarget is the business time a regular assignment is reviewed
// in; final projects get FinalProjectReviewTarget.
const (
	DefaultReviewTarget      = 24 * 60 // minutes
	FinalProjectReviewTarget = 72 * 60
)

// External names a record in the school's LMS or CRM. The validate tags are
// the rules of every input that carries one.
type External struct {
	Source     *string `bun:"source" json:"source" validate:"omitnil,required,singleline,max=50"`
	ExternalID *string `bun:"external_id" json:"external_id" validate:"omitnil,required,singleline,max=200"`
}

// Course is a programme the school sells.
type Course struct {
	bun.BaseModel `bun:"table:courses"`
	External

	ID          string    `bun:"id,pk" json:"id"`
	OrgID       string    `bun:"org_id" json:"-"`
	Title       string    `bun:"title" json:"title"`
	Description string    `bun:"description" json:"description"`
	Status      string    `bun:"status" json:"status"`
	CreatedAt   time.Time `bun:"created_at" json:"-"`
	UpdatedAt   time.Time `bun:"updated_at" json:"-"`
	Version     int64     `bun:"version" json:"version"`
}

// RowVersion is the version an update of the course must name.
func (c *Course) RowVersion() int64 { return c.Version }

// Bump gives the course its next version, changed at at.
func (c *Course) Bump(at time.Time) { c.Version++; c.UpdatedAt = at }

// CourseModule is one ordered module of a course.
type CourseModule struct {
	bun.BaseModel `bun:"table:course_modules"`

	ID       string `bun:"id,pk" json:"id"`
	OrgID    string `bun:"org_id" json:"-"`
	CourseID string `bun:"course_id" json:"course_id"`
	Position int    `bun:"position" json:"position"`
	Title    string `bun:"title" json:"title"`
}

// Criterion is one line of an assignment's rubric.
type Criterion struct {
	Key       string `json:"key" validate:"required,max=64,singleline"`
	Title     string `json:"title" validate:"required,singleline,max=200"`
	MaxPoints int    `json:"max_points" validate:"min=1,max=1000"`
	Required  bool   `json:"required"`
}

// Assignment is the homework of a module.
type Assignment struct {
	bun.BaseModel `bun:"table:assignments"`
	External

	ID                  string      `bun:"id,pk" json:"id"`
	OrgID               string      `bun:"org_id" json:"-"`
	CourseID            string      `bun:"course_id" json:"course_id"`
	ModuleID            string      `bun:"module_id" json:"module_id"`
	Position            int         `bun:"position" json:"position"`
	Title               string      `bun:"title" json:"title"`
	Kind                string      `bun:"kind" json:"kind"`
	ReviewTargetMinutes int         `bun:"review_target_minutes" json:"review_target_minutes"`
	Rubric              []Criterion `bun:"rubric,type:jsonb" json:"rubric"`
}

// Cohort is one run of a course ("поток").
type Cohort struct {
	bun.BaseModel `bun:"table:cohorts"`
	External

	ID        string    `bun:"id,pk" json:"id"`
	OrgID     string    `bun:"org_id" json:"-"`
	CourseID  string    `bun:"course_id" json:"course_id"`
	Name      string    `bun:"name" json:"name"`
	StartsOn  string    `bun:"starts_on" json:"starts_on"`
	EndsOn    string    `bun:"ends_on" json:"ends_on"`
	Status    string    `bun:"status" json:"status"`
	CreatedAt time.Time `bun:"created_at" json:"-"`
	UpdatedAt time.Time `bun:"updated_at" json:"-"`
	Version   int64     `bun:"version" json:"version"`
}

// RowVersion is the version an update of the cohort must name.
func (c *Cohort) RowVersion() int64 { return c.Version }

// Bump gives the cohort its next version, changed at at.
func (c *Cohort) Bump(at time.Time) { c.Version++; c.UpdatedAt = at }

// Student is a person who learns at the school. Contacts and birth date are
// personal data: shown only to roles that need them, erased on request.
type Student struct {
	bun.BaseModel `bun:"table:students"`
	External

	ID        string     `bun:"id,pk" json:"id"`
	OrgID     string     `bun:"org_id" json:"-"`
	FullName  string     `bun:"full_name" json:"full_name"`
	NameKey   string     `bun:"name_key" json:"-"`
	Email     *string    `bun:"email" json:"email"`
	Telegram  *string    `bun:"telegram" json:"telegram"`
	Phone     *string    `bun:"phone" json:"phone"`
	BirthDate *string    `bun:"birth_date" json:"birth_date"`
	ErasedAt  *time.Time `bun:"erased_at" json:"-"`
	CreatedAt time.Time  `bun:"created_at" json:"-"`
	UpdatedAt time.Time  `bun:"updated_at" json:"-"`
	Version   int64      `bun:"version" json:"version"`
}

// RowVersion is the version an update of the student must name.
func (s *Student) RowVersion() int64 { return s.Version }

// Bump gives the student its next version, changed at at.
func (s *Student) Bump(at time.Time) { s.Version++; s.UpdatedAt = at }

// FoldName is how names are compared in search: lower case, ё as е, single
// spaces. SQLite's lower() folds only ASCII, so the folded form is stored.
func FoldName(name string) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(strings.ToLower(name), "ё", "е")), " ")
}

// Minor reports whether the student is under 18 on the given day; unknown
// birth dates count as adult.
func (s *Student) Minor(today time.Time) bool {
	if s.BirthDate == nil {
		return false
	}
	born, err := time.Parse(time.DateOnly, *s.BirthDate)
	if err != nil {
		return false
	}
	return today.Before(born.AddDate(18, 0, 0))
}

// Enrollment is a student in a cohort, with their curator.
type Enrollment struct {
	bun.BaseModel `bun:"table:enrollments"`
	External

	ID         string    `bun:"id,pk" json:"id"`
	OrgID      string    `bun:"org_id" json:"-"`
	StudentID  string    `bun:"student_id" json:"student_id"`
	CohortID   string    `bun:"cohort_id" json:"cohort_id"`
	Tariff     string    `bun:"tariff" json:"tariff"`
	Status     string    `bun:"status" json:"status"`
	CuratorID  *string   `bun:"curator_id" json:"curator_id"`
	EnrolledAt time.Time `bun:"enrolled_at" json:"enrolled_at"`
	CreatedAt  time.Time `bun:"created_at" json:"-"`
	UpdatedAt  time.Time `bun:"updated_at" json:"-"`
	Version    int64     `bun:"version" json:"version"`
}

// RowVersion is the version an update of the enrollment must name.
func (e *Enrollment) RowVersion() int64 { return e.Version }

// Bump gives the enrollment its next version, changed at at.
func (e *Enrollment) Bump(at time.Time) { e.Version++; e.UpdatedAt = at }

// CuratorAssignment is one change of an enrollment's curator. Append-only.
type CuratorAssignment struct {
	bun.BaseModel `bun:"table:curator_assignments"`

	ID                string    `bun:"id,pk"`
	OrgID             string    `bun:"org_id"`
	EnrollmentID      string    `bun:"enrollment_id"`
	CuratorID         *string   `bun:"curator_id"`
	PreviousCuratorID *string   `bun:"previous_curator_id"`
	Reason            string    `bun:"reason"`
	AssignedBy        string    `bun:"assigned_by"`
	AssignedAt        time.Time `bun:"assigned_at"`
}

// Product is something the school sells, with its list price.
type Product struct {
	bun.BaseModel `bun:"table:products"`
	External

	ID          string    `bun:"id,pk" json:"id"`
	OrgID       string    `bun:"org_id" json:"-"`
	Kind        string    `bun:"kind" json:"kind"`
	Title       string    `bun:"title" json:"title"`
	CourseID    *string   `bun:"course_id" json:"course_id"`
	PriceAmount int64     `bun:"price_amount" json:"price_amount"`
	Currency    string    `bun:"currency" json:"currency"`
	Status      string    `bun:"status" json:"status"`
	CreatedAt   time.Time `bun:"created_at" json:"-"`
	UpdatedAt   time.Time `bun:"updated_at" json:"-"`
	Version     int64     `bun:"version" json:"version"`
}

// RowVersion is the version an update of the product must name.
func (p *Product) RowVersion() int64 { return p.Version }

// Bump gives the product its next version, changed at at.
func (p *Product) Bump(at time.Time) { p.Version++; p.UpdatedAt = at }

// Order is a paid purchase. It is never edited: refunds are OrderRefund rows.
type Order struct {
	bun.BaseModel `bun:"table:orders"`
	External

	ID               string    `bun:"id,pk" json:"id"`
	OrgID            string    `bun:"org_id" json:"-"`
	StudentID        string    `bun:"student_id" json:"student_id"`
	ProductID        *string   `bun:"product_id" json:"product_id"`
	CohortID         *string   `bun:"cohort_id" json:"cohort_id"`
	Amount           int64     `bun:"amount" json:"amount"`
	Currency         string    `bun:"currency" json:"currency"`
	PaymentMethod    string    `bun:"payment_method" json:"payment_method"`
	InstalmentMonths int       `bun:"instalment_months" json:"instalment_months"`
	PaidAt           time.Time `bun:"paid_at" json:"paid_at"`
	CreatedAt        time.Time `bun:"created_at" json:"-"`

	// Refunded is the sum of the order's refunds, loaded with the order.
	Refunded int64 `bun:"refunded,scanonly" json:"refunded"`
}

// OrderRefund returns money of an order. Append-only; the sum never exceeds
// the order's amount.
type OrderRefund struct {
	bun.BaseModel `bun:"table:order_refunds"`
	External

	ID         string    `bun:"id,pk" json:"id"`
	OrgID      string    `bun:"org_id" json:"-"`
	OrderID    string    `bun:"order_id" json:"order_id"`
	Amount     int64     `bun:"amount" json:"amount"`
	RefundedAt time.Time `bun:"refunded_at" json:"refunded_at"`
	Reason     string    `bun:"reason" json:"reason"`
	CreatedAt  time.Time `bun:"created_at" json:"-"`
}

// OrderStatus derives an order's state from its refunds.
func (o *Order) Status() string {
	switch {
	case o.Refunded == 0:
		return "paid"
	case o.Refunded >= o.Amount:
		return "refunded"
	default:
		return "partially_refunded"
	}
}

// Calendar is a school's working calendar: the hours in which response and
// review deadlines run. A school has one default calendar and may have
// others (for a night shift, say).
type Calendar struct {
	bun.BaseModel `bun:"table:calendars"`

	ID        string      `bun:"id,pk" json:"id"`
	OrgID     string      `bun:"org_id" json:"-"`
	Name      string      `bun:"name" json:"name"`
	IsDefault bool        `bun:"is_default" json:"is_default"`
	Spec      bizcal.Spec `bun:"spec,type:jsonb" json:"spec"`
	CreatedAt time.Time   `bun:"created_at" json:"-"`
	UpdatedAt time.Time   `bun:"updated_at" json:"-"`
	Version   int64       `bun:"version" json:"version"`
}

// RowVersion is the version an update of the calendar must name.
func (c *Calendar) RowVersion() int64 { return c.Version }

// Bump gives the calendar its next version, changed at at.
func (c *Calendar) Bump(at time.Time) { c.Version++; c.UpdatedAt = at }

// CohortHeadcount is a cohort with the number of its students whose
// enrollment is active or completed.
type CohortHeadcount struct {
	ID       string `bun:"id"`
	CourseID string `bun:"course_id"`
	Name     string `bun:"name"`
	Enrolled int    `bun:"enrolled"`
}
