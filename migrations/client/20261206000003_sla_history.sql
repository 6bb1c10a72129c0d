-- Each ticket's SLA history on its row (issue 17, spec §8 "SLA monitor start < 1 s"): the
-- status changes and public agent reply times its SLA facts hold (JSON, `store::sla`), written
-- by every write path with the SLA columns, so that evaluating every open ticket at once (the
-- monitor's start, `helpdeck sla`) reads one column instead of joining every open ticket's
-- events and comments. NULL (rows from before): read from the events and comments, as before.
ALTER TABLE tickets ADD COLUMN sla_history TEXT;
-- The open tickets' ids without their rows: the alerts already fired for open tickets (read
-- at the monitor's start) are joined through it instead of through every open ticket's row.
CREATE INDEX tickets_open_ids ON tickets (is_open, id);
