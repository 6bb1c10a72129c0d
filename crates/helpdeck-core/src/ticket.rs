//! Tickets and their closed vocabularies (kind, priority, channel, tier, category).

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::Timestamp;
use crate::error::DomainError;
use crate::status::Status;

/// Declares a closed vocabulary: serde as snake_case strings, `Display`, and `FromStr`
/// whose error lists the allowed values.
macro_rules! vocabulary {
    ($(#[$m:meta])* $name:ident, $what:literal, { $($(#[$vm:meta])* $variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, ::serde::Serialize, ::serde::Deserialize)]
        #[cfg_attr(feature = "ts", derive(ts_rs::TS))]
        pub enum $name {
            $($(#[$vm])* #[serde(rename = $text)] $variant),+
        }

        impl $name {
            /// Every value, in order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stable wire and database spelling.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            /// The allowed spellings, comma separated (for error messages).
            pub fn allowed() -> String {
                Self::ALL.iter().map(|v| v.as_str()).collect::<Vec<_>>().join(", ")
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::error::DomainError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                let t = s.trim();
                Self::ALL
                    .iter()
                    .copied()
                    .find(|v| v.as_str().eq_ignore_ascii_case(t))
                    .ok_or_else(|| $crate::error::DomainError::UnknownValue {
                        what: $what,
                        value: s.to_string(),
                        allowed: Self::allowed(),
                    })
            }
        }
    };
}
pub(crate) use vocabulary;

vocabulary!(
    /// Urgency and impact; P1 is a business outage.
    Priority, "priority", {
        P1 => "P1", P2 => "P2", P3 => "P3", P4 => "P4",
    }
);

vocabulary!(
    /// What sort of ticket this is.
    Kind, "kind", {
        Incident => "incident", Request => "request", Question => "question", Complaint => "complaint",
    }
);

vocabulary!(
    /// Where the ticket came from.
    Channel, "channel", {
        Portal => "portal", Phone => "phone", Email => "email", Chat => "chat",
        WalkIn => "walk_in", Field => "field", Monitoring => "monitoring",
    }
);

vocabulary!(
    /// Support tier of an agent or a ticket.
    Tier, "tier", {
        L1 => "L1", L2 => "L2", L3 => "L3",
    }
);

/// The default categories of a new workspace (categories are configurable).
pub const DEFAULT_CATEGORIES: &[&str] =
    &["hardware", "software", "network", "account_access", "other"];

/// Maximum title length in characters.
pub const MAX_TITLE_CHARS: usize = 200;
/// Maximum Markdown body length in bytes (description, comment).
pub const MAX_BODY_BYTES: usize = 256 * 1024;

/// Checks and normalises a title: trimmed, non-empty, at most [`MAX_TITLE_CHARS`].
pub fn validate_title(title: &str) -> Result<String, DomainError> {
    let t = title.trim();
    if t.is_empty() {
        return Err(DomainError::required("title", "must not be empty"));
    }
    let n = t.chars().count();
    if n > MAX_TITLE_CHARS {
        return Err(DomainError::invalid(
            "title",
            format!("is {n} characters long (at most {MAX_TITLE_CHARS} allowed)"),
        ));
    }
    Ok(t.to_string())
}

/// Checks a Markdown body (description or comment).
pub fn validate_body(
    field: &'static str,
    body: &str,
    required: bool,
) -> Result<String, DomainError> {
    if required && body.trim().is_empty() {
        return Err(DomainError::required(field, "must not be empty"));
    }
    if body.len() > MAX_BODY_BYTES {
        return Err(DomainError::invalid(
            field,
            format!(
                "is {} bytes long (at most {MAX_BODY_BYTES} allowed)",
                body.len()
            ),
        ));
    }
    Ok(body.to_string())
}

/// Checks a category against the workspace's configured list.
pub fn validate_category(category: &str, allowed: &[String]) -> Result<String, DomainError> {
    let c = category.trim().to_ascii_lowercase();
    if allowed.contains(&c) {
        Ok(c)
    } else {
        Err(DomainError::UnknownValue {
            what: "category",
            value: category.to_string(),
            allowed: allowed.join(", "),
        })
    }
}

/// The service report written when a ticket is resolved.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Resolution {
    /// Root cause found.
    pub cause: String,
    /// What was done to fix it.
    pub solution: String,
    /// Optional: what prevents a recurrence.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prevention: Option<String>,
}

impl Resolution {
    /// Cause and solution are required and non-empty.
    pub fn validate(self) -> Result<Self, DomainError> {
        if self.cause.trim().is_empty() {
            return Err(DomainError::required(
                "cause",
                "is required to resolve a ticket",
            ));
        }
        if self.solution.trim().is_empty() {
            return Err(DomainError::required(
                "solution",
                "is required to resolve a ticket",
            ));
        }
        Ok(Resolution {
            cause: self.cause.trim().to_string(),
            solution: self.solution.trim().to_string(),
            prevention: self
                .prevention
                .map(|p| p.trim().to_string())
                .filter(|p| !p.is_empty()),
        })
    }
}

/// Customer satisfaction rating.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Csat {
    /// 1 (bad) to 5 (excellent).
    pub score: u8,
    /// Optional free text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

impl Csat {
    /// Score must be 1..=5.
    pub fn validate(self) -> Result<Self, DomainError> {
        if !(1..=5).contains(&self.score) {
            return Err(DomainError::invalid(
                "score",
                format!("{} is out of range (allowed: 1, 2, 3, 4, 5)", self.score),
            ));
        }
        Ok(self)
    }
}

/// A ticket's full state (the v1 model of spec §3). Users are referenced by id.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ticket {
    pub id: Uuid,
    /// Human number within the workspace (rendered `HD-<n>`).
    pub number: i64,
    /// The number it had in the workspace it was brought over from (see
    /// [`crate::import`]): an alias that search and `ticket show` still find.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub former_number: Option<i64>,
    pub title: String,
    pub description: String,
    pub kind: Kind,
    pub category: String,
    pub status: Status,
    pub priority: Priority,
    pub channel: Channel,
    pub requester_id: Option<Uuid>,
    pub organization_id: Option<Uuid>,
    pub assignee_id: Option<Uuid>,
    pub team_id: Option<Uuid>,
    pub tier: Tier,
    pub tags: Vec<String>,
    pub asset_id: Option<Uuid>,
    pub site: Option<String>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub first_response_at: Option<Timestamp>,
    pub resolved_at: Option<Timestamp>,
    pub closed_at: Option<Timestamp>,
    pub resolution: Option<Resolution>,
    pub csat: Option<Csat>,
    /// The callback a low rating opened (spec §3.1); customers see its levels and times only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub followup: Option<crate::followup::FollowUp>,
    /// The ticket this one was merged into (it is then a closed duplicate of it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merged_into: Option<Uuid>,
}

/// Renders a ticket number as its human key, e.g. `HD-42`.
pub fn ticket_key(number: i64) -> String {
    format!("HD-{number}")
}

/// Parses `HD-42`, `hd-42` or `42` into a number.
pub fn parse_ticket_key(s: &str) -> Option<i64> {
    let t = s.trim();
    let digits = t
        .strip_prefix("HD-")
        .or_else(|| t.strip_prefix("hd-"))
        .unwrap_or(t);
    digits.parse::<i64>().ok().filter(|n| *n > 0)
}
