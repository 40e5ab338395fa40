//! The parents' channel (docs/PARENTS.md): sign-in with a one-time code from the outbox,
//! the registry-checked child link, online registration and actions written as the channel's
//! signed entries, what a parent may see, and online and offline actions on one application
//! ending the same whatever order they reach the center.
#![allow(clippy::unwrap_used, clippy::too_many_lines)]

mod common;

use std::sync::{Arc, Mutex};

use center::Center;
use center::http::{App, ServerOptions};
use center::notify::Notifications;
use center::parents::{OtpIdentity, ParentIdentity, ParentOptions, ParentsChannel};
use center::population::Pair;
use changelog::{KioskKey, Payload};
use common::*;
use rules::model::Kinship;
use rules::{Action, Instant, Status};

const START: &str = "2026-03-10T08:00:00+05:00";
const RECEIVED: &str = "2026-03-10T12:30:00+05:00";

/// The parent of the kiosk's applications (`common::application`'s applicant).
fn parent_iin() -> String {
    adult_iin(7)
}

/// Trusts a registry key and imports a signed file of `pairs` (parent, child).
fn import_registry(center: &mut Center, pairs: &[(String, String)]) {
    let key = ed25519_dalek::SigningKey::from_bytes(&[7u8; 32]);
    center.trust_population_key(&hex::encode(key.verifying_key().to_bytes()), "admin", at(START)).unwrap();
    let pairs =
        pairs.iter().map(|(p, c)| Pair { parent: p.clone(), child: c.clone(), kinship: Kinship::Mother }).collect();
    let bytes = center::population::sign(pairs, "test registry", START, &key).unwrap();
    center.import_population(&bytes, "admin", at(START)).unwrap();
}

/// A center with kiosk K1 (an office that registered child A of the parent, and 2 places in
/// KG-KOK-01), a registry listing the parent with A and B, and another family's child C.
fn setup() -> (tempfile::TempDir, Center, TestKiosk) {
    let (dir, mut center) = center();
    let mut kiosk = TestKiosk::new("K1").with_staff(START);
    kiosk.register_child(
        "2026-03-10T09:00:00+05:00",
        application("K1-A", &child_iin("2023-02-01", 1), "2023-02-01", rules::RightClass::None),
    );
    let mut other = application("K1-C", &child_iin("2023-02-01", 3), "2023-02-01", rules::RightClass::None);
    other.applicant.iin = adult_iin(9);
    other.applicant.name = "Другая Семья".into();
    other.applicant.phone = "+7 777 999 99 99".into();
    kiosk.register_child("2026-03-10T09:30:00+05:00", other);
    kiosk.add_places("2026-03-10T10:00:00+05:00", "K1-P1", 2023, 3);
    kiosk.register(&mut center);
    center.ingest(&kiosk.all(), at(RECEIVED), None).unwrap();
    import_registry(
        &mut center,
        &[
            (parent_iin(), child_iin("2023-02-01", 1)),
            (parent_iin(), child_iin("2023-05-01", 2)),
            (adult_iin(9), child_iin("2023-02-01", 3)),
        ],
    );
    (dir, center, kiosk)
}

fn parent() -> ParentIdentity {
    ParentIdentity { iin: parent_iin(), method: "otp".into() }
}

fn status(center: &Center, id: &str) -> Status {
    center.state().application(id).unwrap().status
}

