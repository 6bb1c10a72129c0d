//! Fuzz-style property tests of the import parsers (issue "Security"): `helpdeck import`
//! reads a file with [`read_import_file`](helpdeck_store::read_import_file), which is
//! [`parse_csv`] for `.csv` and [`parse_json`] otherwise; the store then checks every record
//! ([`TicketRecord::validate`], the users' emails) and times it with the SLA engine before
//! writing anything. All of that is pure and run here, without a store.
//!
//! Properties: arbitrary text and mutated valid exports (bytes flipped, inserted, deleted;
//! CSV fields, quotes, rows and columns changed; JSON values replaced by other types, keys
//! removed or added) never panic; a refusal is an import error that says what was wrong and
//! where (a CSV error names the line of the row, a JSON one the ticket by position or the
//! place in the text); whatever parses is checked and timed without a panic and re-exports
//! to the same dataset; valid datasets survive export → parse exactly (JSON: everything;
//! CSV: one row per ticket, without comments and history, with trimmed optional fields).
//!
//! The export is pure too: JSON is `serde_json::to_writer_pretty` of the [`Dataset`] (what
//! `Transfer::export` writes); CSV is one row per ticket in the columns of the store's
//! private `CsvTicket` — mirrored here by [`CSV_COLUMNS`] and [`csv_row`].
//!
//! Cases per property: 512 by default (a short CI run); `PROPTEST_CASES=20000` for a long run.

use std::fmt;
use std::sync::LazyLock;

use helpdeck_core::record::{
    CommentRecord, Dataset, OrganizationRecord, StatusChangeRecord, TicketRecord, UserRecord,
    Visibility,
};
use helpdeck_core::sla::{Calendar, CalendarSpec, SlaFacts, SlaPolicy, evaluate};
use helpdeck_core::status::Status;
use helpdeck_core::ticket::{Channel, Csat, DEFAULT_CATEGORIES, Kind, Priority, Resolution, Tier};
use helpdeck_core::user::{CustomerTier, Role, validate_email};
use helpdeck_core::{Timestamp, Uuid};
use helpdeck_store::{StoreError, parse_csv, parse_json};
use proptest::prelude::*;
use proptest::sample::{Index, select};
use proptest::test_runner::Config as ProptestConfig;
use serde_json::{Value, json};

// ---------------------------------------------------------------------------------------
// Configuration
// ---------------------------------------------------------------------------------------

/// Cases per property: `PROPTEST_CASES` if set, else `default` (a short CI run).
fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(default)
}

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: cases(512),
        max_shrink_iters: 4096,
        ..ProptestConfig::default()
    }
}

/// Text shown as a quoted string when a case fails (not as a vector of bytes).
#[derive(Clone)]
struct Text(String);

impl fmt::Debug for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Text({:?})", self.0)
    }
}

fn shown(text: &str) -> String {
    let mut out: String = text.chars().take(3000).collect();
    if text.chars().count() > 3000 {
        out.push_str("…(cut)");
    }
    format!("{out:?}")
}

// ---------------------------------------------------------------------------------------
// The export, mirrored
// ---------------------------------------------------------------------------------------

/// The columns of a CSV export (the fields of the store's `CsvTicket`, in order).
const CSV_COLUMNS: [&str; 26] = [
    "id",
    "number",
    "title",
    "description",
    "kind",
    "category",
    "status",
    "priority",
    "channel",
    "requester",
    "organization",
    "assignee",
    "team",
    "tier",
    "tags",
    "site",
    "created_at",
    "updated_at",
    "first_response_at",
    "resolved_at",
    "closed_at",
    "resolution_cause",
    "resolution_solution",
    "resolution_prevention",
    "csat_score",
    "csat_comment",
];

/// One ticket as a CSV row (`CsvTicket::from_record`).
fn csv_row(r: &TicketRecord) -> Vec<String> {
    let t = |v: Option<Timestamp>| v.map(|x| x.to_string()).unwrap_or_default();
    let s = |v: &Option<String>| v.clone().unwrap_or_default();
    vec![
        r.id.map(|i| i.to_string()).unwrap_or_default(),
        r.number.map(|n| n.to_string()).unwrap_or_default(),
        r.title.clone(),
        r.description.clone(),
        r.kind.to_string(),
        r.category.clone(),
        r.status.to_string(),
        r.priority.to_string(),
        r.channel.to_string(),
        s(&r.requester),
        s(&r.organization),
        s(&r.assignee),
        s(&r.team),
        r.tier.to_string(),
        r.tags.join(";"),
        s(&r.site),
        r.created_at.to_string(),
        r.updated_at.to_string(),
        t(r.first_response_at),
        t(r.resolved_at),
        t(r.closed_at),
        r.resolution
            .as_ref()
            .map(|x| x.cause.clone())
            .unwrap_or_default(),
        r.resolution
            .as_ref()
            .map(|x| x.solution.clone())
            .unwrap_or_default(),
        r.resolution
            .as_ref()
            .and_then(|x| x.prevention.clone())
            .unwrap_or_default(),
        r.csat
            .as_ref()
            .map(|c| c.score.to_string())
            .unwrap_or_default(),
        r.csat
            .as_ref()
            .and_then(|c| c.comment.clone())
            .unwrap_or_default(),
    ]
}

