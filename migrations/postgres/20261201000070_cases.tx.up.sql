-- Case and testimonial collection: collection requests with one-time links,
-- the students' submissions kept word for word, append-only consent and
-- moderation trails, per-cohort targets and the school's settings.

CREATE TABLE case_settings (
    org_id                 uuid PRIMARY KEY REFERENCES orgs (id),
    request_interval_days  integer NOT NULL,
    link_ttl_days          integer NOT NULL,
    video_target           integer NOT NULL,
    review_target          integer NOT NULL,
    incentive              text NOT NULL DEFAULT '',
    consent_text_version   text NOT NULL,
    consent_text           text NOT NULL DEFAULT '',
    updated_at             timestamptz NOT NULL,
    version                bigint NOT NULL DEFAULT 1
);

CREATE TABLE case_cohort_targets (
    org_id        uuid NOT NULL REFERENCES orgs (id),
    cohort_id     uuid NOT NULL,
    video_target  integer NOT NULL CHECK (video_target >= 0),
    review_target integer NOT NULL CHECK (review_target >= 0),
    updated_at    timestamptz NOT NULL,
    version       bigint NOT NULL DEFAULT 1,
    PRIMARY KEY (org_id, cohort_id)
);

-- A student who opted out is never asked again.
CREATE TABLE case_opt_outs (
    org_id        uuid NOT NULL REFERENCES orgs (id),
    student_id    uuid NOT NULL,
    request_id    uuid,
    channel       text NOT NULL,
    opted_out_at  timestamptz NOT NULL,
    PRIMARY KEY (org_id, student_id)
);

CREATE TABLE case_requests (
    id             uuid PRIMARY KEY,
    org_id         uuid NOT NULL REFERENCES orgs (id),
    student_id     uuid NOT NULL,
    enrollment_id  uuid NOT NULL,
    cohort_id      uuid NOT NULL,
    course_id      uuid NOT NULL,
    curator_id     uuid,
    moment         text NOT NULL CHECK (moment IN ('module_completed', 'course_completed', 'csi_top', 'nps_promoter', 'homework_top_score', 'manual')),
    token_hash     text NOT NULL UNIQUE,
    status         text NOT NULL CHECK (status IN ('created', 'sent', 'opened', 'submitted', 'declined', 'expired', 'opted_out')),
    incentive      text NOT NULL DEFAULT '',
    created_by     uuid,
    created_at     timestamptz NOT NULL,
    expires_at     timestamptz NOT NULL,
    sent_at        timestamptz,
    opened_at      timestamptz,
    closed_at      timestamptz,
    version        bigint NOT NULL DEFAULT 1
);
CREATE INDEX case_requests_org_idx ON case_requests (org_id, id);
CREATE INDEX case_requests_student_idx ON case_requests (org_id, student_id, created_at);
CREATE INDEX case_requests_cohort_idx ON case_requests (org_id, cohort_id);

-- A success moment is weighed once: the outcome is kept even when no
-- request was made, so the same moment sent again changes nothing.
CREATE TABLE case_moments (
    org_id      uuid NOT NULL REFERENCES orgs (id),
    kind        text NOT NULL,
    source_id   text NOT NULL,
    student_id  uuid NOT NULL,
    outcome     text NOT NULL CHECK (outcome IN ('requested', 'too_soon', 'opted_out', 'not_enrolled')),
    request_id  uuid,
    at          timestamptz NOT NULL,
    PRIMARY KEY (org_id, kind, source_id)
);

-- The status trail of every request: inserted, never changed.
CREATE TABLE case_request_events (
    id          uuid PRIMARY KEY,
    org_id      uuid NOT NULL REFERENCES orgs (id),
    request_id  uuid NOT NULL REFERENCES case_requests (id),
    status      text NOT NULL,
    actor_id    uuid,
    at          timestamptz NOT NULL
);
CREATE INDEX case_request_events_request_idx ON case_request_events (org_id, request_id, at);

