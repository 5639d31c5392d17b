package cases

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/curatorops/curatorops/modules/platform/httpapi"
)

// CaseRequestDTO is a collection request.
type CaseRequestDTO struct {
	ID           string     `json:"id" format:"uuid"`
	StudentID    string     `json:"student_id" format:"uuid"`
	EnrollmentID string     `json:"enrollment_id" format:"uuid"`
	CohortID     string     `json:"cohort_id" format:"uuid"`
	CourseID     string     `json:"course_id" format:"uuid"`
	CuratorID    *string    `json:"curator_id" format:"uuid" doc:"The student's curator when the request was made; credited with the case by default."`
	Moment       string     `json:"moment" enum:"module_completed,course_completed,csi_top,nps_promoter,homework_top_score,manual" doc:"What prompted the request."`
	Status       string     `json:"status" enum:"created,sent,opened,submitted,declined,expired,opted_out" doc:"An open request past its expiry shows as expired."`
	Incentive    string     `json:"incentive" doc:"The school's incentive as offered with this request: the same for every answer, whatever the rating."`
	CreatedBy    *string    `json:"created_by" format:"uuid" doc:"Who asked by hand; null for an automatic request."`
	CreatedAt    time.Time  `json:"created_at"`
	ExpiresAt    time.Time  `json:"expires_at"`
	SentAt       *time.Time `json:"sent_at"`
	OpenedAt     *time.Time `json:"opened_at"`
	ClosedAt     *time.Time `json:"closed_at"`
	Version      int64      `json:"version"`
}

func requestDTO(r *Request, now time.Time) CaseRequestDTO {
	return CaseRequestDTO{ID: r.ID, StudentID: r.StudentID, EnrollmentID: r.EnrollmentID, CohortID: r.CohortID, CourseID: r.CourseID,
		CuratorID: r.CuratorID, Moment: r.Moment, Status: r.State(now), Incentive: r.Incentive, CreatedBy: r.CreatedBy,
		CreatedAt: utc(r.CreatedAt), ExpiresAt: utc(r.ExpiresAt), SentAt: httpapi.UTC(r.SentAt), OpenedAt: httpapi.UTC(r.OpenedAt),
		ClosedAt: httpapi.UTC(r.ClosedAt), Version: r.Version}
}

// CaseRequestStepDTO is one step of a request's status trail.
type CaseRequestStepDTO struct {
	Status  string    `json:"status" enum:"created,sent,opened,submitted,declined,expired,opted_out"`
	ActorID *string   `json:"actor_id" doc:"The staff member or null for the student, the LMS or the system."`
	At      time.Time `json:"at"`
}

// CaseRequestDetailDTO is a request with its trail.
type CaseRequestDetailDTO struct {
	CaseRequestDTO
	Trail []CaseRequestStepDTO `json:"trail"`
}

// CreatedCaseRequestDTO is a new request with its link token, shown once.
type CreatedCaseRequestDTO struct {
	CaseRequestDTO
	Token    string `json:"token" doc:"The one-time link token, shown only now; the LMS also receives it in case.requested."`
	LinkPath string `json:"link_path" doc:"The public path the student answers at."`
}

// NewCaseRequestBody asks a student by hand.
type NewCaseRequestBody struct {
	StudentID    string `json:"student_id" format:"uuid" doc:"The student to ask."`
	EnrollmentID string `json:"enrollment_id,omitempty" format:"uuid" doc:"The enrollment the request is about; the student's newest by default."`
}

type requestListQuery struct {
	httpapi.OrgPath
	httpapi.PageQuery
	CohortID  string `query:"cohort_id" format:"uuid" doc:"Only this cohort."`
	StudentID string `query:"student_id" format:"uuid" doc:"Only this student."`
	Status    string `query:"status" enum:"created,sent,opened,submitted,declined,expired,opted_out" doc:"Only requests stored with this status (an open request past its expiry keeps its stored status until its link is used)."`
}

