use super::*;
use crate::apply::{Rules, TrustingDirectory};
use crate::user::Role;

fn user(role: Role) -> User {
    User {
        id: Uuid::now_v7(),
        email: format!("{}@x.cn", role.as_str()),
        name: role.as_str().to_string(),
        role,
        organization_id: None,
        org_admin: false,
        team_id: None,
        tier: None,
        field: false,
        created_at: now(),
    }
}

fn now() -> Timestamp {
    "2026-11-28T08:00:00Z".parse().unwrap()
}

fn draft(audience: Audience, publish: bool) -> ArticleDraft {
    ArticleDraft {
        title: "打印机卡纸怎么办".into(),
        body: "打开后盖，取出卡住的纸。".into(),
        category: Some("hardware".into()),
        tags: vec!["Printer".into(), "printer".into()],
        audience,
        lang: ArticleLang::Zh,
        translation_of: None,
        steps: vec![ScriptStep {
            instruction: "重启打印机".into(),
            expected: "指示灯变绿".into(),
        }],
        files: Vec::new(),
        from_ticket: None,
        publish,
    }
}

#[test]
fn staff_write_articles_customers_read_public_published_ones() {
    let rules = Rules::default();
    let agent = user(Role::Agent);
    let customer = user(Role::Customer);
    let ctx = |u| Context {
        actor: u,
        rules: &rules,
        now: now(),
        directory: &TrustingDirectory,
    };
    let id = Uuid::now_v7();
    let err = apply_article(
        None,
        id,
        &Change::CreateArticle(draft(Audience::Public, true)),
        now(),
        &ctx(&customer),
    )
    .unwrap_err();
    assert_eq!(err.code(), "forbidden");
    let a = apply_article(
        None,
        id,
        &Change::CreateArticle(draft(Audience::Public, false)),
        now(),
        &ctx(&agent),
    )
    .unwrap()
    .unwrap();
    assert_eq!(a.tags, vec!["printer"], "tags are normalised");
    assert_eq!(a.status, ArticleStatus::Draft);
    assert!(!article_visible(&customer, &a), "a draft is staff-only");
    assert!(redact_article(&customer, &a).is_none());
    // A customer cannot vote on (or learn of) a draft.
    let err = apply_article(
        Some(&a),
        id,
        &Change::VoteArticle { helpful: true },
        now(),
        &ctx(&customer),
    )
    .unwrap_err();
    assert_eq!(err.code(), "not_found");
    let p = apply_article(
        Some(&a),
        id,
        &Change::SetArticleStatus {
            to: ArticleStatus::Published,
        },
        now(),
        &ctx(&agent),
    )
    .unwrap()
    .unwrap();
    assert_eq!(p.published_at, Some(now()));
    let seen = redact_article(&customer, &p).expect("public and published");
    assert!(seen.history.is_empty() && seen.author_id.is_none());
    let voted = apply_article(
        Some(&p),
        id,
        &Change::VoteArticle { helpful: false },
        now(),
        &ctx(&customer),
    )
    .unwrap()
    .unwrap();
    assert_eq!(voted.not_helpful, 1);
    let seen = apply_article(
        Some(&voted),
        id,
        &Change::CountArticleViews { views: 3 },
        now(),
        &ctx(&customer),
    )
    .unwrap()
    .unwrap();
    assert_eq!(seen.views, 3);
    let err = apply_article(
        Some(&seen),
        id,
        &Change::CountArticleViews { views: 0 },
        now(),
        &ctx(&customer),
    )
    .unwrap_err();
    assert_eq!(err.field(), Some("views"));
    // Nobody counts views of an article they may not read.
    assert!(
        apply_article(
            Some(&a),
            id,
            &Change::CountArticleViews { views: 1 },
            now(),
            &ctx(&customer)
        )
        .is_err()
    );
    // Internal articles stay internal even when published.
    let i = apply_article(
        Some(&p),
        id,
        &Change::UpdateArticle(ArticleFields {
            audience: Some(Audience::Internal),
            ..Default::default()
        }),
        now(),
        &ctx(&agent),
    )
    .unwrap()
    .unwrap();
    assert!(!article_visible(&customer, &i));
    assert_eq!(i.history.last().unwrap().what, "edited audience");
}

#[test]
fn bad_input_names_the_field() {
    let rules = Rules::default();
    let agent = user(Role::Agent);
    let ctx = Context {
        actor: &agent,
        rules: &rules,
        now: now(),
        directory: &TrustingDirectory,
    };
    let id = Uuid::now_v7();
    let mut d = draft(Audience::Internal, false);
    d.category = Some("plumbing".into());
    let err = apply_article(None, id, &Change::CreateArticle(d), now(), &ctx).unwrap_err();
    assert_eq!(err.field(), Some("category"));
    assert!(err.to_string().contains("hardware"), "{err}");
    let mut d = draft(Audience::Internal, false);
    d.steps.push(ScriptStep {
        instruction: " ".into(),
        expected: String::new(),
    });
    let err = apply_article(None, id, &Change::CreateArticle(d), now(), &ctx).unwrap_err();
    assert!(err.to_string().contains("step 2"), "{err}");
    let mut d = draft(Audience::Internal, false);
    d.translation_of = Some(id);
    assert!(apply_article(None, id, &Change::CreateArticle(d), now(), &ctx).is_err());
    let mut d = draft(Audience::Internal, false);
    d.body = "  ".into();
    let err = apply_article(None, id, &Change::CreateArticle(d), now(), &ctx).unwrap_err();
    assert_eq!(err.field(), Some("body"));
}

