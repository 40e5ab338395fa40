//! Checking one kiosk's uploaded entries: everything but the rules' own decision.
//!
//! Order of checks for each entry after the center's accepted head (the first failure
//! stops the kiosk's stream there; entries before it are accepted, the rest quarantined):
//! decode → kiosk id → sequence (resent identical entries are skipped; same sequence with
//! other bytes is a fork) → previous hash → signature (batch-verified) → operator and role →
//! scope (the kiosk's own id prefix and the districts it serves: `rules::authz`).

use std::collections::HashMap;

use changelog::{EntryBody, Hash, Payload, SignedEntry, VerifyingKey, public_key_from_hex};
use ed25519_dalek::Signature;
use rules::Command;
use rules::authz::accounts::{self, AccountDenied, AccountRef};
use rules::authz::kiosk::{self as kiosk_authz, KioskActor, KioskDenied};
use rules::authz::parent::{CHANNEL_ID, parse_operator};
use rules::command::Role;
use rules::{Lang, Localized};

#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
enum CommandTag {
    Command,
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
enum RegisterTag {
    Register,
}

/// `{"type":"command","command":{"type":"register","application":{…}}}` in one pass.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct FastCommand {
    #[serde(rename = "type")]
    _kind: CommandTag,
    command: FastRegister,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct FastRegister {
    #[serde(rename = "type")]
    _kind: RegisterTag,
    application: rules::model::NewApplication,
}

/// Decodes an entry's payload like [`EntryBody::payload`], faster for the common case.
///
/// `Payload` and `Command` are internally tagged enums, which serde decodes through an
/// intermediate buffer; a registration (the bulk of a log) is decoded here in one pass
/// straight into its `NewApplication`. Anything else, or anything unusual, fails this path
/// early and takes the general one, so the result (and every error) is the same.
pub fn decode_payload(body: &EntryBody) -> Result<Payload, changelog::DecodeError> {
    if let Ok(FastCommand { command: FastRegister { application, .. }, .. }) = serde_json::from_slice(&body.payload) {
        return Ok(Payload::Command { command: Command::Register { application } });
    }
    body.payload()
}

/// An operator account a kiosk created in its own log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KioskOperator {
    pub role: Role,
    pub kindergartens: Vec<String>,
    pub disabled: bool,
    /// Children linked to a parent (the parents' channel only, keyed by the parent's IIN).
    pub children: Vec<String>,
    /// When each child was linked (the link entry's time, as written).
    pub linked_at: std::collections::BTreeMap<String, String>,
}

impl KioskOperator {
    /// An active account with no children linked.
    pub fn new(role: Role, kindergartens: Vec<String>) -> Self {
        KioskOperator {
            role,
            kindergartens,
            disabled: false,
            children: Vec::new(),
            linked_at: std::collections::BTreeMap::new(),
        }
    }
}

/// The first entry that failed, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stop {
    /// Index in the bundle.
    pub index: usize,
    pub seq: u64,
    pub code: &'static str,
    pub reason: String,
}

/// An entry that passed every check.
#[derive(Debug, Clone)]
pub struct Checked {
    pub index: usize,
    pub body: EntryBody,
    pub payload: Payload,
    pub hash: Hash,
}

/// The result of checking a bundle against a kiosk's head.
#[derive(Debug, Default)]
pub struct CheckOutcome {
    /// Entries already accepted, resent identically.
    pub duplicates: usize,
    pub accepted: Vec<Checked>,
    pub stop: Option<Stop>,
    /// The kiosk's key after the accepted entries (rotations followed).
    pub key: Option<VerifyingKey>,
}

/// What the checker needs to know about the kiosk.
#[derive(Debug)]
pub struct KioskView<'a> {
    pub id: &'a str,
    pub head_seq: u64,
    pub head_hash: Hash,
    /// `hashes[seq - 1]` for every accepted entry.
    pub hashes: &'a [Hash],
    pub key: VerifyingKey,
    pub operators: &'a HashMap<String, KioskOperator>,
    /// The ids and districts the kiosk may write for.
    pub scope: rules::authz::SourceScope<'a>,
    /// The center's state (districts of the applications and kindergartens acted on).
    pub state: &'a rules::State,
}

