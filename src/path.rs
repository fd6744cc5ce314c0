//! Paths: route patterns, normalization of untrusted paths, and matching.
//!
//! Normalization (SPEC 8) decides what every spelling means before anything is
//! matched, so that no spelling of a hidden page can reach `allow`:
//!
//! 1. Everything from the first `?` or `#` on is dropped.
//! 2. Percent-escapes are decoded once; an invalid escape makes the path
//!    unmatchable. Decoded `/` (`%2F`) and `\` separate segments like `/`,
//!    and a decoded `.` or `..` segment is a dot segment like the plain one.
//! 3. A backslash is a slash. Empty segments (duplicate, leading or trailing
//!    slashes) and `.` are dropped; `..` removes the previous segment (never
//!    above the root).
//! 4. A path that contains control characters or is not valid UTF-8 after
//!    decoding, or that is ever deeper than [`MAX_SEGMENTS`], matches nothing.
//! 5. Literal segments match ASCII case-insensitively.
//!
//! A path that needs no decoding is not copied: segments are slices of the
//! input. Only a path with escapes or backslashes is decoded, into one copy.

use std::borrow::Cow;

/// The longest path accepted, in bytes, before decoding.
pub const MAX_PATH_BYTES: usize = 2048;
/// The deepest path (in segments) that normalization keeps track of.
pub const MAX_SEGMENTS: usize = 32;

/// One segment of a pattern.
#[derive(Debug, Clone, PartialEq, Eq, crate::wire::Decode)]
#[cfg_attr(feature = "authoring", derive(serde::Serialize))]
pub(crate) enum Seg {
    /// A literal, stored lowercase.
    Lit(String),
    /// A named parameter; `slug` is the workspace.
    Param(String),
}

/// A parsed pattern such as `/workspace/{slug}/contacts/{id}`.
#[derive(Debug, Clone, PartialEq, Eq, Default, crate::wire::Decode)]
#[cfg_attr(feature = "authoring", derive(serde::Serialize))]
pub(crate) struct Pattern {
    pub segs: Vec<Seg>,
}

/// The parameter that names the workspace.
pub(crate) const SLUG: &str = "slug";

impl Pattern {
    #[cfg(feature = "authoring")]
    /// Parses a pattern: a leading `/`, then segments that are lowercase
    /// literals or `{name}` parameters, with no empty segments.
    pub fn parse(text: &str) -> Result<Pattern, &'static str> {
        let Some(rest) = text.strip_prefix('/') else {
            return Err("a pattern starts with `/`");
        };
        let mut segs = Vec::new();
        if rest.is_empty() {
            return Ok(Pattern { segs });
        }
        for part in rest.split('/') {
            if part.is_empty() {
                return Err("a pattern has no empty segments or trailing `/`");
            }
            if let Some(name) = part.strip_prefix('{').and_then(|p| p.strip_suffix('}')) {
                let mut chars = name.chars();
                let ok = chars.next().is_some_and(|c| c.is_ascii_lowercase())
                    && chars.all(|c| c.is_ascii_alphanumeric() || c == '_');
                if !ok {
                    return Err("a parameter is `{name}` with a lowercase name");
                }
                if segs.iter().any(|s| matches!(s, Seg::Param(p) if p == name)) {
                    return Err("a parameter name appears twice");
                }
                segs.push(Seg::Param(name.to_owned()));
            } else if part
                .bytes()
                .all(|b| matches!(b, b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.'))
                && part != "."
                && part != ".."
            {
                segs.push(Seg::Lit(part.to_owned()));
            } else {
                return Err("a literal segment is lowercase letters, digits, `-`, `_` and `.`");
            }
        }
        Ok(Pattern { segs })
    }

    #[cfg(feature = "authoring")]
    /// How many `{slug}` parameters the pattern has.
    pub fn slug_count(&self) -> usize {
        self.segs
            .iter()
            .filter(|s| matches!(s, Seg::Param(p) if p == SLUG))
            .count()
    }

    #[cfg(feature = "authoring")]
    /// Whether the only parameter is the workspace slug.
    pub fn only_slug(&self) -> bool {
        self.segs
            .iter()
            .all(|s| matches!(s, Seg::Lit(_)) || matches!(s, Seg::Param(p) if p == SLUG))
    }

    #[cfg(feature = "authoring")]
    /// Whether `self` is a prefix of `other` (same segments, parameters in
    /// the same places), so that every path under `other` is under `self`.
    pub fn is_prefix_of(&self, other: &Pattern) -> bool {
        self.segs.len() <= other.segs.len()
            && self
                .segs
                .iter()
                .zip(other.segs.iter())
                .all(|(a, b)| match (a, b) {
                    (Seg::Lit(x), Seg::Lit(y)) => x == y,
                    (Seg::Param(_), Seg::Param(_)) => true,
                    _ => false,
                })
    }

    /// Matches the start of a normalized path; on success returns the value of
    /// `{slug}` if the pattern has one.
    pub fn match_prefix<'p>(&self, path: &'p Normalized<'_>) -> Option<Option<&'p str>> {
        if self.segs.len() > path.len() {
            return None;
        }
        let mut slug = None;
        for (i, seg) in self.segs.iter().enumerate() {
            let value = path.segment(i)?;
            match seg {
                Seg::Lit(lit) => {
                    if !lit.eq_ignore_ascii_case(value) {
                        return None;
                    }
                }
                Seg::Param(name) => {
                    if name == SLUG {
                        slug = Some(value);
                    }
                }
            }
        }
        Some(slug)
    }

    #[cfg(feature = "authoring")]
    /// Writes the pattern with `{slug}` replaced by `slug`.
    pub fn write_with_slug(&self, slug: &str, out: &mut String) {
        if self.segs.is_empty() {
            out.push('/');
        }
        for seg in &self.segs {
            out.push('/');
            match seg {
                Seg::Lit(l) => out.push_str(l),
                Seg::Param(p) if p == SLUG => out.push_str(slug),
                Seg::Param(p) => {
                    out.push('{');
                    out.push_str(p);
                    out.push('}');
                }
            }
        }
    }
}

/// A normalized path: its text (the input itself when nothing needed
/// decoding, else one decoded copy) and the spans of its segments.
pub(crate) struct Normalized<'a> {
    text: Cow<'a, str>,
    spans: [(u16, u16); MAX_SEGMENTS],
    count: usize,
}

