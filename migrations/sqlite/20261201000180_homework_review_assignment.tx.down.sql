ALTER TABLE homework_reviews DROP COLUMN assignment_id;
ALTER TABLE homework_reviews DROP COLUMN attempt;
