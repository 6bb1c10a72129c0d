//! `helpdeck view save|list|delete` and `ticket list --view NAME` (spec §7): named queue
//! filters. A view is yours on this device; `--shared` (admins) shares it with every agent,
//! or with one `--team`, through the workspace rules.

use anyhow::{Result, bail};
use clap::{Args, Subcommand};
use helpdeck_core::status::Status;
use helpdeck_core::ticket::Priority;
use helpdeck_core::views::SavedView;
use helpdeck_core::workspace::RulesChange;
use helpdeck_store::{AssigneeFilter, SortOrder, Store, TicketFilter, view_filter};
use uuid::Uuid;

use crate::output::Printer;

/// The queue filters `ticket list` and `view save` take.
#[derive(Args, Debug)]
pub struct FilterArgs {
    #[arg(long = "status", help = format!("Status filter, repeatable: {}", Status::allowed()))]
    statuses: Vec<String>,
    /// Every status, including resolved and closed.
    #[arg(long)]
    all: bool,
    #[arg(long, help = format!("One of {}", Priority::allowed()))]
    priority: Option<String>,
    /// Agent email, `me`, `none` (no agent) or `unowned` (no agent and no team queue).
    #[arg(long)]
    assignee: Option<String>,
    /// Only tickets at risk or breached.
    #[arg(long)]
    breaching: bool,
    /// Order of the list: due (default), priority, updated or created.
    #[arg(long, value_parser = ["due", "priority", "updated", "created"])]
    sort: Option<String>,
    /// Only tickets this search finds (the syntax of `helpdeck search`).
    #[arg(long)]
    search: Option<String>,
}

impl FilterArgs {
    /// `base` (the default queue, or a saved view's) narrowed by the flags given.
    pub fn apply(&self, mut f: TicketFilter) -> Result<TicketFilter> {
        if !self.statuses.is_empty() {
            f.statuses = self
                .statuses
                .iter()
                .map(|s| s.parse::<Status>())
                .collect::<Result<_, _>>()?;
        }
        f.all_statuses |= self.all;
        if let Some(p) = &self.priority {
            f.priority = Some(p.parse()?);
        }
        if let Some(a) = self.assignee.as_deref() {
            f.assignee = match a {
                "me" => AssigneeFilter::Me,
                "none" => AssigneeFilter::Nobody,
                "unowned" => AssigneeFilter::Unowned,
                e => AssigneeFilter::Email(e.to_string()),
            };
        }
        f.breaching |= self.breaching;
        if let Some(s) = self.sort.as_deref() {
            f.sort = match s {
                "due" => SortOrder::Due,
                "priority" => SortOrder::Priority,
                "updated" => SortOrder::Updated,
                "created" => SortOrder::Created,
                other => bail!("unknown sort '{other}' (allowed: due, priority, updated, created)"),
            };
        }
        if self.search.is_some() {
            f.query = self.search.clone();
        }
        Ok(f)
    }
}

#[derive(Subcommand, Debug)]
pub enum ViewCommand {
    /// Save the filters of `ticket list` under a name (yours; --shared: every agent's).
    Save(SaveArgs),
    /// Your views and the shared ones, with how many tickets each holds now.
    List,
    /// Delete a view (yours; a shared one: admins).
    Delete { name: String },
}

#[derive(Args, Debug)]
pub struct SaveArgs {
    name: String,
    #[command(flatten)]
    filter: FilterArgs,
    /// Share it with every agent (admins), through the workspace rules.
    #[arg(long)]
    shared: bool,
    /// Share it with this team only (admins; implies --shared).
    #[arg(long)]
    team: Option<String>,
}

pub async fn run(store: &Store, cmd: ViewCommand, out: &Printer) -> Result<()> {
    use helpdeck_sync::rules as r;
    match cmd {
        ViewCommand::Save(a) => {
            let filter = a.filter.apply(TicketFilter::default())?;
            let view = SavedView {
                id: Uuid::now_v7(),
                name: a.name,
                team: a.team.clone(),
                filter: view_filter(&filter),
            };
            if a.shared || a.team.is_some() {
                r::change_rules(store, &RulesChange::SaveView { view }).await?;
            } else {
                store.saved_views().save_personal(view).await?;
            }
            list(store, out).await
        }
        ViewCommand::List => list(store, out).await,
        ViewCommand::Delete { name } => {
            if !store.saved_views().delete_personal(&name).await? {
                r::change_rules(store, &RulesChange::DeleteView { name }).await?;
            }
            list(store, out).await
        }
    }
}

async fn list(store: &Store, out: &Printer) -> Result<()> {
    let views = store.saved_views().list().await?;
    out.emit(&serde_json::json!({ "views": views }), || {
        if views.is_empty() {
            return "No saved views. Save one: helpdeck view save NAME [--priority P1] [--assignee me] [--search TEXT] [--shared]\n".into();
        }
        let mut s = String::new();
        for v in &views {
            let whose = match (v.shared, &v.team) {
                (false, _) => "mine".to_string(),
                (true, None) => "shared".to_string(),
                (true, Some(t)) => format!("shared with {t}"),
            };
            s.push_str(&format!("{:>6}  {}  ({whose})\n", v.count, v.name));
        }
        s
    })
}
