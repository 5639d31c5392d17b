package sla

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/curatorops/curatorops/modules/platform/httpapi"
	"github.com/curatorops/curatorops/modules/platform/reqctx"
)

// SLAClockDTO is a response clock.
type SLAClockDTO struct {
	ID                  string     `json:"id" format:"uuid"`
	ConversationID      string     `json:"conversation_id" format:"uuid"`
	StudentID           string     `json:"student_id"`
	CohortID            string     `json:"cohort_id"`
	Channel             string     `json:"channel" enum:"telegram,lms_comment,email,other"`
	Kind                string     `json:"kind" enum:"first,next" doc:"first (the conversation's first response) or next."`
	Status              string     `json:"status" enum:"open,answered,dismissed" doc:"open, answered or dismissed (closed as needing no reply)."`
	StartedAt           time.Time  `json:"started_at"`
	Messages            int        `json:"messages" doc:"Student messages in the burst this clock measures."`
	DueAt               time.Time  `json:"due_at"`
	WarnAt              time.Time  `json:"warn_at"`
	WarnedAt            *time.Time `json:"warned_at"`
	StoppedAt           *time.Time `json:"stopped_at"`
	ResponderID         *string    `json:"responder_id"`
	DismissReason       string     `json:"dismiss_reason,omitempty"`
	BusinessSeconds     *int64     `json:"business_seconds" doc:"Business time from the first message to the reply."`
	Breached            bool       `json:"breached"`
	TargetSeconds       int64      `json:"target_seconds"`
	PolicyID            string     `json:"policy_id" doc:"Empty: the built-in default (2 business hours)."`
	PolicyVersionID     string     `json:"policy_version_id"`
	PolicyVersionNumber int        `json:"policy_version_number"`
	CalendarID          string     `json:"calendar_id" doc:"Empty: the school's default calendar."`
	AlwaysOpen          bool       `json:"always_open"`
	CuratorID           string     `json:"curator_id" doc:"The responsible curator when the clock started."`
	Version             int64      `json:"version"`
}

func clockDTO(c ResponseClock) SLAClockDTO {
	return SLAClockDTO{ID: c.ID, ConversationID: c.ConversationID, StudentID: c.StudentID, CohortID: c.CohortID, Channel: c.Channel,
		Kind: c.Kind, Status: c.Status, StartedAt: c.StartedAt.UTC(), Messages: c.MessageCount, DueAt: c.DueAt.UTC(),
		WarnAt: c.WarnAt.UTC(), WarnedAt: httpapi.UTC(c.WarnedAt), StoppedAt: httpapi.UTC(c.StoppedAt), ResponderID: c.ResponderID,
		DismissReason: c.DismissReason, BusinessSeconds: c.BusinessSeconds, Breached: c.Breached, TargetSeconds: c.TargetSeconds,
		PolicyID: c.PolicyID, PolicyVersionID: c.PolicyVersionID, PolicyVersionNumber: c.PolicyVersionNumber,
		CalendarID: c.CalendarID, AlwaysOpen: c.AlwaysOpen, CuratorID: c.CuratorID, Version: c.Version}
}

type clockOutput struct {
	ETag string `header:"ETag"`
	Body SLAClockDTO
}

func newClockOutput(c *ResponseClock) *clockOutput {
	return &clockOutput{ETag: httpapi.ETag(c.Version), Body: clockDTO(*c)}
}

// ViewQuery chooses a live view of open clocks.
type ViewQuery struct {
	httpapi.PageQuery
	View          string `query:"view" enum:"open,at_risk,breached" default:"open" doc:"open: every open clock; at_risk: not yet due, due within within_minutes; breached: due (due_at at or before now) and still open. A clock is in at most one of at_risk and breached."`
	WithinMinutes int    `query:"within_minutes" minimum:"1" maximum:"10080" default:"30" doc:"For view=at_risk."`
}

func (q ViewQuery) filter(now time.Time) (ClockFilter, error) {
	after, err := httpapi.AfterTimeID(q.Cursor)
	if err != nil {
		return ClockFilter{}, err
	}
	f := ClockFilter{Limit: q.Limit, After: after}
	switch q.View {
	case "at_risk":
		t := now.Add(time.Duration(q.WithinMinutes) * time.Minute)
		f.DueAfter, f.DueBefore = &now, &t
	case "breached":
		f.DueBefore = &now
	}
	return f, nil
}

type clocksOutput struct{ Body httpapi.Page[SLAClockDTO] }

func clockPage(rows []ResponseClock, limit int) *clocksOutput {
	return &clocksOutput{Body: httpapi.NewPage(rows, limit, clockDTO,
		func(c ResponseClock) []string { return []string{c.DueAt.UTC().Format(time.RFC3339Nano), c.ID} })}
}

// SLASegmentDTO is one open stretch of the calendar.
type SLASegmentDTO struct {
	Start   time.Time `json:"start"`
	End     time.Time `json:"end"`
	Seconds int64     `json:"seconds"`
}

