-- Back to created_by NOT NULL (see the up migration); a sample drawn by the
-- daily pass would then break the constraint, so its rows must go first.
PRAGMA writable_schema = ON;
UPDATE sqlite_schema SET sql = replace(sql, 'created_by  text,', 'created_by  text NOT NULL,')
WHERE type = 'table' AND name = 'quality_sample_runs';
UPDATE sqlite_schema SET sql = replace(sql, 'created_by      text,', 'created_by      text NOT NULL,')
WHERE type = 'table' AND name = 'quality_assignments';
PRAGMA writable_schema = RESET;
-- Any DDL moves the schema version on, so every open connection reads the
-- edited definitions before its next statement.
CREATE TABLE quality_schema_edit (x integer);
DROP TABLE quality_schema_edit;
