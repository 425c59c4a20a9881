//! Shortcuts of the push parser for the commonest tokens. Each gives
//! exactly the token the lexer would give, or leaves the case to it.

use memchr::memchr3;

use super::utf8::ChunkText;
use crate::xml::chars::{ascii_name_run, find_stop, is_ascii_ncname_start, plain_reference};
use crate::xml::lex::{ascii_qname, LexLimits, QSpan};

/// How far [`plain_text`] looks: longer text goes to the lexer (which
/// would otherwise scan it a second time).
const QUICK_TEXT: usize = 256;

/// Character data at `pos` that reaches a `<` within `limit` bytes and
/// [`QUICK_TEXT`], with no `&` or `]` before it: its end, where the lexer
/// ends it too (it stops at the first of those three bytes). `None` for
/// anything else, which the lexer reads or refuses.
pub(super) fn plain_text(window: &[u8], pos: usize, limit: usize) -> Option<usize> {
    let rest = window.get(pos..)?;
    let hay = &rest[..rest.len().min(QUICK_TEXT)];
    let p = memchr3(b'<', b'&', b']', hay)?;
    (p > 0 && hay[p] == b'<' && p <= limit).then_some(pos + p)
}

/// The end of `</name>` at `pos` when `name` is the innermost open
/// element's, written without whitespace: the lexer would read the same
/// token, and it matches. `None` leaves every other case to it.
#[inline(always)]
pub(super) fn matching_end(window: &[u8], pos: usize, name: &[u8]) -> Option<usize> {
    let name_end = pos + 2 + name.len();
    let simple = window.get(pos + 1) == Some(&b'/')
        && window.get(name_end) == Some(&b'>')
        && window.get(pos + 2..name_end).is_some_and(|written| same_name(written, name));
    simple.then_some(name_end + 1)
}

/// Whether `a` sorts after `b` bytewise, compared inline (a call to
/// `memcmp`, even for an empty `b`, cost more than the comparison).
#[inline(always)]
fn sorts_after(a: &[u8], b: &[u8]) -> bool {
    match a.iter().zip(b).find(|(x, y)| x != y) {
        Some((x, y)) => x > y,
        None => a.len() > b.len(),
    }
}

/// Equal names, compared eight bytes at a time inline: a call to `memcmp`
/// for every end tag cost more than the comparison.
#[inline(always)]
fn same_name(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    if n != b.len() {
        return false;
    }
    if n < 8 {
        return a.iter().zip(b).fold(true, |same, (x, y)| same & (x == y));
    }
    let word = |s: &[u8], at: usize| {
        let mut w = [0u8; 8];
        w.copy_from_slice(&s[at..at + 8]);
        u64::from_le_bytes(w)
    };
    // Whole words, then the last eight bytes (overlapping the one before).
    let mut at = 0;
    while at + 8 < n {
        if word(a, at) != word(b, at) {
            return false;
        }
        at += 8;
    }
    word(a, n - 8) == word(b, n - 8)
}

/// The text of the window of `len` bytes at `offset` in a chunk, sliced
/// from the chunk's text (which the validator had) when it covers it.
pub(super) fn window_text(chunk: ChunkText<'_>, offset: usize, len: usize) -> Option<&str> {
    let (from, text) = chunk?;
    let at = offset.checked_sub(from)?;
    text.get(at..at + len)
}

/// `window[a..b]` as text: sliced from the window's text when it was read
/// as such (the same string `as_str` gives), else converted.
pub(super) fn str_in<'w>(text: Option<&'w str>, window: &'w [u8], a: usize, b: usize) -> &'w str {
    match text {
        Some(t) => t.get(a..b).unwrap_or(""),
        None => super::parser::as_str(&window[a..b]),
    }
}

/// `<name>` at `pos`: an ASCII QName of at most `max_name` bytes followed
/// at once by `>` (no attributes, no whitespace). Returns the name and the
/// end of the tag as the lexer reads them (its ASCII path does the same
/// steps); `None` for anything else, which the lexer reads or refuses.
pub(super) fn plain_start(window: &[u8], pos: usize, max_name: usize) -> Option<(QSpan, usize)> {
    let name = ascii_qname(window, pos + 1, window.len(), max_name)?;
    let end = name.end as usize;
    (window.get(end) == Some(&b'>')).then_some((name, end + 1))
}

