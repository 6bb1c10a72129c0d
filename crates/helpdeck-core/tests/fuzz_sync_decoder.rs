//! Fuzz-style property tests of the sync message decoders (issue "Security").
//!
//! What is decoded from outside the process:
//! - an outbox op, read back by the store and the sync client: [`parse_stored`] (schema
//!   version 1 is upgraded on the way);
//! - a push body, read by the server's `POST /sync/push` handler: `serde_json` into
//!   [`PushRequest`] (axum's `Json` extractor), then per op the server's checks: the schema
//!   version, [`check_entity`], [`clamp_clock`], and the decider — [`merge_with`] for tickets,
//!   comments, links and attachments, [`merge_article`] and [`merge_macro`] for articles and
//!   macros — whose documents the server stores as JSON and reads back;
//! - the server's answers, read by the sync client ([`PushResponse`], [`PullResponse`]).
//!
//! Properties: arbitrary bytes, text and JSON never panic a decoder and a refusal is an error
//! with a message; mutations of valid ops and push bodies (bytes flipped, inserted, deleted;
//! JSON values replaced by other types, huge numbers, deep nesting, long and odd strings; keys
//! removed or added; other actions, other schema versions) never panic, and whatever decodes
//! re-encodes to the same value and is decided without a panic; generated valid ops (every
//! change, version-1 ops too) round-trip exactly.
//!
//! Cases per property: 512 by default (a short CI run); `PROPTEST_CASES=20000` for a long run.

use std::fmt;
use std::sync::LazyLock;

use helpdeck_core::apply::{Context, Directory, MAX_CLOCK_AHEAD, Person, Rules, Target};
use helpdeck_core::attachment::{AttachmentDraft, AttachmentState, FileRef};
use helpdeck_core::escalation::Escalation;
use helpdeck_core::escalation::rules::{SlaAlert, SlaEvent};
use helpdeck_core::followup::{FollowUpDone, Level, Outcome as FollowUpOutcome};
use helpdeck_core::kb::{
    ArticleDoc, ArticleDraft, ArticleFields, ArticleLang, ArticleStatus, Audience, DiagnosisStep,
    ScriptStep, merge_article,
};
use helpdeck_core::macros::{
    MacroActions, MacroAssignee, MacroDoc, MacroDraft, MacroFields, merge_macro,
};
use helpdeck_core::op::{
    Change, CommentDraft, Entity, LinkDraft, LinkKind, OP_SCHEMA_VERSION, Op, TicketDraft,
    TicketFields, parse_stored,
};
use helpdeck_core::record::{CommentRecord, StatusChangeRecord, TicketRecord, Visibility};
use helpdeck_core::sla::TargetKind;
use helpdeck_core::status::Status;
use helpdeck_core::sync::{
    CommentState, LinkState, MAX_PUSH_OPS, PullResponse, PushRequest, PushResponse, TicketDoc,
    check_entity, clamp_clock, hlc_at, hlc_time, merge_with,
};
use helpdeck_core::ticket::{Channel, Csat, DEFAULT_CATEGORIES, Kind, Priority, Resolution, Tier};
use helpdeck_core::user::{Role, User, validate_email};
use helpdeck_core::{DomainError, Timestamp, Uuid};
use proptest::prelude::*;
use proptest::sample::{Index, select};
use proptest::strategy::Union;
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

/// Raw bytes that show as (lossy) text when a case fails.
#[derive(Clone)]
struct Input(Vec<u8>);

impl fmt::Debug for Input {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match std::str::from_utf8(&self.0) {
            Ok(s) => write!(f, "Input({s:?})"),
            Err(_) => write!(
                f,
                "Input(not UTF-8: {:?} / bytes {:?})",
                String::from_utf8_lossy(&self.0),
                self.0
            ),
        }
    }
}

fn shown(bytes: &[u8]) -> String {
    let s = String::from_utf8_lossy(bytes);
    let mut out: String = s.chars().take(2000).collect();
    if s.chars().count() > 2000 {
        out.push_str("…(cut)");
    }
    format!("{out:?}")
}

// ---------------------------------------------------------------------------------------
// The world a decoded op is decided against (the server's view)
// ---------------------------------------------------------------------------------------

const NOW_S: i64 = 1_790_000_000;
const ORG: Uuid = Uuid::from_u128(0x0_7000_8000_0000_0000_0000_0000_0001);
// Roles by id (see `Dir`): n % 3 == 0 agent, 1 admin, 2 customer.
const CUSTOMER: Uuid = Uuid::from_u128(2);
const AGENT: Uuid = Uuid::from_u128(3);
const ADMIN: Uuid = Uuid::from_u128(4);
const DEVICE: Uuid = Uuid::from_u128(0x0_d0d0);
const TICKET: Uuid = Uuid::from_u128(0x0_1000);
const OTHER: Uuid = Uuid::from_u128(0x0_1001);
const COMMENT: Uuid = Uuid::from_u128(0x0_2000);
const LINK: Uuid = Uuid::from_u128(0x0_3000);
const ATTACHMENT: Uuid = Uuid::from_u128(0x0_4000);
const ARTICLE: Uuid = Uuid::from_u128(0x0_5000);
const MACRO: Uuid = Uuid::from_u128(0x0_6000);
/// Ids a generated op names often, so that its decision reaches past "not found".
const KNOWN_IDS: &[Uuid] = &[
    CUSTOMER, AGENT, ADMIN, DEVICE, TICKET, OTHER, COMMENT, LINK, ATTACHMENT, ARTICLE, MACRO,
];

fn now() -> Timestamp {
    Timestamp::from_second(NOW_S).unwrap()
}

fn role_of(id: Uuid) -> Role {
    match id.as_u128() % 3 {
        0 => Role::Agent,
        1 => Role::Admin,
        _ => Role::Customer,
    }
}

/// A directory that knows every id (its role follows from the id), every team with an even
/// id, every well-formed email and every team name: decisions go as deep as they can.
struct Dir;

impl Directory for Dir {
    fn person(&self, id: Uuid) -> Option<Person> {
        let role = role_of(id);
        Some(Person {
            role,
            organization_id: (role == Role::Customer).then_some(ORG),
        })
    }
    fn team_exists(&self, id: Uuid) -> bool {
        id.as_u128().is_multiple_of(2)
    }
    fn by_email(&self, email: &str) -> Option<(Uuid, Person)> {
        let e = validate_email(email).ok()?;
        let id = Uuid::new_v5(&Uuid::NAMESPACE_OID, e.as_bytes());
        Some((id, self.person(id)?))
    }
    fn team_named(&self, name: &str) -> Option<Uuid> {
        let n = name.trim();
        (!n.is_empty()).then(|| Uuid::new_v5(&Uuid::NAMESPACE_DNS, n.as_bytes()))
    }
}

fn user(id: Uuid, role: Role) -> User {
    User {
        id,
        email: format!("u{}@example.com", id.as_u128()),
        name: "U".into(),
        role,
        organization_id: (role == Role::Customer).then_some(ORG),
        org_admin: false,
        team_id: None,
        tier: None,
        field: false,
        created_at: Timestamp::UNIX_EPOCH,
    }
}

struct World {
    rules: Rules,
    doc: TicketDoc,
    other: TicketDoc,
    comment: CommentState,
    link: LinkState,
    attachment: AttachmentState,
    article: ArticleDoc,
    macro_doc: MacroDoc,
}

fn world_op(entity_id: Uuid, change: Change, actor: Uuid) -> Op {
    Op {
        op_id: Uuid::new_v5(&entity_id, b"world"),
        entity: change.entity(),
        entity_id,
        change,
        hlc: hlc_at(now(), DEVICE),
        at: now(),
        device_id: DEVICE,
        actor_id: actor,
        schema_version: OP_SCHEMA_VERSION,
    }
}

