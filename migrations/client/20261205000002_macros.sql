-- Macros (issue 13): the ones this user may apply (shared ones and their own personal ones),
-- as JSON (core::macros::Macro) with the columns lists read. Deleted ones are removed.
CREATE TABLE macros (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    owner_id   TEXT,
    updated_at INTEGER NOT NULL,
    doc        TEXT NOT NULL
);
CREATE INDEX macros_name ON macros (name);
