use super::*;

fn at(s: &str) -> Timestamp {
    s.parse().unwrap()
}

fn item(text: &str, evidence: Evidence) -> ChecklistItem {
    ChecklistItem {
        id: Uuid::now_v7(),
        text: text.into(),
        evidence,
        done: false,
        reading: None,
        photos: Vec::new(),
    }
}

fn visit() -> WorkOrder {
    WorkOrder {
        id: Uuid::now_v7(),
        ticket_id: Uuid::now_v7(),
        technician_id: Some(Uuid::now_v7()),
        status: WorkOrderStatus::Scheduled,
        starts_at: at("2026-12-07T01:00:00Z"),
        ends_at: at("2026-12-07T03:00:00Z"),
        site: "上海市徐汇区虹桥路 1 号 3 楼机房".into(),
        contact: Some("王芳".into()),
        checklist: vec![
            item(
                "Check the UPS battery voltage",
                Evidence::Reading { unit: "V".into() },
            ),
            item("Photograph the rack", Evidence::Photo),
            item("Clean the filters", Evidence::None),
        ],
        parts: Vec::new(),
        time: Vec::new(),
        signoff: None,
        created_at: at("2026-12-05T08:00:00Z"),
    }
}

#[test]
fn a_visit_lists_what_is_missing_until_it_can_be_signed_off() {
    let mut w = visit();
    let kinds: Vec<&str> = w
        .missing()
        .iter()
        .map(|m| match m {
            Missing::Reading { .. } => "reading",
            Missing::Photo { .. } => "photo",
            Missing::Item { .. } => "item",
            Missing::WorkTime => "work",
            Missing::SignOff => "signoff",
        })
        .collect();
    assert_eq!(kinds, ["reading", "photo", "item", "work", "signoff"]);
    let err = w.check_signoff().unwrap_err().to_string();
    assert!(
        err.contains("4 thing(s)") && err.contains("a reading (V)"),
        "{err}"
    );

    w.checklist[0].reading = Some("13.4".into());
    w.checklist[0].done = true;
    w.checklist[1].photos.push(Uuid::now_v7());
    w.checklist[1].done = true;
    w.checklist[2].done = true;
    w.time.push(TimeEntry {
        id: Uuid::now_v7(),
        kind: TimeKind::Travel,
        minutes: 35,
        by: w.technician_id.unwrap(),
        at: at("2026-12-07T00:30:00Z"),
    });
    assert_eq!(w.missing(), vec![Missing::WorkTime, Missing::SignOff]);
    w.time.push(TimeEntry {
        id: Uuid::now_v7(),
        kind: TimeKind::Work,
        minutes: 80,
        by: w.technician_id.unwrap(),
        at: at("2026-12-07T02:00:00Z"),
    });
    assert_eq!(
        (w.minutes(TimeKind::Travel), w.minutes(TimeKind::Work)),
        (35, 80)
    );
    assert_eq!(w.missing(), vec![Missing::SignOff]);
    assert!(w.check_signoff().is_ok());
}

#[test]
fn windows_minutes_and_parts_are_checked_with_what_is_allowed() {
    assert!(validate_window(at("2026-12-07T01:00:00Z"), at("2026-12-07T03:00:00Z")).is_ok());
    let e = validate_window(at("2026-12-07T03:00:00Z"), at("2026-12-07T01:00:00Z")).unwrap_err();
    assert!(e.to_string().contains("end after it starts"), "{e}");
    let e = validate_window(at("2026-12-01T00:00:00Z"), at("2026-12-30T00:00:00Z")).unwrap_err();
    assert!(e.to_string().contains("at most 336 hours"), "{e}");
    assert!(validate_minutes(1).is_ok() && validate_minutes(1440).is_ok());
    for bad in [0, 1441] {
        assert!(
            validate_minutes(bad)
                .unwrap_err()
                .to_string()
                .contains("1 to 1440")
        );
    }
    let mut p = PartUse {
        id: Uuid::nil(),
        code: "FLT-20".into(),
        name: "Air filter".into(),
        unit: "pcs".into(),
        quantity: 2,
    };
    assert!(validate_part(&p).is_ok());
    p.quantity = 0;
    assert!(
        validate_part(&p)
            .unwrap_err()
            .to_string()
            .contains("1 to 10,000")
    );
    p.quantity = 1;
    p.code = " ".into();
    assert!(validate_part(&p).is_err());
}

