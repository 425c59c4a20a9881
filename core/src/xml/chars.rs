//! Character classes of XML 1.0 (fifth edition) and Namespaces in XML 1.0.

/// Byte classes for the ASCII range, used by the hot scanning loops.
const NAME_START: u8 = 1;
const NAME: u8 = 2;
const WS: u8 = 4;

static ASCII_CLASS: [u8; 128] = {
    let mut t = [0u8; 128];
    let mut i = 0;
    while i < 128 {
        let c = i as u8;
        let mut v = 0;
        if c.is_ascii_alphabetic() || c == b'_' {
            v |= NAME_START | NAME;
        }
        if c.is_ascii_digit() || c == b'-' || c == b'.' {
            v |= NAME;
        }
        if c == b' ' || c == b'\t' || c == b'\n' || c == b'\r' {
            v |= WS;
        }
        t[i] = v;
        i += 1;
    }
    t
};

/// `S ::= (#x20 | #x9 | #xD | #xA)+`
#[inline]
pub(crate) fn is_ws(b: u8) -> bool {
    b < 128 && ASCII_CLASS[b as usize] & WS != 0
}

/// Whether `b` may start an NCName when it is ASCII (non-ASCII needs [`is_name_start_char`]).
#[inline]
pub(crate) fn is_ascii_ncname_start(b: u8) -> bool {
    b < 128 && ASCII_CLASS[b as usize] & NAME_START != 0
}

/// Whether `b` may continue an NCName when it is ASCII.
#[inline]
pub(crate) fn is_ascii_ncname_char(b: u8) -> bool {
    b < 128 && ASCII_CLASS[b as usize] & NAME != 0
}

/// Whether some byte of `bytes` is `wanted`: tested over whole blocks with
/// no early exit inside a block, which lets the compiler test many bytes at
/// once (for the common case of a short run that has none).
#[inline]
pub(crate) fn any_byte(bytes: &[u8], wanted: impl Fn(u8) -> bool + Copy) -> bool {
    bytes.chunks(32).any(|block| block.iter().fold(false, |found, &b| found | wanted(b)))
}

/// Equal short strings (names, prefixes), compared inline: a call to
/// `memcmp` costs more than the comparison.
#[inline]
pub(crate) fn short_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x == y)
}

/// Equal names (qualified names, IDs, up to [`NAME_WORDS`] words long),
/// compared eight bytes at a time inline; longer strings with `==`.
#[inline]
pub(crate) fn name_eq(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    if n != b.len() {
        return false;
    }
    if n < 8 {
        return short_eq(a, b);
    }
    if n > 8 * NAME_WORDS {
        return a == b;
    }
    let word = |s: &[u8], at: usize| s.get(at..at + 8).map(|w| u64::from_le_bytes(w.try_into().unwrap_or([0; 8])));
    // Whole words from the start, then the last eight bytes (overlapping).
    (0..n - 8).step_by(8).all(|at| word(a, at) == word(b, at)) && word(a, n - 8) == word(b, n - 8)
}

/// The longest [`name_eq`] compares inline, in eight-byte words.
const NAME_WORDS: usize = 8;

/// 1 for the ASCII bytes that may continue an NCName, 0 for every other byte.
static ASCII_NAME_BYTE: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < 128 {
        t[i] = (ASCII_CLASS[i] & NAME != 0) as u8;
        i += 1;
    }
    t
};

/// How many leading bytes of `bytes` are ASCII NCName characters. Four
/// bytes per step, each a table look-up and a test: names are short, and
/// leaving at the first byte past the name costs less than classifying
/// whole blocks.
#[inline(always)]
pub(crate) fn ascii_name_run(bytes: &[u8]) -> usize {
    let name = |b: u8| ASCII_NAME_BYTE[usize::from(b)] != 0;
    let mut run = 0;
    while let Some(&[b0, b1, b2, b3]) = bytes.get(run..run + 4) {
        if !name(b0) {
            return run;
        }
        if !name(b1) {
            return run + 1;
        }
        if !name(b2) {
            return run + 2;
        }
        if !name(b3) {
            return run + 3;
        }
        run += 4;
    }
    run + bytes[run..].iter().take_while(|&&b| name(b)).count()
}

