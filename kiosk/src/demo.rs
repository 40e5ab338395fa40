//! `kezek-kiosk demo`: a demo kiosk in the data folder (created once, reused after) and a
//! readable walk-through of it, or the GUI on it.

use std::io::Write;
use std::path::Path;

use clap::Args;
use kiosk::{InitParams, Kiosk, LogHealth, NewOperator, OpenError};
use rules::{Lang, Localized, Role, Status};

/// The demo district.
pub const DISTRICT: &str = "KOK";

/// Demo accounts: login, password, name, role. The kiosk's password policy asks for at least
/// eight characters, so each password is the login followed by `-demo`.
pub const ACCOUNTS: [(&str, &str, &str, Role); 3] = [
    ("admin", "admin-demo", "Администратор (демо)", Role::Admin),
    ("operator", "operator-demo", "Оператор (демо)", Role::Operator),
    ("ddo", "ddo-demo", "Сотрудник ДДО (демо)", Role::Kindergarten),
];

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Print a walk-through of the demo kiosk instead of opening the window
    #[arg(long)]
    pub headless: bool,
}

macro_rules! say {
    ($($t:tt)*) => {{
        let _ = writeln!(std::io::stdout(), $($t)*);
    }};
}

fn tr(lang: Lang, ru: &str, kk: &str, en: &str) -> String {
    match lang {
        Lang::Ru => ru,
        Lang::Kk => kk,
        Lang::En => en,
    }
    .to_owned()
}

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
            kindergartens: if *role == Role::Kindergarten { district_kindergartens.clone() } else { Vec::new() },
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
    say!("{}:", tr(lang, "Демо-входы", "Демо кіру деректері", "Demo logins"));
    for (login, password, _, role) in ACCOUNTS {
        say!("  {login} / {password}  ({})", role.as_str());
    }
}

