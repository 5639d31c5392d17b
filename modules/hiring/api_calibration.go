package hiring

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/curatorops/curatorops/modules/platform/httpapi"
)

// NewItemBody marks a homework submission as a calibration item.
type NewItemBody struct {
	SubmissionID     string  `json:"submission_id" format:"uuid" maxLength:"36" doc:"A homework submission of the school."`
	Title            string  `json:"title" minLength:"1" maxLength:"200" example:"Модуль 2: лендинг, спорный случай"`
	ReferenceVerdict string  `json:"reference_verdict" enum:"accepted,rework_requested,rejected"`
	ReferenceScore   int     `json:"reference_score" minimum:"0" maximum:"10000" doc:"Points of the rubric, at most its maximum."`
	Text             *string `json:"text,omitempty" maxLength:"100000" doc:"Replaces the submission's text in what candidates see. The student's name and contacts are removed automatically; use this to remove anything else."`
}

// ItemPatchBody changes a calibration item.
type ItemPatchBody struct {
	Title            *string `json:"title,omitempty" minLength:"1" maxLength:"200"`
	ReferenceVerdict *string `json:"reference_verdict,omitempty" enum:"accepted,rework_requested,rejected"`
	ReferenceScore   *int    `json:"reference_score,omitempty" minimum:"0" maximum:"10000"`
	Text             *string `json:"text,omitempty" maxLength:"100000"`
	Active           *bool   `json:"active,omitempty" doc:"A retired item is not issued any more."`
}

// CalibrationRubricLineDTO is one rubric criterion.
type CalibrationRubricLineDTO struct {
	Key       string `json:"key"`
	Title     string `json:"title"`
	MaxPoints int    `json:"max_points"`
}

// CalibrationMaterialDTO is the anonymised work to review.
type CalibrationMaterialDTO struct {
	Text  string   `json:"text"`
	Links []string `json:"links" nullable:"false"`
}

// CalibrationItemDTO is a calibration item as the school's staff see it, with the
// reference.
type CalibrationItemDTO struct {
	ID               string                     `json:"id" format:"uuid"`
	SubmissionID     string                     `json:"submission_id" format:"uuid"`
	Title            string                     `json:"title"`
	Content          CalibrationMaterialDTO     `json:"content"`
	Rubric           []CalibrationRubricLineDTO `json:"rubric" nullable:"false"`
	MaxScore         int                        `json:"max_score"`
	ReferenceVerdict string                     `json:"reference_verdict" enum:"accepted,rework_requested,rejected"`
	ReferenceScore   int                        `json:"reference_score"`
	Active           bool                       `json:"active"`
	CreatedAt        time.Time                  `json:"created_at"`
	Version          int64                      `json:"version"`
}

func rubricDTO(lines []RubricLine) []CalibrationRubricLineDTO {
	out := make([]CalibrationRubricLineDTO, len(lines))
	for i, l := range lines {
		out[i] = CalibrationRubricLineDTO(l)
	}
	return out
}

func materialDTO(m Material) CalibrationMaterialDTO {
	d := CalibrationMaterialDTO{Text: m.Text, Links: m.Links}
	if d.Links == nil {
		d.Links = []string{}
	}
	return d
}

func itemDTO(it *CalibrationItem) CalibrationItemDTO {
	return CalibrationItemDTO{ID: it.ID, SubmissionID: it.SubmissionID, Title: it.Title, Content: materialDTO(it.Content), Rubric: rubricDTO(it.Rubric),
		MaxScore: it.MaxScore, ReferenceVerdict: it.ReferenceVerdict, ReferenceScore: it.ReferenceScore, Active: it.Active,
		CreatedAt: utc(it.CreatedAt), Version: it.Version}
}

type itemOutput struct {
	ETag string `header:"ETag"`
	Body CalibrationItemDTO
}

// IssueTaskBody issues a test task.
type IssueTaskBody struct {
	ItemIDs   []string `json:"item_ids,omitempty" maxItems:"20" doc:"The calibration items to review; every active item when omitted."`
	ValidDays int      `json:"valid_days,omitempty" minimum:"0" maximum:"30" doc:"How long the link works; 7 days when omitted."`
}

// TestTaskDTO is a test task with its calibration figures.
type TestTaskDTO struct {
	ID            string          `json:"id" format:"uuid"`
	ApplicationID string          `json:"application_id" format:"uuid"`
	CandidateID   string          `json:"candidate_id" format:"uuid"`
	ItemIDs       []string        `json:"item_ids" nullable:"false"`
	Status        string          `json:"status" enum:"issued,submitted,revoked,expired"`
	ExpiresAt     time.Time       `json:"expires_at"`
	IssuedBy      string          `json:"issued_by"`
	IssuedAt      time.Time       `json:"issued_at"`
	SubmittedAt   *time.Time      `json:"submitted_at"`
	Agreement     *HiringRatioDTO `json:"agreement,omitempty" doc:"Answers whose verdict equals the reference verdict, of the answers; absent before submission."`
	MeanDeviation *float64        `json:"mean_score_deviation" doc:"Mean over items of |score − reference score|, in rubric points; null before submission."`
	DeviationSum  *int            `json:"score_deviation_sum" doc:"Sum over items of |score − reference score|: mean_score_deviation = score_deviation_sum / agreement.denominator."`
	MaxScoreSum   *int            `json:"max_score_sum" doc:"Sum of the items' maximum scores, to read the deviation against."`
	Answers       []TestAnswerDTO `json:"answers" nullable:"false" doc:"The candidate's answers beside the references they were scored against."`
}