struct Candidate {
    index: usize,
    body: EntryBody,
    payload: Payload,
    hash: Hash,
    key: VerifyingKey,
}

/// Checks `entries` (a bundle's, in order) against the kiosk's accepted head.
pub fn check(view: &KioskView<'_>, entries: &[SignedEntry]) -> CheckOutcome {
    let mut out = CheckOutcome::default();
    let mut expected = view.head_seq + 1;
    let mut prev = view.head_hash;
    let mut key = view.key;
    let mut candidates: Vec<Candidate> = Vec::new();
    let mut stop = None;
    for (index, entry) in entries.iter().enumerate() {
        let mut fail = |seq: u64, code: &'static str, reason: String| {
            stop = Some(Stop { index, seq, code, reason });
        };
        let body = match entry.body() {
            Ok(body) => body,
            Err(e) => {
                fail(expected, "DECODE", format!("cannot decode the entry: {e}"));
                break;
            }
        };
        if body.kiosk != view.id {
            fail(body.seq, "WRONG_KIOSK", format!("entry belongs to kiosk {}, not {}", body.kiosk, view.id));
            break;
        }
        let hash = entry.hash();
        if candidates.is_empty() && body.seq >= 1 && body.seq <= view.head_seq {
            if view.hashes.get(usize::try_from(body.seq - 1).unwrap_or(usize::MAX)) == Some(&hash) {
                out.duplicates += 1;
                continue;
            }
            fail(body.seq, "FORK", format!("sequence {} was accepted with different content (fork)", body.seq));
            break;
        }
        if body.seq != expected {
            fail(body.seq, "SEQUENCE_GAP", format!("expected sequence {expected}, found {}", body.seq));
            break;
        }
        if body.prev_hash != prev {
            fail(
                body.seq,
                "BROKEN_CHAIN",
                "previous-hash mismatch: the entry does not continue the accepted chain".into(),
            );
            break;
        }
        let payload = match decode_payload(&body) {
            Ok(p) => p,
            Err(e) => {
                fail(body.seq, "DECODE", format!("cannot decode the payload: {e}"));
                break;
            }
        };
        let signer = key;
        if let Payload::KeyRotated { public_key } = &payload {
            match public_key_from_hex(public_key) {
                Ok(next) if !next.is_weak() => key = next,
                Ok(_) => {
                    fail(body.seq, "BAD_KEY", "rotation to a weak key".into());
                    break;
                }
                Err(e) => {
                    fail(body.seq, "BAD_KEY", format!("rotation to an unreadable key: {e}"));
                    break;
                }
            }
        }
        prev = hash;
        expected += 1;
        candidates.push(Candidate { index, body, payload, hash, key: signer });
    }

    // Signatures, in one batch (the common case: all good), then one by one to find the first bad.
    if !candidates.is_empty() {
        let messages: Vec<&[u8]> = candidates.iter().map(|c| entries[c.index].body_bytes()).collect();
        let signatures: Vec<Signature> =
            candidates.iter().map(|c| Signature::from_bytes(entries[c.index].signature())).collect();
        let keys: Vec<VerifyingKey> = candidates.iter().map(|c| c.key).collect();
        if ed25519_dalek::verify_batch(&messages, &signatures, &keys).is_err()
            && let Some(bad) = candidates.iter().position(|c| !entries[c.index].verify(&c.key))
        {
            let c = &candidates[bad];
            stop =
                Some(Stop { index: c.index, seq: c.body.seq, code: "BAD_SIGNATURE", reason: "bad signature".into() });
            candidates.truncate(bad);
        }
    }

    // Operators and roles, in order (an entry may rely on an operator added just before).
    let mut operators = view.operators.clone();
    let mut accepted = Vec::with_capacity(candidates.len());
    let mut final_key = view.key;
    for c in candidates {
        if let Err((code, reason)) = check_role(&mut operators, &c.body, &c.payload)
            .and_then(|()| check_scope(view, &c.payload))
            .and_then(|()| check_parent(view, &operators, &c.body, &c.payload))
        {
            stop = Some(Stop { index: c.index, seq: c.body.seq, code, reason });
            break;
        }
        if let Payload::KeyRotated { public_key } = &c.payload
            && let Ok(next) = public_key_from_hex(public_key)
        {
            final_key = next;
        }
        accepted.push(Checked { index: c.index, body: c.body, payload: c.payload, hash: c.hash });
    }
    out.accepted = accepted;
    out.stop = stop;
    out.key = Some(final_key);
    out
}

