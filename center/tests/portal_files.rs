//! The parents' portal as the real server sends it (`serve --portal DIR`): the page and the
//! WASM package with their types and policies, nothing outside the two trees (traversal,
//! encoded separators, symlinks), and a clear 404 when the server has no portal folder. The
//! page itself is driven in a browser by `e2e/parent.test.mjs` and `portal/test/`.
#![allow(clippy::unwrap_used)]

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::sync::Arc;

use center::http::{App, ServerOptions, spawn};
use common::*;

const NOW: &str = "2026-03-10T18:00:00+05:00";

/// `(status, headers lower-cased, body)` of a GET sent byte for byte as given (no client
/// normalises the path).
fn raw_get(url: &str, path: &str) -> (u16, Vec<(String, String)>, Vec<u8>) {
    let address = url.trim_start_matches("http://");
    let mut stream = TcpStream::connect(address).unwrap();
    write!(stream, "GET {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n").unwrap();
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).unwrap();
    let split = answer.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let head = String::from_utf8(answer[..split].to_vec()).unwrap();
    let mut lines = head.lines();
    let status = lines.next().unwrap().split(' ').nth(1).unwrap().parse().unwrap();
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect::<Vec<_>>();
    let body = answer[split + 4..].to_vec();
    let chunked = headers.iter().any(|(k, v)| k == "transfer-encoding" && v.contains("chunked"));
    (status, headers, if chunked { dechunk(&body) } else { body })
}

fn dechunk(mut body: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let end = body.windows(2).position(|w| w == b"\r\n").unwrap();
        let size = usize::from_str_radix(std::str::from_utf8(&body[..end]).unwrap().trim(), 16).unwrap();
        if size == 0 {
            return out;
        }
        out.extend_from_slice(&body[end + 2..end + 2 + size]);
        body = &body[end + 2 + size + 2..];
    }
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> &'a str {
    headers.iter().find(|(k, _)| k == name).map_or("", |(_, v)| v.as_str())
}

fn write(path: &Path, bytes: &[u8]) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, bytes).unwrap();
}

/// A release folder: the page, a text file, the WASM package, a secret next to them, and
/// symlinks inside the portal leading in and out.
fn release() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("release");
    write(&root.join("portal/index.html"), b"<!doctype html><title>Kezek</title>");
    write(&root.join("portal/app.js"), b"export {};");
    write(&root.join("portal/style.css"), b"body{}");
    write(&root.join("portal/i18n/kk.json"), br#"{"app.title":"Kezek"}"#);
    write(&root.join("portal/connected/session.js"), b"export {};");
    write(&root.join("portal/test/browser.test.mjs"), b"secret test");
    write(&root.join("portal/node_modules/x/index.js"), b"dependency");
    write(&root.join("portal/.env"), b"dot file");
    write(&root.join("portal/notes.rs"), b"unknown type");
    write(&root.join("wasm-pkg/pkg/web/kezek.js"), b"export default async function init() {}");
    write(&root.join("wasm-pkg/pkg/web/kezek_core_bg.wasm"), b"\0asm\x01\0\0\0");
    write(&root.join("wasm-pkg/pkg/node/kezek.js"), b"module.exports = {};");
    write(&root.join("Cargo.toml"), b"[workspace] # outside the trees");
    write(&dir.path().join("secret.txt"), b"TOP SECRET");
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(dir.path().join("secret.txt"), root.join("portal/leak.txt")).unwrap();
        std::os::unix::fs::symlink(dir.path(), root.join("portal/up")).unwrap();
        std::os::unix::fs::symlink(root.join("portal/app.js"), root.join("portal/alias.js")).unwrap();
    }
    dir
}

fn server(portal: Option<&Path>) -> (tempfile::TempDir, center::http::ServerHandle) {
    let (dir, center) = center();
    let options = ServerOptions { portal: portal.map(Path::to_path_buf), ..ServerOptions::default() };
    let app = App::with_options(center, Arc::new(|| at(NOW)), options);
    (dir, spawn("127.0.0.1:0", app).unwrap())
}

