-- Homework review queues: submissions with their review clock, queue and
-- lease, append-only reviews (a quality overturn is a new row), quality
-- checks of sampled reviews, and each school's queue settings.

CREATE TABLE homework_settings (
    org_id                   text PRIMARY KEY REFERENCES orgs (id),
    open_capacity            integer NOT NULL,
    lease_minutes            integer NOT NULL,
    sample_percent           integer NOT NULL,
    probation_sample_percent integer NOT NULL,
    probation_curator_ids    text NOT NULL DEFAULT '',
    sample_rejected          boolean NOT NULL,
    low_score_percent        integer NOT NULL,
    updated_at               timestamp NOT NULL,
    version                  bigint NOT NULL DEFAULT 1
);

CREATE TABLE homework_submissions (
    id                     text PRIMARY KEY,
    org_id                 text NOT NULL REFERENCES orgs (id),
    source                 text NOT NULL,
    external_id            text NOT NULL,
    student_id             text NOT NULL,
    student_external_id    text,
    assignment_id          text NOT NULL,
    assignment_external_id text,
    course_id              text NOT NULL,
    module_id              text NOT NULL,
    cohort_id              text NOT NULL,
    enrollment_id          text NOT NULL,
    attempt                integer NOT NULL,
    previous_submission_id text REFERENCES homework_submissions (id),
    content                text NOT NULL,
    rubric                 text NOT NULL,
    submitted_at           timestamp NOT NULL,
    target_minutes         integer NOT NULL,
    due_at                 timestamp NOT NULL,
    status                 text NOT NULL CHECK (status IN ('queued', 'in_review', 'accepted', 'rework_requested', 'rejected')),
    queue_curator_id       text,
    claimed_by             text,
    claimed_at             timestamp,
    lease_expires_at       timestamp,
    draft                  text,
    draft_saved_at         timestamp,
    reviewed_by            text,
    reviewed_at            timestamp,
    review_seconds         bigint,
    verdict                text,
    score                  integer,
    overdue_published_at   timestamp,
    created_at             timestamp NOT NULL,
    updated_at             timestamp NOT NULL,
    version                bigint NOT NULL DEFAULT 1,
    UNIQUE (org_id, source, external_id)
);
CREATE INDEX homework_submissions_org_idx ON homework_submissions (org_id, id);
CREATE INDEX homework_submissions_student_idx ON homework_submissions (org_id, student_id, assignment_id, attempt);
-- The claim queries take free items (queued) from a curator's own queue,
-- a cohort's pool or (senior curators) everything overdue, most urgent
-- first; a claimed item leaves these indexes, so claimers never walk past
-- the items others hold. Expired leases are found by their expiry.
CREATE INDEX homework_submissions_queue_idx ON homework_submissions (org_id, queue_curator_id, due_at)
    WHERE status = 'queued';
CREATE INDEX homework_submissions_pool_idx ON homework_submissions (org_id, cohort_id, due_at)
    WHERE status = 'queued' AND queue_curator_id IS NULL;
CREATE INDEX homework_submissions_due_idx ON homework_submissions (org_id, due_at)
    WHERE status = 'queued';
CREATE INDEX homework_submissions_lease_idx ON homework_submissions (org_id, lease_expires_at)
    WHERE status = 'in_review';
-- Views and counts of open items, and the overdue notices.
CREATE INDEX homework_submissions_open_idx ON homework_submissions (org_id, queue_curator_id, due_at)
    WHERE status IN ('queued', 'in_review');
CREATE INDEX homework_submissions_overdue_idx ON homework_submissions (due_at)
    WHERE status IN ('queued', 'in_review') AND overdue_published_at IS NULL;
CREATE INDEX homework_submissions_reviewed_idx ON homework_submissions (org_id, reviewed_at);

CREATE TABLE homework_reviews (
    id                  text PRIMARY KEY,
    org_id              text NOT NULL REFERENCES orgs (id),
    submission_id       text NOT NULL REFERENCES homework_submissions (id),
    kind                text NOT NULL CHECK (kind IN ('review', 'overturn')),
    reviewer_id         text NOT NULL,
    verdict             text NOT NULL CHECK (verdict IN ('accepted', 'rework_requested', 'rejected')),
    scores              text NOT NULL,
    score               integer NOT NULL,
    max_score           integer NOT NULL,
    feedback            text NOT NULL,
    business_seconds    bigint NOT NULL,
    within_sla          boolean NOT NULL,
    sampled             boolean NOT NULL,
    overturns_review_id text REFERENCES homework_reviews (id),
    created_at          timestamp NOT NULL
);
CREATE INDEX homework_reviews_submission_idx ON homework_reviews (org_id, submission_id, created_at);
CREATE INDEX homework_reviews_sampled_idx ON homework_reviews (org_id, sampled, id);

CREATE TABLE homework_quality_checks (
    id               text PRIMARY KEY,
    org_id           text NOT NULL REFERENCES orgs (id),
    review_id        text NOT NULL UNIQUE REFERENCES homework_reviews (id),
    submission_id    text NOT NULL REFERENCES homework_submissions (id),
    curator_id       text NOT NULL,
    checker_id       text NOT NULL,
    verdict_correct  integer NOT NULL CHECK (verdict_correct BETWEEN 0 AND 5),
    feedback_helpful integer NOT NULL CHECK (feedback_helpful BETWEEN 0 AND 5),
    tone             integer NOT NULL CHECK (tone BETWEEN 0 AND 5),
    on_time          integer NOT NULL CHECK (on_time BETWEEN 0 AND 5),
    comment          text NOT NULL,
    overturned_to    text,
    month            text NOT NULL,
    created_at       timestamp NOT NULL
);
CREATE INDEX homework_quality_checks_month_idx ON homework_quality_checks (org_id, month, curator_id);
