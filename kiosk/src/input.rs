//! JSON command input: one `rules::Command` per line (serde tag `type`, camelCase).
//!
//! Ids (`application.id` of `register`, `places.id` of `addPlaces`) are left out: the
//! kiosk assigns them. `distribute` and `tick` parse but are refused later (center only).

use rules::Command;
use serde_json::Value;

use crate::errors::InputError;

const COMMANDS: [&str; 5] = ["register", "addPlaces", "act", "distribute", "tick"];

/// Parses one line of JSON into a command (ids empty unless given).
pub fn parse_command(line: &str) -> Result<Command, InputError> {
    let mut value: Value = serde_json::from_str(line).map_err(|e| InputError::BadJson { detail: e.to_string() })?;
    let Some(object) = value.as_object_mut() else {
        return Err(InputError::InvalidCommand { detail: "expected a JSON object".into() });
    };
    let Some(kind) = object.get("type").and_then(Value::as_str).map(str::to_owned) else {
        return Err(InputError::InvalidCommand { detail: "missing field `type`".into() });
    };
    if !COMMANDS.contains(&kind.as_str()) {
        return Err(InputError::UnknownCommand { name: kind });
    }
    let fill_id = |object: &mut serde_json::Map<String, Value>, field: &str| {
        if let Some(inner) = object.get_mut(field).and_then(Value::as_object_mut) {
            inner.entry("id").or_insert_with(|| Value::String(String::new()));
        }
    };
    match kind.as_str() {
        "register" => fill_id(object, "application"),
        "addPlaces" => fill_id(object, "places"),
        "act" => {
            if let Some(name) = object.get("action").and_then(|a| a.get("type")).and_then(Value::as_str)
                && !rules::ActionKind::ALL.iter().any(|action| action.as_str() == name)
            {
                return Err(InputError::UnknownAction { name: name.to_owned() });
            }
        }
        _ => {}
    }
    serde_json::from_value(value).map_err(|e| InputError::InvalidCommand { detail: e.to_string() })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // A failed unwrap is a failed test.
mod tests {
    use super::*;

    #[test]
    fn commands_parse_and_problems_have_codes() {
        use rules::Localized;
        let c = parse_command(
            r#"{"type":"addPlaces","places":{"kindergarten":"KG-KOK-01","language":"kk","groupYear":2022,"count":3}}"#,
        )
        .unwrap();
        assert!(matches!(c, Command::AddPlaces { ref places } if places.id.is_empty() && places.count == 3));
        let c =
            parse_command(r#"{"type":"act","application":"KOK-03-2026-000042","action":{"type":"confirmVoucher"}}"#)
                .unwrap();
        assert_eq!(c.name(), "confirmVoucher");
        assert_eq!(parse_command("{nope").unwrap_err().code(), "BAD_JSON");
        assert_eq!(parse_command(r#"{"type":"launch"}"#).unwrap_err().code(), "UNKNOWN_COMMAND");
        assert_eq!(
            parse_command(r#"{"type":"act","application":"x","action":{"type":"fly"}}"#).unwrap_err().code(),
            "UNKNOWN_ACTION"
        );
        assert_eq!(parse_command(r#"{"type":"register","application":{}}"#).unwrap_err().code(), "INVALID_COMMAND");
        assert_eq!(parse_command("[1]").unwrap_err().code(), "INVALID_COMMAND");
        assert!(matches!(parse_command(r#"{"type":"tick"}"#), Ok(Command::Tick)));
    }
}
