//! The GUI's own settings in the data folder (`gui.json`): how often it pushes by itself.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::errors::GuiError;
use crate::gui::backend::BackendError;

/// File in the data folder holding the GUI settings (`GuiSettings`).
pub const GUI_SETTINGS_FILE: &str = "gui.json";

/// Longest period between automatic pushes the sync screen accepts (a day).
pub const MAX_AUTO_MINUTES: u32 = 24 * 60;

/// GUI settings kept in the data folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct GuiSettings {
    auto_sync_minutes: u32,
}

/// The automatic push period saved in the data folder `dir` (at most
/// [`MAX_AUTO_MINUTES`]); `None` when the file is missing or unreadable.
pub(super) fn saved_auto_minutes(dir: &Path) -> Option<u32> {
    let bytes = std::fs::read(dir.join(GUI_SETTINGS_FILE)).ok()?;
    let settings = serde_json::from_slice::<GuiSettings>(&bytes).ok()?;
    Some(settings.auto_sync_minutes.min(MAX_AUTO_MINUTES))
}

/// Saves the automatic push period in the data folder `dir`, after checking it.
pub(super) fn save_auto_minutes(dir: &Path, minutes: u32) -> Result<(), BackendError> {
    if minutes > MAX_AUTO_MINUTES {
        return Err(BackendError::from(GuiError::SyncPeriod { max: MAX_AUTO_MINUTES }));
    }
    let path = dir.join(GUI_SETTINGS_FILE);
    let bytes = serde_json::to_vec_pretty(&GuiSettings { auto_sync_minutes: minutes }).unwrap_or_default();
    crate::store::write_atomically(&path, &bytes).map_err(|e| {
        BackendError::from(GuiError::SettingsWrite { path: path.display().to_string(), detail: e.to_string() })
    })
}
