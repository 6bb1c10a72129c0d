-- Helpdeck server schema 15 (postgres). Kept in step with ../server-sqlite (a test compares them).
-- Field work (issue 15), part of the workspace rules (JSON, core::workorder): maintenance
-- plans (the server's jobs make their visits ahead of time), checklist templates per ticket
-- category, and the parts catalogue.
ALTER TABLE server_meta ADD COLUMN maintenance_plans TEXT NOT NULL DEFAULT '[]';
ALTER TABLE server_meta ADD COLUMN checklist_templates TEXT NOT NULL DEFAULT '[]';
ALTER TABLE server_meta ADD COLUMN parts_catalogue TEXT NOT NULL DEFAULT '[]';
