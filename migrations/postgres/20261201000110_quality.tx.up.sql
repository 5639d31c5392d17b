-- Conversation quality control: versioned scorecards, daily samples of
-- answered conversations handed to reviewers, append-only reviews with the
-- curator's acknowledgment or dispute and the head's settlement, and
-- calibration rounds. Evidence tables refuse UPDATE and DELETE (triggers),
-- so that a correction is always a new row.

CREATE TABLE quality_settings (
    org_id                    uuid PRIMARY KEY REFERENCES orgs (id),
    reviews_per_week          integer NOT NULL CHECK (reviews_per_week BETWEEN 0 AND 100),
    newcomer_reviews_per_week integer NOT NULL CHECK (newcomer_reviews_per_week BETWEEN 0 AND 100),
    default_scorecard_id      uuid,
    updated_at                timestamptz NOT NULL,
    version                   bigint NOT NULL DEFAULT 1
);

CREATE TABLE quality_scorecards (
    id                uuid PRIMARY KEY,
    org_id            uuid NOT NULL REFERENCES orgs (id),
    name              text NOT NULL,
    active_version_id uuid,
    active_number     integer NOT NULL,
    created_at        timestamptz NOT NULL,
    updated_at        timestamptz NOT NULL,
    version           bigint NOT NULL DEFAULT 1,
    UNIQUE (org_id, name)
);

-- A version's criteria never change once written; only its status moves
-- from draft to active to superseded.
CREATE TABLE quality_scorecard_versions (
    id            uuid PRIMARY KEY,
    org_id        uuid NOT NULL REFERENCES orgs (id),
    scorecard_id  uuid NOT NULL REFERENCES quality_scorecards (id),
    number        integer NOT NULL,
    status        text NOT NULL CHECK (status IN ('draft', 'active', 'superseded')),
    criteria      text NOT NULL,
    created_by    uuid NOT NULL,
    created_at    timestamptz NOT NULL,
    activated_at  timestamptz,
    UNIQUE (scorecard_id, number)
);
CREATE INDEX quality_scorecard_versions_org_idx ON quality_scorecard_versions (org_id, scorecard_id);

-- One sampling run per school and local day; the seed makes it
-- reproducible.
CREATE TABLE quality_sample_runs (
    id          uuid PRIMARY KEY,
    org_id      uuid NOT NULL REFERENCES orgs (id),
    day         text NOT NULL,
    seed        bigint NOT NULL,
    candidates  integer NOT NULL,
    sampled     integer NOT NULL,
    unassigned  integer NOT NULL,
    created_by  uuid NOT NULL,
    created_at  timestamptz NOT NULL,
    UNIQUE (org_id, day)
);

CREATE TABLE quality_calibrations (
    id                   uuid PRIMARY KEY,
    org_id               uuid NOT NULL REFERENCES orgs (id),
    conversation_id      uuid NOT NULL REFERENCES sla_conversations (id),
    curator_id           uuid NOT NULL,
    day                  text NOT NULL,
    answered_at          timestamptz NOT NULL,
    scorecard_id         uuid NOT NULL REFERENCES quality_scorecards (id),
    scorecard_version_id uuid NOT NULL REFERENCES quality_scorecard_versions (id),
    note                 text NOT NULL DEFAULT '',
    created_by           uuid NOT NULL,
    created_at           timestamptz NOT NULL
);
CREATE INDEX quality_calibrations_org_idx ON quality_calibrations (org_id, id);

