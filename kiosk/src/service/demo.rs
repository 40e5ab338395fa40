//! `demo-load`: the demo places and applications of `data/demo` entered through real
//! commands at their recorded times, by two demo accounts an administrator creates (and
//! disables afterwards).

use rules::{Command, Instant, Lang, Localized, Role};
use serde::Serialize;

use super::Kiosk;
use crate::errors::{DemoError, OperatorError};
use crate::operators::{NewOperator, Operators, Session};
use crate::reference;

/// `demo-load`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DemoReport {
    pub registered: usize,
    pub places: usize,
    pub rejected: Vec<DemoRejection>,
    pub first_seq: u64,
    pub last_seq: u64,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DemoRejection {
    pub at: Instant,
    pub command: String,
    pub code: String,
    pub message: String,
}

/// A demo item, in time order.
enum Item {
    Application(Box<rules::model::NewApplication>),
    Places(rules::model::NewPlaces),
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes.iter().fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

impl Kiosk {
    /// Loads `data/demo` places and applications through real commands at their recorded
    /// times, as two demo accounts an administrator creates (disabled afterwards).
    pub fn demo_load(&mut self, admin: &Session) -> Result<DemoReport, DemoError> {
        rules::authz::accounts::may_administer(admin.role()).map_err(|_| DemoError::AdminOnly)?;
        if self.model.commands > 0 {
            return Err(DemoError::NotEmpty);
        }
        let first_seq = self.last_seq + 1;
        let free_login = |base: &str, ops: &Operators| {
            (1..=ops.all().count() + 1)
                .map(|n| if n == 1 { base.to_owned() } else { format!("{base}-{n}") })
                .find(|l| ops.get(l).is_none())
        };
        let mut secret = [0u8; 24];
        getrandom::fill(&mut secret).map_err(|e| DemoError::Operator(OperatorError::Hash(e.to_string())))?;
        let password = hex(&secret);
        let operator_login = free_login("demo-operator", &self.model.operators).unwrap_or_default();
        let staff_login = free_login("demo-kindergarten", &self.model.operators).unwrap_or_default();
        let new_operator = NewOperator {
            login: operator_login.clone(),
            name: "Демо-оператор".into(),
            role: Role::Operator,
            kindergartens: Vec::new(),
        };
        let new_staff = NewOperator {
            login: staff_login.clone(),
            name: "Демо-сотрудник ДДО".into(),
            role: Role::Kindergarten,
            kindergartens: reference::kindergartens().iter().map(|k| k.id.clone()).collect(),
        };
        self.add_operator(admin, &new_operator, &password).map_err(DemoError::Operator)?;
        self.add_operator(admin, &new_staff, &password).map_err(DemoError::Operator)?;
        let operator = Session::of(self.model.operators.get(&operator_login).expect("just added"));
        let staff = Session::of(self.model.operators.get(&staff_login).expect("just added"));

        let mut items: Vec<(Instant, Item)> = reference::demo_applications()
            .into_iter()
            .map(|d| (d.at, Item::Application(Box::new(d.application))))
            .chain(reference::demo_places().into_iter().map(|d| (d.at, Item::Places(d.places.into_new_places()))))
            .collect();
        items.sort_by_key(|item| item.0);
        let mut report = DemoReport { registered: 0, places: 0, rejected: Vec::new(), first_seq, last_seq: 0 };
        // Consecutive items of one account go in one group commit.
        let mut i = 0;
        while i < items.len() {
            let is_places = matches!(items[i].1, Item::Places(_));
            let mut group = Vec::new();
            while i < items.len() && matches!(items[i].1, Item::Places(_)) == is_places && group.len() < 100 {
                let (at, item) = &items[i];
                let command = match item {
                    Item::Application(a) => Command::Register { application: (**a).clone() },
                    Item::Places(p) => Command::AddPlaces { places: p.clone() },
                };
                group.push((command, *at));
                i += 1;
            }
            let times: Vec<(Instant, &'static str)> = group.iter().map(|(c, at)| (*at, c.name())).collect();
            let session = if is_places { &staff } else { &operator };
            let results = self.execute_batch_at(session, group).map_err(DemoError::Append)?;
            for (result, (at, name)) in results.into_iter().zip(times) {
                match result {
                    Ok(_) if is_places => report.places += 1,
                    Ok(_) => report.registered += 1,
                    Err(e) => report.rejected.push(DemoRejection {
                        at,
                        command: name.to_owned(),
                        code: e.code().to_owned(),
                        message: e.message(Lang::En),
                    }),
                }
            }
        }
        self.disable_operator(admin, &operator_login).map_err(DemoError::Operator)?;
        self.disable_operator(admin, &staff_login).map_err(DemoError::Operator)?;
        report.last_seq = self.last_seq;
        Ok(report)
    }
}
