//! Loading what a screen shows when it opens (the journal window, a card, its explanation
//! and action dialog, the staff and admin tables), and writing the receipt.

use super::{
    ActionDialog, ActionKind, CardView, Dialog, JournalFilter, KioskApp, PlacesInput, Range, Screen, format, journal,
    receipt,
};

impl KioskApp {
    pub(super) fn go(&mut self, screen: Screen) {
        self.screen = screen;
        match screen {
            Screen::Journal => {
                if self.journal.stale() {
                    self.journal.invalidate();
                    self.load_journal(0..journal::WINDOW);
                }
            }
            Screen::Staff => {
                if self.staff.kindergarten.is_empty() {
                    self.staff.kindergarten =
                        self.session.as_ref().and_then(|s| s.kindergartens.first().cloned()).unwrap_or_default();
                }
                self.refresh_staff();
            }
            Screen::Stats => match self.backend.stats() {
                Ok(stats) => self.stats = Some(stats),
                Err(error) => self.fail(error),
            },
            Screen::Admin => self.refresh_admin(),
            Screen::Sync => self.sync_status = self.backend.sync_status(),
            Screen::Register | Screen::Card => {}
        }
    }

    pub(super) fn load_journal(&mut self, range: Range<usize>) {
        let filter: JournalFilter = self.journal.filter.clone();
        match self.backend.journal(&filter, range) {
            Ok(page) => self.journal.set_page(filter, page),
            Err(error) => self.fail(error),
        }
    }

    pub(super) fn open_card(&mut self, id: &str) {
        match self.backend.card(id) {
            Ok(card) => {
                let keep = self.card.as_ref().filter(|v| v.card.application.id == id);
                let explanation = keep.and_then(|v| v.explanation.clone());
                self.card = Some(CardView { card, explanation, explain_error: None, file: None });
                self.screen = Screen::Card;
            }
            Err(error) => self.fail(error),
        }
    }

    pub(super) fn explain(&mut self, id: &str) {
        let result = self.backend.rank_snapshots(id);
        let Some(view) = &mut self.card else { return };
        match result {
            Ok(Some(snapshots)) => match rules::queue::explain_position(&snapshots.before, &snapshots.after, id) {
                Ok(change) => view.explanation = Some((snapshots.before_at, change)),
                Err(error) => view.explain_error = Some(error.to_string()),
            },
            Ok(None) => {
                view.explain_error = Some(self.translations.get(self.lang).t("explain-no-snapshot").to_owned());
            }
            Err(error) => view.explain_error = Some(error.message(self.lang).to_owned()),
        }
    }

    pub(super) fn prepare_action(&mut self, id: &str, kind: ActionKind) {
        let mut dialog = ActionDialog { id: id.to_owned(), kind: Some(kind), ..ActionDialog::default() };
        let card = self.backend.card(id);
        if let Ok(card) = &card {
            dialog.child_name.clone_from(&card.application.child.name);
        }
        match kind {
            ActionKind::ChooseKindergarten => match self.backend.free_choice(id) {
                Ok(choices) => dialog.choices = choices,
                Err(error) => return self.fail(error),
            },
            ActionKind::ExtendChoice => dialog.days = "5".into(),
            ActionKind::MarkDeparted => {
                dialog.date = format::date(self.backend.now().local_date());
                if let Ok(card) = &card
                    && let Some(direction) = &card.application.direction
                {
                    dialog.freed = Some(PlacesInput {
                        kindergarten: direction.kindergarten.clone(),
                        language: direction.language,
                        group_year: direction.group_year,
                        count: 1,
                    });
                }
            }
            _ => {}
        }
        self.dialog = Some(Dialog::Action(dialog));
    }

    pub(super) fn write_receipt(&mut self, id: &str) {
        let result = match self.backend.card(id) {
            Ok(card) => receipt::write_receipt(
                &self.output_dir,
                &card,
                self.kiosk.as_ref(),
                self.translations.get(self.lang),
                self.lang,
            ),
            Err(error) => Err(error.message(self.lang).to_owned()),
        };
        if let Some(saved) = &mut self.saved {
            saved.file = Some(result);
        }
    }

    pub(super) fn refresh_staff(&mut self) {
        let kindergarten = self.staff.kindergarten.clone();
        if kindergarten.is_empty() {
            return;
        }
        match (
            self.backend.places_table(&kindergarten),
            self.backend.free_slots(&kindergarten),
            self.backend.enrolled(&kindergarten),
        ) {
            (Ok(places), Ok(free), Ok(enrolled)) => {
                self.staff.places = places;
                self.staff.free_slots = free;
                self.staff.enrolled = enrolled;
            }
            (Err(error), _, _) | (_, Err(error), _) | (_, _, Err(error)) => self.fail(error),
        }
    }

    pub(super) fn refresh_admin(&mut self) {
        match self.backend.operators() {
            Ok(operators) => self.admin.operators = operators,
            Err(error) => self.fail(error),
        }
    }
}
