-- "Breaching soon" (at risk or breached now) is a range on sla_at_risk_at among open tickets;
-- without this index its count scanned every ticket.
CREATE INDEX tickets_open_risk ON tickets (is_open, sla_at_risk_at);
