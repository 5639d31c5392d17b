DROP TABLE survey_answer_tags;
DROP TABLE survey_answers;
DROP TABLE surveys;
