-- Report facts (issue 16; core::report::ReportFacts, formulas in docs/metrics.md): what a
-- service report reads of each ticket, decided from the ticket's history by the SLA engine
-- when the ticket is written, so that a report aggregates rows and never replays history.
-- Times in ms, durations in seconds. `r_version` NULL: not computed yet (filled before a report).
ALTER TABLE tickets ADD COLUMN r_version INTEGER;
ALTER TABLE tickets ADD COLUMN r_first_reply_at INTEGER;
ALTER TABLE tickets ADD COLUMN r_frt_secs INTEGER;
ALTER TABLE tickets ADD COLUMN r_frt_bsecs INTEGER;
ALTER TABLE tickets ADD COLUMN r_done_at INTEGER;
ALTER TABLE tickets ADD COLUMN r_res_secs INTEGER;
ALTER TABLE tickets ADD COLUMN r_res_bsecs INTEGER;
ALTER TABLE tickets ADD COLUMN r_reopens INTEGER;
ALTER TABLE tickets ADD COLUMN r_public_replies INTEGER;
ALTER TABLE tickets ADD COLUMN r_frt_due INTEGER;
ALTER TABLE tickets ADD COLUMN r_frt_done INTEGER;
ALTER TABLE tickets ADD COLUMN r_res_due INTEGER;
ALTER TABLE tickets ADD COLUMN r_res_done INTEGER;
-- The periods a report counts by: created, resolved (the last resolve), targets due.
CREATE INDEX tickets_created ON tickets (created_at);
CREATE INDEX tickets_report_done ON tickets (r_done_at) WHERE r_done_at IS NOT NULL;
CREATE INDEX tickets_report_frt_due ON tickets (r_frt_due) WHERE r_frt_due IS NOT NULL;
CREATE INDEX tickets_report_res_due ON tickets (r_res_due) WHERE r_res_due IS NOT NULL;
-- The rows whose facts a report must compute first (normally none: every write path keeps
-- them; a policy or calendar change marks all).
CREATE INDEX tickets_report_missing ON tickets (seq) WHERE r_version IS NULL;
