//! Character data and attribute values as the XML infoset sees them:
//! references expanded, line endings normalized, attribute whitespace
//! normalized. Borrowed whenever nothing has to change.

use std::borrow::Cow;

use memchr::{memchr, memchr2};

use super::lex::parse_reference;
use super::Span;

/// Character data of `span` (text, or the inside of a CDATA section when
/// `has_ref` is false): references expanded, `\r\n` and `\r` turned into `\n`.
pub(crate) fn text_value(src: &str, span: Span, has_ref: bool) -> Cow<'_, str> {
    let raw = &src[span.range()];
    if !has_ref && memchr(b'\r', raw.as_bytes()).is_none() {
        return Cow::Borrowed(raw);
    }
    let mut out = String::with_capacity(raw.len());
    push_text(&mut out, src, span, has_ref);
    Cow::Owned(out)
}

/// Appends the character data of `span` to `out` (see [`text_value`]).
pub(crate) fn push_text(out: &mut String, src: &str, span: Span, has_ref: bool) {
    let bytes = src.as_bytes();
    let (mut at, end) = (span.start(), span.end());
    while at < end {
        let next = if has_ref { memchr2(b'&', b'\r', &bytes[at..end]) } else { memchr(b'\r', &bytes[at..end]) };
        let Some(p) = next else {
            out.push_str(&src[at..end]);
            break;
        };
        out.push_str(&src[at..at + p]);
        at += p;
        if bytes[at] == b'\r' {
            out.push('\n');
            at += if bytes.get(at + 1) == Some(&b'\n') && at + 1 < end { 2 } else { 1 };
        } else {
            let (c, next) = reference(bytes, at, end);
            out.push(c);
            at = next;
        }
    }
}

/// The normalized value of an attribute (XML 1.0 §3.3.3 for CDATA attributes):
/// references expanded; each literal tab, newline, carriage return, or
/// `\r\n` pair becomes one space. Characters written as references are kept.
pub(crate) fn attr_value(src: &str, span: Span, has_ref: bool) -> Cow<'_, str> {
    let raw = &src[span.range()];
    // Tab, newline and carriage return are the only bytes below the space
    // in a document (the others are refused), and a block test finds them.
    let needs_work = has_ref || crate::xml::chars::any_byte(raw.as_bytes(), |b| b < b' ');
    if !needs_work {
        return Cow::Borrowed(raw);
    }
    let bytes = src.as_bytes();
    let mut out = String::with_capacity(raw.len());
    let (mut at, end) = (span.start(), span.end());
    while at < end {
        let rel = bytes[at..end].iter().position(|&b| matches!(b, b'&' | b'\t' | b'\n' | b'\r'));
        let Some(p) = rel else {
            out.push_str(&src[at..end]);
            break;
        };
        out.push_str(&src[at..at + p]);
        at += p;
        match bytes[at] {
            b'&' => {
                let (c, next) = reference(bytes, at, end);
                out.push(c);
                at = next;
            }
            b'\r' if bytes.get(at + 1) == Some(&b'\n') && at + 1 < end => {
                out.push(' ');
                at += 2;
            }
            _ => {
                out.push(' ');
                at += 1;
            }
        }
    }
    Cow::Owned(out)
}

/// A reference the lexer already validated.
fn reference(bytes: &[u8], at: usize, end: usize) -> (char, usize) {
    parse_reference(bytes, at, end).unwrap_or(('\u{FFFD}', end))
}

/// Offset of the first byte of `span` that is not XML whitespace (the end when there is none).
pub(crate) fn first_non_ws(src: &str, span: Span) -> usize {
    let bytes = &src.as_bytes()[span.range()];
    span.start() + bytes.iter().position(|&b| !super::chars::is_ws(b)).unwrap_or(bytes.len())
}

/// Whether a string is only XML whitespace.
pub(crate) fn is_blank(s: &str) -> bool {
    s.bytes().all(super::chars::is_ws)
}

/// Trims XML whitespace (not Unicode whitespace) from both ends.
pub(crate) fn trim_xml(s: &str) -> &str {
    s.trim_matches(|c| matches!(c, ' ' | '\t' | '\n' | '\r'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span(s: &str) -> Span {
        Span::new(0, s.len())
    }

    #[test]
    fn text_is_borrowed_when_clean() {
        let s = "plain text";
        assert!(matches!(text_value(s, span(s), false), Cow::Borrowed("plain text")));
    }

    #[test]
    fn text_expands_refs_and_line_ends() {
        let s = "a&lt;b&#x41;\r\nc\rd&amp;amp;";
        assert_eq!(text_value(s, span(s), true), "a<bA\nc\nd&amp;");
        let s = "x\r\n\r";
        assert_eq!(text_value(s, span(s), false), "x\n\n");
    }

    #[test]
    fn attribute_normalization() {
        let s = "a\tb\r\nc\nd&#9;e&#xA;&amp;";
        assert_eq!(attr_value(s, span(s), true), "a b c d\te\n&");
        assert!(matches!(attr_value("v1", span("v1"), false), Cow::Borrowed("v1")));
        // Long values: a line end found in any 32-byte block, at either end.
        let long = "x".repeat(40);
        for v in [format!("{long}\n"), format!("\t{long}"), format!("{long}\r\n{long}")] {
            assert_eq!(attr_value(&v, span(&v), false), v.replace("\r\n", " ").replace(['\t', '\n'], " "));
        }
        assert!(matches!(attr_value(&long, span(&long), false), Cow::Borrowed(_)));
    }

    #[test]
    fn trimming_is_xml_whitespace_only() {
        assert_eq!(trim_xml(" \t\nabc\r\n"), "abc");
        assert_eq!(trim_xml("\u{A0}x"), "\u{A0}x");
        assert!(is_blank(" \n\t") && !is_blank(" x"));
    }
}
