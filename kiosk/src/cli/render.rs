//! What the command line prints for people: reports, cards and tables in the language of
//! `--lang` (words from `cli.ftl`, domain texts from `rules`); JSON as it is.

use comfy_table::{Table, presets};
use kiosk::i18n::{Tr, tr};
use kiosk::{
    Card, DemoReport, ExportReport, InitReport, JournalRow, Kiosk, LogHealth, OperatorInfo, Receipt, StatusReport,
    VerifyReport,
};
use rules::deadline::DeadlineKind;
use rules::model::Application;
use rules::{Lang, Localized};

/// Pretty JSON on stdout.
pub(super) fn print_json(value: &impl serde::Serialize) {
    outln!("{}", serde_json::to_string_pretty(value).expect("values serialize"));
}

/// What opening found that the person should know: a damaged log, a dropped unfinished append.
pub(super) fn open_notes(kiosk: &Kiosk, lang: Lang) {
    let t = tr(lang);
    if let LogHealth::Damaged { damage } = kiosk.health() {
        errln!("{} [{}]: {}", t.t("cli-warning"), damage.code(), damage.message(lang));
    }
    if let Some(torn) = &kiosk.open_report().torn_tail {
        errln!("{}", t.f("cli-torn-tail", &[("bytes", torn.len.into())]));
    }
}

pub(super) fn init(report: &InitReport, lang: Lang) {
    let t = tr(lang);
    outln!("{}", t.t("cli-kiosk-created"));
    outln!("{}: {}", t.t("cli-kiosk-id"), report.identity.kiosk_id);
    outln!("{}: {}", t.t("cli-public-key"), report.identity.public_key);
    outln!("{}: {}", t.t("cli-fingerprint"), report.fingerprint);
    outln!("{}: {}", t.t("cli-administrator"), report.admin_login);
    outln!("{}: {}", t.t("cli-data-folder"), report.data_dir.display());
    outln!("{}", t.t("cli-register-at-center"));
}

/// `Account … created/disabled (log entry …).`: `message` is the Fluent id.
pub(super) fn account_receipt(message: &str, receipt: &Receipt, lang: Lang) {
    outln!("{}", tr(lang).f(message, &[("login", receipt.id.as_str().into()), ("seq", receipt.seq.into())]));
}

/// A table without borders: the header's words (Fluent ids), columns two spaces apart, no
/// trailing spaces.
fn print_table(t: &Tr, header: &[&str], rows: impl IntoIterator<Item = Vec<String>>) {
    let mut table = Table::new();
    table.load_style(presets::NOTHING).set_header(header.iter().map(|id| t.t(id))).add_rows(rows);
    let last = table.column_count().saturating_sub(1);
    for (i, column) in table.column_iter_mut().enumerate() {
        column.set_padding((0, if i == last { 0 } else { 2 }));
    }
    outln!("{}", table.trim_fmt());
}

pub(super) fn operators(operators: &[OperatorInfo], lang: Lang) {
    let t = tr(lang);
    let row = |o: &OperatorInfo| {
        let state = t.t(if o.active { "cli-active" } else { "cli-disabled" });
        let added = format!("{} ({})", o.added_at, o.added_by);
        vec![
            o.login.clone(),
            o.name.clone(),
            o.role.as_str().to_owned(),
            o.kindergartens.join(","),
            state.into(),
            added,
        ]
    };
    let header = ["cli-login", "cli-name", "cli-role", "cli-kindergartens", "cli-state", "cli-added"];
    print_table(t, &header, operators.iter().map(row));
}

