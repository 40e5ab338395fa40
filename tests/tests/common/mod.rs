//! Helpers shared by the end-to-end tests.
#![allow(dead_code)] // each test file uses its own part

#[path = "../../../center/tests/common/folders.rs"]
pub mod folders;

use std::path::PathBuf;
use std::process::Command;

/// The workspace binary `name` (`kezek-center`, `kezek-kiosk`) in `target/debug` (these tests
/// run from `target/debug/deps`); built first if missing.
pub fn bin(name: &str) -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let dir = exe.parent().unwrap().parent().unwrap().to_path_buf();
    let path = dir.join(name);
    if !path.exists() {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let status = Command::new(cargo)
            .args(["build", "-p", name, "--bin", name])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .status()
            .unwrap();
        assert!(status.success());
    }
    path
}
