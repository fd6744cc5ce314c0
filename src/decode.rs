//! Turning JSON-shaped input into typed documents, with a JSON pointer for
//! every problem. One mechanism serves rulesets, contexts and requests,
//! natively and in wasm: text is parsed into a [`Json`] tree
//! (`crate::json`), and each type reads the tree through [`FromJson`], a few
//! lines per type over [`Value`], which knows where it is. Input from a serde
//! `Deserializer` is first collected into a tree, then read the same way;
//! that is also how the public input types implement `Deserialize`.
//!
//! Invariants: a value's problem is reported at the pointer of the innermost
//! value that failed; a key the target type does not define is an error (the
//! first such key, after the rest decoded), never silently dropped; a key
//! given twice is an error; a pointer is only built for an error.

use crate::error::clip;
use crate::json::{self, Json, Number, ParseError};
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::BTreeMap;
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

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DecodeError::Syntax(message) => f.write_str(message),
            DecodeError::UnknownKey { path, key } => write!(f, "unknown key `{key}` at `{path}`"),
            DecodeError::Invalid { path, message } if path.is_empty() => f.write_str(message),
            DecodeError::Invalid { path, message } => write!(f, "{message} at `{path}`"),
        }
    }
}

pub(crate) use crate::json::push_token;

/// A type read from a JSON tree.
pub(crate) trait FromJson: Sized {
    /// Reads the value, or says what is wrong with it (at its pointer).
    fn from_json(value: &Value<'_, '_>) -> Result<Self, Invalid>;
}

/// A value of the wrong type or shape, at a pointer.
#[derive(Debug)]
pub(crate) struct Invalid {
    path: String,
    message: String,
}

/// A query's structured input that could not be decoded: its shape
/// problems keep their pointers; text that is not JSON is an invalid value
/// at the root.
impl From<DecodeError> for crate::error::QueryError {
    fn from(e: DecodeError) -> Self {
        use crate::error::QueryError;
        match e {
            DecodeError::Syntax(message) => QueryError::InvalidValue {
                path: String::new(),
                message,
            },
            DecodeError::UnknownKey { path, key } => QueryError::UnknownKey { path, key },
            DecodeError::Invalid { path, message } => QueryError::InvalidValue { path, message },
        }
    }
}

/// Decodes `T` from JSON text, telling syntax errors apart from shape errors.
pub(crate) fn decode_json<T: FromJson>(text: &str) -> Result<T, DecodeError> {
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

/// Decodes `T` from any self-describing deserializer: its data is collected
/// into a tree first (nesting limited as for text), then read like parsed
/// text.
pub(crate) fn decode<'de, T, D>(deserializer: D) -> Result<T, DecodeError>
where
    T: FromJson,
    D: Deserializer<'de>,
    D::Error: fmt::Display,
{
    let tree = TreeSeed { depth: 0 }
        .deserialize(deserializer)
        .map_err(|e| DecodeError::Invalid {
            path: String::new(),
            message: e.to_string(),
        })?;
    decode_tree(&tree)
}

/// `Deserialize` for a public input type, by the same rules as its JSON
/// text (the error's message names the pointer).
pub(crate) fn deserialize<'de, T: FromJson, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<T, D::Error> {
    let tree = TreeSeed { depth: 0 }.deserialize(deserializer)?;
    decode_tree(&tree).map_err(de::Error::custom)
}

/// Implements serde's `Deserialize` through [`FromJson`] (see
/// [`deserialize`]).
macro_rules! deserialize_from_json {
    ($($t:ty),* $(,)?) => {$(
        impl<'de> serde::Deserialize<'de> for $t {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                crate::decode::deserialize(d)
            }
        }
    )*};
}
pub(crate) use deserialize_from_json;

/// Decodes `T` from a parsed tree.
fn decode_tree<T: FromJson>(tree: &Json<'_>) -> Result<T, DecodeError> {
    decode_tree_at(tree, Pointer::Root)
}

/// Decodes `T` from a part of a parsed tree that sits at `at` (for the
/// pointers of its errors).
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
pub(crate) fn decode_tree_at<T: FromJson>(
    tree: &Json<'_>,
    at: Pointer<'_>,
) -> Result<T, DecodeError> {
    let unknown = RefCell::new(None);
    let root = Value {
        json: tree,
        at,
        unknown: &unknown,
    };
    match T::from_json(&root) {
        Ok(value) => match unknown.into_inner() {
            Some((path, key)) => Err(DecodeError::UnknownKey { path, key }),
            None => Ok(value),
        },
        Err(Invalid { path, message }) => Err(DecodeError::Invalid { path, message }),
    }
}

