//! `helpdeck privacy export|erase --email E` (a local workspace) and `helpdeck server
//! privacy export|erase --email E` (the server): PIPL's access and erasure.

use std::path::{Path, PathBuf};

use anyhow::{Result, bail};
use clap::Subcommand;
use helpdeck_core::privacy::{Erasure, PersonalData};
use helpdeck_store::Store;

use crate::output::Printer;

#[derive(Subcommand, Debug)]
pub enum PrivacyCommand {
    /// Everything held about a person (their record, the tickets they requested, the
    /// comments they wrote; on the server also their devices), as JSON.
    Export {
        #[arg(long)]
        email: String,
        /// Write to this file (default: stdout).
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Erase a customer: their name, email, the text of their tickets and comments and their
    /// files go; ticket numbers, statuses, times, SLA history and satisfaction scores stay.
    /// Cannot be undone.
    Erase {
        #[arg(long)]
        email: String,
        /// Confirm: the erasure cannot be undone.
        #[arg(long)]
        yes: bool,
    },
}

fn write_export(data: &PersonalData, out: Option<&Path>, printer: &Printer) -> Result<()> {
    let text = serde_json::to_string_pretty(data)?;
    match out {
        Some(path) => {
            std::fs::write(path, format!("{text}\n"))?;
            printer.emit(
                &serde_json::json!({ "file": path.display().to_string(), "tickets": data.tickets.len(), "comments": data.comments.len() }),
                || {
                    format!(
                        "wrote the personal data of {} ({} tickets, {} comments) to {}\n",
                        data.person.email,
                        data.tickets.len(),
                        data.comments.len(),
                        path.display()
                    )
                },
            )
        }
        None => {
            println!("{text}");
            Ok(())
        }
    }
}

fn erased_text(e: &Erasure) -> String {
    format!(
        "erased: {} tickets' text, {} comments, {} files; the person is now {}\n",
        e.tickets, e.comments, e.attachments, e.now_known_as
    )
}

fn confirm(yes: bool) -> Result<()> {
    if !yes {
        bail!("an erasure cannot be undone: add --yes to confirm (take a backup first)");
    }
    Ok(())
}

pub async fn run(store: &Store, cmd: PrivacyCommand, out: &Printer) -> Result<()> {
    match cmd {
        PrivacyCommand::Export { email, out: file } => {
            let data = store.privacy_export(&email).await?;
            write_export(&data, file.as_deref(), out)
        }
        PrivacyCommand::Erase { email, yes } => {
            confirm(yes)?;
            let done = store.privacy_erase(&email).await?;
            out.emit(&done, || erased_text(&done))
        }
    }
}

pub async fn server(
    db: &helpdeck_server::Db,
    blobs: &Path,
    cmd: PrivacyCommand,
    out: &Printer,
) -> Result<()> {
    match cmd {
        PrivacyCommand::Export { email, out: file } => {
            let data = helpdeck_server::privacy::export(db, &email).await?;
            write_export(&data, file.as_deref(), out)
        }
        PrivacyCommand::Erase { email, yes } => {
            confirm(yes)?;
            let done = helpdeck_server::privacy::erase(db, &email, blobs).await?;
            out.emit(&done, || erased_text(&done))
        }
    }
}
