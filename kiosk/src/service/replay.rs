//! The log folded into state: the [`Model`] (rules state, accounts, id counters) and the
//! replay that builds it from the signed log, on the center's snapshot when there is one.
//! Opening, `verify`, a snapshot and an undone group commit all replay through here; an
//! open may start from a checkpoint of the model (`checkpoint/`) and replay only the rest.

use changelog::{Payload, VerifyingKey};
use rules::calendar::Calendar;
use rules::model::Kindergarten;
use rules::{Command, Event, Lang, Localized, State};
use serde::{Deserialize, Serialize};

use super::Kiosk;
use crate::base::Base;
use crate::logfile::{self, EntryView, LoadSummary};
use crate::operators::{OperatorInfo, Operators};
use crate::projection::Pending;
use crate::store::StoreError;

/// A logged entry that the current rules reject on replay (e.g. after a rules change).
/// It stays in the log; its effects are missing from the local state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReplayProblem {
    pub seq: u64,
    pub code: String,
    pub message: String,
}

/// State folded from the log: rules state, accounts and the id counters.
#[derive(Debug, Clone)]
pub(super) struct Model {
    pub(super) state: State,
    /// Commands up to this sequence number are already in the state (the center's
    /// snapshot includes them): replaying them only advances the counters.
    pub(super) covered_through: u64,
    pub(super) operators: Operators,
    /// The public key (hex) named by the last `keyRotated` entry, if any.
    pub(super) rotated_key: Option<String>,
    pub(super) registrations: u64,
    pub(super) places_records: u64,
    pub(super) commands: u64,
}

impl Model {
    /// An empty model, or one that starts from a center snapshot. Before the first snapshot
    /// the kindergarten directory is `offline` (empty, or the demo one in demo mode).
    pub(super) fn new(base: Option<&Base>, offline: &[Kindergarten]) -> Self {
        let (state, covered_through) = match base {
            Some(base) => (base.state.clone(), base.head),
            None => (State::new(Calendar::embedded(), offline.iter().cloned()), 0),
        };
        Model {
            state,
            covered_through,
            operators: Operators::default(),
            rotated_key: None,
            registrations: 0,
            places_records: 0,
            commands: 0,
        }
    }

    /// Counters and state after a command whose events are known.
    pub(super) fn apply_command(&mut self, command: &Command, events: &[Event]) {
        self.count_command(command);
        for event in events {
            self.state.evolve(event);
        }
    }

    /// The counters after a command (its events are applied apart).
    fn count_command(&mut self, command: &Command) {
        self.commands += 1;
        match command {
            Command::Register { .. } => self.registrations += 1,
            Command::AddPlaces { .. } | Command::ReducePlaces { .. } => self.places_records += 1,
            _ => {}
        }
    }

    pub(super) fn apply_operator_change(&mut self, payload: &Payload, seq: u64, at: &str, by: &str) {
        match payload {
            Payload::OperatorAdded { login, name, role, kindergartens } => self.operators.added(OperatorInfo {
                login: login.clone(),
                name: name.clone(),
                role: *role,
                kindergartens: kindergartens.clone(),
                active: true,
                added_seq: seq,
                added_at: at.to_owned(),
                added_by: by.to_owned(),
                disabled_seq: None,
                disabled_at: None,
                disabled_by: None,
            }),
            Payload::OperatorDisabled { login } => self.operators.disabled(login, seq, at, by),
            Payload::KeyRotated { public_key } => self.rotated_key = Some(public_key.clone()),
            // Commands replay elsewhere; the center's and the parents' channel's own entries
            // are never in a kiosk's log.
            Payload::Command { .. }
            | Payload::Audit { .. }
            | Payload::ParentLinked { .. }
            | Payload::ContractSigned { .. } => {}
        }
    }

