DROP INDEX homework_quality_checks_curator_idx;
ALTER TABLE homework_settings ADD COLUMN probation_curator_ids text NOT NULL DEFAULT '';
DROP TABLE onboarding_recognitions;
DROP TABLE onboarding_completions;
DROP TABLE onboarding_plan_items;
DROP TABLE onboarding_plans;
DROP TABLE onboarding_templates;
