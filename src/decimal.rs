//! Decimal text to the nearest `f64`, correctly rounded (ties to even): the
//! value the standard library's `str::parse` gives, for the JSON number
//! grammar.
//!
//! It exists for size. The standard parser took 16 KB of the WebAssembly
//! module, most of it tables of powers of five that compress poorly (12 KB
//! of the gzipped module); this one is exact integer arithmetic on a small
//! big-number type, 3.5 KB. It is slower (microseconds, 0.17 ms for a
//! 60 000-digit fraction), which does not matter here: a number with a
//! fraction or an exponent is rare in our inputs (a preference value, say),
//! and integers never come here.
//!
//! Method: the text's value is `digits × 10^exponent`, written as a fraction
//! `num / den` of big integers. Scaled by a power of two, the fraction's
//! integer part `q` gets 54 bits (53 and a rounding bit; fewer below the
//! normal range), found by long division; whether anything remained decides
//! ties. Digits past the 800th only tell "more than zero": no halfway point
//! between two doubles has more than 767 significant digits.

/// The value of `text` when it is a JSON number (`-?int(.frac)?(e[+-]?exp)?`):
/// infinite when it is too large for a double, `None` when it is not a
/// number.
pub(crate) fn parse(text: &str) -> Option<f64> {
    let (negative, body) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (mantissa, exponent) = match body.find(['e', 'E']) {
        Some(at) => (body.get(..at)?, Some(body.get(at + 1..)?)),
        None => (body, None),
    };
    let (int, frac) = match mantissa.split_once('.') {
        Some((int, frac)) => (int, Some(frac)),
        None => (mantissa, None),
    };
    let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !all_digits(int) || (int.len() > 1 && int.starts_with('0')) {
        return None;
    }
    if frac.is_some_and(|f| !all_digits(f)) {
        return None;
    }
    let mut exp10: i64 = match exponent {
        Some(e) => {
            let (sign, digits) = match e.strip_prefix(['+', '-']) {
                Some(rest) => (if e.starts_with('-') { -1 } else { 1 }, rest),
                None => (1, e),
            };
            if !all_digits(digits) {
                return None;
            }
            // Saturates far beyond any exponent that still matters.
            let magnitude = digits.bytes().fold(0i64, |n, b| {
                (n * 10 + i64::from(b - b'0')).min(1_000_000_000)
            });
            sign * magnitude
        }
        None => 0,
    };
    let frac = frac.unwrap_or("");
    exp10 -= frac.len() as i64;

    // Significant digits, without leading or trailing zeros.
    let digits = int.bytes().chain(frac.bytes());
    let mut significant: Vec<u8> = digits
        .skip_while(|&b| b == b'0')
        .map(|b| b - b'0')
        .collect();
    while significant.last() == Some(&0) {
        significant.pop();
        exp10 += 1;
    }
    let magnitude = value(&mut significant, exp10);
    Some(if negative { -magnitude } else { magnitude })
}

/// The most significant digits kept exactly (see the module's doc).
const MAX_DIGITS: usize = 800;

