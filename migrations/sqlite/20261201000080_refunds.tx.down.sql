DROP TABLE refund_retention_attempts;
DROP TABLE refund_approvals;
DROP TABLE refund_history;
DROP TABLE refund_evidence;
DROP TABLE refund_requests;
DROP TABLE refund_terms;
DROP TABLE refund_settings;
