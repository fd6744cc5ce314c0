//! A small JSON reader: text to a [`Json`] tree, with line and column in
//! syntax errors and a nesting limit that holds without recursion beyond it.
//!
//! It exists for size: each input type reads this tree through a few lines
//! of `FromJson` (`crate::decode`), which track JSON pointers themselves, so
//! the WebAssembly module carries no general-purpose parser, no derived
//! decoders and no path-tracking wrappers. Grammar: RFC 8259, no extensions
//! (no comments, no trailing commas, no NaN).

use std::borrow::Cow;
use std::fmt;

/// Deepest nesting of arrays and objects accepted in any JSON input (a
/// ruleset, a context, a request): 127, exactly what serde_json reads by
/// default, which decoded these inputs before, so no document changed
/// meaning.
pub const MAX_JSON_DEPTH: usize = 127;

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

/// A parsed JSON value. Objects keep their keys in document order,
/// duplicates included, so the typed decoder sees exactly what was written.
/// Strings and keys without escapes borrow the text (`'t`): reading a
/// ruleset allocates a string only where a type keeps one.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Json<'t> {
    Null,
    Bool(bool),
    Number(Number),
    String(Cow<'t, str>),
    Array(Vec<Json<'t>>),
    Object(Vec<(Cow<'t, str>, Json<'t>)>),
}

/// A JSON number: integers exactly when they fit 64 bits, else a float.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Number {
    /// A non-negative integer.
    Unsigned(u64),
    /// A negative integer.
    Negative(i64),
    /// Anything else (a fraction, an exponent, or an integer beyond 64 bits).
    Float(f64),
}

/// Why text is not a JSON document.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum ParseError {
    /// Malformed text; the message ends with the line and column.
    Syntax(String),
    /// Nested deeper than [`MAX_JSON_DEPTH`]; the pointer is of the value that
    /// would have been one level too deep.
    TooDeep { pointer: String },
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ParseError::Syntax(message) => f.write_str(message),
            ParseError::TooDeep { .. } => write!(
                f,
                "recursion limit exceeded: arrays and objects nest at most {MAX_JSON_DEPTH} deep"
            ),
        }
    }
}

/// Parses one JSON document (surrounding whitespace allowed).
pub(crate) fn parse(text: &str) -> Result<Json<'_>, ParseError> {
    let mut parser = Parser { text, pos: 0 };
    parser.whitespace();
    let value = parser.value(0).map_err(|e| e.finish())?;
    parser.whitespace();
    if parser.pos < text.len() {
        return Err(parser.syntax("trailing characters").finish());
    }
    Ok(value)
}

/// An error on its way out: pointer tokens gather innermost first.
enum Failure {
    Syntax(String),
    TooDeep(Vec<String>),
}

impl Failure {
    fn inside(mut self, token: impl FnOnce() -> String) -> Failure {
        if let Failure::TooDeep(tokens) = &mut self {
            tokens.push(token());
        }
        self
    }

    fn finish(self) -> ParseError {
        match self {
            Failure::Syntax(message) => ParseError::Syntax(message),
            Failure::TooDeep(tokens) => {
                let mut pointer = String::new();
                for token in tokens.iter().rev() {
                    push_token(&mut pointer, token);
                }
                ParseError::TooDeep { pointer }
            }
        }
    }
}