func registerRequests(api huma.API, svc *Service) {
	httpapi.Register(api, httpapi.OrgPermission("cases_requests", "read_own"), huma.Operation{
		OperationID: "list-case-requests", Method: http.MethodGet, Path: "/v1/orgs/{org}/case-requests", Tags: []string{tagCases},
		Summary:     "List case requests",
		Description: "By id (oldest first). A curator sees the requests about her students; senior curators and the head see all.",
	}, func(ctx context.Context, in *requestListQuery) (*struct{ Body httpapi.Page[CaseRequestDTO] }, error) {
		after, err := httpapi.AfterID(in.Cursor)
		if err != nil {
			return nil, err
		}
		rows, err := svc.Requests(ctx, httpapi.OrgID(ctx), viewer(ctx, "cases_requests"), RequestFilter{CohortID: in.CohortID,
			StudentID: in.StudentID, Status: in.Status, AfterID: after, Limit: in.Limit})
		if err != nil {
			return nil, err
		}
		now := svc.Now()
		return &struct{ Body httpapi.Page[CaseRequestDTO] }{Body: httpapi.NewPage(rows, in.Limit,
			func(r Request) CaseRequestDTO { return requestDTO(&r, now) }, func(r Request) []string { return []string{r.ID} })}, nil
	})

	httpapi.Register(api, httpapi.OrgPermission("cases_requests", "read_own"), huma.Operation{
		OperationID: "get-case-request", Method: http.MethodGet, Path: "/v1/orgs/{org}/case-requests/{id}", Tags: []string{tagCases},
		Summary: "Get a case request with its status trail", Description: "A curator sees only the requests about her students.",
	}, func(ctx context.Context, in *IDPath) (*struct{ Body CaseRequestDetailDTO }, error) {
		d, err := svc.Request(ctx, httpapi.OrgID(ctx), in.ID, viewer(ctx, "cases_requests"))
		if err != nil {
			return nil, err
		}
		out := CaseRequestDetailDTO{CaseRequestDTO: requestDTO(d.Request, svc.Now()), Trail: []CaseRequestStepDTO{}}
		for _, e := range d.Trail {
			out.Trail = append(out.Trail, CaseRequestStepDTO{Status: e.Status, ActorID: e.ActorID, At: utc(e.At)})
		}
		return &struct{ Body CaseRequestDetailDTO }{Body: out}, nil
	})

	httpapi.Register(api, httpapi.OrgPermission("cases_requests", "create"), huma.Operation{
		OperationID: "create-case-request", Method: http.MethodPost, Path: "/v1/orgs/{org}/case-requests", Tags: []string{tagCases},
		Summary: "Ask a student for a case by hand",
		Description: "Makes a request with a one-time link (returned once) and publishes case.requested for the LMS to send. " +
			"Refused with 409 when the student opted out or was asked within the school's interval. A curator asks only her own students. Audited.",
		DefaultStatus: http.StatusCreated, Errors: []int{http.StatusConflict},
	}, func(ctx context.Context, in *struct {
		httpapi.OrgPath
		Body NewCaseRequestBody
	}) (*struct{ Body CreatedCaseRequestDTO }, error) {
		r, token, err := svc.CreateRequest(ctx, httpapi.OrgID(ctx), viewer(ctx, "cases_requests"), NewRequest{StudentID: in.Body.StudentID,
			EnrollmentID: in.Body.EnrollmentID})
		if err != nil {
			return nil, err
		}
		return &struct{ Body CreatedCaseRequestDTO }{Body: CreatedCaseRequestDTO{CaseRequestDTO: requestDTO(r, svc.Now()), Token: token,
			LinkPath: "/v1/case-requests/" + token}}, nil
	})

	httpapi.Register(api, httpapi.OrgPermission("cases_requests", "update"), huma.Operation{
		OperationID: "mark-case-request-sent", Method: http.MethodPost, Path: "/v1/orgs/{org}/case-requests/{id}/sent", Tags: []string{tagCases},
		Summary: "Record that a request's link was sent",
		Description: "For a curator who sent the link herself or an LMS that does not send case.request_sent. " +
			"A request already sent or opened is left as it is; an expired one answers 409. Audited.",
		Errors: []int{http.StatusConflict},
	}, func(ctx context.Context, in *IDPath) (*struct{ Body CaseRequestDTO }, error) {
		v := viewer(ctx, "cases_requests")
		if _, err := svc.Request(ctx, httpapi.OrgID(ctx), in.ID, v); err != nil {
			return nil, err
		}
		r, err := svc.MarkSent(ctx, httpapi.OrgID(ctx), in.ID, &v.UserID, svc.Now())
		if err != nil {
			return nil, err
		}
		return &struct{ Body CaseRequestDTO }{Body: requestDTO(r, svc.Now())}, nil
	})
}
