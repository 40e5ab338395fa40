//! What a signed-in parent can do, as methods of the center: sessions, linking a child,
//! registering, acting. Every check is asked of `rules` (the parent's rights of
//! `rules::authz::parent`, then the command's own `State::decide`) before an entry is
//! written; the ingest asks `rules::authz::parent` again, like it does for any source.

use changelog::{KioskKey, Payload};
use rules::authz::parent::{self, ParentActor};
use rules::model::{GroupLanguage, NewApplication};
use rules::{Action, Command, Instant};
use serde::Serialize;

use super::ParentError;
use super::views::{self, ApplicationView, Choice, Contract};
use crate::accounts::token_hash;
use crate::population::PopulationRegistry;
use crate::service::Center;
use crate::store::{CenterStore, SessionRecord};

/// A signed-in parent: who, and how they signed in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ParentIdentity {
    pub iin: String,
    pub method: String,
}

impl ParentIdentity {
    /// The operator name of this parent's entries (`parent/<method>/<IIN>`).
    pub fn operator(&self) -> String {
        parent::operator_name(&self.method, &self.iin)
    }
}

/// A child linked to a parent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LinkedChild {
    pub iin: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub linked_at: Option<Instant>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// A parent's session just opened: the token goes to the client once.
#[derive(Debug, Clone)]
pub struct OpenedParentSession {
    pub token: String,
    pub record: SessionRecord,
    pub parent: ParentIdentity,
}

impl<S: CenterStore> Center<S> {
    /// Opens a session for a parent who proved `iin` with `method` (stored: a restart keeps it).
    pub fn open_parent_session(
        &mut self,
        iin: &str,
        method: &str,
        now: Instant,
        lifetime: std::time::Duration,
    ) -> Result<OpenedParentSession, ParentError> {
        let parent = ParentIdentity { iin: iin.to_owned(), method: method.to_owned() };
        let lifetime = chrono::Duration::from_std(lifetime).unwrap_or(chrono::Duration::minutes(30));
        let (token, record) = self.start_session::<ParentError>(parent.operator(), now, lifetime)?;
        Ok(OpenedParentSession { token, record, parent })
    }

    /// The parent's session of `token` at `now` (none when unknown, expired, or a staff session).
    pub fn parent_session(&self, token: &str, now: Instant) -> Option<(SessionRecord, ParentIdentity)> {
        let record = self.sessions.get(&token_hash(token))?;
        if record.expires_at <= now {
            return None;
        }
        let (method, iin) = parent::parse_operator(&record.login)?;
        Some((record.clone(), ParentIdentity { iin: iin.to_owned(), method: method.to_owned() }))
    }

    /// The parent's applications (their linked children's), newest first.
    pub fn parent_applications(&self, parent: &ParentIdentity, now: Instant) -> Vec<ApplicationView> {
        let children = self.linked_children(&parent.iin);
        let actor = ParentActor { iin: &parent.iin, children: &children };
        let state = self.state();
        let mut apps: Vec<ApplicationView> =
            state.applications().filter(|a| actor.sees(a)).map(|a| ApplicationView::of(state, a, now)).collect();
        apps.sort_by_key(|a| std::cmp::Reverse(a.application.registered_at));
        apps
    }

    /// One of the parent's applications (not found when it is not theirs).
    pub fn parent_application(
        &self,
        parent: &ParentIdentity,
        id: &str,
        now: Instant,
    ) -> Result<ApplicationView, ParentError> {
        let children = self.linked_children(&parent.iin);
        let actor = ParentActor { iin: &parent.iin, children: &children };
        self.state()
            .application(id)
            .filter(|a| actor.sees(a))
            .map(|a| ApplicationView::of(self.state(), a, now))
            .ok_or_else(|| ParentError::Denied(parent::ParentDenied::UnknownApplication { id: id.to_owned() }))
    }

