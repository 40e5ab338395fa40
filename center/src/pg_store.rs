//! The center's store on PostgreSQL (15, as Debian 12 ships it), for a center that needs
//! a real database under it: backups with point-in-time recovery, a standby, SQL reports.
//!
//! - `accepted_log`: every accepted entry in acceptance order (`pos`), with its source (a
//!   kiosk id or `center`), sequence number and entry hash, and the record as the embedded
//!   store keeps it (the entry's bytes as signed, receipt time, epoch, effective time, clock
//!   flag). Append-only: a trigger refuses `UPDATE`, `DELETE` and `TRUNCATE` whatever the
//!   role; `(source, seq)` is unique, so an entry can never be stored twice.
//! - `kiosks`, `operators`, `quarantine`, `reviews`, `sessions`: the small records, as JSON.
//!
//! Every write is one transaction with `synchronous_commit = on` (the log records of a
//! commit go in with one binary `COPY`): the call returns after the commit is durable (and,
//! with a synchronous standby, replicated), so the center only acknowledges what a crash
//! cannot take back. Contacts ([`CenterStore::note_kiosk`]) are
//! written with `synchronous_commit = off`, as the embedded store writes them unsynced.

use postgres::binary_copy::BinaryCopyInWriter;
use postgres::fallible_iterator::FallibleIterator;
use postgres::types::Type;
use postgres::{Client, NoTls};

use crate::store::{
    CenterOperator, CenterStore, Commit, KioskRecord, LogRecord, QuarantineRecord, ReviewDecision, SessionRecord,
    StoreError, decode, encode,
};

const SCHEMA: &str = r"
CREATE TABLE IF NOT EXISTS accepted_log (
    pos bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    source text NOT NULL,
    seq bigint NOT NULL,
    entry_hash bytea NOT NULL,
    record bytea NOT NULL,
    UNIQUE (source, seq)
);
CREATE OR REPLACE FUNCTION kezek_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'accepted_log is append-only';
END
$$;
DROP TRIGGER IF EXISTS accepted_log_append_only ON accepted_log;
CREATE TRIGGER accepted_log_append_only BEFORE UPDATE OR DELETE ON accepted_log
    FOR EACH ROW EXECUTE FUNCTION kezek_append_only();
DROP TRIGGER IF EXISTS accepted_log_no_truncate ON accepted_log;
CREATE TRIGGER accepted_log_no_truncate BEFORE TRUNCATE ON accepted_log
    FOR EACH STATEMENT EXECUTE FUNCTION kezek_append_only();
CREATE TABLE IF NOT EXISTS kiosks (id text PRIMARY KEY, record text NOT NULL);
CREATE TABLE IF NOT EXISTS operators (login text PRIMARY KEY, record text NOT NULL);
CREATE TABLE IF NOT EXISTS quarantine (key bytea PRIMARY KEY, kiosk text NOT NULL, seq bigint NOT NULL, record text NOT NULL);
CREATE TABLE IF NOT EXISTS reviews (item text PRIMARY KEY, record text NOT NULL);
CREATE TABLE IF NOT EXISTS sessions (token_hash text PRIMARY KEY, record text NOT NULL);
CREATE SEQUENCE IF NOT EXISTS kezek_generation;
";

/// Serialises schema set-up between servers starting at the same time.
const SCHEMA_LOCK: i64 = 0x6b65_7a65_6b00_0001;
/// Held while a server writes (catch up, decide, commit): one writer at a time.
const WRITE_LOCK: i64 = 0x6b65_7a65_6b00_0002;
/// Held by the server that runs the scheduled work, for as long as its connection lives.
const LEADER_LOCK: i64 = 0x6b65_7a65_6b00_0003;

/// The center's store in a PostgreSQL database.
pub struct PgStore {
    /// The trait's reads take `&self`; the connection needs `&mut` (uncontended: the
    /// center is behind one lock already).
    client: std::sync::Mutex<Client>,
    url: String,
    /// This connection holds the leader lock (lost with the connection).
    leading: bool,
    /// The connection was opened again since the leader lock was taken.
    reconnected: std::sync::atomic::AtomicBool,
}

