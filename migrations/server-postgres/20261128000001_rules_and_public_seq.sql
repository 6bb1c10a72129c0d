-- Helpdeck server schema 2 (postgres). Kept in step with ../server-sqlite (a test compares them).
--
-- Workspace rules are server state that syncs to every replica (categories, reopen window,
-- auto-close), decided by the one rule engine on both sides.
ALTER TABLE server_meta ADD COLUMN categories TEXT NOT NULL
    DEFAULT '["hardware","software","network","account_access","other"]';
ALTER TABLE server_meta ADD COLUMN reopen_window_days BIGINT NOT NULL DEFAULT 14;
ALTER TABLE server_meta ADD COLUMN auto_close_days BIGINT NOT NULL DEFAULT 3;

-- The position of a ticket's latest change a customer can see. Internal notes and
-- agent-only fields move server_seq only, so they never re-send a ticket to its customer
-- (which would reveal internal activity and its timing). Customers pull by public_seq.
ALTER TABLE tickets ADD COLUMN public_seq BIGINT;
UPDATE tickets SET public_seq = server_seq;
CREATE INDEX tickets_requester_public ON tickets (requester_id, public_seq);
CREATE INDEX tickets_org_public ON tickets (organization_id, public_seq);

-- When a ticket still resolved was resolved (ms; NULL otherwise): server jobs find the
-- tickets due for auto-close with an index range instead of reading every document.
ALTER TABLE tickets ADD COLUMN resolved_at BIGINT;
UPDATE tickets SET resolved_at =
    (extract(epoch FROM ((doc::json -> 'ticket' ->> 'resolved_at')::timestamptz)) * 1000)::BIGINT
    WHERE doc::json -> 'ticket' ->> 'status' = 'resolved';
CREATE INDEX tickets_resolved ON tickets (resolved_at);
