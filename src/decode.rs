//! Turning JSON-shaped input into typed documents, with a JSON pointer for
//! every problem. One mechanism serves rulesets and contexts, natively and in
//! wasm: text is parsed into a [`Json`] tree (`crate::json`), and the tree is
//! read by the derived serde decoders through [`Node`], a `Deserializer` that
//! knows where it is. Input from another serde `Deserializer` is first
//! collected into a tree, then read the same way.
//!
//! Invariants: a value's problem is reported at the pointer of the innermost
//! value that failed; a key the target type does not define is an error (the
//! first such key, after the rest decoded), never silently dropped.

use crate::json::{self, Json, Number, ParseError};
use serde::de::value::BorrowedStrDeserializer;
use serde::de::{
    self, Deserialize, DeserializeSeed, Deserializer, EnumAccess, IntoDeserializer, MapAccess,
    SeqAccess, Unexpected, VariantAccess, Visitor,
};
use std::cell::RefCell;
use std::fmt;

/// What went wrong while decoding, and where.
#[derive(Debug)]
pub(crate) enum DecodeError {
    /// The input is not well-formed JSON.
    Syntax(String),
    /// A key that the target type does not define.
    UnknownKey { path: String, key: String },
    /// A value of the wrong type or shape.
    Invalid { path: String, message: String },
}

/// Appends one reference token to a JSON pointer, escaped per RFC 6901.
pub(crate) fn push_token(pointer: &mut String, token: &str) {
    pointer.push('/');
    for c in token.chars() {
        match c {
            '~' => pointer.push_str("~0"),
            '/' => pointer.push_str("~1"),
            c => pointer.push(c),
        }
    }
}

/// A JSON pointer built from a base and further tokens.
pub(crate) fn pointer(base: &str, tokens: &[&str]) -> String {
    let mut out = String::from(base);
    for t in tokens {
        push_token(&mut out, t);
    }
    out
}

/// Decodes `T` from JSON text, telling syntax errors apart from shape errors.
pub(crate) fn decode_json<T>(text: &str) -> Result<T, DecodeError>
where
    T: for<'de> Deserialize<'de>,
{
    match json::parse(text) {
        Ok(tree) => decode_tree(&tree),
        Err(ParseError::Syntax(message)) => Err(DecodeError::Syntax(message)),
        Err(e @ ParseError::TooDeep { .. }) => Err(DecodeError::Invalid {
            message: e.to_string(),
            path: match e {
                ParseError::TooDeep { pointer } => pointer,
                ParseError::Syntax(_) => String::new(),
            },
        }),
    }
}

/// Decodes `T` from any deserializer: its data is collected into a tree
/// first (nesting limited as for text), then read like parsed text.
pub(crate) fn decode<'de, T, D>(deserializer: D) -> Result<T, DecodeError>
where
    T: for<'a> Deserialize<'a>,
    D: Deserializer<'de>,
    D::Error: fmt::Display,
{
    let tree = TreeSeed { depth: 0 }
        .deserialize(deserializer)
        .map_err(|e| DecodeError::Invalid {
            path: String::new(),
            message: clean_message(&e.to_string()),
        })?;
    decode_tree(&tree)
}

/// Decodes `T` from a parsed tree.
fn decode_tree<'de, T: Deserialize<'de>>(tree: &'de Json) -> Result<T, DecodeError> {
    let unknown = RefCell::new(None);
    let node = Node {
        value: tree,
        at: At::Root,
        unknown: &unknown,
    };
    match T::deserialize(node) {
        Ok(value) => match unknown.into_inner() {
            Some((path, key)) => Err(DecodeError::UnknownKey { path, key }),
            None => Ok(value),
        },
        Err(e) => Err(DecodeError::Invalid {
            path: e.path.unwrap_or_default(),
            message: clean_message(&e.message),
        }),
    }
}

