//! The reviewer queue: kindergartens' refusals, kiosk entries the rules refused, clock
//! flags; and the reviewers' decisions on them.

use std::collections::BTreeMap;

use rules::authz::staff::StaffAction;
use rules::model::Status;
use rules::{Command, Instant};
use serde::{Deserialize, Serialize};

use super::{Center, CommandFailure, Invalid};
use crate::accounts::StaffUser;
use crate::fold::Source;
use crate::store::{CenterStore, ReviewDecision};

/// One item of the reviewer queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReviewItem {
    /// `R-<application>` (kindergarten refusal), `E-<kiosk>-<seq>` (refused entry),
    /// `C-<kiosk>-<seq>` (clock flag).
    pub id: String,
    /// `refusal`, `duplicate`, `conflict` or `clock`.
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kiosk: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seq: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub application: Option<String>,
    pub code: String,
    pub reason: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duplicate_of: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub command: Option<Command>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub effective_time: Option<Instant>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kiosk_time: Option<String>,
    /// `open`, `upheld` or `overruled`.
    pub status: String,
    /// The district whose reviewers decide it: the application's, else the kiosk's.
    pub district: String,
}

/// A reviewer's decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Uphold,
    Overrule,
}

impl<S: CenterStore> Center<S> {
    /// Every review item, open and decided.
    pub fn review_items(&self) -> Vec<ReviewItem> {
        let status = |id: &str| self.reviews.get(id).map_or_else(|| "open".to_owned(), |d| d.decision.clone());
        let mut items = Vec::new();
        for app in self.fold.state().applications().filter(|a| a.status == Status::RefusalReview) {
            items.push(refusal_item(app, "open"));
        }
        // Refusals decided already (their decision is in the center's own log): the latest
        // decision of each application that is not under review again.
        let mut decided: BTreeMap<String, ReviewItem> = BTreeMap::new();
        for decision in self.refusal_decisions() {
            let id = format!("R-{}", decision.application);
            let Some(app) = self.fold.state().application(&decision.application) else { continue };
            if app.status == Status::RefusalReview {
                continue;
            }
            decided.insert(id, refusal_item(app, if decision.upheld { "upheld" } else { "overruled" }));
        }
        items.extend(decided.into_values());
        for (source, rejection) in self.fold.rejections() {
            let Source::Kiosk { kiosk, seq } = source else { continue };
            let id = format!("E-{kiosk}-{seq}");
            let application = match &rejection.item.command {
                Command::Register { application } => Some(application.id.clone()),
                Command::Act { application, .. } => Some(application.clone()),
                _ => None,
            };
            let district = match &rejection.item.command {
                Command::Register { application } => Some(application.district.clone()),
                _ => application.as_deref().and_then(|a| self.fold.state().application(a)).map(|a| a.district.clone()),
            }
            .unwrap_or_else(|| self.kiosk_district(kiosk));
            items.push(ReviewItem {
                status: status(&id),
                district,
                id,
                kind: if rejection.code == "DUPLICATE_CHILD" { "duplicate" } else { "conflict" }.into(),
                kiosk: Some(kiosk.clone()),
                seq: Some(*seq),
                application,
                code: rejection.code.clone(),
                reason: rejection.reason.clone(),
                duplicate_of: rejection.duplicate_of.clone(),
                command: Some(rejection.item.command.clone()),
                effective_time: Some(rejection.item.now),
                kiosk_time: None,
            });
        }
        for (kiosk, state) in &self.kiosks {
            for flag in state.flags.values() {
                let id = format!("C-{kiosk}-{}", flag.seq);
                items.push(ReviewItem {
                    status: status(&id),
                    district: state.record.district.clone(),
                    id,
                    kind: "clock".into(),
                    kiosk: Some(kiosk.clone()),
                    seq: Some(flag.seq),
                    application: None,
                    code: format!(
                        "CLOCK_{}",
                        serde_json::to_value(flag.problem)
                            .ok()
                            .and_then(|v| v.as_str().map(str::to_owned))
                            .unwrap_or_default()
                    ),
                    reason: format!(
                        "kiosk time {} outside [{}, {}]; used {}",
                        flag.kiosk_time, flag.window_from, flag.window_to, flag.effective_time
                    ),
                    duplicate_of: None,
                    command: None,
                    effective_time: Some(flag.effective_time),
                    kiosk_time: Some(flag.kiosk_time.clone()),
                });
            }
        }
        items
    }

    /// A reviewer's decision on an item (`login` must be a reviewer; `password` is checked).
    /// - `R-<app>`: uphold or overrule the kindergarten's refusal (a center log entry);
    /// - `E-<kiosk>-<seq>`: uphold = the refusal of the entry stands; overrule = its command
    ///   is decided again on today's state as of the entry's effective time, as a center log
    ///   entry (the rules must accept it so);
    /// - `C-<kiosk>-<seq>`: uphold = the clamped time stands (a clock flag cannot be overruled).
    pub fn review(
        &mut self,
        item: &str,
        decision: Decision,
        user: &StaffUser,
        at: Instant,
        note: Option<String>,
    ) -> Result<ReviewItem, CommandFailure> {
        let current = self.review_item(item)?;
        self.allow(user, StaffAction::Review, Some(&current.district))?;
        let login = user.login.as_str();
        if current.status != "open" {
            return Err(Invalid::Decided { item: item.to_owned(), status: current.status }.into());
        }
        match (current.kind.as_str(), decision) {
            ("refusal", _) => {
                let action = if decision == Decision::Uphold {
                    rules::Action::UpholdRefusal
                } else {
                    rules::Action::OverruleRefusal
                };
                let application = current.application.clone().unwrap_or_default();
                self.run_center(Command::Act { application, action }, login, at, false)?;
            }
            ("clock", Decision::Overrule) => {
                return Err(Invalid::ClockOverrule.into());
            }
            (_, Decision::Overrule) => {
                let command = current.command.clone().ok_or(Invalid::NothingToApply)?;
                // Decided as of the entry's own (effective) time, not the review's: a
                // registration keeps its instant, a confirmation made in time stands.
                self.run_center(command, login, current.effective_time.unwrap_or(at), false)?;
            }
            (_, Decision::Uphold) => {}
        }
        let decided = ReviewDecision {
            item: item.to_owned(),
            decision: if decision == Decision::Uphold { "upheld" } else { "overruled" }.into(),
            reviewer: login.to_owned(),
            at,
            note: note.clone(),
        };
        let action = if decision == Decision::Uphold { "review.uphold" } else { "review.overrule" };
        self.audit_action(login, action, item, note, at)?;
        if current.kind != "refusal" {
            self.store.put_review(&decided)?;
            self.reviews.insert(item.to_owned(), decided.clone());
        }
        Ok(ReviewItem { status: decided.decision, ..current })
    }
}

/// The review item of a kindergarten's refusal of `app` (`R-<application>`), in `status`.
fn refusal_item(app: &rules::model::Application, status: &str) -> ReviewItem {
    ReviewItem {
        status: status.into(),
        district: app.district.clone(),
        id: format!("R-{}", app.id),
        kind: "refusal".into(),
        kiosk: None,
        seq: None,
        application: Some(app.id.clone()),
        code: "REFUSAL_REVIEW".into(),
        reason: app.direction.as_ref().and_then(|d| d.refusal_reason.clone()).unwrap_or_default(),
        duplicate_of: None,
        command: None,
        effective_time: None,
        kiosk_time: None,
    }
}
