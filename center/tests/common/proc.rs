//! The real `kezek-center` binary in tests: CLI runs, a server on 127.0.0.1, the
//! fault-injection shim (`faultfs.c`, preloaded) and a seeded generator.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::{Arc, Mutex, OnceLock};

pub const BIN: &str = env!("CARGO_BIN_EXE_kezek-center");

/// `kezek-center --data DATA ARGS…` with `env` added (on the folder, whatever
/// `KEZEK_CENTER_URL` the test runs with).
pub fn cli(data: &Path, args: &[&str], env: &[(&str, String)]) -> Output {
    Command::new(BIN)
        .arg("--data")
        .arg(data)
        .args(args)
        .env_remove("KEZEK_CENTER_URL")
        .envs(env.iter().map(|(k, v)| (k, v)))
        .output()
        .unwrap()
}

/// What `kezek-center init` gets for this run's store: nothing (the embedded store in the
/// folder), or with `KEZEK_TEST_STORE=postgres` a fresh database of the throw-away cluster,
/// set up by the binary as its owner: `--store URL --store-owner OWNER_URL`.
pub fn store_args() -> Vec<String> {
    if !super::pg::postgres_run() {
        return Vec::new();
    }
    let owner = super::pg::cluster().database();
    let server = super::pg::Cluster::as_server(&owner);
    vec!["--store".into(), server, "--store-owner".into(), owner]
}

/// `init` and this run's store arguments ([`store_args`]).
pub fn init_args() -> Vec<String> {
    let mut args = vec!["init".to_owned()];
    args.extend(store_args());
    args
}

/// A new center directory (`init`, on this run's store: [`store_args`]) with `kiosks`
/// registered as of [`super::REGISTERED`].
pub fn init_center(data: &Path, kiosks: &[&super::TestKiosk]) -> changelog::VerifyingKey {
    let args = init_args();
    init_center_with(data, &args.iter().map(String::as_str).collect::<Vec<_>>(), kiosks)
}

/// [`init_center`] on the embedded store whatever the run, for a test of the data folder's
/// own files (disk faults, a damaged `db/accepted.log`, copies of the folder).
pub fn init_center_embedded(data: &Path, kiosks: &[&super::TestKiosk]) -> changelog::VerifyingKey {
    init_center_with(data, &["init"], kiosks)
}

