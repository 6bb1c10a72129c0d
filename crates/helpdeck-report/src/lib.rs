//! Service reports (issue 15; seed 002: cause, solution, prevention): a work order's visit as
//! a PDF in the ticket's language — the ticket and its resolution, the checklist with its
//! readings, the parts, the time on site, the photos the customer may see and the signature.
//! Made offline on the technician's laptop with [krilla] (fonts subset into the file), in a
//! system font that has Chinese (Noto Sans CJK, Source Han Sans, Microsoft YaHei, PingFang…)
//! or the font file `HELPDECK_REPORT_FONT` names.

pub mod dashboard;

use std::sync::Arc;

use helpdeck_core::Timestamp;
use helpdeck_core::workorder::{Evidence, TimeKind, WorkOrder};
use krilla::Document;
use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point, Size, Transform};
use krilla::image::Image;
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::surface::Surface;
use krilla::text::{Font, TextDirection};

/// Why a report could not be made.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error(
        "no font with Chinese characters was found for the service report; install one (Debian: apt-get install fonts-noto-cjk) or name a .ttf/.otf/.ttc file in HELPDECK_REPORT_FONT"
    )]
    NoFont,
    #[error("the font {0} cannot be read: {1}")]
    BadFont(String, String),
    #[error("the PDF could not be written: {0}")]
    Pdf(String),
}

/// The report's language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    En,
    Zh,
}

/// The ticket's resolution as the report prints it.
#[derive(Debug, Clone, Default)]
pub struct ResolutionText {
    pub cause: String,
    pub solution: String,
    pub prevention: String,
}

/// An image in the report: what it shows and its bytes (PNG, JPEG, GIF, WebP or BMP).
#[derive(Debug, Clone)]
pub struct Picture {
    pub caption: String,
    pub bytes: Vec<u8>,
}

/// Everything a service report shows. The caller decides what goes in: only what the
/// customer may see (public photos), since the report is attached for them.
#[derive(Debug, Clone)]
pub struct ReportInput {
    pub lang: Lang,
    /// IANA zone the times are printed in.
    pub timezone: String,
    pub workspace_name: String,
    pub ticket_number: String,
    pub ticket_title: String,
    pub requester: Option<String>,
    pub organization: Option<String>,
    pub key: String,
    pub work_order: WorkOrder,
    pub technician: Option<String>,
    pub resolution: Option<ResolutionText>,
    pub photos: Vec<Picture>,
    pub signature: Option<Vec<u8>>,
    pub generated_at: Timestamp,
}

/// A font for reports: its bytes and its index in a collection.
#[derive(Clone)]
pub struct ReportFont {
    data: Arc<Vec<u8>>,
    index: u32,
    name: String,
}

/// Families tried, in order, for a font that has Chinese and Latin.
const FAMILIES: &[&str] = &[
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "Noto Sans SC",
    "Microsoft YaHei",
    "PingFang SC",
    "WenQuanYi Micro Hei",
    "Droid Sans Fallback",
    "SimSun",
];

impl ReportFont {
    /// The font of `HELPDECK_REPORT_FONT`, else the first system font with Chinese.
    pub fn find() -> Result<ReportFont, ReportError> {
        if let Ok(path) = std::env::var("HELPDECK_REPORT_FONT")
            && !path.trim().is_empty()
        {
            let data = std::fs::read(&path)
                .map_err(|e| ReportError::BadFont(path.clone(), e.to_string()))?;
            return ReportFont::from_bytes(data, 0, &path);
        }
        let mut db = fontdb::Database::new();
        db.load_system_fonts();
        for family in FAMILIES {
            let query = fontdb::Query {
                families: &[fontdb::Family::Name(family)],
                ..fontdb::Query::default()
            };
            if let Some(id) = db.query(&query)
                && let Some(Ok(font)) = db.with_face_data(id, |data, index| {
                    ReportFont::from_bytes(data.to_vec(), index, family)
                })
            {
                return Ok(font);
            }
        }
        // Any face that draws 中 and 文.
        for face in db.faces() {
            if let Some(Ok(font)) = db.with_face_data(face.id, |data, index| {
                let ok = ttf_parser::Face::parse(data, index)
                    .is_ok_and(|f| f.glyph_index('中').is_some() && f.glyph_index('文').is_some());
                if ok {
                    ReportFont::from_bytes(data.to_vec(), index, &face.post_script_name)
                } else {
                    Err(ReportError::NoFont)
                }
            }) {
                return Ok(font);
            }
        }
        Err(ReportError::NoFont)
    }