#[test]
fn online_registration_and_actions_are_signed_entries_of_the_channel_checked_by_the_rules() {
    let (dir, mut center, _) = setup();
    let key = KioskKey::generate().unwrap();
    let parent = parent();
    let registry = center.population();

    // Nothing before the link.
    let new_child = || {
        let mut app = application("", &child_iin("2023-05-01", 2), "2023-05-01", rules::RightClass::None);
        app.applicant.iin = parent_iin();
        app
    };
    let refused = center.register_online(&key, &parent, new_child(), at("2026-03-10T13:00:00+05:00")).unwrap_err();
    assert_eq!(refused.code(), "NOT_LINKED");
    assert!(center.parent_applications(&parent, at("2026-03-10T13:00:00+05:00")).is_empty());

    // The registry decides links: the other family's child is refused.
    let refused = center
        .link_child(&key, &parent, &child_iin("2023-02-01", 3), registry.as_ref(), at("2026-03-10T13:00:00+05:00"))
        .unwrap_err();
    assert_eq!((refused.code().as_str(), refused.status()), ("NOT_IN_REGISTRY", 403));
    let refused =
        center.link_child(&key, &parent, "123", registry.as_ref(), at("2026-03-10T13:00:00+05:00")).unwrap_err();
    assert_eq!(refused.code(), "IIN_FORMAT");
    for child in [child_iin("2023-02-01", 1), child_iin("2023-05-01", 2), child_iin("2023-02-01", 1)] {
        center.link_child(&key, &parent, &child, registry.as_ref(), at("2026-03-10T13:01:00+05:00")).unwrap();
    }
    assert_eq!(center.linked_children(&parent.iin), [child_iin("2023-02-01", 1), child_iin("2023-05-01", 2)]);
    let seen: Vec<String> = center
        .parent_applications(&parent, at("2026-03-10T13:02:00+05:00"))
        .into_iter()
        .map(|v| v.application.id)
        .collect();
    assert_eq!(seen, ["K1-A"], "the office's registration of a linked child, and not the other family's");

    // Registering: numbered by the channel, the applicant must be the parent.
    let mut someone_else = new_child();
    someone_else.applicant.iin = adult_iin(9);
    let refused = center.register_online(&key, &parent, someone_else, at("2026-03-10T13:03:00+05:00")).unwrap_err();
    assert_eq!(refused.code(), "NOT_APPLICANT");
    let view = center.register_online(&key, &parent, new_child(), at("2026-03-10T13:04:00+05:00")).unwrap();
    assert_eq!(view.application.id, "KOK-WEB-2026-000001");
    assert_eq!(view.application.status, Status::Queued);
    assert_eq!(view.position, Some(3), "after K1-A and K1-C of the same group year");
    // The same child again: the rules' duplicate check, nothing written.
    let refused = center.register_online(&key, &parent, new_child(), at("2026-03-10T13:05:00+05:00")).unwrap_err();
    assert_eq!(refused.code(), "DUPLICATE_CHILD");

    // Office-only and other families' applications are refused before anything is written.
    let head_before = center.kiosks().into_iter().find(|k| k.id == "WEB").unwrap().accepted_through_seq;
    for (id, action, code) in [
        ("K1-A", Action::AcceptChild, "NOT_PARENT_ACTION"),
        ("K1-C", Action::Withdraw, "UNKNOWN_APPLICATION"),
        ("K1-A", Action::ConfirmVoucher, "NOT_ALLOWED"),
    ] {
        let refused = center.act_online(&key, &parent, id, action, None, at("2026-03-10T13:06:00+05:00")).unwrap_err();
        assert_eq!(refused.code(), code, "{id}");
    }
    assert_eq!(center.kiosks().into_iter().find(|k| k.id == "WEB").unwrap().accepted_through_seq, head_before);

    // A round issues a voucher to K1-A; the parent confirms, chooses and signs.
    center.distribute(DISTRICT, at("2026-03-10T18:00:00+05:00")).unwrap();
    assert_eq!(status(&center, "K1-A"), Status::VoucherIssued);
    let view = center
        .act_online(&key, &parent, "K1-A", Action::ConfirmVoucher, None, at("2026-03-11T09:00:00+05:00"))
        .unwrap();
    assert_eq!(view.application.status, Status::VoucherConfirmed);
    assert!(view.allowed_actions.iter().any(|a| a.action == rules::ActionKind::ChooseKindergarten));
    let choices = center.parent_choices(&parent, "K1-A", at("2026-03-11T09:01:00+05:00")).unwrap();
    assert_eq!(choices.len(), 1);
    assert_eq!(choices[0].kindergarten.id, KG);
    let choose = Action::ChooseKindergarten { kindergarten: KG.into(), language: rules::model::GroupLanguage::Ru };
    let refused = center
        .act_online(&key, &parent, "K1-A", choose.clone(), Some("00"), at("2026-03-11T09:02:00+05:00"))
        .unwrap_err();
    assert_eq!(refused.code(), "CONTRACT_MISMATCH");
    let contract = center
        .parent_contract(
            &parent,
            "K1-A",
            KG,
            rules::model::GroupLanguage::Ru,
            rules::Lang::Kk,
            at("2026-03-11T09:02:00+05:00"),
        )
        .unwrap();
    assert!(contract.text.contains("K1-A") && contract.text.contains("ШАРТ"));
    let view = center
        .act_online(&key, &parent, "K1-A", choose, Some(&contract.sha256), at("2026-03-11T09:03:00+05:00"))
        .unwrap();
    assert_eq!(view.application.status, Status::DirectionIssued);
    assert_eq!(view.kindergarten.unwrap().id, KG);

    // Everything the parent did is in the channel's log, signed and chained, with the method.
    let web = center.kiosks().into_iter().find(|k| k.id == "WEB").unwrap();
    assert_eq!(web.accepted_through_seq, 6, "2 links, 1 registration, 1 confirmation, contract + choice");
    let trail = center.audit_trail(100);
    assert!(trail.iter().any(|r| r.action == "kiosk.add" && r.subject == "WEB"));

    // A restart rebuilds links and state from the log alone.
    let dir = dir.path().to_owned();
    let before = applications_json(&center);
    drop(center);
    let center = Center::open(&dir).unwrap();
    assert_eq!(applications_json(&center), before);
    assert_eq!(center.linked_children(&parent.iin).len(), 2);
}

