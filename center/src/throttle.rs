//! Sign-in throttling for staff accounts: after [`MAX_FAILURES_PER_LOGIN`] wrong passwords
//! for one login, or [`MAX_FAILURES_PER_ADDRESS`] from one client address, within
//! [`WINDOW`], further attempts are refused until the oldest failure leaves the window.
//! A right password clears its login's count. Kept in memory: a restart forgets it, which
//! costs an attacker a restart per five guesses.

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub const MAX_FAILURES_PER_LOGIN: usize = 5;
pub const MAX_FAILURES_PER_ADDRESS: usize = 20;
pub const WINDOW: Duration = Duration::from_mins(15);
/// Most logins and addresses tracked (the oldest entries are dropped beyond it).
const MAX_TRACKED: usize = 100_000;

#[derive(Debug, Default)]
struct Failures {
    by_login: HashMap<String, VecDeque<Instant>>,
    by_address: HashMap<IpAddr, VecDeque<Instant>>,
}

/// Failed sign-ins, per login and per address.
#[derive(Debug, Default)]
pub struct LoginThrottle {
    failures: Mutex<Failures>,
}

fn prune(times: &mut VecDeque<Instant>, now: Instant) {
    while times.front().is_some_and(|t| now.duration_since(*t) >= WINDOW) {
        times.pop_front();
    }
}

/// How long until `times` has room under `limit`.
fn wait(times: &mut VecDeque<Instant>, limit: usize, now: Instant) -> Option<Duration> {
    prune(times, now);
    (times.len() >= limit)
        .then(|| times.front().map_or(WINDOW, |first| WINDOW.saturating_sub(now.duration_since(*first))))
}

impl LoginThrottle {
    fn lock(&self) -> std::sync::MutexGuard<'_, Failures> {
        self.failures.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// `Err(wait)` when a sign-in for `login` from `address` must wait.
    pub fn check(&self, login: &str, address: IpAddr, now: Instant) -> Result<(), Duration> {
        let mut f = self.lock();
        let by_login = f.by_login.get_mut(login).and_then(|t| wait(t, MAX_FAILURES_PER_LOGIN, now));
        let by_address = f.by_address.get_mut(&address).and_then(|t| wait(t, MAX_FAILURES_PER_ADDRESS, now));
        match by_login.into_iter().chain(by_address).max() {
            Some(w) => Err(w.max(Duration::from_secs(1))),
            None => Ok(()),
        }
    }

    /// Counts a wrong password (or unknown login).
    pub fn failed(&self, login: &str, address: IpAddr, now: Instant) {
        let mut f = self.lock();
        if f.by_login.len() >= MAX_TRACKED {
            f.by_login.retain(|_, t| t.back().is_some_and(|last| now.duration_since(*last) < WINDOW));
        }
        if f.by_address.len() >= MAX_TRACKED {
            f.by_address.retain(|_, t| t.back().is_some_and(|last| now.duration_since(*last) < WINDOW));
        }
        f.by_login.entry(login.to_owned()).or_default().push_back(now);
        f.by_address.entry(address).or_default().push_back(now);
    }

    /// A right password: the login's failures are forgotten (the address's stay).
    pub fn succeeded(&self, login: &str) {
        self.lock().by_login.remove(login);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn five_failures_lock_a_login_until_the_window_passes() {
        let t = LoginThrottle::default();
        let ip: IpAddr = "10.0.0.1".parse().unwrap();
        let start = Instant::now();
        for i in 0..MAX_FAILURES_PER_LOGIN {
            assert!(t.check("rev", ip, start).is_ok(), "attempt {i}");
            t.failed("rev", ip, start);
        }
        let wait = t.check("rev", ip, start).unwrap_err();
        assert!(wait > Duration::from_mins(14), "{wait:?}");
        assert!(t.check("other", "10.0.0.2".parse().unwrap(), start).is_ok(), "other logins are not locked");
        assert!(t.check("rev", ip, start + WINDOW).is_ok(), "the window passed");
    }

    #[test]
    fn one_address_trying_many_logins_is_locked() {
        let t = LoginThrottle::default();
        let ip: IpAddr = "10.0.0.9".parse().unwrap();
        let now = Instant::now();
        for i in 0..MAX_FAILURES_PER_ADDRESS {
            t.failed(&format!("user{i}"), ip, now);
        }
        assert!(t.check("fresh", ip, now).is_err());
        assert!(t.check("fresh", "10.0.0.10".parse().unwrap(), now).is_ok());
    }
}
