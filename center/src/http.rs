//! The center's HTTP API (axum on hyper), hardened for a server that faces the internet.
//!
//! | method and path | body | answer |
//! |---|---|---|
//! | `POST /v1/kiosks/{id}/challenge` | | `{"nonce":…}`: single use, for the kiosk's next request |
//! | `POST /v1/kiosks/{id}/events` | a change-log bundle, `application/octet-stream` | the signed [`Ack`](changelog::sync::Ack) |
//! | `GET /v1/kiosks/{id}/ack` | | the latest signed ack |
//! | `GET /v1/districts/{code}/snapshot` | | the signed [`Snapshot`](changelog::sync::Snapshot), to a kiosk serving the district |
//! | `GET /v1/health` | | `{"status":"ok",…}` (never waits for ingest) |
//! | `GET /v1/public/districts/{code}/queue` | | the signed [`PublicQueue`](changelog::public::PublicQueue): no personal data, anyone may read it |
//!
//! Every kiosk request but the challenge is signed (`changelog::request`): the signature is
//! checked right after the body is read (at most [`Limits::max_body_bytes`], within
//! [`Limits::body_timeout`]) and before the body is inflated, decoded or verified, so a forged
//! or replayed request costs one signature check.
//!
//! Bounded work: at most [`Limits::max_connections`] connections (more are closed at once),
//! headers within [`Limits::header_timeout`] (idle keep-alive connections are closed after it
//! too), at most [`Limits::max_uploads`] bodies read at once and [`Limits::ingest_queue`]
//! uploads waiting for the ingest worker; beyond those the answer is `503` with `Retry-After`.
//! A panic while handling a request is caught: that request gets a 500, the center's state is
//! rebuilt from its store, and the server keeps serving.
//!
//! Errors are JSON `{"error":{"code":…,"message":…}}`: 400 unreadable bundle or path
//! (`BAD_BUNDLE`, `KIOSK_MISMATCH`, `BAD_PATH`), 401 `UNAUTHENTICATED`, 403 unknown or revoked
//! kiosk or a district it does not serve, 404, 405, 408 `BODY_TIMEOUT`, 413
//! `PAYLOAD_TOO_LARGE`, 415, 500, 503 `BUSY`.

// Handlers return a ready `Response` as their error: boxing it would only add an allocation
// on the error path of every request.
#![allow(clippy::result_large_err)]

use std::collections::HashMap;
use std::net::SocketAddr;
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use changelog::VerifyingKey;
use changelog::request::{
    ACK_ROUTE, CHALLENGE_ROUTE, ChallengeBody, EVENTS_ROUTE, ErrorBody, HEADER_HEAD, HEADER_KIOSK, HEADER_NONCE,
    HEADER_ROTATION, HEADER_SIGNATURE, HEALTH_ROUTE, JSON, SNAPSHOT_ROUTE, SignedRequest, follow_rotations,
    verify_request,
};
use rules::Instant;

use crate::any_store::AnyStore;
use crate::center::{Center, CenterError, IngestError, KioskAuth, Upload};
use crate::nonces::NonceBook;
use crate::notify::Notifications;
use crate::scheduler::Schedule;
use crate::staff_api::StaffOptions;
use crate::store::CenterStore;
use crate::throttle::LoginThrottle;

pub use changelog::request::OCTET_STREAM;

/// The public queue of a district: signed, chained, nothing personal.
pub const PUBLIC_QUEUE_ROUTE: &str = "/v1/public/districts/{code}/queue";

/// Largest upload accepted.
pub const MAX_BODY_BYTES: usize = 16 * 1024 * 1024;

/// The center's clock (tests inject a fixed one).
pub type Clock = Arc<dyn Fn() -> Instant + Send + Sync>;

/// Most uploads committed together by the ingest worker.
pub const MAX_GROUP: usize = 64;

pub use crate::nonces::{NONCE_LIFETIME, NONCES_PER_KIOSK};

/// Bounds on the work the server takes on.
#[derive(Debug, Clone)]
pub struct Limits {
    pub max_body_bytes: usize,
    /// The whole body must arrive within this time.
    pub body_timeout: Duration,
    /// A request's headers (and, on a kept-alive connection, the next request's) within this time.
    pub header_timeout: Duration,
    /// A whole request, once its body is read, within this time.
    pub request_timeout: Duration,
    pub max_connections: usize,
    /// Upload bodies read at the same time.
    pub max_uploads: usize,
    /// Uploads waiting for the ingest worker.
    pub ingest_queue: usize,
    /// Seconds a `503` asks the kiosk to wait.
    pub retry_after_secs: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_body_bytes: MAX_BODY_BYTES,
            body_timeout: Duration::from_mins(1),
            header_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_mins(2),
            max_connections: 512,
            max_uploads: 32,
            ingest_queue: 256,
            retry_after_secs: 5,
        }
    }
}