// TestAnswerDTO is a candidate's answer beside the reference.
type TestAnswerDTO struct {
	ItemID           string `json:"item_id" format:"uuid"`
	Verdict          string `json:"verdict" enum:"accepted,rework_requested,rejected"`
	Score            int    `json:"score"`
	Comment          string `json:"comment"`
	ReferenceVerdict string `json:"reference_verdict" enum:"accepted,rework_requested,rejected"`
	ReferenceScore   int    `json:"reference_score"`
	MaxScore         int    `json:"max_score"`
}

func testTaskDTO(t *TestTask, answers []TestAnswer, now time.Time) TestTaskDTO {
	d := TestTaskDTO{ID: t.ID, ApplicationID: t.ApplicationID, CandidateID: t.CandidateID, ItemIDs: t.ItemIDs, Status: t.State(now),
		ExpiresAt: utc(t.ExpiresAt), IssuedBy: t.IssuedBy, IssuedAt: utc(t.IssuedAt), SubmittedAt: httpapi.UTC(t.SubmittedAt),
		DeviationSum: t.DeviationSum, MaxScoreSum: t.MaxScoreSum, Answers: []TestAnswerDTO{}}
	if t.Matches != nil && t.Answered != nil && t.DeviationSum != nil {
		c := Calibration{Matches: *t.Matches, Answered: *t.Answered, DeviationSum: *t.DeviationSum}
		r := ratioDTO(ratio(c.Matches, c.Answered))
		d.Agreement, d.MeanDeviation = &r, c.MeanDeviation()
	}
	for _, a := range answers {
		d.Answers = append(d.Answers, TestAnswerDTO{ItemID: a.ItemID, Verdict: a.Verdict, Score: a.Score, Comment: a.Comment,
			ReferenceVerdict: a.ReferenceVerdict, ReferenceScore: a.ReferenceScore, MaxScore: a.MaxScore})
	}
	return d
}

// IssuedTaskDTO is a new test task with its link, shown once.
type IssuedTaskDTO struct {
	Task     TestTaskDTO `json:"task"`
	Token    string      `json:"token" doc:"The secret of the candidate's link; shown only now. Send the candidate link_path on the school's API host."`
	LinkPath string      `json:"link_path" example:"/v1/hiring/test-tasks/3q2-…"`
}

// TestTaskList is an application's test tasks.
type TestTaskList struct {
	Items []TestTaskDTO `json:"items" nullable:"false"`
}

