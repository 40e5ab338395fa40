//! A throw-away PostgreSQL cluster for tests and benchmarks, never for production data:
//! `initdb` into a new temporary folder and `postgres` on 127.0.0.1 with a free port,
//! trust authentication for the `kezek` user, durable settings (`fsync = on`,
//! `synchronous_commit = on`) so that commits cost what they cost in production.
//!
//! - [`PgCluster::start`] starts one; [`PgCluster::database`] creates a fresh, empty
//!   database and gives its URL as `kezek` (the superuser, who owns what it creates);
//!   [`PgCluster::url`] is the URL of a named database.
//! - Two roles, as in production (docs/OPERATIONS.md): `kezek` owns the schema, the server
//!   connects as [`SERVER_ROLE`], which may only read and append to the accepted log.
//!   [`PgCluster::store`] creates a database with the center's schema set up by `kezek`
//!   ([`crate::pg_store::set_up`]) and gives the URL the server connects with;
//!   [`PgCluster::as_server`] turns an owner's URL into the server role's.
//! - [`PgCluster::kill`] kills the server as a crash would (SIGKILL, no checkpoint);
//!   [`PgCluster::restart`] starts it again on the same folder and port (crash recovery).
//! - A watchdog (a detached shell) stops the server and removes the folder once the
//!   process that started it is gone, however it ends; dropping the [`PgCluster`] does the
//!   same at once.
//!
//! As root the server runs as the `postgres` user (PostgreSQL refuses to run as root), via
//! `runuser`. The server binaries are looked up in `KEZEK_PG_BIN`, else
//! `/usr/lib/postgresql/{17,16,15}/bin` (Debian's `postgresql` package).

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

/// Why a throw-away cluster could not be started or used.
#[derive(Debug, thiserror::Error)]
#[error("throw-away PostgreSQL cluster: {0}")]
pub struct ClusterError(pub String);

fn fail(what: &str, e: &dyn std::fmt::Display) -> ClusterError {
    ClusterError(format!("{what}: {e}"))
}

/// A PostgreSQL server of its own in a temporary folder (see the module documentation).
#[derive(Debug)]
pub struct PgCluster {
    port: u16,
    /// The temporary folder: `data/` (the cluster) and nothing else.
    root: PathBuf,
    data: PathBuf,
    bin: PathBuf,
    as_postgres: bool,
    server: Mutex<Option<Child>>,
    next_db: AtomicU32,
}

/// The role a center server connects as (a login role, not a superuser, owning nothing).
pub const SERVER_ROLE: &str = "kezek_server";

/// Settings every server of a throw-away cluster starts with. After a crash (a test's
/// [`PgCluster::kill`]) recovery first syncs the data folder: `syncfs` does it with one call
/// instead of an fsync per file (4 s instead of 0.3 s on a busy disk), just as durably.
const SETTINGS: [&str; 5] = [
    "fsync=on",
    "synchronous_commit=on",
    "max_connections=200",
    "listen_addresses=127.0.0.1",
    "recovery_init_sync_method=syncfs",
];

/// The folder of the server binaries (`initdb`, `postgres`).
pub fn bin_dir() -> Result<PathBuf, ClusterError> {
    if let Ok(dir) = std::env::var("KEZEK_PG_BIN") {
        return Ok(PathBuf::from(dir));
    }
    for version in ["17", "16", "15"] {
        let dir = PathBuf::from(format!("/usr/lib/postgresql/{version}/bin"));
        if dir.join("initdb").exists() {
            return Ok(dir);
        }
    }
    Err(ClusterError(
        "PostgreSQL server binaries not found (initdb, postgres): install them with `apt-get install postgresql` \
         (scripts/bootstrap.sh does) or set KEZEK_PG_BIN"
            .into(),
    ))
}

fn is_root() -> bool {
    Command::new("id").arg("-u").output().is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

fn free_port() -> Result<u16, ClusterError> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| fail("free port", &e))?;
    Ok(listener.local_addr().map_err(|e| fail("free port", &e))?.port())
}

