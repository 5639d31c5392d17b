-- Knowledge base of regulations: articles with immutable published
-- revisions, required reading with append-only acknowledgments, quizzes,
-- overdue reminders, answer templates and a full-text index.

CREATE TABLE kb_categories (
    id          uuid PRIMARY KEY,
    org_id      uuid NOT NULL REFERENCES orgs (id),
    key         text NOT NULL,
    name        text NOT NULL,
    created_by  text NOT NULL DEFAULT '',
    created_at  timestamptz NOT NULL,
    UNIQUE (org_id, key)
);

CREATE TABLE kb_articles (
    id                  uuid PRIMARY KEY,
    org_id              uuid NOT NULL REFERENCES orgs (id),
    category            text NOT NULL,
    status              text NOT NULL CHECK (status IN ('draft', 'published', 'archived')),
    title               text NOT NULL,
    audience_roles      text NOT NULL DEFAULT '',
    required_roles      text NOT NULL DEFAULT '',
    cohort_ids          text NOT NULL DEFAULT '',
    course_ids          text NOT NULL DEFAULT '',
    due_days            integer NOT NULL,
    due_from            text NOT NULL CHECK (due_from IN ('publication', 'joining')),
    quiz                jsonb,
    current_revision_id uuid,
    ack_revision_id     uuid,
    draft_revision_id   uuid,
    created_by          text NOT NULL DEFAULT '',
    created_at          timestamptz NOT NULL,
    updated_at          timestamptz NOT NULL,
    published_at        timestamptz,
    archived_at         timestamptz,
    version             bigint NOT NULL DEFAULT 1
);
CREATE INDEX kb_articles_org_idx ON kb_articles (org_id, id);
CREATE INDEX kb_articles_org_status_idx ON kb_articles (org_id, status, id);

-- A revision is a draft until it is published; from then on its content
-- never changes (the triggers refuse it even to code that forgets).
CREATE TABLE kb_revisions (
    id              uuid PRIMARY KEY,
    org_id          uuid NOT NULL REFERENCES orgs (id),
    article_id      uuid NOT NULL REFERENCES kb_articles (id),
    number          integer NOT NULL,
    status          text NOT NULL CHECK (status IN ('draft', 'published')),
    change_kind     text CHECK (change_kind IN ('major', 'minor')),
    title           text NOT NULL,
    body            text NOT NULL,
    content_sha256  text NOT NULL,
    ack_revision_id uuid,
    created_by      text NOT NULL DEFAULT '',
    created_at      timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL,
    published_by    text,
    published_at    timestamptz,
    UNIQUE (article_id, number)
);
CREATE UNIQUE INDEX kb_revisions_one_draft_idx ON kb_revisions (article_id) WHERE status = 'draft';
CREATE INDEX kb_revisions_org_idx ON kb_revisions (org_id, article_id, number);

CREATE FUNCTION kb_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'kb: % rows are append-only or immutable (%)', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'restrict_violation';
END;
$$;
CREATE TRIGGER kb_revisions_published_immutable BEFORE UPDATE OR DELETE ON kb_revisions
    FOR EACH ROW WHEN (OLD.status = 'published') EXECUTE FUNCTION kb_refuse_change();

-- Quiz attempts and acknowledgments are evidence: inserted, never changed.
CREATE TABLE kb_quiz_attempts (
    id             uuid PRIMARY KEY,
    org_id         uuid NOT NULL REFERENCES orgs (id),
    article_id     uuid NOT NULL REFERENCES kb_articles (id),
    revision_id    uuid NOT NULL REFERENCES kb_revisions (id),
    user_id        uuid NOT NULL REFERENCES users (id),
    answers        jsonb NOT NULL,
    correct        integer NOT NULL,
    total          integer NOT NULL,
    score_percent  integer NOT NULL,
    pass_mark      integer NOT NULL,
    passed         boolean NOT NULL,
    created_at     timestamptz NOT NULL
);
CREATE INDEX kb_quiz_attempts_user_idx ON kb_quiz_attempts (org_id, user_id, revision_id, id);
CREATE TRIGGER kb_quiz_attempts_append_only BEFORE UPDATE OR DELETE ON kb_quiz_attempts
    FOR EACH ROW EXECUTE FUNCTION kb_refuse_change();