/// Why a path could not be normalized. All of these mean "matches nothing",
/// except [`NormError::TooLong`], which callers report as an input error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NormError {
    /// Longer than [`MAX_PATH_BYTES`].
    TooLong(usize),
    /// An escape that is not `%` and two hex digits.
    BadEscape,
    /// Control characters or invalid UTF-8 after decoding.
    BadCharacter,
    /// Deeper than [`MAX_SEGMENTS`] at some point.
    TooDeep,
}

fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Decodes percent-escapes once and turns backslashes into slashes.
fn decode(raw: &str) -> Result<String, NormError> {
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0usize;
    while let Some(&b) = bytes.get(i) {
        let decoded = if b == b'%' {
            match (
                bytes.get(i + 1).copied().and_then(hex),
                bytes.get(i + 2).copied().and_then(hex),
            ) {
                (Some(h), Some(l)) => {
                    i += 3;
                    h * 16 + l
                }
                _ => return Err(NormError::BadEscape),
            }
        } else {
            i += 1;
            b
        };
        if decoded < 0x20 || decoded == 0x7f {
            return Err(NormError::BadCharacter);
        }
        out.push(if decoded == b'\\' { b'/' } else { decoded });
    }
    String::from_utf8(out).map_err(|_| NormError::BadCharacter)
}

/// What a path byte means to normalization: [`PLAIN`], [`SLASH`], [`END`]
/// (`?` or `#`) or [`DECODE`] (`%`, `\\`, control characters).
// Built at compile time: an index out of range would fail the build, so the
// indexing below cannot panic at run time.
#[allow(clippy::indexing_slicing)]
const CLASSES: [u8; 256] = {
    let mut table = [PLAIN; 256];
    let mut b = 0;
    while b < 0x20 {
        table[b] = DECODE;
        b += 1;
    }
    table[0x7f] = DECODE;
    table[b'%' as usize] = DECODE;
    table[b'\\' as usize] = DECODE;
    table[b'/' as usize] = SLASH;
    table[b'?' as usize] = END;
    table[b'#' as usize] = END;
    table
};
const PLAIN: u8 = 0;
const SLASH: u8 = 1;
const END: u8 = 2;
const DECODE: u8 = 3;

#[inline(always)]
fn class(b: u8) -> u8 {
    CLASSES.get(usize::from(b)).copied().unwrap_or(DECODE)
}

