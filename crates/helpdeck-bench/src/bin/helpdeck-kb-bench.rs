//! Knowledge-base benchmark (issue 12, spec §8: "knowledge-base search and suggestions at
//! 100k articles: p95 < 20 ms"): a real workspace with N published articles in Chinese and
//! English (the demo generator's ticket titles and descriptions as their text), then search
//! and suggestion latency through the store, as the app calls them. Prints Markdown rows for
//! docs/benchmarks.md.

#[path = "../bench_key.rs"]
mod bench_key;
use bench_key::bench_key;
#[path = "../s8.rs"]
mod s8;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::Result;
use clap::Parser;
use helpdeck_core::kb::{ArticleLang, Audience};
use helpdeck_store::{ArticleInput, InitOptions, Store};

#[derive(Parser)]
struct Args {
    /// Articles in the workspace.
    #[arg(long, default_value_t = 100_000)]
    articles: usize,
    /// Where the workspace is kept (reused between runs).
    #[arg(long, default_value = "bench-data")]
    dir: PathBuf,
    /// Timed repetitions per query.
    #[arg(long, default_value_t = 200)]
    reps: usize,
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn ms(d: Duration) -> String {
    format!("{:.2}", d.as_secs_f64() * 1000.0)
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<()> {
    let args = Args::parse();
    let n = args.articles;
    let dir = args.dir.join(format!("kb-{n}"));
    let fresh = !dir.join(helpdeck_store::DB_FILE).exists();
    if fresh {
        let _ = std::fs::remove_dir_all(&dir);
    }
    let store = if fresh {
        Store::init_with_key(
            &dir,
            InitOptions {
                name: format!("kb {n}"),
                timezone: "Asia/Shanghai".into(),
                language: "zh".into(),
                owner_name: "Bench".into(),
                owner_email: "bench@helpdeck.example".into(),
            },
            bench_key(&dir)?,
        )
        .await?
    } else {
        Store::open_with_key(&dir, bench_key(&dir)?).await?
    };
    println!("| articles | measurement | p50 ms | p95 ms | bar |");
    println!("|---|---|---|---|---|");
    if fresh {
        let data = helpdeck_demo::generate(n, 11, jiff::Timestamp::now());
        let start = Instant::now();
        for t in &data.tickets {
            let zh = t.title.chars().any(helpdeck_core::search_text::is_cjk);
            let body = if t.description.trim().is_empty() {
                t.title.clone()
            } else {
                t.description.clone()
            };
            store
                .kb()
                .add(ArticleInput {
                    title: t.title.clone(),
                    body,
                    category: None,
                    tags: t.tags.clone(),
                    audience: Audience::Public,
                    lang: if zh { ArticleLang::Zh } else { ArticleLang::En },
                    translation_of: None,
                    steps: Vec::new(),
                    files: Vec::new(),
                    publish: true,
                })
                .await?;
        }
        let took = start.elapsed();
        println!(
            "| {n} | writing them one by one through the rule engine (op, row, index): {:.0} articles/s | | | |",
            n as f64 / took.as_secs_f64()
        );
    }
    let kb = store.kb();
    let searches = ["打印机", "网", "网络 连接", "printer", "pass*", "VPN"];
    for q in searches {
        let mut times = Vec::with_capacity(args.reps);
        for i in 0..args.reps + 3 {
            let start = Instant::now();
            let hits = kb.search(q, 20).await?;
            if i >= 3 {
                times.push(start.elapsed());
            }
            std::hint::black_box(hits);
        }
        times.sort();
        s8::record(
            "kb_p95_ms",
            &format!("search `{q}` at {n} articles"),
            percentile(&times, 0.95).as_secs_f64() * 1000.0,
        );
        println!(
            "| {n} | kb search `{q}` (top 20 with snippets) | {} | {} | p95 < 20 ms |",
            ms(percentile(&times, 0.5)),
            ms(percentile(&times, 0.95))
        );
    }
    let texts = [
        "三楼的打印机又卡纸了，打印任务一直排队，怎么办？",
        "My laptop cannot connect to the office wifi since this morning",
    ];
    for text in texts {
        let mut times = Vec::with_capacity(args.reps);
        for i in 0..args.reps + 3 {
            let start = Instant::now();
            let hits = kb.suggest(text, 3).await?;
            if i >= 3 {
                times.push(start.elapsed());
            }
            std::hint::black_box(hits);
        }
        times.sort();
        s8::record(
            "kb_p95_ms",
            &format!(
                "suggestions for “{}…” at {n} articles",
                text.chars().take(12).collect::<String>()
            ),
            percentile(&times, 0.95).as_secs_f64() * 1000.0,
        );
        println!(
            "| {n} | kb suggest while writing “{}…” (top 3) | {} | {} | p95 < 20 ms |",
            text.chars().take(12).collect::<String>(),
            ms(percentile(&times, 0.5)),
            ms(percentile(&times, 0.95))
        );
    }
    store.shutdown().await;
    Ok(())
}
