-- Refund handling: requests with a reason from the school's catalog, the
-- evidence frozen when they were raised, retention attempts, approvals,
-- the status history, each school's settings and each product's offer
-- terms. The money itself stays in the order ledger (order_refunds).

CREATE TABLE refund_settings (
    org_id            uuid PRIMARY KEY REFERENCES orgs (id),
    decision_hours    integer NOT NULL,
    reasons           jsonb NOT NULL,
    approval_limits   jsonb NOT NULL,
    full_refund_days  integer NOT NULL,
    prorata           text NOT NULL CHECK (prorata IN ('days', 'modules', 'none')),
    costs             jsonb NOT NULL,
    updated_at        timestamptz NOT NULL,
    version           bigint NOT NULL DEFAULT 1
);

CREATE TABLE refund_terms (
    id                uuid PRIMARY KEY,
    org_id            uuid NOT NULL REFERENCES orgs (id),
    product_id        uuid NOT NULL REFERENCES products (id),
    full_refund_days  integer NOT NULL,
    prorata           text NOT NULL CHECK (prorata IN ('days', 'modules', 'none')),
    costs             jsonb NOT NULL,
    created_at        timestamptz NOT NULL,
    updated_at        timestamptz NOT NULL,
    version           bigint NOT NULL DEFAULT 1,
    UNIQUE (org_id, product_id)
);

CREATE TABLE refund_requests (
    id                 uuid PRIMARY KEY,
    org_id             uuid NOT NULL REFERENCES orgs (id),
    order_id           uuid NOT NULL REFERENCES orders (id),
    student_id         uuid NOT NULL REFERENCES students (id),
    enrollment_id      uuid REFERENCES enrollments (id),
    cohort_id          uuid,
    course_id          uuid,
    product_id         uuid,
    curator_id         uuid,
    reason             text NOT NULL,
    comment            text NOT NULL,
    channel            text NOT NULL,
    raised_by_kind     text NOT NULL CHECK (raised_by_kind IN ('student', 'curator', 'head', 'ledger')),
    raised_by          uuid,
    requested_amount   bigint NOT NULL CHECK (requested_amount >= 0),
    approved_amount    bigint,
    refunded_amount    bigint,
    currency           text NOT NULL,
    status             text NOT NULL CHECK (status IN ('requested', 'in_review', 'approved', 'rejected', 'retained', 'processing', 'refunded', 'failed')),
    approvals_needed   integer NOT NULL DEFAULT 1,
    flagged            boolean NOT NULL DEFAULT false,
    stop_instalments   boolean NOT NULL DEFAULT false,
    due_at             timestamptz NOT NULL,
    escalated_at       timestamptz,
    decided_at         timestamptz,
    decided_by         uuid,
    decision_note      text NOT NULL DEFAULT '',
    executed_by        uuid,
    order_refund_id    uuid,
    refunded_at        timestamptz,
    failure_reason     text NOT NULL DEFAULT '',
    source             text,
    external_id        text,
    idempotency_key    text,
    request_hash       text,
    execution_key      text,
    execution_hash     text,
    requested_at       timestamptz NOT NULL,
    created_at         timestamptz NOT NULL,
    updated_at         timestamptz NOT NULL,
    version            bigint NOT NULL DEFAULT 1,
    UNIQUE (org_id, idempotency_key),
    UNIQUE (org_id, execution_key),
    UNIQUE (org_id, source, external_id)
);
CREATE INDEX refund_requests_org_idx ON refund_requests (org_id, id);
CREATE INDEX refund_requests_order_idx ON refund_requests (org_id, order_id);
CREATE INDEX refund_requests_student_idx ON refund_requests (org_id, student_id);
CREATE INDEX refund_requests_due_idx ON refund_requests (due_at) WHERE escalated_at IS NULL AND status IN ('requested', 'in_review');

-- Evidence, history, approvals and retention attempts are inserted, never
-- changed (the triggers refuse it even to code that forgets).
CREATE FUNCTION refunds_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'refunds: % rows are append-only (%)', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'restrict_violation';
END;
$$;
CREATE TABLE refund_evidence (
    request_id    uuid PRIMARY KEY REFERENCES refund_requests (id),
    org_id        uuid NOT NULL REFERENCES orgs (id),
    body          jsonb NOT NULL,
    assembled_at  timestamptz NOT NULL
);
CREATE TRIGGER refund_evidence_append_only BEFORE UPDATE OR DELETE ON refund_evidence
    FOR EACH ROW EXECUTE FUNCTION refunds_refuse_change();

CREATE TABLE refund_history (
    id           uuid PRIMARY KEY,
    org_id       uuid NOT NULL REFERENCES orgs (id),
    request_id   uuid NOT NULL REFERENCES refund_requests (id),
    from_status  text,
    to_status    text NOT NULL,
    actor_id     uuid,
    amount       bigint,
    note         text NOT NULL,
    at           timestamptz NOT NULL
);
CREATE INDEX refund_history_request_idx ON refund_history (org_id, request_id, id);
CREATE TRIGGER refund_history_append_only BEFORE UPDATE OR DELETE ON refund_history
    FOR EACH ROW EXECUTE FUNCTION refunds_refuse_change();

CREATE TABLE refund_approvals (
    id           uuid PRIMARY KEY,
    org_id       uuid NOT NULL REFERENCES orgs (id),
    request_id   uuid NOT NULL REFERENCES refund_requests (id),
    approver_id  uuid NOT NULL,
    amount       bigint NOT NULL,
    limit_amount bigint NOT NULL,
    note         text NOT NULL,
    at           timestamptz NOT NULL,
    UNIQUE (request_id, approver_id)
);
CREATE TRIGGER refund_approvals_append_only BEFORE UPDATE OR DELETE ON refund_approvals
    FOR EACH ROW EXECUTE FUNCTION refunds_refuse_change();

CREATE TABLE refund_retention_attempts (
    id          uuid PRIMARY KEY,
    org_id      uuid NOT NULL REFERENCES orgs (id),
    request_id  uuid NOT NULL REFERENCES refund_requests (id),
    by_id       uuid NOT NULL,
    offer       text NOT NULL CHECK (offer IN ('pause', 'transfer', 'consultation', 'partial_refund', 'nothing')),
    outcome     text NOT NULL CHECK (outcome IN ('kept', 'refund_continues')),
    note        text NOT NULL,
    at          timestamptz NOT NULL
);
CREATE INDEX refund_retention_attempts_request_idx ON refund_retention_attempts (org_id, request_id);
CREATE TRIGGER refund_retention_attempts_append_only BEFORE UPDATE OR DELETE ON refund_retention_attempts
    FOR EACH ROW EXECUTE FUNCTION refunds_refuse_change();
