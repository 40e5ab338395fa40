//! The staff API on the real server (127.0.0.1), attacked the way a stranger or a curious
//! colleague would: wrong roles and districts, expired and stolen-then-revoked sessions,
//! password guessing, cross-site requests riding the console's cookie.
#![allow(clippy::unwrap_used, clippy::too_many_lines)]

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use center::http::{App, ServerHandle, ServerOptions, spawn};
use center::staff_api::{COOKIE, StaffOptions};
use center::{CENTER_ID, Center, NewUser};
use common::*;
use rules::authz::staff::StaffRole;
use rules::{Instant, RightClass, Status};
use serde_json::{Value, json};

const NOW: &str = "2026-03-11T12:00:00+05:00";
const PASSWORD: &str = "correct-horse-1";

struct Server {
    url: String,
    clock: Arc<Mutex<Instant>>,
    app: App,
    _handle: ServerHandle,
}

/// An answer: status, JSON body, headers we look at.
struct Answer {
    status: u16,
    body: Value,
    set_cookie: Option<String>,
    /// `Retry-After`, in seconds.
    retry_after: Option<u64>,
}

fn send(method: &str, url: &str, headers: &[(&str, &str)], body: Option<&Value>) -> Answer {
    let agent = http_agent();
    let response = match method {
        "GET" => {
            let mut r = agent.get(url);
            for (k, v) in headers {
                r = r.header(*k, *v);
            }
            r.call()
        }
        "DELETE" => {
            let mut r = agent.delete(url);
            for (k, v) in headers {
                r = r.header(*k, *v);
            }
            r.call()
        }
        _ => {
            let mut r = agent.post(url).header("Content-Type", "application/json");
            for (k, v) in headers {
                r = r.header(*k, *v);
            }
            r.send(body.map(Value::to_string).unwrap_or_default().as_bytes())
        }
    };
    let mut response = response.unwrap();
    let status = response.status().as_u16();
    let header = |name: &str| response.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
    let set_cookie = header("set-cookie");
    let retry_after = header("retry-after").map(|v| v.parse().unwrap_or_else(|_| panic!("Retry-After {v:?}")));
    let bytes = response.body_mut().read_to_vec().unwrap();
    Answer { status, body: serde_json::from_slice(&bytes).unwrap_or(Value::Null), set_cookie, retry_after }
}

impl Server {
    fn start(center: Center, lifetime: Duration) -> Server {
        let clock = Arc::new(Mutex::new(at(NOW)));
        let inner = Arc::clone(&clock);
        let options = ServerOptions {
            staff: StaffOptions { session_lifetime: lifetime, secure_cookie: true },
            ..ServerOptions::default()
        };
        let app = App::with_options(center, Arc::new(move || *inner.lock().unwrap()), options);
        let handle = spawn("127.0.0.1:0", app.clone()).unwrap();
        Server { url: handle.url(), clock, app, _handle: handle }
    }

    fn sign_in(&self, login: &str, password: &str) -> Answer {
        send(
            "POST",
            &format!("{}/v1/staff/session", self.url),
            &[],
            Some(&json!({"login": login, "password": password})),
        )
    }

    fn token(&self, login: &str) -> String {
        let answer = self.sign_in(login, PASSWORD);
        assert_eq!(answer.status, 200, "{login}: {}", answer.body);
        answer.body["token"].as_str().unwrap().to_owned()
    }

    fn get(&self, token: &str, path: &str) -> Answer {
        send("GET", &format!("{}{path}", self.url), &[("Authorization", &format!("Bearer {token}"))], None)
    }

    fn post(&self, token: &str, path: &str, body: &Value) -> Answer {
        send("POST", &format!("{}{path}", self.url), &[("Authorization", &format!("Bearer {token}"))], Some(body))
    }

    fn set_clock(&self, text: &str) {
        *self.clock.lock().unwrap() = at(text);
    }
}

fn user(login: &str, role: StaffRole, districts: &[&str]) -> NewUser {
    NewUser {
        login: login.into(),
        name: format!("{login} name"),
        role,
        districts: districts.iter().map(|d| (*d).to_owned()).collect(),
        password: PASSWORD.into(),
    }
}

