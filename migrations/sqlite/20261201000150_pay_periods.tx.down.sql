DROP TABLE pay_exports;
DROP TABLE pay_disputes;
DROP TABLE pay_line_sources;
DROP TABLE pay_lines;
DROP TABLE pay_statements;
DROP TABLE pay_period_transitions;
DROP TABLE pay_periods;
