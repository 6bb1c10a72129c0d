//! `helpdeck kb ...`: the knowledge base (spec §7). Articles are decided by the same rule on
//! every side (`helpdeck_core::kb`); on a replica they reach the server with the next sync.

use anyhow::{Result, bail};
use clap::{Args, Subcommand};
use comfy_table::{ContentArrangement, Table, presets::UTF8_BORDERS_ONLY};
use helpdeck_core::attachment::FileRef;
use helpdeck_core::kb::{ArticleFields, ArticleLang, ArticleStatus, Audience, ScriptStep};
use helpdeck_store::{ArticleHit, ArticleInput, ArticleView, Store};

use crate::output::Printer;

#[derive(Subcommand, Debug)]
pub enum KbCommand {
    /// Write an article (agents and admins). A draft unless --publish.
    Add(AddArgs),
    /// Articles, newest change first (--status draft|published|archived).
    List {
        #[arg(long)]
        status: Option<String>,
    },
    /// One article in full (ID: its id or the first 6+ characters of it).
    Show { id: String },
    /// Change an article's fields.
    Edit(EditArgs),
    /// Publish an article (public ones become visible to customers).
    Publish { id: String },
    /// Archive an article (hidden from search and suggestions; customers lose it).
    Archive { id: String },
    /// Return an article to draft.
    Unpublish { id: String },
    /// Say whether an article helped.
    Vote {
        id: String,
        #[arg(
            long,
            conflicts_with = "not_helpful",
            required_unless_present = "not_helpful"
        )]
        helpful: bool,
        #[arg(long)]
        not_helpful: bool,
    },
    /// Search articles, Chinese and English (words, "a phrase", prefix*).
    Search {
        query: String,
        #[arg(long, default_value_t = 20)]
        limit: u32,
    },
    /// Published articles that match a text being written (a reply, a new request).
    Suggest {
        #[arg(long)]
        text: String,
        #[arg(long, default_value_t = 5)]
        limit: u32,
    },
    /// A draft article from a resolved ticket's service report (cause, solution, prevention).
    FromTicket { reference: String },
    /// Published articles that need a look: often voted unhelpful, or not updated for
    /// --months months.
    Upkeep {
        #[arg(long, default_value_t = 12)]
        months: u32,
    },
    /// Frequent problems without an article: categories and keywords shared by at least
    /// --min tickets of the last --days days that no published article answers.
    Gaps {
        #[arg(long, default_value_t = 30)]
        days: u32,
        #[arg(long, default_value_t = 5)]
        min: i64,
    },
}

#[derive(Args, Debug)]
pub struct AddArgs {
    #[arg(long)]
    title: String,
    /// Markdown.
    #[arg(long)]
    body: String,
    #[arg(long)]
    category: Option<String>,
    #[arg(long = "tag")]
    tags: Vec<String>,
    /// internal (agents only) or public (customers too, once published).
    #[arg(long, default_value = "internal")]
    audience: String,
    /// zh or en (default: the workspace's language).
    #[arg(long)]
    lang: Option<String>,
    /// The article this one translates (its id).
    #[arg(long)]
    translation_of: Option<String>,
    /// A diagnosis step, "instruction => expected result" (repeatable, in order).
    #[arg(long = "step")]
    steps: Vec<String>,
    /// An image (or other file) to show at the end of the body (repeatable).
    #[arg(long = "image", value_name = "PATH")]
    images: Vec<std::path::PathBuf>,
    #[arg(long)]
    publish: bool,
}

#[derive(Args, Debug)]
pub struct EditArgs {
    id: String,
    #[arg(long)]
    title: Option<String>,
    #[arg(long)]
    body: Option<String>,
    /// A category ("" clears it).
    #[arg(long)]
    category: Option<String>,
    /// Replaces the tags (repeatable).
    #[arg(long = "tag")]
    tags: Vec<String>,
    #[arg(long)]
    audience: Option<String>,
    #[arg(long)]
    lang: Option<String>,
    /// Replaces the diagnosis steps ("instruction => expected", repeatable).
    #[arg(long = "step")]
    steps: Vec<String>,
    /// An image (or other file) to add at the end of the body (repeatable).
    #[arg(long = "image", value_name = "PATH")]
    images: Vec<std::path::PathBuf>,
}

