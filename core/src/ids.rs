//! Identifiers the platform uses: UUIDs (lower-case, as the contracts' pattern
//! requires) and CVR numbers (eight digits).

use std::fmt;
use std::str::FromStr;

/// A UUID as the platform writes it: `[a-f0-9]{8}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12}`.
/// Stored as 16 bytes; displays in the same lower-case form, so parsing is lossless.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Uuid([u8; 16]);

/// The string is not a lower-case hyphenated UUID.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InvalidUuid;

impl fmt::Display for InvalidUuid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("not a lower-case UUID (8-4-4-4-12 hex digits a-f0-9)")
    }
}

impl std::error::Error for InvalidUuid {}

/// Where the contracts' UUID pattern has its hyphens.
const HYPHENS: [usize; 4] = [8, 13, 18, 23];

/// One in each byte lane of a word.
const LANES: u64 = 0x0101_0101_0101_0101;
/// The high bit of each byte lane.
const HIGH: u64 = 0x8080_8080_8080_8080;

/// The high bit of each lane of `x` that lies in `lo..=hi` (both below 0x80).
/// Exact per lane for lanes below 0x80: neither difference borrows from the
/// next lane. Lanes with their own high bit are never in range.
#[inline]
fn lanes_in(x: u64, lo: u8, hi: u8) -> u64 {
    let at_least_lo = (x | HIGH).wrapping_sub(LANES * u64::from(lo));
    let at_most_hi = (LANES * u64::from(0x80 + hi)).wrapping_sub(x & !HIGH);
    at_least_lo & at_most_hi & !x & HIGH
}

/// Eight lower-case hex digits, the first in the high byte of `x`, as the
/// four bytes they spell (big-endian); `None` when any is not `[0-9a-f]`.
#[inline]
fn hex8(x: u64) -> Option<u32> {
    let letters = lanes_in(x, b'a', b'f');
    if lanes_in(x, b'0', b'9') | letters != HIGH {
        return None;
    }
    // A digit's value is its low nibble; a letter's, its low nibble plus 9.
    let nibbles = (x & (LANES * 0x0F)) + (letters >> 7) * 9;
    let bytes = (nibbles >> 4 | nibbles) & 0x00FF_00FF_00FF_00FF;
    let pairs = (bytes >> 8 | bytes) & 0x0000_FFFF_0000_FFFF;
    Some((pairs >> 16 | pairs) as u32)
}

/// The eight bytes of `b` at `at`, as a big-endian word.
#[inline]
fn word_at(b: &[u8; 36], at: usize) -> u64 {
    let mut w = [0u8; 8];
    w.copy_from_slice(&b[at..at + 8]);
    u64::from_be_bytes(w)
}

impl Uuid {
    /// The UUID with these 16 bytes.
    pub const fn from_bytes(bytes: [u8; 16]) -> Uuid {
        Uuid(bytes)
    }

    /// The 16 bytes.
    pub const fn as_bytes(&self) -> &[u8; 16] {
        &self.0
    }

    /// Parses exactly the contracts' pattern: lower-case hex, hyphens at 8, 13, 18 and 23.
    pub fn parse_lower(s: &str) -> Result<Uuid, InvalidUuid> {
        let b = s.as_bytes();
        if b.len() != 36 || HYPHENS.iter().any(|&i| b[i] != b'-') {
            return Err(InvalidUuid);
        }
        // Eight digits per step with word arithmetic (UUIDs are read in
        // every InvocationContext): the groups 8-4-4-4-12 as four words.
        let Ok(b) = <&[u8; 36]>::try_from(b) else { return Err(InvalidUuid) };
        let joined = |a: usize, c: usize| (word_at(b, a) & 0xFFFF_FFFF_0000_0000) | (word_at(b, c) >> 32);
        let words = [word_at(b, 0), joined(9, 14), joined(19, 24), word_at(b, 28)];
        let mut out = [0u8; 16];
        for (chunk, w) in out.chunks_exact_mut(4).zip(words) {
            chunk.copy_from_slice(&hex8(w).ok_or(InvalidUuid)?.to_be_bytes());
        }
        Ok(Uuid(out))
    }

    /// A version-4 UUID from 16 random bytes (the caller supplies the randomness).
    pub fn new_v4(mut random: [u8; 16]) -> Uuid {
        random[6] = (random[6] & 0x0F) | 0x40;
        random[8] = (random[8] & 0x3F) | 0x80;
        Uuid(random)
    }
}

impl FromStr for Uuid {
    type Err = InvalidUuid;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Uuid::parse_lower(s)
    }
}

impl Uuid {
    /// The canonical lower-case text form, as ASCII bytes.
    fn hex(&self) -> [u8; 36] {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let mut out = [0u8; 36];
        let mut o = 0;
        for (i, byte) in self.0.iter().enumerate() {
            if matches!(i, 4 | 6 | 8 | 10) {
                out[o] = b'-';
                o += 1;
            }
            out[o] = HEX[(byte >> 4) as usize];
            out[o + 1] = HEX[(byte & 0xF) as usize];
            o += 2;
        }
        out
    }

    /// Appends the [`Display`](fmt::Display) form to `out` without the
    /// formatting machinery (the audit line writes up to six per call).
    pub(crate) fn push_to(&self, out: &mut String) {
        out.push_str(std::str::from_utf8(&self.hex()).unwrap_or_default());
    }
}

impl fmt::Display for Uuid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(std::str::from_utf8(&self.hex()).map_err(|_| fmt::Error)?)
    }
}

