package homework

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/curatorops/curatorops/modules/platform/httpapi"
	"github.com/curatorops/curatorops/modules/platform/reqctx"
)

// OrgPath addresses one school.
type OrgPath struct {
	Org string `path:"org" maxLength:"64" doc:"School slug."`
}

// SubmissionPath addresses one submission.
type SubmissionPath struct {
	OrgPath
	ID string `path:"id" format:"uuid" doc:"Submission id."`
}

// SubmissionDTO is a submission as reviewers see it.
type SubmissionDTO struct {
	ID                   string            `json:"id" format:"uuid"`
	Source               string            `json:"source"`
	ExternalID           string            `json:"external_id"`
	StudentID            string            `json:"student_id" format:"uuid"`
	StudentExternalID    *string           `json:"student_external_id"`
	AssignmentID         string            `json:"assignment_id" format:"uuid"`
	AssignmentExternalID *string           `json:"assignment_external_id"`
	CourseID             string            `json:"course_id" format:"uuid"`
	ModuleID             string            `json:"module_id" format:"uuid"`
	CohortID             string            `json:"cohort_id" format:"uuid"`
	Attempt              int               `json:"attempt"`
	PreviousSubmissionID *string           `json:"previous_submission_id"`
	Content              SubmissionContent `json:"content"`
	Rubric               []RubricCriterion `json:"rubric"`
	SubmittedAt          time.Time         `json:"submitted_at"`
	TargetMinutes        int               `json:"review_target_minutes" doc:"Business minutes the review is due in."`
	DueAt                time.Time         `json:"due_at"`
	Status               string            `json:"status" enum:"queued,in_review,accepted,rework_requested,rejected" doc:"An expired lease shows as queued."`
	Escalated            bool              `json:"escalated" doc:"Open and past due: senior curators see it in the overdue view."`
	QueueCuratorID       *string           `json:"queue_curator_id" doc:"The curator whose queue holds the item; null for the cohort's shared pool."`
	ClaimedBy            *string           `json:"claimed_by"`
	LeaseExpiresAt       *time.Time        `json:"lease_expires_at"`
	Draft                *ReviewDraft      `json:"draft,omitempty" doc:"The claim holder's autosaved draft, shown to the holder only."`
	ReviewedBy           *string           `json:"reviewed_by"`
	ReviewedAt           *time.Time        `json:"reviewed_at"`
	ReviewSeconds        *int64            `json:"review_business_seconds"`
	Verdict              *string           `json:"verdict"`
	Score                *int              `json:"score"`
	MaxScore             int               `json:"max_score"`
	Version              int64             `json:"version"`
}

func submissionDTO(sub *Submission, now time.Time, viewer string) SubmissionDTO {
	d := SubmissionDTO{ID: sub.ID, Source: sub.Source, ExternalID: sub.ExternalID, StudentID: sub.StudentID, StudentExternalID: sub.StudentExternalID,
		AssignmentID: sub.AssignmentID, AssignmentExternalID: sub.AssignmentExternalID, CourseID: sub.CourseID, ModuleID: sub.ModuleID,
		CohortID: sub.CohortID, Attempt: sub.Attempt, PreviousSubmissionID: sub.PreviousSubmissionID, Content: normalContent(sub.Content),
		Rubric: sub.Rubric, SubmittedAt: sub.SubmittedAt.UTC(), TargetMinutes: sub.TargetMinutes, DueAt: sub.DueAt.UTC(),
		Status: sub.State(now), Escalated: sub.Overdue(now), QueueCuratorID: sub.QueueCuratorID, ReviewedBy: sub.ReviewedBy,
		ReviewedAt: utc(sub.ReviewedAt), ReviewSeconds: sub.ReviewSeconds, Verdict: sub.Verdict, Score: sub.Score,
		MaxScore: sub.MaxScore(), Version: sub.Version}
	if d.Rubric == nil {
		d.Rubric = []RubricCriterion{}
	}
	if sub.Held(now) {
		d.ClaimedBy, d.LeaseExpiresAt = sub.ClaimedBy, utc(sub.LeaseExpiresAt)
		if eq(sub.ClaimedBy, viewer) {
			d.Draft = sub.Draft
		}
	}
	return d
}