impl<'a> Normalized<'a> {
    /// Normalizes `input` as the module documentation describes. A path
    /// that needs no decoding (no `%`, `\\` or control characters) is not
    /// copied.
    #[inline(always)]
    pub fn new(input: &'a str) -> Result<Normalized<'a>, NormError> {
        let mut out = Normalized::empty();
        out.read(input)?;
        Ok(out)
    }

    /// No segments.
    #[inline(always)]
    pub fn empty() -> Normalized<'a> {
        Normalized {
            text: Cow::Borrowed(""),
            spans: [(0, 0); MAX_SEGMENTS],
            count: 0,
        }
    }

    /// [`Normalized::new`] into an existing value (which a caller keeps in
    /// place, so the segment table is never copied).
    #[inline(always)]
    pub fn read(&mut self, input: &'a str) -> Result<(), NormError> {
        if input.len() > MAX_PATH_BYTES {
            return Err(NormError::TooLong(input.len()));
        }
        let out = self;
        out.text = Cow::Borrowed("");
        out.count = 0;
        // One pass over a plain path: find where it ends (before `?` or
        // `#`) and split it. A path with escapes, backslashes or control
        // characters is decoded into one copy and split again.
        let bytes = input.as_bytes();
        let mut end = bytes.len();
        let mut start = 0usize;
        let mut i = 0usize;
        // Skip plain bytes with one table lookup each.
        while let Some(offset) = bytes
            .get(i..)
            .and_then(|rest| rest.iter().position(|&b| class(b) != PLAIN))
        {
            i += offset;
            match bytes.get(i).copied().map(class) {
                Some(SLASH) => {
                    out.push_segment(bytes, start, i)?;
                    start = i + 1;
                    i += 1;
                }
                Some(END) => {
                    end = i;
                    break;
                }
                _ => {
                    let raw = input
                        .get(..input.find(['?', '#']).unwrap_or(input.len()))
                        .unwrap_or_default();
                    out.text = Cow::Owned(decode(raw)?);
                    out.count = 0;
                    return out.split();
                }
            }
        }
        out.push_segment(bytes, start, end)?;
        out.text = Cow::Borrowed(input.get(..end).unwrap_or_default());
        Ok(())
    }

    /// Records the segment `text[start..end]`, resolving dot segments.
    fn push_segment(&mut self, text: &[u8], start: usize, end: usize) -> Result<(), NormError> {
        match text.get(start..end).unwrap_or_default() {
            b"" | b"." => {}
            b".." => self.count = self.count.saturating_sub(1),
            _ => {
                let span = self.spans.get_mut(self.count).ok_or(NormError::TooDeep)?;
                // Both fit in u16: the text is at most MAX_PATH_BYTES long.
                *span = (start as u16, end as u16);
                self.count += 1;
            }
        }
        Ok(())
    }

    /// Splits the (decoded) text into segments.
    fn split(&mut self) -> Result<(), NormError> {
        let text = std::mem::take(&mut self.text);
        let bytes = text.as_bytes();
        let mut start = 0usize;
        for (i, &b) in bytes.iter().enumerate() {
            if b == b'/' {
                self.push_segment(bytes, start, i)?;
                start = i + 1;
            }
        }
        self.push_segment(bytes, start, bytes.len())?;
        self.text = text;
        Ok(())
    }

    /// Number of segments.
    pub fn len(&self) -> usize {
        self.count
    }

    /// Segment `i`, decoded. Segments lie between `/` bytes, which are never
    /// inside a multi-byte character, so slicing cannot fail.
    pub fn segment(&self, i: usize) -> Option<&str> {
        if i >= self.count {
            return None;
        }
        let &(s, e) = self.spans.get(i)?;
        self.text.get(usize::from(s)..usize::from(e))
    }

    /// Segment `i` as bytes (for matching literals).
    #[inline]
    fn segment_bytes(&self, i: usize) -> Option<&[u8]> {
        if i >= self.count {
            return None;
        }
        let &(s, e) = self.spans.get(i)?;
        self.text.as_bytes().get(usize::from(s)..usize::from(e))
    }

    /// Segment `i` for an answer: borrowed from the input when the input
    /// needed no decoding.
    pub fn segment_owned(&self, i: usize) -> Option<Cow<'a, str>> {
        let &(s, e) = self.spans.get(i).filter(|_| i < self.count)?;
        match &self.text {
            Cow::Borrowed(text) => text.get(usize::from(s)..usize::from(e)).map(Cow::Borrowed),
            Cow::Owned(text) => text
                .get(usize::from(s)..usize::from(e))
                .map(|t| Cow::Owned(t.to_owned())),
        }
    }
}

/// A trie over pattern segments that finds the entry matching a path, with
/// literals taking precedence over parameters.
#[derive(Debug, Clone, Default)]
pub(crate) struct Router {
    nodes: Vec<TrieNode>,
}

