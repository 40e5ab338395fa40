//! One-time sign-in codes (the built-in identity adapter): 6 digits, valid
//! [`CODE_LIFETIME_SECS`], [`MAX_TRIES`] tries; at most [`MAX_CODES_PER_IIN`] codes per IIN
//! and [`MAX_CODES_PER_ADDRESS`] per client address in [`SEND_WINDOW_SECS`]. Codes are kept
//! as SHA-256 of IIN and code: in memory for a server that owns its store (a restart forgets
//! the codes in flight; a parent asks again), in the database when servers share one
//! PostgreSQL store, so that either server can check a code the other sent.

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::Mutex;

use rules::Instant;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::pg_client::ReconnectingClient;
use crate::sliding_window::{wait, within};

pub const CODE_DIGITS: usize = 6;
pub const CODE_LIFETIME_SECS: i64 = 5 * 60;
pub const MAX_TRIES: u32 = 5;
pub const MAX_CODES_PER_IIN: usize = 5;
pub const MAX_CODES_PER_ADDRESS: usize = 20;
pub const SEND_WINDOW_SECS: i64 = 15 * 60;
/// Most IINs and addresses tracked (the oldest are dropped beyond it).
const MAX_TRACKED: usize = 100_000;

/// Why a code was not sent or not accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CodeError {
    /// Too many codes asked for this IIN or from this address: wait this many seconds.
    Throttled { wait_secs: i64 },
    /// No code is outstanding for this IIN (never sent, used, or its tries ran out).
    NoCode,
    /// The code's five minutes are over.
    Expired,
    /// Wrong code; this many tries are left (0: the code is spent).
    Wrong { tries_left: u32 },
    /// The shared database could not be reached: nothing was sent or checked.
    Unavailable,
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
struct Outstanding {
    hash: [u8; 32],
    expires: Instant,
    tries_left: u32,
}

/// What is kept for one IIN: its outstanding code and when codes were sent to it.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
struct IinRecord {
    code: Option<Outstanding>,
    sent: VecDeque<Instant>,
}

/// When codes were asked from one client address.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
struct AddressRecord {
    sent: VecDeque<Instant>,
}

/// `instant` plus the send window: the last moment a send at `instant` still counts.
fn window_after(instant: Instant) -> Instant {
    Instant(instant.0 + chrono::Duration::seconds(SEND_WINDOW_SECS))
}

impl IinRecord {
    /// Until when the record still matters: its last send counts in the window, or its code
    /// has not been expired for a whole window (so that a late try still hears "expired"
    /// rather than "no code"). `None`: it never mattered.
    fn keep_until(&self) -> Option<Instant> {
        let code = self.code.as_ref().map(|c| window_after(c.expires));
        code.into_iter().chain(self.sent.back().copied().map(window_after)).max()
    }
}

impl AddressRecord {
    /// Until when the address's last send counts in the window.
    fn keep_until(&self) -> Option<Instant> {
        self.sent.back().copied().map(window_after)
    }
}

fn digest(iin: &str, code: &str) -> [u8; 32] {
    Sha256::new().chain_update(iin.as_bytes()).chain_update(b":").chain_update(code.as_bytes()).finalize().into()
}

/// The rules of sending a code, on the records of one IIN and one address: the one place
/// they are written, whichever keeper holds the records.
fn issue_on(iin: &str, record: &mut IinRecord, address: &mut AddressRecord, now: Instant) -> Result<String, CodeError> {
    let by_iin = wait(&mut record.sent, MAX_CODES_PER_IIN, SEND_WINDOW_SECS, now);
    let by_address = wait(&mut address.sent, MAX_CODES_PER_ADDRESS, SEND_WINDOW_SECS, now);
    if let Some(wait_secs) = by_iin.into_iter().chain(by_address).max() {
        return Err(CodeError::Throttled { wait_secs: wait_secs.max(1) });
    }
    let code = random_code();
    record.code = Some(Outstanding {
        hash: digest(iin, &code),
        expires: Instant(now.0 + chrono::Duration::seconds(CODE_LIFETIME_SECS)),
        tries_left: MAX_TRIES,
    });
    record.sent.push_back(now);
    address.sent.push_back(now);
    Ok(code)
}

