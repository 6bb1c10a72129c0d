//! Saved views on this device (spec §3.1): personal ones kept here, shared ones from the
//! workspace rules (an admin shares them; a replica pulls them). Each lists with its live
//! count, and becomes the queue's [`TicketFilter`].

use helpdeck_core::views::{
    SavedView, SlaBucketName, ViewFilter, ViewSort, check_view, shared_with,
};
use serde::Serialize;
use uuid::Uuid;

use crate::SavedViews;
use crate::error::Result;
use crate::read::{AssigneeFilter, SlaBucket, SortOrder, TicketFilter};
use crate::rows::ms;

/// A view as the sidebar and `view list` show it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ViewEntry {
    pub id: Uuid,
    pub name: String,
    /// Shared by an admin (with everyone, or with `team`); otherwise this device's own.
    pub shared: bool,
    pub team: Option<String>,
    pub filter: TicketFilter,
    /// Tickets in it now.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub count: i64,
}

/// The queue filter a view stands for (first page).
pub fn ticket_filter(f: &ViewFilter) -> TicketFilter {
    TicketFilter {
        statuses: f.statuses.clone(),
        all_statuses: f.all_statuses,
        priority: f.priority,
        kind: f.kind,
        category: f.category.clone(),
        tier: f.tier,
        assignee: match f.assignee.as_deref() {
            None => AssigneeFilter::Any,
            Some("me") => AssigneeFilter::Me,
            Some("none") => AssigneeFilter::Nobody,
            Some("unowned") => AssigneeFilter::Unowned,
            Some(email) => AssigneeFilter::Email(email.to_string()),
        },
        breaching: f.breaching,
        sla_bucket: f.sla_bucket.map(|b| match b {
            SlaBucketName::Breached => SlaBucket::Breached,
            SlaBucketName::AtRisk => SlaBucket::AtRisk,
        }),
        query: f.query.clone(),
        sort: match f.sort.unwrap_or(ViewSort::Due) {
            ViewSort::Due => SortOrder::Due,
            ViewSort::Priority => SortOrder::Priority,
            ViewSort::Updated => SortOrder::Updated,
            ViewSort::Created => SortOrder::Created,
        },
        ..TicketFilter::default()
    }
}

/// The view filter of a queue filter (what "Save view" keeps of the queue on screen).
pub fn view_filter(f: &TicketFilter) -> ViewFilter {
    ViewFilter {
        statuses: f.statuses.clone(),
        all_statuses: f.all_statuses,
        priority: f.priority,
        kind: f.kind,
        category: f.category.clone(),
        tier: f.tier,
        assignee: match &f.assignee {
            AssigneeFilter::Any => None,
            AssigneeFilter::Me => Some("me".into()),
            AssigneeFilter::Nobody => Some("none".into()),
            AssigneeFilter::Unowned => Some("unowned".into()),
            AssigneeFilter::Email(e) => Some(e.clone()),
        },
        breaching: f.breaching,
        sla_bucket: f.sla_bucket.map(|b| match b {
            SlaBucket::Breached => SlaBucketName::Breached,
            SlaBucket::AtRisk => SlaBucketName::AtRisk,
        }),
        query: f.query.clone(),
        sort: Some(match f.sort {
            SortOrder::Due => ViewSort::Due,
            SortOrder::Priority => ViewSort::Priority,
            SortOrder::Updated => ViewSort::Updated,
            SortOrder::Created => ViewSort::Created,
        }),
    }
}

impl SavedViews<'_> {
    /// Personal views (by name), then the shared ones this user sees.
    pub async fn all(&self) -> Result<Vec<(SavedView, bool)>> {
        let mut conn = self.0.pool.acquire().await?;
        let rows: Vec<(String,)> =
            sqlx::query_as("SELECT view FROM saved_views ORDER BY name COLLATE NOCASE")
                .fetch_all(&mut *conn)
                .await?;
        let mut out = Vec::new();
        for (json,) in rows {
            if let Ok(v) = serde_json::from_str::<SavedView>(&json) {
                out.push((v, false));
            }
        }
        let rules = self.0.rules_in(&mut conn).await?;
        let actor = self.0.actor();
        let team: Option<String> = sqlx::query_scalar(
            "SELECT t.name FROM users u JOIN teams t ON t.id = u.team_id WHERE u.id = ?",
        )
        .bind(actor.id.to_string())
        .fetch_optional(&mut *conn)
        .await?;
        for v in rules.views {
            if shared_with(&v, actor, team.as_deref()) {
                out.push((v, true));
            }
        }
        Ok(out)
    }

    /// Every view with its count now (the sidebar, `view list`).
    pub async fn list(&self) -> Result<Vec<ViewEntry>> {
        let mut out = Vec::new();
        for (v, shared) in self.all().await? {
            let filter = ticket_filter(&v.filter);
            let count = self.0.tickets().count_tickets(&filter).await?;
            out.push(ViewEntry {
                id: v.id,
                name: v.name,
                shared,
                team: v.team,
                filter,
                count,
            });
        }
        Ok(out)
    }

    /// A view by name (a personal one first).
    pub async fn find(&self, name: &str) -> Result<SavedView> {
        let all = self.all().await?;
        all.iter()
            .find(|(v, _)| v.name.eq_ignore_ascii_case(name.trim()))
            .map(|(v, _)| v.clone())
            .ok_or_else(|| {
                helpdeck_core::views::not_found(name, all.iter().map(|(v, _)| v.name.as_str()))
                    .into()
            })
    }

    /// Saves a personal view (replacing this device's view of the same name). Staff only:
    /// customers have their own requests, not queues.
    pub async fn save_personal(&self, view: SavedView) -> Result<SavedView> {
        if !self.0.actor().is_staff() {
            return Err(helpdeck_core::error::DomainError::Forbidden(
                "saved views are for agents and admins".into(),
            )
            .into());
        }
        let mut view = check_view(view)?;
        view.team = None;
        let mut tx = self.0.pool.begin_with("BEGIN IMMEDIATE").await?;
        sqlx::query("DELETE FROM saved_views WHERE name = ? COLLATE NOCASE")
            .bind(&view.name)
            .execute(&mut *tx)
            .await?;
        sqlx::query("INSERT INTO saved_views (id, name, view, created_at) VALUES (?, ?, ?, ?)")
            .bind(view.id.to_string())
            .bind(&view.name)
            .bind(serde_json::to_string(&view).expect("view serializes"))
            .bind(ms(self.0.now()))
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(view)
    }

    /// Deletes a personal view: true when it was this device's, false when the name is a
    /// shared view (an admin deletes that through the workspace rules); no view of that
    /// name is an error naming the views there are.
    pub async fn delete_personal(&self, name: &str) -> Result<bool> {
        let done = sqlx::query("DELETE FROM saved_views WHERE name = ? COLLATE NOCASE")
            .bind(name.trim())
            .execute(&self.0.pool)
            .await?;
        if done.rows_affected() > 0 {
            return Ok(true);
        }
        let all = self.all().await?;
        if all
            .iter()
            .any(|(v, shared)| *shared && v.name.eq_ignore_ascii_case(name.trim()))
        {
            return Ok(false);
        }
        Err(helpdeck_core::views::not_found(name, all.iter().map(|(v, _)| v.name.as_str())).into())
    }
}
