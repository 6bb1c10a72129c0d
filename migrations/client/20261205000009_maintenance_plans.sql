-- Field work (issue 15), part of the workspace rules a replica keeps from its pulls (or a
-- local workspace's own): maintenance plans, checklist templates, the parts catalogue.
ALTER TABLE workspace ADD COLUMN maintenance_plans TEXT NOT NULL DEFAULT '[]';
ALTER TABLE workspace ADD COLUMN checklist_templates TEXT NOT NULL DEFAULT '[]';
ALTER TABLE workspace ADD COLUMN parts_catalogue TEXT NOT NULL DEFAULT '[]';