fn write_csv(rows: &[Vec<String>]) -> String {
    let mut w = csv::WriterBuilder::new()
        .flexible(true)
        .from_writer(Vec::new());
    for row in rows {
        w.write_record(row).unwrap();
    }
    String::from_utf8(w.into_inner().unwrap()).unwrap()
}

/// `export --format csv` (the header comes with the first row: no tickets, no text).
fn export_csv(tickets: &[TicketRecord]) -> String {
    if tickets.is_empty() {
        return String::new();
    }
    let mut rows = vec![CSV_COLUMNS.iter().map(|c| c.to_string()).collect()];
    rows.extend(tickets.iter().map(csv_row));
    write_csv(&rows)
}

/// `export --format json`.
fn export_json(data: &Dataset) -> String {
    let mut text = serde_json::to_string_pretty(data).unwrap();
    text.push('\n');
    text
}

// ---------------------------------------------------------------------------------------
// What the import does after parsing (pure)
// ---------------------------------------------------------------------------------------

static CALENDARS: LazyLock<Vec<Calendar>> = LazyLock::new(|| {
    vec![
        Calendar::new(CalendarSpec::business_hours("Asia/Shanghai")).unwrap(),
        Calendar::new(CalendarSpec::always_open()).unwrap(),
    ]
});

fn categories() -> Vec<String> {
    DEFAULT_CATEGORIES.iter().map(|c| c.to_string()).collect()
}

fn now() -> Timestamp {
    Timestamp::from_second(1_790_000_000).unwrap()
}

/// The import's checks of a parsed dataset, then the SLA timing of every valid record: no
/// panic, and a refusal says what was wrong.
fn check_parsed(data: &Dataset, input: &str) -> Result<(), TestCaseError> {
    let categories = categories();
    let policy = SlaPolicy::defaults(Uuid::nil());
    for r in &data.tickets {
        match r.validate(&categories) {
            Err(e) => prop_assert!(!e.trim().is_empty(), "empty refusal of {:?}; {}", r, input),
            Ok(()) => {
                let facts = SlaFacts {
                    created_at: r.created_at,
                    priority: r.priority,
                    kind: r.kind,
                    status_changes: r.status_changes(),
                    agent_public_replies: r
                        .comments
                        .iter()
                        .filter(|c| c.visibility == Visibility::Public)
                        .map(|c| c.created_at)
                        .collect(),
                };
                for calendar in CALENDARS.iter() {
                    evaluate(&facts, &policy, calendar, now());
                }
            }
        }
    }
    for u in &data.users {
        if let Err(e) = validate_email(&u.email) {
            prop_assert!(!e.to_string().trim().is_empty());
        }
    }
    Ok(())
}

fn import_message(e: StoreError, input: &str) -> Result<String, TestCaseError> {
    match e {
        StoreError::Import(m) => {
            prop_assert!(!m.trim().is_empty(), "empty import error for {}", input);
            Ok(m)
        }
        other => Err(TestCaseError::fail(format!(
            "not an import error: {other:?} for {input}"
        ))),
    }
}

/// `line N: …`: the number and the rest.
fn line_of(message: &str) -> Option<(usize, &str)> {
    let rest = message.strip_prefix("line ")?;
    let (n, what) = rest.split_once(": ")?;
    Some((n.parse().ok()?, what))
}

/// The number of the line a text ends on (lines end with `\n`, as the CSV reader counts
/// them; a text ending with one ends on the empty line after it).
fn last_line(text: &str) -> usize {
    text.matches('\n').count() + 1
}