/// serde names Rust integer types in its messages ("expected u32"); those
/// become words, since users of the format never see Rust types.
fn clean_message(message: &str) -> String {
    let mut out = message.to_owned();
    for (rust, words) in [
        ("u64", "a whole number from 0"),
        ("u32", "a whole number from 0"),
        ("u16", "a whole number from 0"),
        ("u8", "a whole number from 0"),
        ("i64", "a whole number"),
        ("i32", "a whole number"),
        ("f64", "a number"),
    ] {
        out = out.replace(&format!("expected {rust}"), &format!("expected {words}"));
    }
    out
}

/// A decoding problem; the pointer is set by the innermost value it passes.
#[derive(Debug)]
struct Error {
    message: String,
    path: Option<String>,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

impl Error {
    /// The error, with `at`'s pointer unless it has one (from deeper down).
    fn at(mut self, at: &At<'_>) -> Error {
        if self.path.is_none() {
            self.path = Some(at.pointer());
        }
        self
    }
}

impl de::Error for Error {
    fn custom<M: fmt::Display>(message: M) -> Self {
        Error {
            message: message.to_string(),
            path: None,
        }
    }
}

/// Where a value sits: a chain of keys and indices up to the root, on the
/// stack of the decoder's calls (no allocation unless an error needs it).
#[derive(Clone, Copy)]
enum At<'p> {
    Root,
    Key(&'p At<'p>, &'p str),
    Index(&'p At<'p>, usize),
}

impl At<'_> {
    fn write(&self, out: &mut String) {
        match self {
            At::Root => {}
            At::Key(parent, key) => {
                parent.write(out);
                push_token(out, key);
            }
            At::Index(parent, index) => {
                parent.write(out);
                push_token(out, &index.to_string());
            }
        }
    }

    fn pointer(&self) -> String {
        let mut out = String::new();
        self.write(&mut out);
        out
    }

    /// The last token, which names an unknown key.
    fn token(&self) -> String {
        match self {
            At::Root => String::new(),
            At::Key(_, key) => (*key).to_owned(),
            At::Index(_, index) => index.to_string(),
        }
    }
}

/// One value of the tree, read by a derived decoder.
struct Node<'de, 'p> {
    value: &'de Json,
    at: At<'p>,
    /// The first key that a decoder skipped, as (pointer, key).
    unknown: &'p RefCell<Option<(String, String)>>,
}

impl<'de, 'p> Node<'de, 'p> {
    /// Gives an error without a pointer this node's pointer.
    fn locate<T>(&self, result: Result<T, Error>) -> Result<T, Error> {
        result.map_err(|e| e.at(&self.at))
    }

    fn unexpected(&self) -> Unexpected<'de> {
        match self.value {
            Json::Null => Unexpected::Unit,
            Json::Bool(b) => Unexpected::Bool(*b),
            Json::Number(Number::Unsigned(n)) => Unexpected::Unsigned(*n),
            Json::Number(Number::Negative(n)) => Unexpected::Signed(*n),
            Json::Number(Number::Float(f)) => Unexpected::Float(*f),
            Json::String(s) => Unexpected::Str(s),
            Json::Array(_) => Unexpected::Seq,
            Json::Object(_) => Unexpected::Map,
        }
    }
}

