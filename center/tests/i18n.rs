//! The center's texts in Fluent (`center/locales/{ru,kk,en}/`): every error code the parents'
//! channel, the population registry and the PostgreSQL store's set-up answer with has a text
//! in the three languages, the
//! three languages have the same ids, and the checker finds a broken source.
#![allow(clippy::unwrap_used)]

use center::CenterError;
use center::i18n::{self, Sources, catalog, check};
use center::notify::messages;
use center::parents::{CodeError, ParentError};
use center::population::RegistryError;
use rules::deadline::DeadlineKind;
use rules::iin::IinError;
use rules::{Date, Lang, Localized};

/// One error of every kind the parents' channel answers with its own text.
fn parent_errors() -> Vec<ParentError> {
    vec![
        ParentError::NotInRegistry { child: "230510500012".into() },
        ParentError::Code(CodeError::Throttled { wait_secs: 61 }),
        ParentError::Code(CodeError::NoCode),
        ParentError::Code(CodeError::Expired),
        ParentError::Code(CodeError::Wrong { tries_left: 2 }),
        ParentError::Code(CodeError::Unavailable),
        ParentError::NotSent("SMTP_DOWN".into()),
        ParentError::ContractMismatch,
        ParentError::NotFound("A-1".into()),
        ParentError::Invalid("no kindergarten".into()),
        ParentError::Refused { code: "STALE".into(), reason: "already decided".into() },
        ParentError::Center(CenterError::Setup("no key".into())),
    ]
}

/// Whether `e` has its own text in `parents.ftl` (not one from `rules` or the registry). A new
/// variant of `ParentError` or `CodeError` stops this from compiling: give it a sample in
/// [`parent_errors`] and a text in `parents.ftl`.
fn has_own_text(e: &ParentError) -> bool {
    match e {
        ParentError::Denied(_) | ParentError::Rules(_) | ParentError::Registry(_) => false,
        ParentError::Code(
            CodeError::Throttled { .. }
            | CodeError::NoCode
            | CodeError::Expired
            | CodeError::Wrong { .. }
            | CodeError::Unavailable,
        )
        | ParentError::NotInRegistry { .. }
        | ParentError::NotSent(_)
        | ParentError::ContractMismatch
        | ParentError::NotFound(_)
        | ParentError::Invalid(_)
        | ParentError::Refused { .. }
        | ParentError::Center(_) => true,
    }
}

fn registry_errors() -> Vec<RegistryError> {
    vec![
        RegistryError::NotImported,
        RegistryError::Unavailable("gone".into()),
        RegistryError::Malformed("not JSON".into()),
        RegistryError::Format("other/1".into()),
        RegistryError::UntrustedKey { fingerprint: "ab:cd".into() },
        RegistryError::BadSignature,
        RegistryError::BadPair { index: 3, reason: "same IIN twice".into() },
        RegistryError::TooLarge,
        RegistryError::BadKey("xyz".into()),
        RegistryError::Io("disk".into()),
    ]
}

/// Whether `e` has its own text in `population.ftl` (an invalid IIN has the rules' text). A
/// new variant of `RegistryError` stops this from compiling: sample it in [`registry_errors`]
/// and give its code a text in `population.ftl`.
fn has_own_text_registry(e: &RegistryError) -> bool {
    match e {
        RegistryError::Iin(_) => false,
        RegistryError::NotImported
        | RegistryError::Unavailable(_)
        | RegistryError::Malformed(_)
        | RegistryError::Format(_)
        | RegistryError::UntrustedKey { .. }
        | RegistryError::BadSignature
        | RegistryError::BadPair { .. }
        | RegistryError::TooLarge
        | RegistryError::BadKey(_)
        | RegistryError::Io(_) => true,
    }
}

/// The parents' API's own answers (`center/src/parents/api.rs`).
const API_IDS: [&str; 3] = ["parent-PARENTS_DISABLED", "parent-UNAUTHENTICATED", "parent-CSRF"];