/// A new, empty folder under the system's temporary folder.
fn temp_root() -> Result<PathBuf, ClusterError> {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.subsec_nanos());
    let root = std::env::temp_dir().join(format!(
        "kezek-pg-{}-{}-{nanos:x}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::SeqCst)
    ));
    std::fs::create_dir(&root).map_err(|e| fail(&root.display().to_string(), &e))?;
    Ok(root)
}

impl PgCluster {
    /// Creates and starts a cluster; returns once it accepts connections.
    pub fn start() -> Result<PgCluster, ClusterError> {
        let bin = bin_dir()?;
        let as_postgres = is_root();
        let root = temp_root()?;
        let data = root.join("data");
        if as_postgres {
            let status = Command::new("chown")
                .args(["-R", "postgres:postgres"])
                .arg(&root)
                .status()
                .map_err(|e| fail("chown", &e))?;
            if !status.success() {
                let _ = std::fs::remove_dir_all(&root);
                return Err(ClusterError(format!("chown {} to postgres failed", root.display())));
            }
        }
        let cluster = PgCluster {
            port: free_port()?,
            root,
            data,
            bin,
            as_postgres,
            server: Mutex::new(None),
            next_db: AtomicU32::new(0),
        };
        let out = cluster
            .command("initdb")
            .arg("-D")
            .arg(&cluster.data)
            .args(["-U", "kezek", "--auth=trust", "-E", "UTF8", "--locale=C", "--no-sync"])
            .output()
            .map_err(|e| fail("initdb", &e))?;
        if !out.status.success() {
            return Err(ClusterError(format!("initdb: {}", String::from_utf8_lossy(&out.stderr))));
        }
        let child = cluster.spawn_server()?;
        watchdog(child.id(), &cluster.root);
        *cluster.server() = Some(child);
        cluster.wait_ready()?;
        let mut admin =
            postgres::Client::connect(&cluster.url("postgres"), postgres::NoTls).map_err(|e| fail("connect", &e))?;
        admin.batch_execute(&format!("CREATE ROLE {SERVER_ROLE} LOGIN")).map_err(|e| fail("CREATE ROLE", &e))?;
        Ok(cluster)
    }

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

    fn server(&self) -> std::sync::MutexGuard<'_, Option<Child>> {
        self.server.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn spawn_server(&self) -> Result<Child, ClusterError> {
        let mut command = self.command("postgres");
        command.arg("-D").arg(&self.data).args(["-p", &self.port.to_string(), "-k", ""]);
        for setting in SETTINGS {
            command.args(["-c", setting]);
        }
        command.stdout(Stdio::null()).stderr(Stdio::null()).spawn().map_err(|e| fail("postgres", &e))
    }

