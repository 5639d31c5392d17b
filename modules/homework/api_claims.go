package homework

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/curatorops/curatorops/modules/platform/httpapi"
)

type claimNextOutput struct {
	Status int
	ETag   string `header:"ETag"`
	Body   *SubmissionDTO
}

// DraftBody is an autosave.
type DraftBody struct {
	Verdict  *string        `json:"verdict,omitempty" enum:"accepted,rework_requested,rejected"`
	Scores   map[string]int `json:"scores,omitempty" doc:"Points per rubric criterion key."`
	Feedback string         `json:"feedback" maxLength:"20000" doc:"Markdown."`
}

// ReviewBody is the final review.
type ReviewBody struct {
	Verdict  string         `json:"verdict" enum:"accepted,rework_requested,rejected"`
	Scores   map[string]int `json:"scores" doc:"Points per rubric criterion key: each within 0..max_points; required criteria must be scored."`
	Feedback string         `json:"feedback" maxLength:"20000" doc:"Markdown, shown to the student in the LMS."`
}

// ReviewedDTO is a submission with the review just made.
type ReviewedDTO struct {
	Submission SubmissionDTO `json:"submission"`
	Review     ReviewDTO     `json:"review"`
}

func registerClaims(api huma.API, svc *Service) {
	conflicts := []int{http.StatusConflict}
	httpapi.Register(api, httpapi.OrgPermission("homework", "claim"), huma.Operation{
		OperationID: "claim-next-homework", Method: http.MethodPost, Path: "/v1/orgs/{org}/homework/claim-next", Tags: []string{"Homework"},
		Summary:     "Claim the most urgent item",
		Description: "Atomically gives the caller the most urgent free item available to them: their own queue first, then the pools of the cohorts where they curate students (senior curators and the head also take any overdue item); overdue first, then by due time. The claim is a lease (30 minutes by default). 204 when nothing is waiting.",
		Responses:   map[string]*huma.Response{"204": {Description: "Nothing is waiting."}},
	}, func(ctx context.Context, in *httpapi.OrgPath) (*claimNextOutput, error) {
		sub, err := svc.ClaimNext(ctx, httpapi.OrgID(ctx), ReviewerFrom(ctx))
		if err != nil {
			return nil, err
		}
		if sub == nil {
			return &claimNextOutput{Status: http.StatusNoContent}, nil
		}
		o := submissionOut(sub, svc.Now(), actorID(ctx))
		return &claimNextOutput{Status: http.StatusOK, ETag: o.ETag, Body: &o.Body}, nil
	})

	for _, op := range []struct {
		id, path, summary, description string
		fn                             func(context.Context, string, string, Reviewer) (*Submission, error)
	}{
		{"claim-homework-submission", "claim", "Claim a submission",
			"Takes one item of the caller's queues under a lease; 409 when another reviewer holds it or it is reviewed. Claiming an item one holds renews the lease.", svc.Claim},
		{"renew-homework-claim", "renew", "Renew the lease",
			"Extends the caller's lease while they work; only the claim holder can, and only while the lease is live.", svc.Renew},
		{"release-homework-submission", "release", "Release a submission",
			"Gives the item back to its queue and drops the draft; only the claim holder can.", svc.Release},
	} {
		httpapi.Register(api, httpapi.OrgPermission("homework", "claim"), huma.Operation{
			OperationID: op.id, Method: http.MethodPost, Path: "/v1/orgs/{org}/homework-submissions/{id}/" + op.path, Tags: []string{"Homework"},
			Summary: op.summary, Description: op.description, Errors: conflicts,
		}, func(ctx context.Context, in *SubmissionPath) (*submissionOutput, error) {
			sub, err := op.fn(ctx, httpapi.OrgID(ctx), in.ID, ReviewerFrom(ctx))
			if err != nil {
				return nil, err
			}
			return submissionOut(sub, svc.Now(), actorID(ctx)), nil
		})
	}

	httpapi.Register(api, httpapi.OrgPermission("homework", "review"), huma.Operation{
		OperationID: "save-homework-draft", Method: http.MethodPut, Path: "/v1/orgs/{org}/homework-submissions/{id}/draft", Tags: []string{"Homework"},
		Summary:     "Autosave a review draft",
		Description: "Only the claim holder can. Scores are checked against the rubric, but required ones may still be missing. The version does not change, so the ETag stays valid for the final review.",
		Errors:      conflicts,
	}, func(ctx context.Context, in *struct {
		SubmissionPath
		Body DraftBody
	}) (*submissionOutput, error) {
		sub, err := svc.SaveDraft(ctx, httpapi.OrgID(ctx), in.ID, ReviewerFrom(ctx), ReviewDraft{Verdict: in.Body.Verdict, Scores: in.Body.Scores, Feedback: in.Body.Feedback})
		if err != nil {
			return nil, err
		}
		return submissionOut(sub, svc.Now(), actorID(ctx)), nil
	})

	httpapi.Register(api, httpapi.OrgPermission("homework", "review"), huma.Operation{
		OperationID: "review-homework-submission", Method: http.MethodPost, Path: "/v1/orgs/{org}/homework-submissions/{id}/review", Tags: []string{"Homework"},
		Summary:     "Complete a review",
		Description: "Only the claim holder, with If-Match. The verdict is appended to the submission's reviews, review.completed goes to the school's webhooks, and the review may be sampled for quality control. 409 when the item is not claimed, 403 when another reviewer holds it, 412 when it changed since the ETag.",
		Errors:      []int{http.StatusConflict, http.StatusPreconditionFailed, http.StatusPreconditionRequired},
	}, func(ctx context.Context, in *struct {
		SubmissionPath
		httpapi.IfMatch
		Body ReviewBody
	}) (*struct {
		ETag string `header:"ETag"`
		Body ReviewedDTO
	}, error) {
		v, err := in.Version()
		if err != nil {
			return nil, err
		}
		sub, rev, err := svc.Review(ctx, httpapi.OrgID(ctx), in.ID, v, ReviewerFrom(ctx), ReviewInput{Verdict: in.Body.Verdict, Scores: in.Body.Scores, Feedback: in.Body.Feedback})
		if err != nil {
			return nil, err
		}
		o := submissionOut(sub, svc.Now(), actorID(ctx))
		return &struct {
			ETag string `header:"ETag"`
			Body ReviewedDTO
		}{ETag: o.ETag, Body: ReviewedDTO{Submission: o.Body, Review: reviewDTO(rev)}}, nil
	})
}
