//! Output escaping of Canonical XML, applied straight to the raw input bytes
//! (references expanded, line ends and attribute whitespace normalized in the
//! same pass), so no normalized copy is ever built.

use memchr::{memchr3, memmem};

use super::sink::Writer;
use super::Sink;
use crate::xml::chars::any_byte;
use crate::xml::lex::parse_reference;

/// Text up to this long is checked in one pass before it is searched.
const SHORT: usize = 64;

/// A character of text content, escaped: `& < >` and carriage return.
fn text_char<S: Sink>(out: &mut Writer<S>, c: char) {
    match c {
        '&' => out.push(b"&amp;"),
        '<' => out.push(b"&lt;"),
        '>' => out.push(b"&gt;"),
        '\r' => out.push(b"&#xD;"),
        c => out.push_char(c),
    }
}

/// A character of an attribute value, escaped: `& < "`, tab, newline, carriage return.
fn attr_char<S: Sink>(out: &mut Writer<S>, c: char) {
    match c {
        '&' => out.push(b"&amp;"),
        '<' => out.push(b"&lt;"),
        '"' => out.push(b"&quot;"),
        '\t' => out.push(b"&#x9;"),
        '\n' => out.push(b"&#xA;"),
        '\r' => out.push(b"&#xD;"),
        c => out.push_char(c),
    }
}

/// Character data as written in the source (`raw` may hold references),
/// canonicalized: references expanded, line ends normalized, then escaped.
pub(crate) fn text<S: Sink>(out: &mut Writer<S>, raw: &[u8], has_ref: bool) {
    if short_and_plain(raw) {
        out.push(raw);
    } else {
        text_escaped(out, raw, has_ref);
    }
}

/// [`text`] of the run `src[at..end]`, a short plain one copied as a block ([`Writer::push_run`]).
#[inline]
pub(crate) fn text_in<S: Sink>(out: &mut Writer<S>, src: &[u8], (at, end): (usize, usize), has_ref: bool) {
    let raw = &src[at..end];
    if short_and_plain(raw) {
        out.push_run(b"", src, (at, end), b"");
    } else {
        text_escaped(out, raw, has_ref);
    }
}

/// Most text is short (a value, an indentation) and plain: one pass
/// without early exit is cheaper there than setting up a `memchr`.
#[inline]
fn short_and_plain(raw: &[u8]) -> bool {
    raw.len() <= SHORT && !any_byte(raw, |b| matches!(b, b'&' | b'>' | b'\r'))
}

fn text_escaped<S: Sink>(out: &mut Writer<S>, raw: &[u8], has_ref: bool) {
    let mut at = 0;
    while at < raw.len() {
        let next =
            if has_ref { memchr3(b'&', b'>', b'\r', &raw[at..]) } else { memchr::memchr2(b'>', b'\r', &raw[at..]) };
        let Some(p) = next else {
            out.push(&raw[at..]);
            return;
        };
        out.push(&raw[at..at + p]);
        at += p;
        match raw[at] {
            b'>' => {
                out.push(b"&gt;");
                at += 1;
            }
            b'\r' => {
                out.push(b"\n");
                at += if raw.get(at + 1) == Some(&b'\n') { 2 } else { 1 };
            }
            _ => {
                let (c, next) = reference(raw, at);
                text_char(out, c);
                at = next;
            }
        }
    }
}

/// The inside of a CDATA section: no references; `& < >` escaped, line ends normalized.
pub(crate) fn cdata<S: Sink>(out: &mut Writer<S>, raw: &[u8]) {
    let mut at = 0;
    while at < raw.len() {
        let Some(p) = raw[at..].iter().position(|&b| matches!(b, b'&' | b'<' | b'>' | b'\r')) else {
            out.push(&raw[at..]);
            return;
        };
        out.push(&raw[at..at + p]);
        at += p;
        match raw[at] {
            b'&' => out.push(b"&amp;"),
            b'<' => out.push(b"&lt;"),
            b'>' => out.push(b"&gt;"),
            _ => {
                out.push(b"\n");
                if raw.get(at + 1) == Some(&b'\n') {
                    at += 1;
                }
            }
        }
        at += 1;
    }
}