/// A start tag at `pos` with an ASCII QName and [simple attributes](simple_attrs),
/// `>` or `/>` at once after them: the name, the end of the tag and
/// whether it was empty.
#[inline(always)]
pub(super) fn simple_start(window: &[u8], pos: usize, limits: &LexLimits) -> Option<(QSpan, usize, bool)> {
    let name = ascii_qname(window, pos + 1, window.len(), limits.name)?;
    let (end, empty) = simple_attrs(window, name.end as usize, limits)?;
    Some((name, end, empty))
}

/// Attributes from `at` to the end of the tag, each ` name="value"` as
/// canonical form writes it: one space before it, an ASCII name without a
/// prefix (so no namespace declaration but `xmlns`, refused here), the
/// names in strictly increasing order (as canonical form sorts them; no
/// duplicates), a value between double quotes without `&`, `<`, tab, line
/// feed or carriage return (nothing to expand, normalize or escape), all
/// within the limits. No `Id` or `ID` either: the pipeline looks for
/// those. Returns the end of the tag and whether it was `/>`.
#[inline(always)]
fn simple_attrs(window: &[u8], mut at: usize, limits: &LexLimits) -> Option<(usize, bool)> {
    let (mut last, mut count): (&[u8], usize) = (&[], 0);
    loop {
        match *window.get(at)? {
            b'>' => return Some((at + 1, false)),
            b'/' => return (window.get(at + 1) == Some(&b'>')).then_some((at + 2, true)),
            b' ' if count < limits.attributes => count += 1,
            _ => return None,
        }
        let bytes = window.get(at + 1..)?;
        let len = 1 + ascii_name_run(bytes.get(1..)?);
        let name = &bytes[..len];
        let plain = is_ascii_ncname_start(name[0]) && len <= limits.name && sorts_after(name, last);
        if !plain || matches!(name, b"xmlns" | b"Id" | b"ID") || bytes.get(len..len + 2)? != b"=\"" {
            return None;
        }
        let value = &bytes[len + 2..];
        let close = memchr::memchr(b'"', &value[..value.len().min(limits.attribute_value + 1)])?;
        if value[..close].iter().any(|&b| matches!(b, b'&' | b'<' | b'\t' | b'\n' | b'\r')) {
            return None;
        }
        last = name;
        at += 1 + len + 2 + close + 1;
    }
}

