-- KPI-based pay: schemes with immutable versions (the components live in
-- the version as a JSON document, validated by the pay module) and the
-- assignment of a version to a person from a date. Assignments are
-- append-only: a later row from a later date supersedes an earlier one.

CREATE TABLE pay_schemes (
    id          text PRIMARY KEY,
    org_id      text NOT NULL REFERENCES orgs (id),
    name        text NOT NULL,
    created_at  timestamp NOT NULL,
    updated_at  timestamp NOT NULL,
    version     bigint NOT NULL DEFAULT 1,
    UNIQUE (org_id, name)
);

CREATE TABLE pay_scheme_versions (
    id          text PRIMARY KEY,
    org_id      text NOT NULL REFERENCES orgs (id),
    scheme_id   text NOT NULL REFERENCES pay_schemes (id),
    number      integer NOT NULL,
    spec        text NOT NULL,
    note        text NOT NULL DEFAULT '',
    used_at     timestamp,
    created_by  text,
    created_at  timestamp NOT NULL,
    updated_at  timestamp NOT NULL,
    version     bigint NOT NULL DEFAULT 1,
    UNIQUE (scheme_id, number)
);
CREATE INDEX pay_scheme_versions_org_idx ON pay_scheme_versions (org_id, scheme_id);

CREATE TABLE pay_assignments (
    id                 text PRIMARY KEY,
    org_id             text NOT NULL REFERENCES orgs (id),
    user_id            text NOT NULL REFERENCES users (id),
    scheme_version_id  text NOT NULL REFERENCES pay_scheme_versions (id),
    effective_from     text NOT NULL,
    created_by         text,
    created_at         timestamp NOT NULL
);
CREATE INDEX pay_assignments_user_idx ON pay_assignments (org_id, user_id, effective_from);
