//! The tray icon (breached / at-risk counts, a menu) and the window badge, driven by the SLA
//! monitor's counts; clicks on notifications bring the window to the front on the ticket.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use helpdeck_app::App;
use helpdeck_notify::{DesktopSink, SlaCounts};
use tauri::menu::{CheckMenuItem, Menu, MenuItem, PredefinedMenuItem};
use tauri::tray::{MouseButton, MouseButtonState, TrayIconBuilder, TrayIconEvent};
use tauri::{AppHandle, Emitter, Manager, Wry};

/// Shows, unminimises and focuses the main window.
pub fn show_window(app: &AppHandle) {
    if let Some(window) = app.get_webview_window("main") {
        let _ = window.unminimize();
        let _ = window.show();
        let _ = window.set_focus();
    }
}

/// The notification sink of the desktop: a click or "Open" brings the app to the front on
/// that ticket (the UI listens for `open-ticket`).
pub fn sink(app: &AppHandle) -> DesktopSink {
    let handle = app.clone();
    DesktopSink::new("Helpdeck").with_open(
        "Open",
        Arc::new(move |number: i64| {
            show_window(&handle);
            let _ = handle.emit("open-ticket", helpdeck_core::ticket::ticket_key(number));
        }),
    )
}

struct Items {
    breaching: MenuItem<Wry>,
    pause: CheckMenuItem<Wry>,
}

/// What the shell last handed to the tray and the badge. Linux offers no way to read a tray
/// icon back (it lives in the desktop's status-notifier host), so the end-to-end test reads
/// this record of the calls instead (command `tray_status`).
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct TrayStatus {
    pub tooltip: String,
    /// The text label beside the icon (`None` when nothing is breaching).
    pub label: Option<String>,
    pub menu_breaching: String,
    pub badge: Option<i64>,
    pub paused: bool,
}

/// Managed state: the last [`TrayStatus`].
#[derive(Default)]
pub struct TrayShown(pub Mutex<TrayStatus>);

/// Builds the tray icon and its menu.
pub fn install(app: &AppHandle) -> tauri::Result<()> {
    let open = MenuItem::with_id(app, "open", "Open Helpdeck", true, None::<&str>)?;
    let breaching = MenuItem::with_id(app, "breaching", "Breaching soon", true, None::<&str>)?;
    let pause = CheckMenuItem::with_id(
        app,
        "pause",
        "Pause notifications",
        true,
        false,
        None::<&str>,
    )?;
    let quit = MenuItem::with_id(app, "quit", "Quit", true, None::<&str>)?;
    let menu = Menu::with_items(
        app,
        &[
            &open,
            &breaching,
            &pause,
            &PredefinedMenuItem::separator(app)?,
            &quit,
        ],
    )?;
    let mut builder = TrayIconBuilder::with_id("main")
        .menu(&menu)
        .tooltip("Helpdeck")
        .show_menu_on_left_click(false)
        .on_menu_event(|app, event| match event.id.as_ref() {
            "open" => show_window(app),
            "breaching" => {
                show_window(app);
                let _ = app.emit("show-view", "breaching");
            }
            "pause" => {
                let paused = app
                    .try_state::<Items>()
                    .and_then(|i| i.pause.is_checked().ok())
                    .unwrap_or(false);
                app.state::<App>().set_notifications_paused(paused);
            }
            "quit" => app.exit(0),
            _ => {}
        })
        .on_tray_icon_event(|tray, event| {
            if let TrayIconEvent::Click {
                button: MouseButton::Left,
                button_state: MouseButtonState::Up,
                ..
            } = event
            {
                show_window(tray.app_handle());
            }
        });
    if let Some(icon) = app.default_window_icon() {
        builder = builder.icon(icon.clone());
    }
    builder.build(app)?;
    app.manage(Items { breaching, pause });
    Ok(())
}

/// Mirrors the monitor's counts to the tray (if any), the badge and the UI.
pub fn follow(app: &AppHandle) {
    app.manage(TrayShown::default());
    let handle = app.clone();
    tauri::async_runtime::spawn(async move { follow_counts(handle).await });
}

/// Waits for the monitor (it starts with the workspace, maybe after the first-run form), then
/// mirrors every change of its counts to the tray, the badge and the UI.
async fn follow_counts(app: AppHandle) {
    let monitor = loop {
        if let Some(m) = app.state::<App>().monitor() {
            break m;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    };
    let mut counts = monitor.watch_counts();
    loop {
        let c = *counts.borrow_and_update();
        show_counts(&app, c);
        if counts.changed().await.is_err() {
            break;
        }
    }
}

fn show_counts(app: &AppHandle, c: SlaCounts) {
    let breaching = c.breached + c.at_risk;
    let tooltip = if c.paused {
        format!(
            "Helpdeck: {} breached, {} at risk (notifications paused)",
            c.breached, c.at_risk
        )
    } else {
        format!("Helpdeck: {} breached, {} at risk", c.breached, c.at_risk)
    };
    // A text label beside the icon where the platform shows one (macOS, Linux indicators).
    let label = (breaching > 0).then(|| breaching.to_string());
    let menu_breaching = format!("Breaching soon ({breaching})");
    let badge = (breaching > 0).then_some(i64::from(breaching));
    if let Some(tray) = app.tray_by_id("main") {
        let _ = tray.set_tooltip(Some(&tooltip));
        let _ = tray.set_title(label.as_deref());
    }
    if let Some(items) = app.try_state::<Items>() {
        let _ = items.breaching.set_text(&menu_breaching);
        let _ = items.pause.set_checked(c.paused);
    }
    if let Some(window) = app.get_webview_window("main") {
        // macOS dock, Linux launchers that support the Unity count; elsewhere a no-op error.
        let _ = window.set_badge_count(badge);
    }
    if let Some(shown) = app.try_state::<TrayShown>() {
        *shown.0.lock().expect("not poisoned") = TrayStatus {
            tooltip,
            label,
            menu_breaching,
            badge,
            paused: c.paused,
        };
    }
    let _ = app.emit("sla-counts", c);
}