    fn from_bytes(data: Vec<u8>, index: u32, name: &str) -> Result<ReportFont, ReportError> {
        let face = ttf_parser::Face::parse(&data, index)
            .map_err(|e| ReportError::BadFont(name.to_string(), e.to_string()))?;
        if face.glyph_index('中').is_none() {
            return Err(ReportError::BadFont(
                name.to_string(),
                "it has no Chinese characters".into(),
            ));
        }
        Ok(ReportFont {
            data: Arc::new(data),
            index,
            name: name.to_string(),
        })
    }

    /// The font's name (family or file).
    pub fn name(&self) -> &str {
        &self.name
    }
}

/// The words of the report in its language.
struct Words {
    title: &'static str,
    ticket: &'static str,
    customer: &'static str,
    site: &'static str,
    contact: &'static str,
    technician: &'static str,
    window: &'static str,
    resolution: &'static str,
    cause: &'static str,
    solution: &'static str,
    prevention: &'static str,
    checklist: &'static str,
    done: &'static str,
    not_done: &'static str,
    reading: &'static str,
    parts: &'static str,
    no_parts: &'static str,
    time: &'static str,
    travel: &'static str,
    work: &'static str,
    minutes: &'static str,
    photos: &'static str,
    signoff: &'static str,
    signed_by: &'static str,
    not_signed: &'static str,
    generated: &'static str,
    page: &'static str,
}

const EN: Words = Words {
    title: "Service report",
    ticket: "Ticket",
    customer: "Customer",
    site: "Site",
    contact: "Contact",
    technician: "Technician",
    window: "Visit",
    resolution: "Resolution",
    cause: "Cause",
    solution: "Solution",
    prevention: "Prevention advice",
    checklist: "Checklist",
    done: "Done",
    not_done: "Not done",
    reading: "reading",
    parts: "Parts used",
    no_parts: "No parts used.",
    time: "Time on site",
    travel: "Travel",
    work: "Work",
    minutes: "min",
    photos: "Photos",
    signoff: "Customer sign-off",
    signed_by: "Signed by",
    not_signed: "Not signed yet.",
    generated: "Made by Helpdeck",
    page: "Page {n} of {count}",
};

const ZH: Words = Words {
    title: "服务报告",
    ticket: "工单",
    customer: "客户",
    site: "服务地点",
    contact: "联系人",
    technician: "工程师",
    window: "上门时间",
    resolution: "处理结果",
    cause: "故障原因",
    solution: "解决方法",
    prevention: "预防建议",
    checklist: "检查清单",
    done: "已完成",
    not_done: "未完成",
    reading: "读数",
    parts: "使用备件",
    no_parts: "未使用备件。",
    time: "现场工时",
    travel: "路途",
    work: "作业",
    minutes: "分钟",
    photos: "现场照片",
    signoff: "客户签字确认",
    signed_by: "签字人",
    not_signed: "尚未签字。",
    generated: "由 Helpdeck 生成",
    page: "第 {n} 页，共 {count} 页",
};

const PAGE_W: f32 = 595.0;
const PAGE_H: f32 = 842.0;
const MARGIN: f32 = 50.0;
const BOTTOM: f32 = PAGE_H - 60.0;

