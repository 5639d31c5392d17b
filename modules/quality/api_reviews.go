package quality

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/curatorops/curatorops/modules/platform/httpapi"
)

// QualityScoreDTO is the score of one criterion in a review.
type QualityScoreDTO struct {
	Key            string  `json:"key"`
	Title          string  `json:"title"`
	Kind           string  `json:"kind" enum:"yes_no,scale"`
	Weight         int     `json:"weight"`
	Value          *int    `json:"value" doc:"yes_no: 1 yes, 0 no; scale: 1–5; null: not applicable."`
	Comment        string  `json:"comment"`
	QuoteMessageID *string `json:"quote_message_id" format:"uuid" doc:"The message of the conversation the comment refers to."`
	KBArticleID    *string `json:"kb_article_id" format:"uuid" doc:"The regulation clause the criterion checks."`
}

// QualityResponseDTO is the curator's answer to a review.
type QualityResponseDTO struct {
	Kind      string    `json:"kind" enum:"acknowledged,disputed"`
	Comment   string    `json:"comment"`
	CreatedAt time.Time `json:"created_at"`
}

// QualitySettlementDTO is the decision on a disputed review.
type QualitySettlementDTO struct {
	Outcome         string    `json:"outcome" enum:"upheld,revised"`
	Comment         string    `json:"comment"`
	SettledBy       string    `json:"settled_by" format:"uuid"`
	SettledByName   *string   `json:"settled_by_name"`
	RevisedReviewID *string   `json:"revised_review_id" format:"uuid" doc:"The revision that now counts instead of this review."`
	CreatedAt       time.Time `json:"created_at"`
}

// QualityReviewDTO is a review with its scores and what became of it.
type QualityReviewDTO struct {
	ID                 string                `json:"id" format:"uuid"`
	AssignmentID       string                `json:"assignment_id" format:"uuid"`
	ConversationID     string                `json:"conversation_id" format:"uuid"`
	CuratorID          string                `json:"curator_id" format:"uuid"`
	CuratorName        *string               `json:"curator_name"`
	Day                string                `json:"day" format:"date"`
	AnsweredAt         time.Time             `json:"answered_at"`
	ReviewerID         string                `json:"reviewer_id" format:"uuid"`
	ReviewerName       *string               `json:"reviewer_name"`
	CalibrationID      *string               `json:"calibration_id" format:"uuid" doc:"Set for calibration rounds, which do not count towards the score."`
	ScorecardID        string                `json:"scorecard_id" format:"uuid"`
	ScorecardVersionID string                `json:"scorecard_version_id" format:"uuid"`
	ScorecardNumber    int                   `json:"scorecard_number" doc:"The scorecard version the review was scored with."`
	Kind               string                `json:"kind" enum:"review,revision" doc:"revision: added by a settled dispute."`
	RevisesReviewID    *string               `json:"revises_review_id" format:"uuid"`
	RevisedByReviewID  *string               `json:"revised_by_review_id" format:"uuid"`
	Status             string                `json:"status" enum:"awaiting_answer,acknowledged,disputed,upheld,revised,final" doc:"final: a revision or a calibration review, which are not answered."`
	ScorePercent       *float64              `json:"score_percent" doc:"earned_points / possible_points × 100; null when every criterion was not applicable."`
	EarnedPoints       float64               `json:"earned_points" doc:"Σ weight × value on 0–1 (yes 1, no 0, rating (v−1)/4) over applicable criteria."`
	PossiblePoints     float64               `json:"possible_points" doc:"Σ weight over applicable criteria."`
	Comment            string                `json:"comment"`
	Scores             []QualityScoreDTO     `json:"scores"`
	Response           *QualityResponseDTO   `json:"response,omitempty" doc:"The curator's answer; absent until she answers."`
	Settlement         *QualitySettlementDTO `json:"settlement,omitempty" doc:"Absent unless a dispute was settled."`
	CreatedAt          time.Time             `json:"created_at"`
}