/// A center with staff accounts and two refusals of KOK to review (K1-E1, K1-F1), and
/// places waiting for a round.
fn staffed_center() -> (tempfile::TempDir, Center) {
    let (dir, mut center) = center();
    let created = at("2026-03-02T09:00:00+05:00");
    center.add_user(CENTER_ID, user("admin", StaffRole::Admin, &[]), created).unwrap();
    center.add_user(CENTER_ID, user("rev-kok", StaffRole::Reviewer, &["KOK"]), created).unwrap();
    center.add_user(CENTER_ID, user("rev-zer", StaffRole::Reviewer, &["ZER"]), created).unwrap();
    center.add_user(CENTER_ID, user("dist-kok", StaffRole::Distributor, &["KOK"]), created).unwrap();
    center.add_user(CENTER_ID, user("viewer", StaffRole::Viewer, &[]), created).unwrap();

    let mut kiosk = TestKiosk::new("K1").with_staff("2026-03-10T09:00:00+05:00");
    for (i, app) in ["K1-E1", "K1-F1"].iter().enumerate() {
        kiosk.register_child(
            "2026-03-10T09:30:00+05:00",
            application(app, &child_iin("2023-01-01", u32::try_from(i).unwrap()), "2023-01-01", RightClass::None),
        );
    }
    kiosk.add_places("2026-03-10T09:40:00+05:00", "K1-P1", 2023, 2);
    kiosk.register(&mut center);
    center.ingest(&kiosk.all(), at("2026-03-10T10:00:00+05:00"), None).unwrap();
    center.distribute("KOK", at("2026-03-10T10:05:00+05:00")).unwrap();
    kiosk.last_contact = Some("2026-03-10T10:05:00+05:00".into());
    for (hour, app) in [(11, "K1-E1"), (12, "K1-F1")] {
        kiosk.confirm_choose_and_be_refused("2026-03-10", hour, app);
    }
    // Two more children and a place for the distributor's round.
    for (i, app) in ["K1-G1", "K1-G2"].iter().enumerate() {
        kiosk.register_child(
            "2026-03-10T12:40:00+05:00",
            application(app, &child_iin("2024-02-02", u32::try_from(i).unwrap()), "2024-02-02", RightClass::None),
        );
    }
    kiosk.add_places("2026-03-10T12:50:00+05:00", "K1-P2", 2024, 1);
    center.ingest(&kiosk.all(), at("2026-03-10T13:00:00+05:00"), None).unwrap();
    let open: Vec<String> = center.review_items().into_iter().map(|i| i.id).collect();
    assert_eq!(open, ["R-K1-E1", "R-K1-F1"]);
    (dir, center)
}

