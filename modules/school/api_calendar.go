package school

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/curatorops/curatorops/modules/platform/bizcal"
	"github.com/curatorops/curatorops/modules/platform/httpapi"
)

// CalendarDTO is a business calendar.
type CalendarDTO struct {
	ID        string      `json:"id" format:"uuid"`
	Name      string      `json:"name"`
	IsDefault bool        `json:"is_default"`
	Spec      bizcal.Spec `json:"spec"`
	CreatedAt time.Time   `json:"created_at"`
	UpdatedAt time.Time   `json:"updated_at"`
	Version   int64       `json:"version"`
}

func calendarDTO(c Calendar) CalendarDTO {
	return CalendarDTO{ID: c.ID, Name: c.Name, IsDefault: c.IsDefault, Spec: c.Spec, CreatedAt: c.CreatedAt.UTC(), UpdatedAt: c.UpdatedAt.UTC(), Version: c.Version}
}

// CalendarBody is a calendar as clients write it.
type CalendarBody struct {
	Name      string      `json:"name" minLength:"1" maxLength:"100"`
	IsDefault bool        `json:"is_default,omitempty" doc:"Make this the school's default calendar; the first calendar always is."`
	Spec      bizcal.Spec `json:"spec"`
}

func (b CalendarBody) input() CalendarInput {
	return CalendarInput{Name: b.Name, IsDefault: b.IsDefault, Spec: b.Spec}
}

type calendarOutput struct {
	ETag string `header:"ETag"`
	Body CalendarDTO
}

func newCalendarOutput(c *Calendar) *calendarOutput {
	return &calendarOutput{ETag: httpapi.ETag(c.Version), Body: calendarDTO(*c)}
}

// SegmentDTO is a stretch of working time.
type SegmentDTO struct {
	Start   time.Time `json:"start"`
	End     time.Time `json:"end"`
	Seconds int64     `json:"seconds"`
}

func segmentDTOs(segs []bizcal.Segment) []SegmentDTO {
	out := make([]SegmentDTO, len(segs))
	for i, s := range segs {
		out[i] = SegmentDTO{Start: s.Start.UTC(), End: s.End.UTC(), Seconds: int64(s.Duration() / time.Second)}
	}
	return out
}

type deadlineInput struct {
	IDPath
	Start           time.Time `query:"start" required:"true" doc:"When the clock starts (RFC 3339)."`
	DurationSeconds int64     `query:"duration_seconds" required:"true" minimum:"0" maximum:"31536000" doc:"Business time to add."`
}

type deadlineOutput struct {
	Body struct {
		DueAt    time.Time    `json:"due_at"`
		Segments []SegmentDTO `json:"segments" doc:"The working stretches that make up the duration."`
	}
}

type businessTimeInput struct {
	IDPath
	From time.Time `query:"from" required:"true"`
	To   time.Time `query:"to" required:"true"`
}

type businessTimeOutput struct {
	Body struct {
		BusinessSeconds int64        `json:"business_seconds"`
		Segments        []SegmentDTO `json:"segments"`
	}
}