/// Lays text out on pages, top to bottom.
struct Writer<'a> {
    doc: &'a mut Document,
    font: Font,
    face: ttf_parser::Face<'a>,
    pages: Vec<Vec<Op>>,
    y: f32,
}

/// What a page holds, drawn when the document is written.
enum Op {
    Text {
        x: f32,
        y: f32,
        size: f32,
        text: String,
        gray: u8,
    },
    Rule {
        y: f32,
    },
    Image {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        image: Image,
    },
}

impl<'a> Writer<'a> {
    fn width(&self, text: &str, size: f32) -> f32 {
        let upem = f32::from(self.face.units_per_em());
        text.chars()
            .map(|c| {
                self.face
                    .glyph_index(c)
                    .and_then(|g| self.face.glyph_hor_advance(g))
                    .map_or(size * 0.6, |a| f32::from(a) / upem * size)
            })
            .sum()
    }

    /// Breaks `text` into lines of at most `max` points (at spaces, or anywhere in CJK).
    fn wrap(&self, text: &str, size: f32, max: f32) -> Vec<String> {
        let mut out = Vec::new();
        for para in text.lines() {
            let mut line = String::new();
            let mut last_space: Option<usize> = None;
            for c in para.chars() {
                line.push(c);
                if c == ' ' {
                    last_space = Some(line.len());
                }
                if self.width(&line, size) > max {
                    match last_space {
                        Some(i) if i < line.len() && !is_cjk(c) => {
                            let rest = line.split_off(i);
                            out.push(line.trim_end().to_string());
                            line = rest;
                        }
                        _ => {
                            let c = line.pop().unwrap_or(' ');
                            out.push(line.trim_end().to_string());
                            line = c.to_string();
                        }
                    }
                    last_space = None;
                }
            }
            out.push(line);
        }
        if out.is_empty() {
            out.push(String::new());
        }
        out
    }

    fn ensure(&mut self, height: f32) {
        if self.y + height > BOTTOM {
            self.pages.push(Vec::new());
            self.y = MARGIN;
        }
    }

    fn push(&mut self, op: Op) {
        self.pages.last_mut().expect("a page").push(op);
    }

    fn text(&mut self, x: f32, size: f32, gray: u8, text: &str) {
        let max = PAGE_W - MARGIN - x;
        for line in self.wrap(text, size, max) {
            self.ensure(size * 1.5);
            self.y += size * 1.25;
            self.push(Op::Text {
                x,
                y: self.y,
                size,
                text: line,
                gray,
            });
            self.y += size * 0.3;
        }
    }

    fn heading(&mut self, text: &str) {
        self.ensure(40.0);
        self.y += 12.0;
        self.text(MARGIN, 13.0, 0, text);
        self.push(Op::Rule { y: self.y + 2.0 });
        self.y += 6.0;
    }

    /// A label and its value on one line (the value wraps under itself).
    fn fact(&mut self, label: &str, value: &str) {
        let top = self.y;
        self.text(MARGIN, 10.0, 110, label);
        let after_label = self.y;
        self.y = top;
        self.text(MARGIN + 90.0, 10.0, 0, value);
        self.y = self.y.max(after_label);
    }

    fn image(&mut self, bytes: &[u8], max_w: f32, max_h: f32) -> bool {
        let Some((image, w, h)) = picture(bytes) else {
            return false;
        };
        let scale = (max_w / w).min(max_h / h).min(1.0);
        let (w, h) = (w * scale, h * scale);
        self.ensure(h + 8.0);
        self.y += 4.0;
        self.push(Op::Image {
            x: MARGIN,
            y: self.y,
            w,
            h,
            image,
        });
        self.y += h + 4.0;
        true
    }

