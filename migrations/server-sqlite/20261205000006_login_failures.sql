-- Helpdeck server schema 12 (sqlite). Kept in step with ../server-postgres (a test compares them).
-- Failed sign-ins (issue 14), shared by every server process on one database: one row per
-- failure and key — an account from one address, and an account from anywhere — the key a
-- SHA-256, never the email or address itself. Rows older than the window are deleted.
CREATE TABLE login_failures (
    key TEXT NOT NULL,
    at  BIGINT NOT NULL
);
CREATE INDEX login_failures_lookup ON login_failures (key, at);
CREATE INDEX login_failures_at ON login_failures (at);