/// Checks that an entry stays inside its kiosk's ids and districts (`rules::authz`).
fn check_scope(view: &KioskView<'_>, payload: &Payload) -> Result<(), (&'static str, String)> {
    let checked = match payload {
        Payload::Command { command } => view.scope.check_command(command, view.state),
        Payload::OperatorAdded { kindergartens, .. } => view.scope.check_kindergartens(kindergartens, view.state),
        Payload::OperatorDisabled { .. }
        | Payload::KeyRotated { .. }
        | Payload::Audit { .. }
        | Payload::ParentLinked { .. }
        | Payload::ContractSigned { .. } => Ok(()),
    };
    checked.map_err(|v| (v.code, v.message))
}

/// Checks a parent's command from the parents' channel against the children linked to that
/// parent so far (`rules::authz::parent`).
fn check_parent(
    view: &KioskView<'_>,
    operators: &HashMap<String, KioskOperator>,
    body: &EntryBody,
    payload: &Payload,
) -> Result<(), (&'static str, String)> {
    let Payload::Command { command } = payload else { return Ok(()) };
    if body.kiosk != CHANNEL_ID {
        return Ok(());
    }
    let (_, iin) = parse_operator(&body.operator).ok_or_else(|| not_a_parent(body))?;
    let children = operators.get(iin).map_or(&[][..], |o| o.children.as_slice());
    let actor = rules::authz::parent::ParentActor { iin, children };
    rules::authz::parent::may(&actor, command, view.state).map_err(|denied| (denied.code(), denied.message(Lang::En)))
}

fn not_a_parent(body: &EntryBody) -> (&'static str, String) {
    ("UNKNOWN_OPERATOR", format!("{:?} is not a parent of the parents' channel", body.operator))
}

/// The parents' channel's own entries: parent commands, links and signed contracts; and
/// nobody else writes links or contracts.
fn check_channel_entry(
    operators: &mut HashMap<String, KioskOperator>,
    body: &EntryBody,
    payload: &Payload,
) -> Result<(), (&'static str, String)> {
    let channel = body.kiosk == CHANNEL_ID;
    match payload {
        Payload::ParentLinked { .. } | Payload::ContractSigned { .. } if !channel => Err((
            "FORBIDDEN_COMMAND",
            "parent links and signed contracts are written by the parents' channel only".to_owned(),
        )),
        Payload::ParentLinked { parent, child, .. } => {
            let (_, iin) = parse_operator(&body.operator).ok_or_else(|| not_a_parent(body))?;
            if iin != parent {
                return Err(("NOT_APPLICANT", format!("{} may not link a child to {parent}", body.operator)));
            }
            let links =
                operators.entry(parent.clone()).or_insert_with(|| KioskOperator::new(Role::Operator, Vec::new()));
            if !links.children.contains(child) {
                links.children.push(child.clone());
                links.linked_at.insert(child.clone(), body.kiosk_time.clone());
            }
            Ok(())
        }
        Payload::ContractSigned { .. } | Payload::Command { .. } => {
            parse_operator(&body.operator).map(|_| ()).ok_or_else(|| not_a_parent(body))
        }
        Payload::OperatorAdded { .. }
        | Payload::OperatorDisabled { .. }
        | Payload::KeyRotated { .. }
        | Payload::Audit { .. } => {
            Err(("FORBIDDEN_COMMAND", "the parents' channel writes parents' entries only".to_owned()))
        }
    }
}