/// The world every case is decided against (built once).
static WORLD: LazyLock<World> = LazyLock::new(world);

fn world() -> World {
    let rules = Rules {
        local_workspace: false,
        ..Rules::default()
    };
    let admin = user(ADMIN, Role::Admin);
    let ctx = Context {
        actor: &admin,
        rules: &rules,
        now: now(),
        directory: &Dir,
    };
    let create = |id: Uuid, title: &str| {
        let op = world_op(
            id,
            Change::CreateTicket(TicketDraft {
                title: title.into(),
                description: "**VPN** 断线".into(),
                requester_id: Some(CUSTOMER),
                assignee_id: Some(AGENT),
                ..Default::default()
            }),
            ADMIN,
        );
        merge_with(Target::default(), None, &op, &ctx)
            .expect("the world's ticket is valid")
            .expect("and new")
            .doc
    };
    let doc = create(TICKET, "Printer jams");
    let other = create(OTHER, "Printer jams again");
    let target = Target {
        ticket: Some(&doc.ticket),
        ..Target::default()
    };
    let comment = merge_with(
        target,
        Some(&doc),
        &world_op(
            COMMENT,
            Change::AddComment(CommentDraft {
                ticket_id: TICKET,
                visibility: Visibility::Public,
                body: "Restarted it".into(),
            }),
            ADMIN,
        ),
        &ctx,
    )
    .expect("the world's comment is valid")
    .expect("and new")
    .comment
    .expect("a comment op makes a comment");
    let link = merge_with(
        Target {
            other: Some(&other.ticket),
            ..target
        },
        Some(&doc),
        &world_op(
            LINK,
            Change::LinkTickets(LinkDraft {
                from: TICKET,
                to: OTHER,
                kind: LinkKind::Related,
            }),
            ADMIN,
        ),
        &ctx,
    )
    .expect("the world's link is valid")
    .expect("and new")
    .link
    .expect("a link op makes a link");
    let attachment = AttachmentState {
        id: ATTACHMENT,
        ticket_id: TICKET,
        comment_id: Some(COMMENT),
        sha256: "a".repeat(64),
        name: "screen.png".into(),
        media_type: "image/png".into(),
        size: 1234,
        uploader_id: ADMIN,
        created_at: now(),
    };
    let article = merge_article(
        None,
        &world_op(
            ARTICLE,
            Change::CreateArticle(ArticleDraft {
                title: "VPN drops".into(),
                body: "Restart the client.".into(),
                category: None,
                tags: vec!["vpn".into()],
                audience: Audience::Public,
                lang: ArticleLang::En,
                translation_of: None,
                steps: vec![ScriptStep {
                    instruction: "Restart".into(),
                    expected: "It connects".into(),
                }],
                files: Vec::new(),
                from_ticket: Some(TICKET),
                publish: true,
            }),
            ADMIN,
        ),
        &ctx,
    )
    .expect("the world's article is valid")
    .expect("and new");
    let macro_doc = merge_macro(
        None,
        &world_op(
            MACRO,
            Change::CreateMacro(MacroDraft {
                name: "Greet".into(),
                body: "Hello {requester.name}".into(),
                actions: MacroActions::default(),
                personal: false,
            }),
            ADMIN,
        ),
        &ctx,
    )
    .expect("the world's macro is valid")
    .expect("and new");
    World {
        rules,
        doc,
        other,
        comment,
        link,
        attachment,
        article,
        macro_doc,
    }
}

// ---------------------------------------------------------------------------------------
// Checks shared by the properties
// ---------------------------------------------------------------------------------------

/// A refusal says what was wrong.
fn check_domain_error(e: &DomainError, input: &str) -> Result<(), TestCaseError> {
    let msg = e.to_string();
    prop_assert!(!msg.trim().is_empty(), "empty error for {input}");
    prop_assert!(!e.code().is_empty(), "no code for {input}");
    match e {
        DomainError::Invalid { field, message } | DomainError::Required { field, message } => {
            prop_assert!(!field.is_empty(), "no field in {e:?} for {input}");
            prop_assert!(
                !message.trim().is_empty(),
                "no message in {e:?} for {input}"
            );
        }
        DomainError::Forbidden(m) | DomainError::NotFound(m) => {
            prop_assert!(!m.trim().is_empty(), "no message in {e:?} for {input}");
        }
        DomainError::UnknownValue { .. } | DomainError::InvalidTransition { .. } => {}
    }
    Ok(())
}

/// A JSON refusal says what was wrong and, for malformed text, where.
fn check_json_error(e: &serde_json::Error, input: &str) -> Result<(), TestCaseError> {
    prop_assert!(!e.to_string().trim().is_empty(), "empty error for {input}");
    if e.is_syntax() || e.is_eof() {
        prop_assert!(e.line() >= 1, "no line in '{e}' for {input}");
    }
    Ok(())
}

fn json_round_trip<T>(value: &T, what: &str, input: &str) -> Result<(), TestCaseError>
where
    T: serde::Serialize + serde::de::DeserializeOwned + PartialEq + fmt::Debug,
{
    let text = serde_json::to_string(value)
        .map_err(|e| TestCaseError::fail(format!("{what} does not encode: {e}; from {input}")))?;
    let back: T = serde_json::from_str(&text).map_err(|e| {
        TestCaseError::fail(format!(
            "{what} does not decode again: {e}; encoded {text}; from {input}"
        ))
    })?;
    prop_assert_eq!(
        &back,
        value,
        "{} changed on a round trip; from {}",
        what,
        input
    );
    Ok(())
}

/// An op that decoded re-encodes to the same op, through both decoders.
fn check_op_round_trip(op: &Op, input: &str) -> Result<(), TestCaseError> {
    json_round_trip(op, "op", input)?;
    let text = serde_json::to_string(op).unwrap();
    // An op written with schema version 1 is read as the untyped version-1 form by design:
    // the outbox never holds one (the store writes the current version).
    if op.schema_version != 1 {
        match parse_stored(&text) {
            Ok(back) => prop_assert_eq!(&back, op, "outbox round trip; from {}", input),
            Err(e) => {
                return Err(TestCaseError::fail(format!(
                    "the outbox decoder refuses an encoded op: {e}; encoded {text}; from {input}"
                )));
            }
        }
        let pretty = serde_json::to_string_pretty(op).unwrap();
        let back = parse_stored(&pretty).ok();
        prop_assert_eq!(
            back.as_ref(),
            Some(op),
            "pretty outbox round trip; from {}",
            input
        );
    }
    let value = serde_json::to_value(op).unwrap();
    let back: Op = serde_json::from_value(value).map_err(|e| {
        TestCaseError::fail(format!(
            "from_value refuses an encoded op: {e}; from {input}"
        ))
    })?;
    prop_assert_eq!(&back, op);
    Ok(())
}

/// The op aimed at the world's entity of its kind (the ids the server would load), so that
/// its decision gets past "not found" to the rules.
fn aimed(op: &Op) -> Op {
    let mut op = op.clone();
    op.entity_id = match op.entity {
        Entity::Comment => COMMENT,
        Entity::Link => LINK,
        Entity::Attachment => ATTACHMENT,
        Entity::Article => ARTICLE,
        Entity::Macro => MACRO,
        _ => TICKET,
    };
    match &mut op.change {
        Change::AddComment(c) => c.ticket_id = TICKET,
        Change::AddAttachment(a) => a.ticket_id = TICKET,
        Change::LinkTickets(l) => {
            l.from = TICKET;
            l.to = OTHER;
        }
        Change::MergeFrom { duplicate } => *duplicate = OTHER,
        Change::MergeInto { into } => *into = OTHER,
        _ => {}
    }
    op
}

