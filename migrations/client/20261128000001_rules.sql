-- Workspace rules v2: auto-close of resolved tickets (spec §3; default 3 days). On a replica
-- the rules are the server's, written here by every pull; in a local workspace they are the
-- workspace's own settings.
ALTER TABLE workspace ADD COLUMN auto_close_days INTEGER NOT NULL DEFAULT 3;
