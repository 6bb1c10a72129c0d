-- Helpdeck server schema 11 (postgres). Kept in step with ../server-sqlite (a test compares them).
-- Saved views (issue 13): the views an admin shares with every agent or one team, kept with
-- the workspace rules (every staff pull page carries them).
ALTER TABLE server_meta ADD COLUMN shared_views TEXT NOT NULL DEFAULT '[]';
