//! Where notifications go: the desktop (notify-rust) or, in tests, a recording.

use std::sync::{Arc, Mutex};

use helpdeck_core::notify::{Message, Urgency};

/// Shows one notification. Called on a blocking thread.
pub trait Sink: Send + Sync + 'static {
    fn deliver(&self, message: &Message) -> Result<(), String>;
}

/// Called with the ticket number when the user clicks a notification or its "Open" action.
pub type OpenTicket = Arc<dyn Fn(i64) + Send + Sync>;

/// Desktop notifications through the OS notification service (freedesktop D-Bus on Linux,
/// the notification center on macOS, toasts on Windows).
pub struct DesktopSink {
    app_name: String,
    /// The app's icon (a PNG path, or an icon-theme name) and its id, so notifications are
    /// shown as the app's, not as a generic warning.
    icon: String,
    app_id: Option<String>,
    /// The "Open" action label in the user's language.
    open_label: String,
    on_open: Option<OpenTicket>,
}

impl DesktopSink {
    pub fn new(app_name: &str) -> DesktopSink {
        DesktopSink {
            app_name: app_name.to_string(),
            icon: "dialog-warning".to_string(),
            app_id: None,
            open_label: "Open".to_string(),
            on_open: None,
        }
    }

    /// The app's icon (a PNG file or an icon-theme name) and application id (the desktop
    /// entry on Linux, the bundle id on macOS, the AppUserModelID on Windows).
    pub fn with_identity(mut self, icon: &str, app_id: &str) -> DesktopSink {
        self.icon = icon.to_string();
        self.app_id = Some(app_id.to_string());
        #[cfg(target_os = "macos")]
        let _ = notify_rust::set_application(app_id);
        self
    }

    /// Adds an "Open" action and a click handler (where the platform supports actions).
    pub fn with_open(mut self, label: &str, on_open: OpenTicket) -> DesktopSink {
        self.open_label = label.to_string();
        self.on_open = Some(on_open);
        self
    }
}

impl Sink for DesktopSink {
    fn deliver(&self, message: &Message) -> Result<(), String> {
        let mut n = notify_rust::Notification::new();
        n.appname(&self.app_name)
            .summary(&message.title)
            .body(&message.body)
            .icon(&self.icon);
        #[cfg(target_os = "windows")]
        {
            if let Some(id) = &self.app_id {
                n.app_id(id);
            }
            // A critical toast stays on screen until dismissed (the Reminder scenario).
            n.urgency(match message.urgency {
                Urgency::Critical => notify_rust::Urgency::Critical,
                Urgency::Normal => notify_rust::Urgency::Normal,
            });
        }
        #[cfg(all(unix, not(target_os = "macos")))]
        {
            if let Some(id) = &self.app_id {
                n.hint(notify_rust::Hint::DesktopEntry(id.clone()));
            }
            n.urgency(match message.urgency {
                Urgency::Critical => notify_rust::Urgency::Critical,
                Urgency::Normal => notify_rust::Urgency::Normal,
            });
            n.hint(notify_rust::Hint::Category("x-helpdeck.sla".into()));
        }
        #[cfg(target_os = "macos")]
        let _ = Urgency::Normal;
        let clickable = self.on_open.is_some() && message.ticket_number.is_some();
        if clickable {
            // A click on the notification itself ("default" on Linux; the toast or banner
            // body on Windows and macOS) and its Open button both open the ticket.
            #[cfg(all(unix, not(target_os = "macos")))]
            n.action("default", &self.open_label);
            n.action("open", &self.open_label);
        }
        let handle = n.show().map_err(|e| e.to_string())?;
        if let (Some(on_open), Some(number)) = (self.on_open.clone(), message.ticket_number) {
            // Waiting for the click blocks until the notification closes: its own thread.
            // (On macOS the banner is sent by this wait; the app's main run loop delivers
            // the click.)
            std::thread::spawn(move || wait_for_open(handle, move || on_open(number)));
        } else {
            drop(handle);
        }
        Ok(())
    }
}

/// Calls `open` when the user clicks the notification or its "open" action.
#[cfg(not(target_os = "windows"))]
fn wait_for_open(handle: notify_rust::NotificationHandle, open: impl FnOnce()) {
    handle.wait_for_action(|action| {
        if action == "default" || action == "open" {
            open();
        }
    });
}

/// Calls `open` when the user clicks the toast or its "open" button.
#[cfg(target_os = "windows")]
fn wait_for_open(handle: notify_rust::NotificationHandle, open: impl FnOnce()) {
    use notify_rust::NotificationResponse as R;
    let _ = handle.wait_for_response(|response: &R| match response {
        R::Default => open(),
        R::Action(a) if a == "open" => open(),
        _ => {}
    });
}

impl DesktopSink {
    /// A one-off notice from the app (not an SLA alert): title and body, the app's identity.
    pub fn notice(&self, title: &str, body: &str) -> Result<(), String> {
        let mut n = notify_rust::Notification::new();
        n.appname(&self.app_name)
            .summary(title)
            .body(body)
            .icon(&self.icon);
        #[cfg(all(unix, not(target_os = "macos")))]
        if let Some(id) = &self.app_id {
            n.hint(notify_rust::Hint::DesktopEntry(id.clone()));
        }
        n.show().map(|_| ()).map_err(|e| e.to_string())
    }
}

/// Keeps every message (tests).
#[derive(Clone, Default)]
pub struct RecordingSink {
    messages: Arc<Mutex<Vec<Message>>>,
}

impl RecordingSink {
    pub fn new() -> RecordingSink {
        RecordingSink::default()
    }

    /// Everything delivered so far.
    pub fn messages(&self) -> Vec<Message> {
        self.messages.lock().expect("not poisoned").clone()
    }
}

impl Sink for RecordingSink {
    fn deliver(&self, message: &Message) -> Result<(), String> {
        self.messages
            .lock()
            .expect("not poisoned")
            .push(message.clone());
        Ok(())
    }
}
