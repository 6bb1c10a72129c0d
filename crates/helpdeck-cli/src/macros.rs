//! `helpdeck macro add|list|show|edit|delete` (spec §7); applying one is
//! `helpdeck ticket apply-macro REF --macro NAME`.

use anyhow::{Result, bail};
use clap::{Args, Subcommand};
use helpdeck_core::macros::{Macro, MacroAssignee, PLACEHOLDERS};
use helpdeck_store::{MacroInput, Store};

use crate::output::Printer;

#[derive(Subcommand, Debug)]
pub enum MacroCommand {
    /// A canned reply with placeholders plus field changes (shared unless --personal).
    Add(MacroArgs),
    /// The macros you may apply, by name.
    List,
    /// One macro in full.
    Show { name: String },
    /// Replace a macro's reply and field changes (give everything it should do).
    Edit {
        /// Its name (or id).
        reference: String,
        #[command(flatten)]
        args: MacroArgs,
    },
    /// Delete a macro (for everyone, if shared).
    Delete { name: String },
}

#[derive(Args, Debug)]
pub struct MacroArgs {
    #[arg(long)]
    name: String,
    /// The reply (Markdown) with placeholders: {requester.name}, {ticket.number},
    /// {ticket.title}, {agent.name}, {sla.resolution_due}, {workspace.name}.
    #[arg(long, default_value = "")]
    body: String,
    /// A field change: status=, priority=, tier=, assignee= (email, me or none) or tag=
    /// (added; repeatable).
    #[arg(long = "set", value_name = "FIELD=VALUE")]
    set: Vec<String>,
    /// Only yours (otherwise every agent's).
    #[arg(long)]
    personal: bool,
}

fn input(a: MacroArgs) -> Result<MacroInput> {
    let mut m = MacroInput {
        name: a.name,
        body: a.body,
        personal: a.personal,
        ..Default::default()
    };
    for s in &a.set {
        let Some((field, value)) = s.split_once('=') else {
            bail!("--set {s}: write FIELD=VALUE (status, priority, tier, assignee or tag)");
        };
        let value = value.trim();
        match field.trim() {
            "status" => m.status = Some(value.parse()?),
            "priority" => m.priority = Some(value.parse()?),
            "tier" => m.tier = Some(value.parse()?),
            "assignee" => m.assignee = Some(value.to_string()),
            "tag" | "tags" => m
                .add_tags
                .extend(value.split(',').map(|t| t.trim().to_string())),
            other => bail!("--set {other}=…: a macro sets status, priority, tier, assignee or tag"),
        }
    }
    Ok(m)
}

pub async fn run(store: &Store, cmd: MacroCommand, out: &Printer) -> Result<()> {
    let macros = store.macros();
    match cmd {
        MacroCommand::Add(a) => show(out, &macros.add(input(a)?).await?),
        MacroCommand::Edit { reference, args } => {
            show(out, &macros.edit(&reference, input(args)?).await?)
        }
        MacroCommand::Show { name } => show(out, &macros.find(&name).await?),
        MacroCommand::Delete { name } => {
            macros.delete(&name).await?;
            out.emit(&serde_json::json!({ "deleted": name }), || {
                format!("Deleted macro “{name}”.\n")
            })
        }
        MacroCommand::List => {
            let list = macros.list().await?;
            out.emit(&serde_json::json!({ "macros": list }), || {
                if list.is_empty() {
                    return format!(
                        "No macros yet. Add one: helpdeck macro add --name N --body \"…\" [--set status=pending_customer]\nPlaceholders: {}\n",
                        PLACEHOLDERS
                            .iter()
                            .map(|(p, _)| format!("{{{p}}}"))
                            .collect::<Vec<_>>()
                            .join(" ")
                    );
                }
                list.iter()
                    .map(|m| format!("{}{}  {}\n", m.name, if m.owner_id.is_some() { " (personal)" } else { "" }, summary(m)))
                    .collect()
            })
        }
    }
}

/// What a macro does, in a line.
fn summary(m: &Macro) -> String {
    let a = &m.actions;
    let mut parts = Vec::new();
    if !m.body.trim().is_empty() {
        parts.push("replies".to_string());
    }
    if let Some(s) = a.status {
        parts.push(format!("status → {s}"));
    }
    if let Some(p) = a.priority {
        parts.push(format!("priority → {p}"));
    }
    if let Some(t) = a.tier {
        parts.push(format!("tier → {t}"));
    }
    match a.assignee {
        Some(MacroAssignee::Me) => parts.push("assigns to whoever applies it".into()),
        Some(MacroAssignee::Nobody) => parts.push("unassigns".into()),
        Some(MacroAssignee::Agent(id)) => parts.push(format!("assigns to {id}")),
        None => {}
    }
    if !a.add_tags.is_empty() {
        parts.push(format!("tags + {}", a.add_tags.join(", ")));
    }
    parts.join(" · ")
}

fn show(out: &Printer, m: &Macro) -> Result<()> {
    out.emit(m, || {
        format!(
            "{}{}\n{}\n\n{}\n",
            m.name,
            if m.owner_id.is_some() {
                " (personal)"
            } else {
                ""
            },
            summary(m),
            m.body
        )
    })
}
