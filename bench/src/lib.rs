//! Shared helpers of the benchmark binaries: a seeded generator of applications and the
//! SQLite baseline that ranks them with window functions.

// SQLite is a product name in prose, not an identifier.
#![allow(clippy::doc_markdown)]

use chrono::{DateTime, FixedOffset};
use rules::queue::RankEntry;
use rules::{Date, Instant, QueueType, RightClass};

/// SplitMix64: tiny, seeded and good enough to spread benchmark data (not for security).
#[derive(Debug, Clone)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    pub fn new(seed: u64) -> Self {
        SplitMix64(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n > 0`); the modulo bias is negligible for the small `n` used here.
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }

    pub fn index(&mut self, n: usize) -> usize {
        usize::try_from(self.below(n as u64)).expect("below n fits usize")
    }
}

pub const DISTRICTS: usize = 20;
pub const GROUP_YEARS: [i32; 6] = [2020, 2021, 2022, 2023, 2024, 2025];
/// Statuses of the 20% not queued (not ranked, but present as they are in real data).
const OTHER_STATUSES: [&str; 4] = ["voucher_issued", "direction_issued", "enrolled", "archived"];
/// 2021-01-01T00:00:00Z: registrations are spread over the five and a half years after.
const FIRST_REGISTRATION_SECS: i64 = 1_609_459_200;
const REGISTRATION_SPAN_SECS: u64 = 5 * 365 * 86_400 + 150 * 86_400;

pub fn district_name(i: usize) -> String {
    format!("D{i:02}")
}

/// One random application. `serial` makes the id unique; ids are not in registration order.
pub fn random_entry(rng: &mut SplitMix64, serial: u64, queued_share_percent: u64) -> RankEntry {
    let district = district_name(rng.index(DISTRICTS));
    let queue_type = QueueType::ALL[rng.index(QueueType::ALL.len())];
    let year = GROUP_YEARS[rng.index(GROUP_YEARS.len())];
    let day_of_year = u32::try_from(rng.below(365)).expect("small");
    let birth_date =
        Date(chrono::NaiveDate::from_yo_opt(year, day_of_year + 1).expect("day 1..=365 exists in every year"));
    let right = match rng.below(100) {
        0..5 => RightClass::Extraordinary,
        5..20 => RightClass::First,
        _ => RightClass::None,
    };
    let secs = FIRST_REGISTRATION_SECS + i64::try_from(rng.below(REGISTRATION_SPAN_SECS)).expect("span fits i64");
    // Whole seconds only, so that equal instants (ties broken by id) occur; written at
    // +05:00 or in UTC, as kiosks and the portal do.
    let utc = DateTime::from_timestamp(secs, 0).expect("in range");
    let offset = FixedOffset::east_opt(if rng.below(2) == 0 { 5 * 3600 } else { 0 }).expect("valid offset");
    let status =
        if rng.below(100) < queued_share_percent { "queued" } else { OTHER_STATUSES[rng.index(OTHER_STATUSES.len())] };
    // A scrambled serial: ids sort in an order unrelated to registration time.
    let id = format!("A{:016x}", serial.wrapping_mul(0x9E37_79B9_7F4A_7C15));
    RankEntry {
        id,
        district,
        queue_type,
        birth_date,
        right,
        registered_at: Instant(utc.with_timezone(&offset)),
        status: status.to_owned(),
    }
}

/// `n` applications from `seed`, 80% of them queued.
pub fn generate(n: usize, seed: u64) -> Vec<RankEntry> {
    let mut rng = SplitMix64::new(seed);
    (0..n as u64).map(|serial| random_entry(&mut rng, serial, 80)).collect()
}

/// Nanoseconds since the Unix epoch: one integer column that orders like `Instant`.
pub fn instant_nanos(instant: Instant) -> i64 {
    instant.0.timestamp_nanos_opt().expect("registration instants lie within 1677..2262")
}

pub fn class_code(right: RightClass) -> i64 {
    match right {
        RightClass::Extraordinary => 0,
        RightClass::First => 1,
        RightClass::None => 2,
    }
}

/// Creates the `apps` table and loads `entries` in one transaction.
pub fn sqlite_load(conn: &mut rusqlite::Connection, entries: &[RankEntry]) -> rusqlite::Result<()> {
    // SQLite's best shot: sorts and temporary b-trees stay in memory (by default they
    // spill to temporary files), with a page cache large enough for the whole table.
    conn.execute_batch(
        "PRAGMA temp_store = MEMORY;
         PRAGMA cache_size = -1048576;
         CREATE TABLE apps (
             id TEXT PRIMARY KEY,
             district TEXT NOT NULL,
             queue_type TEXT NOT NULL,
             group_year INTEGER NOT NULL,
             class INTEGER NOT NULL,
             registered_at_nanos INTEGER NOT NULL,
             status TEXT NOT NULL
         );",
    )?;
    let tx = conn.transaction()?;
    {
        let mut insert = tx.prepare("INSERT INTO apps VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)")?;
        for e in entries {
            insert.execute(rusqlite::params![
                e.id,
                e.district,
                e.queue_type.as_str(),
                e.birth_date.year(),
                class_code(e.right),
                instant_nanos(e.registered_at),
                e.status,
            ])?;
        }
    }
    tx.commit()
}

/// Adds the index a database engineer would add for `SQLITE_RANK`: it hands the first
/// window its rows already in (queue, class, registration, id) order.
pub fn sqlite_index(conn: &rusqlite::Connection) -> rusqlite::Result<()> {
    conn.execute_batch(
        "CREATE INDEX queued_order ON apps (district, queue_type, group_year, class, registered_at_nanos, id)
             WHERE status = 'queued';
         ANALYZE;",
    )
}

/// The same positions as `rank_queue`, computed in SQL: each class ranked by
/// (registration, id), class sizes per queue by window counts, then the position of the
/// r-th (0-based) member: extraordinary r+1; first-priority after r earlier Fs and up to
/// 3r Gs; general after r earlier Gs and the F that opens each started block of three.
/// Output in `rank_queue`'s order: district, queue type, group year, position.
pub const SQLITE_RANK: &str = "
WITH ranked AS (
    SELECT id, district, queue_type, group_year, class,
           ROW_NUMBER() OVER (
               PARTITION BY district, queue_type, group_year, class
               ORDER BY registered_at_nanos, id
           ) - 1 AS r
    FROM apps
    WHERE status = 'queued'
), sized AS (
    SELECT *,
           COUNT(*) FILTER (WHERE class = 0) OVER q AS n_extra,
           COUNT(*) FILTER (WHERE class = 1) OVER q AS n_first,
           COUNT(*) FILTER (WHERE class = 2) OVER q AS n_general
    FROM ranked
    WINDOW q AS (PARTITION BY district, queue_type, group_year)
)
SELECT id, district, queue_type, group_year,
       CASE class
           WHEN 0 THEN r + 1
           WHEN 1 THEN n_extra + r + MIN(n_general, r * 3) + 1
           ELSE n_extra + r + MIN(n_first, r / 3 + 1) + 1
       END AS position
FROM sized
ORDER BY district, queue_type, group_year, position
";

/// One ranked row as SQLite returns it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SqlRanked {
    pub id: String,
    pub district: String,
    pub queue_type: String,
    pub group_year: i64,
    pub position: i64,
}

/// Runs `SQLITE_RANK` and fetches every row.
pub fn sqlite_rank(conn: &rusqlite::Connection) -> rusqlite::Result<Vec<SqlRanked>> {
    let mut statement = conn.prepare_cached(SQLITE_RANK)?;
    let rows = statement.query_map([], |row| {
        Ok(SqlRanked {
            id: row.get(0)?,
            district: row.get(1)?,
            queue_type: row.get(2)?,
            group_year: row.get(3)?,
            position: row.get(4)?,
        })
    })?;
    rows.collect()
}

/// Compares SQLite's rows with native ranking, row by row (both come in the same order).
/// Returns a description of the first difference.
pub fn compare(native: &[rules::queue::RankedRef<'_>], sql: &[SqlRanked]) -> Result<(), String> {
    if native.len() != sql.len() {
        return Err(format!("native ranked {} applications, SQLite {}", native.len(), sql.len()));
    }
    for (i, (n, s)) in native.iter().zip(sql).enumerate() {
        let same = n.id() == s.id
            && n.district() == s.district
            && n.queue_type().as_str() == s.queue_type
            && i64::from(n.group_year) == s.group_year
            && i64::from(n.position) == s.position;
        if !same {
            return Err(format!("row {i}: native {n:?} vs SQLite {s:?}"));
        }
    }
    Ok(())
}

/// CPU time this thread has run so far (Linux: `/proc/thread-self/schedstat`), or `None`
/// elsewhere. On a shared machine wall time includes waiting for a core; CPU time does not.
pub fn thread_cpu_time() -> Option<std::time::Duration> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let nanos: u64 = text.split_whitespace().next()?.parse().ok()?;
    Some(std::time::Duration::from_nanos(nanos))
}

/// Wall and CPU time of one call (CPU time is zero where it cannot be read).
pub fn timed<T>(f: impl FnOnce() -> T) -> (T, std::time::Duration, std::time::Duration) {
    let cpu = thread_cpu_time();
    let wall = std::time::Instant::now();
    let result = f();
    let wall = wall.elapsed();
    let cpu = thread_cpu_time().zip(cpu).map(|(after, before)| after.saturating_sub(before)).unwrap_or_default();
    (result, wall, cpu)
}

/// Drops a previous result and lets the allocator settle before the next timed run.
///
/// glibc keeps freed small chunks in "fast bins" and merges them all (`malloc_consolidate`)
/// on the next request of 1 KiB or more. After freeing a million strings, that merge was
/// charged to whichever timed call allocated next, and made up nearly half its time. A
/// 64 KiB request (served from the heap, below the mmap threshold) triggers it here.
pub fn drop_and_settle<T>(previous: T) {
    drop(previous);
    drop(std::hint::black_box(Vec::<u8>::with_capacity(64 * 1024)));
}

/// Median of a non-empty list of durations, in milliseconds.
pub fn median_ms(mut runs: Vec<std::time::Duration>) -> f64 {
    runs.sort_unstable();
    runs[runs.len() / 2].as_secs_f64() * 1e3
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generation_is_deterministic_and_follows_the_shares() {
        let a = generate(20_000, 7);
        assert_eq!(a, generate(20_000, 7));
        assert_ne!(a, generate(20_000, 8));
        let share = |f: &dyn Fn(&RankEntry) -> bool| a.iter().filter(|e| f(e)).count() * 100 / a.len();
        assert!((78..=82).contains(&share(&|e| e.status == "queued")));
        assert!((4..=6).contains(&share(&|e| e.right == RightClass::Extraordinary)));
        assert!((14..=16).contains(&share(&|e| e.right == RightClass::First)));
        let ids: std::collections::HashSet<&str> = a.iter().map(|e| e.id.as_str()).collect();
        assert_eq!(ids.len(), a.len());
    }

    #[test]
    fn sqlite_positions_equal_native_positions() {
        // Small queues make every branch of the CASE and the class run-outs common.
        let mut rng = SplitMix64::new(3);
        let mut entries: Vec<RankEntry> = (0..3_000).map(|i| random_entry(&mut rng, i, 80)).collect();
        // Equal instants across offsets: the id decides.
        let tie = entries[0].registered_at;
        for e in entries.iter_mut().step_by(7) {
            e.registered_at = Instant(tie.0.with_timezone(&FixedOffset::west_opt(3 * 3600).expect("valid")));
        }
        let native = rules::queue::rank_queue(&entries).expect("unique ids");
        let mut conn = rusqlite::Connection::open_in_memory().expect("in-memory database");
        sqlite_load(&mut conn, &entries).expect("loaded");
        let sql = sqlite_rank(&conn).expect("ranked");
        assert_eq!(compare(&native, &sql), Ok(()));
        sqlite_index(&conn).expect("indexed");
        let sql = sqlite_rank(&conn).expect("ranked with the index");
        assert_eq!(compare(&native, &sql), Ok(()));
    }
}
