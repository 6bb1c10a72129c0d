-- Tickets whose search documents (the ticket's own and every comment's) are still to be
-- written: a first sync applies its pages without them (the replica is usable sooner) and
-- writes them after the last page, a chunk of tickets per transaction (search.rs,
-- `build_search_backlog`). A ticket listed here has its documents rebuilt from its rows.
CREATE TABLE search_backlog (ticket_seq INTEGER PRIMARY KEY);
