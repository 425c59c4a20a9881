//! UTC instants with millisecond precision, as `xs:dateTime` writes them.
//! No clock is read here: callers pass the time.

use std::fmt;

/// A point in time, UTC, millisecond precision.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct UtcTime {
    unix_millis: i64,
}

/// The string is not an RFC 3339 / `xs:dateTime` with a time zone.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InvalidTime;

impl fmt::Display for InvalidTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("not an RFC 3339 date-time with a time zone (e.g. 2025-10-23T13:06:14.306Z)")
    }
}

impl std::error::Error for InvalidTime {}

impl UtcTime {
    /// Milliseconds since 1970-01-01T00:00:00Z.
    pub const fn from_unix_millis(unix_millis: i64) -> Self {
        UtcTime { unix_millis }
    }

    /// Milliseconds since 1970-01-01T00:00:00Z.
    pub const fn unix_millis(&self) -> i64 {
        self.unix_millis
    }

    /// Seconds since the epoch, rounded down.
    pub const fn unix_seconds(&self) -> i64 {
        self.unix_millis.div_euclid(1000)
    }

    /// This instant moved by `millis` (saturating).
    pub const fn add_millis(&self, millis: i64) -> Self {
        UtcTime { unix_millis: self.unix_millis.saturating_add(millis) }
    }

    /// Parses `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`. Fractions beyond
    /// milliseconds are truncated; a time zone is required.
    pub fn parse(s: &str) -> Result<UtcTime, InvalidTime> {
        let b = s.as_bytes();
        if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || b[10] != b'T' || b[13] != b':' || b[16] != b':' {
            return Err(InvalidTime);
        }
        let year = digits(&b[0..4])?;
        let (month, day) = (digits(&b[5..7])?, digits(&b[8..10])?);
        let (hour, minute, second) = (digits(&b[11..13])?, digits(&b[14..16])?, digits(&b[17..19])?);
        if !(1..=12).contains(&month)
            || day == 0
            || day > days_in_month(year, month)
            || hour > 23
            || minute > 59
            || second > 59
        {
            return Err(InvalidTime);
        }
        let (millis, zone_at) = fraction(b, 19)?;
        let offset_minutes = zone(&b[zone_at..])?;
        let days = days_from_civil(year, month, day);
        let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offset_minutes * 60;
        Ok(UtcTime { unix_millis: seconds * 1000 + millis })
    }
}

fn digits(b: &[u8]) -> Result<i64, InvalidTime> {
    if b.is_empty() || !b.iter().all(u8::is_ascii_digit) {
        return Err(InvalidTime);
    }
    Ok(b.iter().fold(0i64, |acc, &d| acc * 10 + i64::from(d - b'0')))
}

/// Optional `.fraction` at `at`: milliseconds and the offset after it.
fn fraction(b: &[u8], at: usize) -> Result<(i64, usize), InvalidTime> {
    if b.get(at) != Some(&b'.') {
        return Ok((0, at));
    }
    let len = b[at + 1..].iter().take_while(|d| d.is_ascii_digit()).count();
    if len == 0 {
        return Err(InvalidTime);
    }
    let mut millis = 0;
    for i in 0..3 {
        let d = b.get(at + 1 + i).filter(|_| i < len).map_or(0, |&d| i64::from(d - b'0'));
        millis = millis * 10 + d;
    }
    Ok((millis, at + 1 + len))
}

/// `Z` or `±HH:MM`, as minutes east of UTC.
fn zone(b: &[u8]) -> Result<i64, InvalidTime> {
    match b {
        [b'Z'] => Ok(0),
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
            let (h, m) = (digits(&[*h1, *h2])?, digits(&[*m1, *m2])?);
            if h > 14 || m > 59 {
                return Err(InvalidTime);
            }
            Ok(if *sign == b'+' { h * 60 + m } else { -(h * 60 + m) })
        }
        _ => Err(InvalidTime),
    }
}