/// The double nearest `digits × 10^exp10` (digits without leading zeros).
fn value(digits: &mut Vec<u8>, mut exp10: i64) -> f64 {
    if digits.is_empty() {
        return 0.0;
    }
    let count = digits.len() as i64;
    // The value lies in [10^(count - 1 + exp10), 10^(count + exp10)).
    if count - 1 + exp10 > 308 {
        return f64::INFINITY;
    }
    if count + exp10 < -324 {
        return 0.0;
    }
    if digits.len() > MAX_DIGITS {
        let dropped = digits.split_off(MAX_DIGITS);
        exp10 += dropped.len() as i64;
        if dropped.iter().any(|&d| d != 0) {
            digits.push(1);
            exp10 -= 1;
        }
    }
    let mut num = Big::from_digits(digits);
    let mut den = Big::one();
    if exp10 >= 0 {
        num.mul_pow10(exp10 as usize);
    } else {
        den.mul_pow10(exp10.unsigned_abs() as usize);
    }
    // Scale so that q = floor(num / (den × 2^e)) has 54 or 55 bits, but
    // never below the subnormal range's scale.
    let e = (num.bits() as i64 - den.bits() as i64 - 54).max(-1075);
    if e >= 0 {
        den.shl(e as usize);
    } else {
        num.shl(e.unsigned_abs() as usize);
    }
    let (mut q, mut sticky) = num.divide(&den);
    let mut e = e;
    if q >> 54 != 0 {
        sticky |= q & 1 != 0;
        q >>= 1;
        e += 1;
    }
    // Round the 54 bits to 53, ties to even.
    let mut m = q >> 1;
    if q & 1 != 0 && (sticky || m & 1 != 0) {
        m += 1;
    }
    let mut x = e + 1;
    if m >> 53 != 0 {
        m >>= 1;
        x += 1;
    }
    if m >> 52 == 0 {
        // Subnormal (x is -1074 here): the bits are the mantissa.
        return f64::from_bits(m);
    }
    let biased = x + 52 + 1023;
    if biased >= 0x7ff {
        return f64::INFINITY;
    }
    f64::from_bits(((biased as u64) << 52) | (m & ((1 << 52) - 1)))
}

/// A non-negative big integer, 32-bit limbs, least significant first.
#[derive(Debug, Clone, PartialEq)]
struct Big {
    limbs: Vec<u32>,
}

impl Big {
    fn one() -> Big {
        Big { limbs: vec![1] }
    }

    fn from_digits(digits: &[u8]) -> Big {
        let mut big = Big { limbs: Vec::new() };
        for chunk in digits.chunks(9) {
            let scale = 10u32.pow(chunk.len() as u32);
            let add = chunk.iter().fold(0u32, |n, &d| n * 10 + u32::from(d));
            big.mul_add(scale, add);
        }
        big
    }

    /// `self = self × factor + add`.
    fn mul_add(&mut self, factor: u32, add: u32) {
        let mut carry = u64::from(add);
        for limb in &mut self.limbs {
            let product = u64::from(*limb) * u64::from(factor) + carry;
            *limb = product as u32;
            carry = product >> 32;
        }
        if carry != 0 {
            self.limbs.push(carry as u32);
        }
    }

    fn mul_pow10(&mut self, mut exp: usize) {
        while exp > 0 {
            let step = exp.min(9);
            self.mul_add(10u32.pow(step as u32), 0);
            exp -= step;
        }
    }

    fn bits(&self) -> usize {
        match self.limbs.iter().rposition(|&l| l != 0) {
            Some(top) => {
                let high = self.limbs.get(top).copied().unwrap_or(0);
                top * 32 + (32 - high.leading_zeros() as usize)
            }
            None => 0,
        }
    }

    fn shl(&mut self, bits: usize) {
        let (words, bits) = (bits / 32, bits % 32);
        if bits != 0 {
            let mut carry = 0;
            for limb in &mut self.limbs {
                let wide = (u64::from(*limb) << bits) | carry;
                *limb = wide as u32;
                carry = wide >> 32;
            }
            if carry != 0 {
                self.limbs.push(carry as u32);
            }
        }
        self.limbs.splice(0..0, std::iter::repeat_n(0, words));
    }

    fn shr1(&mut self) {
        let mut carry = 0;
        for limb in self.limbs.iter_mut().rev() {
            let next = *limb & 1;
            *limb = (*limb >> 1) | (carry << 31);
            carry = next;
        }
    }

    fn at_least(&self, other: &Big) -> bool {
        let len = self.limbs.len().max(other.limbs.len());
        for i in (0..len).rev() {
            let a = self.limbs.get(i).copied().unwrap_or(0);
            let b = other.limbs.get(i).copied().unwrap_or(0);
            if a != b {
                return a > b;
            }
        }
        true
    }

    /// `self -= other`, for `self >= other`.
    fn sub(&mut self, other: &Big) {
        let mut borrow = 0i64;
        for (i, limb) in self.limbs.iter_mut().enumerate() {
            let b = other.limbs.get(i).copied().unwrap_or(0);
            let diff = i64::from(*limb) - i64::from(b) - borrow;
            *limb = diff as u32;
            borrow = i64::from(diff < 0);
        }
    }