fn check_csv(text: &str) -> Result<(), TestCaseError> {
    let input = shown(text);
    match parse_csv(text) {
        Err(e) => {
            let m = import_message(e, &input)?;
            let parsed = line_of(&m);
            prop_assert!(parsed.is_some(), "'{}' names no line; {}", m, input);
            let (line, what) = parsed.unwrap();
            prop_assert!(!what.trim().is_empty(), "'{}' says nothing; {}", m, input);
            prop_assert!(
                line >= 1 && line <= last_line(text),
                "'{}' names line {} of a text of {} lines; {}",
                m,
                line,
                last_line(text),
                input
            );
        }
        Ok(data) => {
            prop_assert!(data.organizations.is_empty() && data.users.is_empty());
            for r in &data.tickets {
                prop_assert!(r.comments.is_empty() && r.history.is_empty());
            }
            check_parsed(&data, &input)?;
            // What parsed exports and parses again to the same records.
            let again = export_csv(&data.tickets);
            match parse_csv(&again) {
                Ok(back) => prop_assert_eq!(&back, &data, "CSV re-export differs; {}", input),
                Err(e) => {
                    return Err(TestCaseError::fail(format!(
                        "re-export does not parse: {e}; re-exported {}; from {input}",
                        shown(&again)
                    )));
                }
            }
            json_round_trip(&data, &input)?;
        }
    }
    Ok(())
}

fn json_round_trip(data: &Dataset, input: &str) -> Result<(), TestCaseError> {
    let text = export_json(data);
    match parse_json(&text) {
        Ok(back) => prop_assert_eq!(&back, data, "JSON re-export differs; {}", input),
        Err(e) => {
            return Err(TestCaseError::fail(format!(
                "JSON re-export does not parse: {e}; from {input}"
            )));
        }
    }
    Ok(())
}

