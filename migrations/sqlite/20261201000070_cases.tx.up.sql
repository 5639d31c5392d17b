-- Case and testimonial collection: collection requests with one-time links,
-- the students' submissions kept word for word, append-only consent and
-- moderation trails, per-cohort targets and the school's settings.

CREATE TABLE case_settings (
    org_id                 text PRIMARY KEY REFERENCES orgs (id),
    request_interval_days  integer NOT NULL,
    link_ttl_days          integer NOT NULL,
    video_target           integer NOT NULL,
    review_target          integer NOT NULL,
    incentive              text NOT NULL DEFAULT '',
    consent_text_version   text NOT NULL,
    consent_text           text NOT NULL DEFAULT '',
    updated_at             timestamp NOT NULL,
    version                bigint NOT NULL DEFAULT 1
);

CREATE TABLE case_cohort_targets (
    org_id        text NOT NULL REFERENCES orgs (id),
    cohort_id     text NOT NULL,
    video_target  integer NOT NULL CHECK (video_target >= 0),
    review_target integer NOT NULL CHECK (review_target >= 0),
    updated_at    timestamp NOT NULL,
    version       bigint NOT NULL DEFAULT 1,
    PRIMARY KEY (org_id, cohort_id)
);

-- A student who opted out is never asked again.
CREATE TABLE case_opt_outs (
    org_id        text NOT NULL REFERENCES orgs (id),
    student_id    text NOT NULL,
    request_id    text,
    channel       text NOT NULL,
    opted_out_at  timestamp NOT NULL,
    PRIMARY KEY (org_id, student_id)
);

CREATE TABLE case_requests (
    id             text PRIMARY KEY,
    org_id         text NOT NULL REFERENCES orgs (id),
    student_id     text NOT NULL,
    enrollment_id  text NOT NULL,
    cohort_id      text NOT NULL,
    course_id      text NOT NULL,
    curator_id     text,
    moment         text NOT NULL CHECK (moment IN ('module_completed', 'course_completed', 'csi_top', 'nps_promoter', 'homework_top_score', 'manual')),
    token_hash     text NOT NULL UNIQUE,
    status         text NOT NULL CHECK (status IN ('created', 'sent', 'opened', 'submitted', 'declined', 'expired', 'opted_out')),
    incentive      text NOT NULL DEFAULT '',
    created_by     text,
    created_at     timestamp NOT NULL,
    expires_at     timestamp NOT NULL,
    sent_at        timestamp,
    opened_at      timestamp,
    closed_at      timestamp,
    version        bigint NOT NULL DEFAULT 1
);
CREATE INDEX case_requests_org_idx ON case_requests (org_id, id);
CREATE INDEX case_requests_student_idx ON case_requests (org_id, student_id, created_at);
CREATE INDEX case_requests_cohort_idx ON case_requests (org_id, cohort_id);

-- A success moment is weighed once: the outcome is kept even when no
-- request was made, so the same moment sent again changes nothing.
CREATE TABLE case_moments (
    org_id      text NOT NULL REFERENCES orgs (id),
    kind        text NOT NULL,
    source_id   text NOT NULL,
    student_id  text NOT NULL,
    outcome     text NOT NULL CHECK (outcome IN ('requested', 'too_soon', 'opted_out', 'not_enrolled')),
    request_id  text,
    at          timestamp NOT NULL,
    PRIMARY KEY (org_id, kind, source_id)
);

-- The status trail of every request: inserted, never changed.
CREATE TABLE case_request_events (
    id          text PRIMARY KEY,
    org_id      text NOT NULL REFERENCES orgs (id),
    request_id  text NOT NULL REFERENCES case_requests (id),
    status      text NOT NULL,
    actor_id    text,
    at          timestamp NOT NULL
);
CREATE INDEX case_request_events_request_idx ON case_request_events (org_id, request_id, at);

CREATE TABLE case_submissions (
    id               text PRIMARY KEY,
    org_id           text NOT NULL REFERENCES orgs (id),
    request_id       text UNIQUE REFERENCES case_requests (id),
    student_id       text NOT NULL,
    enrollment_id    text NOT NULL,
    cohort_id        text NOT NULL,
    course_id        text NOT NULL,
    curator_id       text,
    source           text NOT NULL CHECK (source IN ('link', 'lms', 'curator')),
    external_id      text,
    recorded_by      text,
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
    submitted_at     timestamp NOT NULL,
    erased_at        timestamp,
    created_at       timestamp NOT NULL,
    updated_at       timestamp NOT NULL,
    version          bigint NOT NULL DEFAULT 1,
    UNIQUE (org_id, source, external_id)
);
CREATE INDEX case_submissions_org_idx ON case_submissions (org_id, id);
CREATE INDEX case_submissions_cohort_idx ON case_submissions (org_id, cohort_id, status);
CREATE INDEX case_submissions_student_idx ON case_submissions (org_id, student_id);
CREATE INDEX case_submissions_submitted_idx ON case_submissions (org_id, submitted_at);

