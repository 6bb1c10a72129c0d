-- A comment's search document gets a rowid that carries its ticket's seq
-- (COMMENT_DOC_BASE + (tickets.seq << 30) + (comments.seq & (2^30 - 1)); see search.rs), so a
-- search finds its tickets from FTS5's doclists without reading a stored row per matching
-- document. Before: 2^40 + comments.seq. Ticket documents keep rowid = tickets.seq.
CREATE TEMP TABLE moved_comment_docs AS
    SELECT 4611686018427387904 + (t.seq << 30) + (c.seq & 1073741823) AS doc,
           d.body AS body,
           t.seq AS ticket_seq
    FROM search_index d
    JOIN comments c ON c.seq = d.rowid - 1099511627776
    JOIN tickets t ON t.id = c.ticket_id
    WHERE d.rowid >= 1099511627776 AND d.rowid < 4611686018427387904;

DELETE FROM search_index WHERE rowid >= 1099511627776 AND rowid < 4611686018427387904;

INSERT INTO search_index (rowid, title, body, ticket_seq)
    SELECT doc, '', body, ticket_seq FROM moved_comment_docs ORDER BY doc;

DROP TABLE moved_comment_docs;

-- The moved documents merged into one segment (the deletes above left tombstones that every
-- query would otherwise walk past).
INSERT INTO search_index (search_index) VALUES ('optimize');

-- A narrow covering index from a ticket's seq to whether it is open: a search looks up each
-- ticket its query matches (open first) in this instead of in the wide ticket rows.
CREATE INDEX tickets_seq_open ON tickets (seq, is_open);
