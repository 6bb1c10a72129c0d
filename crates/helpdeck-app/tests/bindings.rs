//! The TypeScript types of everything the UI sends and receives are generated from Rust
//! (ts-rs) into ui/src/lib/bindings/. This test fails when the committed files differ from
//! what the Rust types generate; run it with HELPDECK_WRITE_BINDINGS=1 to rewrite them.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use ts_rs::{Config, TS};

fn bindings_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../ui/src/lib/bindings")
}

fn export_all(dir: &Path) {
    let cfg = Config::new().with_out_dir(dir);
    macro_rules! export {
        ($($t:ty),+ $(,)?) => { $( <$t>::export_all(&cfg).unwrap(); )+ };
    }
    export!(
        helpdeck_app::AppInfo,
        helpdeck_app::ReportFile,
        helpdeck_app::WorkspaceInput,
        helpdeck_app::QueueCounts,
        helpdeck_app::TicketPage,
        helpdeck_app::CreateTicketInput,
        helpdeck_app::UpdateTicketInput,
        helpdeck_app::ApiError,
        helpdeck_app::Settings,
        helpdeck_app::SignInInput,
        helpdeck_app::ConnectPreview,
        helpdeck_app::ConnectResult,
        helpdeck_app::SyncView,
        helpdeck_app::MonitorCounts,
        helpdeck_app::AttachmentUpload,
        helpdeck_core::notify::NotificationPrefs,
        helpdeck_store::TicketDetail,
        helpdeck_store::FollowUpTask,
        helpdeck_store::ArticleView,
        helpdeck_store::ArticleHit,
        helpdeck_store::ArticleInput,
        helpdeck_store::UpkeepItem,
        helpdeck_store::KbGap,
        helpdeck_core::kb::ArticleFields,
        helpdeck_core::kb::DiagnosisStep,
        helpdeck_core::escalation::Escalation,
        helpdeck_core::macros::Macro,
        helpdeck_store::MacroInput,
        helpdeck_store::BulkChange,
        helpdeck_app::PresenceView,
        helpdeck_store::BulkOutcome,
        helpdeck_core::followup::Outcome,
        helpdeck_store::SearchHit,
        helpdeck_store::SearchPage,
        helpdeck_store::TicketFilter,
        helpdeck_core::ticket::Resolution,
        helpdeck_core::ticket::Csat,
        helpdeck_core::ticket::Channel,
        helpdeck_core::sync::WorkspaceRules,
        helpdeck_core::workspace::RulesChange,
        helpdeck_core::people::Directory,
        helpdeck_core::people::PersonDraft,
        helpdeck_core::people::PersonPatch,
        helpdeck_store::ViewEntry,
        helpdeck_core::routing::Decision,
        helpdeck_store::WorkOrderView,
        helpdeck_store::TimeSheet,
        helpdeck_core::timelog::TimeTotal,
        helpdeck_core::timelog::TimeGroup,
        helpdeck_core::report::Dashboard,
        helpdeck_core::report::ReportDrill,
        helpdeck_core::report::DrillCohort,
        helpdeck_app::WorkOrderCreate,
        helpdeck_core::workorder::Part,
    );
}

fn read_dir(dir: &Path) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().to_string();
            if name.ends_with(".ts") {
                out.insert(name, std::fs::read_to_string(e.path()).unwrap());
            }
        }
    }
    out
}

#[test]
fn typescript_bindings_are_up_to_date() {
    let committed = bindings_dir();
    if std::env::var_os("HELPDECK_WRITE_BINDINGS").is_some() {
        let _ = std::fs::remove_dir_all(&committed);
        export_all(&committed);
        return;
    }
    let fresh = tempfile::tempdir().unwrap();
    export_all(fresh.path());
    let expected = read_dir(fresh.path());
    let actual = read_dir(&committed);
    assert!(!expected.is_empty());
    let missing: Vec<_> = expected
        .keys()
        .filter(|k| !actual.contains_key(*k))
        .collect();
    let stale: Vec<_> = actual
        .keys()
        .filter(|k| !expected.contains_key(*k))
        .collect();
    let changed: Vec<_> = expected
        .iter()
        .filter(|(k, v)| actual.get(*k).is_some_and(|a| a != *v))
        .map(|(k, _)| k)
        .collect();
    assert!(
        missing.is_empty() && stale.is_empty() && changed.is_empty(),
        "ui/src/lib/bindings is out of date (missing {missing:?}, stale {stale:?}, changed {changed:?}); \
         regenerate with: HELPDECK_WRITE_BINDINGS=1 cargo test -p helpdeck-app --test bindings"
    );
}
