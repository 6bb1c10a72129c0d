-- Helpdeck server schema 10 (sqlite). Kept in step with ../server-postgres (a test compares them).
-- Escalation rules (issue 13): what happens on SLA events, kept with the workspace rules;
-- the server's jobs run them (each firing once: its op ids derive from the rule, the
-- target, the event and the due time).
ALTER TABLE server_meta ADD COLUMN escalation_rules TEXT NOT NULL DEFAULT '[]';
