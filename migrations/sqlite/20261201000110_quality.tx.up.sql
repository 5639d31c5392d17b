-- Conversation quality control: versioned scorecards, daily samples of
-- answered conversations handed to reviewers, append-only reviews with the
-- curator's acknowledgment or dispute and the head's settlement, and
-- calibration rounds. Evidence tables refuse UPDATE and DELETE (triggers),
-- so that a correction is always a new row.

CREATE TABLE quality_settings (
    org_id                    text PRIMARY KEY REFERENCES orgs (id),
    reviews_per_week          integer NOT NULL CHECK (reviews_per_week BETWEEN 0 AND 100),
    newcomer_reviews_per_week integer NOT NULL CHECK (newcomer_reviews_per_week BETWEEN 0 AND 100),
    default_scorecard_id      text,
    updated_at                timestamp NOT NULL,
    version                   bigint NOT NULL DEFAULT 1
);

CREATE TABLE quality_scorecards (
    id                text PRIMARY KEY,
    org_id            text NOT NULL REFERENCES orgs (id),
    name              text NOT NULL,
    active_version_id text,
    active_number     integer NOT NULL,
    created_at        timestamp NOT NULL,
    updated_at        timestamp NOT NULL,
    version           bigint NOT NULL DEFAULT 1,
    UNIQUE (org_id, name)
);

-- A version's criteria never change once written; only its status moves
-- from draft to active to superseded.
CREATE TABLE quality_scorecard_versions (
    id            text PRIMARY KEY,
    org_id        text NOT NULL REFERENCES orgs (id),
    scorecard_id  text NOT NULL REFERENCES quality_scorecards (id),
    number        integer NOT NULL,
    status        text NOT NULL CHECK (status IN ('draft', 'active', 'superseded')),
    criteria      text NOT NULL,
    created_by    text NOT NULL,
    created_at    timestamp NOT NULL,
    activated_at  timestamp,
    UNIQUE (scorecard_id, number)
);
CREATE INDEX quality_scorecard_versions_org_idx ON quality_scorecard_versions (org_id, scorecard_id);

-- One sampling run per school and local day; the seed makes it
-- reproducible.
CREATE TABLE quality_sample_runs (
    id          text PRIMARY KEY,
    org_id      text NOT NULL REFERENCES orgs (id),
    day         text NOT NULL,
    seed        bigint NOT NULL,
    candidates  integer NOT NULL,
    sampled     integer NOT NULL,
    unassigned  integer NOT NULL,
    created_by  text NOT NULL,
    created_at  timestamp NOT NULL,
    UNIQUE (org_id, day)
);

CREATE TABLE quality_calibrations (
    id                   text PRIMARY KEY,
    org_id               text NOT NULL REFERENCES orgs (id),
    conversation_id      text NOT NULL REFERENCES sla_conversations (id),
    curator_id           text NOT NULL,
    day                  text NOT NULL,
    answered_at          timestamp NOT NULL,
    scorecard_id         text NOT NULL REFERENCES quality_scorecards (id),
    scorecard_version_id text NOT NULL REFERENCES quality_scorecard_versions (id),
    note                 text NOT NULL DEFAULT '',
    created_by           text NOT NULL,
    created_at           timestamp NOT NULL
);
CREATE INDEX quality_calibrations_org_idx ON quality_calibrations (org_id, id);

