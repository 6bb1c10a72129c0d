//! Helpdeck desktop app: a thin Tauri 2 shell. Commands forward to `helpdeck-app`; the shell
//! owns only windows, logging and OS integration.

// No console window on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod commands;
mod logging;
mod tray;

use std::sync::OnceLock;
use std::time::Instant;

/// When the process started, for the cold-start measurement (see `commands::workspace::ui_ready`).
pub static STARTED: OnceLock<Instant> = OnceLock::new();

/// Said once the UI has painted its first queue page (`commands::workspace::ui_ready`).
#[derive(Default)]
pub struct FirstPaint(pub std::sync::Arc<tokio::sync::Notify>);

/// How long the SLA monitor waits for the first paint before it starts anyway (a start into
/// the tray paints nothing).
const MONITOR_AFTER_PAINT_AT_MOST: std::time::Duration = std::time::Duration::from_secs(3);

use std::path::PathBuf;

use tauri::Manager;

/// Where the workspace lives: `--data-dir DIR`, `HELPDECK_DATA_DIR`, or the OS app-data dir.
fn data_dir(app: &tauri::AppHandle) -> PathBuf {
    let mut args = std::env::args_os().skip(1);
    while let Some(arg) = args.next() {
        if arg == "--data-dir"
            && let Some(dir) = args.next()
        {
            return PathBuf::from(dir);
        }
    }
    if let Some(dir) = std::env::var_os("HELPDECK_DATA_DIR") {
        return PathBuf::from(dir);
    }
    // The same folder the CLI opens by default (Tauri's app data dir for our identifier).
    helpdeck_store::default_data_dir()
        .or_else(|| app.path().app_data_dir().ok())
        .unwrap_or_else(|| PathBuf::from("helpdeck-data"))
}

