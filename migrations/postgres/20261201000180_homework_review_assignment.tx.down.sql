ALTER TABLE homework_reviews DROP COLUMN assignment_id, DROP COLUMN attempt;
