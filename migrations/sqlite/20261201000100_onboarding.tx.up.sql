-- Onboarding: a template of typed items per role, one plan per newcomer
-- copied from it, append-only completions of the plan's items, reminders
-- of overdue items, and thanks and certificates on curators' profiles.
-- Whether a newcomer may take students now comes from the plan, so the
-- hand-kept probation list of the homework settings goes.

CREATE TABLE onboarding_templates (
    id         text PRIMARY KEY,
    org_id     text NOT NULL REFERENCES orgs (id),
    role       text NOT NULL,
    title      text NOT NULL,
    items      text NOT NULL,
    created_at timestamp NOT NULL,
    updated_at timestamp NOT NULL,
    version    bigint NOT NULL DEFAULT 1,
    UNIQUE (org_id, role)
);

CREATE TABLE onboarding_plans (
    id                text PRIMARY KEY,
    org_id            text NOT NULL REFERENCES orgs (id),
    user_id           text NOT NULL REFERENCES users (id),
    role              text NOT NULL,
    template_id       text NOT NULL REFERENCES onboarding_templates (id),
    mentor_id         text REFERENCES users (id),
    start_date        timestamp NOT NULL,
    activated_at      timestamp,
    activation        text CHECK (activation IN ('completed', 'early')),
    activation_reason text NOT NULL DEFAULT '',
    activated_by      text NOT NULL DEFAULT '',
    created_by        text NOT NULL DEFAULT '',
    created_at        timestamp NOT NULL,
    updated_at        timestamp NOT NULL,
    version           bigint NOT NULL DEFAULT 1,
    UNIQUE (org_id, user_id)
);
CREATE INDEX onboarding_plans_org_idx ON onboarding_plans (org_id, id);
CREATE INDEX onboarding_plans_mentor_idx ON onboarding_plans (org_id, mentor_id);

CREATE TABLE onboarding_plan_items (
    id                  text PRIMARY KEY,
    org_id              text NOT NULL REFERENCES orgs (id),
    plan_id             text NOT NULL REFERENCES onboarding_plans (id),
    position            integer NOT NULL,
    key                 text NOT NULL,
    title               text NOT NULL,
    description         text NOT NULL DEFAULT '',
    kind                text NOT NULL CHECK (kind IN ('read_regulation', 'pass_quiz', 'shadow', 'supervised_reviews', 'sign_document', 'task')),
    assignee            text NOT NULL CHECK (assignee IN ('newcomer', 'mentor', 'hr')),
    day_offset          integer NOT NULL,
    due_at              timestamp NOT NULL,
    weight              integer NOT NULL,
    required            boolean NOT NULL,
    article_id          text,
    review_count        integer NOT NULL DEFAULT 0,
    min_quality_percent integer NOT NULL DEFAULT 0,
    reminded_at         timestamp,
    UNIQUE (plan_id, key)
);
CREATE INDEX onboarding_plan_items_plan_idx ON onboarding_plan_items (org_id, plan_id, position);
CREATE INDEX onboarding_plan_items_due_idx ON onboarding_plan_items (org_id, due_at);

-- A completion is a fact (who confirmed what, when, or which source fact
-- completed it): it is only ever inserted.
CREATE TABLE onboarding_completions (
    id        text PRIMARY KEY,
    org_id    text NOT NULL REFERENCES orgs (id),
    plan_id   text NOT NULL REFERENCES onboarding_plans (id),
    item_id   text NOT NULL UNIQUE REFERENCES onboarding_plan_items (id),
    done_at   timestamp NOT NULL,
    done_by   text NOT NULL,
    source    text NOT NULL,
    note      text NOT NULL DEFAULT '',
    created_at timestamp NOT NULL
);
CREATE INDEX onboarding_completions_plan_idx ON onboarding_completions (org_id, plan_id);
CREATE TRIGGER onboarding_completions_no_update BEFORE UPDATE ON onboarding_completions
BEGIN
    SELECT RAISE(ABORT, 'onboarding: completions are append-only');
END;
CREATE TRIGGER onboarding_completions_no_delete BEFORE DELETE ON onboarding_completions
BEGIN
    SELECT RAISE(ABORT, 'onboarding: completions are append-only');
END;

CREATE TABLE onboarding_recognitions (
    id         text PRIMARY KEY,
    org_id     text NOT NULL REFERENCES orgs (id),
    user_id    text NOT NULL REFERENCES users (id),
    kind       text NOT NULL CHECK (kind IN ('thanks', 'certificate')),
    title      text NOT NULL,
    text       text NOT NULL DEFAULT '',
    awarded_by text NOT NULL,
    awarded_at timestamp NOT NULL
);
CREATE INDEX onboarding_recognitions_user_idx ON onboarding_recognitions (org_id, user_id, id);

ALTER TABLE homework_settings DROP COLUMN probation_curator_ids;
-- Supervised reviews count the quality checks of one newcomer's reviews.
CREATE INDEX homework_quality_checks_curator_idx ON homework_quality_checks (org_id, curator_id, created_at);
