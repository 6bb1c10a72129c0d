//! Figures measured against the bars of spec §8. A benchmark that measures one calls
//! [`record`]; when `HELPDECK_S8_RESULTS` names a file (scripts/task sets it), the figure is
//! appended to it as one JSON line, and `scripts/s8-summary.py` prints every figure of the
//! run beside its bar. The bars themselves live in that script only.

use std::io::Write;

/// Records `value` for the §8 bar `key` (the keys are listed in scripts/s8-summary.py);
/// `what` says which measurement it is (a query, a backend, a size). A bar measured several
/// times in a run (every queue, every op kind) is judged by its worst figure.
pub fn record(key: &str, what: &str, value: f64) {
    let Some(path) = std::env::var_os("HELPDECK_S8_RESULTS") else {
        return;
    };
    let line = serde_json::json!({ "key": key, "what": what, "value": value });
    let written = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .and_then(|mut f| writeln!(f, "{line}"));
    if let Err(e) = written {
        eprintln!("warning: could not record {key} in {path:?}: {e}");
    }
}