func registerCalibration(api huma.API, svc *Service) {
	tags := []string{"Hiring calibration"}
	httpapi.Register(api, httpapi.OrgPermission("hiring_calibration", "write"), huma.Operation{
		OperationID: "create-hiring-calibration-item", Method: http.MethodPost, Path: "/v1/orgs/{org}/hiring-calibration-items", Tags: tags,
		Summary:       "Mark a submission as a calibration item",
		Description:   "Copies the work and rubric of a real homework submission, without the student (the student's name and contacts are replaced in the text, attachments are left out), with the reference verdict and score. Audited.",
		DefaultStatus: http.StatusCreated, Errors: []int{http.StatusConflict},
	}, func(ctx context.Context, in *struct {
		httpapi.OrgPath
		Body NewItemBody
	}) (*itemOutput, error) {
		b := in.Body
		it, err := svc.MarkItem(ctx, httpapi.OrgID(ctx), ItemInput{SubmissionID: b.SubmissionID, Title: b.Title,
			ReferenceVerdict: b.ReferenceVerdict, ReferenceScore: b.ReferenceScore, Text: b.Text})
		if err != nil {
			return nil, err
		}
		return &itemOutput{ETag: httpapi.ETag(it.Version), Body: itemDTO(it)}, nil
	})

	httpapi.Register(api, httpapi.OrgPermission("hiring_calibration", "read"), huma.Operation{
		OperationID: "list-hiring-calibration-items", Method: http.MethodGet, Path: "/v1/orgs/{org}/hiring-calibration-items", Tags: tags,
		Summary: "List the calibration items", Description: "Oldest first, with the references.",
	}, func(ctx context.Context, in *struct {
		httpapi.OrgPath
		httpapi.PageQuery
	}) (*struct {
		Body httpapi.Page[CalibrationItemDTO]
	}, error) {
		after, err := httpapi.AfterID(in.Cursor)
		if err != nil {
			return nil, err
		}
		rows, err := svc.Items(ctx, httpapi.OrgID(ctx), after, in.Limit)
		if err != nil {
			return nil, err
		}
		page := httpapi.NewPage(rows, in.Limit, func(it CalibrationItem) CalibrationItemDTO { return itemDTO(&it) },
			func(it CalibrationItem) []string { return []string{it.ID} })
		return &struct {
			Body httpapi.Page[CalibrationItemDTO]
		}{Body: page}, nil
	})

	httpapi.Register(api, httpapi.OrgPermission("hiring_calibration", "write"), huma.Operation{
		OperationID: "update-hiring-calibration-item", Method: http.MethodPatch, Path: "/v1/orgs/{org}/hiring-calibration-items/{id}", Tags: tags,
		Summary:     "Change a calibration item",
		Description: "With If-Match. Tasks submitted earlier keep the reference they were scored against. Audited.",
		Errors:      versioned,
	}, func(ctx context.Context, in *struct {
		IDPath
		httpapi.IfMatch
		Body ItemPatchBody
	}) (*itemOutput, error) {
		v, err := in.Version()
		if err != nil {
			return nil, err
		}
		b := in.Body
		it, err := svc.ChangeItem(ctx, httpapi.OrgID(ctx), in.ID, v, ItemPatch{Title: b.Title, ReferenceVerdict: b.ReferenceVerdict,
			ReferenceScore: b.ReferenceScore, Text: b.Text, Active: b.Active})
		if err != nil {
			return nil, err
		}
		return &itemOutput{ETag: httpapi.ETag(it.Version), Body: itemDTO(it)}, nil
	})

	httpapi.Register(api, httpapi.OrgPermission("hiring_test_task", "issue"), huma.Operation{
		OperationID: "issue-hiring-test-task", Method: http.MethodPost, Path: "/v1/orgs/{org}/hiring-applications/{id}/test-tasks", Tags: tags,
		Summary:       "Issue a test task",
		Description:   "A calibration set for the candidate to review through a one-time link, without an account. One open task per application. Audited.",
		DefaultStatus: http.StatusCreated, Errors: []int{http.StatusConflict},
	}, func(ctx context.Context, in *struct {
		IDPath
		Body IssueTaskBody
	}) (*struct{ Body IssuedTaskDTO }, error) {
		issued, err := svc.IssueTask(ctx, httpapi.OrgID(ctx), in.ID, in.Body.ItemIDs, in.Body.ValidDays)
		if err != nil {
			return nil, err
		}
		return &struct{ Body IssuedTaskDTO }{Body: IssuedTaskDTO{Task: testTaskDTO(issued.Task, nil, svc.Now()), Token: issued.Token,
			LinkPath: "/v1/hiring/test-tasks/" + issued.Token}}, nil
	})

	httpapi.Register(api, httpapi.OrgPermission("hiring_test_task", "read"), huma.Operation{
		OperationID: "list-hiring-test-tasks", Method: http.MethodGet, Path: "/v1/orgs/{org}/hiring-applications/{id}/test-tasks", Tags: tags,
		Summary: "List an application's test tasks", Description: "Oldest first, each with its agreement and score deviation once submitted.",
	}, func(ctx context.Context, in *IDPath) (*struct{ Body TestTaskList }, error) {
		tasks, err := svc.Tasks(ctx, httpapi.OrgID(ctx), in.ID)
		if err != nil {
			return nil, err
		}
		out := TestTaskList{Items: make([]TestTaskDTO, len(tasks))}
		for i := range tasks {
			out.Items[i] = testTaskDTO(&tasks[i], nil, svc.Now())
		}
		return &struct{ Body TestTaskList }{Body: out}, nil
	})

	httpapi.Register(api, httpapi.OrgPermission("hiring_test_task", "read"), huma.Operation{
		OperationID: "get-hiring-test-task", Method: http.MethodGet, Path: "/v1/orgs/{org}/hiring-test-tasks/{id}", Tags: tags,
		Summary: "Get a test task's result", Description: "The candidate's answers beside the references, the agreement and the mean score deviation.",
	}, func(ctx context.Context, in *IDPath) (*struct{ Body TestTaskDTO }, error) {
		t, answers, err := svc.Result(ctx, httpapi.OrgID(ctx), in.ID)
		if err != nil {
			return nil, err
		}
		return &struct{ Body TestTaskDTO }{Body: testTaskDTO(t, answers, svc.Now())}, nil
	})

	httpapi.Register(api, httpapi.OrgPermission("hiring_test_task", "issue"), huma.Operation{
		OperationID: "revoke-hiring-test-task", Method: http.MethodPost, Path: "/v1/orgs/{org}/hiring-test-tasks/{id}/revoke", Tags: tags,
		Summary: "Revoke a test task", Description: "Its link stops working. Audited.", Errors: []int{http.StatusConflict},
	}, func(ctx context.Context, in *IDPath) (*struct{ Body TestTaskDTO }, error) {
		t, err := svc.RevokeTask(ctx, httpapi.OrgID(ctx), in.ID)
		if err != nil {
			return nil, err
		}
		return &struct{ Body TestTaskDTO }{Body: testTaskDTO(t, nil, svc.Now())}, nil
	})
}
