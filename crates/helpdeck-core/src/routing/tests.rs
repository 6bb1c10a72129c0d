use super::*;

fn facts<'a>(title: &'a str, priority: Priority) -> Facts<'a> {
    Facts {
        kind: Kind::Incident,
        category: "Network",
        priority,
        org_tier: Some(CustomerTier::Standard),
        channel: Channel::Portal,
        title,
        description: "",
    }
}

fn rule(name: &str, when: &[&str], assign: &str) -> AssignmentRule {
    check_rule(AssignmentRule {
        id: Uuid::new_v5(&Uuid::NAMESPACE_OID, name.as_bytes()),
        name: name.into(),
        when: when.iter().map(|w| parse_condition(w).unwrap()).collect(),
        assign: assign.parse().unwrap(),
        skill: None,
        capacity: None,
    })
    .unwrap()
}

const NET: Uuid = Uuid::from_u128(1);
const DESK: Uuid = Uuid::from_u128(2);

fn agent(n: u128, email: &str, team: Uuid) -> Agent {
    Agent {
        id: Uuid::from_u128(100 + n),
        email: email.into(),
        name: email.split('@').next().unwrap().into(),
        team_id: Some(team),
        skills: vec![],
        availability: Availability::default(),
        load: 0,
    }
}

fn teams() -> Vec<(Uuid, String)> {
    vec![(NET, "Network".into()), (DESK, "Desk".into())]
}

fn now() -> Timestamp {
    "2026-12-05T09:00:00Z".parse().unwrap()
}

const PAUSE: &[Status] = &[Status::PendingCustomer];

#[test]
fn first_matching_rule_wins_and_says_why() {
    let rules = vec![
        rule("VIP", &["org_tier=strategic"], "team:Desk"),
        rule(
            "Outages",
            &["priority=P1|P2", "keyword=vpn"],
            "team:Network",
        ),
        rule("Everything else", &[], "team:Desk"),
    ];
    let r = Router::new(&rules, teams(), vec![], BTreeMap::new(), PAUSE, now());
    let d = r.explain(&facts("VPN down in Shanghai", Priority::P2));
    assert_eq!(d.rule.as_deref(), Some("Outages"));
    assert_eq!(d.team_id, Some(NET));
    assert_eq!(d.assignee_id, None);
    assert!(
        d.explanation[0].contains("org_tier is not strategic"),
        "{d:?}"
    );
    assert!(d.explanation[1].contains("matches"), "{d:?}");
    let d = r.explain(&facts("VPN down", Priority::P4));
    assert_eq!(d.rule.as_deref(), Some("Everything else"));
    assert!(
        d.explanation[1].contains("priority is not P1 or P2"),
        "{d:?}"
    );
}

#[test]
fn no_rule_leaves_the_ticket_unowned_and_says_so() {
    let rules = vec![rule("P1 only", &["priority=P1"], "team:Network")];
    let r = Router::new(&rules, teams(), vec![], BTreeMap::new(), PAUSE, now());
    let d = r.explain(&facts("printer", Priority::P3));
    assert!(!d.owned());
    assert!(d.explanation.last().unwrap().contains("unowned"));
}

#[test]
fn round_robin_takes_turns_in_a_stable_order_and_skips_the_away() {
    let rules = vec![rule("Net", &[], "round-robin:Network")];
    let mut away = agent(3, "c@x.cn", NET);
    away.availability = Availability {
        away: true,
        until: None,
    };
    let agents = vec![
        agent(2, "b@x.cn", NET),
        agent(1, "a@x.cn", NET),
        away,
        agent(4, "d@x.cn", DESK),
    ];
    let mut r = Router::new(&rules, teams(), agents, BTreeMap::new(), PAUSE, now());
    let picks: Vec<_> = (0..5)
        .map(|_| {
            r.route(&facts("x", Priority::P3), Status::New)
                .assignee_id
                .unwrap()
        })
        .collect();
    let a = Uuid::from_u128(101);
    let b = Uuid::from_u128(102);
    assert_eq!(picks, vec![a, b, a, b, a]);
    // The turn is kept: a router started from the saved turns goes on with b.
    let turns = r.turns().clone();
    let mut again = Router::new(
        &rules,
        teams(),
        vec![agent(1, "a@x.cn", NET), agent(2, "b@x.cn", NET)],
        turns,
        PAUSE,
        now(),
    );
    assert_eq!(
        again
            .route(&facts("x", Priority::P3), Status::New)
            .assignee_id,
        Some(b)
    );
}

