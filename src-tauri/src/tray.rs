//! The tray icon (breached / at-risk counts, a menu) and the window badge, driven by the SLA
//! monitor's counts; clicks on notifications bring the window to the front on the ticket.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use helpdeck_app::App;
use helpdeck_notify::{DesktopSink, SlaCounts};
use tauri::menu::{CheckMenuItem, Menu, MenuItem, PredefinedMenuItem};
use tauri::tray::{MouseButton, MouseButtonState, TrayIconBuilder, TrayIconEvent};
use tauri::{AppHandle, Emitter, Manager, Wry};

/// Set once the user asked to quit: closing the window then really closes it.
pub static QUITTING: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Quits the app (the tray's and the app menu's "Quit").
pub fn quit(app: &AppHandle) {
    QUITTING.store(true, std::sync::atomic::Ordering::SeqCst);
    app.exit(0);
}

/// The window's close button: the app keeps running in the tray (the SLA monitor keeps
/// warning), the window hides; the first time, a notice says so. With no tray icon, or when
/// started with `--exit-on-close` (kiosks, automation), the window closes and the app quits.
pub fn close_requested(window: &tauri::Window<Wry>, api: &tauri::CloseRequestApi) {
    let app = window.app_handle();
    let exit_on_close = std::env::args().any(|a| a == "--exit-on-close");
    if exit_on_close
        || QUITTING.load(std::sync::atomic::Ordering::SeqCst)
        || app.tray_by_id("main").is_none()
    {
        return;
    }
    api.prevent_close();
    let _ = window.hide();
    let handle = app.clone();
    tauri::async_runtime::spawn(async move {
        let state = handle.state::<App>();
        if state.close_notice_seen().await {
            return;
        }
        let (title, body) = helpdeck_core::notify::still_running_notice(state.ui_lang().await);
        if let Err(e) = sink(&handle).notice(title, body) {
            tracing::warn!(error = %e, "could not show the still-running notice");
        }
        state.set_close_notice_seen().await;
    });
}

/// The ticket a `helpdeck://ticket/HD-42` link (or `helpdeck://ticket/42`) names.
pub fn deep_link_ticket(url: &str) -> Option<String> {
    let rest = url.trim().strip_prefix("helpdeck://")?;
    let key = rest.strip_prefix("ticket/")?.trim_end_matches('/');
    let key = key.split(['?', '#']).next().unwrap_or(key);
    helpdeck_core::ticket::parse_ticket_key(key).map(helpdeck_core::ticket::ticket_key)
}

/// A launch's arguments (a second launch's, forwarded by single-instance, or this one's):
/// a `helpdeck://` link among them opens its ticket.
/// `at_launch`: the UI is not listening yet, so the ticket waits for it (`launch_ticket`).
pub fn open_links(app: &AppHandle, args: &[String], at_launch: bool) -> bool {
    let Some(number) = args.iter().find_map(|a| deep_link_ticket(a)) else {
        return false;
    };
    if at_launch {
        if let Some(pending) = app.try_state::<LaunchTicket>() {
            *pending.0.lock().expect("not poisoned") = Some(number);
        }
        return true;
    }
    show_window(app);
    let _ = app.emit("open-ticket", number);
    true
}

/// A ticket a link asked for before the UI was listening (the UI takes it once it is).
#[derive(Default)]
pub struct LaunchTicket(pub Mutex<Option<String>>);

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
    let mut sink = DesktopSink::new("Helpdeck");
    if let Some(icon) = icon_file(app) {
        sink = sink.with_identity(&icon.display().to_string(), helpdeck_store::APP_ID);
    }
    sink.with_open(
        "Open",
        Arc::new(move |number: i64| {
            show_window(&handle);
            let _ = handle.emit("open-ticket", helpdeck_core::ticket::ticket_key(number));
        }),
    )
}

/// The app's icon as a PNG file the notification service can read (written once to the
/// app's cache dir from the icon compiled into the app).
fn icon_file(app: &AppHandle) -> Option<std::path::PathBuf> {
    let icon = app.default_window_icon()?;
    let dir = app.path().app_cache_dir().ok()?;
    let path = dir.join("helpdeck-icon.png");
    if !path.is_file() {
        std::fs::create_dir_all(&dir).ok()?;
        let img = image::RgbaImage::from_raw(icon.width(), icon.height(), icon.rgba().to_vec())?;
        img.save(&path).ok()?;
    }
    Some(path)
}

struct Items {
    open: MenuItem<Wry>,
    breached: MenuItem<Wry>,
    at_risk: MenuItem<Wry>,
    pause: CheckMenuItem<Wry>,
    quit: MenuItem<Wry>,
}

