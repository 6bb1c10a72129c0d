//! Tracing to a daily rolling file in the OS log dir (and stderr in debug builds).

use tauri::Manager;
use tracing_appender::non_blocking::WorkerGuard;
use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::format::FmtSpan;
use tracing_subscriber::prelude::*;

/// Keeps the non-blocking writer alive for the app's lifetime (held in app state).
pub struct LogGuard(#[allow(dead_code)] WorkerGuard);

/// Starts logging; `HELPDECK_LOG` sets the filter (default `info`). With `HELPDECK_LOG_SPANS`
/// set, every instrumented call (each command, the workspace's opening, the monitor's start)
/// also logs its time when it ends: what a slow start or a slow screen spent its time on.
pub fn init(app: &tauri::AppHandle) -> LogGuard {
    let dir = app
        .path()
        .app_log_dir()
        .unwrap_or_else(|_| std::env::temp_dir().join("helpdeck-logs"));
    let _ = std::fs::create_dir_all(&dir);
    let appender = tracing_appender::rolling::Builder::new()
        .rotation(tracing_appender::rolling::Rotation::DAILY)
        .filename_prefix("helpdeck")
        .filename_suffix("log")
        .max_log_files(14)
        .build(&dir)
        .unwrap_or_else(|_| tracing_appender::rolling::never(&dir, "helpdeck.log"));
    let (writer, guard) = tracing_appender::non_blocking(appender);
    let filter = EnvFilter::try_from_env("HELPDECK_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    let spans = match std::env::var_os("HELPDECK_LOG_SPANS") {
        Some(_) => FmtSpan::CLOSE,
        None => FmtSpan::NONE,
    };
    let file_layer = tracing_subscriber::fmt::layer()
        .with_ansi(false)
        .with_span_events(spans)
        .with_writer(writer);
    let stderr_layer = cfg!(debug_assertions)
        .then(|| tracing_subscriber::fmt::layer().with_writer(std::io::stderr));
    let _ = tracing_subscriber::registry()
        .with(filter)
        .with(file_layer)
        .with(stderr_layer)
        .try_init();
    LogGuard(guard)
}
