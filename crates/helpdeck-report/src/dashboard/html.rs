//! The printable service report (issue 16): `helpdeck report --format html` and the app's
//! Reports view write one self-contained, print-ready HTML page (A4, no scripts, no outside
//! files) in the workspace's language — the period's figures beside the previous period's and the targets, the daily
//! volume drawn as bars, SLA outcomes, and the teams, agents and breakdown tables.

use helpdeck_core::report::{Dashboard, Figures, GroupRow};

/// A share as people read it (`63.6%`, — for none).
fn pct(v: Option<f64>) -> String {
    v.map(|v| format!("{:.1}%", v * 100.0))
        .unwrap_or_else(|| "—".into())
}

/// Labels in the two languages.
struct Words {
    title: &'static str,
    period: &'static str,
    previous: &'static str,
    this_period: &'static str,
    target: &'static str,
    figure: &'static str,
    daily: &'static str,
    day: &'static str,
    created: &'static str,
    resolved: &'static str,
    sla: &'static str,
    priority: &'static str,
    target_kind: &'static str,
    met: &'static str,
    missed: &'static str,
    breached: &'static str,
    compliance: &'static str,
    teams: &'static str,
    agents: &'static str,
    breakdown: &'static str,
    backlog: &'static str,
    resolution: &'static str,
    csat: &'static str,
    none: &'static str,
    generated: &'static str,
    formulas: &'static str,
    figures: [&'static str; 16],
    first_response: &'static str,
    resolution_target: &'static str,
}

const ZH: Words = Words {
    title: "服务报告",
    period: "统计期间",
    previous: "上期",
    this_period: "本期",
    target: "目标",
    figure: "指标",
    daily: "每日新建与解决",
    day: "日期",
    created: "新建",
    resolved: "已解决",
    sla: "SLA 目标",
    priority: "优先级",
    target_kind: "目标",
    met: "达成",
    missed: "超时完成",
    breached: "已违约",
    compliance: "达成率",
    teams: "按团队",
    agents: "按客服",
    breakdown: "明细",
    backlog: "积压",
    resolution: "解决时长（中位数）",
    csat: "平均评分",
    none: "（无）",
    generated: "生成于",
    formulas: "各指标的计算方法见 docs/metrics.md。",
    figures: [
        "新建",
        "已解决",
        "合并的重复工单",
        "期末积压",
        "积压账龄（中位数）",
        "首次响应（中位数）",
        "首次响应（P90）",
        "首次响应·工作时间（中位数）",
        "解决时长（中位数）",
        "解决时长·工作时间（中位数）",
        "SLA 达成率",
        "响应延迟率",
        "一次解决率",
        "一线解决占比",
        "重开率",
        "满意度（4–5 分）",
    ],
    first_response: "首次响应",
    resolution_target: "解决",
};

const EN: Words = Words {
    title: "Service report",
    period: "Period",
    previous: "Previous",
    this_period: "This period",
    target: "Target",
    figure: "Figure",
    daily: "Created and resolved per day",
    day: "Day",
    created: "Created",
    resolved: "Resolved",
    sla: "SLA targets",
    priority: "Priority",
    target_kind: "Target",
    met: "Met",
    missed: "Missed",
    breached: "Breached",
    compliance: "Compliance",
    teams: "By team",
    agents: "By agent",
    breakdown: "Breakdown",
    backlog: "Backlog",
    resolution: "Resolution (median)",
    csat: "CSAT (avg)",
    none: "(none)",
    generated: "Generated",
    formulas: "How each figure is computed: docs/metrics.md.",
    figures: [
        "Created",
        "Resolved",
        "Merged duplicates",
        "Backlog at the end",
        "Backlog age (median)",
        "First response (median)",
        "First response (p90)",
        "First response, business time (median)",
        "Resolution (median)",
        "Resolution, business time (median)",
        "SLA compliance",
        "Response-delay rate",
        "First-contact resolution",
        "Solved at L1",
        "Reopen rate",
        "Satisfied (4–5)",
    ],
    first_response: "First response",
    resolution_target: "Resolution",
};

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn dur(v: Option<i64>, zh: bool) -> String {
    let Some(s) = v else { return "—".into() };
    let m = s / 60;
    let (d, h, mi) = (m / (24 * 60), (m / 60) % 24, m % 60);
    match (zh, d, h) {
        (true, 0, 0) => format!("{mi} 分"),
        (true, 0, _) => format!("{h} 小时 {mi} 分"),
        (true, _, _) => format!("{d} 天 {h} 小时"),
        (false, 0, 0) => format!("{mi}m"),
        (false, 0, _) => format!("{h}h {mi:02}m"),
        (false, _, _) => format!("{d}d {h}h"),
    }
}

/// (label, this period, previous, target) of each headline figure.
fn rows(w: &Words, c: &Figures, p: &Figures, d: &Dashboard, zh: bool) -> Vec<[String; 4]> {
    let t = &d.targets;
    let f = |x: &Figures| -> [String; 16] {
        [
            x.created.to_string(),
            x.resolved.to_string(),
            x.duplicates.to_string(),
            x.backlog.to_string(),
            dur(x.backlog_median_age_secs, zh),
            dur(x.first_response.median_secs, zh),
            dur(x.first_response.p90_secs, zh),
            dur(x.first_response.business_median_secs, zh),
            dur(x.resolution.median_secs, zh),
            dur(x.resolution.business_median_secs, zh),
            pct(x.sla_compliance),
            pct(x.response_delay_rate),
            pct(x.first_contact_resolution),
            pct(x.l1_share),
            pct(x.reopen_rate),
            pct(x.csat_satisfied),
        ]
    };
    let targets: [String; 16] = [
        String::new(),
        String::new(),
        String::new(),
        String::new(),
        String::new(),
        format!("≤ {}", dur(Some(t.first_response_secs), zh)),
        String::new(),
        String::new(),
        String::new(),
        String::new(),
        String::new(),
        format!("< {}", pct(Some(t.response_delay_rate))),
        format!("≥ {}", pct(Some(t.first_contact_resolution))),
        format!("≥ {}", pct(Some(t.l1_share))),
        String::new(),
        format!("≥ {}", pct(Some(t.csat_satisfied))),
    ];
    let (cur, prev) = (f(c), f(p));
    (0..16)
        .map(|i| {
            [
                w.figures[i].to_string(),
                cur[i].clone(),
                prev[i].clone(),
                targets[i].clone(),
            ]
        })
        .collect()
}

fn group_table(out: &mut String, w: &Words, title: &str, rows: &[GroupRow], zh: bool) {
    if rows.is_empty() {
        return;
    }
    out.push_str(&format!(
        "<h2>{}</h2><table><thead><tr><th></th><th class=n>{}</th><th class=n>{}</th><th class=n>{}</th><th class=n>{}</th><th class=n>{}</th><th class=n>{}</th></tr></thead><tbody>",
        esc(title), w.created, w.resolved, w.backlog, w.resolution, w.compliance, w.csat
    ));
    for g in rows {
        let name = if g.key.is_empty() {
            w.none.to_string()
        } else {
            g.label.clone()
        };
        out.push_str(&format!(
            "<tr><th>{}</th><td class=n>{}</td><td class=n>{}</td><td class=n>{}</td><td class=n>{}</td><td class=n>{}</td><td class=n>{}</td></tr>",
            esc(&name),
            g.created,
            g.resolved,
            g.backlog,
            dur(g.resolution_median_secs, zh),
            pct(g.sla_compliance),
            g.csat_average.map(|v| format!("{v:.2}")).unwrap_or_else(|| "—".into())
        ));
    }
    out.push_str("</tbody></table>");
}

/// The page. `zh`: Chinese labels (the workspace's language); `range`: the period as people
/// read it; `workspace`: the desk's name.
pub fn page(
    d: &Dashboard,
    zh: bool,
    workspace: &str,
    range: (&str, &str),
    prev: (&str, &str),
    now: &str,
) -> String {
    let w = if zh { &ZH } else { &EN };
    let mut o = String::new();
    o.push_str(&format!(
        "<!doctype html><html lang={}><head><meta charset=utf-8><title>{} — {}</title><style>{}</style></head><body>",
        if zh { "zh-CN" } else { "en" },
        esc(workspace),
        w.title,
        CSS
    ));
    o.push_str(&format!(
        "<header><h1>{} · {}</h1><p>{}: {} – {} ({}) · {}: {} – {} · {} {}</p></header>",
        esc(workspace),
        w.title,
        w.period,
        range.0,
        range.1,
        esc(&d.time_zone),
        w.previous,
        prev.0,
        prev.1,
        w.generated,
        now
    ));
    o.push_str(&format!(
        "<table class=figures><thead><tr><th>{}</th><th class=n>{}</th><th class=n>{}</th><th class=n>{}</th></tr></thead><tbody>",
        w.figure, w.this_period, w.previous, w.target
    ));
    for r in rows(w, &d.current, &d.previous, d, zh) {
        o.push_str(&format!(
            "<tr><th>{}</th><td class=n><b>{}</b></td><td class=n>{}</td><td class=n>{}</td></tr>",
            r[0], r[1], r[2], r[3]
        ));
    }
    o.push_str("</tbody></table>");
    // The days as bars (pure CSS: prints without scripts).
    let max = d
        .daily
        .iter()
        .map(|x| x.created.max(x.resolved))
        .max()
        .unwrap_or(0)
        .max(1);
    o.push_str(&format!(
        "<h2>{}</h2><table class=daily><thead><tr><th>{}</th><th class=n>{}</th><th class=n>{}</th><th></th></tr></thead><tbody>",
        w.daily, w.day, w.created, w.resolved
    ));
    for x in &d.daily {
        o.push_str(&format!(
            "<tr><th>{}</th><td class=n>{}</td><td class=n>{}</td><td class=bars><span class=c style=\"width:{:.1}%\"></span><span class=r style=\"width:{:.1}%\"></span></td></tr>",
            x.day,
            x.created,
            x.resolved,
            x.created as f64 * 100.0 / max as f64,
            x.resolved as f64 * 100.0 / max as f64
        ));
    }
    o.push_str("</tbody></table>");
    o.push_str(&format!(
        "<h2>{}</h2><table><thead><tr><th>{}</th><th>{}</th><th class=n>{}</th><th class=n>{}</th><th class=n>{}</th><th class=n>{}</th></tr></thead><tbody>",
        w.sla, w.priority, w.target_kind, w.met, w.missed, w.breached, w.compliance
    ));
    for r in &d.compliance {
        let kind = match r.target {
            helpdeck_core::sla::TargetKind::FirstResponse => w.first_response,
            _ => w.resolution_target,
        };
        o.push_str(&format!(
            "<tr><th>{}</th><td>{}</td><td class=n>{}</td><td class=n>{}</td><td class=n>{}</td><td class=n>{}</td></tr>",
            r.priority, kind, r.outcomes.met, r.outcomes.missed, r.outcomes.breached, pct(r.compliance)
        ));
    }
    o.push_str("</tbody></table>");
    group_table(&mut o, w, w.teams, &d.teams, zh);
    group_table(&mut o, w, w.agents, &d.agents, zh);
    group_table(&mut o, w, w.breakdown, &d.breakdown, zh);
    o.push_str(&format!("<footer>{}</footer></body></html>\n", w.formulas));
    o
}

const CSS: &str = "@page{size:A4;margin:16mm 14mm}\
body{font-family:'Noto Sans CJK SC','Source Han Sans SC','PingFang SC','Microsoft YaHei',system-ui,sans-serif;color:#1f2328;font-size:10.5pt;margin:0 auto;max-width:180mm}\
h1{font-size:17pt;margin:0 0 2mm}h2{font-size:12pt;margin:7mm 0 2mm;break-after:avoid}\
header p{color:#57606a;margin:0 0 5mm}\
table{width:100%;border-collapse:collapse;break-inside:auto}tr{break-inside:avoid}\
th,td{padding:1.3mm 2mm;border-bottom:0.3mm solid #d0d7de;text-align:left;font-weight:normal}\
thead th{color:#57606a;font-size:9pt}.n{text-align:right;font-variant-numeric:tabular-nums}\
.figures tbody th{width:45%}.daily .bars{width:45%}\
.bars span{display:block;height:1.6mm;margin:0.3mm 0;-webkit-print-color-adjust:exact;print-color-adjust:exact}\
.bars .c{background:#5b5bd6}.bars .r{background:#1a7f37}\
footer{margin-top:8mm;color:#57606a;font-size:9pt}";