/// Copies each file into the workspace and shows it at the end of `body`
/// (`![name](attachment:SHA256)`), adding it to `files`.
fn add_images(
    store: &Store,
    body: &mut String,
    files: &mut Vec<FileRef>,
    paths: &[std::path::PathBuf],
) -> Result<()> {
    for p in paths {
        let f = store.files().import_file(p)?;
        let alt = f.name.replace(['[', ']'], "");
        body.push_str(&format!(
            "\n\n![{alt}]({}{})",
            helpdeck_core::kb::FILE_SCHEME,
            f.sha256
        ));
        if !files.iter().any(|x| x.sha256 == f.sha256) {
            files.push(FileRef {
                sha256: f.sha256,
                name: f.name,
                media_type: f.media_type,
                size: f.size,
            });
        }
    }
    Ok(())
}

fn steps(raw: &[String]) -> Vec<ScriptStep> {
    raw.iter()
        .map(|s| match s.split_once("=>") {
            Some((i, e)) => ScriptStep {
                instruction: i.trim().to_string(),
                expected: e.trim().to_string(),
            },
            None => ScriptStep {
                instruction: s.trim().to_string(),
                expected: String::new(),
            },
        })
        .collect()
}

pub async fn run(store: &Store, cmd: KbCommand, out: &Printer) -> Result<()> {
    let kb = store.kb();
    match cmd {
        KbCommand::Add(a) => {
            let lang = match a.lang {
                Some(l) => l.parse()?,
                None if store.workspace().language == "zh" => ArticleLang::Zh,
                None => ArticleLang::En,
            };
            let mut body = a.body;
            let mut files = Vec::new();
            add_images(store, &mut body, &mut files, &a.images)?;
            let v = kb
                .add(ArticleInput {
                    title: a.title,
                    body,
                    files,
                    category: a.category,
                    tags: a.tags,
                    audience: a.audience.parse()?,
                    lang,
                    translation_of: a.translation_of,
                    steps: steps(&a.steps),
                    publish: a.publish,
                })
                .await?;
            article(out, &v)
        }
        KbCommand::List { status } => {
            let status: Option<ArticleStatus> = status.map(|s| s.parse()).transpose()?;
            let list = kb.list(status).await?;
            out.emit(&serde_json::json!({ "articles": list }), || {
                if list.is_empty() {
                    return "No articles.\n".into();
                }
                let mut table = Table::new();
                table
                    .load_preset(UTF8_BORDERS_ONLY)
                    .set_content_arrangement(ContentArrangement::Disabled)
                    .set_header(["Id", "Title", "Lang", "Audience", "Status", "Helped", "Not"]);
                for a in &list {
                    table.add_row([
                        a.id.to_string()[..8].to_string(),
                        a.title.clone(),
                        a.lang.to_string(),
                        a.audience.to_string(),
                        a.status.to_string(),
                        a.helpful.to_string(),
                        a.not_helpful.to_string(),
                    ]);
                }
                format!("{table}\n{} article(s)\n", list.len())
            })
        }
        KbCommand::Show { id } => article(out, &kb.show(&id).await?),
        KbCommand::Edit(e) => {
            let (body, files) = if e.images.is_empty() {
                (e.body, None)
            } else {
                let current = kb.show(&e.id).await?;
                let mut body = e.body.unwrap_or(current.body);
                let mut files = current.files;
                add_images(store, &mut body, &mut files, &e.images)?;
                (Some(body), Some(files))
            };
            let fields = ArticleFields {
                title: e.title,
                body,
                files,
                category: e.category,
                tags: (!e.tags.is_empty()).then_some(e.tags),
                audience: e.audience.map(|a| a.parse::<Audience>()).transpose()?,
                lang: e.lang.map(|l| l.parse::<ArticleLang>()).transpose()?,
                translation_of: None,
                steps: (!e.steps.is_empty()).then(|| steps(&e.steps)),
            };
            if fields.names().is_empty() {
                bail!(
                    "nothing to change: give --title, --body, --category, --tag, --audience, --lang, --step or --image"
                );
            }
            article(out, &kb.edit(&e.id, fields).await?)
        }
        KbCommand::Publish { id } => {
            article(out, &kb.set_status(&id, ArticleStatus::Published).await?)
        }
        KbCommand::Archive { id } => {
            article(out, &kb.set_status(&id, ArticleStatus::Archived).await?)
        }
        KbCommand::Unpublish { id } => {
            article(out, &kb.set_status(&id, ArticleStatus::Draft).await?)
        }
        KbCommand::Vote { id, helpful, .. } => article(out, &kb.vote(&id, helpful).await?),
        KbCommand::Search { query, limit } => hits(out, &kb.search(&query, limit).await?),
        KbCommand::Suggest { text, limit } => hits(out, &kb.suggest(&text, limit).await?),
        KbCommand::FromTicket { reference } => article(out, &kb.from_ticket(&reference).await?),
        KbCommand::Upkeep { months } => {
            let items = kb.upkeep(months).await?;
            out.emit(&serde_json::json!({ "articles": items }), || {
                if items.is_empty() {
                    return "Every published article is fresh and helpful.\n".into();
                }
                items
                    .iter()
                    .map(|i| {
                        format!(
                            "{}  {} — {} (helped {}, did not help {}; updated {})\n",
                            &i.id.to_string()[..8],
                            i.title,
                            i.reason,
                            i.helpful,
                            i.not_helpful,
                            out.time(i.updated_at)
                        )
                    })
                    .collect()
            })
        }
        KbCommand::Gaps { days, min } => {
            let gaps = kb.gaps(days, min).await?;
            out.emit(&serde_json::json!({ "gaps": gaps }), || {
                if gaps.is_empty() {
                    return format!(
                        "No frequent problem without an article in the last {days} days.\n"
                    );
                }
                gaps.iter()
                    .map(|g| {
                        format!(
                            "{} {}: {} tickets (e.g. {})\n",
                            g.kind,
                            g.value,
                            g.tickets,
                            g.examples.join(", ")
                        )
                    })
                    .collect()
            })
        }
    }
}

