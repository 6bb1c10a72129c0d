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
        if let Some(id) = &self.app_id {
            n.app_id(id);
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
            if self.on_open.is_some() && message.ticket_number.is_some() {
                n.action("default", &self.open_label);
                n.action("open", &self.open_label);
            }
        }
        #[cfg(not(all(unix, not(target_os = "macos"))))]
        let _ = Urgency::Normal;
        let handle = n.show().map_err(|e| e.to_string())?;
        #[cfg(all(unix, not(target_os = "macos")))]
        if let (Some(on_open), Some(number)) = (self.on_open.clone(), message.ticket_number) {
            // Waiting for the click blocks until the notification closes: its own thread.
            std::thread::spawn(move || {
                handle.wait_for_action(|action| {
                    if action == "default" || action == "open" {
                        on_open(number);
                    }
                });
            });
        }
        #[cfg(not(all(unix, not(target_os = "macos"))))]
        drop(handle);
        Ok(())
    }
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
