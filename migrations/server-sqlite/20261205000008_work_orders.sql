-- Helpdeck server schema 14 (sqlite). Kept in step with ../server-postgres (a test compares them).
-- Work orders (issue 15): one JSON document per work order (core::workorder::WorkOrderDoc:
-- state and the clocks of its last-writer-wins fields and checklist items). A work order
-- travels with its ticket: a change moves the ticket up the stream (public_seq too, unless
-- only staff see the change), and a pull page's ticket bundle carries its work orders.
CREATE TABLE work_orders (
    id        TEXT PRIMARY KEY,
    ticket_id TEXT NOT NULL REFERENCES tickets (id),
    doc       TEXT NOT NULL
);
CREATE INDEX work_orders_ticket ON work_orders (ticket_id);