func utc(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

type submissionOutput struct {
	ETag string `header:"ETag"`
	Body SubmissionDTO
}

func (s *Service) out(ctx context.Context, sub *Submission) *submissionOutput {
	return &submissionOutput{ETag: httpapi.ETag(sub.Version), Body: submissionDTO(sub, s.now(), reqctx.From(ctx).Principal.ActorID())}
}

// ReviewDTO is one verdict on a submission.
type ReviewDTO struct {
	ID                string         `json:"id" format:"uuid"`
	SubmissionID      string         `json:"submission_id" format:"uuid"`
	Kind              string         `json:"kind" enum:"review,overturn" doc:"A reviewer's verdict, or a quality reviewer's overturn of one."`
	ReviewerID        string         `json:"reviewer_id"`
	Verdict           string         `json:"verdict" enum:"accepted,rework_requested,rejected"`
	Scores            map[string]int `json:"scores"`
	Score             int            `json:"score"`
	MaxScore          int            `json:"max_score"`
	Feedback          string         `json:"feedback"`
	BusinessSeconds   int64          `json:"business_seconds" doc:"Business time from submission to this verdict."`
	WithinSLA         bool           `json:"within_sla"`
	Sampled           bool           `json:"sampled" doc:"Picked for a quality check."`
	OverturnsReviewID *string        `json:"overturns_review_id"`
	CreatedAt         time.Time      `json:"created_at"`
}

func reviewDTO(r *Review) ReviewDTO {
	return ReviewDTO{ID: r.ID, SubmissionID: r.SubmissionID, Kind: r.Kind, ReviewerID: r.ReviewerID, Verdict: r.Verdict, Scores: r.Scores,
		Score: r.Score, MaxScore: r.MaxScore, Feedback: r.Feedback, BusinessSeconds: r.BusinessSeconds, WithinSLA: r.WithinSLA,
		Sampled: r.Sampled, OverturnsReviewID: r.OverturnsReviewID, CreatedAt: r.CreatedAt.UTC()}
}

// Register adds the homework operations.
func Register(api huma.API, svc *Service) {
	httpapi.DefineTag(api, "Homework", "Homework review queues: submissions, claims under a lease, rubric reviews.")
	httpapi.DefineTag(api, "Homework quality", "Second looks at sampled reviews and curators' monthly quality scores.")
	httpapi.DefineTag(api, "Homework stats", "Queue and review numbers, SLA compliance and completion rates.")
	registerSubmissions(api, svc)
	registerClaims(api, svc)
	registerQuality(api, svc)
	registerStats(api, svc)
}

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
	OrgPath
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
		OrgPath
		Body NewSubmissionBody
	}) (*submissionOutput, error) {
		b := in.Body
		sub, err := svc.Submit(ctx, httpapi.OrgID(ctx), NewSubmission{Source: b.Source, ExternalID: b.ExternalID, StudentID: b.StudentID,
			StudentExternalID: b.StudentExternalID, AssignmentID: b.AssignmentID, AssignmentExternalID: b.AssignmentExternalID,
			Attempt: b.Attempt, Content: b.Content, SubmittedAt: b.SubmittedAt})
		if err != nil {
			return nil, err
		}
		return svc.out(ctx, sub), nil
	})

	httpapi.Register(api, httpapi.OrgPermission("homework", "read_own"), huma.Operation{
		OperationID: "list-homework-submissions", Method: http.MethodGet, Path: "/v1/orgs/{org}/homework-submissions", Tags: []string{"Homework"},
		Summary:     "List submissions",
		Description: "Most urgent first (by due time; overdue items come first). Curators see their own queue, their claims and reviews, and the pools of the cohorts where they curate students; senior curators and the head see everything.",
	}, func(ctx context.Context, in *listInput) (*struct{ Body httpapi.Page[SubmissionDTO] }, error) {
		after, err := httpapi.DecodeCursor(in.Cursor, 2)
		if err != nil {
			return nil, err
		}
		rows, err := svc.List(ctx, httpapi.OrgID(ctx), ReviewerFrom(ctx), ListFilter{View: in.View, Status: in.Status, CohortID: in.CohortID,
			AssignmentID: in.AssignmentID, CuratorID: in.CuratorID, StudentID: in.StudentID, Limit: in.Limit, After: after})
		if err != nil {
			return nil, err
		}
		now, viewer := svc.now(), reqctx.From(ctx).Principal.ActorID()
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
		return svc.out(ctx, sub), nil
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
		return svc.out(ctx, sub), nil
	})
}

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
	}, func(ctx context.Context, in *OrgPath) (*claimNextOutput, error) {
		sub, err := svc.ClaimNext(ctx, httpapi.OrgID(ctx), ReviewerFrom(ctx))
		if err != nil {
			return nil, err
		}
		if sub == nil {
			return &claimNextOutput{Status: http.StatusNoContent}, nil
		}
		o := svc.out(ctx, sub)
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
			return svc.out(ctx, sub), nil
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
		return svc.out(ctx, sub), nil
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
		o := svc.out(ctx, sub)
		return &struct {
			ETag string `header:"ETag"`
			Body ReviewedDTO
		}{ETag: o.ETag, Body: ReviewedDTO{Submission: o.Body, Review: reviewDTO(rev)}}, nil
	})
}

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

