//! The host messages (kiosk/locales/{ru,kk,en}/*.ftl): every error code of the kiosk has a
//! message in the three languages, with its arguments filled in, and the three languages
//! define the same message ids.

use std::collections::BTreeSet;

use changelog::KeyError;
use kiosk::errors::{AdminOnly, GuiError};
use kiosk::i18n::{FILES, Tr, message_ids, sources, tr};
use kiosk::push::PushError;
use kiosk::{
    AppendError, Damage, DemoError, InitError, InputError, LoginError, OpenError, OperatorError, QueryError,
    RotationError, StoreError, SyncError,
};
use rules::error::CommandError;
use rules::{Lang, Localized, Role};
use sync_client::TrustKind;

fn store() -> StoreError {
    StoreError::other("write blob sync/state.json", "device busy")
}

fn damage() -> Damage {
    Damage { seq: 7, offset: 1024, reason_code: "BAD_SIGNATURE", reason: "bad signature".into() }
}

fn init_errors() -> Vec<InitError> {
    use InitError::*;
    let all = vec![
        AlreadyInitialized { dir: "/data/k".into() },
        Incomplete { dir: "/data/k".into() },
        UnknownDistrict { code: "XYZ".into() },
        BadKioskId { id: "KOK-1".into(), district: "KOK".into() },
        BadName,
        BadLogin { login: "A B".into() },
        BadOperatorName,
        WeakPassword,
        Key("no randomness".into()),
        Locked { dir: "/data/k".into() },
        Store(store()),
    ];
    // Does not compile when a variant is added without a sample above.
    for e in &all {
        match e {
            AlreadyInitialized { .. }
            | Incomplete { .. }
            | UnknownDistrict { .. }
            | BadKioskId { .. }
            | BadName
            | BadLogin { .. }
            | BadOperatorName
            | WeakPassword
            | Key(_)
            | Locked { .. }
            | Store(_) => {}
        }
    }
    all
}

fn open_errors() -> Vec<OpenError> {
    use OpenError::*;
    let mut all = vec![
        NotInitialized { dir: "/data/k".into() },
        Locked { dir: "/data/k".into() },
        Identity { detail: "EOF".into() },
        Key { detail: "EOF".into() },
        KeyMismatch,
        LogMissing,
        Store(store()),
    ];
    for code in [
        "KEY_PASSPHRASE_REQUIRED",
        "KEY_WRONG_PASSPHRASE",
        "KEY_PASSPHRASE_UNREADABLE",
        "KEY_EMPTY_PASSPHRASE",
        "KEY_UNREADABLE",
    ] {
        all.push(KeyFile { code, detail: "key file /data/k/kiosk.key".into() });
    }
    for e in &all {
        match e {
            NotInitialized { .. }
            | Locked { .. }
            | Identity { .. }
            | Key { .. }
            | KeyFile { .. }
            | KeyMismatch
            | LogMissing
            | Store(_) => {}
        }
    }
    all
}

fn rotation_errors() -> Vec<RotationError> {
    use RotationError::*;
    let all = vec![
        AdminOnly,
        KeyFile(KeyError::PassphraseRequired { path: "kiosk.key".into() }),
        KeyFile(KeyError::WrongPassphrase { path: "kiosk.key".into() }),
        KeyFile(KeyError::EmptyPassphrase),
        KeyFile(KeyError::Kdf("out of memory".into())),
        Append(AppendError::RestartRequired),
    ];
    for e in &all {
        match e {
            AdminOnly | KeyFile(_) | Append(_) => {}
        }
    }
    all
}

fn login_errors() -> Vec<LoginError> {
    use LoginError::*;
    let all = vec![Failed, Disabled { login: "op".into() }, Throttled { wait_seconds: 30 }];
    for e in &all {
        match e {
            Failed | Disabled { .. } | Throttled { .. } => {}
        }
    }
    all
}

fn input_errors() -> Vec<InputError> {
    use InputError::*;
    let all = vec![
        BadJson { detail: "expected value at line 1".into() },
        UnknownCommand { name: "fly".into() },
        UnknownAction { name: "jump".into() },
        InvalidCommand { detail: "missing field `child`".into() },
    ];
    for e in &all {
        match e {
            BadJson { .. } | UnknownCommand { .. } | UnknownAction { .. } | InvalidCommand { .. } => {}
        }
    }
    all
}