-- A conversation (one curator's answers of one local day) handed to one
-- reviewer: by the daily sample, by hand, or for a calibration round.
CREATE TABLE quality_assignments (
    id              uuid PRIMARY KEY,
    org_id          uuid NOT NULL REFERENCES orgs (id),
    conversation_id uuid NOT NULL REFERENCES sla_conversations (id),
    curator_id      uuid NOT NULL,
    day             text NOT NULL,
    answered_at     timestamptz NOT NULL,
    reviewer_id     uuid NOT NULL,
    source          text NOT NULL CHECK (source IN ('sample', 'manual', 'calibration')),
    run_id          uuid REFERENCES quality_sample_runs (id),
    calibration_id  uuid REFERENCES quality_calibrations (id),
    breached        boolean NOT NULL,
    low_csi         boolean NOT NULL,
    refund_request  boolean NOT NULL,
    random_pick     boolean NOT NULL,
    created_by      uuid NOT NULL,
    created_at      timestamptz NOT NULL,
    CHECK (reviewer_id <> curator_id),
    UNIQUE (org_id, conversation_id, curator_id, day, reviewer_id)
);
CREATE INDEX quality_assignments_reviewer_idx ON quality_assignments (org_id, reviewer_id, id);
CREATE INDEX quality_assignments_day_idx ON quality_assignments (org_id, day);

-- Reviews are evidence: a settled dispute adds a revising review, the
-- revised one stays.
CREATE TABLE quality_reviews (
    id                   uuid PRIMARY KEY,
    org_id               uuid NOT NULL REFERENCES orgs (id),
    assignment_id        uuid NOT NULL REFERENCES quality_assignments (id),
    conversation_id      uuid NOT NULL REFERENCES sla_conversations (id),
    curator_id           uuid NOT NULL,
    day                  text NOT NULL,
    answered_at          timestamptz NOT NULL,
    reviewer_id          uuid NOT NULL,
    calibration_id       uuid REFERENCES quality_calibrations (id),
    scorecard_id         uuid NOT NULL REFERENCES quality_scorecards (id),
    scorecard_version_id uuid NOT NULL REFERENCES quality_scorecard_versions (id),
    scorecard_number     integer NOT NULL,
    kind                 text NOT NULL CHECK (kind IN ('review', 'revision')),
    revises_review_id    uuid UNIQUE REFERENCES quality_reviews (id),
    earned               bigint NOT NULL CHECK (earned >= 0),
    possible             bigint NOT NULL CHECK (possible >= earned),
    comment              text NOT NULL DEFAULT '',
    created_at           timestamptz NOT NULL
);
CREATE UNIQUE INDEX quality_reviews_assignment_idx ON quality_reviews (assignment_id) WHERE kind = 'review';
CREATE INDEX quality_reviews_curator_idx ON quality_reviews (org_id, curator_id, answered_at);
CREATE INDEX quality_reviews_answered_idx ON quality_reviews (org_id, answered_at);
CREATE INDEX quality_reviews_calibration_idx ON quality_reviews (calibration_id);

CREATE TABLE quality_review_scores (
    id               uuid PRIMARY KEY,
    org_id           uuid NOT NULL REFERENCES orgs (id),
    review_id        uuid NOT NULL REFERENCES quality_reviews (id),
    position         integer NOT NULL,
    criterion_key    text NOT NULL,
    value            integer CHECK (value BETWEEN 0 AND 5),
    comment          text NOT NULL DEFAULT '',
    quote_message_id uuid REFERENCES sla_messages (id),
    UNIQUE (review_id, criterion_key)
);

-- The curator's one answer to a review: acknowledged or disputed.
CREATE TABLE quality_responses (
    id          uuid PRIMARY KEY,
    org_id      uuid NOT NULL REFERENCES orgs (id),
    review_id   uuid NOT NULL UNIQUE REFERENCES quality_reviews (id),
    curator_id  uuid NOT NULL,
    kind        text NOT NULL CHECK (kind IN ('acknowledged', 'disputed')),
    comment     text NOT NULL DEFAULT '',
    created_at  timestamptz NOT NULL
);

-- The head's decision on a dispute; a revised outcome names the revising
-- review.
CREATE TABLE quality_settlements (
    id                uuid PRIMARY KEY,
    org_id            uuid NOT NULL REFERENCES orgs (id),
    review_id         uuid NOT NULL UNIQUE REFERENCES quality_reviews (id),
    response_id       uuid NOT NULL REFERENCES quality_responses (id),
    outcome           text NOT NULL CHECK (outcome IN ('upheld', 'revised')),
    revised_review_id uuid REFERENCES quality_reviews (id),
    comment           text NOT NULL DEFAULT '',
    settled_by        uuid NOT NULL,
    created_at        timestamptz NOT NULL
);
CREATE INDEX quality_settlements_org_idx ON quality_settlements (org_id, created_at);

CREATE FUNCTION quality_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'quality: % rows are append-only (%)', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'restrict_violation';
END;
$$;
CREATE TRIGGER quality_sample_runs_append_only BEFORE UPDATE OR DELETE ON quality_sample_runs
    FOR EACH ROW EXECUTE FUNCTION quality_refuse_change();
CREATE TRIGGER quality_calibrations_append_only BEFORE UPDATE OR DELETE ON quality_calibrations
    FOR EACH ROW EXECUTE FUNCTION quality_refuse_change();
CREATE TRIGGER quality_assignments_append_only BEFORE UPDATE OR DELETE ON quality_assignments
    FOR EACH ROW EXECUTE FUNCTION quality_refuse_change();
CREATE TRIGGER quality_reviews_append_only BEFORE UPDATE OR DELETE ON quality_reviews
    FOR EACH ROW EXECUTE FUNCTION quality_refuse_change();
CREATE TRIGGER quality_review_scores_append_only BEFORE UPDATE OR DELETE ON quality_review_scores
    FOR EACH ROW EXECUTE FUNCTION quality_refuse_change();
CREATE TRIGGER quality_responses_append_only BEFORE UPDATE OR DELETE ON quality_responses
    FOR EACH ROW EXECUTE FUNCTION quality_refuse_change();
CREATE TRIGGER quality_settlements_append_only BEFORE UPDATE OR DELETE ON quality_settlements
    FOR EACH ROW EXECUTE FUNCTION quality_refuse_change();
CREATE TRIGGER quality_scorecard_versions_frozen BEFORE UPDATE ON quality_scorecard_versions
    FOR EACH ROW WHEN (NEW.criteria IS DISTINCT FROM OLD.criteria OR NEW.number IS DISTINCT FROM OLD.number
        OR NEW.scorecard_id IS DISTINCT FROM OLD.scorecard_id OR NEW.org_id IS DISTINCT FROM OLD.org_id)
    EXECUTE FUNCTION quality_refuse_change();
CREATE TRIGGER quality_scorecard_versions_kept BEFORE DELETE ON quality_scorecard_versions
    FOR EACH ROW EXECUTE FUNCTION quality_refuse_change();
