//! The parents' channel as a source of signed entries: its key, its registration in the
//! source registry, and writing a parent's entries to its hash-chained log through the same
//! ingest as a kiosk's upload (so the fold orders them with the kiosks' entries).

use std::path::Path;

use changelog::{Bundle, EntryBody, FORMAT_VERSION, KioskKey, Payload, SignedEntry};
use rules::Instant;
use rules::authz::parent::CHANNEL_ID;

use super::ParentError;
use crate::fold::Source;
use crate::service::{Center, CenterError, OpenError, SetupFailure};
use crate::store::CenterStore;

/// The channel's key file in the center's data folder (like the center's own key: copy it
/// to every server sharing one PostgreSQL store).
pub const KEY_FILE: &str = "portal.key";

/// Loads the channel's key from the data folder, making one on first use (`init` makes it;
/// a folder from before the parents' channel gets it at its first `serve`).
///
/// A new key is written to a temporary file, synced, then renamed into place and the
/// folder synced: a disk failing half-way leaves no half-written `portal.key` that would
/// stop every later start, only a temporary file the next attempt replaces.
pub fn load_or_create_key(dir: &Path) -> Result<KioskKey, OpenError> {
    let path = dir.join(KEY_FILE);
    if path.exists() {
        return Ok(KioskKey::load(&path)?);
    }
    let key = KioskKey::generate()?;
    let temporary = dir.join(format!("{KEY_FILE}.new"));
    let _ = std::fs::remove_file(&temporary);
    if let Err(e) = key.save(&temporary) {
        let _ = std::fs::remove_file(&temporary);
        return Err(e.into());
    }
    std::fs::rename(&temporary, &path).map_err(|source| SetupFailure::KeyNotPlaced { path: path.clone(), source })?;
    std::fs::File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|source| SetupFailure::FolderNotSynced { path, source })?;
    Ok(key)
}

impl<S: CenterStore> Center<S> {
    /// Registers the channel (first use) with `key`; refuses a key other than the registered
    /// one (a replaced `portal.key` would fork the channel's log).
    fn ensure_channel(&mut self, key: &KioskKey, at: Instant) -> Result<(), CenterError> {
        if let Some(registered) = self.channel_key() {
            if registered != key.verifying() {
                return Err(SetupFailure::ChannelKeyChanged.into());
            }
            return Ok(());
        }
        let district = self.districts().first().cloned().ok_or(SetupFailure::NoDistricts)?;
        // Not registered yet (no key above), in one of the center's districts, with the
        // channel's own key: what `add_kiosk` checks of a kiosk holds.
        self.add_source(CHANNEL_ID, &district, key.verifying(), at)?;
        self.audit_action("center", "kiosk.add", CHANNEL_ID, Some("the parents' channel".into()), at)?;
        Ok(())
    }

    /// Writes `payloads` as the next entries of the channel's log, signed by `key`, naming
    /// `operator` (the parent and their sign-in method), and ingests them. The fold sources
    /// of the commands among them, in order. Either all are accepted or an error says why.
    pub(crate) fn channel_write(
        &mut self,
        key: &KioskKey,
        operator: &str,
        payloads: &[Payload],
        now: Instant,
    ) -> Result<Vec<Source>, ParentError> {
        self.ensure_channel(key, now)?;
        let (mut seq, mut prev) = self.source_head(CHANNEL_ID).unwrap_or((0, changelog::GENESIS_HASH));
        let mut entries = Vec::with_capacity(payloads.len());
        let mut sources = Vec::new();
        for payload in payloads {
            seq += 1;
            let body = EntryBody {
                version: FORMAT_VERSION,
                kiosk: CHANNEL_ID.to_owned(),
                seq,
                prev_hash: prev,
                kiosk_time: now.to_string(),
                last_contact: None,
                operator: operator.to_owned(),
                payload: payload.to_json(),
            };
            let entry = SignedEntry::sign(&body, key.signing());
            prev = entry.hash();
            entries.push(entry);
            if matches!(payload, Payload::Command { .. }) {
                sources.push(Source::Kiosk { kiosk: CHANNEL_ID.to_owned(), seq });
            }
        }
        let bytes = Bundle { kiosk: CHANNEL_ID.to_owned(), entries }.to_bytes();
        let ingested = self
            .ingest(&bytes, now, Some(CHANNEL_ID))
            .map_err(|e| ParentError::Refused { code: e.code().to_owned(), reason: e.to_string() })?;
        if let Some(stop) = ingested.report.quarantined.first() {
            return Err(ParentError::Refused { code: stop.code.clone(), reason: stop.reason.clone() });
        }
        // Checked against the state before writing, a command can still be refused when it
        // reaches the fold (another entry came first): that is the fold's answer.
        for source in &sources {
            if let Some(rejection) = self.fold.rejection(source) {
                return Err(ParentError::Refused { code: rejection.code.clone(), reason: rejection.reason.clone() });
            }
        }
        Ok(sources)
    }

    /// The next free online registration number of `district` in `year`:
    /// `<district>-WEB-<year>-<n>` with six digits.
    pub(crate) fn next_online_id(&self, district: &str, year: i32) -> String {
        let prefix = format!("{district}-{CHANNEL_ID}-{year}-");
        let last = self
            .state()
            .applications()
            .filter_map(|a| a.id.strip_prefix(&prefix).and_then(|n| n.parse::<u64>().ok()))
            .max()
            .unwrap_or(0);
        format!("{prefix}{:06}", last + 1)
    }

    /// Children linked to the parent `iin` in the channel's log.
    pub fn linked_children(&self, iin: &str) -> Vec<String> {
        self.source_operator(CHANNEL_ID, iin).map(|o| o.children).unwrap_or_default()
    }

    /// The parent's linked children as they see them: IIN, when linked, and the child's
    /// name from its latest application (none before the child is registered).
    pub fn child_links(&self, iin: &str) -> Vec<super::LinkedChild> {
        let Some(links) = self.source_operator(CHANNEL_ID, iin) else { return Vec::new() };
        links
            .children
            .iter()
            .map(|child| super::LinkedChild {
                iin: child.clone(),
                linked_at: links.linked_at.get(child).and_then(|t| t.parse().ok()),
                name: self
                    .state()
                    .applications()
                    .filter(|a| a.child.iin == *child)
                    .max_by_key(|a| a.registered_at)
                    .map(|a| a.child.name.clone()),
            })
            .collect()
    }
}
