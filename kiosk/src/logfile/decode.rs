//! Entry bodies read in place, without copying (the postcard layout of
//! `changelog::EntryBody`), and payloads parsed with a fast path for the commands serde
//! writes: the decoding half of opening a large log quickly.

use changelog::{DecodeError, FORMAT_VERSION, Payload};

/// A body read in place (the postcard layout of `changelog::EntryBody`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BodyRef<'a> {
    pub version: u8,
    pub kiosk: &'a str,
    pub seq: u64,
    pub prev_hash: &'a [u8; 32],
    pub kiosk_time: &'a str,
    pub last_contact: Option<&'a str>,
    pub operator: &'a str,
    pub payload: &'a [u8],
}

struct Reader<'a> {
    bytes: &'a [u8],
}

impl<'a> Reader<'a> {
    fn byte(&mut self) -> Result<u8, String> {
        let (&b, rest) = self.bytes.split_first().ok_or("unexpected end of body")?;
        self.bytes = rest;
        Ok(b)
    }
    /// LEB128 as postcard writes it: at most 10 bytes, the 10th at most 1.
    fn varint(&mut self) -> Result<u64, String> {
        let mut out = 0u64;
        for i in 0..10 {
            let b = self.byte()?;
            out |= u64::from(b & 0x7f) << (7 * i);
            if b & 0x80 == 0 {
                if i == 9 && b > 1 {
                    break;
                }
                return Ok(out);
            }
        }
        Err("bad varint".into())
    }
    fn take(&mut self, n: u64) -> Result<&'a [u8], String> {
        let n = usize::try_from(n).map_err(|_| "length out of range")?;
        if n > self.bytes.len() {
            return Err("unexpected end of body".into());
        }
        let (head, rest) = self.bytes.split_at(n);
        self.bytes = rest;
        Ok(head)
    }
    fn str(&mut self) -> Result<&'a str, String> {
        let n = self.varint()?;
        std::str::from_utf8(self.take(n)?).map_err(|_| "bad UTF-8".into())
    }
}

/// Decodes a body in place. Like postcard (and so `SignedEntry::body`), bytes after the
/// payload are ignored; the signature and hash cover them anyway.
pub fn decode_body(body: &[u8]) -> Result<BodyRef<'_>, DecodeError> {
    let mut r = Reader { bytes: body };
    let decoded = (|| {
        let version = r.byte()?;
        let kiosk = r.str()?;
        let seq = r.varint()?;
        let prev_hash: &[u8; 32] = r.take(32)?.try_into().map_err(|_| "short hash")?;
        let kiosk_time = r.str()?;
        let last_contact = match r.byte()? {
            0 => None,
            1 => Some(r.str()?),
            _ => return Err("bad option".to_owned()),
        };
        let operator = r.str()?;
        let len = r.varint()?;
        let payload = r.take(len)?;
        Ok(BodyRef { version, kiosk, seq, prev_hash, kiosk_time, last_contact, operator, payload })
    })()
    .map_err(DecodeError::Body)?;
    if decoded.version != FORMAT_VERSION {
        return Err(DecodeError::Version(decoded.version));
    }
    Ok(decoded)
}

/// Parses a payload; commands written by serde (tag first, fields in declaration order)
/// take a fast path that skips serde's buffering of internally tagged enums, anything
/// else the ordinary path (same result, canonical error messages).
pub fn parse_payload(bytes: &[u8]) -> Result<Payload, DecodeError> {
    if let Ok(fast::FastPayload(p)) = serde_json::from_slice::<fast::FastPayload>(bytes) {
        return Ok(p);
    }
    serde_json::from_slice(bytes).map_err(|e| DecodeError::Payload(e.to_string()))
}

mod fast {
    use std::fmt;

    use changelog::Payload;
    use rules::Command;
    use rules::model::{NewApplication, NewPlaces};
    use serde::de::{self, Deserialize, Deserializer, MapAccess, Visitor};

