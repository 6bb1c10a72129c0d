-- Saved views (issue 13): the shared ones come with the workspace rules; personal ones are
-- this device's own (core::views::SavedView as JSON, by name).
ALTER TABLE workspace ADD COLUMN shared_views TEXT NOT NULL DEFAULT '[]';
CREATE TABLE saved_views (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE COLLATE NOCASE,
    view       TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
