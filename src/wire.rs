//! Reading bundle payloads: postcard's wire format, read without serde.
//!
//! Bundles are written with the types' derived serde `Serialize` and
//! postcard (`crate::bundle::write`, authoring only); the runtime reads
//! them back with [`Decode`], derived for the same types by
//! `harmony-policy-derive`, so the types describe the layout once. serde's
//! derived decoders for the same types were the largest part of the
//! runtime module and of the code a page compiles before its first view
//! (docs/performance.md, "Bundles and the runtime module").
//!
//! The format, as postcard writes it: `u8` one byte; other unsigned
//! integers (`usize` as `u64`) LEB128 varints of at most as many bytes as
//! their width needs; `bool` one byte, 0 or 1; `Option` a byte 0 or 1 and
//! then the value; strings and sequences a varint length and then their
//! bytes or items; arrays, tuples and structs their items in order, with no
//! length; an enum the varint index of its variant and then its content.
//! Anything else (a varint too long or too large, a length past the end, a
//! string that is not UTF-8, an unknown variant, conditions nested too
//! deeply) is [`Malformed`], never a panic.

pub(crate) use harmony_policy_derive::Decode;

/// Where and why a payload did not decode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Malformed {
    /// Offset into the payload.
    pub at: usize,
    pub what: &'static str,
}

impl std::fmt::Display for Malformed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} at byte {}", self.what, self.at)
    }
}

/// A payload being read. A read that fails records why (the first failure
/// only) and gives a default value; from then on every read gives a
/// default without looking at the bytes, so decoding runs straight through
/// and [`Reader::last`] reports the failure. (Returning early from every
/// field instead, as serde's derived decoders do, makes each struct drop
/// the fields read before the failing one: most of their code.)
pub(crate) struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
    /// Nested values entered and not yet left (see [`Reader::nested`]).
    depth: usize,
    /// How deep values may nest.
    depth_limit: usize,
    failed: Option<Malformed>,
}

impl<'a> Reader<'a> {
    /// A reader of `bytes` whose nested values (see [`Reader::nested`])
    /// nest fewer than `depth_limit` levels deep.
    pub fn new(bytes: &'a [u8], depth_limit: usize) -> Reader<'a> {
        Reader {
            bytes,
            at: 0,
            depth: 0,
            depth_limit,
            failed: None,
        }
    }

    /// Records a failure at the current offset (unless one came before).
    pub fn fail(&mut self, what: &'static str) {
        if self.failed.is_none() {
            self.failed = Some(Malformed { at: self.at, what });
        }
    }

    /// Whether every read so far succeeded.
    pub fn check(&self) -> Result<(), Malformed> {
        self.failed.map_or(Ok(()), Err)
    }

    /// The last value of the payload: a `T`, and then no byte more.
    pub fn last<T: Decode>(mut self) -> Result<T, Malformed> {
        let value = T::decode(&mut self);
        if self.at != self.bytes.len() {
            self.fail("bytes follow the end");
        }
        self.failed.map_or(Ok(value), Err)
    }

    fn byte(&mut self) -> u8 {
        if self.failed.is_some() {
            return 0;
        }
        match self.bytes.get(self.at) {
            Some(&b) => {
                self.at += 1;
                b
            }
            None => {
                self.fail("the payload ends early");
                0
            }
        }
    }

    /// A varint (at most ten bytes, at most 64 bits); each type then
    /// checks its range.
    fn varint(&mut self) -> u64 {
        let mut value = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.byte();
            let part = u64::from(b & 0x7f);
            if shift == 63 && part > 1 {
                break;
            }
            value |= part << shift;
            if b & 0x80 == 0 {
                return value;
            }
        }
        self.fail("a number is too large");
        0
    }

    /// A varint in `T`'s range.
    fn number<T: TryFrom<u64> + Default>(&mut self) -> T {
        let n = self.varint();
        T::try_from(n).unwrap_or_else(|_| {
            self.fail("a number is too large");
            T::default()
        })
    }