/// `NameStartChar` without `:` (NCName rules), for any character.
pub(crate) fn is_name_start_char(c: char) -> bool {
    let c = c as u32;
    if c < 128 {
        return ASCII_CLASS[c as usize] & NAME_START != 0;
    }
    matches!(c,
        0xC0..=0xD6 | 0xD8..=0xF6 | 0xF8..=0x2FF | 0x370..=0x37D | 0x37F..=0x1FFF
        | 0x200C..=0x200D | 0x2070..=0x218F | 0x2C00..=0x2FEF | 0x3001..=0xD7FF
        | 0xF900..=0xFDCF | 0xFDF0..=0xFFFD | 0x10000..=0xEFFFF)
}

/// `NameChar` without `:`, for any character.
pub(crate) fn is_name_char(c: char) -> bool {
    let u = c as u32;
    if u < 128 {
        return ASCII_CLASS[u as usize] & NAME != 0;
    }
    is_name_start_char(c) || u == 0xB7 || matches!(u, 0x300..=0x36F | 0x203F..=0x2040)
}

/// `Char ::= #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF]`
pub(crate) fn is_xml_char(c: u32) -> bool {
    matches!(c, 0x9 | 0xA | 0xD | 0x20..=0xD7FF | 0xE000..=0xFFFD | 0x10000..=0x10FFFF)
}

/// Whether a whole string is an NCName.
pub(crate) fn is_ncname(s: &str) -> bool {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) if is_name_start_char(c) => chars.all(is_name_char),
        _ => false,
    }
}

/// Offset of the first character that XML 1.0 forbids anywhere in a document
/// (C0 controls other than tab, newline and carriage return; U+FFFE; U+FFFF),
/// for text that is already valid UTF-8.
pub(crate) fn find_illegal_char(text: &[u8]) -> Option<(usize, u32)> {
    // The first of either kind: a noncharacter is looked for only before the
    // first forbidden control (its three bytes are never controls).
    let control = find_control(text);
    let before = &text[..control.unwrap_or(text.len())];
    let mut from = 0;
    while let Some(p) = memchr::memchr(0xEF, &before[from..]) {
        let i = from + p;
        if before.get(i + 1) == Some(&0xBF) {
            match before.get(i + 2) {
                Some(0xBE) => return Some((i, 0xFFFE)),
                Some(0xBF) => return Some((i, 0xFFFF)),
                _ => {}
            }
        }
        from = i + 1;
    }
    control.map(|i| (i, u32::from(text[i])))
}

/// First byte below 0x20 that is not tab, newline or carriage return.
/// Checks 32 bytes per branch: a block that has any byte below 0x20 (tab and
/// line ends included) is then looked at byte by byte.
fn find_control(text: &[u8]) -> Option<usize> {
    const LOW: u64 = 0x2020_2020_2020_2020;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    // Non-zero exactly when some byte of `x` is below 0x20.
    let below = |x: u64| x.wrapping_sub(LOW) & !x & HIGH;
    let mut blocks = text.chunks_exact(32);
    let mut base = 0;
    for block in &mut blocks {
        let masks = [word(&block[..8]), word(&block[8..16]), word(&block[16..24]), word(&block[24..])].map(below);
        if masks.iter().any(|&m| m != 0) {
            // Line ends flag most blocks of line-wrapped text: look only at
            // the flagged words, each with one exact test rather than a loop.
            for (i, _) in masks.iter().enumerate().filter(|(_, &m)| m != 0) {
                let bad = forbidden_lanes(word(&block[i * 8..i * 8 + 8]));
                if bad != 0 {
                    return Some(base + i * 8 + (bad.trailing_zeros() / 8) as usize);
                }
            }
        }
        base += 32;
    }
    blocks.remainder().iter().position(|&b| is_forbidden_control(b)).map(|p| base + p)
}