    fn wait_ready(&self) -> Result<(), ClusterError> {
        for _ in 0..600 {
            if postgres::Client::connect(&self.url("postgres"), postgres::NoTls).is_ok() {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Err(ClusterError(format!("the server did not start on port {} within 30 s", self.port)))
    }

    /// The port the server listens on (127.0.0.1).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The cluster's data folder.
    pub fn data_dir(&self) -> &Path {
        &self.data
    }

    /// The URL of `database` on this cluster (user `kezek`, no password).
    pub fn url(&self, database: &str) -> String {
        format!("postgresql://kezek@127.0.0.1:{}/{database}", self.port)
    }

    /// Creates a new, empty database; its URL.
    pub fn database(&self) -> Result<String, ClusterError> {
        let name = format!("t{}_{}", std::process::id(), self.next_db.fetch_add(1, Ordering::SeqCst));
        let mut admin =
            postgres::Client::connect(&self.url("postgres"), postgres::NoTls).map_err(|e| fail("connect", &e))?;
        admin.batch_execute(&format!("CREATE DATABASE {name}")).map_err(|e| fail("CREATE DATABASE", &e))?;
        Ok(self.url(&name))
    }

    /// A new database with the center's schema, owned by `kezek`; the URL the center's
    /// server connects with ([`SERVER_ROLE`]).
    pub fn store(&self) -> Result<String, ClusterError> {
        let owner = self.database()?;
        let server = PgCluster::as_server(&owner);
        crate::pg_store::set_up(&owner, &server).map_err(|e| fail("setting up the schema", &e))?;
        Ok(server)
    }

    /// The same database as [`SERVER_ROLE`] instead of the owner `kezek`.
    pub fn as_server(owner_url: &str) -> String {
        owner_url.replacen("postgresql://kezek@", &format!("postgresql://{SERVER_ROLE}@"), 1)
    }

    /// The postmaster's process id (as root the child is `runuser`; the postmaster is the
    /// process named in the pid file), while the server runs.
    pub fn pid(&self) -> Option<u32> {
        if self.server().is_some() { self.postmaster() } else { None }
    }

    fn postmaster(&self) -> Option<u32> {
        std::fs::read_to_string(self.data.join("postmaster.pid"))
            .ok()
            .and_then(|t| t.lines().next().and_then(|l| l.trim().parse::<u32>().ok()))
            .or_else(|| self.server().as_ref().map(Child::id))
    }

    /// Kills the server at once, as a crash would: SIGKILL to the postmaster and to each of
    /// its processes (the backends, in the middle of whatever they do; no shutdown
    /// checkpoint). What was committed is in the WAL; the next start recovers it.
    pub fn kill(&self) {
        if let Some(pid) = self.postmaster() {
            // Its children first listed (once it is gone they belong to another parent),
            // then killed after it, so that it cannot start new ones.
            let children = children_of(pid);
            let _ = Command::new("kill").args(["-KILL", &pid.to_string()]).status();
            for child in children {
                let _ = Command::new("kill").args(["-KILL", &child.to_string()]).status();
            }
        }
        if let Some(mut child) = self.server().take() {
            let _ = child.wait();
        }
        // Children of the postmaster exit when they notice it is gone. The stale pid file
        // goes too: nothing may signal that process id again.
        std::thread::sleep(Duration::from_millis(300));
        let _ = std::fs::remove_file(self.data.join("postmaster.pid"));
    }

    /// Starts the server again on the same folder and port (crash recovery runs).
    pub fn restart(&self) -> Result<(), ClusterError> {
        let _ = std::fs::remove_file(self.data.join("postmaster.pid"));
        let child = self.spawn_server()?;
        *self.server() = Some(child);
        self.wait_ready()
    }
}

impl Drop for PgCluster {
    /// Stops the server (fast shutdown) and removes the folder.
    fn drop(&mut self) {
        // Only a server this value started and that still runs (not after `kill`).
        let running = self.server().is_some();
        if running && let Some(pid) = self.postmaster() {
            let _ = Command::new("kill").args(["-INT", &pid.to_string()]).status();
        }
        if let Some(mut child) = self.server().take() {
            let _ = child.wait();
        }
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

/// The process ids whose parent is `parent` (from /proc).
fn children_of(parent: u32) -> Vec<u32> {
    let Ok(entries) = std::fs::read_dir("/proc") else { return Vec::new() };
    entries
        .flatten()
        .filter_map(|e| e.file_name().to_str().and_then(|n| n.parse::<u32>().ok()))
        .filter(|pid| {
            // `pid (comm) state ppid …`: the command may hold spaces, so after the last ')'.
            std::fs::read_to_string(format!("/proc/{pid}/stat")).ok().is_some_and(|stat| {
                stat.rsplit_once(')')
                    .and_then(|(_, rest)| rest.split_whitespace().nth(1).and_then(|p| p.parse::<u32>().ok()))
                    == Some(parent)
            })
        })
        .collect()
}

/// Stops the server and removes `root` once this process is gone.
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