pub(super) fn journal(rows: &[JournalRow], lang: Lang) {
    let t = tr(lang);
    let row = |r: &JournalRow| {
        let queue = format!("{}/{}/{}", r.district, r.queue_type.as_str(), r.group_year);
        let position = r.position.map(|p| p.to_string()).unwrap_or_default();
        let status = r.status.text().get(lang).to_owned();
        vec![
            r.id.clone(),
            r.registered_at.to_string(),
            queue,
            r.child_name.clone(),
            r.child_iin.clone(),
            position,
            status,
        ]
    };
    let header =
        ["cli-reg-number", "cli-registered", "cli-queue", "cli-child", "cli-iin", "cli-position", "cli-status"];
    print_table(t, &header, rows.iter().map(row));
    outln!("{}: {}", t.t("cli-total"), rows.len());
}

pub(super) fn application(app: &Application, position: Option<u32>, lang: Lang) {
    let t = tr(lang);
    outln!("{}: {}", t.t("cli-reg-number"), app.id);
    outln!("  {}: {} ({})", t.t("cli-child"), app.child.name, app.child.iin);
    outln!("  {}: {}", t.t("cli-birth-date"), app.child.birth_date);
    outln!("  {}: {} / {} / {}", t.t("cli-queue"), app.district, app.queue_type.text().get(lang), app.group_year());
    outln!("  {}: {}", t.t("cli-right"), app.right.text().get(lang));
    outln!("  {}: {}", t.t("cli-registered"), app.registered_at);
    outln!("  {}: {}", t.t("cli-status"), app.status.text().get(lang));
    if let Some(p) = position {
        outln!("  {}: {p}", t.t("cli-queue-position"));
    }
    if let Some(d) = &app.direction {
        outln!("  {}: {} → {}", t.t("cli-direction"), d.number, d.kindergarten);
    }
    if let Some(reason) = app.archive_reason {
        outln!("  {}: {}", t.t("cli-archive-reason"), reason.text().get(lang));
    }
    for w in &app.warnings {
        outln!("  {}: {}", t.t("cli-app-warning"), w.text().get(lang));
    }
}

pub(super) fn card(card: &Card, lang: Lang) {
    let t = tr(lang);
    let app = &card.application;
    application(app, card.position, lang);
    outln!("  {}: {} ({}), {}", t.t("cli-applicant"), app.applicant.name, app.applicant.iin, app.applicant.phone);
    outln!("  {}: {}", t.t("cli-address"), app.residence.address);
    for d in &card.deadlines {
        let what = t.t(match d.kind {
            DeadlineKind::Confirm => "cli-confirm-by",
            DeadlineKind::Choose => "cli-choose-by",
            DeadlineKind::Restore => "cli-restore-by",
        });
        let mark = if d.provisional { format!(" ({})", t.t("cli-provisional")) } else { String::new() };
        outln!("  {what}: {}{mark}", d.at);
    }
    let actions: Vec<&str> = card.allowed_actions.iter().map(|a| a.action.text().get(lang)).collect();
    outln!(
        "  {}: {}",
        t.t("cli-allowed-actions"),
        if actions.is_empty() { "—".to_owned() } else { actions.join(", ") }
    );
    outln!("{}:", t.t("cli-history"));
    for h in &card.history {
        let who =
            h.operator_name.as_ref().map_or_else(|| h.item.operator.clone(), |n| format!("{} ({n})", h.item.operator));
        outln!(
            "  #{} {} {} {}: {} [{}] — {} {who}",
            h.item.seq,
            h.item.at,
            t.t("cli-kiosk-word"),
            h.item.kiosk,
            h.item.command,
            h.item.events.join(", "),
            t.t("cli-by"),
        );
    }
}