/// A center where the parent linked child A and a round issued K1-A a voucher; the kiosk's
/// last contact is the round.
fn voucher_for_a_linked_child() -> (tempfile::TempDir, Center, TestKiosk, KioskKey) {
    let (dir, mut center, mut kiosk) = setup();
    let key = KioskKey::generate().unwrap();
    let registry = center.population();
    center
        .link_child(&key, &parent(), &child_iin("2023-02-01", 1), registry.as_ref(), at("2026-03-10T13:00:00+05:00"))
        .unwrap();
    center.distribute(DISTRICT, at("2026-03-10T18:00:00+05:00")).unwrap();
    assert_eq!(status(&center, "K1-A"), Status::VoucherIssued);
    kiosk.last_contact = Some("2026-03-10T18:00:00+05:00".into());
    (dir, center, kiosk, key)
}

/// The parent withdraws online at 10:00 while the office recorded a confirmation offline
/// at 09:00; the office's kiosk syncs before or after the parent acts. Same end either way.
#[test]
fn an_online_withdrawal_and_an_offline_confirmation_end_the_same_in_both_sync_orders() {
    let mut ends = Vec::new();
    for kiosk_first in [false, true] {
        let (_dir, mut center, mut kiosk, key) = voucher_for_a_linked_child();
        let from = kiosk.next_seq();
        kiosk.act("2026-03-11T09:00:00+05:00", "op", "K1-A", Action::ConfirmVoucher);
        if kiosk_first {
            center.ingest(&kiosk.bundle(from, from), at("2026-03-11T09:30:00+05:00"), None).unwrap();
        }
        center.act_online(&key, &parent(), "K1-A", Action::Withdraw, None, at("2026-03-11T10:00:00+05:00")).unwrap();
        if !kiosk_first {
            // Synced after the withdrawal, the confirmation folds before it (09:00 < 10:00).
            let report = center.ingest(&kiosk.bundle(from, from), at("2026-03-11T11:00:00+05:00"), None).unwrap();
            assert!(report.report.review.is_empty(), "the confirmation came first: it stands");
        }
        let app = center.state().application("K1-A").unwrap().clone();
        assert_eq!(app.status, Status::Archived);
        ends.push(serde_json::to_string(&app).unwrap());
    }
    assert_eq!(ends[0], ends[1], "the same application, to the byte, in both sync orders");

    // The parent withdraws online at 09:00; the office, offline, records a confirmation at
    // 10:00 and syncs later: the confirmation comes after the withdrawal and is refused; it
    // goes to the reviewers, nothing is lost.
    let (_dir, mut center, mut kiosk, key) = voucher_for_a_linked_child();
    center.act_online(&key, &parent(), "K1-A", Action::Withdraw, None, at("2026-03-11T09:00:00+05:00")).unwrap();
    let from = kiosk.next_seq();
    kiosk.act("2026-03-11T10:00:00+05:00", "op", "K1-A", Action::ConfirmVoucher);
    let report = center.ingest(&kiosk.bundle(from, from), at("2026-03-11T10:30:00+05:00"), None).unwrap();
    assert_eq!(report.report.accepted, 1, "kept in the log");
    assert_eq!(report.report.review.len(), 1, "the office's late confirmation goes to review");
    assert_eq!(status(&center, "K1-A"), Status::Archived);
}