#[test]
fn roles_and_districts_decide_who_sees_and_does_what() {
    let (_dir, center) = staffed_center();
    let server = Server::start(center, Duration::from_hours(8));
    let admin = server.token("admin");
    let rev_kok = server.token("rev-kok");
    let rev_zer = server.token("rev-zer");
    let dist = server.token("dist-kok");
    let viewer = server.token("viewer");

    // The reviewer of another district sees nothing of KOK's and cannot decide it.
    let list = server.get(&rev_zer, "/v1/staff/reviews");
    assert_eq!((list.status, list.body.as_array().map(Vec::len)), (200, Some(0)), "{}", list.body);
    let detail = server.get(&rev_zer, "/v1/staff/reviews/R-K1-E1");
    assert_eq!((detail.status, detail.body["error"]["code"].as_str()), (403, Some("OUT_OF_DISTRICT")));
    let refused = server.post(&rev_zer, "/v1/staff/reviews/R-K1-E1", &json!({"decision": "overrule"}));
    assert_eq!((refused.status, refused.body["error"]["code"].as_str()), (403, Some("OUT_OF_DISTRICT")));
    // In Kazakh when asked so.
    let kk = send(
        "POST",
        &format!("{}/v1/staff/reviews/R-K1-E1", server.url),
        &[("Authorization", &format!("Bearer {rev_zer}")), ("Accept-Language", "kk-KZ,kk;q=0.9")],
        Some(&json!({"decision": "overrule"})),
    );
    assert!(kk.body["error"]["message"].as_str().unwrap().contains("ауданы"), "{}", kk.body);
    // Every error, not only a refusal, speaks the language asked for.
    for (lang, text) in [
        ("ru", "Нет пункта проверки R-NOPE"),
        ("kk", "R-NOPE тексеру тармағы жоқ"),
        ("en", "There is no review item R-NOPE"),
    ] {
        let missing = send(
            "GET",
            &format!("{}/v1/staff/reviews/R-NOPE", server.url),
            &[("Authorization", &format!("Bearer {rev_kok}")), ("Accept-Language", lang)],
            None,
        );
        assert_eq!(
            (missing.status, missing.body["error"]["code"].as_str()),
            (404, Some("NOT_FOUND")),
            "{}",
            missing.body
        );
        assert!(missing.body["error"]["message"].as_str().unwrap().contains(text), "{lang}: {}", missing.body);
    }

    // A distributor and a viewer do not review; a reviewer does not distribute.
    for token in [&dist, &viewer] {
        let answer = server.get(token, "/v1/staff/reviews");
        assert_eq!((answer.status, answer.body["error"]["code"].as_str()), (403, Some("FORBIDDEN_ROLE")));
    }
    let answer = server.post(&rev_kok, "/v1/staff/districts/KOK/distribution", &json!({}));
    assert_eq!((answer.status, answer.body["error"]["code"].as_str()), (403, Some("FORBIDDEN_ROLE")));
    let answer = server.post(&dist, "/v1/staff/districts/ZER/distribution/dry-run", &json!({}));
    assert_eq!((answer.status, answer.body["error"]["code"].as_str()), (403, Some("OUT_OF_DISTRICT")));
    for path in ["/v1/staff/users", "/v1/staff/kiosks", "/v1/staff/audit", "/v1/staff/quarantine"] {
        for token in [&rev_kok, &dist, &viewer] {
            assert_eq!(server.get(token, path).status, 403, "{path}");
        }
        assert_eq!(server.get(&admin, path).status, 200, "{path}");
    }
    assert_eq!(server.get(&viewer, "/v1/staff/districts/KOK/dashboard").status, 200);
    let me = server.get(&dist, "/v1/staff/me").body;
    assert_eq!(me["districts"], json!(["KOK"]));
    assert_eq!(me["may"], json!(["view_stats", "distribute"]));

    // The reviewer of KOK decides both refusals.
    let detail = server.get(&rev_kok, "/v1/staff/reviews/R-K1-E1");
    assert_eq!(detail.status, 200, "{}", detail.body);
    assert_eq!(detail.body["item"]["reason"], "группа укомплектована");
    let history: Vec<&str> =
        detail.body["history"].as_array().unwrap().iter().map(|h| h["action"].as_str().unwrap()).collect();
    assert_eq!(history, ["register", "issueVoucher", "confirmVoucher", "chooseKindergarten", "refuseChild"]);
    // A misspelt note is refused, not dropped (the decision would go without it).
    let misspelt =
        server.post(&rev_kok, "/v1/staff/reviews/R-K1-F1", &json!({"decision": "uphold", "notes": "мест нет"}));
    assert_eq!((misspelt.status, misspelt.body["error"]["code"].as_str()), (400, Some("BAD_JSON")));
    assert_eq!(server.get(&rev_kok, "/v1/staff/reviews/R-K1-F1").body["item"]["status"], "open");
    let upheld = server.post(&rev_kok, "/v1/staff/reviews/R-K1-F1", &json!({"decision": "uphold", "note": "мест нет"}));
    assert_eq!(upheld.status, 200, "{}", upheld.body);
    let overruled = server.post(&rev_kok, "/v1/staff/reviews/R-K1-E1", &json!({"decision": "overrule"}));
    assert_eq!(overruled.status, 200, "{}", overruled.body);
    // Decided refusals leave the open list; "show decided" (`all=true`) still lists them, with
    // their decision, and a second decision is refused as already taken.
    let ids = |answer: &Answer| -> Vec<(String, String)> {
        answer
            .body
            .as_array()
            .unwrap()
            .iter()
            .map(|i| (i["id"].as_str().unwrap().into(), i["status"].as_str().unwrap().into()))
            .collect()
    };
    let open = ids(&server.get(&rev_kok, "/v1/staff/reviews"));
    assert!(!open.iter().any(|(id, _)| id == "R-K1-F1" || id == "R-K1-E1"), "{open:?}");
    let all = ids(&server.get(&rev_kok, "/v1/staff/reviews?all=true"));
    for decided in [("R-K1-F1", "upheld"), ("R-K1-E1", "overruled")] {
        assert!(all.contains(&(decided.0.into(), decided.1.into())), "{decided:?} in {all:?}");
    }
    let again = server.post(&rev_kok, "/v1/staff/reviews/R-K1-F1", &json!({"decision": "overrule"}));
    assert_eq!((again.status, again.body["error"]["code"].as_str()), (400, Some("INVALID_ARGUMENT")), "{}", again.body);

    // The distributor's dry run is what the round then does.
    let plan = server.post(&dist, "/v1/staff/districts/KOK/distribution/dry-run", &json!({}));
    assert_eq!(plan.status, 200, "{}", plan.body);
    let planned: Vec<String> = plan.body["queues"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|q| q["chosen"].as_array().unwrap().iter().map(|c| c["application"].as_str().unwrap().to_owned()))
        .collect();
    // The upheld refusal put K1-F1 back in its queue, and its place is free again.
    assert_eq!(planned, ["K1-F1", "K1-G1"]);
    assert_eq!(
        plan.body["queues"].as_array().unwrap().iter().find(|q| q["queue"]["groupYear"] == 2024).unwrap()["chosen"][0]
            ["position"],
        1
    );
    let round = server.post(&dist, "/v1/staff/districts/KOK/distribution", &json!({}));
    assert_eq!(round.status, 200, "{}", round.body);
    let issued: Vec<&str> =
        round.body["vouchers"].as_array().unwrap().iter().map(|v| v["application"].as_str().unwrap()).collect();
    assert_eq!(issued, ["K1-F1", "K1-G1"]);

    {
        let c = server.app.center.lock().unwrap();
        assert_eq!(c.state().application("K1-E1").unwrap().status, Status::DirectionIssued);
        assert_eq!(c.state().application("K1-F1").unwrap().status, Status::VoucherIssued);
    }
    // Every staff action is in the center's log, naming its user.
    let audit = server.get(&admin, "/v1/staff/audit").body;
    let rows: Vec<(String, String, String)> = audit
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["by"].as_str().unwrap().into(),
                r["action"].as_str().unwrap().into(),
                r["subject"].as_str().unwrap().into(),
            )
        })
        .collect();
    for expected in [
        ("dist-kok", "distribute", "KOK"),
        ("rev-kok", "review.overrule", "R-K1-E1"),
        ("rev-kok", "overruleRefusal", "K1-E1"),
        ("rev-kok", "review.uphold", "R-K1-F1"),
        ("rev-kok", "upholdRefusal", "K1-F1"),
        ("center", "user.add", "rev-kok"),
    ] {
        assert!(
            rows.iter().any(|r| (r.0.as_str(), r.1.as_str(), r.2.as_str()) == expected),
            "{expected:?} not in {rows:?}"
        );
    }
}

