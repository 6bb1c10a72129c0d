//! Knowledge articles (spec §3.1, issue 12): Markdown answers in Chinese or English, internal
//! or public, draft → published → archived, optionally with a diagnosis script, votes and
//! the tickets they came from. Every article change is decided here — by the store for a
//! local workspace and for a replica's own edits, and by the server for every push — so one
//! function holds every rule: who writes (staff), what is valid, who sees what.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::Timestamp;
use crate::apply::{Context, bounded_at, check_short, normalise_tags};
use crate::attachment::{FileRef, validate_file};
use crate::error::DomainError;
use crate::op::{Change, Op};
use crate::sync::Stamp;
use crate::ticket::{validate_body, validate_category, validate_title};
use crate::user::User;

/// Most views one change may count.
pub const MAX_VIEWS_PER_OP: u32 = 1000;
/// Most diagnosis steps in one article.
pub const MAX_STEPS: usize = 50;
/// Most files (images) in one article.
pub const MAX_FILES: usize = 30;
/// How an article's body points at one of its files: `![name](attachment:SHA256)`.
pub const FILE_SCHEME: &str = "attachment:";

crate::ticket::vocabulary!(
    /// Who may read an article.
    Audience, "audience", {
        /// Agents and admins only.
        Internal => "internal",
        /// Customers too, once published.
        Public => "public",
    }
);

crate::ticket::vocabulary!(
    /// Where an article is in its life.
    ArticleStatus, "article status", {
        Draft => "draft",
        Published => "published",
        Archived => "archived",
    }
);

crate::ticket::vocabulary!(
    /// The language an article is written in (its translation is another article).
    ArticleLang, "language", {
        Zh => "zh",
        En => "en",
    }
);

/// One step of a diagnosis script: what to do, and what a working system shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct ScriptStep {
    pub instruction: String,
    #[serde(default)]
    pub expected: String,
}

/// One step of a diagnosis script run on a ticket (entity: ticket; staff): recorded on the
/// ticket's timeline (agents only), with what the agent saw.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct DiagnosisStep {
    pub article_id: Uuid,
    /// 1-based.
    pub step: u16,
    pub total: u16,
    pub instruction: String,
    /// Did the system show what the step expects?
    pub as_expected: bool,
    #[serde(default)]
    pub note: Option<String>,
}

impl DiagnosisStep {
    /// Checks the step and returns its audit value (JSON; the UI words it per language).
    pub fn checked(&self) -> Result<String, DomainError> {
        let total = usize::from(self.total);
        if self.step == 0 || self.step > self.total || total > MAX_STEPS {
            return Err(DomainError::invalid(
                "step",
                format!(
                    "step {} of {} is out of range (steps are 1 to {}, at most {MAX_STEPS})",
                    self.step,
                    self.total,
                    self.total.max(1)
                ),
            ));
        }
        let instruction = self.instruction.trim();
        if instruction.is_empty() {
            return Err(DomainError::required(
                "instruction",
                "say which step was run",
            ));
        }
        check_short("instruction", instruction)?;
        let note = self
            .note
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty());
        if let Some(n) = note {
            check_short("note", n)?;
        }
        Ok(serde_json::json!({
            "article_id": self.article_id,
            "step": self.step,
            "total": self.total,
            "instruction": instruction,
            "as_expected": self.as_expected,
            "note": note,
        })
        .to_string())
    }
}

/// One line of an article's history (its audit trail travels with it, staff only).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Revision {
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub at: Timestamp,
    pub actor_id: Option<Uuid>,
    /// `created`, `edited title, body`, `published`, `archived`, `draft`.
    pub what: String,
}

/// An article's state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Article {
    pub id: Uuid,
    pub title: String,
    pub body: String,
    pub category: Option<String>,
    pub tags: Vec<String>,
    pub audience: Audience,
    pub status: ArticleStatus,
    pub lang: ArticleLang,
    /// The same answer in the other language.
    pub translation_of: Option<Uuid>,
    pub steps: Vec<ScriptStep>,
    /// Its files (images in the body); customers may download those of the articles they read.
    #[serde(default)]
    pub files: Vec<FileRef>,
    /// Tickets it was written from (staff only).
    pub tickets: Vec<Uuid>,
    pub helpful: u32,
    pub not_helpful: u32,
    /// How often it was opened (in the app, by anyone who may read it).
    #[serde(default)]
    pub views: u32,
    /// The writer (staff only).
    pub author_id: Option<Uuid>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub published_at: Option<Timestamp>,
    /// Staff only.
    pub history: Vec<Revision>,
}

impl Article {
    /// What a customer may keep of a public, published article: no author, history or
    /// internal ticket references.
    pub fn for_customer(&self) -> Article {
        Article {
            tickets: Vec::new(),
            author_id: None,
            history: Vec::new(),
            ..self.clone()
        }
    }
}

