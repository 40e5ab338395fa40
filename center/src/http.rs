//! The center's HTTP API (axum).
//!
//! | method and path | body | answer |
//! |---|---|---|
//! | `POST /v1/kiosks/{id}/events` | a change-log bundle, `application/octet-stream` | the signed [`Ack`](changelog::sync::Ack) (`application/octet-stream`) |
//! | `GET /v1/kiosks/{id}/ack` | | the latest signed ack |
//! | `GET /v1/districts/{code}/snapshot` | | the signed [`Snapshot`](changelog::sync::Snapshot) |
//! | `GET /v1/health` | | `{"status":"ok",…}` |
//!
//! Errors are JSON `{"error":{"code":…,"message":…}}`: 400 unreadable bundle, a bundle of
//! another kiosk or a path segment that is not UTF-8 (`BAD_PATH`), 401 first entry does not
//! verify, 403 unknown or revoked kiosk, 404, 405 wrong method, 413 body over
//! [`MAX_BODY_BYTES`], 415 wrong content type, 500 store failure.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, PathRejection};
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use rules::Instant;

use crate::center::{Center, CenterError, IngestError};
use crate::store::{CenterStore, SledStore};

/// Largest upload accepted.
pub const MAX_BODY_BYTES: usize = 16 * 1024 * 1024;
/// The bundle content type.
pub const OCTET_STREAM: &str = "application/octet-stream";

/// The center's clock (tests inject a fixed one).
pub type Clock = Arc<dyn Fn() -> Instant + Send + Sync>;

/// Most uploads committed together by the ingest worker.
pub const MAX_GROUP: usize = 64;

/// Shared server state. Uploads go to one ingest worker thread, which drains whatever is
/// queued and stores it with one durable commit (group commit) before answering each.
pub struct App<S: CenterStore = SledStore> {
    pub center: Arc<Mutex<Center<S>>>,
    pub clock: Clock,
    jobs: std::sync::mpsc::Sender<Job>,
}

struct Job {
    bytes: Bytes,
    kiosk: String,
    reply: tokio::sync::oneshot::Sender<Result<Vec<u8>, IngestError>>,
}

impl<S: CenterStore + 'static> App<S> {
    /// The state and its ingest worker thread (which ends when the last `App` clone is dropped).
    pub fn new(center: Center<S>, clock: Clock) -> Self {
        let center = Arc::new(Mutex::new(center));
        let (jobs, queue) = std::sync::mpsc::channel::<Job>();
        let worker_center = Arc::clone(&center);
        let worker_clock = Arc::clone(&clock);
        std::thread::spawn(move || ingest_worker(&worker_center, &worker_clock, &queue));
        App { center, clock, jobs }
    }
}

fn ingest_worker<S: CenterStore>(center: &Mutex<Center<S>>, clock: &Clock, queue: &std::sync::mpsc::Receiver<Job>) {
    while let Ok(first) = queue.recv() {
        let mut batch = vec![first];
        while batch.len() < MAX_GROUP {
            match queue.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        let now = clock();
        let results = {
            let Ok(mut guard) = center.lock() else { return };
            let uploads: Vec<(&[u8], Option<&str>)> =
                batch.iter().map(|j| (&j.bytes[..], Some(j.kiosk.as_str()))).collect();
            guard.ingest_group(&uploads, now)
        };
        for (job, result) in batch.into_iter().zip(results) {
            let _ = job.reply.send(result.map(|ingested| ingested.ack_bytes));
        }
    }
}

impl<S: CenterStore> Clone for App<S> {
    fn clone(&self) -> Self {
        App { center: Arc::clone(&self.center), clock: Arc::clone(&self.clock), jobs: self.jobs.clone() }
    }
}

impl<S: CenterStore> std::fmt::Debug for App<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("App")
    }
}

/// A JSON error answer.
pub fn error(status: StatusCode, code: &str, message: &str) -> Response {
    let body = serde_json::json!({ "error": { "code": code, "message": message } });
    (status, [(header::CONTENT_TYPE, "application/json")], body.to_string()).into_response()
}

fn octets(bytes: Vec<u8>) -> Response {
    (StatusCode::OK, [(header::CONTENT_TYPE, OCTET_STREAM)], bytes).into_response()
}

fn ingest_error(e: &IngestError) -> Response {
    let status = match e {
        IngestError::BadBundle(_) | IngestError::KioskMismatch { .. } => StatusCode::BAD_REQUEST,
        IngestError::Unauthenticated { .. } => StatusCode::UNAUTHORIZED,
        IngestError::UnknownKiosk(_) | IngestError::RevokedKiosk(_) => StatusCode::FORBIDDEN,
        IngestError::Store(_) => StatusCode::INTERNAL_SERVER_ERROR,
    };
    error(status, e.code(), &e.to_string())
}

fn center_error(e: &CenterError) -> Response {
    let status = match e {
        CenterError::UnknownKiosk(_) | CenterError::UnknownDistrict(_) | CenterError::NotFound(_) => {
            StatusCode::NOT_FOUND
        }
        CenterError::Invalid(_) | CenterError::Rules { .. } => StatusCode::BAD_REQUEST,
        CenterError::Unauthorized(_) => StatusCode::FORBIDDEN,
        CenterError::Store(_) | CenterError::Setup(_) | CenterError::Key(_) => StatusCode::INTERNAL_SERVER_ERROR,
    };
    error(status, e.code(), &e.to_string())
}

fn busy() -> Response {
    error(StatusCode::INTERNAL_SERVER_ERROR, "INTERNAL", "the center's state is unavailable")
}

