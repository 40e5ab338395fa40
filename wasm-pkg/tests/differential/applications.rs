//! Applications and the actions on them: new applications (some broken), an action the
//! rules mostly allow now, its options, and what the center does with center-only actions.

use chrono::{DateTime, Datelike, Duration, FixedOffset};
use serde_json::{Value, json};

use crate::dates::{random_date, ymd};
use crate::iins::iin_for;
use crate::queues::QUEUE_TYPES;
use crate::rng::Rng;

const KINDERGARTENS: &[&str] = &["KG-KOK-01", "KG-KOK-02", "KG-AKK-02"];
const LANGUAGES: &[&str] = &["kk", "ru", "en"];

pub(crate) fn new_application(rng: &mut Rng, n: usize, now: DateTime<chrono::Utc>) -> Value {
    let birth = random_date(rng, now.year() - 6..=now.year());
    let male = rng.chance(50);
    let iin_date = if rng.chance(10) { random_date(rng, 2015..=2025) } else { birth };
    let right = *rng.pick(&["none", "none", "none", "first", "first", "extraordinary"]);
    let adult_birth = random_date(rng, 1970..=2000);
    let adult_male = rng.chance(50);
    let adult_iin = iin_for(rng, adult_birth, adult_male);
    let mut app = json!({
        "id": format!("{}-{n:06}", rng.pick(&["KOK", "AKK", "ZER"])),
        "district": rng.pick(&["KOK", "AKK", "ZER"]),
        "queueType": rng.pick(QUEUE_TYPES),
        "childIin": iin_for(rng, iin_date, male),
        "childName": rng.pick(&["Әлімжанов Ихсан Бекзатұлы", "Иванова Анна Сергеевна", "  Smith John  "]),
        "birthDate": ymd(birth),
        "applicant": {
            "iin": adult_iin,
            "name": rng.pick(&["Ахметова Сәуле Есенқызы", "Иванов Сергей Петрович"]),
            "kinship": rng.pick(&["mother", "father", "guardian", "grandparent", "other"]),
            "phone": "+7 701 366 71 87",
        },
        "residence": { "kind": rng.pick(&["permanent", "temporary"]), "address": "г. Кокшетау, ул. Абая, 112" },
        "right": right,
    });
    if rng.chance(30) {
        app["applicant"]["email"] = json!("parent@mail.kz");
    }
    if rng.chance(50) {
        app["nonResident"] = json!(false);
    }
    if rng.chance(8) {
        app["nonResident"] = json!(true);
        app["nonResidentDocuments"] = json!(["Вид на жительство № 123"]);
    }
    if right != "none" {
        // Listed codes of the right's class (data/categories.json); now and then a code of
        // the other class (CATEGORY_RIGHT_MISMATCH) or one not listed (UNKNOWN_CATEGORY).
        let codes: &[&str] = match (right, rng.below(20)) {
            (_, 0) => &["large_family", "TEACHERS", "ORPHAN "],
            ("extraordinary", 1) | ("first", 2..) => &["LARGE_FAMILY", "ORPHAN", "SPECIAL_NEEDS", "PARENT_DISABILITY"],
            _ => &["MILITARY", "SPECIAL_STATE_BODY", "FALLEN_ON_DUTY"],
        };
        app["rightCategory"] = json!(rng.pick(codes));
        if rng.chance(50) {
            app["rightDocument"] = json!("Справка № 5");
        }
    }
    if rng.chance(15) {
        break_new_application(rng, &mut app, now);
    }
    app
}

