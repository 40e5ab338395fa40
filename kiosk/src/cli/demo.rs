//! `kezek-kiosk demo`: a demo kiosk in the data folder (created once, reused after) and a
//! readable walk-through of it, or the GUI on it.

use std::path::Path;

use kiosk::i18n::tr;
use kiosk::{InitParams, Kiosk, LogHealth, NewOperator, OpenError};
use rules::{Lang, Localized, Role, Status};

use super::args::DemoArgs;

/// The demo district.
pub const DISTRICT: &str = "KOK";

/// Demo accounts: login, password, name, role. The kiosk's password policy asks for at least
/// eight characters, so each password is the login followed by `-demo`.
pub const ACCOUNTS: [(&str, &str, &str, Role); 3] = [
    ("admin", "admin-demo", "Администратор (демо)", Role::Admin),
    ("operator", "operator-demo", "Оператор (демо)", Role::Operator),
    ("ddo", "ddo-demo", "Сотрудник ДДО (демо)", Role::Kindergarten),
];

/// `[CODE] message` of a kiosk error.
pub fn error_text(error: &impl Localized, lang: Lang) -> String {
    format!("[{}] {}", error.code(), error.message(lang))
}

/// Creates the demo kiosk in `data` if there is none, adds the demo accounts and loads the
/// demo data if the kiosk has no applications yet. Returns the open kiosk and whether
/// anything was created now.
pub fn prepare(data: &Path, lang: Lang) -> Result<(Kiosk, bool), String> {
    let mut created = false;
    let (admin_login, admin_password, admin_name, _) = ACCOUNTS[0];
    let mut kiosk = match Kiosk::open(data) {
        Ok(k) => k,
        Err(OpenError::NotInitialized { .. }) => {
            let params = InitParams {
                district: DISTRICT.into(),
                name: "Kezek demo — Кокшетау".into(),
                kiosk_id: Some(format!("{DISTRICT}-01")),
                admin_login: admin_login.into(),
                admin_name: admin_name.into(),
                admin_password: admin_password.into(),
            };
            Kiosk::init(data, &params).map_err(|e| error_text(&e, lang))?;
            // A demo kiosk uses the demo kindergarten directory until a center sends its own.
            kiosk::reference::use_demo_directory(data).map_err(|e| format!("[IO] {}: {e}", data.display()))?;
            created = true;
            Kiosk::open(data).map_err(|e| error_text(&e, lang))?
        }
        Err(e) => return Err(error_text(&e, lang)),
    };
    let admin = kiosk.login(admin_login, admin_password).map_err(|e| error_text(&e, lang))?;
    let district_kindergartens: Vec<String> =
        kiosk.state().kindergartens().filter(|k| k.district == DISTRICT).map(|k| k.id.clone()).collect();
    for (login, password, name, role) in &ACCOUNTS[1..] {
        if kiosk.operators().iter().any(|o| o.login == *login) {
            continue;
        }
        let new = NewOperator {
            login: (*login).into(),
            name: (*name).into(),
            role: *role,
            kindergartens: if rules::authz::accounts::binds_kindergartens(*role) {
                district_kindergartens.clone()
            } else {
                Vec::new()
            },
        };
        kiosk.add_operator(&admin, &new, password).map_err(|e| error_text(&e, lang))?;
        created = true;
    }
    if kiosk.state().applications().next().is_none() {
        kiosk.demo_load(&admin).map_err(|e| error_text(&e, lang))?;
        created = true;
    }
    Ok((kiosk, created))
}

/// The demo logins, one a line.
pub fn print_logins(lang: Lang) {
    outln!("{}:", tr(lang).t("cli-demo-logins"));
    for (login, password, _, role) in ACCOUNTS {
        outln!("  {login} / {password}  ({})", role.as_str());
    }
}

