package quality

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/curatorops/curatorops/modules/platform/httpapi"
)

// QualityAssignmentDTO is a conversation handed to a reviewer.
type QualityAssignmentDTO struct {
	ID             string    `json:"id" format:"uuid"`
	ConversationID string    `json:"conversation_id" format:"uuid"`
	CuratorID      string    `json:"curator_id" format:"uuid" doc:"Whose answers are reviewed."`
	CuratorName    *string   `json:"curator_name"`
	Day            string    `json:"day" format:"date" doc:"The school's local day of the answers reviewed."`
	AnsweredAt     time.Time `json:"answered_at" doc:"Her last answer in the conversation that day."`
	ReviewerID     string    `json:"reviewer_id" format:"uuid"`
	ReviewerName   *string   `json:"reviewer_name"`
	Source         string    `json:"source" enum:"sample,manual,calibration"`
	CalibrationID  *string   `json:"calibration_id" format:"uuid"`
	Breached       bool      `json:"breached" doc:"A response clock she stopped that day had breached."`
	LowCSI         bool      `json:"low_csi" doc:"The student gave a CSI answer of 1–3 that day."`
	RefundRequest  bool      `json:"refund_request" doc:"The student asked for a refund that day."`
	RandomPick     bool      `json:"random_pick" doc:"Picked by the seeded draw rather than forced in."`
	Reviewed       bool      `json:"reviewed"`
	CreatedAt      time.Time `json:"created_at"`
}

func assignmentDTO(a *Assignment, names nameBook) QualityAssignmentDTO {
	return QualityAssignmentDTO{ID: a.ID, ConversationID: a.ConversationID, CuratorID: a.CuratorID, CuratorName: names.of(a.CuratorID),
		Day: a.Day, AnsweredAt: a.AnsweredAt.UTC(), ReviewerID: a.ReviewerID, ReviewerName: names.of(a.ReviewerID), Source: a.Source,
		CalibrationID: a.CalibrationID, Breached: a.Breached, LowCSI: a.LowCSI, RefundRequest: a.RefundRequest, RandomPick: a.RandomPick,
		Reviewed: a.Reviewed, CreatedAt: a.CreatedAt.UTC()}
}

func assignmentDTOs(ctx context.Context, svc *Service, rows []Assignment) ([]QualityAssignmentDTO, error) {
	var people []string
	for _, a := range rows {
		people = append(people, a.CuratorID, a.ReviewerID)
	}
	names, err := lookupNames(ctx, svc, people...)
	if err != nil {
		return nil, err
	}
	out := make([]QualityAssignmentDTO, len(rows))
	for i := range rows {
		out[i] = assignmentDTO(&rows[i], names)
	}
	return out, nil
}

// QualitySampleBody asks for a day's sample.
type QualitySampleBody struct {
	Day  string `json:"day" format:"date" doc:"A finished local day of the school." example:"2026-11-30"`
	Seed int64  `json:"seed,omitempty" doc:"The seed of the draw: the same day and seed give the same sample." example:"20261130"`
}

// QualitySampleRunDTO is a stored daily sample with its assignments.
type QualitySampleRunDTO struct {
	ID          string                 `json:"id" format:"uuid"`
	Day         string                 `json:"day" format:"date"`
	Seed        int64                  `json:"seed"`
	Candidates  int                    `json:"candidates" doc:"Conversations answered by curators that day."`
	Sampled     int                    `json:"sampled"`
	Unassigned  int                    `json:"unassigned" doc:"Picks nobody but their own curator could review: not stored."`
	Assignments []QualityAssignmentDTO `json:"assignments"`
}

// QualityPickDTO is one pick of a sample preview.
type QualityPickDTO struct {
	ConversationID string  `json:"conversation_id" format:"uuid"`
	CuratorID      string  `json:"curator_id" format:"uuid"`
	CuratorName    *string `json:"curator_name"`
	ReviewerID     *string `json:"reviewer_id" format:"uuid" doc:"Null when nobody but the curator herself could review it."`
	ReviewerName   *string `json:"reviewer_name"`
	Breached       bool    `json:"breached"`
	LowCSI         bool    `json:"low_csi"`
	RefundRequest  bool    `json:"refund_request"`
	RandomPick     bool    `json:"random_pick"`
}

