//! The kiosk's and the center's data folders are owned by one process at a time, through an
//! exclusive lock on a file inside them.

use std::fs::{File, OpenOptions, TryLockError};
use std::path::Path;
use std::time::{Duration, Instant};

/// How long an open waits for another process to let go of a data folder. A program that is
/// closing (or a child it just spawned, which holds copies of its descriptors until it
/// executes) releases the lock within moments; a running one keeps it.
pub const FOLDER_LOCK_WAIT: Duration = Duration::from_secs(3);

/// Takes the exclusive lock on `file` (created when missing), waiting up to `wait` for
/// another holder to release it. `Ok(None)` when it is still held after that.
pub fn lock_folder(file: &Path, wait: Duration) -> std::io::Result<Option<File>> {
    let handle = OpenOptions::new().create(true).truncate(false).write(true).open(file)?;
    let deadline = Instant::now() + wait;
    let mut pause = Duration::from_millis(5);
    loop {
        match handle.try_lock() {
            Ok(()) => return Ok(Some(handle)),
            Err(TryLockError::Error(e)) => return Err(e),
            Err(TryLockError::WouldBlock) if Instant::now() >= deadline => return Ok(None),
            Err(TryLockError::WouldBlock) => {
                std::thread::sleep(pause);
                pause = (pause * 2).min(Duration::from_millis(100));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_held_lock_is_refused_after_the_wait_and_taken_once_released() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("lock");
        let held = lock_folder(&path, Duration::ZERO).unwrap().expect("a free lock is taken");
        let started = Instant::now();
        assert!(lock_folder(&path, Duration::from_millis(50)).unwrap().is_none());
        assert!(started.elapsed() >= Duration::from_millis(50));

        let releaser = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(100));
            drop(held);
        });
        assert!(lock_folder(&path, Duration::from_secs(5)).unwrap().is_some(), "taken once the holder lets go");
        releaser.join().unwrap();
    }
}
