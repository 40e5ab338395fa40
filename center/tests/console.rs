//! The staff console's files as the real server sends them, and what the console reads from
//! the staff API beyond the staff API's own tests (district names). The console itself is
//! driven in a browser by `e2e/` (`just test-console`).
#![allow(clippy::unwrap_used)]

mod common;

use std::sync::Arc;

use center::http::{App, spawn};
use common::*;
use rules::authz::staff::StaffRole;

const NOW: &str = "2026-03-10T18:00:00+05:00";

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .timeout_global(Some(std::time::Duration::from_secs(30)))
        .build()
        .into()
}

fn header(response: &ureq::http::Response<ureq::Body>, name: &str) -> String {
    response.headers().get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned()
}

#[test]
fn the_console_is_served_with_its_policies_and_the_api_names_the_districts() {
    let (_dir, mut center) = center();
    let user = center::NewUser {
        login: "rev-kok".into(),
        name: "Reviewer".into(),
        role: StaffRole::Reviewer,
        districts: vec!["KOK".into()],
        password: "reviewer-secret".into(),
    };
    center.add_user("center", user, at(NOW)).unwrap();
    let server = spawn("127.0.0.1:0", App::new(center, Arc::new(|| at(NOW)))).unwrap();
    let url = server.url();

    for path in ["/", "/console"] {
        let response = agent().get(&format!("{url}{path}")).call().unwrap();
        assert_eq!(response.status().as_u16(), 303, "{path}");
        assert_eq!(header(&response, "location"), "/console/");
    }
    for (path, kind) in [
        ("/console/", "text/html; charset=utf-8"),
        ("/console/console.js", "text/javascript; charset=utf-8"),
        ("/console/console.css", "text/css; charset=utf-8"),
        ("/console/i18n/kk.json", "application/json; charset=utf-8"),
    ] {
        let response = agent().get(&format!("{url}{path}")).call().unwrap();
        assert_eq!(response.status().as_u16(), 200, "{path}");
        assert_eq!(header(&response, "content-type"), kind, "{path}");
        assert_eq!(header(&response, "content-security-policy"), center::console::CONTENT_SECURITY_POLICY);
        assert_eq!(header(&response, "x-frame-options"), "DENY");
        assert_eq!(header(&response, "x-content-type-options"), "nosniff");
        assert_eq!(header(&response, "cache-control"), "no-cache");
    }
    for path in ["/console/nope.js", "/console/../Cargo.toml", "/console/i18n/../../src/lib.rs"] {
        let response = agent().get(&format!("{url}{path}")).call().unwrap();
        assert_eq!(response.status().as_u16(), 404, "{path}");
    }

    let mut signed = agent()
        .post(&format!("{url}/v1/staff/session"))
        .header("Content-Type", "application/json")
        .send(r#"{"login":"rev-kok","password":"reviewer-secret"}"#)
        .unwrap();
    assert_eq!(signed.status().as_u16(), 200);
    let session: serde_json::Value = serde_json::from_slice(&signed.body_mut().read_to_vec().unwrap()).unwrap();
    let token = session["token"].as_str().unwrap();
    let mut me =
        agent().get(&format!("{url}/v1/staff/me")).header("Authorization", &format!("Bearer {token}")).call().unwrap();
    let me: serde_json::Value = serde_json::from_slice(&me.body_mut().read_to_vec().unwrap()).unwrap();
    assert_eq!(me["districts"], serde_json::json!(["KOK"]));
    assert_eq!(me["districtNames"]["KOK"]["kk"], "Көкшетау қаласы");
    assert_eq!(me["may"], serde_json::json!(["view_stats", "review"]));
}
