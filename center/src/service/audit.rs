//! The audit trail: every entry of the center's own log, as staff see it.

use changelog::Payload;
use rules::{Command, Instant};
use serde::{Deserialize, Serialize};

use super::Center;
use crate::store::{CenterStore, StoreError};

/// One entry of the center's own log, as the audit trail shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuditRow {
    /// The center log's sequence number.
    pub seq: u64,
    pub at: Instant,
    /// The staff login, `scheduler`, or `center` (the command line on the data folder).
    pub by: String,
    /// A rules command's name (`distribute`, `tick`, `upholdRefusal`, …) or a staff action
    /// (`kiosk.add`, `user.disable`, `review.overrule`, `export.snapshot`, …).
    pub action: String,
    /// What it was about: a district, an application, a kiosk, a login, a review item.
    pub subject: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl AuditRow {
    pub(super) fn of(seq: u64, at: Instant, by: &str, payload: &Payload) -> Option<AuditRow> {
        let (action, subject, note) = match payload {
            Payload::Command { command } => {
                let subject = match command {
                    Command::Register { application } => application.id.clone(),
                    Command::AddPlaces { places } | Command::ReducePlaces { places } => places.id.clone(),
                    Command::Act { application, .. } => application.clone(),
                    Command::Distribute { district } => district.clone(),
                    Command::Tick => String::new(),
                    Command::SetKindergarten { kindergarten } => kindergarten.id.clone(),
                    Command::SetCalendarYear { year } => year.year.to_string(),
                };
                (command.name().to_owned(), subject, None)
            }
            Payload::Audit { action, subject, note } => (action.clone(), subject.clone(), note.clone()),
            _ => return None,
        };
        Some(AuditRow { seq, at, by: by.to_owned(), action, subject, note })
    }
}

impl<S: CenterStore> Center<S> {
    /// Writes a staff action to the center's own log (the audit trail).
    pub(crate) fn audit_action(
        &mut self,
        by: &str,
        action: &str,
        subject: &str,
        note: Option<String>,
        at: Instant,
    ) -> Result<u64, StoreError> {
        let payload = Payload::Audit { action: action.to_owned(), subject: subject.to_owned(), note };
        let seq = self.append_own(by, &payload, at)?;
        self.fold.close_epoch();
        Ok(seq)
    }

    /// The audit trail: every entry of the center's own log, newest first, at most `limit`.
    pub fn audit_trail(&self, limit: usize) -> Vec<AuditRow> {
        self.audit.iter().rev().take(limit).cloned().collect()
    }

    /// The reviewers' decisions on kindergartens' refusals (upheld or overruled), oldest
    /// first, from the center's own log: what the notifier tells the parents.
    pub fn refusal_decisions(&self) -> Vec<crate::notify::RefusalDecision> {
        let upheld = rules::ActionKind::UpholdRefusal.as_str();
        let overruled = rules::ActionKind::OverruleRefusal.as_str();
        self.audit
            .iter()
            .filter(|r| r.action == upheld || r.action == overruled)
            .map(|r| crate::notify::RefusalDecision {
                application: r.subject.clone(),
                upheld: r.action == upheld,
                at: r.at,
            })
            .collect()
    }
}
