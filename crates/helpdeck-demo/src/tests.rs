use std::collections::{HashMap, HashSet};

use jiff::{SignedDuration, Timestamp};

use super::generate;
use helpdeck_core::record::{Dataset, TicketRecord, Visibility};
use helpdeck_core::status::Status;
use helpdeck_core::ticket::{DEFAULT_CATEGORIES, Kind, Priority};
use helpdeck_core::user::{Role, validate_email};

fn base() -> Timestamp {
    "2026-03-18T09:30:00.5Z".parse().unwrap()
}

fn is_zh(t: &TicketRecord) -> bool {
    t.title
        .chars()
        .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
}

fn share(part: usize, whole: usize) -> f64 {
    part as f64 / whole.max(1) as f64
}

#[test]
fn same_seed_same_data_and_different_seed_differs() {
    let a = generate(300, 7, base());
    let b = generate(300, 7, base());
    assert_eq!(a, b);
    let c = generate(300, 8, base());
    assert_ne!(a.tickets, c.tickets);
    let d = generate(300, 7, base() + SignedDuration::from_hours(1));
    assert_ne!(a.tickets, d.tickets);
}

#[test]
fn zero_tickets_still_has_people() {
    let d = generate(0, 1, base());
    assert!(d.tickets.is_empty());
    assert_eq!(d.organizations.len(), 8);
    assert_eq!(d.teams, ["Service Desk", "Infrastructure", "Field Service"]);
    let agents = d.users.iter().filter(|u| u.role == Role::Agent).count();
    let admins = d.users.iter().filter(|u| u.role == Role::Admin).count();
    let customers = d.users.iter().filter(|u| u.role == Role::Customer).count();
    assert!((10..=14).contains(&agents), "{agents}");
    assert_eq!(admins, 1);
    assert!((140..=160).contains(&customers), "{customers}");
    assert!(d.users.iter().any(|u| u.field));
    assert!(d.users.iter().any(|u| u.org_admin));
}

#[test]
fn people_are_valid_and_unique() {
    let d = generate(0, 99, base());
    let mut seen = HashSet::new();
    for u in &d.users {
        assert_eq!(validate_email(&u.email).unwrap(), u.email);
        assert!(seen.insert(u.email.clone()), "duplicate {}", u.email);
        let (_, domain) = u.email.split_once('@').unwrap();
        match u.role {
            Role::Customer => {
                let org = u.organization.as_deref().unwrap();
                assert!(d.organizations.iter().any(|o| o.name == org));
                assert_ne!(domain, "helpdeck.example");
                // Everyone in an organization shares its domain.
                let other = d
                    .users
                    .iter()
                    .find(|v| v.organization.as_deref() == Some(org))
                    .unwrap();
                assert!(other.email.ends_with(&format!("@{domain}")));
            }
            Role::Agent | Role::Admin => {
                assert_eq!(domain, "helpdeck.example");
                assert!(d.teams.contains(u.team.as_ref().unwrap()));
                assert!(u.tier.is_some());
            }
        }
    }
}

