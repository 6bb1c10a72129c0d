-- Helpdeck server schema 1 (SQLite). Kept in step with ../server-postgres: the same tables,
-- columns and meaning; only types differ. Times are milliseconds since the Unix epoch.

CREATE TABLE server_meta (
    singleton    INTEGER PRIMARY KEY CHECK (singleton = 1),
    workspace_id TEXT NOT NULL,
    name         TEXT NOT NULL,
    timezone     TEXT NOT NULL DEFAULT 'UTC',   -- IANA zone of the business calendar
    last_seq     INTEGER NOT NULL,   -- highest server_seq committed
    last_number  INTEGER NOT NULL    -- highest ticket number assigned
);

CREATE TABLE organizations (
    id   TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
);

CREATE TABLE teams (
    id   TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
);

CREATE TABLE users (
    id              TEXT PRIMARY KEY,
    email           TEXT NOT NULL UNIQUE,   -- stored lower-case
    name            TEXT NOT NULL,
    role            TEXT NOT NULL CHECK (role IN ('admin', 'agent', 'customer')),
    organization_id TEXT REFERENCES organizations(id),
    org_admin       INTEGER NOT NULL DEFAULT 0,
    team_id         TEXT REFERENCES teams(id),
    tier            TEXT,
    password_hash   TEXT NOT NULL,          -- argon2id PHC string
    epoch           INTEGER NOT NULL DEFAULT 0,  -- bumped when what the user may see changes
    created_at      INTEGER NOT NULL
);

CREATE TABLE devices (
    id           TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users(id),
    name         TEXT NOT NULL,
    epoch        INTEGER NOT NULL DEFAULT -1,    -- the user's epoch at this device's last full pull
    created_at   INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL
);

CREATE TABLE tokens (
    hash       TEXT PRIMARY KEY,           -- SHA-256 of the bearer token; the token itself is never stored
    user_id    TEXT NOT NULL REFERENCES users(id),
    device_id  TEXT NOT NULL REFERENCES devices(id),
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    revoked_at INTEGER
);

-- Current state of every ticket; server_seq is the position of its latest change.
CREATE TABLE tickets (
    id              TEXT PRIMARY KEY,
    number          INTEGER NOT NULL UNIQUE,
    requester_id    TEXT,
    organization_id TEXT,
    doc             TEXT NOT NULL,          -- JSON TicketDoc (state + per-field clocks)
    server_seq      INTEGER NOT NULL UNIQUE
);
CREATE INDEX tickets_requester ON tickets (requester_id, server_seq);
CREATE INDEX tickets_org ON tickets (organization_id, server_seq);

CREATE TABLE comments (
    id        TEXT PRIMARY KEY,
    ticket_id TEXT NOT NULL REFERENCES tickets(id),
    state     TEXT NOT NULL                 -- JSON CommentState (tombstones kept)
);
CREATE INDEX comments_ticket ON comments (ticket_id);

-- The server-written audit trail.
CREATE TABLE events (
    id         TEXT PRIMARY KEY,
    ticket_id  TEXT NOT NULL REFERENCES tickets(id),
    server_seq INTEGER NOT NULL,
    state      TEXT NOT NULL                -- JSON EventState
);
CREATE INDEX events_ticket ON events (ticket_id, server_seq);

-- Every op ever received, applied or rejected: pushes are idempotent by op_id (I3).
CREATE TABLE applied_ops (
    op_id       TEXT PRIMARY KEY,
    status      TEXT NOT NULL,
    server_seq  INTEGER,
    error       TEXT,
    device_id   TEXT NOT NULL,
    received_at INTEGER NOT NULL
);

-- Who lost sight of a ticket when its requester or organization changed.
CREATE TABLE revocations (
    server_seq      INTEGER NOT NULL,
    ticket_id       TEXT NOT NULL,
    requester_id    TEXT,
    organization_id TEXT
);
CREATE INDEX revocations_seq ON revocations (server_seq);
