//! What a desktop notification says and whether it is shown: the event kinds, the user's
//! preferences (per kind on/off, quiet hours, do-not-disturb, whose tickets), activity alerts
//! (assigned to me; for customers a public reply, a status change, resolved awaiting
//! confirmation) and the text of each notification in English and Chinese.
//!
//! Pure like the rest of the core: the caller passes "now", the time zone and the language.

use jiff::Timestamp;
use jiff::civil::Time;
use jiff::tz::TimeZone;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::sla::TargetKind;
use crate::sla::monitor::{Alert, AlertKind};
use crate::status::Status;
use crate::ticket::ticket_key;

crate::ticket::vocabulary!(
    /// Every kind of notification, as preferences name them.
    EventKind, "notification kind", {
        AtRisk => "at_risk", Breached => "breached", P1UpdateDue => "p1_update_due",
        AssignedToMe => "assigned_to_me", PublicReply => "public_reply",
        StatusChanged => "status_changed", ResolvedAwaitingConfirmation => "resolved_awaiting_confirmation",
        FollowUpAssigned => "followup_assigned", FollowUpScheduled => "followup_scheduled",
        SlaEscalation => "sla_escalation",
    }
);

impl From<AlertKind> for EventKind {
    fn from(k: AlertKind) -> EventKind {
        match k {
            AlertKind::AtRisk => EventKind::AtRisk,
            AlertKind::Breached => EventKind::Breached,
            AlertKind::P1UpdateDue => EventKind::P1UpdateDue,
        }
    }
}

/// Whose tickets notify.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// Tickets assigned to me and my team's unassigned tickets.
    #[default]
    Mine,
    /// Every ticket of the workspace.
    All,
}

/// Quiet hours in the workspace's time zone, e.g. 22:00–07:00 (may wrap past midnight).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct QuietHours {
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub start: Time,
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub end: Time,
}

impl QuietHours {
    /// Parses `22:00-07:00`.
    pub fn parse(s: &str) -> Result<QuietHours, crate::DomainError> {
        let bad = || {
            crate::DomainError::invalid(
                "quiet_hours",
                format!("'{s}' is not a time range (expected HH:MM-HH:MM, e.g. 22:00-07:00)"),
            )
        };
        let (a, b) = s.split_once('-').ok_or_else(bad)?;
        let start: Time = a.trim().parse().map_err(|_| bad())?;
        let end: Time = b.trim().parse().map_err(|_| bad())?;
        if start == end {
            return Err(bad());
        }
        Ok(QuietHours { start, end })
    }

    /// True when `at` (a local time of day) is inside the range.
    pub fn contains(&self, at: Time) -> bool {
        if self.start < self.end {
            self.start <= at && at < self.end
        } else {
            at >= self.start || at < self.end
        }
    }
}

/// The user's notification preferences.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(default)]
pub struct NotificationPrefs {
    /// Kinds switched off (every kind is on by default).
    pub disabled: Vec<EventKind>,
    pub quiet_hours: Option<QuietHours>,
    pub do_not_disturb: bool,
    pub scope: Scope,
}

/// Who the local user is, for "only my tickets" and for activity alerts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Recipient {
    pub user_id: Uuid,
    pub team_id: Option<Uuid>,
    /// Customers get the customer events; agents and admins the agent events.
    pub is_customer: bool,
}

/// The parts of a ticket that decide whose it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Ownership {
    pub assignee_id: Option<Uuid>,
    pub team_id: Option<Uuid>,
    pub requester_id: Option<Uuid>,
}

impl Recipient {
    /// Assigned to me, unassigned in my team, or (for a customer) requested by me.
    pub fn responsible_for(&self, t: &Ownership) -> bool {
        if self.is_customer {
            return t.requester_id == Some(self.user_id);
        }
        t.assignee_id == Some(self.user_id)
            || (t.assignee_id.is_none() && self.team_id.is_some() && t.team_id == self.team_id)
    }
}

