//! The center's texts in Fluent (`center/locales/{ru,kk,en}/`): every error code the center's
//! operations, the parents' channel, the population registry and the store answer with has a
//! text in the three languages (each typed reason its own), the three languages have the same
//! ids, and the checker finds a broken source.
#![allow(clippy::unwrap_used)]

use center::i18n::{self, Sources, catalog, check};
use center::notify::messages;
use center::parents::{CodeError, ParentError};
use center::population::RegistryError;
use center::service::{
    BadCredentials, BadSchedule, Invalid, Missing, NotServed, SetupFailure, UnknownDistrict, UnknownKiosk,
};
use center::store::StoreError;
use center::{CenterError, IngestError, ScheduleError};
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
        ParentError::Center(SetupFailure::NoDistricts.into()),
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

fn io_error() -> std::io::Error {
    std::io::Error::from(std::io::ErrorKind::PermissionDenied)
}

fn json_error() -> serde_json::Error {
    serde_json::from_str::<u8>("x").unwrap_err()
}

/// Every reason the center's operations fail with (`center/src/service/errors/reasons.rs`).
/// A new variant stops this from compiling: sample it here and give it a text in errors.ftl.
fn setup_failures() -> Vec<SetupFailure> {
    let all = vec![
        SetupFailure::File { path: "/data/store.url".into(), source: io_error() },
        SetupFailure::Initialised("/data/center.key".into()),
        SetupFailure::NotInitialised("/data/center.key".into()),
        SetupFailure::Directory(json_error()),
        SetupFailure::NewKey(changelog::KeyError::Random("none".into())),
        SetupFailure::CenterPublicKey(changelog::KeyError::BadPublicKey("odd length".into())),
        SetupFailure::KioskKey { kiosk: "K1".into(), source: changelog::KeyError::BadPublicKey("odd length".into()) },
        SetupFailure::Randomness(getrandom::Error::UNSUPPORTED),
        SetupFailure::PasswordHash(argon2::password_hash::Error::Password),
        SetupFailure::KeyNotPlaced { path: "/data/portal.key".into(), source: io_error() },
        SetupFailure::FolderNotSynced { path: "/data/portal.key".into(), source: io_error() },
        SetupFailure::ChannelKeyChanged,
        SetupFailure::NoDistricts,
    ];
    for e in &all {
        match e {
            SetupFailure::File { .. }
            | SetupFailure::Initialised(_)
            | SetupFailure::NotInitialised(_)
            | SetupFailure::Directory(_)
            | SetupFailure::NewKey(_)
            | SetupFailure::CenterPublicKey(_)
            | SetupFailure::KioskKey { .. }
            | SetupFailure::Randomness(_)
            | SetupFailure::PasswordHash(_)
            | SetupFailure::KeyNotPlaced { .. }
            | SetupFailure::FolderNotSynced { .. }
            | SetupFailure::ChannelKeyChanged
            | SetupFailure::NoDistricts => {}
        }
    }
    all
}

/// See [`setup_failures`].
fn invalid_arguments() -> Vec<Invalid> {
    let all = vec![
        Invalid::Login("a b".into()),
        Invalid::Name,
        Invalid::LoginTaken("admin".into()),
        Invalid::WeakPassword,
        Invalid::KioskId("center".into()),
        Invalid::KioskRegistered("K1".into()),
        Invalid::PublicKey(changelog::KeyError::BadPublicKey("odd length".into())),
        Invalid::WeakKey,
        Invalid::DuplicateKindergarten("KG-1".into()),
        Invalid::Decided { item: "C-K1-3".into(), status: "overruled".into() },
        Invalid::ClockOverrule,
        Invalid::NothingToApply,
        Invalid::DatabaseNotEmpty { url: "postgres://db/kezek".into(), entries: 12 },
        Invalid::Encoding(json_error()),
    ];
    for e in &all {
        match e {
            Invalid::Login(_)
            | Invalid::Name
            | Invalid::LoginTaken(_)
            | Invalid::WeakPassword
            | Invalid::KioskId(_)
            | Invalid::KioskRegistered(_)
            | Invalid::PublicKey(_)
            | Invalid::WeakKey
            | Invalid::DuplicateKindergarten(_)
            | Invalid::Decided { .. }
            | Invalid::ClockOverrule
            | Invalid::NothingToApply
            | Invalid::DatabaseNotEmpty { .. }
            | Invalid::Encoding(_) => {}
        }
    }
    all
}

/// See [`setup_failures`].
fn missing() -> Vec<Missing> {
    let all = vec![
        Missing::Account("ivanova".into()),
        Missing::ReviewItem("R-1".into()),
        Missing::Quarantined { kiosk: "K1".into(), head: 4 },
    ];
    for e in &all {
        match e {
            Missing::Account(_) | Missing::ReviewItem(_) | Missing::Quarantined { .. } => {}
        }
    }
    all
}

