//! Each subcommand against the kiosk: read the passwords, open the kiosk, log in, do it, and
//! hand the result to [`render`](super::render).

use std::path::Path;

use kiosk::i18n::tr;
use kiosk::push::TlsChoice;
use kiosk::{InitParams, Kiosk, NewOperator, QueryError, Session};
use rules::Lang;
use serde_json::json;

use super::args::{
    AuthArgs, CardArgs, CenterCmd, Cmd, ExportArgs, FileArg, FindArgs, FormatArg, InitArgs, JournalArgs,
    NEW_PASSWORD_ENV, OperatorCmd, PASSWORD_ENV, PushArgs,
};
use super::render::{self, print_json};
use super::{Failure, apply, demo, failure};

pub(super) fn run(command: Cmd, data: &Path, lang: Lang) -> Result<(), Failure> {
    match command {
        Cmd::Init(args) => init(&args, data, lang),
        Cmd::Operator(cmd) => operator(cmd, data, lang),
        Cmd::Apply(args) => apply::apply(&args, data, lang),
        Cmd::Find(args) => find(&args, data, lang),
        Cmd::Journal(args) => journal(&args, data, lang),
        Cmd::Card(args) => card(&args, data, lang),
        Cmd::Status(args) => status(&args, data, lang),
        Cmd::Verify(args) => verify(&args, data, lang),
        Cmd::Export(args) => export(&args, data, lang),
        Cmd::DemoLoad(auth) => demo_load(&auth, data, lang),
        Cmd::RotateKey(auth) => rotate_key(&auth, data, lang),
        Cmd::Center(cmd) => center(cmd, data, lang),
        Cmd::Push(args) => push(&args, data, lang),
        Cmd::ImportSnapshot(arg) => import_snapshot(&arg, data, lang),
        Cmd::ImportAck(arg) => import_ack(&arg, data, lang),
        Cmd::Demo(args) => {
            demo::run(&args, data, lang).map_err(|message| Failure::Error { code: "DEMO".into(), message })
        }
    }
}

/// Reads a password from a file (first line) or an environment variable.
fn password(file: Option<&Path>, env: &str, lang: Lang) -> Result<String, Failure> {
    if let Some(path) = file {
        let text = std::fs::read_to_string(path).map_err(|e| {
            Failure::Usage(tr(lang).f(
                "cli-password-file-unreadable",
                &[("path", path.display().to_string().into()), ("detail", e.to_string().into())],
            ))
        })?;
        return Ok(text.lines().next().unwrap_or_default().to_owned());
    }
    std::env::var(env).map_err(|_| Failure::Usage(tr(lang).f("cli-no-password", &[("env", env.into())])))
}

/// The password of `--operator`, read before anything is opened (a usage error stops early).
pub(super) fn operator_password(auth: &AuthArgs, lang: Lang) -> Result<String, Failure> {
    password(auth.password_file.as_deref(), PASSWORD_ENV, lang)
}

/// Opens the kiosk; a damaged log or a dropped unfinished append is told on stderr.
pub(super) fn open(data: &Path, lang: Lang) -> Result<Kiosk, Failure> {
    let kiosk = Kiosk::open(data).map_err(|e| failure(&e, lang))?;
    render::open_notes(&kiosk, lang);
    Ok(kiosk)
}

pub(super) fn login(kiosk: &Kiosk, auth: &AuthArgs, password: &str, lang: Lang) -> Result<Session, Failure> {
    kiosk.login(&auth.operator, password).map_err(|e| failure(&e, lang))
}

/// Opens the kiosk and logs `auth` in (its password is read first).
fn open_as(auth: &AuthArgs, data: &Path, lang: Lang) -> Result<(Kiosk, Session), Failure> {
    let pw = operator_password(auth, lang)?;
    let kiosk = open(data, lang)?;
    let session = login(&kiosk, auth, &pw, lang)?;
    Ok((kiosk, session))
}