/// Counters the health answer reads without touching the center's lock.
#[derive(Debug, Default)]
struct Health {
    kiosks: AtomicUsize,
    applications: AtomicUsize,
    connections: AtomicUsize,
    caught_panics: AtomicUsize,
}

/// Shared server state. Uploads go to one ingest worker thread, which drains whatever is
/// queued and stores it with one durable commit (group commit) before answering each.
pub struct App<S: CenterStore = AnyStore> {
    pub center: Arc<Mutex<Center<S>>>,
    pub clock: Clock,
    limits: Limits,
    jobs: std::sync::mpsc::SyncSender<Job>,
    /// Keys, heads and districts of the registered kiosks, for authentication without the center's lock.
    auth: Arc<RwLock<HashMap<String, KioskAuth>>>,
    nonces: NonceBook,
    uploads: Arc<tokio::sync::Semaphore>,
    health: Arc<Health>,
    center_key: String,
    throttle: Arc<LoginThrottle>,
    staff: StaffOptions,
    /// Other servers write to the same store (PostgreSQL).
    shared_store: bool,
    /// The notifier (outbox); `None`: no messages to parents.
    notifications: Option<Arc<Notifications>>,
    parents: Option<crate::parents::ParentsChannel>,
    /// The folder the parents' portal is served from (`serve --portal`), if any.
    portal: Option<Arc<std::path::PathBuf>>,
}

/// Everything a server is set up with besides its center and clock.
#[derive(Debug, Clone, Default)]
pub struct ServerOptions {
    pub limits: Limits,
    pub staff: StaffOptions,
    /// The center's day (expiry, distribution rounds); `None`: nothing runs by itself.
    pub schedule: Option<Schedule>,
    /// How often the scheduler looks at the clock (default 15 s).
    pub scheduler_poll: Option<Duration>,
    /// The data folder whose `schedule.json` the scheduler looks at on every poll: an
    /// edited schedule takes effect without a restart ([`crate::scheduler::ScheduleFile`]).
    pub schedule_folder: Option<std::path::PathBuf>,
    /// The notifier: scanned and delivered at every scheduler poll; `None`: no messages.
    pub notifications: Option<Arc<Notifications>>,
    /// The parents' channel (`/v1/parent/…`); `None`: parents cannot sign in here.
    pub parents: Option<crate::parents::ParentsChannel>,
    /// The folder holding `portal/` and `wasm-pkg/pkg/web/`, served at `/portal/` ([`crate::portal_files`]).
    pub portal: Option<std::path::PathBuf>,
}

struct Job {
    bytes: Bytes,
    kiosk: String,
    head: u64,
    reply: tokio::sync::oneshot::Sender<Result<Vec<u8>, IngestError>>,
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // A panic is caught where it happens and the state rebuilt, so a poisoned lock only
    // means a panic escaped between the two: the data is still consistent enough to read.
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl<S: CenterStore + 'static> App<S> {
    /// The state and its ingest worker thread (which ends when the last `App` clone is dropped).
    pub fn new(center: Center<S>, clock: Clock) -> Self {
        App::with_limits(center, clock, Limits::default())
    }

    /// [`App::new`] with explicit limits.
    pub fn with_limits(center: Center<S>, clock: Clock, limits: Limits) -> Self {
        App::with_options(center, clock, ServerOptions { limits, ..ServerOptions::default() })
    }

    /// The server with all its options. With a schedule, what it owes is run before this
    /// returns (a center that was down catches up first), and then a scheduler thread runs
    /// the rest as it comes due; it stops when the last `App` clone is dropped.
    pub fn with_options(mut center: Center<S>, clock: Clock, options: ServerOptions) -> Self {
        if let Some(schedule) = &options.schedule
            && center.leads()
        {
            let now = (clock)();
            if let Err(e) = center.with_write_lock(|c| run_schedule(c, schedule, now)) {
                eprintln!("kezek-center: the schedule could not run at start ({}): {e}", e.code());
            }
        }
        let mut app = App::build(center, clock, options.limits, options.staff);
        app.notifications = options.notifications;
        app.parents = options.parents;
        app.portal = options.portal.map(Arc::new);
        let notifications = app.notifications.clone();
        if options.schedule.is_some() || notifications.is_some() {
            let mut schedule = options.schedule;
            let mut schedule_file = options.schedule_folder.as_deref().map(crate::scheduler::ScheduleFile::in_folder);
            let poll = options.scheduler_poll.unwrap_or(Duration::from_secs(15));
            let center = Arc::downgrade(&app.center);
            let clock = Arc::clone(&app.clock);
            let health = Arc::clone(&app.health);
            std::thread::spawn(move || {
                // Messages owed at start (the start's own runs included) go out first.
                if let (Some(notifications), Some(center)) = (&notifications, center.upgrade()) {
                    notify_pass(&center, &clock, notifications);
                }
                loop {
                    std::thread::sleep(poll);
                    let Some(center) = center.upgrade() else { return };
                    if let (Some(file), Some(schedule)) = (&mut schedule_file, &mut schedule) {
                        file.refresh(schedule);
                    }
                    if let Some(schedule) = &schedule {
                        let mut guard = lock(&center);
                        let now = (clock)();
                        let outcome = std::panic::catch_unwind(AssertUnwindSafe(|| {
                            // One server of those sharing a store leads; the lead moves when it dies.
                            if guard.leads()
                                && let Err(e) = guard.with_write_lock(|c| run_schedule(c, schedule, now))
                            {
                                eprintln!("kezek-center: the schedule could not run ({}): {e}", e.code());
                            }
                        }));
                        if outcome.is_err() {
                            recover(&mut guard, &health, "running the schedule");
                        }
                    }
                    if let Some(notifications) = &notifications {
                        notify_pass(&center, &clock, notifications);
                    }
                }
            });
        }
        app
    }