func reviewStatus(v *ReviewView) string {
	switch {
	case v.Review.Kind == ReviewRevision || v.Review.CalibrationID != nil:
		return "final"
	case v.Settlement != nil:
		return v.Settlement.Outcome
	case v.Response != nil:
		return v.Response.Kind
	}
	return "awaiting_answer"
}

func reviewDTO(v *ReviewView, names nameBook) QualityReviewDTO {
	r := &v.Review
	out := QualityReviewDTO{ID: r.ID, AssignmentID: r.AssignmentID, ConversationID: r.ConversationID, CuratorID: r.CuratorID,
		CuratorName: names.of(r.CuratorID), Day: r.Day, AnsweredAt: r.AnsweredAt.UTC(), ReviewerID: r.ReviewerID,
		ReviewerName: names.of(r.ReviewerID), CalibrationID: r.CalibrationID, ScorecardID: r.ScorecardID,
		ScorecardVersionID: r.ScorecardVersionID, ScorecardNumber: r.ScorecardNumber, Kind: r.Kind, RevisesReviewID: r.RevisesReviewID,
		RevisedByReviewID: v.RevisedBy, Status: reviewStatus(v), EarnedPoints: float64(r.Earned) / 4, PossiblePoints: float64(r.Possible) / 4,
		Comment: r.Comment, Scores: make([]QualityScoreDTO, len(v.Scores)), CreatedAt: r.CreatedAt.UTC()}
	if p := r.Percent(); p != nil {
		out.ScorePercent = ptr(round1(*p))
	}
	for i, s := range v.Scores {
		out.Scores[i] = QualityScoreDTO{Key: s.CriterionKey, Value: s.Value, Comment: s.Comment, QuoteMessageID: s.QuoteMessageID}
		if c := v.Criteria.Find(s.CriterionKey); c != nil {
			out.Scores[i].Title, out.Scores[i].Kind, out.Scores[i].Weight, out.Scores[i].KBArticleID = c.Title, c.Kind, c.Weight, c.KBArticleID
		}
	}
	if v.Response != nil {
		out.Response = &QualityResponseDTO{Kind: v.Response.Kind, Comment: v.Response.Comment, CreatedAt: v.Response.CreatedAt.UTC()}
	}
	if st := v.Settlement; st != nil {
		out.Settlement = &QualitySettlementDTO{Outcome: st.Outcome, Comment: st.Comment, SettledBy: st.SettledBy, SettledByName: names.of(st.SettledBy),
			RevisedReviewID: st.RevisedReviewID, CreatedAt: st.CreatedAt.UTC()}
	}
	return out
}

func reviewDTOs(ctx context.Context, svc *Service, views []ReviewView) ([]QualityReviewDTO, error) {
	var people []string
	for _, v := range views {
		people = append(people, v.Review.CuratorID, v.Review.ReviewerID)
		if v.Settlement != nil {
			people = append(people, v.Settlement.SettledBy)
		}
	}
	names, err := lookupNames(ctx, svc, people...)
	if err != nil {
		return nil, err
	}
	out := make([]QualityReviewDTO, len(views))
	for i := range views {
		out[i] = reviewDTO(&views[i], names)
	}
	return out, nil
}

// QualityReviewDetailDTO is a review with the conversation it scored.
type QualityReviewDetailDTO struct {
	Review       QualityReviewDTO        `json:"review"`
	Conversation *QualityConversationDTO `json:"conversation,omitempty"`
}

func reviewDetail(ctx context.Context, svc *Service, v *ReviewView) (*struct{ Body QualityReviewDetailDTO }, error) {
	dtos, err := reviewDTOs(ctx, svc, []ReviewView{*v})
	if err != nil {
		return nil, err
	}
	return &struct{ Body QualityReviewDetailDTO }{Body: QualityReviewDetailDTO{Review: dtos[0], Conversation: conversationDTO(v.Conversation)}}, nil
}

// QualityScoreBody scores one criterion.
type QualityScoreBody struct {
	Key            string  `json:"key" minLength:"1" maxLength:"40" example:"greeting"`
	Value          *int    `json:"value,omitempty" nullable:"true" minimum:"0" maximum:"5" doc:"yes_no: 1 yes, 0 no; scale: 1–5; absent or null: not applicable."`
	Comment        string  `json:"comment,omitempty" maxLength:"5000" doc:"Why; quote the message it is about with quote_message_id."`
	QuoteMessageID *string `json:"quote_message_id,omitempty" format:"uuid"`
}

