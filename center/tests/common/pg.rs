//! The tests' throw-away PostgreSQL cluster: [`center::pg_cluster::PgCluster`] (`initdb`
//! into a temporary folder, `postgres` on 127.0.0.1 with a free port, stopped and removed
//! when the test process ends), one per test process, a fresh database per test. Here
//! every failure panics, with the library's message (no PostgreSQL binaries: how to
//! install them).

use std::sync::OnceLock;

use center::pg_cluster::PgCluster;

/// A throw-away cluster (see [`PgCluster`]).
#[derive(Debug)]
pub struct Cluster(PgCluster);

static CLUSTER: OnceLock<Cluster> = OnceLock::new();

impl Cluster {
    /// A cluster of its own (for a test that kills and restarts it).
    pub fn start() -> Cluster {
        Cluster(PgCluster::start().unwrap_or_else(|e| panic!("{e}")))
    }

    pub fn port(&self) -> u16 {
        self.0.port()
    }

    pub fn url(&self, database: &str) -> String {
        self.0.url(database)
    }

    /// A new, empty database; its URL.
    pub fn database(&self) -> String {
        self.0.database().unwrap_or_else(|e| panic!("{e}"))
    }

    /// A new database with the center's schema set up by its owner (`kezek`); the URL the
    /// center's server connects with (`kezek_server`: it may only read and append to the
    /// accepted log).
    pub fn store(&self) -> String {
        self.0.store().unwrap_or_else(|e| panic!("{e}"))
    }

    /// The same database as the server's role instead of the owner.
    pub fn as_server(owner_url: &str) -> String {
        PgCluster::as_server(owner_url)
    }

    /// Kills the server at once (SIGKILL: no shutdown checkpoint), as a crash would.
    pub fn kill(&self) {
        self.0.kill();
    }

    /// Starts the server again on the same folder and port (crash recovery runs).
    pub fn restart(&self) {
        self.0.restart().unwrap_or_else(|e| panic!("{e}"));
    }
}

/// The test process's cluster, started on first use.
pub fn cluster() -> &'static Cluster {
    CLUSTER.get_or_init(Cluster::start)
}

/// Whether this run's center tests use PostgreSQL (`KEZEK_TEST_STORE=postgres`).
pub fn postgres_run() -> bool {
    std::env::var("KEZEK_TEST_STORE").is_ok_and(|v| v == "postgres")
}