impl NotificationPrefs {
    /// Whether a notification of `kind` about a ticket is shown at `now` (`tz` for quiet hours).
    pub fn allows(
        &self,
        kind: EventKind,
        responsible: bool,
        now: Timestamp,
        tz: &TimeZone,
    ) -> bool {
        if self.do_not_disturb || self.disabled.contains(&kind) {
            return false;
        }
        if self.scope == Scope::Mine && !responsible {
            return false;
        }
        match self.quiet_hours {
            Some(q) => !q.contains(tz.to_datetime(now).time()),
            None => true,
        }
    }
}

/// One change to a ticket seen in the store since the last look (an audit event or a comment).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Activity {
    /// The event's or comment's id: an activity alert fires once per id.
    pub id: Uuid,
    pub ticket_id: Uuid,
    pub number: i64,
    pub actor_id: Option<Uuid>,
    pub at: Timestamp,
    pub change: ActivityChange,
    pub ownership: Ownership,
}

/// What changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ActivityChange {
    Assigned {
        to: Option<Uuid>,
    },
    Status {
        to: Status,
    },
    /// A comment; only public replies by agents matter here.
    Comment {
        public: bool,
        by_agent: bool,
    },
    /// A satisfaction follow-up's callback opened at this level (the requester hears that a
    /// call is scheduled).
    Callback,
    /// A callback's caller was named.
    CallbackOwner {
        to: Option<Uuid>,
    },
    /// An escalation rule alerted someone (the team lead) of an SLA event.
    SlaAlert {
        to: Option<Uuid>,
    },
}

/// An activity worth telling the recipient about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivityAlert {
    pub id: Uuid,
    pub ticket_id: Uuid,
    pub number: i64,
    pub kind: EventKind,
    pub at: Timestamp,
    /// The new status, for status changes.
    pub status: Option<Status>,
    /// Made by a job (auto-close), not a person: the requester is told why.
    #[serde(default)]
    pub by_system: bool,
}

/// The activity alert for one change, if the recipient should hear of it: an agent hears
/// "assigned to me"; a customer hears of public agent replies, status changes and a resolve
/// awaiting confirmation on tickets they requested. Nobody hears of their own actions.
pub fn activity_alert(a: &Activity, me: &Recipient) -> Option<ActivityAlert> {
    if a.actor_id == Some(me.user_id) {
        return None;
    }
    let alert = |kind, status| ActivityAlert {
        id: a.id,
        ticket_id: a.ticket_id,
        number: a.number,
        kind,
        at: a.at,
        status,
        by_system: a.actor_id == Some(crate::user::SYSTEM_USER_ID),
    };
    if !me.is_customer {
        return match a.change {
            ActivityChange::Assigned { to } if to == Some(me.user_id) => {
                Some(alert(EventKind::AssignedToMe, None))
            }
            ActivityChange::CallbackOwner { to } if to == Some(me.user_id) => {
                Some(alert(EventKind::FollowUpAssigned, None))
            }
            ActivityChange::SlaAlert { to } if to == Some(me.user_id) => {
                Some(alert(EventKind::SlaEscalation, None))
            }
            _ => None,
        };
    }
    if a.ownership.requester_id != Some(me.user_id) {
        return None;
    }
    match a.change {
        ActivityChange::Comment {
            public: true,
            by_agent: true,
        } => Some(alert(EventKind::PublicReply, None)),
        ActivityChange::Status {
            to: Status::Resolved,
        } => Some(alert(
            EventKind::ResolvedAwaitingConfirmation,
            Some(Status::Resolved),
        )),
        ActivityChange::Status { to } => Some(alert(EventKind::StatusChanged, Some(to))),
        ActivityChange::Callback => Some(alert(EventKind::FollowUpScheduled, None)),
        _ => None,
    }
}

/// Anything that can fire.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Fired {
    Sla(Alert),
    Activity(ActivityAlert),
}

impl Fired {
    pub fn kind(&self) -> EventKind {
        match self {
            Fired::Sla(a) => a.kind.into(),
            Fired::Activity(a) => a.kind,
        }
    }