/// Decides `op` as the server does after decoding a push (every role, every target; as it
/// came and aimed at the world's entities) and checks that nothing panics, that a refusal
/// says why, that an op whose entity does not match its change is refused, and that what
/// the server would store reads back the same.
fn decide(w: &World, op: &Op, input: &str) -> Result<(), TestCaseError> {
    decide_one(w, op, input)?;
    decide_one(w, &aimed(op), input)
}

fn decide_one(w: &World, op: &Op, input: &str) -> Result<(), TestCaseError> {
    if op.schema_version != OP_SCHEMA_VERSION {
        return Ok(()); // refused as `unsupported_version` before anything else
    }
    if let Err(e) = check_entity(op) {
        return check_domain_error(&e, input);
    }
    let mut op = op.clone();
    clamp_clock(&mut op, now());
    // I7: after clamping, neither clock is far ahead of the server's.
    let bound = now() + MAX_CLOCK_AHEAD;
    prop_assert!(
        op.at <= bound,
        "clamped at {} > {bound}; from {input}",
        op.at
    );
    let hlc = hlc_time(&op.hlc);
    prop_assert!(
        hlc.is_some_and(|t| t <= bound),
        "clamped hlc {:?} ({hlc:?}) unbounded; from {input}",
        op.hlc
    );
    let mismatch = op.entity != op.change.entity();
    for role in [Role::Admin, Role::Agent, Role::Customer] {
        let actor = user(op.actor_id, role);
        let ctx = Context {
            actor: &actor,
            rules: &w.rules,
            now: now(),
            directory: &Dir,
        };
        match op.entity {
            Entity::Article => {
                for before in [None, Some(&w.article)] {
                    match merge_article(before, &op, &ctx) {
                        Err(e) => check_domain_error(&e, input)?,
                        Ok(r) => {
                            prop_assert!(!mismatch, "a mismatched op was decided: {op:?}");
                            if let Some(doc) = r {
                                json_round_trip(&doc, "article doc", input)?;
                            }
                        }
                    }
                }
            }
            Entity::Macro => {
                for before in [None, Some(&w.macro_doc)] {
                    match merge_macro(before, &op, &ctx) {
                        Err(e) => check_domain_error(&e, input)?,
                        Ok(r) => {
                            prop_assert!(!mismatch, "a mismatched op was decided: {op:?}");
                            if let Some(doc) = r {
                                json_round_trip(&doc, "macro doc", input)?;
                            }
                        }
                    }
                }
            }
            _ => {
                let ticket_only = Target {
                    ticket: Some(&w.doc.ticket),
                    ..Target::default()
                };
                let full = Target {
                    ticket: Some(&w.doc.ticket),
                    comment: Some(&w.comment),
                    link: Some(&w.link),
                    other: Some(&w.other.ticket),
                    attachment: Some(&w.attachment),
                    other_comments: std::slice::from_ref(&w.comment),
                };
                let targets = [
                    (Target::default(), None),
                    (ticket_only, Some(&w.doc)),
                    (full, Some(&w.doc)),
                ];
                for (target, doc) in targets {
                    match merge_with(target, doc, &op, &ctx) {
                        Err(e) => check_domain_error(&e, input)?,
                        Ok(r) => {
                            prop_assert!(!mismatch, "a mismatched op was decided: {op:?}");
                            if let Some(m) = r {
                                json_round_trip(&m.doc, "ticket doc", input)?;
                                if let Some(c) = &m.comment {
                                    json_round_trip(c, "comment", input)?;
                                }
                                if let Some(l) = &m.link {
                                    json_round_trip(l, "link", input)?;
                                }
                                if let Some(a) = &m.attachment {
                                    json_round_trip(a, "attachment", input)?;
                                }
                            }
                        }
                    }
                }
            }
        }
    }
    Ok(())
}

/// Runs every decoder over `bytes`: no panic; a refusal says what was wrong; what decodes
/// re-encodes to the same value and is decided without a panic.
fn check_decoders(w: &World, bytes: &[u8]) -> Result<(), TestCaseError> {
    let input = shown(bytes);
    // The outbox decoder (text).
    let text = String::from_utf8_lossy(bytes);
    match parse_stored(&text) {
        Err(e) => {
            check_domain_error(&e, &input)?;
            prop_assert_eq!(e.field(), Some("op"), "outbox errors are about the op");
        }
        Ok(op) => {
            // Only a JSON object is an op.
            let v: Value = serde_json::from_str(&text)
                .map_err(|e| TestCaseError::fail(format!("accepted non-JSON ({e}): {input}")))?;
            prop_assert!(v.is_object(), "accepted a non-object: {}", input);
            check_op_round_trip(&op, &input)?;
            decide(w, &op, &input)?;
        }
    }
    // One op as the server's serde reads it.
    match serde_json::from_slice::<Op>(bytes) {
        Err(e) => check_json_error(&e, &input)?,
        Ok(op) => {
            check_op_round_trip(&op, &input)?;
            decide(w, &op, &input)?;
        }
    }
    // A push body, as `POST /sync/push` reads it.
    match serde_json::from_slice::<PushRequest>(bytes) {
        Err(e) => check_json_error(&e, &input)?,
        Ok(req) => {
            let text = serde_json::to_string(&req).unwrap();
            let back: PushRequest = serde_json::from_str(&text).map_err(|e| {
                TestCaseError::fail(format!("push does not decode again: {e}; from {input}"))
            })?;
            prop_assert_eq!(&back.ops, &req.ops);
            if req.ops.len() <= MAX_PUSH_OPS {
                for op in &req.ops {
                    check_op_round_trip(op, &input)?;
                    decide(w, op, &input)?;
                }
            }
        }
    }
    // The server's answers, as the sync client reads them.
    if let Err(e) = serde_json::from_slice::<PushResponse>(bytes) {
        check_json_error(&e, &input)?;
    }
    if let Err(e) = serde_json::from_slice::<PullResponse>(bytes) {
        check_json_error(&e, &input)?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Strategies: valid ops
// ---------------------------------------------------------------------------------------

const SPECIAL_TEXT: &[&str] = &[
    "",
    " ",
    "\u{0}",
    "\"\\/",
    "\r\n\t",
    "网络打印机坏了",
    "VPN 断线 ✓",
    "🙂‍↔️👩🏽‍💻",
    "\u{202e}gnp.exe",
    "\u{feff}bom",
    "\u{fffd}\u{ffff}",
    "<script>alert(1)</script>",
    "{requester.name}",
    "attachment:",
    "%s%n%x",
    "../../etc/passwd",
    "Ω≈ç√∫˜µ≤≥÷",
    "ǅǈ ﬁ ß İ",
];

fn arb_text() -> BoxedStrategy<String> {
    prop_oneof![
        4 => "[a-zA-Z0-9 ]{0,16}",
        2 => "\\PC{0,24}",
        2 => prop::collection::vec(any::<char>(), 0..24).prop_map(String::from_iter),
        2 => select(SPECIAL_TEXT).prop_map(String::from),
        1 => (select(&["a", "字", "🙂", " ", "\\"][..]), 150usize..1500)
            .prop_map(|(s, n)| s.repeat(n)),
    ]
    .boxed()
}

fn arb_email() -> BoxedStrategy<String> {
    prop_oneof![
        3 => "[a-z]{1,8}@[a-z]{1,8}\\.(com|cn|org)",
        1 => arb_text(),
    ]
    .boxed()
}

fn arb_category() -> BoxedStrategy<String> {
    prop_oneof![
        3 => select(DEFAULT_CATEGORIES).prop_map(String::from),
        1 => arb_text(),
    ]
    .boxed()
}

fn arb_tags() -> BoxedStrategy<Vec<String>> {
    prop::collection::vec(prop_oneof![3 => "[a-z]{1,10}", 1 => arb_text()], 0..4).boxed()
}

fn arb_id() -> BoxedStrategy<Uuid> {
    prop_oneof![
        3 => select(KNOWN_IDS),
        3 => any::<u128>().prop_map(Uuid::from_u128),
        1 => Just(Uuid::nil()),
        1 => Just(Uuid::max()),
    ]
    .boxed()
}

fn arb_time() -> BoxedStrategy<Timestamp> {
    let (min, max) = (Timestamp::MIN.as_second(), Timestamp::MAX.as_second());
    prop_oneof![
        3 => (-90 * 86_400i64..86_400).prop_map(|d| Timestamp::from_second(NOW_S + d).unwrap()),
        2 => (min..=max, -999_999_999i32..=999_999_999)
            .prop_filter_map("a timestamp", |(s, n)| Timestamp::new(s, n).ok()),
        1 => select(vec![Timestamp::MIN, Timestamp::MAX, Timestamp::UNIX_EPOCH]),
    ]
    .boxed()
}

fn arb_hlc() -> BoxedStrategy<String> {
    prop_oneof![
        // What devices write (times within uhlc's range, before 2106).
        3 => (-400 * 86_400i64..400 * 86_400, arb_id()).prop_map(|(d, dev)| {
            hlc_at(Timestamp::from_second(NOW_S + d).unwrap(), dev)
        }),
        1 => "[0-9]{1,22}/[0-9a-fA-F]{1,34}",
        1 => arb_text(),
    ]
    .boxed()
}

fn opt<S: Strategy + 'static>(s: S) -> BoxedStrategy<Option<S::Value>> {
    proptest::option::of(s).boxed()
}

fn opt_opt<S: Strategy + 'static>(s: S) -> BoxedStrategy<Option<Option<S::Value>>> {
    proptest::option::of(proptest::option::of(s)).boxed()
}

