DROP TABLE webhook_deliveries;
DROP TABLE outbox_events;
DROP TABLE webhook_endpoints;
DROP TABLE integration_inbox;
DROP TABLE integration_settings;