impl std::fmt::Debug for PgStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PgStore")
    }
}

fn db(e: &postgres::Error) -> StoreError {
    // The server's own message (e.g. "accepted_log is append-only") when there is one.
    let detail = e.as_db_error().map_or_else(|| e.to_string(), |d| format!("{}: {}", d.code().code(), d.message()));
    StoreError::Db(format!("postgres: {detail}"))
}

fn json<T: serde::Serialize>(value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|e| StoreError::Corrupt(e.to_string()))
}

fn from_json<T: for<'de> serde::Deserialize<'de>>(text: &str) -> Result<T, StoreError> {
    serde_json::from_str(text).map_err(|e| StoreError::Corrupt(e.to_string()))
}

/// `(source, seq, entry hash)` of a log record.
fn identity(record: &LogRecord) -> Result<(String, i64, Vec<u8>), StoreError> {
    let (source, seq, entry) = match record {
        LogRecord::Kiosk { kiosk, seq, entry, .. } => (kiosk.clone(), *seq, entry),
        LogRecord::Center { seq, entry } => (crate::service::CENTER_ID.to_owned(), *seq, entry),
    };
    let (signed, _) = changelog::SignedEntry::read_record(entry).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let seq = i64::try_from(seq).map_err(|_| StoreError::Corrupt("sequence number out of range".into()))?;
    Ok((source, seq, signed.hash().to_vec()))
}

/// The quarantine key the embedded store uses: kiosk, sequence, entry hash (or code).
fn quarantine_key(q: &QuarantineRecord) -> Vec<u8> {
    let mut key = q.note.kiosk.as_bytes().to_vec();
    key.push(0);
    key.extend_from_slice(&q.note.seq.to_be_bytes());
    key.extend_from_slice(q.note.entry_hash.as_deref().unwrap_or(&q.note.code).as_bytes());
    key
}

impl PgStore {
    /// Connects (`postgres://user@host/db`, or `host=/run/postgresql dbname=kezek`) and sets
    /// up the tables if they are missing.
    pub fn connect(url: &str) -> Result<Self, StoreError> {
        let mut client = Client::connect(url, NoTls).map_err(|e| db(&e))?;
        client.batch_execute("SET synchronous_commit = on").map_err(|e| db(&e))?;
        let mut tx = client.transaction().map_err(|e| db(&e))?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&SCHEMA_LOCK]).map_err(|e| db(&e))?;
        tx.batch_execute(SCHEMA).map_err(|e| db(&e))?;
        tx.commit().map_err(|e| db(&e))?;
        Ok(PgStore {
            client: std::sync::Mutex::new(client),
            url: url.to_owned(),
            leading: false,
            reconnected: std::sync::atomic::AtomicBool::new(false),
        })
    }

    /// The connection, opened again if the server closed it (a restart, a failover): the
    /// next call after a lost connection works again once the database is back.
    fn client(&self) -> std::sync::MutexGuard<'_, Client> {
        let mut guard = self.client.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if guard.is_closed()
            && let Ok(mut fresh) = Client::connect(&self.url, NoTls)
            && fresh.batch_execute("SET synchronous_commit = on").is_ok()
        {
            *guard = fresh;
            self.reconnected.store(true, std::sync::atomic::Ordering::SeqCst);
        }
        guard
    }

    /// Marks a change of the small records for the other servers.
    fn bump(tx: &mut postgres::Transaction<'_>) -> Result<(), StoreError> {
        tx.execute("SELECT nextval('kezek_generation')", &[]).map_err(|e| db(&e))?;
        Ok(())
    }

    fn query_json<T: for<'de> serde::Deserialize<'de>>(&self, sql: &str) -> Result<Vec<T>, StoreError> {
        let rows = self.client().query(sql, &[]).map_err(|e| db(&e))?;
        rows.iter().map(|row| from_json(row.get::<_, &str>(0))).collect()
    }

    fn put(&mut self, sql: &str, key: &str, record: &str, durable: bool) -> Result<(), StoreError> {
        let mut client = self.client();
        let mut tx = client.transaction().map_err(|e| db(&e))?;
        if !durable {
            tx.batch_execute("SET LOCAL synchronous_commit = off").map_err(|e| db(&e))?;
        }
        tx.execute(sql, &[&key, &record]).map_err(|e| db(&e))?;
        PgStore::bump(&mut tx)?;
        tx.commit().map_err(|e| db(&e))
    }
}