    pub fn ticket_id(&self) -> Uuid {
        match self {
            Fired::Sla(a) => a.ticket_id,
            Fired::Activity(a) => a.ticket_id,
        }
    }

    pub fn number(&self) -> i64 {
        match self {
            Fired::Sla(a) => a.number,
            Fired::Activity(a) => a.number,
        }
    }

    /// The moment it became due (SLA) or happened (activity).
    pub fn due_moment(&self) -> Timestamp {
        match self {
            Fired::Sla(a) => a.fired_for,
            Fired::Activity(a) => a.at,
        }
    }

    /// The once-only key, as stored: `sla:<ticket>:<target>:<cycle>:<kind>` or `activity:<id>`.
    pub fn key(&self) -> String {
        match self {
            Fired::Sla(a) => format!(
                "sla:{}:{}:{}:{}",
                a.ticket_id,
                a.target,
                a.cycle,
                EventKind::from(a.kind)
            ),
            Fired::Activity(a) => format!("activity:{}", a.id),
        }
    }

    fn rank(&self) -> u8 {
        match self.kind() {
            EventKind::Breached => 0,
            EventKind::P1UpdateDue => 1,
            EventKind::AtRisk => 2,
            _ => 3,
        }
    }
}

/// Urgency of a desktop notification.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Urgency {
    Normal,
    Critical,
}

/// The language of notification text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Lang {
    #[default]
    En,
    Zh,
}

impl Lang {
    /// `en` or `zh`.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Zh => "zh",
        }
    }

    /// `zh…` is Chinese; anything else English.
    pub fn from_code(code: &str) -> Lang {
        if code.to_ascii_lowercase().starts_with("zh") {
            Lang::Zh
        } else {
            Lang::En
        }
    }
}

/// A notification ready to show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    pub title: String,
    pub body: String,
    pub urgency: Urgency,
    /// The ticket to open on click (one ticket), `None` for a summary.
    pub ticket_number: Option<i64>,
    /// What it is about (the first alert's kind for a summary).
    pub kind: EventKind,
    /// The alerts it carries.
    pub alerts: Vec<Fired>,
}

/// Turns what fired in one wake into messages: one each when at most `max_individual`, else
/// one summary (critical if any breach). Breaches first, then P1 updates, warnings, activity.
pub fn compose(
    mut fired: Vec<Fired>,
    max_individual: usize,
    lang: Lang,
    tz: &TimeZone,
) -> Vec<Message> {
    fired.sort_by_key(|f| (f.rank(), f.due_moment(), f.number()));
    if fired.is_empty() {
        return Vec::new();
    }
    if fired.len() <= max_individual {
        return fired.into_iter().map(|f| single(f, lang, tz)).collect();
    }
    let count = |k: EventKind| fired.iter().filter(|f| f.kind() == k).count();
    let (breached, at_risk, updates) = (
        count(EventKind::Breached),
        count(EventKind::AtRisk),
        count(EventKind::P1UpdateDue),
    );
    let other = fired.len() - breached - at_risk - updates;
    let mut numbers: Vec<String> = fired
        .iter()
        .take(8)
        .map(|f| ticket_key(f.number()))
        .collect();
    if fired.len() > 8 {
        numbers.push("…".into());
    }
    let (title, parts) = match lang {
        Lang::En => (
            format!("{} Helpdeck alerts", fired.len()),
            [
                (breached, "breached"),
                (updates, "P1 updates due"),
                (at_risk, "at risk"),
                (other, "ticket updates"),
            ]
            .iter()
            .filter(|(n, _)| *n > 0)
            .map(|(n, w)| format!("{n} {w}"))
            .collect::<Vec<_>>(),
        ),
        Lang::Zh => (
            format!("{} 条 Helpdeck 提醒", fired.len()),
            [
                (breached, "个已违约"),
                (updates, "个 P1 需更新"),
                (at_risk, "个即将违约"),
                (other, "条工单动态"),
            ]
            .iter()
            .filter(|(n, _)| *n > 0)
            .map(|(n, w)| format!("{n} {w}"))
            .collect::<Vec<_>>(),
        ),
    };
    let body = match lang {
        Lang::En => format!("{}: {}", parts.join(", "), numbers.join(", ")),
        Lang::Zh => format!("{}：{}", parts.join("，"), numbers.join("、")),
    };
    vec![Message {
        title,
        body,
        urgency: if breached > 0 {
            Urgency::Critical
        } else {
            Urgency::Normal
        },
        ticket_number: None,
        kind: fired[0].kind(),
        alerts: fired,
    }]
}