/// The rules of checking a code: a right code in time is used up; a wrong one costs a try.
fn redeem_on(iin: &str, record: &mut IinRecord, code: &str, now: Instant) -> Result<(), CodeError> {
    let outstanding = record.code.as_mut().ok_or(CodeError::NoCode)?;
    if outstanding.expires < now {
        record.code = None;
        return Err(CodeError::Expired);
    }
    // Constant-time comparison of the digests.
    if bool::from(digest(iin, code).ct_eq(&outstanding.hash)) {
        record.code = None;
        return Ok(());
    }
    outstanding.tries_left = outstanding.tries_left.saturating_sub(1);
    let tries_left = outstanding.tries_left;
    if tries_left == 0 {
        record.code = None;
    }
    Err(CodeError::Wrong { tries_left })
}

#[derive(Debug, Default)]
struct Memory {
    iins: HashMap<String, IinRecord>,
    addresses: HashMap<IpAddr, AddressRecord>,
}

impl Memory {
    fn cap(&mut self, now: Instant) {
        if self.iins.len() > MAX_TRACKED {
            self.iins.retain(|_, r| r.code.as_ref().is_some_and(|c| c.expires > now) || !r.sent.is_empty());
        }
        if self.addresses.len() > MAX_TRACKED {
            self.addresses.retain(|_, r| r.sent.back().is_some_and(|t| within(*t, SEND_WINDOW_SECS, now)));
        }
    }
}

/// The records in the shared PostgreSQL database (servers sharing one store), each change
/// in one transaction with the rows locked: a code asked at one server is checked at the
/// other, and tries and throttling count across both.
///
/// The tables (`parent_codes`, `parent_code_addresses`) are the schema owner's
/// ([`crate::pg_store::set_up`]): the server's role cannot create tables.
struct Shared(ReconnectingClient);

const SAVE_IIN: &str = "UPDATE parent_codes SET record = $2, keep_until = $3::text::timestamptz WHERE iin = $1";
const SAVE_ADDRESS: &str =
    "UPDATE parent_code_addresses SET record = $2, keep_until = $3::text::timestamptz WHERE address = $1";
const PRUNE_IINS: &str = "DELETE FROM parent_codes WHERE keep_until < $1::text::timestamptz";
const PRUNE_ADDRESSES: &str = "DELETE FROM parent_code_addresses WHERE keep_until < $1::text::timestamptz";

impl Shared {
    fn load<T: Default + for<'de> serde::Deserialize<'de>>(
        tx: &mut postgres::Transaction<'_>,
        sql: &str,
        key: &str,
    ) -> Result<T, postgres::Error> {
        Ok(tx
            .query_opt(sql, &[&key])?
            .and_then(|row| serde_json::from_str(row.get::<_, &str>(0)).ok())
            .unwrap_or_default())
    }

    /// Saves `record` with the instant after which it changes nothing (`keep_until`), which
    /// `prune` deletes by.
    fn save<T: serde::Serialize>(
        tx: &mut postgres::Transaction<'_>,
        sql: &str,
        key: &str,
        record: &T,
        keep_until: Option<Instant>,
    ) -> Result<(), postgres::Error> {
        let value = serde_json::to_string(record).unwrap_or_default();
        let keep_until = keep_until.map_or_else(|| "epoch".to_owned(), |at| at.to_string());
        tx.execute(sql, &[&key, &value, &keep_until]).map(|_| ())
    }

    /// Deletes the rows that change nothing any more at `now`: codes asked for made-up IINs
    /// from many addresses would otherwise fill the tables for ever.
    fn prune(tx: &mut postgres::Transaction<'_>, now: Instant) -> Result<(), postgres::Error> {
        let now = now.to_string();
        tx.execute(PRUNE_IINS, &[&now])?;
        tx.execute(PRUNE_ADDRESSES, &[&now]).map(|_| ())
    }