fn vocab<T: Copy + fmt::Debug + 'static>(all: &'static [T]) -> BoxedStrategy<T> {
    select(all).boxed()
}

fn arb_ticket_draft() -> BoxedStrategy<TicketDraft> {
    (
        (
            arb_text(),
            arb_text(),
            opt(vocab(Kind::ALL)),
            opt(arb_category()),
            opt(vocab(Priority::ALL)),
            opt(vocab(Channel::ALL)),
        ),
        (
            opt(arb_id()),
            opt(arb_id()),
            opt(arb_id()),
            opt(vocab(Tier::ALL)),
            arb_tags(),
            opt(arb_id()),
            opt(arb_text()),
            any::<i64>(),
        ),
    )
        .prop_map(
            |(
                (title, description, kind, category, priority, channel),
                (requester_id, assignee_id, team_id, tier, tags, asset_id, site, number),
            )| TicketDraft {
                title,
                description,
                kind,
                category,
                priority,
                channel,
                requester_id,
                assignee_id,
                team_id,
                tier,
                tags,
                asset_id,
                site,
                number,
            },
        )
        .boxed()
}

fn arb_ticket_fields() -> BoxedStrategy<TicketFields> {
    (
        (
            opt(arb_text()),
            opt(arb_text()),
            opt(vocab(Kind::ALL)),
            opt(arb_category()),
            opt(vocab(Priority::ALL)),
            opt_opt(arb_id()),
        ),
        (
            opt_opt(arb_id()),
            opt(vocab(Tier::ALL)),
            opt(arb_tags()),
            opt_opt(arb_id()),
            opt_opt(arb_text()),
            opt_opt(arb_id()),
        ),
    )
        .prop_map(
            |(
                (title, description, kind, category, priority, assignee_id),
                (team_id, tier, tags, asset_id, site, requester_id),
            )| TicketFields {
                title,
                description,
                kind,
                category,
                priority,
                assignee_id,
                team_id,
                tier,
                tags,
                asset_id,
                site,
                requester_id,
            },
        )
        .boxed()
}

fn arb_resolution() -> BoxedStrategy<Resolution> {
    (arb_text(), arb_text(), opt(arb_text()))
        .prop_map(|(cause, solution, prevention)| Resolution {
            cause,
            solution,
            prevention,
        })
        .boxed()
}

fn arb_csat() -> BoxedStrategy<Csat> {
    (prop_oneof![1u8..=5, any::<u8>()], opt(arb_text()))
        .prop_map(|(score, comment)| Csat { score, comment })
        .boxed()
}