/// A JSON pointer under construction: where a value sits, as a chain of
/// keys and indices up to the root on the stack of the caller (no
/// allocation). It is written out only when an error needs it.
#[derive(Clone, Copy)]
pub(crate) enum Pointer<'p> {
    /// The whole document (the empty pointer).
    Root,
    Key(&'p Pointer<'p>, &'p str),
    Index(&'p Pointer<'p>, usize),
}

impl Pointer<'_> {
    /// The member `key` of this value.
    pub fn key<'a>(&'a self, key: &'a str) -> Pointer<'a> {
        Pointer::Key(self, key)
    }

    #[cfg(feature = "authoring")]
    /// Item `index` of this value.
    pub fn index(&self, index: usize) -> Pointer<'_> {
        Pointer::Index(self, index)
    }

    fn write(&self, out: &mut String) {
        match self {
            Pointer::Root => {}
            Pointer::Key(parent, key) => {
                parent.write(out);
                push_token(out, key);
            }
            Pointer::Index(parent, index) => {
                parent.write(out);
                push_token(out, &index.to_string());
            }
        }
    }

    /// The pointer as text, e.g. `/routes/3/requires`.
    pub fn render(&self) -> String {
        let mut out = String::new();
        self.write(&mut out);
        out
    }
}

/// One value of the tree and where it is.
#[derive(Clone, Copy)]
pub(crate) struct Value<'j, 'p> {
    json: &'j Json<'j>,
    at: Pointer<'p>,
    /// The first key that no type asked for, as (pointer, key).
    unknown: &'p RefCell<Option<(String, String)>>,
}

impl<'j, 'p> Value<'j, 'p> {
    /// The value itself.
    pub fn json(&self) -> &'j Json<'j> {
        self.json
    }

    /// A problem with this value.
    pub fn fail(&self, message: impl Into<String>) -> Invalid {
        Invalid {
            path: self.at.render(),
            message: message.into(),
        }
    }

    /// This value is not of the kind expected.
    pub fn wrong(&self, expected: &str) -> Invalid {
        self.fail(format!(
            "invalid type: {}, expected {expected}",
            describe(self.json)
        ))
    }

    fn key<'a>(&'a self, key: &'a str, json: &'j Json<'j>) -> Value<'j, 'a> {
        Value {
            json,
            at: Pointer::Key(&self.at, key),
            unknown: self.unknown,
        }
    }

    /// The text of a string.
    pub fn str(&self, expected: &str) -> Result<&'j str, Invalid> {
        match self.json {
            Json::String(s) => Ok(s),
            _ => Err(self.wrong(expected)),
        }
    }

    /// Reads each item of a list with `read`, in order. Not generic, so
    /// the walk exists once however many item types there are; `read` only
    /// keeps what it is given.
    pub fn items(
        &self,
        read: &mut dyn FnMut(&Value<'j, '_>) -> Result<(), Invalid>,
    ) -> Result<(), Invalid> {
        let Json::Array(items) = self.json else {
            return Err(self.wrong("a list"));
        };
        for (i, json) in items.iter().enumerate() {
            read(&Value {
                json,
                at: Pointer::Index(&self.at, i),
                unknown: self.unknown,
            })?;
        }
        Ok(())
    }

    /// A struct read from an object by `read`, which asks for its fields;
    /// then the keys nobody asked for are checked (see [`Fields::finish`]).
    /// Such an object has at most 64 keys (every struct has far fewer
    /// fields, so more keys are unknown or repeated anyway).
    pub fn fields<T>(
        &self,
        expected: &str,
        read: impl FnOnce(&mut Fields<'_, 'j, 'p>) -> Result<T, Invalid>,
    ) -> Result<T, Invalid> {
        let mut fields = self.object(expected)?;
        let value = read(&mut fields)?;
        fields.finish()?;
        Ok(value)
    }

    fn object(&self, expected: &str) -> Result<Fields<'_, 'j, 'p>, Invalid> {
        match self.json {
            Json::Object(entries) if entries.len() <= 64 => Ok(Fields {
                value: self,
                entries,
                used: 0,
            }),
            Json::Object(_) => Err(self.fail(format!("too many keys: {expected} has at most 64"))),
            _ => Err(self.wrong(expected)),
        }
    }
}

/// Reading the fields of one object ([`Value::fields`]): each asked for by
/// key, then [`Fields::finish`] to find keys that nobody asked for.
pub(crate) struct Fields<'v, 'j, 'p> {
    value: &'v Value<'j, 'p>,
    entries: &'j [(Cow<'j, str>, Json<'j>)],
    /// Bit `i`: entry `i` was read.
    used: u64,
}