#[test]
fn sessions_expire_end_at_sign_out_and_with_a_disabled_account_and_survive_a_restart() {
    let (dir, center) = staffed_center();
    let server = Server::start(center, Duration::from_hours(1));
    let token = server.token("viewer");
    assert_eq!(server.get(&token, "/v1/staff/me").status, 200);
    server.set_clock("2026-03-11T12:59:59+05:00");
    assert_eq!(server.get(&token, "/v1/staff/me").status, 200);
    server.set_clock("2026-03-11T13:00:00+05:00");
    let expired = server.get(&token, "/v1/staff/me");
    assert_eq!((expired.status, expired.body["error"]["code"].as_str()), (401, Some("SESSION_EXPIRED")));
    let none = send("GET", &format!("{}/v1/staff/me", server.url), &[], None);
    assert_eq!((none.status, none.body["error"]["code"].as_str()), (401, Some("SIGN_IN_REQUIRED")));
    // Said in the language asked for, as every other error.
    for (lang, sign_in, expired_text) in [
        ("ru", "Сначала войдите в систему.", "Сессия неизвестна или истекла: войдите снова."),
        ("kk", "Алдымен жүйеге кіріңіз.", "Сессия белгісіз немесе мерзімі өтті: қайта кіріңіз."),
        ("en", "Sign in first.", "The session is unknown or expired: sign in again."),
    ] {
        let none = send("GET", &format!("{}/v1/staff/me", server.url), &[("Accept-Language", lang)], None);
        assert_eq!(none.body["error"]["message"], sign_in, "{lang}");
        let expired = send(
            "GET",
            &format!("{}/v1/staff/me", server.url),
            &[("Authorization", &format!("Bearer {token}")), ("Accept-Language", lang)],
            None,
        );
        assert_eq!(expired.body["error"]["message"], expired_text, "{lang}");
    }
    let forged = server.get(&"0".repeat(64), "/v1/staff/me");
    assert_eq!(forged.status, 401);

    // Sign-out ends the session for good.
    let token = server.token("viewer");
    let out = send(
        "DELETE",
        &format!("{}/v1/staff/session", server.url),
        &[("Authorization", &format!("Bearer {token}"))],
        None,
    );
    assert_eq!(out.status, 200);
    assert_eq!(server.get(&token, "/v1/staff/me").status, 401);

    // Disabling an account ends its sessions; an admin cannot disable themselves.
    let admin = server.token("admin");
    let rev = server.token("rev-zer");
    assert_eq!(server.post(&admin, "/v1/staff/users/rev-zer/disable", &json!({})).status, 200);
    assert_eq!(server.get(&rev, "/v1/staff/me").status, 401);
    assert_eq!(server.sign_in("rev-zer", PASSWORD).status, 401);
    let own = server.post(&admin, "/v1/staff/users/admin/disable", &json!({}));
    assert_eq!(own.body["error"]["code"], "OWN_ACCOUNT");

    // A live session survives a restart of the server (sessions are stored).
    let kept = server.token("dist-kok");
    drop(server);
    std::thread::sleep(Duration::from_millis(100));
    let server = Server::start(Center::open(dir.path()).unwrap(), Duration::from_hours(1));
    assert_eq!(server.get(&kept, "/v1/staff/me").status, 200);
}