func registerCalendars(api huma.API, svc *Service) {
	httpapi.DefineTag(api, "Calendars", "Working hours, holidays and transferred working days in which deadlines run.")
	stale := []int{http.StatusConflict, http.StatusPreconditionFailed, http.StatusPreconditionRequired}

	httpapi.Register(api, httpapi.OrgPermission("calendars", "read"), huma.Operation{
		OperationID: "list-calendars", Method: http.MethodGet, Path: "/v1/orgs/{org}/calendars", Tags: []string{"Calendars"},
		Summary: "List the school's calendars", Description: "Ordered by name; one of them is the default.",
	}, func(ctx context.Context, in *httpapi.OrgPath) (*struct {
		Body struct {
			Items []CalendarDTO `json:"items"`
		}
	}, error) {
		rows, err := svc.Calendars(ctx, httpapi.OrgID(ctx))
		if err != nil {
			return nil, err
		}
		out := &struct {
			Body struct {
				Items []CalendarDTO `json:"items"`
			}
		}{}
		out.Body.Items = make([]CalendarDTO, len(rows))
		for i, c := range rows {
			out.Body.Items[i] = calendarDTO(c)
		}
		return out, nil
	})

	httpapi.Register(api, httpapi.OrgPermission("calendars", "write"), huma.Operation{
		OperationID: "create-calendar", Method: http.MethodPost, Path: "/v1/orgs/{org}/calendars", Tags: []string{"Calendars"},
		Summary: "Add a calendar", Description: "Working intervals per weekday (overnight allowed), holidays and transferred working days, or around the clock.",
		DefaultStatus: http.StatusCreated, Errors: []int{http.StatusConflict},
	}, func(ctx context.Context, in *struct {
		httpapi.OrgPath
		Body CalendarBody
	}) (*calendarOutput, error) {
		c, err := svc.CreateCalendar(ctx, httpapi.OrgID(ctx), in.Body.input())
		if err != nil {
			return nil, err
		}
		return newCalendarOutput(c), nil
	})

	httpapi.Register(api, httpapi.OrgPermission("calendars", "read"), huma.Operation{
		OperationID: "get-calendar", Method: http.MethodGet, Path: "/v1/orgs/{org}/calendars/{id}", Tags: []string{"Calendars"},
		Summary: "Get a calendar", Description: "The ETag is needed to replace it.",
	}, func(ctx context.Context, in *IDPath) (*calendarOutput, error) {
		c, err := svc.Calendar(ctx, httpapi.OrgID(ctx), in.ID)
		if err != nil {
			return nil, err
		}
		return newCalendarOutput(c), nil
	})

	httpapi.Register(api, httpapi.OrgPermission("calendars", "write"), huma.Operation{
		OperationID: "replace-calendar", Method: http.MethodPut, Path: "/v1/orgs/{org}/calendars/{id}", Tags: []string{"Calendars"},
		Summary: "Replace a calendar", Description: "Deadlines computed before keep their due times; new ones use the new hours. Needs If-Match.", Errors: stale,
	}, func(ctx context.Context, in *struct {
		IDPath
		httpapi.IfMatch
		Body CalendarBody
	}) (*calendarOutput, error) {
		version, err := in.Version()
		if err != nil {
			return nil, err
		}
		c, err := svc.ReplaceCalendar(ctx, httpapi.OrgID(ctx), in.ID, version, in.Body.input())
		if err != nil {
			return nil, err
		}
		return newCalendarOutput(c), nil
	})

	httpapi.Register(api, httpapi.OrgPermission("calendars", "read"), huma.Operation{
		OperationID: "compute-deadline", Method: http.MethodGet, Path: "/v1/orgs/{org}/calendars/{id}/deadline", Tags: []string{"Calendars"},
		Summary: "When a business-time target falls due", Description: "Adds duration_seconds of working time to start and lists the working stretches it spans.",
	}, func(ctx context.Context, in *deadlineInput) (*deadlineOutput, error) {
		st, err := svc.Deadline(ctx, httpapi.OrgID(ctx), in.ID, in.Start, time.Duration(in.DurationSeconds)*time.Second)
		if err != nil {
			return nil, err
		}
		out := &deadlineOutput{}
		out.Body.DueAt = st.To.UTC()
		out.Body.Segments = segmentDTOs(st.Segments)
		return out, nil
	})

	httpapi.Register(api, httpapi.OrgPermission("calendars", "read"), huma.Operation{
		OperationID: "measure-business-time", Method: http.MethodGet, Path: "/v1/orgs/{org}/calendars/{id}/business-time", Tags: []string{"Calendars"},
		Summary: "Working time between two instants", Description: "The business time in [from, to) with the working stretches that make it.",
	}, func(ctx context.Context, in *businessTimeInput) (*businessTimeOutput, error) {
		st, err := svc.BusinessTime(ctx, httpapi.OrgID(ctx), in.ID, in.From, in.To)
		if err != nil {
			return nil, err
		}
		out := &businessTimeOutput{}
		out.Body.BusinessSeconds = int64(st.Business / time.Second)
		out.Body.Segments = segmentDTOs(st.Segments)
		return out, nil
	})
}
