//! Per-user app settings, kept as JSON next to the workspace.

use std::path::Path;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// UI language choice (per user; the workspace's language unless overridden).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum LanguageChoice {
    /// The workspace's language (the OS locale's before there is a workspace).
    #[default]
    Workspace,
    /// Follow the OS locale.
    System,
    En,
    Zh,
}

/// Theme choice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ThemeChoice {
    /// Follow the OS (prefers-color-scheme).
    #[default]
    System,
    Light,
    Dark,
}

/// Which time zone times are shown in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum TimeZoneChoice {
    /// The workspace's business time zone (where the desk works and SLA hours count).
    #[default]
    Workspace,
    /// This computer's time zone (a technician travelling).
    Device,
}

/// What the settings dialog changes.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct Settings {
    pub language: LanguageChoice,
    pub theme: ThemeChoice,
    pub large_text: bool,
    pub time_zone: TimeZoneChoice,
    /// The user has been told that closing the window keeps the app in the tray.
    pub close_notice_seen: bool,
}

pub const SETTINGS_FILE: &str = "settings.json";

impl Settings {
    /// Reads the settings; a missing or unreadable file gives the defaults.
    pub fn load(dir: &Path) -> Settings {
        std::fs::read_to_string(dir.join(SETTINGS_FILE))
            .ok()
            .and_then(|s| serde_json::from_str(&s).ok())
            .unwrap_or_default()
    }

    /// Writes the settings atomically (temp file + rename).
    pub fn save(&self, dir: &Path) -> std::io::Result<()> {
        std::fs::create_dir_all(dir)?;
        let tmp = dir.join(format!("{SETTINGS_FILE}.tmp"));
        std::fs::write(
            &tmp,
            serde_json::to_vec_pretty(self).expect("settings serialize"),
        )?;
        std::fs::rename(tmp, dir.join(SETTINGS_FILE))
    }
}
