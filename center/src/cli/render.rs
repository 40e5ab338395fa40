//! What the command line prints: JSON on stdout (the report also as a table), errors as
//! `{"error":{"code","message"}}` on stderr.

use std::io::Write;

use center::ReportRow;
use comfy_table::{Cell, CellAlignment, Table, presets};
use serde::Serialize;

use super::Failure;

/// Prints a value as pretty JSON on stdout.
pub fn json<T: Serialize + ?Sized>(value: &T) {
    let mut out = std::io::stdout().lock();
    let _ = serde_json::to_writer_pretty(&mut out, value);
    let _ = writeln!(out);
}

/// Prints text as it is on stdout.
pub fn raw(text: &str) {
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
}

/// Prints a failure on stderr.
pub fn error(failure: &Failure) {
    let body = serde_json::json!({ "error": { "code": failure.code, "message": failure.message } });
    eprintln!("{body}");
}

/// The report as a table: one line per district and group year.
pub fn report_table(rows: &[ReportRow]) -> String {
    const HEADER: [&str; 15] = [
        "district",
        "year",
        "queued",
        "vouchers",
        "issued",
        "confirmed",
        "stop",
        "dirs",
        "refusal",
        "enrolled",
        "departed",
        "archived",
        "pending",
        "published",
        "free",
    ];
    let mut table = Table::new();
    table.load_style(presets::ASCII_BORDERS_ONLY_CONDENSED);
    table.set_header(HEADER.iter().enumerate().map(|(i, h)| aligned(Cell::new(h), i)));
    for r in rows {
        let numbers = [
            i64::from(r.group_year),
            r.queued.into(),
            r.vouchers_outstanding.into(),
            r.voucher_issued.into(),
            r.voucher_confirmed.into(),
            r.stop_listed.into(),
            r.directions.into(),
            r.refusal_review.into(),
            r.enrolled.into(),
            r.departed.into(),
            r.archived.into(),
            r.places_pending.into(),
            r.places_published.into(),
            r.places_free.into(),
        ];
        let cells = std::iter::once(Cell::new(&r.district)).chain(numbers.iter().map(Cell::new));
        table.add_row(cells.enumerate().map(|(i, c)| aligned(c, i)));
    }
    let mut text = table.to_string();
    text.push('\n');
    text
}

/// The district column to the left, numbers to the right.
fn aligned(cell: Cell, column: usize) -> Cell {
    cell.set_alignment(if column == 0 { CellAlignment::Left } else { CellAlignment::Right })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_report_table_has_a_header_and_a_line_per_row() {
        let row =
            ReportRow { district: "KOK".into(), group_year: 2023, queued: 12, places_free: 3, ..ReportRow::default() };
        let table = report_table(&[row]);
        let lines: Vec<&str> = table.lines().filter(|l| l.contains('|')).collect();
        assert_eq!(lines.len(), 2, "{table}");
        assert!(lines[0].contains("district") && lines[0].contains("published"), "{table}");
        assert!(lines[1].contains("KOK") && lines[1].contains("2023") && lines[1].contains("12"), "{table}");
    }
}