/// The walk-through printed by `demo --headless`.
pub fn walk_through(kiosk: &Kiosk, created: bool, lang: Lang) -> Result<(), String> {
    let l = |ru: &str, kk: &str, en: &str| tr(lang, ru, kk, en);
    let id = kiosk.identity();
    say!("== Kezek {} ==", l("демо-киоск", "демо киоск", "demo kiosk"));
    say!(
        "{}",
        if created {
            l(
                "Демо-киоск создан и заполнен демо-данными.",
                "Демо киоск құрылды және демо деректермен толтырылды.",
                "The demo kiosk was created and filled with the demo data.",
            )
        } else {
            l(
                "Демо-киоск уже был в этой папке: используется он.",
                "Бұл қалтада демо киоск бар еді: сол пайдаланылады.",
                "The demo kiosk was already in this folder: reusing it.",
            )
        }
    );
    say!("{}: {} — {} ({})", l("Киоск", "Киоск", "Kiosk"), id.kiosk_id, id.name, id.district);
    say!("{}: {}", l("Отпечаток ключа", "Кілт іздері", "Key fingerprint"), kiosk.fingerprint());
    say!("{}: {}", l("Папка данных", "Деректер қалтасы", "Data folder"), kiosk.data_dir().display());
    let status = kiosk.status();
    say!(
        "{}: {}, {}: {}, {}: {}",
        l("Заявлений загружено", "Жүктелген өтініштер", "Applications loaded"),
        status.applications,
        l("записей о местах", "орын жазбалары", "places records"),
        status.places_records,
        l("записей в журнале", "журнал жазбалары", "log entries"),
        status.last_seq
    );
    print_logins(lang);

    let rows = kiosk.journal(&[]).map_err(|e| error_text(&e, lang))?;
    say!("");
    say!(
        "-- {} ({} {}) --",
        l("Журнал: первые 10 строк", "Журнал: алғашқы 10 жол", "Journal: the first 10 rows"),
        l("всего", "барлығы", "total"),
        rows.len()
    );
    say!(
        "{:<24} {:<12} {:<26} {:<6} {}",
        l("Рег. номер", "Тіркеу нөмірі", "Reg. number"),
        l("ИИН", "ЖСН", "IIN"),
        l("Ребёнок", "Бала", "Child"),
        l("Место", "Орны", "Pos."),
        l("Статус", "Мәртебе", "Status")
    );
    for r in rows.iter().take(10) {
        let name: String = r.child_name.chars().take(26).collect();
        say!(
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
        say!("");
        say!("-- {} {} --", l("Карточка заявления", "Өтініш карточкасы", "Application card"), app.id);
        say!("  {}: {} ({}), {}", l("Ребёнок", "Бала", "Child"), app.child.name, app.child.iin, app.child.birth_date);
        say!(
            "  {}: {} / {} / {}",
            l("Очередь", "Кезек", "Queue"),
            app.district,
            app.queue_type.as_str(),
            app.group_year()
        );
        say!("  {}: {}", l("Статус", "Мәртебе", "Status"), app.status.text().get(lang));
        say!(
            "  {}: {}",
            l("Место в очереди (по данным киоска)", "Кезектегі орны (киоск бойынша)", "Queue position (kiosk)"),
            card.position.map_or_else(|| "—".to_owned(), |p| p.to_string())
        );
        say!("  {}: {}", l("Зарегистрировано", "Тіркелген", "Registered"), app.registered_at);
        if let Some(v) = &app.voucher {
            say!(
                "  {}: {}",
                l("Подтвердить ваучер до", "Ваучерді растау мерзімі", "Confirm the voucher by"),
                v.confirm_deadline
            );
            if let Some(d) = v.choose_deadline {
                say!(
                    "  {}: {d}",
                    l("Выбрать детский сад до", "Балабақшаны таңдау мерзімі", "Choose a kindergarten by")
                );
            }
        }
        say!(
            "  {}:",
            l("Доступные действия (по правилам)", "Қолжетімді әрекеттер (ереже бойынша)", "Allowed actions (rules)")
        );
        if card.allowed_actions.is_empty() {
            say!("    —");
        }
        for a in &card.allowed_actions {
            let deadline = a.deadline.map_or_else(String::new, |d| format!(" — {} {d}", l("до", "дейін", "until")));
            say!("    {} ({}){deadline}", a.action.text().get(lang), a.role.as_str());
        }
        say!("  {}:", l("История", "Тарихы", "History"));
        for h in &card.history {
            say!(
                "    #{} {} {} {}: {} [{}] — {}",
                h.item.seq,
                h.item.at,
                l("киоск", "киоск", "kiosk"),
                h.item.kiosk,
                h.item.command,
                h.item.events.join(", "),
                h.operator_name.clone().unwrap_or_else(|| h.item.operator.clone())
            );
        }
    }

    say!("");
    let health = match kiosk.health() {
        LogHealth::Ok => l("в порядке", "жақсы", "healthy"),
        LogHealth::Damaged { damage } => damage.message(lang),
    };
    say!("{}: {health}", l("Журнал изменений", "Өзгерістер журналы", "Change log"));
    let verify = kiosk.verify().map_err(|e| error_text(&e, lang))?;
    say!(
        "{}: {} ({} {}, {} {})",
        l("Проверка журнала", "Журналды тексеру", "Log verification"),
        if verify.ok { l("OK", "OK", "OK") } else { l("ОШИБКИ", "ҚАТЕЛЕР", "PROBLEMS") },
        verify.replay_problems.len(),
        l("ошибок повтора", "қайталау қатесі", "replay problems"),
        verify.projection_mismatches.len(),
        l("расхождений проекций", "проекция айырмашылығы", "projection mismatches")
    );
    if verify.ok {
        Ok(())
    } else {
        Err(l("Журнал не прошёл проверку", "Журнал тексеруден өтпеді", "The log failed verification"))
    }
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
    say!("{}: {}", tr(lang, "Демо-киоск", "Демо киоск", "Demo kiosk"), data.display());
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
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("Kezek")
            .with_inner_size([1280.0, 800.0])
            .with_min_inner_size([1024.0, 640.0]),
        ..Default::default()
    };
    eframe::run_native(
        "Kezek",
        options,
        Box::new(move |cc| {
            let mut app = KioskApp::new(Box::new(backend), output_dir);
            app.lang = lang;
            app.apply_command(UiCommand::Login { login, password }, &cc.egui_ctx);
            Ok(Box::new(app))
        }),
    )
    .map_err(|e| e.to_string())
}

/// Without the `gui` feature there is no window.
#[cfg(not(feature = "gui"))]
pub fn gui(_data: &Path, lang: Lang) -> Result<(), String> {
    Err(tr(
        lang,
        "Эта сборка без графического интерфейса (feature gui)",
        "Бұл нұсқада графикалық интерфейс жоқ (feature gui)",
        "This build has no GUI (feature gui)",
    ))
}