    fn is_zero(&self) -> bool {
        self.limbs.iter().all(|&l| l == 0)
    }

    /// `floor(self / den)` (below 2^55) and whether anything remained.
    fn divide(mut self, den: &Big) -> (u64, bool) {
        let mut shifted = den.clone();
        shifted.shl(54);
        let mut q = 0u64;
        for bit in (0..55).rev() {
            if self.at_least(&shifted) {
                self.sub(&shifted);
                q |= 1 << bit;
            }
            shifted.shr1();
        }
        (q, !self.is_zero())
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn same(text: &str) {
        let ours = parse(text);
        let std = text.parse::<f64>().ok();
        assert_eq!(
            ours.map(f64::to_bits),
            std.map(f64::to_bits),
            "{text}: {ours:?} / {std:?}"
        );
    }

    #[test]
    fn edges_as_the_standard_library_reads_them() {
        for text in [
            "0",
            "-0",
            "0.0",
            "-0.0",
            "0e0",
            "1",
            "1.5",
            "-2.25",
            "0.1",
            "0.3",
            "1e23",
            "8.98846567431158e307",
            "1.7976931348623157e308",
            "1.7976931348623158e308",
            "1.7976931348623159e308",
            "-1.7976931348623159e308",
            "1e309",
            "2.2250738585072014e-308",
            "2.2250738585072011e-308",
            "4.9406564584124654e-324",
            "2.4703282292062327e-324",
            "2.4703282292062328e-324",
            "1e-400",
            "9007199254740993",
            "9007199254740992.5",
            "9007199254740993.0000000000000000000000000000001",
            "1e1000000000000000000000",
            "1e-1000000000000000000000",
            "123456789012345678901234567890e-10",
            "0.000000000000000000000000000000000000001",
        ] {
            same(text);
        }
        // A halfway case decided by the 800th digit and beyond.
        let halfway = "9007199254740993".to_owned() + &"0".repeat(900);
        same(&halfway);
        same(&(halfway.clone() + "1"));
        same(&format!("{}e-900", halfway.clone() + "1"));
    }

    #[test]
    fn refuses_what_is_not_a_json_number() {
        for text in [
            "", "-", "01", "1.", ".5", "1e", "1e+", "+1", "inf", "NaN", "1x", "--1",
        ] {
            assert_eq!(parse(text), None, "{text}");
        }
    }

    /// JSON number texts: digits, an optional fraction, an optional exponent.
    fn numbers() -> impl Strategy<Value = String> {
        (
            any::<bool>(),
            "(0|[1-9][0-9]{0,40})",
            prop::option::of("[0-9]{1,40}"),
            prop::option::of((
                prop::sample::select(vec!["e", "E", "e+", "e-", "E-"]),
                0u32..400,
            )),
        )
            .prop_map(|(negative, int, frac, exp)| {
                let mut text = String::new();
                if negative {
                    text.push('-');
                }
                text.push_str(&int);
                if let Some(frac) = frac {
                    text.push('.');
                    text.push_str(&frac);
                }
                if let Some((e, n)) = exp {
                    text.push_str(e);
                    text.push_str(&n.to_string());
                }
                text
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 4096, ..ProptestConfig::default() })]

        /// The same double as `str::parse` for any JSON number.
        #[test]
        fn reads_as_the_standard_library(text in numbers()) {
            let ours = parse(&text).map(f64::to_bits);
            let std = text.parse::<f64>().ok().map(f64::to_bits);
            prop_assert_eq!(ours, std, "{}", text);
        }

        /// Every double reads back from its shortest text.
        #[test]
        fn reads_every_double_back(bits in any::<u64>()) {
            let f = f64::from_bits(bits);
            prop_assume!(f.is_finite());
            let text = format!("{f:e}");
            prop_assert_eq!(parse(&text).map(f64::to_bits), Some(bits), "{}", text);
        }
    }
}