#[test]
fn the_page_and_the_wasm_package_are_served_with_their_types_and_policy() {
    let files = release();
    let (_data, server) = server(Some(&files.path().join("release")));
    let url = server.url();

    let (status, headers, _) = raw_get(&url, "/portal");
    assert_eq!(status, 303);
    assert_eq!(header(&headers, "location"), "/portal/");

    for (path, kind, body) in [
        ("/portal/", "text/html; charset=utf-8", &b"<!doctype html><title>Kezek</title>"[..]),
        ("/portal/index.html", "text/html; charset=utf-8", b"<!doctype html><title>Kezek</title>"),
        ("/portal/app.js", "text/javascript; charset=utf-8", b"export {};"),
        ("/portal/style.css", "text/css; charset=utf-8", b"body{}"),
        ("/portal/i18n/kk.json", "application/json; charset=utf-8", br#"{"app.title":"Kezek"}"#),
        ("/portal/connected/session.js", "text/javascript; charset=utf-8", b"export {};"),
        ("/portal/app.js?v=1", "text/javascript; charset=utf-8", b"export {};"),
        ("/wasm-pkg/pkg/web/kezek.js", "text/javascript; charset=utf-8", b"export default async function init() {}"),
        ("/wasm-pkg/pkg/web/kezek_core_bg.wasm", "application/wasm", b"\0asm\x01\0\0\0"),
    ] {
        let (status, headers, got) = raw_get(&url, path);
        assert_eq!(status, 200, "{path}");
        assert_eq!(header(&headers, "content-type"), kind, "{path}");
        assert_eq!(got, body, "{path}");
        assert_eq!(header(&headers, "cache-control"), "no-cache", "{path}");
        assert_eq!(header(&headers, "content-security-policy"), center::portal_files::CONTENT_SECURITY_POLICY);
        assert!(header(&headers, "content-security-policy").contains("'wasm-unsafe-eval'"));
        assert!(!header(&headers, "content-security-policy").contains("unsafe-inline"));
        assert_eq!(header(&headers, "x-content-type-options"), "nosniff");
        assert_eq!(header(&headers, "x-frame-options"), "DENY");
        assert_eq!(header(&headers, center::portal_files::MODE_HEADER), "connected", "{path}");
    }
    #[cfg(unix)]
    {
        // A symlink that stays inside the tree is followed.
        let (status, _, got) = raw_get(&url, "/portal/alias.js");
        assert_eq!((status, got.as_slice()), (200, &b"export {};"[..]));
    }
}

#[test]
fn nothing_outside_the_two_trees_is_served() {
    let files = release();
    let (_data, server) = server(Some(&files.path().join("release")));
    let url = server.url();
    let mut refused = vec![
        ("/portal/../Cargo.toml", 403),
        ("/portal/i18n/../../Cargo.toml", 403),
        ("/portal/%2e%2e/Cargo.toml", 403),
        ("/portal/..%2fCargo.toml", 400),
        ("/portal/..%2FCargo.toml", 400),
        ("/portal/..%5cCargo.toml", 400),
        ("/portal/..\\Cargo.toml", 400),
        ("/portal/app.js%00.html", 400),
        ("/wasm-pkg/pkg/web/../../../Cargo.toml", 403),
        ("/wasm-pkg/pkg/node/kezek.js", 404),
        ("/wasm-pkg/pkg/web/", 404),
        ("/portal/test/browser.test.mjs", 404),
        ("/portal/node_modules/x/index.js", 404),
        ("/portal/.env", 404),
        ("/portal/notes.rs", 404),
        ("/portal/missing.js", 404),
        ("/portal/i18n", 404),
        ("/Cargo.toml", 404),
    ];
    if cfg!(unix) {
        refused.extend([("/portal/leak.txt", 403), ("/portal/up/secret.txt", 403)]);
    }
    for (path, want) in refused {
        let (status, headers, body) = raw_get(&url, path);
        assert_eq!(status, want, "{path}");
        let text = String::from_utf8_lossy(&body);
        assert!(
            !text.contains("SECRET") && !text.contains("[workspace]") && !text.contains("dependency"),
            "{path}: {text}"
        );
        // (A raw backslash is refused by the HTTP parser before the router.)
        if (want != 404 || path.starts_with("/portal/")) && !path.contains('\\') {
            assert_eq!(header(&headers, "content-type"), "application/json", "{path}");
            assert!(text.contains("\"error\""), "{path}: {text}");
        }
    }
    // Only GET (and HEAD).
    let response = http_agent().post(&format!("{url}/portal/app.js")).send("x").unwrap();
    assert_eq!(response.status().as_u16(), 405);
}

#[test]
fn without_a_portal_folder_the_portal_is_a_clear_404() {
    let (_data, server) = server(None);
    let url = server.url();
    for path in ["/portal/", "/portal/app.js", "/wasm-pkg/pkg/web/kezek.js"] {
        let (status, headers, body) = raw_get(&url, path);
        assert_eq!(status, 404, "{path}");
        assert_eq!(header(&headers, "content-type"), "application/json");
        let value: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(value["error"]["code"], "PORTAL_NOT_SERVED", "{path}");
        assert!(value["error"]["message"].as_str().unwrap().contains("--portal"));
        assert_eq!(header(&headers, center::portal_files::MODE_HEADER), "");
    }
    // The console and the API are unaffected.
    assert_eq!(raw_get(&url, "/console/").0, 200);
    assert_eq!(raw_get(&url, "/v1/health").0, 200);
}

#[test]
fn the_portal_folder_is_checked_at_start() {
    let files = release();
    let root = files.path().join("release");
    assert_eq!(center::portal_files::check_dir(&root).unwrap(), root.canonicalize().unwrap());
    let err = center::portal_files::check_dir(files.path()).unwrap_err();
    assert!(err.contains("portal/index.html"), "{err}");
    std::fs::remove_file(root.join("wasm-pkg/pkg/web/kezek.js")).unwrap();
    let err = center::portal_files::check_dir(&root).unwrap_err();
    assert!(err.contains("wasm-pkg/build.sh"), "{err}");
}