/// Character data at `pos` that ends at a `<` in the window and holds no
/// `>` or `\r` and no reference but `&amp;`, `&lt;` and `&gt;`: its end.
/// The lexer reads it as one text token (no `]]>` without a `>`), and
/// exclusive canonical form writes it as it stands. `None` for anything
/// else, and for text that reaches the window's edge.
#[inline(always)]
pub(super) fn simple_text(window: &[u8], pos: usize) -> Option<usize> {
    let mut from = pos;
    loop {
        let hay = window.get(from..)?;
        let p = find_stop(hay)?;
        match hay[p] {
            b'<' => return Some(from + p),
            b'&' => from += p + plain_reference(&hay[p..])?,
            _ => return None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xml::lex::{LexLimits, Lexer, Token};
    use crate::Limits;

    /// Wherever the shortcut answers, the lexer reads the same plain text.
    #[test]
    fn plain_text_is_read_as_the_lexer_reads_it() {
        let texts = ["ab<", "a&amp;b<", "a]b<", "a]]>b<", "abc", "æøå 1 2\r\n<", "<", " <", "a&b"];
        let limits = LexLimits::from(&Limits::default());
        for text in texts {
            for limit in [0, 1, 2, 3, 10, 1 << 20] {
                let src = format!("<x>{text}tail<y/>");
                let bytes = src.as_bytes();
                let Some(end) = plain_text(bytes, 3, limit) else { continue };
                let lexed = Lexer::new(bytes, 3, bytes.len(), LexLimits { text: limit, ..limits }).next_token(None);
                assert_eq!(lexed, Ok(Token::Text { start: 3, end, has_ref: false }), "{text} {limit}");
            }
        }
        let long = format!("{}<", "a".repeat(QUICK_TEXT));
        assert_eq!(plain_text(long.as_bytes(), 0, 1 << 20), None);
    }

    /// Wherever the shortcut answers, the lexer reads the same start tag
    /// with no attributes.
    #[test]
    fn plain_start_tags_are_read_as_the_lexer_reads_them() {
        let tags = [
            "<a>",
            "<a:b>",
            "<a:b >",
            "<a:b/>",
            "<a b='1'>",
            "<a:>",
            "<:a>",
            "<a:b:c>",
            "<a:ø>",
            "<ø>",
            "<aø>",
            "<a",
            "<a:b",
            "<a:",
            "<1a>",
            "<a.b-c_d:e.f-g_1>",
            "<ab:cd/>",
            "<abcdefghijklmnop:qrstuvwxyzABCDEFGH>",
            "< a>",
            "<a\t>",
            "<abc",
            "<_:_>",
            "<a:1>",
        ];
        let limits = LexLimits::from(&Limits::default());
        for tag in tags {
            let src = format!("xx{tag}tail");
            let bytes = src.as_bytes();
            let quick = plain_start(bytes, 2, limits.name);
            let mut lexer = Lexer::new(bytes, 2, bytes.len(), limits);
            let lexed = lexer.next_token(None);
            if let Some((name, end)) = quick {
                assert_eq!(lexed, Ok(Token::Start { start: 2, end, name, empty: false }), "{tag}");
                assert!(lexer.attrs.is_empty(), "{tag}");
            }
        }
        for max in 1..8 {
            let quick = plain_start(b"<abc:d>", 0, max);
            assert_eq!(quick.is_some(), max >= 5, "{max}");
            let limits = LexLimits { name: max, ..limits };
            let lexed = Lexer::new(b"<abc:d>", 0, 7, limits).next_token(None);
            if let Some((name, end)) = quick {
                assert_eq!(lexed, Ok(Token::Start { start: 0, end, name, empty: false }), "{max}");
            } else {
                assert!(lexed.is_err(), "{max}");
            }
        }
    }

    #[test]
    fn names_sort_bytewise() {
        let names = ["", "a", "ab", "abc", "abd", "b", "B", "a1", "kode", "kodeord"];
        for a in names {
            for b in names {
                assert_eq!(sorts_after(a.as_bytes(), b.as_bytes()), a > b, "{a} {b}");
            }
        }
    }

    #[test]
    fn names_compare_whole() {
        let names = ["", "a", "ab", "abcdefg", "abcdefgh", "abcdefghi", "ns3:Postnummer", "ns3:Postnummer-og-by"];
        for a in names {
            for b in names {
                assert_eq!(same_name(a.as_bytes(), b.as_bytes()), a == b, "{a} {b}");
            }
            for i in 0..a.len() {
                let mut c = a.as_bytes().to_vec();
                c[i] ^= 1;
                assert!(!same_name(a.as_bytes(), &c), "{a} at {i}");
            }
        }
    }

    /// Wherever the run shortcuts answer, the lexer reads the same token:
    /// empty start tags, and text with the references canonical form keeps.
    #[test]
    fn simple_tokens_are_read_as_the_lexer_reads_them() {
        let limits = LexLimits::from(&Limits::default());
        let tags = ["<a/>", "<a:b/>", "<a:b/ >", "<a/", "<a:b>", "<a />", "<a:/>", "<a//>", "<a b=\"1\">"];
        let tags = tags.iter().chain(&["<a:b c=\"x y\" d=\"\"/>", "<a b=\"1\" c=\"é>\">", "<a b=\"1\"/>"]);
        for tag in tags {
            let src = format!("xx{tag}tail");
            let bytes = src.as_bytes();
            let Some((name, end, empty)) = simple_start(bytes, 2, &limits) else {
                assert!(!tag.ends_with("\">"), "{tag}");
                continue;
            };
            let lexed = Lexer::new(bytes, 2, bytes.len(), limits).next_token(None);
            assert_eq!(lexed, Ok(Token::Start { start: 2, end, name, empty }), "{tag}");
        }
        let texts = ["ab<", "a&amp;b&lt;&gt;<", "]]<", "æ ø<", "a&amp<", "a&quot;<", "a>b<", "a\r\nb<", "abc"];
        let taken = texts.map(|t| simple_text(t.as_bytes(), 0));
        assert_eq!(taken, [Some(2), Some(15), Some(2), Some(5), None, None, None, None, None]);
        for (text, end) in texts.iter().zip(taken) {
            let Some(end) = end else { continue };
            let lexed = Lexer::new(text.as_bytes(), 0, text.len(), limits).next_token(None);
            assert!(matches!(lexed, Ok(Token::Text { start: 0, end: e, .. }) if e == end), "{text}");
        }
        // Longer than a block of eight, the stop in each lane.
        for at in 0..20 {
            for stop in ["<", "&", ">", "\r"] {
                let text = format!("{}{stop}x<", "a".repeat(at));
                let expected = (stop == "<").then_some(at);
                assert_eq!(simple_text(text.as_bytes(), 0), expected, "{text:?}");
            }
        }
    }
}
