//! The single-use nonces the center hands out for kiosks' signed requests
//! (`POST /v1/kiosks/{id}/challenge`). In memory for a server that owns its store; in the
//! database when several servers share one (PostgreSQL), so that a challenge answered by
//! one server can be spent on the other, and only once.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use crate::pg_client::ReconnectingClient;

/// How long a challenge nonce stays valid.
pub const NONCE_LIFETIME: Duration = Duration::from_mins(2);
/// Most unspent nonces per kiosk (the oldest is dropped).
pub const NONCES_PER_KIOSK: usize = 8;

/// In memory, per kiosk.
#[derive(Debug, Default)]
struct Memory {
    by_kiosk: HashMap<String, VecDeque<(String, std::time::Instant)>>,
}

impl Memory {
    fn issue(&mut self, kiosk: &str, nonce: String) {
        let queue = self.by_kiosk.entry(kiosk.to_owned()).or_default();
        if queue.len() >= NONCES_PER_KIOSK {
            queue.pop_front();
        }
        queue.push_back((nonce, std::time::Instant::now()));
    }

    fn spend(&mut self, kiosk: &str, nonce: &str) -> bool {
        let Some(queue) = self.by_kiosk.get_mut(kiosk) else { return false };
        queue.retain(|(_, issued)| issued.elapsed() < NONCE_LIFETIME);
        match queue.iter().position(|(n, _)| n == nonce) {
            Some(i) => {
                queue.remove(i);
                true
            }
            None => false,
        }
    }
}

/// In the shared database, on its own connection.
struct Shared(ReconnectingClient);

impl Shared {
    fn issue(&mut self, kiosk: &str, nonce: &str) -> bool {
        let Some(client) = self.0.client() else { return false };
        let lifetime = NONCE_LIFETIME.as_secs_f64();
        let keep = i64::try_from(NONCES_PER_KIOSK).unwrap_or(8) - 1;
        // The table is the schema owner's (crate::pg_store::set_up): the server's role
        // cannot create tables.
        client
            .execute(
                "DELETE FROM kiosk_nonces WHERE kiosk = $1 AND (issued_at < clock_timestamp() - make_interval(secs => $2) \
                 OR nonce NOT IN (SELECT nonce FROM kiosk_nonces WHERE kiosk = $1 ORDER BY issued_at DESC LIMIT $3))",
                &[&kiosk, &lifetime, &keep],
            )
            .and_then(|_| client.execute("INSERT INTO kiosk_nonces (kiosk, nonce) VALUES ($1, $2)", &[&kiosk, &nonce]))
            .is_ok()
    }

    fn spend(&mut self, kiosk: &str, nonce: &str) -> Result<bool, Unavailable> {
        let client = self.0.client().ok_or(Unavailable)?;
        let lifetime = NONCE_LIFETIME.as_secs_f64();
        client
            .query_opt(
                "DELETE FROM kiosk_nonces WHERE kiosk = $1 AND nonce = $2 \
                 AND issued_at >= clock_timestamp() - make_interval(secs => $3) RETURNING 1",
                &[&kiosk, &nonce, &lifetime],
            )
            .map(|row| row.is_some())
            .map_err(|_| Unavailable)
    }
}

/// The shared nonce book's database could not be asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unavailable;

/// Where the nonces are kept.
#[derive(Clone)]
pub struct NonceBook(Arc<Mutex<Book>>);

enum Book {
    Memory(Memory),
    Shared(Box<Shared>),
}

impl std::fmt::Debug for NonceBook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("NonceBook")
    }
}

impl NonceBook {
    /// Nonces in this process's memory.
    pub fn memory() -> Self {
        NonceBook(Arc::new(Mutex::new(Book::Memory(Memory::default()))))
    }

    /// Nonces in the database at `url`, shared by every server on it.
    pub fn shared(url: &str) -> Self {
        NonceBook(Arc::new(Mutex::new(Book::Shared(Box::new(Shared(ReconnectingClient::new(url)))))))
    }

    fn with<T: Send + 'static>(&self, f: impl FnOnce(&mut Book) -> T + Send + 'static) -> impl Future<Output = T> {
        let book = Arc::clone(&self.0);
        async move {
            let run = move || f(&mut book.lock().unwrap_or_else(PoisonError::into_inner));
            match tokio::task::spawn_blocking(run).await {
                Ok(value) => value,
                Err(e) => std::panic::resume_unwind(e.into_panic()),
            }
        }
    }

    /// Records a nonce handed to `kiosk`; false if it could not be recorded (the database
    /// is away): the challenge must then fail.
    pub async fn issue(&self, kiosk: &str, nonce: &str) -> bool {
        let (kiosk, nonce) = (kiosk.to_owned(), nonce.to_owned());
        self.with(move |book| match book {
            Book::Memory(m) => {
                m.issue(&kiosk, nonce);
                true
            }
            Book::Shared(s) => s.issue(&kiosk, &nonce),
        })
        .await
    }

    /// Spends a nonce: true once for each nonce issued to `kiosk` less than
    /// [`NONCE_LIFETIME`] ago (by any server sharing the book); [`Unavailable`] when the
    /// shared database could not be asked (not the kiosk's fault: the answer is "try again",
    /// not "unauthenticated").
    pub async fn spend(&self, kiosk: &str, nonce: &str) -> Result<bool, Unavailable> {
        let (kiosk, nonce) = (kiosk.to_owned(), nonce.to_owned());
        self.with(move |book| match book {
            Book::Memory(m) => Ok(m.spend(&kiosk, &nonce)),
            Book::Shared(s) => s.spend(&kiosk, &nonce),
        })
        .await
    }
}
