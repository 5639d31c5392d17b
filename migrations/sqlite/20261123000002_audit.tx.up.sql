-- The audit log is append-only: rows are inserted in the same transaction as
-- the change they describe and never updated or deleted by the application.
CREATE TABLE audit_entries (
    id           text PRIMARY KEY,
    org_id       text REFERENCES orgs (id),
    occurred_at  timestamp NOT NULL,
    actor_type   text NOT NULL,
    actor_id     text NOT NULL DEFAULT '',
    actor_name   text NOT NULL DEFAULT '',
    action       text NOT NULL,
    entity_type  text NOT NULL,
    entity_id    text NOT NULL,
    changes      text NOT NULL,
    request_id   text NOT NULL DEFAULT '',
    ip           text NOT NULL DEFAULT '',
    user_agent   text NOT NULL DEFAULT ''
);
CREATE INDEX audit_entries_org_idx ON audit_entries (org_id, id);
CREATE INDEX audit_entries_entity_idx ON audit_entries (org_id, entity_type, entity_id, id);
CREATE INDEX audit_entries_actor_idx ON audit_entries (org_id, actor_id, id);
