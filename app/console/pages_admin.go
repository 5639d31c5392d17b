package console

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/curatorops/curatorops/modules/identity"
	"github.com/curatorops/curatorops/modules/integration"
	"github.com/curatorops/curatorops/modules/platform/authz"
	"github.com/curatorops/curatorops/modules/platform/errs"
	"github.com/curatorops/curatorops/modules/platform/httpapi"
	"github.com/curatorops/curatorops/modules/platform/ids"
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
// only), paged, as list-webhooks does, with the form of create-webhook to
// those who hold webhooks:create.
func (c *Console) webhooks(r *request) error {
	return c.renderWebhooks(r, http.StatusOK, map[string]any{})
}

func (c *Console) renderWebhooks(r *request, status int, data map[string]any) error {
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
	data["Webhooks"], data["Next"], data["CanCreate"] = lines, next, r.allowed("webhooks", "create")
	for _, k := range []string{"Field", "Error", "NewSecret", "NewURL", "NewID"} {
		if _, ok := data[k]; !ok {
			data[k] = ""
		}
	}
	if _, ok := data["Form"]; !ok {
		data["Form"] = map[string]string{"event_types": "*", "active": "1"}
	}
	return r.render(status, "webhooks", data)
}

// webhookForm is a webhook form as typed, checked as the API's schema
// checks the body: an http(s) URL of up to 2,000 characters, a description
// of up to 500, 1 to 50 event types (separated by commas or spaces).
type webhookForm struct {
	typed       map[string]string
	url, descr  string
	eventTypes  []string
	active      bool
	invalidName string
}

func readWebhookForm(r *request) (*webhookForm, error) {
	if err := r.Request().ParseForm(); err != nil {
		return nil, badInput("form")
	}
	f := r.Request().PostForm
	w := &webhookForm{typed: map[string]string{}}
	for _, k := range []string{"url", "description", "event_types", "active"} {
		w.typed[k] = f.Get(k)
	}
	w.url, w.descr, w.active = strings.TrimSpace(w.typed["url"]), w.typed["description"], w.typed["active"] == "1"
	w.eventTypes = strings.FieldsFunc(w.typed["event_types"], func(r rune) bool { return r == ',' || unicode.IsSpace(r) })
	lower := strings.ToLower(w.url)
	switch {
	case w.url == "" || utf8.RuneCountInString(w.url) > 2000 || !(strings.HasPrefix(lower, "http://") || strings.HasPrefix(lower, "https://")):
		w.invalidName = "url"
	case utf8.RuneCountInString(w.descr) > 500 || strings.IndexFunc(w.descr, unicode.IsControl) >= 0:
		w.invalidName = "description"
	case len(w.eventTypes) == 0 || len(w.eventTypes) > 50:
		w.invalidName = "event_types"
	}
	return w, nil
}

// webhookField names the field of a refused webhook form: an event type's
// index is dropped, the form has one field for them all.
func webhookField(field string) string {
	if strings.HasPrefix(field, "event_types") {
		return "event_types"
	}
	return field
}

// createWebhook registers a webhook as create-webhook does and shows its
// secret once, on the answer to the form.
func (c *Console) createWebhook(r *request) error {
	w, err := readWebhookForm(r)
	if err != nil {
		return err
	}
	again := func(field string) error {
		return c.renderWebhooks(r, http.StatusUnprocessableEntity, map[string]any{"Form": w.typed, "Field": field, "Error": "error.invalid"})
	}
	if w.invalidName != "" {
		return again(w.invalidName)
	}
	e, secret, err := c.d.Integration.CreateEndpoint(r.ctx, r.org.ID, integration.EndpointSpec{URL: w.url, Description: w.descr,
		EventTypes: w.eventTypes, Active: w.active})
	if field := invalidField(err); field != "" {
		return again(webhookField(field))
	}
	if err != nil {
		return err
	}
	return c.renderWebhooks(r, http.StatusCreated, map[string]any{"NewSecret": secret, "NewURL": e.URL, "NewID": e.ID})
}