/// `init` with these arguments, then `kiosks` registered as of [`super::REGISTERED`].
pub fn init_center_with(data: &Path, init: &[&str], kiosks: &[&super::TestKiosk]) -> changelog::VerifyingKey {
    let out = cli(data, init, &[]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(data.join(center::STORE_FILE).exists(), init.contains(&"--store"), "the folder's store is the run's");
    let init: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    for kiosk in kiosks {
        let out = cli(data, &as_strs(&kiosk_add_args(kiosk)), &[]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }
    changelog::public_key_from_hex(init["publicKey"].as_str().unwrap()).unwrap()
}

/// `kiosk add` of `kiosk` in [`super::DISTRICT`] with its key, as of [`super::REGISTERED`].
pub fn kiosk_add_args(kiosk: &super::TestKiosk) -> Vec<String> {
    let key = kiosk.key.public_hex();
    let args =
        ["kiosk", "add", "--id", &kiosk.id, "--district", super::DISTRICT, "--pubkey", &key, "--at", super::REGISTERED];
    args.map(str::to_owned).to_vec()
}

/// `population sign`: the pairs file `pairs` signed with the key file `key` into `out`, as
/// issued by `issuer`.
pub fn population_sign_args(key: &Path, pairs: &Path, out: &Path, issuer: &str) -> Vec<String> {
    let (key, pairs, out) = (key.to_str().unwrap(), pairs.to_str().unwrap(), out.to_str().unwrap());
    ["population", "sign", "--key-file", key, "--in", pairs, "--out", out, "--issuer", issuer]
        .map(str::to_owned)
        .to_vec()
}

/// Owned arguments as the `&str`s a command line takes.
pub fn as_strs(args: &[String]) -> Vec<&str> {
    args.iter().map(String::as_str).collect()
}

/// `kezek-center serve` on an ephemeral port of 127.0.0.1; killed (SIGKILL) when dropped.
pub struct Server {
    pub child: Child,
    pub url: String,
    /// Everything the server wrote to stderr so far.
    pub stderr: Arc<Mutex<String>>,
}

impl Server {
    pub fn start(data: &Path, env: &[(&str, String)]) -> Server {
        Server::try_start(data, env).unwrap_or_else(|e| panic!("the server did not start: {e}"))
    }

    /// Starts the server; `Err` with its stderr when it exits before listening.
    pub fn try_start(data: &Path, env: &[(&str, String)]) -> Result<Server, String> {
        Server::try_start_with(data, &["serve", "--listen", "127.0.0.1:0"], env)
    }

    /// Starts `kezek-center --data DATA ARGS…` (a `serve` command line); `Err` with its
    /// stderr when it exits before listening. `url` is the listening line's `http://` or
    /// `https://` URL.
    pub fn try_start_with(data: &Path, args: &[&str], env: &[(&str, String)]) -> Result<Server, String> {
        let mut child = Command::new(BIN)
            .arg("--data")
            .arg(data)
            .args(args)
            .envs(env.iter().map(|(k, v)| (k, v)))
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stderr = BufReader::new(child.stderr.take().unwrap());
        let mut seen = String::new();
        let url = loop {
            let mut line = String::new();
            if stderr.read_line(&mut line).unwrap_or(0) == 0 {
                let _ = child.wait();
                return Err(seen);
            }
            seen.push_str(&line);
            if let Some(url) = line.split_whitespace().find(|w| w.starts_with("http://") || w.starts_with("https://")) {
                break url.to_owned();
            }
        };
        let log = Arc::new(Mutex::new(seen));
        let sink = Arc::clone(&log);
        // Keep draining stderr so the server never blocks on it.
        std::thread::spawn(move || {
            let mut line = String::new();
            while stderr.read_line(&mut line).unwrap_or(0) > 0 {
                sink.lock().unwrap().push_str(&line);
                line.clear();
            }
        });
        Ok(Server { child, url, stderr: log })
    }

    /// SIGKILL, then reaps the process.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

/// The fault-injection shim, compiled once per test binary (`cc` is the linker Rust uses).
pub fn faultfs() -> &'static Path {
    static LIB: OnceLock<PathBuf> = OnceLock::new();
    LIB.get_or_init(|| {
        let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/common/faultfs.c");
        let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("faultfs-{}.so", std::process::id()));
        let status = Command::new("cc")
            .args(["-shared", "-fPIC", "-O1", "-o"])
            .arg(&out)
            .arg(&source)
            .arg("-ldl")
            .status()
            .expect("cc (the C compiler Rust links with) builds the fault-injection shim");
        assert!(status.success(), "cc failed on {}", source.display());
        out
    })
}

/// The environment that preloads the shim: the `at`-th write or sync fails with `errno`.
pub fn fault_env(at: Option<u64>, errno: &str, sticky: bool) -> Vec<(&'static str, String)> {
    let mut env = vec![("LD_PRELOAD", faultfs().display().to_string()), ("FAULTFS_ERRNO", errno.to_owned())];
    if let Some(at) = at {
        env.push(("FAULTFS_AT", at.to_string()));
    }
    if sticky {
        env.push(("FAULTFS_STICKY", "1".to_owned()));
    }
    env
}

/// xorshift64*: a small seeded generator, so a failing run can be repeated.
#[derive(Debug)]
pub struct Rng(pub u64);

impl Rng {
    pub fn seeded(var: &str, default: u64) -> Rng {
        let seed = std::env::var(var).ok().and_then(|s| s.parse().ok()).unwrap_or(default);
        eprintln!("seed {seed} (set {var} to repeat another)");
        Rng(seed | 1)
    }
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// A count from an environment variable (longer runs for `just soak`), else `default`.
pub fn env_count(var: &str, default: usize) -> usize {
    std::env::var(var).ok().and_then(|s| s.parse().ok()).unwrap_or(default)
}
