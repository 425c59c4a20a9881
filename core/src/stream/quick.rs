//! Shortcuts of the push parser for the commonest tokens. Each gives
//! exactly the token the lexer would give, or leaves the case to it.

use memchr::memchr3;

use super::utf8::ChunkText;
use crate::xml::chars::{ascii_name_run, is_ascii_ncname_start};
use crate::xml::lex::QSpan;

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
pub(super) fn matching_end(window: &[u8], pos: usize, name: &[u8]) -> Option<usize> {
    let name_end = pos + 2 + name.len();
    let simple = window.get(pos + 1) == Some(&b'/')
        && window.get(pos + 2..name_end) == Some(name)
        && window.get(name_end) == Some(&b'>');
    simple.then_some(name_end + 1)
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
    let start = pos + 1;
    let bytes = window.get(start..)?;
    if !is_ascii_ncname_start(*bytes.first()?) {
        return None;
    }
    let mut len = 1 + ascii_name_run(&bytes[1..]);
    let mut colon = 0;
    if bytes.get(len) == Some(&b':') {
        if !bytes.get(len + 1).is_some_and(|&b| is_ascii_ncname_start(b)) {
            return None;
        }
        colon = len;
        len += 2 + ascii_name_run(&bytes[len + 2..]);
    }
    if len > max_name || bytes.get(len) != Some(&b'>') {
        return None;
    }
    let name = QSpan { start: start as u32, end: (start + len) as u32, prefix_len: colon as u32 };
    Some((name, start + len + 1))
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
}
