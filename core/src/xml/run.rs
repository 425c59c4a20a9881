//! Simple markup, recognized straight from the source: attribute-less start
//! tags (`<p:name>`, `<p:name/>`) with an ASCII name, end tags repeating the
//! open element's name exactly (`</p:name>`), and text up to the next `<`
//! without `>`, `\r` or references other than `&amp;`, `&lt;`, `&gt;`. Each
//! is a token the [`Lexer`](super::lex::Lexer) accepts as it stands (within
//! the name and text limits), and in exclusive
//! canonical form each is written as it stands in the source (a start tag
//! may need a namespace declaration added, an empty element its end tag):
//! [`Reader::read_to_end_of`](super::reader::Reader::read_to_end_of) takes
//! runs of them without making events. Anything else is [`Simple::Other`],
//! for the general path, which reports any error.

use super::chars::{find_stop, plain_reference};
use super::lex::{ascii_qname, LexLimits, QSpan};

/// One token of simple markup at some offset.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Simple {
    /// `<name>` or (`empty`) `<name/>`, through `end`.
    Start { name: QSpan, end: usize, empty: bool },
    /// `</name>` repeating the open element's name exactly, through `end`.
    End { end: usize },
    /// Text up to the next `<` (at `end`), references only `&amp;`, `&lt;`, `&gt;`.
    Text { end: usize },
    /// Anything else, or the end of the input.
    Other,
}

/// The simple token at `at` of `src[..end]`, in an element named `open`.
#[inline(always)]
pub(crate) fn simple_token(src: &[u8], at: usize, end: usize, limits: &LexLimits, open: &[u8]) -> Simple {
    if at >= end {
        return Simple::Other;
    }
    if src[at] != b'<' {
        return text(src, at, end, limits.text);
    }
    if src.get(at + 1) == Some(&b'/') {
        return end_tag(src, at, end, open);
    }
    start_tag(src, at, end, limits.name)
}

#[inline(always)]
fn start_tag(src: &[u8], at: usize, end: usize, max_name: usize) -> Simple {
    let Some(name) = ascii_qname(src, at + 1, end, max_name) else {
        return Simple::Other;
    };
    // `ascii_qname` ends the name at a byte before `end`.
    let after = name.end as usize;
    match src[after] {
        b'>' => Simple::Start { name, end: after + 1, empty: false },
        b'/' if after + 1 < end && src[after + 1] == b'>' => Simple::Start { name, end: after + 2, empty: true },
        _ => Simple::Other,
    }
}

#[inline(always)]
fn end_tag(src: &[u8], at: usize, end: usize, open: &[u8]) -> Simple {
    let name_end = at + 2 + open.len();
    if open.is_empty() || name_end >= end || src[name_end] != b'>' || &src[at + 2..name_end] != open {
        return Simple::Other;
    }
    Simple::End { end: name_end + 1 }
}

