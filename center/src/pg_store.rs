//! The center's store on PostgreSQL (15, as Debian 12 ships it), for a center that needs
//! a real database under it: backups with point-in-time recovery, a standby, SQL reports.
//!
//! - `accepted_log`: every accepted entry in acceptance order (`pos`), with its source (a
//!   kiosk id or `center`), sequence number and entry hash, and the record as the embedded
//!   store keeps it (the entry's bytes as signed, receipt time, epoch, effective time, clock
//!   flag). `(source, seq)` is unique, so an entry can never be stored twice.
//! - `kiosks`, `operators`, `quarantine`, `reviews`, `sessions`, `kiosk_nonces`,
//!   `parent_codes`, `parent_code_addresses`, `staff_signin_logins`, `staff_signin_addresses`:
//!   the small records, as JSON.
//!
//! Two roles (see [`set_up`]): the schema's owner creates the tables once (`kezek-center
//! init --store URL --store-owner OWNER_URL`, or `migrate … --store-owner`) and grants the
//! server's role only `SELECT, INSERT` on `accepted_log`; the server connects as that role
//! and refuses to run as a role that could rewrite the log ([`PgSetupError`]): the owner, a
//! member of the owner's role, a superuser, or a role granted `UPDATE`, `DELETE`,
//! `TRUNCATE`, `TRIGGER` or `REFERENCES` on it. A trigger refuses `UPDATE`, `DELETE` and
//! `TRUNCATE` for the owner too, but the owner can disable it: only the grants keep the
//! server's role out.
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
CREATE TABLE IF NOT EXISTS kiosk_nonces (kiosk text NOT NULL, nonce text NOT NULL,
    issued_at timestamptz NOT NULL DEFAULT clock_timestamp(), PRIMARY KEY (kiosk, nonce));
CREATE TABLE IF NOT EXISTS parent_codes (iin text PRIMARY KEY, record text NOT NULL);
ALTER TABLE parent_codes ADD COLUMN IF NOT EXISTS keep_until timestamptz NOT NULL DEFAULT 'epoch';
CREATE INDEX IF NOT EXISTS parent_codes_keep_until ON parent_codes (keep_until);
CREATE TABLE IF NOT EXISTS parent_code_addresses (address text PRIMARY KEY, record text NOT NULL);
ALTER TABLE parent_code_addresses ADD COLUMN IF NOT EXISTS keep_until timestamptz NOT NULL DEFAULT 'epoch';
CREATE INDEX IF NOT EXISTS parent_code_addresses_keep_until ON parent_code_addresses (keep_until);
CREATE TABLE IF NOT EXISTS staff_signin_logins (login text PRIMARY KEY, record text NOT NULL,
    last_at timestamptz NOT NULL);
CREATE INDEX IF NOT EXISTS staff_signin_logins_last_at ON staff_signin_logins (last_at);
CREATE TABLE IF NOT EXISTS staff_signin_addresses (address text PRIMARY KEY, record text NOT NULL,
    last_at timestamptz NOT NULL);
CREATE INDEX IF NOT EXISTS staff_signin_addresses_last_at ON staff_signin_addresses (last_at);
";

/// The tables the server reads and writes in full (everything but `accepted_log`).
const RECORD_TABLES: [&str; 10] = [
    "kiosks",
    "operators",
    "quarantine",
    "reviews",
    "sessions",
    "kiosk_nonces",
    "parent_codes",
    "parent_code_addresses",
    "staff_signin_logins",
    "staff_signin_addresses",
];

/// Indexes added to older tables by later versions of [`SCHEMA`]: a database without them
/// has an older schema (the server would fail on the columns they index).
const SCHEMA_INDEXES: [&str; 2] = ["parent_codes_keep_until", "parent_code_addresses_keep_until"];

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

