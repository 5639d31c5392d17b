package homework

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/curatorops/curatorops/modules/platform/httpapi"
)

// QualityBody is a quality reviewer's assessment.
type QualityBody struct {
	VerdictCorrect  int     `json:"verdict_correct" minimum:"0" maximum:"5"`
	FeedbackHelpful int     `json:"feedback_helpful" minimum:"0" maximum:"5"`
	Tone            int     `json:"tone" minimum:"0" maximum:"5"`
	OnTime          int     `json:"on_time" minimum:"0" maximum:"5"`
	Comment         string  `json:"comment,omitempty" maxLength:"5000"`
	OverturnVerdict *string `json:"overturn_verdict,omitempty" enum:"accepted,rework_requested,rejected" doc:"Replace the review's verdict; the student is told again."`
}

// QualityCheckDTO is a recorded second look.
type QualityCheckDTO struct {
	ID              string    `json:"id" format:"uuid"`
	ReviewID        string    `json:"review_id" format:"uuid"`
	SubmissionID    string    `json:"submission_id" format:"uuid"`
	CuratorID       string    `json:"curator_id"`
	CheckerID       string    `json:"checker_id"`
	VerdictCorrect  int       `json:"verdict_correct"`
	FeedbackHelpful int       `json:"feedback_helpful"`
	Tone            int       `json:"tone"`
	OnTime          int       `json:"on_time"`
	Comment         string    `json:"comment"`
	OverturnedTo    *string   `json:"overturned_to"`
	Month           string    `json:"month"`
	ScorePercent    float64   `json:"score_percent"`
	CreatedAt       time.Time `json:"created_at"`
}

func qualityCheckDTO(q *QualityCheck) QualityCheckDTO {
	return QualityCheckDTO{ID: q.ID, ReviewID: q.ReviewID, SubmissionID: q.SubmissionID,
		CuratorID: q.CuratorID, CheckerID: q.CheckerID, VerdictCorrect: q.VerdictCorrect, FeedbackHelpful: q.FeedbackHelpful, Tone: q.Tone,
		OnTime: q.OnTime, Comment: q.Comment, OverturnedTo: q.OverturnedTo, Month: q.Month, ScorePercent: q.Percent(), CreatedAt: q.CreatedAt.UTC()}
}

func registerQuality(api huma.API, svc *Service) {
	httpapi.Register(api, httpapi.OrgPermission("homework", "quality_check"), huma.Operation{
		OperationID: "list-homework-samples", Method: http.MethodGet, Path: "/v1/orgs/{org}/homework-reviews/sampled", Tags: []string{"Homework quality"},
		Summary:     "List reviews awaiting a second look",
		Description: "Reviews the sampling rule picked (5 % per curator by default, more for curators on probation, every rejection and low score) that nobody has checked yet, oldest first.",
	}, func(ctx context.Context, in *struct {
		httpapi.OrgPath
		httpapi.PageQuery
	}) (*struct{ Body httpapi.Page[ReviewDTO] }, error) {
		afterID, err := httpapi.AfterID(in.Cursor)
		if err != nil {
			return nil, err
		}
		rows, err := svc.PendingSamples(ctx, httpapi.OrgID(ctx), afterID, in.Limit+1)
		if err != nil {
			return nil, err
		}
		page := httpapi.NewPage(rows, in.Limit, func(r Review) ReviewDTO { return reviewDTO(&r) }, func(r Review) []string { return []string{r.ID} })
		return &struct{ Body httpapi.Page[ReviewDTO] }{Body: page}, nil
	})

	httpapi.Register(api, httpapi.OrgPermission("homework", "quality_check"), huma.Operation{
		OperationID: "check-homework-review", Method: http.MethodPost, Path: "/v1/orgs/{org}/homework-reviews/{id}/quality-check", Tags: []string{"Homework quality"},
		Summary:       "Score a review",
		Description:   "A senior curator or the head scores a review on four criteria (0–5 each) and may overturn its verdict: a new verdict row is appended, audited, and review.completed is published again with overturned=true. A review is checked once; nobody checks their own.",
		DefaultStatus: http.StatusCreated, Errors: []int{http.StatusConflict},
	}, func(ctx context.Context, in *struct {
		httpapi.OrgPath
		ID   string `path:"id" format:"uuid" doc:"Review id."`
		Body QualityBody
	}) (*struct{ Body QualityCheckDTO }, error) {
		b := in.Body
		q, err := svc.CheckReview(ctx, httpapi.OrgID(ctx), in.ID, actorID(ctx), QualityInput{VerdictCorrect: b.VerdictCorrect,
			FeedbackHelpful: b.FeedbackHelpful, Tone: b.Tone, OnTime: b.OnTime, Comment: b.Comment, Overturn: b.OverturnVerdict})
		if err != nil {
			return nil, err
		}
		return &struct{ Body QualityCheckDTO }{Body: qualityCheckDTO(q)}, nil
	})
}
