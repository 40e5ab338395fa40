//! The connection loop and its bounds: connections, header and body timeouts, body size.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::http::StatusCode;
use axum::response::Response;

use super::{App, error, router};
use crate::store::CenterStore;

/// Largest upload accepted.
pub const MAX_BODY_BYTES: usize = 16 * 1024 * 1024;

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
pub(super) async fn refuse_after_draining(body: Body, limits: &Limits, response: Response) -> Response {
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
