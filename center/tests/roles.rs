//! Roles re-checked at the center from the signed entries alone.
//!
//! Every entry here is validly signed by the kiosk's key: what a modified kiosk could upload
//! after bypassing its own checks. Each (role × kind of entry) either passes the role check
//! or stops the kiosk's stream with the exact code, keeping every valid entry before it.
#![allow(clippy::unwrap_used, clippy::too_many_lines)]

mod common;

use center::Center;
use changelog::{KioskKey, Payload};
use common::*;
use rules::command::{ActionKind, Role};
use rules::model::{GroupLanguage, NewPlaces};
use rules::{Action, Command, RightClass};

const DAY: &str = "2026-03-10T10:00:00+05:00";
const RECEIVED: &str = "2026-03-10T18:00:00+05:00";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Register,
    AddPlaces,
    Act(ActionKind),
    Distribute,
    Tick,
    AddOperator,
    DisableOperator,
    RotateKey,
}

fn kinds() -> Vec<Kind> {
    let mut out = vec![Kind::Register, Kind::AddPlaces, Kind::Distribute, Kind::Tick];
    out.extend(ActionKind::ALL.iter().map(|a| Kind::Act(*a)));
    out.extend([Kind::AddOperator, Kind::DisableOperator, Kind::RotateKey]);
    out
}

/// The contract of issue #8, written out independently of the code under test:
/// `None` = allowed for that role, otherwise the code the center must give.
fn expected(role: Role, kind: Kind) -> Option<&'static str> {
    let only = |allowed: Role| (role != allowed).then_some("WRONG_ROLE");
    match kind {
        Kind::Distribute
        | Kind::Tick
        | Kind::Act(ActionKind::IssueVoucher | ActionKind::UpholdRefusal | ActionKind::OverruleRefusal) => {
            Some("FORBIDDEN_COMMAND")
        }
        Kind::Register
        | Kind::Act(
            ActionKind::ConfirmVoucher
            | ActionKind::RestoreVoucher
            | ActionKind::ExtendChoice
            | ActionKind::ChooseKindergarten
            | ActionKind::RefuseVoucher
            | ActionKind::Withdraw,
        ) => only(Role::Operator),
        Kind::AddPlaces | Kind::Act(ActionKind::AcceptChild | ActionKind::RefuseChild | ActionKind::MarkDeparted) => {
            only(Role::Kindergarten)
        }
        Kind::AddOperator | Kind::DisableOperator | Kind::RotateKey => only(Role::Admin),
    }
}

fn action(kind: ActionKind) -> Action {
    match kind {
        ActionKind::IssueVoucher => Action::IssueVoucher,
        ActionKind::ConfirmVoucher => Action::ConfirmVoucher,
        ActionKind::RestoreVoucher => Action::RestoreVoucher,
        ActionKind::ExtendChoice => Action::ExtendChoice { days: 5 },
        ActionKind::ChooseKindergarten => {
            Action::ChooseKindergarten { kindergarten: KG.into(), language: GroupLanguage::Ru }
        }
        ActionKind::RefuseVoucher => Action::RefuseVoucher,
        ActionKind::Withdraw => Action::Withdraw,
        ActionKind::AcceptChild => Action::AcceptChild,
        ActionKind::RefuseChild => Action::RefuseChild { reason: "нет мест".into() },
        ActionKind::UpholdRefusal => Action::UpholdRefusal,
        ActionKind::OverruleRefusal => Action::OverruleRefusal,
        ActionKind::MarkDeparted => Action::MarkDeparted { date: date("2026-03-10"), reason: "переезд".into() },
    }
}

/// A kiosk with `admin` (its first entry's signer), `op`, `kg`, a spare operator account and
/// one registered child `K1-A1`.
fn staffed() -> TestKiosk {
    let mut kiosk = TestKiosk::new("K1").with_staff("2026-03-10T09:00:00+05:00");
    add(&mut kiosk, "admin", "spare", Role::Operator, &[]);
    kiosk.register_child(DAY, application("K1-A1", &child_iin("2023-01-05", 1), "2023-01-05", RightClass::None));
    kiosk
}

fn add(kiosk: &mut TestKiosk, by: &str, login: &str, role: Role, kindergartens: &[&str]) -> u64 {
    kiosk.push(
        DAY,
        by,
        &Payload::OperatorAdded {
            login: login.into(),
            name: "Имя".into(),
            role,
            kindergartens: kindergartens.iter().map(|k| (*k).to_owned()).collect(),
        },
    )
}

