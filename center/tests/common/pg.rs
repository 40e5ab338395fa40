//! A throw-away PostgreSQL cluster for the tests, started by the tests themselves: `initdb`
//! into a temporary folder and `postgres` on 127.0.0.1 with a free port, one per test
//! process, a fresh database per test. When the test process ends, a watchdog stops the
//! server and removes the folder. As root, the server runs as the `postgres` user (it
//! refuses to run as root). No PostgreSQL binaries: the test fails and says how to install
//! them (`scripts/bootstrap.sh` does).

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

pub struct Cluster {
    pub port: u16,
    pub data: PathBuf,
    bin: PathBuf,
    as_postgres: bool,
    server: Mutex<Option<Child>>,
}

static CLUSTER: OnceLock<Cluster> = OnceLock::new();
static NEXT_DB: AtomicU32 = AtomicU32::new(0);

fn bin_dir() -> PathBuf {
    if let Ok(dir) = std::env::var("KEZEK_PG_BIN") {
        return PathBuf::from(dir);
    }
    for version in ["17", "16", "15"] {
        let dir = PathBuf::from(format!("/usr/lib/postgresql/{version}/bin"));
        if dir.join("initdb").exists() {
            return dir;
        }
    }
    panic!(
        "PostgreSQL server binaries not found (initdb, postgres): install them with `apt-get install postgresql` \
         (scripts/bootstrap.sh does) or set KEZEK_PG_BIN"
    );
}

fn is_root() -> bool {
    Command::new("id").arg("-u").output().is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

impl Cluster {
    fn command(&self, program: &str) -> Command {
        let path = self.bin.join(program);
        if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(path);
            c
        } else {
            Command::new(path)
        }
    }

    /// A cluster of its own (for a test that kills and restarts it).
    pub fn start() -> Cluster {
        let bin = bin_dir();
        let as_postgres = is_root();
        let root = tempfile::Builder::new().prefix("kezek-pg-").tempdir().unwrap().keep();
        let data = root.join("data");
        if as_postgres {
            let status = Command::new("chown").args(["-R", "postgres:postgres"]).arg(&root).status().unwrap();
            assert!(status.success(), "chown the cluster folder to postgres");
        }
        let cluster = Cluster { port: free_port(), data, bin, as_postgres, server: Mutex::new(None) };
        let out = cluster
            .command("initdb")
            .arg("-D")
            .arg(&cluster.data)
            .args(["-U", "kezek", "--auth=trust", "-E", "UTF8", "--locale=C", "--no-sync"])
            .output()
            .unwrap();
        assert!(out.status.success(), "initdb: {}", String::from_utf8_lossy(&out.stderr));
        let child = cluster
            .command("postgres")
            .arg("-D")
            .arg(&cluster.data)
            .args(["-p", &cluster.port.to_string(), "-c", "listen_addresses=127.0.0.1", "-k", ""])
            .args(["-c", "fsync=on", "-c", "synchronous_commit=on", "-c", "max_connections=200"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        watchdog(child.id(), &root);
        *cluster.server.lock().unwrap() = Some(child);
        cluster.wait_ready();
        cluster
    }

    fn wait_ready(&self) {
        for _ in 0..300 {
            if postgres::Client::connect(&self.url("postgres"), postgres::NoTls).is_ok() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("the test PostgreSQL server did not start on port {}", self.port);
    }

    pub fn url(&self, database: &str) -> String {
        format!("postgresql://kezek@127.0.0.1:{}/{database}", self.port)
    }

    /// A new, empty database; its URL.
    pub fn database(&self) -> String {
        let name = format!("t{}_{}", std::process::id(), NEXT_DB.fetch_add(1, Ordering::SeqCst));
        let mut admin = postgres::Client::connect(&self.url("postgres"), postgres::NoTls).unwrap();
        admin.batch_execute(&format!("CREATE DATABASE {name}")).unwrap();
        self.url(&name)
    }

    /// Kills the server at once (SIGKILL: no shutdown checkpoint), as a crash would.
    pub fn kill(&self) {
        let pid = self.server.lock().unwrap().as_ref().map(Child::id).unwrap();
        // As root the child is `runuser`; the postgres process is the one holding the pid file.
        let postmaster = std::fs::read_to_string(self.data.join("postmaster.pid"))
            .ok()
            .and_then(|t| t.lines().next().and_then(|l| l.trim().parse::<u32>().ok()))
            .unwrap_or(pid);
        let _ = Command::new("kill").args(["-KILL", &postmaster.to_string()]).status();
        if let Some(mut child) = self.server.lock().unwrap().take() {
            let _ = child.wait();
        }
        // Children of the postmaster exit when they notice it is gone.
        std::thread::sleep(Duration::from_millis(300));
    }

    /// Starts the server again on the same folder and port (crash recovery runs).
    pub fn restart(&self) {
        let _ = std::fs::remove_file(self.data.join("postmaster.pid"));
        let child = self
            .command("postgres")
            .arg("-D")
            .arg(&self.data)
            .args(["-p", &self.port.to_string(), "-c", "listen_addresses=127.0.0.1", "-k", ""])
            .args(["-c", "fsync=on", "-c", "synchronous_commit=on", "-c", "max_connections=200"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        *self.server.lock().unwrap() = Some(child);
        self.wait_ready();
    }
}

/// Stops the server and removes `root` once this test process is gone.
fn watchdog(server: u32, root: &Path) {
    let script = format!(
        "while kill -0 {me} 2>/dev/null; do sleep 1; done; \
         pid=$(head -1 {data}/postmaster.pid 2>/dev/null); \
         [ -n \"$pid\" ] && kill -QUIT $pid 2>/dev/null; kill -QUIT {server} 2>/dev/null; \
         sleep 2; rm -rf {root}",
        me = std::process::id(),
        data = root.join("data").display(),
        root = root.display(),
    );
    let _ = Command::new("setsid")
        .args(["sh", "-c", &script])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn();
}

/// The test process's cluster, started on first use.
pub fn cluster() -> &'static Cluster {
    CLUSTER.get_or_init(Cluster::start)
}

/// Whether this run's center tests use PostgreSQL (`KEZEK_TEST_STORE=postgres`).
pub fn postgres_run() -> bool {
    std::env::var("KEZEK_TEST_STORE").is_ok_and(|v| v == "postgres")
}