/// Kiosks cannot write the channel's entries, and nobody can register a kiosk as `WEB`.
#[test]
fn only_the_channel_writes_links_and_contracts_and_its_id_is_reserved() {
    let (_dir, mut center, mut kiosk) = setup();
    let from = kiosk.next_seq();
    kiosk.push(
        "2026-03-10T12:00:00+05:00",
        "op",
        &Payload::ParentLinked { parent: adult_iin(9), child: child_iin("2023-02-01", 1), evidence: "forged".into() },
    );
    let report = center.ingest(&kiosk.bundle(from, from), at("2026-03-10T13:00:00+05:00"), None).unwrap();
    assert_eq!(report.report.accepted, 0);
    assert_eq!(report.report.quarantined[0].code, "FORBIDDEN_COMMAND");
    let other = KioskKey::generate().unwrap();
    assert!(center.add_kiosk("WEB", DISTRICT, &other.public_hex(), at(START)).is_err());

    // A second channel key (a replaced portal.key) is refused rather than forking the log.
    let key = KioskKey::generate().unwrap();
    let registry = center.population();
    center
        .link_child(&key, &parent(), &child_iin("2023-02-01", 1), registry.as_ref(), at("2026-03-10T13:00:00+05:00"))
        .unwrap();
    let refused = center
        .link_child(&other, &parent(), &child_iin("2023-05-01", 2), registry.as_ref(), at("2026-03-10T13:01:00+05:00"))
        .unwrap_err();
    assert_eq!(refused.code(), "SETUP");
}

// ----- over HTTP -----

struct Server {
    _handle: center::http::ServerHandle,
    url: String,
    data: std::path::PathBuf,
    clock: Arc<Mutex<Instant>>,
    center: Arc<Mutex<Center>>,
}

fn serve(dir: &std::path::Path, center: Center) -> Server {
    let clock = Arc::new(Mutex::new(at("2026-03-10T13:00:00+05:00")));
    let now = Arc::clone(&clock);
    let notifications = Arc::new(Notifications::open_with_file(dir).unwrap());
    let options = ServerOptions {
        notifications: Some(Arc::clone(&notifications)),
        parents: Some(ParentsChannel::new(
            KioskKey::generate().unwrap(),
            Arc::new(OtpIdentity::new(notifications)),
            ParentOptions { session_lifetime: std::time::Duration::from_mins(30), secure_cookie: false },
        )),
        ..ServerOptions::default()
    };
    let app = App::with_options(center, Arc::new(move || *now.lock().unwrap()), options);
    let shared = Arc::clone(&app.center);
    let handle = center::http::spawn("127.0.0.1:0", app).unwrap();
    Server { url: handle.url(), _handle: handle, data: dir.to_owned(), clock, center: shared }
}

impl Server {
    fn set_time(&self, text: &str) {
        *self.clock.lock().unwrap() = at(text);
    }

    /// The last sign-in code the outbox delivered to `iin`.
    fn code_for(&self, iin: &str) -> String {
        let text = std::fs::read_to_string(self.data.join("outbox").join("delivered.jsonl")).unwrap_or_default();
        let line = text
            .lines()
            .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
            .rfind(|m| m["kind"] == "signInCode" && m["to"]["iin"] == iin)
            .unwrap_or_else(|| panic!("no code for {iin} in the outbox"));
        let text = line["text"].as_str().unwrap();
        text.split(|c: char| !c.is_ascii_digit()).find(|w| w.len() == 6).unwrap().to_owned()
    }
}

