-- Helpdeck server schema 5 (postgres). Kept in step with the other backend (a test compares them).
--
-- The SLA policy and its business calendar are workspace rules: every replica receives them
-- on each pull page and times tickets by them. NULL = the defaults of spec §4 (the calendar:
-- Mon–Fri 09:00–17:00 in the workspace's time zone).
ALTER TABLE server_meta ADD COLUMN sla_policy TEXT;
ALTER TABLE server_meta ADD COLUMN sla_calendar TEXT;