fn arb_record() -> BoxedStrategy<TicketRecord> {
    let comment = (
        opt(arb_id()),
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
        });
    let history = (
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
        });
    (
        (
            opt(arb_id()),
            opt(any::<i64>()),
            arb_text(),
            arb_text(),
            vocab(Kind::ALL),
            arb_category(),
            vocab(Status::ALL),
            vocab(Priority::ALL),
            vocab(Channel::ALL),
            opt(arb_email()),
            opt(arb_text()),
            opt(arb_email()),
        ),
        (
            opt(arb_text()),
            vocab(Tier::ALL),
            arb_tags(),
            opt(arb_text()),
            arb_time(),
            arb_time(),
            opt(arb_time()),
            opt(arb_time()),
            opt(arb_time()),
            opt(arb_resolution()),
            opt(arb_csat()),
        ),
        prop::collection::vec(comment, 0..3),
        prop::collection::vec(history, 0..4),
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

fn arb_sha() -> BoxedStrategy<String> {
    prop_oneof![3 => "[0-9a-f]{64}", 1 => "[0-9A-F]{64}", 1 => arb_text()].boxed()
}

fn arb_size() -> BoxedStrategy<u64> {
    prop_oneof![3 => 0u64..100_000_000, 1 => any::<u64>()].boxed()
}

fn arb_file() -> BoxedStrategy<FileRef> {
    (
        arb_sha(),
        arb_text(),
        prop_oneof![Just("image/png".to_string()), arb_text()],
        arb_size(),
    )
        .prop_map(|(sha256, name, media_type, size)| FileRef {
            sha256,
            name,
            media_type,
            size,
        })
        .boxed()
}

fn arb_steps() -> BoxedStrategy<Vec<ScriptStep>> {
    prop::collection::vec(
        (arb_text(), arb_text()).prop_map(|(instruction, expected)| ScriptStep {
            instruction,
            expected,
        }),
        0..4,
    )
    .boxed()
}

fn arb_macro_actions() -> BoxedStrategy<MacroActions> {
    let assignee = prop_oneof![
        Just(MacroAssignee::Me),
        Just(MacroAssignee::Nobody),
        arb_id().prop_map(MacroAssignee::Agent),
    ];
    (
        opt(vocab(Status::ALL)),
        opt(vocab(Priority::ALL)),
        opt(vocab(Tier::ALL)),
        proptest::option::of(assignee),
        arb_tags(),
    )
        .prop_map(
            |(status, priority, tier, assignee, add_tags)| MacroActions {
                status,
                priority,
                tier,
                assignee,
                add_tags,
            },
        )
        .boxed()
}

fn arb_change() -> BoxedStrategy<Change> {
    let attachment = (
        opt(arb_id()),
        arb_id(),
        arb_sha(),
        arb_text(),
        arb_text(),
        arb_size(),
    )
        .prop_map(|(comment_id, ticket_id, sha256, name, media_type, size)| {
            Change::AddAttachment(AttachmentDraft {
                ticket_id,
                comment_id,
                sha256,
                name,
                media_type,
                size,
            })
        });
    let follow_up = (
        vocab(Level::ALL),
        vocab(FollowUpOutcome::ALL),
        arb_text(),
        opt(arb_id()),
    )
        .prop_map(|(level, outcome, note, next_owner)| {
            Change::FollowUp(FollowUpDone {
                level,
                outcome,
                note,
                next_owner,
            })
        });
    let article_draft = (
        (arb_text(), arb_text(), opt(arb_category()), arb_tags()),
        (vocab(Audience::ALL), vocab(ArticleLang::ALL), opt(arb_id())),
        (
            arb_steps(),
            prop::collection::vec(arb_file(), 0..3),
            opt(arb_id()),
            any::<bool>(),
        ),
    )
        .prop_map(
            |(
                (title, body, category, tags),
                (audience, lang, translation_of),
                (steps, files, from_ticket, publish),
            )| {
                Change::CreateArticle(ArticleDraft {
                    title,
                    body,
                    category,
                    tags,
                    audience,
                    lang,
                    translation_of,
                    steps,
                    files,
                    from_ticket,
                    publish,
                })
            },
        );
    let article_fields = (
        (
            opt(arb_text()),
            opt(arb_text()),
            opt(arb_text()),
            opt(arb_tags()),
        ),
        (
            opt(vocab(Audience::ALL)),
            opt(vocab(ArticleLang::ALL)),
            opt(arb_id()),
            opt(arb_steps()),
            opt(prop::collection::vec(arb_file(), 0..3)),
        ),
    )
        .prop_map(
            |((title, body, category, tags), (audience, lang, translation_of, steps, files))| {
                Change::UpdateArticle(ArticleFields {
                    title,
                    body,
                    category,
                    tags,
                    audience,
                    lang,
                    translation_of,
                    steps,
                    files,
                })
            },
        );
    let diagnosis = (
        arb_id(),
        any::<u16>(),
        any::<u16>(),
        arb_text(),
        any::<bool>(),
        opt(arb_text()),
    )
        .prop_map(
            |(article_id, step, total, instruction, as_expected, note)| {
                Change::RecordDiagnosis(DiagnosisStep {
                    article_id,
                    step,
                    total,
                    instruction,
                    as_expected,
                    note,
                })
            },
        );
    let sla_alert = (
        arb_text(),
        vocab(SlaEvent::ALL),
        vocab(TargetKind::ALL),
        arb_time(),
        opt(arb_id()),
    )
        .prop_map(|(rule, event, target, due_at, notify)| {
            Change::SlaAlert(SlaAlert {
                rule,
                event,
                target,
                due_at,
                notify,
            })
        });
    Union::new(vec![
        arb_ticket_draft().prop_map(Change::CreateTicket).boxed(),
        arb_record()
            .prop_map(|r| Change::ImportTicket(Box::new(r)))
            .boxed(),
        arb_ticket_fields().prop_map(Change::UpdateTicket).boxed(),
        (vocab(Status::ALL), vocab(Status::ALL), opt(arb_text()))
            .prop_map(|(from, to, reason)| Change::Transition { from, to, reason })
            .boxed(),
        arb_resolution().prop_map(Change::Resolve).boxed(),
        arb_csat().prop_map(Change::Rate).boxed(),
        (arb_id(), vocab(Visibility::ALL), arb_text())
            .prop_map(|(ticket_id, visibility, body)| {
                Change::AddComment(CommentDraft {
                    ticket_id,
                    visibility,
                    body,
                })
            })
            .boxed(),
        Just(Change::DeleteComment).boxed(),
        (arb_id(), arb_id(), vocab(LinkKind::ALL))
            .prop_map(|(from, to, kind)| Change::LinkTickets(LinkDraft { from, to, kind }))
            .boxed(),
        Just(Change::UnlinkTickets).boxed(),
        attachment.boxed(),
        follow_up.boxed(),
        article_draft.boxed(),
        article_fields.boxed(),
        vocab(ArticleStatus::ALL)
            .prop_map(|to| Change::SetArticleStatus { to })
            .boxed(),
        any::<bool>()
            .prop_map(|helpful| Change::VoteArticle { helpful })
            .boxed(),
        prop_oneof![0u32..2000, any::<u32>()]
            .prop_map(|views| Change::CountArticleViews { views })
            .boxed(),
        diagnosis.boxed(),
        (arb_text(), arb_text(), arb_macro_actions(), any::<bool>())
            .prop_map(|(name, body, actions, personal)| {
                Change::CreateMacro(MacroDraft {
                    name,
                    body,
                    actions,
                    personal,
                })
            })
            .boxed(),
        (opt(arb_text()), opt(arb_text()), opt(arb_macro_actions()))
            .prop_map(|(name, body, actions)| {
                Change::UpdateMacro(MacroFields {
                    name,
                    body,
                    actions,
                })
            })
            .boxed(),
        Just(Change::DeleteMacro).boxed(),
        (vocab(Tier::ALL), arb_text(), arb_text())
            .prop_map(|(tier, reason, impact)| {
                Change::Escalate(Escalation {
                    tier,
                    reason,
                    impact,
                })
            })
            .boxed(),
        arb_id()
            .prop_map(|duplicate| Change::MergeFrom { duplicate })
            .boxed(),
        arb_id().prop_map(|into| Change::MergeInto { into }).boxed(),
        sla_alert.boxed(),
    ])
    .boxed()
}

const ENTITIES: &[Entity] = &[
    Entity::Ticket,
    Entity::Comment,
    Entity::User,
    Entity::Organization,
    Entity::Team,
    Entity::Link,
    Entity::Attachment,
    Entity::Article,
    Entity::Macro,
];

/// A valid op (as decoders see them: any ids, any times, any clock text). Its entity
/// matches its change mostly; schema version 1 is the untyped form (see [`arb_v1`]).
fn arb_op() -> BoxedStrategy<Op> {
    (
        (arb_id(), arb_id(), arb_change()),
        prop_oneof![6 => Just(None), 1 => vocab(ENTITIES).prop_map(Some)],
        (arb_hlc(), arb_time(), arb_id(), arb_id()),
        prop_oneof![
            8 => Just(OP_SCHEMA_VERSION),
            1 => any::<u32>().prop_filter("version 1 is the untyped form", |v| *v != 1),
        ],
    )
        .prop_map(
            |((op_id, entity_id, change), entity, (hlc, at, device_id, actor_id), version)| Op {
                op_id,
                entity: entity.unwrap_or_else(|| change.entity()),
                entity_id,
                change,
                hlc,
                at,
                device_id,
                actor_id,
                schema_version: version,
            },
        )
        .boxed()
}

/// A version-1 op (untyped `create`/`set`/`transition`/`delete`), as an outbox written
/// before the typed changes may still hold.
fn arb_v1() -> BoxedStrategy<Value> {
    let body = prop_oneof![
        arb_ticket_draft().prop_map(|d| {
            let mut state = serde_json::to_value(&d).unwrap();
            // A version-1 state carried the whole ticket.
            state["id"] = json!(TICKET);
            state["status"] = json!("new");
            state["created_at"] = json!(now());
            json!({"entity": "ticket", "action": "create", "state": state})
        }),
        (
            arb_ticket_fields(),
            opt(arb_resolution()),
            opt(arb_csat()),
            any::<bool>()
        )
            .prop_map(|(f, resolution, csat, derived)| {
                let mut fields = serde_json::to_value(&f).unwrap();
                if let Some(r) = resolution {
                    fields["resolution"] = json!(r);
                }
                if let Some(c) = csat {
                    fields["csat"] = json!(c);
                }
                if derived {
                    fields["updated_at"] = json!(now());
                    fields["resolved_at"] = Value::Null;
                }
                json!({"entity": "ticket", "action": "set", "fields": fields})
            }),
        (vocab(Status::ALL), vocab(Status::ALL), opt(arb_text())).prop_map(|(from, to, reason)| {
            json!({"entity": "ticket", "action": "transition", "from": from, "to": to,
                    "reason": reason})
        }),
        (arb_id(), vocab(Visibility::ALL), arb_text()).prop_map(|(ticket_id, vis, body)| {
            json!({"entity": "comment", "action": "create", "state": {
                "id": COMMENT, "ticket_id": ticket_id, "author_id": ADMIN,
                "visibility": vis, "body": body, "created_at": now()}})
        }),
        Just(json!({"entity": "comment", "action": "delete"})),
    ];
    (
        body,
        arb_id(),
        arb_id(),
        arb_hlc(),
        arb_time(),
        arb_id(),
        arb_id(),
    )
        .prop_map(|(mut v, op_id, entity_id, hlc, at, device_id, actor_id)| {
            let o = v.as_object_mut().unwrap();
            o.insert("op_id".into(), json!(op_id));
            o.insert("entity_id".into(), json!(entity_id));
            o.insert("hlc".into(), json!(hlc));
            o.insert("at".into(), json!(at));
            o.insert("device_id".into(), json!(device_id));
            o.insert("actor_id".into(), json!(actor_id));
            o.insert("schema_version".into(), json!(1));
            v
        })
        .boxed()
}

// ---------------------------------------------------------------------------------------
// Strategies: arbitrary JSON and mutations
// ---------------------------------------------------------------------------------------

/// Keys and string values an op's decoder looks at.
const KEYS: &[&str] = &[
    "op_id",
    "entity",
    "entity_id",
    "change",
    "action",
    "hlc",
    "at",
    "device_id",
    "actor_id",
    "schema_version",
    "ops",
    "title",
    "description",
    "fields",
    "state",
    "from",
    "to",
    "reason",
    "ticket_id",
    "visibility",
    "body",
    "priority",
    "assignee_id",
    "tags",
    "score",
    "comment",
    "cause",
    "solution",
    "number",
    "status",
    "created_at",
    "updated_at",
    "sha256",
    "size",
    "views",
    "helpful",
    "name",
    "actions",
    "tier",
    "kind",
    "id",
    "zzz_unknown",
];

const ACTIONS: &[&str] = &[
    "create_ticket",
    "import_ticket",
    "update_ticket",
    "transition",
    "resolve",
    "rate",
    "add_comment",
    "delete_comment",
    "link_tickets",
    "unlink_tickets",
    "add_attachment",
    "follow_up",
    "create_article",
    "update_article",
    "set_article_status",
    "vote_article",
    "count_article_views",
    "record_diagnosis",
    "create_macro",
    "update_macro",
    "delete_macro",
    "escalate",
    "merge_from",
    "merge_into",
    "sla_alert",
    // Version 1, and nothing.
    "create",
    "set",
    "delete",
    "promote_user",
    "",
];

const WORDS: &[&str] = &[
    "ticket",
    "comment",
    "article",
    "macro",
    "link",
    "attachment",
    "user",
    "team",
    "organization",
    "P1",
    "P9",
    "new",
    "open",
    "resolved",
    "closed",
    "public",
    "internal",
    "L2",
    "related",
    "2026-01-01T00:00:00Z",
    "-009999-01-01T00:00:00Z",
    "9999-12-31T23:59:59.999999999Z",
    "2026-13-45T99:99:99Z",
    "0190a1b2-0000-7000-8000-000000000001",
    "{0190a1b2-0000-7000-8000-000000000001}",
    "urn:uuid:0190a1b2-0000-7000-8000-000000000001",
    "0190a1b200007000800000000000000",
    "7/1",
    "18446744073709551615/ffffffffffffffffffffffffffffffff",
    "0/0",
];

/// Numbers at the edges, as raw JSON text (some beyond what JSON numbers decode to).
const RAW_NUMBERS: &[&str] = &[
    "0",
    "-0",
    "1",
    "2",
    "-1",
    "255",
    "256",
    "65536",
    "4294967295",
    "4294967296",
    "9223372036854775807",
    "-9223372036854775808",
    "9223372036854775808",
    "-9223372036854775809",
    "18446744073709551615",
    "18446744073709551616",
    "340282366920938463463374607431768211456",
    "1e400",
    "-1e400",
    "1e-400",
    "1.5",
    "2.0",
    "1E+2",
    "0.1e1",
    "123456789012345678901234567890e-10",
];

/// Odd strings, as raw JSON text (escapes JSON allows and some it does not).
const RAW_STRINGS: &[&str] = &[
    r#""\u0000""#,
    r#""\ud800""#,
    r#""\udc00\ud800""#,
    r#""\uD83D\uDE00""#,
    r#""\u202e""#,
    r#""\x41""#,
    r#""\q""#,
    "\"unterminated",
    "\"tab\there\"",
    "\"\u{7f}\u{85}\u{2028}\u{2029}\"",
];

fn arb_json_leaf() -> BoxedStrategy<Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<u64>().prop_map(|n| json!(n)),
        any::<f64>().prop_map(|f| json!(f)),
        select(WORDS).prop_map(|s| json!(s)),
        select(ACTIONS).prop_map(|s| json!(s)),
        arb_id().prop_map(|u| json!(u)),
        arb_time().prop_map(|t| json!(t)),
        arb_text().prop_map(Value::String),
    ]
    .boxed()
}

