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