/// Appends the entry of `kind` signed by `login`; after a rotation the kiosk signs with the new key.
fn push(kiosk: &mut TestKiosk, login: &str, kind: Kind) -> u64 {
    let command = |command| Payload::Command { command };
    let payload = match kind {
        Kind::Register => command(Command::Register {
            application: application("K1-A2", &child_iin("2023-01-06", 2), "2023-01-06", RightClass::None),
        }),
        Kind::AddPlaces => command(Command::AddPlaces {
            places: NewPlaces {
                id: "K1-P1".into(),
                kindergarten: KG.into(),
                language: GroupLanguage::Ru,
                group_year: 2023,
                count: 2,
            },
        }),
        Kind::Act(kind) => command(Command::Act { application: "K1-A1".into(), action: action(kind) }),
        Kind::Distribute => command(Command::Distribute { district: DISTRICT.into() }),
        Kind::Tick => command(Command::Tick),
        Kind::AddOperator => Payload::OperatorAdded {
            login: "newcomer".into(),
            name: "Новый".into(),
            role: Role::Operator,
            kindergartens: vec![],
        },
        Kind::DisableOperator => Payload::OperatorDisabled { login: "spare".into() },
        Kind::RotateKey => {
            let next = KioskKey::generate().unwrap();
            let seq = kiosk.push(DAY, login, &Payload::KeyRotated { public_key: next.public_hex() });
            kiosk.key = next;
            return seq;
        }
    };
    kiosk.push(DAY, login, &payload)
}

/// Ingests the whole log and checks the outcome of entry `bad` against `code`.
fn assert_outcome(center: &mut Center, kiosk: &TestKiosk, bad: u64, code: Option<&str>, what: &str) {
    let last = kiosk.next_seq() - 1;
    let report = center.ingest(&kiosk.all(), at(RECEIVED), None).unwrap().report;
    match code {
        None => {
            assert_eq!(report.accepted_through_seq, last, "{what}: {report:?}");
            assert!(report.quarantined.is_empty(), "{what}: {report:?}");
        }
        Some(code) => {
            assert_eq!(report.accepted_through_seq, bad - 1, "{what}: valid entries before are kept: {report:?}");
            let notes: Vec<(u64, &str)> = report.quarantined.iter().map(|q| (q.seq, q.code.as_str())).collect();
            // Entries after it get a note when the kiosk signed them with the key the center
            // holds for it (a refused rotation is not followed): the others are set aside
            // without one.
            let held = center.kiosk_auth()[&kiosk.id].key;
            let mut want = vec![(bad, code)];
            let mut unattributed = 0;
            for seq in bad + 1..=last {
                if kiosk.entries[usize::try_from(seq - 1).unwrap()].verify(&held) {
                    want.push((seq, "AFTER_QUARANTINED"));
                } else {
                    unattributed += 1;
                }
            }
            assert_eq!(notes, want, "{what}");
            assert_eq!(report.unattributed, unattributed, "{what}");
        }
    }
    assert!(center.state().application("K1-A1").is_some(), "{what}: the registration before is kept");
}

#[test]
fn every_kiosk_role_against_every_kind_of_entry() {
    let logins = [(Role::Operator, "op"), (Role::Kindergarten, "kg"), (Role::Admin, "admin")];
    let mut checked = 0;
    for (role, login) in logins {
        for kind in kinds() {
            let (_dir, mut center) = center();
            let mut kiosk = staffed();
            kiosk.register(&mut center);
            let bad = push(&mut kiosk, login, kind);
            // A valid entry after it: accepted with it, or quarantined behind it.
            kiosk.register_child(
                DAY,
                application("K1-TAIL", &child_iin("2023-01-07", 3), "2023-01-07", RightClass::None),
            );
            let code = expected(role, kind);
            assert_outcome(&mut center, &kiosk, bad, code, &format!("{role:?} {kind:?}"));
            if kind == Kind::RotateKey && code.is_some() {
                // The tail is signed with the key of the refused rotation: no note for it.
                assert!(!center.quarantine().iter().any(|q| q.note.seq == bad + 1), "{role:?} {kind:?}");
            }
            assert_eq!(center.state().application("K1-TAIL").is_some(), code.is_none(), "{role:?} {kind:?}");
            checked += 1;
        }
    }
    assert_eq!(checked, 3 * 19);
}

#[test]
fn kiosks_cannot_create_center_or_reviewer_accounts() {
    for role in [Role::Reviewer, Role::Center] {
        let (_dir, mut center) = center();
        let mut kiosk = staffed();
        kiosk.register(&mut center);
        let bad = add(&mut kiosk, "admin", "boss", role, &[]);
        assert_outcome(&mut center, &kiosk, bad, Some("FORBIDDEN_ROLE"), role.as_str());
    }
}