    fn build(center: Center<S>, clock: Clock, limits: Limits, staff: StaffOptions) -> Self {
        let auth = Arc::new(RwLock::new(center.kiosk_auth()));
        let health = Arc::new(Health::default());
        let center_key = changelog::fingerprint(&center.public_key());
        let shared_store = center.store_shared();
        let nonce_book = center.shared_store_url().map_or_else(NonceBook::memory, NonceBook::shared);
        refresh_counters(&center, &health);
        let center = Arc::new(Mutex::new(center));
        let (jobs, queue) = std::sync::mpsc::sync_channel::<Job>(limits.ingest_queue.max(1));
        let worker = Worker {
            center: Arc::clone(&center),
            clock: Arc::clone(&clock),
            auth: Arc::clone(&auth),
            health: Arc::clone(&health),
        };
        std::thread::spawn(move || worker.run(&queue));
        App {
            center,
            clock,
            uploads: Arc::new(tokio::sync::Semaphore::new(limits.max_uploads.max(1))),
            limits,
            jobs,
            auth,
            nonces: nonce_book,
            health,
            center_key,
            throttle: Arc::new(LoginThrottle::default()),
            staff,
            shared_store,
            notifications: None,
            parents: None,
            portal: None,
        }
    }

    /// The parents' channel, when the server has one.
    pub fn parents(&self) -> Option<&crate::parents::ParentsChannel> {
        self.parents.as_ref()
    }

    /// The notifier, when the server has one (the parents' sign-in codes go through it).
    pub fn notifications(&self) -> Option<&Arc<Notifications>> {
        self.notifications.as_ref()
    }

    pub(crate) fn throttle(&self) -> Arc<LoginThrottle> {
        Arc::clone(&self.throttle)
    }

    pub(crate) fn staff_options(&self) -> &StaffOptions {
        &self.staff
    }

    pub(crate) fn limits(&self) -> &Limits {
        &self.limits
    }

    /// The folder the parents' portal is served from (`serve --portal`).
    pub(crate) fn portal_dir(&self) -> Option<Arc<std::path::PathBuf>> {
        self.portal.clone()
    }

    /// Re-reads every kiosk's key, head and districts after the registry changed.
    pub(crate) async fn refresh_kiosk_auth(&self) {
        let auth = Arc::clone(&self.auth);
        let _ = with_center(self, move |center, _| {
            let fresh = center.kiosk_auth();
            *auth.write().unwrap_or_else(PoisonError::into_inner) = fresh;
            refresh_counters(center, &Health::default());
        })
        .await;
        let _ = with_center(self, {
            let health = Arc::clone(&self.health);
            move |center, _| refresh_counters(center, &health)
        })
        .await;
    }
}

/// Runs what the schedule owes; a failure is reported and retried at the next look.
fn run_schedule<S: CenterStore>(center: &mut Center<S>, schedule: &Schedule, now: Instant) {
    for line in crate::scheduler::report(&center.run_due(schedule, now)) {
        eprintln!("{line}");
    }
}

/// One pass of the notifier: what the state owes is enqueued (under the center's lock, by
/// the leading server only), then what is due is delivered (outside the lock).
fn notify_pass<S: CenterStore>(center: &Mutex<Center<S>>, clock: &Clock, notifications: &Notifications) {
    let outcome = std::panic::catch_unwind(AssertUnwindSafe(|| {
        let now = (clock)();
        {
            let mut guard = lock(center);
            if !guard.leads() {
                return;
            }
            if let Err(e) = notifications.scan_center(&guard, now) {
                eprintln!("kezek-center: the notifier could not enqueue messages ({}): {e}", e.code());
            }
        }
        let report = notifications.deliver_due(now);
        if report.delivered + report.failed + report.undeliverable > 0 {
            eprintln!(
                "kezek-center: notifier {}: {} delivered, {} failed, {} undeliverable, {} pending",
                notifications.notifier_name(),
                report.delivered,
                report.failed,
                report.undeliverable,
                report.pending
            );
        }
        for error in report.errors.iter().take(10) {
            eprintln!("kezek-center: notifier: {error}");
        }
    }));
    if outcome.is_err() {
        eprintln!("kezek-center: a panic in the notifier was caught; it runs again at the next poll");
    }
}

