//! Copies of a data folder, for tests that open a copy as another machine would, or keep
//! one to compare with. The kiosk's and the end-to-end tests include this file too
//! (`#[path]`): one copy for the three crates, like `faultfs.c`.

use std::path::Path;

/// Copies the folder `from` to `to`, with everything in it.
pub fn copy_dir(from: &Path, to: &Path) {
    copy_dir_without(from, to, &[]);
}

/// [`copy_dir`], leaving out the files named in `left_out` wherever they are (a lock file
/// that would make the copy look in use).
pub fn copy_dir_without(from: &Path, to: &Path, left_out: &[&str]) {
    std::fs::create_dir_all(to).unwrap();
    for item in std::fs::read_dir(from).unwrap() {
        let item = item.unwrap();
        let target = to.join(item.file_name());
        if item.file_type().unwrap().is_dir() {
            copy_dir_without(&item.path(), &target, left_out);
        } else if !left_out.iter().any(|name| item.file_name() == *name) {
            std::fs::copy(item.path(), target).unwrap();
        }
    }
}
