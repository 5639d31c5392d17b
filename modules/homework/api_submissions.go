package homework

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/curatorops/curatorops/modules/platform/httpapi"
)

// NewSubmissionBody is a submission sent through the API.
type NewSubmissionBody struct {
	ExternalID           string            `json:"external_id" minLength:"1" maxLength:"200" doc:"The LMS's id of the submission; a second submission with it is refused."`
	Source               string            `json:"source,omitempty" maxLength:"50" doc:"The system the external ids come from; lms by default."`
	StudentID            string            `json:"student_id,omitempty" maxLength:"36" doc:"The student, by id; or give student_external_id."`
	StudentExternalID    string            `json:"student_external_id,omitempty" maxLength:"200"`
	AssignmentID         string            `json:"assignment_id,omitempty" maxLength:"36" doc:"The assignment, by id; or give assignment_external_id."`
	AssignmentExternalID string            `json:"assignment_external_id,omitempty" maxLength:"200"`
	Attempt              *int              `json:"attempt,omitempty" minimum:"1" doc:"Checked when given: the first attempt is 1, each resubmission after rework one more."`
	Content              SubmissionContent `json:"content"`
	SubmittedAt          time.Time         `json:"submitted_at"`
}

type listInput struct {
	httpapi.OrgPath
	httpapi.PageQuery
	View         string `query:"view" enum:"mine,pool,overdue" doc:"mine: my queue and claims; pool: shared pools; overdue: open items past due (escalated)."`
	Status       string `query:"status" enum:"queued,in_review,accepted,rework_requested,rejected"`
	CohortID     string `query:"cohort_id" format:"uuid"`
	AssignmentID string `query:"assignment_id" format:"uuid"`
	CuratorID    string `query:"curator_id" format:"uuid" doc:"Items in this curator's own queue."`
	StudentID    string `query:"student_id" format:"uuid"`
}