fn refresh_counters<S: CenterStore>(center: &Center<S>, health: &Health) {
    health.kiosks.store(center.kiosk_count(), Ordering::Relaxed);
    health.applications.store(center.state().application_count(), Ordering::Relaxed);
}

/// After a caught panic: rebuilds the center's state from its store.
fn recover<S: CenterStore>(center: &mut Center<S>, health: &Health, what: &str) {
    health.caught_panics.fetch_add(1, Ordering::Relaxed);
    eprintln!("kezek-center: a panic while {what} was caught; rebuilding the state from the store");
    if let Err(e) = center.reload() {
        eprintln!("kezek-center: rebuilding the state failed: {e}");
    }
}

struct Worker<S: CenterStore> {
    center: Arc<Mutex<Center<S>>>,
    clock: Clock,
    auth: Arc<RwLock<HashMap<String, KioskAuth>>>,
    health: Arc<Health>,
}

impl<S: CenterStore> Worker<S> {
    fn run(&self, queue: &std::sync::mpsc::Receiver<Job>) {
        while let Ok(first) = queue.recv() {
            let mut batch = vec![first];
            while batch.len() < MAX_GROUP {
                match queue.try_recv() {
                    Ok(job) => batch.push(job),
                    Err(_) => break,
                }
            }
            let now = (self.clock)();
            let results = {
                let mut center = lock(&self.center);
                let uploads: Vec<Upload<'_>> = batch
                    .iter()
                    .map(|j| Upload { bytes: &j.bytes, expected_kiosk: Some(&j.kiosk), contact_head: Some(j.head) })
                    .collect();
                let outcome = std::panic::catch_unwind(AssertUnwindSafe(|| {
                    center.with_write_lock(|c| c.ingest_group(&uploads, now))
                }));
                let results = if let Ok(locked) = outcome {
                    match locked {
                        Ok((results, _)) => results,
                        Err(e) => batch
                            .iter()
                            .map(|_| Err(IngestError::Store(crate::store::StoreError::Db(e.to_string()))))
                            .collect(),
                    }
                } else {
                    recover(&mut center, &self.health, "ingesting");
                    batch
                        .iter()
                        .map(|_| Err(IngestError::Internal("ingest failed; nothing was stored".into())))
                        .collect()
                };
                // Only the uploading kiosks' keys and heads can have changed.
                let mut auth = self.auth.write().unwrap_or_else(PoisonError::into_inner);
                for job in &batch {
                    if let Some(fresh) = center.kiosk_auth_of(&job.kiosk) {
                        auth.insert(job.kiosk.clone(), fresh);
                    }
                }
                drop(auth);
                refresh_counters(&center, &self.health);
                results
            };
            for (job, result) in batch.into_iter().zip(results) {
                let _ = job.reply.send(result.map(|ingested| ingested.ack_bytes));
            }
        }
    }
}

impl<S: CenterStore> Clone for App<S> {
    fn clone(&self) -> Self {
        App {
            center: Arc::clone(&self.center),
            clock: Arc::clone(&self.clock),
            limits: self.limits.clone(),
            jobs: self.jobs.clone(),
            auth: Arc::clone(&self.auth),
            nonces: self.nonces.clone(),
            uploads: Arc::clone(&self.uploads),
            health: Arc::clone(&self.health),
            center_key: self.center_key.clone(),
            throttle: Arc::clone(&self.throttle),
            staff: self.staff.clone(),
            shared_store: self.shared_store,
            notifications: self.notifications.clone(),
            parents: self.parents.clone(),
            portal: self.portal.clone(),
        }
    }
}

impl<S: CenterStore> std::fmt::Debug for App<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("App")
    }
}

/// A JSON error answer.
pub fn error(status: StatusCode, code: &str, message: &str) -> Response {
    (status, [(header::CONTENT_TYPE, JSON)], ErrorBody::new(code, message).to_json()).into_response()
}

fn busy(retry_after: u32, why: &str) -> Response {
    let mut response = error(StatusCode::SERVICE_UNAVAILABLE, "BUSY", why);
    response.headers_mut().insert(header::RETRY_AFTER, retry_after.into());
    response
}

fn internal() -> Response {
    error(StatusCode::INTERNAL_SERVER_ERROR, "INTERNAL", "the center could not answer this request")
}

fn unauthenticated(why: &str) -> Response {
    error(StatusCode::UNAUTHORIZED, "UNAUTHENTICATED", why)
}

fn octets(bytes: Vec<u8>) -> Response {
    (StatusCode::OK, [(header::CONTENT_TYPE, OCTET_STREAM)], bytes).into_response()
}

