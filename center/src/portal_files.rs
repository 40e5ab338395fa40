//! The parents' portal (`portal/`) and the rules compiled to WebAssembly (`wasm-pkg/pkg/web/`),
//! served from a folder chosen at start: `kezek-center serve --portal DIR`, where `DIR` is the
//! repository root or a release folder holding `portal/` and `wasm-pkg/pkg/web/`. The WASM
//! package is built by `bash wasm-pkg/build.sh`, not by cargo, so these files are read from
//! disk at each request (the console's are compiled in, [`crate::console`]).
//!
//! | method and path | answer |
//! |---|---|
//! | `GET /portal` | `303` to `/portal/` |
//! | `GET /portal/` | `portal/index.html` |
//! | `GET /portal/{file}` | a file of `portal/` (`app.js`, `connected/*.js`, `i18n/kk.json`, …) |
//! | `GET /wasm-pkg/pkg/web/{file}` | a file of the WASM package the page imports (`kezek.js`, `kezek_core_bg.wasm`, …) |
//!
//! Without `--portal` every one of them is `404` `PORTAL_NOT_SERVED`.
//!
//! The same safety as `portal/serve.mjs`: only those two trees; `..` and `.` segments, encoded
//! slashes, backslashes and NUL bytes refused; symlinks leading out of a tree refused; no
//! dot-files, `node_modules/` or `test/`; only known file types, each with its MIME type
//! (`application/wasm` for the module). Every answer carries `Cache-Control: no-cache`, a
//! strict [`CONTENT_SECURITY_POLICY`] (this origin only; `'wasm-unsafe-eval'` to compile the
//! rules), `X-Frame-Options: DENY`, `X-Content-Type-Options: nosniff`, `Referrer-Policy:
//! no-referrer` and [`MODE_HEADER`]`: connected`, which tells the page that the parents' API is
//! on the same origin (`portal/serve.mjs` does not send it: the page stays in demo mode).

use std::path::{Path, PathBuf};

use axum::Router;
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;

use axum::extract::State;

use crate::http::{App, error};
use crate::store::CenterStore;

/// The portal's address.
pub const PREFIX: &str = "/portal/";

/// The WASM package's address (the page imports `../wasm-pkg/pkg/web/kezek.js`).
pub const WASM_PREFIX: &str = "/wasm-pkg/pkg/web/";

/// The policy every portal file is sent with.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; \
     style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; \
     base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// Sent with every portal file: the page is served by the center, next to the parents' API.
pub const MODE_HEADER: &str = "x-kezek-portal";

/// URL prefix → folder under the `--portal` folder.
const MOUNTS: [(&str, &str); 2] = [(PREFIX, "portal"), (WASM_PREFIX, "wasm-pkg/pkg/web")];

/// Path segments never served even inside a mount (dependencies, tests; dot-files too).
const HIDDEN: [&str; 2] = ["node_modules", "test"];

/// The types served; any other extension is 404.
fn content_type(path: &Path) -> Option<&'static str> {
    let ext = path.extension()?.to_str()?.to_ascii_lowercase();
    Some(match ext.as_str() {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" | "map" => "application/json; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "wasm" => "application/wasm",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "txt" => "text/plain; charset=utf-8",
        "webmanifest" => "application/manifest+json",
        _ => return None,
    })
}

fn security_headers(headers: &mut HeaderMap) {
    headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CONTENT_SECURITY_POLICY));
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
}

fn refuse(status: StatusCode, code: &str, message: &str) -> Response {
    let mut response = error(status, code, message);
    security_headers(response.headers_mut());
    response
}

fn not_found() -> Response {
    refuse(StatusCode::NOT_FOUND, "NOT_FOUND", "no such portal file")
}

/// Where a request path leads inside one mount, before the file system is asked.
#[derive(Debug, PartialEq, Eq)]
pub enum Target {
    /// `(folder of the mount, file)`, both under the `--portal` folder.
    File(PathBuf, PathBuf),
    Refused(StatusCode),
}

fn hex_value(byte: u8) -> Option<u8> {
    match byte {
        b'0'..=b'9' => Some(byte - b'0'),
        b'a'..=b'f' => Some(byte - b'a' + 10),
        b'A'..=b'F' => Some(byte - b'A' + 10),
        _ => None,
    }
}