#[test]
fn password_guessing_is_throttled_per_login_and_wrong_logins_look_like_wrong_passwords() {
    let (_dir, center) = staffed_center();
    let server = Server::start(center, Duration::from_hours(1));
    let unknown = server.sign_in("nobody", "whatever-123");
    let wrong = server.sign_in("rev-kok", "whatever-123");
    assert_eq!((unknown.status, unknown.body["error"]["code"].as_str()), (401, Some("BAD_CREDENTIALS")));
    assert_eq!((wrong.status, wrong.body["error"]["code"].as_str()), (401, Some("BAD_CREDENTIALS")));
    assert_eq!(unknown.body["error"]["message"], wrong.body["error"]["message"]);
    for _ in 0..4 {
        assert_eq!(server.sign_in("rev-kok", "guess-guess").status, 401);
    }
    // Five failures: even the right password waits now.
    let locked = server.sign_in("rev-kok", PASSWORD);
    assert_eq!(
        (locked.status, locked.body["error"]["code"].as_str()),
        (429, Some("LOGIN_THROTTLED")),
        "{}",
        locked.body
    );
    // Until the first failure is 15 minutes old (the test took a few seconds of it).
    let wait = locked.retry_after.expect("Retry-After");
    assert!((800..=900).contains(&wait), "Retry-After {wait}");
    // Said in Russian unless another language is asked for.
    let said = format!("Слишком много неудачных попыток входа: повторите через {wait} с.");
    assert_eq!(locked.body["error"]["message"], said.as_str());
    assert_eq!(server.sign_in("dist-kok", PASSWORD).status, 200, "other accounts are not locked");
    assert_eq!(server.sign_in("dist-kok", PASSWORD).retry_after, None);
}

#[test]
fn one_address_guessing_many_logins_is_throttled_after_twenty_failures() {
    let (dir, center) = staffed_center();
    let server = Server::start(center, Duration::from_hours(1));
    let open = server.token("dist-kok");
    // Twenty failures from 127.0.0.1, each for another login (no login reaches its own limit
    // of five), known accounts and unknown ones alike.
    for i in 0..center::throttle::MAX_FAILURES_PER_ADDRESS {
        let login = if i % 2 == 0 { format!("nobody-{i}") } else { ["admin", "rev-kok", "viewer"][i % 3].to_owned() };
        let answer = server.sign_in(&login, "guess-guess");
        assert_eq!((answer.status, answer.retry_after), (401, None), "attempt {i}: {}", answer.body);
    }
    // The twenty-first attempt from the address waits, whatever the login and password: even
    // an account with no failures of its own, with its right password.
    for login in ["dist-kok", "rev-zer", "nobody-new"] {
        let answer = server.sign_in(login, PASSWORD);
        assert_eq!(
            (answer.status, answer.body["error"]["code"].as_str()),
            (429, Some("LOGIN_THROTTLED")),
            "{login}: {}",
            answer.body
        );
        let wait = answer.retry_after.expect("Retry-After");
        assert!((800..=900).contains(&wait), "Retry-After {wait}");
    }
    // Sessions already open are not affected.
    assert_eq!(server.get(&open, "/v1/staff/me").status, 200);
    // With the embedded store the counts are the server's memory: a restart forgets them.
    // On PostgreSQL they are in the database, which every server (and a restarted one) reads.
    drop(server);
    std::thread::sleep(Duration::from_millis(100));
    let server = Server::start(Center::open(dir.path()).unwrap(), Duration::from_hours(1));
    let expected = if common::pg::postgres_run() { 429 } else { 200 };
    assert_eq!(server.sign_in("dist-kok", PASSWORD).status, expected);
}

