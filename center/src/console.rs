//! The staff web console: a small static front end (`center/console/`: HTML, ES modules (the
//! entry `console.js`, the rest under `js/`), one style sheet, the ru/kk/en texts) over the staff API ([`crate::staff_api`]), served
//! from memory. Nothing is built: the files are the source.
//!
//! | method and path | answer |
//! |---|---|
//! | `GET /` , `GET /console` | `303` to `/console/` |
//! | `GET /console/` | `index.html` |
//! | `GET /console/{file}` | one of the console's files (`console.js`, `js/pages/users.js`, `console.css`, `i18n/ru.json`, …) |
//!
//! Every file is sent with its content type, `Cache-Control: no-cache` and an `ETag`
//! (revalidated with `If-None-Match`), a strict `Content-Security-Policy` (only this
//! origin's scripts, styles and API; no inline script or style, no frames),
//! `X-Frame-Options: DENY`, `X-Content-Type-Options: nosniff` and `Referrer-Policy: no-referrer`.

use std::sync::OnceLock;

use axum::Router;
use axum::extract::Path;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use sha2::{Digest, Sha256};

use crate::http::{App, error};
use crate::store::CenterStore;

/// The console's address.
pub const PREFIX: &str = "/console/";

/// The policy every console file is sent with.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
     img-src 'self'; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; \
     form-action 'self'; frame-ancestors 'none'";

struct Asset {
    path: &'static str,
    content_type: &'static str,
    bytes: &'static [u8],
}

const ASSETS: &[Asset] = &[
    Asset {
        path: "index.html",
        content_type: "text/html; charset=utf-8",
        bytes: include_bytes!("../console/index.html"),
    },
    Asset {
        path: "console.js",
        content_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!("../console/console.js"),
    },
    Asset {
        path: "js/api.js",
        content_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!("../console/js/api.js"),
    },
    Asset {
        path: "js/charts.js",
        content_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!("../console/js/charts.js"),
    },
    Asset {
        path: "js/dom.js",
        content_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!("../console/js/dom.js"),
    },
    Asset {
        path: "js/frame.js",
        content_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!("../console/js/frame.js"),
    },
    Asset {
        path: "js/i18n.js",
        content_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!("../console/js/i18n.js"),
    },
    Asset {
        path: "js/sign-in.js",
        content_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!("../console/js/sign-in.js"),
    },
    Asset {
        path: "js/state.js",
        content_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!("../console/js/state.js"),
    },
    Asset {
        path: "js/ui.js",
        content_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!("../console/js/ui.js"),
    },
    Asset {
        path: "js/pages/audit.js",
        content_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!("../console/js/pages/audit.js"),
    },
    Asset {
        path: "js/pages/dashboard.js",
        content_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!("../console/js/pages/dashboard.js"),
    },
    Asset {
        path: "js/pages/distribution.js",
        content_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!("../console/js/pages/distribution.js"),
    },
    Asset {
        path: "js/pages/kiosks.js",
        content_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!("../console/js/pages/kiosks.js"),
    },
    Asset {
        path: "js/pages/quarantine.js",
        content_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!("../console/js/pages/quarantine.js"),
    },
    Asset {
        path: "js/pages/reviews.js",
        content_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!("../console/js/pages/reviews.js"),
    },
    Asset {
        path: "js/pages/users.js",
        content_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!("../console/js/pages/users.js"),
    },
    Asset {
        path: "console.css",
        content_type: "text/css; charset=utf-8",
        bytes: include_bytes!("../console/console.css"),
    },
    Asset { path: "favicon.svg", content_type: "image/svg+xml", bytes: include_bytes!("../console/favicon.svg") },
    Asset {
        path: "i18n/ru.json",
        content_type: "application/json; charset=utf-8",
        bytes: include_bytes!("../console/i18n/ru.json"),
    },
    Asset {
        path: "i18n/kk.json",
        content_type: "application/json; charset=utf-8",
        bytes: include_bytes!("../console/i18n/kk.json"),
    },
    Asset {
        path: "i18n/en.json",
        content_type: "application/json; charset=utf-8",
        bytes: include_bytes!("../console/i18n/en.json"),
    },
];

/// Each file's entity tag, computed once.
fn etags() -> &'static [String] {
    static TAGS: OnceLock<Vec<String>> = OnceLock::new();
    TAGS.get_or_init(|| ASSETS.iter().map(|a| format!("\"{}\"", hex::encode(&Sha256::digest(a.bytes)[..12]))).collect())
}

fn security_headers(headers: &mut HeaderMap) {
    headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CONTENT_SECURITY_POLICY));
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
}