fn append_errors() -> Vec<AppendError> {
    use AppendError::*;
    let all = vec![
        Input(InputError::UnknownCommand { name: "fly".into() }),
        Rejected(CommandError::UnknownApplication { id: "KOK-01-2026-000001".into() }),
        CenterOnly { command: "distribute", role: Role::Center },
        WrongRole { command: "register", required: Role::Operator, role: Role::Kindergarten },
        NotYourKindergarten { kindergarten: "KG-KOK-02".into() },
        IdAssignedByKiosk,
        NoDirectory,
        SessionRevoked { login: "op".into() },
        LogDamaged(damage()),
        RestartRequired,
        Storage(store()),
    ];
    for e in &all {
        match e {
            Input(_)
            | Rejected(_)
            | CenterOnly { .. }
            | WrongRole { .. }
            | NotYourKindergarten { .. }
            | IdAssignedByKiosk
            | NoDirectory
            | SessionRevoked { .. }
            | LogDamaged(_)
            | RestartRequired
            | Storage(_) => {}
        }
    }
    all
}

fn operator_errors() -> Vec<OperatorError> {
    use OperatorError::*;
    let all = vec![
        AdminOnly,
        BadLogin { login: "A B".into() },
        BadName,
        LoginTaken { login: "op".into() },
        UnknownLogin { login: "nobody".into() },
        AlreadyDisabled { login: "op".into() },
        CannotDisableSelf,
        LastAdmin,
        RoleNotForKiosk { role: Role::Reviewer },
        KindergartensRequired,
        KindergartensNotAllowed,
        UnknownKindergarten { id: "KG-XXX-01".into() },
        NoDirectory,
        WeakPassword,
        Hash("out of memory".into()),
        Append(AppendError::NoDirectory),
    ];
    for e in &all {
        match e {
            AdminOnly
            | BadLogin { .. }
            | BadName
            | LoginTaken { .. }
            | UnknownLogin { .. }
            | AlreadyDisabled { .. }
            | CannotDisableSelf
            | LastAdmin
            | RoleNotForKiosk { .. }
            | KindergartensRequired
            | KindergartensNotAllowed
            | UnknownKindergarten { .. }
            | NoDirectory
            | WeakPassword
            | Hash(_)
            | Append(_) => {}
        }
    }
    all
}

fn query_errors() -> Vec<QueryError> {
    use QueryError::*;
    let all = vec![NotFound { what: "IIN 200101500012".into() }, Corrupt { detail: "bad row".into() }, Store(store())];
    for e in &all {
        match e {
            NotFound { .. } | Corrupt { .. } | Store(_) => {}
        }
    }
    all
}

fn sync_errors() -> Vec<SyncError> {
    use SyncError::*;
    let all = vec![
        AckBeyondLog { seq: 12, last: 9 },
        Fork { seq: 5 },
        Write { path: "/media/usb/out.bundle".into(), detail: "read-only file system".into() },
        WrongDistrict { expected: "KOK".into(), found: "AST".into() },
        OlderSnapshot { kept: "2026-03-02T10:00:00+05:00".into(), offered: "2026-03-01T10:00:00+05:00".into() },
        RestartRequired,
        Store(store()),
    ];
    for e in &all {
        match e {
            AckBeyondLog { .. }
            | Fork { .. }
            | Write { .. }
            | WrongDistrict { .. }
            | OlderSnapshot { .. }
            | RestartRequired
            | Store(_) => {}
        }
    }
    all
}

fn demo_errors() -> Vec<DemoError> {
    use DemoError::*;
    let all = vec![AdminOnly, NotEmpty, Operator(OperatorError::LastAdmin), Append(AppendError::IdAssignedByKiosk)];
    for e in &all {
        match e {
            AdminOnly | NotEmpty | Operator(_) | Append(_) => {}
        }
    }
    all
}

fn store_errors() -> Vec<StoreError> {
    let full = std::io::Error::from(std::io::ErrorKind::StorageFull);
    let quota = std::io::Error::from(std::io::ErrorKind::QuotaExceeded);
    vec![store(), StoreError::io("append log", &full), StoreError::io("write blob local/passwords.json", &quota)]
}

