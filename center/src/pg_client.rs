//! The connection the shared records of servers on one PostgreSQL store use, apart from
//! the center's own (see [`ReconnectingClient`]).

/// A connection of its own to the shared database (the center's is behind the center's
/// lock), opened when first needed and again once it is closed or dropped. The kiosks'
/// nonces ([`crate::nonces::NonceBook`]), the parents' sign-in codes
/// ([`crate::parents::CodeBook`]) and the staff's failed sign-ins
/// ([`crate::throttle::LoginThrottle`]) each keep one.
pub(crate) struct ReconnectingClient {
    url: String,
    client: Option<postgres::Client>,
}

impl ReconnectingClient {
    pub(crate) fn new(url: &str) -> Self {
        ReconnectingClient { url: url.to_owned(), client: None }
    }

    /// The connection, opened if need be; `None` when the database cannot be reached.
    pub(crate) fn client(&mut self) -> Option<&mut postgres::Client> {
        if self.client.as_ref().is_none_or(postgres::Client::is_closed) {
            self.client = postgres::Client::connect(&self.url, postgres::NoTls).ok();
        }
        self.client.as_mut()
    }

    /// Drops the connection after a failed transaction: the next use opens a new one.
    pub(crate) fn drop_connection(&mut self) {
        self.client = None;
    }
}

impl Drop for ReconnectingClient {
    /// The synchronous client closes its connection by blocking on a runtime of its own,
    /// which panics on a thread that drives tokio (the server's, when the app is dropped at
    /// shutdown): there it is closed on a thread of its own instead.
    fn drop(&mut self) {
        if let Some(client) = self.client.take() {
            if tokio::runtime::Handle::try_current().is_ok() {
                let _ = std::thread::Builder::new().name("pg-close".into()).spawn(move || drop(client));
            } else {
                drop(client);
            }
        }
    }
}
