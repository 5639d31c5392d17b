package console

import (
	"net/http"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/curatorops/curatorops/modules/identity"
	"github.com/curatorops/curatorops/modules/integration"
	"github.com/curatorops/curatorops/modules/platform/httpapi"
)

// --- administration: API keys, webhooks and their delivery log ------------------

// keyRoles are the roles a key may act as: every school role but admin,
// as create-api-key allows.
var keyRoles = []string{"integration", "head_of_service", "senior_curator", "curator", "hr", "finance"}

// apiKeys lists the school's integration keys (their prefixes, never the
// keys), paged, with the create and revoke forms, as list-api-keys does.
func (c *Console) apiKeys(r *request) error {
	return c.renderKeys(r, http.StatusOK, map[string]any{})
}

func (c *Console) renderKeys(r *request, status int, data map[string]any) error {
	after, err := idCursor(r)
	if err != nil {
		return err
	}
	rows, err := c.d.Identity.ListAPIKeys(r.ctx, r.org.ID, pageSize, after)
	if err != nil {
		return err
	}
	rows, next := onePage(rows, func(last identity.APIKey) string { return httpapi.EncodeCursor(last.ID) })
	ids := make([]string, 0, len(rows))
	for _, k := range rows {
		ids = append(ids, k.CreatedBy)
	}
	names, err := c.d.Identity.MemberNames(r.ctx, r.org.ID, ids)
	if err != nil {
		return err
	}
	now := c.d.Identity.Now()
	type line struct {
		ID, Name, Role, Prefix, CreatedBy, Created, Expires, LastUsed, State string
		Live                                                                 bool
	}
	lines := make([]line, 0, len(rows))
	for _, k := range rows {
		l := line{ID: k.ID, Name: k.Name, Role: r.L.Enum("role", k.Role), Prefix: k.KeyPrefix, CreatedBy: nameOr(names, k.CreatedBy, r.L),
			Created: r.L.Time(k.CreatedAt), Expires: r.L.TimePtr(k.ExpiresAt), LastUsed: r.L.TimePtr(k.LastUsedAt), State: "live", Live: true}
		switch {
		case k.RevokedAt != nil:
			l.State, l.Live = "revoked", false
		case k.ExpiresAt != nil && !k.ExpiresAt.After(now):
			l.State, l.Live = "expired", false
		}
		l.State = r.L.T("keys." + l.State)
		lines = append(lines, l)
	}
	data["Keys"], data["Next"], data["Roles"] = lines, next, keyRoles
	data["CanCreate"], data["CanRevoke"] = r.allowed("api_keys", "create"), r.allowed("api_keys", "revoke")
	for _, k := range []string{"Name", "Role", "Expires", "Field", "Error", "NewKey", "NewKeyName"} {
		if _, ok := data[k]; !ok {
			data[k] = ""
		}
	}
	return r.render(status, "api_keys", data)
}

// createAPIKey creates a key as create-api-key does and shows it once, on
// the answer to the form: it is in no address and no later page. A name
// the API's schema would refuse is refused here too.
func (c *Console) createAPIKey(r *request) error {
	name, role := strings.TrimSpace(r.FormValue("name")), r.FormValue("role")
	again := func(field string) error {
		return c.renderKeys(r, http.StatusUnprocessableEntity, map[string]any{"Name": name, "Role": role, "Expires": r.FormValue("expires_on"),
			"Field": field, "Error": "error.invalid"})
	}
	if name == "" || utf8.RuneCountInString(name) > 200 || strings.IndexFunc(name, unicode.IsControl) >= 0 {
		return again("name")
	}
	if role == "" {
		role = "integration"
	}
	valid := false
	for _, k := range keyRoles {
		valid = valid || k == role
	}
	if !valid {
		return again("role")
	}
	var expires *time.Time
	if v := r.FormValue("expires_on"); v != "" {
		t, err := time.ParseInLocation("2006-01-02", v, r.L.zone)
		if err != nil {
			return again("expires_on")
		}
		expires = &t
	}
	k, err := c.d.Identity.CreateAPIKey(r.ctx, r.org.ID, name, role, expires)
	if err != nil {
		if status, _ := statusOf(err); status == http.StatusUnprocessableEntity {
			return again("expires_on")
		}
		return err
	}
	return c.renderKeys(r, http.StatusCreated, map[string]any{"NewKey": k.Key, "NewKeyName": k.APIKey.Name})
}

