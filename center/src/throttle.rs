//! Sign-in throttling for staff accounts: after [`MAX_FAILURES_PER_LOGIN`] wrong passwords
//! for one login, or [`MAX_FAILURES_PER_ADDRESS`] from one client address, within
//! [`WINDOW_SECS`], further attempts are refused until the oldest failure leaves the window.
//! A right password clears its login's count.
//!
//! The failures are kept in this process's memory for a server that owns its store (a
//! restart forgets them, which costs an attacker a restart per five guesses), and in the
//! database when servers share one PostgreSQL store (tables `staff_signin_logins`,
//! `staff_signin_addresses`), so that a guesser spreading attempts over the servers gets
//! no more than against one. Times are the server's clock ([`rules::Instant`]), so that
//! servers agree on the window.

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::{Arc, Mutex, PoisonError};

use rules::Instant;

use crate::pg_client::ReconnectingClient;
use crate::sliding_window::{wait, within};

pub const MAX_FAILURES_PER_LOGIN: usize = 5;
pub const MAX_FAILURES_PER_ADDRESS: usize = 20;
pub const WINDOW_SECS: i64 = 15 * 60;
/// Most logins and addresses tracked in memory (those with no failure in the window are
/// dropped beyond it).
const MAX_TRACKED: usize = 100_000;

/// Why a sign-in may not be tried now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Too many failures: this many seconds until the next attempt (at least 1).
    Wait { secs: i64 },
    /// The shared database could not be asked: nothing is tried (the store of sessions is
    /// the same database, so a session could not be opened either).
    Unavailable,
}

/// When sign-ins failed, for one login or one address.
type Failures = VecDeque<Instant>;

/// The rule, on the failures of one login and one address: the one place it is written,
/// whichever keeper holds them.
fn check_on(by_login: &mut Failures, by_address: &mut Failures, now: Instant) -> Result<(), Refusal> {
    let login = wait(by_login, MAX_FAILURES_PER_LOGIN, WINDOW_SECS, now);
    let address = wait(by_address, MAX_FAILURES_PER_ADDRESS, WINDOW_SECS, now);
    match login.into_iter().chain(address).max() {
        // A clock set back behind the failures would make the wait longer than the window.
        Some(secs) => Err(Refusal::Wait { secs: secs.clamp(1, WINDOW_SECS) }),
        None => Ok(()),
    }
}

/// In this process's memory.
#[derive(Debug, Default)]
struct Memory {
    by_login: HashMap<String, Failures>,
    by_address: HashMap<IpAddr, Failures>,
}

impl Memory {
    fn check(&mut self, login: &str, address: IpAddr, now: Instant) -> Result<(), Refusal> {
        let mut by_login = self.by_login.remove(login).unwrap_or_default();
        let mut by_address = self.by_address.remove(&address).unwrap_or_default();
        let outcome = check_on(&mut by_login, &mut by_address, now);
        if !by_login.is_empty() {
            self.by_login.insert(login.to_owned(), by_login);
        }
        if !by_address.is_empty() {
            self.by_address.insert(address, by_address);
        }
        outcome
    }

    fn failed(&mut self, login: &str, address: IpAddr, now: Instant) {
        let recent = |t: &mut Failures| t.back().is_some_and(|last| within(*last, WINDOW_SECS, now));
        if self.by_login.len() >= MAX_TRACKED {
            self.by_login.retain(|_, t| recent(t));
        }
        if self.by_address.len() >= MAX_TRACKED {
            self.by_address.retain(|_, t| recent(t));
        }
        self.by_login.entry(login.to_owned()).or_default().push_back(now);
        self.by_address.entry(address).or_default().push_back(now);
    }
}

/// In the shared PostgreSQL database, each change in one transaction with the rows locked.
/// The tables are the schema owner's ([`crate::pg_store::set_up`]).
struct Shared(ReconnectingClient);

// `last_at` is the latest failure (the epoch for none), indexed, so that rows whose failures
// all left the window are deleted cheaply: guesses at made-up logins from many addresses
// would otherwise fill the tables for ever.
const LOGIN_ROW: &str = "INSERT INTO staff_signin_logins VALUES ($1, '[]', 'epoch') ON CONFLICT DO NOTHING";
const LOGIN_READ: &str = "SELECT record FROM staff_signin_logins WHERE login = $1 FOR UPDATE";
const LOGIN_WRITE: &str =
    "UPDATE staff_signin_logins SET record = $2, last_at = $3::text::timestamptz WHERE login = $1";