#[test]
fn the_model_round_trips_as_json() {
    let w = visit();
    let text = serde_json::to_string(&w).unwrap();
    assert!(
        text.contains(r#""evidence":{"kind":"reading","unit":"V"}"#),
        "{text}"
    );
    assert_eq!(serde_json::from_str::<WorkOrder>(&text).unwrap(), w);
}

#[test]
fn a_template_makes_a_checklist_and_is_checked() {
    let t = ChecklistTemplate {
        name: "UPS inspection".into(),
        category: "hardware".into(),
        items: vec![
            TemplateItem {
                text: "Battery voltage".into(),
                evidence: Evidence::Reading { unit: "V".into() },
            },
            TemplateItem {
                text: "Photo of the display".into(),
                evidence: Evidence::Photo,
            },
        ],
    };
    assert!(t.validate().is_ok());
    let mut n = 0u128;
    let list = t.checklist(|| {
        n += 1;
        Uuid::from_u128(n)
    });
    assert_eq!(list.len(), 2);
    assert_eq!(list[1].id, Uuid::from_u128(2));
    assert!(list.iter().all(|i| !i.done && i.photos.is_empty()));
    let mut bad = t.clone();
    bad.items[0].evidence = Evidence::Reading { unit: " ".into() };
    assert!(
        bad.validate()
            .unwrap_err()
            .to_string()
            .contains("item 1: a reading needs a unit")
    );
    bad.items.clear();
    assert!(
        bad.validate()
            .unwrap_err()
            .to_string()
            .contains("1 to 100 items")
    );
    let part = Part {
        code: "BAT-12V".into(),
        name: "Battery 12 V 9 Ah".into(),
        unit: "pcs".into(),
    };
    assert_eq!(part.used(Uuid::nil(), 2).unwrap().name, "Battery 12 V 9 Ah");
    assert!(part.used(Uuid::nil(), 0).is_err());
}

#[test]
fn today_lists_my_open_visits_up_to_tonight_earliest_first() {
    let me = Uuid::now_v7();
    let mut a = visit();
    a.technician_id = Some(me);
    a.starts_at = at("2026-12-07T06:00:00Z");
    a.ends_at = at("2026-12-07T07:00:00Z");
    let mut b = visit();
    b.technician_id = Some(me);
    let mut done = visit();
    done.technician_id = Some(me);
    done.status = WorkOrderStatus::Done;
    let someone_else = visit();
    let mut tomorrow = visit();
    tomorrow.technician_id = Some(me);
    tomorrow.starts_at = at("2026-12-08T01:00:00Z");
    tomorrow.ends_at = at("2026-12-08T02:00:00Z");
    // Left open from the day before: still on today's list, first.
    let mut yesterday = visit();
    yesterday.technician_id = Some(me);
    yesterday.starts_at = at("2026-12-06T01:00:00Z");
    yesterday.ends_at = at("2026-12-06T02:00:00Z");
    let all = [
        a.clone(),
        b.clone(),
        done,
        someone_else,
        tomorrow,
        yesterday.clone(),
    ];
    let day = today(&all, me, at("2026-12-08T00:00:00Z"));
    let ids: Vec<Uuid> = day.iter().map(|(w, _)| w.id).collect();
    assert_eq!(ids, vec![yesterday.id, b.id, a.id]);
    assert_eq!(day[0].1.last(), Some(&Missing::SignOff));
}

#[test]
fn items_are_typed_with_what_they_need() {
    assert_eq!(
        TemplateItem::parse("Battery voltage [reading:V]").unwrap(),
        TemplateItem {
            text: "Battery voltage".into(),
            evidence: Evidence::Reading { unit: "V".into() }
        }
    );
    assert_eq!(
        TemplateItem::parse(" Front panel [photo] ")
            .unwrap()
            .evidence,
        Evidence::Photo
    );
    assert_eq!(
        TemplateItem::parse("Transfer test").unwrap().evidence,
        Evidence::None
    );
    let err = TemplateItem::parse("Smell [odour]")
        .unwrap_err()
        .to_string();
    assert!(err.contains("allowed: [photo], [reading:UNIT]"), "{err}");
}
