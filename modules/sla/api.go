package sla

import (
	"bytes"
	"context"
	"encoding/csv"
	"net/http"
	"strconv"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/curatorops/curatorops/modules/platform/httpapi"
)

// OrgPath addresses one school.
type OrgPath struct {
	Org string `path:"org" maxLength:"64" doc:"School slug."`
}

// IDPath addresses one record of a school.
type IDPath struct {
	OrgPath
	ID string `path:"id" format:"uuid"`
}

const tag = "SLA"

// Register adds the SLA operations.
func Register(api huma.API, svc *Service) {
	httpapi.DefineTag(api, tag, "Response-time SLA: student conversations, response clocks, policies, live views, reports.")
	registerConversations(api, svc)
	registerClocks(api, svc)
	registerPolicies(api, svc)
	registerReports(api, svc)
	registerSettings(api, svc)
}

// --- conversations

// SLAConversationDTO is a conversation with a student.
type SLAConversationDTO struct {
	ID            string     `json:"id" format:"uuid"`
	ExternalID    *string    `json:"external_id"`
	Channel       string     `json:"channel"`
	StudentID     string     `json:"student_id"`
	CohortID      *string    `json:"cohort_id"`
	CreatedAt     time.Time  `json:"created_at"`
	LastMessageAt *time.Time `json:"last_message_at"`
	Clocks        int        `json:"clocks" doc:"How many response clocks the conversation has started."`
}

func conversationDTO(c Conversation) SLAConversationDTO {
	return SLAConversationDTO{ID: c.ID, ExternalID: c.ExternalID, Channel: c.Channel, StudentID: c.StudentID, CohortID: c.CohortID,
		CreatedAt: c.CreatedAt.UTC(), LastMessageAt: utcPtr(c.LastMessageAt), Clocks: c.ClockCount}
}

// SLAMessageDTO is a message of a conversation.
type SLAMessageDTO struct {
	ID           string    `json:"id" format:"uuid"`
	ExternalID   *string   `json:"external_id"`
	Direction    string    `json:"direction"`
	AuthorKind   string    `json:"author_kind"`
	AuthorUserID *string   `json:"author_user_id"`
	AuthorEmail  string    `json:"author_email,omitempty"`
	Kind         string    `json:"kind"`
	Text         string    `json:"text"`
	SentAt       time.Time `json:"sent_at"`
	Effect       string    `json:"effect" doc:"What it did to the response clock: started, joined, stopped, no_reply_needed or none."`
	ClockID      *string   `json:"clock_id"`
}

