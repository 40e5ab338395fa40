//! Commands on the data folder: the center opened in this process (the folder's lock is
//! taken, so no server may run on it). Every change goes through the audited `*_as`
//! operations naming `center`, the command line on the folder.

use std::path::{Path, PathBuf};

use center::{CENTER_ID, Center, CenterError, NewUser, ReportRow};
use rules::Instant;
use rules::calendar::CalendarYear;
use rules::model::Kindergarten;
use serde::Serialize;
use serde_json::Value;

use super::{Attribution, Backend, Failure, ReviewDecision, fail, password};

/// What a `DATA_LOCKED` failure adds: the way to reach the folder's server instead.
pub const LOCKED_HINT: &str = "a server runs on this folder: use --url URL (after `kezek-center --url URL login`)";

/// The data folder, opened on first use.
#[derive(Debug)]
pub struct Local {
    data: PathBuf,
    passphrase_file: Option<PathBuf>,
    center: Option<Box<Center>>,
}

fn value<T: Serialize, E: Into<CenterError>>(result: Result<T, E>) -> Result<Value, Failure> {
    answer(result?)
}

fn answer<T: Serialize>(value: T) -> Result<Value, Failure> {
    serde_json::to_value(value).map_err(|e| fail("INTERNAL", e.to_string()))
}

/// `--at`, else the center's clock now.
fn when(at: Option<Instant>) -> Instant {
    at.unwrap_or_else(center::now)
}

/// Who changes it on the folder (`--by`, else `center`) and when (`--at`, else now).
fn on_folder(change: Attribution<'_>) -> (&str, Instant) {
    (change.by.unwrap_or(CENTER_ID), when(change.at))
}

impl Local {
    pub fn new(data: PathBuf, passphrase_file: Option<PathBuf>) -> Self {
        Local { data, passphrase_file, center: None }
    }

    pub fn data(&self) -> &Path {
        &self.data
    }

    /// The passphrase of the center's private key (`--key-passphrase-file`, else the
    /// environment), if one is given.
    pub fn passphrase(&self) -> Result<Option<String>, Failure> {
        Ok(changelog::passphrase_from(self.passphrase_file.as_deref()).map_err(CenterError::from)?)
    }

    /// Creates the data folder.
    /// `store`: the database as the server's role, and the schema owner's URL when the
    /// schema is to be set up first.
    pub fn init(
        &mut self,
        kindergartens: Option<&Path>,
        store: Option<(&str, Option<&str>)>,
        demo: bool,
    ) -> Result<Value, Failure> {
        if let Some((url, owner)) = store {
            if let Some(owner) = owner {
                center::pg_store::set_up(owner, url).map_err(center::CenterError::from)?;
            }
            // Reachable, set up, and a role that cannot rewrite the log, before anything is
            // written to the folder.
            center::pg_store::PgStore::connect(url).map_err(center::CenterError::from)?;
        }
        let store = store.map(|(url, _)| url);
        let info = value(Center::init_with(&self.data, kindergartens, self.passphrase()?.as_deref()))?;
        if let Some(url) = store {
            super::files::write_private(&self.data.join(center::STORE_FILE), format!("{url}\n").as_bytes())?;
        }
        if !demo {
            return Ok(info);
        }
        let import = value(self.center()?.import_demo_population(CENTER_ID, center::now()))?;
        let mut info = info;
        info["population"] = import;
        Ok(info)
    }

    /// Copies the embedded store into the database at `url` and switches the folder to it.
    pub fn migrate(&self, url: &str, owner: Option<&str>) -> Result<Value, Failure> {
        if center::store_location(&self.data)?.is_some() {
            return Err(fail(
                "ALREADY_MIGRATED",
                format!("{}: the folder's store is a database already", self.data.display()),
            ));
        }
        let report = center::migrate::migrate(&self.data, url, owner)?;
        super::files::write_private(&self.data.join(center::STORE_FILE), format!("{url}\n").as_bytes())?;
        answer(report)
    }

    /// Sets the folder's database schema up again as its owner (see [`Cmd::UpgradeStore`]),
    /// then checks that the server's role finds it complete.
    pub fn upgrade_store(&self, owner: &str) -> Result<Value, Failure> {
        let Some(url) = center::store_location(&self.data)? else {
            return Err(fail(
                "NOT_ON_A_DATABASE",
                format!(
                    "{}: the folder keeps its own store; there is no database schema to upgrade",
                    self.data.display()
                ),
            ));
        };
        center::pg_store::set_up(owner, &url).map_err(center::CenterError::from)?;
        center::pg_store::PgStore::connect(&url).map_err(center::CenterError::from)?;
        Ok(serde_json::json!({ "schema": "up to date" }))
    }

    /// Opens the folder as it is (no hint on a lock: for `serve`).
    pub fn open(&self) -> Result<Center, Failure> {
        Ok(Center::open_with(&self.data, self.passphrase()?.as_deref())?)
    }

    fn center(&mut self) -> Result<&mut Center, Failure> {
        let center = match self.center.take() {
            Some(center) => center,
            None => Box::new(self.open().map_err(|mut failure| {
                if failure.code == "DATA_LOCKED" {
                    failure.message = format!("{}: {LOCKED_HINT}", failure.message);
                }
                failure
            })?),
        };
        Ok(self.center.insert(center))
    }
}

impl Backend for Local {
    fn kiosk_add(&mut self, id: &str, district: &str, public_key: &str, at: Option<Instant>) -> Result<Value, Failure> {
        value(self.center()?.add_kiosk_as(CENTER_ID, id, district, public_key, when(at)))
    }

