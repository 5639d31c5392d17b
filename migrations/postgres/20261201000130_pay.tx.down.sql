DROP TABLE pay_assignments;
DROP TABLE pay_scheme_versions;
DROP TABLE pay_schemes;
