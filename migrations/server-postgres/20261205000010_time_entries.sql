-- Helpdeck server schema 16 (postgres). Kept in step with ../server-sqlite (a test compares them).
-- Time entries on tickets (issue 15): one JSON document per entry (core::timelog::TicketTime),
-- insert-only, a delete is a tombstone kept here. An entry travels with its ticket to staff
-- only: a change moves the ticket up the stream, never public_seq.
CREATE TABLE time_entries (
    id        TEXT PRIMARY KEY,
    ticket_id TEXT NOT NULL REFERENCES tickets (id),
    doc       TEXT NOT NULL
);
CREATE INDEX time_entries_ticket ON time_entries (ticket_id);