fn article(out: &Printer, a: &ArticleView) -> Result<()> {
    out.emit(a, || {
        let mut s = format!(
            "{}  {}\n{} · {} · {} · helped {} · did not help {}\nId: {}\n",
            a.title,
            a.lang,
            a.audience,
            a.status,
            a.category.as_deref().unwrap_or("—"),
            a.helpful,
            a.not_helpful,
            a.id
        );
        if !a.tags.is_empty() {
            s.push_str(&format!("Tags: {}\n", a.tags.join(", ")));
        }
        if !a.tickets.is_empty() {
            s.push_str(&format!("From: {}\n", a.tickets.join(", ")));
        }
        s.push_str(&format!("\n{}\n", a.body.trim_end()));
        if !a.files.is_empty() {
            s.push_str("\nFiles\n");
            for f in &a.files {
                s.push_str(&format!(
                    "  {} ({}, {} bytes) {}\n",
                    f.name, f.media_type, f.size, f.sha256
                ));
            }
        }
        if !a.steps.is_empty() {
            s.push_str("\nDiagnosis\n");
            for (i, st) in a.steps.iter().enumerate() {
                s.push_str(&format!("  {}. {}", i + 1, st.instruction));
                if !st.expected.is_empty() {
                    s.push_str(&format!(" → {}", st.expected));
                }
                s.push('\n');
            }
        }
        s
    })
}

fn hits(out: &Printer, hits: &[ArticleHit]) -> Result<()> {
    out.emit(&serde_json::json!({ "hits": hits }), || {
        if hits.is_empty() {
            return "No articles match.\n".into();
        }
        let strip = |h: &str| h.replace("<mark>", "[").replace("</mark>", "]");
        let mut s = String::new();
        for h in hits {
            s.push_str(&format!(
                "{}  {} ({}, {})\n    {}\n",
                &h.id.to_string()[..8],
                strip(&h.title_html),
                h.lang,
                h.status,
                strip(&h.snippet_html)
                    .replace("&amp;", "&")
                    .replace("&lt;", "<")
                    .replace("&gt;", ">")
            ));
        }
        s
    })
}
