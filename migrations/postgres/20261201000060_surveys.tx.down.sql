DROP TABLE survey_answer_tags;
DROP TABLE survey_answers;
DROP FUNCTION survey_answers_guard();
DROP TABLE surveys;