pub(super) fn status(s: &StatusReport, lang: Lang) {
    let t = tr(lang);
    outln!("{}: {} — {} ({})", t.t("cli-kiosk"), s.kiosk_id, s.name, s.district);
    outln!("{}: {}", t.t("cli-key-fingerprint"), s.fingerprint);
    outln!("{}: {}", t.t("cli-public-key"), s.public_key);
    outln!("{}: {}", t.t("cli-data-folder"), s.data_dir.display());
    outln!("{}: {}", t.t("cli-log-entries"), s.last_seq);
    outln!("{}: {}", t.t("cli-acknowledged"), s.acknowledged_seq);
    outln!("{}: {}", t.t("cli-pending"), s.pending_entries);
    if let (Some(at), Some(days)) = (&s.last_sync_at, s.days_since_last_sync) {
        outln!("{}: {at} ({days} {})", t.t("cli-last-sync"), t.t("cli-days-ago"));
    } else {
        outln!("{}: {}", t.t("cli-last-sync"), t.t("cli-never"));
    }
    match &s.log_health {
        LogHealth::Ok => outln!("{}: {}", t.t("cli-log"), t.t("cli-healthy")),
        LogHealth::Damaged { damage } => outln!("{}: {}", t.t("cli-log"), damage.message(lang)),
    }
    if let Some(torn) = &s.open.torn_tail {
        outln!("{}: {} {}", t.t("cli-dropped-append"), torn.len, t.t("cli-bytes"));
    }
    outln!("{}: {} / {}", t.t("cli-projections"), s.projected_seq, s.last_seq);
    if let Some(e) = &s.projection_error {
        outln!("  {}: {e}", t.t("cli-error"));
    }
    outln!(
        "{}: {}, {}: {}, {}: {}",
        t.t("cli-applications"),
        s.applications,
        t.t("cli-places-records"),
        s.places_records,
        t.t("cli-active-accounts"),
        s.operators_active
    );
    if !s.replay_problems.is_empty() {
        outln!("{}: {}", t.t("cli-rejected-on-replay-entries"), s.replay_problems.len());
    }
    if !s.conflicts.is_empty() {
        outln!("{}: {}", t.t("cli-offline-conflicts"), s.conflicts.len());
    }
    for note in &s.open.notes {
        outln!("  {note}");
    }
    outln!("{}: {} ms", t.t("cli-open-time"), s.open.open_ms);
}

pub(super) fn verify(r: &VerifyReport, lang: Lang) {
    let t = tr(lang);
    outln!("{}: {} / {}", t.t("cli-valid-entries"), r.log.valid, r.log.entries);
    if let Some(d) = &r.log.damage {
        outln!("{}", d.message(lang));
    }
    outln!("{}: {}", t.t("cli-rejected-on-replay"), r.replay_problems.len());
    for p in &r.replay_problems {
        outln!("  #{} {}: {}", p.seq, p.code, p.message);
    }
    if !r.conflicts.is_empty() {
        outln!("{}: {}", t.t("cli-offline-conflicts"), r.conflicts.len());
        for p in &r.conflicts {
            outln!("  #{} {}: {}", p.seq, p.code, p.message);
        }
    }
    outln!("{}: {}", t.t("cli-projection-mismatches"), r.projection_mismatches.len());
    outln!("{}", t.t(if r.ok { "cli-verified" } else { "cli-not-verified" }));
}

pub(super) fn export(report: &ExportReport, lang: Lang) {
    let t = tr(lang);
    let range = match (report.first_seq, report.last_seq) {
        (Some(a), Some(b)) => format!("{a}–{b}"),
        _ => "—".to_owned(),
    };
    let args = [
        ("entries", report.entries.into()),
        ("range", range.into()),
        ("path", report.path.display().to_string().into()),
        ("bytes", report.bytes.into()),
    ];
    outln!("{}", t.f("cli-exported", &args));
    if report.remaining > 0 {
        outln!("{}: {}", t.t("cli-export-left"), report.remaining);
    }
}

pub(super) fn demo_load(report: &DemoReport, lang: Lang) {
    let args = [
        ("registered", report.registered.into()),
        ("places", report.places.into()),
        ("rejected", report.rejected.len().into()),
        ("first", report.first_seq.into()),
        ("last", report.last_seq.into()),
    ];
    outln!("{}", tr(lang).f("cli-demo-loaded", &args));
    for r in &report.rejected {
        outln!("  {} {} [{}] {}", r.at, r.command, r.code, r.message);
    }
}
