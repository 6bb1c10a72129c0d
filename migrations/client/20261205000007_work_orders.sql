-- Work orders (issue 15): the work orders of the tickets this device holds, as JSON
-- (core::workorder::WorkOrder) with the columns the Today view and lists read.
CREATE TABLE work_orders (
    id            TEXT PRIMARY KEY,
    ticket_id     TEXT NOT NULL REFERENCES tickets (id),
    technician_id TEXT,
    status        TEXT NOT NULL,
    starts_at     INTEGER NOT NULL,
    ends_at       INTEGER NOT NULL,
    doc           TEXT NOT NULL
);
CREATE INDEX work_orders_ticket ON work_orders (ticket_id);
CREATE INDEX work_orders_day ON work_orders (technician_id, starts_at);
