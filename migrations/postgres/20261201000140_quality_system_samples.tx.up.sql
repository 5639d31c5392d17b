-- A sample drawn by the daily background pass has no user as its creator:
-- created_by of sample runs and assignments may be NULL (the audit entry
-- names the pass).
ALTER TABLE quality_sample_runs ALTER COLUMN created_by DROP NOT NULL;
ALTER TABLE quality_assignments ALTER COLUMN created_by DROP NOT NULL;