func registerQuality(api huma.API, svc *Service) {
	httpapi.Register(api, httpapi.OrgPermission("homework", "quality_check"), huma.Operation{
		OperationID: "list-homework-samples", Method: http.MethodGet, Path: "/v1/orgs/{org}/homework-reviews/sampled", Tags: []string{"Homework quality"},
		Summary:     "List reviews awaiting a second look",
		Description: "Reviews the sampling rule picked (5 % per curator by default, more for curators on probation, every rejection and low score) that nobody has checked yet, oldest first.",
	}, func(ctx context.Context, in *struct {
		OrgPath
		httpapi.PageQuery
	}) (*struct{ Body httpapi.Page[ReviewDTO] }, error) {
		after, err := httpapi.DecodeCursor(in.Cursor, 1)
		if err != nil {
			return nil, err
		}
		afterID := ""
		if after != nil {
			afterID = after[0]
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
		OrgPath
		ID   string `path:"id" format:"uuid" doc:"Review id."`
		Body QualityBody
	}) (*struct{ Body QualityCheckDTO }, error) {
		b := in.Body
		q, err := svc.CheckReview(ctx, httpapi.OrgID(ctx), in.ID, reqctx.From(ctx).Principal.ActorID(), QualityInput{VerdictCorrect: b.VerdictCorrect,
			FeedbackHelpful: b.FeedbackHelpful, Tone: b.Tone, OnTime: b.OnTime, Comment: b.Comment, Overturn: b.OverturnVerdict})
		if err != nil {
			return nil, err
		}
		return &struct{ Body QualityCheckDTO }{Body: QualityCheckDTO{ID: q.ID, ReviewID: q.ReviewID, SubmissionID: q.SubmissionID,
			CuratorID: q.CuratorID, CheckerID: q.CheckerID, VerdictCorrect: q.VerdictCorrect, FeedbackHelpful: q.FeedbackHelpful, Tone: q.Tone,
			OnTime: q.OnTime, Comment: q.Comment, OverturnedTo: q.OverturnedTo, Month: q.Month, ScorePercent: q.Percent(), CreatedAt: q.CreatedAt.UTC()}}, nil
	})
}

// HomeworkSettingsBody is a school's queue settings.
type HomeworkSettingsBody struct {
	OpenCapacity           int      `json:"open_capacity" minimum:"1" maximum:"10000" doc:"Open items a curator's own queue takes before new ones go to the pool."`
	LeaseMinutes           int      `json:"lease_minutes" minimum:"1" maximum:"480"`
	SamplePercent          int      `json:"sample_percent" minimum:"0" maximum:"100" doc:"Share of each curator's reviews sampled for quality control."`
	ProbationSamplePercent int      `json:"probation_sample_percent" minimum:"0" maximum:"100"`
	ProbationCuratorIDs    []string `json:"probation_curator_ids" maxItems:"500" doc:"Curators not yet active after onboarding, sampled at the probation rate."`
	SampleRejected         bool     `json:"sample_rejected" doc:"Sample every rejected review."`
	LowScorePercent        int      `json:"low_score_percent" minimum:"0" maximum:"100" doc:"Sample every review scoring below this share of the rubric's points; 0 turns it off."`
}

type settingsOutput struct {
	ETag string `header:"ETag"`
	Body HomeworkSettingsBody
}

func newSettingsOutput(st *Settings) *settingsOutput {
	ids := st.Probation()
	if ids == nil {
		ids = []string{}
	}
	return &settingsOutput{ETag: httpapi.ETag(st.Version), Body: HomeworkSettingsBody{OpenCapacity: st.OpenCapacity, LeaseMinutes: st.LeaseMinutes,
		SamplePercent: st.SamplePercent, ProbationSamplePercent: st.ProbationSamplePercent, ProbationCuratorIDs: ids,
		SampleRejected: st.SampleRejected, LowScorePercent: st.LowScorePercent}}
}

type statsInput struct {
	OrgPath
	GroupBy string    `query:"group_by" enum:"curator,cohort,assignment" default:"curator"`
	From    time.Time `query:"from" doc:"Reviews completed from this instant; 30 days ago by default."`
	To      time.Time `query:"to" doc:"Reviews completed before this instant; now by default."`
}