/// May `viewer` read this article? Staff: every one. Customers: public and published.
pub fn article_visible(viewer: &User, a: &Article) -> bool {
    viewer.is_staff() || (a.audience == Audience::Public && a.status == ArticleStatus::Published)
}

/// The article as `viewer` may keep it, or none.
pub fn redact_article(viewer: &User, a: &Article) -> Option<Article> {
    if !article_visible(viewer, a) {
        None
    } else if viewer.is_staff() {
        Some(a.clone())
    } else {
        Some(a.for_customer())
    }
}

/// A new article (entity: article; its id is the article's).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ArticleDraft {
    pub title: String,
    pub body: String,
    #[serde(default)]
    pub category: Option<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    pub audience: Audience,
    pub lang: ArticleLang,
    #[serde(default)]
    pub translation_of: Option<Uuid>,
    #[serde(default)]
    pub steps: Vec<ScriptStep>,
    #[serde(default)]
    pub files: Vec<FileRef>,
    /// The ticket it is written from, if any.
    #[serde(default)]
    pub from_ticket: Option<Uuid>,
    /// Publish at once.
    #[serde(default)]
    pub publish: bool,
}

/// Field edits (last writer wins per field).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct ArticleFields {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// A category; an empty one clears it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audience: Option<Audience>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lang: Option<ArticleLang>,
    /// The article it translates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub translation_of: Option<Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub steps: Option<Vec<ScriptStep>>,
    /// The whole list of files (it replaces the one before).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub files: Option<Vec<FileRef>>,
}

impl ArticleFields {
    /// The names of the fields set.
    pub fn names(&self) -> Vec<&'static str> {
        let mut n = Vec::new();
        macro_rules! name {
            ($($f:ident),+) => { $( if self.$f.is_some() { n.push(stringify!($f)); } )+ };
        }
        name!(
            title,
            body,
            category,
            tags,
            audience,
            lang,
            translation_of,
            steps,
            files
        );
        n
    }

    /// Keeps only the fields named.
    pub fn retain(&mut self, keep: impl Fn(&str) -> bool) {
        macro_rules! drop_unless {
            ($($f:ident),+) => { $( if !keep(stringify!($f)) { self.$f = None; } )+ };
        }
        drop_unless!(
            title,
            body,
            category,
            tags,
            audience,
            lang,
            translation_of,
            steps,
            files
        );
    }
}

/// An article's server document: its state and the clock of each field's last write.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArticleDoc {
    pub article: Article,
    pub clocks: BTreeMap<String, Stamp>,
}

fn forbid(what: &str) -> DomainError {
    DomainError::Forbidden(what.into())
}

fn check_staff(actor: &User) -> Result<(), DomainError> {
    if actor.is_staff() {
        Ok(())
    } else {
        Err(forbid("only agents and admins write knowledge articles"))
    }
}

fn check_steps(steps: &[ScriptStep]) -> Result<Vec<ScriptStep>, DomainError> {
    if steps.len() > MAX_STEPS {
        return Err(DomainError::invalid(
            "steps",
            format!("{} steps given (at most {MAX_STEPS} allowed)", steps.len()),
        ));
    }
    steps
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let instruction = s.instruction.trim();
            if instruction.is_empty() {
                return Err(DomainError::required(
                    "steps",
                    format!("step {} has no instruction", i + 1),
                ));
            }
            check_short("steps", instruction)?;
            check_short("steps", s.expected.trim())?;
            Ok(ScriptStep {
                instruction: instruction.to_string(),
                expected: s.expected.trim().to_string(),
            })
        })
        .collect()
}

/// An article's files: at most [`MAX_FILES`], each a valid file within the workspace's size
/// limit (checked as attachments are), each content once.
pub fn check_files(files: &[FileRef], max_bytes: u64) -> Result<Vec<FileRef>, DomainError> {
    if files.len() > MAX_FILES {
        return Err(DomainError::invalid(
            "files",
            format!(
                "{} files given (at most {MAX_FILES} per article)",
                files.len()
            ),
        ));
    }
    let mut out: Vec<FileRef> = Vec::with_capacity(files.len());
    for f in files {
        let f = validate_file(f, max_bytes)?;
        if !out.iter().any(|o| o.sha256 == f.sha256) {
            out.push(f);
        }
    }
    Ok(out)
}

/// The files `body` shows (`![…](attachment:SHA256)`), in order, each once.
pub fn referenced_files(body: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for (i, _) in body.match_indices(FILE_SCHEME) {
        let rest = &body[i + FILE_SCHEME.len()..];
        let sha: String = rest.chars().take_while(char::is_ascii_hexdigit).collect();
        if sha.len() == 64 {
            let sha = sha.to_ascii_lowercase();
            if !out.contains(&sha) {
                out.push(sha);
            }
        }
    }
    out
}

