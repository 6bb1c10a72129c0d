-- SLA monitor and desktop notifications (issue 5).

-- Every alert that fired, once: `key` is `sla:<ticket>:<target>:<cycle>:<kind>` or
-- `activity:<event or comment id>`. A monitor claims a key with INSERT OR IGNORE before it
-- shows the notification, so a restart, a second process on this workspace or a replica that
-- learned the key does not show it again.
CREATE TABLE fired_alerts (
    key       TEXT PRIMARY KEY,
    ticket_id TEXT NOT NULL,
    kind      TEXT NOT NULL,
    target    TEXT,                -- SLA alerts: first_response, next_update, resolution
    cycle     INTEGER,             -- SLA alerts
    due_at    INTEGER,             -- the moment it became due (SLA) or happened (activity)
    fired_at  INTEGER NOT NULL,
    shown     INTEGER NOT NULL     -- 0: dropped by preferences, quiet hours or the pause switch
) WITHOUT ROWID;
CREATE INDEX fired_alerts_ticket ON fired_alerts (ticket_id);

-- The local user's notification preferences and how far the monitor has read the audit
-- trail and the comments (activity alerts: assigned to me, customer events).
CREATE TABLE alert_state (
    singleton     INTEGER PRIMARY KEY CHECK (singleton = 1),
    prefs         TEXT NOT NULL DEFAULT '{}',   -- JSON NotificationPrefs
    events_seq    INTEGER,                      -- NULL until the monitor first ran
    comments_seq  INTEGER
);
INSERT INTO alert_state (singleton) VALUES (1);
