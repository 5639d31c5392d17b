package school

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/curatorops/curatorops/modules/platform/errs"
	"github.com/curatorops/curatorops/modules/platform/httpapi"
)

// --- DTOs

// StudentDTO is a student as the API shows it. Contacts and the birth date
// are present only for callers allowed to see them; contacts_visible says
// which case applies.
type StudentDTO struct {
	ID              string    `json:"id" format:"uuid"`
	FullName        string    `json:"full_name"`
	Email           *string   `json:"email,omitempty"`
	Telegram        *string   `json:"telegram,omitempty"`
	Phone           *string   `json:"phone,omitempty"`
	BirthDate       *string   `json:"birth_date,omitempty"`
	Minor           bool      `json:"minor" doc:"Under 18 today; consent for such students needs a guardian."`
	ContactsVisible bool      `json:"contacts_visible"`
	Erased          bool      `json:"erased"`
	Source          *string   `json:"source,omitempty"`
	ExternalID      *string   `json:"external_id,omitempty"`
	CreatedAt       time.Time `json:"created_at"`
	UpdatedAt       time.Time `json:"updated_at"`
	Version         int64     `json:"version"`
}

func studentDTO(st *Student, withContacts bool, today time.Time) StudentDTO {
	d := StudentDTO{ID: st.ID, FullName: st.FullName, Minor: st.Minor(today), ContactsVisible: withContacts,
		Erased: st.ErasedAt != nil, Source: st.Source, ExternalID: st.ExternalID,
		CreatedAt: st.CreatedAt.UTC(), UpdatedAt: st.UpdatedAt.UTC(), Version: st.Version}
	if withContacts {
		d.Email, d.Telegram, d.Phone, d.BirthDate = st.Email, st.Telegram, st.Phone, st.BirthDate
	}
	return d
}