#[derive(Debug, Clone, Default)]
struct TrieNode {
    literals: Vec<Literal>,
    param: Option<usize>,
    entries: Vec<usize>,
}

/// A literal edge of the trie. Matching compares the length and the first
/// [`KEY_BYTES`] bytes (ASCII-lowercased, zero-padded) as two words; only a
/// longer literal compares its tail byte by byte.
#[derive(Debug, Clone)]
struct Literal {
    key: [u64; 2],
    /// `text.len()`, kept next to the key: the comparison then reads one
    /// place (reading it from `text` measured 0.5 % more instructions per
    /// resolve).
    len: usize,
    text: String,
    child: usize,
}

/// How many leading bytes of a segment make its matching key.
const KEY_BYTES: usize = 16;

/// ASCII-lowercases the eight bytes of a word at once: a byte from `A` to
/// `Z` gains `0x20`; no other byte changes (bytes from `0x80` up included).
#[inline(always)]
fn lower_word(x: u64) -> u64 {
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let low7 = x & !HIGH;
    // Per byte, no carries: the high bit says `>= b'A'`, resp. `> b'Z'`.
    let from_a = low7.wrapping_add(0x3f3f_3f3f_3f3f_3f3f);
    let past_z = low7.wrapping_add(0x2525_2525_2525_2525);
    x | ((from_a & !past_z & !x & HIGH) >> 2)
}

/// The matching key of a segment: its first [`KEY_BYTES`] bytes,
/// ASCII-lowercased and zero-padded, as two little-endian words.
#[inline]
fn segment_key(segment: &[u8]) -> [u64; 2] {
    let mut buf = [0u8; KEY_BYTES];
    let n = segment.len().min(KEY_BYTES);
    if let (Some(to), Some(from)) = (buf.get_mut(..n), segment.get(..n)) {
        to.copy_from_slice(from);
    }
    let [a0, a1, a2, a3, a4, a5, a6, a7, b0, b1, b2, b3, b4, b5, b6, b7] = buf;
    [
        lower_word(u64::from_le_bytes([a0, a1, a2, a3, a4, a5, a6, a7])),
        lower_word(u64::from_le_bytes([b0, b1, b2, b3, b4, b5, b6, b7])),
    ]
}

impl Literal {
    #[inline]
    fn matches(&self, segment: &[u8], key: [u64; 2]) -> bool {
        self.len == segment.len()
            && self.key == key
            && (self.len <= KEY_BYTES
                || self.text.as_bytes().get(KEY_BYTES..).is_some_and(|tail| {
                    segment
                        .get(KEY_BYTES..)
                        .is_some_and(|s| tail.eq_ignore_ascii_case(s))
                }))
    }
}

impl Router {
    /// Adds a pattern for entry `entry`. Returns the entries already stored
    /// for exactly the same shape (the caller decides whether that is a
    /// collision).
    pub fn insert(&mut self, pattern: &Pattern, entry: usize) -> Vec<usize> {
        if self.nodes.is_empty() {
            self.nodes.push(TrieNode::default());
        }
        let mut at = 0usize;
        for seg in &pattern.segs {
            let next = self.nodes.len();
            let Some(node) = self.nodes.get_mut(at) else {
                return Vec::new();
            };
            let child = match seg {
                Seg::Lit(l) => match node.literals.iter().find(|x| &x.text == l) {
                    Some(x) => x.child,
                    None => {
                        node.literals.push(Literal {
                            key: segment_key(l.as_bytes()),
                            len: l.len(),
                            text: l.clone(),
                            child: next,
                        });
                        self.nodes.push(TrieNode::default());
                        next
                    }
                },
                Seg::Param(_) => match node.param {
                    Some(c) => c,
                    None => {
                        node.param = Some(next);
                        self.nodes.push(TrieNode::default());
                        next
                    }
                },
            };
            at = child;
        }
        match self.nodes.get_mut(at) {
            Some(node) => {
                let before = node.entries.clone();
                node.entries.push(entry);
                before
            }
            None => Vec::new(),
        }
    }

    /// The entries stored for the pattern that matches `path`.
    pub fn find(&self, path: &Normalized<'_>) -> &[usize] {
        self.walk(0, path, 0).unwrap_or(&[])
    }