CREATE TABLE case_submissions (
    id               uuid PRIMARY KEY,
    org_id           uuid NOT NULL REFERENCES orgs (id),
    request_id       uuid UNIQUE REFERENCES case_requests (id),
    student_id       uuid NOT NULL,
    enrollment_id    uuid NOT NULL,
    cohort_id        uuid NOT NULL,
    course_id        uuid NOT NULL,
    curator_id       uuid,
    source           text NOT NULL CHECK (source IN ('link', 'lms', 'curator')),
    external_id      text,
    recorded_by      uuid,
    body             text,
    video_url        text,
    has_video        boolean NOT NULL DEFAULT false,
    rating           integer CHECK (rating BETWEEN 1 AND 5),
    before_text      text,
    after_text       text,
    excerpt          text,
    tags             text NOT NULL DEFAULT '',
    status           text NOT NULL CHECK (status IN ('pending', 'approved', 'rejected', 'published', 'archived')),
    consent_scopes   text NOT NULL DEFAULT '',
    submitted_at     timestamptz NOT NULL,
    erased_at        timestamptz,
    created_at       timestamptz NOT NULL,
    updated_at       timestamptz NOT NULL,
    version          bigint NOT NULL DEFAULT 1,
    UNIQUE (org_id, source, external_id)
);
CREATE INDEX case_submissions_org_idx ON case_submissions (org_id, id);
CREATE INDEX case_submissions_cohort_idx ON case_submissions (org_id, cohort_id, status);
CREATE INDEX case_submissions_student_idx ON case_submissions (org_id, student_id);
CREATE INDEX case_submissions_submitted_idx ON case_submissions (org_id, submitted_at);

-- Moderation decisions: inserted, never changed.
CREATE TABLE case_moderations (
    id             uuid PRIMARY KEY,
    org_id         uuid NOT NULL REFERENCES orgs (id),
    submission_id  uuid NOT NULL REFERENCES case_submissions (id),
    from_status    text NOT NULL,
    to_status      text NOT NULL,
    reason         text NOT NULL DEFAULT '',
    actor_id       uuid,
    at             timestamptz NOT NULL
);
CREATE INDEX case_moderations_submission_idx ON case_moderations (org_id, submission_id, at);

-- Consent is evidence: a grant or a withdrawal is a new row, never an edit.
-- Only erasure may blank a guardian's name.
CREATE TABLE case_consents (
    id             uuid PRIMARY KEY,
    org_id         uuid NOT NULL REFERENCES orgs (id),
    submission_id  uuid NOT NULL REFERENCES case_submissions (id),
    student_id     uuid NOT NULL,
    action         text NOT NULL CHECK (action IN ('granted', 'withdrawn')),
    scopes         text NOT NULL DEFAULT '',
    text_version   text NOT NULL DEFAULT '',
    channel        text NOT NULL CHECK (channel IN ('link', 'lms', 'curator', 'email', 'paper', 'messenger')),
    given_by       text NOT NULL CHECK (given_by IN ('student', 'guardian')),
    guardian_name  text,
    reason         text NOT NULL DEFAULT '',
    recorded_by    uuid,
    given_at       timestamptz NOT NULL,
    created_at     timestamptz NOT NULL
);
CREATE INDEX case_consents_submission_idx ON case_consents (org_id, submission_id, created_at);

-- Public link attempts per client address, shared by every replica.
CREATE TABLE case_link_throttle (
    key                text PRIMARY KEY,
    hits               integer NOT NULL,
    window_started_at  timestamptz NOT NULL
);

CREATE FUNCTION cases_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'cases: % rows are append-only (%)', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'restrict_violation';
END;
$$;
CREATE TRIGGER case_request_events_append_only BEFORE UPDATE OR DELETE ON case_request_events
    FOR EACH ROW EXECUTE FUNCTION cases_refuse_change();
CREATE TRIGGER case_moderations_append_only BEFORE UPDATE OR DELETE ON case_moderations
    FOR EACH ROW EXECUTE FUNCTION cases_refuse_change();
CREATE TRIGGER case_consents_no_delete BEFORE DELETE ON case_consents
    FOR EACH ROW EXECUTE FUNCTION cases_refuse_change();
-- Only erasure may change a consent row, and only to blank the guardian's name.
CREATE TRIGGER case_consents_append_only BEFORE UPDATE ON case_consents
    FOR EACH ROW WHEN ((to_jsonb(OLD) - 'guardian_name') IS DISTINCT FROM (to_jsonb(NEW) - 'guardian_name')
        OR NEW.guardian_name IS DISTINCT FROM '[erased]')
    EXECUTE FUNCTION cases_refuse_change();
-- The student's words are kept byte for byte; only erasure removes them.
CREATE TRIGGER case_submissions_words_kept BEFORE UPDATE ON case_submissions
    FOR EACH ROW WHEN (NOT (OLD.erased_at IS NULL AND NEW.erased_at IS NOT NULL) AND (NEW.body IS DISTINCT FROM OLD.body OR NEW.before_text IS DISTINCT FROM OLD.before_text
        OR NEW.after_text IS DISTINCT FROM OLD.after_text OR NEW.video_url IS DISTINCT FROM OLD.video_url))
    EXECUTE FUNCTION cases_refuse_change();
CREATE TRIGGER case_submissions_no_delete BEFORE DELETE ON case_submissions
    FOR EACH ROW EXECUTE FUNCTION cases_refuse_change();