// EnrollmentDTO is an enrollment.
type EnrollmentDTO struct {
	ID         string    `json:"id" format:"uuid"`
	StudentID  string    `json:"student_id" format:"uuid"`
	CohortID   string    `json:"cohort_id" format:"uuid"`
	Tariff     string    `json:"tariff"`
	Status     string    `json:"status" enum:"active,completed,dropped,refunded"`
	CuratorID  *string   `json:"curator_id,omitempty" format:"uuid"`
	EnrolledAt time.Time `json:"enrolled_at"`
	Source     *string   `json:"source,omitempty"`
	ExternalID *string   `json:"external_id,omitempty"`
	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`
	Version    int64     `json:"version"`
}

func enrollmentDTO(e Enrollment) EnrollmentDTO {
	return EnrollmentDTO{ID: e.ID, StudentID: e.StudentID, CohortID: e.CohortID, Tariff: e.Tariff, Status: e.Status,
		CuratorID: e.CuratorID, EnrolledAt: e.EnrolledAt.UTC(), Source: e.Source, ExternalID: e.ExternalID,
		CreatedAt: e.CreatedAt.UTC(), UpdatedAt: e.UpdatedAt.UTC(), Version: e.Version}
}

// CuratorChangeDTO is one line of an enrollment's curator history.
type CuratorChangeDTO struct {
	CuratorID         *string   `json:"curator_id" format:"uuid"`
	PreviousCuratorID *string   `json:"previous_curator_id" format:"uuid"`
	Reason            string    `json:"reason"`
	AssignedBy        string    `json:"assigned_by"`
	AssignedAt        time.Time `json:"assigned_at"`
}

func curatorChangeDTO(h CuratorAssignment) CuratorChangeDTO {
	return CuratorChangeDTO{CuratorID: h.CuratorID, PreviousCuratorID: h.PreviousCuratorID, Reason: h.Reason,
		AssignedBy: h.AssignedBy, AssignedAt: h.AssignedAt.UTC()}
}

// OrderDTO is a paid order with what was refunded of it.
type OrderDTO struct {
	ID               string    `json:"id" format:"uuid"`
	StudentID        string    `json:"student_id" format:"uuid"`
	ProductID        *string   `json:"product_id,omitempty" format:"uuid"`
	CohortID         *string   `json:"cohort_id,omitempty" format:"uuid"`
	Amount           Money     `json:"amount"`
	Refunded         Money     `json:"refunded"`
	Status           string    `json:"status" enum:"paid,partially_refunded,refunded"`
	PaymentMethod    string    `json:"payment_method" enum:"card,instalment,bank_transfer,cash,other"`
	InstalmentMonths int       `json:"instalment_months"`
	PaidAt           time.Time `json:"paid_at"`
	Source           *string   `json:"source,omitempty"`
	ExternalID       *string   `json:"external_id,omitempty"`
	CreatedAt        time.Time `json:"created_at"`
}

func orderDTO(o Order) OrderDTO {
	return OrderDTO{ID: o.ID, StudentID: o.StudentID, ProductID: o.ProductID, CohortID: o.CohortID,
		Amount: Money{Amount: o.Amount, Currency: o.Currency}, Refunded: Money{Amount: o.Refunded, Currency: o.Currency},
		Status: o.Status(), PaymentMethod: o.PaymentMethod, InstalmentMonths: o.InstalmentMonths, PaidAt: o.PaidAt.UTC(),
		Source: o.Source, ExternalID: o.ExternalID, CreatedAt: o.CreatedAt.UTC()}
}

// RefundDTO is money returned on an order.
type RefundDTO struct {
	ID         string    `json:"id" format:"uuid"`
	OrderID    string    `json:"order_id" format:"uuid"`
	Amount     Money     `json:"amount"`
	RefundedAt time.Time `json:"refunded_at"`
	Reason     string    `json:"reason"`
	CreatedAt  time.Time `json:"created_at"`
}

func refundDTO(r OrderRefund, currency string) RefundDTO {
	return RefundDTO{ID: r.ID, OrderID: r.OrderID, Amount: Money{Amount: r.Amount, Currency: currency},
		RefundedAt: r.RefundedAt.UTC(), Reason: r.Reason, CreatedAt: r.CreatedAt.UTC()}
}

// IdempotencyKey is the header of POSTs that create money records.
type IdempotencyKey struct {
	IdempotencyKey string `header:"Idempotency-Key" maxLength:"200" doc:"Repeating a request with the same key returns the first result instead of recording twice."`
}

// external returns the record's external identity: the body's, else the
// idempotency key's.
func (k IdempotencyKey) external(ref ExternalRef) External {
	if ref.Source == nil && ref.ExternalID == nil && strings.TrimSpace(k.IdempotencyKey) != "" {
		src, key := "idempotency-key", strings.TrimSpace(k.IdempotencyKey)
		return External{Source: &src, ExternalID: &key}
	}
	return ref.external()
}

// --- students

// StudentBody is a student as clients write it.
// The content rules (length, email, phone, handle, date) are
// StudentInput's validate tags, checked by the service exactly as for an
// import line or an LMS event; the schema only describes them.
type StudentBody struct {
	FullName  string  `json:"full_name" doc:"One line, 1–200 characters."`
	Email     *string `json:"email,omitempty" doc:"An email address, at most 254 characters."`
	Telegram  *string `json:"telegram,omitempty" doc:"Telegram handle: 5–32 letters, digits or underscores starting with a letter, with or without @."`
	Phone     *string `json:"phone,omitempty" doc:"International format (E.164), spaces, dashes and brackets allowed: +7 (900) 123-45-67."`
	BirthDate *string `json:"birth_date,omitempty" format:"date" doc:"YYYY-MM-DD, not in the future, at most 120 years ago."`
}

func (b StudentBody) input(ext External) StudentInput {
	return StudentInput{FullName: b.FullName, Email: b.Email, Telegram: b.Telegram, Phone: b.Phone, BirthDate: b.BirthDate, External: ext}
}

type createStudentInput struct {
	httpapi.OrgPath
	Body struct {
		StudentBody
		ExternalRef
	}
}

type updateStudentInput struct {
	IDPath
	httpapi.IfMatch
	Body StudentBody
}

type studentOutput struct {
	ETag string `header:"ETag"`
	Body StudentDTO
}

type listStudentsInput struct {
	httpapi.OrgPath
	httpapi.PageQuery
	Name      string `query:"name" maxLength:"200" doc:"Part of the full name, case-insensitive (ё matches е)."`
	CohortID  string `query:"cohort_id" format:"uuid"`
	CuratorID string `query:"curator_id" format:"uuid"`
}

type listStudentsOutput struct{ Body httpapi.Page[StudentDTO] }

// registerPeople adds the operations on students, enrollments and orders.
func registerPeople(api huma.API, svc *Service) {
	registerStudents(api, svc)
	registerEnrollments(api, svc)
	registerOrders(api, svc)
}

// studentOut shows st to the caller, with its contacts when the caller may
// see them.
func studentOut(ctx context.Context, svc *Service, orgID string, st *Student) (*studentOutput, error) {
	visible, err := svc.MaySeeContacts(ctx, orgID, st.ID)
	if err != nil {
		return nil, err
	}
	return &studentOutput{ETag: httpapi.ETag(st.Version), Body: studentDTO(st, visible, svc.Now())}, nil
}

func registerStudents(api huma.API, svc *Service) {
	httpapi.Register(api, httpapi.OrgPermission("students", "write"), huma.Operation{
		OperationID: "create-student", Method: http.MethodPost, Path: "/v1/orgs/{org}/students", Tags: []string{"Students"},
		Summary: "Add a student", Description: "Usually students arrive from the LMS as student.upserted events; this adds one by hand.",
		DefaultStatus: http.StatusCreated, Errors: []int{http.StatusConflict},
	}, func(ctx context.Context, in *createStudentInput) (*studentOutput, error) {
		orgID := httpapi.OrgID(ctx)
		st, err := svc.CreateStudent(ctx, orgID, in.Body.input(in.Body.external()))
		if err != nil {
			return nil, err
		}
		return studentOut(ctx, svc, orgID, st)
	})

	httpapi.Register(api, httpapi.OrgPermission("students", "read"), huma.Operation{
		OperationID: "list-students", Method: http.MethodGet, Path: "/v1/orgs/{org}/students", Tags: []string{"Students"},
		Summary:     "List students",
		Description: "Contacts appear only for roles that see every student's contacts; a curator sees the contacts of their own students in get-student.",
	}, func(ctx context.Context, in *listStudentsInput) (*listStudentsOutput, error) {
		after, err := httpapi.AfterID(in.Cursor)
		if err != nil {
			return nil, err
		}
		orgID := httpapi.OrgID(ctx)
		rows, err := svc.ListStudents(ctx, orgID, StudentFilter{Name: in.Name, CohortID: in.CohortID, CuratorID: in.CuratorID, Limit: in.Limit, AfterID: after})
		if err != nil {
			return nil, err
		}
		all := httpapi.OrgAllowed(ctx, "student_contacts", "read_all")
		today := svc.Now()
		return &listStudentsOutput{Body: httpapi.NewPage(rows, in.Limit,
			func(st Student) StudentDTO { return studentDTO(&st, all, today) },
			func(st Student) []string { return []string{st.ID} })}, nil
	})

	httpapi.Register(api, httpapi.OrgPermission("students", "read"), huma.Operation{
		OperationID: "get-student", Method: http.MethodGet, Path: "/v1/orgs/{org}/students/{id}", Tags: []string{"Students"},
		Summary:     "Get a student",
		Description: "Contacts and the birth date are shown to admins, the head of service and senior curators, and to the student's own curator; never to HR or finance.",
	}, func(ctx context.Context, in *IDPath) (*studentOutput, error) {
		orgID := httpapi.OrgID(ctx)
		st, err := svc.Student(ctx, orgID, in.ID)
		if err != nil {
			return nil, err
		}
		return studentOut(ctx, svc, orgID, st)
	})

	httpapi.Register(api, httpapi.OrgPermission("students", "write"), huma.Operation{
		OperationID: "update-student", Method: http.MethodPatch, Path: "/v1/orgs/{org}/students/{id}", Tags: []string{"Students"},
		Summary: "Change a student", Description: "The full name is replaced; contacts left out stay as they are. Needs If-Match.",
		Errors: []int{http.StatusConflict, http.StatusPreconditionFailed, http.StatusPreconditionRequired},
	}, func(ctx context.Context, in *updateStudentInput) (*studentOutput, error) {
		version, err := in.Version()
		if err != nil {
			return nil, err
		}
		orgID := httpapi.OrgID(ctx)
		st, err := svc.UpdateStudent(ctx, orgID, in.ID, version, in.Body.input(External{}))
		if err != nil {
			return nil, err
		}
		return studentOut(ctx, svc, orgID, st)
	})
}

// --- enrollments

type createEnrollmentInput struct {
	httpapi.OrgPath
	Body struct {
		StudentID  string     `json:"student_id" format:"uuid"`
		CohortID   string     `json:"cohort_id" format:"uuid"`
		Tariff     string     `json:"tariff,omitempty" doc:"One line, at most 100 characters."`
		Status     string     `json:"status,omitempty" enum:"active,completed,dropped,refunded" default:"active"`
		CuratorID  *string    `json:"curator_id,omitempty" format:"uuid"`
		EnrolledAt *time.Time `json:"enrolled_at,omitempty" doc:"When it happened: from 2000-01-01 to now; default now."`
		ExternalRef
	}
}

type enrollmentOutput struct {
	ETag string `header:"ETag"`
	Body EnrollmentDTO
}

func newEnrollmentOutput(e *Enrollment) *enrollmentOutput {
	return &enrollmentOutput{ETag: httpapi.ETag(e.Version), Body: enrollmentDTO(*e)}
}

type listEnrollmentsInput struct {
	httpapi.OrgPath
	httpapi.PageQuery
	CohortID   string `query:"cohort_id" format:"uuid"`
	StudentID  string `query:"student_id" format:"uuid"`
	CuratorID  string `query:"curator_id" format:"uuid"`
	Unassigned bool   `query:"unassigned" doc:"Only enrollments without a curator."`
	Status     string `query:"status" enum:"active,completed,dropped,refunded"`
}

type listEnrollmentsOutput struct{ Body httpapi.Page[EnrollmentDTO] }

type updateEnrollmentInput struct {
	IDPath
	httpapi.IfMatch
	Body struct {
		Tariff *string `json:"tariff,omitempty" doc:"One line, at most 100 characters."`
		Status *string `json:"status,omitempty" enum:"active,completed,dropped,refunded"`
	}
}

type assignCuratorInput struct {
	IDPath
	httpapi.IfMatch
	Body struct {
		CuratorID *string `json:"curator_id" format:"uuid" nullable:"true" doc:"The new curator; null leaves the student without one."`
		Reason    string  `json:"reason,omitempty" maxLength:"500"`
	}
}

type historyOutput struct {
	Body struct {
		Items []CuratorChangeDTO `json:"items"`
	}
}

type balanceInput struct {
	httpapi.OrgPath
	Body struct {
		CohortID   string   `json:"cohort_id" format:"uuid"`
		CuratorIDs []string `json:"curator_ids,omitempty" maxItems:"500" uniqueItems:"true" doc:"Curators to spread the students over; all active curators when absent."`
	}
}

// CuratorPickDTO is one enrollment given a curator.
type CuratorPickDTO struct {
	EnrollmentID string `json:"enrollment_id" format:"uuid"`
	CuratorID    string `json:"curator_id" format:"uuid"`
}

type balanceOutput struct {
	Body struct {
		Assigned []CuratorPickDTO `json:"assigned"`
	}
}

func registerEnrollments(api huma.API, svc *Service) {
	stale := []int{http.StatusConflict, http.StatusPreconditionFailed, http.StatusPreconditionRequired}

	httpapi.Register(api, httpapi.OrgPermission("enrollments", "write"), huma.Operation{
		OperationID: "create-enrollment", Method: http.MethodPost, Path: "/v1/orgs/{org}/enrollments", Tags: []string{"Enrollments"},
		Summary: "Enroll a student in a cohort", Description: "A student is enrolled in a cohort once; the curator is optional and can be balanced later.",
		DefaultStatus: http.StatusCreated, Errors: []int{http.StatusConflict},
	}, func(ctx context.Context, in *createEnrollmentInput) (*enrollmentOutput, error) {
		b := in.Body
		e, err := svc.CreateEnrollment(ctx, httpapi.OrgID(ctx), EnrollmentInput{StudentID: b.StudentID, CohortID: b.CohortID,
			Tariff: b.Tariff, Status: b.Status, CuratorID: b.CuratorID, EnrolledAt: b.EnrolledAt, External: b.external()})
		if err != nil {
			return nil, err
		}
		return newEnrollmentOutput(e), nil
	})

	httpapi.Register(api, httpapi.OrgPermission("enrollments", "read"), huma.Operation{
		OperationID: "list-enrollments", Method: http.MethodGet, Path: "/v1/orgs/{org}/enrollments", Tags: []string{"Enrollments"},
		Summary: "List enrollments", Description: "Filter by cohort, student, curator, status, or those without a curator.",
	}, func(ctx context.Context, in *listEnrollmentsInput) (*listEnrollmentsOutput, error) {
		after, err := httpapi.AfterID(in.Cursor)
		if err != nil {
			return nil, err
		}
		rows, err := svc.ListEnrollments(ctx, httpapi.OrgID(ctx), EnrollmentFilter{CohortID: in.CohortID, StudentID: in.StudentID,
			CuratorID: in.CuratorID, Unassigned: in.Unassigned, Status: in.Status, Limit: in.Limit, AfterID: after})
		if err != nil {
			return nil, err
		}
		return &listEnrollmentsOutput{Body: httpapi.NewPage(rows, in.Limit, enrollmentDTO, func(e Enrollment) []string { return []string{e.ID} })}, nil
	})

	httpapi.Register(api, httpapi.OrgPermission("enrollments", "read"), huma.Operation{
		OperationID: "get-enrollment", Method: http.MethodGet, Path: "/v1/orgs/{org}/enrollments/{id}", Tags: []string{"Enrollments"},
		Summary: "Get an enrollment", Description: "The ETag is needed to change it or its curator.",
	}, func(ctx context.Context, in *IDPath) (*enrollmentOutput, error) {
		e, err := svc.Enrollment(ctx, httpapi.OrgID(ctx), in.ID)
		if err != nil {
			return nil, err
		}
		return newEnrollmentOutput(e), nil
	})

	httpapi.Register(api, httpapi.OrgPermission("enrollments", "write"), huma.Operation{
		OperationID: "update-enrollment", Method: http.MethodPatch, Path: "/v1/orgs/{org}/enrollments/{id}", Tags: []string{"Enrollments"},
		Summary: "Change an enrollment's tariff or status", Description: "Needs If-Match.", Errors: stale,
	}, func(ctx context.Context, in *updateEnrollmentInput) (*enrollmentOutput, error) {
		version, err := in.Version()
		if err != nil {
			return nil, err
		}
		e, err := svc.UpdateEnrollment(ctx, httpapi.OrgID(ctx), in.ID, version, in.Body.Tariff, in.Body.Status)
		if err != nil {
			return nil, err
		}
		return newEnrollmentOutput(e), nil
	})

	httpapi.Register(api, httpapi.OrgPermission("enrollments", "assign"), huma.Operation{
		OperationID: "assign-curator", Method: http.MethodPut, Path: "/v1/orgs/{org}/enrollments/{id}/curator", Tags: []string{"Enrollments"},
		Summary: "Give an enrollment a curator", Description: "Reassignment keeps the history (curator-history). Needs If-Match.", Errors: stale,
	}, func(ctx context.Context, in *assignCuratorInput) (*enrollmentOutput, error) {
		version, err := in.Version()
		if err != nil {
			return nil, err
		}
		e, err := svc.AssignCurator(ctx, httpapi.OrgID(ctx), in.ID, version, in.Body.CuratorID, in.Body.Reason)
		if err != nil {
			return nil, err
		}
		return newEnrollmentOutput(e), nil
	})

	httpapi.Register(api, httpapi.OrgPermission("enrollments", "read"), huma.Operation{
		OperationID: "list-curator-history", Method: http.MethodGet, Path: "/v1/orgs/{org}/enrollments/{id}/curator-history", Tags: []string{"Enrollments"},
		Summary: "Curator history of an enrollment", Description: "Every change of the enrollment's curator, oldest first.",
	}, func(ctx context.Context, in *IDPath) (*historyOutput, error) {
		rows, err := svc.CuratorHistory(ctx, httpapi.OrgID(ctx), in.ID)
		if err != nil {
			return nil, err
		}
		out := &historyOutput{}
		out.Body.Items = make([]CuratorChangeDTO, len(rows))
		for i, r := range rows {
			out.Body.Items[i] = curatorChangeDTO(r)
		}
		return out, nil
	})

	httpapi.Register(api, httpapi.OrgPermission("enrollments", "assign"), huma.Operation{
		OperationID: "balance-curators", Method: http.MethodPost, Path: "/v1/orgs/{org}/enrollments/assign-curators", Tags: []string{"Enrollments"},
		Summary:     "Give every unassigned student of a cohort a curator, balancing loads",
		Description: "Each active enrollment without a curator goes to the curator with the fewest active students at that moment.",
		Errors:      []int{http.StatusConflict},
	}, func(ctx context.Context, in *balanceInput) (*balanceOutput, error) {
		made, err := svc.AssignCurators(ctx, httpapi.OrgID(ctx), in.Body.CohortID, in.Body.CuratorIDs)
		if err != nil {
			return nil, err
		}
		out := &balanceOutput{}
		out.Body.Assigned = make([]CuratorPickDTO, len(made))
		for i, m := range made {
			out.Body.Assigned[i] = CuratorPickDTO{EnrollmentID: m.EnrollmentID, CuratorID: m.CuratorID}
		}
		return out, nil
	})
}

// --- orders

type createOrderInput struct {
	httpapi.OrgPath
	IdempotencyKey
	Body struct {
		StudentID        string    `json:"student_id" format:"uuid"`
		ProductID        *string   `json:"product_id,omitempty" format:"uuid"`
		CohortID         *string   `json:"cohort_id,omitempty" format:"uuid"`
		Amount           Money     `json:"amount"`
		PaymentMethod    string    `json:"payment_method" enum:"card,instalment,bank_transfer,cash,other"`
		InstalmentMonths int       `json:"instalment_months,omitempty" minimum:"0" maximum:"60"`
		PaidAt           time.Time `json:"paid_at" doc:"When it was paid: from 2000-01-01 to now."`
		ExternalRef
	}
}

type orderOutput struct {
	Status int
	Body   struct {
		OrderDTO
		Refunds []RefundDTO `json:"refunds"`
	}
}

func newOrderOutput(status int, o *Order, refunds []OrderRefund) *orderOutput {
	out := &orderOutput{Status: status}
	out.Body.OrderDTO = orderDTO(*o)
	out.Body.Refunds = make([]RefundDTO, len(refunds))
	for i, r := range refunds {
		out.Body.Refunds[i] = refundDTO(r, o.Currency)
	}
	return out
}

type listOrdersInput struct {
	httpapi.OrgPath
	httpapi.PageQuery
	StudentID string `query:"student_id" format:"uuid"`
	CohortID  string `query:"cohort_id" format:"uuid"`
}

type listOrdersOutput struct{ Body httpapi.Page[OrderDTO] }

type createRefundInput struct {
	IDPath
	IdempotencyKey
	Body struct {
		Amount     Money     `json:"amount"`
		RefundedAt time.Time `json:"refunded_at" doc:"When the money was returned: not before the order was paid, nor after now."`
		Reason     string    `json:"reason,omitempty" doc:"Free text, at most 500 characters."`
		ExternalRef
	}
}

type refundOutput struct {
	Status int
	Body   RefundDTO
}

func registerOrders(api huma.API, svc *Service) {
	httpapi.Register(api, httpapi.OrgPermission("orders", "write"), huma.Operation{
		OperationID: "create-order", Method: http.MethodPost, Path: "/v1/orgs/{org}/orders", Tags: []string{"Orders"},
		Summary:       "Record a paid order",
		Description:   "Orders are never edited. Repeating the request with the same Idempotency-Key (or external id) returns the recorded order with 200.",
		DefaultStatus: http.StatusCreated, Errors: []int{http.StatusConflict},
	}, func(ctx context.Context, in *createOrderInput) (*orderOutput, error) {
		b := in.Body
		o, created, err := svc.RecordOrder(ctx, httpapi.OrgID(ctx), OrderInput{StudentID: b.StudentID, ProductID: b.ProductID,
			CohortID: b.CohortID, Amount: b.Amount.Amount, Currency: b.Amount.Currency, PaymentMethod: b.PaymentMethod,
			InstalmentMonths: b.InstalmentMonths, PaidAt: b.PaidAt, External: in.external(b.ExternalRef)})
		if err != nil {
			return nil, err
		}
		return newOrderOutput(statusOf(created), o, nil), nil
	})

	httpapi.Register(api, httpapi.OrgPermission("orders", "read"), huma.Operation{
		OperationID: "list-orders", Method: http.MethodGet, Path: "/v1/orgs/{org}/orders", Tags: []string{"Orders"},
		Summary: "List orders", Description: "Each order shows its amount, what was refunded of it and the status that follows.",
	}, func(ctx context.Context, in *listOrdersInput) (*listOrdersOutput, error) {
		after, err := httpapi.AfterID(in.Cursor)
		if err != nil {
			return nil, err
		}
		rows, err := svc.ListOrders(ctx, httpapi.OrgID(ctx), OrderFilter{StudentID: in.StudentID, CohortID: in.CohortID, Limit: in.Limit, AfterID: after})
		if err != nil {
			return nil, err
		}
		return &listOrdersOutput{Body: httpapi.NewPage(rows, in.Limit, orderDTO, func(o Order) []string { return []string{o.ID} })}, nil
	})

	httpapi.Register(api, httpapi.OrgPermission("orders", "read"), huma.Operation{
		OperationID: "get-order", Method: http.MethodGet, Path: "/v1/orgs/{org}/orders/{id}", Tags: []string{"Orders"},
		Summary: "Get an order with its refunds", Description: "The refunds are listed oldest first.",
	}, func(ctx context.Context, in *IDPath) (*orderOutput, error) {
		o, refunds, err := svc.Order(ctx, httpapi.OrgID(ctx), in.ID)
		if err != nil {
			return nil, err
		}
		return newOrderOutput(http.StatusOK, o, refunds), nil
	})

	httpapi.Register(api, httpapi.OrgPermission("orders", "refund"), huma.Operation{
		OperationID: "create-order-refund", Method: http.MethodPost, Path: "/v1/orgs/{org}/orders/{id}/refunds", Tags: []string{"Orders"},
		Summary:       "Record money returned on an order",
		Description:   "Refunds of an order never add up to more than was paid. Repeating with the same Idempotency-Key returns the recorded refund with 200.",
		DefaultStatus: http.StatusCreated, Errors: []int{http.StatusConflict},
	}, func(ctx context.Context, in *createRefundInput) (*refundOutput, error) {
		b := in.Body
		orgID := httpapi.OrgID(ctx)
		o, _, err := svc.Order(ctx, orgID, in.ID)
		if err != nil {
			return nil, err
		}
		if b.Amount.Currency != o.Currency {
			return nil, errs.Invalid("body.amount.currency", "must be the order's currency, "+o.Currency)
		}
		r, created, err := svc.RecordRefund(ctx, orgID, in.ID, RefundInput{Amount: b.Amount.Amount, RefundedAt: b.RefundedAt, Reason: b.Reason, External: in.external(b.ExternalRef)})
		if err != nil {
			return nil, err
		}
		return &refundOutput{Status: statusOf(created), Body: refundDTO(*r, o.Currency)}, nil
	})
}

func statusOf(created bool) int {
	if created {
		return http.StatusCreated
	}
	return http.StatusOK
}