fn break_new_application(rng: &mut Rng, app: &mut Value, now: DateTime<chrono::Utc>) {
    match rng.below(16) {
        0 => app["childName"] = json!(rng.pick(&["", "   "])),
        1 => {
            let iin = app["childIin"].as_str().unwrap_or_default();
            app["childIin"] = json!(format!("{}{}", &iin[..11], (iin.as_bytes()[11] - b'0' + 1) % 10));
        }
        2 => app["applicant"]["iin"] = app["childIin"].clone(),
        3 => {
            app["right"] = json!("first");
            app.as_object_mut().expect("object").remove("rightCategory");
        }
        4 => {
            app["right"] = json!("none");
            app["rightCategory"] = json!("LARGE_FAMILY");
        }
        5 => app["birthDate"] = json!(ymd(now.date_naive() + Duration::days(rng.int(2, 400)))),
        6 => app["birthDate"] = json!(ymd(random_date(rng, now.year() - 12..=now.year() - 7))),
        7 => app["id"] = json!(rng.pick(&["", " "])),
        8 => {
            let field = rng.pick(&["district", "childIin", "applicant", "residence", "right", "birthDate"]);
            app.as_object_mut().expect("object").remove(*field);
        }
        9 => app["extra"] = json!(1),
        10 => {
            app["nonResident"] = json!(true);
            app.as_object_mut().expect("object").remove("nonResidentDocuments");
        }
        11 => app["childName"] = json!("Я".repeat(201)),
        12 => app["applicant"]["iin"] = json!("12345"),
        13 => app["queueType"] = json!("nursery"),
        14 => app["applicant"]["phone"] = json!(77_013_667_187_u64),
        _ => app["district"] = json!("K".repeat(65)),
    }
}

/// An action for the application, mostly one the rules allow now.
pub(crate) fn pick_action(rng: &mut Rng, allowed: &[String], app: &Value, now: DateTime<chrono::Utc>) -> Value {
    const ALL: &[&str] = &[
        "issueVoucher",
        "confirmVoucher",
        "restoreVoucher",
        "extendChoice",
        "chooseKindergarten",
        "refuseVoucher",
        "withdraw",
        "acceptChild",
        "refuseChild",
        "upholdRefusal",
        "overruleRefusal",
        "markDeparted",
    ];
    let must_enroll = app.pointer("/direction/mustEnroll") == Some(&Value::Bool(true));
    let kind = if must_enroll && app["status"] == "direction_issued" && rng.chance(25) {
        // The refusal was overruled: refusing again must say MUST_ENROLL.
        "refuseChild".to_owned()
    } else if !allowed.is_empty() && rng.chance(75) {
        // Prefer the actions that move the application on over leaving.
        let weighted: Vec<&String> = allowed
            .iter()
            .flat_map(|a| std::iter::repeat_n(a, if a == "withdraw" || a == "refuseVoucher" { 1 } else { 5 }))
            .collect();
        weighted[rng.index(weighted.len())].clone()
    } else {
        (*rng.pick(ALL)).to_owned()
    };
    let local = now.with_timezone(&FixedOffset::east_opt(5 * 3600).expect("offset")).date_naive();
    match kind.as_str() {
        "extendChoice" => {
            let days = if rng.chance(85) { rng.int(1, 30) } else { *rng.pick(&[0, 31, 45, -1]) };
            json!({ "type": kind, "days": days })
        }
        "chooseKindergarten" => {
            json!({ "type": kind, "kindergarten": rng.pick(KINDERGARTENS), "language": rng.pick(LANGUAGES) })
        }
        "refuseChild" => {
            let reason = match rng.below(10) {
                0 => String::new(),
                1 => "   ".to_owned(),
                2 => "x".repeat(1001),
                _ => "  Нет мест в группе  ".to_owned(),
            };
            json!({ "type": kind, "reason": reason })
        }
        "markDeparted" => {
            let enrolled = app.pointer("/direction/enrolledAt").is_some();
            let date = match rng.below(10) {
                0 => local + Duration::days(rng.int(1, 10)),
                1 if enrolled => local - Duration::days(rng.int(400, 900)),
                _ => local - Duration::days(rng.int(0, 20)),
            };
            let reason = if rng.chance(90) { "Переезд" } else { "" };
            json!({ "type": kind, "date": ymd(date), "reason": reason })
        }
        _ => json!({ "type": kind }),
    }
}

