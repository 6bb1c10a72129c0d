-- Ticket links (the first entity beyond tickets and comments): insert-only with tombstones.
-- Staff see them; a link moves both of its tickets in the change stream.
CREATE TABLE ticket_links (
    id        TEXT PRIMARY KEY,
    from_id   TEXT NOT NULL REFERENCES tickets(id),
    to_id     TEXT NOT NULL REFERENCES tickets(id),
    state     TEXT NOT NULL                -- JSON LinkState (tombstones kept)
);
CREATE INDEX ticket_links_from ON ticket_links (from_id);
CREATE INDEX ticket_links_to ON ticket_links (to_id);