fn arb_json() -> BoxedStrategy<Value> {
    arb_json_leaf()
        .prop_recursive(6, 96, 10, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                prop::collection::vec(
                    (
                        prop_oneof![4 => select(KEYS).prop_map(String::from), 1 => arb_text()],
                        inner
                    ),
                    0..10,
                )
                .prop_map(|kv| Value::Object(kv.into_iter().collect())),
            ]
        })
        .boxed()
}

/// What a JSON node is replaced with.
#[derive(Debug, Clone)]
enum Replacement {
    Value(Value),
    /// Raw JSON text (numbers JSON cannot hold exactly, odd escapes, deep nesting).
    Raw(String),
}

fn arb_replacement() -> BoxedStrategy<Replacement> {
    prop_oneof![
        6 => arb_json().prop_map(Replacement::Value),
        2 => select(RAW_NUMBERS).prop_map(|s| Replacement::Raw(s.into())),
        2 => select(RAW_STRINGS).prop_map(|s| Replacement::Raw(s.into())),
        // Deep nesting: below and above serde_json's recursion limit (128).
        1 => (1usize..400, any::<bool>()).prop_map(|(n, arrays)| {
            Replacement::Raw(if arrays {
                format!("{}{}", "[".repeat(n), "]".repeat(n))
            } else {
                format!("{}1{}", "{\"a\":".repeat(n), "}".repeat(n))
            })
        }),
        // Long strings: up to above the body limit (256 KiB).
        1 => (select(&["a", "字", "\\n", "\\u0000"][..]), 1usize..300_000).prop_map(|(s, n)| {
            Replacement::Raw(format!("\"{}\"", s.repeat(n)))
        }),
    ]
    .boxed()
}