/// Why a database cannot be the center's store as it is, or cannot be set up as one. The
/// server's role must not be able to rewrite the accepted log (see the module documentation).
#[derive(Debug, thiserror::Error)]
pub enum PgSetupError {
    #[error(
        "the database {database} has no center schema or an older one ({table} is missing): the schema's \
         owner sets it up with `kezek-center init --store URL --store-owner OWNER_URL`, or brings an older one up \
         to date with `kezek-center upgrade-store --store-owner OWNER_URL` (docs/OPERATIONS.md, \"PostgreSQL roles\")"
    )]
    NotSetUp { database: String, table: String },
    #[error(
        "the database role {role} could rewrite the accepted log ({why}), so the center does not run as it: \
         connect the server as a role that may only read and append to accepted_log (`kezek-center init --store \
         postgres://kezek_server@… --store-owner postgres://kezek_owner@…` grants exactly that; \
         docs/OPERATIONS.md, \"PostgreSQL roles\")"
    )]
    RoleCanRewrite { role: String, why: String },
    #[error(
        "--store-owner and --store connect as the same role {role}: the schema's owner can rewrite the accepted \
         log, so the server must connect as another role"
    )]
    SameRole { role: String },
    #[error("the database role {role} does not exist: create it first (CREATE ROLE {role} LOGIN PASSWORD '…')")]
    NoRole { role: String },
    #[error("the store URL {url} names no user: give the server's role, postgres://ROLE@host/database")]
    NoUser { url: String },
}

impl PgSetupError {
    /// The stable code printed with the message.
    pub fn code(&self) -> &'static str {
        match self {
            PgSetupError::NotSetUp { .. } => "STORE_NOT_SET_UP",
            PgSetupError::RoleCanRewrite { .. } => "STORE_ROLE_CAN_REWRITE",
            PgSetupError::SameRole { .. } => "STORE_SAME_ROLE",
            PgSetupError::NoRole { .. } => "STORE_NO_ROLE",
            PgSetupError::NoUser { .. } => "STORE_NO_USER",
        }
    }
}

impl rules::Localized for PgSetupError {
    fn code(&self) -> &'static str {
        PgSetupError::code(self)
    }

    /// From `center/locales/{ru,kk,en}/store.ftl`, keyed `store-CODE`.
    fn message(&self, lang: rules::Lang) -> String {
        crate::i18n::text(lang, &format!("store-{}", self.code()), &[])
    }
}

fn setup_error(e: PgSetupError) -> StoreError {
    StoreError::Postgres(e)
}

/// `name` as an SQL identifier.
fn ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// The role a connection string connects as.
fn role_of(url: &str) -> Result<String, StoreError> {
    let config: postgres::Config = url.parse().map_err(|e: postgres::Error| StoreError::Db(format!("{url}: {e}")))?;
    config.get_user().map(str::to_owned).ok_or_else(|| setup_error(PgSetupError::NoUser { url: url.to_owned() }))
}

/// Sets up (or brings up to date) the center's schema in the database at `owner_url`, as
/// that URL's role, which owns the tables; grants the role that `server_url` connects as
/// what the server needs and no more: `SELECT, INSERT` on `accepted_log`, `SELECT, INSERT,
/// UPDATE, DELETE` on the small records, the generation counter. Run again, it changes
/// nothing but the grants (and revokes any right to rewrite the log that was given since).
/// The server's role must exist already, must not be a superuser and must differ from the
/// owner.
pub fn set_up(owner_url: &str, server_url: &str) -> Result<(), StoreError> {
    let role = role_of(server_url)?;
    let mut client = Client::connect(owner_url, NoTls).map_err(|e| db(&e))?;
    let owner: String = client.query_one("SELECT current_user::text", &[]).map_err(|e| db(&e))?.get(0);
    if owner == role {
        return Err(setup_error(PgSetupError::SameRole { role }));
    }
    let Some(found) =
        client.query_opt("SELECT rolsuper FROM pg_roles WHERE rolname = $1", &[&role]).map_err(|e| db(&e))?
    else {
        return Err(setup_error(PgSetupError::NoRole { role }));
    };
    if found.get::<_, bool>(0) {
        return Err(setup_error(PgSetupError::RoleCanRewrite { role, why: "a superuser".into() }));
    }
    let mut tx = client.transaction().map_err(|e| db(&e))?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&SCHEMA_LOCK]).map_err(|e| db(&e))?;
    tx.batch_execute(SCHEMA).map_err(|e| db(&e))?;
    let schema: String = tx.query_one("SELECT current_schema()::text", &[]).map_err(|e| db(&e))?.get(0);
    let (to, schema) = (ident(&role), ident(&schema));
    let mut grants = vec![
        format!("GRANT USAGE ON SCHEMA {schema} TO {to}"),
        format!("REVOKE ALL ON accepted_log FROM PUBLIC, {to}"),
        format!("GRANT SELECT, INSERT ON accepted_log TO {to}"),
        format!("GRANT USAGE, SELECT, UPDATE ON SEQUENCE kezek_generation TO {to}"),
    ];
    let identity: Option<String> =
        tx.query_one("SELECT pg_get_serial_sequence('accepted_log', 'pos')", &[]).map_err(|e| db(&e))?.get(0);
    if let Some(sequence) = identity {
        // Already quoted as needed by pg_get_serial_sequence.
        grants.push(format!("GRANT USAGE ON SEQUENCE {sequence} TO {to}"));
    }
    grants.extend(RECORD_TABLES.iter().map(|table| format!("GRANT SELECT, INSERT, UPDATE, DELETE ON {table} TO {to}")));
    tx.batch_execute(&grants.join(";\n")).map_err(|e| db(&e))?;
    tx.commit().map_err(|e| db(&e))
}

