-- Links between tickets (related, duplicate_of, parent_of), shown on both tickets. A removed
-- link is deleted here; the server keeps its tombstone. No foreign keys: a pulled page may
-- carry a link before the page that carries its other ticket.
CREATE TABLE ticket_links (
    id         TEXT PRIMARY KEY,
    from_id    TEXT NOT NULL,
    to_id      TEXT NOT NULL,
    kind       TEXT NOT NULL CHECK (kind IN ('related', 'duplicate_of', 'parent_of')),
    created_by TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX ticket_links_from ON ticket_links (from_id);
CREATE INDEX ticket_links_to ON ticket_links (to_id);