impl fmt::Debug for Uuid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Uuid({self})")
    }
}

/// A Danish CVR number: exactly eight ASCII digits.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Cvr(u32);

/// The string is not eight ASCII digits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InvalidCvr;

impl fmt::Display for InvalidCvr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("not a CVR number (exactly eight digits)")
    }
}

impl std::error::Error for InvalidCvr {}

impl Cvr {
    /// Parses `[0-9]{8}`.
    pub fn parse(s: &str) -> Result<Cvr, InvalidCvr> {
        let b = s.as_bytes();
        if b.len() != 8 || !b.iter().all(u8::is_ascii_digit) {
            return Err(InvalidCvr);
        }
        Ok(Cvr(b.iter().fold(0u32, |acc, &d| acc * 10 + u32::from(d - b'0'))))
    }

    /// The number.
    pub fn value(&self) -> u32 {
        self.0
    }

    /// Appends the eight digits to `out` without the formatting machinery.
    pub(crate) fn push_to(&self, out: &mut String) {
        let mut digits = *b"00000000";
        let mut v = self.0;
        for d in digits.iter_mut().rev() {
            *d = b'0' + (v % 10) as u8;
            v /= 10;
        }
        out.push_str(std::str::from_utf8(&digits).unwrap_or_default());
    }
}

impl FromStr for Cvr {
    type Err = InvalidCvr;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Cvr::parse(s)
    }
}

impl fmt::Display for Cvr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:08}", self.0)
    }
}

impl fmt::Debug for Cvr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Cvr({self})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuid_round_trip_and_strictness() {
        let s = "17a44431-526a-416c-bb66-bd262049e751";
        let u = Uuid::parse_lower(s).unwrap();
        assert_eq!(u.to_string(), s);
        for bad in [
            "17A44431-526a-416c-bb66-bd262049e751",
            "17a44431526a-416c-bb66-bd262049e7510",
            " 17a44431-526a-416c-bb66-bd262049e751",
            "17a44431-526a-416c-bb66-bd262049e75",
            "{{ service_agreement }}",
            "17a44431-526a-416c-bb66-bd262049e75g",
        ] {
            assert_eq!(Uuid::parse_lower(bad), Err(InvalidUuid), "{bad}");
        }
    }

    /// The contracts' pattern, character by character: the reference.
    fn plain_parse(s: &[u8]) -> Option<[u8; 16]> {
        let hex = |c: u8| match c {
            b'0'..=b'9' => Some(c - b'0'),
            b'a'..=b'f' => Some(c - b'a' + 10),
            _ => None,
        };
        let digits: Vec<u8> = s.iter().enumerate().filter(|(i, _)| !HYPHENS.contains(i)).map(|(_, &c)| c).collect();
        if s.len() != 36 || HYPHENS.iter().any(|&i| s[i] != b'-') {
            return None;
        }
        let mut out = [0u8; 16];
        for (byte, pair) in out.iter_mut().zip(digits.chunks_exact(2)) {
            *byte = hex(pair[0])? << 4 | hex(pair[1])?;
        }
        Some(out)
    }

    /// Every byte value at every position of a valid UUID, and UUIDs of
    /// every digit in every place: as the character-by-character reference.
    #[test]
    fn uuid_parse_matches_a_plain_parse() {
        let valid = *b"0123abcd-ef45-6789-a0b1-c2d3e4f5a6b7";
        for at in 0..36 {
            for c in 0..=255u8 {
                let mut s = valid;
                s[at] = c;
                let ours = std::str::from_utf8(&s).ok().map(|t| Uuid::parse_lower(t).ok().map(|u| u.0));
                assert!(ours.is_none() || ours == Some(plain_parse(&s)), "{at} {c}");
            }
        }
        for d in b"0123456789abcdef" {
            let mut s = [*d; 36];
            HYPHENS.iter().for_each(|&i| s[i] = b'-');
            let text = std::str::from_utf8(&s).unwrap();
            assert_eq!(Uuid::parse_lower(text).ok().map(|u| u.0), plain_parse(&s), "{text}");
            assert_eq!(Uuid::parse_lower(text).unwrap().to_string(), text);
        }
    }

    #[test]
    fn hex_words_decode_every_lane() {
        assert_eq!(hex8(u64::from_be_bytes(*b"0123abcd")), Some(0x0123_abcd));
        assert_eq!(hex8(u64::from_be_bytes(*b"ffffffff")), Some(0xffff_ffff));
        assert_eq!(hex8(u64::from_be_bytes(*b"90fa0000")), Some(0x90fa_0000));
        for bad in [*b"0123abcg", *b"/1234567", *b":0000000", *b"`0000000", *b"0000000G", *b"\xb00000000"] {
            assert_eq!(hex8(u64::from_be_bytes(bad)), None, "{bad:?}");
        }
    }

    #[test]
    fn v4_bits() {
        let u = Uuid::new_v4([0xFF; 16]);
        assert_eq!(u.to_string(), "ffffffff-ffff-4fff-bfff-ffffffffffff");
    }

    #[test]
    fn cvr() {
        assert_eq!(Cvr::parse("00012345").unwrap().to_string(), "00012345");
        assert_eq!(Cvr::parse("29189846").unwrap().value(), 29189846);
        for bad in ["1234567", "123456789", "1234567a", "١٢٣٤٥٦٧٨", " 12345678"] {
            assert!(Cvr::parse(bad).is_err(), "{bad}");
        }
    }
}