impl<'de> Deserializer<'de> for Node<'de, '_> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        let result = match self.value {
            Json::Null => visitor.visit_unit(),
            Json::Bool(b) => visitor.visit_bool(*b),
            Json::Number(Number::Unsigned(n)) => visitor.visit_u64(*n),
            Json::Number(Number::Negative(n)) => visitor.visit_i64(*n),
            Json::Number(Number::Float(f)) => visitor.visit_f64(*f),
            Json::String(s) => visitor.visit_borrowed_str(s),
            Json::Array(_) => return self.deserialize_seq(visitor),
            Json::Object(_) => return self.deserialize_map(visitor),
        };
        self.locate(result)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.value {
            Json::Null => {
                let result = visitor.visit_none();
                self.locate(result)
            }
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        visitor.visit_newtype_struct(self)
    }

    /// Enums as serde_json writes them: a unit variant is a string, any
    /// other variant an object with exactly one key.
    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        let result = match self.value {
            Json::String(s) => visitor.visit_enum(BorrowedStrDeserializer::new(s)),
            Json::Object(entries) => match entries.as_slice() {
                [(key, value)] => visitor.visit_enum(Variant {
                    key,
                    value,
                    at: &self.at,
                    unknown: self.unknown,
                }),
                _ => Err(de::Error::invalid_value(Unexpected::Map, &visitor)),
            },
            _ => Err(de::Error::invalid_type(self.unexpected(), &visitor)),
        };
        self.locate(result)
    }

    /// A value no field takes: remembered as an unknown key.
    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        let mut unknown = self.unknown.borrow_mut();
        if unknown.is_none() && !matches!(self.at, At::Root) {
            *unknown = Some((self.at.pointer(), self.at.token()));
        }
        visitor.visit_unit()
    }

    // The type-directed methods call only the visitor method the expected
    // type can take, and refuse anything else: besides being strict (a
    // struct is an object, never an array), this keeps every derived
    // decoder's unused visitor methods out of the WebAssembly module.

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        let result = match self.value {
            Json::Bool(b) => visitor.visit_bool(*b),
            _ => Err(de::Error::invalid_type(self.unexpected(), &visitor)),
        };
        self.locate(result)
    }

    fn deserialize_u64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        let result = match self.value {
            Json::Number(Number::Unsigned(n)) => visitor.visit_u64(*n),
            Json::Number(Number::Negative(n)) => visitor.visit_i64(*n),
            Json::Number(Number::Float(f)) => visitor.visit_f64(*f),
            _ => Err(de::Error::invalid_type(self.unexpected(), &visitor)),
        };
        self.locate(result)
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        let result = match self.value {
            Json::String(s) => visitor.visit_borrowed_str(s),
            _ => Err(de::Error::invalid_type(self.unexpected(), &visitor)),
        };
        self.locate(result)
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        let result = match self.value {
            Json::Null => visitor.visit_unit(),
            _ => Err(de::Error::invalid_type(self.unexpected(), &visitor)),
        };
        self.locate(result)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        let result = match self.value {
            Json::Array(items) => visitor.visit_seq(Items {
                items: items.iter(),
                index: 0,
                at: &self.at,
                unknown: self.unknown,
            }),
            _ => Err(de::Error::invalid_type(self.unexpected(), &visitor)),
        };
        self.locate(result)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        let result = match self.value {
            Json::Object(entries) => visitor.visit_map(Entries {
                entries: entries.iter(),
                pending: None,
                at: &self.at,
                unknown: self.unknown,
            }),
            _ => Err(de::Error::invalid_type(self.unexpected(), &visitor)),
        };
        self.locate(result)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_map(visitor)
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_unit(visitor)
    }

    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_str(visitor)
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_str(visitor)
    }

    fn deserialize_char<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_str(visitor)
    }

    fn deserialize_i8<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_u64(visitor)
    }

    fn deserialize_i16<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_u64(visitor)
    }

    fn deserialize_i32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_u64(visitor)
    }

    fn deserialize_i64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_u64(visitor)
    }

    fn deserialize_u8<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_u64(visitor)
    }

    fn deserialize_u16<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_u64(visitor)
    }

    fn deserialize_u32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_u64(visitor)
    }

    fn deserialize_f32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_u64(visitor)
    }

    fn deserialize_f64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_u64(visitor)
    }

    serde::forward_to_deserialize_any! {
        i128 u128 bytes byte_buf
    }
}

/// The items of an array.
struct Items<'de, 'p> {
    items: std::slice::Iter<'de, Json>,
    index: usize,
    at: &'p At<'p>,
    unknown: &'p RefCell<Option<(String, String)>>,
}

impl<'de> SeqAccess<'de> for Items<'de, '_> {
    type Error = Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Error> {
        let Some(value) = self.items.next() else {
            return Ok(None);
        };
        let index = self.index;
        self.index += 1;
        seed.deserialize(Node {
            value,
            at: At::Index(self.at, index),
            unknown: self.unknown,
        })
        .map(Some)
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.items.len())
    }
}