fn damages() -> Vec<Damage> {
    vec![damage(), Damage { seq: 1, offset: 0, reason_code: "DECODE", reason: "cannot decode".into() }]
}

fn push_errors() -> Vec<PushError> {
    use PushError::*;
    let unreachable = |last_sync_at: Option<&str>, days_since_last_sync| Unreachable {
        attempts: 3,
        last: "connection refused".into(),
        last_sync_at: last_sync_at.map(str::to_owned),
        days_since_last_sync,
    };
    let all = vec![
        NoCenterKey,
        NoUrl,
        BadKey("odd length".into()),
        Config { path: "/data/k/center.json".into(), detail: "EOF".into() },
        unreachable(Some("2026-03-02T10:00:00+05:00"), Some(4)),
        unreachable(Some("2026-03-02T10:00:00+05:00"), None),
        unreachable(None, None),
        unreachable(None, Some(2)),
        Refused { status: 409, code: "FORK".into(), message: "the logs differ".into() },
        Url("relative URL without a base".into()),
        TlsRejected { trust: TrustKind::Pinned, detail: "UnknownIssuer".into() },
        TlsRejected { trust: TrustKind::Ca, detail: "UnknownIssuer".into() },
        TlsRejected { trust: TrustKind::WebRoots, detail: "UnknownIssuer".into() },
        TlsRequired { url: "http://center.example".into() },
        TlsFile { path: "/data/k/center.pem".into(), detail: "no certificate".into() },
        BadAck("bad signature".into()),
        BadSnapshot("bad signature".into()),
        WrongKiosk { expected: "KOK-01".into(), found: "KOK-02".into() },
        Read { path: "/media/usb/ack.bin".into(), detail: "no such file".into() },
        Sync(SyncError::Fork { seq: 5 }),
    ];
    for e in &all {
        match e {
            NoCenterKey
            | NoUrl
            | BadKey(_)
            | Config { .. }
            | Unreachable { .. }
            | Refused { .. }
            | Url(_)
            | TlsRejected { .. }
            | TlsRequired { .. }
            | TlsFile { .. }
            | BadAck(_)
            | BadSnapshot(_)
            | WrongKiosk { .. }
            | Read { .. }
            | Sync(_) => {}
        }
    }
    all
}

fn gui_errors() -> Vec<GuiError> {
    use GuiError::*;
    let all = vec![
        SyncWorkerStopped,
        ApplicationNotFound,
        FileWrite { detail: "disk full".into() },
        KioskNotSetUp,
        SyncNoUrl,
        SyncRunning,
        NotLoggedIn,
        OperatorRole,
        OperatorEnable,
        SyncPeriod { max: 240 },
        SettingsWrite { path: "/data/k/gui.json".into(), detail: "read-only".into() },
    ];
    for e in &all {
        // A new variant must be added above.
        match e {
            SyncWorkerStopped
            | ApplicationNotFound
            | FileWrite { .. }
            | KioskNotSetUp
            | SyncNoUrl
            | SyncRunning
            | NotLoggedIn
            | OperatorRole
            | OperatorEnable
            | SyncPeriod { .. }
            | SettingsWrite { .. } => {}
        }
    }
    all
}

/// One value of every variant of every kiosk error type.
fn samples() -> Vec<Box<dyn Localized>> {
    fn boxed<E: Localized + 'static>(errors: Vec<E>) -> impl Iterator<Item = Box<dyn Localized>> {
        errors.into_iter().map(|e| Box::new(e) as Box<dyn Localized>)
    }
    boxed(init_errors())
        .chain(boxed(open_errors()))
        .chain(boxed(rotation_errors()))
        .chain(boxed(login_errors()))
        .chain(boxed(input_errors()))
        .chain(boxed(append_errors()))
        .chain(boxed(operator_errors()))
        .chain(boxed(query_errors()))
        .chain(boxed(sync_errors()))
        .chain(boxed(demo_errors()))
        .chain(boxed(store_errors()))
        .chain(boxed(damages()))
        .chain(boxed(push_errors()))
        .chain(boxed(gui_errors()))
        .chain(boxed(["key", "demo", "accounts", "center-key"].map(|task| AdminOnly { task }).to_vec()))
        .collect()
}