    /// Links `child_iin` to the parent once the registry confirms it (a `parentLinked` entry).
    /// Linking a child already linked changes nothing.
    pub fn link_child(
        &mut self,
        key: &KioskKey,
        parent: &ParentIdentity,
        child_iin: &str,
        registry: &dyn PopulationRegistry,
        now: Instant,
    ) -> Result<LinkedChild, ParentError> {
        let check = registry.check(&parent.iin, child_iin).map_err(ParentError::Registry)?;
        if !check.confirmed {
            return Err(ParentError::NotInRegistry { child: child_iin.to_owned() });
        }
        let linked = |center: &Self| center.child_links(&parent.iin).into_iter().find(|c| c.iin == child_iin);
        if let Some(child) = linked(self) {
            return Ok(child);
        }
        let payload = Payload::ParentLinked {
            parent: parent.iin.clone(),
            child: child_iin.to_owned(),
            evidence: format!("{}:{}", registry.name(), check.evidence),
        };
        self.channel_write(key, &parent.operator(), &[payload], now)?;
        linked(self).ok_or_else(|| ParentError::NotFound(child_iin.to_owned()))
    }

    /// Registers a linked child online: the channel numbers it, the parent is the applicant.
    pub fn register_online(
        &mut self,
        key: &KioskKey,
        parent: &ParentIdentity,
        mut application: NewApplication,
        now: Instant,
    ) -> Result<ApplicationView, ParentError> {
        application.id = self.next_online_id(&application.district, now.local_date().year());
        if application.applicant.iin.is_empty() {
            application.applicant.iin.clone_from(&parent.iin);
        }
        let id = application.id.clone();
        let command = Command::Register { application };
        self.check_parent_command(parent, &command, now)?;
        self.channel_write(key, &parent.operator(), &[Payload::Command { command }], now)?;
        self.parent_application(parent, &id, now)
    }

    /// Takes a parent's action on their child's application. A kindergarten choice needs the
    /// SHA-256 of the contract the parent accepted; it is logged just before the choice.
    pub fn act_online(
        &mut self,
        key: &KioskKey,
        parent: &ParentIdentity,
        id: &str,
        action: Action,
        contract_sha256: Option<&str>,
        now: Instant,
    ) -> Result<ApplicationView, ParentError> {
        let command = Command::Act { application: id.to_owned(), action };
        self.check_parent_command(parent, &command, now)?;
        let mut payloads = Vec::with_capacity(2);
        if let Command::Act { action: Action::ChooseKindergarten { kindergarten, language }, .. } = &command {
            let app = self.state().application(id).ok_or_else(|| ParentError::NotFound(id.to_owned()))?;
            let k =
                self.state().kindergarten(kindergarten).ok_or_else(|| ParentError::NotFound(kindergarten.clone()))?;
            let sha256 = contract_sha256.ok_or(ParentError::ContractMismatch)?;
            if !views::contract_matches(app, k, *language, sha256) {
                return Err(ParentError::ContractMismatch);
            }
            payloads.push(Payload::ContractSigned {
                application: id.to_owned(),
                kindergarten: kindergarten.clone(),
                text_sha256: sha256.to_owned(),
            });
        }
        payloads.push(Payload::Command { command });
        self.channel_write(key, &parent.operator(), &payloads, now)?;
        self.parent_application(parent, id, now)
    }

    /// The kindergartens the parent may choose for their application now.
    pub fn parent_choices(&self, parent: &ParentIdentity, id: &str, now: Instant) -> Result<Vec<Choice>, ParentError> {
        let view = self.parent_application(parent, id, now)?;
        Ok(views::choices(self.state(), &view.application))
    }

    /// The e-contract for choosing `kindergarten` (group `language`) for the parent's application.
    pub fn parent_contract(
        &self,
        parent: &ParentIdentity,
        id: &str,
        kindergarten: &str,
        language: GroupLanguage,
        lang: rules::Lang,
        now: Instant,
    ) -> Result<Contract, ParentError> {
        let view = self.parent_application(parent, id, now)?;
        let k =
            self.state().kindergarten(kindergarten).ok_or_else(|| ParentError::NotFound(kindergarten.to_owned()))?;
        Ok(views::contract(&view.application, k, language, lang))
    }

    /// The parent's rights (`rules::authz::parent`), then the rules' own decision, on the
    /// state now: nothing is written for a command that would be refused.
    fn check_parent_command(
        &self,
        parent: &ParentIdentity,
        command: &Command,
        now: Instant,
    ) -> Result<(), ParentError> {
        let children = self.linked_children(&parent.iin);
        let actor = ParentActor { iin: &parent.iin, children: &children };
        parent::may(&actor, command, self.state()).map_err(ParentError::Denied)?;
        self.state().decide(command, now).map_err(ParentError::Rules)?;
        Ok(())
    }
}
