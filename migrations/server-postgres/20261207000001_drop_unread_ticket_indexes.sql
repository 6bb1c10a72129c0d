-- Helpdeck server schema 17 (postgres). Kept in step with ../server-sqlite (a test compares them).
-- No query reads these: customers' pulls follow public_seq (tickets_requester_public,
-- tickets_org_public, which also serve every lookup by requester or organization), staff
-- pulls follow server_seq alone. Each ticket write still rewrote both entries (server_seq
-- changes with every write).
DROP INDEX tickets_requester;
DROP INDEX tickets_org;
