//! The accepted log's file: framing, appends, and what opening does with a damaged or
//! unfinished end.

use std::path::{Path, PathBuf};

use super::{LogRecord, StoreError, decode, encode};

/// The accepted log: an append-only file of records
/// `u32 LE length | u32 LE CRC-32 of the payload | postcard(LogRecord)`, `fdatasync`ed after
/// every append.
///
/// Opening cuts only what an interrupted append can leave at the end of the file, and only
/// after copying it aside (`accepted.log.cut-<offset>`, synced): a record cut short by the
/// end of the file (header or payload), or a run of zero bytes. Anything else that does not
/// read back (a whole record whose CRC fails, a record that does not decode, a zero length
/// followed by data, a length field past the end of the file with whole records behind it)
/// is [`StoreError::Damaged`]: the store does not open and the file is left as it is.
#[derive(Debug)]
pub(super) struct AcceptedLog {
    path: PathBuf,
    file: std::fs::File,
    /// Length of the durable records.
    len: u64,
    /// A failed append could not be undone: no more appends until the log is opened again.
    broken: bool,
}

/// No record is longer than this (a kiosk entry is at most `MAX_ENTRY_BYTES` plus its
/// frame, signature and the record's few other fields).
const MAX_RECORD_BYTES: usize = changelog::MAX_ENTRY_BYTES as usize + 64 * 1024;

/// Where the whole records of the log end: at the end of the file, or where an interrupted
/// append starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LogEnd {
    Clean,
    /// Bytes from `at` on are an unfinished append (never acknowledged).
    Torn {
        at: usize,
    },
}

/// Damage found in the log: byte offset of the bad record and what is wrong with it.
type LogDamage = (usize, String);

/// Frames the log: every whole record's payload range, and how the file ends; or the
/// first damage.
fn frame_log(bytes: &[u8]) -> Result<(Vec<std::ops::Range<usize>>, LogEnd), LogDamage> {
    let mut frames = Vec::new();
    let mut at = 0usize;
    while at < bytes.len() {
        let Some(header) = bytes.get(at..at + 8) else {
            // A header cut short by the end of the file.
            return Ok((frames, LogEnd::Torn { at }));
        };
        let len = u32::from_le_bytes(header[..4].try_into().expect("4 bytes")) as usize;
        let crc = u32::from_le_bytes(header[4..].try_into().expect("4 bytes"));
        if len == 0 {
            // No record is empty: zeros from here to the end are an interrupted append
            // (the file grew before its data reached the disk); anything else is damage.
            if bytes[at..].iter().all(|b| *b == 0) {
                return Ok((frames, LogEnd::Torn { at }));
            }
            return Err((at, "a record of length 0 followed by non-zero bytes".into()));
        }
        let end = at.saturating_add(8).saturating_add(len);
        let Some(payload) = bytes.get(at + 8..end) else {
            // Cut short by the end of the file: an interrupted append, unless whole
            // records lie behind it (then the length field itself is damaged).
            if let Some(reason) = whole_record_behind(bytes, at, len, crc) {
                return Err((at, reason));
            }
            return Ok((frames, LogEnd::Torn { at }));
        };
        if crc32fast::hash(payload) != crc {
            return Err((at, format!("the CRC of a whole record of {len} bytes does not match")));
        }
        frames.push(at + 8..end);
        at = end;
    }
    Ok((frames, LogEnd::Clean))
}

/// Whether the bytes after a record header at `at` whose length `len` reaches past the end
/// of the file hold whole records, which an interrupted append cannot leave (it writes
/// records in order, so nothing after a record cut short can be whole): the record itself
/// with a shorter length, or a later record.
fn whole_record_behind(bytes: &[u8], at: usize, len: usize, crc: u32) -> Option<String> {
    let rest = &bytes[at + 8..];
    let mut hasher = crc32fast::Hasher::new();
    for (i, byte) in rest.iter().take(MAX_RECORD_BYTES).enumerate() {
        hasher.update(std::slice::from_ref(byte));
        if hasher.clone().finalize() == crc && decode::<LogRecord>(&rest[..=i]).is_ok() {
            return Some(format!(
                "the length field says {len} bytes, past the end of the file, but the record is whole with {} bytes \
                 (a damaged length field)",
                i + 1
            ));
        }
    }
    for p in at + 1..bytes.len().saturating_sub(8) {
        let len = u32::from_le_bytes(bytes[p..p + 4].try_into().expect("4 bytes")) as usize;
        if len == 0 || len > MAX_RECORD_BYTES {
            continue;
        }
        let Some(payload) = bytes.get(p + 8..p + 8 + len) else { continue };
        // A record starts with its variant tag (0 or 1): a cheap filter before the CRC.
        if payload[0] > 1 {
            continue;
        }
        let crc = u32::from_le_bytes(bytes[p + 4..p + 8].try_into().expect("4 bytes"));
        if crc32fast::hash(payload) == crc && decode::<LogRecord>(payload).is_ok() {
            return Some(format!(
                "the length field says {len} bytes, past the end of the file, but a whole record follows at byte {p}"
            ));
        }
    }
    None
}

