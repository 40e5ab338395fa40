//! Login throttling: a growing delay after failed attempts, per login (known or unknown),
//! refused with `LOGIN_THROTTLED` during the lock-out, kept across restarts of the kiosk.
//! The timing of unknown logins against wrong passwords is in `login_timing.rs` (its own
//! process: it needs real argon2 parameters, these tests use cheap ones).
#![allow(clippy::unwrap_used)]

mod common;

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use kiosk::operators::{THROTTLE_FILE, login_wait_seconds};
use kiosk::{Kiosk, LoginError, testkit};
use rules::{Instant, Localized};

/// A kiosk clock the test moves by hand (milliseconds since the Unix epoch).
#[derive(Clone)]
struct Clock(Arc<AtomicI64>);

impl Clock {
    fn at(ms: i64) -> Self {
        Clock(Arc::new(AtomicI64::new(ms)))
    }
    fn ms(&self) -> i64 {
        self.0.load(Ordering::SeqCst)
    }
    fn advance_ms(&self, ms: i64) {
        self.0.fetch_add(ms, Ordering::SeqCst);
    }
    fn install(&self, k: &mut Kiosk) {
        let c = self.0.clone();
        k.set_clock(move || {
            Instant(chrono::DateTime::from_timestamp_millis(c.load(Ordering::SeqCst)).unwrap().fixed_offset())
        });
    }
}

/// 2026-11-24 10:00 UTC.
const T0: i64 = 1_795_514_400_000;

fn open(dir: &Path, clock: &Clock) -> Kiosk {
    let mut k = Kiosk::open(dir).unwrap();
    clock.install(&mut k);
    k
}

fn code<T: std::fmt::Debug>(r: &Result<T, LoginError>) -> &'static str {
    r.as_ref().map_or_else(Localized::code, |_| "OK")
}

/// One failed attempt (which must be checked, not refused), then what the kiosk enforces:
/// the wait it answers, checked by an attempt just before it ends and by moving the clock
/// to its end.
fn fail_and_measure(k: &Kiosk, clock: &Clock, login: &str) -> u64 {
    assert_eq!(k.login(login, "wrong-password").unwrap_err(), LoginError::Failed, "{login} at {}", clock.ms());
    let wait = login_wait_seconds(k, login);
    if wait > 0 {
        // Refused unchecked, even with the right password, until the wait is over.
        assert_eq!(k.login(login, "wrong-password").unwrap_err(), LoginError::Throttled { wait_seconds: wait });
        let ms = i64::try_from(wait).unwrap() * 1000;
        clock.advance_ms(ms - 1);
        assert_eq!(k.login(login, "wrong-password").unwrap_err(), LoginError::Throttled { wait_seconds: 1 });
        clock.advance_ms(1);
    }
    wait
}

#[test]
fn fifty_wrong_passwords_grow_the_delay_and_the_right_one_waits_for_the_lock_out() {
    let dir = tempfile::tempdir().unwrap();
    let clock = Clock::at(T0);
    let mut k = testkit::staffed_kiosk(dir.path(), "KOK", "KOK-03", Some("KG-KOK-01"));
    clock.install(&mut k);

    // The first 49 failures, each followed by the lock-out it causes.
    let waits: Vec<u64> = (0..49).map(|_| fail_and_measure(&k, &clock, "op")).collect();
    let mut expected = vec![0, 0, 0, 1, 2, 4, 8, 16, 32];
    expected.resize(49, 60);
    assert_eq!(waits, expected);

    // The 50th failure: a minute of lock-out, in which the right password is refused too.
    assert_eq!(k.login("op", "wrong-password").unwrap_err(), LoginError::Failed);
    let refused = k.login("op", testkit::OPERATOR_PASSWORD);
    assert_eq!(code(&refused), "LOGIN_THROTTLED");
    assert_eq!(refused.unwrap_err(), LoginError::Throttled { wait_seconds: 60 });
    let e = LoginError::Throttled { wait_seconds: 60 };
    assert_eq!(e.message(rules::Lang::Ru), "Слишком много неудачных попыток входа. Повторите через 60 с");
    assert!(e.message(rules::Lang::Kk).contains("60 с"));
    assert_eq!(e.message(rules::Lang::En), "Too many failed login attempts. Try again in 60 s");
    clock.advance_ms(30_000);
    assert_eq!(k.login("op", testkit::OPERATOR_PASSWORD).unwrap_err(), LoginError::Throttled { wait_seconds: 30 });

    // Other logins are not affected, and their own failures count separately.
    assert_eq!(k.login("admin", testkit::ADMIN_PASSWORD).unwrap().login(), "admin");
    assert_eq!(k.login("kg", "wrong-password").unwrap_err(), LoginError::Failed);
    assert_eq!(login_wait_seconds(&k, "kg"), 0);
    assert_eq!(k.login("kg", testkit::STAFF_PASSWORD).unwrap().login(), "kg");

    // After the lock-out the right password is accepted, and the count starts again.
    clock.advance_ms(30_000);
    assert_eq!(k.login("op", testkit::OPERATOR_PASSWORD).unwrap().login(), "op");
    let again: Vec<u64> = (0..5).map(|_| fail_and_measure(&k, &clock, "op")).collect();
    assert_eq!(again, [0, 0, 0, 1, 2]);
}

