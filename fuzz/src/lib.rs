//! Shared pieces of the fuzz targets in `fuzz/tests/` (stable Rust, no nightly):
//! - a proptest strategy that mutates valid encodings (bit flips, interesting values in
//!   length fields, inserts, deletes, truncation, splices), which reaches far deeper into a
//!   decoder than random bytes;
//! - the case budget: short by default (the normal `cargo test` run), long with
//!   `KEZEK_FUZZ_CASES` (what `just soak` sets);
//! - the seed corpus in `fuzz/corpus/<target>/`, replayed by every target as a regression
//!   test (a crashing input found by a long run is added there);
//! - a per-thread counting allocator, so a target can assert that a length field never
//!   makes the decoder allocate far more than its input.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::path::PathBuf;

use proptest::prelude::*;
use proptest::test_runner::Config;
use serde_json::Value;

/// Cases per property: `KEZEK_FUZZ_CASES` when set (soak), else `default` (CI).
pub fn cases(default: u32) -> u32 {
    std::env::var("KEZEK_FUZZ_CASES").ok().and_then(|v| v.parse().ok()).filter(|&n| n > 0).unwrap_or(default)
}

/// A proptest configuration with [`cases`] and no regression files next to the sources
/// (failures found are kept in the corpus instead).
pub fn config(default: u32) -> Config {
    Config { cases: cases(default), failure_persistence: None, ..Config::default() }
}

/// The folder of a target's seed corpus.
pub fn corpus_dir(target: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("corpus").join(target)
}

/// Every file of a target's corpus, by name, sorted.
pub fn corpus(target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = corpus_dir(target);
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("corpus {}: {e}", dir.display()))
        .map(|entry| {
            let path = entry.expect("corpus entry").path();
            let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            (path.file_name().expect("a file name").to_string_lossy().into_owned(), bytes)
        })
        .collect();
    files.sort();
    files
}

/// Writes `seeds` into a target's corpus when `KEZEK_FUZZ_WRITE_CORPUS=1` (to refresh the
/// files after a format change); otherwise does nothing.
pub fn maybe_write_corpus(target: &str, seeds: &[(&str, Vec<u8>)]) {
    if std::env::var("KEZEK_FUZZ_WRITE_CORPUS").as_deref() != Ok("1") {
        return;
    }
    let dir = corpus_dir(target);
    std::fs::create_dir_all(&dir).expect("corpus folder");
    for (name, bytes) in seeds {
        std::fs::write(dir.join(name), bytes).expect("corpus file");
    }
}

/// Values that break length fields and bounds checks.
const INTERESTING_U32: [u32; 9] = [0, 1, 0x7f, 0xff, 0xffff, 0x1_0000, 0x7fff_ffff, 0x8000_0000, u32::MAX];

/// One edit of a byte string; positions are taken modulo the current length.
#[derive(Debug, Clone)]
pub enum Mutation {
    FlipBit {
        at: usize,
        bit: u8,
    },
    SetByte {
        at: usize,
        value: u8,
    },
    /// Writes an interesting little-endian u32 (a length field) at `at`.
    SetU32 {
        at: usize,
        value: u32,
    },
    Insert {
        at: usize,
        bytes: Vec<u8>,
    },
    Delete {
        at: usize,
        len: usize,
    },
    Truncate {
        at: usize,
    },
    /// Copies a range of the input over another place (duplicates records, headers).
    Duplicate {
        from: usize,
        len: usize,
        to: usize,
    },
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let at = any::<usize>();
    prop_oneof![
        4 => (at, 0u8..8).prop_map(|(at, bit)| Mutation::FlipBit { at, bit }),
        2 => (at, prop_oneof![Just(0u8), Just(0xff), Just(0x7f), Just(0x80), any::<u8>()])
            .prop_map(|(at, value)| Mutation::SetByte { at, value }),
        2 => (at, proptest::sample::select(&INTERESTING_U32[..])).prop_map(|(at, value)| Mutation::SetU32 { at, value }),
        2 => (at, proptest::collection::vec(any::<u8>(), 1..16)).prop_map(|(at, bytes)| Mutation::Insert { at, bytes }),
        2 => (at, 1usize..64).prop_map(|(at, len)| Mutation::Delete { at, len }),
        1 => at.prop_map(|at| Mutation::Truncate { at }),
        1 => (at, 1usize..256, any::<usize>()).prop_map(|(from, len, to)| Mutation::Duplicate { from, len, to }),
    ]
}

