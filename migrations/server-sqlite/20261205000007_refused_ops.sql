-- Helpdeck server schema 13 (sqlite). Kept in step with ../server-postgres (a test compares them).
-- Refused ops are kept per device for a retry's answer, at most a bounded number each
-- (issue 14): this index finds a device's refusals, newest first.
CREATE INDEX applied_ops_refused ON applied_ops (device_id, received_at) WHERE status = 'rejected';