func messageDTO(m Message) SLAMessageDTO {
	return SLAMessageDTO{ID: m.ID, ExternalID: m.ExternalID, Direction: m.Direction, AuthorKind: m.AuthorKind, AuthorUserID: m.AuthorUserID,
		AuthorEmail: m.AuthorEmail, Kind: m.Kind, Text: m.Text, SentAt: m.SentAt.UTC(), Effect: m.Effect, ClockID: m.ClockID}
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

type conversationOutput struct{ Body SLAConversationDTO }

// ConversationPath addresses one conversation.
type ConversationPath struct {
	OrgPath
	ID string `path:"id" format:"uuid" doc:"Conversation id."`
}

func registerConversations(api huma.API, svc *Service) {
	httpapi.Register(api, httpapi.OrgPermission("sla_conversations", "write"), huma.Operation{
		OperationID: "create-conversation", Method: http.MethodPost, Path: "/v1/orgs/{org}/conversations", Tags: []string{tag},
		Summary: "Open a conversation", Description: "A thread with one student in one channel. The LMS usually opens them through message.created events instead.",
		DefaultStatus: http.StatusCreated, Errors: []int{http.StatusConflict},
	}, func(ctx context.Context, in *struct {
		OrgPath
		Body struct {
			ExternalID *string `json:"external_id,omitempty" minLength:"1" maxLength:"200"`
			Channel    string  `json:"channel" enum:"telegram,lms_comment,email,other"`
			StudentID  string  `json:"student_id" format:"uuid"`
			CohortID   *string `json:"cohort_id,omitempty" format:"uuid" doc:"The cohort the conversation is about, when known; it picks the enrollment."`
		}
	}) (*conversationOutput, error) {
		c, err := svc.CreateConversation(ctx, httpapi.OrgID(ctx), ConversationInput{ExternalID: in.Body.ExternalID,
			Channel: in.Body.Channel, StudentID: in.Body.StudentID, CohortID: in.Body.CohortID})
		if err != nil {
			return nil, err
		}
		return &conversationOutput{Body: conversationDTO(*c)}, nil
	})

	httpapi.Register(api, httpapi.OrgPermission("sla_conversations", "read"), huma.Operation{
		OperationID: "list-conversations", Method: http.MethodGet, Path: "/v1/orgs/{org}/conversations", Tags: []string{tag},
		Summary: "List conversations", Description: "Oldest first, optionally of one student or channel.",
	}, func(ctx context.Context, in *struct {
		OrgPath
		httpapi.PageQuery
		StudentID string `query:"student_id" format:"uuid"`
		Channel   string `query:"channel" enum:"telegram,lms_comment,email,other"`
	}) (*struct {
		Body httpapi.Page[SLAConversationDTO]
	}, error) {
		after, err := httpapi.DecodeCursor(in.Cursor, 1)
		if err != nil {
			return nil, err
		}
		f := ConversationFilter{StudentID: in.StudentID, Channel: in.Channel, Limit: in.Limit}
		if after != nil {
			f.AfterID = after[0]
		}
		rows, err := svc.Conversations(ctx, httpapi.OrgID(ctx), f)
		if err != nil {
			return nil, err
		}
		return &struct {
			Body httpapi.Page[SLAConversationDTO]
		}{Body: httpapi.NewPage(rows, in.Limit, conversationDTO,
			func(c Conversation) []string { return []string{c.ID} })}, nil
	})

	httpapi.Register(api, httpapi.OrgPermission("sla_conversations", "read"), huma.Operation{
		OperationID: "get-conversation", Method: http.MethodGet, Path: "/v1/orgs/{org}/conversations/{id}", Tags: []string{tag},
		Summary: "Get a conversation", Description: "The conversation without its messages; list those separately.",
	}, func(ctx context.Context, in *IDPath) (*conversationOutput, error) {
		c, err := svc.Conversation(ctx, httpapi.OrgID(ctx), in.ID)
		if err != nil {
			return nil, err
		}
		return &conversationOutput{Body: conversationDTO(*c)}, nil
	})

	httpapi.Register(api, httpapi.OrgPermission("sla_conversations", "write"), huma.Operation{
		OperationID: "add-message", Method: http.MethodPost, Path: "/v1/orgs/{org}/conversations/{id}/messages", Tags: []string{tag},
		Summary: "Record a message", Description: "A student's message that needs an answer starts or joins the response clock; " +
			"a human staff member's text reply stops it. Bot replies, reactions, stickers, emoji and thanks change nothing.",
		DefaultStatus: http.StatusCreated, Errors: []int{http.StatusConflict},
	}, func(ctx context.Context, in *struct {
		ConversationPath
		Body struct {
			ExternalID  *string   `json:"external_id,omitempty" minLength:"1" maxLength:"200"`
			Direction   string    `json:"direction" enum:"student,staff"`
			AuthorKind  string    `json:"author_kind" enum:"student,staff,bot"`
			AuthorEmail string    `json:"author_email,omitempty" maxLength:"254" doc:"Staff replies: the staff member's email in this school."`
			Kind        string    `json:"kind,omitempty" enum:"text,sticker,reaction,system" default:"text"`
			Text        string    `json:"text,omitempty" maxLength:"20000"`
			SentAt      time.Time `json:"sent_at"`
		}
	}) (*struct{ Body SLAMessageDTO }, error) {
		b := in.Body
		m, err := svc.AddMessage(ctx, httpapi.OrgID(ctx), in.ID, MessageInput{ExternalID: b.ExternalID, Direction: b.Direction,
			AuthorKind: b.AuthorKind, AuthorEmail: b.AuthorEmail, Kind: b.Kind, Text: b.Text, SentAt: b.SentAt})
		if err != nil {
			return nil, err
		}
		return &struct{ Body SLAMessageDTO }{Body: messageDTO(*m)}, nil
	})

	httpapi.Register(api, httpapi.OrgPermission("sla_conversations", "read"), huma.Operation{
		OperationID: "list-messages", Method: http.MethodGet, Path: "/v1/orgs/{org}/conversations/{id}/messages", Tags: []string{tag},
		Summary: "List a conversation's messages", Description: "In the order they were sent, with what each did to the response clock.",
	}, func(ctx context.Context, in *struct {
		ConversationPath
		httpapi.PageQuery
	}) (*struct{ Body httpapi.Page[SLAMessageDTO] }, error) {
		after, err := httpapi.DecodeCursor(in.Cursor, 2)
		if err != nil {
			return nil, err
		}
		rows, err := svc.Messages(ctx, httpapi.OrgID(ctx), in.ID, in.Limit, after)
		if err != nil {
			return nil, err
		}
		return &struct{ Body httpapi.Page[SLAMessageDTO] }{Body: httpapi.NewPage(rows, in.Limit, messageDTO,
			func(m Message) []string { return []string{m.SentAt.UTC().Format(time.RFC3339Nano), m.ID} })}, nil
	})
}

// --- clocks

// SLAClockDTO is a response clock.
type SLAClockDTO struct {
	ID                  string     `json:"id" format:"uuid"`
	ConversationID      string     `json:"conversation_id" format:"uuid"`
	StudentID           string     `json:"student_id"`
	CohortID            string     `json:"cohort_id"`
	Channel             string     `json:"channel"`
	Kind                string     `json:"kind" doc:"first (the conversation's first response) or next."`
	Status              string     `json:"status" doc:"open, answered or dismissed (closed as needing no reply)."`
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

func clockDTO(c Clock) SLAClockDTO {
	return SLAClockDTO{ID: c.ID, ConversationID: c.ConversationID, StudentID: c.StudentID, CohortID: c.CohortID, Channel: c.Channel,
		Kind: c.Kind, Status: c.Status, StartedAt: c.StartedAt.UTC(), Messages: c.MessageCount, DueAt: c.DueAt.UTC(),
		WarnAt: c.WarnAt.UTC(), WarnedAt: utcPtr(c.WarnedAt), StoppedAt: utcPtr(c.StoppedAt), ResponderID: c.ResponderID,
		DismissReason: c.DismissReason, BusinessSeconds: c.BusinessSeconds, Breached: c.Breached, TargetSeconds: c.TargetSeconds,
		PolicyID: c.PolicyID, PolicyVersionID: c.PolicyVersionID, PolicyVersionNumber: c.PolicyVersionNumber,
		CalendarID: c.CalendarID, AlwaysOpen: c.AlwaysOpen, CuratorID: c.CuratorID, Version: c.Version}
}

type clockOutput struct {
	ETag string `header:"ETag"`
	Body SLAClockDTO
}

func newClockOutput(c *Clock) *clockOutput {
	return &clockOutput{ETag: httpapi.ETag(c.Version), Body: clockDTO(*c)}
}

// ViewQuery chooses a live view of open clocks.
type ViewQuery struct {
	httpapi.PageQuery
	View          string `query:"view" enum:"open,at_risk,breached" default:"open" doc:"open: every open clock; at_risk: due within within_minutes; breached: past due and still open."`
	WithinMinutes int    `query:"within_minutes" minimum:"1" maximum:"10080" default:"30" doc:"For view=at_risk."`
}

func (q ViewQuery) filter(now time.Time) (ClockFilter, error) {
	after, err := httpapi.DecodeCursor(q.Cursor, 2)
	if err != nil {
		return ClockFilter{}, err
	}
	f := ClockFilter{Limit: q.Limit, After: after}
	switch q.View {
	case "at_risk":
		t := now.Add(time.Duration(q.WithinMinutes) * time.Minute)
		f.DueBefore = &t
	case "breached":
		f.DueBefore = &now
	}
	return f, nil
}

type clocksOutput struct{ Body httpapi.Page[SLAClockDTO] }

func clockPage(rows []Clock, limit int) *clocksOutput {
	return &clocksOutput{Body: httpapi.NewPage(rows, limit, clockDTO,
		func(c Clock) []string { return []string{c.DueAt.UTC().Format(time.RFC3339Nano), c.ID} })}
}

// SLASegmentDTO is one open stretch of the calendar.
type SLASegmentDTO struct {
	Start   time.Time `json:"start"`
	End     time.Time `json:"end"`
	Seconds int64     `json:"seconds"`
}

func registerClocks(api huma.API, svc *Service) {
	stale := []int{http.StatusConflict, http.StatusPreconditionFailed, http.StatusPreconditionRequired}

	httpapi.Register(api, httpapi.OrgPermission("sla_clocks", "read"), huma.Operation{
		OperationID: "list-sla-clocks", Method: http.MethodGet, Path: "/v1/orgs/{org}/sla/clocks", Tags: []string{tag},
		Summary: "Live view of open clocks", Description: "Open response clocks, the next to breach first: all, at risk (due within N minutes) " +
			"or breached and still open; optionally of one curator.",
	}, func(ctx context.Context, in *struct {
		OrgPath
		ViewQuery
		CuratorID string `query:"curator_id" format:"uuid"`
	}) (*clocksOutput, error) {
		f, err := in.filter(svc.now())
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
		OrgPath
		ViewQuery
	}) (*clocksOutput, error) {
		f, err := in.filter(svc.now())
		if err != nil {
			return nil, err
		}
		f.CuratorID = actorID(ctx)
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
		c, err := svc.Clock(ctx, httpapi.OrgID(ctx), in.ID)
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
		Errors: stale,
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

// --- reports

// SLAReportRowDTO is one group of a report.
type SLAReportRowDTO struct {
	Key               string  `json:"key" doc:"The curator, cohort, policy id, channel or local day; empty: none."`
	Items             int     `json:"items" doc:"Answered clocks and open clocks already past due."`
	Compliant         int     `json:"compliant"`
	Breached          int     `json:"breached"`
	CompliancePercent float64 `json:"compliance_percent"`
	Answered          int     `json:"answered"`
	Open              int     `json:"open"`
	Dismissed         int     `json:"dismissed" doc:"Closed as needing no reply; not in items."`
	MedianMinutes     float64 `json:"median_minutes" doc:"Business minutes, nearest-rank, of answered clocks."`
	P90Minutes        float64 `json:"p90_minutes"`
	P95Minutes        float64 `json:"p95_minutes"`
}

func reportRowDTO(r ReportRow) SLAReportRowDTO {
	return SLAReportRowDTO(r)
}

// SLAReportDTO is a compliance report.
type SLAReportDTO struct {
	From    time.Time         `json:"from"`
	To      time.Time         `json:"to"`
	GroupBy string            `json:"group_by"`
	Rows    []SLAReportRowDTO `json:"rows"`
	Total   SLAReportRowDTO   `json:"total"`
}

type reportQuery struct {
	OrgPath
	From    time.Time `query:"from" required:"true" doc:"Clocks started at or after this instant."`
	To      time.Time `query:"to" required:"true" doc:"Clocks started before this instant."`
	GroupBy string    `query:"group_by" enum:"curator,cohort,channel,policy,day" default:"curator"`
}

func (q *reportQuery) input() ReportInput {
	return ReportInput{From: q.From, To: q.To, GroupBy: q.GroupBy}
}

func registerReports(api huma.API, svc *Service) {
	httpapi.Register(api, httpapi.OrgPermission("sla_reports", "read"), huma.Operation{
		OperationID: "get-sla-report", Method: http.MethodGet, Path: "/v1/orgs/{org}/sla/report", Tags: []string{tag},
		Summary: "SLA compliance report", Description: "Compliance, counts and median / p90 / p95 response time in business minutes " +
			"of the clocks started in [from, to), by curator, cohort, channel, policy or day. Percentiles are nearest-rank.",
	}, func(ctx context.Context, in *reportQuery) (*struct{ Body SLAReportDTO }, error) {
		r, err := svc.Report(ctx, httpapi.OrgID(ctx), in.input())
		if err != nil {
			return nil, err
		}
		out := &struct{ Body SLAReportDTO }{Body: SLAReportDTO{From: r.From, To: r.To, GroupBy: r.GroupBy, Total: reportRowDTO(r.Total),
			Rows: make([]SLAReportRowDTO, len(r.Rows))}}
		for i, row := range r.Rows {
			out.Body.Rows[i] = reportRowDTO(row)
		}
		return out, nil
	})

	httpapi.Register(api, httpapi.OrgPermission("sla_reports", "read"), huma.Operation{
		OperationID: "export-sla-report", Method: http.MethodGet, Path: "/v1/orgs/{org}/sla/report/export", Tags: []string{tag},
		Summary: "Export the SLA report as CSV", Description: "The same rows as the report, with a last row for the total, as text/csv.",
		Responses: map[string]*huma.Response{"200": {Description: "CSV", Content: map[string]*huma.MediaType{"text/csv": {}}}},
	}, func(ctx context.Context, in *reportQuery) (*struct {
		ContentType        string `header:"Content-Type"`
		ContentDisposition string `header:"Content-Disposition"`
		Body               []byte
	}, error) {
		r, err := svc.Report(ctx, httpapi.OrgID(ctx), in.input())
		if err != nil {
			return nil, err
		}
		return &struct {
			ContentType        string `header:"Content-Type"`
			ContentDisposition string `header:"Content-Disposition"`
			Body               []byte
		}{ContentType: "text/csv; charset=utf-8", ContentDisposition: `attachment; filename="sla-report.csv"`, Body: reportCSV(r)}, nil
	})
}

// reportCSV writes the report with a header line and a closing total.
func reportCSV(r *Report) []byte {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	_ = w.Write([]string{r.GroupBy, "items", "compliant", "breached", "compliance_percent", "answered", "open", "dismissed",
		"median_minutes", "p90_minutes", "p95_minutes"})
	line := func(key string, x ReportRow) {
		f := func(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
		_ = w.Write([]string{key, strconv.Itoa(x.Items), strconv.Itoa(x.Compliant), strconv.Itoa(x.Breached), f(x.CompliancePercent),
			strconv.Itoa(x.Answered), strconv.Itoa(x.Open), strconv.Itoa(x.Dismissed), f(x.MedianMinutes), f(x.P90Minutes), f(x.P95Minutes)})
	}
	for _, row := range r.Rows {
		line(row.Key, row)
	}
	line("total", r.Total)
	w.Flush()
	return buf.Bytes()
}

// --- settings

// SLASettingsDTO is the school's SLA settings.
type SLASettingsDTO struct {
	QuietStart     string   `json:"quiet_start" doc:"Local start of quiet hours (HH:MM), or empty."`
	QuietEnd       string   `json:"quiet_end" doc:"Local end of quiet hours (HH:MM), or empty."`
	NoReplyPhrases []string `json:"no_reply_phrases" doc:"Messages that need no answer, compared case-insensitively without surrounding punctuation."`
	Version        int64    `json:"version" doc:"0 until first saved."`
}

type settingsOutput struct {
	ETag string `header:"ETag"`
	Body SLASettingsDTO
}

func newSettingsOutput(s *Settings) *settingsOutput {
	return &settingsOutput{ETag: httpapi.ETag(s.Version), Body: SLASettingsDTO{QuietStart: s.QuietStart, QuietEnd: s.QuietEnd,
		NoReplyPhrases: splitPhrases(s.NoReplyPhrases), Version: s.Version}}
}

func registerSettings(api huma.API, svc *Service) {
	httpapi.Register(api, httpapi.OrgPermission("sla_settings", "read"), huma.Operation{
		OperationID: "get-sla-settings", Method: http.MethodGet, Path: "/v1/orgs/{org}/sla/settings", Tags: []string{tag},
		Summary: "Get the SLA settings", Description: "Quiet hours of warnings and the phrases that need no reply.",
	}, func(ctx context.Context, in *OrgPath) (*settingsOutput, error) {
		s, err := svc.Settings(ctx, httpapi.OrgID(ctx))
		if err != nil {
			return nil, err
		}
		return newSettingsOutput(s), nil
	})

	httpapi.Register(api, httpapi.OrgPermission("sla_settings", "write"), huma.Operation{
		OperationID: "update-sla-settings", Method: http.MethodPut, Path: "/v1/orgs/{org}/sla/settings", Tags: []string{tag},
		Summary: "Replace the SLA settings", Description: "Send If-Match with the ETag read (\"0\" before the first save). " +
			"An empty phrase list restores the default list.",
		Errors: []int{http.StatusPreconditionFailed, http.StatusPreconditionRequired},
	}, func(ctx context.Context, in *struct {
		OrgPath
		IfMatch string `header:"If-Match" maxLength:"64" doc:"The ETag from the last read."`
		Body    struct {
			QuietStart     string   `json:"quiet_start,omitempty" maxLength:"5"`
			QuietEnd       string   `json:"quiet_end,omitempty" maxLength:"5"`
			NoReplyPhrases []string `json:"no_reply_phrases,omitempty" maxItems:"200" doc:"Each at most 100 characters."`
		}
	}) (*settingsOutput, error) {
		version, err := settingsVersion(in.IfMatch)
		if err != nil {
			return nil, err
		}
		s, err := svc.SaveSettings(ctx, httpapi.OrgID(ctx), version, SettingsInput{QuietStart: in.Body.QuietStart,
			QuietEnd: in.Body.QuietEnd, NoReplyPhrases: in.Body.NoReplyPhrases})
		if err != nil {
			return nil, err
		}
		return newSettingsOutput(s), nil
	})
}

// settingsVersion reads If-Match, where "0" means never saved.
func settingsVersion(tag string) (int64, error) {
	if tag == `"0"` || tag == "0" {
		return 0, nil
	}
	return httpapi.IfMatch{IfMatch: tag}.Version()
}
