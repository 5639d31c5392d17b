-- Curator hiring: configurable pipeline stages, a rejection-reason catalog,
-- vacancies, candidates with their consent history, applications with an
-- append-only stage history, calibration test tasks scored against the
-- head's reference reviews, interview scorecards and offers.

CREATE TABLE hiring_stages (
    id         text PRIMARY KEY,
    org_id     text NOT NULL REFERENCES orgs (id),
    key        text NOT NULL,
    title      text NOT NULL,
    kind       text NOT NULL CHECK (kind IN ('applied', 'step', 'test_task', 'interview', 'offer', 'hired', 'rejected', 'reserve')),
    position   integer NOT NULL,
    active     boolean NOT NULL,
    created_at timestamp NOT NULL,
    updated_at timestamp NOT NULL,
    version    integer NOT NULL DEFAULT 1,
    UNIQUE (org_id, key)
);

CREATE TABLE hiring_rejection_reasons (
    id         text PRIMARY KEY,
    org_id     text NOT NULL REFERENCES orgs (id),
    code       text NOT NULL,
    title      text NOT NULL,
    active     boolean NOT NULL,
    created_at timestamp NOT NULL,
    updated_at timestamp NOT NULL,
    version    integer NOT NULL DEFAULT 1,
    UNIQUE (org_id, code)
);

CREATE TABLE hiring_vacancies (
    id         text PRIMARY KEY,
    org_id     text NOT NULL REFERENCES orgs (id),
    title      text NOT NULL,
    course_id  text,
    cohort_id  text,
    focus      text NOT NULL,
    headcount  integer NOT NULL,
    pay_scheme text NOT NULL,
    status     text NOT NULL CHECK (status IN ('draft', 'open', 'paused', 'closed')),
    criteria   text NOT NULL,
    created_by text NOT NULL,
    created_at timestamp NOT NULL,
    updated_at timestamp NOT NULL,
    version    integer NOT NULL DEFAULT 1
);
CREATE INDEX hiring_vacancies_org_idx ON hiring_vacancies (org_id, id);

CREATE TABLE hiring_candidates (
    id                 text PRIMARY KEY,
    org_id             text NOT NULL REFERENCES orgs (id),
    full_name          text NOT NULL,
    email              text,
    phone              text,
    telegram           text,
    source             text NOT NULL CHECK (source IN ('job_site', 'referral', 'former_student', 'reserve', 'other')),
    cv_url             text,
    consent_expires_at timestamp NOT NULL,
    in_reserve         boolean NOT NULL,
    reserve_tags       text NOT NULL DEFAULT '',
    recontact_on       text,
    best_test_percent  integer,
    notes              text NOT NULL DEFAULT '',
    erased_at          timestamp,
    created_by         text NOT NULL,
    created_at         timestamp NOT NULL,
    updated_at         timestamp NOT NULL,
    version            integer NOT NULL DEFAULT 1
);
CREATE INDEX hiring_candidates_org_idx ON hiring_candidates (org_id, id);
CREATE INDEX hiring_candidates_consent_idx ON hiring_candidates (consent_expires_at) WHERE erased_at IS NULL;

-- Consent is evidence: every grant, renewal or withdrawal is a new row.
CREATE TABLE hiring_consents (
    id           text PRIMARY KEY,
    org_id       text NOT NULL REFERENCES orgs (id),
    candidate_id text NOT NULL REFERENCES hiring_candidates (id),
    kind         text NOT NULL CHECK (kind IN ('given', 'withdrawn')),
    expires_at   timestamp,
    recorded_by  text NOT NULL,
    recorded_at  timestamp NOT NULL
);
CREATE INDEX hiring_consents_candidate_idx ON hiring_consents (org_id, candidate_id, id);
CREATE TRIGGER hiring_consents_no_update BEFORE UPDATE ON hiring_consents
BEGIN
    SELECT RAISE(ABORT, 'hiring: consent records are append-only');