fn is_leap(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (era-based computation).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let year_of_era = y - era * 400;
    let shifted_month = (month + 9) % 12;
    let day_of_year = (153 * shifted_month + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The inverse of [`days_from_civil`].
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z - era * 146_097;
    let year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let mp = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

impl UtcTime {
    /// The fields `YYYY, MM, DD, HH, MM, SS, mmm` of this instant.
    fn fields(&self) -> [i64; 7] {
        let secs = self.unix_millis.div_euclid(1000);
        let millis = self.unix_millis.rem_euclid(1000);
        let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
        let (y, mo, d) = civil_from_days(days);
        [y, mo, d, rem / 3600, rem % 3600 / 60, rem % 60, millis]
    }

    /// Appends the [`Display`](fmt::Display) form to `out` without the
    /// formatting machinery (the signer writes two per message).
    pub(crate) fn push_to(&self, out: &mut String) {
        let [y, mo, d, h, mi, s, ms] = self.fields();
        if !(0..=9999).contains(&y) {
            out.push_str(&self.to_string());
            return;
        }
        let mut b = *b"0000-00-00T00:00:00.000Z";
        let mut put = |at: usize, width: usize, mut v: i64| {
            for i in (at..at + width).rev() {
                b[i] = b'0' + (v % 10) as u8;
                v /= 10;
            }
        };
        put(0, 4, y);
        put(5, 2, mo);
        put(8, 2, d);
        put(11, 2, h);
        put(14, 2, mi);
        put(17, 2, s);
        put(20, 3, ms);
        out.push_str(std::str::from_utf8(&b).unwrap_or_default());
    }
}

impl fmt::Display for UtcTime {
    /// `YYYY-MM-DDTHH:MM:SS.mmmZ`
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let [y, mo, d, h, mi, s, millis] = self.fields();
        write!(f, "{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{millis:03}Z")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_and_format() {
        let t = UtcTime::parse("2025-10-23T13:06:14.306Z").unwrap();
        assert_eq!(t.unix_millis(), 1_761_224_774_306);
        assert_eq!(t.to_string(), "2025-10-23T13:06:14.306Z");
        assert_eq!(UtcTime::parse("1970-01-01T00:00:00Z").unwrap().unix_millis(), 0);
        assert_eq!(UtcTime::parse("2020-07-02T11:42:01.2+02:00").unwrap().to_string(), "2020-07-02T09:42:01.200Z");
        assert_eq!(UtcTime::parse("2024-02-29T23:59:59.9999999Z").unwrap().to_string(), "2024-02-29T23:59:59.999Z");
        assert_eq!(UtcTime::from_unix_millis(-1).to_string(), "1969-12-31T23:59:59.999Z");
    }

    #[test]
    fn pushed_as_displayed() {
        let day = 86_400_000;
        let instants =
            [0, -1, 1, 999, 1_761_224_774_306, 253_402_300_799_999, 253_402_300_800_000, -62_167_219_200_001];
        for millis in instants.into_iter().chain((0..2000).map(|i| i * 7 * day + i * 3_600_007)) {
            let t = UtcTime::from_unix_millis(millis);
            let mut pushed = String::from("x");
            t.push_to(&mut pushed);
            assert_eq!(pushed, format!("x{t}"), "{millis}");
        }
    }

    #[test]
    fn refuses_malformed() {
        for bad in [
            "2025-10-23T13:06:14",
            "2025-10-23 13:06:14Z",
            "2023-02-29T00:00:00Z",
            "2025-13-01T00:00:00Z",
            "2025-10-23T24:00:00Z",
            "2025-10-23T13:06:14.Z",
            "2025-10-23T13:06:14+0200",
            "2025-1a-23T13:06:14Z",
        ] {
            assert_eq!(UtcTime::parse(bad), Err(InvalidTime), "{bad}");
        }
    }

    #[test]
    fn civil_round_trip() {
        for days in (-800_000..800_000).step_by(997) {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
    }
}
