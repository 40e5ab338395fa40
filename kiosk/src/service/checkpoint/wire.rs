//! The checkpoint body's binary encoding: postcard's, and what postcard cannot do with
//! the rules' types.
//!
//! postcard writes a struct as its fields in order, with no names, and so reads a field
//! that serde skipped when writing (the rules' types skip empty fields, `skip_serializing_if`,
//! to keep their JSON short) as the next field's bytes. This serializer writes exactly
//! postcard's bytes but writes a skipped field as a zero byte, which postcard reads back as
//! `None`, an empty `Vec` or `String`, `false` or `0`: what each of those fields skips.
//! A field that skips any other value (a `true`, say) would not read back, so a checkpoint
//! is read back and compared before it is written (`checkpoint::encode`); the directory's
//! kindergartens (whose `open` skips `true`) go as JSON.
//!
//! Why not JSON for all of it: reading 100,000 applications from JSON took 150 ms of the
//! 300 ms an open may take, and its 51 MB took 40 ms more to hash and read.

use serde::Serialize;
use serde::ser;

/// An encoding error: only what postcard cannot write either (a sequence of unknown length).
#[derive(Debug)]
pub(super) struct WireError(String);

impl std::fmt::Display for WireError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for WireError {}

impl ser::Error for WireError {
    fn custom<T: std::fmt::Display>(msg: T) -> Self {
        WireError(msg.to_string())
    }
}

/// `value` in postcard's encoding, skipped fields written as a zero byte.
pub(super) fn to_bytes<T: Serialize + ?Sized>(value: &T) -> std::result::Result<Vec<u8>, WireError> {
    let mut wire = Wire { out: Vec::new() };
    value.serialize(&mut wire)?;
    Ok(wire.out)
}

/// A `Vec` read with the capacity its length prefix gives, at once. serde grows one read
/// from postcard from at most 1 MiB, doubling: for 100,000 applications that moved each
/// (some hundreds of bytes) several times. The body is signed, but possibly by a key that
/// turns out not to be this kiosk's (that is checked later, with the chain), so the prefix
/// may be a forger's: the capacity is capped, and only tried (`try_reserve_exact`), so a
/// length no memory can hold falls back to growing as serde does instead of aborting; the
/// elements themselves can never be more than the signed bytes hold.
pub(super) fn exact_vec<'de, D, T>(deserializer: D) -> std::result::Result<Vec<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::Deserialize<'de>,
{
    struct Exact<T>(std::marker::PhantomData<T>);
    impl<'de, T: serde::Deserialize<'de>> serde::de::Visitor<'de> for Exact<T> {
        type Value = Vec<T>;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a sequence")
        }
        fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<Vec<T>, A::Error> {
            let mut out = Vec::new();
            let _ = out.try_reserve_exact(seq.size_hint().unwrap_or(0).min(MAX_PREALLOCATED));
            while let Some(item) = seq.next_element()? {
                out.push(item);
            }
            Ok(out)
        }
    }
    deserializer.deserialize_seq(Exact(std::marker::PhantomData))
}

/// Elements preallocated at most (ten million applications: far beyond any office).
const MAX_PREALLOCATED: usize = 10_000_000;

struct Wire {
    out: Vec<u8>,
}

impl Wire {
    /// LEB128, as postcard writes every integer wider than a byte.
    fn varint(&mut self, mut v: u128) {
        loop {
            let byte = (v & 0x7f) as u8;
            v >>= 7;
            if v == 0 {
                self.out.push(byte);
                return;
            }
            self.out.push(byte | 0x80);
        }
    }
    fn zigzag(&mut self, v: i128) {
        self.varint(((v << 1) ^ (v >> 127)).cast_unsigned());
    }
    fn len(&mut self, len: Option<usize>) -> Result<()> {
        let len = len.ok_or_else(|| WireError("a sequence of unknown length".into()))?;
        self.varint(len as u128);
        Ok(())
    }
}

type Result<T> = std::result::Result<T, WireError>;