// revokeAPIKey revokes a key as revoke-api-key does: it stops working at
// once, its record stays.
func (c *Console) revokeAPIKey(r *request) error {
	id, err := idParam(r)
	if err != nil {
		return err
	}
	if _, err := c.d.Identity.RevokeAPIKey(r.ctx, r.org.ID, id); err != nil {
		return err
	}
	return r.back("/api-keys")
}

// webhooks lists the school's webhooks (secrets never, their prefixes
// only), paged, as list-webhooks does.
func (c *Console) webhooks(r *request) error {
	after, err := idCursor(r)
	if err != nil {
		return err
	}
	rows, err := c.d.Integration.ListEndpoints(r.ctx, r.org.ID, pageSize, after)
	if err != nil {
		return err
	}
	rows, next := onePage(rows, func(last integration.Endpoint) string { return httpapi.EncodeCursor(last.ID) })
	type line struct {
		ID, URL, Description, Events, Prefix, Created string
		Active                                        bool
	}
	lines := make([]line, 0, len(rows))
	for _, e := range rows {
		lines = append(lines, line{ID: e.ID, URL: e.URL, Description: e.Description, Events: strings.Join(e.EventTypes, ", "),
			Prefix: e.SecretPrefix, Created: r.L.Time(e.CreatedAt), Active: e.Active})
	}
	return r.render(http.StatusOK, "webhooks", map[string]any{"Webhooks": lines, "Next": next})
}

// deliveries is a webhook's delivery log, newest first, paged, with the
// status filter, as list-webhook-deliveries does.
func (c *Console) deliveries(r *request) error {
	after, err := idCursor(r)
	if err != nil {
		return err
	}
	status := r.QueryParam("status")
	switch status {
	case "", integration.DeliveryPending, integration.DeliverySending, integration.DeliveryDelivered, integration.DeliveryFailed:
	default:
		return badInput("status")
	}
	id, err := idParam(r)
	if err != nil {
		return err
	}
	e, err := c.d.Integration.Endpoint(r.ctx, r.org.ID, id)
	if err != nil {
		return err
	}
	rows, err := c.d.Integration.ListDeliveries(r.ctx, r.org.ID, e.ID, integration.DeliveryFilter{Status: status, Limit: pageSize, AfterID: after})
	if err != nil {
		return err
	}
	rows, next := onePage(rows, func(last integration.Delivery) string { return httpapi.EncodeCursor(last.ID) })
	type line struct {
		ID, EventType, Status, StatusKey, Created, LastAttempt, NextAttempt, Code, Error string
		Attempts                                                                         int
	}
	lines := make([]line, 0, len(rows))
	for _, d := range rows {
		l := line{ID: d.ID, EventType: d.EventType, Status: r.L.Enum("delivery", d.Status), StatusKey: d.Status, Created: r.L.Time(d.CreatedAt),
			LastAttempt: r.L.TimePtr(d.LastAttemptAt), NextAttempt: "—", Code: "—", Error: d.LastError, Attempts: d.Attempts}
		if d.Status == integration.DeliveryPending {
			l.NextAttempt = r.L.Time(d.NextAttemptAt)
		}
		if d.ResponseCode != 0 {
			l.Code = r.L.Int(d.ResponseCode)
		}
		lines = append(lines, l)
	}
	return r.render(http.StatusOK, "deliveries", map[string]any{"URL": e.URL, "WebhookID": e.ID, "Deliveries": lines, "Next": next,
		"Status": status, "Statuses": []string{"pending", "sending", "delivered", "failed"}})
}