impl AcceptedLog {
    pub(super) fn open(path: &Path) -> Result<Self, StoreError> {
        let io = |source| StoreError::Io { path: path.display().to_string(), source };
        let existed = path.exists();
        let file = std::fs::OpenOptions::new().read(true).append(true).create(true).open(path).map_err(io)?;
        if !existed {
            file.sync_all().map_err(io)?;
            if let Some(dir) = path.parent() {
                std::fs::File::open(dir).and_then(|d| d.sync_all()).map_err(io)?;
            }
        }
        let mut log = AcceptedLog { path: path.to_owned(), file, len: 0, broken: false };
        let bytes = std::fs::read(path).map_err(io)?;
        // Every record must decode too: the file is checked whole before anything is cut.
        let good = log.frames(&bytes, &mut |_| Ok(()))?;
        if good < bytes.len() {
            log.keep_aside(&bytes[good..], good)?;
            log.file.set_len(good as u64).map_err(io)?;
            log.file.sync_all().map_err(io)?;
        }
        log.len = good as u64;
        Ok(log)
    }

    fn damaged(&self, (offset, reason): LogDamage) -> StoreError {
        StoreError::Damaged { path: self.path.display().to_string(), offset: offset as u64, reason }
    }

    /// Visits every record of `bytes`, decoded; returns the length of the whole records
    /// (what follows is an interrupted append), or the damage.
    fn frames(
        &self,
        bytes: &[u8],
        visit: &mut dyn FnMut(LogRecord) -> Result<(), StoreError>,
    ) -> Result<usize, StoreError> {
        let (frames, end) = frame_log(bytes).map_err(|d| self.damaged(d))?;
        for range in frames {
            let record = decode::<LogRecord>(&bytes[range.clone()])
                .map_err(|e| self.damaged((range.start - 8, format!("a record does not decode: {e}"))))?;
            visit(record)?;
        }
        Ok(match end {
            LogEnd::Clean => bytes.len(),
            LogEnd::Torn { at } => at,
        })
    }