fn assert_text(lang: Lang, id: &str, text: &str) {
    assert!(catalog().has(lang, id), "{}: no message {id}", lang.code());
    assert!(!text.is_empty() && text != id, "{}: {id} gives {text:?}", lang.code());
    assert!(!text.contains('{') && !text.contains('\u{2068}'), "{}: {id} gives {text:?}", lang.code());
}

#[test]
fn the_sources_are_complete_and_parse() {
    assert_eq!(check(&i18n::SOURCES), Vec::<String>::new());
    assert!(catalog().problems().is_empty(), "{:?}", catalog().problems());
    let ids = |lang| {
        let mut ids = catalog().ids(lang).to_vec();
        ids.sort();
        ids
    };
    assert_eq!(ids(Lang::Ru), ids(Lang::Kk));
    assert_eq!(ids(Lang::Ru), ids(Lang::En));
    assert!(ids(Lang::Ru).len() >= 38, "{}", ids(Lang::Ru).len());
}

#[test]
fn every_parent_error_code_has_a_text_in_every_language() {
    let errors = parent_errors();
    assert!(errors.iter().all(has_own_text));
    let mut ids: Vec<&str> = errors.iter().map(|e| e.message_id().unwrap_or_else(|| panic!("{}", e.code()))).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), errors.len(), "two errors share a text: {ids:?}");
    for lang in Lang::ALL {
        for e in &errors {
            assert_text(lang, e.message_id().unwrap(), &e.message(lang));
        }
        for id in API_IDS {
            assert_text(lang, id, &catalog().text(lang, id, &[]));
        }
        // The rules' own errors keep their texts from rules.
        let denied = ParentError::Registry(RegistryError::Iin(IinError::Checksum));
        assert!(!has_own_text(&denied));
        assert_eq!(denied.message_id(), None);
        assert_eq!(denied.message(lang), IinError::Checksum.message(lang));
    }
}

#[test]
fn every_registry_error_code_has_a_text_in_every_language() {
    for lang in Lang::ALL {
        for e in registry_errors() {
            assert!(has_own_text_registry(&e));
            let id = e.message_id().unwrap();
            assert_eq!(id, format!("population-{}", e.code()));
            assert_text(lang, &id, &e.message(lang));
        }
        let iin = RegistryError::Iin(IinError::Format);
        assert!(!has_own_text_registry(&iin));
        assert_eq!(iin.message_id(), None);
        assert_eq!(iin.message(lang), IinError::Format.message(lang));
    }
}

#[test]
fn every_store_set_up_error_code_has_a_text_in_every_language() {
    use center::pg_store::PgSetupError;
    let errors = [
        PgSetupError::NotSetUp { database: "kezek".into(), table: "accepted_log".into() },
        PgSetupError::RoleCanRewrite { role: "kezek".into(), why: "a superuser".into() },
        PgSetupError::SameRole { role: "kezek".into() },
        PgSetupError::NoRole { role: "kezek_server".into() },
        PgSetupError::NoUser { url: "postgres://db/kezek".into() },
    ];
    for lang in Lang::ALL {
        for e in &errors {
            // A new variant stops this from compiling: sample it above, text in store.ftl.
            match e {
                PgSetupError::NotSetUp { .. }
                | PgSetupError::RoleCanRewrite { .. }
                | PgSetupError::SameRole { .. }
                | PgSetupError::NoRole { .. }
                | PgSetupError::NoUser { .. } => {}
            }
            assert_text(lang, &format!("store-{}", e.code()), &e.message(lang));
        }
    }
}