    /// An enum's variant index (`u32::MAX`, which no enum has, once a read
    /// failed).
    pub fn variant(&mut self) -> u32 {
        let n = self.number();
        if self.failed.is_some() {
            u32::MAX
        } else {
            n
        }
    }

    /// A sequence's or string's length: never more than the bytes left,
    /// since every item takes at least one.
    fn len(&mut self) -> usize {
        let n: usize = self.number();
        if n > self.bytes.len() - self.at {
            self.fail("a length runs past the end");
            return 0;
        }
        n
    }

    /// A string's text (empty once a read failed).
    pub fn str(&mut self) -> &'a str {
        let n = self.len();
        let bytes = self.bytes.get(self.at..self.at + n).unwrap_or_default();
        match std::str::from_utf8(bytes) {
            Ok(text) => {
                self.at += n;
                text
            }
            Err(_) => {
                self.fail("a string is not UTF-8");
                ""
            }
        }
    }

    /// Reads a value nested in another (a condition's conditions), one
    /// level deeper, within the reader's limit. Past it, the read fails and
    /// `read` runs on a failed reader, which reads nothing, so nothing
    /// nests further.
    pub fn nested<T>(&mut self, read: impl FnOnce(&mut Self) -> T) -> T {
        if self.depth + 1 >= self.depth_limit {
            self.fail("values nest too deeply");
            return read(self);
        }
        self.depth += 1;
        let out = read(self);
        self.depth -= 1;
        out
    }
}