/// A browser of one parent: its cookie and CSRF token.
#[derive(Default)]
struct Browser {
    cookie: Option<String>,
    csrf: Option<String>,
    /// Every body it received, for the privacy check.
    seen: Vec<String>,
}

impl Browser {
    fn send(&mut self, method: &str, url: &str, body: Option<serde_json::Value>) -> (u16, serde_json::Value) {
        let agent = http_agent();
        let mut request = axum::http::Request::builder().method(method).uri(url).header("Accept-Language", "kk");
        if let Some(cookie) = &self.cookie {
            request = request.header("Cookie", format!("kezek_parent={cookie}"));
        }
        if let Some(csrf) = &self.csrf {
            request = request.header("X-CSRF-Token", csrf);
        }
        let bytes = body.map(|b| b.to_string().into_bytes()).unwrap_or_default();
        let request = request.header("Content-Type", "application/json").body(bytes).unwrap();
        let mut response = agent.run(request).unwrap();
        let status = response.status().as_u16();
        if let Some(set) = response.headers().get("set-cookie").and_then(|v| v.to_str().ok())
            && let Some(value) = set.strip_prefix("kezek_parent=").and_then(|v| v.split(';').next())
        {
            self.cookie = (!value.is_empty()).then(|| value.to_owned());
        }
        let text = response.body_mut().read_to_string().unwrap_or_default();
        self.seen.push(text.clone());
        (status, serde_json::from_str(&text).unwrap_or(serde_json::Value::Null))
    }

    fn sign_in(&mut self, server: &Server, iin: &str) {
        let (status, _) =
            self.send("POST", &format!("{}/v1/parent/code", server.url), Some(serde_json::json!({"iin": iin})));
        assert_eq!(status, 202);
        let code = server.code_for(iin);
        let (status, body) = self.send(
            "POST",
            &format!("{}/v1/parent/session", server.url),
            Some(serde_json::json!({"iin": iin, "code": code})),
        );
        assert_eq!(status, 200, "{body}");
        self.csrf = body["csrf"].as_str().map(str::to_owned);
    }
}

