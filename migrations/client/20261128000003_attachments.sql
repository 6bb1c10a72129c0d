-- Attachments: metadata like any synced entity; the bytes are content-addressed files in
-- <data dir>/blobs. blob_transfers lists what still has to go up to or come down from the
-- server (the sync engine moves them beside the operation queue, never blocking it).
CREATE TABLE attachments (
    id          TEXT PRIMARY KEY,
    ticket_id   TEXT NOT NULL,
    comment_id  TEXT,
    sha256      TEXT NOT NULL,
    name        TEXT NOT NULL,
    media_type  TEXT NOT NULL,
    size        INTEGER NOT NULL,
    uploader_id TEXT NOT NULL,
    created_at  INTEGER NOT NULL
);
CREATE INDEX attachments_ticket ON attachments (ticket_id);
CREATE INDEX attachments_sha ON attachments (sha256);

CREATE TABLE blob_transfers (
    sha256    TEXT NOT NULL,
    direction TEXT NOT NULL CHECK (direction IN ('up', 'down')),
    size      INTEGER NOT NULL,
    attempts  INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    PRIMARY KEY (sha256, direction)
);
