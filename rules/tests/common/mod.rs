//! Fixtures shared by the integration tests: a small district with two kindergartens,
//! valid IINs and short-hands for commands.
//!
//! Each test binary uses a different subset of these helpers.
#![allow(dead_code)]

use rules::model::{
    Applicant, GroupLanguage, Kindergarten, Kinship, LocalizedName, NewApplication, NewPlaces, Ownership, Residence,
    ResidenceKind,
};
use rules::{Action, Calendar, Command, Date, Event, Instant, QueueType, RightClass, State, Status};

pub const DISTRICT: &str = "KOK";
/// General queue, Kazakh and Russian groups.
pub const KG_A: &str = "KG-A";
/// General queue, Russian groups only.
pub const KG_B: &str = "KG-B";
/// Sanatorium queue of the same district.
pub const KG_SAN: &str = "KG-SAN";
/// General queue of another district.
pub const KG_OTHER: &str = "KG-OTHER";

pub fn at(text: &str) -> Instant {
    text.parse().unwrap_or_else(|e| panic!("bad instant {text}: {e}"))
}

pub fn date(text: &str) -> Date {
    text.parse().unwrap_or_else(|e| panic!("bad date {text}: {e}"))
}

fn kindergarten(id: &str, district: &str, queue_type: QueueType, languages: &[GroupLanguage]) -> Kindergarten {
    Kindergarten {
        id: id.into(),
        district: district.into(),
        queue_type,
        name: LocalizedName {
            ru: format!("Сад {id}"), kk: format!("{id} балабақшасы"), en: String::new()
        },
        ownership: Ownership::State,
        address: "г. Кокшетау".into(),
        phone: "+7 7162 000000".into(),
        languages: languages.to_vec(),
        group_years: Vec::new(),
        open: true,
    }
}

pub fn kindergartens() -> Vec<Kindergarten> {
    use GroupLanguage::{Kk, Ru};
    vec![
        kindergarten(KG_A, DISTRICT, QueueType::General, &[Kk, Ru]),
        kindergarten(KG_B, DISTRICT, QueueType::General, &[Ru]),
        kindergarten(KG_SAN, DISTRICT, QueueType::Sanatorium, &[Ru]),
        kindergarten(KG_OTHER, "ZER", QueueType::General, &[Kk, Ru]),
    ]
}

pub fn new_state() -> State {
    State::new(Calendar::embedded(), kindergartens())
}

/// A valid IIN for a child born on `birth` (2000s century digit), distinct per `serial`.
pub fn child_iin(birth: &str, serial: u32) -> String {
    iin_with_century(birth, 5, serial)
}

/// A valid IIN of an adult born in 1990 (1900s century digit).
pub fn adult_iin(serial: u32) -> String {
    iin_with_century("1990-01-15", 3, serial)
}

fn iin_with_century(birth: &str, century: u32, serial: u32) -> String {
    let sex = if century % 2 == 1 { rules::Sex::Male } else { rules::Sex::Female };
    rules::iin::encode_near(date(birth), sex, serial * 10)
        .unwrap_or_else(|| panic!("no valid IIN near serial {serial}"))
}

pub fn new_application(id: &str, iin: &str, birth: &str, right: RightClass, queue_type: QueueType) -> NewApplication {
    NewApplication {
        id: id.into(),
        district: DISTRICT.into(),
        queue_type,
        child_iin: iin.into(),
        child_name: format!("Child {id}"),
        birth_date: date(birth),
        applicant: Applicant {
            iin: adult_iin(1),
            name: "Parent".into(),
            kinship: Kinship::Mother,
            phone: "+7 701 000 00 00".into(),
            email: None,
        },
        residence: Residence {
            kind: ResidenceKind::Permanent, address: "г. Кокшетау, ул. Абая, 1".into()
        },
        non_resident: false,
        non_resident_documents: Vec::new(),
        right,
        right_category: match right {
            RightClass::None => None,
            RightClass::First => Some("LARGE_FAMILY".into()),
            RightClass::Extraordinary => Some("MILITARY".into()),
        },
        right_document: None,
    }
}

pub fn register_cmd(id: &str, iin: &str, birth: &str, right: RightClass) -> Command {
    Command::Register { application: new_application(id, iin, birth, right, QueueType::General) }
}

pub fn places_cmd(id: &str, kindergarten: &str, language: GroupLanguage, group_year: i32, count: u32) -> Command {
    Command::AddPlaces {
        places: NewPlaces { id: id.into(), kindergarten: kindergarten.into(), language, group_year, count },
    }
}

pub fn act(id: &str, action: Action) -> Command {
    Command::Act { application: id.into(), action }
}

pub fn distribute() -> Command {
    Command::Distribute { district: DISTRICT.into() }
}

pub fn status(state: &State, id: &str) -> Status {
    state.application(id).unwrap_or_else(|| panic!("no application {id}")).status
}

/// Runs a command that must succeed and returns its events.
#[track_caller]
pub fn ok(state: &mut State, command: &Command, now: &str) -> Vec<Event> {
    state.execute(command, at(now)).unwrap_or_else(|e| panic!("{} at {now} rejected: {e:?}", command.name()))
}

/// Runs a command that must fail; the state must be left as it was.
#[track_caller]
pub fn rejected(state: &mut State, command: &Command, now: &str) -> rules::CommandError {
    let before: Vec<_> = state.applications().cloned().collect();
    let error = state.execute(command, at(now)).expect_err("command must be rejected");
    let after: Vec<_> = state.applications().cloned().collect();
    assert_eq!(before, after, "a rejected command changed the state");
    error
}