/// What the shell last handed to the tray and the badge. Linux offers no way to read a tray
/// icon back (it lives in the desktop's status-notifier host), so the end-to-end test reads
/// this record of the calls instead (command `tray_status`).
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct TrayStatus {
    pub tooltip: String,
    /// The text label beside the icon (`None` when nothing is breaching).
    pub label: Option<String>,
    pub menu_breached: String,
    pub menu_at_risk: String,
    pub menu_quit: String,
    pub badge: Option<i64>,
    pub paused: bool,
}

/// Managed state: the last [`TrayStatus`].
#[derive(Default)]
pub struct TrayShown(pub Mutex<TrayStatus>);

/// Builds the tray icon and its menu.
pub fn install(app: &AppHandle) -> tauri::Result<()> {
    let text = helpdeck_core::notify::tray_text(helpdeck_core::notify::Lang::En, 0, 0, false);
    let open = MenuItem::with_id(app, "open", &text.open, true, None::<&str>)?;
    let breached = MenuItem::with_id(app, "breached", &text.breached, true, None::<&str>)?;
    let at_risk = MenuItem::with_id(app, "at_risk", &text.at_risk, true, None::<&str>)?;
    let pause = CheckMenuItem::with_id(app, "pause", &text.pause, true, false, None::<&str>)?;
    let quit = MenuItem::with_id(app, "quit", &text.quit, true, None::<&str>)?;
    let menu = Menu::with_items(
        app,
        &[
            &open,
            &breached,
            &at_risk,
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
            view @ ("breached" | "at_risk") => {
                show_window(app);
                let _ = app.emit("show-view", view);
            }
            "pause" => {
                let paused = app
                    .try_state::<Items>()
                    .and_then(|i| i.pause.is_checked().ok())
                    .unwrap_or(false);
                app.state::<App>().set_notifications_paused(paused);
            }
            "quit" => self::quit(app),
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
    app.manage(Items {
        open,
        breached,
        at_risk,
        pause,
        quit,
    });
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
        show_counts(&app, c).await;
        if counts.changed().await.is_err() {
            break;
        }
    }
}

/// Shows the counts again, in the current language (after a change of language).
pub async fn refresh(app: &AppHandle) {
    let monitor = app.state::<App>().monitor();
    if let Some(m) = monitor {
        show_counts(app, m.counts()).await;
    }
}

async fn show_counts(app: &AppHandle, c: SlaCounts) {
    let breaching = c.breached + c.at_risk;
    let lang = app.state::<App>().ui_lang().await;
    let text = helpdeck_core::notify::tray_text(lang, c.breached, c.at_risk, c.paused);
    // A text label beside the icon where the platform shows one (macOS, Linux indicators).
    let label = (breaching > 0).then(|| breaching.to_string());
    let badge = (breaching > 0).then_some(i64::from(breaching));
    if let Some(tray) = app.tray_by_id("main") {
        let _ = tray.set_tooltip(Some(&text.tooltip));
        let _ = tray.set_title(label.as_deref());
    }
    if let Some(items) = app.try_state::<Items>() {
        let _ = items.open.set_text(&text.open);
        let _ = items.breached.set_text(&text.breached);
        let _ = items.at_risk.set_text(&text.at_risk);
        let _ = items.pause.set_text(&text.pause);
        let _ = items.pause.set_checked(c.paused);
        let _ = items.quit.set_text(&text.quit);
    }
    if let Some(window) = app.get_webview_window("main") {
        // macOS dock, Linux launchers that support the Unity count; elsewhere a no-op error.
        let _ = window.set_badge_count(badge);
    }
    if let Some(shown) = app.try_state::<TrayShown>() {
        *shown.0.lock().expect("not poisoned") = TrayStatus {
            tooltip: text.tooltip,
            label,
            menu_breached: text.breached,
            menu_at_risk: text.at_risk,
            menu_quit: text.quit,
            badge,
            paused: c.paused,
        };
    }
    let _ = app.emit("sla-counts", c);
}

#[cfg(test)]
mod tests {
    use super::deep_link_ticket;

    #[test]
    fn links_name_tickets() {
        assert_eq!(
            deep_link_ticket("helpdeck://ticket/HD-42").as_deref(),
            Some("HD-42")
        );
        assert_eq!(
            deep_link_ticket("helpdeck://ticket/42/").as_deref(),
            Some("HD-42")
        );
        assert_eq!(
            deep_link_ticket("helpdeck://ticket/hd-7?from=mail").as_deref(),
            Some("HD-7")
        );
        assert_eq!(deep_link_ticket("helpdeck://ticket/../etc"), None);
        assert_eq!(deep_link_ticket("https://ticket/HD-42"), None);
        assert_eq!(deep_link_ticket("--data-dir"), None);
    }
}