#[test]
fn texts_keep_their_wording_and_arguments() {
    let e = ParentError::NotInRegistry { child: "230510500012".into() };
    assert_eq!(
        e.message(Lang::Ru),
        "Государственный реестр населения не подтверждает, что ребёнок с ИИН 230510500012 — ваш ребёнок. \
         Обратитесь в отдел образования с документами."
    );
    assert_eq!(
        ParentError::Code(CodeError::Throttled { wait_secs: 61 }).message(Lang::En),
        "Too many codes. Try again in 2 min."
    );
    assert_eq!(
        ParentError::Code(CodeError::Wrong { tries_left: 2 }).message(Lang::Kk),
        "Код қате. Қалған әрекет саны: 2."
    );
    assert_eq!(
        ParentError::Center(CenterError::Setup("x".into())).message(Lang::En),
        "The center could not do this (SETUP). Try again later."
            .replace("SETUP", CenterError::Setup("x".into()).code())
    );
    assert_eq!(RegistryError::TooLarge.message(Lang::Ru), "Это не файл пар «родитель — ребёнок» регистра населения");

    let code = messages::sign_in_code(Lang::En, "123456", 5);
    assert_eq!(code.subject, "Kezek: sign-in code");
    assert_eq!(code.text, "Your Kezek sign-in code: 123456. Valid for 5 min. Do not share it with anyone.");
    let day = Date::from_ymd(2026, 9, 2).unwrap();
    let deadline = messages::deadline_tomorrow(Lang::Ru, "KOK-01-2026-000001", DeadlineKind::Choose, day);
    assert_eq!(deadline.subject, "Kezek: срок по заявлению KOK-01-2026-000001 истекает 02.09.2026");
    assert_eq!(
        deadline.text,
        "Срок по заявлению KOK-01-2026-000001 истекает в 23:59 02.09.2026: успейте выбрать детский сад и подписать договор."
    );
    let overruled = messages::refusal_decided(Lang::En, "A-1", false, Some("No. 5"));
    assert_eq!(
        overruled.text,
        "The education department overruled the refusal of kindergarten No. 5 on application A-1: the kindergarten \
         must enrol the child."
    );
}

#[test]
fn every_notifier_text_is_there_in_every_language() {
    let day = Date::from_ymd(2026, 9, 2).unwrap();
    for lang in Lang::ALL {
        let mut all = vec![
            messages::sign_in_code(lang, "123456", 5),
            messages::refusal_decided(lang, "A-1", true, None),
            messages::refusal_decided(lang, "A-1", false, Some("No. 5")),
        ];
        for kind in [DeadlineKind::Confirm, DeadlineKind::Choose, DeadlineKind::Restore] {
            all.push(messages::deadline_tomorrow(lang, "A-1", kind, day));
        }
        assert!(catalog().has(lang, "parent-contract"), "{}: no contract", lang.code());
        for texts in all {
            for text in [&texts.subject, &texts.text] {
                assert!(!text.contains("notify-") && !text.contains('{'), "{}: {text:?}", lang.code());
            }
        }
    }
}

/// `leak`ed copies of the center's sources with `edit` applied to one language's files.
fn edited(lang: Lang, edit: impl Fn(&str) -> String) -> Sources {
    let copy = |l: Lang| -> &'static [(&'static str, &'static str)] {
        let files: Vec<(&'static str, &'static str)> = i18n::SOURCES
            .get(l)
            .iter()
            .map(|(name, source)| {
                let source: &'static str = if l == lang { Box::leak(edit(source).into_boxed_str()) } else { source };
                (*name, source)
            })
            .collect();
        Box::leak(files.into_boxed_slice())
    };
    Sources { ru: copy(Lang::Ru), kk: copy(Lang::Kk), en: copy(Lang::En) }
}

#[test]
fn the_checker_finds_a_removed_id_and_a_broken_source() {
    let removed = edited(Lang::Kk, |source| {
        source.lines().filter(|line| !line.starts_with("parent-CSRF ")).collect::<Vec<_>>().join("\n")
    });
    assert_eq!(check(&removed), ["kk: parent-CSRF is missing"]);

    let broken = edited(Lang::En, |source| source.replace("{ $child }", "{ $child"));
    let problems = check(&broken);
    assert!(problems.iter().any(|p| p.starts_with("en/parents.ftl: parse error")), "{problems:?}");

    let twice = edited(Lang::Ru, |source| format!("{source}\nparent-CSRF = again\n"));
    assert!(check(&twice).iter().any(|p| p.contains("parent-CSRF is defined twice")), "{:?}", check(&twice));
}
