-- Assignment rules (issue 13). On a local workspace this device routes new tickets itself:
-- the ordered rules live with the workspace rules, agents have skills and an availability
-- (away, optionally until a time), and each round-robin rule keeps whose turn was last. A
-- replica keeps the rules it pulls (to list them); its server routes.
ALTER TABLE workspace ADD COLUMN assignment_rules TEXT NOT NULL DEFAULT '[]';
ALTER TABLE users ADD COLUMN skills TEXT NOT NULL DEFAULT '[]';
ALTER TABLE users ADD COLUMN away INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN away_until INTEGER;
CREATE TABLE routing_turns (
    rule_id    TEXT PRIMARY KEY,
    last_email TEXT NOT NULL
);