/// The tray's words in the user's language: its tooltip and menu.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TrayText {
    pub tooltip: String,
    pub open: String,
    pub breached: String,
    pub at_risk: String,
    pub pause: String,
    pub quit: String,
}

/// The one-time notice when the window is closed but the app keeps running in the tray.
pub fn still_running_notice(lang: Lang) -> (&'static str, &'static str) {
    match lang {
        Lang::En => (
            "Helpdeck is still running",
            "It keeps watching SLA targets and will warn you before a breach. Open it from the tray icon or the app menu; quit from the tray menu.",
        ),
        Lang::Zh => (
            "Helpdeck 仍在运行",
            "它会继续监视 SLA 目标，在违约前提醒您。可从托盘图标或应用菜单打开；从托盘菜单退出。",
        ),
    }
}

/// What the tray says for these counts.
pub fn tray_text(lang: Lang, breached: u32, at_risk: u32, paused: bool) -> TrayText {
    match lang {
        Lang::En => TrayText {
            tooltip: format!(
                "Helpdeck: {breached} breached, {at_risk} at risk{}",
                if paused {
                    " (notifications paused)"
                } else {
                    ""
                }
            ),
            open: "Open Helpdeck".into(),
            breached: format!("Breached ({breached})"),
            at_risk: format!("At risk ({at_risk})"),
            pause: "Pause notifications".into(),
            quit: "Quit Helpdeck".into(),
        },
        Lang::Zh => TrayText {
            tooltip: format!(
                "Helpdeck：{breached} 个已违约，{at_risk} 个即将违约{}",
                if paused { "（通知已暂停）" } else { "" }
            ),
            open: "打开 Helpdeck".into(),
            breached: format!("已违约（{breached}）"),
            at_risk: format!("即将违约（{at_risk}）"),
            pause: "暂停通知".into(),
            quit: "退出 Helpdeck".into(),
        },
    }
}

fn target_name(t: TargetKind, lang: Lang) -> &'static str {
    match (lang, t) {
        (Lang::En, TargetKind::FirstResponse) => "first response",
        (Lang::En, TargetKind::NextUpdate) => "next update",
        (Lang::En, TargetKind::Resolution) => "resolution",
        (Lang::Zh, TargetKind::FirstResponse) => "首次响应",
        (Lang::Zh, TargetKind::NextUpdate) => "下次更新",
        (Lang::Zh, TargetKind::Resolution) => "解决",
    }
}

fn status_name(s: Status, lang: Lang) -> &'static str {
    match lang {
        Lang::En => match s {
            Status::New => "New",
            Status::Open => "Open",
            Status::InProgress => "In progress",
            Status::PendingCustomer => "Waiting for you",
            Status::OnHold => "On hold",
            Status::Resolved => "Resolved",
            Status::Closed => "Closed",
        },
        Lang::Zh => match s {
            Status::New => "新建",
            Status::Open => "已受理",
            Status::InProgress => "处理中",
            Status::PendingCustomer => "等待您的回复",
            Status::OnHold => "挂起",
            Status::Resolved => "已解决",
            Status::Closed => "已关闭",
        },
    }
}

/// Local wall-clock time of `at`, with the date when it is not the day of `reference`.
fn local_time(at: Timestamp, reference: Timestamp, tz: &TimeZone) -> String {
    let z = tz.to_datetime(at);
    if z.date() == tz.to_datetime(reference).date() {
        z.strftime("%H:%M:%S").to_string()
    } else {
        z.strftime("%Y-%m-%d %H:%M").to_string()
    }
}