impl<'j> Fields<'_, 'j, '_> {
    fn find(&mut self, key: &str) -> Option<(&'j str, &'j Json<'j>)> {
        let i = self.entries.iter().position(|(k, _)| k == key)?;
        self.used |= 1u64 << i;
        self.entries.get(i).map(|(k, json)| (k.as_ref(), json))
    }

    /// A field that must be there.
    pub fn req<T: FromJson>(&mut self, key: &str) -> Result<T, Invalid> {
        match self.find(key) {
            Some((k, json)) => T::from_json(&self.value.key(k, json)),
            None => Err(self.value.fail(format!("missing field `{key}`"))),
        }
    }

    /// A field that may be left out or `null`.
    pub fn opt<T: FromJson>(&mut self, key: &str) -> Result<Option<T>, Invalid> {
        match self.find(key) {
            None | Some((_, Json::Null)) => Ok(None),
            Some((k, json)) => T::from_json(&self.value.key(k, json)).map(Some),
        }
    }

    /// A field that takes `default` when left out.
    pub fn or<T: FromJson>(&mut self, key: &str, default: T) -> Result<T, Invalid> {
        match self.find(key) {
            Some((k, json)) => T::from_json(&self.value.key(k, json)),
            None => Ok(default),
        }
    }

    /// A field that takes its type's default when left out.
    pub fn or_default<T: FromJson + Default>(&mut self, key: &str) -> Result<T, Invalid> {
        self.or(key, T::default())
    }

    /// Checks the keys nobody asked for: a repeated key is an error now, the
    /// first unknown one is remembered (reported if nothing else fails).
    fn finish(self) -> Result<(), Invalid> {
        let used = |i: usize| self.used & (1u64 << i) != 0;
        for (i, (key, json)) in self.entries.iter().enumerate() {
            if used(i) {
                continue;
            }
            let at = self.value.key(key, json);
            let repeated = self
                .entries
                .iter()
                .enumerate()
                .any(|(j, (k, _))| used(j) && k == key);
            if repeated {
                return Err(at.fail(format!("duplicate key `{}`", clip(key))));
            }
            let mut unknown = self.value.unknown.borrow_mut();
            if unknown.is_none() {
                *unknown = Some((at.at.render(), key.to_string()));
            }
        }
        Ok(())
    }
}

/// How a value is named in a message.
fn describe(json: &Json<'_>) -> String {
    match json {
        Json::Null => "null".to_owned(),
        Json::Bool(b) => format!("boolean `{b}`"),
        Json::Number(Number::Unsigned(n)) => format!("integer `{n}`"),
        Json::Number(Number::Negative(n)) => format!("integer `{n}`"),
        Json::Number(Number::Float(_)) => "a number with a fraction or an exponent".to_owned(),
        Json::String(s) => format!("string `{}`", clip(s)),
        Json::Array(_) => "a list".to_owned(),
        Json::Object(_) => "an object".to_owned(),
    }
}

impl FromJson for String {
    fn from_json(value: &Value<'_, '_>) -> Result<Self, Invalid> {
        value.str("a string").map(str::to_owned)
    }
}

impl FromJson for bool {
    fn from_json(value: &Value<'_, '_>) -> Result<Self, Invalid> {
        match value.json {
            Json::Bool(b) => Ok(*b),
            _ => Err(value.wrong("a boolean")),
        }
    }
}

impl FromJson for u64 {
    fn from_json(value: &Value<'_, '_>) -> Result<Self, Invalid> {
        match value.json {
            Json::Number(Number::Unsigned(n)) => Ok(*n),
            _ => Err(value.wrong("a whole number from 0")),
        }
    }
}

impl FromJson for u32 {
    fn from_json(value: &Value<'_, '_>) -> Result<Self, Invalid> {
        let n = u64::from_json(value)?;
        u32::try_from(n).map_err(|_| {
            value.fail(format!(
                "invalid value: `{n}`, expected a whole number from 0 to {}",
                u32::MAX
            ))
        })
    }
}

impl FromJson for i64 {
    fn from_json(value: &Value<'_, '_>) -> Result<Self, Invalid> {
        match value.json {
            Json::Number(Number::Negative(n)) => Ok(*n),
            Json::Number(Number::Unsigned(n)) => i64::try_from(*n).map_err(|_| {
                value.fail(format!(
                    "invalid value: `{n}`, expected a whole number up to {}",
                    i64::MAX
                ))
            }),
            _ => Err(value.wrong("a whole number")),
        }
    }
}

