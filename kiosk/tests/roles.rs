//! Roles at the kiosk: every role against every kind of command. A refused command is a
//! typed error with its code, and nothing is written (the log keeps its length).
#![allow(clippy::unwrap_used, clippy::too_many_lines)]

mod common;

use std::path::Path;

use kiosk::{InitParams, Kiosk, NewOperator, Session, testkit};
use rules::command::ActionKind;
use rules::model::{GroupLanguage, NewPlaces};
use rules::{Action, Command, Date, Localized, Role};

const KG: &str = "KG-AKK-01";
#[derive(Debug, Clone, Copy)]
enum Kind {
    Register,
    AddPlaces,
    Act(ActionKind),
    Distribute,
    Tick,
    AddOperator,
    DisableOperator,
}

/// The contract of issue #8, independent of the code under test: `None` = the role may,
/// otherwise the kiosk's error code.
fn expected(role: Role, kind: Kind) -> Option<&'static str> {
    let only = |allowed: Role| (role != allowed).then_some("WRONG_ROLE");
    match kind {
        Kind::Distribute
        | Kind::Tick
        | Kind::Act(ActionKind::IssueVoucher | ActionKind::UpholdRefusal | ActionKind::OverruleRefusal) => {
            Some("CENTER_ONLY")
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
        Kind::AddOperator | Kind::DisableOperator => (role != Role::Admin).then_some("ADMIN_ONLY"),
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
        ActionKind::MarkDeparted => {
            Action::MarkDeparted { date: Date::from_ymd(2026, 3, 1).unwrap(), reason: "переезд".into() }
        }
    }
}

fn places(kindergarten: &str) -> Command {
    Command::AddPlaces {
        places: NewPlaces {
            id: String::new(),
            kindergarten: kindergarten.into(),
            language: GroupLanguage::Ru,
            group_year: 2023,
            count: 2,
        },
    }
}

/// A kiosk with `admin`, `op`, `kg` (KG-AKK-01), a spare operator and one registration.
fn kiosk(dir: &Path) -> (Kiosk, String) {
    kiosk::passwords::insecure_fast_hashing_for_tests();
    let params = InitParams {
        district: "AKK".into(),
        name: "Akkol office".into(),
        kiosk_id: Some("AKK-02".into()),
        admin_login: "admin".into(),
        admin_name: "Admin".into(),
        admin_password: "admin-secret".into(),
    };
    Kiosk::init(dir, &params).unwrap();
    kiosk::reference::use_demo_directory(dir).unwrap();
    let mut k = Kiosk::open(dir).unwrap();
    let admin = k.login("admin", "admin-secret").unwrap();
    for (login, role, kindergartens) in [
        ("op", Role::Operator, vec![]),
        ("kg", Role::Kindergarten, vec![KG.to_owned()]),
        ("spare", Role::Operator, vec![]),
    ] {
        let new = NewOperator { login: login.into(), name: login.into(), role, kindergartens };
        k.add_operator(&admin, &new, "long-secret").unwrap();
    }
    let op = k.login("op", "long-secret").unwrap();
    let kids = common::children(2, 500);
    let id = k
        .execute(&op, Command::Register { application: testkit::application("AKK", &kids[0].0, kids[0].1, 0) })
        .unwrap()
        .id;
    (k, id)
}

/// Runs `kind` as `session`; the error code, if any.
fn attempt(k: &mut Kiosk, session: &Session, kind: Kind, application: &str) -> Option<&'static str> {
    let command = match kind {
        Kind::Register => {
            let kids = common::children(2, 500);
            Command::Register { application: testkit::application("AKK", &kids[1].0, kids[1].1, 1) }
        }
        Kind::AddPlaces => places(KG),
        Kind::Act(kind) => Command::Act { application: application.into(), action: action(kind) },
        Kind::Distribute => Command::Distribute { district: "AKK".into() },
        Kind::Tick => Command::Tick,
        Kind::AddOperator => {
            let new =
                NewOperator { login: "newcomer".into(), name: "N".into(), role: Role::Operator, kindergartens: vec![] };
            return k.add_operator(session, &new, "long-secret").err().map(|e| e.code());
        }
        Kind::DisableOperator => return k.disable_operator(session, "spare").err().map(|e| e.code()),
    };
    k.execute(session, command).err().map(|e| e.code())
}

