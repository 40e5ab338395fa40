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

mod background;
mod kiosk_routes;
mod server;

use std::collections::HashMap;
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::Duration;

use axum::Router;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use changelog::request::{ErrorBody, JSON};
use rules::Instant;

use crate::any_store::AnyStore;
use crate::nonces::NonceBook;
use crate::notify::Notifications;
use crate::scheduler::Schedule;
use crate::service::{Center, KioskAuth};
use crate::staff_api::StaffOptions;
use crate::store::CenterStore;
use crate::throttle::LoginThrottle;
use background::{Job, Worker, run_schedule};

pub use crate::nonces::{NONCE_LIFETIME, NONCES_PER_KIOSK};
pub use changelog::request::OCTET_STREAM;
pub use kiosk_routes::PUBLIC_QUEUE_ROUTE;
pub(crate) use server::read_limited;
pub use server::{Limits, MAX_BODY_BYTES, ServerHandle, serve, serve_with, spawn, spawn_tls};

/// The center's clock (tests inject a fixed one).
pub type Clock = Arc<dyn Fn() -> Instant + Send + Sync>;

/// Most uploads committed together by the ingest worker.
pub const MAX_GROUP: usize = 64;

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
        if options.schedule.is_some() || app.notifications.is_some() {
            let poll = options.scheduler_poll.unwrap_or(Duration::from_secs(15));
            let file = options.schedule_folder.as_deref().map(crate::scheduler::ScheduleFile::in_folder);
            background::start_scheduler(&app, options.schedule, file, poll);
        }
        app
    }

    fn build(center: Center<S>, clock: Clock, limits: Limits, staff: StaffOptions) -> Self {
        let auth = Arc::new(RwLock::new(center.kiosk_auth()));
        let health = Arc::new(Health::default());
        let center_key = changelog::fingerprint(&center.public_key());
        let shared_store = center.store_shared();
        let nonce_book = center.shared_store_url().map_or_else(NonceBook::memory, NonceBook::shared);
        let throttle = center.shared_store_url().map_or_else(LoginThrottle::memory, LoginThrottle::shared);
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
            throttle: Arc::new(throttle),
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

/// The router over a center.
pub fn router<S: CenterStore + 'static>(app: App<S>) -> Router {
    let timeout = app.limits.request_timeout;
    Router::new()
        .merge(kiosk_routes::routes::<S>())
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

async fn not_found() -> Response {
    error(StatusCode::NOT_FOUND, "NOT_FOUND", "no such resource")
}

async fn method_not_allowed() -> Response {
    error(StatusCode::METHOD_NOT_ALLOWED, "METHOD_NOT_ALLOWED", "this resource does not take that method")
}

/// A JSON error answer.
pub fn error(status: StatusCode, code: &str, message: &str) -> Response {
    (status, [(header::CONTENT_TYPE, JSON)], ErrorBody::new(code, message).to_json()).into_response()
}

/// A binary answer (a signed ack, snapshot or public queue).
pub(crate) fn octets(bytes: Vec<u8>) -> Response {
    (StatusCode::OK, [(header::CONTENT_TYPE, OCTET_STREAM)], bytes).into_response()
}

fn busy(retry_after: u32, why: &str) -> Response {
    let mut response = error(StatusCode::SERVICE_UNAVAILABLE, "BUSY", why);
    response.headers_mut().insert(header::RETRY_AFTER, retry_after.into());
    response
}

fn internal() -> Response {
    error(StatusCode::INTERNAL_SERVER_ERROR, "INTERNAL", "the center could not answer this request")
}
