//! Queues for `rankQueue` and `explainPosition`: entries with ties, lists with a broken
//! entry, and position changes.

use chrono::{DateTime, Duration};
use serde_json::{Value, json};

use crate::cases::{args_of, lang_args};
use crate::dates::{random_date, utc_between, write_instant, ymd};
use crate::rng::Rng;

const DISTRICTS: &[&str] = &["KOK", "KOK", "KOK", "AKK", "ZER", "Көкшетау", "kok"];
pub(crate) const QUEUE_TYPES: &[&str] =
    &["general", "general", "general", "special_correctional", "special", "sanatorium"];
const OTHER_STATUSES: &[&str] =
    &["voucher_issued", "voucher_confirmed", "archived", "enrolled", "stop_listed", "Queued", "queued ", ""];

struct QueuePools {
    /// Registration instants shared by several entries, to make ties.
    instants: Vec<DateTime<chrono::Utc>>,
    single_queue: bool,
    next_id: usize,
}

impl QueuePools {
    fn new(rng: &mut Rng) -> Self {
        let count = rng.small(2, 12) as usize;
        let instants = (0..count).map(|_| utc_between(rng, 2021, 2026)).collect();
        QueuePools { instants, single_queue: rng.chance(60), next_id: rng.index(50) }
    }

    fn id(&mut self, rng: &mut Rng) -> String {
        self.next_id += 1 + rng.index(3);
        let n = self.next_id;
        match rng.below(20) {
            0 => format!("é{n}"),
            1 => format!("e\u{301}{n}"),
            2 => format!("Z{n}"),
            3 => format!("a{n}"),
            _ => format!("KOK-{n:05}"),
        }
    }

    fn entry(&mut self, rng: &mut Rng) -> Value {
        let id = self.id(rng);
        let (district, queue_type, birth) = if self.single_queue {
            ("KOK", "general", random_date(rng, 2022..=2022))
        } else {
            (*rng.pick(DISTRICTS), *rng.pick(QUEUE_TYPES), random_date(rng, 2020..=2025))
        };
        let right = match rng.below(10) {
            0 => "extraordinary",
            1..=3 => "first",
            _ => "none",
        };
        let at =
            *rng.pick(&self.instants) + Duration::seconds(if rng.chance(50) { 0 } else { rng.int(0, 86_400 * 30) });
        let status = if rng.chance(75) { "queued" } else { rng.pick(OTHER_STATUSES) };
        json!({
            "id": id,
            "district": district,
            "queueType": queue_type,
            "birthDate": ymd(birth),
            "right": right,
            "registeredAt": write_instant(rng, at),
            "status": status,
        })
    }

    fn list(&mut self, rng: &mut Rng, max: u32) -> Vec<Value> {
        let len = rng.small(0, max);
        (0..len).map(|_| self.entry(rng)).collect()
    }
}

/// Breaks one entry of a list in one of the ways `rankQueue` must reject.
fn break_list(rng: &mut Rng, list: &mut Vec<Value>) {
    if list.is_empty() || rng.chance(10) {
        list.push(rng.pick(&[Value::Null, json!([]), json!("KOK-1"), json!(7)]).clone());
        return;
    }
    let i = rng.index(list.len());
    let fields = ["id", "district", "queueType", "birthDate", "right", "registeredAt", "status"];
    match rng.below(8) {
        0 => {
            let field = rng.pick(&fields);
            list[i].as_object_mut().expect("object").remove(*field);
        }
        1 => {
            let field = rng.pick(&fields);
            list[i][*field] = json!(12);
        }
        2 => list[i]["birthDate"] = json!(rng.pick(&["2022-02-30", "2022-2-01", "22-02-01"])),
        3 => {
            list[i]["registeredAt"] =
                json!(rng.pick(&["2026-01-01T10:00:00", "2026-01-01", "2026-01-01T10:00:00+0500"]));
        }
        4 => list[i]["queueType"] = json!(rng.pick(&["General", "special-correctional", ""])),
        5 => list[i]["right"] = json!(rng.pick(&["second", "None", "first "])),
        6 => list[i]["name"] = json!("Extra field"),
        _ => {
            let j = rng.index(list.len());
            let id = list[j]["id"].clone();
            if i == j {
                list.push(list[i].clone());
            } else {
                list[i]["id"] = id;
            }
        }
    }
}

pub(crate) fn rank_case(rng: &mut Rng) -> Vec<Value> {
    let mut pools = QueuePools::new(rng);
    let mut list = pools.list(rng, 40);
    match rng.below(100) {
        0..=87 => {}
        88..=97 => break_list(rng, &mut list),
        _ => return vec![rng.pick(&[Value::Null, json!({}), json!("[]"), json!(3)]).clone()],
    }
    vec![Value::Array(list)]
}

pub(crate) fn explain_case(rng: &mut Rng) -> Vec<Value> {
    let mut pools = QueuePools::new(rng);
    let before = pools.list(rng, 30);
    let mut after = Vec::new();
    for entry in &before {
        match rng.below(100) {
            0..=6 => {} // removed
            7..=19 => {
                let mut changed = entry.clone();
                changed["status"] = if entry["status"] == "queued" {
                    json!(rng.pick(&["voucher_issued", "archived", "enrolled"]))
                } else {
                    json!("queued")
                };
                after.push(changed);
            }
            _ => after.push(entry.clone()),
        }
    }
    for _ in 0..rng.below(6) {
        let entry = pools.entry(rng);
        let at = rng.index(after.len() + 1);
        after.insert(at, entry);
    }
    let mut before = before;
    if rng.chance(4) {
        break_list(rng, &mut before);
    }
    if rng.chance(4) {
        break_list(rng, &mut after);
    }
    let ids: Vec<Value> = before.iter().chain(&after).filter_map(|e| e.get("id").cloned()).collect();
    let id = if ids.is_empty() || rng.chance(8) {
        json!("no-such-id")
    } else if rng.chance(2) {
        json!(42)
    } else {
        rng.pick(&ids).clone()
    };
    args_of(lang_args(rng, vec![Value::Array(before), Value::Array(after), id]))
}
