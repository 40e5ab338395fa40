//! The file notifier: each delivered message is one JSON line of a file (by default
//! `<data>/outbox/delivered.jsonl`), synced to disk before `deliver` returns. A key already
//! in the file is not written again, so a delivery repeated after a crash (delivered, not
//! yet marked in the outbox) leaves one line.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

use super::outbox::{append_line, read_lines};
use super::{Message, Notifier, NotifyError};

/// Appends delivered messages to a JSON-lines file, once per key.
#[derive(Debug)]
pub struct FileNotifier {
    path: PathBuf,
    keys: Mutex<HashSet<String>>,
}

#[derive(serde::Deserialize)]
struct KeyOnly {
    key: String,
}

impl FileNotifier {
    /// Opens (creating its folder) the file at `path`, reading the keys already in it.
    pub fn open(path: &Path) -> Result<FileNotifier, NotifyError> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| NotifyError::io(dir, e))?;
        }
        let keys = read_lines::<KeyOnly>(path)?.into_iter().map(|k| k.key).collect();
        Ok(FileNotifier { path: path.to_owned(), keys: Mutex::new(keys) })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Notifier for FileNotifier {
    fn name(&self) -> &'static str {
        "file"
    }

    fn deliver(&self, message: &Message) -> Result<(), NotifyError> {
        let mut keys = self.keys.lock().unwrap_or_else(PoisonError::into_inner);
        if keys.contains(&message.key) {
            return Ok(());
        }
        append_line(&self.path, message)?;
        keys.insert(message.key.clone());
        Ok(())
    }
}
