-- Surveys a school asks its students (CSI 1–5, NPS 0–10, free text),
-- attached to a moment of the course.
CREATE TABLE surveys (
    id          uuid PRIMARY KEY,
    org_id      uuid NOT NULL REFERENCES orgs (id),
    title       text NOT NULL,
    moment      text NOT NULL CHECK (moment IN ('module_end', 'course_end', 'after_conversation', 'ad_hoc')),
    course_id   uuid REFERENCES courses (id),
    questions   jsonb NOT NULL,
    status      text NOT NULL CHECK (status IN ('active', 'archived')),
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL,
    version     bigint NOT NULL
);
CREATE INDEX surveys_org_idx ON surveys (org_id, id);

-- One row per question answered. Answers are evidence: inserted, never
-- changed, except that a student's erasure blanks the free text.
CREATE TABLE survey_answers (
    id             uuid PRIMARY KEY,
    org_id         uuid NOT NULL REFERENCES orgs (id),
    survey_id      uuid NOT NULL REFERENCES surveys (id),
    question_key   text NOT NULL,
    scale          text NOT NULL CHECK (scale IN ('csi', 'nps', 'text')),
    value          integer CHECK (value IS NULL OR (value >= 0 AND value <= 10)),
    comment        text,
    student_id     uuid NOT NULL REFERENCES students (id),
    enrollment_id  uuid NOT NULL REFERENCES enrollments (id),
    cohort_id      uuid NOT NULL REFERENCES cohorts (id),
    course_id      uuid NOT NULL REFERENCES courses (id),
    module_id      uuid,
    curator_id     uuid,
    moment_key     text NOT NULL,
    source         text NOT NULL,
    event_id       text,
    answered_at    timestamptz NOT NULL,
    created_at     timestamptz NOT NULL,
    created_by     uuid,
    UNIQUE (org_id, survey_id, student_id, moment_key, question_key)
);
CREATE INDEX survey_answers_answered_idx ON survey_answers (org_id, answered_at);
CREATE INDEX survey_answers_student_idx ON survey_answers (org_id, student_id, answered_at);
CREATE INDEX survey_answers_survey_idx ON survey_answers (org_id, survey_id, id);
CREATE FUNCTION survey_answers_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.comment IS NULL
       AND (to_jsonb(NEW) - 'comment') = (to_jsonb(OLD) - 'comment') THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'surveys: answers are append-only; only erasure blanks a comment (%)', TG_OP
        USING ERRCODE = 'restrict_violation';
END;
$$;
CREATE TRIGGER survey_answers_append_only BEFORE UPDATE OR DELETE ON survey_answers
    FOR EACH ROW EXECUTE FUNCTION survey_answers_guard();

-- Tags the head or a senior curator puts on an answer; the one mutable
-- thing about it.
CREATE TABLE survey_answer_tags (
    answer_id   uuid PRIMARY KEY REFERENCES survey_answers (id),
    org_id      uuid NOT NULL REFERENCES orgs (id),
    tags        jsonb NOT NULL,
    updated_at  timestamptz NOT NULL,
    updated_by  uuid,
    version     bigint NOT NULL
);
