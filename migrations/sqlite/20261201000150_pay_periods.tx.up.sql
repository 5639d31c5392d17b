-- Pay periods: a calendar month of the school, its state, and each
-- calculation's statements and lines with the rows every line comes from.
-- A calculation is never overwritten: a recalculation writes the next
-- number beside it, so the difference can be shown and nothing is edited
-- in place. Transitions, disputes and exports are append-only records.

CREATE TABLE pay_periods (
    id             text PRIMARY KEY,
    org_id         text NOT NULL REFERENCES orgs (id),
    month          text NOT NULL,
    status         text NOT NULL CHECK (status IN ('open', 'calculated', 'in_review', 'head_approved', 'finance_approved', 'locked', 'exported', 'paid')),
    calculation    integer NOT NULL DEFAULT 0,
    calculated_at  timestamp,
    created_at     timestamp NOT NULL,
    updated_at     timestamp NOT NULL,
    version        bigint NOT NULL DEFAULT 1,
    UNIQUE (org_id, month)
);

CREATE TABLE pay_period_transitions (
    id          text PRIMARY KEY,
    org_id      text NOT NULL REFERENCES orgs (id),
    period_id   text NOT NULL REFERENCES pay_periods (id),
    action      text NOT NULL,
    from_status text NOT NULL,
    to_status   text NOT NULL,
    calculation integer NOT NULL,
    reason      text NOT NULL DEFAULT '',
    actor_id    text,
    created_at  timestamp NOT NULL
);
CREATE INDEX pay_period_transitions_period_idx ON pay_period_transitions (org_id, period_id, created_at);

CREATE TABLE pay_statements (
    id           text PRIMARY KEY,
    org_id       text NOT NULL REFERENCES orgs (id),
    period_id    text NOT NULL REFERENCES pay_periods (id),
    calculation  integer NOT NULL,
    user_id      text NOT NULL,
    total        bigint NOT NULL,
    created_at   timestamp NOT NULL,
    UNIQUE (period_id, calculation, user_id)
);
CREATE INDEX pay_statements_user_idx ON pay_statements (org_id, user_id, period_id);

CREATE TABLE pay_lines (
    id                 text PRIMARY KEY,
    org_id             text NOT NULL REFERENCES orgs (id),
    statement_id       text NOT NULL REFERENCES pay_statements (id),
    position           integer NOT NULL,
    line_key           text NOT NULL,
    component          text NOT NULL,
    kind               text NOT NULL,
    title              text NOT NULL,
    scheme_version_id  text,
    stretch_from       text NOT NULL DEFAULT '',
    stretch_to         text NOT NULL DEFAULT '',
    quantity           bigint NOT NULL DEFAULT 0,
    rate               text NOT NULL DEFAULT '',
    base               bigint NOT NULL DEFAULT 0,
    metric             text NOT NULL DEFAULT '',
    value              text NOT NULL DEFAULT '',
    numerator          text NOT NULL DEFAULT '',
    denominator        text NOT NULL DEFAULT '',
    sample             integer NOT NULL DEFAULT 0,
    below_min          boolean NOT NULL DEFAULT FALSE,
    tier               integer NOT NULL DEFAULT 0,
    next_tier          integer NOT NULL DEFAULT 0,
    next_needs         text NOT NULL DEFAULT '',
    share              text NOT NULL DEFAULT '',
    exact              text NOT NULL,
    amount             bigint NOT NULL,
    rounding           text NOT NULL DEFAULT '0',
    limited            text NOT NULL DEFAULT '',
    detail             text NOT NULL DEFAULT '',
    correction_of      text,
    UNIQUE (statement_id, position)
);

-- The rows a line is calculated from: reviews, clocks, answers, checks,
-- cases, enrollments, orders. Rows that count the same (counted: the
-- row's part of the quantity, numerator or base; weight: its part of the
-- denominator, or the rate it was paid at) are kept together, their ids
-- space-separated: a month of a million reviews is a few thousand rows.
CREATE TABLE pay_line_sources (
    org_id      text NOT NULL REFERENCES orgs (id),
    line_id     text NOT NULL REFERENCES pay_lines (id),
    kind        text NOT NULL,
    counted     text NOT NULL,
    weight      text NOT NULL,
    row_count   integer NOT NULL,
    source_ids  text NOT NULL
);
CREATE INDEX pay_line_sources_line_idx ON pay_line_sources (line_id);

CREATE TABLE pay_disputes (
    id            text PRIMARY KEY,
    org_id        text NOT NULL REFERENCES orgs (id),
    period_id     text NOT NULL REFERENCES pay_periods (id),
    line_id       text NOT NULL REFERENCES pay_lines (id),
    user_id       text NOT NULL,
    comment       text NOT NULL,
    status        text NOT NULL CHECK (status IN ('open', 'resolved')),
    resolution    text NOT NULL DEFAULT '',
    resolved_by   text,
    resolved_at   timestamp,
    created_at    timestamp NOT NULL,
    updated_at    timestamp NOT NULL,
    version       bigint NOT NULL DEFAULT 1
);
CREATE INDEX pay_disputes_period_idx ON pay_disputes (org_id, period_id, status);

CREATE TABLE pay_exports (
    id           text PRIMARY KEY,
    org_id       text NOT NULL REFERENCES orgs (id),
    period_id    text NOT NULL REFERENCES pay_periods (id),
    calculation  integer NOT NULL,
    format       text NOT NULL,
    checksum     text NOT NULL,
    bytes        bigint NOT NULL,
    lines        integer NOT NULL,
    total        bigint NOT NULL,
    created_by   text,
    created_at   timestamp NOT NULL,
    UNIQUE (period_id, calculation, format)
);