-- Moderation decisions: inserted, never changed.
CREATE TABLE case_moderations (
    id             text PRIMARY KEY,
    org_id         text NOT NULL REFERENCES orgs (id),
    submission_id  text NOT NULL REFERENCES case_submissions (id),
    from_status    text NOT NULL,
    to_status      text NOT NULL,
    reason         text NOT NULL DEFAULT '',
    actor_id       text,
    at             timestamp NOT NULL
);
CREATE INDEX case_moderations_submission_idx ON case_moderations (org_id, submission_id, at);

-- Consent is evidence: a grant or a withdrawal is a new row, never an edit.
-- Only erasure may blank a guardian's name.
CREATE TABLE case_consents (
    id             text PRIMARY KEY,
    org_id         text NOT NULL REFERENCES orgs (id),
    submission_id  text NOT NULL REFERENCES case_submissions (id),
    student_id     text NOT NULL,
    action         text NOT NULL CHECK (action IN ('granted', 'withdrawn')),
    scopes         text NOT NULL DEFAULT '',
    text_version   text NOT NULL DEFAULT '',
    channel        text NOT NULL CHECK (channel IN ('link', 'lms', 'curator', 'email', 'paper', 'messenger')),
    given_by       text NOT NULL CHECK (given_by IN ('student', 'guardian')),
    guardian_name  text,
    reason         text NOT NULL DEFAULT '',
    recorded_by    text,
    given_at       timestamp NOT NULL,
    created_at     timestamp NOT NULL
);
CREATE INDEX case_consents_submission_idx ON case_consents (org_id, submission_id, created_at);

-- Public link attempts per client address, shared by every replica.
CREATE TABLE case_link_throttle (
    key                text PRIMARY KEY,
    hits               integer NOT NULL,
    window_started_at  timestamp NOT NULL
);

CREATE TRIGGER case_request_events_no_update BEFORE UPDATE ON case_request_events
BEGIN
    SELECT RAISE(ABORT, 'cases: the request trail is append-only');
END;
CREATE TRIGGER case_request_events_no_delete BEFORE DELETE ON case_request_events
BEGIN
    SELECT RAISE(ABORT, 'cases: the request trail is append-only');
END;
CREATE TRIGGER case_moderations_no_update BEFORE UPDATE ON case_moderations
BEGIN
    SELECT RAISE(ABORT, 'cases: moderation decisions are append-only');
END;
CREATE TRIGGER case_moderations_no_delete BEFORE DELETE ON case_moderations
BEGIN
    SELECT RAISE(ABORT, 'cases: moderation decisions are append-only');
END;
CREATE TRIGGER case_consents_no_update BEFORE UPDATE OF id, org_id, submission_id, student_id, action, scopes, text_version,
    channel, given_by, reason, recorded_by, given_at, created_at ON case_consents
BEGIN
    SELECT RAISE(ABORT, 'cases: consent is append-only');
END;
CREATE TRIGGER case_consents_guardian_erased_only BEFORE UPDATE OF guardian_name ON case_consents
WHEN NEW.guardian_name IS NOT '[erased]'
BEGIN
    SELECT RAISE(ABORT, 'cases: consent is append-only');
END;
CREATE TRIGGER case_consents_no_delete BEFORE DELETE ON case_consents
BEGIN
    SELECT RAISE(ABORT, 'cases: consent is append-only');
END;
-- The student's words are kept byte for byte; only erasure removes them.
CREATE TRIGGER case_submissions_words_kept BEFORE UPDATE ON case_submissions
WHEN NOT (OLD.erased_at IS NULL AND NEW.erased_at IS NOT NULL) AND (NEW.body IS NOT OLD.body OR NEW.before_text IS NOT OLD.before_text
    OR NEW.after_text IS NOT OLD.after_text OR NEW.video_url IS NOT OLD.video_url)
BEGIN
    SELECT RAISE(ABORT, 'cases: a submission''s original words are never edited');
END;
CREATE TRIGGER case_submissions_no_delete BEFORE DELETE ON case_submissions
BEGIN
    SELECT RAISE(ABORT, 'cases: submissions are kept; erasure blanks them');
END;
