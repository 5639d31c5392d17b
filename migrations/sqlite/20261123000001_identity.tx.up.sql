CREATE TABLE orgs (
    id          text PRIMARY KEY,
    slug        text NOT NULL UNIQUE,
    name        text NOT NULL,
    time_zone   text NOT NULL,
    currency    text NOT NULL,
    created_at  timestamp NOT NULL,
    updated_at  timestamp NOT NULL,
    version     integer NOT NULL DEFAULT 1
);

CREATE TABLE users (
    id             text PRIMARY KEY,
    email          text NOT NULL,
    email_key      text NOT NULL UNIQUE,
    name           text NOT NULL,
    password_hash  text NOT NULL,
    status         text NOT NULL CHECK (status IN ('active', 'disabled')),
    platform_admin boolean NOT NULL DEFAULT 0,
    created_at     timestamp NOT NULL,
    updated_at     timestamp NOT NULL,
    version        integer NOT NULL DEFAULT 1
);

CREATE TABLE memberships (
    id          text PRIMARY KEY,
    org_id      text NOT NULL REFERENCES orgs (id),
    user_id     text NOT NULL REFERENCES users (id),
    status      text NOT NULL CHECK (status IN ('active', 'disabled')),
    created_at  timestamp NOT NULL,
    updated_at  timestamp NOT NULL,
    version     integer NOT NULL DEFAULT 1,
    UNIQUE (org_id, user_id)
);
CREATE INDEX memberships_user_idx ON memberships (user_id);

CREATE TABLE membership_roles (
    membership_id text NOT NULL REFERENCES memberships (id) ON DELETE CASCADE,
    org_id        text NOT NULL REFERENCES orgs (id),
    role          text NOT NULL,
    created_at    timestamp NOT NULL,
    PRIMARY KEY (membership_id, role)
);
CREATE INDEX membership_roles_org_role_idx ON membership_roles (org_id, role);

CREATE TABLE auth_tokens (
    id            text PRIMARY KEY,
    user_id       text NOT NULL REFERENCES users (id),
    token_hash    text NOT NULL UNIQUE,
    created_at    timestamp NOT NULL,
    expires_at    timestamp NOT NULL,
    revoked_at    timestamp,
    last_used_at  timestamp,
    ip            text NOT NULL DEFAULT '',
    user_agent    text NOT NULL DEFAULT ''
);
CREATE INDEX auth_tokens_user_idx ON auth_tokens (user_id);

CREATE TABLE api_keys (
    id            text PRIMARY KEY,
    org_id        text NOT NULL REFERENCES orgs (id),
    name          text NOT NULL,
    role          text NOT NULL,
    key_prefix    text NOT NULL,
    key_hash      text NOT NULL UNIQUE,
    created_by    text,
    created_at    timestamp NOT NULL,
    expires_at    timestamp,
    revoked_at    timestamp,
    last_used_at  timestamp
);
CREATE INDEX api_keys_org_idx ON api_keys (org_id, id);

CREATE TABLE auth_throttle (
    key               text PRIMARY KEY,
    failures          integer NOT NULL,
    window_started_at timestamp NOT NULL,
    blocked_until     timestamp
);