/// The entries of an object.
struct Entries<'de, 'p> {
    entries: std::slice::Iter<'de, (String, Json)>,
    pending: Option<&'de (String, Json)>,
    at: &'p At<'p>,
    unknown: &'p RefCell<Option<(String, String)>>,
}

impl<'de> MapAccess<'de> for Entries<'de, '_> {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Error> {
        let Some(entry) = self.entries.next() else {
            return Ok(None);
        };
        self.pending = Some(entry);
        let key: &'de str = &entry.0;
        // A key the type refuses (an unknown field or variant) is reported
        // at the key's own pointer.
        seed.deserialize(BorrowedStrDeserializer::<Error>::new(key))
            .map(Some)
            .map_err(|e| e.at(&At::Key(self.at, key)))
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Error> {
        let Some((key, value)) = self.pending.take() else {
            return Err(de::Error::custom("a value was read before its key"));
        };
        seed.deserialize(Node {
            value,
            at: At::Key(self.at, key),
            unknown: self.unknown,
        })
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.entries.len())
    }
}

/// The one entry of an object that holds an enum variant.
struct Variant<'de, 'p> {
    key: &'de str,
    value: &'de Json,
    at: &'p At<'p>,
    unknown: &'p RefCell<Option<(String, String)>>,
}

impl<'de: 'p, 'p> EnumAccess<'de> for Variant<'de, 'p> {
    type Error = Error;
    type Variant = Node<'de, 'p>;

    fn variant_seed<S: DeserializeSeed<'de>>(
        self,
        seed: S,
    ) -> Result<(S::Value, Self::Variant), Error> {
        let variant = seed.deserialize(self.key.into_deserializer())?;
        Ok((
            variant,
            Node {
                value: self.value,
                at: At::Key(self.at, self.key),
                unknown: self.unknown,
            },
        ))
    }
}

impl<'de> VariantAccess<'de> for Node<'de, '_> {
    type Error = Error;

    fn unit_variant(self) -> Result<(), Error> {
        Deserialize::deserialize(self)
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value, Error> {
        seed.deserialize(self)
    }

    fn tuple_variant<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_any(visitor)
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_any(visitor)
    }
}

/// Collects any deserializer's data into a tree, nesting at most
/// [`json::MAX_JSON_DEPTH`] deep.
struct TreeSeed {
    depth: usize,
}

impl<'de> DeserializeSeed<'de> for TreeSeed {
    type Value = Json;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Json, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl TreeSeed {
    fn inner<E: de::Error>(&self) -> Result<TreeSeed, E> {
        if self.depth >= json::MAX_JSON_DEPTH {
            return Err(E::custom(format!(
                "recursion limit exceeded: arrays and objects nest at most {} deep",
                json::MAX_JSON_DEPTH
            )));
        }
        Ok(TreeSeed {
            depth: self.depth + 1,
        })
    }
}

impl<'de> Visitor<'de> for TreeSeed {
    type Value = Json;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_unit<E: de::Error>(self) -> Result<Json, E> {
        Ok(Json::Null)
    }