    fn issue(&mut self, iin: &str, address: IpAddr, now: Instant) -> Result<String, CodeError> {
        let client = self.0.client().ok_or(CodeError::Unavailable)?;
        let run = |client: &mut postgres::Client| -> Result<Result<String, CodeError>, postgres::Error> {
            let mut tx = client.transaction()?;
            Shared::prune(&mut tx, now)?;
            // Insert-if-missing first, so that the row lock below always has a row to hold.
            tx.execute("INSERT INTO parent_codes VALUES ($1, '{}') ON CONFLICT DO NOTHING", &[&iin])?;
            let address = address.to_string();
            tx.execute("INSERT INTO parent_code_addresses VALUES ($1, '{}') ON CONFLICT DO NOTHING", &[&address])?;
            let mut record: IinRecord =
                Shared::load(&mut tx, "SELECT record FROM parent_codes WHERE iin = $1 FOR UPDATE", iin)?;
            let mut by_address: AddressRecord = Shared::load(
                &mut tx,
                "SELECT record FROM parent_code_addresses WHERE address = $1 FOR UPDATE",
                &address,
            )?;
            let outcome = issue_on(iin, &mut record, &mut by_address, now);
            Shared::save(&mut tx, SAVE_IIN, iin, &record, record.keep_until())?;
            Shared::save(&mut tx, SAVE_ADDRESS, &address, &by_address, by_address.keep_until())?;
            tx.commit()?;
            Ok(outcome)
        };
        run(client).unwrap_or_else(|_| {
            self.0.drop_connection();
            Err(CodeError::Unavailable)
        })
    }

    fn redeem(&mut self, iin: &str, code: &str, now: Instant) -> Result<(), CodeError> {
        let client = self.0.client().ok_or(CodeError::Unavailable)?;
        let run = |client: &mut postgres::Client| -> Result<Result<(), CodeError>, postgres::Error> {
            let mut tx = client.transaction()?;
            let mut record: IinRecord =
                Shared::load(&mut tx, "SELECT record FROM parent_codes WHERE iin = $1 FOR UPDATE", iin)?;
            let outcome = redeem_on(iin, &mut record, code, now);
            Shared::save(&mut tx, SAVE_IIN, iin, &record, record.keep_until())?;
            tx.commit()?;
            Ok(outcome)
        };
        run(client).unwrap_or_else(|_| {
            self.0.drop_connection();
            Err(CodeError::Unavailable)
        })
    }
}

enum Keeper {
    Memory(Memory),
    Shared(Box<Shared>),
}

/// The codes in flight: in this process's memory, or in the shared database.
pub struct CodeBook {
    keeper: Mutex<Keeper>,
}

impl std::fmt::Debug for CodeBook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CodeBook")
    }
}

impl Default for CodeBook {
    fn default() -> Self {
        CodeBook::memory()
    }
}

impl CodeBook {
    /// Codes in this process's memory (a server that owns its store).
    pub fn memory() -> Self {
        CodeBook { keeper: Mutex::new(Keeper::Memory(Memory::default())) }
    }