// QualitySamplePreviewDTO is a day's sample as it would be drawn now.
type QualitySamplePreviewDTO struct {
	Day        string           `json:"day" format:"date"`
	Seed       int64            `json:"seed"`
	Candidates int              `json:"candidates"`
	Picks      []QualityPickDTO `json:"picks"`
}

// QualityPickBody picks a conversation to review by hand.
type QualityPickBody struct {
	ConversationID string `json:"conversation_id" format:"uuid"`
	CuratorID      string `json:"curator_id,omitempty" format:"uuid" doc:"Whose answers to review; default: whoever answered last."`
	Day            string `json:"day,omitempty" format:"date" doc:"Which local day; default: the curator's latest day in the conversation."`
}

// QualityMessageDTO is a message of a reviewed conversation.
type QualityMessageDTO struct {
	ID           string    `json:"id" format:"uuid" doc:"Quote it in a score's quote_message_id."`
	Direction    string    `json:"direction" enum:"student,staff"`
	AuthorKind   string    `json:"author_kind" enum:"student,staff,bot"`
	AuthorUserID *string   `json:"author_user_id"`
	Kind         string    `json:"kind" enum:"text,sticker,reaction,system"`
	Text         string    `json:"text"`
	SentAt       time.Time `json:"sent_at"`
	Effect       string    `json:"effect" doc:"What the message did to the response clock."`
}

// QualityClockDTO is a response clock of a reviewed conversation.
type QualityClockDTO struct {
	ID              string     `json:"id" format:"uuid"`
	Kind            string     `json:"kind" enum:"first,next"`
	Status          string     `json:"status" enum:"open,answered,dismissed"`
	StartedAt       time.Time  `json:"started_at"`
	DueAt           time.Time  `json:"due_at"`
	StoppedAt       *time.Time `json:"stopped_at"`
	ResponderID     *string    `json:"responder_id"`
	BusinessSeconds *int64     `json:"business_seconds"`
	TargetSeconds   int64      `json:"target_seconds"`
	Breached        bool       `json:"breached"`
}

// QualityConversationDTO is a conversation as it went on the reviewed day.
type QualityConversationDTO struct {
	ID        string              `json:"id" format:"uuid"`
	StudentID string              `json:"student_id"`
	Channel   string              `json:"channel" enum:"telegram,lms_comment,email,other"`
	Messages  []QualityMessageDTO `json:"messages"`
	Clocks    []QualityClockDTO   `json:"clocks"`
	Truncated bool                `json:"truncated" doc:"More messages were sent that day than shown (1000)."`
}

func conversationDTO(c *ConversationDay) *QualityConversationDTO {
	if c == nil {
		return nil
	}
	out := &QualityConversationDTO{ID: c.ConversationID, StudentID: c.StudentID, Channel: c.Channel, Truncated: c.Truncated,
		Messages: make([]QualityMessageDTO, len(c.Messages)), Clocks: make([]QualityClockDTO, len(c.Clocks))}
	for i, m := range c.Messages {
		out.Messages[i] = QualityMessageDTO{ID: m.ID, Direction: m.Direction, AuthorKind: m.AuthorKind, AuthorUserID: m.AuthorUserID,
			Kind: m.Kind, Text: m.Text, SentAt: m.SentAt.UTC(), Effect: m.Effect}
	}
	for i, k := range c.Clocks {
		out.Clocks[i] = QualityClockDTO{ID: k.ID, Kind: k.Kind, Status: k.Status, StartedAt: k.StartedAt.UTC(), DueAt: k.DueAt.UTC(),
			StoppedAt: httpapi.UTC(k.StoppedAt), ResponderID: k.ResponderID, BusinessSeconds: k.BusinessSeconds,
			TargetSeconds: k.TargetSeconds, Breached: k.Breached}
	}
	return out
}

