-- Report rows (issue 16; spec §8 "reports dashboard at 1M tickets < 1 s"; docs/metrics.md,
-- docs/ARCHITECTURE.md "Reports"): each ticket's report facts move from 13 columns on the wide
-- `tickets` row (a report read every ticket page of its cohorts: 61 s at 1M) to a narrow row
-- of integers beside it, with what a report groups and filters by coded as small integers,
-- and indexes that hold what each cohort reads (a report scans indexes, not tickets).
DROP INDEX tickets_report_done;
DROP INDEX tickets_report_frt_due;
DROP INDEX tickets_report_res_due;
DROP INDEX tickets_report_missing;
ALTER TABLE tickets DROP COLUMN r_version;
ALTER TABLE tickets DROP COLUMN r_first_reply_at;
ALTER TABLE tickets DROP COLUMN r_frt_secs;
ALTER TABLE tickets DROP COLUMN r_frt_bsecs;
ALTER TABLE tickets DROP COLUMN r_done_at;
ALTER TABLE tickets DROP COLUMN r_res_secs;
ALTER TABLE tickets DROP COLUMN r_res_bsecs;
ALTER TABLE tickets DROP COLUMN r_reopens;
ALTER TABLE tickets DROP COLUMN r_public_replies;
ALTER TABLE tickets DROP COLUMN r_frt_due;
ALTER TABLE tickets DROP COLUMN r_frt_done;
ALTER TABLE tickets DROP COLUMN r_res_due;
ALTER TABLE tickets DROP COLUMN r_res_done;

-- The values a report groups by (team, agent, category, priority, organization, channel), each
-- a small integer in report rows. `kind`: 1 team id, 2 agent id, 3 category, 4 priority,
-- 5 organization id, 6 channel.
CREATE TABLE report_keys (
    id    INTEGER PRIMARY KEY,
    kind  INTEGER NOT NULL,
    value TEXT NOT NULL,
    UNIQUE (kind, value)
);

-- One row per ticket (core::report::ReportFacts), kept in the order of creation: the tickets
-- created in a period are one range of the table. Times in ms, durations in seconds.
CREATE TABLE report_rows (
    created   INTEGER NOT NULL,
    seq       INTEGER NOT NULL UNIQUE REFERENCES tickets (seq) ON DELETE CASCADE,
    -- The last resolve or close; NULL exactly while the ticket is open.
    done      INTEGER,
    dup       INTEGER NOT NULL,
    team      INTEGER,
    agent     INTEGER,
    category  INTEGER,
    priority  INTEGER,
    org       INTEGER,
    channel   INTEGER,
    l1        INTEGER NOT NULL,
    csat      INTEGER,
    -- A finished follow-up: 1 recovered the customer, 0 did not.
    followup  INTEGER,
    frt       INTEGER,
    frt_b     INTEGER,
    res       INTEGER,
    res_b     INTEGER,
    reopens   INTEGER NOT NULL,
    replies   INTEGER NOT NULL,
    frt_due   INTEGER,
    frt_done  INTEGER,
    res_due   INTEGER,
    res_done  INTEGER,
    PRIMARY KEY (created, seq)
) WITHOUT ROWID;
-- The other cohorts, each an index holding every column its queries read (the six coded
-- values with them, for filters and breakdowns), so that a report reads index ranges only:
-- resolved in a period; open at its end; first-response and resolution targets due in it.
CREATE INDEX report_rows_done ON report_rows (
    done, dup, replies, reopens, l1, csat, followup, res, res_b,
    team, agent, category, priority, org, channel
) WHERE done IS NOT NULL;
CREATE INDEX report_rows_open ON report_rows (
    created, done, dup, team, agent, category, priority, org, channel
) WHERE done IS NULL;
CREATE INDEX report_rows_frt_due ON report_rows (
    frt_due, frt_done, dup, team, agent, category, priority, org, channel
) WHERE frt_due IS NOT NULL;
CREATE INDEX report_rows_res_due ON report_rows (
    res_due, res_done, dup, team, agent, category, priority, org, channel
) WHERE res_due IS NOT NULL;

-- How far the rows are computed: every write path keeps its tickets' rows; after this
-- migration (on a workspace with tickets), or an SLA policy or calendar change, the next report computes every ticket's row
-- again in `seq` order from `cursor` (NULL: from the start) until `complete`.
CREATE TABLE report_state (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    complete INTEGER NOT NULL,
    cursor   INTEGER
);
-- A workspace with tickets computes them at its first report; a new one has nothing to compute.
INSERT INTO report_state (id, complete, cursor)
SELECT 1, NOT EXISTS (SELECT 1 FROM tickets), NULL;