const LOGIN_PRUNE: &str = "DELETE FROM staff_signin_logins WHERE last_at < $1::text::timestamptz";
const ADDRESS_ROW: &str = "INSERT INTO staff_signin_addresses VALUES ($1, '[]', 'epoch') ON CONFLICT DO NOTHING";
const ADDRESS_READ: &str = "SELECT record FROM staff_signin_addresses WHERE address = $1 FOR UPDATE";
const ADDRESS_WRITE: &str =
    "UPDATE staff_signin_addresses SET record = $2, last_at = $3::text::timestamptz WHERE address = $1";
const ADDRESS_PRUNE: &str = "DELETE FROM staff_signin_addresses WHERE last_at < $1::text::timestamptz";

impl Shared {
    fn load(tx: &mut postgres::Transaction<'_>, sql: &str, key: &str) -> Result<Failures, postgres::Error> {
        Ok(tx
            .query_opt(sql, &[&key])?
            .and_then(|row| serde_json::from_str(row.get::<_, &str>(0)).ok())
            .unwrap_or_default())
    }

    fn save(
        tx: &mut postgres::Transaction<'_>,
        sql: &str,
        key: &str,
        failures: &Failures,
    ) -> Result<(), postgres::Error> {
        let value = serde_json::to_string(failures).unwrap_or_else(|_| "[]".to_owned());
        let last = failures.back().map_or_else(|| "epoch".to_owned(), ToString::to_string);
        tx.execute(sql, &[&key, &value, &last]).map(|_| ())
    }

    /// Runs `f` on the login's and the address's failures, saved back, in one transaction;
    /// with `prune_before`, rows whose last failure is older are deleted first.
    fn with<T>(
        &mut self,
        login: &str,
        address: IpAddr,
        prune_before: Option<Instant>,
        f: impl FnOnce(&mut Failures, &mut Failures) -> T,
    ) -> Result<T, Refusal> {
        let client = self.0.client().ok_or(Refusal::Unavailable)?;
        let address = address.to_string();
        let run = |client: &mut postgres::Client| -> Result<T, postgres::Error> {
            let mut tx = client.transaction()?;
            if let Some(cutoff) = prune_before {
                let cutoff = cutoff.to_string();
                tx.execute(LOGIN_PRUNE, &[&cutoff])?;
                tx.execute(ADDRESS_PRUNE, &[&cutoff])?;
            }
            // Rows first, so that the locks below always have a row to hold.
            tx.execute(LOGIN_ROW, &[&login])?;
            tx.execute(ADDRESS_ROW, &[&address])?;
            let mut by_login = Shared::load(&mut tx, LOGIN_READ, login)?;
            let mut by_address = Shared::load(&mut tx, ADDRESS_READ, &address)?;
            let outcome = f(&mut by_login, &mut by_address);
            Shared::save(&mut tx, LOGIN_WRITE, login, &by_login)?;
            Shared::save(&mut tx, ADDRESS_WRITE, &address, &by_address)?;
            tx.commit()?;
            Ok(outcome)
        };
        run(client).map_err(|_| {
            self.0.drop_connection();
            Refusal::Unavailable
        })
    }

    fn succeeded(&mut self, login: &str) {
        let Some(client) = self.0.client() else { return };
        if client.execute("DELETE FROM staff_signin_logins WHERE login = $1", &[&login]).is_err() {
            self.0.drop_connection();
        }
    }
}

enum Keeper {
    Memory(Memory),
    Shared(Box<Shared>),
}

impl Keeper {
    fn check(&mut self, login: &str, address: IpAddr, now: Instant) -> Result<(), Refusal> {
        match self {
            Keeper::Memory(memory) => memory.check(login, address, now),
            Keeper::Shared(shared) => shared.with(login, address, None, |l, a| check_on(l, a, now))?,
        }
    }

    fn failed(&mut self, login: &str, address: IpAddr, now: Instant) {
        match self {
            Keeper::Memory(memory) => memory.failed(login, address, now),
            // Unreachable database: the failure goes uncounted, as no session could be
            // opened meanwhile either.
            Keeper::Shared(shared) => {
                let cutoff = Instant(now.0 - chrono::Duration::seconds(WINDOW_SECS));
                let _ = shared.with(login, address, Some(cutoff), |l, a| {
                    l.push_back(now);
                    a.push_back(now);
                });
            }
        }
    }

    fn succeeded(&mut self, login: &str) {
        match self {
            Keeper::Memory(memory) => {
                memory.by_login.remove(login);
            }
            Keeper::Shared(shared) => shared.succeeded(login),
        }
    }
}