#[derive(Debug, Clone)]
enum Mutation {
    FlipBit(Index, u8),
    InsertByte(Index, u8),
    InsertText(Index, &'static str),
    Delete(Index, usize),
    Duplicate(Index, usize),
    Truncate(Index),
    /// Replaces one JSON node (any depth) with another value.
    Replace(Index, Replacement),
    /// Replaces one scalar with another of its kind (a string with a string, a number with
    /// a number): the message mostly still decodes, with odd values inside.
    Retype(Index, Value, Value),
    RemoveKey(Index),
    AddKey(Index, String, Replacement),
    /// Sets an `action` (a change's, or a version-1 op's) to another one.
    SetAction(Index, &'static str),
    SetVersion(u64),
}

const TOKENS: &[&str] = &[
    "{", "}", "[", "]", "\"", ",", ":", "\\", "null", "-", "0", "e9", "\u{0}", "\u{feff}", "字",
    "\\u0000", "\\ud800", "//", "/*", "NaN",
];

fn arb_mutation() -> BoxedStrategy<Mutation> {
    prop_oneof![
        2 => (any::<Index>(), 0u8..8).prop_map(|(i, b)| Mutation::FlipBit(i, b)),
        1 => (any::<Index>(), any::<u8>()).prop_map(|(i, b)| Mutation::InsertByte(i, b)),
        2 => (any::<Index>(), select(TOKENS)).prop_map(|(i, t)| Mutation::InsertText(i, t)),
        2 => (any::<Index>(), 1usize..40).prop_map(|(i, n)| Mutation::Delete(i, n)),
        1 => (any::<Index>(), 1usize..200).prop_map(|(i, n)| Mutation::Duplicate(i, n)),
        1 => any::<Index>().prop_map(Mutation::Truncate),
        6 => (any::<Index>(), arb_replacement()).prop_map(|(i, r)| Mutation::Replace(i, r)),
        8 => (
            any::<Index>(),
            prop_oneof![select(WORDS).prop_map(|s| json!(s)), arb_text().prop_map(Value::String)],
            select(RAW_NUMBERS).prop_filter_map("a JSON number", |n| n.parse::<Value>().ok()),
        )
            .prop_map(|(i, s, n)| Mutation::Retype(i, s, n)),
        3 => any::<Index>().prop_map(Mutation::RemoveKey),
        2 => (any::<Index>(), select(KEYS).prop_map(String::from), arb_replacement())
            .prop_map(|(i, k, r)| Mutation::AddKey(i, k, r)),
        3 => (any::<Index>(), select(ACTIONS)).prop_map(|(i, a)| Mutation::SetAction(i, a)),
        1 => select(&[0u64, 1, 2, 3, 4_294_967_295, 4_294_967_296, u64::MAX][..])
            .prop_map(Mutation::SetVersion),
    ]
    .boxed()
}

const PLACEHOLDER: &str = "__fuzz_raw_placeholder__";

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

/// Pointers of object members: (object pointer, key).
fn members(v: &Value) -> Vec<(String, String)> {
    let mut all = Vec::new();
    nodes(v, String::new(), &mut all);
    all.into_iter()
        .filter(|(_, is_object)| *is_object)
        .flat_map(|(p, _)| {
            let keys: Vec<String> = v
                .pointer(&p)
                .and_then(Value::as_object)
                .map(|m| m.keys().cloned().collect())
                .unwrap_or_default();
            keys.into_iter().map(move |k| (p.clone(), k))
        })
        .collect()
}

/// `v` as text with the raw replacement spliced in where the placeholder is.
fn with_raw(v: &Value, r: &Replacement) -> String {
    let text = serde_json::to_string(v).unwrap();
    match r {
        Replacement::Value(_) => text,
        Replacement::Raw(raw) => text.replacen(&format!("\"{PLACEHOLDER}\""), raw, 1),
    }
}

fn replacement_value(r: &Replacement) -> Value {
    match r {
        Replacement::Value(v) => v.clone(),
        Replacement::Raw(_) => Value::String(PLACEHOLDER.into()),
    }
}

fn mutate(bytes: &mut Vec<u8>, m: &Mutation) {
    let len = bytes.len();
    match m {
        Mutation::FlipBit(i, bit) => {
            if len > 0 {
                bytes[i.index(len)] ^= 1 << bit;
            }
        }
        Mutation::InsertByte(i, b) => bytes.insert(i.index(len + 1), *b),
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
                let piece: Vec<u8> = bytes[at..(at + n).min(len)].to_vec();
                bytes.splice(at..at, piece);
            }
        }
        Mutation::Truncate(i) => bytes.truncate(i.index(len + 1)),
        _ => {
            // Structural mutations work on text that is still JSON (else they do nothing).
            let Ok(mut v) = serde_json::from_slice::<Value>(bytes) else {
                return;
            };
            let text = match m {
                Mutation::Replace(i, r) => {
                    let mut all = Vec::new();
                    nodes(&v, String::new(), &mut all);
                    let (p, _) = &all[i.index(all.len())];
                    if let Some(node) = v.pointer_mut(p) {
                        *node = replacement_value(r);
                    }
                    with_raw(&v, r)
                }
                Mutation::Retype(i, string, number) => {
                    let mut all = Vec::new();
                    nodes(&v, String::new(), &mut all);
                    let scalars: Vec<String> = all
                        .into_iter()
                        .map(|(p, _)| p)
                        .filter(|p| v.pointer(p).is_some_and(|n| n.is_string() || n.is_number()))
                        .collect();
                    if !scalars.is_empty() {
                        let p = &scalars[i.index(scalars.len())];
                        if let Some(node) = v.pointer_mut(p) {
                            *node = if node.is_string() {
                                string.clone()
                            } else {
                                number.clone()
                            };
                        }
                    }
                    serde_json::to_string(&v).unwrap()
                }
                Mutation::RemoveKey(i) => {
                    let all = members(&v);
                    if !all.is_empty() {
                        let (p, k) = &all[i.index(all.len())];
                        if let Some(map) = v.pointer_mut(p).and_then(Value::as_object_mut) {
                            map.remove(k);
                        }
                    }
                    serde_json::to_string(&v).unwrap()
                }
                Mutation::AddKey(i, k, r) => {
                    let mut all = Vec::new();
                    nodes(&v, String::new(), &mut all);
                    let objects: Vec<&String> =
                        all.iter().filter(|(_, o)| *o).map(|(p, _)| p).collect();
                    if !objects.is_empty() {
                        let p = objects[i.index(objects.len())].clone();
                        if let Some(map) = v.pointer_mut(&p).and_then(Value::as_object_mut) {
                            map.insert(k.clone(), replacement_value(r));
                        }
                    }
                    with_raw(&v, r)
                }
                Mutation::SetAction(i, a) => {
                    let with_action: Vec<String> = members(&v)
                        .into_iter()
                        .filter(|(_, k)| k == "action")
                        .map(|(p, _)| p)
                        .collect();
                    if !with_action.is_empty() {
                        let p = &with_action[i.index(with_action.len())];
                        if let Some(map) = v.pointer_mut(p).and_then(Value::as_object_mut) {
                            map.insert("action".into(), json!(a));
                        }
                    }
                    serde_json::to_string(&v).unwrap()
                }
                Mutation::SetVersion(n) => {
                    for (p, k) in members(&v) {
                        if k == "schema_version"
                            && let Some(map) = v.pointer_mut(&p).and_then(Value::as_object_mut)
                        {
                            map.insert(k, json!(n));
                        }
                    }
                    serde_json::to_string(&v).unwrap()
                }
                _ => unreachable!("byte mutations are handled above"),
            };
            *bytes = text.into_bytes();
        }
    }
}

/// A valid message to start from.
#[derive(Debug, Clone)]
enum Seed {
    Op(Box<Op>, bool),
    V1(Value),
    Push(Vec<Op>),
}

impl Seed {
    fn encode(&self) -> Vec<u8> {
        match self {
            Seed::Op(op, true) => serde_json::to_vec_pretty(&**op).unwrap(),
            Seed::Op(op, false) => serde_json::to_vec(&**op).unwrap(),
            Seed::V1(v) => serde_json::to_vec(v).unwrap(),
            Seed::Push(ops) => serde_json::to_vec(&PushRequest { ops: ops.clone() }).unwrap(),
        }
    }
}

fn arb_seed() -> BoxedStrategy<Seed> {
    prop_oneof![
        5 => (arb_op(), any::<bool>()).prop_map(|(op, pretty)| Seed::Op(Box::new(op), pretty)),
        2 => arb_v1().prop_map(Seed::V1),
        2 => prop::collection::vec(arb_op(), 0..4).prop_map(Seed::Push),
    ]
    .boxed()
}

