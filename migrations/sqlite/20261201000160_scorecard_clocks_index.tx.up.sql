-- The response clocks of a scorecard period (~75,000 at a large school's
-- 90 days): covering, so the wide clock rows are not read (see
-- docs/benchmarks.md, "Service scorecard").
DROP INDEX sla_clocks_started_idx;
-- (SQLite has no INCLUDE: the columns follow the key.)
CREATE INDEX sla_clocks_started_idx ON sla_clocks
    (org_id, started_at, status, curator_id, cohort_id, course_id, breached, due_at, business_seconds);
