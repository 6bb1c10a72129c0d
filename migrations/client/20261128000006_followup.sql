-- Satisfaction follow-up (spec §3.1, issue 11): the callback a rating of 1-2 opens, as JSON
-- (core::followup::FollowUp). NULL for every ticket without one; the partial index finds
-- the few that have one for `followup list` and the Follow-ups queue.
ALTER TABLE tickets ADD COLUMN followup TEXT;
CREATE INDEX tickets_followup ON tickets (id) WHERE followup IS NOT NULL;
