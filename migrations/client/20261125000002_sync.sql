-- Sync with a Helpdeck server (spec §6). A workspace with a sync_state row is a replica of a
-- server workspace; without one it is a local workspace.

CREATE TABLE sync_state (
    singleton     INTEGER PRIMARY KEY CHECK (singleton = 1),
    server_url    TEXT NOT NULL,
    user_id       TEXT NOT NULL REFERENCES users(id),
    email         TEXT NOT NULL,
    cursor        INTEGER NOT NULL DEFAULT 0,   -- last applied server_seq
    last_sync_at  INTEGER,                      -- last successful push+pull
    last_error    TEXT,
    signed_out    INTEGER NOT NULL DEFAULT 0
);

-- Ops the server refused for good: out of the queue, kept for the user to see.
CREATE TABLE sync_rejections (
    op_id       TEXT PRIMARY KEY,
    entity_id   TEXT NOT NULL,
    op          TEXT NOT NULL,
    error       TEXT NOT NULL,
    rejected_at INTEGER NOT NULL
);

CREATE INDEX outbox_entity ON outbox (entity_id);

-- The audit trail stays append-only for every change made here; only a sync purge (a
-- ticket the user may no longer see, or a full resync) removes rows, and only while
-- sync_control.purging is set inside that transaction.
CREATE TABLE sync_control (
    singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
    purging   INTEGER NOT NULL DEFAULT 0
);
INSERT INTO sync_control (singleton, purging) VALUES (1, 0);

DROP TRIGGER events_append_only_delete;
CREATE TRIGGER events_append_only_delete BEFORE DELETE ON events
WHEN (SELECT purging FROM sync_control WHERE singleton = 1) = 0
BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