    /// Codes in the PostgreSQL database at `url`, shared by every server on it.
    pub fn shared(url: &str) -> Self {
        CodeBook { keeper: Mutex::new(Keeper::Shared(Box::new(Shared(ReconnectingClient::new(url))))) }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Keeper> {
        self.keeper.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// A new code for `iin` asked from `address` (replacing any outstanding one), or how
    /// long to wait. The code itself is returned once, to be sent; only its hash is kept.
    /// Blocking (the shared keeper talks to the database).
    pub fn issue(&self, iin: &str, address: IpAddr, now: Instant) -> Result<String, CodeError> {
        match &mut *self.lock() {
            Keeper::Memory(memory) => {
                let mut record = memory.iins.remove(iin).unwrap_or_default();
                let mut by_address = memory.addresses.remove(&address).unwrap_or_default();
                let outcome = issue_on(iin, &mut record, &mut by_address, now);
                memory.iins.insert(iin.to_owned(), record);
                memory.addresses.insert(address, by_address);
                memory.cap(now);
                outcome
            }
            Keeper::Shared(shared) => shared.issue(iin, address, now),
        }
    }

    /// Checks `code` for `iin`: a right code in time is used up; a wrong one costs a try.
    pub fn redeem(&self, iin: &str, code: &str, now: Instant) -> Result<(), CodeError> {
        match &mut *self.lock() {
            Keeper::Memory(memory) => {
                let record = memory.iins.entry(iin.to_owned()).or_default();
                redeem_on(iin, record, code, now)
            }
            Keeper::Shared(shared) => shared.redeem(iin, code, now),
        }
    }
}

fn random_code() -> String {
    // Rejection sampling keeps the six digits uniform.
    loop {
        let mut bytes = [0u8; 4];
        if getrandom::fill(&mut bytes).is_err() {
            continue;
        }
        let n = u32::from_le_bytes(bytes);
        if n < 4_294_000_000 {
            return format!("{:06}", n % 1_000_000);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> Instant {
        text.parse().expect("instant")
    }

    #[test]
    fn a_code_is_six_digits_used_once_valid_five_minutes_and_five_tries() {
        let book = CodeBook::default();
        let address: IpAddr = "192.0.2.1".parse().expect("ip");
        let code = book.issue("900115300013", address, at("2026-03-10T10:00:00+05:00")).expect("code");
        assert_eq!(code.len(), CODE_DIGITS);
        assert!(code.bytes().all(|b| b.is_ascii_digit()));
        let wrong = if code == "000000" { "000001" } else { "000000" };
        for left in (1..MAX_TRIES).rev() {
            assert_eq!(
                book.redeem("900115300013", wrong, at("2026-03-10T10:01:00+05:00")),
                Err(CodeError::Wrong { tries_left: left })
            );
        }
        assert_eq!(
            book.redeem("900115300013", wrong, at("2026-03-10T10:01:00+05:00")),
            Err(CodeError::Wrong { tries_left: 0 })
        );
        // The fifth wrong try spends the code: even the right one no longer works.
        assert_eq!(book.redeem("900115300013", &code, at("2026-03-10T10:01:00+05:00")), Err(CodeError::NoCode));

        let code = book.issue("900115300013", address, at("2026-03-10T10:02:00+05:00")).expect("code");
        assert_eq!(book.redeem("900115300013", &code, at("2026-03-10T10:07:01+05:00")), Err(CodeError::Expired));
        let code = book.issue("900115300013", address, at("2026-03-10T10:08:00+05:00")).expect("code");
        assert_eq!(book.redeem("900115300023", &code, at("2026-03-10T10:08:30+05:00")), Err(CodeError::NoCode));
        assert_eq!(book.redeem("900115300013", &code, at("2026-03-10T10:13:00+05:00")), Ok(()));
        assert_eq!(book.redeem("900115300013", &code, at("2026-03-10T10:13:00+05:00")), Err(CodeError::NoCode));
    }

    #[test]
    fn codes_are_throttled_per_iin_and_per_address() {
        let book = CodeBook::default();
        let address: IpAddr = "192.0.2.1".parse().expect("ip");
        for minute in 0..MAX_CODES_PER_IIN {
            book.issue("900115300013", address, at(&format!("2026-03-10T10:{minute:02}:00+05:00"))).expect("code");
        }
        assert_eq!(
            book.issue("900115300013", "192.0.2.2".parse().expect("ip"), at("2026-03-10T10:05:00+05:00")),
            Err(CodeError::Throttled { wait_secs: 10 * 60 })
        );
        assert!(book.issue("900115300013", address, at("2026-03-10T10:15:00+05:00")).is_ok(), "the window moved on");
        let other = CodeBook::default();
        for n in 0..MAX_CODES_PER_ADDRESS {
            other.issue(&format!("iin{n}"), address, at("2026-03-10T10:00:00+05:00")).expect("code");
        }
        assert!(matches!(
            other.issue("iin-next", address, at("2026-03-10T10:00:01+05:00")),
            Err(CodeError::Throttled { .. })
        ));
    }
}
