package audit

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/curatorops/curatorops/modules/platform/auditlog"
	"github.com/curatorops/curatorops/modules/platform/clock"
	"github.com/curatorops/curatorops/modules/platform/httpapi"
)

// EntryDTO is an audit entry as the API shows it.
type EntryDTO struct {
	ID         string                     `json:"id" format:"uuid"`
	OccurredAt time.Time                  `json:"occurred_at"`
	Actor      ActorDTO                   `json:"actor"`
	Action     string                     `json:"action" doc:"Operation id of the change, e.g. create-user."`
	EntityType string                     `json:"entity_type"`
	EntityID   string                     `json:"entity_id"`
	Changes    map[string]auditlog.Change `json:"changes" doc:"Changed fields with their values before and after."`
	RequestID  string                     `json:"request_id"`
	IP         string                     `json:"ip"`
	UserAgent  string                     `json:"user_agent"`
}

// ActorDTO says who made a change.
type ActorDTO struct {
	Type string `json:"type" enum:"user,api_key,system"`
	ID   string `json:"id"`
	Name string `json:"name"`
}

func toDTO(e Entry) EntryDTO {
	return EntryDTO{
		ID: e.ID, OccurredAt: e.OccurredAt.UTC(),
		Actor:  ActorDTO{Type: e.ActorType, ID: e.ActorID, Name: e.ActorName},
		Action: e.Action, EntityType: e.EntityType, EntityID: e.EntityID,
		Changes: e.Changes, RequestID: e.RequestID, IP: e.IP, UserAgent: e.UserAgent,
	}
}

// ListInput filters the audit log.
type ListInput struct {
	httpapi.OrgPath
	httpapi.PageQuery
	ActorID    string    `query:"actor_id" maxLength:"64" doc:"Only changes by this user or API key id."`
	EntityType string    `query:"entity_type" maxLength:"64" doc:"Only changes to this kind of entity, e.g. user."`
	EntityID   string    `query:"entity_id" maxLength:"64" doc:"Only changes to this entity."`
	Action     string    `query:"action" maxLength:"100" doc:"Only this operation id, e.g. grant-role."`
	From       time.Time `query:"from" doc:"Changes at or after this time (RFC 3339)."`
	To         time.Time `query:"to" doc:"Changes before this time (RFC 3339)."`
}

// ListOutput is one page of entries.
type ListOutput struct {
	Body httpapi.Page[EntryDTO]
}

// Register adds the audit operations.
func Register(api huma.API, svc *Service) {
	httpapi.DefineTag(api, "Audit", "The school's append-only log of changes.")
	httpapi.Register(api, httpapi.OrgPermission("audit", "read"), huma.Operation{
		OperationID: "list-audit-entries",
		Method:      http.MethodGet,
		Path:        "/v1/orgs/{org}/audit",
		Summary:     "List the school's audit log",
		Description: "Every change made in the school, newest first, with who made it and the fields before and after. Secrets never appear.",
		Tags:        []string{"Audit"},
	}, func(ctx context.Context, in *ListInput) (*ListOutput, error) {
		after, err := httpapi.AfterID(in.Cursor)
		if err != nil {
			return nil, err
		}
		if err := clock.CheckPeriod(in.From, in.To); err != nil {
			return nil, err
		}
		f := Filter{ActorID: in.ActorID, EntityType: in.EntityType, EntityID: in.EntityID, Action: in.Action,
			From: in.From.UTC(), To: in.To.UTC(), Limit: in.Limit, AfterID: after}
		rows, err := svc.List(ctx, httpapi.OrgID(ctx), f)
		if err != nil {
			return nil, err
		}
		return &ListOutput{Body: httpapi.NewPage(rows, in.Limit, toDTO, func(e Entry) []string { return []string{e.ID} })}, nil
	})
}