    /// Replays one logged entry: the command is decided again at its recorded time. The
    /// events are returned, not yet applied: the caller hands them to the projections if
    /// they are owed, then to the state ([`Model::evolve_owned`]), which takes them.
    fn replay(&mut self, entry: &EntryView<'_>) -> (Option<&'static str>, Vec<Event>, Option<ReplayProblem>) {
        match &entry.payload {
            Payload::Command { command } if entry.seq <= self.covered_through => {
                self.count_command(command);
                (Some(command.name()), Vec::new(), None)
            }
            Payload::Command { command } => {
                let decided = entry
                    .at
                    .ok_or_else(|| ("BAD_KIOSK_TIME".to_owned(), format!("not an instant: {:?}", entry.kiosk_time)))
                    .and_then(|now| {
                        self.state.decide(command, now).map_err(|e| (e.code().to_owned(), e.message(Lang::En)))
                    });
                self.count_command(command);
                match decided {
                    Ok(events) => (Some(command.name()), events, None),
                    // The number it took stays taken.
                    Err((code, message)) => {
                        (Some(command.name()), Vec::new(), Some(ReplayProblem { seq: entry.seq, code, message }))
                    }
                }
            }
            other => {
                self.apply_operator_change(other, entry.seq, entry.kiosk_time, entry.operator);
                (None, Vec::new(), None)
            }
        }
    }

    /// Applies a replayed entry's events, taking them: a registration's application is
    /// moved into the state rather than copied.
    fn evolve_owned(&mut self, events: Vec<Event>) {
        for event in events {
            self.state.evolve_owned(event);
        }
    }
}

/// A model folded through `folded.seq` (from a checkpoint), to replay the rest of the log on.
pub(super) struct Resume {
    pub(super) model: Model,
    /// Replay problems of the entries it folded.
    pub(super) problems: Vec<ReplayProblem>,
    pub(super) folded: logfile::Folded,
    /// The key the checkpoint is signed with: it is used only if that is the log's key
    /// after `folded.seq` (a checkpoint signed by any other key is not this kiosk's).
    pub(super) signed_by: VerifyingKey,
}

/// What became of the checkpoint offered to [`replay_log`].
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(super) enum Resumed {
    /// None was offered: the whole log was replayed.
    #[default]
    NotOffered,
    /// The model came from it; only the entries after `seq` were replayed.
    Used { seq: u64 },
    /// It does not match the log: the whole log was replayed. Why, in English.
    Rejected(String),
}

/// The log replayed into a model.
pub(super) struct Replayed {
    /// Sequence number above which projection writes were collected.
    pub(super) pending_after: u64,
    pub(super) model: Model,
    /// Projection writes owed for entries above the `pending_after` given.
    pub(super) pending: Pending,
    pub(super) problems: Vec<ReplayProblem>,
    pub(super) summary: LoadSummary,
    /// Entries decided again (all the valid ones, or those after the checkpoint).
    pub(super) decided_again: u64,
    pub(super) resumed: Resumed,
}

