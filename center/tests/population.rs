//! The population-registry adapter (seed 004): signed pairs files, the trusted keys, the
//! import (folder, command line, staff API) and the checks the parents' channel makes.
#![allow(clippy::unwrap_used, clippy::too_many_lines)]

mod common;

use std::path::Path;
use std::process::Command;

use center::Center;
use center::population::{self, Pair};
use changelog::KioskKey;
use common::proc::{BIN, Server, as_strs, cli, population_sign_args};
use common::{adult_iin, at, child_iin, error_code, http_agent};
use rules::model::Kinship;
use serde_json::Value;
use sha2::{Digest, Sha256};

const PASSWORD: &str = "correct-horse-battery";
const AT: &str = "2026-09-01T10:00:00+05:00";

fn pairs() -> Vec<Pair> {
    vec![
        Pair { parent: adult_iin(1), child: child_iin("2022-03-04", 1), kinship: Kinship::Mother },
        Pair { parent: adult_iin(1), child: child_iin("2024-05-06", 2), kinship: Kinship::Mother },
        Pair { parent: adult_iin(2), child: child_iin("2023-07-08", 3), kinship: Kinship::Guardian },
    ]
}

fn signed(key: &KioskKey, pairs: Vec<Pair>) -> Vec<u8> {
    population::sign(pairs, "Test registry", "2026-08-31T12:00:00+05:00", key.signing()).unwrap()
}