    fn finish(self, words: &Words) {
        let count = self.pages.len();
        for (i, ops) in self.pages.into_iter().enumerate() {
            let settings = PageSettings::from_wh(PAGE_W, PAGE_H).expect("A4");
            let mut page = self.doc.start_page_with(settings);
            let mut surface = page.surface();
            for op in ops {
                draw(&mut surface, &self.font, op);
            }
            let footer = format!(
                "{}  ·  {}",
                words.generated,
                words
                    .page
                    .replace("{n}", &(i + 1).to_string())
                    .replace("{count}", &count.to_string())
            );
            draw(
                &mut surface,
                &self.font,
                Op::Text {
                    x: MARGIN,
                    y: PAGE_H - 30.0,
                    size: 8.0,
                    text: footer,
                    gray: 130,
                },
            );
            surface.finish();
            page.finish();
        }
    }
}

fn draw(surface: &mut Surface<'_>, font: &Font, op: Op) {
    match op {
        Op::Text {
            x,
            y,
            size,
            text,
            gray,
        } => {
            surface.set_fill(Some(Fill {
                paint: rgb::Color::new(gray, gray, gray).into(),
                ..Default::default()
            }));
            surface.draw_text(
                Point::from_xy(x, y),
                font.clone(),
                size,
                &text,
                false,
                TextDirection::Auto,
            );
        }
        Op::Rule { y } => {
            let mut pb = PathBuilder::new();
            pb.move_to(MARGIN, y);
            pb.line_to(PAGE_W - MARGIN, y);
            if let Some(path) = pb.finish() {
                surface.set_fill(None);
                surface.set_stroke(Some(Stroke {
                    paint: rgb::Color::new(200, 200, 200).into(),
                    width: 0.7,
                    ..Default::default()
                }));
                surface.draw_path(&path);
                surface.set_stroke(None);
            }
        }
        Op::Image { x, y, w, h, image } => {
            surface.push_transform(&Transform::from_translate(x, y));
            if let Some(size) = Size::from_wh(w, h) {
                surface.draw_image(image, size);
            }
            surface.pop();
        }
    }
}

fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x2E80..=0x9FFF | 0xF900..=0xFAFF | 0xFF00..=0xFFEF)
}

/// An image for the PDF: decoded whatever its format, at most 1600 px on its long side,
/// as JPEG (photos) or PNG (with transparency, such as a signature).
fn picture(bytes: &[u8]) -> Option<(Image, f32, f32)> {
    let img = image::load_from_memory(bytes).ok()?;
    let img = if img.width().max(img.height()) > 1600 {
        img.resize(1600, 1600, image::imageops::FilterType::Triangle)
    } else {
        img
    };
    let (w, h) = (img.width() as f32, img.height() as f32);
    let mut out = std::io::Cursor::new(Vec::new());
    let image = if img.color().has_alpha() {
        img.write_to(&mut out, image::ImageFormat::Png).ok()?;
        Image::from_png(out.into_inner().into(), true).ok()?
    } else {
        img.to_rgb8()
            .write_to(&mut out, image::ImageFormat::Jpeg)
            .ok()?;
        Image::from_jpeg(out.into_inner().into(), true).ok()?
    };
    // Points: 72 per inch at 144 dpi keeps photos a sensible size on the page.
    Some((image, w / 2.0, h / 2.0))
}

fn time_text(at: Timestamp, tz: &jiff::tz::TimeZone) -> String {
    tz.to_datetime(at).strftime("%Y-%m-%d %H:%M").to_string()
}