#[test]
fn a_parent_signs_in_with_the_outbox_code_links_registers_and_acts_over_http() {
    let (dir, center, _) = setup();
    let server = serve(dir.path(), center);
    let url = server.url.clone();
    let mut browser = Browser::default();

    // Signed out: nothing personal.
    let (status, body) = browser.send("GET", &format!("{url}/v1/parent/me"), None);
    assert_eq!((status, body["error"]["code"].as_str()), (401, Some("UNAUTHENTICATED")));
    let (status, body) = browser.send("POST", &format!("{url}/v1/parent/code"), Some(serde_json::json!({"iin": "12"})));
    assert_eq!((status, body["error"]["code"].as_str()), (400, Some("IIN_FORMAT")));

    browser.sign_in(&server, &parent_iin());
    let (status, me) = browser.send("GET", &format!("{url}/v1/parent/me"), None);
    assert_eq!(status, 200);
    assert_eq!(me["parent"]["method"], "otp");
    assert_eq!(me["applications"].as_array().unwrap().len(), 0, "nothing before a link");

    // A change without the CSRF token is refused.
    let csrf = browser.csrf.take();
    let (status, body) = browser.send(
        "POST",
        &format!("{url}/v1/parent/children"),
        Some(serde_json::json!({"childIin": child_iin("2023-02-01", 1)})),
    );
    assert_eq!((status, body["error"]["code"].as_str()), (403, Some("CSRF")));
    browser.csrf = csrf;

    // A child the registry does not list with this parent (not the other family's: the
    // parent never types their IIN, so that none of it can come back below).
    let (status, body) = browser.send(
        "POST",
        &format!("{url}/v1/parent/children"),
        Some(serde_json::json!({"childIin": child_iin("2023-02-01", 5)})),
    );
    assert_eq!((status, body["error"]["code"].as_str()), (403, Some("NOT_IN_REGISTRY")));
    assert!(body["error"]["message"].as_str().unwrap().contains("тізілім"), "Kazakh message: {body}");
    for child in [child_iin("2023-02-01", 1), child_iin("2023-05-01", 2)] {
        let (status, body) =
            browser.send("POST", &format!("{url}/v1/parent/children"), Some(serde_json::json!({"childIin": child})));
        assert_eq!(status, 200, "{body}");
    }
    let (_, me) = browser.send("GET", &format!("{url}/v1/parent/me"), None);
    let children = me["children"].as_array().unwrap();
    assert_eq!(children.len(), 2);
    assert_eq!(children[0]["iin"], child_iin("2023-02-01", 1).as_str());
    assert_eq!(children[0]["linkedAt"], "2026-03-10T13:00:00+05:00");
    assert_eq!(children[0]["name"], "Ахметов Ерлан", "from the office's registration");
    assert!(children[1].get("name").is_none(), "not registered yet");
    let mut new_child = application("", &child_iin("2023-05-01", 2), "2023-05-01", rules::RightClass::None);
    new_child.applicant.iin = parent_iin();
    new_child.applicant.email = Some("parent@example.kz".into());
    let (status, body) = browser.send(
        "POST",
        &format!("{url}/v1/parent/applications"),
        Some(serde_json::json!({"application": new_child})),
    );
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["application"]["id"], "KOK-WEB-2026-000001");

    // A round (the center's day) issues K1-A a voucher; the parent sees it and its deadline.
    server.center.lock().unwrap().distribute(DISTRICT, at("2026-03-10T18:00:00+05:00")).unwrap();
    server.set_time("2026-03-11T09:00:00+05:00");
    let (status, _) = browser.send("GET", &format!("{url}/v1/parent/me"), None);
    assert_eq!(status, 401, "yesterday's session is over");
    browser.sign_in(&server, &parent_iin());
    let (_, me) = browser.send("GET", &format!("{url}/v1/parent/me"), None);
    let a = me["applications"].as_array().unwrap().iter().find(|a| a["id"] == "K1-A").unwrap().clone();
    assert_eq!(a["status"], "voucher_issued");
    assert_eq!(a["deadlines"][0]["kind"], "confirm");
    let allowed: Vec<&str> =
        a["allowedActions"].as_array().unwrap().iter().map(|x| x["action"].as_str().unwrap()).collect();
    assert_eq!(allowed, ["confirmVoucher", "refuseVoucher", "withdraw"]);
    assert_eq!(a["allowedActions"][0]["deadline"], a["deadlines"][0]["at"]);

    let act = |browser: &mut Browser, id: &str, body: serde_json::Value| {
        browser.send("POST", &format!("{url}/v1/parent/applications/{id}/actions"), Some(body))
    };
    let (status, body) = act(&mut browser, "K1-C", serde_json::json!({"action": {"type": "withdraw"}}));
    assert_eq!((status, body["error"]["code"].as_str()), (404, Some("UNKNOWN_APPLICATION")));
    let (status, body) = act(&mut browser, "K1-A", serde_json::json!({"action": {"type": "acceptChild"}}));
    assert_eq!((status, body["error"]["code"].as_str()), (403, Some("NOT_PARENT_ACTION")));
    let (status, body) = act(&mut browser, "K1-A", serde_json::json!({"action": {"type": "confirmVoucher"}}));
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["application"]["status"], "voucher_confirmed");

    let (status, choices) = browser.send("GET", &format!("{url}/v1/parent/applications/K1-A/choices"), None);
    assert_eq!(status, 200);
    assert_eq!(choices["kindergartens"][0]["kindergarten"]["id"], KG);
    let (status, contract) = browser.send(
        "GET",
        &format!("{url}/v1/parent/applications/K1-A/contract?kindergarten={KG}&language=ru&lang=ru"),
        None,
    );
    assert_eq!(status, 200, "{contract}");
    let choose = serde_json::json!({"type": "chooseKindergarten", "kindergarten": KG, "language": "ru"});
    let (status, body) = act(&mut browser, "K1-A", serde_json::json!({"action": choose, "contractSha256": "ab"}));
    assert_eq!((status, body["error"]["code"].as_str()), (400, Some("CONTRACT_MISMATCH")));
    let (status, body) =
        act(&mut browser, "K1-A", serde_json::json!({"action": choose, "contractSha256": contract["sha256"]}));
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["application"]["status"], "direction_issued");

    // Privacy: the other family's IIN, phone and name never reached this parent.
    for secret in [adult_iin(9), child_iin("2023-02-01", 3), "+7 777 999 99 99".to_owned(), "Другая Семья".to_owned()]
    {
        assert!(browser.seen.iter().all(|b| !b.contains(&secret)), "{secret} leaked to another family");
    }
    let (status, public) = browser.send("GET", &format!("{url}/v1/public/districts/{DISTRICT}/queue"), None);
    assert_eq!(status, 200);
    let public = public.to_string();
    for secret in [parent_iin(), adult_iin(9), child_iin("2023-02-01", 3), "+7 777 999 99 99".to_owned()] {
        assert!(!public.contains(&secret), "{secret} in the public queue");
    }

    // Sign-out ends the session.
    let (status, _) = browser.send("DELETE", &format!("{url}/v1/parent/session"), None);
    assert_eq!(status, 200);
    let (status, _) = browser.send("GET", &format!("{url}/v1/parent/me"), None);
    assert_eq!(status, 401);
}