    /// Copies the bytes of an interrupted append to `accepted.log.cut-<offset>` (a new
    /// file, synced, its name synced) before they are cut.
    fn keep_aside(&self, tail: &[u8], offset: usize) -> Result<PathBuf, StoreError> {
        use std::io::Write;
        let dir = self.path.parent().map_or_else(|| PathBuf::from("."), Path::to_path_buf);
        let name = self.path.file_name().and_then(|n| n.to_str()).unwrap_or("accepted.log");
        let io = |path: &Path| {
            let path = path.display().to_string();
            move |source| StoreError::Io { path: path.clone(), source }
        };
        for n in 0u32.. {
            let aside = if n == 0 {
                dir.join(format!("{name}.cut-{offset}"))
            } else {
                dir.join(format!("{name}.cut-{offset}-{n}"))
            };
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create_new(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
            let mut file = match options.open(&aside) {
                Ok(file) => file,
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(io(&aside)(e)),
            };
            file.write_all(tail).and_then(|()| file.sync_all()).map_err(io(&aside))?;
            std::fs::File::open(&dir).and_then(|d| d.sync_all()).map_err(io(&dir))?;
            return Ok(aside);
        }
        unreachable!("some name is free")
    }

    pub(super) fn read(&self, visit: &mut dyn FnMut(LogRecord) -> Result<(), StoreError>) -> Result<(), StoreError> {
        let bytes = std::fs::read(&self.path)
            .map_err(|source| StoreError::Io { path: self.path.display().to_string(), source })?;
        let len = usize::try_from(self.len).unwrap_or(usize::MAX).min(bytes.len());
        self.frames(&bytes[..len], visit)?;
        Ok(())
    }

    pub(super) fn append(&mut self, records: &[LogRecord]) -> Result<(), StoreError> {
        use std::io::Write;
        if records.is_empty() {
            return Ok(());
        }
        let mut out = Vec::new();
        for record in records {
            let payload = encode(record)?;
            out.extend_from_slice(
                &u32::try_from(payload.len())
                    .map_err(|_| StoreError::Corrupt("record too large".into()))?
                    .to_le_bytes(),
            );
            out.extend_from_slice(&crc32fast::hash(&payload).to_le_bytes());
            out.extend_from_slice(&payload);
        }
        let io = |source| StoreError::Io { path: self.path.display().to_string(), source };
        if self.broken {
            return Err(StoreError::Corrupt(format!(
                "{}: a failed write could not be undone; open the store again",
                self.path.display()
            )));
        }
        if let Err(e) = self.file.write_all(&out).and_then(|()| self.file.sync_data()) {
            // Undo what may have reached the file: records that were not acknowledged must
            // not be read back on open (a resend would store them twice), and a torn record
            // must not sit before the next append (the open would cut the log there).
            if self.file.set_len(self.len).and_then(|()| self.file.sync_data()).is_err() {
                self.broken = true;
            }
            return Err(io(e));
        }
        self.len += out.len() as u64;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{CenterStore, Commit, SledStore};

    fn record(seq: u64) -> LogRecord {
        LogRecord::Center { seq, entry: vec![7; 40] }
    }

    fn read_all(store: &SledStore) -> Vec<LogRecord> {
        let mut out = Vec::new();
        store
            .read_log(&mut |r| {
                out.push(r);
                Ok(())
            })
            .expect("read");
        out
    }

    #[test]
    fn a_folder_in_use_is_refused_and_its_accepted_log_left_alone() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut store = SledStore::open(dir.path()).expect("open");
        store.commit(&Commit { log: vec![record(1)], quarantine: vec![] }).expect("commit");
        // An append in progress under the running store: a second opener must not cut it.
        let path = dir.path().join("accepted.log");
        let mut bytes = std::fs::read(&path).expect("read");
        bytes.extend_from_slice(&[60, 0, 0, 0, 1, 2]);
        std::fs::write(&path, &bytes).expect("write");
        let second = SledStore::open(dir.path()).expect_err("the folder is in use");
        assert!(matches!(second, StoreError::Locked { .. }), "{second}");
        assert_eq!(std::fs::read(&path).expect("read"), bytes);
    }

    #[test]
    fn a_torn_tail_of_the_accepted_log_is_kept_aside_then_cut_on_open() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut store = SledStore::open(dir.path()).expect("open");
        store.commit(&Commit { log: vec![record(1), record(2)], quarantine: vec![] }).expect("commit");
        drop(store);
        // A crash in the middle of the next append.
        let path = dir.path().join("accepted.log");
        let mut bytes = std::fs::read(&path).expect("read");
        let whole = bytes.len();
        let torn = [60, 0, 0, 0, 1, 2, 3, 4, 9, 9];
        bytes.extend_from_slice(&torn);
        std::fs::write(&path, &bytes).expect("write");
        let mut store = SledStore::open(dir.path()).expect("reopen");
        assert_eq!(read_all(&store), vec![record(1), record(2)]);
        assert_eq!(std::fs::metadata(&path).expect("meta").len(), whole as u64);
        let aside = dir.path().join(format!("accepted.log.cut-{whole}"));
        assert_eq!(std::fs::read(&aside).expect("kept aside"), torn);
        store.commit(&Commit { log: vec![record(3)], quarantine: vec![] }).expect("commit");
        drop(store);
        let store = SledStore::open(dir.path()).expect("reopen");
        assert_eq!(read_all(&store), vec![record(1), record(2), record(3)]);
    }

    /// A log of `n` records and the offset of each.
    fn log_of(dir: &Path, n: u64) -> (PathBuf, Vec<u8>, Vec<usize>) {
        let mut store = SledStore::open(dir).expect("open");
        store.commit(&Commit { log: (1..=n).map(record).collect(), quarantine: vec![] }).expect("commit");
        drop(store);
        let path = dir.join("accepted.log");
        let bytes = std::fs::read(&path).expect("read");
        let (frames, end) = frame_log(&bytes).expect("clean");
        assert_eq!(end, LogEnd::Clean);
        (path, bytes, frames.iter().map(|r| r.start - 8).collect())
    }