END;
CREATE TRIGGER hiring_consents_no_delete BEFORE DELETE ON hiring_consents
BEGIN
    SELECT RAISE(ABORT, 'hiring: consent records are append-only');
END;

CREATE TABLE hiring_applications (
    id               text PRIMARY KEY,
    org_id           text NOT NULL REFERENCES orgs (id),
    candidate_id     text NOT NULL REFERENCES hiring_candidates (id),
    vacancy_id       text NOT NULL REFERENCES hiring_vacancies (id),
    source           text NOT NULL,
    stage_id         text NOT NULL REFERENCES hiring_stages (id),
    stage_entered_at timestamp NOT NULL,
    created_at       timestamp NOT NULL,
    updated_at       timestamp NOT NULL,
    version          integer NOT NULL DEFAULT 1,
    UNIQUE (vacancy_id, candidate_id)
);
CREATE INDEX hiring_applications_org_idx ON hiring_applications (org_id, vacancy_id, stage_id, id);
CREATE INDEX hiring_applications_candidate_idx ON hiring_applications (org_id, candidate_id);

-- The stage history: every move is a new row, never edited nor deleted.
CREATE TABLE hiring_stage_moves (
    id             text PRIMARY KEY,
    org_id         text NOT NULL REFERENCES orgs (id),
    application_id text NOT NULL REFERENCES hiring_applications (id),
    candidate_id   text NOT NULL REFERENCES hiring_candidates (id),
    vacancy_id     text NOT NULL REFERENCES hiring_vacancies (id),
    from_stage_id  text REFERENCES hiring_stages (id),
    to_stage_id    text NOT NULL REFERENCES hiring_stages (id),
    reason_id      text REFERENCES hiring_rejection_reasons (id),
    note           text NOT NULL DEFAULT '',
    actor_id       text NOT NULL,
    moved_at       timestamp NOT NULL
);
CREATE INDEX hiring_stage_moves_app_idx ON hiring_stage_moves (org_id, application_id, id);
CREATE INDEX hiring_stage_moves_candidate_idx ON hiring_stage_moves (org_id, candidate_id, id);
CREATE TRIGGER hiring_stage_moves_no_update BEFORE UPDATE ON hiring_stage_moves
BEGIN
    SELECT RAISE(ABORT, 'hiring: stage history is append-only');
END;
CREATE TRIGGER hiring_stage_moves_no_delete BEFORE DELETE ON hiring_stage_moves
BEGIN
    SELECT RAISE(ABORT, 'hiring: stage history is append-only');
END;

CREATE TABLE hiring_calibration_items (
    id                text PRIMARY KEY,
    org_id            text NOT NULL REFERENCES orgs (id),
    submission_id     text NOT NULL,
    title             text NOT NULL,
    content           text NOT NULL,
    rubric            text NOT NULL,
    max_score         integer NOT NULL,
    reference_verdict text NOT NULL CHECK (reference_verdict IN ('accepted', 'rework_requested', 'rejected')),
    reference_score   integer NOT NULL,
    active            boolean NOT NULL,
    created_by        text NOT NULL,
    created_at        timestamp NOT NULL,
    updated_at        timestamp NOT NULL,
    version           integer NOT NULL DEFAULT 1,
    UNIQUE (org_id, submission_id)
);

CREATE TABLE hiring_test_tasks (
    id              text PRIMARY KEY,
    org_id          text NOT NULL REFERENCES orgs (id),
    application_id  text NOT NULL REFERENCES hiring_applications (id),
    candidate_id    text NOT NULL REFERENCES hiring_candidates (id),
    token_hash      text NOT NULL UNIQUE,
    item_ids        text NOT NULL,
    status          text NOT NULL CHECK (status IN ('issued', 'submitted', 'revoked')),
    expires_at      timestamp NOT NULL,
    issued_by       text NOT NULL,
    issued_at       timestamp NOT NULL,
    submitted_at    timestamp,
    matches         integer,
    answered        integer,
    deviation_sum   integer,
    max_score_sum   integer,
    version         integer NOT NULL DEFAULT 1
);
CREATE INDEX hiring_test_tasks_app_idx ON hiring_test_tasks (org_id, application_id, id);
CREATE UNIQUE INDEX hiring_test_tasks_one_open ON hiring_test_tasks (application_id) WHERE status = 'issued';

