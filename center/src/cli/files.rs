//! Files the command line reads and writes, the same in both modes: bundle files in, signed
//! acks and snapshots out (personal data: mode 0600), the session file.

use std::io::{Read, Write};
use std::path::Path;

use super::{Failure, fail};

fn io(path: &Path) -> impl Fn(std::io::Error) -> Failure + '_ {
    move |e| fail("IO", format!("{}: {e}", path.display()))
}

/// Reads a bundle file, at most [`changelog::MAX_BUNDLE_BYTES`]: a device or a huge file
/// (`/dev/zero`) cannot make the center read without end.
pub fn read_bundle(path: &Path) -> Result<Vec<u8>, Failure> {
    let mut bytes = Vec::new();
    let limit = changelog::MAX_BUNDLE_BYTES as u64;
    std::fs::File::open(path).map_err(io(path))?.take(limit + 1).read_to_end(&mut bytes).map_err(io(path))?;
    if bytes.len() as u64 > limit {
        return Err(fail("TOO_LARGE", format!("{}: a bundle file is at most {limit} bytes", path.display())));
    }
    Ok(bytes)
}

/// Reads a JSON file (a directory, a calendar year); `code` names what was expected.
pub fn read_json<T: serde::de::DeserializeOwned>(path: &Path, code: &str) -> Result<T, Failure> {
    let text = std::fs::read_to_string(path).map_err(io(path))?;
    serde_json::from_str(&text).map_err(|e| fail(code, format!("{}: {e}", path.display())))
}

/// Writes a file readable by its owner only (a snapshot, an ack, the session), also when it
/// existed before with a wider mode.
pub fn write_private(path: &Path, bytes: &[u8]) -> Result<(), Failure> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path).map_err(io(path))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if file.metadata().map_err(io(path))?.file_type().is_file() {
            file.set_permissions(std::fs::Permissions::from_mode(0o600)).map_err(io(path))?;
        }
    }
    file.write_all(bytes).map_err(io(path))?;
    file.sync_all().map_err(io(path))
}

/// Creates `dir` and its missing parents, the new ones readable by their owner only.
pub fn create_private_dir(dir: &Path) -> Result<(), Failure> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir).map_err(io(dir))
}