#[test]
fn out_of_office_ends_at_its_time() {
    let until: Timestamp = "2026-12-05T12:00:00Z".parse().unwrap();
    let a = Availability {
        away: true,
        until: Some(until),
    };
    assert!(!a.available_at(now()));
    assert!(a.available_at(until));
    assert!(Availability::default().available_at(now()));
}

#[test]
fn least_loaded_respects_skill_capacity_and_load() {
    let mut rules = vec![rule("Net", &[], "least-loaded:Network")];
    rules[0].skill = Some("cisco".into());
    rules[0].capacity = Some(2);
    let mut a = agent(1, "a@x.cn", NET);
    a.skills = vec!["cisco".into()];
    a.load = 1;
    let mut b = agent(2, "b@x.cn", NET);
    b.skills = vec!["cisco".into()];
    let c = agent(3, "c@x.cn", NET); // no skill
    let mut r = Router::new(
        &rules,
        teams(),
        vec![a, b, c],
        BTreeMap::new(),
        PAUSE,
        now(),
    );
    let picks: Vec<_> = (0..4)
        .map(|_| r.route(&facts("x", Priority::P3), Status::New))
        .collect();
    let (ia, ib) = (Uuid::from_u128(101), Uuid::from_u128(102));
    // b (0) → a and b tie at 1, a first by email → b (1 → 2), a full at 2 → nobody: queue.
    assert_eq!(picks[0].assignee_id, Some(ib));
    assert_eq!(picks[1].assignee_id, Some(ia));
    assert_eq!(picks[2].assignee_id, Some(ib));
    assert_eq!(picks[3].assignee_id, None);
    assert_eq!(picks[3].team_id, Some(NET));
    assert!(
        picks[3].explanation[0].contains("under 2 open tickets"),
        "{:?}",
        picks[3]
    );
}

#[test]
fn a_paused_ticket_does_not_count_as_load() {
    assert!(counts_as_load(Status::New, PAUSE));
    assert!(!counts_as_load(Status::PendingCustomer, PAUSE));
    assert!(!counts_as_load(Status::Resolved, PAUSE));
}

#[test]
fn an_away_agent_rule_falls_through_to_the_next() {
    let rules = vec![
        rule("Boss", &[], "agent:a@x.cn"),
        rule("Queue", &[], "team:Desk"),
    ];
    let mut a = agent(1, "a@x.cn", NET);
    a.availability.away = true;
    let r = Router::new(&rules, teams(), vec![a], BTreeMap::new(), PAUSE, now());
    let d = r.explain(&facts("x", Priority::P3));
    assert_eq!(d.rule.as_deref(), Some("Queue"));
    assert!(d.explanation[0].contains("a is away"), "{d:?}");
}

#[test]
fn bad_rules_say_what_is_allowed() {
    let e = parse_condition("colour=red").unwrap_err();
    assert!(e.to_string().contains("kind, category, priority"), "{e}");
    let e = parse_condition("priority=P9").unwrap_err();
    assert!(e.to_string().contains("P1"), "{e}");
    let e = "queue:Desk".parse::<Assign>().unwrap_err();
    assert!(e.to_string().contains("round-robin:TEAM"), "{e}");
    let mut r = rule("x", &[], "team:Desk");
    r.capacity = Some(3);
    assert!(check_rule(r).is_err(), "capacity without a pool");
    let mut r = rule("x", &[], "least-loaded:Desk");
    r.capacity = Some(0);
    assert!(check_rule(r).unwrap_err().to_string().contains("1 to 1000"));
    let rules = vec![rule("A", &[], "team:Desk")];
    assert!(add_rule(&rules, rule("a", &[], "team:Desk"), None).is_err());
    assert!(add_rule(&rules, rule("B", &[], "team:Desk"), Some(3)).is_err());
    let two = add_rule(&rules, rule("B", &[], "team:Desk"), Some(1)).unwrap();
    assert_eq!(two[0].name, "B");
    assert!(
        remove_rule(&two, "C")
            .unwrap_err()
            .to_string()
            .contains("B, A")
    );
    let e = check_references(&rule("N", &[], "team:Nope"), &["Desk".into()], &[]).unwrap_err();
    assert!(e.to_string().contains("teams: Desk"), "{e}");
}