#[test]
fn the_console_cookie_needs_the_csrf_token_for_every_change() {
    let (_dir, center) = staffed_center();
    let server = Server::start(center, Duration::from_hours(1));
    let signed = server.sign_in("admin", PASSWORD);
    let cookie_line = signed.set_cookie.unwrap();
    for attribute in ["HttpOnly", "Secure", "SameSite=Strict", "Path=/"] {
        assert!(cookie_line.contains(attribute), "{cookie_line}");
    }
    let token = signed.body["token"].as_str().unwrap();
    let csrf = signed.body["csrf"].as_str().unwrap();
    let cookie = format!("{COOKIE}={token}");
    let tick = format!("{}/v1/staff/tick", server.url);
    // Reading with the cookie alone is fine.
    let read = send("GET", &format!("{}/v1/staff/me", server.url), &[("Cookie", &cookie)], None);
    assert_eq!(read.status, 200);
    assert_eq!(read.body["csrf"], csrf);
    // A change riding the cookie from another site: no token, or a wrong one.
    let forged = send("POST", &tick, &[("Cookie", &cookie), ("Accept-Language", "kk")], Some(&json!({})));
    assert_eq!((forged.status, forged.body["error"]["code"].as_str()), (403, Some("CSRF")));
    assert_eq!(forged.body["error"]["message"], "Сұрауда сессияны қорғау кілті жоқ: бетті жаңартыңыз.");
    let wrong = "f".repeat(csrf.len());
    let forged = send("POST", &tick, &[("Cookie", &cookie), ("X-CSRF-Token", &wrong)], Some(&json!({})));
    assert_eq!(forged.status, 403);
    // The right token with a byte more, or with its last byte changed.
    let longer = format!("{csrf}0");
    let mut off_by_one = csrf[..csrf.len() - 1].to_owned();
    off_by_one.push(if csrf.ends_with('0') { '1' } else { '0' });
    for forged_token in [&longer, &off_by_one, &csrf[..csrf.len() - 1].to_owned()] {
        let forged = send("POST", &tick, &[("Cookie", &cookie), ("X-CSRF-Token", forged_token)], Some(&json!({})));
        assert_eq!(forged.status, 403, "{forged_token}");
    }
    let out = send("DELETE", &format!("{}/v1/staff/session", server.url), &[("Cookie", &cookie)], None);
    assert_eq!(out.status, 403, "signing someone out is a change too");
    // The console's own request carries it.
    let ok = send("POST", &tick, &[("Cookie", &cookie), ("X-CSRF-Token", csrf)], Some(&json!({})));
    assert_eq!(ok.status, 200, "{}", ok.body);
    // Another session's token does not fit this session.
    let other = server.sign_in("admin", PASSWORD).body["csrf"].as_str().unwrap().to_owned();
    let mixed = send("POST", &tick, &[("Cookie", &cookie), ("X-CSRF-Token", &other)], Some(&json!({})));
    assert_eq!(mixed.status, 403);
}

#[test]
fn admins_manage_kiosks_and_accounts_through_the_api_and_kiosks_cannot_write_audit_entries() {
    let (_dir, center) = staffed_center();
    let server = Server::start(center, Duration::from_hours(1));
    let admin = server.token("admin");
    let key = changelog::KioskKey::generate().unwrap();
    let print = server.get(&admin, &format!("/v1/staff/kiosks/fingerprint?publicKey={}", key.public_hex()));
    assert_eq!(print.body["fingerprint"], changelog::fingerprint(&key.verifying()));
    let added =
        server.post(&admin, "/v1/staff/kiosks", &json!({"id": "K2", "district": "KOK", "publicKey": key.public_hex()}));
    assert_eq!(added.status, 200, "{}", added.body);
    let kiosks = server.get(&admin, "/v1/staff/kiosks").body;
    let k2 = kiosks.as_array().unwrap().iter().find(|k| k["id"] == "K2").unwrap();
    assert_eq!(k2["warning"], true, "never heard from");
    let k1 = kiosks.as_array().unwrap().iter().find(|k| k["id"] == "K1").unwrap();
    assert_eq!((k1["offlineDays"].as_u64(), k1["warning"].as_bool()), (Some(0), Some(false)));
    server.set_clock("2026-03-13T13:00:01+05:00");
    let admin = server.token("admin");
    let kiosks = server.get(&admin, "/v1/staff/kiosks").body;
    let k1 = kiosks.as_array().unwrap().iter().find(|k| k["id"] == "K1").unwrap();
    assert_eq!((k1["offlineDays"].as_u64(), k1["warning"].as_bool()), (Some(3), Some(true)));

    // The new kiosk can push at once (the server's kiosk list was refreshed).
    let mut kiosk = TestKiosk { key, ..TestKiosk::new("K2") }.with_staff("2026-03-13T12:00:00+05:00");
    kiosk.push(
        "2026-03-13T12:01:00+05:00",
        "admin",
        &changelog::Payload::Audit { action: "user.add".into(), subject: "mallory".into(), note: None },
    );
    let ack = center::push(&server.url, &kiosk.signer(), &kiosk.all()).unwrap();
    let ack = changelog::sync::open_ack(&ack, &server.app.center.lock().unwrap().public_key()).unwrap();
    assert_eq!(ack.accepted_through_seq, 2);
    assert_eq!(ack.quarantined[0].code, "FORBIDDEN_COMMAND");
    let audit = server.get(&admin, "/v1/staff/audit").body;
    assert!(audit.as_array().unwrap().iter().all(|r| r["subject"] != "mallory"));
    assert!(audit.as_array().unwrap().iter().any(|r| r["action"] == "kiosk.add" && r["by"] == "admin"));

    let revoked = server.post(&admin, "/v1/staff/kiosks/K2/revoke", &json!({}));
    assert_eq!(revoked.status, 200);
    let refused = center::push(&server.url, &kiosk.signer(), &kiosk.all()).unwrap_err();
    assert!(refused.to_string().contains("REVOKED_KIOSK"), "{refused}");

    // Accounts: a reviewer needs a district; a new account signs in.
    let bad = server.post(
        &admin,
        "/v1/staff/users",
        &json!({"login": "r2", "name": "R", "role": "reviewer", "districts": [], "password": PASSWORD}),
    );
    assert_eq!(bad.body["error"]["code"], "DISTRICTS_REQUIRED");
    let good = server.post(
        &admin,
        "/v1/staff/users",
        &json!({"login": "r2", "name": "R", "role": "reviewer", "districts": ["AKK"], "password": PASSWORD}),
    );
    assert_eq!(good.status, 200, "{}", good.body);
    assert_eq!(server.sign_in("r2", PASSWORD).status, 200);
}

