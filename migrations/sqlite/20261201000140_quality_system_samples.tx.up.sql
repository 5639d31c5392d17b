-- A sample drawn by the daily background pass has no user as its creator:
-- created_by of sample runs and assignments may be NULL (the audit entry
-- names the pass). Dropping a NOT NULL constraint leaves the stored rows
-- as they are, so, as SQLite's documentation describes for such changes,
-- the tables' definitions are edited in place instead of rebuilding two
-- append-only tables that others refer to (a rebuild inside the migration's
-- transaction cannot switch foreign keys off).
PRAGMA writable_schema = ON;
UPDATE sqlite_schema SET sql = replace(sql, 'created_by  text NOT NULL,', 'created_by  text,')
WHERE type = 'table' AND name = 'quality_sample_runs';
UPDATE sqlite_schema SET sql = replace(sql, 'created_by      text NOT NULL,', 'created_by      text,')
WHERE type = 'table' AND name = 'quality_assignments';
PRAGMA writable_schema = RESET;
-- Any DDL moves the schema version on, so every open connection reads the
-- edited definitions before its next statement.
CREATE TABLE quality_schema_edit (x integer);
DROP TABLE quality_schema_edit;
