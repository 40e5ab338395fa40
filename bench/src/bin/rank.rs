//! `rank [N]`: ranks N (default 1,000,000) generated applications natively and with an
//! in-memory SQLite baseline in the same run, checks that both agree, then times one
//! insert plus position read in a `QueueIndex` holding every queued application.
//!
//! A second baseline bounds what ranking could cost at best: the queued rows' packed keys
//! (queue, class, registration instant, id rank in one `u128`, computed before timing)
//! sorted with `sort_unstable`. It yields no positions and allocates nothing; `rank_queue`
//! also checks ids for duplicates, reads every entry and returns one row per queued entry
//! (borrowing its id and district).
//!
//! Output: one `key=value` summary line per metric, e.g.
//! `rank_1m native_ms=… sqlite_ms=… ratio=… packed_sort_ms=… ratio_to_packed=…`.

// SQLite is a product name in prose, not an identifier.
#![allow(clippy::doc_markdown)]

use std::hint::black_box;
use std::time::{Duration, Instant as Clock};

use kezek_bench::{
    SplitMix64, class_code, compare, drop_and_settle, generate, instant_nanos, median_ms, random_entry, sqlite_index,
    sqlite_load, sqlite_rank, timed,
};
use rules::QueueKey;
use rules::queue::{QueueIndex, QueueMember, RankEntry, RankView, RankedRef, rank_places, rank_queue};

const SEED: u64 = 20_260_301;
/// Runs of each full ranking; the median is reported.
const NATIVE_RUNS: usize = 5;
const SQLITE_RUNS: usize = 3;
const INSERTS: usize = 10_000;

fn key(e: &RankEntry) -> QueueKey {
    QueueKey { district: e.district.clone(), queue_type: e.queue_type, group_year: e.birth_date.year() }
}

/// Nearest-rank percentile of sorted durations, in microseconds.
fn percentile(sorted: &[Duration], percent: usize) -> f64 {
    let rank = (percent * sorted.len()).div_ceil(100).clamp(1, sorted.len());
    sorted[rank - 1].as_secs_f64() * 1e6
}

fn main() {
    let n: usize = std::env::args().nth(1).map_or(1_000_000, |a| a.parse().expect("N must be a number"));
    let label = if n == 1_000_000 { "rank_1m".to_owned() } else { format!("rank_{n}") };

    let started = Clock::now();
    let entries = generate(n, SEED);
    let queued = entries.iter().filter(|e| e.status == "queued").count();
    eprintln!("generated {n} applications ({queued} queued) in {:.0} ms", started.elapsed().as_secs_f64() * 1e3);
    full_ranking(&label, &entries, queued);
    incremental(n, entries);
}

/// (1) native `rank_queue` and (2) the SQLite baseline, checked against each other.
fn full_ranking(label: &str, entries: &[RankEntry], queued: usize) {
    // (1) Native full ranking.
    let (mut native_runs, mut native_cpu) = (Vec::new(), Vec::new());
    let mut native = Vec::new();
    for _ in 0..NATIVE_RUNS {
        // Free the previous result first: freeing the output is not part of ranking.
        drop_and_settle(std::mem::take(&mut native));
        let (result, wall, cpu) =
            timed(|| black_box(rank_queue(black_box(entries)).expect("generated ids are unique")));
        native_runs.push(wall);
        native_cpu.push(cpu);
        native = result;
    }
    eprintln!("native runs: {native_runs:?} (cpu {native_cpu:?})");
    let (native_ms, native_cpu_ms) = (median_ms(native_runs), median_ms(native_cpu));
    let (packed_ms, packed_cpu_ms) = packed_sort_runs(entries, &native);
    let (places_ms, places_cpu_ms) = rank_places_runs(entries, &native);

    // (2) SQLite baseline: same data, insert not timed, query timed with a full fetch.
    let mut conn = rusqlite::Connection::open_in_memory().expect("in-memory SQLite");
    let t = Clock::now();
    sqlite_load(&mut conn, entries).expect("insert");
    eprintln!("sqlite insert (not timed): {:.0} ms", t.elapsed().as_secs_f64() * 1e3);
    // As the brief specifies: the plain table.
    let (sqlite_ms, sqlite_cpu_ms) = sqlite_runs("sqlite", &conn, &native);
    // SQLite's best shot: with the index the query wants (not timed either).
    let t = Clock::now();
    sqlite_index(&conn).expect("index");
    eprintln!("sqlite index (not timed): {:.0} ms", t.elapsed().as_secs_f64() * 1e3);
    let (indexed_ms, indexed_cpu_ms) = sqlite_runs("sqlite_indexed", &conn, &native);
    drop(conn);
    println!(
        "{label}_packed native_ms={native_ms:.1} packed_sort_ms={packed_ms:.1} ratio_to_packed={:.2} \
         native_cpu_ms={native_cpu_ms:.1} packed_sort_cpu_ms={packed_cpu_ms:.1} ratio_to_packed_cpu={:.2} \
         rank_places_ms={places_ms:.1} rank_places_cpu_ms={places_cpu_ms:.1} places_to_packed_cpu={:.2}",
        native_ms / packed_ms,
        native_cpu_ms / packed_cpu_ms,
        places_cpu_ms / packed_cpu_ms,
    );
    println!(
        "{label} native_ms={native_ms:.1} sqlite_ms={sqlite_ms:.1} ratio={:.1} \
         sqlite_indexed_ms={indexed_ms:.1} ratio_indexed={:.1} \
         native_cpu_ms={native_cpu_ms:.1} sqlite_cpu_ms={sqlite_cpu_ms:.1} ratio_cpu={:.1} \
         sqlite_indexed_cpu_ms={indexed_cpu_ms:.1} ratio_indexed_cpu={:.1} \
         queued={queued} verified_rows={}",
        sqlite_ms / native_ms,
        indexed_ms / native_ms,
        sqlite_cpu_ms / native_cpu_ms,
        indexed_cpu_ms / native_cpu_ms,
        native.len()
    );
}

