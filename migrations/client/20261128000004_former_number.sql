-- A ticket brought over from a local workspace when it connected to a server keeps the
-- number it had there: an alias that search and `ticket show` still find.
ALTER TABLE tickets ADD COLUMN former_number INTEGER;
CREATE INDEX tickets_former_number ON tickets (former_number) WHERE former_number IS NOT NULL;
