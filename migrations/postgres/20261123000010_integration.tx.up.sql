-- The LMS integration: per-school settings (the inbound signing secret), the
-- inbox of every event received, and the outbox of events leaving for the
-- school's webhooks with one delivery row per endpoint.
--
-- Secrets are stored in the clear: an HMAC cannot be computed or checked
-- from a hash. The API shows each once and never again.

CREATE TABLE integration_settings (
    org_id                 uuid PRIMARY KEY REFERENCES orgs (id),
    signing_secret         text NOT NULL DEFAULT '',
    signing_secret_prefix  text NOT NULL DEFAULT '',
    signing_secret_set_at  timestamptz,
    updated_at             timestamptz NOT NULL,
    version                bigint NOT NULL DEFAULT 1
);

-- One row per (school, event id): the unique key is what makes resending an
-- event change nothing. The primary key (org_id, id) also serves the
-- school's listing, newest first, so that an event costs two index
-- entries, not three.
CREATE TABLE integration_inbox (
    id           uuid NOT NULL,
    org_id       uuid NOT NULL REFERENCES orgs (id),
    event_id     text NOT NULL,
    type         text NOT NULL,
    occurred_at  timestamptz NOT NULL,
    received_at  timestamptz NOT NULL,
    data         jsonb NOT NULL,
    status       text NOT NULL CHECK (status IN ('applied', 'rejected', 'pending_handler', 'failed')),
    attempts     integer NOT NULL DEFAULT 0,
    last_error   text NOT NULL DEFAULT '',
    applied_at   timestamptz,
    PRIMARY KEY (org_id, id),
    UNIQUE (org_id, event_id)
);

-- Replay looks for the few events still waiting among many applied ones;
-- a partial index keeps the common insert (applied) from touching it.
CREATE INDEX integration_inbox_waiting_idx ON integration_inbox (org_id, type, id) WHERE status IN ('pending_handler', 'failed');

CREATE TABLE webhook_endpoints (
    id             uuid PRIMARY KEY,
    org_id         uuid NOT NULL REFERENCES orgs (id),
    url            text NOT NULL,
    description    text NOT NULL DEFAULT '',
    event_types    jsonb NOT NULL,
    secret         text NOT NULL,
    secret_prefix  text NOT NULL,
    active         boolean NOT NULL,
    created_at     timestamptz NOT NULL,
    updated_at     timestamptz NOT NULL,
    version        bigint NOT NULL DEFAULT 1,
    UNIQUE (org_id, url)
);
CREATE INDEX webhook_endpoints_org_idx ON webhook_endpoints (org_id, id);

CREATE TABLE outbox_events (
    id           uuid PRIMARY KEY,
    org_id       uuid NOT NULL REFERENCES orgs (id),
    type         text NOT NULL,
    occurred_at  timestamptz NOT NULL,
    payload      jsonb NOT NULL
);
CREATE INDEX outbox_events_org_idx ON outbox_events (org_id, id);

-- While a worker sends a delivery, next_attempt_at is the end of its lease.
CREATE TABLE webhook_deliveries (
    id               uuid PRIMARY KEY,
    org_id           uuid NOT NULL REFERENCES orgs (id),
    endpoint_id      uuid NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
    event_id         uuid NOT NULL REFERENCES outbox_events (id),
    event_type       text NOT NULL,
    status           text NOT NULL CHECK (status IN ('pending', 'sending', 'delivered', 'failed')),
    attempts         integer NOT NULL DEFAULT 0,
    next_attempt_at  timestamptz NOT NULL,
    lease_token      text NOT NULL DEFAULT '',
    last_attempt_at  timestamptz,
    response_code    integer NOT NULL DEFAULT 0,
    last_error       text NOT NULL DEFAULT '',
    delivered_at     timestamptz,
    created_at       timestamptz NOT NULL,
    updated_at       timestamptz NOT NULL
);
CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (status, next_attempt_at);
CREATE INDEX webhook_deliveries_endpoint_idx ON webhook_deliveries (org_id, endpoint_id, id);
