//! One-time sign-in codes (the built-in identity adapter): 6 digits, valid
//! [`CODE_LIFETIME_SECS`], [`MAX_TRIES`] tries; at most [`MAX_CODES_PER_IIN`] codes per IIN
//! and [`MAX_CODES_PER_ADDRESS`] per client address in [`SEND_WINDOW_SECS`]. Codes are kept
//! as SHA-256 of IIN and code, in memory: a restart forgets the codes in flight (a parent
//! asks again), never a session.

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::Mutex;

use rules::Instant;
use sha2::{Digest, Sha256};

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
}

#[derive(Debug)]
struct Outstanding {
    hash: [u8; 32],
    expires: Instant,
    tries_left: u32,
}

#[derive(Debug, Default)]
struct Book {
    codes: HashMap<String, Outstanding>,
    sent_by_iin: HashMap<String, VecDeque<Instant>>,
    sent_by_address: HashMap<IpAddr, VecDeque<Instant>>,
}

/// The codes in flight.
#[derive(Debug, Default)]
pub struct CodeBook {
    book: Mutex<Book>,
}

fn digest(iin: &str, code: &str) -> [u8; 32] {
    Sha256::new().chain_update(iin.as_bytes()).chain_update(b":").chain_update(code.as_bytes()).finalize().into()
}

fn secs_between(from: Instant, to: Instant) -> i64 {
    (to.0 - from.0).num_seconds()
}

/// Seconds until `sent` has room under `limit` at `now`, after dropping old sends.
fn wait(sent: &mut VecDeque<Instant>, limit: usize, now: Instant) -> Option<i64> {
    while sent.front().is_some_and(|t| secs_between(*t, now) >= SEND_WINDOW_SECS) {
        sent.pop_front();
    }
    (sent.len() >= limit).then(|| sent.front().map_or(SEND_WINDOW_SECS, |t| SEND_WINDOW_SECS - secs_between(*t, now)))
}

fn cap<K: std::hash::Hash + Eq + Clone>(map: &mut HashMap<K, VecDeque<Instant>>) {
    if map.len() > MAX_TRACKED
        && let Some(oldest) = map.iter().min_by_key(|(_, v)| v.back().map(|t| t.sort_key())).map(|(k, _)| k.clone())
    {
        map.remove(&oldest);
    }
}

impl CodeBook {
    fn lock(&self) -> std::sync::MutexGuard<'_, Book> {
        self.book.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// A new code for `iin` asked from `address` (replacing any outstanding one), or how
    /// long to wait. The code itself is returned once, to be sent; only its hash is kept.
    pub fn issue(&self, iin: &str, address: IpAddr, now: Instant) -> Result<String, CodeError> {
        let mut book = self.lock();
        let by_iin = book.sent_by_iin.get_mut(iin).and_then(|s| wait(s, MAX_CODES_PER_IIN, now));
        let by_address = book.sent_by_address.get_mut(&address).and_then(|s| wait(s, MAX_CODES_PER_ADDRESS, now));
        if let Some(wait_secs) = by_iin.into_iter().chain(by_address).max() {
            return Err(CodeError::Throttled { wait_secs: wait_secs.max(1) });
        }
        let code = random_code();
        book.codes.insert(
            iin.to_owned(),
            Outstanding {
                hash: digest(iin, &code),
                expires: Instant(now.0 + chrono::Duration::seconds(CODE_LIFETIME_SECS)),
                tries_left: MAX_TRIES,
            },
        );
        book.sent_by_iin.entry(iin.to_owned()).or_default().push_back(now);
        book.sent_by_address.entry(address).or_default().push_back(now);
        cap(&mut book.sent_by_iin);
        cap(&mut book.sent_by_address);
        if book.codes.len() > MAX_TRACKED {
            book.codes.retain(|_, c| c.expires > now);
        }
        Ok(code)
    }

    /// Checks `code` for `iin`: a right code in time is used up; a wrong one costs a try.
    pub fn redeem(&self, iin: &str, code: &str, now: Instant) -> Result<(), CodeError> {
        let mut book = self.lock();
        let outstanding = book.codes.get_mut(iin).ok_or(CodeError::NoCode)?;
        if outstanding.expires < now {
            book.codes.remove(iin);
            return Err(CodeError::Expired);
        }
        // Constant-time comparison of the digests.
        let given = digest(iin, code);
        let same = given.iter().zip(outstanding.hash.iter()).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0;
        if same {
            book.codes.remove(iin);
            return Ok(());
        }
        outstanding.tries_left = outstanding.tries_left.saturating_sub(1);
        let tries_left = outstanding.tries_left;
        if tries_left == 0 {
            book.codes.remove(iin);
        }
        Err(CodeError::Wrong { tries_left })
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