fn check_json(text: &str) -> Result<(), TestCaseError> {
    let input = shown(text);
    match parse_json(text) {
        Err(e) => {
            let m = import_message(e, &input)?;
            if let Some(rest) = m.strip_prefix("ticket ") {
                // The ticket by position, among those the text holds.
                let n: Option<usize> = rest.split_once(": ").and_then(|(n, _)| n.parse().ok());
                prop_assert!(n.is_some(), "'{}' has no ticket number; {}", m, input);
                let n = n.unwrap();
                let v: Value = serde_json::from_str(text).unwrap();
                let count = match &v {
                    Value::Array(a) => a.len(),
                    other => other["tickets"].as_array().map_or(0, Vec::len),
                };
                prop_assert!(
                    n >= 1 && n <= count,
                    "'{}': {} tickets; {}",
                    m,
                    count,
                    input
                );
            } else if let Some(rest) = m.strip_prefix("not valid JSON: ") {
                prop_assert!(rest.contains(" line "), "'{}' names no line; {}", m, input);
            } else {
                prop_assert!(
                    m.starts_with("organizations/teams/users: ")
                        || m.starts_with("expected an array of tickets"),
                    "unexpected import error '{}'; {}",
                    m,
                    input
                );
            }
        }
        Ok(data) => {
            check_parsed(&data, &input)?;
            json_round_trip(&data, &input)?;
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Strategies: valid datasets
// ---------------------------------------------------------------------------------------

const SPECIAL_TEXT: &[&str] = &[
    "",
    " ",
    "\u{0}",
    "\"",
    "\"\"",
    ",",
    ";",
    "a;b",
    "\r\n",
    "\n",
    "\r",
    "line one\nline two",
    "网络打印机坏了",
    "VPN 断线,请处理",
    "🙂‍↔️",
    "\u{feff}bom",
    "=cmd|'/C calc'!A0",
    "<script>alert(1)</script>",
    "# not a comment",
    "\t tab \t",
];

fn arb_text() -> BoxedStrategy<String> {
    prop_oneof![
        4 => "[a-zA-Z0-9 ]{0,16}",
        2 => "\\PC{0,24}",
        2 => prop::collection::vec(any::<char>(), 0..24).prop_map(String::from_iter),
        2 => select(SPECIAL_TEXT).prop_map(String::from),
        1 => (select(&["a", "字", "\n", "\"", ","][..]), 100usize..1500)
            .prop_map(|(s, n)| s.repeat(n)),
    ]
    .boxed()
}

/// Text as a CSV cell of an optional field keeps it: trimmed and not empty.
fn arb_kept_text() -> BoxedStrategy<String> {
    arb_text()
        .prop_filter_map("trimmed, not empty", |s| {
            let t = s.trim();
            (!t.is_empty()).then(|| t.to_string())
        })
        .boxed()
}

fn arb_email() -> BoxedStrategy<String> {
    prop_oneof![3 => "[a-z]{1,8}@[a-z]{1,8}\\.(com|cn)", 1 => arb_kept_text()].boxed()
}

fn arb_category() -> BoxedStrategy<String> {
    prop_oneof![3 => select(DEFAULT_CATEGORIES).prop_map(String::from), 1 => arb_text()].boxed()
}

fn arb_time() -> BoxedStrategy<Timestamp> {
    let (min, max) = (Timestamp::MIN.as_second(), Timestamp::MAX.as_second());
    prop_oneof![
        3 => (-400 * 86_400i64..86_400).prop_map(|d| Timestamp::from_second(1_790_000_000 + d).unwrap()),
        2 => (min..=max, -999_999_999i32..=999_999_999)
            .prop_filter_map("a timestamp", |(s, n)| Timestamp::new(s, n).ok()),
        1 => select(vec![Timestamp::MIN, Timestamp::MAX, Timestamp::UNIX_EPOCH]),
    ]
    .boxed()
}

fn opt<S: Strategy + 'static>(s: S) -> BoxedStrategy<Option<S::Value>> {
    proptest::option::of(s).boxed()
}

fn vocab<T: Copy + fmt::Debug + 'static>(all: &'static [T]) -> BoxedStrategy<T> {
    select(all).boxed()
}

/// A ticket record; `csv`: one a CSV row holds exactly (no comments or history, optional
/// text trimmed, tags without `;`, a positive number, a resolution with both parts).
fn arb_record(csv: bool) -> BoxedStrategy<TicketRecord> {
    let text = move || if csv { arb_kept_text() } else { arb_text() };
    let tag = if csv {
        arb_kept_text()
            .prop_filter("no ;", |t| !t.contains(';'))
            .boxed()
    } else {
        arb_text()
    };
    let comments = if csv {
        Just(Vec::new()).boxed()
    } else {
        prop::collection::vec(
            (
                opt(any::<u128>().prop_map(Uuid::from_u128)),
                arb_email(),
                vocab(Visibility::ALL),
                arb_text(),
                arb_time(),
            )
                .prop_map(|(id, author, visibility, body, created_at)| CommentRecord {
                    id,
                    author,
                    visibility,
                    body,
                    created_at,
                }),
            0..3,
        )
        .boxed()
    };
    let history = if csv {
        Just(Vec::new()).boxed()
    } else {
        prop::collection::vec(
            (
                arb_time(),
                vocab(Status::ALL),
                vocab(Status::ALL),
                opt(arb_email()),
            )
                .prop_map(|(at, from, to, actor)| StatusChangeRecord {
                    at,
                    from,
                    to,
                    actor,
                }),
            0..4,
        )
        .boxed()
    };
    let number = if csv {
        prop_oneof![1i64..100_000, 1i64..=i64::MAX].boxed()
    } else {
        any::<i64>().boxed()
    };
    (
        (
            opt(any::<u128>().prop_map(Uuid::from_u128)),
            opt(number),
            arb_text(),
            arb_text(),
            vocab(Kind::ALL),
            arb_category(),
            vocab(Status::ALL),
            vocab(Priority::ALL),
            vocab(Channel::ALL),
            opt(arb_email()),
            opt(text()),
            opt(arb_email()),
        ),
        (
            opt(text()),
            vocab(Tier::ALL),
            prop::collection::vec(tag, 0..4),
            opt(text()),
            arb_time(),
            arb_time(),
            opt(arb_time()),
            opt(arb_time()),
            opt(arb_time()),
            opt(
                (text(), text(), opt(text())).prop_map(|(cause, solution, prevention)| {
                    Resolution {
                        cause,
                        solution,
                        prevention,
                    }
                }),
            ),
            opt((any::<u8>(), opt(text())).prop_map(|(score, comment)| Csat { score, comment })),
        ),
        comments,
        history,
    )
        .prop_map(
            |(
                (
                    id,
                    number,
                    title,
                    description,
                    kind,
                    category,
                    status,
                    priority,
                    channel,
                    requester,
                    organization,
                    assignee,
                ),
                (
                    team,
                    tier,
                    tags,
                    site,
                    created_at,
                    updated_at,
                    first_response_at,
                    resolved_at,
                    closed_at,
                    resolution,
                    csat,
                ),
                comments,
                history,
            )| TicketRecord {
                id,
                number,
                title,
                description,
                kind,
                category,
                status,
                priority,
                channel,
                requester,
                organization,
                assignee,
                team,
                tier,
                tags,
                site,
                created_at,
                updated_at,
                first_response_at,
                resolved_at,
                closed_at,
                resolution,
                csat,
                comments,
                history,
            },
        )
        .boxed()
}

fn arb_dataset() -> BoxedStrategy<Dataset> {
    let org = (arb_text(), vocab(CustomerTier::ALL)).prop_map(|(name, customer_tier)| {
        OrganizationRecord {
            name,
            customer_tier,
        }
    });
    let user = (
        (arb_email(), arb_text(), vocab(Role::ALL), opt(arb_text())),
        (
            any::<bool>(),
            opt(arb_text()),
            opt(vocab(Tier::ALL)),
            any::<bool>(),
        ),
    )
        .prop_map(
            |((email, name, role, organization), (org_admin, team, tier, field))| UserRecord {
                email,
                name,
                role,
                organization,
                org_admin,
                team,
                tier,
                field,
            },
        );
    (
        prop::collection::vec(org, 0..3),
        prop::collection::vec(arb_text(), 0..3),
        prop::collection::vec(user, 0..3),
        prop::collection::vec(arb_record(false), 0..4),
    )
        .prop_map(|(organizations, teams, users, tickets)| Dataset {
            organizations,
            teams,
            users,
            tickets,
        })
        .boxed()
}

/// Realistic datasets: the demo generator's (what `helpdeck demo` imports).
static DEMO: LazyLock<Vec<Dataset>> = LazyLock::new(|| {
    (0..3u64)
        .map(|seed| helpdeck_demo::generate(12, seed, now()))
        .collect()
});

fn arb_demo() -> BoxedStrategy<Dataset> {
    (0..3usize, any::<Index>(), 1usize..5)
        .prop_map(|(which, start, n)| {
            let mut d = DEMO[which].clone();
            let from = start.index(d.tickets.len());
            d.tickets = d.tickets.into_iter().skip(from).take(n).collect();
            d
        })
        .boxed()
}

// ---------------------------------------------------------------------------------------
// Mutations
// ---------------------------------------------------------------------------------------

const TOKENS: &[&str] = &[
    "\"", ",", ";", "\n", "\r", "\r\n", "\u{0}", "\u{feff}", "字", "{", "}", "[", "]", ":", "null",
    "\\", "-", "1e999",
];

/// Values that a column or a field may not take (and some it may).
const BAD_VALUES: &[&str] = &[
    "",
    " ",
    "bogus",
    "P9",
    "HD-",
    "HD-0",
    "hd-7",
    "-5",
    "0",
    "999",
    "256",
    "18446744073709551616",
    "2026-13-45T99:99:99Z",
    "2026-01-01",
    "-009999-01-01T00:00:00Z",
    "9999-12-31T23:59:59.999999999Z",
    "not-a-uuid",
    "0190a1b2-0000-7000-8000-000000000001",
    "a@b",
    "resolved",
    "L4",
    "walk_in",
];

#[derive(Debug, Clone)]
enum Mutation {
    FlipBit(Index, u8),
    InsertText(Index, &'static str),
    Delete(Index, usize),
    Duplicate(Index, usize),
    Truncate(Index),
    /// CSV: one cell set to another value.
    SetCell(Index, Index, String),
    /// CSV: a cell removed or added (the row's length changes).
    DropCell(Index, Index),
    AddCell(Index, String),
    /// CSV: a row removed or repeated; two header names swapped.
    DropRow(Index),
    RepeatRow(Index),
    SwapHeader(Index, Index),
    /// JSON: one node replaced, a key removed or added.
    Replace(Index, Value),
    RemoveKey(Index),
    AddKey(Index, String, Value),
}

fn arb_value() -> BoxedStrategy<Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<u64>().prop_map(|n| json!(n)),
        any::<f64>().prop_map(|f| json!(f)),
        select(BAD_VALUES).prop_map(|s| json!(s)),
        arb_text().prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec(
                (select(CSV_COLUMNS.as_slice()).prop_map(String::from), inner),
                0..4
            )
            .prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
    .boxed()
}

fn arb_cell() -> BoxedStrategy<String> {
    prop_oneof![3 => select(BAD_VALUES).prop_map(String::from), 1 => arb_text()].boxed()
}

fn arb_byte_mutation() -> BoxedStrategy<Mutation> {
    prop_oneof![
        2 => (any::<Index>(), 0u8..8).prop_map(|(i, b)| Mutation::FlipBit(i, b)),
        2 => (any::<Index>(), select(TOKENS)).prop_map(|(i, t)| Mutation::InsertText(i, t)),
        2 => (any::<Index>(), 1usize..40).prop_map(|(i, n)| Mutation::Delete(i, n)),
        1 => (any::<Index>(), 1usize..200).prop_map(|(i, n)| Mutation::Duplicate(i, n)),
        1 => any::<Index>().prop_map(Mutation::Truncate),
    ]
    .boxed()
}

/// Mutations of a CSV export: bytes, cells, rows, header names.
fn arb_csv_mutation() -> BoxedStrategy<Mutation> {
    prop_oneof![
        2 => arb_byte_mutation(),
        6 => (any::<Index>(), any::<Index>(), arb_cell()).prop_map(|(r, c, v)| Mutation::SetCell(r, c, v)),
        1 => (any::<Index>(), any::<Index>()).prop_map(|(r, c)| Mutation::DropCell(r, c)),
        1 => (any::<Index>(), arb_cell()).prop_map(|(r, v)| Mutation::AddCell(r, v)),
        1 => any::<Index>().prop_map(Mutation::DropRow),
        1 => any::<Index>().prop_map(Mutation::RepeatRow),
        1 => (any::<Index>(), any::<Index>()).prop_map(|(a, b)| Mutation::SwapHeader(a, b)),
    ]
    .boxed()
}

/// Mutations of a JSON export: bytes, values of any type, keys.
fn arb_json_mutation() -> BoxedStrategy<Mutation> {
    prop_oneof![
        2 => arb_byte_mutation(),
        6 => (any::<Index>(), arb_value()).prop_map(|(i, v)| Mutation::Replace(i, v)),
        2 => any::<Index>().prop_map(Mutation::RemoveKey),
        1 => (any::<Index>(), select(CSV_COLUMNS.as_slice()).prop_map(String::from), arb_value())
            .prop_map(|(i, k, v)| Mutation::AddKey(i, k, v)),
    ]
    .boxed()
}

fn pointer_escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

/// Every node's JSON pointer, and whether the node is an object.
fn nodes(v: &Value, at: String, out: &mut Vec<(String, bool)>) {
    out.push((at.clone(), v.is_object()));
    match v {
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                nodes(item, format!("{at}/{i}"), out);
            }
        }
        Value::Object(map) => {
            for (k, item) in map {
                nodes(item, format!("{at}/{}", pointer_escape(k)), out);
            }
        }
        _ => {}
    }
}