impl CenterStore for PgStore {
    fn kiosks(&self) -> Result<Vec<KioskRecord>, StoreError> {
        self.query_json("SELECT record FROM kiosks ORDER BY id")
    }

    fn put_kiosk(&mut self, kiosk: &KioskRecord) -> Result<(), StoreError> {
        let sql =
            "INSERT INTO kiosks (id, record) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET record = EXCLUDED.record";
        self.put(sql, &kiosk.id, &json(kiosk)?, true)
    }

    fn note_kiosk(&mut self, kiosk: &KioskRecord) -> Result<(), StoreError> {
        let sql =
            "INSERT INTO kiosks (id, record) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET record = EXCLUDED.record";
        self.put(sql, &kiosk.id, &json(kiosk)?, false)
    }

    fn operators(&self) -> Result<Vec<CenterOperator>, StoreError> {
        self.query_json("SELECT record FROM operators ORDER BY login")
    }

    fn put_operator(&mut self, operator: &CenterOperator) -> Result<(), StoreError> {
        let sql = "INSERT INTO operators (login, record) VALUES ($1, $2) \
                   ON CONFLICT (login) DO UPDATE SET record = EXCLUDED.record";
        self.put(sql, &operator.login, &json(operator)?, true)
    }

    fn read_log(&self, visit: &mut dyn FnMut(LogRecord) -> Result<(), StoreError>) -> Result<(), StoreError> {
        let mut client = self.client();
        let rows = client
            .query_raw("SELECT record FROM accepted_log ORDER BY pos", std::iter::empty::<i32>())
            .map_err(|e| db(&e))?;
        let mut rows = rows;
        while let Some(row) = rows.next().map_err(|e| db(&e))? {
            visit(decode(row.get::<_, &[u8]>(0))?)?;
        }
        Ok(())
    }

    fn commit(&mut self, commit: &Commit) -> Result<(), StoreError> {
        if commit.log.is_empty() && commit.quarantine.is_empty() {
            return Ok(());
        }
        let mut client = self.client();
        let mut tx = client.transaction().map_err(|e| db(&e))?;
        if !commit.quarantine.is_empty() {
            let insert = tx
                .prepare(
                    "INSERT INTO quarantine (key, kiosk, seq, record) VALUES ($1, $2, $3, $4) \
                     ON CONFLICT (key) DO NOTHING",
                )
                .map_err(|e| db(&e))?;
            for q in &commit.quarantine {
                let seq = i64::try_from(q.note.seq).unwrap_or(i64::MAX);
                tx.execute(&insert, &[&quarantine_key(q), &q.note.kiosk, &seq, &json(q)?]).map_err(|e| db(&e))?;
            }
            PgStore::bump(&mut tx)?;
        }
        if !commit.log.is_empty() {
            // One binary COPY for the whole commit: the rows stream to the server without a
            // round trip each (a prepared INSERT per row waited for the server's answer every
            // time), and COPY stores them in the order sent, so `pos` keeps the log's order.
            // The constraints and the append-only triggers hold for COPY as for INSERT.
            let sink = tx
                .copy_in("COPY accepted_log (source, seq, entry_hash, record) FROM STDIN (FORMAT binary)")
                .map_err(|e| db(&e))?;
            let mut rows = BinaryCopyInWriter::new(sink, &[Type::TEXT, Type::INT8, Type::BYTEA, Type::BYTEA]);
            for record in &commit.log {
                let (source, seq, hash) = identity(record)?;
                rows.write(&[&source, &seq, &hash, &encode(record)?]).map_err(|e| db(&e))?;
            }
            rows.finish().map_err(|e| db(&e))?;
        }
        tx.commit().map_err(|e| db(&e))
    }