#[test]
fn quarantined_entries_are_re_examined_after_the_cause_is_fixed() {
    let (_dir, center) = staffed_center();
    let server = Server::start(center, Duration::from_hours(1));
    let admin = server.token("admin");
    // K3 registers a child of ZER, a district it does not serve yet: set aside.
    let mut kiosk = TestKiosk::new("K3").with_staff("2026-03-11T10:00:00+05:00");
    kiosk.register_child(
        "2026-03-11T10:05:00+05:00",
        rules::model::NewApplication {
            district: "ZER".into(),
            ..application("K3-1", &child_iin("2023-07-01", 41), "2023-07-01", RightClass::None)
        },
    );
    let key = kiosk.key.public_hex();
    let added = server.post(&admin, "/v1/staff/kiosks", &json!({"id": "K3", "district": "KOK", "publicKey": key}));
    assert_eq!(added.status, 200, "{}", added.body);
    center::push(&server.url, &kiosk.signer(), &kiosk.all()).unwrap();
    let listed = server.get(&admin, "/v1/staff/quarantine").body;
    let note = listed.as_array().unwrap().iter().find(|q| q["kiosk"] == "K3").unwrap().clone();
    assert_eq!((note["code"].as_str(), note["resolved"].as_bool()), (Some("OUT_OF_DISTRICT"), Some(false)));
    // Nothing to gain from re-examining before the fix.
    let early = server.post(&admin, "/v1/staff/quarantine/K3/reexamine", &json!({}));
    assert_eq!((early.status, early.body["accepted"].as_u64()), (200, Some(0)), "{}", early.body);
    // The administrator lets K3 serve ZER and re-examines: the kiosk need not resend.
    let widened = server.post(&admin, "/v1/staff/kiosks/K3/districts", &json!({"district": "ZER"}));
    assert_eq!(widened.status, 200, "{}", widened.body);
    let again = server.post(&admin, "/v1/staff/quarantine/K3/reexamine", &json!({}));
    assert_eq!((again.status, again.body["accepted"].as_u64()), (200, Some(1)), "{}", again.body);
    assert_eq!(server.app.center.lock().unwrap().state().application("K3-1").unwrap().district, "ZER");
    let listed = server.get(&admin, "/v1/staff/quarantine").body;
    assert!(listed.as_array().unwrap().iter().filter(|q| q["kiosk"] == "K3").all(|q| q["resolved"] == true));
    let audit = server.get(&admin, "/v1/staff/audit").body;
    let actions: Vec<&str> = audit.as_array().unwrap().iter().map(|r| r["action"].as_str().unwrap()).collect();
    assert!(actions.contains(&"quarantine.reexamine") && actions.contains(&"kiosk.serve"), "{actions:?}");
}