fn check_category(c: Option<&str>, ctx: &Context<'_>) -> Result<Option<String>, DomainError> {
    match c.map(str::trim).filter(|c| !c.is_empty()) {
        Some(c) => validate_category(c, &ctx.rules.categories).map(Some),
        None => Ok(None),
    }
}

fn check_translation(id: Uuid, of: Option<Uuid>) -> Result<Option<Uuid>, DomainError> {
    if of == Some(id) {
        return Err(DomainError::invalid(
            "translation_of",
            "an article is not its own translation",
        ));
    }
    Ok(of)
}

/// Applies one article change to `current` (none: the article does not exist here). `Ok(None)`:
/// nothing to do (a repeated create, a status already reached, an edit that changes nothing).
pub fn apply_article(
    current: Option<&Article>,
    id: Uuid,
    change: &Change,
    at: Timestamp,
    ctx: &Context<'_>,
) -> Result<Option<Article>, DomainError> {
    let actor = ctx.actor;
    let missing = || DomainError::NotFound(format!("no article {id}"));
    // A customer never learns of an article they may not read.
    let visible = |a: &Article| article_visible(actor, a);
    match change {
        Change::CreateArticle(d) => {
            if current.is_some() {
                return Ok(None);
            }
            check_staff(actor)?;
            let at = bounded_at(at, ctx.now, None);
            let published = d.publish;
            Ok(Some(Article {
                id,
                title: validate_title(&d.title)?,
                body: validate_body("body", &d.body, true)?,
                category: check_category(d.category.as_deref(), ctx)?,
                tags: normalise_tags(&d.tags)?,
                audience: d.audience,
                status: if published {
                    ArticleStatus::Published
                } else {
                    ArticleStatus::Draft
                },
                lang: d.lang,
                translation_of: check_translation(id, d.translation_of)?,
                steps: check_steps(&d.steps)?,
                files: check_files(&d.files, ctx.rules.max_attachment_bytes)?,
                tickets: d.from_ticket.into_iter().collect(),
                helpful: 0,
                not_helpful: 0,
                views: 0,
                author_id: Some(actor.id),
                created_at: at,
                updated_at: at,
                published_at: published.then_some(at),
                history: vec![Revision {
                    at,
                    actor_id: Some(actor.id),
                    what: if published {
                        "created, published".into()
                    } else {
                        "created".into()
                    },
                }],
            }))
        }
        Change::UpdateArticle(f) => {
            let a = current.filter(|a| visible(a)).ok_or_else(missing)?;
            check_staff(actor)?;
            let at = bounded_at(at, ctx.now, Some(a.created_at));
            let mut next = a.clone();
            if let Some(t) = &f.title {
                next.title = validate_title(t)?;
            }
            if let Some(b) = &f.body {
                next.body = validate_body("body", b, true)?;
            }
            if let Some(c) = &f.category {
                next.category = check_category(Some(c.as_str()), ctx)?;
            }
            if let Some(t) = &f.tags {
                next.tags = normalise_tags(t)?;
            }
            if let Some(a) = f.audience {
                next.audience = a;
            }
            if let Some(l) = f.lang {
                next.lang = l;
            }
            if let Some(t) = f.translation_of {
                next.translation_of = check_translation(id, Some(t))?;
            }
            if let Some(s) = &f.steps {
                next.steps = check_steps(s)?;
            }
            if let Some(files) = &f.files {
                next.files = check_files(files, ctx.rules.max_attachment_bytes)?;
            }
            let changed: Vec<&str> = [
                ("title", next.title != a.title),
                ("body", next.body != a.body),
                ("category", next.category != a.category),
                ("tags", next.tags != a.tags),
                ("audience", next.audience != a.audience),
                ("language", next.lang != a.lang),
                ("translation", next.translation_of != a.translation_of),
                ("steps", next.steps != a.steps),
                ("files", next.files != a.files),
            ]
            .into_iter()
            .filter(|(_, c)| *c)
            .map(|(n, _)| n)
            .collect();
            if changed.is_empty() {
                return Ok(None);
            }
            next.updated_at = next.updated_at.max(at);
            next.history.push(Revision {
                at,
                actor_id: Some(actor.id),
                what: format!("edited {}", changed.join(", ")),
            });
            Ok(Some(next))
        }
        Change::SetArticleStatus { to } => {
            let a = current.filter(|a| visible(a)).ok_or_else(missing)?;
            check_staff(actor)?;
            if a.status == *to {
                return Ok(None);
            }
            let at = bounded_at(at, ctx.now, Some(a.created_at));
            let mut next = a.clone();
            next.status = *to;
            if *to == ArticleStatus::Published && next.published_at.is_none() {
                next.published_at = Some(at);
            }
            next.updated_at = next.updated_at.max(at);
            next.history.push(Revision {
                at,
                actor_id: Some(actor.id),
                what: to.to_string(),
            });
            Ok(Some(next))
        }
        Change::VoteArticle { helpful } => {
            let a = current.filter(|a| visible(a)).ok_or_else(missing)?;
            if a.status != ArticleStatus::Published {
                return Err(DomainError::invalid(
                    "vote",
                    "only published articles take votes",
                ));
            }
            let mut next = a.clone();
            if *helpful {
                next.helpful = next.helpful.saturating_add(1);
            } else {
                next.not_helpful = next.not_helpful.saturating_add(1);
            }
            Ok(Some(next))
        }
        Change::CountArticleViews { views } => {
            let a = current.filter(|a| visible(a)).ok_or_else(missing)?;
            if !(1..=MAX_VIEWS_PER_OP).contains(views) {
                return Err(DomainError::invalid(
                    "views",
                    format!("{views} is out of range (1 to {MAX_VIEWS_PER_OP} views per change)"),
                ));
            }
            let mut next = a.clone();
            next.views = next.views.saturating_add(*views);
            Ok(Some(next))
        }
        other => Err(DomainError::invalid(
            "entity",
            format!(
                "a {} change does not apply to an article",
                other.entity().as_str()
            ),
        )),
    }
}