fn check_ticket(d: &Dataset, t: &TicketRecord, base: Timestamp) {
    let lo = base - SignedDuration::from_hours(91 * 24);
    let within = |ts: Timestamp, what: &str| {
        assert!(ts >= lo && ts <= base, "{what} {ts} out of range in {t:?}");
        assert!(ts >= t.created_at, "{what} {ts} before creation in {t:?}");
    };
    let user = |email: &str| d.users.iter().find(|u| u.email == email);
    let staff =
        |email: &str| user(email).is_some_and(|u| matches!(u.role, Role::Agent | Role::Admin));

    assert!(t.id.is_none() && t.number.is_none());
    assert!(!t.title.trim().is_empty());
    assert!(t.title.chars().count() <= helpdeck_core::ticket::MAX_TITLE_CHARS);
    assert!(!t.description.trim().is_empty());
    assert!(
        DEFAULT_CATEGORIES.contains(&t.category.as_str()),
        "{}",
        t.category
    );
    within(t.created_at, "created_at");
    within(t.updated_at, "updated_at");

    // People and places exist.
    let requester = user(t.requester.as_deref().unwrap()).expect("requester exists");
    assert_eq!(requester.role, Role::Customer);
    assert_eq!(requester.organization, t.organization);
    if let Some(a) = &t.assignee {
        assert!(staff(a), "assignee {a}");
        assert!(t.team.is_some());
    }
    if let Some(team) = &t.team {
        assert!(d.teams.contains(team));
    }
    assert!(t.tags.len() <= 3);
    for tag in &t.tags {
        assert!(
            !tag.is_empty() && tag.len() <= 16 && *tag == tag.to_lowercase(),
            "{tag}"
        );
    }
    if t.channel == helpdeck_core::ticket::Channel::Field {
        assert!(t.site.is_some());
    }

    // History: a valid path from `new` to the status.
    let mut cur = Status::New;
    let mut prev = t.created_at;
    let mut resolved = None;
    let mut closed = None;
    for (i, h) in t.history.iter().enumerate() {
        assert_eq!(h.from, cur, "history {i} of {t:?}");
        assert!(
            h.from.allowed_next().contains(&h.to),
            "{} -> {}",
            h.from,
            h.to
        );
        assert!(
            !(h.to == Status::Closed && h.from.close_needs_reason()),
            "closed without a reason"
        );
        within(h.at, "history");
        if i > 0 {
            assert!(h.at > prev, "history times increase");
        }
        prev = h.at;
        assert!(staff(h.actor.as_deref().unwrap()));
        match h.to {
            Status::Resolved => resolved = Some(h.at),
            Status::Closed => closed = Some(h.at),
            Status::Open => {
                resolved = None;
                closed = None;
            }
            _ => {}
        }
        cur = h.to;
    }
    assert_eq!(cur, t.status);
    assert_eq!(t.resolved_at, resolved);
    assert_eq!(t.closed_at, closed);
    let done = matches!(t.status, Status::Resolved | Status::Closed);
    assert_eq!(t.resolution.is_some(), done);
    if let Some(r) = &t.resolution {
        assert!(!r.cause.is_empty() && !r.solution.is_empty());
    }
    if let Some(c) = &t.csat {
        assert_eq!(t.status, Status::Closed);
        assert!((1..=5).contains(&c.score));
    }

    // Comments: increasing times, known authors, first response.
    assert!(t.comments.len() <= 6);
    let mut prev: Option<Timestamp> = None;
    let mut first_response = None;
    for c in &t.comments {
        within(c.created_at, "comment");
        if let Some(p) = prev {
            assert!(c.created_at > p, "comment times increase in {t:?}");
        }
        prev = Some(c.created_at);
        assert!(!c.body.is_empty());
        let author = user(&c.author).expect("author exists");
        if c.visibility == Visibility::Internal {
            assert_ne!(author.role, Role::Customer);
        } else if author.role != Role::Customer && first_response.is_none() {
            first_response = Some(c.created_at);
        } else if author.role == Role::Customer {
            assert_eq!(Some(&c.author), t.requester.as_ref());
        }
        assert!(c.created_at <= t.updated_at);
    }
    assert_eq!(t.first_response_at, first_response);
    if let Some(h) = t.history.last() {
        assert!(h.at <= t.updated_at);
    }

    // Every template slot was filled.
    let texts = [t.title.as_str(), t.description.as_str()]
        .into_iter()
        .chain(t.comments.iter().map(|c| c.body.as_str()))
        .chain(
            t.resolution
                .iter()
                .flat_map(|r| [r.cause.as_str(), r.solution.as_str()]),
        );
    for s in texts {
        assert!(
            !s.contains('{') && !s.contains('}'),
            "unfilled slot in {s:?}"
        );
    }
}

#[test]
fn tickets_are_consistent() {
    let b = base();
    let d = generate(3_000, 42, b);
    assert_eq!(d.tickets.len(), 3_000);
    for t in &d.tickets {
        check_ticket(&d, t, b);
    }
}

#[test]
fn other_seeds_and_bases_are_consistent_too() {
    for (seed, b) in [
        (0, "2025-01-01T00:00:00Z"),
        (u64::MAX, "2026-07-05T23:59:59.999Z"),
        (12345, "1999-12-31T12:00:00Z"),
    ] {
        let b: Timestamp = b.parse().unwrap();
        let d = generate(800, seed, b);
        for t in &d.tickets {
            check_ticket(&d, t, b);
        }
    }
}