#[test]
fn accounts_keep_argon2id_hashes_and_sessions_only_the_token_hash_and_the_last_admin_stays() {
    let (dir, center) = staffed_center();
    let server = Server::start(center, Duration::from_hours(1));
    let admin = server.token("admin");
    // At least 8 characters.
    let short = json!({"login": "short", "name": "S", "role": "viewer", "districts": [], "password": "1234567"});
    let refused = server.post(&admin, "/v1/staff/users", &short);
    assert_eq!((refused.status, refused.body["error"]["code"].as_str()), (400, Some("INVALID_ARGUMENT")));
    let eight = json!({"login": "eight", "name": "E", "role": "viewer", "districts": [], "password": "12345678"});
    assert_eq!(server.post(&admin, "/v1/staff/users", &eight).status, 200);
    let viewer = server.token("viewer");
    drop(server);
    std::thread::sleep(Duration::from_millis(100));

    // What the store holds: argon2id hashes, and sessions under the SHA-256 of their token.
    let location = center::service::store_location(dir.path()).unwrap();
    let store =
        center::any_store::AnyStore::open(&dir.path().join(center::service::DB_DIR), location.as_deref()).unwrap();
    let operators = center::store::CenterStore::operators(&store).unwrap();
    assert!(operators.len() >= 6);
    for operator in &operators {
        assert!(operator.password_hash.starts_with("$argon2id$"), "{}: {}", operator.login, operator.password_hash);
        assert!(!operator.password_hash.contains(PASSWORD) && !operator.password_hash.contains("12345678"));
    }
    let sessions = center::store::CenterStore::sessions(&store).unwrap();
    let expected = center::accounts::token_hash(&viewer);
    assert!(sessions.iter().any(|s| s.token_hash == expected && s.login == "viewer"), "{sessions:?}");
    let stored = format!("{sessions:?}");
    for token in [&admin, &viewer] {
        assert_eq!(token.len(), 64, "256 bits, hex");
        assert!(!stored.contains(token.as_str()), "a token is never stored as it is");
    }
    drop(store);

    // The last active administrator cannot be disabled, not even from the data folder.
    let mut center = Center::open(dir.path()).unwrap();
    let last = center.disable_user(CENTER_ID, "admin", at(NOW)).unwrap_err();
    assert_eq!(last.code(), "LAST_ADMIN");
    assert!(!center.user("admin").unwrap().disabled);
}

/// A body that is not the request's JSON is refused with `400 BAD_JSON` and changes nothing:
/// junk, a valid prefix with junk after it, a wrong type.
#[test]
fn a_request_body_that_is_not_its_json_is_refused_and_changes_nothing() {
    let (_dir, center) = staffed_center();
    let server = Server::start(center, Duration::from_hours(1));
    let token = server.token("admin");
    let users_before = server.get(&token, "/v1/staff/users").body;
    let raw = |path: &str, body: &str| {
        let mut response = http_agent()
            .post(&format!("{}{path}", server.url))
            .header("Content-Type", "application/json")
            .header("Authorization", &format!("Bearer {token}"))
            .send(body.as_bytes())
            .unwrap();
        let status = response.status().as_u16();
        let body: Value = serde_json::from_slice(&response.body_mut().read_to_vec().unwrap()).unwrap_or(Value::Null);
        (status, body["error"]["code"].as_str().unwrap_or_default().to_owned())
    };
    let good = json!({"login": "new", "name": "New", "role": "viewer", "districts": ["KOK"], "password": PASSWORD});
    // A misspelt field is refused rather than dropped: "district" instead of "districts"
    // would otherwise make an account with no district.
    let misspelt = json!({"login": "new", "name": "New", "role": "viewer", "district": ["KOK"], "password": PASSWORD});
    for junk in ["not json".to_owned(), format!("{good} trailing"), r#"{"login": 5}"#.to_owned(), misspelt.to_string()]
    {
        assert_eq!(raw("/v1/staff/users", &junk), (400, "BAD_JSON".to_owned()), "{junk}");
    }
    assert_eq!(server.get(&token, "/v1/staff/users").body, users_before, "nothing was added");
    // The sign-in and the parents' channel read their bodies the same way.
    assert_eq!(raw("/v1/staff/session", "{\"login\": \"admin\"} x"), (400, "BAD_JSON".to_owned()));
    let extra = format!(r#"{{"login": "admin", "password": "{PASSWORD}", "remember": true}}"#);
    assert_eq!(raw("/v1/staff/session", &extra), (400, "BAD_JSON".to_owned()));
    let kiosks_before = server.get(&token, "/v1/staff/kiosks").body;
    let kiosk = r#"{"id": "K9", "district": "KOK", "publicKey": "00", "note": "x"}"#;
    assert_eq!(raw("/v1/staff/kiosks", kiosk), (400, "BAD_JSON".to_owned()));
    assert_eq!(server.get(&token, "/v1/staff/kiosks").body, kiosks_before, "no kiosk was added");
    assert_eq!(raw("/v1/parent/code", "[]").0, 400);
    // The well-formed request is taken.
    assert_eq!(server.post(&token, "/v1/staff/users", &good).status, 200);
}
