DROP TABLE sla_clocks;
DROP TABLE sla_policy_versions;
DROP TABLE sla_policies;
DROP TABLE sla_messages;
DROP TABLE sla_conversations;
DROP TABLE sla_settings;