#[test]
fn a_draft_from_a_ticket_needs_its_service_report() {
    let t = crate::ticket::Ticket {
        id: Uuid::now_v7(),
        number: 7,
        former_number: None,
        title: "VPN drops".into(),
        description: String::new(),
        kind: crate::ticket::Kind::Incident,
        category: "network".into(),
        status: crate::status::Status::Resolved,
        priority: crate::ticket::Priority::P3,
        channel: crate::ticket::Channel::Phone,
        requester_id: None,
        organization_id: None,
        assignee_id: None,
        team_id: None,
        tier: crate::ticket::Tier::L1,
        tags: vec!["vpn".into()],
        asset_id: None,
        site: None,
        created_at: now(),
        updated_at: now(),
        first_response_at: None,
        resolved_at: Some(now()),
        closed_at: None,
        resolution: None,
        csat: None,
        followup: None,
        merged_into: None,
    };
    assert!(
        draft_from_ticket(&t, ArticleLang::En)
            .unwrap_err()
            .to_string()
            .contains("HD-7")
    );
    let t = crate::ticket::Ticket {
        resolution: Some(crate::ticket::Resolution {
            cause: "Old profile".into(),
            solution: "New profile".into(),
            prevention: Some("Auto-update profiles".into()),
        }),
        ..t
    };
    let d = draft_from_ticket(&t, ArticleLang::En).unwrap();
    assert_eq!(d.from_ticket, Some(t.id));
    assert!(d.body.contains("## Solution\n\nNew profile"));
    assert!(d.body.contains("Auto-update profiles"));
    assert_eq!(d.audience, Audience::Internal);
    assert!(!d.publish);
}

fn file(sha: char, name: &str, size: u64) -> FileRef {
    FileRef {
        sha256: std::iter::repeat_n(sha, 64).collect(),
        name: name.into(),
        media_type: "image/png".into(),
        size,
    }
}

#[test]
fn an_articles_files_are_checked_and_edited_as_one_field() {
    let rules = Rules {
        max_attachment_bytes: 1000,
        ..Rules::default()
    };
    let agent = user(Role::Agent);
    let ctx = Context {
        actor: &agent,
        rules: &rules,
        now: now(),
        directory: &TrustingDirectory,
    };
    let id = Uuid::now_v7();
    let mut d = draft(Audience::Public, true);
    d.files = vec![file('A', "dir/屏幕.png", 10), file('a', "again.png", 10)];
    let a = apply_article(None, id, &Change::CreateArticle(d.clone()), now(), &ctx)
        .unwrap()
        .unwrap();
    assert_eq!(a.files.len(), 1, "one content is kept once: {:?}", a.files);
    assert_eq!(
        a.files[0].sha256,
        "a".repeat(64),
        "addresses are lower case"
    );
    assert_eq!(a.files[0].name, "屏幕.png", "no directories in a name");

    for (bad, why) in [
        (file('g', "x.png", 10), "sha256"),
        (file('b', "big.png", 1001), "size"),
        (file('b', "", 10), "name"),
    ] {
        d.files = vec![bad];
        let err =
            apply_article(None, id, &Change::CreateArticle(d.clone()), now(), &ctx).unwrap_err();
        assert!(err.to_string().contains(why), "{why}: {err}");
    }
    d.files = (0..=MAX_FILES as u8)
        .map(|i| FileRef {
            sha256: format!("{i:064x}"),
            ..file('b', "x.png", 1)
        })
        .collect();
    let err = apply_article(None, id, &Change::CreateArticle(d.clone()), now(), &ctx).unwrap_err();
    assert!(err.to_string().contains("at most 30"), "{err}");

    let edited = apply_article(
        Some(&a),
        id,
        &Change::UpdateArticle(ArticleFields {
            files: Some(vec![file('c', "new.png", 20)]),
            ..Default::default()
        }),
        now(),
        &ctx,
    )
    .unwrap()
    .unwrap();
    assert_eq!(edited.files, vec![file('c', "new.png", 20)]);
    assert_eq!(edited.history.last().unwrap().what, "edited files");
    assert!(
        Change::UpdateArticle(ArticleFields {
            files: Some(vec![file('c', "new.png", 20)]),
            ..Default::default()
        })
        .carries_files()
    );
    assert!(!Change::CreateArticle(draft(Audience::Public, true)).carries_files());
}

#[test]
fn the_files_a_body_shows_are_found_in_order_once() {
    let a = "a".repeat(64);
    let b = "B".repeat(64);
    let body = format!(
        "![one](attachment:{a}) text ![two](attachment:{b}) ![again](attachment:{a}) [short](attachment:abc)"
    );
    assert_eq!(referenced_files(&body), vec![a, b.to_lowercase()]);
}
