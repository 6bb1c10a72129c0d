//! `helpdeck workorder ...` (spec §7): field visits on tickets — create, the day's list,
//! checklist, photos, parts, time, sign-off. Every rule is the core's
//! (`helpdeck_core::workorder`); this file reads arguments and prints.

use std::path::PathBuf;

use anyhow::Result;
use clap::{Args, Subcommand};
use helpdeck_core::workorder::{
    Evidence, Missing, Part, TemplateItem, TimeKind, WorkOrder, WorkOrderFields, WorkOrderStatus,
};
use helpdeck_core::workspace::RulesChange;
use helpdeck_store::{Store, WorkOrderInput, WorkOrderView};
use serde_json::json;

use crate::output::Printer;

#[derive(Subcommand, Debug)]
pub enum WorkOrderCommand {
    /// A visit on a ticket: when, where, who, and its checklist.
    Create(CreateArgs),
    /// Work orders, earliest first: all, a ticket's, or your day (--today).
    List {
        /// Only this ticket's.
        #[arg(long)]
        ticket: Option<String>,
        /// Your open visits up to tonight (left-over ones too), with what is still missing.
        #[arg(long)]
        today: bool,
    },
    /// One work order in full.
    Show { reference: String },
    /// Tick checklist item ITEM (its number in `show`), with a reading or a photo.
    Check {
        reference: String,
        item: usize,
        /// The value read on site (for an item that asks for one).
        #[arg(long)]
        reading: Option<String>,
        /// A photo of the item (attached to the ticket; internal unless --public).
        #[arg(long)]
        photo: Vec<PathBuf>,
        /// The photos are for the customer too.
        #[arg(long)]
        public: bool,
        /// Untick the item.
        #[arg(long)]
        undo: bool,
    },
    /// A part used.
    Part {
        reference: String,
        /// The part's code, e.g. BAT-12.
        #[arg(long)]
        part: String,
        #[arg(long)]
        qty: u32,
        /// Its name, for a part not in the catalogue (it then needs no catalogue entry).
        #[arg(long)]
        name: Option<String>,
        /// Its unit, with --name (default: pcs).
        #[arg(long, default_value = "pcs")]
        unit: String,
    },
    /// Travel or work time (never shown to customers).
    Time {
        reference: String,
        /// travel or work.
        #[arg(long)]
        kind: String,
        #[arg(long)]
        minutes: u32,
    },
    /// Start or stop this device's timer on a visit (`start --kind travel|work`, `stop`);
    /// stopping logs the minutes. A timer survives restarts and sleep.
    Timer {
        reference: String,
        /// start or stop.
        action: String,
        /// travel or work (for start).
        #[arg(long, default_value = "work")]
        kind: String,
    },
    /// The customer signs off (the visit is done): their name and the drawn signature.
    Sign {
        reference: String,
        #[arg(long)]
        name: String,
        /// The signature as an image (PNG or JPEG).
        #[arg(long)]
        signature: PathBuf,
    },
    /// The service report as a PDF (in the ticket's language, or --lang), attached to the
    /// ticket on a reply the customer sees, and written to --out.
    Report {
        reference: String,
        #[arg(long)]
        out: PathBuf,
        /// zh or en (default: the ticket's language).
        #[arg(long)]
        lang: Option<String>,
    },
    /// Checklist templates per ticket category (admins): a new work order on a ticket of
    /// that category takes its template's items.
    #[command(subcommand)]
    Template(TemplateCommand),
    /// The parts catalogue (admins): the codes technicians pick used parts by.
    #[command(subcommand)]
    Parts(PartsCommand),
    /// Reschedule, reassign, start, or cancel a visit.
    Update {
        reference: String,
        #[arg(long)]
        start: Option<String>,
        #[arg(long)]
        end: Option<String>,
        #[arg(long)]
        site: Option<String>,
        /// A contact, or `none`.
        #[arg(long)]
        contact: Option<String>,
        /// An agent's email, `me`, or `none`.
        #[arg(long)]
        technician: Option<String>,
        /// scheduled, in_progress or cancelled (done comes with the sign-off).
        #[arg(long)]
        status: Option<String>,
    },
}

