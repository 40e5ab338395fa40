//! The session file: the token `login` got from a server, for later commands with `--url`.
//! JSON `{url, login, token, expiresAt}`, mode 0600. A token is only ever sent to the URL it
//! was issued by.

use std::path::{Path, PathBuf};

use rules::Instant;
use serde::{Deserialize, Serialize};

use super::{Failure, fail, files};

/// A signed-in user's session at one server.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Session {
    /// The server's base URL, as [`base_url`] normalises it.
    pub url: String,
    pub login: String,
    pub token: String,
    pub expires_at: Instant,
}

/// The session file: `--session-file`, else `$XDG_CONFIG_HOME/kezek/center-session.json`,
/// else `$HOME/.config/kezek/center-session.json`.
pub fn path(chosen: Option<&Path>) -> Result<PathBuf, Failure> {
    if let Some(path) = chosen {
        return Ok(path.to_owned());
    }
    let absolute = |var: &str| std::env::var_os(var).map(PathBuf::from).filter(|p| p.is_absolute());
    let config = absolute("XDG_CONFIG_HOME").or_else(|| absolute("HOME").map(|home| home.join(".config")));
    config.map(|dir| dir.join("kezek").join("center-session.json")).ok_or_else(|| {
        fail("NO_SESSION_FILE", "neither XDG_CONFIG_HOME nor HOME is set: give the session file with --session-file")
    })
}

/// `url` without a trailing slash; only `http://` and `https://` addresses.
pub fn base_url(url: &str) -> Result<String, Failure> {
    let url = url.trim().trim_end_matches('/');
    let rest = url.strip_prefix("http://").or_else(|| url.strip_prefix("https://"));
    match rest {
        Some(host) if !host.is_empty() => Ok(url.to_owned()),
        _ => Err(fail("BAD_URL", format!("{url:?}: expected http://host:port or https://host"))),
    }
}

/// The stored session, if there is one.
pub fn load(path: &Path) -> Result<Option<Session>, Failure> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(fail("IO", format!("{}: {e}", path.display()))),
    };
    // An unreadable file is as good as none: the user signs in again.
    Ok(serde_json::from_str(&text).ok())
}

/// Stores the session (replacing any other): written aside, then renamed over the file.
pub fn save(path: &Path, session: &Session) -> Result<(), Failure> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        files::create_private_dir(dir)?;
    }
    let mut aside = path.as_os_str().to_owned();
    aside.push(".new");
    let aside = PathBuf::from(aside);
    let bytes = serde_json::to_vec_pretty(session).map_err(|e| fail("IO", e.to_string()))?;
    files::write_private(&aside, &bytes)?;
    std::fs::rename(&aside, path).map_err(|e| fail("IO", format!("{}: {e}", path.display())))
}

/// Forgets the session.
pub fn remove(path: &Path) -> Result<(), Failure> {
    match std::fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(fail("IO", format!("{}: {e}", path.display()))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_normalised_and_checked() {
        assert_eq!(base_url("http://127.0.0.1:7070/").ok().as_deref(), Some("http://127.0.0.1:7070"));
        assert_eq!(base_url("https://center.example").ok().as_deref(), Some("https://center.example"));
        for bad in ["127.0.0.1:7070", "ftp://x", "http://", ""] {
            assert_eq!(base_url(bad).err().map(|f| f.code), Some("BAD_URL".to_owned()), "{bad}");
        }
    }
}
