use uuid::Uuid;

use super::*;
use crate::apply::Rules;
use crate::command::{NewTicket, create_ticket, escalate as escalate_ticket};
use crate::user::{Role, User};

fn user(role: Role) -> User {
    crate::testing::person(role, None)
}

fn ctx<'a>(actor: &'a User, rules: &'a Rules) -> Context<'a> {
    crate::testing::context(actor, rules)
}

fn esc(tier: Tier, reason: &str, impact: &str) -> Escalation {
    Escalation {
        tier,
        reason: reason.into(),
        impact: impact.into(),
    }
}

#[test]
fn escalation_moves_the_tier_with_reason_and_impact_on_the_audit() {
    let rules = Rules::default();
    let agent = user(Role::Agent);
    let c = ctx(&agent, &rules);
    let t = create_ticket(
        NewTicket {
            title: "ERP 无法登录".into(),
            ..Default::default()
        },
        Uuid::now_v7(),
        1,
        &c,
    )
    .unwrap()
    .ticket;
    assert_eq!(t.tier, Tier::L1);

    // Going up needs the business impact; every change needs a reason.
    let err = escalate_ticket(&t, esc(Tier::L2, "需要数据库权限", " "), &c).unwrap_err();
    assert_eq!(err.field(), Some("impact"), "{err}");
    let err = escalate_ticket(&t, esc(Tier::L2, "", "财务部 12 人无法开票"), &c).unwrap_err();
    assert_eq!(err.field(), Some("reason"), "{err}");
    let err = escalate_ticket(&t, esc(Tier::L1, "x", "y"), &c).unwrap_err();
    assert!(err.to_string().contains("already at L1"), "{err}");

    let d = escalate_ticket(
        &t,
        esc(Tier::L3, " 需要数据库权限 ", "财务部 12 人无法开票"),
        &c,
    )
    .unwrap();
    assert_eq!(d.ticket.tier, Tier::L3);
    let audit: Vec<_> = d.changes().collect();
    assert_eq!(audit[0].field, "tier");
    assert_eq!(audit[0].to.as_deref(), Some("L3"));
    let line: serde_json::Value = serde_json::from_str(audit[1].to.as_deref().unwrap()).unwrap();
    assert_eq!(
        line,
        serde_json::json!({"from": "L1", "to": "L3", "reason": "需要数据库权限", "impact": "财务部 12 人无法开票"})
    );
    assert!(crate::sync::AGENT_ONLY_FIELDS.contains(&"escalation"));

    // Back down: a reason is enough.
    let down = escalate_ticket(&d.ticket, esc(Tier::L2, "权限已开通，交回二线", ""), &c).unwrap();
    assert_eq!(down.ticket.tier, Tier::L2);
    assert!(!is_up(Tier::L3, Tier::L2) && is_up(Tier::L1, Tier::L2));

    // Customers do not escalate.
    let customer = user(Role::Customer);
    let cc = ctx(&customer, &rules);
    let mut own = t.clone();
    own.requester_id = Some(customer.id);
    let err = escalate_ticket(&own, esc(Tier::L2, "急", "急"), &cc).unwrap_err();
    assert_eq!(err.code(), "forbidden");
}
