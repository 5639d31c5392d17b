-- Indexes for the reads a month's pay is calculated from (modules/pay's
-- facts) at the size of a large school: a million review verdicts a month.
-- The verdicts given in a month; the quality checks of the reviews made in
-- it go through the same index.
CREATE INDEX homework_reviews_created_idx ON homework_reviews (org_id, created_at);
-- Whether a quality reviewer overturned a verdict: overturns are few, so
-- only their rows are indexed.
CREATE INDEX homework_reviews_overturns_idx ON homework_reviews (overturns_review_id)
    WHERE overturns_review_id IS NOT NULL;
