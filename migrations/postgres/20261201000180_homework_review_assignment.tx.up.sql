-- A verdict keeps the assignment and the attempt of the submission it
-- judges (neither ever changes), so that a month's verdicts are counted
-- for pay from their own rows: joining them to their submissions was most
-- of the time of a large school's pay calculation (docs/benchmarks.md,
-- "Curators' pay"), and would grow with the years of submissions kept.
ALTER TABLE homework_reviews ADD COLUMN assignment_id uuid, ADD COLUMN attempt integer;
UPDATE homework_reviews AS r SET assignment_id = s.assignment_id, attempt = s.attempt
    FROM homework_submissions AS s WHERE s.id = r.submission_id;
ALTER TABLE homework_reviews ALTER COLUMN assignment_id SET NOT NULL, ALTER COLUMN attempt SET NOT NULL;
