-- Time on tickets (issue 15): the entries agents logged on the tickets this device holds
-- (core::timelog::TicketTime; staff replicas only — customers never get one). A deleted entry
-- stays as a tombstone. Billing totals sum them by their time (`at`, ms).
CREATE TABLE time_entries (
    id         TEXT PRIMARY KEY,
    ticket_id  TEXT NOT NULL REFERENCES tickets (id),
    agent_id   TEXT NOT NULL,
    minutes    INTEGER NOT NULL,
    at         INTEGER NOT NULL,
    comment_id TEXT,
    note       TEXT,
    deleted    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX time_entries_ticket ON time_entries (ticket_id);
CREATE INDEX time_entries_at ON time_entries (at) WHERE deleted = 0;
-- An agent's running timer on a ticket: device-local, never synced, a start time (so it
-- survives restarts and sleep); stopping it logs a time entry.
CREATE TABLE ticket_timers (
    ticket_id  TEXT PRIMARY KEY REFERENCES tickets (id),
    started_at INTEGER NOT NULL
);