fn ingest_error(e: &IngestError) -> Response {
    let status = match e {
        IngestError::BadBundle(_) | IngestError::KioskMismatch { .. } => StatusCode::BAD_REQUEST,
        IngestError::Unauthenticated { .. } => StatusCode::UNAUTHORIZED,
        IngestError::UnknownKiosk(_) | IngestError::RevokedKiosk(_) => StatusCode::FORBIDDEN,
        IngestError::Store(_) | IngestError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
    };
    error(status, e.code(), &e.to_string())
}

fn center_error(e: &CenterError) -> Response {
    crate::staff_api::center_failure(e, rules::Lang::En)
}

/// Runs `f` on the center in a blocking thread; a panic in it is caught and the state rebuilt.
pub(crate) async fn with_center<S, T, F>(app: &App<S>, f: F) -> Result<T, Response>
where
    S: CenterStore + 'static,
    T: Send + 'static,
    F: FnOnce(&mut Center<S>, Instant) -> T + Send + 'static,
{
    let center = Arc::clone(&app.center);
    let health = Arc::clone(&app.health);
    let auth = Arc::clone(&app.auth);
    let now = (app.clock)();
    tokio::task::spawn_blocking(move || {
        let mut guard = lock(&center);
        // As the only writer among servers sharing the store, after catching up with them.
        match std::panic::catch_unwind(AssertUnwindSafe(|| guard.with_write_lock(|c| f(c, now)))) {
            Ok(Ok((value, changed))) => {
                if changed {
                    *auth.write().unwrap_or_else(PoisonError::into_inner) = guard.kiosk_auth();
                    refresh_counters(&guard, &health);
                }
                Ok(value)
            }
            Ok(Err(e)) => Err(error(StatusCode::SERVICE_UNAVAILABLE, e.code(), &e.to_string())),
            Err(_) => {
                recover(&mut guard, &health, "answering a request");
                Err(internal())
            }
        }
    })
    .await
    .map_err(|_| internal())?
}

/// A path segment that is not UTF-8 once percent-decoded: a JSON error like the others.
fn bad_path(rejection: &PathRejection) -> Response {
    error(StatusCode::BAD_REQUEST, "BAD_PATH", &rejection.body_text())
}

fn header_text<'a>(headers: &'a HeaderMap, name: &'static str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// The signed-request headers, well formed.
fn signed_request(headers: &HeaderMap) -> Result<SignedRequest, Response> {
    let missing = |name: &str| unauthenticated(&format!("header {name} is missing or malformed"));
    let kiosk = header_text(headers, HEADER_KIOSK).ok_or_else(|| missing(HEADER_KIOSK))?;
    let nonce = header_text(headers, HEADER_NONCE)
        .filter(|n| n.len() == 2 * changelog::request::NONCE_BYTES)
        .ok_or_else(|| missing(HEADER_NONCE))?;
    let head =
        header_text(headers, HEADER_HEAD).and_then(|h| h.parse::<u64>().ok()).ok_or_else(|| missing(HEADER_HEAD))?;
    let signature =
        header_text(headers, HEADER_SIGNATURE).filter(|s| s.len() == 128).ok_or_else(|| missing(HEADER_SIGNATURE))?;
    let rotation = match headers.get(HEADER_ROTATION) {
        None => None,
        Some(v) => Some(v.to_str().map_err(|_| missing(HEADER_ROTATION))?.to_owned()),
    };
    Ok(SignedRequest {
        kiosk: kiosk.to_owned(),
        nonce: nonce.to_owned(),
        head,
        signature: signature.to_owned(),
        rotation,
    })
}

/// The registered, unrevoked kiosk a request claims to come from.
fn known_kiosk<S: CenterStore>(app: &App<S>, kiosk: &str) -> Result<KioskAuth, Response> {
    let auth = app.auth.read().unwrap_or_else(PoisonError::into_inner);
    match auth.get(kiosk) {
        None => Err(error(StatusCode::FORBIDDEN, "UNKNOWN_KIOSK", &format!("kiosk {kiosk} is not registered"))),
        Some(k) if k.revoked => {
            Err(error(StatusCode::FORBIDDEN, "REVOKED_KIOSK", &format!("kiosk {kiosk} is revoked")))
        }
        Some(k) => Ok(k.clone()),
    }
}

/// Checks a signed request: a nonce this server issued to the kiosk and not yet spent, and
/// a signature by the kiosk's key (following key rotations the request carries).
async fn authenticate<S: CenterStore>(
    app: &App<S>,
    method: &str,
    path: &str,
    request: &SignedRequest,
    body: &[u8],
) -> Result<KioskAuth, Response> {
    let kiosk = known_kiosk(app, &request.kiosk)?;
    if !app.nonces.spend(&request.kiosk, &request.nonce).await {
        return Err(unauthenticated("the nonce is unknown, spent or expired: ask for a new challenge"));
    }
    let mut key: VerifyingKey = kiosk.key;
    if verify_request(&key, method, path, request, body).is_err() {
        let Some(rotation) = &request.rotation else {
            return Err(unauthenticated("the request signature does not verify against the kiosk's key"));
        };
        key =
            follow_rotations(rotation, &request.kiosk, kiosk.head, key).map_err(|e| unauthenticated(&e.to_string()))?;
        verify_request(&key, method, path, request, body).map_err(|e| unauthenticated(&e.to_string()))?;
    }
    Ok(kiosk)
}