#[test]
fn accounts_change_only_by_an_active_administrator() {
    // A disabled administrator's entries, self-promotion, a second admin's work, logins reused.
    type Case = (&'static str, Box<dyn Fn(&mut TestKiosk) -> u64>, Option<&'static str>);
    let cases: Vec<Case> = vec![
        ("operator promotes itself", Box::new(|k| add(k, "op", "op2", Role::Admin, &[])), Some("WRONG_ROLE")),
        ("unknown signer", Box::new(|k| add(k, "ghost", "x1", Role::Operator, &[])), Some("UNKNOWN_OPERATOR")),
        (
            "a second administrator adds an account",
            Box::new(|k| {
                add(k, "admin", "admin2", Role::Admin, &[]);
                add(k, "admin2", "x2", Role::Kindergarten, &[KG])
            }),
            None,
        ),
        (
            "a disabled administrator",
            Box::new(|k| {
                add(k, "admin", "admin2", Role::Admin, &[]);
                k.push(DAY, "admin", &Payload::OperatorDisabled { login: "admin2".into() });
                add(k, "admin2", "x3", Role::Operator, &[])
            }),
            Some("UNKNOWN_OPERATOR"),
        ),
        (
            "a disabled administrator rotates the key",
            Box::new(|k| {
                add(k, "admin", "admin2", Role::Admin, &[]);
                k.push(DAY, "admin", &Payload::OperatorDisabled { login: "admin2".into() });
                push(k, "admin2", Kind::RotateKey)
            }),
            Some("UNKNOWN_OPERATOR"),
        ),
        ("a login reused", Box::new(|k| add(k, "admin", "op", Role::Admin, &[])), Some("LOGIN_REUSED")),
        (
            "kindergarten staff without a kindergarten",
            Box::new(|k| add(k, "admin", "kg9", Role::Kindergarten, &[])),
            Some("ACCOUNT_RULE"),
        ),
        (
            "an operator bound to a kindergarten",
            Box::new(|k| add(k, "admin", "op9", Role::Operator, &[KG])),
            Some("ACCOUNT_RULE"),
        ),
        (
            "an administrator disables their own account",
            Box::new(|k| k.push(DAY, "admin", &Payload::OperatorDisabled { login: "admin".into() })),
            Some("ACCOUNT_RULE"),
        ),
        (
            "disabling an unknown account",
            Box::new(|k| k.push(DAY, "admin", &Payload::OperatorDisabled { login: "nobody".into() })),
            Some("UNKNOWN_OPERATOR"),
        ),
        (
            "a disabled operator registers",
            Box::new(|k| {
                k.push(DAY, "admin", &Payload::OperatorDisabled { login: "spare".into() });
                k.push(
                    DAY,
                    "spare",
                    &Payload::Command {
                        command: rules::Command::Register {
                            application: application(
                                "K1-A3",
                                &child_iin("2023-01-08", 4),
                                "2023-01-08",
                                RightClass::None,
                            ),
                        },
                    },
                )
            }),
            Some("UNKNOWN_OPERATOR"),
        ),
    ];
    for (what, make, code) in cases {
        let (_dir, mut center) = center();
        let mut kiosk = staffed();
        kiosk.register(&mut center);
        let bad = make(&mut kiosk);
        assert_outcome(&mut center, &kiosk, bad, code, what);
    }
}

#[test]
fn only_the_first_entry_makes_the_first_administrator() {
    // A kiosk whose first entry is a command has no administrator and no operator.
    let (_dir, mut first) = center();
    let mut kiosk = TestKiosk::new("K1");
    kiosk.register(&mut first);
    kiosk.register_child(DAY, application("K1-A1", &child_iin("2023-01-05", 1), "2023-01-05", RightClass::None));
    let report = first.ingest(&kiosk.all(), at(RECEIVED), None).unwrap().report;
    assert_eq!((report.accepted_through_seq, report.quarantined[0].code.as_str()), (0, "UNKNOWN_OPERATOR"));

    // The kiosk's own first entry: the administrator creating itself, as `kezek-kiosk init` writes it.
    let (dir, mut center) = center();
    let mut kiosk = TestKiosk::new("K2");
    kiosk.register(&mut center);
    add(&mut kiosk, "root", "root", Role::Admin, &[]);
    add(&mut kiosk, "root", "op", Role::Operator, &[]);
    // Later, a different signer cannot claim to be a first administrator.
    let bad = add(&mut kiosk, "intruder", "intruder", Role::Admin, &[]);
    let report = center.ingest(&kiosk.all(), at(RECEIVED), None).unwrap().report;
    assert_eq!(report.accepted_through_seq, 2, "{report:?}");
    assert_eq!((report.quarantined[0].seq, report.quarantined[0].code.as_str()), (bad, "UNKNOWN_OPERATOR"));

    // The operator list is rebuilt from the log on restart: the same verdicts after reopening.
    drop(center);
    let mut reopened = Center::open(dir.path()).unwrap();
    let report = reopened.ingest(&kiosk.all(), at("2026-03-10T19:00:00+05:00"), None).unwrap().report;
    assert_eq!(report.duplicates, 2);
    assert_eq!((report.quarantined[0].seq, report.quarantined[0].code.as_str()), (bad, "UNKNOWN_OPERATOR"));
    assert_eq!(reopened.kiosks()[0].operators, 2);
}