/// The message ids of one Fluent file in one language.
fn ids(lang: Lang, file: &str) -> BTreeSet<String> {
    let index = FILES.iter().position(|f| *f == file).expect("a known file");
    message_ids(sources(lang)[index]).into_iter().collect()
}

#[test]
fn the_three_languages_define_the_same_messages_and_load_without_errors() {
    for file in FILES {
        let ru = ids(Lang::Ru, file);
        assert!(!ru.is_empty(), "{file}");
        for lang in [Lang::Kk, Lang::En] {
            let other = ids(lang, file);
            let missing: Vec<_> = ru.difference(&other).collect();
            let extra: Vec<_> = other.difference(&ru).collect();
            assert!(
                missing.is_empty() && extra.is_empty(),
                "{}/{file}: missing {missing:?}, not in ru {extra:?}",
                lang.code()
            );
        }
    }
    for lang in Lang::ALL {
        assert!(Tr::new(lang).problems.is_empty(), "{:?}", Tr::new(lang).problems);
        assert_eq!(tr(lang).lang(), lang, "the language picker");
    }
}

#[test]
fn every_error_code_has_a_message_in_every_language() {
    let mut codes = BTreeSet::new();
    for e in samples() {
        codes.insert(e.code());
        for lang in Lang::ALL {
            let text = e.message(lang);
            assert!(!text.is_empty() && text != e.code(), "{}: no message in {}", e.code(), lang.code());
            assert!(!text.contains("{$"), "{} in {}: an argument is not filled in: {text}", e.code(), lang.code());
        }
    }
    // And no message is left over from a code that is gone.
    for id in ids(Lang::Ru, "errors.ftl") {
        assert!(codes.contains(id.as_str()), "errors.ftl has {id}, which no kiosk error has as its code");
    }
}

#[test]
fn arguments_are_filled_in_without_isolation_marks() {
    let e = SyncError::AckBeyondLog { seq: 12_345, last: 9 };
    assert_eq!(
        e.message(Lang::En),
        "The center acknowledged entry 12345 but the kiosk's log ends at 9: the log may have been restored from an \
         old copy. Contact the center's administrator."
    );
    // One code, several errors: the message follows the error.
    let admin_only = [
        RotationError::AdminOnly.message(Lang::Kk),
        OperatorError::AdminOnly.message(Lang::Kk),
        DemoError::AdminOnly.message(Lang::Kk),
        AdminOnly { task: "center-key" }.message(Lang::Kk),
    ];
    assert_eq!(admin_only.iter().collect::<BTreeSet<_>>().len(), 4, "{admin_only:?}");
    assert_ne!(AppendError::RestartRequired.message(Lang::Ru), SyncError::RestartRequired.message(Lang::Ru));
    let tls: BTreeSet<_> = push_errors()
        .iter()
        .filter(|e| matches!(e, PushError::TlsRejected { .. }))
        .map(|e| e.message(Lang::Ru))
        .collect();
    assert_eq!(tls.len(), 3, "one text per kind of trust: {tls:?}");
    // A variable picks the closing sentence, and numbers are written as they are.
    let unreachable = PushError::Unreachable {
        attempts: 3,
        last: "timed out".into(),
        last_sync_at: Some("2026-03-02".into()),
        days_since_last_sync: Some(12_345),
    };
    assert_eq!(
        unreachable.message(Lang::En),
        "The center is unreachable (3 attempts: timed out). The data is kept on the kiosk and will be sent later. \
         Last successful sync: 2026-03-02 (12345 days ago)."
    );
    assert!(damage().message(Lang::En).contains("from entry 7 on (bad signature). Entries 1–6 are intact"));
}

/// Every `"cli-…"` id the command line's code asks for is defined (a typo would print the id).
#[test]
fn the_command_line_asks_only_for_defined_messages() {
    let defined = ids(Lang::En, "cli.ftl");
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/cli");
    let mut asked = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let source = std::fs::read_to_string(&path).unwrap();
        for piece in source.split('"').skip(1).step_by(2) {
            if piece.starts_with("cli-") && !piece.contains(' ') {
                asked += 1;
                assert!(defined.contains(piece), "{}: no message {piece} in cli.ftl", path.display());
            }
        }
    }
    assert!(asked > 50, "{asked}");
}