/// The high bit of each lane (byte) of `x` that is a forbidden control:
/// below 0x20 and not tab, newline or carriage return. Exact per lane: no
/// sum carries into the next lane (each adds at most 0x7F to at most 0x7F).
#[inline]
fn forbidden_lanes(x: u64) -> u64 {
    const HIGH: u64 = 0x8080_8080_8080_8080;
    // High bit set where the lane is at least 0x20 (or has its own high bit).
    let at_least_space = ((x & LANE_LOW) + 0x6060_6060_6060_6060) | x;
    let allowed = !(differs(x, b'\t') & differs(x, b'\n') & differs(x, b'\r'));
    !at_least_space & !allowed & HIGH
}

#[inline]
fn is_forbidden_control(b: u8) -> bool {
    b < 0x20 && b != b'\t' && b != b'\n' && b != b'\r'
}

/// The length of the `&amp;`, `&lt;` or `&gt;` that `rest` starts with
/// (the references canonical form writes as they stand).
#[inline]
pub(crate) fn plain_reference(rest: &[u8]) -> Option<usize> {
    match rest {
        [b'&', b'a', b'm', b'p', b';', ..] => Some(5),
        [b'&', b'l' | b'g', b't', b';', ..] => Some(4),
        _ => None,
    }
}

/// The first `<`, `&`, `>` or `\r` in `hay`, eight bytes per step: where
/// text stops being its own canonical form (both readers' runs of simple
/// markup).
#[inline(always)]
pub(crate) fn find_stop(hay: &[u8]) -> Option<usize> {
    let mut at = 0;
    while let Some(block) = hay.get(at..at + 8) {
        let found = stop_lanes(word(block));
        if found != 0 {
            return Some(at + (found.trailing_zeros() / 8) as usize);
        }
        at += 8;
    }
    hay[at..].iter().position(|&b| matches!(b, b'<' | b'&' | b'>' | b'\r')).map(|p| p + at)
}

/// The high bit set in each lane of `x` that is `<`, `&`, `>` or `\r`.
#[inline(always)]
pub(crate) fn stop_lanes(x: u64) -> u64 {
    !(differs(x, b'<') & differs(x, b'&') & differs(x, b'>') & differs(x, b'\r')) & !LANE_LOW
}

/// The eight bytes of `block` as a little-endian word.
#[inline(always)]
pub(crate) fn word(block: &[u8]) -> u64 {
    let mut w = [0u8; 8];
    w.copy_from_slice(block);
    u64::from_le_bytes(w)
}

/// The low seven bits of every lane.
pub(crate) const LANE_LOW: u64 = 0x7F7F_7F7F_7F7F_7F7F;

