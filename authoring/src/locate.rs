//! Where a JSON pointer points in a file: line and column (both from 1), so
//! an error names the place an editor jumps to.

use jsonc_parser::ast::{ObjectPropName, Value};
use jsonc_parser::common::Ranged;
use jsonc_parser::{parse_to_ast, CollectOptions, ParseOptions};

/// A place in a text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Position {
    /// Line, from 1.
    pub line: usize,
    /// Column in characters, from 1.
    pub column: usize,
}

/// The position of byte `offset` of `text`.
pub fn position(text: &str, offset: usize) -> Position {
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    Position { line, column }
}

/// Unescapes one JSON pointer token (`~1` is `/`, `~0` is `~`).
fn token(raw: &str) -> String {
    raw.replace("~1", "/").replace("~0", "~")
}

/// `text` as a JSON tree with positions (strict JSON: no comments, no
/// trailing commas, quoted keys); `None` when it is not JSON.
fn parse(text: &str) -> Option<Value<'_>> {
    let options = ParseOptions {
        allow_comments: false,
        allow_loose_object_property_names: false,
        allow_trailing_commas: false,
    };
    parse_to_ast(text, &CollectOptions::default(), &options)
        .ok()?
        .value
}

/// The position of what `pointer` names in `text` (a key's value, an
/// array's element); where the pointer goes past what exists (a missing
/// key), the deepest node it reaches. `None` when the text is not JSON.
pub fn locate(text: &str, pointer: &str) -> Option<Position> {
    let mut node = parse(text)?;
    let mut at = node.start();
    for raw in pointer.split('/').skip(1) {
        let key = token(raw);
        let next = match node {
            Value::Object(object) => object.properties.into_iter().find(|p| {
                let name = match &p.name {
                    ObjectPropName::String(s) => s.value.as_ref(),
                    ObjectPropName::Word(w) => w.value,
                };
                name == key
            }),
            Value::Array(array) => {
                let index: usize = match key.parse() {
                    Ok(i) => i,
                    Err(_) => break,
                };
                match array.elements.into_iter().nth(index) {
                    Some(element) => {
                        at = element.start();
                        node = element;
                        continue;
                    }
                    None => break,
                }
            }
            _ => break,
        };
        match next {
            Some(prop) => {
                // A key's problem is at the key; its value's, at the value.
                at = prop.value.start();
                node = prop.value;
            }
            None => break,
        }
    }
    Some(position(text, at))
}

/// The position of the key named by `pointer` (its last token), for errors
/// about a key itself (`unknown_key`).
pub fn locate_key(text: &str, pointer: &str) -> Option<Position> {
    let (parent, last) = pointer.rsplit_once('/')?;
    let mut node = parse(text)?;
    for raw in parent.split('/').skip(1) {
        let key = token(raw);
        node = match node {
            Value::Object(object) => object.properties.into_iter().find_map(|p| {
                let found = match &p.name {
                    ObjectPropName::String(s) => s.value == key,
                    ObjectPropName::Word(w) => w.value == key,
                };
                found.then_some(p.value)
            })?,
            Value::Array(array) => array.elements.into_iter().nth(key.parse().ok()?)?,
            _ => return None,
        };
    }
    let Value::Object(object) = node else {
        return None;
    };
    let key = token(last);
    let prop = object.properties.into_iter().find(|p| match &p.name {
        ObjectPropName::String(s) => s.value == key,
        ObjectPropName::Word(w) => w.value == key,
    })?;
    Some(position(text, prop.name.start()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "{\n  \"a\": [1, {\"b~/c\": true}],\n  \"d\": \"x\"\n}";

    #[test]
    fn a_pointer_finds_its_value() {
        assert_eq!(locate(TEXT, ""), Some(Position { line: 1, column: 1 }));
        assert_eq!(
            locate(TEXT, "/a/1/b~0~1c"),
            Some(Position {
                line: 2,
                column: 21
            })
        );
        assert_eq!(locate(TEXT, "/d"), Some(Position { line: 3, column: 8 }));
        assert_eq!(locate(TEXT, "/a/7"), Some(Position { line: 2, column: 8 }));
        assert_eq!(locate("{", "/a"), None);
    }

    #[test]
    fn a_key_is_found_at_its_name() {
        assert_eq!(
            locate_key(TEXT, "/d"),
            Some(Position { line: 3, column: 3 })
        );
        assert_eq!(
            locate_key(TEXT, "/a/1/b~0~1c"),
            Some(Position {
                line: 2,
                column: 13
            })
        );
    }
}