fn read_rows(text: &str) -> Option<Vec<Vec<String>>> {
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    r.records()
        .map(|rec| rec.ok().map(|rec| rec.iter().map(String::from).collect()))
        .collect()
}

fn mutate(text: &mut String, m: &Mutation) {
    let mut bytes = std::mem::take(text).into_bytes();
    let len = bytes.len();
    match m {
        Mutation::FlipBit(i, bit) => {
            if len > 0 {
                bytes[i.index(len)] ^= 1 << bit;
            }
        }
        Mutation::InsertText(i, t) => {
            let at = i.index(len + 1);
            bytes.splice(at..at, t.bytes());
        }
        Mutation::Delete(i, n) => {
            if len > 0 {
                let at = i.index(len);
                bytes.drain(at..(at + n).min(len));
            }
        }
        Mutation::Duplicate(i, n) => {
            if len > 0 {
                let at = i.index(len);
                let piece = bytes[at..(at + n).min(len)].to_vec();
                bytes.splice(at..at, piece);
            }
        }
        Mutation::Truncate(i) => bytes.truncate(i.index(len + 1)),
        Mutation::SetCell(..)
        | Mutation::DropCell(..)
        | Mutation::AddCell(..)
        | Mutation::DropRow(_)
        | Mutation::RepeatRow(_)
        | Mutation::SwapHeader(..) => {
            let Some(mut rows) = std::str::from_utf8(&bytes).ok().and_then(read_rows) else {
                *text = String::from_utf8_lossy(&bytes).into_owned();
                return;
            };
            if !rows.is_empty() {
                let n = rows.len();
                match m {
                    Mutation::SetCell(r, c, v) => {
                        let row = &mut rows[r.index(n)];
                        if !row.is_empty() {
                            let at = c.index(row.len());
                            row[at] = v.clone();
                        }
                    }
                    Mutation::DropCell(r, c) => {
                        let row = &mut rows[r.index(n)];
                        if !row.is_empty() {
                            let at = c.index(row.len());
                            row.remove(at);
                        }
                    }
                    Mutation::AddCell(r, v) => rows[r.index(n)].push(v.clone()),
                    Mutation::DropRow(r) => {
                        rows.remove(r.index(n));
                    }
                    Mutation::RepeatRow(r) => {
                        let row = rows[r.index(n)].clone();
                        rows.insert(r.index(n), row);
                    }
                    Mutation::SwapHeader(a, b) => {
                        let header = &mut rows[0];
                        if !header.is_empty() {
                            let (a, b) = (a.index(header.len()), b.index(header.len()));
                            header.swap(a, b);
                        }
                    }
                    _ => unreachable!(),
                }
            }
            bytes = write_csv(&rows).into_bytes();
        }
        Mutation::Replace(..) | Mutation::RemoveKey(_) | Mutation::AddKey(..) => {
            let Ok(mut v) = serde_json::from_slice::<Value>(&bytes) else {
                *text = String::from_utf8_lossy(&bytes).into_owned();
                return;
            };
            let mut all = Vec::new();
            nodes(&v, String::new(), &mut all);
            match m {
                Mutation::Replace(i, new) => {
                    let (p, _) = &all[i.index(all.len())];
                    if let Some(node) = v.pointer_mut(p) {
                        *node = new.clone();
                    }
                }
                Mutation::RemoveKey(i) => {
                    let members: Vec<(String, String)> = all
                        .iter()
                        .filter(|(_, o)| *o)
                        .flat_map(|(p, _)| {
                            let keys: Vec<String> = v
                                .pointer(p)
                                .and_then(Value::as_object)
                                .map(|m| m.keys().cloned().collect())
                                .unwrap_or_default();
                            keys.into_iter().map(move |k| (p.clone(), k))
                        })
                        .collect();
                    if !members.is_empty() {
                        let (p, k) = &members[i.index(members.len())];
                        if let Some(map) = v.pointer_mut(p).and_then(Value::as_object_mut) {
                            map.remove(k);
                        }
                    }
                }
                Mutation::AddKey(i, k, new) => {
                    let objects: Vec<&String> =
                        all.iter().filter(|(_, o)| *o).map(|(p, _)| p).collect();
                    if !objects.is_empty() {
                        let p = objects[i.index(objects.len())].clone();
                        if let Some(map) = v.pointer_mut(&p).and_then(Value::as_object_mut) {
                            map.insert(k.clone(), new.clone());
                        }
                    }
                }
                _ => unreachable!(),
            }
            bytes = serde_json::to_vec_pretty(&v).unwrap();
        }
    }
    // The import reads files as UTF-8 text (`read_to_string`): a broken byte sequence is
    // refused before parsing, so only text reaches the parsers.
    *text = String::from_utf8_lossy(&bytes).into_owned();
}