/// A queue in `rank_queue`'s output order: district and queue type bytewise, group year.
fn queue_of(e: &RankEntry) -> (&str, &str, i32) {
    (e.district.as_str(), e.queue_type.as_str(), e.birth_date.year())
}

/// The packed-key baseline: each queued row's key is built before timing, as
/// `queue rank << 98 | class << 96 | (registration − earliest, in ns) << 32 | id rank`, where
/// the queue rank orders queues as `rank_queue`'s output does and the id rank is the id's
/// index among all queued ids sorted bytewise. Each run sorts a fresh copy with
/// `sort_unstable` (the copy is not timed). The sorted order must list every queue's
/// classes exactly as `native` ranks them, or the benchmark fails. Returns the median wall
/// and CPU milliseconds.
fn packed_sort_runs(entries: &[RankEntry], native: &[RankedRef<'_>]) -> (f64, f64) {
    let in_queue: Vec<&RankEntry> = entries.iter().filter(|e| e.status == "queued").collect();
    let mut queues: Vec<_> = in_queue.iter().map(|e| queue_of(e)).collect();
    queues.sort_unstable();
    queues.dedup();
    let mut ids: Vec<&str> = in_queue.iter().map(|e| e.id.as_str()).collect();
    ids.sort_unstable();
    let earliest = in_queue.iter().map(|e| instant_nanos(e.registered_at)).min().unwrap_or(0);
    let keys: Vec<u128> = in_queue
        .iter()
        .map(|e| {
            let queue = queues.binary_search(&queue_of(e)).expect("listed");
            let id = ids.binary_search(&e.id.as_str()).expect("listed");
            let since = (instant_nanos(e.registered_at) - earliest).cast_unsigned();
            let class = class_code(e.right).cast_unsigned();
            (queue as u128) << 98 | u128::from(class) << 96 | u128::from(since) << 32 | id as u128
        })
        .collect();
    let (mut walls, mut cpus) = (Vec::new(), Vec::new());
    let mut sorted = Vec::new();
    for _ in 0..NATIVE_RUNS {
        let mut copy = keys.clone();
        let ((), wall, cpu) = timed(|| black_box(&mut copy).sort_unstable());
        walls.push(wall);
        cpus.push(cpu);
        sorted = copy;
    }
    eprintln!("packed sort runs: {walls:?} (cpu {cpus:?})");
    // The same rows in the same order: per queue, each class in `rank_queue`'s order.
    let class_of: std::collections::HashMap<&str, i64> =
        in_queue.iter().map(|e| (e.id.as_str(), class_code(e.right))).collect();
    let mut expected: Vec<&str> = Vec::with_capacity(native.len());
    for queue in native
        .chunk_by(|a, b| (a.district(), a.queue_type(), a.group_year) == (b.district(), b.queue_type(), b.group_year))
    {
        for class in 0..3 {
            expected.extend(queue.iter().map(RankedRef::id).filter(|id| class_of[id] == class));
        }
    }
    let low_32 = u128::from(u32::MAX);
    let same = sorted.len() == expected.len()
        && sorted.iter().zip(&expected).all(|(key, id)| usize::try_from(key & low_32).is_ok_and(|i| ids[i] == *id));
    if !same {
        eprintln!("FATAL: the packed-key sort does not order the classes as rank_queue does");
        std::process::exit(1);
    }
    (median_ms(walls), median_ms(cpus))
}

/// `rank_places` (the borrowed form: input indexes out, no strings copied) on views of the
/// same entries, made before timing; its positions must equal `native`'s.
fn rank_places_runs(entries: &[RankEntry], native: &[RankedRef<'_>]) -> (f64, f64) {
    let views: Vec<RankView<'_>> = entries
        .iter()
        .map(|e| RankView {
            id: &e.id,
            district: &e.district,
            queue_type: e.queue_type,
            birth_date: e.birth_date,
            right: e.right,
            registered_at: e.registered_at,
            queued: e.status == "queued",
        })
        .collect();
    let (mut walls, mut cpus) = (Vec::new(), Vec::new());
    let mut places = Vec::new();
    for _ in 0..NATIVE_RUNS {
        drop_and_settle(std::mem::take(&mut places));
        let (result, wall, cpu) = timed(|| black_box(rank_places(black_box(&views)).expect("unique ids")));
        walls.push(wall);
        cpus.push(cpu);
        places = result;
    }
    eprintln!("rank_places runs: {walls:?} (cpu {cpus:?})");
    let same = places.len() == native.len()
        && places.iter().zip(native).all(|(p, r)| entries[p.entry].id == r.id() && p.position == r.position);
    if !same {
        eprintln!("FATAL: rank_places and rank_queue differ");
        std::process::exit(1);
    }
    (median_ms(walls), median_ms(cpus))
}

/// Runs the SQLite query `SQLITE_RUNS` times; every row of the last result must equal the
/// native ranking. Returns the median wall and CPU milliseconds.
fn sqlite_runs(name: &str, conn: &rusqlite::Connection, native: &[RankedRef<'_>]) -> (f64, f64) {
    let (mut walls, mut cpus) = (Vec::new(), Vec::new());
    let mut sql = Vec::new();
    for _ in 0..SQLITE_RUNS {
        drop_and_settle(std::mem::take(&mut sql));
        let (result, wall, cpu) = timed(|| black_box(sqlite_rank(conn).expect("query")));
        walls.push(wall);
        cpus.push(cpu);
        sql = result;
    }
    eprintln!("{name} runs: {walls:?} (cpu {cpus:?})");
    // Every row is compared, not only a sample: a mismatch makes the benchmark worthless.
    if let Err(difference) = compare(native, &sql) {
        eprintln!("FATAL: {name} and native positions differ: {difference}");
        std::process::exit(1);
    }
    (median_ms(walls), median_ms(cpus))
}

/// (3) one new application into an index of every queued one, then its position.
fn incremental(n: usize, entries: Vec<RankEntry>) {
    let keys: Vec<QueueKey> = entries.iter().map(key).collect();
    let mut index = QueueIndex::new();
    let t = Clock::now();
    for (e, k) in entries.iter().zip(&keys).filter(|(e, _)| e.status == "queued") {
        index.insert(&QueueMember { queue: k, right: e.right, registered_at: e.registered_at, id: &e.id });
    }
    eprintln!("index build: {} members in {:.0} ms", index.len(), t.elapsed().as_secs_f64() * 1e3);
    let mut rng = SplitMix64::new(SEED ^ 0xFFFF);
    let newcomers: Vec<RankEntry> = (0..INSERTS as u64).map(|i| random_entry(&mut rng, n as u64 + i, 100)).collect();
    let newcomer_keys: Vec<QueueKey> = newcomers.iter().map(key).collect();
    let mut times = Vec::with_capacity(INSERTS);
    for (e, k) in newcomers.iter().zip(&newcomer_keys) {
        let member = QueueMember { queue: k, right: e.right, registered_at: e.registered_at, id: &e.id };
        let t = Clock::now();
        index.insert(&member);
        let position = index.position(&member);
        times.push(t.elapsed());
        assert!(black_box(position).is_some(), "a just-inserted application has a position");
    }
    // The index still agrees with a full ranking of the same members.
    let check_sample: Vec<&RankEntry> = newcomers.iter().step_by(997).collect();
    let mut all: Vec<RankEntry> = entries.into_iter().filter(|e| e.status == "queued").collect();
    all.extend(newcomers.iter().cloned());
    let full = rank_queue(&all).expect("unique ids");
    let positions: std::collections::HashMap<&str, u32> = full.iter().map(|r| (r.id(), r.position)).collect();
    for (e, k) in check_sample.iter().map(|e| (*e, key(e))) {
        let member = QueueMember { queue: &k, right: e.right, registered_at: e.registered_at, id: &e.id };
        if index.position(&member) != positions.get(e.id.as_str()).copied() {
            eprintln!("FATAL: QueueIndex position of {} differs from rank_queue", e.id);
            std::process::exit(1);
        }
    }
    times.sort_unstable();
    println!(
        "queue_index_insert_position base={} inserts={INSERTS} p50_us={:.2} p99_us={:.2} max_us={:.2}",
        index.len() - INSERTS,
        percentile(&times, 50),
        percentile(&times, 99),
        times.last().expect("non-empty").as_secs_f64() * 1e6
    );
}