func scoreInputs(bs []QualityScoreBody) []ScoreInput {
	out := make([]ScoreInput, len(bs))
	for i, b := range bs {
		out[i] = ScoreInput{Key: b.Key, Value: b.Value, Comment: b.Comment, QuoteMessageID: b.QuoteMessageID}
	}
	return out
}

// QualityReviewBody scores a conversation.
type QualityReviewBody struct {
	ScorecardID *string            `json:"scorecard_id,omitempty" format:"uuid" doc:"Default: the school's default scorecard. Ignored in calibration rounds, which pin theirs."`
	Scores      []QualityScoreBody `json:"scores" minItems:"1" maxItems:"30" doc:"One per criterion of the scorecard's active version."`
	Comment     string             `json:"comment,omitempty" maxLength:"5000"`
}

// QualityResponseBody is the curator's answer to a review.
type QualityResponseBody struct {
	Kind    string `json:"kind" enum:"acknowledged,disputed"`
	Comment string `json:"comment,omitempty" maxLength:"5000" doc:"Required to dispute: what is wrong with the review."`
}

// QualitySettlementBody decides a dispute.
type QualitySettlementBody struct {
	Outcome string             `json:"outcome" enum:"upheld,revised"`
	Comment string             `json:"comment,omitempty" maxLength:"5000"`
	Scores  []QualityScoreBody `json:"scores,omitempty" maxItems:"30" doc:"For revised: the new scores, on the disputed review's scorecard version."`
}

// ReviewQuery filters the reviews list.
type ReviewQuery struct {
	httpapi.OrgPath
	httpapi.PageQuery
	CuratorID     string    `query:"curator_id" format:"uuid" doc:"Ignored without quality_reviews:read_all: always your own conversations."`
	ReviewerID    string    `query:"reviewer_id" format:"uuid"`
	CalibrationID string    `query:"calibration_id" format:"uuid"`
	From          time.Time `query:"from" doc:"Answered at or after (RFC 3339)."`
	To            time.Time `query:"to" doc:"Answered before (RFC 3339)."`
	Disputed      bool      `query:"disputed" doc:"Only disputes waiting for a settlement."`
}

