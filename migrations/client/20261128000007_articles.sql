-- Knowledge articles (issue 12). `doc` is the article as core::kb::Article (JSON); the
-- columns beside it are what lists and filters read. A customer's replica holds only public,
-- published articles (the server never sends it anything else).
CREATE TABLE articles (
    seq            INTEGER PRIMARY KEY,   -- the search document's rowid
    id             TEXT NOT NULL UNIQUE,
    title          TEXT NOT NULL,
    status         TEXT NOT NULL,
    audience       TEXT NOT NULL,
    lang           TEXT NOT NULL,
    category       TEXT,
    updated_at     INTEGER NOT NULL,
    doc            TEXT NOT NULL
);
CREATE INDEX articles_status ON articles (status, updated_at);

-- Article search: title and body pre-processed as for tickets (CJK bigrams); rowid =
-- articles.seq.
CREATE VIRTUAL TABLE article_index USING fts5(
    title,
    body,
    tokenize = 'porter unicode61 remove_diacritics 2'
);

-- Suggestions a customer took instead of submitting a request (self-service deflection).
CREATE TABLE kb_deflections (
    id         TEXT PRIMARY KEY,
    article_id TEXT NOT NULL,
    at         INTEGER NOT NULL
);