impl<T: FromJson> FromJson for Vec<T> {
    fn from_json(value: &Value<'_, '_>) -> Result<Self, Invalid> {
        let mut out = Vec::new();
        value.items(&mut |item| {
            out.push(T::from_json(item)?);
            Ok(())
        })?;
        Ok(out)
    }
}

impl<T: FromJson> FromJson for Box<T> {
    fn from_json(value: &Value<'_, '_>) -> Result<Self, Invalid> {
        T::from_json(value).map(Box::new)
    }
}

/// An object read as a map: every key taken, none twice.
impl<T: FromJson> FromJson for BTreeMap<String, T> {
    fn from_json(value: &Value<'_, '_>) -> Result<Self, Invalid> {
        let Json::Object(entries) = value.json else {
            return Err(value.wrong("an object"));
        };
        let mut out = BTreeMap::new();
        for (key, json) in entries {
            let entry = value.key(key, json);
            if out.insert(key.to_string(), T::from_json(&entry)?).is_some() {
                return Err(entry.fail(format!("duplicate key `{}`", clip(key))));
            }
        }
        Ok(out)
    }
}

/// Any JSON, as serde_json's value (a later duplicate key wins, as there).
impl FromJson for serde_json::Value {
    fn from_json(value: &Value<'_, '_>) -> Result<Self, Invalid> {
        Ok(to_value(value.json))
    }
}

/// The tree as serde_json's value.
pub(crate) fn to_value(json: &Json<'_>) -> serde_json::Value {
    use serde_json::Value as V;
    match json {
        Json::Null => V::Null,
        Json::Bool(b) => V::Bool(*b),
        Json::Number(Number::Unsigned(n)) => V::from(*n),
        Json::Number(Number::Negative(n)) => V::from(*n),
        Json::Number(Number::Float(f)) => V::from(*f),
        Json::String(s) => V::String(s.to_string()),
        Json::Array(items) => V::Array(items.iter().map(to_value).collect()),
        Json::Object(entries) => {
            // Inserted one by one (a later duplicate wins): collecting would
            // bring a sort into the WebAssembly module.
            let mut map = serde_json::Map::new();
            for (k, v) in entries {
                map.insert(k.to_string(), to_value(v));
            }
            V::Object(map)
        }
    }
}

/// Collects any deserializer's data into a tree, nesting at most
/// [`json::MAX_JSON_DEPTH`] deep.
struct TreeSeed {
    depth: usize,
}

impl<'de> DeserializeSeed<'de> for TreeSeed {
    type Value = Json<'static>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Json<'static>, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl TreeSeed {
    fn inner<E: de::Error>(&self) -> Result<TreeSeed, E> {
        if self.depth >= json::MAX_JSON_DEPTH {
            // The reader's own message for text nested too deep.
            return Err(E::custom(ParseError::TooDeep {
                pointer: String::new(),
            }));
        }
        Ok(TreeSeed {
            depth: self.depth + 1,
        })
    }
}

impl<'de> Visitor<'de> for TreeSeed {
    type Value = Json<'static>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_unit<E: de::Error>(self) -> Result<Json<'static>, E> {
        Ok(Json::Null)
    }

    fn visit_none<E: de::Error>(self) -> Result<Json<'static>, E> {
        Ok(Json::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Json<'static>, D::Error> {
        d.deserialize_any(self)
    }

    fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<Json<'static>, D::Error> {
        d.deserialize_any(self)
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Json<'static>, E> {
        Ok(Json::Bool(v))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Json<'static>, E> {
        Ok(Json::Number(Number::Unsigned(v)))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Json<'static>, E> {
        Ok(Json::Number(match u64::try_from(v) {
            Ok(n) => Number::Unsigned(n),
            Err(_) => Number::Negative(v),
        }))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Json<'static>, E> {
        if v.is_finite() {
            Ok(Json::Number(Number::Float(v)))
        } else {
            Err(E::custom("invalid value: a number that is not finite"))
        }
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Json<'static>, E> {
        Ok(Json::String(Cow::Owned(v.to_owned())))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Json<'static>, E> {
        Ok(Json::String(Cow::Owned(v)))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Json<'static>, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(self.inner()?)? {
            items.push(item);
        }
        Ok(Json::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Json<'static>, A::Error> {
        let mut entries = Vec::new();
        while let Some(key) = map.next_key::<String>()? {
            let value = map.next_value_seed(self.inner()?)?;
            entries.push((Cow::Owned(key), value));
        }
        Ok(Json::Object(entries))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq)]
    struct Outer {
        name: String,
        items: Vec<Inner>,
        kind: Option<String>,
        count: u32,
    }

    #[derive(Debug, PartialEq)]
    struct Inner {
        size: u32,
    }

    impl FromJson for Outer {
        fn from_json(value: &Value<'_, '_>) -> Result<Self, Invalid> {
            value.fields("an outer object", |o| {
                Ok(Outer {
                    name: o.req("name")?,
                    items: o.or_default("items")?,
                    kind: o.opt("kind")?,
                    count: o.or("count", 7)?,
                })
            })
        }
    }

    impl FromJson for Inner {
        fn from_json(value: &Value<'_, '_>) -> Result<Self, Invalid> {
            value.fields("an inner object", |o| {
                Ok(Inner {
                    size: o.req("size")?,
                })
            })
        }
    }

    deserialize_from_json!(Outer);

    fn invalid(text: &str) -> (String, String) {
        match decode_json::<Outer>(text) {
            Err(DecodeError::Invalid { path, message }) => (path, message),
            other => panic!("{text}: {other:?}"),
        }
    }

    #[test]
    fn reads_structs_lists_options_defaults_and_enums() {
        let doc: Outer =
            decode_json(r#"{"name":"a","items":[{"size":1},{"size":2}],"kind":"nested"}"#).unwrap();
        assert_eq!(doc.items, vec![Inner { size: 1 }, Inner { size: 2 }]);
        assert_eq!(doc.kind.as_deref(), Some("nested"));
        assert_eq!(doc.count, 7);
        let plain: Outer = decode_json(r#"{"name":"a","kind":null,"count":0}"#).unwrap();
        assert_eq!((plain.kind, plain.count, plain.items), (None, 0, vec![]));
    }

    #[test]
    fn problems_carry_the_innermost_pointer() {
        let (path, message) = invalid(r#"{"name":"a","items":[{"size":1},{"size":-2}]}"#);
        assert_eq!(path, "/items/1/size");
        assert_eq!(
            message,
            "invalid type: integer `-2`, expected a whole number from 0"
        );
        let (path, message) = invalid(r#"{"items":[]}"#);
        assert_eq!(
            (path.as_str(), message.as_str()),
            ("", "missing field `name`")
        );
        assert_eq!(invalid(r#"{"name":"a","items":[{}]}"#).0, "/items/0");
        assert_eq!(invalid(r#"{"name":"a","items":null}"#).0, "/items");
        let (path, message) = invalid(r#"{"name":"a","kind":{"sized":1}}"#);
        assert_eq!(path, "/kind");
        assert!(message.starts_with("invalid type: an object"), "{message}");
        assert_eq!(invalid(r#"{"name":"a","count":4294967296}"#).0, "/count");
        assert_eq!(invalid(r#"{"name":"a","count":1.5}"#).0, "/count");
        assert_eq!(invalid(r#"[1]"#).0, "");
    }

    #[test]
    fn the_first_unknown_key_is_an_error_after_the_rest() {
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
    fn a_repeated_key_is_an_error() {
        let (path, message) = invalid(r#"{"name":"a","name":"b"}"#);
        assert_eq!(
            (path.as_str(), message.as_str()),
            ("/name", "duplicate key `name`")
        );
        let many = (0..65).map(|i| format!(r#""k{i}":1"#)).collect::<Vec<_>>();
        let (path, message) = invalid(&format!("{{{}}}", many.join(",")));
        assert_eq!(path, "");
        assert!(message.contains("at most 64"), "{message}");
        let map = decode_json::<BTreeMap<String, bool>>(r#"{"a":true,"a":false}"#);
        assert!(
            matches!(map, Err(DecodeError::Invalid { ref path, .. }) if path == "/a"),
            "{map:?}"
        );
    }

    #[test]
    fn other_deserializers_read_the_same() {
        let value = serde_json::json!({"name": "a", "items": [{"size": "9"}]});
        match decode::<Outer, _>(value.clone()) {
            Err(DecodeError::Invalid { path, .. }) => assert_eq!(path, "/items/0/size"),
            other => panic!("{other:?}"),
        }
        let message = serde_json::from_value::<Outer>(value)
            .unwrap_err()
            .to_string();
        assert!(message.ends_with("at `/items/0/size`"), "{message}");
        let fine: Outer = serde_json::from_str(r#"{"name":"b","kind":"sized"}"#).unwrap();
        assert_eq!(fine.kind.as_deref(), Some("sized"));
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

    #[test]
    fn any_json_reads_as_serde_json_value() {
        let text = r#"{"a":[1,-2,2.5,"x",null,true,{"b":{}}],"a":0}"#;
        let ours: serde_json::Value = decode_json(text).unwrap();
        let theirs: serde_json::Value = serde_json::from_str(text).unwrap();
        assert_eq!(ours, theirs);
    }
}
