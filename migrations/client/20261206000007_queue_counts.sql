-- Queue totals without counting (issue 17). The app shows every queue's total and scrolls
-- its list by it; counting the 520k open tickets of a 1M-ticket workspace in an index took
-- 13-31 ms every time a queue was shown. The tickets of each (status, open, priority,
-- assigned) are counted here instead, kept by the triggers below on every insert, delete
-- and change of those fields, whoever writes them (a command, a sync apply, an import, a
-- merge, a purge). A queue whose filter says only these things (the default queues, a
-- status, a priority, unassigned) takes its total from a sum of at most 64 rows
-- (`read.rs`, `Tickets::count_tickets`); any other filter still counts its rows.
CREATE TABLE ticket_counts (
    status   TEXT    NOT NULL,
    is_open  INTEGER NOT NULL,
    priority TEXT    NOT NULL,
    assigned INTEGER NOT NULL,
    n        INTEGER NOT NULL,
    PRIMARY KEY (status, is_open, priority, assigned)
) WITHOUT ROWID;

INSERT INTO ticket_counts (status, is_open, priority, assigned, n)
SELECT status, is_open, priority, assignee_id IS NOT NULL, COUNT(*)
FROM tickets GROUP BY 1, 2, 3, 4;

CREATE TRIGGER ticket_counts_insert AFTER INSERT ON tickets BEGIN
    INSERT INTO ticket_counts (status, is_open, priority, assigned, n)
    VALUES (NEW.status, NEW.is_open, NEW.priority, NEW.assignee_id IS NOT NULL, 1)
    ON CONFLICT DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER ticket_counts_delete AFTER DELETE ON tickets BEGIN
    UPDATE ticket_counts SET n = n - 1
    WHERE status = OLD.status AND is_open = OLD.is_open AND priority = OLD.priority
      AND assigned = (OLD.assignee_id IS NOT NULL);
END;

CREATE TRIGGER ticket_counts_update AFTER UPDATE OF status, is_open, priority, assignee_id ON tickets
WHEN OLD.status IS NOT NEW.status OR OLD.is_open IS NOT NEW.is_open
  OR OLD.priority IS NOT NEW.priority
  OR (OLD.assignee_id IS NULL) IS NOT (NEW.assignee_id IS NULL)
BEGIN
    UPDATE ticket_counts SET n = n - 1
    WHERE status = OLD.status AND is_open = OLD.is_open AND priority = OLD.priority
      AND assigned = (OLD.assignee_id IS NOT NULL);
    INSERT INTO ticket_counts (status, is_open, priority, assigned, n)
    VALUES (NEW.status, NEW.is_open, NEW.priority, NEW.assignee_id IS NOT NULL, 1)
    ON CONFLICT DO UPDATE SET n = n + 1;
END;

-- The "breaching soon" total (open tickets whose at-risk time has passed) changes with the
-- clock, so it cannot be kept as one number: the open tickets with an at-risk time are
-- counted per UTC day of that time instead, and a total is the days before today summed
-- plus today's tickets up to now counted in `tickets_open_risk` (at 1M tickets 178k were at
-- risk: counting them took 7.5-8.4 ms every time).
CREATE TABLE risk_counts (
    day INTEGER PRIMARY KEY,  -- sla_at_risk_at / 86400000
    n   INTEGER NOT NULL
);

INSERT INTO risk_counts (day, n)
SELECT sla_at_risk_at / 86400000, COUNT(*) FROM tickets
WHERE is_open = 1 AND sla_at_risk_at IS NOT NULL GROUP BY 1;

CREATE TRIGGER risk_counts_insert AFTER INSERT ON tickets
WHEN NEW.is_open = 1 AND NEW.sla_at_risk_at IS NOT NULL BEGIN
    INSERT INTO risk_counts (day, n) VALUES (NEW.sla_at_risk_at / 86400000, 1)
    ON CONFLICT DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER risk_counts_delete AFTER DELETE ON tickets
WHEN OLD.is_open = 1 AND OLD.sla_at_risk_at IS NOT NULL BEGIN
    UPDATE risk_counts SET n = n - 1 WHERE day = OLD.sla_at_risk_at / 86400000;
END;

CREATE TRIGGER risk_counts_update_old AFTER UPDATE OF is_open, sla_at_risk_at ON tickets
WHEN OLD.is_open = 1 AND OLD.sla_at_risk_at IS NOT NULL
  AND (NEW.is_open IS NOT 1 OR NEW.sla_at_risk_at IS NULL
       OR NEW.sla_at_risk_at / 86400000 != OLD.sla_at_risk_at / 86400000) BEGIN
    UPDATE risk_counts SET n = n - 1 WHERE day = OLD.sla_at_risk_at / 86400000;
END;

CREATE TRIGGER risk_counts_update_new AFTER UPDATE OF is_open, sla_at_risk_at ON tickets
WHEN NEW.is_open = 1 AND NEW.sla_at_risk_at IS NOT NULL
  AND (OLD.is_open IS NOT 1 OR OLD.sla_at_risk_at IS NULL
       OR NEW.sla_at_risk_at / 86400000 != OLD.sla_at_risk_at / 86400000) BEGIN
    INSERT INTO risk_counts (day, n) VALUES (NEW.sla_at_risk_at / 86400000, 1)
    ON CONFLICT DO UPDATE SET n = n + 1;
END;

-- A queue's page in one walk of an index: each index a queue's order uses now ends with the
-- ticket number, the order's last term. Without it SQLite sorted every ticket sharing the
-- page's last sort value (45 ms for the first page of pending_customer by updated at 1M).
DROP INDEX tickets_open_due;
CREATE INDEX tickets_open_due ON tickets (is_open, (sla_due_at IS NULL), sla_due_at, number);
DROP INDEX tickets_open_priority;
CREATE INDEX tickets_open_priority ON tickets (is_open, priority, (sla_due_at IS NULL), sla_due_at, number);
DROP INDEX tickets_status_updated;
CREATE INDEX tickets_status_updated ON tickets (status, updated_at, number);
DROP INDEX tickets_updated;
CREATE INDEX tickets_updated ON tickets (updated_at, number);
DROP INDEX tickets_created;
CREATE INDEX tickets_created ON tickets (created_at, number);
DROP INDEX tickets_assignee;
CREATE INDEX tickets_assignee ON tickets (assignee_id, is_open, (sla_due_at IS NULL), sla_due_at, number);
