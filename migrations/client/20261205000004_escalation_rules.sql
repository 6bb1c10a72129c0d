-- Escalation rules (issue 13). A local workspace runs them in its jobs: the rules live with
-- the workspace rules, and each firing (rule, target, event, due time) is kept so it happens
-- once. A replica keeps the rules it pulls; its server runs them.
ALTER TABLE workspace ADD COLUMN escalation_rules TEXT NOT NULL DEFAULT '[]';
CREATE TABLE escalations_fired (
    key TEXT PRIMARY KEY,
    at  INTEGER NOT NULL
);