fn sha256(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

fn code(e: &center::PopulationError) -> String {
    e.code().to_owned()
}

fn imports(center: &Center) -> usize {
    center.audit_trail(1000).iter().filter(|r| r.action == population::IMPORT_ACTION).count()
}

#[test]
fn a_trusted_file_is_imported_and_answers_checks() {
    let (dir, mut center) = common::center();
    let key = KioskKey::generate().unwrap();
    let file = signed(&key, pairs());
    // Nothing imported yet: the IINs are checked first, then the reason.
    let none = center.population();
    assert_eq!(none.check(&adult_iin(1), "12345").unwrap_err().code(), "IIN_FORMAT");
    assert_eq!(none.check(&adult_iin(1), &child_iin("2022-03-04", 1)).unwrap_err().code(), "REGISTRY_NOT_IMPORTED");
    // A key the center does not trust yet.
    let refused = center.import_population(&file, "center", at(AT)).unwrap_err();
    assert_eq!(code(&refused), "POPULATION_UNTRUSTED_KEY");
    assert!(!dir.path().join(population::POPULATION_FILE).exists());

    let trusted = center.trust_population_key(&key.public_hex(), "center", at(AT)).unwrap();
    assert!(trusted.added);
    assert!(!center.trust_population_key(&key.public_hex(), "center", at(AT)).unwrap().added);
    assert_eq!(code(&center.trust_population_key("not a key", "center", at(AT)).unwrap_err()), "POPULATION_BAD_KEY");
    let import = center.import_population(&file, "boss", at(AT)).unwrap();
    assert_eq!((import.pairs, import.sha256.as_str()), (3, sha256(&file).as_str()));
    assert_eq!(std::fs::read(dir.path().join(population::POPULATION_FILE)).unwrap(), file);

    let registry = center.population();
    assert_eq!(registry.name(), "signed-pairs-file");
    let yes = registry.check(&adult_iin(1), &child_iin("2024-05-06", 2)).unwrap();
    assert!(yes.confirmed);
    assert_eq!(yes.kinship.as_deref(), Some("mother"));
    assert_eq!(yes.evidence, format!("registry-file:{}", sha256(&file)));
    let guardian = registry.check(&adult_iin(2), &child_iin("2023-07-08", 3)).unwrap();
    assert_eq!(guardian.kinship.as_deref(), Some("guardian"));
    // Not a pair: someone else's child, or the pair the other way round.
    let no = registry.check(&adult_iin(2), &child_iin("2022-03-04", 1)).unwrap();
    assert!(!no.confirmed && no.kinship.is_none());
    assert!(!registry.check(&child_iin("2023-07-08", 3), &adult_iin(2)).unwrap().confirmed);
    // Invalid IINs are the rules' errors.
    let good = child_iin("2022-03-04", 1);
    let last = good.as_bytes()[11] - b'0';
    let typo = format!("{}{}", &good[..11], (last + 1) % 10);
    assert_eq!(registry.check(&adult_iin(1), &typo).unwrap_err().code(), "IIN_CHECKSUM");
    assert_eq!(registry.check("199001153", &good).unwrap_err().code(), "IIN_FORMAT");

    // The trust and the import are in the audit trail, naming who did them.
    let trail = center.audit_trail(10);
    let row = trail.iter().find(|r| r.action == population::IMPORT_ACTION).unwrap();
    assert_eq!(
        (row.by.as_str(), row.subject.as_str(), row.note.as_deref()),
        ("boss", import.sha256.as_str(), Some("3"))
    );
    assert!(
        trail.iter().any(|r| r.action == population::TRUST_ACTION && r.note.as_deref() == Some(&*key.public_hex()))
    );
    // A center opened again reads the same import; the audit entry survives too.
    drop(center);
    let center = Center::open(dir.path()).unwrap();
    assert!(center.population().check(&adult_iin(1), &good).unwrap().confirmed);
    assert_eq!(imports(&center), 1);
}

#[test]
fn every_single_bit_flip_of_a_signed_file_is_refused() {
    let key = KioskKey::generate().unwrap();
    let file = signed(&key, pairs()[..2].to_vec());
    let trusted = [key.verifying()];
    assert!(population::verify(&file, &trusted).is_ok());
    for position in 0..file.len() {
        for bit in [0x01u8, 0x20, 0x80] {
            let mut forged = file.clone();
            forged[position] ^= bit;
            assert!(population::verify(&forged, &trusted).is_err(), "byte {position} ^ {bit:#x} was accepted");
        }
    }
}

#[test]
fn forged_files_are_refused_and_the_previous_import_stays() {
    let (dir, mut center) = common::center();
    let key = KioskKey::generate().unwrap();
    center.trust_population_key(&key.public_hex(), "center", at(AT)).unwrap();
    let file = signed(&key, pairs());
    center.import_population(&file, "center", at(AT)).unwrap();
    let text = String::from_utf8(file.clone()).unwrap();
    let json: Value = serde_json::from_slice(&file).unwrap();

    let mut flipped_signature = json.clone();
    let signature = json["signature"].as_str().unwrap();
    let first = if signature.starts_with('0') { "1" } else { "0" };
    flipped_signature["signature"] = format!("{first}{}", &signature[1..]).into();
    let mut added = json.clone();
    added["pairs"].as_array_mut().unwrap().push(serde_json::json!({
        "parent": adult_iin(9), "child": child_iin("2022-03-04", 9), "kinship": "father"
    }));
    let mut other_kinship = json.clone();
    other_kinship["pairs"][2]["kinship"] = "father".into();
    let child = json["pairs"][0]["child"].as_str().unwrap();
    let other_child = child_iin("2022-03-04", 5);
    let stranger = KioskKey::generate().unwrap();
    let mut wrong_format = json.clone();
    wrong_format["format"] = "kezek-population-pairs/2".into();
    let mut extra_field = json.clone();
    extra_field["note"] = "trust me".into();
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("signature flipped", flipped_signature.to_string().into_bytes(), "POPULATION_BAD_SIGNATURE"),
        ("a pair added after signing", added.to_string().into_bytes(), "POPULATION_BAD_SIGNATURE"),
        ("a kinship changed", other_kinship.to_string().into_bytes(), "POPULATION_BAD_SIGNATURE"),
        ("a child swapped", text.replacen(child, &other_child, 1).into_bytes(), "POPULATION_BAD_SIGNATURE"),
        ("an untrusted key", signed(&stranger, pairs()), "POPULATION_UNTRUSTED_KEY"),
        ("junk after the JSON", [&file[..], b"{}"].concat(), "POPULATION_MALFORMED"),
        ("a second document after it", [&file[..], &file[..]].concat(), "POPULATION_MALFORMED"),
        ("an unsigned field", extra_field.to_string().into_bytes(), "POPULATION_MALFORMED"),
        ("another format", wrong_format.to_string().into_bytes(), "POPULATION_FORMAT"),
        ("cut short", file[..file.len() / 2].to_vec(), "POPULATION_MALFORMED"),
        ("not JSON", b"hello".to_vec(), "POPULATION_MALFORMED"),
    ];
    for (what, forged, expected) in cases {
        let e = center.import_population(&forged, "center", at(AT)).unwrap_err();
        assert_eq!(code(&e), expected, "{what}: {e}");
        assert_eq!(std::fs::read(dir.path().join(population::POPULATION_FILE)).unwrap(), file, "{what}");
        let check = center.population().check(&adult_iin(1), child).unwrap();
        assert!(check.confirmed, "{what}");
        assert_eq!(check.evidence, format!("registry-file:{}", sha256(&file)), "{what}");
    }
    assert_eq!(imports(&center), 1);
    // The same pairs re-signed by a trusted key with invalid content are refused as well.
    let bad_pair = vec![Pair { parent: adult_iin(1), child: "123".into(), kinship: Kinship::Mother }];
    assert_eq!(
        code(&center.import_population(&signed(&key, bad_pair), "center", at(AT)).unwrap_err()),
        "POPULATION_BAD_PAIR"
    );
    let twice = vec![pairs()[0].clone(), pairs()[0].clone()];
    assert_eq!(
        code(&center.import_population(&signed(&key, twice), "center", at(AT)).unwrap_err()),
        "POPULATION_BAD_PAIR"
    );
    // A newer trusted file replaces the old one.
    let newer = signed(&key, pairs()[..1].to_vec());
    center.import_population(&newer, "center", at(AT)).unwrap();
    assert!(!center.population().check(&adult_iin(2), &child_iin("2023-07-08", 3)).unwrap().confirmed);
    assert_eq!(imports(&center), 2);
}