/// An attribute value as written in the source, canonicalized: references
/// expanded, literal whitespace characters normalized to spaces (a `\r\n`
/// pair to one space), then escaped.
pub(crate) fn attr_raw<S: Sink>(out: &mut Writer<S>, raw: &[u8]) {
    if !may_need_attr_escaping(raw) {
        out.push(raw);
        return;
    }
    let mut at = 0;
    while at < raw.len() {
        let Some(p) = raw[at..].iter().position(|&b| matches!(b, b'&' | b'"' | b'\t' | b'\n' | b'\r')) else {
            out.push(&raw[at..]);
            return;
        };
        out.push(&raw[at..at + p]);
        at += p;
        match raw[at] {
            b'&' => {
                let (c, next) = reference(raw, at);
                attr_char(out, c);
                at = next;
            }
            b'"' => {
                out.push(b"&quot;");
                at += 1;
            }
            b'\r' if raw.get(at + 1) == Some(&b'\n') => {
                out.push(b" ");
                at += 2;
            }
            _ => {
                out.push(b" ");
                at += 1;
            }
        }
    }
}

/// Whether `raw` has a byte [`attr_raw`] may change: `&`, or one below `#`
/// (`"`, tab, newline, carriage return; a space or `!` merely takes the
/// long way). Eight bytes a step, as a word: a byte below `n` borrows from
/// its top bit in `w - n` per byte, which `!w` keeps only for bytes that
/// had it clear (the answer is exact, a borrow only spreads above a hit).
fn may_need_attr_escaping(raw: &[u8]) -> bool {
    const ONES: u64 = u64::from_le_bytes([1; 8]);
    const HIGH: u64 = ONES * 0x80;
    let below = |w: u64, n: u8| w.wrapping_sub(ONES * u64::from(n)) & !w & HIGH;
    let hits = |w: u64| below(w, b'#') | below(w ^ (ONES * u64::from(b'&')), 1);
    let mut words = raw.chunks_exact(8);
    let mut found = 0;
    for word in &mut words {
        let mut bytes = [0; 8];
        bytes.copy_from_slice(word);
        found |= hits(u64::from_le_bytes(bytes));
    }
    let rest = words.remainder();
    let mut last = [b'a'; 8];
    last[..rest.len()].copy_from_slice(rest);
    found | hits(u64::from_le_bytes(last)) != 0
}

/// An attribute value that is already normalized (e.g. an inherited `xml:*`
/// value or a namespace URI): runs without special characters are copied whole.
pub(crate) fn attr_value<S: Sink>(out: &mut Writer<S>, value: &str) {
    let bytes = value.as_bytes();
    if !attr_value_escapes(value) {
        out.push(bytes);
        return;
    }
    let mut at = 0;
    while let Some(p) = bytes[at..].iter().position(|&b| matches!(b, b'&' | b'<' | b'"' | b'\t' | b'\n' | b'\r')) {
        out.push(&bytes[at..at + p]);
        attr_char(out, char::from(bytes[at + p]));
        at += p + 1;
    }
    out.push(&bytes[at..]);
}

/// Whether [`attr_value`] changes anything in `value`.
#[inline]
pub(crate) fn attr_value_escapes(value: &str) -> bool {
    any_byte(value.as_bytes(), |b| matches!(b, b'&' | b'<' | b'"' | b'\t' | b'\n' | b'\r'))
}

/// A processing instruction from its content between `<?` and `?>`: the
/// target, and the data after the whitespace that follows the target.
pub(crate) fn pi<S: Sink>(out: &mut Writer<S>, inner: &[u8]) {
    let target_len = inner.iter().position(|&b| crate::xml::is_ws(b)).unwrap_or(inner.len());
    let data = &inner[target_len..];
    let data = &data[data.iter().position(|&b| !crate::xml::is_ws(b)).unwrap_or(data.len())..];
    out.push(b"<?");
    out.push(&inner[..target_len]);
    if !data.is_empty() {
        out.push(b" ");
        line_ends(out, data);
    }
    out.push(b"?>");
}

