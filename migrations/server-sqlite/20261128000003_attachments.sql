-- Attachments: metadata synced as ops; the bytes are content-addressed files in the blob
-- directory beside the database, uploaded in resumable chunks (blobs tracks their progress,
-- so every server process on one database agrees on what is complete).
CREATE TABLE attachments (
    id         TEXT PRIMARY KEY,
    ticket_id  TEXT NOT NULL REFERENCES tickets(id),
    comment_id TEXT,
    sha256     TEXT NOT NULL,
    state      TEXT NOT NULL                -- JSON AttachmentState
);
CREATE INDEX attachments_ticket ON attachments (ticket_id);
CREATE INDEX attachments_sha ON attachments (sha256);

CREATE TABLE blobs (
    sha256      TEXT PRIMARY KEY,
    size        INTEGER NOT NULL,
    received    INTEGER NOT NULL,              -- bytes stored so far (resume point)
    complete    INTEGER NOT NULL DEFAULT 0,
    uploader_id TEXT NOT NULL,
    created_at  INTEGER NOT NULL
);