/// A run of the binary: success, stdout as JSON, the error code.
fn run(output: &std::process::Output) -> (bool, Value, String) {
    let stderr = String::from_utf8_lossy(&output.stderr);
    let error: Value = stderr.lines().last().and_then(|l| serde_json::from_str(l).ok()).unwrap_or(Value::Null);
    (
        output.status.success(),
        serde_json::from_slice(&output.stdout).unwrap_or(Value::Null),
        error["error"]["code"].as_str().unwrap_or_default().to_owned(),
    )
}

/// `init` on this run's store (`common::proc::init_args`), with `more`.
fn init_folder(data: &Path, more: &[&str]) -> Value {
    let mut args = common::proc::init_args();
    args.extend(more.iter().map(|a| (*a).to_owned()));
    ok(data, &args.iter().map(String::as_str).collect::<Vec<_>>())
}

fn ok(data: &Path, args: &[&str]) -> Value {
    let output = cli(data, args, &[("KEZEK_PASSWORD", PASSWORD.to_owned())]);
    assert!(output.status.success(), "{args:?}: {}", String::from_utf8_lossy(&output.stderr));
    serde_json::from_slice(&output.stdout).unwrap()
}

fn write_pairs(dir: &Path) -> (std::path::PathBuf, std::path::PathBuf, KioskKey) {
    let key = KioskKey::generate().unwrap();
    let key_file = dir.join("registry.key");
    key.save(&key_file).unwrap();
    let pairs_file = dir.join("pairs.json");
    std::fs::write(&pairs_file, serde_json::to_vec(&pairs()).unwrap()).unwrap();
    (key_file, pairs_file, key)
}

#[test]
fn the_command_line_signs_trusts_imports_and_checks() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    init_folder(&data, &[]);
    let (key_file, pairs_file, key) = write_pairs(tmp.path());
    let signed_file = tmp.path().join("signed.json");
    let p = |path: &Path| path.to_str().unwrap().to_owned();
    let sign = ok(&data, &as_strs(&population_sign_args(&key_file, &pairs_file, &signed_file, "Test")));
    assert_eq!((sign["pairs"].as_u64(), sign["publicKey"].as_str()), (Some(3), Some(&*key.public_hex())));
    // Untrusted first.
    let (success, _, error) = run(&cli(&data, &["population", "import", &p(&signed_file)], &[]));
    assert!(!success);
    assert_eq!(error, "POPULATION_UNTRUSTED_KEY");
    assert_eq!(ok(&data, &["population", "trust", &key.public_hex()])["added"], true);
    let import = ok(&data, &["population", "import", &p(&signed_file)]);
    let bytes = std::fs::read(&signed_file).unwrap();
    assert_eq!(import["sha256"].as_str(), Some(&*sha256(&bytes)));
    let (parent, child) = (adult_iin(1), child_iin("2024-05-06", 2));
    let check = ok(&data, &["population", "check", "--parent", &parent, "--child", &child]);
    assert_eq!((check["confirmed"].as_bool(), check["kinship"].as_str()), (Some(true), Some("mother")));
    let other = ok(&data, &["population", "check", "--parent", &adult_iin(2), "--child", &child]);
    assert_eq!(other["confirmed"], false);
    let (_, _, error) = run(&cli(&data, &["population", "check", "--parent", "1", "--child", &child], &[]));
    assert_eq!(error, "IIN_FORMAT");
    // A forged file is refused with its code; the import stays.
    let forged = tmp.path().join("forged.json");
    std::fs::write(&forged, String::from_utf8(bytes.clone()).unwrap().replace("\"mother\"", "\"father\"")).unwrap();
    let (success, _, error) = run(&cli(&data, &["population", "import", &p(&forged)], &[]));
    assert!(!success);
    assert_eq!(error, "POPULATION_BAD_SIGNATURE");
    assert_eq!(std::fs::read(data.join(population::POPULATION_FILE)).unwrap(), bytes);
    let audit = ok(&data, &["audit"]);
    let rows: Vec<&Value> = audit.as_array().unwrap().iter().filter(|r| r["action"] == "population.import").collect();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["subject"].as_str(), Some(&*sha256(&bytes)));
    assert_eq!((rows[0]["by"].as_str(), rows[0]["note"].as_str()), (Some("center"), Some("3")));
}

