//! Which actions each status takes, and who may issue each command: the status table of
//! DESIGN.md.

use rules::command::ActionKind;
use rules::error::CommandError;
use rules::lifecycle::allowed_actions;
use rules::model::GroupLanguage;
use rules::{Action, Command, Lang, Localized, RightClass, Role, Status};

use crate::common::*;
use crate::timeline::*;

/// The actions DESIGN.md's status table allows (for a fresh voucher and direction).
fn table(status: Status) -> Vec<ActionKind> {
    use ActionKind as A;
    match status {
        Status::Queued => vec![A::IssueVoucher, A::Withdraw],
        Status::VoucherIssued => vec![A::ConfirmVoucher, A::RefuseVoucher, A::Withdraw],
        Status::VoucherConfirmed => vec![A::ChooseKindergarten, A::ExtendChoice, A::RefuseVoucher, A::Withdraw],
        Status::StopListed => vec![A::RestoreVoucher, A::Withdraw],
        Status::DirectionIssued => vec![A::AcceptChild, A::RefuseChild],
        Status::RefusalReview => vec![A::UpholdRefusal, A::OverruleRefusal],
        Status::Enrolled => vec![A::MarkDeparted],
        Status::Departed | Status::Archived => vec![],
    }
}

fn sorted(mut v: Vec<ActionKind>) -> Vec<ActionKind> {
    v.sort();
    v
}

#[test]
fn every_status_accepts_exactly_the_actions_of_the_table_and_names_them_otherwise() {
    for status in Status::ALL {
        let (state, now) = reach(status);
        assert_eq!(crate::common::status(&state, "A1"), status);
        let allowed = table(status);
        let app = state.application("A1").unwrap();
        let offered: Vec<ActionKind> =
            allowed_actions(app, at(now), state.calendar()).unwrap().into_iter().map(|a| a.action).collect();
        assert_eq!(sorted(offered), sorted(allowed.clone()), "allowed_actions in {status:?}");
        let today = at(now).local_date().to_string();
        for kind in ActionKind::ALL {
            let result = state.decide(&act("A1", sample(kind, &today)), at(now));
            if allowed.contains(&kind) {
                assert!(result.is_ok(), "{kind:?} in {status:?} must be accepted: {result:?}");
                continue;
            }
            match result {
                Err(CommandError::NotAllowed { action, status: named, allowed: listed }) => {
                    assert_eq!(action, kind);
                    assert_eq!(named, status, "the error names the current status");
                    assert_eq!(sorted(listed.clone()), sorted(allowed.clone()), "{kind:?} in {status:?}");
                    let error = CommandError::NotAllowed { action, status: named, allowed: listed };
                    for lang in Lang::ALL {
                        let message = error.message(lang);
                        assert!(message.contains(status.text().get(lang)), "{message}");
                        assert!(message.contains(kind.text().get(lang)), "{message}");
                        for a in &allowed {
                            assert!(message.contains(a.text().get(lang)), "{message} lacks {a:?}");
                        }
                    }
                }
                other => panic!("{kind:?} in {status:?}: expected NOT_ALLOWED, got {other:?}"),
            }
        }
    }
}

#[test]
fn each_command_names_the_one_role_that_may_issue_it() {
    let cases: Vec<(Command, Role)> = vec![
        (register_cmd("A1", &a1_iin(), BIRTH, RightClass::None), Role::Operator),
        (places_cmd("P1", KG_A, GroupLanguage::Kk, 2022, 1), Role::Kindergarten),
        (distribute(), Role::Center),
        (Command::Tick, Role::Center),
        (act("A1", Action::IssueVoucher), Role::Center),
        (act("A1", Action::ConfirmVoucher), Role::Operator),
        (act("A1", Action::RestoreVoucher), Role::Operator),
        (act("A1", Action::ExtendChoice { days: 3 }), Role::Operator),
        (act("A1", choose_a()), Role::Operator),
        (act("A1", Action::RefuseVoucher), Role::Operator),
        (act("A1", Action::Withdraw), Role::Operator),
        (act("A1", Action::AcceptChild), Role::Kindergarten),
        (act("A1", sample(ActionKind::RefuseChild, "")), Role::Kindergarten),
        (act("A1", sample(ActionKind::MarkDeparted, "2026-02-06")), Role::Kindergarten),
        (act("A1", Action::UpholdRefusal), Role::Reviewer),
        (act("A1", Action::OverruleRefusal), Role::Reviewer),
    ];
    for (command, role) in &cases {
        assert_eq!(command.required_role(), *role, "{}", command.name());
    }
    // An administrator manages kiosks and operators but issues no queue command.
    assert!(cases.iter().all(|(c, _)| c.required_role() != Role::Admin));
    // Every action kind appears in the table above.
    for kind in ActionKind::ALL {
        assert!(cases.iter().any(|(c, _)| c.name() == kind.as_str()), "{kind:?} missing");
    }
}