/// Checks the log and replays its valid prefix (twice when only the final signature check
/// finds damage: the second run stops before it).
/// `pending_after` is asked once, when the first entry is replayed.
///
/// With `resume` (a checkpoint's model), the entries it folded are checked but not
/// replayed, provided the log still is the one it was made of: the hash of its last entry,
/// the key it is signed with, an undamaged log and projections not behind it (they are
/// caught up from the replayed entries' events). Otherwise the whole log is replayed, and
/// [`Replayed::resumed`] says why.
pub(super) fn replay_log(
    bytes: &[u8],
    kiosk: &str,
    key: VerifyingKey,
    base: Option<&Base>,
    offline: &[Kindergarten],
    pending_after: &mut dyn FnMut() -> u64,
    resume: Option<Resume>,
) -> Replayed {
    let mut threshold: Option<u64> = None;
    let mut run = |bytes: &[u8], resume: Option<Resume>| {
        let (mut model, mut problems, folded) = match resume {
            Some(r) => (r.model, r.problems, Some(r.folded)),
            None => (Model::new(base, offline), Vec::new(), None),
        };
        let mut pending = Pending::default();
        let mut decided_again = 0;
        let summary = logfile::load_folded(bytes, kiosk, key, folded, |view| {
            let after = *threshold.get_or_insert_with(&mut *pending_after);
            let (command, events, problem) = model.replay(view);
            problems.extend(problem);
            if view.seq > after {
                pending.entry(view.seq, view.kiosk, view.kiosk_time, view.operator, command, &events);
            }
            model.evolve_owned(events);
            decided_again += 1;
        });
        let pending_after = *threshold.get_or_insert_with(&mut *pending_after);
        Replayed { pending_after, model, pending, problems, summary, decided_again, resumed: Resumed::NotOffered }
    };
    let full = |run: &mut dyn FnMut(&[u8], Option<Resume>) -> Replayed| {
        let first = run(bytes, None);
        if first.summary.valid < first.summary.applied {
            let valid_len = usize::try_from(first.summary.valid_len).unwrap_or(usize::MAX).min(bytes.len());
            let mut second = run(&bytes[..valid_len], None);
            second.summary.damage = first.summary.damage;
            return second;
        }
        first
    };
    let Some(resume) = resume else { return full(&mut run) };
    let (seq, signed_by) = (resume.folded.seq, resume.signed_by);
    let resumed = run(bytes, Some(resume));
    let summary = &resumed.summary;
    let rejected = if summary.damage.is_some() || summary.valid < summary.applied {
        // Damage anywhere: the full replay reports it exactly as without a checkpoint.
        Some("the log is damaged".to_owned())
    } else if !summary.folded_hash_matches {
        Some(format!(
            "the log's entry {seq} is not the one it was made at (the log was changed, cut back or restored from another backup)"
        ))
    } else if summary.key_after(seq) != Some(signed_by) {
        Some(format!("it is not signed by this kiosk's key at entry {seq}"))
    } else if resumed.pending_after < seq {
        Some(format!(
            "the projections are behind it (entry {}), and catching them up needs the events of the entries it folded",
            resumed.pending_after
        ))
    } else {
        None
    };
    match rejected {
        None => Replayed { resumed: Resumed::Used { seq }, ..resumed },
        Some(why) => {
            drop(resumed);
            Replayed { resumed: Resumed::Rejected(why), ..full(&mut run) }
        }
    }
}

/// Replay problems on a center snapshot are offline conflicts the center will decide;
/// without one they mean the log and the rules disagree.
pub(super) fn split_problems(
    base: Option<&Base>,
    problems: Vec<ReplayProblem>,
) -> (Vec<ReplayProblem>, Vec<ReplayProblem>) {
    match base {
        Some(_) => (Vec::new(), problems),
        None => (problems, Vec::new()),
    }
}

impl Kiosk {
    /// Replays the log's valid prefix (of `bytes`, the log as read) on the kiosk's base.
    pub(super) fn replay_valid_prefix(&self, bytes: &[u8]) -> Replayed {
        let valid = usize::try_from(self.valid_len).unwrap_or(usize::MAX).min(bytes.len());
        replay_log(
            &bytes[..valid],
            &self.identity.kiosk_id,
            self.verifying,
            self.base.as_ref(),
            self.offline_directory,
            &mut || u64::MAX,
            None,
        )
    }

    /// Rebuilds the in-memory model from the base and the log's valid prefix.
    pub(super) fn reload_model(&mut self) -> Result<(), StoreError> {
        let bytes = self.store.read_log(0, self.valid_len)?;
        let replayed = self.replay_valid_prefix(&bytes);
        if replayed.summary.valid != self.last_seq {
            return Err(StoreError::other("reload", "the log changed under the kiosk"));
        }
        self.model = replayed.model;
        (self.replay_problems, self.conflicts) = split_problems(self.base.as_ref(), replayed.problems);
        // The log was cut back or the base changed: the checkpoint on disk no longer
        // matches (its entry hash or base differs) and a new one is due.
        self.checkpoint_seq = 0;
        Ok(())
    }
}