/// The server's side of the bargain: the schema is there, and the role this connection
/// runs as cannot rewrite the accepted log.
fn check_role(client: &mut Client) -> Result<(), StoreError> {
    let tables: Vec<&str> = std::iter::once("accepted_log")
        .chain(RECORD_TABLES)
        .chain(["kezek_generation"])
        .chain(SCHEMA_INDEXES)
        .collect();
    let missing = client
        .query_opt(
            "SELECT t, current_database()::text FROM unnest($1::text[]) AS t WHERE to_regclass(t) IS NULL LIMIT 1",
            &[&tables],
        )
        .map_err(|e| db(&e))?;
    if let Some(row) = missing {
        return Err(setup_error(PgSetupError::NotSetUp { table: row.get(0), database: row.get(1) }));
    }
    let row = client
        .query_one(
            "SELECT current_user::text, r.rolsuper, pg_has_role(current_user, c.relowner, 'MEMBER'), \
                    has_any_column_privilege(c.oid, 'UPDATE'), has_table_privilege(c.oid, 'DELETE'), \
                    has_table_privilege(c.oid, 'TRUNCATE'), has_table_privilege(c.oid, 'TRIGGER'), \
                    has_table_privilege(c.oid, 'REFERENCES') \
             FROM pg_class c, pg_roles r WHERE c.oid = 'accepted_log'::regclass AND r.rolname = current_user",
            &[],
        )
        .map_err(|e| db(&e))?;
    let role: String = row.get(0);
    let checks = [
        (1, "a superuser"),
        (2, "the owner of accepted_log or a member of the owner's role"),
        (3, "granted UPDATE on accepted_log"),
        (4, "granted DELETE on accepted_log"),
        (5, "granted TRUNCATE on accepted_log"),
        (6, "granted TRIGGER on accepted_log"),
        (7, "granted REFERENCES on accepted_log"),
    ];
    let why: Vec<&str> = checks.iter().filter(|(i, _)| row.get::<_, bool>(*i)).map(|(_, why)| *why).collect();
    if why.is_empty() { Ok(()) } else { Err(setup_error(PgSetupError::RoleCanRewrite { role, why: why.join(", ") })) }
}

impl PgStore {
    /// Connects as the server's role (`postgres://kezek_server@host/db`, or
    /// `host=/run/postgresql user=kezek_server dbname=kezek`) to a database whose schema
    /// [`set_up`] made. Refuses a database without the schema and a role that could rewrite
    /// the accepted log ([`PgSetupError`]).
    pub fn connect(url: &str) -> Result<Self, StoreError> {
        let mut client = Client::connect(url, NoTls).map_err(|e| db(&e))?;
        client.batch_execute("SET synchronous_commit = on").map_err(|e| db(&e))?;
        check_role(&mut client)?;
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