#[test]
fn codes_are_throttled_spent_after_five_tries_and_sessions_expire() {
    let (dir, center, _) = setup();
    let server = serve(dir.path(), center);
    let url = server.url.clone();
    let iin = parent_iin();
    let mut browser = Browser::default();

    // Five wrong codes spend the code: the right one no longer works.
    let (status, _) = browser.send("POST", &format!("{url}/v1/parent/code"), Some(serde_json::json!({"iin": iin})));
    assert_eq!(status, 202);
    let code = server.code_for(&iin);
    let wrong = if code == "000000" { "000001" } else { "000000" };
    for _ in 0..5 {
        let (status, body) = browser.send(
            "POST",
            &format!("{url}/v1/parent/session"),
            Some(serde_json::json!({"iin": iin, "code": wrong})),
        );
        assert_eq!((status, body["error"]["code"].as_str()), (401, Some("WRONG_CODE")));
    }
    let (status, body) =
        browser.send("POST", &format!("{url}/v1/parent/session"), Some(serde_json::json!({"iin": iin, "code": code})));
    assert_eq!((status, body["error"]["code"].as_str()), (401, Some("NO_CODE")));

    // An expired code.
    browser.send("POST", &format!("{url}/v1/parent/code"), Some(serde_json::json!({"iin": iin})));
    let code = server.code_for(&iin);
    server.set_time("2026-03-10T13:05:01+05:00");
    let (status, body) =
        browser.send("POST", &format!("{url}/v1/parent/session"), Some(serde_json::json!({"iin": iin, "code": code})));
    assert_eq!((status, body["error"]["code"].as_str()), (401, Some("CODE_EXPIRED")));

    // Five codes per IIN in 15 minutes: the sixth waits, with Retry-After.
    for _ in 0..3 {
        let (status, _) = browser.send("POST", &format!("{url}/v1/parent/code"), Some(serde_json::json!({"iin": iin})));
        assert_eq!(status, 202);
    }
    let (status, body) = browser.send("POST", &format!("{url}/v1/parent/code"), Some(serde_json::json!({"iin": iin})));
    assert_eq!((status, body["error"]["code"].as_str()), (429, Some("THROTTLED")));
    server.set_time("2026-03-10T13:15:00+05:00");
    browser.sign_in(&server, &iin);

    // A session lasts 30 minutes.
    let (status, _) = browser.send("GET", &format!("{url}/v1/parent/me"), None);
    assert_eq!(status, 200);
    server.set_time("2026-03-10T13:45:01+05:00");
    let (status, body) = browser.send("GET", &format!("{url}/v1/parent/me"), None);
    assert_eq!((status, body["error"]["code"].as_str()), (401, Some("UNAUTHENTICATED")));

    // A staff session's cookie value is not a parent's session (and the other way round).
    let mut staff = Browser { cookie: Some("not-a-token".into()), ..Browser::default() };
    let (status, _) = staff.send("GET", &format!("{url}/v1/parent/me"), None);
    assert_eq!(status, 401);
}

