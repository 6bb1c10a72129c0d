-- Opening a workspace looks for outbox ops written by an older Helpdeck (db.rs,
-- `upgrade_outbox`). Without an index that look read the whole outbox: 10 s to open a
-- 1M-ticket workspace imported with its ops queued (3.9M ops), 0.6 s at 100k. Every op is
-- written with the current version, so the index only ever appends at its end.
CREATE INDEX outbox_schema_version ON outbox (schema_version);