/// Reads a body within the size and time limits.
pub(crate) async fn read_limited(body: Body, limits: &Limits) -> Result<Bytes, Response> {
    use http_body_util::BodyExt;
    let limited = http_body_util::Limited::new(body, limits.max_body_bytes);
    match tokio::time::timeout(limits.body_timeout, limited.collect()).await {
        Err(_) => Err(error(
            StatusCode::REQUEST_TIMEOUT,
            "BODY_TIMEOUT",
            &format!("the body did not arrive within {} s", limits.body_timeout.as_secs()),
        )),
        Ok(Err(e)) if e.downcast_ref::<http_body_util::LengthLimitError>().is_some() => Err(error(
            StatusCode::PAYLOAD_TOO_LARGE,
            "PAYLOAD_TOO_LARGE",
            &format!("the body is larger than {} bytes", limits.max_body_bytes),
        )),
        Ok(Err(e)) => Err(error(StatusCode::BAD_REQUEST, "BAD_BODY", &e.to_string())),
        Ok(Ok(collected)) => Ok(collected.to_bytes()),
    }
}

/// Answers `response` after discarding the request's body (at most the body limit, within
/// the body timeout, nothing kept): a client that sends its whole body before it reads the
/// answer (most do) then gets the refusal rather than a broken connection, and a refused
/// kiosk learns why instead of retrying as if the center were unreachable.
async fn refuse_after_draining(body: Body, limits: &Limits, response: Response) -> Response {
    use http_body_util::BodyExt;
    let mut body = body;
    let mut seen = 0usize;
    let drain = async {
        while let Some(Ok(frame)) = body.frame().await {
            seen += frame.data_ref().map_or(0, Bytes::len);
            if seen > limits.max_body_bytes {
                break;
            }
        }
    };
    let _ = tokio::time::timeout(limits.body_timeout, drain).await;
    response
}

async fn challenge<S: CenterStore + 'static>(
    State(app): State<App<S>>,
    id: Result<Path<String>, PathRejection>,
) -> Response {
    let Path(id) = match id {
        Ok(id) => id,
        Err(rejection) => return bad_path(&rejection),
    };
    if known_kiosk(&app, &id).is_err() && app.shared_store {
        // Registered a moment ago, perhaps by another server sharing the store.
        let _ = with_center(&app, |_, _| ()).await;
    }
    if let Err(response) = known_kiosk(&app, &id) {
        return response;
    }
    let Ok(nonce) = changelog::request::new_nonce() else { return internal() };
    if !app.nonces.issue(&id, &nonce).await {
        return error(
            StatusCode::SERVICE_UNAVAILABLE,
            "BUSY",
            "the challenge could not be recorded; try again shortly",
        );
    }
    (StatusCode::OK, [(header::CONTENT_TYPE, JSON)], ChallengeBody { nonce }.to_json()).into_response()
}

async fn events<S: CenterStore + 'static>(
    State(app): State<App<S>>,
    id: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let Path(id) = match id {
        Ok(id) => id,
        Err(rejection) => return bad_path(&rejection),
    };
    let content_type = header_text(&headers, header::CONTENT_TYPE.as_str()).unwrap_or("");
    let essence = content_type.split(';').next().unwrap_or("").trim();
    if !essence.eq_ignore_ascii_case(OCTET_STREAM) {
        let refusal = error(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "UNSUPPORTED_MEDIA_TYPE",
            &format!("expected {OCTET_STREAM}, got {content_type:?}"),
        );
        return refuse_after_draining(body, &app.limits, refusal).await;
    }
    let request = match signed_request(&headers) {
        Ok(r) if r.kiosk == id => r,
        Ok(_) => {
            let refusal = unauthenticated("the signed kiosk id is not the path's");
            return refuse_after_draining(body, &app.limits, refusal).await;
        }
        Err(response) => return refuse_after_draining(body, &app.limits, response).await,
    };
    if let Err(response) = known_kiosk(&app, &id) {
        return refuse_after_draining(body, &app.limits, response).await;
    }
    let Ok(_permit) = Arc::clone(&app.uploads).try_acquire_owned() else {
        return busy(app.limits.retry_after_secs, "too many uploads at once; try again shortly");
    };
    let bytes = match read_limited(body, &app.limits).await {
        Ok(bytes) => bytes,
        Err(response) => return response,
    };
    let path = changelog::request::path(EVENTS_ROUTE, &id);
    if let Err(response) = authenticate(&app, "POST", &path, &request, &bytes).await {
        return response;
    }
    let (reply, answer) = tokio::sync::oneshot::channel();
    match app.jobs.try_send(Job { bytes, kiosk: id, head: request.head, reply }) {
        Ok(()) => {}
        Err(std::sync::mpsc::TrySendError::Full(_)) => {
            return busy(app.limits.retry_after_secs, "the ingest queue is full; try again shortly");
        }
        Err(std::sync::mpsc::TrySendError::Disconnected(_)) => return internal(),
    }
    match answer.await {
        Ok(Ok(ack)) => octets(ack),
        Ok(Err(e)) => ingest_error(&e),
        Err(_) => internal(),
    }
}