    fn quarantine(&self) -> Result<Vec<QuarantineRecord>, StoreError> {
        self.query_json("SELECT record FROM quarantine ORDER BY kiosk, seq, key")
    }

    fn put_review(&mut self, decision: &ReviewDecision) -> Result<(), StoreError> {
        let sql = "INSERT INTO reviews (item, record) VALUES ($1, $2) ON CONFLICT (item) DO UPDATE SET record = EXCLUDED.record";
        self.put(sql, &decision.item, &json(decision)?, true)
    }

    fn reviews(&self) -> Result<Vec<ReviewDecision>, StoreError> {
        self.query_json("SELECT record FROM reviews ORDER BY item")
    }

    fn sessions(&self) -> Result<Vec<SessionRecord>, StoreError> {
        self.query_json("SELECT record FROM sessions")
    }

    fn put_session(&mut self, session: &SessionRecord) -> Result<(), StoreError> {
        let sql = "INSERT INTO sessions (token_hash, record) VALUES ($1, $2) \
                   ON CONFLICT (token_hash) DO UPDATE SET record = EXCLUDED.record";
        self.put(sql, &session.token_hash, &json(session)?, true)
    }

    fn remove_session(&mut self, token_hash: &str) -> Result<(), StoreError> {
        let mut client = self.client();
        let mut tx = client.transaction().map_err(|e| db(&e))?;
        tx.execute("DELETE FROM sessions WHERE token_hash = $1", &[&token_hash]).map_err(|e| db(&e))?;
        PgStore::bump(&mut tx)?;
        tx.commit().map_err(|e| db(&e))
    }

    fn shared(&self) -> bool {
        true
    }

    fn shared_url(&self) -> Option<&str> {
        Some(&self.url)
    }

    fn read_log_after(
        &self,
        after: u64,
        visit: &mut dyn FnMut(LogRecord) -> Result<(), StoreError>,
    ) -> Result<u64, StoreError> {
        let after = i64::try_from(after).unwrap_or(i64::MAX);
        let mut client = self.client();
        let mut rows = client
            .query_raw("SELECT pos, record FROM accepted_log WHERE pos > $1 ORDER BY pos", [after])
            .map_err(|e| db(&e))?;
        let mut last = after;
        while let Some(row) = rows.next().map_err(|e| db(&e))? {
            last = row.get(0);
            visit(decode(row.get::<_, &[u8]>(1))?)?;
        }
        Ok(u64::try_from(last).unwrap_or(0))
    }

    fn generation(&self) -> Result<u64, StoreError> {
        let row =
            self.client().query_one("SELECT last_value, is_called FROM kezek_generation", &[]).map_err(|e| db(&e))?;
        let (value, called): (i64, bool) = (row.get(0), row.get(1));
        Ok(if called { u64::try_from(value).unwrap_or(0) } else { 0 })
    }

    fn lock_writes(&mut self) -> Result<(), StoreError> {
        self.client().execute("SELECT pg_advisory_lock($1)", &[&WRITE_LOCK]).map_err(|e| db(&e))?;
        Ok(())
    }

    fn unlock_writes(&mut self) {
        let _ = self.client().execute("SELECT pg_advisory_unlock($1)", &[&WRITE_LOCK]);
    }

    fn try_lead(&mut self) -> bool {
        if self.reconnected.swap(false, std::sync::atomic::Ordering::SeqCst) {
            self.leading = false;
        }
        if !self.leading {
            let won = self
                .client()
                .query_one("SELECT pg_try_advisory_lock($1)", &[&LEADER_LOCK])
                .is_ok_and(|row| row.get::<_, bool>(0));
            self.leading = won;
        }
        self.leading
    }
}
