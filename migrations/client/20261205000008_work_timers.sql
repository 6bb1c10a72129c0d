-- The technician's running timers (issue 15): device-local, never synced. A timer is a start
-- time, so it survives a restart, a crash or a night of sleep; stopping it logs the minutes
-- as time entries on the work order (an op like any other).
CREATE TABLE work_timers (
    work_order_id TEXT PRIMARY KEY REFERENCES work_orders (id),
    kind          TEXT NOT NULL,
    started_at    INTEGER NOT NULL
);
