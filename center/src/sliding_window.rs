//! Recent events in a sliding window (staff sign-in failures, parents' codes sent) and how
//! long until a limit has room again: the one count behind both throttles
//! ([`crate::throttle`], [`crate::parents::CodeBook`]).

use std::collections::VecDeque;

use rules::Instant;

/// Whole seconds from `from` to `to`.
fn secs_between(from: Instant, to: Instant) -> i64 {
    (to.0 - from.0).num_seconds()
}

/// Whether `latest` is less than `window_secs` before `now`.
pub(crate) fn within(latest: Instant, window_secs: i64, now: Instant) -> bool {
    secs_between(latest, now) < window_secs
}

/// Drops from `times` (oldest first) what is `window_secs` or more before `now`; then, when
/// `limit` of them remain, the seconds until the oldest leaves the window.
pub(crate) fn wait(times: &mut VecDeque<Instant>, limit: usize, window_secs: i64, now: Instant) -> Option<i64> {
    while times.front().is_some_and(|t| !within(*t, window_secs, now)) {
        times.pop_front();
    }
    (times.len() >= limit).then(|| times.front().map_or(window_secs, |t| window_secs - secs_between(*t, now)))
}
