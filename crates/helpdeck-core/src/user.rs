//! People and places: users, organizations, teams, assets.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::Timestamp;
use crate::error::DomainError;
use crate::ticket::{Tier, vocabulary};

vocabulary!(
    /// What a user may do (spec §5).
    Role, "role", {
        Admin => "admin", Agent => "agent", Customer => "customer",
    }
);

vocabulary!(
    /// Service level of a customer organization.
    CustomerTier, "customer tier", {
        Strategic => "strategic", Standard => "standard",
    }
);

/// A person who uses Helpdeck.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    pub id: Uuid,
    pub email: String,
    pub name: String,
    pub role: Role,
    /// Customers belong to an organization.
    pub organization_id: Option<Uuid>,
    /// A customer who may see all of the organization's tickets.
    pub org_admin: bool,
    /// Agents: team and tier.
    pub team_id: Option<Uuid>,
    pub tier: Option<Tier>,
    /// Agents who work on customer sites.
    pub field: bool,
    pub created_at: Timestamp,
}

/// The id of the system actor ("Helpdeck") that server jobs act as.
pub const SYSTEM_USER_ID: Uuid = Uuid::from_u128(0x0000_0000_0000_7000_8000_4845_4c50_4443);

impl User {
    /// The system actor of jobs (auto-close, escalation rules, …): an admin that is no person,
    /// so its changes are audited like anyone's and credited to "Helpdeck".
    pub fn system() -> User {
        User {
            id: SYSTEM_USER_ID,
            email: "system@helpdeck.invalid".into(),
            name: "Helpdeck".into(),
            role: Role::Admin,
            organization_id: None,
            org_admin: false,
            team_id: None,
            tier: None,
            field: false,
            created_at: Timestamp::UNIX_EPOCH,
        }
    }

    /// Agents and admins work tickets; customers request them.
    pub fn is_staff(&self) -> bool {
        matches!(self.role, Role::Admin | Role::Agent)
    }
}

/// A customer organization.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Organization {
    pub id: Uuid,
    pub name: String,
    pub customer_tier: CustomerTier,
    /// Overrides the workspace default SLA policy.
    pub sla_policy_id: Option<Uuid>,
}

/// A team of agents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Team {
    pub id: Uuid,
    pub name: String,
}

/// A piece of equipment a ticket can be about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Asset {
    pub id: Uuid,
    pub name: String,
    pub asset_type: String,
    pub serial: Option<String>,
    pub owner_id: Option<Uuid>,
    pub location: Option<String>,
}

/// Normalises and checks an email address (lower-cased, one `@`, a dot in the domain).
pub fn validate_email(email: &str) -> Result<String, DomainError> {
    let e = email.trim().to_lowercase();
    let ok = match e.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !e.chars().any(char::is_whitespace)
        }
        None => false,
    };
    if ok {
        Ok(e)
    } else {
        Err(DomainError::invalid(
            "email",
            format!("'{email}' is not an email address (expected name@example.com)"),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails() {
        assert_eq!(
            validate_email(" Li.Wei@Example.CN ").unwrap(),
            "li.wei@example.cn"
        );
        assert!(validate_email("nope").is_err());
        assert!(validate_email("a@b").is_err());
        assert!(validate_email("a b@c.d").is_err());
    }
}