struct Parser<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> Parser<'a> {
    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.pos).copied()
    }

    fn whitespace(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.pos += 1;
        }
    }

    /// A syntax error at the current position, as `what at line L column C`.
    fn syntax(&self, what: &str) -> Failure {
        let before = self.text.get(..self.pos).unwrap_or(self.text);
        let line = before.matches('\n').count() + 1;
        let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        Failure::Syntax(format!("{what} at line {line} column {column}"))
    }

    fn expect(&mut self, byte: u8, what: &str) -> Result<(), Failure> {
        if self.peek() == Some(byte) {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.syntax(what))
        }
    }

    fn value(&mut self, depth: usize) -> Result<Json<'a>, Failure> {
        match self.peek() {
            None => Err(self.syntax("EOF while parsing a value")),
            Some(b'{' | b'[') if depth >= MAX_JSON_DEPTH => Err(Failure::TooDeep(Vec::new())),
            Some(b'{') => self.object(depth + 1),
            Some(b'[') => self.array(depth + 1),
            Some(b'"') => self.string().map(Json::String),
            Some(b't') => self.literal("true", Json::Bool(true)),
            Some(b'f') => self.literal("false", Json::Bool(false)),
            Some(b'n') => self.literal("null", Json::Null),
            Some(b'-' | b'0'..=b'9') => self.number().map(Json::Number),
            Some(_) => Err(self.syntax("expected value")),
        }
    }

    fn literal(&mut self, word: &str, value: Json<'a>) -> Result<Json<'a>, Failure> {
        match self.text.get(self.pos..) {
            Some(rest) if rest.starts_with(word) => {
                self.pos += word.len();
                Ok(value)
            }
            _ => Err(self.syntax("expected value")),
        }
    }

    fn array(&mut self, depth: usize) -> Result<Json<'a>, Failure> {
        self.pos += 1;
        let mut items = Vec::new();
        self.whitespace();
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Ok(Json::Array(items));
        }
        loop {
            self.whitespace();
            let index = items.len();
            let item = self
                .value(depth)
                .map_err(|e| e.inside(|| index.to_string()))?;
            items.push(item);
            self.whitespace();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    return Ok(Json::Array(items));
                }
                None => return Err(self.syntax("EOF while parsing a list")),
                Some(_) => return Err(self.syntax("expected `,` or `]`")),
            }
        }
    }

    fn object(&mut self, depth: usize) -> Result<Json<'a>, Failure> {
        self.pos += 1;
        let mut entries = Vec::new();
        self.whitespace();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Ok(Json::Object(entries));
        }
        loop {
            self.whitespace();
            match self.peek() {
                Some(b'"') => {}
                None => return Err(self.syntax("EOF while parsing an object")),
                Some(_) => return Err(self.syntax("key must be a string")),
            }
            let key = self.string()?;
            self.whitespace();
            self.expect(b':', "expected `:`")?;
            self.whitespace();
            let value = match self.value(depth) {
                Ok(value) => value,
                Err(e) => return Err(e.inside(|| key.into_owned())),
            };
            entries.push((key, value));
            self.whitespace();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(Json::Object(entries));
                }
                None => return Err(self.syntax("EOF while parsing an object")),
                Some(_) => return Err(self.syntax("expected `,` or `}`")),
            }
        }
    }

    /// A string; the cursor is on its opening quote. Borrowed from the
    /// text unless it has escapes.
    fn string(&mut self) -> Result<Cow<'a, str>, Failure> {
        self.pos += 1;
        let text = self.text;
        let rest = text.get(self.pos..).unwrap_or("");
        let run = rest
            .bytes()
            .position(|b| b == b'"' || b == b'\\' || b < 0x20)
            .unwrap_or(rest.len());
        if rest.as_bytes().get(run) == Some(&b'"') {
            self.pos += run + 1;
            return Ok(Cow::Borrowed(rest.get(..run).unwrap_or("")));
        }
        let mut out = String::new();
        loop {
            // Copy the run up to the next quote, backslash or control
            // character in one go: those are ASCII, so the run is whole UTF-8.
            let rest = self.text.get(self.pos..).unwrap_or("");
            let run = rest
                .bytes()
                .position(|b| b == b'"' || b == b'\\' || b < 0x20)
                .unwrap_or(rest.len());
            out.push_str(rest.get(..run).unwrap_or(""));
            self.pos += run;
            match self.peek() {
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(Cow::Owned(out));
                }
                Some(b'\\') => {
                    self.pos += 1;
                    let c = self.escape()?;
                    out.push(c);
                }
                Some(_) => return Err(self.syntax("control character in a string")),
                None => return Err(self.syntax("EOF while parsing a string")),
            }
        }
    }

    /// The character of an escape; the cursor is after the backslash.
    fn escape(&mut self) -> Result<char, Failure> {
        let Some(byte) = self.peek() else {
            return Err(self.syntax("EOF while parsing a string"));
        };
        self.pos += 1;
        Ok(match byte {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => {
                let first = self.hex4()?;
                let code = match first {
                    0xD800..=0xDBFF => {
                        if self
                            .text
                            .get(self.pos..)
                            .is_some_and(|r| r.starts_with("\\u"))
                        {
                            self.pos += 2;
                        } else {
                            return Err(self.syntax("lone leading surrogate in hex escape"));
                        }
                        let second = self.hex4()?;
                        if !(0xDC00..=0xDFFF).contains(&second) {
                            return Err(self.syntax("lone leading surrogate in hex escape"));
                        }
                        0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
                    }
                    0xDC00..=0xDFFF => {
                        return Err(self.syntax("lone trailing surrogate in hex escape"))
                    }
                    code => code,
                };
                match char::from_u32(code) {
                    Some(c) => c,
                    None => return Err(self.syntax("invalid unicode code point")),
                }
            }
            _ => {
                self.pos -= 1;
                return Err(self.syntax("invalid escape"));
            }
        })
    }

    fn hex4(&mut self) -> Result<u32, Failure> {
        let digits = self.text.get(self.pos..self.pos + 4);
        match digits.and_then(|d| {
            d.bytes()
                .all(|b| b.is_ascii_hexdigit())
                .then(|| u32::from_str_radix(d, 16).ok())
                .flatten()
        }) {
            Some(code) => {
                self.pos += 4;
                Ok(code)
            }
            None => Err(self.syntax("invalid escape")),
        }
    }

    fn digits(&mut self) -> usize {
        let start = self.pos;
        while let Some(b'0'..=b'9') = self.peek() {
            self.pos += 1;
        }
        self.pos - start
    }

    fn number(&mut self) -> Result<Number, Failure> {
        let start = self.pos;
        let negative = self.peek() == Some(b'-');
        if negative {
            self.pos += 1;
        }
        match self.peek() {
            Some(b'0') => self.pos += 1,
            Some(b'1'..=b'9') => {
                self.digits();
            }
            _ => return Err(self.syntax("invalid number")),
        }
        let mut integer = true;
        if self.peek() == Some(b'.') {
            self.pos += 1;
            integer = false;
            if self.digits() == 0 {
                return Err(self.syntax("invalid number"));
            }
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.pos += 1;
            integer = false;
            if let Some(b'+' | b'-') = self.peek() {
                self.pos += 1;
            }
            if self.digits() == 0 {
                return Err(self.syntax("invalid number"));
            }
        }
        let text = self.text.get(start..self.pos).unwrap_or("");
        if integer {
            let exact = if negative {
                text.parse::<i64>().ok().map(Number::Negative)
            } else {
                text.parse::<u64>().ok().map(Number::Unsigned)
            };
            match exact {
                // `-0` is the float negative zero, as serde_json reads it.
                Some(Number::Negative(0)) => return Ok(Number::Float(-0.0)),
                Some(n) => return Ok(n),
                None => {}
            }
        }
        // The correctly rounded value; infinite when out of range.
        match crate::decimal::parse(text) {
            Some(f) if f.is_finite() => Ok(Number::Float(f)),
            _ => {
                self.pos = start;
                Err(self.syntax("number out of range"))
            }
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    fn syntax(text: &str) -> String {
        match parse(text) {
            Err(ParseError::Syntax(message)) => message,
            other => panic!("{text:?}: {other:?}"),
        }
    }

    #[test]
    fn values() {
        assert_eq!(parse(" null ").unwrap(), Json::Null);
        assert_eq!(parse("true").unwrap(), Json::Bool(true));
        assert_eq!(
            parse("[0, -1, 18446744073709551615, 18446744073709551616, 1.5e2, -0]").unwrap(),
            Json::Array(vec![
                Json::Number(Number::Unsigned(0)),
                Json::Number(Number::Negative(-1)),
                Json::Number(Number::Unsigned(u64::MAX)),
                Json::Number(Number::Float(18446744073709551616.0)),
                Json::Number(Number::Float(150.0)),
                Json::Number(Number::Float(-0.0)),
            ])
        );
        assert_eq!(
            parse(r#"{"a":{"b":[]},"a":"\u00e9\ud83d\ude00\n\"/\\"}"#).unwrap(),
            Json::Object(vec![
                (
                    "a".into(),
                    Json::Object(vec![("b".into(), Json::Array(vec![]))])
                ),
                ("a".into(), Json::String("é😀\n\"/\\".into())),
            ])
        );
    }

    #[test]
    fn malformed_text_says_where() {
        assert_eq!(syntax(""), "EOF while parsing a value at line 1 column 1");
        assert_eq!(
            syntax("{\"a\":1,}"),
            "key must be a string at line 1 column 8"
        );
        assert_eq!(syntax("[1\n 2]"), "expected `,` or `]` at line 2 column 2");
        assert_eq!(syntax("{} x"), "trailing characters at line 1 column 4");
        for bad in [
            "01",
            "1.",
            "-",
            "1e",
            "+1",
            ".5",
            "NaN",
            "tru",
            "'a'",
            "[1,]",
            "{\"a\" 1}",
            "\"a",
            "\"\\x\"",
            "\"\\ud800\"",
            "\"\\udc00\"",
            "\"\\u12\"",
            "\"a\tb\"",
            "1e400",
        ] {
            assert!(parse(bad).is_err(), "{bad:?}");
        }
    }

    /// Differential tests against serde_json (proptest is a native-only
    /// dev-dependency).
    #[cfg(not(target_arch = "wasm32"))]
    pub(crate) mod differential {
        use super::*;
        use proptest::prelude::*;

        use crate::decode::to_value;

        /// Any JSON value; with `floats`, numbers with fractions too.
        pub(crate) fn json_values(floats: bool) -> impl Strategy<Value = serde_json::Value> {
            use serde_json::Value;
            let float = any::<f64>()
                .prop_filter("finite", |f| f.is_finite())
                .prop_map(move |f| if floats { Value::from(f) } else { Value::Null });
            let leaf = prop_oneof![
                Just(Value::Null),
                any::<bool>().prop_map(Value::Bool),
                any::<u64>().prop_map(Value::from),
                any::<i64>().prop_map(Value::from),
                float,
                any::<String>().prop_map(Value::String),
            ];
            leaf.prop_recursive(4, 64, 8, |inner| {
                prop_oneof![
                    prop::collection::vec(inner.clone(), 0..8).prop_map(Value::Array),
                    prop::collection::btree_map(any::<String>(), inner, 0..8)
                        .prop_map(|m| Value::Object(m.into_iter().collect())),
                ]
            })
        }

        /// Text made of JSON's own characters, mostly malformed.
        fn texts() -> impl Strategy<Value = String> {
            prop::collection::vec(
                prop_oneof![
                    prop::sample::select(vec![
                        "{", "}", "[", "]", ",", ":", "\"", "\\", " ", "\n", "0", "1", "-", "+",
                        ".", "e", "E", "true", "false", "null", "tru", "\\u", "d83d", "de00",
                        "00e9", "\t", "a", "é", "\u{1}",
                    ])
                    .prop_map(str::to_owned),
                    any::<char>().prop_map(String::from),
                ],
                0..24,
            )
            .prop_map(|parts| parts.concat())
        }

        proptest! {
            #![proptest_config(ProptestConfig { cases: 2048, ..ProptestConfig::default() })]

            /// Whatever serde_json writes reads back as the same value.
            #[test]
            fn reads_what_serde_json_writes(value in json_values(true)) {
                let text = serde_json::to_string(&value).unwrap();
                prop_assert_eq!(to_value(&parse(&text).unwrap()), value.clone());
                let pretty = serde_json::to_string_pretty(&value).unwrap();
                prop_assert_eq!(to_value(&parse(&pretty).unwrap()), value);
            }

            /// Accepts exactly what serde_json accepts, and reads the same value.
            #[test]
            fn accepts_what_serde_json_accepts(text in texts()) {
                let ours = parse(&text);
                let theirs = serde_json::from_str::<serde_json::Value>(&text);
                prop_assert_eq!(ours.is_ok(), theirs.is_ok(), "{:?}: {:?} / {:?}", text, ours, theirs);
                if let (Ok(ours), Ok(theirs)) = (ours, theirs) {
                    prop_assert_eq!(to_value(&ours), theirs);
                }
            }
        }

        /// Known edges, checked on every run (the properties above draw
        /// new cases each time; `-0` was found by one of them in CI).
        #[test]
        fn agrees_on_edge_cases() {
            for text in [
                "-0",
                "-0.0",
                "0e0",
                "1E+2",
                "1e-400",
                "18446744073709551615",
                "18446744073709551616",
                "-9223372036854775808",
                "-9223372036854775809",
                "\"\\u0000\"",
                "\"\\ud83d\\ude00\"",
                "\"\\udc00\"",
                "\"\\ud83d\"",
                "[]",
                "{}",
                " 1 ",
                "1 2",
                "{\"a\":1,\"a\":2}",
                "[1,]",
                "01",
                "\u{feff}1",
            ] {
                let ours = parse(text).map(|v| to_value(&v)).ok();
                let theirs = serde_json::from_str::<serde_json::Value>(text).ok();
                assert_eq!(ours, theirs, "{text:?}");
                if let (Some(serde_json::Value::Number(a)), Some(serde_json::Value::Number(b))) =
                    (&ours, &theirs)
                {
                    // -0.0 == 0.0: compare the sign too.
                    assert_eq!(a.to_string(), b.to_string(), "{text:?}");
                }
            }
        }

        #[test]
        fn nests_as_deep_as_serde_json() {
            for depth in [MAX_JSON_DEPTH - 1, MAX_JSON_DEPTH, MAX_JSON_DEPTH + 1] {
                let text = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
                let theirs = serde_json::from_str::<serde_json::Value>(&text).is_ok();
                assert_eq!(parse(&text).is_ok(), theirs, "depth {depth}");
            }
        }
    }

    #[test]
    fn nesting_is_limited_with_a_pointer() {
        let ok = format!(
            "{}{}",
            "[".repeat(MAX_JSON_DEPTH),
            "]".repeat(MAX_JSON_DEPTH)
        );
        assert!(parse(&ok).is_ok());
        let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        let Err(ParseError::TooDeep { pointer }) = parse(&deep) else {
            panic!("deep nesting must be refused");
        };
        assert_eq!(pointer, "/0".repeat(MAX_JSON_DEPTH));
        let keyed = format!("{}1{}", "{\"a/b\":".repeat(200), "}".repeat(200));
        let Err(ParseError::TooDeep { pointer }) = parse(&keyed) else {
            panic!("deep nesting must be refused");
        };
        assert_eq!(pointer, "/a~1b".repeat(MAX_JSON_DEPTH));
    }
}