    fn visit_none<E: de::Error>(self) -> Result<Json, E> {
        Ok(Json::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Json, D::Error> {
        d.deserialize_any(self)
    }

    fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<Json, D::Error> {
        d.deserialize_any(self)
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Json, E> {
        Ok(Json::Bool(v))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Json, E> {
        Ok(Json::Number(Number::Unsigned(v)))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Json, E> {
        Ok(Json::Number(match u64::try_from(v) {
            Ok(n) => Number::Unsigned(n),
            Err(_) => Number::Negative(v),
        }))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Json, E> {
        if v.is_finite() {
            Ok(Json::Number(Number::Float(v)))
        } else {
            Err(E::invalid_value(Unexpected::Float(v), &"a finite number"))
        }
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Json, E> {
        Ok(Json::String(v.to_owned()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Json, E> {
        Ok(Json::String(v))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Json, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(self.inner()?)? {
            items.push(item);
        }
        Ok(Json::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Json, A::Error> {
        let mut entries = Vec::new();
        while let Some(key) = map.next_key::<String>()? {
            let value = map.next_value_seed(self.inner()?)?;
            entries.push((key, value));
        }
        Ok(Json::Object(entries))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(rename_all = "camelCase")]
    struct Outer {
        name: String,
        #[serde(default)]
        items: Vec<Inner>,
        #[serde(default)]
        kind: Option<Kind>,
    }

    #[derive(Debug, Deserialize, PartialEq)]
    struct Inner {
        size: u32,
    }

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(rename_all = "snake_case")]
    enum Kind {
        Plain,
        Sized(u32),
        Nested(Box<Kind>),
    }

    fn invalid(text: &str) -> (String, String) {
        match decode_json::<Outer>(text) {
            Err(DecodeError::Invalid { path, message }) => (path, message),
            other => panic!("{text}: {other:?}"),
        }
    }

    #[test]
    fn reads_structs_lists_and_enums() {
        let doc: Outer = decode_json(
            r#"{"name":"a","items":[{"size":1},{"size":2}],"kind":{"nested":{"sized":3}}}"#,
        )
        .unwrap();
        assert_eq!(doc.items, vec![Inner { size: 1 }, Inner { size: 2 }]);
        assert_eq!(doc.kind, Some(Kind::Nested(Box::new(Kind::Sized(3)))));
        let plain: Outer = decode_json(r#"{"name":"a","kind":"plain"}"#).unwrap();
        assert_eq!(plain.kind, Some(Kind::Plain));
    }

    #[test]
    fn problems_carry_the_innermost_pointer() {
        let (path, message) = invalid(r#"{"name":"a","items":[{"size":1},{"size":-2}]}"#);
        assert_eq!(path, "/items/1/size");
        assert!(
            message.contains("expected a whole number from 0"),
            "{message}"
        );
        assert_eq!(invalid(r#"{"items":[]}"#).0, "");
        assert_eq!(invalid(r#"{"name":"a","items":[{}]}"#).0, "/items/0");
        let (path, message) = invalid(r#"{"name":"a","kind":{"nested":{"sized":"x"}}}"#);
        assert_eq!(path, "/kind/nested/sized");
        assert!(
            message.starts_with("invalid type: string \"x\""),
            "{message}"
        );
        let (path, message) = invalid(r#"{"name":"a","kind":{"plain":null,"sized":1}}"#);
        assert_eq!(path, "/kind");
        assert!(message.starts_with("invalid value: map"), "{message}");
        let (path, message) = invalid(r#"{"name":"a","kind":"huge"}"#);
        assert_eq!(path, "/kind");
        assert!(message.starts_with("unknown variant `huge`"), "{message}");
    }

    #[test]
    fn the_first_unknown_key_is_an_error() {
        match decode_json::<Outer>(r#"{"name":"a","items":[{"size":1,"colour/x":2}],"extra":1}"#) {
            Err(DecodeError::UnknownKey { path, key }) => {
                assert_eq!(path, "/items/0/colour~1x");
                assert_eq!(key, "colour/x");
            }
            other => panic!("{other:?}"),
        }
        // A wrong value outranks an unknown key: it is the harder failure.
        assert_eq!(invalid(r#"{"extra":1,"name":5}"#).0, "/name");
    }

    #[test]
    fn other_deserializers_read_the_same() {
        let value = serde_json::json!({"name": "a", "items": [{"size": "9"}]});
        match decode::<Outer, _>(value) {
            Err(DecodeError::Invalid { path, .. }) => assert_eq!(path, "/items/0/size"),
            other => panic!("{other:?}"),
        }
        let mut deep = serde_json::json!(1);
        for _ in 0..json::MAX_JSON_DEPTH + 1 {
            deep = serde_json::json!([deep]);
        }
        match decode::<Outer, _>(deep) {
            Err(DecodeError::Invalid { message, .. }) => {
                assert!(message.contains("recursion limit"), "{message}")
            }
            other => panic!("{other:?}"),
        }
    }
}
