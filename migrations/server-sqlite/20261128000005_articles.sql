-- Helpdeck server schema 6 (sqlite). Kept in step with ../server-postgres (a test compares them).
-- Knowledge articles (issue 12): one JSON document per article (core::kb::ArticleDoc: state
-- and per-field clocks), in the same change stream as tickets (server_seq from the one
-- counter). public_seq moves only when a change is one customers may see or must lose
-- (public and published before or after): customers pull articles by it, so a draft or an
-- internal article never reaches them, not even its id.
CREATE TABLE articles (
    id         TEXT PRIMARY KEY,
    doc        TEXT NOT NULL,
    server_seq BIGINT NOT NULL UNIQUE,
    public_seq BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX articles_public ON articles (public_seq);
