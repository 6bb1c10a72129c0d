-- Helpdeck server schema 8 (sqlite). Kept in step with ../server-postgres (a test compares them).
-- Macros (issue 13): one JSON document per macro (core::macros::MacroDoc: state and per-field
-- clocks), in the one change stream (server_seq from the one counter). Staff pull them;
-- customers never do. A deleted macro stays as a tombstone.
CREATE TABLE macros (
    id         TEXT PRIMARY KEY,
    doc        TEXT NOT NULL,
    server_seq BIGINT NOT NULL UNIQUE
);