/// Checks one entry's operator and role against the kiosk's accounts so far, and applies
/// an accepted account change to them; or says why the entry is not allowed.
///
/// Account changes and key rotations are administrators' entries. A kiosk's first entry
/// (written by `kezek-kiosk init`) is its first administrator creating its own account:
/// the signer of an `OperatorAdded` at sequence 1 is taken as that administrator.
#[allow(clippy::implicit_hasher)]
pub fn check_role(
    operators: &mut HashMap<String, KioskOperator>,
    body: &EntryBody,
    payload: &Payload,
) -> Result<(), (&'static str, String)> {
    if body.kiosk == CHANNEL_ID {
        return check_channel_entry(operators, body, payload);
    }
    match payload {
        Payload::Command { command } => {
            let refused = |denied: KioskDenied| refusal(body, &denied);
            kiosk_authz::not_center_only(command).map_err(refused)?;
            let operator = active(operators, &body.operator)?;
            let actor = KioskActor { role: operator.role, kindergartens: &operator.kindergartens };
            // The scope of an action on an application is checked in the fold, against the
            // state at the entry's place in it.
            kiosk_authz::may_issue(&actor, command).map_err(refused)
        }
        Payload::OperatorAdded { login, role, kindergartens, .. } => {
            let first_admin = body.seq == 1 && operators.is_empty();
            let by = if first_admin { Role::Admin } else { active(operators, &body.operator)?.role };
            accounts::may_add(by, *role, kindergartens)
                .map_err(|denied| account_refusal(body, "operatorAdded", denied))?;
            if first_admin {
                operators.insert(body.operator.clone(), KioskOperator::new(Role::Admin, Vec::new()));
            }
            if !(first_admin && *login == body.operator) && operators.contains_key(login) {
                return Err(("LOGIN_REUSED", format!("login {login} exists already on this kiosk")));
            }
            operators.insert(login.clone(), KioskOperator::new(*role, kindergartens.clone()));
            Ok(())
        }
        Payload::OperatorDisabled { login } => {
            let by = active(operators, &body.operator)?.role;
            let target = operators.get(login).ok_or_else(|| {
                ("UNKNOWN_OPERATOR", format!("operator {login:?} to disable does not exist on this kiosk"))
            })?;
            let active_admins = operators.values().filter(|o| !o.disabled && o.role == Role::Admin).count();
            accounts::may_disable(
                AccountRef { login: &body.operator, role: by },
                AccountRef { login, role: target.role },
                active_admins,
            )
            .map_err(|denied| account_refusal(body, "operatorDisabled", denied))?;
            if let Some(target) = operators.get_mut(login) {
                target.disabled = true;
            }
            Ok(())
        }
        Payload::KeyRotated { .. } => {
            let by = active(operators, &body.operator)?.role;
            accounts::may_administer(by).map_err(|denied| account_refusal(body, "keyRotated", denied))
        }
        // The audit trail is the center's own: a kiosk cannot write staff actions.
        Payload::Audit { .. } => {
            Err(("FORBIDDEN_COMMAND", "audit entries are written by the center, not by a kiosk".to_owned()))
        }
        Payload::ParentLinked { .. } | Payload::ContractSigned { .. } => check_channel_entry(operators, body, payload),
    }
}

fn active<'a>(
    operators: &'a HashMap<String, KioskOperator>,
    login: &str,
) -> Result<&'a KioskOperator, (&'static str, String)> {
    operators
        .get(login)
        .filter(|o| !o.disabled)
        .ok_or_else(|| ("UNKNOWN_OPERATOR", format!("operator {login:?} is not an active operator of this kiosk")))
}