fn init(args: &InitArgs, data: &Path, lang: Lang) -> Result<(), Failure> {
    let admin_password = password(args.password_file.as_deref(), PASSWORD_ENV, lang)?;
    let params = InitParams {
        district: args.district.clone(),
        name: args.name.clone(),
        kiosk_id: args.id.clone(),
        admin_login: args.admin.clone(),
        admin_name: args.admin_name.clone(),
        admin_password,
    };
    let report = Kiosk::init(data, &params).map_err(|e| failure(&e, lang))?;
    if args.demo_directory {
        kiosk::reference::use_demo_directory(data)
            .map_err(|e| Failure::Error { code: "IO".into(), message: format!("{}: {e}", data.display()) })?;
    }
    if args.format.is_json() {
        print_json(&json!({
            "kioskId": report.identity.kiosk_id,
            "district": report.identity.district,
            "name": report.identity.name,
            "publicKey": report.identity.public_key,
            "fingerprint": report.fingerprint,
            "admin": report.admin_login,
            "dataDir": report.data_dir,
        }));
    } else {
        render::init(&report, lang);
    }
    Ok(())
}

fn operator(cmd: OperatorCmd, data: &Path, lang: Lang) -> Result<(), Failure> {
    match cmd {
        OperatorCmd::Add(args) => {
            let new_password = password(args.new_password_file.as_deref(), NEW_PASSWORD_ENV, lang)?;
            let (mut kiosk, admin) = open_as(&args.auth, data, lang)?;
            let new = NewOperator {
                login: args.login.clone(),
                name: args.name.clone(),
                role: args.role.into(),
                kindergartens: args.kindergartens.clone(),
            };
            let receipt = kiosk.add_operator(&admin, &new, &new_password).map_err(|e| failure(&e, lang))?;
            render::account_receipt("cli-account-created", &receipt, lang);
            kiosk.close();
        }
        OperatorCmd::Disable(args) => {
            let (mut kiosk, admin) = open_as(&args.auth, data, lang)?;
            let receipt = kiosk.disable_operator(&admin, &args.login).map_err(|e| failure(&e, lang))?;
            render::account_receipt("cli-account-disabled", &receipt, lang);
            kiosk.close();
        }
        OperatorCmd::List(args) => {
            let kiosk = open(data, lang)?;
            show(args.format.is_json(), &kiosk.operators(), |o| render::operators(o, lang));
        }
    }
    Ok(())
}

/// JSON when `--format json` asks for it, else the text for people.
fn show<T: serde::Serialize>(json: bool, value: &T, text: impl FnOnce(&T)) {
    if json { print_json(value) } else { text(value) }
}

fn not_found(what: String, lang: Lang) -> Failure {
    failure(&QueryError::NotFound { what }, lang)
}

fn find(args: &FindArgs, data: &Path, lang: Lang) -> Result<(), Failure> {
    let kiosk = open(data, lang)?;
    let q = |e: QueryError| failure(&e, lang);
    let (apps, what) = if let Some(iin) = &args.key.iin {
        (kiosk.find_by_iin(iin).map_err(q)?, format!("IIN {iin}"))
    } else if let Some(reg) = &args.key.reg {
        (kiosk.application(reg).map_err(q)?.into_iter().collect(), reg.clone())
    } else if let Some(number) = &args.key.direction {
        (kiosk.find_by_direction(number).map_err(q)?.into_iter().collect::<Vec<_>>(), number.clone())
    } else {
        (Vec::new(), String::new())
    };
    if args.format.is_json() {
        let rows: Vec<_> =
            apps.iter().map(|a| json!({"application": a, "position": kiosk.state().position(&a.id)})).collect();
        print_json(&rows);
    } else {
        for app in &apps {
            render::application(app, kiosk.state().position(&app.id), lang);
        }
    }
    if apps.is_empty() {
        return Err(not_found(what, lang));
    }
    Ok(())
}

fn journal(args: &JournalArgs, data: &Path, lang: Lang) -> Result<(), Failure> {
    let kiosk = open(data, lang)?;
    let rows = kiosk.journal(&args.status).map_err(|e| failure(&e, lang))?;
    show(args.format.is_json(), &rows, |rows| render::journal(rows, lang));
    Ok(())
}

fn card(args: &CardArgs, data: &Path, lang: Lang) -> Result<(), Failure> {
    let kiosk = open(data, lang)?;
    let card = kiosk.card(&args.reg).map_err(|e| failure(&e, lang))?;
    let Some(card) = card else {
        return Err(not_found(args.reg.clone(), lang));
    };
    show(args.format.is_json(), &card, |card| render::card(card, lang));
    Ok(())
}