/// Text within the limit `max_text` that ends at `<` and has no `>`, no
/// `\r` and no reference but `&amp;`, `&lt;` and `&gt;` (canonical form
/// writes each of those as it stands).
#[inline(always)]
fn text(src: &[u8], at: usize, end: usize, max_text: usize) -> Simple {
    // The window holds at most `max_text + 1` bytes: text ending at a `<`
    // inside it, references included, is within the limit.
    let window_end = end.min(at.saturating_add(max_text).saturating_add(1));
    let mut from = at;
    loop {
        let hay = &src[from..window_end];
        let Some(p) = find_stop(hay) else {
            return Simple::Other;
        };
        match hay[p] {
            b'<' => return Simple::Text { end: from + p },
            b'&' => match plain_reference(&hay[p..]) {
                Some(len) => from += p + len,
                None => return Simple::Other,
            },
            _ => return Simple::Other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Limits;

    fn token(s: &str, at: usize, open: &str) -> Simple {
        simple_token(s.as_bytes(), at, s.len(), &LexLimits::from(&Limits::default()), open.as_bytes())
    }

    #[test]
    fn simple_tokens_and_the_rest() {
        let name = |start, end, prefix_len| QSpan { start, end, prefix_len };
        assert_eq!(token("<p:a>", 0, ""), Simple::Start { name: name(1, 4, 1), end: 5, empty: false });
        assert_eq!(token("<a_1.-/>", 0, ""), Simple::Start { name: name(1, 6, 0), end: 8, empty: true });
        assert_eq!(token("</p:a>", 0, "p:a"), Simple::End { end: 6 });
        assert_eq!(token("abc]x<", 0, ""), Simple::Text { end: 5 });
        assert_eq!(token(" \t\n<", 0, ""), Simple::Text { end: 3 });
        assert_eq!(token("æøå<", 0, ""), Simple::Text { end: 6 });
        assert_eq!(token("a&amp;b&lt;&gt;<", 0, ""), Simple::Text { end: 15 });
        assert_eq!(token("&gt;<", 0, ""), Simple::Text { end: 4 });
        let other = [
            ("<a x='1'>", ""),
            ("<a >", ""),
            ("<a/ >", ""),
            ("<a/", ""),
            ("<a", ""),
            ("<", ""),
            ("<æ>", ""),
            ("<p:>", ""),
            ("<p:a:b>", ""),
            ("<1a>", ""),
            ("<!--c-->", ""),
            ("<![CDATA[x]]>", ""),
            ("<?pi?>", ""),
            ("</p:a >", "p:a"),
            ("</p:b>", "p:a"),
            ("</p:ab>", "p:a"),
            ("</p:a", "p:a"),
            ("</a>", ""),
            ("a&quot;b<", ""),
            ("a&apos;b<", ""),
            ("a&#65;b<", ""),
            ("a&#x41;b<", ""),
            ("a&am;b<", ""),
            ("a&amp b<", ""),
            ("a&lt<", ""),
            ("a&<", ""),
            ("a&amp;", ""),
            ("a>b<", ""),
            ("a\r\nb<", ""),
            ("]]><", ""),
            ("text to the end", ""),
            ("", ""),
        ];
        for (s, open) in other {
            assert_eq!(token(s, 0, open), Simple::Other, "{s:?}");
        }
    }

    #[test]
    fn limits_send_tokens_to_the_general_path() {
        let limits = LexLimits::from(&Limits { max_name_bytes: 3, max_text_bytes: 4, ..Limits::default() });
        let at = |s: &str| simple_token(s.as_bytes(), 0, s.len(), &limits, b"");
        assert!(matches!(at("<abc>"), Simple::Start { .. }));
        assert_eq!(at("<abcd>"), Simple::Other);
        assert_eq!(at("1234<"), Simple::Text { end: 4 });
        assert_eq!(at("12345<"), Simple::Other);
        // References count whole: up to the limit, and one byte past it.
        assert_eq!(at("&lt;<"), Simple::Text { end: 4 });
        assert_eq!(at("1&lt;<"), Simple::Other);
        assert_eq!(at("&amp;<"), Simple::Other);
        // The end of the input (a fragment's range) ends the tokens.
        assert_eq!(simple_token(b"ab<c>", 0, 2, &limits, b""), Simple::Other);
        assert_eq!(simple_token(b"<ab>", 0, 3, &limits, b""), Simple::Other);
        assert_eq!(simple_token(b"</a>", 0, 3, &limits, b"a"), Simple::Other);
    }

    #[test]
    fn stop_scan_matches_a_plain_scan() {
        let plain = |h: &[u8]| h.iter().position(|b| b"<&>\r".contains(b));
        let hay: Vec<u8> = (0..40u8).map(|i| b'a' + i % 26).collect();
        for at in 0..hay.len() {
            for stop in [b'<', b'&', b'>', b'\r', b']', 0x80, 0xFF, b'<' ^ 0x80, b'>' + 1, b'\r' - 1] {
                let mut h = hay.clone();
                h[at] = stop;
                for len in [at, at + 1, hay.len()] {
                    assert_eq!(find_stop(&h[..len]), plain(&h[..len]), "{stop} at {at}, {len}");
                }
            }
        }
    }
}