/// The center's record of an account change or key rotation refused by
/// `rules::authz::accounts`.
fn account_refusal(body: &EntryBody, what: &str, denied: AccountDenied) -> (&'static str, String) {
    match denied {
        AccountDenied::AdminOnly { role } => wrong_role(body, what, Role::Admin, role),
        AccountDenied::RoleNotForKiosk { role } => {
            ("FORBIDDEN_ROLE", format!("a kiosk cannot create a {} account", role.as_str()))
        }
        AccountDenied::KindergartensRequired
        | AccountDenied::KindergartensNotAllowed
        | AccountDenied::CannotDisableSelf
        | AccountDenied::LastAdmin => (
            "ACCOUNT_RULE",
            format!("{what} by {} breaks the kiosk's account rules ({})", body.operator, denied.code()),
        ),
    }
}

/// The center's record of a kiosk command refused by `rules::authz::kiosk`.
fn refusal(body: &EntryBody, denied: &KioskDenied) -> (&'static str, String) {
    match denied {
        KioskDenied::WrongRole { command, required, role } => wrong_role(body, command, *required, *role),
        KioskDenied::WrongKindergarten { kindergarten } => {
            (denied.code(), format!("operator {} may not publish places of {kindergarten}", body.operator))
        }
        KioskDenied::CenterOnly { .. } | KioskDenied::KindergartenScope { .. } => {
            (denied.code(), denied.message(Lang::En))
        }
    }
}

fn wrong_role(body: &EntryBody, what: &str, required: Role, role: Role) -> (&'static str, String) {
    (
        "WRONG_ROLE",
        format!("{what} requires the {} role; operator {} has {}", required.as_str(), body.operator, role.as_str()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(payload: &[u8]) -> EntryBody {
        EntryBody {
            version: changelog::FORMAT_VERSION,
            kiosk: "K".into(),
            seq: 1,
            prev_hash: changelog::GENESIS_HASH,
            kiosk_time: "2026-03-10T10:00:00+05:00".into(),
            last_contact: None,
            operator: "op".into(),
            payload: payload.to_vec(),
        }
    }

    #[test]
    fn the_fast_payload_path_decodes_exactly_like_the_general_one() {
        let application = r#"{"id":"A","district":"KOK","queueType":"general","childIin":"230510500012","childName":"Имя","birthDate":"2023-05-10","applicant":{"iin":"900115300017","name":"Мама","kinship":"mother","phone":"+7"},"residence":{"kind":"permanent","address":"ул. \"Абая\""},"right":"none"}"#;
        let cases = [
            format!(r#"{{"type":"command","command":{{"type":"register","application":{application}}}}}"#),
            format!(r#"{{"command":{{"application":{application},"type":"register"}},"type":"command"}}"#),
            format!(r#"{{"type":"command","command":{{"type":"register","application":{application},"extra":1}}}}"#),
            format!(r#"{{"type":"command","command":{{"type":"register","application":{application}}},"x":2}}"#),
            r#"{"type":"command","command":{"type":"act","application":"A","action":{"type":"withdraw"}}}"#.to_owned(),
            r#"{"type":"command","command":{"type":"tick"}}"#.to_owned(),
            r#"{"type":"operatorDisabled","login":"op"}"#.to_owned(),
            r#"{"type":"comm\u0061nd","command":{"type":"tick"}}"#.to_owned(),
            r#"{"type":"command","command":{"type":"register","application":{"id":1}}}"#.to_owned(),
            "not json".to_owned(),
        ];
        for case in cases {
            let b = body(case.as_bytes());
            assert_eq!(decode_payload(&b), b.payload(), "{case}");
        }
        assert!(decode_payload(&body(cases_first().as_bytes())).is_ok());
    }

    fn cases_first() -> String {
        r#"{"type":"command","command":{"type":"tick"}}"#.to_owned()
    }
}
