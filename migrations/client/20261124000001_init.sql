-- Helpdeck local store, schema 1.
-- Times are UTC instants in milliseconds since the Unix epoch; ids are UUID text.
-- Each table with a full-text document has an INTEGER PRIMARY KEY (`seq`) so that the
-- search index can refer to rows by a rowid that VACUUM never changes.

CREATE TABLE calendars (
    id          TEXT PRIMARY KEY,
    spec        TEXT NOT NULL            -- JSON CalendarSpec (name, timezone, windows, holidays)
);

CREATE TABLE sla_policies (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    calendar_id TEXT NOT NULL REFERENCES calendars(id),
    spec        TEXT NOT NULL            -- JSON SlaPolicy (targets, pause statuses, thresholds)
);

CREATE TABLE organizations (
    id            TEXT PRIMARY KEY,
    name          TEXT NOT NULL UNIQUE COLLATE NOCASE,
    customer_tier TEXT NOT NULL CHECK (customer_tier IN ('strategic', 'standard')),
    sla_policy_id TEXT REFERENCES sla_policies(id)
);

CREATE TABLE teams (
    id   TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE COLLATE NOCASE
);

CREATE TABLE users (
    id              TEXT PRIMARY KEY,
    email           TEXT NOT NULL UNIQUE COLLATE NOCASE,
    name            TEXT NOT NULL,
    role            TEXT NOT NULL CHECK (role IN ('admin', 'agent', 'customer')),
    organization_id TEXT REFERENCES organizations(id),
    org_admin       INTEGER NOT NULL DEFAULT 0,
    team_id         TEXT REFERENCES teams(id),
    tier            TEXT CHECK (tier IN ('L1', 'L2', 'L3')),
    field           INTEGER NOT NULL DEFAULT 0,
    created_at      INTEGER NOT NULL
);

CREATE TABLE workspace (
    singleton         INTEGER PRIMARY KEY CHECK (singleton = 1),
    id                TEXT NOT NULL,
    name              TEXT NOT NULL,
    timezone          TEXT NOT NULL,
    language          TEXT NOT NULL DEFAULT 'en',
    device_id         TEXT NOT NULL,
    owner_id          TEXT NOT NULL REFERENCES users(id),
    default_policy_id TEXT NOT NULL REFERENCES sla_policies(id),
    categories        TEXT NOT NULL,     -- JSON array
    reopen_window_days INTEGER NOT NULL DEFAULT 14,
    next_number       INTEGER NOT NULL DEFAULT 1,
    hlc_last          TEXT,              -- last hybrid logical clock value issued here
    created_at        INTEGER NOT NULL
);

CREATE TABLE tickets (
    seq               INTEGER PRIMARY KEY,
    id                TEXT NOT NULL UNIQUE,
    number            INTEGER NOT NULL UNIQUE,
    title             TEXT NOT NULL,
    description       TEXT NOT NULL,
    kind              TEXT NOT NULL,
    category          TEXT NOT NULL,
    status            TEXT NOT NULL,
    priority          TEXT NOT NULL,
    channel           TEXT NOT NULL,
    requester_id      TEXT REFERENCES users(id),
    organization_id   TEXT REFERENCES organizations(id),
    assignee_id       TEXT REFERENCES users(id),
    team_id           TEXT REFERENCES teams(id),
    tier              TEXT NOT NULL,
    tags              TEXT NOT NULL DEFAULT '[]',   -- JSON array
    asset_id          TEXT,
    site              TEXT,
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL,
    first_response_at INTEGER,
    resolved_at       INTEGER,
    closed_at         INTEGER,
    resolution        TEXT,              -- JSON {cause, solution, prevention}
    csat_score        INTEGER CHECK (csat_score BETWEEN 1 AND 5),
    csat_comment      TEXT,
    -- Denormalised from the SLA engine by the write path, for queue sorting and the
    -- "breaching soon" view. NULL when no target is running (paused, met, closed).
    sla_due_at        INTEGER,
    sla_at_risk_at    INTEGER,
    is_open           INTEGER NOT NULL   -- 1 unless resolved or closed
);

-- Queue orders: by SLA due time (tickets without a running target last), by priority.
CREATE INDEX tickets_open_due ON tickets (is_open, (sla_due_at IS NULL), sla_due_at);
CREATE INDEX tickets_open_priority ON tickets (is_open, priority, (sla_due_at IS NULL), sla_due_at);
CREATE INDEX tickets_status_updated ON tickets (status, updated_at);
CREATE INDEX tickets_updated ON tickets (updated_at);
CREATE INDEX tickets_assignee ON tickets (assignee_id, is_open, (sla_due_at IS NULL), sla_due_at);
CREATE INDEX tickets_requester ON tickets (requester_id);

CREATE TABLE comments (
    seq        INTEGER PRIMARY KEY,
    id         TEXT NOT NULL UNIQUE,
    ticket_id  TEXT NOT NULL REFERENCES tickets(id),
    author_id  TEXT NOT NULL REFERENCES users(id),
    visibility TEXT NOT NULL CHECK (visibility IN ('public', 'internal')),
    by_agent   INTEGER NOT NULL,
    body       TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX comments_ticket ON comments (ticket_id, created_at);

-- The audit trail: append-only.
CREATE TABLE events (
    seq       INTEGER PRIMARY KEY,
    id        TEXT NOT NULL UNIQUE,
    ticket_id TEXT NOT NULL REFERENCES tickets(id),
    actor_id  TEXT REFERENCES users(id),
    device_id TEXT NOT NULL,
    field     TEXT NOT NULL,
    old_value TEXT,
    new_value TEXT,
    at        INTEGER NOT NULL
);
CREATE INDEX events_ticket ON events (ticket_id, at);

CREATE TRIGGER events_append_only_update BEFORE UPDATE ON events
BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
CREATE TRIGGER events_append_only_delete BEFORE DELETE ON events
BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;

-- Sync operations waiting to be pushed (spec §6.1), written in the same transaction as
-- the change they describe.
CREATE TABLE outbox (
    seq            INTEGER PRIMARY KEY,
    op_id          TEXT NOT NULL UNIQUE,
    entity         TEXT NOT NULL,
    entity_id      TEXT NOT NULL,
    hlc            TEXT NOT NULL,
    schema_version INTEGER NOT NULL,
    op             TEXT NOT NULL,        -- JSON Op
    created_at     INTEGER NOT NULL
);

-- Full-text index. Rowid = tickets.seq for a ticket's title+description,
-- = 2^40 + comments.seq for a comment (both increasing: FTS5 appends cheaply). Text is pre-processed (CJK bigrams) by the store.
CREATE VIRTUAL TABLE search_index USING fts5(
    title,
    body,
    ticket_seq UNINDEXED,
    tokenize = 'porter unicode61 remove_diacritics 2'
);
-- Let FTS5 buffer 16 MiB of pending terms before writing a segment (default 1 MiB): bulk
-- imports write fewer, larger segments and merge far less.
INSERT INTO search_index (search_index, rank) VALUES ('hashsize', 16777216);
