-- Helpdeck server schema 7 (postgres). Kept in step with ../server-sqlite (a test compares them).
-- The files (images) of knowledge articles (issue 12): which article shows which content, so
-- the blob endpoint lets a reader download exactly the files of the articles they may read.
-- Rewritten with the article's document on every change of it.
CREATE TABLE article_files (
    sha256     TEXT NOT NULL,
    article_id TEXT NOT NULL,
    PRIMARY KEY (sha256, article_id)
);
CREATE INDEX article_files_article ON article_files (article_id);
