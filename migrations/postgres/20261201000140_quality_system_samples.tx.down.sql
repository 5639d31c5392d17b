-- Back to created_by NOT NULL; refused while a sample drawn by the daily
-- pass (created_by NULL) exists.
ALTER TABLE quality_assignments ALTER COLUMN created_by SET NOT NULL;
ALTER TABLE quality_sample_runs ALTER COLUMN created_by SET NOT NULL;
