-- The technician's day reads open visits only (issue 15): with the status in the index, the
-- Today view seeks the scheduled and in-progress visits instead of reading every visit the
-- technician ever had (10,000 work orders: see docs/benchmarks.md).
DROP INDEX work_orders_day;
CREATE INDEX work_orders_open_day ON work_orders (technician_id, status, starts_at);