fn status(args: &FormatArg, data: &Path, lang: Lang) -> Result<(), Failure> {
    let kiosk = open(data, lang)?;
    show(args.format.is_json(), &kiosk.status(), |report| render::status(report, lang));
    Ok(())
}

fn verify(args: &FormatArg, data: &Path, lang: Lang) -> Result<(), Failure> {
    let kiosk = open(data, lang)?;
    let report = kiosk.verify().map_err(|e| failure(&e, lang))?;
    show(args.format.is_json(), &report, |report| render::verify(report, lang));
    if report.ok { Ok(()) } else { Err(Failure::Silent) }
}

fn export(args: &ExportArgs, data: &Path, lang: Lang) -> Result<(), Failure> {
    let kiosk = open(data, lang)?;
    let report = kiosk.export(&args.out).map_err(|e| failure(&e, lang))?;
    show(args.format.is_json(), &report, |report| render::export(report, lang));
    Ok(())
}

fn rotate_key(auth: &AuthArgs, data: &Path, lang: Lang) -> Result<(), Failure> {
    let (mut kiosk, admin) = open_as(auth, data, lang)?;
    let receipt = kiosk.rotate_key(&admin, kiosk::configured_passphrase().as_deref()).map_err(|e| failure(&e, lang))?;
    print_json(&json!({ "seq": receipt.seq, "publicKey": kiosk.public_key_hex(), "fingerprint": kiosk.fingerprint() }));
    Ok(())
}

fn demo_load(auth: &AuthArgs, data: &Path, lang: Lang) -> Result<(), Failure> {
    let (mut kiosk, admin) = open_as(auth, data, lang)?;
    let report = kiosk.demo_load(&admin).map_err(|e| failure(&e, lang))?;
    render::demo_load(&report, lang);
    kiosk.close();
    Ok(())
}

fn center(cmd: CenterCmd, data: &Path, lang: Lang) -> Result<(), Failure> {
    let kiosk = open(data, lang)?;
    match cmd {
        CenterCmd::Set(args) => {
            let tls = match (&args.ca_file, &args.pin_cert, args.clear_tls) {
                (Some(file), _, _) => Some(TlsChoice::CaFile(file)),
                (_, Some(file), _) => Some(TlsChoice::PinCert(file)),
                (_, _, true) => Some(TlsChoice::PublicRoots),
                _ => None,
            };
            if args.url.is_none() && args.key.is_none() && tls.is_none() {
                return Err(Failure::Usage(tr(lang).t("cli-center-set-usage").to_owned()));
            }
            let config = kiosk::push::configure_center(&kiosk, args.url.as_deref(), args.key.as_deref(), tls)
                .map_err(|e| failure(&e, lang))?;
            print_json(&config);
        }
        CenterCmd::Show => {
            let config = kiosk::push::center_config(&kiosk).map_err(|e| failure(&e, lang))?;
            print_json(&config);
        }
    }
    Ok(())
}

fn push(args: &PushArgs, data: &Path, lang: Lang) -> Result<(), Failure> {
    let mut kiosk = open(data, lang)?;
    let options = sync_client::PushOptions { attempts: args.attempts.max(1), ..Default::default() };
    let mut progress = |p: &kiosk::push::PushProgress| {
        errln!("push: {:?} {}/{}", p.stage, p.sent_entries, p.total_entries);
    };
    let report = kiosk::push::push_with(&mut kiosk, args.url.as_deref().unwrap_or(""), &options, &mut progress)
        .map_err(|e| failure(&e, lang))?;
    print_json(&report);
    Ok(())
}

fn import_snapshot(arg: &FileArg, data: &Path, lang: Lang) -> Result<(), Failure> {
    let mut kiosk = open(data, lang)?;
    let report = kiosk::push::import_snapshot(&mut kiosk, &arg.file).map_err(|e| failure(&e, lang))?;
    print_json(&report);
    Ok(())
}

fn import_ack(arg: &FileArg, data: &Path, lang: Lang) -> Result<(), Failure> {
    let mut kiosk = open(data, lang)?;
    let report = kiosk::push::import_ack(&mut kiosk, &arg.file).map_err(|e| failure(&e, lang))?;
    print_json(&report);
    Ok(())
}
