-- Knowledge base of regulations: articles with immutable published
-- revisions, required reading with append-only acknowledgments, quizzes,
-- overdue reminders, answer templates and a full-text index.

CREATE TABLE kb_categories (
    id          text PRIMARY KEY,
    org_id      text NOT NULL REFERENCES orgs (id),
    key         text NOT NULL,
    name        text NOT NULL,
    created_by  text NOT NULL DEFAULT '',
    created_at  timestamp NOT NULL,
    UNIQUE (org_id, key)
);

CREATE TABLE kb_articles (
    id                  text PRIMARY KEY,
    org_id              text NOT NULL REFERENCES orgs (id),
    category            text NOT NULL,
    status              text NOT NULL CHECK (status IN ('draft', 'published', 'archived')),
    title               text NOT NULL,
    audience_roles      text NOT NULL DEFAULT '',
    required_roles      text NOT NULL DEFAULT '',
    cohort_ids          text NOT NULL DEFAULT '',
    course_ids          text NOT NULL DEFAULT '',
    due_days            integer NOT NULL,
    due_from            text NOT NULL CHECK (due_from IN ('publication', 'joining')),
    quiz                text,
    current_revision_id text,
    ack_revision_id     text,
    draft_revision_id   text,
    created_by          text NOT NULL DEFAULT '',
    created_at          timestamp NOT NULL,
    updated_at          timestamp NOT NULL,
    published_at        timestamp,
    archived_at         timestamp,
    version             integer NOT NULL DEFAULT 1
);
CREATE INDEX kb_articles_org_idx ON kb_articles (org_id, id);
CREATE INDEX kb_articles_org_status_idx ON kb_articles (org_id, status, id);

-- A revision is a draft until it is published; from then on its content
-- never changes (the triggers refuse it even to code that forgets).
CREATE TABLE kb_revisions (
    id              text PRIMARY KEY,
    org_id          text NOT NULL REFERENCES orgs (id),
    article_id      text NOT NULL REFERENCES kb_articles (id),
    number          integer NOT NULL,
    status          text NOT NULL CHECK (status IN ('draft', 'published')),
    change_kind     text CHECK (change_kind IN ('major', 'minor')),
    title           text NOT NULL,
    body            text NOT NULL,
    content_sha256  text NOT NULL,
    ack_revision_id text,
    created_by      text NOT NULL DEFAULT '',
    created_at      timestamp NOT NULL,
    updated_at      timestamp NOT NULL,
    published_by    text,
    published_at    timestamp,
    UNIQUE (article_id, number)
);
CREATE UNIQUE INDEX kb_revisions_one_draft_idx ON kb_revisions (article_id) WHERE status = 'draft';
CREATE INDEX kb_revisions_org_idx ON kb_revisions (org_id, article_id, number);
CREATE TRIGGER kb_revisions_published_immutable BEFORE UPDATE ON kb_revisions
WHEN OLD.status = 'published'
BEGIN
    SELECT RAISE(ABORT, 'kb: a published revision cannot be changed');
END;
CREATE TRIGGER kb_revisions_published_kept BEFORE DELETE ON kb_revisions
WHEN OLD.status = 'published'
BEGIN
    SELECT RAISE(ABORT, 'kb: a published revision cannot be deleted');
END;

-- Quiz attempts and acknowledgments are evidence: inserted, never changed.
CREATE TABLE kb_quiz_attempts (
    id             text PRIMARY KEY,
    org_id         text NOT NULL REFERENCES orgs (id),
    article_id     text NOT NULL REFERENCES kb_articles (id),
    revision_id    text NOT NULL REFERENCES kb_revisions (id),
    user_id        text NOT NULL REFERENCES users (id),
    answers        text NOT NULL,
    correct        integer NOT NULL,
    total          integer NOT NULL,
    score_percent  integer NOT NULL,
    pass_mark      integer NOT NULL,
    passed         boolean NOT NULL,
    created_at     timestamp NOT NULL
);
CREATE INDEX kb_quiz_attempts_user_idx ON kb_quiz_attempts (org_id, user_id, revision_id, id);
CREATE TRIGGER kb_quiz_attempts_no_update BEFORE UPDATE ON kb_quiz_attempts
BEGIN
    SELECT RAISE(ABORT, 'kb: quiz attempts are append-only');