#[test]
fn unknown_logins_are_throttled_like_known_ones_and_counts_survive_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let clock = Clock::at(T0);
    let mut k = testkit::staffed_kiosk(dir.path(), "KOK", "KOK-03", None);
    clock.install(&mut k);
    for login in ["op", "ghost"] {
        let waits: Vec<u64> = (0..5).map(|_| fail_and_measure(&k, &clock, login)).collect();
        assert_eq!(waits, [0, 0, 0, 1, 2], "{login}");
    }
    // Both are now locked out for 4 s (the sixth failure), also after a restart.
    assert_eq!(k.login("op", "wrong-password").unwrap_err(), LoginError::Failed);
    assert_eq!(k.login("ghost", "wrong-password").unwrap_err(), LoginError::Failed);
    k.close();
    assert!(dir.path().join(THROTTLE_FILE).exists());

    let k = open(dir.path(), &clock);
    assert_eq!(k.login("op", testkit::OPERATOR_PASSWORD).unwrap_err(), LoginError::Throttled { wait_seconds: 4 });
    assert_eq!(k.login("ghost", "anything-at-all").unwrap_err(), LoginError::Throttled { wait_seconds: 4 });
    assert_eq!(k.login("admin", testkit::ADMIN_PASSWORD).unwrap().login(), "admin");
    clock.advance_ms(4_000);
    assert_eq!(k.login("op", testkit::OPERATOR_PASSWORD).unwrap().login(), "op");
    // A success clears the count on disk too: after another restart the next failures are free.
    k.close();
    let k = open(dir.path(), &clock);
    assert_eq!(login_wait_seconds(&k, "op"), 0);
    // The unknown login keeps its six failures: its seventh locks it out for 8 s.
    assert_eq!(fail_and_measure(&k, &clock, "ghost"), 8);
    let waits: Vec<u64> = (0..4).map(|_| fail_and_measure(&k, &clock, "op")).collect();
    assert_eq!(waits, [0, 0, 0, 1]);
}

#[test]
fn the_cli_refuses_a_throttled_login_with_the_wait_and_another_login_still_works() {
    let dir = tempfile::tempdir().unwrap();
    // Eight failures recorded by the library, the last one at the real present: 16 s of
    // lock-out that the next process must respect.
    let now = kiosk::system_now().0.timestamp_millis();
    let clock = Clock::at(now - 100_000);
    let mut k = testkit::staffed_kiosk(dir.path(), "KOK", "KOK-03", None);
    clock.install(&mut k);
    let waits: Vec<u64> = (0..7).map(|_| fail_and_measure(&k, &clock, "op")).collect();
    assert_eq!(waits, [0, 0, 0, 1, 2, 4, 8]);
    clock.advance_ms(now - clock.ms());
    assert_eq!(k.login("op", "wrong-password").unwrap_err(), LoginError::Failed);
    k.close();

    let apply = |login: &str, password: &str, lang: &str| {
        let mut c = common::cli_in(dir.path(), lang);
        c.env("KEZEK_PASSWORD", password).args(["apply", "--json-lines", "--operator", login]);
        common::run(c, "")
    };
    let o = apply("op", testkit::OPERATOR_PASSWORD, "en");
    assert_eq!(common::code(&o), 1, "{}", common::stderr(&o));
    let err = common::stderr(&o);
    assert!(err.contains("LOGIN_THROTTLED"), "{err}");
    let wait: u64 = err
        .split("Try again in ")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no wait in {err}"));
    assert!((1..=16).contains(&wait), "{err}");
    let o = apply("op", testkit::OPERATOR_PASSWORD, "kk");
    assert!(common::stderr(&o).contains("с кейін қайталаңыз"), "{}", common::stderr(&o));
    let o = apply("admin", testkit::ADMIN_PASSWORD, "en");
    assert_eq!(common::code(&o), 0, "{}", common::stderr(&o));
}