/// The report as PDF bytes.
pub fn render(input: &ReportInput, font: &ReportFont) -> Result<Vec<u8>, ReportError> {
    let words = match input.lang {
        Lang::En => &EN,
        Lang::Zh => &ZH,
    };
    let tz = jiff::tz::TimeZone::get(&input.timezone).unwrap_or(jiff::tz::TimeZone::UTC);
    let face = ttf_parser::Face::parse(&font.data, font.index)
        .map_err(|e| ReportError::BadFont(font.name.clone(), e.to_string()))?;
    let kfont = Font::new(font.data.clone().into(), font.index)
        .ok_or_else(|| ReportError::BadFont(font.name.clone(), "krilla cannot read it".into()))?;
    let mut doc = Document::new();
    let w = &input.work_order;
    {
        let mut out = Writer {
            doc: &mut doc,
            font: kfont,
            face,
            pages: vec![Vec::new()],
            y: MARGIN,
        };
        out.text(MARGIN, 9.0, 110, &input.workspace_name);
        out.text(MARGIN, 20.0, 0, words.title);
        out.text(
            MARGIN,
            10.0,
            110,
            &format!("{} · {}", input.key, time_text(input.generated_at, &tz)),
        );
        out.y += 8.0;
        out.push(Op::Rule { y: out.y });
        out.y += 4.0;
        out.fact(
            words.ticket,
            &format!("{}  {}", input.ticket_number, input.ticket_title),
        );
        let customer = [input.requester.as_deref(), input.organization.as_deref()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" · ");
        if !customer.is_empty() {
            out.fact(words.customer, &customer);
        }
        out.fact(words.site, &w.site);
        if let Some(c) = &w.contact {
            out.fact(words.contact, c);
        }
        if let Some(t) = &input.technician {
            out.fact(words.technician, t);
        }
        out.fact(
            words.window,
            &format!(
                "{} – {}",
                time_text(w.starts_at, &tz),
                tz.to_datetime(w.ends_at).strftime("%H:%M")
            ),
        );

        if let Some(r) = &input.resolution {
            out.heading(words.resolution);
            for (label, text) in [
                (words.cause, &r.cause),
                (words.solution, &r.solution),
                (words.prevention, &r.prevention),
            ] {
                if !text.trim().is_empty() {
                    out.fact(label, text);
                }
            }
        }

        if !w.checklist.is_empty() {
            out.heading(words.checklist);
            for (i, item) in w.checklist.iter().enumerate() {
                let mut line = format!(
                    "{}. [{}] {}",
                    i + 1,
                    if item.done {
                        words.done
                    } else {
                        words.not_done
                    },
                    item.text
                );
                if let Some(r) = &item.reading {
                    let unit = match &item.evidence {
                        Evidence::Reading { unit } => unit.as_str(),
                        _ => "",
                    };
                    line.push_str(&format!(" — {} {r} {unit}", words.reading));
                }
                out.text(MARGIN, 10.0, 0, line.trim_end());
            }
        }

        out.heading(words.parts);
        if w.parts.is_empty() {
            out.text(MARGIN, 10.0, 110, words.no_parts);
        }
        for p in &w.parts {
            out.text(
                MARGIN,
                10.0,
                0,
                &format!("{} {}  {}  ({})", p.quantity, p.unit, p.name, p.code),
            );
        }

        out.heading(words.time);
        out.text(
            MARGIN,
            10.0,
            0,
            &format!(
                "{} {} {}   ·   {} {} {}",
                words.travel,
                w.minutes(TimeKind::Travel),
                words.minutes,
                words.work,
                w.minutes(TimeKind::Work),
                words.minutes
            ),
        );

        if !input.photos.is_empty() {
            out.heading(words.photos);
            for p in &input.photos {
                if out.image(&p.bytes, PAGE_W - 2.0 * MARGIN, 260.0) {
                    out.text(MARGIN, 9.0, 110, &p.caption);
                }
            }
        }

        out.heading(words.signoff);
        match &w.signoff {
            Some(s) => {
                if let Some(sig) = &input.signature {
                    out.image(sig, 220.0, 90.0);
                }
                out.fact(
                    words.signed_by,
                    &format!("{}  ·  {}", s.signer, time_text(s.at, &tz)),
                );
            }
            None => out.text(MARGIN, 10.0, 110, words.not_signed),
        }
        out.finish(words);
    }
    doc.finish().map_err(|e| ReportError::Pdf(format!("{e:?}")))
}

/// The language a ticket is written in: Chinese when its title or description has Chinese.
pub fn ticket_lang(title: &str, description: &str) -> Lang {
    if title.chars().chain(description.chars()).any(is_cjk) {
        Lang::Zh
    } else {
        Lang::En
    }
}