#[test]
fn both_languages_with_the_key_words() {
    let d = generate(4_000, 3, base());
    let (zh, en): (Vec<_>, Vec<_>) = d.tickets.iter().partition(|t| is_zh(t));
    let zh_share = share(zh.len(), d.tickets.len());
    assert!((0.4..=0.6).contains(&zh_share), "Chinese share {zh_share}");

    let zh_hits = zh
        .iter()
        .filter(|t| {
            let s = format!("{}\n{}", t.title, t.description);
            s.contains("网络") || s.contains("打印")
        })
        .count();
    assert!(share(zh_hits, zh.len()) > 0.35, "{zh_hits} of {}", zh.len());
    let en_hits = en
        .iter()
        .filter(|t| {
            let s = format!("{}\n{}", t.title, t.description).to_lowercase();
            s.contains("printer") || s.contains("network")
        })
        .count();
    assert!(share(en_hits, en.len()) > 0.35, "{en_hits} of {}", en.len());

    for word in ["网络", "打印机", "邮件", "密码"] {
        let n = zh.iter().filter(|t| t.description.contains(word)).count();
        assert!(n > zh.len() / 20, "{word}: {n}");
    }
    for word in ["printer", "network", "vpn", "password", "email"] {
        let n = en
            .iter()
            .filter(|t| t.description.to_lowercase().contains(word))
            .count();
        assert!(n > en.len() / 20, "{word}: {n}");
    }
}

#[test]
fn text_varies() {
    let d = generate(5_000, 11, base());
    let titles: HashSet<_> = d.tickets.iter().map(|t| t.title.as_str()).collect();
    let descriptions: HashSet<_> = d.tickets.iter().map(|t| t.description.as_str()).collect();
    assert!(titles.len() > 1_000, "{} distinct titles", titles.len());
    assert!(
        descriptions.len() > 4_500,
        "{} distinct descriptions",
        descriptions.len()
    );
}

#[test]
fn categories_match_content() {
    let d = generate(3_000, 5, base());
    for t in &d.tickets {
        let s = t.title.to_lowercase();
        if s.contains("打印机") || s.contains("printer") {
            assert!(
                t.category == "hardware" || s.contains("网络") || s.contains("network"),
                "{} is {}",
                t.title,
                t.category
            );
        }
        let password = s.contains("密码") || s.contains("password");
        let network = s.contains("vpn") || s.contains("wi-fi") || s.contains("网络");
        if network && !password {
            assert_eq!(t.category, "network", "{}", t.title);
        }
        if password && !network {
            assert_eq!(t.category, "account_access", "{}", t.title);
        }
    }
}