/// Runs `f` on the center in a blocking thread.
#[allow(clippy::result_large_err)]
async fn with_center<S, T, F>(app: &App<S>, f: F) -> Result<T, Response>
where
    S: CenterStore + 'static,
    T: Send + 'static,
    F: FnOnce(&mut Center<S>, Instant) -> T + Send + 'static,
{
    let center = Arc::clone(&app.center);
    let now = (app.clock)();
    tokio::task::spawn_blocking(move || {
        let mut guard = center.lock().map_err(|_| busy())?;
        Ok(f(&mut guard, now))
    })
    .await
    .map_err(|_| busy())?
}

/// A path segment that is not UTF-8 once percent-decoded: a JSON error like the others.
fn bad_path(rejection: &PathRejection) -> Response {
    error(StatusCode::BAD_REQUEST, "BAD_PATH", &rejection.body_text())
}

async fn events<S: CenterStore + 'static>(
    State(app): State<App<S>>,
    id: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let Path(id) = match id {
        Ok(id) => id,
        Err(rejection) => return bad_path(&rejection),
    };
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    let essence = content_type.split(';').next().unwrap_or("").trim();
    if !essence.eq_ignore_ascii_case(OCTET_STREAM) {
        return error(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "UNSUPPORTED_MEDIA_TYPE",
            &format!("expected {OCTET_STREAM}, got {content_type:?}"),
        );
    }
    let body = match body {
        Ok(body) => body,
        Err(rejection) => {
            let status = rejection.status();
            let code = if status == StatusCode::PAYLOAD_TOO_LARGE { "PAYLOAD_TOO_LARGE" } else { "BAD_BODY" };
            return error(status, code, &rejection.body_text());
        }
    };
    let (reply, answer) = tokio::sync::oneshot::channel();
    if app.jobs.send(Job { bytes: body, kiosk: id, reply }).is_err() {
        return busy();
    }
    match answer.await {
        Ok(Ok(ack)) => octets(ack),
        Ok(Err(e)) => ingest_error(&e),
        Err(_) => busy(),
    }
}

#[allow(clippy::result_large_err)]
async fn ack<S: CenterStore + 'static>(State(app): State<App<S>>, id: Result<Path<String>, PathRejection>) -> Response {
    let Path(id) = match id {
        Ok(id) => id,
        Err(rejection) => return bad_path(&rejection),
    };
    let result = with_center(&app, move |center, now| {
        if center.kiosks().iter().any(|k| k.id == id && k.revoked_at.is_some()) {
            return Err(error(StatusCode::FORBIDDEN, "REVOKED_KIOSK", &format!("kiosk {id} is revoked")));
        }
        center.ack(&id, now).map(|(_, bytes)| bytes).map_err(|e| center_error(&e))
    })
    .await;
    match result {
        Ok(Ok(bytes)) => octets(bytes),
        Ok(Err(response)) | Err(response) => response,
    }
}

async fn snapshot<S: CenterStore + 'static>(
    State(app): State<App<S>>,
    code: Result<Path<String>, PathRejection>,
) -> Response {
    let Path(code) = match code {
        Ok(code) => code,
        Err(rejection) => return bad_path(&rejection),
    };
    match with_center(&app, move |center, now| center.snapshot(&code, now).map(|(_, b)| b)).await {
        Ok(Ok(bytes)) => octets(bytes),
        Ok(Err(e)) => center_error(&e),
        Err(response) => response,
    }
}

async fn health<S: CenterStore + 'static>(State(app): State<App<S>>) -> Response {
    let result = with_center(&app, |center, now| {
        serde_json::json!({
            "status": "ok",
            "time": now,
            "centerKey": changelog::fingerprint(&center.public_key()),
            "kiosks": center.kiosks().len(),
            "applications": center.state().applications().count(),
        })
    })
    .await;
    match result {
        Ok(value) => (StatusCode::OK, [(header::CONTENT_TYPE, "application/json")], value.to_string()).into_response(),
        Err(response) => response,
    }
}

async fn not_found() -> Response {
    error(StatusCode::NOT_FOUND, "NOT_FOUND", "no such resource")
}

async fn method_not_allowed() -> Response {
    error(StatusCode::METHOD_NOT_ALLOWED, "METHOD_NOT_ALLOWED", "this resource does not take that method")
}

/// The router over a center.
pub fn router<S: CenterStore + 'static>(app: App<S>) -> Router {
    Router::new()
        .route("/v1/kiosks/{id}/events", post(events::<S>))
        .route("/v1/kiosks/{id}/ack", get(ack::<S>))
        .route("/v1/districts/{code}/snapshot", get(snapshot::<S>))
        .route("/v1/health", get(health::<S>))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(app)
}

/// Serves until `shutdown` resolves.
pub async fn serve<S: CenterStore + 'static>(
    listener: tokio::net::TcpListener,
    app: App<S>,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router(app)).with_graceful_shutdown(shutdown).await
}

/// A server on its own thread (tests, embedding); stops when dropped.
#[derive(Debug)]
pub struct ServerHandle {
    pub addr: SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl ServerHandle {
    /// The base URL, e.g. `http://127.0.0.1:41234`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
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

/// Binds `addr` (port 0 for an ephemeral one) and serves on a background thread.
pub fn spawn<S: CenterStore + 'static>(addr: &str, app: App<S>) -> std::io::Result<ServerHandle> {
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    let listener = runtime.block_on(tokio::net::TcpListener::bind(addr))?;
    let addr = listener.local_addr()?;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let thread = std::thread::spawn(move || {
        let _ = runtime.block_on(serve(listener, app, async {
            let _ = stopped.await;
        }));
    });
    Ok(ServerHandle { addr, stop: Some(stop), thread: Some(thread) })
}