/// A work order's service report from the workspace, in the ticket's language (or `lang`):
/// only what the customer may see — photos on public replies, the signature.
pub async fn service_report(
    store: &helpdeck_store::Store,
    reference: &str,
    lang: Option<Lang>,
) -> Result<ServiceReport, helpdeck_store::StoreError> {
    use helpdeck_core::record::Visibility;
    let view = store.work_orders().view(reference).await?;
    let detail = store
        .tickets()
        .ticket(&view.work_order.ticket_id.to_string())
        .await?;
    let public: std::collections::HashSet<helpdeck_core::Uuid> = detail
        .comments
        .iter()
        .filter(|c| c.visibility == Visibility::Public)
        .map(|c| c.id)
        .collect();
    let mut photos = Vec::new();
    for item in &view.work_order.checklist {
        for id in &item.photos {
            let Some(a) = detail.attachments.iter().find(|a| a.id == *id) else {
                continue;
            };
            if !a.comment_id.is_some_and(|c| public.contains(&c)) {
                continue; // internal: never in a document for the customer
            }
            if let Ok(bytes) = store.files().read_blob(&a.sha256) {
                photos.push(Picture {
                    caption: item.text.clone(),
                    bytes,
                });
            }
        }
    }
    let signature = view
        .work_order
        .signoff
        .as_ref()
        .and_then(|s| store.files().read_blob(&s.signature_sha256).ok());
    let t = &detail.ticket;
    let lang = lang.unwrap_or_else(|| ticket_lang(&t.title, &detail.description));
    let input = ReportInput {
        lang,
        timezone: store.workspace().timezone.clone(),
        workspace_name: store.workspace().name.clone(),
        ticket_number: t.number.clone(),
        ticket_title: t.title.clone(),
        requester: t.requester.as_ref().map(|r| r.name.clone()),
        organization: t.organization.clone(),
        key: view.key.clone(),
        work_order: view.work_order.clone(),
        technician: view.technician_name.clone(),
        resolution: detail.resolution.as_ref().map(|r| ResolutionText {
            cause: r.cause.clone(),
            solution: r.solution.clone(),
            prevention: r.prevention.clone().unwrap_or_default(),
        }),
        photos,
        signature,
        generated_at: Timestamp::now(),
    };
    let font = ReportFont::find()
        .map_err(|e| helpdeck_core::DomainError::invalid("report", e.to_string()))?;
    let pdf = render(&input, &font)
        .map_err(|e| helpdeck_core::DomainError::invalid("report", e.to_string()))?;
    Ok(ServiceReport { view, pdf, lang })
}

/// A service report made from the workspace.
pub struct ServiceReport {
    pub view: helpdeck_store::WorkOrderView,
    pub pdf: Vec<u8>,
    pub lang: Lang,
}

/// Makes the report and attaches it to the ticket on a reply the customer sees; returns
/// the PDF.
pub async fn attach_service_report(
    store: &helpdeck_store::Store,
    reference: &str,
    lang: Option<Lang>,
) -> Result<ServiceReport, helpdeck_store::StoreError> {
    let report = service_report(store, reference, lang).await?;
    let (view, pdf) = (&report.view, &report.pdf);
    let zh = report.lang == Lang::Zh;
    let name = format!(
        "{}-{}.pdf",
        if zh { "服务报告" } else { "service-report" },
        view.key
    );
    let file = store.files().import_bytes(&name, pdf)?;
    let body = if zh {
        format!("📄 {} 的服务报告", view.key)
    } else {
        format!("📄 Service report of {}", view.key)
    };
    store
        .tickets()
        .comment(
            &view.work_order.ticket_id.to_string(),
            &body,
            helpdeck_core::record::Visibility::Public,
            std::slice::from_ref(&file),
        )
        .await?;
    Ok(report)
}