/// A mutated message: the seed, what was done to it and the result (shown on failure).
#[derive(Debug, Clone)]
struct Mutated {
    // Read only through `Debug`, when a case fails.
    #[allow(dead_code)]
    seed: Seed,
    #[allow(dead_code)]
    mutations: Vec<Mutation>,
    input: Input,
}

fn arb_mutated() -> BoxedStrategy<Mutated> {
    (arb_seed(), prop::collection::vec(arb_mutation(), 1..4))
        .prop_map(|(seed, mutations)| {
            let mut bytes = seed.encode();
            for m in &mutations {
                mutate(&mut bytes, m);
            }
            Mutated {
                seed,
                mutations,
                input: Input(bytes),
            }
        })
        .boxed()
}

// ---------------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------------

const REQUIRED: &[&str] = &[
    "op_id",
    "entity",
    "entity_id",
    "change",
    "hlc",
    "at",
    "device_id",
    "actor_id",
    "schema_version",
];

/// Changes whose payload refuses unknown fields (`deny_unknown_fields`): a field the
/// decoder does not know is an error, never silently dropped.
fn denies_unknown_fields(c: &Change) -> bool {
    matches!(
        c,
        Change::CreateTicket(_)
            | Change::UpdateTicket(_)
            | Change::AddComment(_)
            | Change::LinkTickets(_)
            | Change::AddAttachment(_)
            | Change::FollowUp(_)
            | Change::CreateArticle(_)
            | Change::UpdateArticle(_)
            | Change::RecordDiagnosis(_)
            | Change::CreateMacro(_)
            | Change::UpdateMacro(_)
            | Change::Escalate(_)
            | Change::SlaAlert(_)
    )
}

proptest! {
    #![proptest_config(config())]

    /// (a) Arbitrary bytes never panic a decoder; a refusal is an error with a message.
    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..600)) {
        check_decoders(&WORLD, &bytes)?;
    }

    /// (a) Arbitrary text (any characters, JSON-ish tokens) never panics a decoder.
    #[test]
    fn arbitrary_text_never_panics(
        parts in prop::collection::vec(prop_oneof![arb_text(), select(TOKENS).prop_map(String::from), select(KEYS).prop_map(|k| format!("\"{k}\""))], 0..30)
    ) {
        check_decoders(&WORLD, parts.concat().as_bytes())?;
    }

    /// (a) Arbitrary JSON (with an op's keys and values) never panics a decoder; whatever
    /// decodes round-trips and is decided without a panic.
    #[test]
    fn arbitrary_json_never_panics(v in arb_json(), wrap in 0u8..3) {
        let v = match wrap {
            0 => v,
            1 => json!({"ops": [v]}),
            _ => json!({"ops": v}),
        };
        check_decoders(&WORLD, &serde_json::to_vec(&v).unwrap())?;
    }

    /// (b) Mutated valid ops, version-1 ops and push bodies never panic a decoder; whatever
    /// still decodes re-encodes to the same value and is decided without a panic.
    #[test]
    fn mutated_messages_never_panic_and_round_trip(case in arb_mutated()) {
        check_decoders(&WORLD, &case.input.0)?;
    }

    /// (b) A required field removed is refused, and the error names it.
    #[test]
    fn missing_required_fields_are_named(op in arb_op(), field in select(REQUIRED)) {
        let mut v = serde_json::to_value(&op).unwrap();
        v.as_object_mut().unwrap().remove(field);
        let text = v.to_string();
        let e = parse_stored(&text).err();
        prop_assert!(e.is_some(), "accepted an op without {}: {}", field, text);
        let e = e.unwrap().to_string();
        prop_assert!(e.contains(field), "'{}' does not name {}", e, field);
        let e = serde_json::from_str::<Op>(&text).err();
        prop_assert!(e.is_some(), "accepted an op without {}: {}", field, text);
        let e = e.unwrap().to_string();
        prop_assert!(e.contains(field), "'{}' does not name {}", e, field);
        let push = json!({"ops": [v]}).to_string();
        prop_assert!(serde_json::from_str::<PushRequest>(&push).is_err());
    }

    /// (b) A change whose payload refuses unknown fields refuses one, naming it; a change
    /// without an action is refused.
    #[test]
    fn unknown_change_fields_are_refused(op in arb_op(), key in "zz_[a-z_]{1,10}") {
        if denies_unknown_fields(&op.change) {
            let mut v = serde_json::to_value(&op).unwrap();
            v["change"].as_object_mut().unwrap().insert(key.clone(), json!(1));
            let text = v.to_string();
            let e = parse_stored(&text).err();
            prop_assert!(e.is_some(), "accepted unknown field {}: {}", key, text);
            let e = e.unwrap().to_string();
            prop_assert!(e.contains(&key), "'{}' does not name {}", e, key);
            prop_assert!(serde_json::from_str::<Op>(&text).is_err());
        }
        let mut v = serde_json::to_value(&op).unwrap();
        v["change"].as_object_mut().unwrap().remove("action");
        let text = v.to_string();
        let e = parse_stored(&text).err();
        prop_assert!(e.is_some(), "accepted a change without an action: {}", text);
        let e = e.unwrap().to_string();
        prop_assert!(e.contains("action"), "'{}' does not name the action", e);
    }

    /// (c) Every valid op round-trips exactly, alone and in a push, and is decided by the
    /// server's rules without a panic.
    #[test]
    fn valid_ops_round_trip_exactly(ops in prop::collection::vec(arb_op(), 1..4)) {
        let w = &*WORLD;
        for op in &ops {
            let input = format!("{op:?}");
            check_op_round_trip(op, &input)?;
            decide(w, op, &input)?;
        }
        let body = serde_json::to_vec(&PushRequest { ops: ops.clone() }).unwrap();
        let req: PushRequest = serde_json::from_slice(&body).unwrap();
        prop_assert_eq!(req.ops, ops);
    }

    /// (c) A version-1 op upgrades to a current op of the matching entity, which then
    /// round-trips exactly; a refusal says why.
    #[test]
    fn version_1_ops_upgrade_and_round_trip(v1 in arb_v1()) {
        let text = v1.to_string();
        match parse_stored(&text) {
            Err(e) => check_domain_error(&e, &text)?,
            Ok(op) => {
                prop_assert_eq!(op.schema_version, OP_SCHEMA_VERSION);
                prop_assert_eq!(op.entity, op.change.entity());
                check_op_round_trip(&op, &text)?;
                decide(&WORLD, &op, &text)?;
            }
        }
    }
}

/// A value that loses a field on a round trip (what `json_round_trip` must catch).
#[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize)]
struct Lossy {
    kept: u8,
    #[serde(skip)]
    lost: u8,
}

/// The checks themselves catch what they are for: a lossy round trip, a refusal without a
/// message, garbage accepted as an op.
#[test]
fn the_checks_can_fail() {
    assert!(json_round_trip(&Lossy { kept: 1, lost: 0 }, "lossy", "x").is_ok());
    assert!(json_round_trip(&Lossy { kept: 1, lost: 2 }, "lossy", "x").is_err());
    assert!(check_domain_error(&DomainError::NotFound(String::new()), "x").is_err());
    assert!(check_domain_error(&DomainError::invalid("op", " "), "x").is_err());
    assert!(check_domain_error(&DomainError::invalid("op", "not JSON"), "x").is_ok());
    // A mismatched op reaches the decider and is refused there (else `decide` fails).
    let mismatched = Op {
        entity: Entity::Ticket,
        ..world_op(COMMENT, Change::DeleteComment, ADMIN)
    };
    assert!(decide(&WORLD, &mismatched, "mismatched").is_ok());
    for garbage in ["", "[]", "null", "{}", "{\"op_id\": 1}", "\u{0}"] {
        assert!(parse_stored(garbage).is_err(), "{garbage:?}");
        assert!(check_decoders(&WORLD, garbage.as_bytes()).is_ok());
    }
}