impl ser::Serializer for &mut Wire {
    type Ok = ();
    type Error = WireError;
    type SerializeSeq = Self;
    type SerializeTuple = Self;
    type SerializeTupleStruct = Self;
    type SerializeTupleVariant = Self;
    type SerializeMap = Self;
    type SerializeStruct = Self;
    type SerializeStructVariant = Self;

    fn serialize_bool(self, v: bool) -> Result<()> {
        self.out.push(u8::from(v));
        Ok(())
    }
    fn serialize_i8(self, v: i8) -> Result<()> {
        self.out.push(v.to_le_bytes()[0]);
        Ok(())
    }
    fn serialize_i16(self, v: i16) -> Result<()> {
        self.zigzag(i128::from(v));
        Ok(())
    }
    fn serialize_i32(self, v: i32) -> Result<()> {
        self.zigzag(i128::from(v));
        Ok(())
    }
    fn serialize_i64(self, v: i64) -> Result<()> {
        self.zigzag(i128::from(v));
        Ok(())
    }
    fn serialize_i128(self, v: i128) -> Result<()> {
        self.zigzag(v);
        Ok(())
    }
    fn serialize_u8(self, v: u8) -> Result<()> {
        self.out.push(v);
        Ok(())
    }
    fn serialize_u16(self, v: u16) -> Result<()> {
        self.varint(u128::from(v));
        Ok(())
    }
    fn serialize_u32(self, v: u32) -> Result<()> {
        self.varint(u128::from(v));
        Ok(())
    }
    fn serialize_u64(self, v: u64) -> Result<()> {
        self.varint(u128::from(v));
        Ok(())
    }
    fn serialize_u128(self, v: u128) -> Result<()> {
        self.varint(v);
        Ok(())
    }
    fn serialize_f32(self, v: f32) -> Result<()> {
        self.out.extend_from_slice(&v.to_bits().to_le_bytes());
        Ok(())
    }
    fn serialize_f64(self, v: f64) -> Result<()> {
        self.out.extend_from_slice(&v.to_bits().to_le_bytes());
        Ok(())
    }
    fn serialize_char(self, v: char) -> Result<()> {
        self.serialize_str(v.encode_utf8(&mut [0u8; 4]))
    }
    fn serialize_str(self, v: &str) -> Result<()> {
        self.serialize_bytes(v.as_bytes())
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<()> {
        self.varint(v.len() as u128);
        self.out.extend_from_slice(v);
        Ok(())
    }
    fn serialize_none(self) -> Result<()> {
        self.out.push(0);
        Ok(())
    }
    fn serialize_some<T: ?Sized + Serialize>(self, value: &T) -> Result<()> {
        self.out.push(1);
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<()> {
        Ok(())
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Result<()> {
        Ok(())
    }
    fn serialize_unit_variant(self, _name: &'static str, index: u32, _variant: &'static str) -> Result<()> {
        self.varint(u128::from(index));
        Ok(())
    }
    fn serialize_newtype_struct<T: ?Sized + Serialize>(self, _name: &'static str, value: &T) -> Result<()> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: ?Sized + Serialize>(
        self,
        _name: &'static str,
        index: u32,
        _variant: &'static str,
        value: &T,
    ) -> Result<()> {
        self.varint(u128::from(index));
        value.serialize(self)
    }
    fn serialize_seq(self, len: Option<usize>) -> Result<Self> {
        self.len(len)?;
        Ok(self)
    }
    fn serialize_tuple(self, _len: usize) -> Result<Self> {
        Ok(self)
    }
    fn serialize_tuple_struct(self, _name: &'static str, _len: usize) -> Result<Self> {
        Ok(self)
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self> {
        self.varint(u128::from(index));
        Ok(self)
    }
    fn serialize_map(self, len: Option<usize>) -> Result<Self> {
        self.len(len)?;
        Ok(self)
    }
    fn serialize_struct(self, _name: &'static str, _len: usize) -> Result<Self> {
        Ok(self)
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self> {
        self.varint(u128::from(index));
        Ok(self)
    }
    fn is_human_readable(&self) -> bool {
        false
    }
}

impl ser::SerializeSeq for &mut Wire {
    type Ok = ();
    type Error = WireError;
    fn serialize_element<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<()> {
        value.serialize(&mut **self)
    }
    fn end(self) -> Result<()> {
        Ok(())
    }
}

impl ser::SerializeTuple for &mut Wire {
    type Ok = ();
    type Error = WireError;
    fn serialize_element<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<()> {
        value.serialize(&mut **self)
    }
    fn end(self) -> Result<()> {
        Ok(())
    }
}

impl ser::SerializeTupleStruct for &mut Wire {
    type Ok = ();
    type Error = WireError;
    fn serialize_field<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<()> {
        value.serialize(&mut **self)
    }
    fn end(self) -> Result<()> {
        Ok(())
    }
}

impl ser::SerializeTupleVariant for &mut Wire {
    type Ok = ();
    type Error = WireError;
    fn serialize_field<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<()> {
        value.serialize(&mut **self)
    }
    fn end(self) -> Result<()> {
        Ok(())
    }
}

impl ser::SerializeMap for &mut Wire {
    type Ok = ();
    type Error = WireError;
    fn serialize_key<T: ?Sized + Serialize>(&mut self, key: &T) -> Result<()> {
        key.serialize(&mut **self)
    }
    fn serialize_value<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<()> {
        value.serialize(&mut **self)
    }
    fn end(self) -> Result<()> {
        Ok(())
    }
}

impl ser::SerializeStruct for &mut Wire {
    type Ok = ();
    type Error = WireError;
    fn serialize_field<T: ?Sized + Serialize>(&mut self, _key: &'static str, value: &T) -> Result<()> {
        value.serialize(&mut **self)
    }
    /// The one difference from postcard: a skipped field is written as a zero byte.
    fn skip_field(&mut self, _key: &'static str) -> Result<()> {
        self.out.push(0);
        Ok(())
    }
    fn end(self) -> Result<()> {
        Ok(())
    }
}

impl ser::SerializeStructVariant for &mut Wire {
    type Ok = ();
    type Error = WireError;
    fn serialize_field<T: ?Sized + Serialize>(&mut self, _key: &'static str, value: &T) -> Result<()> {
        value.serialize(&mut **self)
    }
    fn skip_field(&mut self, _key: &'static str) -> Result<()> {
        self.out.push(0);
        Ok(())
    }
    fn end(self) -> Result<()> {
        Ok(())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // A failed unwrap is a failed test.
mod tests {
    use serde::{Deserialize, Serialize};

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    enum Kind {
        Plain,
        Named { n: i32 },
        Wrapped(String),
    }

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    struct Sample {
        a: u64,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        maybe: Option<String>,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        list: Vec<i16>,
        #[serde(default, skip_serializing_if = "String::is_empty")]
        text: String,
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        flag: bool,
        kinds: Vec<Kind>,
        signed: i64,
        small: i8,
        map: std::collections::BTreeMap<String, u32>,
        float: f64,
    }

    #[test]
    fn postcard_reads_back_what_it_writes_skipped_fields_included() {
        let full = Sample {
            a: 300,
            maybe: Some("x".into()),
            list: vec![-1, 2, i16::MIN],
            text: "t".into(),
            flag: true,
            kinds: vec![Kind::Plain, Kind::Named { n: -5 }, Kind::Wrapped("w".into())],
            signed: i64::MIN,
            small: -3,
            map: [("k".to_owned(), u32::MAX)].into(),
            float: 1.5,
        };
        let empty = Sample {
            a: 0,
            maybe: None,
            list: vec![],
            text: String::new(),
            flag: false,
            kinds: vec![],
            signed: 0,
            small: 0,
            map: std::collections::BTreeMap::default(),
            float: 0.0,
        };
        for sample in [full.clone(), empty] {
            let bytes = super::to_bytes(&sample).unwrap();
            assert_eq!(postcard::from_bytes::<Sample>(&bytes).unwrap(), sample);
        }
        // Without skipped fields the bytes are postcard's own.
        assert_eq!(super::to_bytes(&full).unwrap(), postcard::to_stdvec(&full).unwrap());
    }
}