CREATE TABLE kb_acknowledgments (
    id              uuid PRIMARY KEY,
    org_id          uuid NOT NULL REFERENCES orgs (id),
    article_id      uuid NOT NULL REFERENCES kb_articles (id),
    revision_id     uuid NOT NULL REFERENCES kb_revisions (id),
    ack_revision_id uuid NOT NULL REFERENCES kb_revisions (id),
    user_id         uuid NOT NULL REFERENCES users (id),
    acknowledged_at timestamptz NOT NULL,
    ip              text NOT NULL DEFAULT '',
    user_agent      text NOT NULL DEFAULT '',
    content_sha256  text NOT NULL,
    quiz_attempt_id uuid REFERENCES kb_quiz_attempts (id),
    UNIQUE (org_id, user_id, ack_revision_id)
);
CREATE INDEX kb_acknowledgments_org_idx ON kb_acknowledgments (org_id, id);
CREATE INDEX kb_acknowledgments_revision_idx ON kb_acknowledgments (org_id, ack_revision_id);
CREATE TRIGGER kb_acknowledgments_append_only BEFORE UPDATE OR DELETE ON kb_acknowledgments
    FOR EACH ROW EXECUTE FUNCTION kb_refuse_change();

-- One reminder per person and required revision, so that emitting twice
-- sends nothing twice; the rows also keep the events for replay.
CREATE TABLE kb_reading_reminders (
    id           uuid PRIMARY KEY,
    org_id       uuid NOT NULL REFERENCES orgs (id),
    article_id   uuid NOT NULL REFERENCES kb_articles (id),
    revision_id  uuid NOT NULL REFERENCES kb_revisions (id),
    user_id      uuid NOT NULL REFERENCES users (id),
    due_at       timestamptz NOT NULL,
    reminded_at  timestamptz NOT NULL,
    UNIQUE (user_id, revision_id)
);
CREATE INDEX kb_reading_reminders_org_idx ON kb_reading_reminders (org_id, id);

CREATE TABLE kb_templates (
    id           uuid PRIMARY KEY,
    org_id       uuid NOT NULL REFERENCES orgs (id),
    category     text NOT NULL,
    title        text NOT NULL,
    body         text NOT NULL,
    usage_count  bigint NOT NULL DEFAULT 0,
    last_used_at timestamptz,
    created_by   text NOT NULL DEFAULT '',
    created_at   timestamptz NOT NULL,
    updated_at   timestamptz NOT NULL,
    version      bigint NOT NULL DEFAULT 1
);
CREATE INDEX kb_templates_org_idx ON kb_templates (org_id, id);

-- Russian search. The stock russian configuration drops about 150 stop
-- words, among them "еще", "нельзя", "можно" and "нет", which carry the
-- meaning of a regulation; kb_russian is russian with the same Snowball
-- stemmers and no stop-word lists. Text reaches it lower-cased with ё
-- folded to е by the application, so the cluster's locale does not matter.
CREATE TEXT SEARCH DICTIONARY kb_russian_stem (TEMPLATE = snowball, Language = russian);
CREATE TEXT SEARCH DICTIONARY kb_english_stem (TEMPLATE = snowball, Language = english);
CREATE TEXT SEARCH CONFIGURATION kb_russian (COPY = russian);
ALTER TEXT SEARCH CONFIGURATION kb_russian
    ALTER MAPPING FOR word, hword, hword_part WITH kb_russian_stem;
ALTER TEXT SEARCH CONFIGURATION kb_russian
    ALTER MAPPING FOR asciiword, asciihword, hword_asciipart WITH kb_english_stem;

-- The text a search finds an article by: its published revision, or its
-- draft while it has never been published. body_folded is body lower-cased
-- with ё folded and punctuation blanked, rune for rune, so that highlights
-- found in it map back onto body.
CREATE TABLE kb_search (
    article_id  uuid PRIMARY KEY REFERENCES kb_articles (id),
    org_id      uuid NOT NULL REFERENCES orgs (id),
    title       text NOT NULL,
    body        text NOT NULL,
    body_folded text NOT NULL,
    tsv         tsvector NOT NULL
);
-- Ranking reads the tsvector of every match: keep it in the row (MAIN),
-- and let the bodies, read only for the page of results, move out of line
-- instead. Left to the default, long rows push the tsvector into TOAST and
-- a common word costs a TOAST lookup per article.
ALTER TABLE kb_search ALTER COLUMN tsv SET STORAGE MAIN;
CREATE INDEX kb_search_org_idx ON kb_search (org_id);
CREATE INDEX kb_search_tsv_idx ON kb_search USING gin (tsv);
