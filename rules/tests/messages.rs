//! Every error code has a message in Russian, Kazakh and English.

// Helpers outside #[test] functions unwrap too; a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

use rules::command::ActionKind;
use rules::error::{CommandError, FieldProblem, IinField};
use rules::model::{GroupLanguage, RightClass};
use rules::{IinError, Lang, Localized, Status};

/// One representative of every variant. The `match` below has no wildcard, so a new
/// variant fails to compile here until it gets a representative.
fn representatives() -> Vec<CommandError> {
    let deadline = "2026-02-05T23:59:59+05:00".parse().unwrap();
    let errors = vec![
        CommandError::InvalidIin { field: IinField::Child, error: IinError::Format },
        CommandError::InvalidIin { field: IinField::Applicant, error: IinError::Date },
        CommandError::InvalidIin { field: IinField::Child, error: IinError::Checksum },
        CommandError::InvalidField { field: "childName", problem: FieldProblem::Empty },
        CommandError::InvalidField { field: "applicant.phone", problem: FieldProblem::TooLong { max_chars: 500 } },
        CommandError::InvalidField { field: "days", problem: FieldProblem::OutOfRange },
        CommandError::InvalidField { field: "rightCategory", problem: FieldProblem::Missing },
        CommandError::InvalidField { field: "rightCategory", problem: FieldProblem::Unexpected },
        CommandError::NotAllowed {
            action: ActionKind::AcceptChild,
            status: Status::Queued,
            allowed: vec![ActionKind::IssueVoucher, ActionKind::Withdraw],
        },
        CommandError::NotAllowed { action: ActionKind::Withdraw, status: Status::Archived, allowed: vec![] },
        CommandError::DeadlinePassed { action: ActionKind::ConfirmVoucher, deadline },
        CommandError::AlreadyUsed { action: ActionKind::ExtendChoice },
        CommandError::MustEnroll,
        CommandError::UnknownApplication { id: "A1".into() },
        CommandError::DuplicateApplication { id: "A1".into() },
        CommandError::DuplicateChild { existing: "A1".into() },
        CommandError::ChildTooOld { aged_out_on: "2026-09-01".parse().unwrap() },
        CommandError::BirthDateInFuture,
        CommandError::UnknownKindergarten { id: "KG-X".into() },
        CommandError::KindergartenMismatch { kindergarten: "KG-X".into() },
        CommandError::LanguageNotOffered { kindergarten: "KG-X".into(), language: GroupLanguage::En },
        CommandError::NoFreePlace { kindergarten: "KG-X".into(), language: GroupLanguage::Kk, group_year: 2022 },
        CommandError::DuplicatePlacesRecord { id: "P1".into() },
        CommandError::KindergartenClosed { kindergarten: "KG-X".into() },
        CommandError::ReductionOverFree { free: 2 },
        CommandError::InvalidCalendarYear { reason: "calendar year 2031: only 2025–2031 can be set".into() },
        CommandError::GroupYearNotOffered { kindergarten: "KG-X".into(), group_year: 2021 },
        CommandError::CalendarOutOfRange,
        CommandError::UnknownCategory { category: "TEACHERS".into() },
        CommandError::CategoryRightMismatch {
            category: "MILITARY".into(),
            right: RightClass::First,
            category_right: RightClass::Extraordinary,
        },
    ];
    for error in &errors {
        match error {
            CommandError::InvalidIin { .. }
            | CommandError::InvalidField { .. }
            | CommandError::NotAllowed { .. }
            | CommandError::DeadlinePassed { .. }
            | CommandError::AlreadyUsed { .. }
            | CommandError::MustEnroll
            | CommandError::UnknownApplication { .. }
            | CommandError::DuplicateApplication { .. }
            | CommandError::DuplicateChild { .. }
            | CommandError::ChildTooOld { .. }
            | CommandError::BirthDateInFuture
            | CommandError::UnknownKindergarten { .. }
            | CommandError::KindergartenMismatch { .. }
            | CommandError::LanguageNotOffered { .. }
            | CommandError::NoFreePlace { .. }
            | CommandError::DuplicatePlacesRecord { .. }
            | CommandError::KindergartenClosed { .. }
            | CommandError::ReductionOverFree { .. }
            | CommandError::InvalidCalendarYear { .. }
            | CommandError::GroupYearNotOffered { .. }
            | CommandError::CalendarOutOfRange
            | CommandError::UnknownCategory { .. }
            | CommandError::CategoryRightMismatch { .. } => {}
        }
    }
    errors
}

fn is_cyrillic(c: char) -> bool {
    ('\u{0400}'..='\u{04FF}').contains(&c)
}

/// Letters Kazakh has and Russian lacks: a Kazakh message without any is likely Russian.
fn has_kazakh_letter(text: &str) -> bool {
    text.chars().any(|c| "ӘәҒғҚқҢңӨөҰұҮүҺһІі".contains(c))
}

#[test]
fn every_error_code_has_three_distinct_messages() {
    let errors = representatives();
    let mut codes: Vec<&str> = errors.iter().map(Localized::code).collect();
    codes.sort_unstable();
    codes.dedup();
    // 23 variants, of which InvalidIin carries three IIN codes.
    assert_eq!(codes.len(), 25, "{codes:?}");
    for error in &errors {
        let code = error.code();
        assert!(code.bytes().all(|b| b.is_ascii_uppercase() || b == b'_'), "{code}");
        let [ru, kk, en] = Lang::ALL.map(|lang| error.message(lang));
        for (lang, text) in [("ru", &ru), ("kk", &kk), ("en", &en)] {
            assert!(!text.trim().is_empty(), "{code} has no {lang} message");
        }
        assert!(ru.chars().any(is_cyrillic), "{code} ru: {ru}");
        assert!(has_kazakh_letter(&kk), "{code} kk looks untranslated: {kk}");
        assert!(!en.chars().any(is_cyrillic), "{code} en is not English: {en}");
        assert!(ru != kk && kk != en && ru != en, "{code}: {ru} / {kk} / {en}");
        // The report carries the same code and the message in the asked language.
        let report = error.report(Lang::Kk);
        assert_eq!((report.code, report.message.as_str()), (code, kk.as_str()));
    }
}

#[test]
fn messages_carry_the_details() {
    let deadline = CommandError::DeadlinePassed {
        action: ActionKind::ConfirmVoucher,
        // Written in UTC, shown in Kazakhstan time.
        deadline: "2026-02-05T18:59:59Z".parse().unwrap(),
    };
    for lang in Lang::ALL {
        assert!(deadline.message(lang).contains("05.02.2026 23:59:59"), "{}", deadline.message(lang));
    }
    let place =
        CommandError::NoFreePlace { kindergarten: "KG-X".into(), language: GroupLanguage::Kk, group_year: 2022 };
    for lang in Lang::ALL {
        let message = place.message(lang);
        assert!(message.contains("KG-X") && message.contains("2022"), "{message}");
    }
    let json = serde_json::to_value(CommandError::NotAllowed {
        action: ActionKind::AcceptChild,
        status: Status::Queued,
        allowed: vec![ActionKind::Withdraw],
    })
    .unwrap();
    assert_eq!(
        json,
        serde_json::json!({"kind": "notAllowed", "action": "acceptChild", "status": "queued", "allowed": ["withdraw"]})
    );
}
