DROP INDEX case_requests_expiry_idx;
DROP INDEX order_refunds_refunded_idx;
DROP INDEX orders_paid_idx;
DROP INDEX homework_submissions_reviewed_idx;
CREATE INDEX homework_submissions_reviewed_idx ON homework_submissions (org_id, reviewed_at);
DROP INDEX homework_submissions_module_idx;