/// Comment or PI content: only line ends change.
pub(crate) fn line_ends<S: Sink>(out: &mut Writer<S>, raw: &[u8]) {
    let mut at = 0;
    let finder = memmem::Finder::new(b"\r");
    while let Some(p) = finder.find(&raw[at..]) {
        out.push(&raw[at..at + p]);
        out.push(b"\n");
        at += p + if raw.get(at + p + 1) == Some(&b'\n') { 2 } else { 1 };
    }
    out.push(&raw[at..]);
}

/// A reference the tokenizer already validated.
fn reference(raw: &[u8], at: usize) -> (char, usize) {
    parse_reference(raw, at, raw.len()).unwrap_or(('\u{FFFD}', raw.len()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(f: impl FnOnce(&mut Writer<&mut Vec<u8>>)) -> String {
        let mut v = Vec::new();
        let mut w = Writer::new(&mut v);
        f(&mut w);
        w.flush();
        String::from_utf8(v).unwrap()
    }

    #[test]
    fn text_escaping() {
        assert_eq!(run(|w| text(w, b"a&lt;b>c&#xD;\r\nd\re&amp;", true)), "a&lt;b&gt;c&#xD;\nd\ne&amp;");
        assert_eq!(run(|w| text(w, b"plain", false)), "plain");
    }

    /// Short text is checked in one pass; any special byte sends it the long way.
    #[test]
    fn short_and_long_text() {
        assert_eq!(run(|w| text(w, b"a>b", false)), "a&gt;b");
        assert_eq!(run(|w| text(w, b"a\r\nb\rc", false)), "a\nb\nc");
        assert_eq!(run(|w| text(w, b"&#62;", true)), "&gt;");
        let long = "x".repeat(SHORT + 1);
        assert_eq!(run(|w| text(w, long.as_bytes(), false)), long);
        assert_eq!(run(|w| text(w, format!("{long}>").as_bytes(), false)), format!("{long}&gt;"));
    }

    #[test]
    fn normalized_values_escape_specials_only() {
        assert_eq!(run(|w| attr_value(w, "urn:a&b<c\"d\te\nf\rg h")), "urn:a&amp;b&lt;c&quot;d&#x9;e&#xA;f&#xD;g h");
        assert_eq!(run(|w| attr_value(w, "http://example.org/å")), "http://example.org/å");
    }

    #[test]
    fn attribute_escaping() {
        assert_eq!(run(|w| attr_raw(w, b" &apos;   &#x20;&#13;&#xa;&#9;   &apos; ")), " '    &#xD;&#xA;&#x9;   ' ");
        assert_eq!(run(|w| attr_raw(w, b"a\"b\r\nc\td>e&lt;")), "a&quot;b c d>e&lt;");
    }

    /// The word-at-a-time test finds exactly the bytes it claims to, at
    /// any position, whole word or tail, beside any other byte.
    #[test]
    fn attribute_prescan_is_exact() {
        for filler in [b'#', b'\'', b'a', 0x7F, 0xC3, 0xFF] {
            for len in 1..=19 {
                for at in 0..len {
                    for b in 0..=255u8 {
                        let mut value = vec![filler; len];
                        value[at] = b;
                        let special = b < b'#' || b == b'&';
                        assert_eq!(may_need_attr_escaping(&value), special, "{value:?}");
                    }
                }
            }
        }
        assert!(!may_need_attr_escaping(b""));
        assert_eq!(run(|w| attr_raw(w, b"a b!c")), "a b!c");
    }

    #[test]
    fn cdata_and_line_ends() {
        assert_eq!(
            run(|w| cdata(w, b"value>\"0\" && value<\"10\"\r\n")),
            "value&gt;\"0\" &amp;&amp; value&lt;\"10\"\n"
        );
        assert_eq!(run(|w| line_ends(w, b"a\r\nb\rc")), "a\nb\nc");
    }
}
