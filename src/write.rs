//! A small JSON writer for the crate's own `Serialize` types: compact text,
//! byte for byte what `serde_json::to_string` writes for them.
//!
//! It exists for size. The canonical ruleset form (and so the fingerprint)
//! and every answer that crosses the WebAssembly boundary as JSON are
//! written here, so the module carries no general-purpose writer: no I/O
//! error plumbing, no float formatting, no error messages it never shows.
//! The derived `Serialize` impls stay the one description of every shape,
//! natively and in the browser.
//!
//! What it writes: strings (escaped as serde_json escapes them), booleans,
//! integers, `null`, lists, objects with string keys, and enums as serde's
//! data model puts them. Floats are refused (no answer and no ruleset holds
//! one; a context's number preferences are never written back), as are map
//! keys that are not strings.

use serde::ser::{self, Serialize};
use std::fmt;

/// Writes `value` as compact JSON.
pub(crate) fn to_string<T: Serialize + ?Sized>(value: &T) -> Result<String, Unsupported> {
    let mut writer = Writer {
        out: String::new(),
        omit_absent: false,
    };
    value.serialize(&mut writer)?;
    Ok(writer.out)
}

/// Writes `value` as compact JSON, leaving out every struct field whose
/// value is `None`: the canonical form of a ruleset document. (The document
/// types carry no `skip_serializing_if`, so that binary formats, which
/// write every field, read them back.)
pub(crate) fn to_canonical<T: Serialize + ?Sized>(value: &T) -> Result<String, Unsupported> {
    let mut writer = Writer {
        out: String::new(),
        omit_absent: true,
    };
    value.serialize(&mut writer)?;
    Ok(writer.out)
}

/// A value this writer does not write (a float, a map key that is not a
/// string, or a failure reported by a `Serialize` impl).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Unsupported;

impl fmt::Display for Unsupported {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a value cannot be written as JSON")
    }
}

impl std::error::Error for Unsupported {}

impl ser::Error for Unsupported {
    fn custom<T: fmt::Display>(_message: T) -> Self {
        Unsupported
    }
}

struct Writer {
    out: String,
    /// Struct fields whose value is `None` are left out.
    omit_absent: bool,
}

impl Writer {
    fn string(&mut self, text: &str) {
        self.out.push('"');
        // Everything escaped is ASCII, so every cut is at a character
        // boundary.
        let mut plain = 0;
        for (at, byte) in text.bytes().enumerate() {
            if byte < b' ' || byte == b'"' || byte == b'\\' {
                self.out.push_str(text.get(plain..at).unwrap_or_default());
                self.escape(byte);
                plain = at + 1;
            }
        }
        self.out.push_str(text.get(plain..).unwrap_or_default());
        self.out.push('"');
    }

    fn escape(&mut self, byte: u8) {
        let short = match byte {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            0x08 => "\\b",
            0x0c => "\\f",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            _ => "",
        };
        if short.is_empty() {
            // Other control characters: `\u00XX`, lowercase hex.
            let code = u32::from(byte);
            self.out.push_str("\\u00");
            for nibble in [code >> 4, code & 0xf] {
                self.out.push(char::from_digit(nibble, 16).unwrap_or('0'));
            }
        } else {
            self.out.push_str(short);
        }
    }

    fn unsigned(&mut self, mut n: u64) {
        let mut digits = [0u8; 20];
        let mut start = digits.len();
        loop {
            start -= 1;
            if let Some(d) = digits.get_mut(start) {
                *d = b'0' + (n % 10) as u8;
            }
            n /= 10;
            if n == 0 || start == 0 {
                break;
            }
        }
        for &d in digits.get(start..).unwrap_or_default() {
            self.out.push(char::from(d));
        }
    }

    fn signed(&mut self, n: i64) {
        if n < 0 {
            self.out.push('-');
        }
        self.unsigned(n.unsigned_abs());
    }

    /// Opens the object that holds an enum's variant: `{"variant":`.
    fn variant(&mut self, variant: &str) {
        self.out.push('{');
        self.string(variant);
        self.out.push(':');
    }

    /// The separator before an element or entry that is not the first.
    fn next(&mut self, first: &mut bool) {
        if !std::mem::take(first) {
            self.out.push(',');
        }
    }
}

/// A list or object being written; `first` until its first element.
struct Compound<'w> {
    writer: &'w mut Writer,
    first: bool,
    /// What closes it (`]`, `}`, or `}}` for a variant's object).
    close: &'static str,
}

impl<'w> Compound<'w> {
    fn open(writer: &'w mut Writer, open: &str, close: &'static str) -> Self {
        writer.out.push_str(open);
        Compound {
            writer,
            first: true,
            close,
        }
    }

    fn element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Unsupported> {
        self.writer.next(&mut self.first);
        value.serialize(&mut *self.writer)
    }

