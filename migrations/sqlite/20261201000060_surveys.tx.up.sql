-- Surveys a school asks its students (CSI 1–5, NPS 0–10, free text),
-- attached to a moment of the course.
CREATE TABLE surveys (
    id          text PRIMARY KEY,
    org_id      text NOT NULL REFERENCES orgs (id),
    title       text NOT NULL,
    moment      text NOT NULL CHECK (moment IN ('module_end', 'course_end', 'after_conversation', 'ad_hoc')),
    course_id   text REFERENCES courses (id),
    questions   text NOT NULL,
    status      text NOT NULL CHECK (status IN ('active', 'archived')),
    created_at  timestamp NOT NULL,
    updated_at  timestamp NOT NULL,
    version     integer NOT NULL
);
CREATE INDEX surveys_org_idx ON surveys (org_id, id);

-- One row per question answered. Answers are evidence: inserted, never
-- changed, except that a student's erasure blanks the free text.
CREATE TABLE survey_answers (
    id             text PRIMARY KEY,
    org_id         text NOT NULL REFERENCES orgs (id),
    survey_id      text NOT NULL REFERENCES surveys (id),
    question_key   text NOT NULL,
    scale          text NOT NULL CHECK (scale IN ('csi', 'nps', 'text')),
    value          integer CHECK (value IS NULL OR (value >= 0 AND value <= 10)),
    comment        text,
    student_id     text NOT NULL REFERENCES students (id),
    enrollment_id  text NOT NULL REFERENCES enrollments (id),
    cohort_id      text NOT NULL REFERENCES cohorts (id),
    course_id      text NOT NULL REFERENCES courses (id),
    module_id      text,
    curator_id     text,
    moment_key     text NOT NULL,
    source         text NOT NULL,
    event_id       text,
    answered_at    timestamp NOT NULL,
    created_at     timestamp NOT NULL,
    created_by     text,
    UNIQUE (org_id, survey_id, student_id, moment_key, question_key)
);
CREATE INDEX survey_answers_answered_idx ON survey_answers (org_id, answered_at);
CREATE INDEX survey_answers_student_idx ON survey_answers (org_id, student_id, answered_at);
CREATE INDEX survey_answers_survey_idx ON survey_answers (org_id, survey_id, id);
CREATE TRIGGER survey_answers_no_delete BEFORE DELETE ON survey_answers
BEGIN
    SELECT RAISE(ABORT, 'surveys: answers are append-only');
END;
CREATE TRIGGER survey_answers_no_update BEFORE UPDATE ON survey_answers
WHEN NEW.comment IS NOT NULL
  OR NEW.id IS NOT OLD.id OR NEW.org_id IS NOT OLD.org_id OR NEW.survey_id IS NOT OLD.survey_id
  OR NEW.question_key IS NOT OLD.question_key OR NEW.scale IS NOT OLD.scale OR NEW.value IS NOT OLD.value
  OR NEW.student_id IS NOT OLD.student_id OR NEW.enrollment_id IS NOT OLD.enrollment_id
  OR NEW.cohort_id IS NOT OLD.cohort_id OR NEW.course_id IS NOT OLD.course_id OR NEW.module_id IS NOT OLD.module_id
  OR NEW.curator_id IS NOT OLD.curator_id OR NEW.moment_key IS NOT OLD.moment_key OR NEW.source IS NOT OLD.source
  OR NEW.event_id IS NOT OLD.event_id OR NEW.answered_at IS NOT OLD.answered_at OR NEW.created_at IS NOT OLD.created_at
  OR NEW.created_by IS NOT OLD.created_by
BEGIN
    SELECT RAISE(ABORT, 'surveys: answers are append-only; only erasure blanks a comment');
END;

-- Tags the head or a senior curator puts on an answer; the one mutable
-- thing about it.
CREATE TABLE survey_answer_tags (
    answer_id   text PRIMARY KEY REFERENCES survey_answers (id),
    org_id      text NOT NULL REFERENCES orgs (id),
    tags        text NOT NULL,
    updated_at  timestamp NOT NULL,
    updated_by  text,
    version     integer NOT NULL
);