/// Failed sign-ins, per login and per address: in memory, or in the shared database.
#[derive(Clone)]
pub struct LoginThrottle(Arc<Mutex<Keeper>>);

impl std::fmt::Debug for LoginThrottle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("LoginThrottle")
    }
}

impl Default for LoginThrottle {
    fn default() -> Self {
        LoginThrottle::memory()
    }
}

impl LoginThrottle {
    /// Failures in this process's memory (a server that owns its store).
    pub fn memory() -> Self {
        LoginThrottle(Arc::new(Mutex::new(Keeper::Memory(Memory::default()))))
    }

    /// Failures in the PostgreSQL database at `url`, counted by every server on it.
    pub fn shared(url: &str) -> Self {
        LoginThrottle(Arc::new(Mutex::new(Keeper::Shared(Box::new(Shared(ReconnectingClient::new(url)))))))
    }

    /// Runs `f` on the keeper in a blocking thread (the shared keeper talks to the database).
    async fn with<T: Send + 'static>(&self, f: impl FnOnce(&mut Keeper) -> T + Send + 'static) -> T {
        let keeper = Arc::clone(&self.0);
        let run = move || f(&mut keeper.lock().unwrap_or_else(PoisonError::into_inner));
        match tokio::task::spawn_blocking(run).await {
            Ok(value) => value,
            Err(e) => std::panic::resume_unwind(e.into_panic()),
        }
    }

    /// `Err` when a sign-in for `login` from `address` must wait (or cannot be counted).
    pub async fn check(&self, login: &str, address: IpAddr, now: Instant) -> Result<(), Refusal> {
        let login = login.to_owned();
        self.with(move |keeper| keeper.check(&login, address, now)).await
    }

    /// Counts a wrong password (or unknown login).
    pub async fn failed(&self, login: &str, address: IpAddr, now: Instant) {
        let login = login.to_owned();
        self.with(move |keeper| keeper.failed(&login, address, now)).await;
    }

    /// A right password: the login's failures are forgotten (the address's stay).
    pub async fn succeeded(&self, login: &str) {
        let login = login.to_owned();
        self.with(move |keeper| keeper.succeeded(&login)).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> Instant {
        text.parse().unwrap()
    }

    fn later(start: Instant, secs: i64) -> Instant {
        Instant(start.0 + chrono::Duration::seconds(secs))
    }

    #[test]
    fn five_failures_lock_a_login_until_the_window_passes() {
        let mut t = Memory::default();
        let ip: IpAddr = "10.0.0.1".parse().unwrap();
        let start = at("2026-03-10T09:00:00+05:00");
        for i in 0..MAX_FAILURES_PER_LOGIN {
            assert!(t.check("rev", ip, start).is_ok(), "attempt {i}");
            t.failed("rev", ip, start);
        }
        assert_eq!(t.check("rev", ip, start), Err(Refusal::Wait { secs: WINDOW_SECS }));
        assert_eq!(t.check("rev", ip, later(start, 60)), Err(Refusal::Wait { secs: WINDOW_SECS - 60 }));
        assert!(t.check("other", "10.0.0.2".parse().unwrap(), start).is_ok(), "other logins are not locked");
        assert!(t.check("rev", ip, later(start, WINDOW_SECS)).is_ok(), "the window passed");
    }

    #[test]
    fn one_address_trying_many_logins_is_locked() {
        let mut t = Memory::default();
        let ip: IpAddr = "10.0.0.9".parse().unwrap();
        let now = at("2026-03-10T09:00:00+05:00");
        for i in 0..MAX_FAILURES_PER_ADDRESS {
            t.failed(&format!("user{i}"), ip, now);
        }
        assert!(t.check("fresh", ip, now).is_err());
        assert!(t.check("fresh", "10.0.0.10".parse().unwrap(), now).is_ok());
    }

    #[test]
    fn a_clock_set_back_keeps_the_lock_and_says_at_most_the_window() {
        let mut t = Memory::default();
        let ip: IpAddr = "10.0.0.3".parse().unwrap();
        let start = at("2026-03-10T09:00:00+05:00");
        for _ in 0..MAX_FAILURES_PER_LOGIN {
            t.failed("rev", ip, start);
        }
        // A clock an hour behind the failures: still locked, and the wait said is at most
        // the window rather than growing with the clock's error.
        assert_eq!(t.check("rev", ip, later(start, -3600)), Err(Refusal::Wait { secs: WINDOW_SECS }));
    }
}