// QualityAssignmentDetailDTO is an assignment with what the reviewer reads
// and scores with.
type QualityAssignmentDetailDTO struct {
	Assignment   QualityAssignmentDTO        `json:"assignment"`
	Conversation *QualityConversationDTO     `json:"conversation,omitempty"`
	Scorecard    *QualityScorecardVersionDTO `json:"scorecard,omitempty" doc:"The version a review will be scored with; absent when the school has several scorecards and no default."`
	ReviewID     *string                     `json:"review_id" format:"uuid"`
}

// AssignmentQuery filters the assignments list.
type AssignmentQuery struct {
	httpapi.OrgPath
	httpapi.PageQuery
	ReviewerID string `query:"reviewer_id" format:"uuid" doc:"Only those handed to this reviewer (ignored without read_all: always yours)."`
	CuratorID  string `query:"curator_id" format:"uuid"`
	Day        string `query:"day" format:"date"`
	Status     string `query:"status" enum:"open,reviewed" doc:"open: not reviewed yet."`
}

func registerSampling(api huma.API, svc *Service) {
	httpapi.Register(api, httpapi.OrgPermission("quality_samples", "run"), huma.Operation{
		OperationID: "preview-quality-sample", Method: http.MethodGet, Path: "/v1/orgs/{org}/quality/samples/preview", Tags: []string{tag},
		Summary: "Preview a day's sample", Description: "Draws the sample of a local day with a seed without storing it: " +
			"the same day and seed give the same picks.",
	}, func(ctx context.Context, in *struct {
		httpapi.OrgPath
		Day  string `query:"day" required:"true" format:"date"`
		Seed int64  `query:"seed"`
	}) (*struct{ Body QualitySamplePreviewDTO }, error) {
		plan, err := svc.PreviewSample(ctx, httpapi.OrgID(ctx), in.Day, in.Seed)
		if err != nil {
			return nil, err
		}
		var people []string
		for _, p := range plan.Picks {
			people = append(people, p.CuratorID, p.ReviewerID)
		}
		names, err := lookupNames(ctx, svc, people...)
		if err != nil {
			return nil, err
		}
		out := QualitySamplePreviewDTO{Day: plan.Day, Seed: plan.Seed, Candidates: plan.Candidates, Picks: make([]QualityPickDTO, len(plan.Picks))}
		for i, p := range plan.Picks {
			out.Picks[i] = QualityPickDTO{ConversationID: p.ConversationID, CuratorID: p.CuratorID, CuratorName: names.of(p.CuratorID),
				ReviewerName: names.of(p.ReviewerID), Breached: p.Breached, LowCSI: p.LowCSI, RefundRequest: p.RefundRequest, RandomPick: p.Random}
			if p.ReviewerID != "" {
				out.Picks[i].ReviewerID = &p.ReviewerID
			}
		}
		return &struct{ Body QualitySamplePreviewDTO }{Body: out}, nil
	})

	httpapi.Register(api, httpapi.OrgPermission("quality_samples", "run"), huma.Operation{
		OperationID: "run-quality-sample", Method: http.MethodPost, Path: "/v1/orgs/{org}/quality/samples", Tags: []string{tag},
		Summary: "Draw a day's sample", Description: "Samples the conversations curators answered on a finished local day and hands " +
			"each to a senior curator (the head when no other senior curator is there), never to the curator herself. Every " +
			"conversation with a breached clock, a low CSI answer or a refund request is in; the rest are drawn with the seed up to " +
			"the curator's weekly sample. A day is sampled once (409 after).",
		DefaultStatus: http.StatusCreated, Errors: []int{http.StatusConflict},
	}, func(ctx context.Context, in *struct {
		httpapi.OrgPath
		Body QualitySampleBody
	}) (*struct{ Body QualitySampleRunDTO }, error) {
		run, rows, err := svc.Sample(ctx, httpapi.OrgID(ctx), in.Body.Day, in.Body.Seed)
		if err != nil {
			return nil, err
		}
		dtos, err := assignmentDTOs(ctx, svc, rows)
		if err != nil {
			return nil, err
		}
		return &struct{ Body QualitySampleRunDTO }{Body: QualitySampleRunDTO{ID: run.ID, Day: run.Day, Seed: run.Seed,
			Candidates: run.Candidates, Sampled: run.Sampled, Unassigned: run.Unassigned, Assignments: dtos}}, nil
	})

	httpapi.Register(api, httpapi.OrgPermission("quality_assignments", "read"), huma.Operation{
		OperationID: "list-quality-assignments", Method: http.MethodGet, Path: "/v1/orgs/{org}/quality/assignments", Tags: []string{tag},
		Summary: "List conversations to review", Description: "Oldest first. Without quality_assignments:read_all, only those handed to the caller.",
	}, func(ctx context.Context, in *AssignmentQuery) (*struct {
		Body httpapi.Page[QualityAssignmentDTO]
	}, error) {
		after, err := httpapi.AfterID(in.Cursor)
		if err != nil {
			return nil, err
		}
		rows, err := svc.Assignments(ctx, httpapi.OrgID(ctx), ReaderFrom(ctx, "quality_assignments"), AssignmentFilter{ReviewerID: in.ReviewerID,
			CuratorID: in.CuratorID, Day: in.Day, Status: in.Status, AfterID: after, Limit: in.Limit + 1})
		if err != nil {
			return nil, err
		}
		dtos, err := assignmentDTOs(ctx, svc, rows)
		if err != nil {
			return nil, err
		}
		page := httpapi.NewPage(dtos, in.Limit, func(d QualityAssignmentDTO) QualityAssignmentDTO { return d },
			func(d QualityAssignmentDTO) []string { return []string{d.ID} })
		return &struct {
			Body httpapi.Page[QualityAssignmentDTO]
		}{Body: page}, nil
	})

	httpapi.Register(api, httpapi.OrgPermission("quality_assignments", "read"), huma.Operation{
		OperationID: "get-quality-assignment", Method: http.MethodGet, Path: "/v1/orgs/{org}/quality/assignments/{id}", Tags: []string{tag},
		Summary: "Read a conversation to review", Description: "The conversation's messages of the day with their times, its " +
			"response clocks, and the scorecard version to score it with.",
	}, func(ctx context.Context, in *IDPath) (*struct{ Body QualityAssignmentDetailDTO }, error) {
		v, err := svc.Assignment(ctx, httpapi.OrgID(ctx), in.ID, ReaderFrom(ctx, "quality_assignments"))
		if err != nil {
			return nil, err
		}
		names, err := lookupNames(ctx, svc, v.Assignment.CuratorID, v.Assignment.ReviewerID)
		if err != nil {
			return nil, err
		}
		out := QualityAssignmentDetailDTO{Assignment: assignmentDTO(&v.Assignment, names), Conversation: conversationDTO(v.Conversation),
			ReviewID: v.ReviewID}
		if v.Scorecard != nil {
			sc := scorecardVersionDTO(v.Scorecard)
			out.Scorecard = &sc
		}
		return &struct{ Body QualityAssignmentDetailDTO }{Body: out}, nil
	})

	httpapi.Register(api, httpapi.OrgPermission("quality_assignments", "create"), huma.Operation{
		OperationID: "pick-quality-conversation", Method: http.MethodPost, Path: "/v1/orgs/{org}/quality/assignments", Tags: []string{tag},
		Summary: "Pick a conversation to review", Description: "Hands the caller any conversation of the school, outside the " +
			"sample. Nobody reviews her own answers (409).",
		DefaultStatus: http.StatusCreated, Errors: []int{http.StatusConflict},
	}, func(ctx context.Context, in *struct {
		httpapi.OrgPath
		Body QualityPickBody
	}) (*struct{ Body QualityAssignmentDTO }, error) {
		a, err := svc.PickConversation(ctx, httpapi.OrgID(ctx), PickInput{ConversationID: in.Body.ConversationID, CuratorID: in.Body.CuratorID,
			Day: in.Body.Day})
		if err != nil {
			return nil, err
		}
		dtos, err := assignmentDTOs(ctx, svc, []Assignment{*a})
		if err != nil {
			return nil, err
		}
		return &struct{ Body QualityAssignmentDTO }{Body: dtos[0]}, nil
	})
}
