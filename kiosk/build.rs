//! The fold fingerprint: a SHA-256 of every source file that decides what the kiosk's
//! state is after replaying its log (the rules, the entry format, the kiosk's replay and
//! its checkpoint encoding, the data they embed, and `Cargo.lock`, which pins serde, chrono
//! and the rest). A checkpoint of the folded state (`service/checkpoint/`) records it and
//! is ignored when it differs, so a build whose rules changed replays the whole log again
//! even if the crates' versions did not change (they usually do not between builds).
//!
//! Why the sources and not the crate versions: the rules change between builds of one
//! version. Why not the executable: reading and hashing it at every open costs more than
//! the check saves, and unrelated changes (a GUI text) would invalidate checkpoints too;
//! this list is coarse on purpose, a change to any of these files costs one full replay.
//! Cargo re-runs this script when any of them changes (`rerun-if-changed` on folders
//! watches every file in them).

use std::fs;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

/// Folders and files (relative to this crate) whose contents make the fingerprint.
const INPUTS: &[&str] = &[
    "../rules/src",
    "../rules/build.rs",
    "../rules/build_categories.rs",
    "../rules/Cargo.toml",
    "../changelog/src",
    "../changelog/Cargo.toml",
    "../data/calendar.json",
    "../data/categories.json",
    "../data/demo/kindergartens.json",
    "../Cargo.lock",
    "src/service/replay.rs",
    "src/service/checkpoint",
    "src/logfile",
    "src/operators.rs",
    "src/base.rs",
];

/// Every file under `path` (or `path` itself), in a stable order.
fn files(path: &Path, out: &mut Vec<PathBuf>) {
    if path.is_dir() {
        let mut entries: Vec<PathBuf> =
            fs::read_dir(path).expect("read a fingerprint folder").map(|e| e.expect("folder entry").path()).collect();
        entries.sort();
        for entry in entries {
            files(&entry, out);
        }
    } else if path.is_file() {
        out.push(path.to_path_buf());
    }
}

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let mut hasher = Sha256::new();
    for input in INPUTS {
        let path = manifest.join(input);
        println!("cargo::rerun-if-changed={}", path.display());
        let mut found = Vec::new();
        files(&path, &mut found);
        for file in found {
            let relative = file.strip_prefix(&manifest).unwrap_or(&file).to_string_lossy().replace('\\', "/");
            let bytes = fs::read(&file).expect("read a fingerprint file");
            hasher.update((relative.len() as u64).to_le_bytes());
            hasher.update(relative.as_bytes());
            hasher.update((bytes.len() as u64).to_le_bytes());
            hasher.update(&bytes);
        }
    }
    let digest = hasher.finalize();
    let hex = digest.iter().fold(String::with_capacity(64), |mut s, b| {
        use std::fmt::Write as _;
        let _ = write!(s, "{b:02x}");
        s
    });
    println!("cargo::rustc-env=KEZEK_FOLD_FINGERPRINT={hex}");
}