/// Two servers on one PostgreSQL store: a code one sends, the other checks; wrong tries and
/// throttling count across both.
#[test]
fn servers_sharing_a_store_share_the_sign_in_codes() {
    use center::parents::{CodeBook, CodeError};
    let url = pg::cluster().store();
    let (a, b) = (CodeBook::shared(&url), CodeBook::shared(&url));
    let address: std::net::IpAddr = "192.0.2.7".parse().unwrap();
    let iin = parent_iin();
    let now = at("2026-03-10T10:00:00+05:00");
    let code = a.issue(&iin, address, now).unwrap();
    assert_eq!(b.redeem(&iin, &code, now), Ok(()), "sent by one server, checked by the other");
    assert_eq!(a.redeem(&iin, &code, now), Err(CodeError::NoCode), "and used up for both");

    let code = b.issue(&iin, address, at("2026-03-10T10:01:00+05:00")).unwrap();
    let wrong = if code == "000000" { "000001" } else { "000000" };
    for (book, left) in [(&a, 4), (&b, 3), (&a, 2), (&b, 1), (&a, 0)] {
        assert_eq!(book.redeem(&iin, wrong, now), Err(CodeError::Wrong { tries_left: left }));
    }
    assert_eq!(b.redeem(&iin, &code, now), Err(CodeError::NoCode), "five tries across both servers");

    for minute in 2..5 {
        let book = if minute % 2 == 0 { &a } else { &b };
        book.issue(&iin, address, at(&format!("2026-03-10T10:0{minute}:00+05:00"))).unwrap();
    }
    assert!(
        matches!(a.issue(&iin, address, at("2026-03-10T10:05:00+05:00")), Err(CodeError::Throttled { .. })),
        "five codes per IIN in 15 minutes, counted across both servers"
    );

    // The database away: a typed refusal, no code.
    let away = CodeBook::shared("postgres://127.0.0.1:1/nothing?connect_timeout=1");
    assert_eq!(away.issue(&iin, address, now), Err(CodeError::Unavailable));
}

/// On a shared store, rows that change nothing any more are deleted when the next code is
/// asked: codes asked for made-up IINs from many addresses do not fill the tables for ever.
/// An expired code's row stays for a window after its expiry, so a late try still hears
/// "expired".
#[test]
fn shared_code_rows_are_deleted_once_they_change_nothing() {
    use center::parents::{CodeBook, CodeError};
    let url = pg::cluster().store();
    let book = CodeBook::shared(&url);
    let address = |last: u8| std::net::IpAddr::from([192, 0, 2, last]);
    let first = parent_iin();
    let code = book.issue(&first, address(1), at("2026-03-10T10:00:00+05:00")).unwrap();
    // The code expires at 10:05; its row is kept until 10:20.
    book.issue("made-up-1", address(2), at("2026-03-10T10:19:59+05:00")).unwrap();
    assert_eq!(book.redeem(&first, &code, at("2026-03-10T10:19:59+05:00")), Err(CodeError::Expired));
    book.issue("made-up-2", address(3), at("2026-03-10T10:20:01+05:00")).unwrap();

    let mut sql = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    let column = |sql: &mut postgres::Client, query: &str| -> Vec<String> {
        sql.query(query, &[]).unwrap().iter().map(|row| row.get(0)).collect()
    };
    assert_eq!(column(&mut sql, "SELECT iin FROM parent_codes ORDER BY iin"), ["made-up-1", "made-up-2"]);
    assert_eq!(
        column(&mut sql, "SELECT address FROM parent_code_addresses ORDER BY address"),
        ["192.0.2.2", "192.0.2.3"]
    );
    // The pruned IIN starts afresh: no code, and a new one can be asked.
    assert_eq!(book.redeem(&first, &code, at("2026-03-10T10:20:02+05:00")), Err(CodeError::NoCode));
    assert!(book.issue(&first, address(1), at("2026-03-10T10:20:03+05:00")).is_ok());
}