#[test]
fn init_can_import_the_demo_registry() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let init = init_folder(&data, &["--demo-population"]);
    assert!(init["population"]["pairs"].as_u64().unwrap() > 300);
    // The demo file's own parent with two children, as the demo applications say.
    let demo: Value = serde_json::from_str(population::DEMO_FILE).unwrap();
    let last = &demo["pairs"].as_array().unwrap().last().unwrap();
    let check = ok(
        &data,
        &[
            "population",
            "check",
            "--parent",
            last["parent"].as_str().unwrap(),
            "--child",
            last["child"].as_str().unwrap(),
        ],
    );
    assert_eq!(check["confirmed"], true);
    assert_eq!(
        check["evidence"].as_str(),
        Some(&*format!("registry-file:{}", sha256(population::DEMO_FILE.as_bytes())))
    );
}

#[test]
fn the_staff_api_import_needs_an_admin() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    init_folder(&data, &[]);
    ok(&data, &["operator", "add", "--login", "boss", "--name", "Admin", "--role", "admin"]);
    ok(&data, &["operator", "add", "--login", "look", "--name", "Viewer", "--role", "viewer"]);
    let (key_file, pairs_file, key) = write_pairs(tmp.path());
    let signed_file = tmp.path().join("signed.json");
    let p = |path: &Path| path.to_str().unwrap().to_owned();
    ok(&data, &as_strs(&population_sign_args(&key_file, &pairs_file, &signed_file, "Test")));
    ok(&data, &["population", "trust", &key.public_hex()]);
    let server = Server::start(&data, &[]);
    let remote = |login: &str, args: &[&str]| {
        let output = Command::new(BIN)
            .arg("--url")
            .arg(&server.url)
            .arg("--session-file")
            .arg(tmp.path().join(format!("{login}.session")))
            .args(args)
            .env("KEZEK_PASSWORD", PASSWORD)
            .env_remove("KEZEK_CENTER_URL")
            .env("KEZEK_CENTER_DATA", "/nonexistent/kezek-center-data")
            .output()
            .unwrap();
        run(&output)
    };
    assert!(remote("look", &["login", "--login", "look"]).0);
    let (success, _, error) = remote("look", &["population", "import", &p(&signed_file)]);
    assert!(!success);
    assert_eq!(error, "FORBIDDEN_ROLE");
    // The same as a plain request: 403.
    let agent = http_agent();
    let mut signin = agent
        .post(&format!("{}/v1/staff/session", server.url))
        .header("Content-Type", "application/json")
        .send(serde_json::json!({ "login": "look", "password": PASSWORD }).to_string().as_bytes())
        .unwrap();
    let token: Value = serde_json::from_slice(&signin.body_mut().read_to_vec().unwrap()).unwrap();
    let mut denied = agent
        .post(&format!("{}/v1/staff/population", server.url))
        .header("Authorization", &format!("Bearer {}", token["token"].as_str().unwrap()))
        .header("Content-Type", "application/json")
        .send(&std::fs::read(&signed_file).unwrap()[..])
        .unwrap();
    assert_eq!(denied.status().as_u16(), 403);
    assert_eq!(error_code(&denied.body_mut().read_to_vec().unwrap()), "FORBIDDEN_ROLE");
    assert!(!data.join(population::POPULATION_FILE).exists());

    assert!(remote("boss", &["login", "--login", "boss"]).0);
    let forged = tmp.path().join("forged.json");
    let bytes = std::fs::read(&signed_file).unwrap();
    std::fs::write(&forged, [&bytes[..], b"junk"].concat()).unwrap();
    let (success, _, error) = remote("boss", &["population", "import", &p(&forged)]);
    assert!(!success);
    assert_eq!(error, "POPULATION_MALFORMED");
    let (success, import, error) = remote("boss", &["population", "import", &p(&signed_file)]);
    assert!(success, "{error}");
    assert_eq!(import["sha256"].as_str(), Some(&*sha256(&bytes)));
    assert_eq!(std::fs::read(data.join(population::POPULATION_FILE)).unwrap(), bytes);
    let (_, audit, _) = remote("boss", &["audit"]);
    let row = audit.as_array().unwrap().iter().find(|r| r["action"] == "population.import").unwrap();
    assert_eq!((row["by"].as_str(), row["note"].as_str()), (Some("boss"), Some("3")));
}