async fn ack<S: CenterStore + 'static>(
    State(app): State<App<S>>,
    id: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
) -> Response {
    let Path(id) = match id {
        Ok(id) => id,
        Err(rejection) => return bad_path(&rejection),
    };
    let request = match signed_request(&headers) {
        Ok(r) if r.kiosk == id => r,
        Ok(_) => return unauthenticated("the signed kiosk id is not the path's"),
        Err(response) => return response,
    };
    if let Err(response) = authenticate(&app, "GET", &changelog::request::path(ACK_ROUTE, &id), &request, &[]).await {
        return response;
    }
    let head = request.head;
    match with_center(&app, move |center, now| center.ack_to_kiosk(&id, now, head)).await {
        Ok(Ok(bytes)) => octets(bytes),
        Ok(Err(e)) => center_error(&e),
        Err(response) => response,
    }
}

async fn snapshot<S: CenterStore + 'static>(
    State(app): State<App<S>>,
    code: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
) -> Response {
    let Path(code) = match code {
        Ok(code) => code,
        Err(rejection) => return bad_path(&rejection),
    };
    let request = match signed_request(&headers) {
        Ok(r) => r,
        Err(response) => return response,
    };
    let path = changelog::request::path(SNAPSHOT_ROUTE, &code);
    let kiosk = match authenticate(&app, "GET", &path, &request, &[]).await {
        Ok(kiosk) => kiosk,
        Err(response) => return response,
    };
    if !kiosk.districts.contains(&code) {
        return error(
            StatusCode::FORBIDDEN,
            "OUT_OF_DISTRICT",
            &format!("kiosk {} does not serve district {code}", request.kiosk),
        );
    }
    let (id, head) = (request.kiosk, request.head);
    match with_center(&app, move |center, now| center.snapshot_to_kiosk(&id, &code, now, head)).await {
        Ok(Ok(bytes)) => octets(bytes),
        Ok(Err(e)) => center_error(&e),
        Err(response) => response,
    }
}

/// The district's public queue (no personal data), signed and chained: anyone may read it.
async fn public_queue<S: CenterStore + 'static>(
    State(app): State<App<S>>,
    code: Result<Path<String>, PathRejection>,
) -> Response {
    let Path(code) = match code {
        Ok(code) => code,
        Err(rejection) => return bad_path(&rejection),
    };
    match with_center(&app, move |center, now| center.public_queue(&code, now)).await {
        Ok(Ok(bytes)) => octets(bytes),
        Ok(Err(e)) => center_error(&e),
        Err(response) => response,
    }
}

async fn health<S: CenterStore + 'static>(State(app): State<App<S>>) -> Response {
    let value = serde_json::json!({
        "status": "ok",
        "time": (app.clock)(),
        "centerKey": app.center_key,
        "kiosks": app.health.kiosks.load(Ordering::Relaxed),
        "applications": app.health.applications.load(Ordering::Relaxed),
        "connections": app.health.connections.load(Ordering::Relaxed),
        "caughtPanics": app.health.caught_panics.load(Ordering::Relaxed),
    });
    (StatusCode::OK, [(header::CONTENT_TYPE, JSON)], value.to_string()).into_response()
}

async fn not_found() -> Response {
    error(StatusCode::NOT_FOUND, "NOT_FOUND", "no such resource")
}

async fn method_not_allowed() -> Response {
    error(StatusCode::METHOD_NOT_ALLOWED, "METHOD_NOT_ALLOWED", "this resource does not take that method")
}

/// The router over a center.
pub fn router<S: CenterStore + 'static>(app: App<S>) -> Router {
    let timeout = app.limits.request_timeout;
    Router::new()
        .route(CHALLENGE_ROUTE, post(challenge::<S>))
        .route(EVENTS_ROUTE, post(events::<S>))
        .route(ACK_ROUTE, get(ack::<S>))
        .route(SNAPSHOT_ROUTE, get(snapshot::<S>))
        .route(HEALTH_ROUTE, get(health::<S>))
        .route(PUBLIC_QUEUE_ROUTE, get(public_queue::<S>))
        .merge(crate::staff_api::routes::<S>())
        .merge(crate::console::routes::<S>())
        .merge(crate::parents::api::routes::<S>())
        .merge(crate::portal_files::routes::<S>())
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(axum::middleware::from_fn(move |request, next: axum::middleware::Next| async move {
            match tokio::time::timeout(timeout, next.run(request)).await {
                Ok(response) => response,
                Err(_) => error(StatusCode::SERVICE_UNAVAILABLE, "TIMEOUT", "the request took too long"),
            }
        }))
        .with_state(app)
}