/// The GUI's login screen over the real store: the lock-out is counted down in the
/// operator's language (Fluent), and the right password works once it is over.
#[cfg(feature = "gui")]
fn widget<'a>(h: &'a egui_kittest::Harness<'static, kiosk::gui::KioskApp>, label: &'a str) -> egui_kittest::Node<'a> {
    use egui_kittest::kittest::{NodeT, Queryable};
    let mut nodes: Vec<_> =
        h.query_all_by_label(label).filter(|n| n.accesskit_node().role() != egui::accesskit::Role::Label).collect();
    assert_eq!(nodes.len(), 1, "one widget labelled {label}");
    nodes.remove(0)
}

#[cfg(feature = "gui")]
#[test]
fn the_gui_counts_the_lock_out_down_in_the_operators_language() {
    use egui_kittest::Harness;
    use egui_kittest::kittest::{NodeT, Queryable};
    use kiosk::gui::{KioskApp, StoreBackend};

    let dir = tempfile::tempdir().unwrap();
    let clock = Clock::at(T0);
    let mut k = testkit::staffed_kiosk(&dir.path().join("kiosk"), "KOK", "KOK-03", None);
    clock.install(&mut k);
    let waits: Vec<u64> = (0..7).map(|_| fail_and_measure(&k, &clock, "op")).collect();
    assert_eq!(waits, [0, 0, 0, 1, 2, 4, 8]);
    assert_eq!(k.login("op", "wrong-password").unwrap_err(), LoginError::Failed);

    let app = KioskApp::new(Box::new(StoreBackend::from_kiosk(k)), dir.path().join("out"));
    let mut h = Harness::builder()
        .with_size([1366.0, 900.0])
        .with_max_steps(12)
        .build_ui_state(|ui, app: &mut KioskApp| app.frame_ui(ui), app);
    let input = |h: &mut Harness<'static, KioskApp>, label: &str, text: &str| {
        widget(h, label).click();
        h.run();
        widget(h, label).type_text(text);
        h.run();
    };
    let shows = |h: &Harness<'static, KioskApp>, text: &str| h.query_all_by_label_contains(text).next().is_some();
    input(&mut h, "Логин", "op");
    input(&mut h, "Пароль", testkit::OPERATOR_PASSWORD);
    widget(&h, "Войти").click();
    h.run();
    assert!(h.state().session().is_none());
    assert!(shows(&h, "Повторите через 16 с."), "the Fluent countdown in Russian");
    assert!(widget(&h, "Войти").accesskit_node().is_disabled(), "no attempt during the lock-out");
    clock.advance_ms(10_500);
    h.run();
    assert!(shows(&h, "Повторите через 6 с."));
    h.get_by_label("Қазақша").click();
    h.run();
    assert!(shows(&h, "6 с кейін қайталаңыз."));
    h.get_by_label("English").click();
    h.run();
    assert!(shows(&h, "Try again in 6 s."));
    clock.advance_ms(5_500);
    h.run();
    assert!(!shows(&h, "Try again in"), "the lock-out is over");
    widget(&h, "Log in").click();
    h.run();
    assert_eq!(h.state().session().map(|s| s.login.as_str()), Some("op"));
}
