-- A verdict keeps the assignment and the attempt of the submission it
-- judges (neither ever changes), so that a month's verdicts are counted
-- for pay from their own rows (see the PostgreSQL migration). SQLite adds
-- a NOT NULL column only with a default; every row is filled below and
-- every new verdict carries both.
ALTER TABLE homework_reviews ADD COLUMN assignment_id text NOT NULL DEFAULT '';
ALTER TABLE homework_reviews ADD COLUMN attempt integer NOT NULL DEFAULT 1;
UPDATE homework_reviews SET
    assignment_id = (SELECT s.assignment_id FROM homework_submissions AS s WHERE s.id = homework_reviews.submission_id),
    attempt = (SELECT s.attempt FROM homework_submissions AS s WHERE s.id = homework_reviews.submission_id);
