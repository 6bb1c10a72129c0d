-- Helpdeck server schema 9 (sqlite). Kept in step with ../server-postgres (a test compares them).
-- Assignment rules (issue 13): the ordered rules live with the workspace rules; agents have
-- skills and an availability (away, optionally until a time); each round-robin rule keeps
-- whose turn was last; tickets carry their assignee and status as columns so least-loaded
-- counts open tickets per agent without reading documents. An organization has its customer
-- tier (strategic | standard), which rules may look at.
ALTER TABLE server_meta ADD COLUMN assignment_rules TEXT NOT NULL DEFAULT '[]';
ALTER TABLE organizations ADD COLUMN customer_tier TEXT NOT NULL DEFAULT 'standard';
ALTER TABLE users ADD COLUMN skills TEXT NOT NULL DEFAULT '[]';
ALTER TABLE users ADD COLUMN away BIGINT NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN away_until BIGINT;
ALTER TABLE tickets ADD COLUMN assignee_id TEXT;
ALTER TABLE tickets ADD COLUMN status TEXT;
UPDATE tickets SET assignee_id = json_extract(doc, '$.ticket.assignee_id'),
                   status = json_extract(doc, '$.ticket.status');
CREATE INDEX tickets_assignee_status ON tickets (assignee_id, status);
CREATE TABLE routing_turns (
    rule_id    TEXT PRIMARY KEY,
    last_email TEXT NOT NULL
);
