-- Response-time SLA: conversations and messages, versioned policies,
-- response clocks and the per-school settings of the warning loop.

CREATE TABLE sla_settings (
    org_id          uuid PRIMARY KEY REFERENCES orgs (id),
    quiet_start     text NOT NULL DEFAULT '',
    quiet_end       text NOT NULL DEFAULT '',
    no_reply_phrases text NOT NULL DEFAULT '',
    updated_at      timestamptz NOT NULL,
    version         bigint NOT NULL DEFAULT 1
);

CREATE TABLE sla_conversations (
    id                  uuid PRIMARY KEY,
    org_id              uuid NOT NULL REFERENCES orgs (id),
    external_id         text,
    channel             text NOT NULL CHECK (channel IN ('telegram', 'lms_comment', 'email', 'other')),
    student_id          text NOT NULL,
    cohort_id           text,
    created_at          timestamptz NOT NULL,
    last_message_at     timestamptz,
    clock_count         integer NOT NULL DEFAULT 0,
    UNIQUE (org_id, external_id)
);
CREATE INDEX sla_conversations_org_idx ON sla_conversations (org_id, id);
CREATE INDEX sla_conversations_student_idx ON sla_conversations (org_id, student_id);

CREATE TABLE sla_messages (
    id                  uuid PRIMARY KEY,
    org_id              uuid NOT NULL REFERENCES orgs (id),
    conversation_id     uuid NOT NULL REFERENCES sla_conversations (id),
    external_id         text,
    direction           text NOT NULL CHECK (direction IN ('student', 'staff')),
    author_kind         text NOT NULL CHECK (author_kind IN ('student', 'staff', 'bot')),
    author_user_id      text,
    author_email        text NOT NULL DEFAULT '',
    kind                text NOT NULL CHECK (kind IN ('text', 'sticker', 'reaction', 'system')),
    text                text NOT NULL DEFAULT '',
    sent_at             timestamptz NOT NULL,
    effect              text NOT NULL,
    clock_id            uuid,
    created_at          timestamptz NOT NULL,
    UNIQUE (org_id, external_id)
);
CREATE INDEX sla_messages_conversation_idx ON sla_messages (org_id, conversation_id, sent_at, id);

CREATE TABLE sla_policies (
    id                  uuid PRIMARY KEY,
    org_id              uuid NOT NULL REFERENCES orgs (id),
    name                text NOT NULL,
    active_version_id   uuid,
    active_number       integer NOT NULL DEFAULT 0,
    archived            boolean NOT NULL DEFAULT false,
    created_at          timestamptz NOT NULL,
    updated_at          timestamptz NOT NULL,
    version             bigint NOT NULL DEFAULT 1,
    UNIQUE (org_id, name)
);

CREATE TABLE sla_policy_versions (
    id                      uuid PRIMARY KEY,
    org_id                  uuid NOT NULL REFERENCES orgs (id),
    policy_id               uuid NOT NULL REFERENCES sla_policies (id),
    number                  integer NOT NULL,
    status                  text NOT NULL CHECK (status IN ('draft', 'active', 'superseded')),
    priority                integer NOT NULL,
    course_id               text,
    cohort_id               text,
    tariff                  text,
    channel                 text,
    first_response_minutes  integer NOT NULL,
    next_response_minutes   integer NOT NULL,
    calendar_id             text NOT NULL DEFAULT '',
    always_open             boolean NOT NULL DEFAULT false,
    warning_percent         integer NOT NULL,
    created_by              text NOT NULL DEFAULT '',
    created_at              timestamptz NOT NULL,
    activated_at            timestamptz,
    UNIQUE (policy_id, number)
);
CREATE INDEX sla_policy_versions_org_idx ON sla_policy_versions (org_id, status);

CREATE TABLE sla_clocks (
    id                      uuid PRIMARY KEY,
    org_id                  uuid NOT NULL REFERENCES orgs (id),
    conversation_id         uuid NOT NULL REFERENCES sla_conversations (id),
    student_id              text NOT NULL,
    cohort_id               text NOT NULL DEFAULT '',
    course_id               text NOT NULL DEFAULT '',
    tariff                  text NOT NULL DEFAULT '',
    channel                 text NOT NULL,
    kind                    text NOT NULL CHECK (kind IN ('first', 'next')),
    status                  text NOT NULL CHECK (status IN ('open', 'answered', 'dismissed')),
    started_at              timestamptz NOT NULL,
    local_day               text NOT NULL,
    message_count           integer NOT NULL DEFAULT 1,
    last_student_message_at timestamptz NOT NULL,
    due_at                  timestamptz NOT NULL,
    warn_at                 timestamptz NOT NULL,
    warned_at               timestamptz,
    breach_notified_at      timestamptz,
    stopped_at              timestamptz,
    stopped_by_message_id   uuid,
    responder_id            text,
    dismiss_reason          text NOT NULL DEFAULT '',
    business_seconds        bigint,
    breached                boolean NOT NULL DEFAULT false,
    target_seconds          bigint NOT NULL,
    policy_id               text NOT NULL DEFAULT '',
    policy_version_id       text NOT NULL DEFAULT '',
    policy_version_number   integer NOT NULL DEFAULT 0,
    calendar_id             text NOT NULL DEFAULT '',
    always_open             boolean NOT NULL DEFAULT false,
    curator_id              text NOT NULL DEFAULT '',
    created_at              timestamptz NOT NULL,
    updated_at              timestamptz NOT NULL,
    version                 bigint NOT NULL DEFAULT 1
);
-- Reports read a date range of one school.
CREATE INDEX sla_clocks_started_idx ON sla_clocks (org_id, started_at);
-- Live views and the warning loop read open clocks by due time.
CREATE INDEX sla_clocks_open_due_idx ON sla_clocks (org_id, due_at, id) WHERE status = 'open';
CREATE INDEX sla_clocks_open_curator_idx ON sla_clocks (org_id, curator_id, due_at, id) WHERE status = 'open';
CREATE INDEX sla_clocks_warn_idx ON sla_clocks (warn_at) WHERE status = 'open' AND warned_at IS NULL;
CREATE INDEX sla_clocks_breach_idx ON sla_clocks (due_at) WHERE status = 'open' AND breach_notified_at IS NULL;
CREATE INDEX sla_clocks_conversation_idx ON sla_clocks (conversation_id, status);