/// Applies `mutation` to `bytes`.
pub fn apply(bytes: &mut Vec<u8>, mutation: &Mutation) {
    let n = bytes.len();
    match mutation {
        Mutation::Insert { at, bytes: extra } => {
            let at = at % (n + 1);
            bytes.splice(at..at, extra.iter().copied());
        }
        _ if n == 0 => {}
        Mutation::FlipBit { at, bit } => bytes[at % n] ^= 1 << bit,
        Mutation::SetByte { at, value } => bytes[at % n] = *value,
        Mutation::SetU32 { at, value } => {
            let at = at % n;
            let end = (at + 4).min(n);
            bytes[at..end].copy_from_slice(&value.to_le_bytes()[..end - at]);
        }
        Mutation::Delete { at, len } => {
            let at = at % n;
            bytes.drain(at..(at + len).min(n));
        }
        Mutation::Truncate { at } => bytes.truncate(at % n),
        Mutation::Duplicate { from, len, to } => {
            let from = from % n;
            let chunk = bytes[from..(from + len).min(n)].to_vec();
            let to = to % (n + 1);
            bytes.splice(to..to, chunk);
        }
    }
}

/// Inputs made from `seeds`: mostly one seed with 1–8 mutations, sometimes two seeds
/// spliced together, sometimes plain random bytes.
pub fn mutated(seeds: Vec<Vec<u8>>) -> impl Strategy<Value = Vec<u8>> {
    assert!(!seeds.is_empty(), "mutation needs seeds");
    let spliced_seeds = seeds.clone();
    let edited = (proptest::sample::select(seeds), proptest::collection::vec(mutation(), 1..8)).prop_map(
        |(mut bytes, mutations)| {
            for m in &mutations {
                apply(&mut bytes, m);
            }
            bytes
        },
    );
    let spliced = (
        proptest::sample::select(spliced_seeds.clone()),
        proptest::sample::select(spliced_seeds),
        any::<usize>(),
        any::<usize>(),
    )
        .prop_map(|(a, b, cut_a, cut_b)| {
            let mut out = a[..cut_a % (a.len() + 1)].to_vec();
            out.extend_from_slice(&b[cut_b % (b.len() + 1)..]);
            out
        });
    prop_oneof![
        8 => edited,
        1 => spliced,
        1 => proptest::collection::vec(any::<u8>(), 0..512),
    ]
}

/// Text inputs made from `seeds` (JSON lines): byte mutations, then lossy UTF-8 unless the
/// bytes still are valid; invalid UTF-8 is tested on the byte paths that accept it.
pub fn mutated_text(seeds: Vec<String>) -> impl Strategy<Value = String> {
    mutated(seeds.into_iter().map(String::into_bytes).collect()).prop_map(|bytes| {
        String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
    })
}

/// A replacement for one node of a JSON document: extremes of each type, wrong types,
/// dates and times that do not exist, long and odd strings.
fn json_value() -> impl Strategy<Value = Value> {
    let odd_strings = proptest::sample::select(vec![
        String::new(),
        " ".into(),
        "2026-02-30".into(),
        "2026-13-01".into(),
        "0000-01-01".into(),
        "9999-12-31T23:59:59+14:00".into(),
        "2026-03-10T25:00:00+05:00".into(),
        "-1".into(),
        "\u{0}".into(),
        "\u{202e}KG-KOK-01".into(),
        "x".repeat(10_000),
        "Ә".repeat(3_000),
    ]);
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        proptest::sample::select(vec![0i64, -1, 1, i64::from(i32::MAX), i64::from(u32::MAX), i64::MIN, i64::MAX])
            .prop_map(Value::from),
        Just(Value::from(u64::MAX)),
        Just(Value::from(1e308)),
        Just(Value::from(-0.5)),
        odd_strings.prop_map(Value::String),
        ".{0,12}".prop_map(Value::String),
        Just(Value::Array(vec![])),
        Just(Value::Object(serde_json::Map::new())),
    ]
}

/// The number of nodes of a JSON document.
fn nodes(value: &Value) -> usize {
    1 + match value {
        Value::Array(items) => items.iter().map(nodes).sum(),
        Value::Object(map) => map.values().map(nodes).sum(),
        _ => 0,
    }
}

/// Node `index` (pre-order) of `value`.
fn node_mut(value: &mut Value, index: usize) -> Option<&mut Value> {
    if index == 0 {
        return Some(value);
    }
    let mut rest = index - 1;
    let children: Vec<&mut Value> = match value {
        Value::Array(items) => items.iter_mut().collect(),
        Value::Object(map) => map.values_mut().collect(),
        _ => return None,
    };
    for child in children {
        let size = nodes(child);
        if rest < size {
            return node_mut(child, rest);
        }
        rest -= size;
    }
    None
}

/// One structural edit of a JSON document.
#[derive(Debug, Clone)]
enum JsonEdit {
    Replace {
        at: usize,
        value: Value,
    },
    /// Removes a field of an object node (or an item of an array).
    Remove {
        at: usize,
        which: usize,
    },
    /// Adds an unknown field to an object node.
    AddField {
        at: usize,
        value: Value,
    },
}

