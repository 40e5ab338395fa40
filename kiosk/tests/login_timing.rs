//! No timing oracle at login: an unknown login costs the same argon2 work as a known login
//! with a wrong password. Its own test binary (process) because it needs the real argon2
//! parameters, and the cheap test parameters are a process-wide switch.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use kiosk::{InitParams, Kiosk, LoginError, NewOperator};
use rules::Instant;

const ATTEMPTS: usize = 15;

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

#[test]
fn an_unknown_login_takes_as_long_as_a_wrong_password() {
    let dir = tempfile::tempdir().unwrap();
    // Real argon2 parameters (no `insecure_fast_hashing_for_tests` in this process).
    let params = InitParams {
        district: "KOK".into(),
        name: "Timing office".into(),
        kiosk_id: Some("KOK-07".into()),
        admin_login: "admin".into(),
        admin_name: "Admin".into(),
        admin_password: "admin-secret".into(),
    };
    Kiosk::init(dir.path(), &params).unwrap();
    let mut k = Kiosk::open(dir.path()).unwrap();
    let admin = k.login("admin", "admin-secret").unwrap();
    let op = NewOperator { login: "op".into(), name: "Op".into(), role: rules::Role::Operator, kindergartens: vec![] };
    k.add_operator(&admin, &op, "operator-secret").unwrap();
    let phc = std::fs::read_to_string(dir.path().join("local/passwords.json")).unwrap();
    let p = argon2::Params::default();
    assert!(phc.contains(&format!("m={},t={},p={}", p.m_cost(), p.t_cost(), p.p_cost())), "{phc}");

    // The clock moves two minutes between attempts, past any lock-out (the longest is one
    // minute): every attempt is checked, none is refused early by the throttle.
    let clock = Arc::new(AtomicI64::new(1_795_514_400_000));
    let c = clock.clone();
    k.set_clock(move || {
        Instant(chrono::DateTime::from_timestamp_millis(c.load(Ordering::SeqCst)).unwrap().fixed_offset())
    });
    let timed = |login: &str| {
        clock.fetch_add(120_000, Ordering::SeqCst);
        let started = std::time::Instant::now();
        let result = k.login(login, "wrong-password");
        let took = started.elapsed();
        assert_eq!(result.unwrap_err(), LoginError::Failed, "{login}");
        took
    };
    let (mut unknown, mut known) = (Vec::new(), Vec::new());
    // Interleaved, so that other load on the machine touches both alike.
    for i in 0..ATTEMPTS {
        unknown.push(timed(&format!("ghost-{i}")));
        known.push(timed("op"));
    }
    let (unknown, known) = (median(unknown), median(known));
    let ratio = unknown.as_secs_f64() / known.as_secs_f64();
    println!("median: unknown login {unknown:?}, known login with a wrong password {known:?}, ratio {ratio:.2}");
    assert!((0.7..=1.4).contains(&ratio), "unknown {unknown:?} vs known {known:?}: ratio {ratio:.2}");
}