/// Percent-decodes a path; `None` for a malformed escape or text that is not UTF-8.
fn percent_decode(raw: &str) -> Option<String> {
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let high = hex_value(*bytes.get(i + 1)?)?;
            let low = hex_value(*bytes.get(i + 2)?)?;
            out.push(high * 16 + low);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// Maps a raw request path (as sent, still percent-encoded) to a file of a mount under
/// `root`, or the status it is refused with: 400 (encoded separator, backslash, NUL, bad
/// escape), 403 (`..` or `.` segment), 404 (hidden or outside the mounts). Pure: no file
/// system access.
pub fn resolve(root: &Path, raw_path: &str) -> Target {
    let lower = raw_path.to_ascii_lowercase();
    if raw_path.contains('\\') || lower.contains("%2f") || lower.contains("%5c") || lower.contains("%00") {
        return Target::Refused(StatusCode::BAD_REQUEST);
    }
    let Some(decoded) = percent_decode(raw_path) else { return Target::Refused(StatusCode::BAD_REQUEST) };
    if decoded.contains('\\') || decoded.contains('\0') {
        return Target::Refused(StatusCode::BAD_REQUEST);
    }
    let Some((prefix, dir)) = MOUNTS.iter().find(|(prefix, _)| decoded.starts_with(prefix)) else {
        return Target::Refused(StatusCode::NOT_FOUND);
    };
    let mut rest = decoded[prefix.len()..].to_owned();
    if rest.is_empty() || rest.ends_with('/') {
        rest.push_str("index.html");
    }
    let segments: Vec<&str> = rest.split('/').collect();
    if segments.iter().any(|s| *s == ".." || *s == ".") {
        return Target::Refused(StatusCode::FORBIDDEN);
    }
    if segments.iter().any(|s| s.is_empty() || s.starts_with('.') || HIDDEN.contains(s)) {
        return Target::Refused(StatusCode::NOT_FOUND);
    }
    let base = root.join(dir);
    let file = segments.iter().fold(base.clone(), |path, segment| path.join(segment));
    Target::File(base, file)
}

/// Reads a file of a mount; a symlink leading out of the mount is refused (403).
fn read(base: &Path, file: &Path) -> Result<(Vec<u8>, &'static str), StatusCode> {
    let real_base = base.canonicalize().map_err(|_| StatusCode::NOT_FOUND)?;
    let real = file.canonicalize().map_err(|_| StatusCode::NOT_FOUND)?;
    if !real.starts_with(&real_base) {
        return Err(StatusCode::FORBIDDEN);
    }
    if !real.is_file() {
        return Err(StatusCode::NOT_FOUND);
    }
    // The type of the file actually read (a symlink inside the tree may change it).
    let kind = content_type(&real).ok_or(StatusCode::NOT_FOUND)?;
    let bytes = std::fs::read(&real).map_err(|_| StatusCode::NOT_FOUND)?;
    Ok((bytes, kind))
}

async fn serve<S: CenterStore + 'static>(State(app): State<App<S>>, uri: Uri) -> Response {
    let Some(root) = app.portal_dir() else {
        return refuse(
            StatusCode::NOT_FOUND,
            "PORTAL_NOT_SERVED",
            "this center does not serve the parents' portal: start it with `kezek-center serve --portal DIR` \
             (DIR holds portal/ and wasm-pkg/pkg/web/, built by `bash wasm-pkg/build.sh`)",
        );
    };
    let (base, file) = match resolve(root.as_path(), uri.path()) {
        Target::File(base, file) => (base, file),
        Target::Refused(StatusCode::BAD_REQUEST) => {
            return refuse(StatusCode::BAD_REQUEST, "BAD_PATH", "encoded separators, backslashes and NUL are refused");
        }
        Target::Refused(StatusCode::FORBIDDEN) => {
            return refuse(StatusCode::FORBIDDEN, "FORBIDDEN", "the path leaves the portal's files");
        }
        Target::Refused(_) => return not_found(),
    };
    let read = tokio::task::spawn_blocking(move || read(&base, &file)).await;
    let mut response = match read {
        Ok(Ok((bytes, kind))) => (StatusCode::OK, [(header::CONTENT_TYPE, kind)], bytes).into_response(),
        Ok(Err(StatusCode::FORBIDDEN)) => {
            return refuse(StatusCode::FORBIDDEN, "FORBIDDEN", "the path leaves the portal's files");
        }
        Ok(Err(_)) => return not_found(),
        Err(_) => return refuse(StatusCode::INTERNAL_SERVER_ERROR, "INTERNAL", "the file could not be read"),
    };
    let headers = response.headers_mut();
    security_headers(headers);
    headers.insert(MODE_HEADER, HeaderValue::from_static("connected"));
    response
}

