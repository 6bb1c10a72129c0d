//! What the core's unit tests share: people and a deciding context.

use uuid::Uuid;

use crate::Timestamp;
use crate::apply::{Context, Rules, TrustingDirectory};
use crate::user::{Role, User};

/// A fixed "now" for tests that do not care which.
pub fn now() -> Timestamp {
    "2026-12-05T08:00:00Z".parse().unwrap()
}

/// A new person of `role`, named after the role unless `name` is given.
pub fn person(role: Role, name: Option<&str>) -> User {
    User {
        id: Uuid::now_v7(),
        email: format!("{}@x.cn", role.as_str()),
        name: name.unwrap_or(role.as_str()).to_string(),
        role,
        organization_id: None,
        org_admin: false,
        team_id: None,
        tier: None,
        field: false,
        created_at: Timestamp::UNIX_EPOCH,
    }
}

/// A context deciding as `actor` at [`now`], trusting every reference.
pub fn context<'a>(actor: &'a User, rules: &'a Rules) -> Context<'a> {
    Context {
        actor,
        rules,
        now: now(),
        directory: &TrustingDirectory,
    }
}
