//! Replacing a file whole: the new bytes are written beside it (`<name>.tmp`, readable by
//! its owner only) and synced, then renamed over it and the folder synced, so that a crash
//! leaves the old file or the new one, never a mix. The population registry and the
//! notifier's outbox replace their files so.

use std::io::Write;
use std::path::{Path, PathBuf};

/// A failed step, with the file it failed on.
#[derive(Debug)]
pub(crate) struct SwapError {
    pub(crate) path: PathBuf,
    pub(crate) source: std::io::Error,
}

fn at(path: &Path) -> impl Fn(std::io::Error) -> SwapError + '_ {
    move |source| SwapError { path: path.to_path_buf(), source }
}

/// Writes `bytes` to the temporary file beside `path` and syncs it; [`commit`] puts it in
/// place.
pub(crate) fn stage(path: &Path, bytes: &[u8]) -> Result<PathBuf, SwapError> {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".tmp");
    let temp = path.with_file_name(name);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(&temp).map_err(at(&temp))?;
    file.write_all(bytes).map_err(at(&temp))?;
    file.sync_all().map_err(at(&temp))?;
    Ok(temp)
}

/// Renames the staged file onto `path` and syncs the folder.
pub(crate) fn commit(temp: &Path, path: &Path) -> Result<(), SwapError> {
    std::fs::rename(temp, path).map_err(at(path))?;
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::File::open(dir).and_then(|d| d.sync_all()).map_err(at(dir))
}

/// [`stage`] then [`commit`].
pub(crate) fn replace(path: &Path, bytes: &[u8]) -> Result<(), SwapError> {
    let temp = stage(path, bytes)?;
    commit(&temp, path)
}