async fn to_portal() -> Redirect {
    Redirect::to(PREFIX)
}

/// The portal's routes, merged into the center's router.
pub fn routes<S: CenterStore + 'static>() -> Router<App<S>> {
    Router::new()
        .route("/portal", get(to_portal))
        .route(PREFIX, get(serve::<S>))
        .route("/portal/{*file}", get(serve::<S>))
        .route("/wasm-pkg/pkg/web/{*file}", get(serve::<S>))
}

/// Checks a `--portal` folder at start: it must hold the page and the built WASM package.
pub fn check_dir(dir: &Path) -> Result<PathBuf, String> {
    let dir = dir.canonicalize().map_err(|e| format!("{}: {e}", dir.display()))?;
    if !dir.join("portal").join("index.html").is_file() {
        return Err(format!(
            "{} has no portal/index.html (give the repository root or a release folder)",
            dir.display()
        ));
    }
    if !dir.join("wasm-pkg").join("pkg").join("web").join("kezek.js").is_file() {
        return Err(format!(
            "{} has no wasm-pkg/pkg/web/kezek.js: build the rules' package first (`bash wasm-pkg/build.sh`)",
            dir.display()
        ));
    }
    Ok(dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_map_into_the_two_trees_only() {
        let root = Path::new("/r");
        let file = |base: &str, file: &str| Target::File(PathBuf::from(base), PathBuf::from(file));
        assert_eq!(resolve(root, "/portal/"), file("/r/portal", "/r/portal/index.html"));
        assert_eq!(resolve(root, "/portal/i18n/kk.json"), file("/r/portal", "/r/portal/i18n/kk.json"));
        assert_eq!(
            resolve(root, "/wasm-pkg/pkg/web/kezek_core_bg.wasm"),
            file("/r/wasm-pkg/pkg/web", "/r/wasm-pkg/pkg/web/kezek_core_bg.wasm")
        );
        assert_eq!(resolve(root, "/portal/a%20b.js"), file("/r/portal", "/r/portal/a b.js"));
        for (path, status) in [
            ("/portal/../Cargo.toml", StatusCode::FORBIDDEN),
            ("/portal/%2e%2e/Cargo.toml", StatusCode::FORBIDDEN),
            ("/portal/./app.js", StatusCode::FORBIDDEN),
            ("/portal/..%2fCargo.toml", StatusCode::BAD_REQUEST),
            ("/portal/..%2FCargo.toml", StatusCode::BAD_REQUEST),
            ("/portal/..%5cCargo.toml", StatusCode::BAD_REQUEST),
            ("/portal/a\\b", StatusCode::BAD_REQUEST),
            ("/portal/app.js%00.css", StatusCode::BAD_REQUEST),
            ("/portal/%zz", StatusCode::BAD_REQUEST),
            ("/portal/node_modules/x.js", StatusCode::NOT_FOUND),
            ("/portal/test/browser.test.mjs", StatusCode::NOT_FOUND),
            ("/portal/.git/config", StatusCode::NOT_FOUND),
            ("/portal//etc/passwd", StatusCode::NOT_FOUND),
            ("/wasm-pkg/pkg/node/kezek.js", StatusCode::NOT_FOUND),
            ("/wasm-pkg/src/lib.rs", StatusCode::NOT_FOUND),
        ] {
            assert_eq!(resolve(root, path), Target::Refused(status), "{path}");
        }
    }

    #[test]
    fn only_known_types() {
        assert_eq!(content_type(Path::new("a.wasm")), Some("application/wasm"));
        assert_eq!(content_type(Path::new("a.JS")), Some("text/javascript; charset=utf-8"));
        assert_eq!(content_type(Path::new("a.rs")), None);
        assert_eq!(content_type(Path::new("Makefile")), None);
    }
}