END;
CREATE TRIGGER kb_quiz_attempts_no_delete BEFORE DELETE ON kb_quiz_attempts
BEGIN
    SELECT RAISE(ABORT, 'kb: quiz attempts are append-only');
END;

CREATE TABLE kb_acknowledgments (
    id              text PRIMARY KEY,
    org_id          text NOT NULL REFERENCES orgs (id),
    article_id      text NOT NULL REFERENCES kb_articles (id),
    revision_id     text NOT NULL REFERENCES kb_revisions (id),
    ack_revision_id text NOT NULL REFERENCES kb_revisions (id),
    user_id         text NOT NULL REFERENCES users (id),
    acknowledged_at timestamp NOT NULL,
    ip              text NOT NULL DEFAULT '',
    user_agent      text NOT NULL DEFAULT '',
    content_sha256  text NOT NULL,
    quiz_attempt_id text REFERENCES kb_quiz_attempts (id),
    UNIQUE (org_id, user_id, ack_revision_id)
);
CREATE INDEX kb_acknowledgments_org_idx ON kb_acknowledgments (org_id, id);
CREATE INDEX kb_acknowledgments_revision_idx ON kb_acknowledgments (org_id, ack_revision_id);
CREATE TRIGGER kb_acknowledgments_no_update BEFORE UPDATE ON kb_acknowledgments
BEGIN
    SELECT RAISE(ABORT, 'kb: acknowledgments are append-only');
END;
CREATE TRIGGER kb_acknowledgments_no_delete BEFORE DELETE ON kb_acknowledgments
BEGIN
    SELECT RAISE(ABORT, 'kb: acknowledgments are append-only');
END;

-- One reminder per person and required revision, so that emitting twice
-- sends nothing twice; the rows also keep the events for replay.
CREATE TABLE kb_reading_reminders (
    id           text PRIMARY KEY,
    org_id       text NOT NULL REFERENCES orgs (id),
    article_id   text NOT NULL REFERENCES kb_articles (id),
    revision_id  text NOT NULL REFERENCES kb_revisions (id),
    user_id      text NOT NULL REFERENCES users (id),
    due_at       timestamp NOT NULL,
    reminded_at  timestamp NOT NULL,
    UNIQUE (user_id, revision_id)
);
CREATE INDEX kb_reading_reminders_org_idx ON kb_reading_reminders (org_id, id);

CREATE TABLE kb_templates (
    id           text PRIMARY KEY,
    org_id       text NOT NULL REFERENCES orgs (id),
    category     text NOT NULL,
    title        text NOT NULL,
    body         text NOT NULL,
    usage_count  integer NOT NULL DEFAULT 0,
    last_used_at timestamp,
    created_by   text NOT NULL DEFAULT '',
    created_at   timestamp NOT NULL,
    updated_at   timestamp NOT NULL,
    version      integer NOT NULL DEFAULT 1
);
CREATE INDEX kb_templates_org_idx ON kb_templates (org_id, id);

-- The text a search finds an article by: its published revision, or its
-- draft while it has never been published. kb_search_fts holds the same
-- text stemmed in Go (Russian Snowball), under rowid = doc_id, and in
-- scope the article's school, status, category and audience as tokens
-- (org_…, status_…), so that a search filters inside the index instead of
-- looking up every matching article.
CREATE TABLE kb_search (
    doc_id      integer PRIMARY KEY,
    article_id  text NOT NULL UNIQUE REFERENCES kb_articles (id),
    org_id      text NOT NULL REFERENCES orgs (id),
    title       text NOT NULL,
    body        text NOT NULL
);
CREATE INDEX kb_search_org_idx ON kb_search (org_id);
CREATE VIRTUAL TABLE kb_search_fts USING fts5(scope, title, body,
    tokenize = "unicode61 remove_diacritics 0 tokenchars '_'");