    fn kiosk_list(&mut self) -> Result<Value, Failure> {
        answer(self.center()?.kiosk_rows(center::now()))
    }

    fn kiosk_revoke(&mut self, id: &str) -> Result<Value, Failure> {
        value(self.center()?.revoke_kiosk_as(CENTER_ID, id, center::now()))
    }

    fn kiosk_serve(&mut self, id: &str, district: &str) -> Result<Value, Failure> {
        value(self.center()?.add_served_district_as(CENTER_ID, id, district, center::now()))
    }

    fn user_add(&mut self, user: NewUser) -> Result<Value, Failure> {
        value(self.center()?.add_user(CENTER_ID, user, center::now()))
    }

    fn user_list(&mut self) -> Result<Value, Failure> {
        answer(self.center()?.users())
    }

    fn user_disable(&mut self, login: &str) -> Result<Value, Failure> {
        value(self.center()?.disable_user(CENTER_ID, login, center::now()))
    }

    fn ingest(&mut self, bundle: &[u8], at: Option<Instant>) -> Result<(Value, Vec<u8>), Failure> {
        let ingested =
            self.center()?.ingest_file_as(CENTER_ID, bundle, when(at)).map_err(|e| fail(e.code(), e.to_string()))?;
        Ok((answer(ingested.report)?, ingested.ack_bytes))
    }

    fn distribution_plan(&mut self, district: &str, at: Option<Instant>) -> Result<Value, Failure> {
        value(self.center()?.plan_distribution(district, when(at)))
    }

    fn distribute(&mut self, district: &str, at: Option<Instant>) -> Result<Value, Failure> {
        value(self.center()?.distribute_as(CENTER_ID, district, when(at)))
    }

    fn tick(&mut self, at: Option<Instant>) -> Result<Value, Failure> {
        value(self.center()?.tick_as(CENTER_ID, when(at)))
    }

    fn snapshot(&mut self, district: &str, at: Option<Instant>) -> Result<Vec<u8>, Failure> {
        Ok(self.center()?.export_snapshot_as(CENTER_ID, district, when(at))?)
    }

    fn ack(&mut self, kiosk: &str, at: Option<Instant>) -> Result<Vec<u8>, Failure> {
        Ok(self.center()?.export_ack_as(CENTER_ID, kiosk, when(at))?)
    }

    fn review_list(&mut self, all: bool) -> Result<Value, Failure> {
        let items: Vec<_> = self.center()?.review_items().into_iter().filter(|i| all || i.status == "open").collect();
        answer(items)
    }

    fn review_show(&mut self, item: &str) -> Result<Value, Failure> {
        let center = self.center()?;
        value(center.review_item(item).and_then(|item| center.review_detail(item)))
    }

    fn review_decide(&mut self, decision: ReviewDecision) -> Result<Value, Failure> {
        let ReviewDecision { item, decision, reviewer, note, at } = decision;
        let reviewer = reviewer.ok_or_else(|| {
            fail("REVIEWER_REQUIRED", "on the data folder give --reviewer LOGIN (the password from KEZEK_PASSWORD)")
        })?;
        let center = self.center()?;
        let user = center.check_password(&reviewer, &password(&format!("password of {reviewer}: "))?)?;
        value(center.review(&item, decision, &user, when(at), note))
    }

    fn report(&mut self) -> Result<Vec<ReportRow>, Failure> {
        Ok(self.center()?.report())
    }

    fn quarantine_list(&mut self) -> Result<Value, Failure> {
        answer(self.center()?.quarantine())
    }

    fn quarantine_reexamine(&mut self, kiosk: &str) -> Result<Value, Failure> {
        value(self.center()?.reexamine_quarantine(CENTER_ID, kiosk, center::now()).map(|i| i.report))
    }

    fn directory_import(
        &mut self,
        kindergartens: Vec<Kindergarten>,
        change: Attribution<'_>,
    ) -> Result<Value, Failure> {
        let (by, at) = on_folder(change);
        value(self.center()?.import_directory(kindergartens, by, at))
    }

    fn directory_list(&mut self, district: Option<&str>) -> Result<Value, Failure> {
        answer(self.center()?.directory_listing(district))
    }

    fn calendar_set_year(&mut self, year: CalendarYear, change: Attribution<'_>) -> Result<Value, Failure> {
        let (by, at) = on_folder(change);
        value(self.center()?.set_calendar_year(year, by, at))
    }

    fn calendar_list(&mut self) -> Result<Value, Failure> {
        answer(self.center()?.calendar_listing())
    }

    fn population_import(&mut self, file: &[u8], change: Attribution<'_>) -> Result<Value, Failure> {
        let (by, at) = on_folder(change);
        value(self.center()?.import_population(file, by, at))
    }

    fn population_trust(&mut self, key: &str, at: Option<Instant>) -> Result<Value, Failure> {
        value(self.center()?.trust_population_key(key, CENTER_ID, when(at)))
    }

    /// Reads the folder's files only: works while a server runs on the folder.
    fn population_check(&mut self, parent: &str, child: &str) -> Result<Value, Failure> {
        let registry = center::population::registry(&self.data);
        let check = registry.check(parent, child).map_err(|e| fail(e.code(), e.to_string()))?;
        serde_json::to_value(check).map_err(|e| fail("INTERNAL", e.to_string()))
    }

    fn audit(&mut self, limit: usize) -> Result<Value, Failure> {
        answer(self.center()?.audit_trail(limit))
    }
}
