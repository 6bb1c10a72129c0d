-- Least-loaded assignment counts an agent's open tickets whose SLA runs (issue 13): the
-- assignee, open flag and status in one index, so the count never reads the tickets.
CREATE INDEX tickets_assignee_status ON tickets (assignee_id, is_open, status);