#[derive(Subcommand, Debug)]
pub enum TemplateCommand {
    /// Add a template (or replace the one of the same name).
    Add {
        #[arg(long)]
        name: String,
        /// The ticket category it is for (one template per category).
        #[arg(long)]
        category: String,
        /// An item (repeatable; end with [photo] or [reading:UNIT]).
        #[arg(long = "item", value_name = "TEXT", required = true)]
        items: Vec<String>,
    },
    List,
    Remove {
        name: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum PartsCommand {
    /// Add a part (or rename the one with the same code).
    Add {
        #[arg(long)]
        code: String,
        #[arg(long)]
        name: String,
        #[arg(long, default_value = "pcs")]
        unit: String,
    },
    List,
    Remove {
        code: String,
    },
}

#[derive(Args, Debug)]
pub struct CreateArgs {
    /// The ticket (HD-12).
    reference: String,
    /// When the visit starts: 2026-12-06 09:00 (workspace time zone), or RFC 3339.
    #[arg(long)]
    start: String,
    #[arg(long)]
    end: String,
    /// The site's address.
    #[arg(long)]
    site: String,
    /// Whom to meet there (name, phone).
    #[arg(long)]
    contact: Option<String>,
    /// The technician: an agent's email or `me` (default: me).
    #[arg(long, default_value = "me")]
    technician: String,
    /// A checklist item (repeatable). End it with [photo] when it needs a photo, or
    /// [reading:UNIT] when it needs a reading, e.g. "Battery voltage [reading:V]".
    #[arg(long = "item", value_name = "TEXT")]
    items: Vec<String>,
}

pub async fn run(store: &Store, cmd: WorkOrderCommand, out: &Printer) -> Result<()> {
    let orders = store.work_orders();
    match cmd {
        WorkOrderCommand::Create(a) => {
            let checklist = a
                .items
                .iter()
                .map(|i| TemplateItem::parse(i))
                .collect::<Result<Vec<_>, _>>()?;
            let input = WorkOrderInput {
                ticket: a.reference,
                technician: Some(a.technician),
                starts_at: out.parse_time("start", &a.start)?,
                ends_at: out.parse_time("end", &a.end)?,
                site: a.site,
                contact: a.contact,
                checklist,
            };
            let w = orders.create(input).await?;
            show(out, &orders.view(&w.id.to_string()).await?)
        }
        WorkOrderCommand::List { ticket, today } => {
            let list = if today {
                orders.today(store.actor().id, out.tonight()).await?
            } else {
                orders.list(ticket.as_deref()).await?
            };
            out.emit(&json!({ "work_orders": list }), || {
                if list.is_empty() {
                    return if today {
                        "No visits today.\n".to_string()
                    } else {
                        "No work orders yet. Add one: helpdeck workorder create HD-1 --start \"2026-12-06 09:00\" --end \"2026-12-06 11:00\" --site \"…\"\n".to_string()
                    };
                }
                list.iter().map(|v| line(out, v)).collect()
            })
        }
        WorkOrderCommand::Show { reference } => show(out, &orders.view(&reference).await?),
        WorkOrderCommand::Check {
            reference,
            item,
            reading,
            photo,
            public,
            undo,
        } => {
            let files = photo
                .iter()
                .map(|p| Ok(store.files().import_file(p)?))
                .collect::<Result<Vec<_>>>()?;
            let photographed = !files.is_empty();
            for f in files {
                orders.photo(&reference, item, f, public).await?;
            }
            if undo || reading.is_some() || !photographed {
                orders.check(&reference, item, !undo, reading).await?;
            }
            show(out, &orders.view(&reference).await?)
        }
        WorkOrderCommand::Part {
            reference,
            part,
            qty,
            name,
            unit,
        } => {
            let p = match name {
                Some(name) => Part {
                    name,
                    code: part,
                    unit,
                },
                None => orders.catalogue_part(&part).await?,
            };
            orders.use_part(&reference, &p, qty).await?;
            show(out, &orders.view(&reference).await?)
        }
        WorkOrderCommand::Time {
            reference,
            kind,
            minutes,
        } => {
            let kind: TimeKind = kind.parse()?;
            orders.log_time(&reference, kind, minutes).await?;
            show(out, &orders.view(&reference).await?)
        }
        WorkOrderCommand::Timer {
            reference,
            action,
            kind,
        } => {
            let view = match action.as_str() {
                "start" => orders.timer_start(&reference, kind.parse()?).await?,
                "stop" => orders.timer_stop(&reference).await?,
                other => anyhow::bail!("timer: '{other}' is not an action (allowed: start, stop)"),
            };
            show(out, &view)
        }
        WorkOrderCommand::Report {
            reference,
            out: file,
            lang,
        } => {
            let lang = match lang.as_deref() {
                None => None,
                Some("zh") => Some(helpdeck_report::Lang::Zh),
                Some("en") => Some(helpdeck_report::Lang::En),
                Some(other) => {
                    anyhow::bail!("--lang: '{other}' is not a language (allowed: zh, en)")
                }
            };
            if file.is_dir() {
                anyhow::bail!("--out {}: a directory; name the PDF file", file.display());
            }
            let report = helpdeck_report::attach_service_report(store, &reference, lang).await?;
            // Written beside the target first, then renamed: never half a file.
            let partial = file.with_extension("pdf.partial");
            std::fs::write(&partial, &report.pdf)
                .and_then(|()| std::fs::rename(&partial, &file))
                .map_err(|e| anyhow::anyhow!("--out {}: {e}", file.display()))?;
            out.emit(
                &json!({
                    "work_order": report.view.key,
                    "ticket": report.view.ticket,
                    "out": file,
                    "bytes": report.pdf.len(),
                }),
                || {
                    format!(
                        "Wrote the service report of {} to {} ({} KiB) and attached it to {} for the customer.\n",
                        report.view.key,
                        file.display(),
                        report.pdf.len().div_ceil(1024),
                        report.view.ticket
                    )
                },
            )
        }
        WorkOrderCommand::Template(cmd) => {
            use helpdeck_sync::rules as r;
            let rules = match cmd {
                TemplateCommand::Add {
                    name,
                    category,
                    items,
                } => {
                    let template = helpdeck_core::workorder::ChecklistTemplate {
                        name,
                        category,
                        items: items
                            .iter()
                            .map(|i| TemplateItem::parse(i))
                            .collect::<Result<_, _>>()?,
                    };
                    r::change_rules(store, &RulesChange::SaveChecklist { template }).await?
                }
                TemplateCommand::Remove { name } => {
                    r::change_rules(store, &RulesChange::RemoveChecklist { name }).await?
                }
                TemplateCommand::List => store.admin().rules().await?,
            };
            out.emit(&json!({ "templates": rules.checklists }), || {
                rules
                    .checklists
                    .iter()
                    .map(|t| {
                        format!(
                            "{} (category {}): {}\n",
                            t.name,
                            t.category,
                            t.items
                                .iter()
                                .map(|i| i.text.as_str())
                                .collect::<Vec<_>>()
                                .join(" · ")
                        )
                    })
                    .collect()
            })
        }
        WorkOrderCommand::Parts(cmd) => {
            use helpdeck_sync::rules as r;
            let rules = match cmd {
                PartsCommand::Add { code, name, unit } => {
                    r::change_rules(
                        store,
                        &RulesChange::SavePart {
                            part: Part { code, name, unit },
                        },
                    )
                    .await?
                }
                PartsCommand::Remove { code } => {
                    r::change_rules(store, &RulesChange::RemovePart { code }).await?
                }
                PartsCommand::List => store.admin().rules().await?,
            };
            out.emit(&json!({ "parts": rules.parts }), || {
                rules
                    .parts
                    .iter()
                    .map(|p| format!("{}  {} ({})\n", p.code, p.name, p.unit))
                    .collect()
            })
        }
        WorkOrderCommand::Sign {
            reference,
            name,
            signature,
        } => {
            let file = store.files().import_file(&signature)?;
            orders.sign(&reference, &name, file).await?;
            show(out, &orders.view(&reference).await?)
        }
        WorkOrderCommand::Update {
            reference,
            start,
            end,
            site,
            contact,
            technician,
            status,
        } => {
            let technician = match technician {
                None => None,
                Some(t) => Some(orders.technician(&t).await?),
            };
            let fields = WorkOrderFields {
                technician_id: technician,
                starts_at: start.map(|s| out.parse_time("start", &s)).transpose()?,
                ends_at: end.map(|s| out.parse_time("end", &s)).transpose()?,
                site,
                contact: contact.map(|c| (c.trim() != "none").then_some(c)),
                status: status
                    .map(|s| s.replace('-', "_").parse::<WorkOrderStatus>())
                    .transpose()?,
            };
            orders.update(&reference, fields).await?;
            show(out, &orders.view(&reference).await?)
        }
    }
}

fn status_word(s: WorkOrderStatus) -> &'static str {
    match s {
        WorkOrderStatus::Scheduled => "scheduled",
        WorkOrderStatus::InProgress => "in progress",
        WorkOrderStatus::Done => "done",
        WorkOrderStatus::Cancelled => "cancelled",
    }
}

fn missing_text(m: &Missing) -> String {
    match m {
        Missing::Item { text, .. } => format!("tick “{text}”"),
        Missing::Photo { text, .. } => format!("a photo of “{text}”"),
        Missing::Reading { text, unit, .. } => format!("a reading ({unit}) of “{text}”"),
        Missing::WorkTime => "work time".into(),
        Missing::SignOff => "the customer's sign-off".into(),
    }
}

/// One line of a list: time, key, ticket, site, status, what is missing.
fn line(out: &Printer, v: &WorkOrderView) -> String {
    let w = &v.work_order;
    let missing = if w.status == WorkOrderStatus::Done {
        String::new()
    } else {
        format!(" · missing {}", v.missing.len())
    };
    format!(
        "{}–{}  {}  {} {}  @ {}  [{}]{missing}\n",
        out.time(w.starts_at),
        out.clock(w.ends_at),
        v.key,
        v.ticket,
        v.ticket_title,
        w.site,
        status_word(w.status),
    )
}

fn show(out: &Printer, v: &WorkOrderView) -> Result<()> {
    out.emit(v, || detail(out, v))
}

fn detail(out: &Printer, v: &WorkOrderView) -> String {
    let w: &WorkOrder = &v.work_order;
    let mut s = format!(
        "{}  {} {}  [{}]\nWhen: {}–{}\nSite: {}\n",
        v.key,
        v.ticket,
        v.ticket_title,
        status_word(w.status),
        out.time(w.starts_at),
        out.clock(w.ends_at),
        w.site,
    );
    if let Some(c) = &w.contact {
        s.push_str(&format!("Contact: {c}\n"));
    }
    if let Some(t) = &v.technician_name {
        s.push_str(&format!("Technician: {t}\n"));
    }
    if !w.checklist.is_empty() {
        s.push_str("Checklist:\n");
        for (i, item) in w.checklist.iter().enumerate() {
            let mut extra = Vec::new();
            if let Some(r) = &item.reading {
                let unit = match &item.evidence {
                    Evidence::Reading { unit } => unit.as_str(),
                    _ => "",
                };
                extra.push(format!("reading {r} {unit}").trim_end().to_string());
            }
            if !item.photos.is_empty() {
                extra.push(format!("{} photo(s)", item.photos.len()));
            }
            let need = match &item.evidence {
                Evidence::Photo => " (needs a photo)",
                Evidence::Reading { .. } => " (needs a reading)",
                Evidence::None => "",
            };
            s.push_str(&format!(
                "  {}. [{}] {}{need}{}\n",
                i + 1,
                if item.done { "x" } else { " " },
                item.text,
                if extra.is_empty() {
                    String::new()
                } else {
                    format!(" — {}", extra.join(", "))
                }
            ));
        }
    }
    if !w.parts.is_empty() {
        s.push_str("Parts:\n");
        for p in &w.parts {
            s.push_str(&format!(
                "  {} {} {} ({})\n",
                p.quantity, p.unit, p.name, p.code
            ));
        }
    }
    if let Some(t) = &v.timer {
        s.push_str(&format!(
            "Timer: {} since {}\n",
            t.kind,
            out.time(t.started_at)
        ));
    }
    let (travel, work) = (w.minutes(TimeKind::Travel), w.minutes(TimeKind::Work));
    if travel + work > 0 {
        s.push_str(&format!("Time: travel {travel} min, work {work} min\n"));
    }
    match &w.signoff {
        Some(so) => s.push_str(&format!(
            "Signed off by {} at {}\n",
            so.signer,
            out.time(so.at)
        )),
        None if !v.missing.is_empty() && w.status != WorkOrderStatus::Cancelled => {
            s.push_str(&format!(
                "Missing: {}\n",
                v.missing
                    .iter()
                    .map(missing_text)
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        None => {}
    }
    s
}