/// The high bit set in each lane of `x` that is not `c`. A lane of
/// `x ^ splat(c)` is zero exactly when its high bit is clear and its low
/// seven bits plus 0x7F stay below 0x80; those sums never carry into the
/// next lane.
#[inline(always)]
pub(crate) fn differs(x: u64, c: u8) -> u64 {
    let z = x ^ (0x0101_0101_0101_0101 * u64::from(c));
    ((z & LANE_LOW) + LANE_LOW) | z
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn name_runs_match_a_byte_by_byte_scan() {
        let plain = |b: &[u8]| b.iter().take_while(|&&c| is_ascii_ncname_char(c)).count();
        let cases: [&[u8]; 9] = [
            b"",
            b"a",
            b"abcdefg",
            b"abcdefgh",
            b"abcdefghi>",
            b"Assertion xmlns",
            b"saml:Assertion",
            b"SubjectConfirmationData ",
            b"x\xc3\xa9t\xc3\xa9",
        ];
        for case in cases {
            assert_eq!(ascii_name_run(case), plain(case), "{case:?}");
        }
        for stop in 0..=255u8 {
            let mut bytes = *b"abcdefghijklmnopqrst";
            bytes[11] = stop;
            assert_eq!(ascii_name_run(&bytes), plain(&bytes), "byte {stop}");
        }
    }

    #[test]
    fn name_eq_is_byte_equality() {
        let base: Vec<u8> = (0..80u8).map(|i| b'a' + i % 26).collect();
        for len in 0..base.len() {
            let a = &base[..len];
            assert!(name_eq(a, a), "{len}");
            assert!(!name_eq(a, &base[..len + 1]), "{len}");
            for at in 0..len {
                let mut b = a.to_vec();
                b[at] ^= 0x20;
                assert!(!name_eq(a, &b), "{len} at {at}");
            }
        }
    }

    #[test]
    fn forbidden_lanes_match_the_byte_test() {
        for b in 0..=255u8 {
            for lane in 0..8 {
                let mut bytes = [b' '; 8];
                bytes[lane] = b;
                // Neighbours that must not disturb the lane: below, at and above 0x20.
                bytes[(lane + 1) % 8] = [0x0A, 0x1F, 0xFF, 0x00][usize::from(b) % 4];
                let mask = forbidden_lanes(u64::from_le_bytes(bytes));
                for (i, &c) in bytes.iter().enumerate() {
                    assert_eq!(mask >> (8 * i + 7) & 1 == 1, is_forbidden_control(c), "{bytes:?} lane {i}");
                }
            }
        }
    }

    #[test]
    fn control_scan_matches_plain_loop() {
        let mut data: Vec<u8> = b"<a>\tok\r\n</a>".repeat(7);
        assert_eq!(find_illegal_char(&data), None);
        for pos in [0, 5, 8, 13, 50, data.len() - 1] {
            let saved = data[pos];
            data[pos] = 0x01;
            assert_eq!(find_illegal_char(&data), Some((pos, 1)), "at {pos}");
            data[pos] = saved;
        }
    }

    #[test]
    fn noncharacters_are_found() {
        let s = "ab\u{FFFD}c\u{FFFE}".as_bytes();
        assert_eq!(find_illegal_char(s), Some((6, 0xFFFE)));
        assert_eq!(find_illegal_char("x\u{FFFF}".as_bytes()), Some((1, 0xFFFF)));
        assert_eq!(find_illegal_char("\u{FEFF}\u{F000}".as_bytes()), None);
        // The first illegal character, whichever kind comes first (found by fuzzing `stream`).
        assert_eq!(find_illegal_char("a\u{FFFF}b\u{1}".as_bytes()), Some((1, 0xFFFF)));
        assert_eq!(find_illegal_char("a\u{1}b\u{FFFF}".as_bytes()), Some((1, 1)));
    }

    #[test]
    fn name_classes() {
        assert!(is_ncname("Envelope"));
        assert!(is_ncname("_x-1.2"));
        assert!(is_ncname("Æblegrød"));
        assert!(!is_ncname("1a"));
        assert!(!is_ncname("a:b"));
        assert!(!is_ncname(""));
        assert!(!is_ncname("-a"));
        assert!(is_name_char('\u{B7}'));
        assert!(!is_name_start_char('\u{B7}'));
    }

    #[test]
    fn xml_chars() {
        assert!(is_xml_char(0x9) && is_xml_char(0x20) && is_xml_char(0x10FFFF));
        assert!(!is_xml_char(0) && !is_xml_char(0x1F) && !is_xml_char(0xFFFE));
        assert!(!is_xml_char(0xD800));
    }

    /// Every byte, in the first and the last lane: a stop exactly for the four.
    #[test]
    fn stop_lanes_flag_exactly_the_four() {
        for b in 0..=255u8 {
            let stop = matches!(b, b'<' | b'>' | b'&' | b'\r');
            assert_eq!(stop_lanes(word(&[b, b'a', b'a', b'a', b'a', b'a', b'a', b'a'])) != 0, stop, "{b:#x}");
            assert_eq!(stop_lanes(word(&[b'a', b'a', b'a', b'a', b'a', b'a', b'a', b])) != 0, stop, "{b:#x}");
        }
    }
}