/// A type read from a payload; a failed read gives a default value and
/// leaves its failure with the [`Reader`].
pub(crate) trait Decode {
    fn decode(r: &mut Reader<'_>) -> Self;
}

impl Decode for u8 {
    fn decode(r: &mut Reader<'_>) -> Self {
        r.byte()
    }
}

// `usize` is written as a `u64`.
macro_rules! varints {
    ($($t:ty),*) => {$(
        impl Decode for $t {
            fn decode(r: &mut Reader<'_>) -> Self {
                r.number()
            }
        }
    )*};
}
varints!(u16, u32, u64, usize);

impl Decode for bool {
    fn decode(r: &mut Reader<'_>) -> Self {
        match r.byte() {
            0 => false,
            1 => true,
            _ => {
                r.fail("a boolean is neither 0 nor 1");
                false
            }
        }
    }
}

impl Decode for String {
    fn decode(r: &mut Reader<'_>) -> Self {
        r.str().to_owned()
    }
}

impl<T: Decode> Decode for Option<T> {
    fn decode(r: &mut Reader<'_>) -> Self {
        match r.byte() {
            0 => None,
            1 => Some(T::decode(r)),
            _ => {
                r.fail("an option is neither 0 nor 1");
                None
            }
        }
    }
}

impl<T: Decode> Decode for Vec<T> {
    fn decode(r: &mut Reader<'_>) -> Self {
        let n = r.len();
        let mut out = Vec::with_capacity(n);
        for _ in 0..n {
            if r.failed.is_some() {
                break;
            }
            out.push(T::decode(r));
        }
        out
    }
}

impl<T: Decode> Decode for Box<T> {
    fn decode(r: &mut Reader<'_>) -> Self {
        Box::new(T::decode(r))
    }
}

impl<T: Decode + Copy + Default, const N: usize> Decode for [T; N] {
    fn decode(r: &mut Reader<'_>) -> Self {
        let mut out = [T::default(); N];
        for slot in &mut out {
            *slot = T::decode(r);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A nested type, as conditions are.
    #[derive(Debug, Clone, PartialEq, Decode)]
    #[cfg_attr(feature = "authoring", derive(serde::Serialize))]
    enum Tree {
        All(#[serde(deserialize_with = "nested")] Vec<Tree>),
        Not(#[serde(deserialize_with = "nested")] Box<Tree>),
        Leaf(String),
        Count(u32),
        Labeled {
            label: Option<String>,
            #[serde(skip)]
            cached: u64,
        },
    }

    fn read<T: Decode>(bytes: &[u8]) -> Result<T, &'static str> {
        Reader::new(bytes, 4).last::<T>().map_err(|e| e.what)
    }

    /// What postcard writes, read back.
    #[cfg(feature = "authoring")]
    #[test]
    fn reads_what_postcard_writes() {
        let write = |v: &dyn erased::Write| v.bytes();
        for n in [0u64, 1, 127, 128, 300, u64::from(u32::MAX), u64::MAX] {
            assert_eq!(read::<u64>(&write(&n)), Ok(n));
        }
        assert_eq!(read::<u16>(&write(&u16::MAX)), Ok(u16::MAX));
        assert_eq!(read::<u8>(&write(&200u8)), Ok(200));
        assert_eq!(read::<usize>(&write(&70_000usize)), Ok(70_000));
        assert_eq!(read::<bool>(&write(&true)), Ok(true));
        let text = String::from("héllo");
        assert_eq!(read::<String>(&write(&text)), Ok(text));
        let list = vec![Some(3u32), None, Some(1 << 20)];
        assert_eq!(read::<Vec<Option<u32>>>(&write(&list)), Ok(list));
        let tree = Tree::All(vec![
            Tree::Not(Box::new(Tree::Leaf("accounts".into()))),
            Tree::Count(2),
            Tree::Labeled {
                label: Some("x".into()),
                cached: 0,
            },
        ]);
        assert_eq!(read::<Tree>(&write(&tree)), Ok(tree));
    }

    #[cfg(feature = "authoring")]
    mod erased {
        pub trait Write {
            fn bytes(&self) -> Vec<u8>;
        }
        impl<T: serde::Serialize> Write for T {
            fn bytes(&self) -> Vec<u8> {
                postcard::to_allocvec(self).unwrap_or_default()
            }
        }
    }

    #[test]
    fn malformed_payloads_are_refused_with_why() {
        let long = [0x80; 11];
        assert_eq!(read::<u64>(&long), Err("a number is too large"));
        // 2^64: the tenth byte may only carry the 64th bit.
        let over = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02];
        assert_eq!(read::<u64>(&over), Err("a number is too large"));
        assert_eq!(
            read::<u16>(&[0x80, 0x80, 0x04]),
            Err("a number is too large")
        );
        assert_eq!(read::<u32>(&[0x80]), Err("the payload ends early"));
        assert_eq!(read::<bool>(&[2]), Err("a boolean is neither 0 nor 1"));
        assert_eq!(
            read::<Option<u8>>(&[7, 1]),
            Err("an option is neither 0 nor 1")
        );
        assert_eq!(
            read::<String>(&[2, 0xc3, 0x28]),
            Err("a string is not UTF-8")
        );
        assert_eq!(
            read::<String>(&[5, b'a']),
            Err("a length runs past the end")
        );
        // A length the bytes could not hold is refused before any allocation.
        assert_eq!(
            read::<Vec<u64>>(&[0xff, 0xff, 0xff, 0xff, 0x0f]),
            Err("a length runs past the end")
        );
        assert_eq!(read::<u8>(&[1, 2]), Err("bytes follow the end"));
        assert_eq!(read::<Tree>(&[99]), Err("an unknown variant"));
        // With a limit of 4, three nested levels read and a fourth does not.
        let not = |t| Tree::Not(Box::new(t));
        assert_eq!(
            read::<Tree>(&[1, 1, 1, 3, 1]),
            Ok(not(not(not(Tree::Count(1)))))
        );
        assert_eq!(
            read::<Tree>(&[1, 1, 1, 1, 3, 1]),
            Err("values nest too deeply")
        );
        // The first failure is the one reported.
        assert_eq!(
            read::<Vec<bool>>(&[2, 7, 9, 9]),
            Err("a boolean is neither 0 nor 1")
        );
    }
}