fn serve(path: &str, request: &HeaderMap) -> Response {
    let Some((index, asset)) = ASSETS.iter().enumerate().find(|(_, a)| a.path == path) else {
        let mut response = error(StatusCode::NOT_FOUND, "NOT_FOUND", "no such console file");
        security_headers(response.headers_mut());
        return response;
    };
    let etag = &etags()[index];
    let fresh = request
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|tag| tag.trim() == etag || tag.trim() == "*"));
    let mut response = if fresh {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        (StatusCode::OK, [(header::CONTENT_TYPE, asset.content_type)], asset.bytes).into_response()
    };
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    if let Ok(value) = HeaderValue::from_str(etag) {
        headers.insert(header::ETAG, value);
    }
    security_headers(headers);
    response
}

async fn index(headers: HeaderMap) -> Response {
    serve("index.html", &headers)
}

async fn file(Path(path): Path<String>, headers: HeaderMap) -> Response {
    serve(&path, &headers)
}

async fn to_console() -> Redirect {
    Redirect::to(PREFIX)
}

/// The console's routes, merged into the center's router.
pub fn routes<S: CenterStore + 'static>() -> Router<App<S>> {
    Router::new()
        .route("/", get(to_console))
        .route("/console", get(to_console))
        .route("/console/", get(index))
        .route("/console/{*file}", get(file))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_file_is_there_and_the_texts_have_the_same_keys() {
        for asset in ASSETS {
            assert!(!asset.bytes.is_empty(), "{}", asset.path);
        }
        let keys = |name: &str| {
            let asset = ASSETS.iter().find(|a| a.path == name).expect("listed");
            let value: serde_json::Value = serde_json::from_slice(asset.bytes).expect("valid JSON");
            let mut keys: Vec<String> = value.as_object().expect("an object").keys().cloned().collect();
            keys.sort();
            keys
        };
        let ru = keys("i18n/ru.json");
        assert_eq!(ru, keys("i18n/kk.json"), "kk.json has the keys of ru.json");
        assert_eq!(ru, keys("i18n/en.json"), "en.json has the keys of ru.json");
    }

    #[test]
    fn no_inline_script_or_style_in_the_page() {
        let page = std::str::from_utf8(ASSETS[0].bytes).expect("UTF-8");
        assert!(!page.contains("<script>") && !page.contains("style="), "the policy forbids inline code");
        assert!(page.contains(r#"<script type="module" src="console.js"></script>"#));
    }

    #[test]
    fn files_have_types_and_policies_and_revalidate() {
        let response = serve("console.js", &HeaderMap::new());
        assert_eq!(response.status(), StatusCode::OK);
        let h = response.headers();
        assert_eq!(h[header::CONTENT_TYPE], "text/javascript; charset=utf-8");
        assert_eq!(h[header::X_FRAME_OPTIONS], "DENY");
        assert_eq!(h[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
        assert!(h[header::CONTENT_SECURITY_POLICY].to_str().unwrap_or_default().starts_with("default-src 'self'"));
        let etag = h[header::ETAG].clone();
        let mut again = HeaderMap::new();
        again.insert(header::IF_NONE_MATCH, etag);
        assert_eq!(serve("console.js", &again).status(), StatusCode::NOT_MODIFIED);
        assert_eq!(serve("../Cargo.toml", &HeaderMap::new()).status(), StatusCode::NOT_FOUND);
    }

    #[test]
    fn every_module_imported_is_served_as_javascript() {
        for asset in ASSETS.iter().filter(|a| std::path::Path::new(a.path).extension().is_some_and(|e| e == "js")) {
            assert_eq!(asset.content_type, "text/javascript; charset=utf-8", "{}", asset.path);
            let text = std::str::from_utf8(asset.bytes).expect("UTF-8");
            let dir = asset.path.rsplit_once('/').map_or("", |(dir, _)| dir);
            for line in text.lines().filter(|l| l.starts_with("import ")) {
                let spec = line
                    .rsplit_once(" from '")
                    .and_then(|(_, rest)| rest.strip_suffix("';"))
                    .expect("import … from '…';");
                let mut parts: Vec<&str> = dir.split('/').filter(|p| !p.is_empty()).collect();
                for segment in spec.split('/') {
                    match segment {
                        "." => {}
                        ".." => {
                            parts.pop().expect("inside the console");
                        }
                        name => parts.push(name),
                    }
                }
                let target = parts.join("/");
                assert!(
                    ASSETS.iter().any(|a| a.path == target),
                    "{} imports {target}, which is not served",
                    asset.path
                );
            }
        }
    }
}