/// The walk-through printed by `demo --headless`.
pub fn walk_through(kiosk: &Kiosk, created: bool, lang: Lang) -> Result<(), String> {
    let l = |id: &str| tr(lang).t(id).to_owned();
    let id = kiosk.identity();
    outln!("== Kezek {} ==", l("cli-demo-title"));
    outln!("{}", l(if created { "cli-demo-created" } else { "cli-demo-reused" }));
    outln!("{}: {} — {} ({})", l("cli-kiosk"), id.kiosk_id, id.name, id.district);
    outln!("{}: {}", l("cli-key-fingerprint"), kiosk.fingerprint());
    outln!("{}: {}", l("cli-data-folder"), kiosk.data_dir().display());
    let status = kiosk.status();
    outln!(
        "{}: {}, {}: {}, {}: {}",
        l("cli-demo-applications-loaded"),
        status.applications,
        l("cli-places-records"),
        status.places_records,
        l("cli-demo-log-entries"),
        status.last_seq
    );
    print_logins(lang);

    let rows = kiosk.journal(&[]).map_err(|e| error_text(&e, lang))?;
    outln!("");
    outln!("-- {} ({} {}) --", l("cli-demo-journal-head"), l("cli-demo-total"), rows.len());
    outln!(
        "{:<24} {:<12} {:<26} {:<6} {}",
        l("cli-demo-reg-number"),
        l("cli-iin"),
        l("cli-child"),
        l("cli-demo-position"),
        l("cli-status")
    );
    for r in rows.iter().take(10) {
        let name: String = r.child_name.chars().take(26).collect();
        outln!(
            "{:<24} {:<12} {:<26} {:<6} {}",
            r.id,
            r.child_iin,
            name,
            r.position.map_or_else(|| "—".to_owned(), |p| p.to_string()),
            r.status.text().get(lang)
        );
    }

    // One application's card: one with a voucher if there is one, else the first queued.
    let chosen = rows
        .iter()
        .find(|r| matches!(r.status, Status::VoucherIssued | Status::VoucherConfirmed))
        .or_else(|| rows.iter().find(|r| r.status == Status::Queued))
        .or_else(|| rows.first());
    if let Some(row) = chosen
        && let Some(card) = kiosk.card(&row.id).map_err(|e| error_text(&e, lang))?
    {
        let app = &card.application;
        outln!("");
        outln!("-- {} {} --", l("cli-demo-card"), app.id);
        outln!("  {}: {} ({}), {}", l("cli-child"), app.child.name, app.child.iin, app.child.birth_date);
        outln!("  {}: {} / {} / {}", l("cli-queue"), app.district, app.queue_type.as_str(), app.group_year());
        outln!("  {}: {}", l("cli-status"), app.status.text().get(lang));
        outln!(
            "  {}: {}",
            l("cli-demo-queue-position"),
            card.position.map_or_else(|| "—".to_owned(), |p| p.to_string())
        );
        outln!("  {}: {}", l("cli-registered"), app.registered_at);
        if let Some(v) = &app.voucher {
            outln!("  {}: {}", l("cli-demo-confirm-voucher-by"), v.confirm_deadline);
            if let Some(d) = v.choose_deadline {
                outln!("  {}: {d}", l("cli-demo-choose-by"));
            }
        }
        outln!("  {}:", l("cli-demo-allowed-actions"));
        if card.allowed_actions.is_empty() {
            outln!("    —");
        }
        for a in &card.allowed_actions {
            let deadline = a.deadline.map_or_else(String::new, |d| format!(" — {} {d}", l("cli-demo-until")));
            outln!("    {} ({}){deadline}", a.action.text().get(lang), a.role.as_str());
        }
        outln!("  {}:", l("cli-history"));
        for h in &card.history {
            outln!(
                "    #{} {} {} {}: {} [{}] — {}",
                h.item.seq,
                h.item.at,
                l("cli-kiosk-word"),
                h.item.kiosk,
                h.item.command,
                h.item.events.join(", "),
                h.operator_name.clone().unwrap_or_else(|| h.item.operator.clone())
            );
        }
    }

    outln!("");
    let health = match kiosk.health() {
        LogHealth::Ok => l("cli-healthy"),
        LogHealth::Damaged { damage } => damage.message(lang),
    };
    outln!("{}: {health}", l("cli-demo-change-log"));
    let verify = kiosk.verify().map_err(|e| error_text(&e, lang))?;
    outln!(
        "{}: {} ({} {}, {} {})",
        l("cli-demo-log-check"),
        if verify.ok { "OK".to_owned() } else { l("cli-demo-problems") },
        verify.replay_problems.len(),
        l("cli-demo-replay-problems"),
        verify.projection_mismatches.len(),
        l("cli-demo-projection-mismatches")
    );
    if verify.ok { Ok(()) } else { Err(l("cli-demo-log-failed")) }
}

/// Whether a window can be opened.
pub fn has_display() -> bool {
    ["DISPLAY", "WAYLAND_DISPLAY"].iter().any(|v| std::env::var_os(v).is_some_and(|s| !s.is_empty()))
}

/// `kezek-kiosk demo [--headless]`.
pub fn run(args: &DemoArgs, data: &Path, lang: Lang) -> Result<(), String> {
    let (kiosk, created) = prepare(data, lang)?;
    if args.headless || !has_display() || !cfg!(feature = "gui") {
        return walk_through(&kiosk, created, lang);
    }
    outln!("{}: {}", tr(lang).t("cli-demo-kiosk"), data.display());
    print_logins(lang);
    drop(kiosk);
    gui(data, lang)
}

/// The GUI on the kiosk in `data` (the first-run set-up if there is none yet).
///
/// For screenshots, `KEZEK_DEMO_LOGIN=operator` (a demo account) opens it logged in, on the
/// journal (or the account's first screen).
#[cfg(feature = "gui")]
pub fn gui(data: &Path, lang: Lang) -> Result<(), String> {
    use kiosk::gui::{KioskApp, StoreBackend, UiCommand};
    let backend = StoreBackend::open(data).map_err(|e| format!("[{}] {}", e.code, e.message(lang)))?;
    let output_dir = data.join("printouts");
    let demo_login = std::env::var("KEZEK_DEMO_LOGIN")
        .ok()
        .and_then(|login| ACCOUNTS.iter().find(|a| a.0 == login).map(|a| (a.0.to_owned(), a.1.to_owned())));
    let Some((login, password)) = demo_login else {
        return kiosk::gui::run(Box::new(backend), output_dir).map_err(|e| e.to_string());
    };
    kiosk::gui::run_with([1280.0, 800.0], move |cc| {
        let mut app = KioskApp::new(Box::new(backend), output_dir);
        app.lang = lang;
        app.apply_command(UiCommand::Login { login, password }, &cc.egui_ctx);
        app
    })
    .map_err(|e| e.to_string())
}

/// Without the `gui` feature there is no window.
#[cfg(not(feature = "gui"))]
pub fn gui(_data: &Path, lang: Lang) -> Result<(), String> {
    Err(tr(lang).t("cli-demo-no-gui").to_owned())
}