    pub struct FastPayload(pub Payload);
    struct FastCommand(Command);

    fn key<'de, A: MapAccess<'de>>(map: &mut A, expected: &str) -> Result<(), A::Error> {
        match map.next_key::<String>()? {
            Some(k) if k == expected => Ok(()),
            _ => Err(de::Error::custom("not in the fast layout")),
        }
    }

    fn end<'de, A: MapAccess<'de>>(map: &mut A) -> Result<(), A::Error> {
        match map.next_key::<de::IgnoredAny>()? {
            None => Ok(()),
            Some(_) => Err(de::Error::custom("not in the fast layout")),
        }
    }

    impl<'de> Deserialize<'de> for FastPayload {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            struct V;
            impl<'de> Visitor<'de> for V {
                type Value = FastPayload;
                fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                    f.write_str("a command payload")
                }
                fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<FastPayload, A::Error> {
                    key(&mut map, "type")?;
                    let tag: String = map.next_value()?;
                    if tag != "command" {
                        return Err(de::Error::custom("not in the fast layout"));
                    }
                    key(&mut map, "command")?;
                    let FastCommand(command) = map.next_value()?;
                    end(&mut map)?;
                    Ok(FastPayload(Payload::Command { command }))
                }
            }
            d.deserialize_map(V)
        }
    }

    impl<'de> Deserialize<'de> for FastCommand {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            struct V;
            impl<'de> Visitor<'de> for V {
                type Value = FastCommand;
                fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                    f.write_str("a command")
                }
                fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<FastCommand, A::Error> {
                    key(&mut map, "type")?;
                    let tag: String = map.next_value()?;
                    let command = match tag.as_str() {
                        "register" => {
                            key(&mut map, "application")?;
                            Command::Register { application: map.next_value::<NewApplication>()? }
                        }
                        "addPlaces" => {
                            key(&mut map, "places")?;
                            Command::AddPlaces { places: map.next_value::<NewPlaces>()? }
                        }
                        "act" => {
                            key(&mut map, "application")?;
                            let application: String = map.next_value()?;
                            key(&mut map, "action")?;
                            Command::Act { application, action: map.next_value()? }
                        }
                        _ => return Err(de::Error::custom("not in the fast layout")),
                    };
                    end(&mut map)?;
                    Ok(FastCommand(command))
                }
            }
            d.deserialize_map(V)
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // A failed unwrap is a failed test.
mod tests {
    use super::*;
    use rules::Command;

    #[test]
    fn the_fast_payload_path_matches_serde() {
        let line = r#"{"type":"register","application":{"district":"KOK","queueType":"general","childIin":"200909571510","childName":"Әлімжанов","birthDate":"2020-09-09","applicant":{"iin":"941029432050","name":"Ахметова","kinship":"guardian","phone":"+7 776"},"residence":{"kind":"permanent","address":"Кокшетау"},"right":"none"}}"#;
        let command = crate::input::parse_command(line).unwrap();
        for c in [
            command,
            crate::input::parse_command(
                r#"{"type":"act","application":"A-1","action":{"type":"refuseChild","reason":"x"}}"#,
            )
            .unwrap(),
            crate::input::parse_command(
                r#"{"type":"addPlaces","places":{"kindergarten":"KG","language":"kk","groupYear":2022,"count":3}}"#,
            )
            .unwrap(),
        ] {
            let p = Payload::Command { command: c };
            let json = p.to_json();
            assert!(serde_json::from_slice::<fast::FastPayload>(&json).is_ok());
            assert_eq!(parse_payload(&json).unwrap(), p);
        }
        // Out of the fast layout: still parsed by the ordinary path.
        let reordered = br#"{"command":{"type":"tick"},"type":"command"}"#;
        assert_eq!(parse_payload(reordered).unwrap(), Payload::Command { command: Command::Tick });
        assert!(parse_payload(br#"{"type":"command","command":{"type":"tick"},"x":1}"#).is_err());
    }
}
