DROP TABLE homework_quality_checks;
DROP TABLE homework_reviews;
DROP TABLE homework_submissions;
DROP TABLE homework_settings;