func registerSubmissions(api huma.API, svc *Service) {
	httpapi.Register(api, httpapi.OrgPermission("homework", "submit"), huma.Operation{
		OperationID: "create-homework-submission", Method: http.MethodPost, Path: "/v1/orgs/{org}/homework-submissions", Tags: []string{"Homework"},
		Summary:       "Record a submission",
		Description:   "What the LMS's submission.created event does, through the API: the review is due in the assignment's review target of business time on the school's default calendar, and the item goes to the queue of the student's curator, or to the cohort's pool when that curator is not active or has a full queue.",
		DefaultStatus: http.StatusCreated, Errors: []int{http.StatusConflict},
	}, func(ctx context.Context, in *struct {
		httpapi.OrgPath
		Body NewSubmissionBody
	}) (*submissionOutput, error) {
		b := in.Body
		sub, err := svc.Submit(ctx, httpapi.OrgID(ctx), NewSubmission{Source: b.Source, ExternalID: b.ExternalID, StudentID: b.StudentID,
			StudentExternalID: b.StudentExternalID, AssignmentID: b.AssignmentID, AssignmentExternalID: b.AssignmentExternalID,
			Attempt: b.Attempt, Content: b.Content, SubmittedAt: b.SubmittedAt})
		if err != nil {
			return nil, err
		}
		return submissionOut(sub, svc.Now(), actorID(ctx)), nil
	})

	httpapi.Register(api, httpapi.OrgPermission("homework", "read_own"), huma.Operation{
		OperationID: "list-homework-submissions", Method: http.MethodGet, Path: "/v1/orgs/{org}/homework-submissions", Tags: []string{"Homework"},
		Summary:     "List submissions",
		Description: "Most urgent first (by due time; overdue items come first). Curators see their own queue, their claims and reviews, and the pools of the cohorts where they curate students; senior curators and the head see everything.",
	}, func(ctx context.Context, in *listInput) (*struct{ Body httpapi.Page[SubmissionDTO] }, error) {
		after, err := httpapi.AfterTimeID(in.Cursor)
		if err != nil {
			return nil, err
		}
		rows, err := svc.List(ctx, httpapi.OrgID(ctx), ReviewerFrom(ctx), ListFilter{View: in.View, Status: in.Status, CohortID: in.CohortID,
			AssignmentID: in.AssignmentID, CuratorID: in.CuratorID, StudentID: in.StudentID, Limit: in.Limit, After: after})
		if err != nil {
			return nil, err
		}
		now, viewer := svc.Now(), actorID(ctx)
		page := httpapi.NewPage(rows, in.Limit, func(r Submission) SubmissionDTO { return submissionDTO(&r, now, viewer) },
			func(r Submission) []string { return []string{r.DueAt.UTC().Format(time.RFC3339Nano), r.ID} })
		return &struct{ Body httpapi.Page[SubmissionDTO] }{Body: page}, nil
	})

	httpapi.Register(api, httpapi.OrgPermission("homework", "read_own"), huma.Operation{
		OperationID: "get-homework-submission", Method: http.MethodGet, Path: "/v1/orgs/{org}/homework-submissions/{id}", Tags: []string{"Homework"},
		Summary:     "Get a submission",
		Description: "With its content and rubric. The ETag is the version the final review's If-Match needs; the draft is shown to the claim holder only.",
	}, func(ctx context.Context, in *SubmissionPath) (*submissionOutput, error) {
		sub, err := svc.Submission(ctx, httpapi.OrgID(ctx), in.ID, ReviewerFrom(ctx))
		if err != nil {
			return nil, err
		}
		return submissionOut(sub, svc.Now(), actorID(ctx)), nil
	})

	httpapi.Register(api, httpapi.OrgPermission("homework", "read_own"), huma.Operation{
		OperationID: "list-homework-reviews", Method: http.MethodGet, Path: "/v1/orgs/{org}/homework-submissions/{id}/reviews", Tags: []string{"Homework"},
		Summary:     "List a submission's verdicts",
		Description: "Append-only, oldest first: the reviewer's verdict and any quality reviewer's overturn of it.",
	}, func(ctx context.Context, in *SubmissionPath) (*struct {
		Body struct {
			Items []ReviewDTO `json:"items"`
		}
	}, error) {
		rows, err := svc.Reviews(ctx, httpapi.OrgID(ctx), in.ID, ReviewerFrom(ctx))
		if err != nil {
			return nil, err
		}
		out := &struct {
			Body struct {
				Items []ReviewDTO `json:"items"`
			}
		}{}
		out.Body.Items = make([]ReviewDTO, len(rows))
		for i := range rows {
			out.Body.Items[i] = reviewDTO(&rows[i])
		}
		return out, nil
	})

	httpapi.Register(api, httpapi.OrgPermission("homework", "reassign"), huma.Operation{
		OperationID: "reassign-homework-submission", Method: http.MethodPost, Path: "/v1/orgs/{org}/homework-submissions/{id}/reassign", Tags: []string{"Homework"},
		Summary:     "Move a submission to another queue",
		Description: "The head puts an open item in a curator's queue, or in its cohort's pool with a null curator_id; a claim on it is dropped. Audited.",
		Errors:      []int{http.StatusConflict, http.StatusPreconditionFailed, http.StatusPreconditionRequired},
	}, func(ctx context.Context, in *struct {
		SubmissionPath
		httpapi.IfMatch
		Body struct {
			CuratorID *string `json:"curator_id" format:"uuid" doc:"The curator whose queue takes the item; null for the pool." required:"false"`
		}
	}) (*submissionOutput, error) {
		v, err := in.Version()
		if err != nil {
			return nil, err
		}
		sub, err := svc.Reassign(ctx, httpapi.OrgID(ctx), in.ID, v, in.Body.CuratorID)
		if err != nil {
			return nil, err
		}
		return submissionOut(sub, svc.Now(), actorID(ctx)), nil
	})
}