/// Merges one pushed article op into the server's document: the rule above, plus
/// last-writer-wins by (HLC, device) per edited field (a refusal refuses the whole op).
pub fn merge_article(
    doc: Option<&ArticleDoc>,
    op: &Op,
    ctx: &Context<'_>,
) -> Result<Option<ArticleDoc>, DomainError> {
    let stamp = Stamp {
        hlc: op.hlc.clone(),
        device_id: op.device_id,
    };
    let current = doc.map(|d| &d.article);
    let Some(mut next) = apply_article(current, op.entity_id, &op.change, op.at, ctx)? else {
        return Ok(None);
    };
    let mut clocks = doc.map(|d| d.clocks.clone()).unwrap_or_default();
    match &op.change {
        Change::CreateArticle(_) => {
            clocks.insert("created".into(), stamp);
        }
        Change::UpdateArticle(fields) => {
            let won = |name: &str| clocks.get(name).is_none_or(|c| *c < stamp);
            let names = fields.names();
            if !names.iter().all(|n| won(n)) {
                let mut kept = fields.clone();
                kept.retain(won);
                if kept.names().is_empty() {
                    return Ok(None);
                }
                match apply_article(
                    current,
                    op.entity_id,
                    &Change::UpdateArticle(kept),
                    op.at,
                    ctx,
                )? {
                    Some(a) => next = a,
                    None => return Ok(None),
                }
            }
            let winners: Vec<&str> = names.into_iter().filter(|n| won(n)).collect();
            for name in winners {
                clocks.insert(name.to_string(), stamp.clone());
            }
        }
        Change::SetArticleStatus { .. } => {
            if clocks.get("status").is_some_and(|c| *c > stamp) {
                return Ok(None);
            }
            clocks.insert("status".into(), stamp);
        }
        _ => {}
    }
    Ok(Some(ArticleDoc {
        article: next,
        clocks,
    }))
}

/// A draft article from a resolved ticket: its title, and the service report's cause,
/// solution and prevention as the body (the language follows the workspace).
pub fn draft_from_ticket(
    t: &crate::ticket::Ticket,
    lang: ArticleLang,
) -> Result<ArticleDraft, DomainError> {
    let Some(r) = &t.resolution else {
        return Err(DomainError::invalid(
            "ticket",
            format!(
                "{} has no service report yet (resolve it with cause and solution first)",
                crate::ticket::ticket_key(t.number)
            ),
        ));
    };
    let (cause, solution, prevention) = match lang {
        ArticleLang::Zh => ("## 原因", "## 解决方法", "## 预防"),
        ArticleLang::En => ("## Cause", "## Solution", "## Prevention"),
    };
    // An article is read by many (customers too, once public): a customer's phone or ID
    // number in the report does not go into it.
    let mask = crate::privacy::mask_numbers;
    let mut body = format!(
        "{cause}\n\n{}\n\n{solution}\n\n{}\n",
        mask(&r.cause),
        mask(&r.solution)
    );
    if let Some(p) = &r.prevention {
        body.push_str(&format!("\n{prevention}\n\n{}\n", mask(p)));
    }
    Ok(ArticleDraft {
        title: mask(&t.title),
        body,
        category: Some(t.category.clone()),
        tags: t.tags.clone(),
        audience: Audience::Internal,
        lang,
        translation_of: None,
        steps: Vec::new(),
        files: Vec::new(),
        from_ticket: Some(t.id),
        publish: false,
    })
}

#[cfg(test)]
mod tests;
