//! Print-ready files: the receipt (HTML) after registration and the child card (plain text)
//! kindergarten staff download.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use rules::i18n::Lang;
use rules::model::Kindergarten;

use super::backend::{Card, KioskInfo};
use super::i18n::Tr;
use super::ui::kindergarten_name;
use super::{format, reference};

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

fn file_name(id: &str) -> String {
    id.chars().map(|c| if c.is_alphanumeric() || c == '-' || c == '.' { c } else { '_' }).collect()
}

/// Writes a printout (personal data) readable by its owner only; a folder made for it is
/// owner-only too (an existing folder, which may be the user's own, keeps its mode).
fn write(dir: &Path, name: &str, contents: &str) -> Result<PathBuf, String> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let path = dir.join(name);
    crate::store::write_private_file(&path, contents.as_bytes()).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(path)
}

/// The receipt for a registered application, as a print-ready HTML page.
pub fn receipt_html(card: &Card, kiosk: Option<&KioskInfo>, tr: &Tr, lang: Lang) -> String {
    let app = &card.application;
    let mut rows: Vec<(String, String)> = vec![
        (tr.t("card-reg-number").to_owned(), app.id.clone()),
        (tr.t("card-registered-at").to_owned(), format::instant(app.registered_at)),
        (tr.t("card-status").to_owned(), app.status.text().get(lang).to_owned()),
        (tr.t("card-queue-type").to_owned(), app.queue_type.text().get(lang).to_owned()),
        (tr.t("card-group-year").to_owned(), app.group_year().to_string()),
        (tr.t("reg-child-iin").to_owned(), app.child.iin.clone()),
        (tr.t("reg-child-name").to_owned(), app.child.name.clone()),
        (tr.t("reg-birth-date").to_owned(), format::date(app.child.birth_date)),
        (tr.t("reg-applicant-name").to_owned(), app.applicant.name.clone()),
        (tr.t("reg-phone").to_owned(), app.applicant.phone.clone()),
    ];
    let mut right = app.right.text().get(lang).to_owned();
    if let Some(category) = &app.right_category {
        right = format!("{right}: {}", reference::category_name(category, lang));
    }
    rows.push((tr.t("reg-right").to_owned(), right));
    if let Some(position) = card.local_position {
        rows.push((tr.t("card-position-local").to_owned(), position.to_string()));
    }
    let mut html = String::new();
    let _ = write!(
        html,
        "<!DOCTYPE html>\n<html lang=\"{}\"><head><meta charset=\"utf-8\"><title>{} {}</title>\n\
         <style>body{{font-family:'DejaVu Sans',Arial,sans-serif;max-width:18cm;margin:1.5cm auto;font-size:12pt}}\
         h1{{font-size:16pt}}table{{border-collapse:collapse;width:100%}}td{{border:1px solid #999;padding:4pt 6pt}}\
         td:first-child{{width:40%;color:#333}}.n{{font-size:20pt;font-weight:bold}}\
         @media print{{body{{margin:0}}}}</style></head><body>\n",
        lang.code(),
        escape(tr.t("receipt-title")),
        escape(&app.id)
    );
    let _ = writeln!(html, "<h1>{}</h1>", escape(tr.t("receipt-title")));
    if let Some(kiosk) = kiosk {
        let _ = writeln!(
            html,
            "<p>{} · {}</p>",
            escape(&kiosk.name),
            escape(&reference::district_name(&kiosk.district, lang))
        );
    }
    let _ = writeln!(html, "<p class=\"n\">{}</p>\n<table>", escape(&app.id));
    for (name, value) in rows {
        let _ = writeln!(html, "<tr><td>{}</td><td>{}</td></tr>", escape(&name), escape(&value));
    }
    let _ = writeln!(html, "</table>");
    for warning in &app.warnings {
        let _ = writeln!(html, "<p><em>{}</em></p>", escape(warning.text().get(lang)));
    }
    let _ = writeln!(html, "<p>{}</p>\n</body></html>", escape(tr.t("receipt-note")));
    html
}

pub fn write_receipt(
    dir: &Path,
    card: &Card,
    kiosk: Option<&KioskInfo>,
    tr: &Tr,
    lang: Lang,
) -> Result<PathBuf, String> {
    let html = receipt_html(card, kiosk, tr, lang);
    write(dir, &format!("receipt-{}.html", file_name(&card.application.id)), &html)
}

/// The child card ("Скачать карточку ребенка") as plain text.
pub fn child_card_text(card: &Card, tr: &Tr, lang: Lang, kindergartens: &[Kindergarten]) -> String {
    let app = &card.application;
    let mut text = String::new();
    let mut line = |name: &str, value: &str| {
        let _ = writeln!(text, "{name}: {value}");
    };
    line(tr.t("card-reg-number"), &app.id);
    line(tr.t("card-status"), app.status.text().get(lang));
    line(tr.t("card-queue-type"), app.queue_type.text().get(lang));
    line(tr.t("card-group-year"), &app.group_year().to_string());
    line(tr.t("reg-child-iin"), &app.child.iin);
    line(tr.t("reg-child-name"), &app.child.name);
    line(tr.t("reg-birth-date"), &format::date(app.child.birth_date));
    line(tr.t("card-sex"), app.child.sex.text().get(lang));
    line(tr.t("reg-applicant-iin"), &app.applicant.iin);
    line(tr.t("reg-applicant-name"), &app.applicant.name);
    line(tr.t("reg-kinship"), app.applicant.kinship.text().get(lang));
    line(tr.t("reg-phone"), &app.applicant.phone);
    line(tr.t("reg-email"), app.applicant.email.as_deref().unwrap_or("—"));
    line(tr.t("reg-address"), &app.residence.address);
    line(tr.t("reg-right"), app.right.text().get(lang));
    if let Some(category) = &app.right_category {
        line(tr.t("reg-category"), &reference::category_name(category, lang));
    }
    if let Some(direction) = &app.direction {
        let name = kindergartens
            .iter()
            .find(|k| k.id == direction.kindergarten)
            .map_or_else(|| direction.kindergarten.clone(), |k| kindergarten_name(k, lang));
        line(tr.t("card-direction"), &direction.number);
        line(tr.t("card-kindergarten"), &name);
        line(tr.t("card-language"), direction.language.text().get(lang));
        line(tr.t("card-direction-issued"), &format::instant(direction.issued_at));
    }
    text
}

pub fn write_child_card(
    dir: &Path,
    card: &Card,
    tr: &Tr,
    lang: Lang,
    kindergartens: &[Kindergarten],
) -> Result<PathBuf, String> {
    let text = child_card_text(card, tr, lang, kindergartens);
    write(dir, &format!("child-card-{}.txt", file_name(&card.application.id)), &text)
}

#[cfg(all(test, unix))]
#[allow(clippy::unwrap_used)] // A failed unwrap is a failed test.
mod tests {
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn printouts_are_readable_by_their_owner_only() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("printouts");
        let path = super::write(&dir, "receipt-KOK-1.html", "<p>Әлімжанов</p>").unwrap();
        let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!((mode(&dir), mode(&path)), (0o700, 0o600));
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        super::write(&dir, "receipt-KOK-1.html", "again").unwrap();
        assert_eq!(mode(&path), 0o600);
    }
}