// deliveries is a webhook with its delivery log, newest first, paged, with
// the status filter, as get-webhook and list-webhook-deliveries give it;
// the forms of update-webhook, rotate-webhook-secret, delete-webhook and
// redeliver-webhook-delivery to the roles that hold their permissions.
func (c *Console) deliveries(r *request) error {
	return c.renderWebhook(r, http.StatusOK, map[string]any{})
}

func (c *Console) renderWebhook(r *request, status int, data map[string]any) error {
	after, err := idCursor(r)
	if err != nil {
		return err
	}
	filter := r.QueryParam("status")
	switch filter {
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
	rows, err := c.d.Integration.ListDeliveries(r.ctx, r.org.ID, e.ID, integration.DeliveryFilter{Status: filter, Limit: pageSize, AfterID: after})
	if err != nil {
		return err
	}
	rows, next := onePage(rows, func(last integration.Delivery) string { return httpapi.EncodeCursor(last.ID) })
	type line struct {
		ID, EventType, Status, StatusKey, Created, LastAttempt, NextAttempt, Code, Error string
		Attempts                                                                         int
		Redeliverable                                                                    bool
	}
	lines := make([]line, 0, len(rows))
	for _, d := range rows {
		l := line{ID: d.ID, EventType: d.EventType, Status: r.L.Enum("delivery", d.Status), StatusKey: d.Status, Created: r.L.Time(d.CreatedAt),
			LastAttempt: r.L.TimePtr(d.LastAttemptAt), NextAttempt: "—", Code: "—", Error: d.LastError, Attempts: d.Attempts,
			Redeliverable: d.Status == integration.DeliveryDelivered || d.Status == integration.DeliveryFailed}
		if d.Status == integration.DeliveryPending {
			l.NextAttempt = r.L.Time(d.NextAttemptAt)
		}
		if d.ResponseCode != 0 {
			l.Code = r.L.Int(d.ResponseCode)
		}
		lines = append(lines, l)
	}
	data["URL"], data["WebhookID"], data["Deliveries"], data["Next"] = e.URL, e.ID, lines, next
	data["Status"], data["Statuses"] = filter, []string{"pending", "sending", "delivered", "failed"}
	data["Description"], data["Events"], data["Active"], data["Prefix"] = e.Description, strings.Join(e.EventTypes, ", "), e.Active, e.SecretPrefix
	data["Version"], data["Updated"] = e.Version, r.L.Time(e.UpdatedAt)
	data["CanUpdate"], data["CanDelete"], data["CanRedeliver"] = r.allowed("webhooks", "update"), r.allowed("webhooks", "delete"), r.allowed("webhooks", "redeliver")
	if _, ok := data["Form"]; !ok {
		active := ""
		if e.Active {
			active = "1"
		}
		data["Form"] = map[string]string{"url": e.URL, "description": e.Description, "event_types": strings.Join(e.EventTypes, ", "), "active": active}
	}
	for _, k := range []string{"Field", "Error", "NewSecret", "Done"} {
		if _, ok := data[k]; !ok {
			data[k] = ""
		}
	}
	if data["Done"] == "" {
		if done := r.QueryParam("done"); done == "updated" || done == "redelivered" {
			data["Done"] = done
		}
	}
	return r.render(status, "deliveries", data)
}

// updateWebhook changes a webhook as update-webhook does: the form's
// version is the If-Match (412 when the webhook changed meanwhile).
func (c *Console) updateWebhook(r *request) error {
	id, err := idParam(r)
	if err != nil {
		return err
	}
	w, err := readWebhookForm(r)
	if err != nil {
		return err
	}
	again := func(field string) error {
		return c.renderWebhook(r, http.StatusUnprocessableEntity, map[string]any{"Form": w.typed, "Field": field, "Error": "error.invalid"})
	}
	v, err := r.version()
	if err != nil {
		return err
	}
	if w.invalidName != "" {
		return again(w.invalidName)
	}
	_, err = c.d.Integration.UpdateEndpoint(r.ctx, r.org.ID, id, v, integration.EndpointChanges{URL: &w.url, Description: &w.descr,
		EventTypes: w.eventTypes, Active: &w.active})
	if field := invalidField(err); field != "" {
		return again(webhookField(field))
	}
	if err != nil {
		return err
	}
	return r.back("/webhooks/" + id + "?done=updated")
}

// setWebhookActive switches a webhook off (or on again) as update-webhook
// with only active does: a disabled webhook gets no new deliveries and its
// queued ones wait.
func (c *Console) setWebhookActive(r *request) error {
	id, v, err := idAndVersion(r)
	if err != nil {
		return err
	}
	var active bool
	switch r.FormValue("active") {
	case "1":
		active = true
	case "0":
	default:
		return badInput("active")
	}
	if _, err := c.d.Integration.UpdateEndpoint(r.ctx, r.org.ID, id, v, integration.EndpointChanges{Active: &active}); err != nil {
		return err
	}
	return r.back("/webhooks/" + id + "?done=updated")
}

// rotateWebhookSecret gives a webhook a new secret as
// rotate-webhook-secret does, shown once on the answer to the form.
func (c *Console) rotateWebhookSecret(r *request) error {
	id, err := idParam(r)
	if err != nil {
		return err
	}
	_, secret, err := c.d.Integration.RotateEndpointSecret(r.ctx, r.org.ID, id)
	if err != nil {
		return err
	}
	return c.renderWebhook(r, http.StatusOK, map[string]any{"NewSecret": secret})
}

// deleteWebhook removes a webhook with its delivery log, as delete-webhook
// does (audited).
func (c *Console) deleteWebhook(r *request) error {
	id, err := idParam(r)
	if err != nil {
		return err
	}
	if err := c.d.Integration.DeleteEndpoint(r.ctx, r.org.ID, id); err != nil {
		return err
	}
	return r.back("/webhooks")
}

// redeliver queues a delivered or failed delivery again, as
// redeliver-webhook-delivery does (409 while it is on its way).
func (c *Console) redeliver(r *request) error {
	id, err := idParam(r)
	if err != nil {
		return err
	}
	d, err := c.d.Integration.Redeliver(r.ctx, r.org.ID, id)
	if err != nil {
		return err
	}
	return r.back("/webhooks/" + d.EndpointID + "?done=redelivered")
}

// --- administration: people and their roles --------------------------------------

// people lists the school's members, paged, by role, as list-users does;
// to the roles that hold them, each row carries the forms of grant-role,
// revoke-role and update-user (enable, disable) with the membership's
// version, the console's If-Match.
func (c *Console) people(r *request) error {
	return c.renderPeople(r, http.StatusOK, "", "")
}

// renderPeople shows the page; a refused change comes back on it with the
// service's status and words (409 for the last admin or a member's only
// role, 412 for a stale version, 422 for a bad role).
func (c *Console) renderPeople(r *request, status int, errKey, detail string) error {
	after, err := idQuery(r, "after")
	if err != nil {
		return err
	}
	role := r.QueryParam("role")
	if r.Request().Method == http.MethodPost {
		// A refused form shows the page it was sent from again.
		after, role = r.FormValue("after"), r.FormValue("filter_role")
		if !ids.Valid(after) {
			after = ""
		}
		if !authz.IsRole(role) {
			role = ""
		}
	}
	if role != "" && !authz.IsRole(role) {
		return badInput("role")
	}
	rows, err := c.d.Identity.ListMembers(r.ctx, r.org.ID, identity.MemberFilter{Limit: pageSize, AfterID: after, Role: role})
	if err != nil {
		return err
	}
	rows, next := onePage(rows, func(last identity.Member) string { return last.ID })
	type line struct {
		UserID, Name, Email, Status, StatusKey, Roles string
		Version                                       int64
		Held, Grantable                               []string
	}
	lines := make([]line, 0, len(rows))
	for _, m := range rows {
		roles := make([]string, len(m.Roles))
		for i, role := range m.Roles {
			roles[i] = r.L.Enum("role", role)
		}
		l := line{UserID: m.UserID, Name: m.Name, Email: m.Email, Status: r.L.Enum("status", m.Status), StatusKey: m.Status,
			Roles: strings.Join(roles, ", "), Version: m.Version}
		for _, role := range authz.Roles {
			if slices.Contains(m.Roles, role) {
				l.Held = append(l.Held, role)
			} else {
				l.Grantable = append(l.Grantable, role)
			}
		}
		lines = append(lines, l)
	}
	done := r.QueryParam("done")
	if done != "granted" && done != "revoked" && done != "status" {
		done = ""
	}
	return r.render(status, "people", map[string]any{"People": lines, "Next": next, "Role": role, "After": after,
		"CanGrant": r.allowed("roles", "grant"), "CanRevoke": r.allowed("roles", "revoke"), "CanUpdate": r.allowed("users", "update"),
		"Error": errKey, "Detail": detail, "Done": done})
}

// peopleDone answers a people form: back to the page and filter it was
// sent from, or, when the service refused, that page with its status and
// words.
func (c *Console) peopleDone(r *request, done string, err error) error {
	if err != nil {
		status, key := statusOf(err)
		switch status {
		case http.StatusConflict, http.StatusPreconditionFailed, http.StatusUnprocessableEntity:
			return c.renderPeople(r, status, key, errs.Message(err))
		}
		return err
	}
	q := url.Values{"done": {done}}
	if role := r.FormValue("filter_role"); authz.IsRole(role) {
		q.Set("role", role)
	}
	if after := r.FormValue("after"); ids.Valid(after) {
		q.Set("after", after)
	}
	return r.back("/people?" + q.Encode())
}

// formRole is the role a form names, checked as the API's enum checks it.
func formRole(r *request) (string, error) {
	role := r.FormValue("role")
	if !authz.IsRole(role) {
		return "", badInput("role")
	}
	return role, nil
}

// grantRole gives a person a role, as grant-role does (audited; a role
// already held changes nothing).
func (c *Console) grantRole(r *request) error {
	return c.changeRole(r, "granted", c.d.Identity.GrantRole)
}

// revokeRole takes a role from a person, as revoke-role does: she keeps at
// least one role and the school an active admin (409 otherwise).
func (c *Console) revokeRole(r *request) error {
	return c.changeRole(r, "revoked", c.d.Identity.RevokeRole)
}

// changeRole reads a role form and applies change with the form's version.
func (c *Console) changeRole(r *request, done string,
	change func(ctx context.Context, orgID, userID string, version int64, role string) (*identity.Member, error)) error {
	id, v, err := idAndVersion(r) // her user id; her membership's version
	if err != nil {
		return err
	}
	role, err := formRole(r)
	if err != nil {
		return err
	}
	_, err = change(r.ctx, r.org.ID, id, v, role)
	return c.peopleDone(r, done, err)
}

// setMemberStatus disables a person's access to the school, or enables it
// again, as update-user does; the last active admin stays (409).
func (c *Console) setMemberStatus(r *request) error {
	id, v, err := idAndVersion(r) // her user id; her membership's version
	if err != nil {
		return err
	}
	status := r.FormValue("status")
	if status != identity.StatusActive && status != identity.StatusDisabled {
		return badInput("status")
	}
	_, err = c.d.Identity.SetMemberStatus(r.ctx, r.org.ID, id, v, status)
	return c.peopleDone(r, "status", err)
}
