//! What readers get: tickets with names resolved and SLA evaluated. Stable snake_case JSON
//! (spec §7); the CLI prints these and the desktop app will receive them.

use helpdeck_core::Timestamp;
use helpdeck_core::record::Visibility;
use helpdeck_core::sla::{SlaReport, SlaState, TargetReport};
use helpdeck_core::status::Status;
use helpdeck_core::ticket::{Channel, Csat, Kind, Priority, Resolution, Tier};
use serde::Serialize;
use uuid::Uuid;

/// A person as shown next to a ticket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct UserRef {
    pub id: Uuid,
    pub email: String,
    pub name: String,
}

/// SLA of a ticket: the overall state, the next due time and each target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SlaView {
    /// The most urgent state among the targets (breached > at_risk > running > paused > missed > met).
    pub state: Option<SlaState>,
    /// The earliest due time of a target still running.
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub next_due_at: Option<Timestamp>,
    pub first_response: Option<TargetReport>,
    pub next_update: Option<TargetReport>,
    pub resolution: Option<TargetReport>,
}

impl SlaView {
    /// Builds the view from an engine report.
    pub fn from_report(report: &SlaReport) -> SlaView {
        use helpdeck_core::sla::TargetKind;
        let find = |k: TargetKind| report.targets.iter().find(|t| t.target == k).cloned();
        let rank = |s: SlaState| match s {
            SlaState::Breached => 0,
            SlaState::AtRisk => 1,
            SlaState::Running => 2,
            SlaState::Paused => 3,
            SlaState::Missed => 4,
            SlaState::Met => 5,
        };
        SlaView {
            state: report
                .targets
                .iter()
                .map(|t| t.state)
                .min_by_key(|s| rank(*s)),
            next_due_at: report.next_due(),
            first_response: find(TargetKind::FirstResponse),
            next_update: find(TargetKind::NextUpdate),
            resolution: find(TargetKind::Resolution),
        }
    }
}

/// A ticket as listed and shown.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct TicketView {
    pub id: Uuid,
    /// Human key, e.g. `HD-42`.
    pub number: String,
    pub title: String,
    pub status: Status,
    pub priority: Priority,
    pub kind: Kind,
    pub category: String,
    pub channel: Channel,
    pub tier: Tier,
    pub assignee: Option<UserRef>,
    pub requester: Option<UserRef>,
    pub organization: Option<String>,
    pub team: Option<String>,
    pub tags: Vec<String>,
    pub site: Option<String>,
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub created_at: Timestamp,
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub updated_at: Timestamp,
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub first_response_at: Option<Timestamp>,
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub resolved_at: Option<Timestamp>,
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub closed_at: Option<Timestamp>,
    pub sla: SlaView,
    /// Where it stands in the requester's words (`helpdeck_core::customer`).
    pub stage: helpdeck_core::customer::Stage,
    /// When the requester can expect the next step (a first answer, else the fix).
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub expected_at: Option<Timestamp>,
}

/// A comment as shown in the timeline.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CommentView {
    pub id: Uuid,
    pub author: UserRef,
    pub visibility: Visibility,
    pub body: String,
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub created_at: Timestamp,
}

/// An audit event as shown in the timeline.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct EventView {
    pub actor: Option<UserRef>,
    pub field: String,
    pub from: Option<String>,
    pub to: Option<String>,
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub at: Timestamp,
}

/// A file on the ticket or one of its comments.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AttachmentView {
    pub id: Uuid,
    /// The reply or note it is on; none for a file on the ticket itself.
    pub comment_id: Option<Uuid>,
    pub sha256: String,
    pub name: String,
    pub media_type: String,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub size: u64,
    /// Is the file on this device (false while it is still being downloaded)?
    pub available: bool,
}

/// A link of a ticket, as seen from that ticket.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct LinkView {
    /// From this ticket's side: related, duplicate_of, duplicated_by, parent_of, child_of.
    pub kind: String,
    pub ticket_id: Uuid,
    /// The other ticket's number, e.g. HD-7.
    pub number: String,
    pub title: String,
    pub status: Status,
}

/// Everything about one ticket.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct TicketDetail {
    #[serde(flatten)]
    pub ticket: TicketView,
    /// The number it had before its workspace was connected to a server, e.g. `HD-12`.
    pub former_number: Option<String>,
    pub description: String,
    pub resolution: Option<Resolution>,
    pub csat: Option<Csat>,
    /// The callback a low rating opened (customers: its levels and times only).
    pub followup: Option<crate::followups::FollowUpView>,
    /// Statuses the current user may move this ticket to.
    pub allowed_transitions: Vec<Status>,
    pub comments: Vec<CommentView>,
    pub events: Vec<EventView>,
    /// Links to other tickets (staff only).
    pub links: Vec<LinkView>,
    /// Files on the ticket and on the comments shown.
    pub attachments: Vec<AttachmentView>,
}