/// A mutated export: where it came from, what was done to it and the result.
#[derive(Debug, Clone)]
struct Mutated {
    // Read only through `Debug`, when a case fails.
    #[allow(dead_code)]
    mutations: Vec<Mutation>,
    text: Text,
}

fn mutated(
    seed: BoxedStrategy<String>,
    mutation: BoxedStrategy<Mutation>,
) -> BoxedStrategy<Mutated> {
    (seed, prop::collection::vec(mutation, 1..4))
        .prop_map(|(mut text, mutations)| {
            for m in &mutations {
                mutate(&mut text, m);
            }
            Mutated {
                mutations,
                text: Text(text),
            }
        })
        .boxed()
}

fn csv_seed() -> BoxedStrategy<String> {
    prop_oneof![
        2 => prop::collection::vec(arb_record(true), 1..4).prop_map(|t| export_csv(&t)),
        1 => arb_demo().prop_map(|d| export_csv(&d.tickets)),
    ]
    .boxed()
}

fn json_seed() -> BoxedStrategy<String> {
    prop_oneof![
        2 => arb_dataset().prop_map(|d| export_json(&d)),
        1 => arb_demo().prop_map(|d| export_json(&d)),
        1 => prop::collection::vec(arb_record(false), 0..3)
            .prop_map(|t| serde_json::to_string(&t).unwrap()),
    ]
    .boxed()
}