    fn field<T: Serialize + ?Sized>(&mut self, key: &str, value: &T) -> Result<(), Unsupported> {
        let (start, first) = (self.writer.out.len(), self.first);
        self.writer.next(&mut self.first);
        self.writer.string(key);
        self.writer.out.push(':');
        let value_start = self.writer.out.len();
        value.serialize(&mut *self.writer)?;
        if self.writer.omit_absent && self.writer.out.get(value_start..) == Some("null") {
            self.writer.out.truncate(start);
            self.first = first;
        }
        Ok(())
    }

    fn end(self) -> Result<(), Unsupported> {
        self.writer.out.push_str(self.close);
        Ok(())
    }
}

/// Integers written as their 64-bit kin.
macro_rules! widen {
    ($($method:ident($t:ty) => $wide:ident),*) => {$(
        fn $method(self, v: $t) -> Result<(), Unsupported> {
            self.$wide(v.into())
        }
    )*};
}

impl<'w> ser::Serializer for &'w mut Writer {
    type Ok = ();
    type Error = Unsupported;
    type SerializeSeq = Compound<'w>;
    type SerializeTuple = Compound<'w>;
    type SerializeTupleStruct = Compound<'w>;
    type SerializeTupleVariant = Compound<'w>;
    type SerializeMap = Compound<'w>;
    type SerializeStruct = Compound<'w>;
    type SerializeStructVariant = Compound<'w>;

    fn serialize_bool(self, v: bool) -> Result<(), Unsupported> {
        self.out.push_str(if v { "true" } else { "false" });
        Ok(())
    }

    widen!(
        serialize_i8(i8) => serialize_i64,
        serialize_i16(i16) => serialize_i64,
        serialize_i32(i32) => serialize_i64,
        serialize_u8(u8) => serialize_u64,
        serialize_u16(u16) => serialize_u64,
        serialize_u32(u32) => serialize_u64
    );

    fn serialize_i64(self, v: i64) -> Result<(), Unsupported> {
        self.signed(v);
        Ok(())
    }

    fn serialize_u64(self, v: u64) -> Result<(), Unsupported> {
        self.unsigned(v);
        Ok(())
    }

    fn serialize_f32(self, _v: f32) -> Result<(), Unsupported> {
        Err(Unsupported)
    }

    fn serialize_f64(self, _v: f64) -> Result<(), Unsupported> {
        Err(Unsupported)
    }

    fn serialize_char(self, v: char) -> Result<(), Unsupported> {
        self.string(v.encode_utf8(&mut [0; 4]));
        Ok(())
    }

    fn serialize_str(self, v: &str) -> Result<(), Unsupported> {
        self.string(v);
        Ok(())
    }

    fn serialize_bytes(self, v: &[u8]) -> Result<(), Unsupported> {
        let mut list = Compound::open(self, "[", "]");
        for byte in v {
            list.element(byte)?;
        }
        list.end()
    }

    fn serialize_none(self) -> Result<(), Unsupported> {
        self.serialize_unit()
    }

    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), Unsupported> {
        value.serialize(self)
    }

    fn serialize_unit(self) -> Result<(), Unsupported> {
        self.out.push_str("null");
        Ok(())
    }

    fn serialize_unit_struct(self, _name: &'static str) -> Result<(), Unsupported> {
        self.serialize_unit()
    }

    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<(), Unsupported> {
        self.serialize_str(variant)
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<(), Unsupported> {
        value.serialize(self)
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<(), Unsupported> {
        self.variant(variant);
        value.serialize(&mut *self)?;
        self.out.push('}');
        Ok(())
    }

    fn serialize_seq(self, _len: Option<usize>) -> Result<Compound<'w>, Unsupported> {
        Ok(Compound::open(self, "[", "]"))
    }

    fn serialize_tuple(self, len: usize) -> Result<Compound<'w>, Unsupported> {
        self.serialize_seq(Some(len))
    }

    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        len: usize,
    ) -> Result<Compound<'w>, Unsupported> {
        self.serialize_seq(Some(len))
    }

    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Compound<'w>, Unsupported> {
        self.variant(variant);
        Ok(Compound::open(self, "[", "]}"))
    }

    fn serialize_map(self, _len: Option<usize>) -> Result<Compound<'w>, Unsupported> {
        Ok(Compound::open(self, "{", "}"))
    }

    fn serialize_struct(
        self,
        _name: &'static str,
        _len: usize,
    ) -> Result<Compound<'w>, Unsupported> {
        Ok(Compound::open(self, "{", "}"))
    }

    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Compound<'w>, Unsupported> {
        self.variant(variant);
        Ok(Compound::open(self, "{", "}}"))
    }
}

/// Lists: each element after a comma.
macro_rules! list {
    ($($trait:ident :: $method:ident),*) => {$(
        impl ser::$trait for Compound<'_> {
            type Ok = ();
            type Error = Unsupported;

            fn $method<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Unsupported> {
                self.element(value)
            }

            fn end(self) -> Result<(), Unsupported> {
                Compound::end(self)
            }
        }
    )*};
}