-- A conversation (one curator's answers of one local day) handed to one
-- reviewer: by the daily sample, by hand, or for a calibration round.
CREATE TABLE quality_assignments (
    id              text PRIMARY KEY,
    org_id          text NOT NULL REFERENCES orgs (id),
    conversation_id text NOT NULL REFERENCES sla_conversations (id),
    curator_id      text NOT NULL,
    day             text NOT NULL,
    answered_at     timestamp NOT NULL,
    reviewer_id     text NOT NULL,
    source          text NOT NULL CHECK (source IN ('sample', 'manual', 'calibration')),
    run_id          text REFERENCES quality_sample_runs (id),
    calibration_id  text REFERENCES quality_calibrations (id),
    breached        boolean NOT NULL,
    low_csi         boolean NOT NULL,
    refund_request  boolean NOT NULL,
    random_pick     boolean NOT NULL,
    created_by      text NOT NULL,
    created_at      timestamp NOT NULL,
    CHECK (reviewer_id <> curator_id),
    UNIQUE (org_id, conversation_id, curator_id, day, reviewer_id)
);
CREATE INDEX quality_assignments_reviewer_idx ON quality_assignments (org_id, reviewer_id, id);
CREATE INDEX quality_assignments_day_idx ON quality_assignments (org_id, day);

-- Reviews are evidence: a settled dispute adds a revising review, the
-- revised one stays.
CREATE TABLE quality_reviews (
    id                   text PRIMARY KEY,
    org_id               text NOT NULL REFERENCES orgs (id),
    assignment_id        text NOT NULL REFERENCES quality_assignments (id),
    conversation_id      text NOT NULL REFERENCES sla_conversations (id),
    curator_id           text NOT NULL,
    day                  text NOT NULL,
    answered_at          timestamp NOT NULL,
    reviewer_id          text NOT NULL,
    calibration_id       text REFERENCES quality_calibrations (id),
    scorecard_id         text NOT NULL REFERENCES quality_scorecards (id),
    scorecard_version_id text NOT NULL REFERENCES quality_scorecard_versions (id),
    scorecard_number     integer NOT NULL,
    kind                 text NOT NULL CHECK (kind IN ('review', 'revision')),
    revises_review_id    text UNIQUE REFERENCES quality_reviews (id),
    earned               bigint NOT NULL CHECK (earned >= 0),
    possible             bigint NOT NULL CHECK (possible >= earned),
    comment              text NOT NULL DEFAULT '',
    created_at           timestamp NOT NULL
);
CREATE UNIQUE INDEX quality_reviews_assignment_idx ON quality_reviews (assignment_id) WHERE kind = 'review';
CREATE INDEX quality_reviews_curator_idx ON quality_reviews (org_id, curator_id, answered_at);
CREATE INDEX quality_reviews_answered_idx ON quality_reviews (org_id, answered_at);
CREATE INDEX quality_reviews_calibration_idx ON quality_reviews (calibration_id);

CREATE TABLE quality_review_scores (
    id               text PRIMARY KEY,
    org_id           text NOT NULL REFERENCES orgs (id),
    review_id        text NOT NULL REFERENCES quality_reviews (id),
    position         integer NOT NULL,
    criterion_key    text NOT NULL,
    value            integer CHECK (value BETWEEN 0 AND 5),
    comment          text NOT NULL DEFAULT '',
    quote_message_id text REFERENCES sla_messages (id),
    UNIQUE (review_id, criterion_key)
);

-- The curator's one answer to a review: acknowledged or disputed.
CREATE TABLE quality_responses (
    id          text PRIMARY KEY,
    org_id      text NOT NULL REFERENCES orgs (id),
    review_id   text NOT NULL UNIQUE REFERENCES quality_reviews (id),
    curator_id  text NOT NULL,
    kind        text NOT NULL CHECK (kind IN ('acknowledged', 'disputed')),
    comment     text NOT NULL DEFAULT '',
    created_at  timestamp NOT NULL
);

-- The head's decision on a dispute; a revised outcome names the revising
-- review.
CREATE TABLE quality_settlements (
    id                text PRIMARY KEY,
    org_id            text NOT NULL REFERENCES orgs (id),
    review_id         text NOT NULL UNIQUE REFERENCES quality_reviews (id),
    response_id       text NOT NULL REFERENCES quality_responses (id),
    outcome           text NOT NULL CHECK (outcome IN ('upheld', 'revised')),
    revised_review_id text REFERENCES quality_reviews (id),
    comment           text NOT NULL DEFAULT '',
    settled_by        text NOT NULL,
    created_at        timestamp NOT NULL
);
CREATE INDEX quality_settlements_org_idx ON quality_settlements (org_id, created_at);

CREATE TRIGGER quality_sample_runs_no_update BEFORE UPDATE ON quality_sample_runs
BEGIN
    SELECT RAISE(ABORT, 'quality: quality_sample_runs rows are append-only');
END;
CREATE TRIGGER quality_sample_runs_no_delete BEFORE DELETE ON quality_sample_runs
BEGIN
    SELECT RAISE(ABORT, 'quality: quality_sample_runs rows are append-only');
END;
CREATE TRIGGER quality_calibrations_no_update BEFORE UPDATE ON quality_calibrations
BEGIN
    SELECT RAISE(ABORT, 'quality: quality_calibrations rows are append-only');
END;
CREATE TRIGGER quality_calibrations_no_delete BEFORE DELETE ON quality_calibrations
BEGIN
    SELECT RAISE(ABORT, 'quality: quality_calibrations rows are append-only');
END;
CREATE TRIGGER quality_assignments_no_update BEFORE UPDATE ON quality_assignments
BEGIN
    SELECT RAISE(ABORT, 'quality: quality_assignments rows are append-only');
END;
CREATE TRIGGER quality_assignments_no_delete BEFORE DELETE ON quality_assignments
BEGIN
    SELECT RAISE(ABORT, 'quality: quality_assignments rows are append-only');
END;
CREATE TRIGGER quality_reviews_no_update BEFORE UPDATE ON quality_reviews
BEGIN
    SELECT RAISE(ABORT, 'quality: quality_reviews rows are append-only');
END;
CREATE TRIGGER quality_reviews_no_delete BEFORE DELETE ON quality_reviews
BEGIN
    SELECT RAISE(ABORT, 'quality: quality_reviews rows are append-only');
END;
CREATE TRIGGER quality_review_scores_no_update BEFORE UPDATE ON quality_review_scores
BEGIN
    SELECT RAISE(ABORT, 'quality: quality_review_scores rows are append-only');
END;
CREATE TRIGGER quality_review_scores_no_delete BEFORE DELETE ON quality_review_scores
BEGIN
    SELECT RAISE(ABORT, 'quality: quality_review_scores rows are append-only');
END;
CREATE TRIGGER quality_responses_no_update BEFORE UPDATE ON quality_responses
BEGIN
    SELECT RAISE(ABORT, 'quality: quality_responses rows are append-only');
END;
CREATE TRIGGER quality_responses_no_delete BEFORE DELETE ON quality_responses
BEGIN
    SELECT RAISE(ABORT, 'quality: quality_responses rows are append-only');
END;
CREATE TRIGGER quality_settlements_no_update BEFORE UPDATE ON quality_settlements
BEGIN
    SELECT RAISE(ABORT, 'quality: quality_settlements rows are append-only');
END;
CREATE TRIGGER quality_settlements_no_delete BEFORE DELETE ON quality_settlements
BEGIN
    SELECT RAISE(ABORT, 'quality: quality_settlements rows are append-only');
END;
CREATE TRIGGER quality_scorecard_versions_frozen BEFORE UPDATE ON quality_scorecard_versions
WHEN NEW.criteria <> OLD.criteria OR NEW.number <> OLD.number OR NEW.scorecard_id <> OLD.scorecard_id OR NEW.org_id <> OLD.org_id
BEGIN
    SELECT RAISE(ABORT, 'quality: a scorecard version''s criteria never change');
END;
CREATE TRIGGER quality_scorecard_versions_kept BEFORE DELETE ON quality_scorecard_versions
BEGIN
    SELECT RAISE(ABORT, 'quality: scorecard versions are kept');
END;