fn single(f: Fired, lang: Lang, tz: &TimeZone) -> Message {
    let key = ticket_key(f.number());
    let (title, body, urgency) = match &f {
        Fired::Sla(a) => {
            let what = target_name(a.target, lang);
            let due = local_time(a.due_at, a.fired_for, tz);
            let left = (a.due_at.as_second() - a.fired_for.as_second()).max(0);
            let left_min = (left + 59) / 60;
            match (a.kind, lang) {
                (AlertKind::AtRisk, Lang::En) => (
                    format!("{key} at risk: {what}"),
                    format!("The {what} is due at {due} ({left_min} min left)."),
                    Urgency::Normal,
                ),
                (AlertKind::AtRisk, Lang::Zh) => (
                    format!("{key} 即将违约：{what}"),
                    format!("{what}将于 {due} 到期（剩余 {left_min} 分钟）。"),
                    Urgency::Normal,
                ),
                (AlertKind::Breached, Lang::En) => (
                    format!("{key} breached: {what}"),
                    format!("The {what} was due at {due}."),
                    Urgency::Critical,
                ),
                (AlertKind::Breached, Lang::Zh) => (
                    format!("{key} 已违约：{what}"),
                    format!("{what}已于 {due} 到期。"),
                    Urgency::Critical,
                ),
                (AlertKind::P1UpdateDue, Lang::En) => (
                    format!("{key}: P1 update due"),
                    format!("A public update was due at {due} (every 30 minutes while open)."),
                    Urgency::Critical,
                ),
                (AlertKind::P1UpdateDue, Lang::Zh) => (
                    format!("{key}：P1 需要更新"),
                    format!("应在 {due} 前发布公开更新（处理期间每 30 分钟一次）。"),
                    Urgency::Critical,
                ),
            }
        }
        Fired::Activity(a) => {
            let status = a.status.map(|s| status_name(s, lang)).unwrap_or_default();
            let (title, body) = match (a.kind, lang) {
                (EventKind::AssignedToMe, Lang::En) => (
                    format!("{key} assigned to you"),
                    "You are now the ticket's assignee.".to_string(),
                ),
                (EventKind::AssignedToMe, Lang::Zh) => (
                    format!("{key} 已分配给你"),
                    "你现在是该工单的处理人。".to_string(),
                ),
                (EventKind::SlaEscalation, Lang::En) => (
                    format!("{key}: SLA escalation"),
                    "An escalation rule alerted you: this ticket is at risk or past its SLA target. See its timeline.".to_string(),
                ),
                (EventKind::SlaEscalation, Lang::Zh) => (
                    format!("{key}：SLA 升级提醒"),
                    "升级规则提醒你：该工单即将或已经超出 SLA 目标，请查看其时间线。".to_string(),
                ),
                (EventKind::FollowUpAssigned, Lang::En) => (
                    format!("{key}: call the customer back"),
                    "A low rating opened a follow-up call, and it is yours (due within one business day).".to_string(),
                ),
                (EventKind::FollowUpAssigned, Lang::Zh) => (
                    format!("{key}：请回访客户"),
                    "客户给出了低评分，回访电话由你负责（一个工作日内完成）。".to_string(),
                ),
                (EventKind::FollowUpScheduled, Lang::En) => (
                    format!("{key}: we will call you back"),
                    "Thank you for your rating. Someone from support will call you within one business day.".to_string(),
                ),
                (EventKind::FollowUpScheduled, Lang::Zh) => (
                    format!("{key}：我们将给您回电"),
                    "感谢您的评价。客服人员将在一个工作日内给您回电。".to_string(),
                ),
                (EventKind::PublicReply, Lang::En) => (
                    format!("{key}: new reply"),
                    "Support replied to your ticket.".to_string(),
                ),
                (EventKind::PublicReply, Lang::Zh) => (
                    format!("{key}：有新回复"),
                    "客服回复了您的工单。".to_string(),
                ),
                (EventKind::ResolvedAwaitingConfirmation, Lang::En) => (
                    format!("{key} resolved: please confirm"),
                    "Your ticket was resolved. Confirm it, or reply to reopen it.".to_string(),
                ),
                (EventKind::ResolvedAwaitingConfirmation, Lang::Zh) => (
                    format!("{key} 已解决，请确认"),
                    "您的工单已解决。请确认，或回复以重新打开。".to_string(),
                ),
                // Closed by the auto-close job: say why, and that a reply still reopens it.
                (EventKind::StatusChanged, Lang::En)
                    if a.by_system && a.status == Some(Status::Closed) =>
                {
                    (
                        format!("{key} closed automatically"),
                        "It was resolved and we did not hear back, so we closed it. Not fixed after all? Reopen it from the app.".to_string(),
                    )
                }
                (EventKind::StatusChanged, Lang::Zh)
                    if a.by_system && a.status == Some(Status::Closed) =>
                {
                    (
                        format!("{key} 已自动关闭"),
                        "该请求已解决，且我们未收到您的回复，因此已自动关闭。如果问题仍未解决，可在应用中重新打开。".to_string(),
                    )
                }
                // A requester reads where the request stands, in the app's plain words.
                (_, Lang::En) => {
                    let stage = a
                        .status
                        .map(|s| crate::customer::Stage::of(s, true).name(lang))
                        .unwrap_or(status);
                    (
                        format!("{key}: {stage}"),
                        format!("Your request is now: {stage}."),
                    )
                }
                (_, Lang::Zh) => {
                    let stage = a
                        .status
                        .map(|s| crate::customer::Stage::of(s, true).name(lang))
                        .unwrap_or(status);
                    (
                        format!("{key}：{stage}"),
                        format!("您的请求当前状态：{stage}。"),
                    )
                }
            };
            (title, body, Urgency::Normal)
        }
    };
    Message {
        title,
        body,
        urgency,
        ticket_number: Some(f.number()),
        kind: f.kind(),
        alerts: vec![f],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn sla(number: i64, kind: AlertKind, fired_for: &str, due: &str) -> Fired {
        Fired::Sla(Alert {
            ticket_id: Uuid::from_u128(number as u128),
            number,
            target: TargetKind::FirstResponse,
            kind,
            cycle: 0,
            due_at: ts(due),
            fired_for: ts(fired_for),
        })
    }

    #[test]
    fn messages_name_the_ticket_and_what_is_due_in_both_languages() {
        let tz = TimeZone::get("Asia/Shanghai").unwrap();
        let risk = sla(
            12,
            AlertKind::AtRisk,
            "2026-03-02T06:15:00Z",
            "2026-03-02T06:30:00Z",
        );
        let m = compose(vec![risk.clone()], 5, Lang::En, &tz);
        assert_eq!(m[0].title, "HD-12 at risk: first response");
        assert_eq!(
            m[0].body,
            "The first response is due at 14:30:00 (15 min left)."
        );
        assert_eq!(m[0].urgency, Urgency::Normal);
        assert_eq!(m[0].ticket_number, Some(12));
        let m = compose(vec![risk], 5, Lang::Zh, &tz);
        assert_eq!(m[0].title, "HD-12 即将违约：首次响应");
        assert_eq!(m[0].body, "首次响应将于 14:30:00 到期（剩余 15 分钟）。");

        let breach = sla(
            12,
            AlertKind::Breached,
            "2026-03-02T06:30:00Z",
            "2026-03-02T06:30:00Z",
        );
        let m = compose(vec![breach.clone()], 5, Lang::En, &tz);
        assert_eq!(m[0].title, "HD-12 breached: first response");
        assert_eq!(m[0].urgency, Urgency::Critical);
        let m = compose(vec![breach], 5, Lang::Zh, &tz);
        assert_eq!(m[0].title, "HD-12 已违约：首次响应");
        assert_eq!(m[0].body, "首次响应已于 14:30:00 到期。");
    }

    #[test]
    fn many_at_once_become_one_critical_summary() {
        let tz = TimeZone::UTC;
        let mut fired: Vec<Fired> = (1..=30)
            .map(|n| {
                sla(
                    n,
                    AlertKind::AtRisk,
                    "2026-03-02T06:00:00Z",
                    "2026-03-02T07:00:00Z",
                )
            })
            .collect();
        fired.extend((31..=50).map(|n| {
            sla(
                n,
                AlertKind::Breached,
                "2026-03-02T05:00:00Z",
                "2026-03-02T05:00:00Z",
            )
        }));
        let m = compose(fired, 5, Lang::En, &tz);
        assert_eq!(m.len(), 1);
        assert_eq!(m[0].title, "50 Helpdeck alerts");
        assert!(
            m[0].body
                .starts_with("20 breached, 30 at risk: HD-31, HD-32"),
            "{}",
            m[0].body
        );
        assert_eq!(m[0].urgency, Urgency::Critical);
        assert_eq!(m[0].ticket_number, None);
        assert_eq!(m[0].alerts.len(), 50);
    }

    #[test]
    fn preferences_filter_by_kind_scope_quiet_hours_and_dnd() {
        let tz = TimeZone::get("Europe/Berlin").unwrap();
        let noon = ts("2026-03-02T11:00:00Z"); // 12:00 in Berlin
        let night = ts("2026-03-02T22:30:00Z"); // 23:30 in Berlin
        let mut p = NotificationPrefs::default();
        assert!(p.allows(EventKind::Breached, true, noon, &tz));
        assert!(
            !p.allows(EventKind::Breached, false, noon, &tz),
            "mine only"
        );
        p.scope = Scope::All;
        assert!(p.allows(EventKind::Breached, false, noon, &tz));
        p.disabled.push(EventKind::AtRisk);
        assert!(!p.allows(EventKind::AtRisk, true, noon, &tz));
        p.quiet_hours = Some(QuietHours::parse("22:00-07:00").unwrap());
        assert!(p.allows(EventKind::Breached, true, noon, &tz));
        assert!(!p.allows(EventKind::Breached, true, night, &tz));
        p.quiet_hours = None;
        p.do_not_disturb = true;
        assert!(!p.allows(EventKind::Breached, true, noon, &tz));
        let msg = QuietHours::parse("22:00").unwrap_err().to_string();
        assert!(msg.contains("expected HH:MM-HH:MM"), "{msg}");
        let json = serde_json::to_string(&NotificationPrefs {
            quiet_hours: Some(QuietHours::parse("08:30-09:00").unwrap()),
            ..NotificationPrefs::default()
        })
        .unwrap();
        assert!(json.contains("\"08:30:00\""), "{json}");
    }

    #[test]
    fn responsibility_and_activity_alerts() {
        let me = Uuid::from_u128(1);
        let other = Uuid::from_u128(2);
        let team = Uuid::from_u128(9);
        let agent = Recipient {
            user_id: me,
            team_id: Some(team),
            is_customer: false,
        };
        let own = |assignee, team_id| Ownership {
            assignee_id: assignee,
            team_id,
            requester_id: Some(other),
        };
        assert!(agent.responsible_for(&own(Some(me), None)));
        assert!(agent.responsible_for(&own(None, Some(team))));
        assert!(!agent.responsible_for(&own(Some(other), Some(team))));
        assert!(!agent.responsible_for(&own(None, None)));

        let activity = |actor, change| Activity {
            id: Uuid::from_u128(77),
            ticket_id: Uuid::from_u128(5),
            number: 5,
            actor_id: Some(actor),
            at: ts("2026-03-02T10:00:00Z"),
            change,
            ownership: Ownership {
                assignee_id: None,
                team_id: None,
                requester_id: Some(other),
            },
        };
        let assigned = activity(other, ActivityChange::Assigned { to: Some(me) });
        assert_eq!(
            activity_alert(&assigned, &agent).map(|a| a.kind),
            Some(EventKind::AssignedToMe)
        );
        // My own assignment is not news.
        assert_eq!(
            activity_alert(
                &activity(me, ActivityChange::Assigned { to: Some(me) }),
                &agent
            ),
            None
        );
        let customer = Recipient {
            user_id: other,
            team_id: None,
            is_customer: true,
        };
        let reply = activity(
            me,
            ActivityChange::Comment {
                public: true,
                by_agent: true,
            },
        );
        assert_eq!(
            activity_alert(&reply, &customer).map(|a| a.kind),
            Some(EventKind::PublicReply)
        );
        let note = activity(
            me,
            ActivityChange::Comment {
                public: false,
                by_agent: true,
            },
        );
        assert_eq!(activity_alert(&note, &customer), None);
        let resolved = activity(
            me,
            ActivityChange::Status {
                to: Status::Resolved,
            },
        );
        let fired = Fired::Activity(activity_alert(&resolved, &customer).unwrap());
        assert_eq!(fired.kind(), EventKind::ResolvedAwaitingConfirmation);
        assert_eq!(fired.key(), format!("activity:{}", Uuid::from_u128(77)));
        let m = compose(vec![fired], 5, Lang::Zh, &TimeZone::UTC);
        assert_eq!(m[0].title, "HD-5 已解决，请确认");
        let progress = activity(
            me,
            ActivityChange::Status {
                to: Status::InProgress,
            },
        );
        let fired = Fired::Activity(activity_alert(&progress, &customer).unwrap());
        let m = compose(vec![fired.clone()], 5, Lang::En, &TimeZone::UTC);
        // In the requester's words: the stage, not the desk's status.
        assert_eq!(m[0].title, "HD-5: resolving");
        let m = compose(vec![fired], 5, Lang::Zh, &TimeZone::UTC);
        assert_eq!(m[0].title, "HD-5：解决中");
        assert_eq!(activity_alert(&assigned, &customer), None);

        // A follow-up: the caller hears it is theirs; the requester that a call is coming
        // (not of the rating they gave themselves, whose callback the app shows at once).
        let caller = activity(other, ActivityChange::CallbackOwner { to: Some(me) });
        let fired = Fired::Activity(activity_alert(&caller, &agent).unwrap());
        assert_eq!(fired.kind(), EventKind::FollowUpAssigned);
        let m = compose(vec![fired], 5, Lang::Zh, &TimeZone::UTC);
        assert_eq!(m[0].title, "HD-5：请回访客户");
        assert_eq!(activity_alert(&caller, &customer), None);
        let scheduled = activity(me, ActivityChange::Callback);
        let fired = Fired::Activity(activity_alert(&scheduled, &customer).unwrap());
        assert_eq!(fired.kind(), EventKind::FollowUpScheduled);
        let m = compose(vec![fired], 5, Lang::En, &TimeZone::UTC);
        assert_eq!(m[0].title, "HD-5: we will call you back");
        assert_eq!(activity_alert(&scheduled, &agent), None);
        // The auto-close job tells the requester in its own words.
        let mut auto = activity(me, ActivityChange::Status { to: Status::Closed });
        auto.actor_id = Some(crate::user::SYSTEM_USER_ID);
        let fired = Fired::Activity(activity_alert(&auto, &customer).unwrap());
        let m = compose(vec![fired], 5, Lang::Zh, &TimeZone::UTC);
        assert_eq!(m[0].title, "HD-5 已自动关闭");
        let by_agent = activity(me, ActivityChange::Status { to: Status::Closed });
        let m = compose(
            vec![Fired::Activity(
                activity_alert(&by_agent, &customer).unwrap(),
            )],
            5,
            Lang::En,
            &TimeZone::UTC,
        );
        assert_eq!(m[0].title, "HD-5: done");
        assert_eq!(
            activity_alert(&activity(other, ActivityChange::Callback), &customer),
            None
        );
    }
}