fn main() {
    // Before any database is opened (SQLCipher's crypto; see vault::init_crypto).
    helpdeck_store::vault::init_crypto();
    STARTED.get_or_init(Instant::now);
    tauri::Builder::default()
        // First: a second launch focuses the running window instead of opening another.
        // With a `helpdeck://ticket/HD-42` link among its arguments, on that ticket.
        .plugin(tauri_plugin_single_instance::init(|app, args, _cwd| {
            if !tray::open_links(app, &args, false) {
                tray::show_window(app);
            }
        }))
        // Registers the helpdeck:// scheme (desktop file, registry) and, on macOS, hands over
        // the links the system opens.
        .plugin(tauri_plugin_deep_link::init())
        .plugin(tauri_plugin_window_state::Builder::default().build())
        // Start at login (Settings), into the tray: `--hidden` keeps the window closed.
        .plugin(tauri_plugin_autostart::init(
            tauri_plugin_autostart::MacosLauncher::LaunchAgent,
            Some(vec!["--hidden"]),
        ))
        .setup(|app| {
            let handle = app.handle().clone();
            let guard = logging::init(&handle);
            app.manage(guard);
            let dir = data_dir(&handle);
            tracing::info!(data_dir = %dir.display(), "starting Helpdeck");
            let state =
                tauri::async_runtime::block_on(helpdeck_app::App::open(&dir)).map_err(|e| {
                    format!(
                        "cannot open the workspace in {}: {}",
                        dir.display(),
                        e.message
                    )
                })?;
            app.manage(state);
            // The SLA monitor: desktop notifications, tray counts, window badge. Its first
            // round reads every open ticket (a second on a cold 100k workspace), so it starts
            // once the first queue page is on screen, not in the way of that page's reads.
            let painted = FirstPaint::default();
            let paint = painted.0.clone();
            app.manage(painted);
            let sink = std::sync::Arc::new(tray::sink(&handle));
            let monitor = handle.clone();
            tauri::async_runtime::spawn(async move {
                let _ = tokio::time::timeout(MONITOR_AFTER_PAINT_AT_MOST, paint.notified()).await;
                let state = monitor.state::<helpdeck_app::App>();
                if let Err(e) = state.start_monitor_with(sink).await {
                    tracing::error!(error = %e.message, "SLA monitor not started");
                }
            });
            commands::sync::forward_events(&handle);
            if let Err(e) = tray::install(&handle) {
                tracing::warn!(error = %e, "no tray icon on this desktop");
            }
            tray::follow(&handle);
            app.manage(tray::LaunchTicket::default());
            let args: Vec<String> = std::env::args().collect();
            tray::open_links(&handle, &args, true);
            {
                use tauri_plugin_deep_link::DeepLinkExt;
                // Development and AppImage runs on Linux/Windows: register the scheme now.
                #[cfg(any(target_os = "linux", windows))]
                if let Err(e) = app.deep_link().register_all() {
                    tracing::debug!(error = %e, "helpdeck:// not registered");
                }
                let links = handle.clone();
                app.deep_link().on_open_url(move |event| {
                    let urls: Vec<String> = event.urls().iter().map(|u| u.to_string()).collect();
                    tray::open_links(&links, &urls, false);
                });
            }
            if std::env::args().any(|a| a == "--hidden")
                && let Some(window) = handle.get_webview_window("main")
            {
                // Started at login: the monitor runs, the window waits in the tray.
                let _ = window.hide();
            }
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            commands::workspace::app_info,
            commands::workspace::workspace_create,
            commands::workspace::settings_update,
            commands::workspace::ui_ready,
            commands::workspace::open_link,
            commands::workspace::autostart_get,
            commands::workspace::autostart_set,
            commands::workspace::launch_ticket,
            commands::workspace::app_quit,
            commands::workspace::workspace_rules,
            commands::workspace::workspace_rules_change,
            commands::workspace::people,
            commands::workspace::person_add,
            commands::workspace::person_update,
            commands::workspace::team_add,
            commands::tickets::queue_counts,
            commands::tickets::tickets_list,
            commands::tickets::ticket_get,
            commands::tickets::ticket_create,
            commands::tickets::ticket_update,
            commands::tickets::ticket_reply,
            commands::tickets::ticket_note,
            commands::tickets::ticket_resolve,
            commands::tickets::ticket_reopen,
            commands::tickets::ticket_link,
            commands::tickets::attachment_import,
            commands::tickets::attachment_bytes,
            commands::tickets::attachment_thumbnail,
            commands::tickets::ticket_unlink,
            commands::tickets::ticket_close,
            commands::tickets::ticket_rate,
            commands::tickets::ticket_escalate,
            commands::tickets::ticket_duplicates,
            commands::tickets::macro_list,
            commands::tickets::views_list,
            commands::tickets::my_availability_set,
            commands::tickets::view_save,
            commands::tickets::view_delete,
            commands::sync::presence_set,
            commands::sync::presence_list,
            commands::tickets::tickets_bulk_update,
            commands::tickets::tickets_bulk_undo,
            commands::tickets::macro_add,
            commands::tickets::macro_delete,
            commands::tickets::ticket_apply_macro,
            commands::tickets::ticket_merge,
            commands::tickets::followup_list,
            commands::tickets::followup_done,
            commands::kb::kb_list,
            commands::kb::kb_show,
            commands::kb::kb_add,
            commands::kb::kb_edit,
            commands::kb::kb_set_status,
            commands::kb::kb_vote,
            commands::kb::kb_search,
            commands::kb::kb_suggest,
            commands::kb::kb_from_ticket,
            commands::kb::kb_deflect,
            commands::kb::ticket_diagnose,
            commands::kb::kb_upkeep,
            commands::kb::kb_gaps,
            commands::timelog::time_sheet,
            commands::timelog::time_log,
            commands::timelog::time_delete,
            commands::timelog::time_timer_start,
            commands::timelog::time_timer_stop,
            commands::timelog::time_report,
            commands::timelog::report_dashboard,
            commands::timelog::report_export,
            commands::timelog::report_open,
            commands::workorders::workorder_today,
            commands::workorders::template_items,
            commands::workorders::workorder_list,
            commands::workorders::workorder_get,
            commands::workorders::workorder_create,
            commands::workorders::workorder_check,
            commands::workorders::workorder_photo,
            commands::workorders::workorder_part,
            commands::workorders::workorder_time,
            commands::workorders::workorder_timer_start,
            commands::workorders::workorder_timer_stop,
            commands::workorders::workorder_sign,
            commands::workorders::workorder_report,
            commands::tickets::agents,
            commands::tickets::requesters,
            commands::search::search,
            commands::sync::sync_status,
            commands::sync::sync_sign_in,
            commands::sync::server_url_insecure,
            commands::sync::sync_connect_preview,
            commands::sync::sync_connect,
            commands::sync::sync_sign_out,
            commands::sync::sync_now,
            commands::notifications::monitor_counts,
            commands::notifications::notification_prefs,
            commands::notifications::notification_prefs_update,
            commands::notifications::tray_status,
        ])
        .on_window_event(|window, event| {
            if let tauri::WindowEvent::CloseRequested { api, .. } = event {
                tray::close_requested(window, api);
            }
        })
        .build(tauri::generate_context!())
        .expect("error while building Helpdeck")
        .run(|app, event| {
            // Quitting: the workspace's connections close before the process exits.
            if let tauri::RunEvent::Exit = event {
                let state = app.state::<helpdeck_app::App>();
                tauri::async_runtime::block_on(state.close_for_exit());
            }
            // macOS: clicking the Dock icon of a running app with its window hidden.
            #[cfg(target_os = "macos")]
            if let tauri::RunEvent::Reopen { .. } = event {
                tray::show_window(app);
            }
        });
}