// ---------------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------------

proptest! {
    #![proptest_config(config())]

    /// Arbitrary text never panics either parser; a refusal says what and where.
    #[test]
    fn arbitrary_text_never_panics(
        parts in prop::collection::vec(prop_oneof![
            arb_text(),
            select(TOKENS).prop_map(String::from),
            select(BAD_VALUES).prop_map(String::from),
            select(CSV_COLUMNS.as_slice()).prop_map(String::from),
        ], 0..40)
    ) {
        let text = parts.concat();
        check_csv(&text)?;
        check_json(&text)?;
    }

    /// A header and rows of arbitrary cells never panic the CSV parser.
    #[test]
    fn arbitrary_csv_rows_never_panic(
        header in prop::collection::vec(select(CSV_COLUMNS.as_slice()).prop_map(String::from), 0..30),
        rows in prop::collection::vec(prop::collection::vec(arb_cell(), 0..30), 0..4),
    ) {
        let mut all = vec![header];
        all.extend(rows);
        check_csv(&write_csv(&all))?;
    }

    /// Mutated CSV exports never panic; a refusal names the line; what parses is checked
    /// and re-exports to the same records.
    #[test]
    fn mutated_csv_never_panics(case in mutated(csv_seed(), arb_csv_mutation())) {
        check_csv(&case.text.0)?;
    }

    /// Mutated JSON exports never panic; a refusal names the ticket or the place; what
    /// parses is checked and re-exports to the same dataset.
    #[test]
    fn mutated_json_never_panics(case in mutated(json_seed(), arb_json_mutation())) {
        check_json(&case.text.0)?;
    }

    /// A valid dataset survives JSON export → parse exactly (as an object, and its tickets
    /// as a bare array).
    #[test]
    fn datasets_survive_json_export(data in prop_oneof![arb_dataset(), arb_demo()]) {
        let text = export_json(&data);
        let back = parse_json(&text);
        prop_assert!(back.is_ok(), "{:?}", back.err());
        prop_assert_eq!(back.unwrap(), data.clone());
        let bare = serde_json::to_string(&data.tickets).unwrap();
        let back = parse_json(&bare).unwrap();
        prop_assert_eq!(&back.tickets, &data.tickets);
        prop_assert!(back.users.is_empty() && back.organizations.is_empty());
        check_parsed(&data, &shown(&text))?;
    }

    /// Valid tickets survive CSV export → parse exactly.
    #[test]
    fn tickets_survive_csv_export(tickets in prop::collection::vec(arb_record(true), 0..5)) {
        let text = export_csv(&tickets);
        let back = parse_csv(&text);
        prop_assert!(back.is_ok(), "{:?} for {}", back.as_ref().err(), shown(&text));
        prop_assert_eq!(back.unwrap().tickets, tickets);
    }

    /// A bad cell in row `k` of an export is refused, naming the column and the line the
    /// row starts on (rows may span lines: descriptions are Markdown).
    #[test]
    fn a_bad_row_is_named_by_its_line(
        tickets in prop::collection::vec(arb_record(true), 1..5),
        k in any::<Index>(),
        column in select(&["kind", "status", "priority", "channel", "tier", "created_at", "id", "csat_score"][..]),
    ) {
        let k = k.index(tickets.len());
        let mut rows: Vec<Vec<String>> = vec![CSV_COLUMNS.iter().map(|c| c.to_string()).collect()];
        rows.extend(tickets.iter().map(csv_row));
        let at = CSV_COLUMNS.iter().position(|c| *c == column).unwrap();
        rows[k + 1][at] = "bogus".into();
        let text = write_csv(&rows);
        // The line row k starts on: one after the lines the rows before it take.
        let line = last_line(&write_csv(&rows[..k + 1]));
        match parse_csv(&text) {
            Ok(d) => prop_assert!(false, "accepted a bogus {}: {:?}", column, d),
            Err(e) => {
                let m = import_message(e, &shown(&text))?;
                prop_assert!(m.contains(column), "'{}' does not name {}", m, column);
                prop_assert_eq!(line_of(&m).map(|(n, _)| n), Some(line), "'{}' in {}", m, shown(&text));
            }
        }
    }

    /// A bad field in ticket `k` of a JSON import is refused, naming the ticket.
    #[test]
    fn a_bad_ticket_is_named_by_its_position(
        tickets in prop::collection::vec(arb_record(false), 1..5),
        k in any::<Index>(),
        field in select(&["kind", "status", "priority", "channel", "tier", "created_at", "title"][..]),
    ) {
        let k = k.index(tickets.len());
        let mut v = json!({"tickets": tickets});
        v["tickets"][k][field] = json!(["bogus"]);
        match parse_json(&v.to_string()) {
            Ok(d) => prop_assert!(false, "accepted a bogus {}: {:?}", field, d),
            Err(e) => {
                let m = import_message(e, "")?;
                let want = format!("ticket {}: ", k + 1);
                prop_assert!(m.starts_with(&want), "'{}' does not start with '{}'", m, want);
            }
        }
    }
}

/// The checks catch what they are for: a lost field on a round trip, a line number that is
/// not there, an error that is not an import error.
#[test]
fn the_checks_can_fail() {
    assert_eq!(
        line_of("line 3: kind: unknown kind 'x'"),
        Some((3, "kind: unknown kind 'x'"))
    );
    assert_eq!(line_of("kind: unknown"), None);
    assert!(import_message(StoreError::NotFound("x".into()), "x").is_err());
    assert!(import_message(StoreError::Import(" ".into()), "x").is_err());
    assert!(json_round_trip(&Dataset::default(), "x").is_ok());
    // Real refusals pass the checks.
    assert!(check_csv("id,title\n1,x\n").is_ok());
    assert!(check_json("{\"tickets\": 3}").is_ok());
    assert!(check_json("[{\"title\": 1}]").is_ok());
    assert!(check_json("{").is_ok());
}