/// Serves until `shutdown` resolves: HTTP/1.1 with the [`Limits`] of `app`, plain HTTP.
pub async fn serve<S: CenterStore + 'static>(
    listener: tokio::net::TcpListener,
    app: App<S>,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    serve_with(listener, app, None, shutdown).await
}

/// [`serve`], over TLS when `tls` is given ([`crate::tls::acceptor`]).
///
/// The TLS handshake runs in the connection's own task and must end within
/// [`Limits::header_timeout`]: a client that stalls its handshake holds one connection slot
/// (of [`Limits::max_connections`]) until then, never the accept loop or other clients. A
/// connection whose handshake fails (a plain-HTTP request, a client refusing the
/// certificate) is closed without an answer.
pub async fn serve_with<S: CenterStore + 'static>(
    listener: tokio::net::TcpListener,
    app: App<S>,
    tls: Option<crate::tls::TlsAcceptor>,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    use hyper_util::rt::{TokioIo, TokioTimer};
    use hyper_util::service::TowerToHyperService;

    let limits = app.limits.clone();
    let health = Arc::clone(&app.health);
    let router = router(app);
    let slots = Arc::new(tokio::sync::Semaphore::new(limits.max_connections.max(1)));
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder.timer(TokioTimer::new()).header_read_timeout(limits.header_timeout).max_buf_size(64 * 1024);
    let builder = Arc::new(builder);
    let handshake_timeout = limits.header_timeout;
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            () = &mut shutdown => return Ok(()),
            accepted = listener.accept() => if let Ok(pair) = accepted {
                pair
            } else {
                // Out of descriptors or a connection reset before accept: wait a moment, go on.
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            },
        };
        // Over the connection limit: close at once rather than hold a descriptor.
        let Ok(slot) = Arc::clone(&slots).try_acquire_owned() else {
            drop(stream);
            continue;
        };
        let _ = stream.set_nodelay(true);
        // The client's address, for the handlers that need it (sign-in throttling).
        let service = TowerToHyperService::new(tower::ServiceExt::map_request(
            router.clone(),
            move |mut request: axum::http::Request<hyper::body::Incoming>| {
                request.extensions_mut().insert(axum::extract::ConnectInfo(peer));
                request
            },
        ));
        let builder = Arc::clone(&builder);
        let health = Arc::clone(&health);
        let tls = tls.clone();
        tokio::spawn(async move {
            health.connections.fetch_add(1, Ordering::Relaxed);
            match tls {
                None => {
                    let _ = builder.serve_connection(TokioIo::new(stream), service).await;
                }
                Some(acceptor) => {
                    if let Ok(Ok(stream)) = tokio::time::timeout(handshake_timeout, acceptor.accept(stream)).await {
                        let _ = builder.serve_connection(TokioIo::new(stream), service).await;
                    }
                }
            }
            health.connections.fetch_sub(1, Ordering::Relaxed);
            drop(slot);
        });
    }
}

/// A server on its own thread (tests, embedding); stops when dropped.
#[derive(Debug)]
pub struct ServerHandle {
    pub addr: SocketAddr,
    scheme: &'static str,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl ServerHandle {
    /// The base URL, e.g. `http://127.0.0.1:41234` (`https://` from [`spawn_tls`]).
    pub fn url(&self) -> String {
        format!("{}://{}", self.scheme, self.addr)
    }
}

impl Drop for ServerHandle {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Binds `addr` (port 0 for an ephemeral one) and serves plain HTTP on a background thread.
pub fn spawn<S: CenterStore + 'static>(addr: &str, app: App<S>) -> std::io::Result<ServerHandle> {
    spawn_with(addr, app, None)
}

/// [`spawn`] over TLS.
pub fn spawn_tls<S: CenterStore + 'static>(
    addr: &str,
    app: App<S>,
    tls: crate::tls::TlsAcceptor,
) -> std::io::Result<ServerHandle> {
    spawn_with(addr, app, Some(tls))
}

fn spawn_with<S: CenterStore + 'static>(
    addr: &str,
    app: App<S>,
    tls: Option<crate::tls::TlsAcceptor>,
) -> std::io::Result<ServerHandle> {
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    let listener = runtime.block_on(tokio::net::TcpListener::bind(addr))?;
    let addr = listener.local_addr()?;
    let scheme = if tls.is_some() { "https" } else { "http" };
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let thread = std::thread::spawn(move || {
        let _ = runtime.block_on(serve_with(listener, app, tls, async {
            let _ = stopped.await;
        }));
        // Connections still open are dropped with the runtime.
        runtime.shutdown_timeout(Duration::from_secs(1));
    });
    Ok(ServerHandle { addr, scheme, stop: Some(stop), thread: Some(thread) })
}
