DROP INDEX sla_clocks_started_idx;
CREATE INDEX sla_clocks_started_idx ON sla_clocks (org_id, started_at);
