-- Merged tickets (issue 13): the ticket a duplicate was merged into (it is then closed, linked
-- duplicate_of it, and its conversation copied there). NULL for every other ticket.
ALTER TABLE tickets ADD COLUMN merged_into TEXT;
