//! `serve`: the HTTP server on the data folder (its body is the one `main.rs` had).

use std::path::Path;
use std::sync::Arc;

use center::Center;

use super::Failure;
use super::args::{NotifierKind, ServeArgs};
use super::fail;

/// Serves the HTTP API until Ctrl-C or SIGTERM; `open` opens the data folder.
pub fn serve(data: &Path, open: impl FnOnce() -> Result<Center, Failure>, args: ServeArgs) -> Result<(), Failure> {
    let ServeArgs {
        listen,
        max_connections,
        header_timeout_secs,
        body_timeout_secs,
        max_uploads,
        tls_cert,
        tls_key,
        insecure_http,
        notifier,
        smtp_url,
        smtp_from,
        portal,
    } = args;
    let portal =
        portal.map(|dir| center::portal_files::check_dir(&dir).map_err(|e| fail("PORTAL_DIR", e))).transpose()?;
    let tls = match (tls_cert, tls_key) {
        (Some(cert), Some(key)) => Some(center::tls::acceptor(&cert, &key).map_err(|e| fail(e.code(), e.to_string()))?),
        _ => None,
    };
    let notifier: Box<dyn center::notify::Notifier> = match notifier {
        NotifierKind::File => Box::new(
            center::notify::FileNotifier::open(
                &data.join(center::notify::OUTBOX_DIR).join(center::notify::DELIVERED_FILE),
            )
            .map_err(|e| fail(e.code(), e.to_string()))?,
        ),
        NotifierKind::Smtp => Box::new(
            center::notify::SmtpNotifier::new(smtp_url.as_deref().unwrap_or(""), smtp_from.as_deref().unwrap_or(""))
                .map_err(|e| fail(e.code(), e.to_string()))?,
        ),
    };
    let notifications =
        Arc::new(center::notify::Notifications::open(data, notifier).map_err(|e| fail(e.code(), e.to_string()))?);
    let center = open()?;
    let fingerprint = changelog::fingerprint(&center.public_key());
    let limits = center::http::Limits {
        max_connections,
        header_timeout: std::time::Duration::from_secs(header_timeout_secs.max(1)),
        body_timeout: std::time::Duration::from_secs(body_timeout_secs.max(1)),
        max_uploads,
        ..center::http::Limits::default()
    };
    // A schedule file that does not read stops the server here, naming the file.
    let schedule = center::scheduler::Schedule::load(data).map_err(|e| fail(e.code(), e.to_string()))?;
    let parents_key = center::parents::load_or_create_key(data).map_err(|e| fail(e.code(), e.to_string()))?;
    // Servers sharing one PostgreSQL store share the sign-in codes too.
    let codes =
        center.shared_store_url().map_or_else(center::parents::CodeBook::memory, center::parents::CodeBook::shared);
    let options = center::http::ServerOptions {
        limits,
        schedule: Some(schedule),
        schedule_folder: Some(data.to_path_buf()),
        notifications: Some(Arc::clone(&notifications)),
        parents: Some(center::parents::ParentsChannel::new(
            parents_key,
            Arc::new(center::parents::OtpIdentity::with_codes(notifications, codes)),
            center::parents::ParentOptions::default(),
        )),
        portal,
        ..Default::default()
    };
    let app = center::http::App::with_options(center, Arc::new(center::now), options);
    let runtime =
        tokio::runtime::Builder::new_multi_thread().enable_all().build().map_err(|e| fail("IO", e.to_string()))?;
    runtime.block_on(async move {
        let listener =
            tokio::net::TcpListener::bind(&listen).await.map_err(|e| fail("IO", format!("{listen}: {e}")))?;
        let addr = listener.local_addr().map_err(|e| fail("IO", e.to_string()))?;
        // The address actually bound decides (`localhost` and names resolve first).
        if tls.is_none() && !insecure_http && !addr.ip().to_canonical().is_loopback() {
            return Err(fail(
                "INSECURE_HTTP",
                format!(
                    "refusing to serve plain HTTP on {addr}: the kiosks' uploads and the center's answers would \
                     cross the network unencrypted. Give --tls-cert FILE --tls-key FILE, or listen on 127.0.0.1 \
                     behind a reverse proxy that terminates TLS (docs/OPERATIONS.md), or, on a network you trust, \
                     add --insecure-http"
                ),
            ));
        }
        let scheme = if tls.is_some() { "https" } else { "http" };
        eprintln!("kezek-center listening on {scheme}://{addr} (center key {fingerprint})");
        center::http::serve_with(listener, app, tls, shutdown_signal()).await.map_err(|e| fail("IO", e.to_string()))
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
