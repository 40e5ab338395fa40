//! `serve`: the HTTP server on the data folder (its body is the one `main.rs` had).

use std::path::Path;
use std::sync::Arc;

use center::Center;

use super::Failure;
use super::args::ServeArgs;
use super::fail;

/// Serves the HTTP API until Ctrl-C or SIGTERM; `open` opens the data folder.
pub fn serve(data: &Path, open: impl FnOnce() -> Result<Center, Failure>, args: ServeArgs) -> Result<(), Failure> {
    let ServeArgs { listen, max_connections, header_timeout_secs, body_timeout_secs, max_uploads } = args;
    let center = open()?;
    let fingerprint = changelog::fingerprint(&center.public_key());
    let limits = center::http::Limits {
        max_connections,
        header_timeout: std::time::Duration::from_secs(header_timeout_secs.max(1)),
        body_timeout: std::time::Duration::from_secs(body_timeout_secs.max(1)),
        max_uploads,
        ..center::http::Limits::default()
    };
    let schedule = center::scheduler::Schedule::load(data)?;
    let options = center::http::ServerOptions { limits, schedule: Some(schedule), ..Default::default() };
    let app = center::http::App::with_options(center, Arc::new(center::now), options);
    let runtime =
        tokio::runtime::Builder::new_multi_thread().enable_all().build().map_err(|e| fail("IO", e.to_string()))?;
    runtime.block_on(async move {
        let listener =
            tokio::net::TcpListener::bind(&listen).await.map_err(|e| fail("IO", format!("{listen}: {e}")))?;
        let addr = listener.local_addr().map_err(|e| fail("IO", e.to_string()))?;
        eprintln!("kezek-center listening on http://{addr} (center key {fingerprint})");
        center::http::serve(listener, app, shutdown_signal()).await.map_err(|e| fail("IO", e.to_string()))
    })?;
    Ok(())
}

/// Ctrl-C or SIGTERM (service managers) stop the server after in-flight requests.
async fn shutdown_signal() {
    #[cfg(unix)]
    {
        let Ok(mut term) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) else {
            let _ = tokio::signal::ctrl_c().await;
            return;
        };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