list!(
    SerializeSeq::serialize_element,
    SerializeTuple::serialize_element,
    SerializeTupleStruct::serialize_field,
    SerializeTupleVariant::serialize_field
);

/// Objects with fields named in the code.
macro_rules! object {
    ($($trait:ident),*) => {$(
        impl ser::$trait for Compound<'_> {
            type Ok = ();
            type Error = Unsupported;

            fn serialize_field<T: Serialize + ?Sized>(
                &mut self,
                key: &'static str,
                value: &T,
            ) -> Result<(), Unsupported> {
                self.field(key, value)
            }

            fn end(self) -> Result<(), Unsupported> {
                Compound::end(self)
            }
        }
    )*};
}

object!(SerializeStruct, SerializeStructVariant);

impl ser::SerializeMap for Compound<'_> {
    type Ok = ();
    type Error = Unsupported;

    /// Only strings (and unit variants, written as strings) are keys.
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Unsupported> {
        self.writer.next(&mut self.first);
        let start = self.writer.out.len();
        key.serialize(&mut *self.writer)?;
        if !self
            .writer
            .out
            .get(start..)
            .is_some_and(|k| k.starts_with('"'))
        {
            return Err(Unsupported);
        }
        self.writer.out.push(':');
        Ok(())
    }

    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Unsupported> {
        value.serialize(&mut *self.writer)
    }

    fn end(self) -> Result<(), Unsupported> {
        Compound::end(self)
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use crate::json::tests::differential::json_values;
    use proptest::prelude::*;

    #[test]
    fn writes_the_canonical_form_as_serde_json_does() {
        for name in crate::BUILTIN_NAMES {
            let source = crate::Policy::builtin_source(name).unwrap();
            let doc = crate::read::from_text(source).unwrap();
            let mut value = serde_json::to_value(&doc).unwrap();
            assert_eq!(
                to_string(&doc).unwrap(),
                serde_json::to_string(&doc).unwrap()
            );
            // The canonical form: the same, less the fields that are absent.
            fn drop_nulls(value: &mut serde_json::Value) {
                match value {
                    serde_json::Value::Object(map) => {
                        map.retain(|_, v| !v.is_null());
                        map.values_mut().for_each(drop_nulls);
                    }
                    serde_json::Value::Array(items) => items.iter_mut().for_each(drop_nulls),
                    _ => {}
                }
            }
            drop_nulls(&mut value);
            let canonical = to_canonical(&doc).unwrap();
            assert_eq!(
                serde_json::from_str::<serde_json::Value>(&canonical).unwrap(),
                value
            );
            assert_eq!(crate::Policy::builtin(name).unwrap().to_json(), canonical);
        }
    }

    #[test]
    fn escapes_as_serde_json_does() {
        let every_control: String = (0u8..0x20).map(char::from).collect();
        for text in [
            "",
            "plain",
            "\"quoted\" \\ back",
            "é ✓ 😀 \u{7f}",
            &every_control,
        ] {
            assert_eq!(
                to_string(text).unwrap(),
                serde_json::to_string(text).unwrap()
            );
        }
    }

    #[test]
    fn integers_at_their_edges() {
        for n in [0, 1, -1, 9, 10, -10, i64::MIN, i64::MAX] {
            assert_eq!(to_string(&n).unwrap(), n.to_string());
        }
        for n in [0, 9, 10, 99, 100, u64::MAX] {
            assert_eq!(to_string(&n).unwrap(), n.to_string());
        }
    }

    #[test]
    fn refuses_floats_and_keys_that_are_not_strings() {
        assert_eq!(to_string(&1.5f64), Err(Unsupported));
        let map: std::collections::BTreeMap<u32, bool> = [(1, true)].into();
        assert_eq!(to_string(&map), Err(Unsupported));
    }

    #[test]
    fn enums_as_serde_json_writes_them() {
        #[derive(serde::Serialize)]
        enum E {
            Unit,
            Newtype(u8),
            Tuple(u8, bool),
            Struct { a: &'static str },
        }
        let all = [
            E::Unit,
            E::Newtype(1),
            E::Tuple(2, true),
            E::Struct { a: "x" },
        ];
        assert_eq!(
            to_string(&all).unwrap(),
            serde_json::to_string(&all).unwrap()
        );
        assert_eq!(
            to_string(&((), Some('c'), None::<u8>)).unwrap(),
            r#"[null,"c",null]"#
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 1024, ..ProptestConfig::default() })]

        /// Any JSON without fractions is written as serde_json writes it.
        #[test]
        fn writes_what_serde_json_writes(value in json_values(false)) {
            prop_assert_eq!(to_string(&value).unwrap(), serde_json::to_string(&value).unwrap());
        }
    }
}