func registerReviews(api huma.API, svc *Service) {
	httpapi.Register(api, httpapi.OrgPermission("quality_reviews", "create"), huma.Operation{
		OperationID: "review-quality-assignment", Method: http.MethodPost, Path: "/v1/orgs/{org}/quality/assignments/{id}/review",
		Tags: []string{tag}, Summary: "Score a conversation",
		Description: "The reviewer the conversation was handed to scores every criterion of the scorecard version (kept with the " +
			"review), each with an optional comment quoting a message. An assignment is reviewed once (409).",
		DefaultStatus: http.StatusCreated, Errors: []int{http.StatusConflict},
	}, func(ctx context.Context, in *struct {
		IDPath
		Body QualityReviewBody
	}) (*struct{ Body QualityReviewDetailDTO }, error) {
		v, err := svc.SubmitReview(ctx, httpapi.OrgID(ctx), in.ID, ReviewInput{ScorecardID: in.Body.ScorecardID,
			Scores: scoreInputs(in.Body.Scores), Comment: in.Body.Comment})
		if err != nil {
			return nil, err
		}
		return reviewDetail(ctx, svc, v)
	})

	httpapi.Register(api, httpapi.OrgPermission("quality_reviews", "read"), huma.Operation{
		OperationID: "list-quality-reviews", Method: http.MethodGet, Path: "/v1/orgs/{org}/quality/reviews", Tags: []string{tag},
		Summary: "List conversation reviews", Description: "The newest first. Without quality_reviews:read_all, only the reviews " +
			"of the caller's own conversations.",
	}, func(ctx context.Context, in *ReviewQuery) (*struct {
		Body httpapi.Page[QualityReviewDTO]
	}, error) {
		before, err := httpapi.AfterID(in.Cursor)
		if err != nil {
			return nil, err
		}
		f := ReviewFilter{CuratorID: in.CuratorID, ReviewerID: in.ReviewerID, CalibrationID: in.CalibrationID, Disputed: in.Disputed,
			BeforeID: before, Limit: in.Limit + 1}
		if !in.From.IsZero() {
			f.From = &in.From
		}
		if !in.To.IsZero() {
			f.To = &in.To
		}
		views, err := svc.Reviews(ctx, httpapi.OrgID(ctx), ReaderFrom(ctx, "quality_reviews"), f)
		if err != nil {
			return nil, err
		}
		dtos, err := reviewDTOs(ctx, svc, views)
		if err != nil {
			return nil, err
		}
		page := httpapi.NewPage(dtos, in.Limit, func(d QualityReviewDTO) QualityReviewDTO { return d },
			func(d QualityReviewDTO) []string { return []string{d.ID} })
		return &struct {
			Body httpapi.Page[QualityReviewDTO]
		}{Body: page}, nil
	})

	httpapi.Register(api, httpapi.OrgPermission("quality_reviews", "read"), huma.Operation{
		OperationID: "get-quality-review", Method: http.MethodGet, Path: "/v1/orgs/{org}/quality/reviews/{id}", Tags: []string{tag},
		Summary: "Read a conversation review", Description: "With the conversation as it went that day. A curator reads the " +
			"reviews of her own conversations only; others answer 404.",
	}, func(ctx context.Context, in *IDPath) (*struct{ Body QualityReviewDetailDTO }, error) {
		v, err := svc.Review(ctx, httpapi.OrgID(ctx), in.ID, ReaderFrom(ctx, "quality_reviews"))
		if err != nil {
			return nil, err
		}
		return reviewDetail(ctx, svc, v)
	})

	httpapi.Register(api, httpapi.OrgPermission("quality_reviews", "respond"), huma.Operation{
		OperationID: "answer-quality-review", Method: http.MethodPost, Path: "/v1/orgs/{org}/quality/reviews/{id}/response",
		Tags: []string{tag}, Summary: "Acknowledge or dispute a review",
		Description: "The curator whose conversation was reviewed answers once: acknowledged, or disputed with her reason (409 " +
			"after). Someone else's review answers 403.",
		DefaultStatus: http.StatusCreated, Errors: []int{http.StatusConflict},
	}, func(ctx context.Context, in *struct {
		IDPath
		Body QualityResponseBody
	}) (*struct{ Body QualityReviewDetailDTO }, error) {
		if _, err := svc.Review(ctx, httpapi.OrgID(ctx), in.ID, ReaderFrom(ctx, "quality_reviews")); err != nil {
			return nil, err
		}
		v, err := svc.Respond(ctx, httpapi.OrgID(ctx), in.ID, in.Body.Kind, in.Body.Comment)
		if err != nil {
			return nil, err
		}
		return reviewDetail(ctx, svc, v)
	})

	httpapi.Register(api, httpapi.OrgPermission("quality_reviews", "settle"), huma.Operation{
		OperationID: "settle-quality-dispute", Method: http.MethodPost, Path: "/v1/orgs/{org}/quality/reviews/{id}/settlement",
		Tags: []string{tag}, Summary: "Settle a disputed review",
		Description: "The head upholds the review or revises it: a revision with new scores is added (on the same scorecard " +
			"version) and counts instead; the disputed review stays as it was. A dispute is settled once (409).",
		DefaultStatus: http.StatusCreated, Errors: []int{http.StatusConflict},
	}, func(ctx context.Context, in *struct {
		IDPath
		Body QualitySettlementBody
	}) (*struct{ Body QualityReviewDetailDTO }, error) {
		v, err := svc.Settle(ctx, httpapi.OrgID(ctx), in.ID, SettleInput{Outcome: in.Body.Outcome, Comment: in.Body.Comment,
			Scores: scoreInputs(in.Body.Scores)})
		if err != nil {
			return nil, err
		}
		return reviewDetail(ctx, svc, v)
	})
}