    fn walk(&self, at: usize, path: &Normalized<'_>, depth: usize) -> Option<&[usize]> {
        let node = self.nodes.get(at)?;
        let Some(seg) = path.segment_bytes(depth) else {
            return (!node.entries.is_empty()).then_some(node.entries.as_slice());
        };
        if !node.literals.is_empty() {
            let key = segment_key(seg);
            if let Some(literal) = node.literals.iter().find(|l| l.matches(seg, key)) {
                if let Some(found) = self.walk(literal.child, path, depth + 1) {
                    return Some(found);
                }
            }
        }
        let child = node.param?;
        self.walk(child, path, depth + 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn segs(p: &str) -> Vec<String> {
        let n = Normalized::new(p).unwrap();
        (0..n.len())
            .map(|i| n.segment(i).unwrap().to_owned())
            .collect()
    }

    #[test]
    fn normalizes_slashes_dots_queries_and_escapes() {
        let want = vec!["workspace", "acme", "accounts"];
        for p in [
            "/workspace/acme/accounts",
            "//workspace///acme/accounts/",
            "/workspace/acme/./accounts",
            "/workspace/acme/contacts/../accounts",
            "/workspace/acme/accounts?x=/contacts#y",
            "/workspace%2Facme%2faccounts",
            "/workspace/acme/%2e%2E/acme/accounts",
            "\\workspace\\acme\\accounts",
            "/workspace/acme/%5caccounts",
            "/../../workspace/acme/accounts",
            "workspace/acme/accounts",
        ] {
            assert_eq!(segs(p), want, "{p}");
        }
    }

    #[test]
    fn refuses_bad_escapes_controls_and_depth() {
        assert_eq!(Normalized::new("/a%zz").err(), Some(NormError::BadEscape));
        assert_eq!(Normalized::new("/a%2").err(), Some(NormError::BadEscape));
        assert_eq!(
            Normalized::new("/a%00b").err(),
            Some(NormError::BadCharacter)
        );
        assert_eq!(
            Normalized::new("/a\tb").err(),
            Some(NormError::BadCharacter)
        );
        assert_eq!(
            Normalized::new("/a%ffb").err(),
            Some(NormError::BadCharacter)
        );
        let deep = "/a".repeat(MAX_SEGMENTS + 1);
        assert_eq!(Normalized::new(&deep).err(), Some(NormError::TooDeep));
        let long = "/".repeat(MAX_PATH_BYTES + 1);
        assert_eq!(
            Normalized::new(&long).err(),
            Some(NormError::TooLong(MAX_PATH_BYTES + 1))
        );
    }

    #[test]
    fn words_lowercase_like_bytes() {
        for b in 0..=255u8 {
            for at in 0..8 {
                let word = u64::from(b) << (8 * at) | 0x4141_4141_4141_4141 & !(0xff << (8 * at));
                let want: Vec<u8> = word
                    .to_le_bytes()
                    .iter()
                    .map(u8::to_ascii_lowercase)
                    .collect();
                assert_eq!(
                    lower_word(word).to_le_bytes().to_vec(),
                    want,
                    "{b:#x} at {at}"
                );
            }
        }
        assert_eq!(segment_key(b"Data-LAKE"), segment_key(b"data-lake"));
        assert_ne!(segment_key(b"data-lake"), segment_key(b"data-lakf"));
    }

    #[test]
    fn decodes_unicode_segments() {
        assert_eq!(segs("/caf%C3%A9/x"), vec!["café", "x"]);
    }

    #[test]
    fn patterns_parse_strictly() {
        assert!(Pattern::parse("/workspace/{slug}/contacts/{id}").is_ok());
        assert!(Pattern::parse("/").is_ok());
        for bad in [
            "", "x", "/a//b", "/a/", "/A", "/{Slug}", "/{a}/{a}", "/a/..", "/{}",
        ] {
            assert!(Pattern::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn literals_win_over_params_with_backtracking() {
        let mut r = Router::default();
        r.insert(&Pattern::parse("/c/new/x").unwrap(), 0);
        r.insert(&Pattern::parse("/c/{id}/y").unwrap(), 1);
        r.insert(&Pattern::parse("/c/{id}").unwrap(), 2);
        r.insert(&Pattern::parse("/c/new").unwrap(), 3);
        let find = |p: &str| r.find(&Normalized::new(p).unwrap()).to_vec();
        assert_eq!(find("/c/new/x"), vec![0]);
        assert_eq!(find("/c/new/y"), vec![1]);
        assert_eq!(find("/c/NEW"), vec![3]);
        assert_eq!(find("/c/7"), vec![2]);
        assert!(find("/c/7/z").is_empty());
        assert_eq!(r.insert(&Pattern::parse("/c/{other}").unwrap(), 4), vec![2]);
    }
}
