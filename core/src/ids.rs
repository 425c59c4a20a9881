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

/// Where it has its 32 hex digits, in order.
const HEX_DIGITS: [usize; 32] = {
    let mut at = [0; 32];
    let (mut i, mut n) = (0, 0);
    while i < 36 {
        if !(i == 8 || i == 13 || i == 18 || i == 23) {
            at[n] = i;
            n += 1;
        }
        i += 1;
    }
    at
};

/// The value of a lower-case hex digit; 0xFF for any other byte.
const LOWER_HEX: [u8; 256] = {
    let mut t = [0xFF; 256];
    let mut i = 0;
    while i < 10 {
        t[b'0' as usize + i] = i as u8;
        i += 1;
    }
    let mut i = 0;
    while i < 6 {
        t[b'a' as usize + i] = 10 + i as u8;
        i += 1;
    }
    t
};

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
        // Table look-ups without a branch per character (UUIDs are read in
        // every InvocationContext): an invalid character sets high bits.
        let mut out = [0u8; 16];
        let mut invalid = 0u8;
        for (byte, pair) in out.iter_mut().zip(HEX_DIGITS.chunks_exact(2)) {
            let (hi, lo) = (LOWER_HEX[usize::from(b[pair[0]])], LOWER_HEX[usize::from(b[pair[1]])]);
            invalid |= hi | lo;
            *byte = (hi << 4) | (lo & 0x0F);
        }
        if invalid & 0xF0 != 0 {
            return Err(InvalidUuid);
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