fn log_len(dir: &Path) -> u64 {
    std::fs::metadata(dir.join("log").join("entries.bin")).unwrap().len()
}

#[test]
fn every_role_against_every_kind_of_command() {
    let mut kinds =
        vec![Kind::Register, Kind::AddPlaces, Kind::Distribute, Kind::Tick, Kind::AddOperator, Kind::DisableOperator];
    kinds.extend(ActionKind::ALL.iter().map(|a| Kind::Act(*a)));
    let role_errors = ["WRONG_ROLE", "CENTER_ONLY", "ADMIN_ONLY"];
    let mut refused = 0;
    for (role, login, password) in [
        (Role::Operator, "op", "long-secret"),
        (Role::Kindergarten, "kg", "long-secret"),
        (Role::Admin, "admin", "admin-secret"),
    ] {
        for kind in &kinds {
            let dir = tempfile::tempdir().unwrap();
            let (mut k, application) = kiosk(dir.path());
            let session = k.login(login, password).unwrap();
            let (seq, len) = (k.last_seq(), log_len(dir.path()));
            let got = attempt(&mut k, &session, *kind, &application);
            match expected(role, *kind) {
                Some(code) => {
                    assert_eq!(got, Some(code), "{role:?} {kind:?}");
                    assert_eq!((k.last_seq(), log_len(dir.path())), (seq, len), "{role:?} {kind:?}: nothing written");
                    refused += 1;
                }
                // Allowed: the rules may still refuse (no voucher yet…), never the role check.
                None => assert!(!got.is_some_and(|c| role_errors.contains(&c)), "{role:?} {kind:?}: {got:?}"),
            }
        }
    }
    // 18 kinds: 5 center-only (refused for all), 7 operator, 4 kindergarten, 2 admin.
    // Refused: operator 5+4+2, kindergarten 5+7+2, admin 5+7+4.
    assert_eq!(refused, 11 + 14 + 16);
}

#[test]
fn staff_publish_only_their_kindergartens_and_disabled_accounts_stop_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let (mut k, _) = kiosk(dir.path());
    let kg = k.login("kg", "long-secret").unwrap();
    let spare = k.login("spare", "long-secret").unwrap();
    let len = log_len(dir.path());
    let err = k.execute(&kg, places("KG-AKK-02")).unwrap_err();
    assert_eq!(err.code(), "NOT_YOUR_KINDERGARTEN");
    for lang in [rules::Lang::Ru, rules::Lang::Kk, rules::Lang::En] {
        assert!(err.message(lang).contains("KG-AKK-02"), "{lang:?}: {}", err.message(lang));
    }
    assert!(k.execute(&kg, places(KG)).is_ok());

    // An administrator disables `spare`; its open session is refused on the next command.
    let admin = k.login("admin", "admin-secret").unwrap();
    k.disable_operator(&admin, "spare").unwrap();
    let len_after = log_len(dir.path());
    assert!(len_after > len);
    assert_eq!(
        k.execute(&spare, Command::Act { application: "x".into(), action: Action::Withdraw }).unwrap_err().code(),
        "SESSION_REVOKED"
    );
    assert_eq!(k.login("spare", "long-secret").unwrap_err().code(), "OPERATOR_DISABLED");
    // Kiosks cannot make reviewer or center accounts.
    for role in [Role::Reviewer, Role::Center] {
        let new = NewOperator { login: "boss".into(), name: "B".into(), role, kindergartens: vec![] };
        assert_eq!(k.add_operator(&admin, &new, "long-secret").unwrap_err().code(), "ROLE_NOT_FOR_KIOSK");
    }
    assert_eq!(log_len(dir.path()), len_after);
}