/// One error of every other kind the center answers with its own text.
fn other_center_errors() -> Vec<CenterError> {
    vec![
        BadCredentials.into(),
        UnknownKiosk("K9".into()).into(),
        UnknownDistrict("XYZ".into()).into(),
        NotServed { kiosk: "K1".into(), district: "ZER".into() }.into(),
        StoreError::Db("connection lost".into()).into(),
        StoreError::Locked { path: "/data/db".into() }.into(),
        StoreError::Damaged { path: "/data/db/accepted.log".into(), offset: 120, reason: "bad frame".into() }.into(),
        IngestError::BadBundle("not zstd".into()).into(),
        IngestError::KioskMismatch { expected: "K1".into(), found: "K2".into() }.into(),
        IngestError::UnknownKiosk("K9".into()).into(),
        IngestError::RevokedKiosk("K1".into()).into(),
        IngestError::Unauthenticated { kiosk: "K1".into(), seq: 1 }.into(),
        IngestError::Internal("a caught panic".into()).into(),
        changelog::KeyError::PassphraseRequired { path: "center.key".into() }.into(),
        changelog::KeyError::WrongPassphrase { path: "center.key".into() }.into(),
        changelog::KeyError::EmptyPassphrase.into(),
        changelog::KeyError::Malformed { path: "center.key".into() }.into(),
    ]
}

/// A message of the center's own, complete: no id, no placeable left, not the fallback of a
/// code that selects on a reason.
fn assert_center_text(lang: Lang, e: &CenterError) {
    let text = e.message(lang);
    assert!(
        !text.is_empty() && !text.starts_with("center-") && !text.starts_with("store-"),
        "{}: {text:?}",
        lang.code()
    );
    assert!(!text.contains('{') && !text.contains('\u{2068}'), "{}: {} gives {text:?}", lang.code(), e.code());
    for (id, selector) in
        [("center-SETUP", "reason"), ("center-INVALID_ARGUMENT", "reason"), ("center-NOT_FOUND", "what")]
    {
        let fallback = catalog().text(lang, id, &[(selector, "?".into())]);
        assert_ne!(text, fallback, "{}: {} falls back", lang.code(), e.code());
    }
}

#[test]
fn every_center_error_has_a_text_of_its_own_in_every_language() {
    let reasons: Vec<CenterError> = setup_failures()
        .into_iter()
        .map(CenterError::from)
        .chain(invalid_arguments().into_iter().map(CenterError::from))
        .chain(missing().into_iter().map(CenterError::from))
        .collect();
    let count = reasons.len();
    for lang in Lang::ALL {
        let mut texts = std::collections::BTreeSet::new();
        for e in &reasons {
            assert!(["SETUP", "INVALID_ARGUMENT", "NOT_FOUND"].contains(&e.code()), "{}", e.code());
            assert_center_text(lang, e);
            texts.insert(e.message(lang));
        }
        assert_eq!(texts.len(), count, "{}: two reasons share a text", lang.code());
        for e in other_center_errors() {
            assert_center_text(lang, &e);
        }
    }
    let malformed = ScheduleError::Malformed(BadSchedule { path: "schedule.json".into(), source: json_error() });
    assert_eq!(malformed.code(), "BAD_SCHEDULE");
    for lang in Lang::ALL {
        let text = malformed.message(lang);
        assert!(text.contains("schedule.json") && !text.contains('{'), "{}: {text:?}", lang.code());
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
        ParentError::Center(SetupFailure::NoDistricts.into()).message(Lang::En),
        "The center could not do this (SETUP). Try again later."
    );
    assert_eq!(
        CenterError::from(Invalid::WeakPassword).message(Lang::Ru),
        "Пароль должен содержать не менее 8 символов"
    );
    // What the command line and the staff API's English answers print stays as it was.
    assert_eq!(CenterError::from(Invalid::WeakPassword).to_string(), "password: at least 8 characters");
    assert_eq!(
        Invalid::KioskId("center".into()).to_string(),
        r#"kiosk id "center": 1–64 of A–Z a–z 0–9 - _ . and not "center" or "WEB""#
    );
    assert_eq!(
        CenterError::from(Missing::Quarantined { kiosk: "K1".into(), head: 7 }).message(Lang::En),
        "Kiosk K1 has no quarantined entries after its head 7"
    );
    assert_eq!(
        CenterError::from(Invalid::Decided { item: "C-K1-3".into(), status: "upheld".into() }).message(Lang::Kk),
        "C-K1-3 тексеру тармағы бойынша шешім бұрыннан қабылданған (күшінде қалдырылды)"
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