pub(crate) fn options_for(rng: &mut Rng, app: &Value) -> Option<Value> {
    let group_year: i32 = app
        .pointer("/child/birthDate")
        .and_then(Value::as_str)
        .and_then(|d| d.get(..4))
        .and_then(|y| y.parse().ok())
        .unwrap_or(2022);
    match rng.below(100) {
        0..=44 => None,
        45..=59 => Some(json!({ "lang": rng.pick(&["ru", "kk", "en"]) })),
        60..=96 => {
            let places: Vec<Value> = (0..rng.below(4))
                .map(|_| {
                    json!({
                        "kindergarten": rng.pick(KINDERGARTENS),
                        "language": rng.pick(LANGUAGES),
                        "groupYear": if rng.chance(80) { group_year } else { group_year + 1 },
                        "free": rng.int(0, 3),
                    })
                })
                .collect();
            let mut options = json!({ "freePlaces": places });
            if rng.chance(85) {
                // The directory: a choice is then checked as the center checks it.
                let entry = |id: &str, district: &str, queue_type: &str, languages: &[&str]| {
                    json!({ "id": id, "district": district, "queueType": queue_type,
                            "name": { "ru": id, "kk": id }, "ownership": "state",
                            "address": "г. Кокшетау", "phone": "+7 7162 000000", "languages": languages })
                };
                let second_type = *rng.pick(&["general", "special"]);
                options["kindergartens"] = json!([
                    entry("KG-KOK-01", "KOK", "general", &["kk", "ru"]),
                    entry("KG-KOK-02", "KOK", second_type, &["ru"]),
                    entry("KG-AKK-02", "AKK", "general", &["kk", "ru", "en"]),
                ]);
                if rng.chance(10) {
                    options.as_object_mut().expect("object").remove("freePlaces");
                }
            }
            if rng.chance(50) {
                options["lang"] = json!(rng.pick(&["ru", "kk", "en"]));
            }
            Some(options)
        }
        _ => Some(
            rng.pick(&[
                json!({ "lang": "de" }),
                json!({ "foo": 1 }),
                json!("ru"),
                json!({ "freePlaces": [{ "kindergarten": "KG-KOK-01" }] }),
                json!({ "freePlaces": [{ "kindergarten": "KG-KOK-01", "language": "kk", "groupYear": 2022, "free": -1 }] }),
            ])
            .clone(),
        ),
    }
}

/// What the center does with a command `apply` refuses as `CENTER_ONLY` (issueVoucher,
/// upholdRefusal, overruleRefusal): the same rules, run natively here as the center runs
/// them, so that the generated lives still reach the later statuses. `None` when the
/// command is no such action or the rules reject it.
pub(crate) fn at_center(app: &Value, command: &Value, now: DateTime<chrono::Utc>) -> Option<Value> {
    let action: rules::Action = serde_json::from_value(command.clone()).ok()?;
    let name = action.kind().as_str();
    if !["issueVoucher", "upholdRefusal", "overruleRefusal"].contains(&name) {
        return None;
    }
    let mut application: rules::Application = serde_json::from_value(app.clone()).ok()?;
    let now: rules::Instant = now.format("%Y-%m-%dT%H:%M:%SZ").to_string().parse().ok()?;
    let calendar = rules::Calendar::embedded();
    let events =
        rules::lifecycle::decide(&application, &action, now, calendar, &rules::lifecycle::NoPlaceCheck).ok()?;
    for event in &events {
        rules::lifecycle::evolve(&mut application, event);
    }
    serde_json::to_value(application).ok()
}

pub(crate) fn break_application(rng: &mut Rng, app: &Value) -> Value {
    let mut app = app.clone();
    match rng.below(7) {
        0 => {
            app.as_object_mut().expect("object").remove("status");
        }
        1 => app["status"] = json!("unknown"),
        2 => app["extra"] = json!(true),
        3 => app["child"]["birthDate"] = json!("2022-02-30"),
        4 => app["registeredAt"] = json!("2026-01-01T10:00:00"),
        5 => return json!([app]),
        _ => return json!("KOK-000001"),
    }
    app
}