func registerClocks(api huma.API, svc *Service) {
	httpapi.Register(api, httpapi.OrgPermission("sla_clocks", "read"), huma.Operation{
		OperationID: "list-sla-clocks", Method: http.MethodGet, Path: "/v1/orgs/{org}/sla/clocks", Tags: []string{tag},
		Summary: "Live view of open clocks", Description: "Open response clocks, the next to breach first: all, at risk (not yet due, due within N minutes) " +
			"or breached (past due) and still open; optionally of one curator.",
	}, func(ctx context.Context, in *struct {
		httpapi.OrgPath
		ViewQuery
		CuratorID string `query:"curator_id" format:"uuid"`
	}) (*clocksOutput, error) {
		f, err := in.filter(svc.Now())
		if err != nil {
			return nil, err
		}
		f.CuratorID = in.CuratorID
		rows, err := svc.OpenClocks(ctx, httpapi.OrgID(ctx), f)
		if err != nil {
			return nil, err
		}
		return clockPage(rows, in.Limit), nil
	})

	httpapi.Register(api, httpapi.OrgPermission("sla_clocks", "read_own"), huma.Operation{
		OperationID: "list-my-sla-clocks", Method: http.MethodGet, Path: "/v1/orgs/{org}/sla/my-clocks", Tags: []string{tag},
		Summary: "My open clocks", Description: "The caller's open response clocks (they are the responsible curator), the next to breach first.",
	}, func(ctx context.Context, in *struct {
		httpapi.OrgPath
		ViewQuery
	}) (*clocksOutput, error) {
		f, err := in.filter(svc.Now())
		if err != nil {
			return nil, err
		}
		f.CuratorID = reqctx.From(ctx).Principal.ActorID()
		rows, err := svc.OpenClocks(ctx, httpapi.OrgID(ctx), f)
		if err != nil {
			return nil, err
		}
		return clockPage(rows, in.Limit), nil
	})

	httpapi.Register(api, httpapi.OrgPermission("sla_clocks", "read"), huma.Operation{
		OperationID: "get-sla-clock", Method: http.MethodGet, Path: "/v1/orgs/{org}/sla/clocks/{id}", Tags: []string{tag},
		Summary: "Get a clock", Description: "One response clock; the ETag is needed to close it as needing no reply.",
	}, func(ctx context.Context, in *IDPath) (*clockOutput, error) {
		c, err := svc.ResponseClock(ctx, httpapi.OrgID(ctx), in.ID)
		if err != nil {
			return nil, err
		}
		return newClockOutput(c), nil
	})

	httpapi.Register(api, httpapi.OrgPermission("sla_clocks", "read"), huma.Operation{
		OperationID: "explain-sla-clock", Method: http.MethodGet, Path: "/v1/orgs/{org}/sla/clocks/{id}/explain", Tags: []string{tag},
		Summary: "Explain a clock's due time", Description: "The calendar's open segments from the start to the due time; their seconds add up to the target.",
	}, func(ctx context.Context, in *IDPath) (*struct {
		Body struct {
			Clock         SLAClockDTO     `json:"clock"`
			TargetSeconds int64           `json:"target_seconds"`
			Segments      []SLASegmentDTO `json:"segments"`
		}
	}, error) {
		e, err := svc.Explain(ctx, httpapi.OrgID(ctx), in.ID)
		if err != nil {
			return nil, err
		}
		out := &struct {
			Body struct {
				Clock         SLAClockDTO     `json:"clock"`
				TargetSeconds int64           `json:"target_seconds"`
				Segments      []SLASegmentDTO `json:"segments"`
			}
		}{}
		out.Body.Clock, out.Body.TargetSeconds = clockDTO(*e.Clock), e.Clock.TargetSeconds
		out.Body.Segments = make([]SLASegmentDTO, len(e.Segments))
		for i, s := range e.Segments {
			out.Body.Segments[i] = SLASegmentDTO{Start: s.Start.UTC(), End: s.End.UTC(), Seconds: int64(s.End.Sub(s.Start) / time.Second)}
		}
		return out, nil
	})

	httpapi.Register(api, httpapi.OrgPermission("sla_clocks", "dismiss"), huma.Operation{
		OperationID: "dismiss-sla-clock", Method: http.MethodPost, Path: "/v1/orgs/{org}/sla/clocks/{id}/dismiss", Tags: []string{tag},
		Summary: "Close a clock as needing no reply", Description: "For messages that need no answer after all. The reason is audited, " +
			"and reports count such clocks apart from answered ones.",
		Errors: staleErrors(),
	}, func(ctx context.Context, in *struct {
		IDPath
		httpapi.IfMatch
		Body struct {
			Reason string `json:"reason" minLength:"1" maxLength:"500"`
		}
	}) (*clockOutput, error) {
		version, err := in.Version()
		if err != nil {
			return nil, err
		}
		c, err := svc.DismissClock(ctx, httpapi.OrgID(ctx), in.ID, version, in.Body.Reason)
		if err != nil {
			return nil, err
		}
		return newClockOutput(c), nil
	})
}
