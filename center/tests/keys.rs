//! The center's private key at rest: owner-only, optionally encrypted with a passphrase
//! given in a file or in `KEZEK_KEY_PASSPHRASE`.
#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::process::Command;

use center::Center;

/// Runs `kezek-center` with `passphrase_env` in `KEZEK_KEY_PASSPHRASE` (or none); returns
/// success, stdout as JSON and the error code from stderr.
fn run(data: &Path, passphrase_env: Option<&str>, args: &[&str]) -> (bool, serde_json::Value, String) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_kezek-center"));
    command.arg("--data").arg(data).args(args).env("KEZEK_INSECURE_FAST_HASH", "1");
    match passphrase_env {
        Some(p) => command.env("KEZEK_KEY_PASSPHRASE", p),
        None => command.env_remove("KEZEK_KEY_PASSPHRASE"),
    };
    let output = command.output().unwrap();
    let stdout = serde_json::from_slice(&output.stdout).unwrap_or(serde_json::Value::Null);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    let code = serde_json::from_str::<serde_json::Value>(stderr.trim())
        .ok()
        .and_then(|v| v["error"]["code"].as_str().map(str::to_owned))
        .unwrap_or_default();
    (output.status.success(), stdout, code)
}

fn mode(path: &Path) -> u32 {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(path).unwrap().permissions().mode() & 0o777
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        0o600
    }
}

#[test]
fn an_encrypted_center_key_opens_only_with_its_passphrase() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("center");
    let (ok, init, _) = run(&data, Some("center passphrase"), &["init"]);
    assert!(ok);
    let key_file = data.join("center.key");
    assert_eq!(mode(&key_file), 0o600);
    assert!(std::fs::read_to_string(&key_file).unwrap().starts_with('{'), "encrypted key file format");

    let (ok, kiosks, _) = run(&data, Some("center passphrase"), &["kiosk", "list"]);
    assert!(ok && kiosks.as_array().is_some_and(Vec::is_empty));
    assert_eq!(run(&data, None, &["kiosk", "list"]).2, "KEY_PASSPHRASE_REQUIRED");
    assert_eq!(run(&data, Some("wrong"), &["kiosk", "list"]).2, "KEY_WRONG_PASSPHRASE");

    // The file option wins over the variable; one trailing newline is not part of it.
    let file = dir.path().join("passphrase");
    std::fs::write(&file, "center passphrase\n").unwrap();
    let file_arg = file.to_str().unwrap();
    let (ok, _, code) = run(&data, Some("wrong"), &["--key-passphrase-file", file_arg, "kiosk", "list"]);
    assert!(ok, "{code}");
    std::fs::write(&file, "").unwrap();
    assert_eq!(run(&data, None, &["--key-passphrase-file", file_arg, "kiosk", "list"]).2, "KEY_EMPTY_PASSPHRASE");
    let missing = dir.path().join("missing").to_str().unwrap().to_owned();
    assert_eq!(run(&data, None, &["--key-passphrase-file", &missing, "kiosk", "list"]).2, "KEY_IO");

    // The library too; the public key is the one `init` printed.
    let center = Center::open_with(&data, Some("center passphrase")).unwrap();
    assert_eq!(hex::encode(center.public_key().to_bytes()), init["publicKey"].as_str().unwrap());
    drop(center);
    assert_eq!(Center::open(&data).err().unwrap().code(), "KEY_PASSPHRASE_REQUIRED");
}

#[test]
fn without_a_passphrase_the_key_is_plain_and_owner_only() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("center");
    assert!(run(&data, None, &["init"]).0);
    let key_file = data.join("center.key");
    assert_eq!(mode(&key_file), 0o600);
    assert_eq!(std::fs::read_to_string(&key_file).unwrap().trim().len(), 64);
    // A passphrase given for a plain key changes nothing.
    assert!(run(&data, Some("unused"), &["kiosk", "list"]).0);
    assert!(run(&data, None, &["kiosk", "list"]).0);
}
