-- A ticket created on a replica shows a provisional number until the server assigns its own.
-- The number it showed before stays an alias of it here, so the number a customer was told
-- (or an agent wrote down offline) still opens the ticket. A number that now belongs to
-- another visible ticket opens that one; the alias is the fallback.
CREATE TABLE number_aliases (
    number    INTEGER NOT NULL,
    ticket_id TEXT NOT NULL,
    PRIMARY KEY (number, ticket_id)
);
CREATE INDEX number_aliases_ticket ON number_aliases (ticket_id);