func registerStats(api huma.API, svc *Service) {
	httpapi.Register(api, httpapi.OrgPermission("homework_stats", "read"), huma.Operation{
		OperationID: "get-homework-stats", Method: http.MethodGet, Path: "/v1/orgs/{org}/homework-stats", Tags: []string{"Homework stats"},
		Summary:     "Queue and review numbers",
		Description: "Per curator, cohort or assignment: open items now (queued, in review, overdue) and reviews completed in [from, to): their count, median and p90 review time in business seconds, SLA compliance (reviewed by the due time) and rework rate, in percent.",
	}, func(ctx context.Context, in *statsInput) (*struct {
		Body struct {
			Items []QueueStats `json:"items"`
		}
	}, error) {
		to := in.To
		if to.IsZero() {
			to = svc.now().Add(time.Microsecond)
		}
		from := in.From
		if from.IsZero() {
			from = to.AddDate(0, 0, -30)
		}
		rows, err := svc.QueueStats(ctx, httpapi.OrgID(ctx), in.GroupBy, from, to)
		if err != nil {
			return nil, err
		}
		out := &struct {
			Body struct {
				Items []QueueStats `json:"items"`
			}
		}{}
		out.Body.Items = rows
		return out, nil
	})

	httpapi.Register(api, httpapi.OrgPermission("homework_stats", "read"), huma.Operation{
		OperationID: "get-homework-completion", Method: http.MethodGet, Path: "/v1/orgs/{org}/homework-completion", Tags: []string{"Homework stats"},
		Summary:     "CompletionRate rate per module per cohort",
		Description: "Students of the cohort who submitted the module's homework at least once ÷ students enrolled in the cohort (active or completed), in percent.",
	}, func(ctx context.Context, in *struct {
		OrgPath
		CohortID string `query:"cohort_id" format:"uuid"`
	}) (*struct {
		Body struct {
			Items []CompletionRate `json:"items"`
		}
	}, error) {
		rows, err := svc.CompletionRate(ctx, httpapi.OrgID(ctx), in.CohortID)
		if err != nil {
			return nil, err
		}
		out := &struct {
			Body struct {
				Items []CompletionRate `json:"items"`
			}
		}{}
		out.Body.Items = append([]CompletionRate{}, rows...)
		return out, nil
	})

	httpapi.Register(api, httpapi.OrgPermission("homework_stats", "read"), huma.Operation{
		OperationID: "get-homework-quality-scores", Method: http.MethodGet, Path: "/v1/orgs/{org}/homework-quality-scores", Tags: []string{"Homework quality"},
		Summary:     "Curators' quality scores of a month",
		Description: "Each curator's average quality-check score (0–100) over their reviews made in the month (UTC) that were checked.",
	}, func(ctx context.Context, in *struct {
		OrgPath
		Month string `query:"month" required:"true" pattern:"^[0-9]{4}-[0-9]{2}$" doc:"YYYY-MM"`
	}) (*struct {
		Body struct {
			Month  string             `json:"month"`
			Scores map[string]float64 `json:"scores" doc:"By curator user id."`
		}
	}, error) {
		scores, err := svc.QualityScores(ctx, httpapi.OrgID(ctx), in.Month)
		if err != nil {
			return nil, err
		}
		out := &struct {
			Body struct {
				Month  string             `json:"month"`
				Scores map[string]float64 `json:"scores" doc:"By curator user id."`
			}
		}{}
		out.Body.Month, out.Body.Scores = in.Month, scores
		return out, nil
	})

	httpapi.Register(api, httpapi.OrgPermission("homework_settings", "read"), huma.Operation{
		OperationID: "get-homework-settings", Method: http.MethodGet, Path: "/v1/orgs/{org}/homework-settings", Tags: []string{"Homework"},
		Summary:     "Get the queue settings",
		Description: "Queue capacity, lease length and the quality-sampling rule; the defaults until the school saves its own.",
	}, func(ctx context.Context, in *OrgPath) (*settingsOutput, error) {
		st, err := svc.Settings(ctx, httpapi.OrgID(ctx))
		if err != nil {
			return nil, err
		}
		return newSettingsOutput(st), nil
	})

	httpapi.Register(api, httpapi.OrgPermission("homework_settings", "write"), huma.Operation{
		OperationID: "put-homework-settings", Method: http.MethodPut, Path: "/v1/orgs/{org}/homework-settings", Tags: []string{"Homework"},
		Summary:     "Replace the queue settings",
		Description: "With If-Match from the last read. Audited.",
		Errors:      []int{http.StatusPreconditionFailed, http.StatusPreconditionRequired},
	}, func(ctx context.Context, in *struct {
		OrgPath
		httpapi.IfMatch
		Body HomeworkSettingsBody
	}) (*settingsOutput, error) {
		v, err := in.Version()
		if err != nil {
			return nil, err
		}
		b := in.Body
		st, err := svc.SaveSettings(ctx, httpapi.OrgID(ctx), v, SettingsInput{OpenCapacity: b.OpenCapacity, LeaseMinutes: b.LeaseMinutes,
			SamplePercent: b.SamplePercent, ProbationSamplePercent: b.ProbationSamplePercent, ProbationCuratorIDs: b.ProbationCuratorIDs,
			SampleRejected: b.SampleRejected, LowScorePercent: b.LowScorePercent})
		if err != nil {
			return nil, err
		}
		return newSettingsOutput(st), nil
	})
}
