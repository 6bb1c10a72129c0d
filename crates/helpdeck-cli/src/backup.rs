//! `helpdeck backup|restore FILE` (a workspace) and `helpdeck server backup|restore FILE`
//! (a server on SQLite): one passphrase-encrypted file with every table and every
//! attachment (helpdeck-store `backup`).

use std::io::BufRead;
use std::path::{Path, PathBuf};

use anyhow::{Result, bail};
use clap::Args;
use helpdeck_store::{BackupSummary, KeySource, Store};

use crate::output::Printer;

/// Where the passphrase comes from.
#[derive(Args, Debug)]
pub struct Passphrase {
    /// Read the passphrase from the first line of stdin (otherwise it is asked for at a
    /// terminal, or taken from HELPDECK_BACKUP_PASSPHRASE).
    #[arg(long)]
    pub passphrase_stdin: bool,
}

#[derive(Args, Debug)]
pub struct BackupArgs {
    /// The backup file to write (refuses to overwrite one).
    pub file: PathBuf,
    #[command(flatten)]
    pub passphrase: Passphrase,
}

#[derive(Args, Debug)]
pub struct RestoreArgs {
    /// The backup file to read.
    pub file: PathBuf,
    #[command(flatten)]
    pub passphrase: Passphrase,
}

/// The passphrase: at a terminal it is asked twice for a new backup (a typo would lose the
/// backup), once for a restore.
fn read_passphrase(p: &Passphrase, confirm: bool) -> Result<String> {
    let pass = if p.passphrase_stdin {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        line.trim_end_matches(['\r', '\n']).to_string()
    } else if let Ok(v) = std::env::var("HELPDECK_BACKUP_PASSPHRASE") {
        v
    } else if std::io::IsTerminal::is_terminal(&std::io::stdin()) {
        let first = rpassword::prompt_password("Backup passphrase: ")?;
        if confirm && rpassword::prompt_password("Again: ")? != first {
            bail!("the two passphrases differ; nothing was written");
        }
        first
    } else {
        bail!(
            "no passphrase: type it at a terminal, pass --passphrase-stdin and write it to stdin, or set HELPDECK_BACKUP_PASSPHRASE"
        );
    };
    helpdeck_store::backup::check_passphrase(&pass)?;
    Ok(pass)
}

fn summary_text(verb: &str, s: &BackupSummary) -> String {
    let mut text = format!(
        "{verb} {} tickets and {} attachment files ({:.1} MiB) {} {}\n",
        s.tickets,
        s.files,
        s.bytes as f64 / 1_048_576.0,
        if verb == "backed up" { "to" } else { "from" },
        s.file
    );
    if s.missing_files > 0 {
        text.push_str(&format!(
            "{} attachment files are not on this device yet and are not in the backup\n",
            s.missing_files
        ));
    }
    text
}

pub async fn backup(dir: &Path, args: BackupArgs, out: &Printer) -> Result<()> {
    let store = Store::open(dir).await?;
    let pass = read_passphrase(&args.passphrase, true)?;
    let summary = store.backup(&args.file, &pass).await;
    store.shutdown().await;
    let summary = summary?;
    out.emit(&summary, || summary_text("backed up", &summary))
}

pub async fn restore(dir: &Path, args: RestoreArgs, out: &Printer) -> Result<()> {
    let pass = read_passphrase(&args.passphrase, false)?;
    let summary = Store::restore(&args.file, &pass, dir, &KeySource::OsKeyring).await?;
    out.emit(&summary, || {
        let mut t = summary_text("restored", &summary);
        t.push_str(&format!(
            "the workspace is in {} under a new key in this computer's keyring; a replica signs in again (`helpdeck login`) to sync\n",
            dir.display()
        ));
        t
    })
}

/// The SQLite file of a server database argument (`sqlite://PATH`, or a path); a
/// PostgreSQL server is backed up with its own tools.
pub fn sqlite_file(db: &str) -> Result<PathBuf> {
    if db.starts_with("postgres://") || db.starts_with("postgresql://") {
        bail!(
            "a server on PostgreSQL is backed up with pg_dump and restored with pg_restore (docs/admin.md, \"Backups\"); `server backup` is for a server on SQLite"
        );
    }
    let path = db
        .strip_prefix("sqlite://")
        .or_else(|| db.strip_prefix("sqlite:"))
        .unwrap_or(db);
    let path = path.split('?').next().unwrap_or(path);
    Ok(PathBuf::from(path))
}

pub async fn server_backup(db: &str, blobs: &Path, args: BackupArgs, out: &Printer) -> Result<()> {
    let file = sqlite_file(db)?;
    if !file.is_file() {
        bail!("no server database at {}", file.display());
    }
    let pass = read_passphrase(&args.passphrase, true)?;
    let summary = helpdeck_store::backup::backup_server(&file, blobs, &args.file, &pass).await?;
    out.emit(&summary, || summary_text("backed up", &summary))
}

pub async fn server_restore(
    db: &str,
    blobs: &Path,
    args: RestoreArgs,
    out: &Printer,
) -> Result<()> {
    let file = sqlite_file(db)?;
    let pass = read_passphrase(&args.passphrase, false)?;
    let summary = helpdeck_store::backup::restore_server(&args.file, &pass, &file, blobs).await?;
    out.emit(&summary, || {
        let mut t = summary_text("restored", &summary);
        t.push_str(&format!(
            "the server database is {}; start the server on it (`helpdeck server --db {}`)\n",
            file.display(),
            file.display()
        ));
        t
    })
}