#[test]
fn distributions_are_roughly_as_specified() {
    let d = generate(20_000, 2024, base());
    let n = d.tickets.len();
    let count =
        |f: &dyn Fn(&TicketRecord) -> bool| share(d.tickets.iter().filter(|t| f(t)).count(), n);

    for (status, want) in [
        (Status::New, 0.10),
        (Status::Open, 0.15),
        (Status::InProgress, 0.15),
        (Status::PendingCustomer, 0.08),
        (Status::OnHold, 0.04),
        (Status::Resolved, 0.15),
        (Status::Closed, 0.33),
    ] {
        let got = count(&|t| t.status == status);
        assert!((got - want).abs() < 0.02, "{status}: {got}");
    }
    for (p, want) in [
        (Priority::P1, 0.03),
        (Priority::P2, 0.17),
        (Priority::P3, 0.50),
        (Priority::P4, 0.30),
    ] {
        let got = count(&|t| t.priority == p);
        assert!((got - want).abs() < 0.02, "{p}: {got}");
    }
    let incident = count(&|t| t.kind == Kind::Incident);
    let request = count(&|t| t.kind == Kind::Request);
    let question = count(&|t| t.kind == Kind::Question);
    let complaint = count(&|t| t.kind == Kind::Complaint);
    assert!(incident + request > 0.75, "{incident} {request}");
    assert!((0.05..0.2).contains(&question), "{question}");
    assert!((0.01..0.08).contains(&complaint), "{complaint}");

    let channels: HashSet<_> = d.tickets.iter().map(|t| t.channel).collect();
    assert_eq!(channels.len(), helpdeck_core::ticket::Channel::ALL.len());
    let mut categories: HashMap<&str, usize> = HashMap::new();
    for t in &d.tickets {
        *categories.entry(t.category.as_str()).or_default() += 1;
    }
    assert_eq!(categories.len(), DEFAULT_CATEGORIES.len());

    // Most worked tickets are assigned; new ones often are not.
    let non_new: Vec<_> = d
        .tickets
        .iter()
        .filter(|t| t.status != Status::New)
        .collect();
    let assigned = share(
        non_new.iter().filter(|t| t.assignee.is_some()).count(),
        non_new.len(),
    );
    assert!(assigned > 0.85, "{assigned}");
    let new_unassigned = count(&|t| t.status == Status::New && t.assignee.is_none());
    assert!(new_unassigned > 0.05, "{new_unassigned}");
    // Assignee tier usually matches the ticket tier.
    let tier_of = |email: &str| {
        d.users
            .iter()
            .find(|u| u.email == email)
            .and_then(|u| u.tier)
    };
    let with = d.tickets.iter().filter(|t| t.assignee.is_some()).count();
    let matching = d
        .tickets
        .iter()
        .filter(|t| t.assignee.as_deref().and_then(tier_of) == Some(t.tier))
        .count();
    assert!(share(matching, with) > 0.7, "{matching} of {with}");

    // Around 60% of closed tickets are rated, mostly 4-5.
    let closed: Vec<_> = d
        .tickets
        .iter()
        .filter(|t| t.status == Status::Closed)
        .collect();
    let rated: Vec<_> = closed.iter().filter_map(|t| t.csat.as_ref()).collect();
    let rated_share = share(rated.len(), closed.len());
    assert!((0.55..0.65).contains(&rated_share), "{rated_share}");
    let good = share(rated.iter().filter(|c| c.score >= 4).count(), rated.len());
    assert!(good > 0.75, "{good}");

    // Some tickets were reopened.
    assert!(d.tickets.iter().any(|t| {
        t.history
            .iter()
            .any(|h| h.from == Status::Resolved && h.to == Status::Open)
    }));

    // Recent tickets are more likely still open.
    let b = base();
    let open_share = |from_days: i64, to_days: i64| {
        let lo = b - SignedDuration::from_hours(to_days * 24);
        let hi = b - SignedDuration::from_hours(from_days * 24);
        let bucket: Vec<_> = d
            .tickets
            .iter()
            .filter(|t| t.created_at > lo && t.created_at <= hi)
            .collect();
        share(
            bucket.iter().filter(|t| t.status.is_open()).count(),
            bucket.len(),
        )
    };
    let recent = open_share(0, 7);
    let old = open_share(60, 91);
    assert!(recent > old + 0.3, "recent {recent}, old {old}");
}

/// `cargo test -p helpdeck-core --release demo -- --ignored --nocapture`
#[test]
#[ignore = "timing; run in release"]
fn a_million_tickets_quickly() {
    let start = std::time::Instant::now();
    let d = generate(1_000_000, 1, base());
    let took = start.elapsed();
    let comments: usize = d.tickets.iter().map(|t| t.comments.len()).sum();
    println!("1,000,000 tickets, {comments} comments in {took:?}");
    let titles: HashSet<_> = d.tickets.iter().map(|t| t.title.as_str()).collect();
    println!("{} distinct titles", titles.len());
    assert!(took.as_secs() < 20);
}

#[test]
fn every_template_slot_has_values() {
    for lang in [&super::vocab::ZH, &super::vocab::EN] {
        for sc in lang.scenarios {
            assert!(!sc.variants.is_empty() && !sc.tags.is_empty() && sc.weight > 0);
            let texts = sc
                .variants
                .iter()
                .flat_map(|v| [v.title, v.intro, v.cause, v.solution])
                .chain(sc.details.iter().copied());
            for t in texts {
                assert!(!t.contains("{a}") || !sc.things.is_empty(), "{t}");
                assert!(!t.contains("{code}") || !sc.codes.is_empty(), "{t}");
            }
        }
    }
}
