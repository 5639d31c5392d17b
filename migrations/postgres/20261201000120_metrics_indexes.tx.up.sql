-- Indexes for the service scorecard at the size of a large school (see
-- docs/benchmarks.md, "Service scorecard") and for the case-request
-- expiry pass.
-- Completion of module N: the students who handed in a module's homework.
CREATE INDEX homework_submissions_module_idx ON homework_submissions (org_id, module_id, student_id);
-- Review facts of a period: covering, so the wide submission rows are not read.
DROP INDEX homework_submissions_reviewed_idx;
CREATE INDEX homework_submissions_reviewed_idx ON homework_submissions (org_id, reviewed_at)
    INCLUDE (reviewed_by, cohort_id, course_id, due_at, review_seconds);
-- The ledger of a period: who paid in it, which orders were refunded in it.
CREATE INDEX orders_paid_idx ON orders (org_id, paid_at);
CREATE INDEX order_refunds_refunded_idx ON order_refunds (org_id, refunded_at);
-- Open case requests by expiry, for the background expiry pass.
CREATE INDEX case_requests_expiry_idx ON case_requests (expires_at, id) WHERE status IN ('created', 'sent', 'opened');