fn apply_json(doc: &mut Value, edit: &JsonEdit) {
    let n = nodes(doc);
    match edit {
        JsonEdit::Replace { at, value } => {
            if let Some(node) = node_mut(doc, at % n) {
                *node = value.clone();
            }
        }
        JsonEdit::Remove { at, which } => match node_mut(doc, at % n) {
            Some(Value::Object(map)) if !map.is_empty() => {
                let key = map.keys().nth(which % map.len()).cloned().unwrap_or_default();
                map.remove(&key);
            }
            Some(Value::Array(items)) if !items.is_empty() => {
                items.remove(which % items.len());
            }
            _ => {}
        },
        JsonEdit::AddField { at, value } => {
            if let Some(Value::Object(map)) = node_mut(doc, at % n) {
                map.insert("unexpected".into(), value.clone());
            }
        }
    }
}

/// JSON documents made from `seeds` by structural edits (most stay valid JSON and reach
/// the typed deserializers and the checks behind them), or by byte mutations.
pub fn mutated_json(seeds: Vec<Vec<u8>>) -> impl Strategy<Value = Vec<u8>> {
    let docs: Vec<Value> = seeds.iter().filter_map(|s| serde_json::from_slice(s).ok()).collect();
    assert!(!docs.is_empty(), "JSON mutation needs JSON seeds");
    let edit = prop_oneof![
        6 => (any::<usize>(), json_value()).prop_map(|(at, value)| JsonEdit::Replace { at, value }),
        2 => (any::<usize>(), any::<usize>()).prop_map(|(at, which)| JsonEdit::Remove { at, which }),
        1 => (any::<usize>(), json_value()).prop_map(|(at, value)| JsonEdit::AddField { at, value }),
    ];
    let structural =
        (proptest::sample::select(docs), proptest::collection::vec(edit, 1..4)).prop_map(|(mut doc, edits)| {
            for e in &edits {
                apply_json(&mut doc, e);
            }
            serde_json::to_vec(&doc).expect("a JSON value serializes")
        });
    prop_oneof![3 => structural, 1 => mutated(seeds)]
}

thread_local! {
    static LIVE: Cell<usize> = const { Cell::new(0) };
    static PEAK: Cell<usize> = const { Cell::new(0) };
}

/// The system allocator, counting the bytes live on each thread and their peak. A target
/// that installs it (`#[global_allocator]`) measures a decoder with [`peak_allocation`].
#[derive(Debug)]
pub struct CountingAllocator;

fn count(delta: isize) {
    // `try_with`: the allocator also runs while a thread's locals are torn down.
    let _ = LIVE.try_with(|live| {
        let now = live.get().saturating_add_signed(delta);
        live.set(now);
        let _ = PEAK.try_with(|peak| peak.set(peak.get().max(now)));
    });
}

#[allow(unsafe_code)] // A GlobalAlloc is an unsafe trait; this only forwards to System.
// SAFETY: every call forwards to `System` with the caller's arguments unchanged.
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count(layout.size().cast_signed());
        // SAFETY: forwarded contract.
        unsafe { System.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        count(layout.size().cast_signed());
        // SAFETY: forwarded contract.
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        count(-layout.size().cast_signed());
        // SAFETY: forwarded contract.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count(new_size.cast_signed() - layout.size().cast_signed());
        // SAFETY: forwarded contract.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

/// Runs `f` and returns its result and the most bytes it had allocated at once on this
/// thread (meaningful only when [`CountingAllocator`] is the global allocator).
pub fn peak_allocation<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let base = LIVE.with(Cell::get);
    PEAK.with(|peak| peak.set(base));
    let out = f();
    let peak = PEAK.with(Cell::get);
    (out, peak.saturating_sub(base))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mutations_stay_in_bounds_and_change_bytes() {
        let mut bytes = b"abcdef".to_vec();
        apply(&mut bytes, &Mutation::SetU32 { at: 4, value: u32::MAX });
        assert_eq!(bytes, b"abcd\xff\xff");
        apply(&mut bytes, &Mutation::Delete { at: 1, len: 100 });
        assert_eq!(bytes, b"a");
        apply(&mut bytes, &Mutation::Duplicate { from: 0, len: 10, to: 7 });
        assert_eq!(bytes, b"aa");
        apply(&mut bytes, &Mutation::Truncate { at: 2 });
        assert_eq!(bytes, b"");
        apply(&mut bytes, &Mutation::FlipBit { at: 3, bit: 1 });
        assert_eq!(bytes, b"");
        apply(&mut bytes, &Mutation::Insert { at: 9, bytes: vec![1, 2] });
        assert_eq!(bytes, [1, 2]);
    }
}