    fn refused_at(dir: &Path, offset: usize) -> String {
        let e = SledStore::open(dir).expect_err("a damaged log is refused");
        match &e {
            StoreError::Damaged { offset: at, .. } => assert_eq!(*at, offset as u64, "{e}"),
            other => panic!("not Damaged: {other}"),
        }
        let text = e.to_string();
        assert!(text.contains(&format!("offset {offset}")) && text.contains("backup"), "{text}");
        text
    }

    fn no_cut_files(dir: &Path) {
        for item in std::fs::read_dir(dir).expect("dir") {
            let name = item.expect("item").file_name();
            assert!(!name.to_string_lossy().contains(".cut-"), "{name:?}");
        }
    }

    #[test]
    fn a_flipped_byte_anywhere_but_the_tail_refuses_to_open_and_changes_nothing() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (path, bytes, offsets) = log_of(dir.path(), 5);
        // A payload byte, a CRC byte and a length byte (to a smaller length) of record 3,
        // and a payload byte of the last record.
        for (at, record) in [(offsets[2] + 20, 2), (offsets[2] + 5, 2), (offsets[2], 2), (offsets[4] + 30, 4)] {
            let mut bad = bytes.clone();
            bad[at] ^= 0x01;
            std::fs::write(&path, &bad).expect("write");
            refused_at(dir.path(), offsets[record]);
            assert_eq!(std::fs::read(&path).expect("read"), bad, "byte-identical");
            no_cut_files(dir.path());
        }
    }

    #[test]
    fn a_length_field_past_the_end_with_whole_records_behind_it_is_damage_not_a_torn_tail() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (path, bytes, offsets) = log_of(dir.path(), 5);
        for record in [2usize, 4] {
            // The length of a middle record, and of the last one, made to reach past the end.
            let mut bad = bytes.clone();
            bad[offsets[record] + 2] = 0x01;
            std::fs::write(&path, &bad).expect("write");
            let text = refused_at(dir.path(), offsets[record]);
            assert!(text.contains("length field"), "{text}");
            assert_eq!(std::fs::read(&path).expect("read"), bad);
            no_cut_files(dir.path());
        }
    }

    #[test]
    fn a_zero_length_record_before_data_and_an_undecodable_record_are_damage() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (path, bytes, offsets) = log_of(dir.path(), 3);
        let mut zeros_then_data = bytes.clone();
        zeros_then_data.extend_from_slice(&[0; 100]);
        zeros_then_data.extend_from_slice(&bytes[offsets[1]..]);
        std::fs::write(&path, &zeros_then_data).expect("write");
        let text = refused_at(dir.path(), bytes.len());
        assert!(text.contains("length 0"), "{text}");
        assert_eq!(std::fs::read(&path).expect("read"), zeros_then_data);
        // A record with a good CRC whose payload is not a log record (variant 7).
        let mut undecodable = bytes.clone();
        let payload = [7u8, 1, 2, 3];
        undecodable.extend_from_slice(&4u32.to_le_bytes());
        undecodable.extend_from_slice(&crc32fast::hash(&payload).to_le_bytes());
        undecodable.extend_from_slice(&payload);
        undecodable.extend_from_slice(&[60, 0, 0]);
        std::fs::write(&path, &undecodable).expect("write");
        let text = refused_at(dir.path(), bytes.len());
        assert!(text.contains("does not decode"), "{text}");
        assert_eq!(std::fs::read(&path).expect("read"), undecodable);
        no_cut_files(dir.path());
    }

    #[test]
    fn trailing_zeros_and_a_partial_header_are_kept_aside_and_cut() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (path, bytes, _) = log_of(dir.path(), 3);
        for (n, tail) in [vec![0u8; 4096], vec![0u8; 3], vec![0x2a, 0, 0]].into_iter().enumerate() {
            let mut grown = bytes.clone();
            grown.extend_from_slice(&tail);
            std::fs::write(&path, &grown).expect("write");
            let store = SledStore::open(dir.path()).expect("opens");
            assert_eq!(read_all(&store), vec![record(1), record(2), record(3)]);
            drop(store);
            assert_eq!(std::fs::read(&path).expect("read"), bytes);
            let name = if n == 0 {
                format!("accepted.log.cut-{}", bytes.len())
            } else {
                format!("accepted.log.cut-{}-{n}", bytes.len())
            };
            assert_eq!(std::fs::read(dir.path().join(name)).expect("kept aside"), tail);
        }
    }
}