-- A candidate's answers, with the reference they were scored against at
-- submission: evidence, never changed.
CREATE TABLE hiring_test_answers (
    id                text PRIMARY KEY,
    org_id            text NOT NULL REFERENCES orgs (id),
    task_id           text NOT NULL REFERENCES hiring_test_tasks (id),
    item_id           text NOT NULL REFERENCES hiring_calibration_items (id),
    position          integer NOT NULL,
    verdict           text NOT NULL,
    score             integer NOT NULL,
    comment           text NOT NULL,
    reference_verdict text NOT NULL,
    reference_score   integer NOT NULL,
    max_score         integer NOT NULL,
    created_at        timestamp NOT NULL,
    UNIQUE (task_id, item_id)
);
CREATE TRIGGER hiring_test_answers_no_update BEFORE UPDATE ON hiring_test_answers
BEGIN
    SELECT RAISE(ABORT, 'hiring: test answers are append-only');
END;
CREATE TRIGGER hiring_test_answers_no_delete BEFORE DELETE ON hiring_test_answers
BEGIN
    SELECT RAISE(ABORT, 'hiring: test answers are append-only');
END;

CREATE TABLE hiring_scorecards (
    id             text PRIMARY KEY,
    org_id         text NOT NULL REFERENCES orgs (id),
    application_id text NOT NULL REFERENCES hiring_applications (id),
    interviewer_id text NOT NULL,
    criteria       text NOT NULL,
    weighted_sum   integer NOT NULL,
    weight_total   integer NOT NULL,
    recommendation text NOT NULL CHECK (recommendation IN ('hire', 'no_hire', 'undecided')),
    notes          text NOT NULL,
    created_at     timestamp NOT NULL,
    updated_at     timestamp NOT NULL,
    version        integer NOT NULL DEFAULT 1,
    UNIQUE (application_id, interviewer_id)
);

CREATE TABLE hiring_offers (
    id                   text PRIMARY KEY,
    org_id               text NOT NULL REFERENCES orgs (id),
    application_id       text NOT NULL REFERENCES hiring_applications (id),
    candidate_id         text NOT NULL REFERENCES hiring_candidates (id),
    vacancy_id           text NOT NULL REFERENCES hiring_vacancies (id),
    start_date           text NOT NULL,
    pay_scheme           text NOT NULL,
    monthly_base_kopecks bigint,
    mentor_id            text,
    status               text NOT NULL CHECK (status IN ('sent', 'accepted', 'declined', 'withdrawn')),
    token_hash           text NOT NULL UNIQUE,
    expires_at           timestamp NOT NULL,
    created_by           text NOT NULL,
    created_at           timestamp NOT NULL,
    decided_at           timestamp,
    user_id              text,
    plan_id              text,
    version              integer NOT NULL DEFAULT 1
);
CREATE INDEX hiring_offers_org_idx ON hiring_offers (org_id, id);
CREATE UNIQUE INDEX hiring_offers_one_open ON hiring_offers (application_id) WHERE status = 'sent';
-- An offer's terms are what the candidate accepted: never rewritten.
CREATE TRIGGER hiring_offers_terms_fixed BEFORE UPDATE OF start_date, pay_scheme, monthly_base_kopecks, application_id, candidate_id ON hiring_offers
BEGIN
    SELECT RAISE(ABORT, 'hiring: an offer''s terms cannot be changed');
END;
CREATE TRIGGER hiring_offers_kept BEFORE DELETE ON hiring_offers
BEGIN
    SELECT RAISE(ABORT, 'hiring: offers cannot be deleted');
END;
