//! The tokenizer: finds markup and character data in a UTF-8 document and
//! checks everything that can be checked without namespace context (names,
//! attribute syntax, references, comments, PIs, `]]>`, DOCTYPE), with the
//! size limits applied as soon as they are crossed.
//!
//! Tokens carry absolute byte offsets. Character validity of the whole input
//! was checked by [`Input`](super::Input) beforehand.

use memchr::{memchr, memchr3, memmem};

use super::chars::{
    ascii_name_run, differs, is_ascii_ncname_char, is_ascii_ncname_start, is_name_char, is_name_start_char, is_ws,
    is_xml_char, name_eq, word, LANE_LOW,
};
use super::error::{err, XmlError, XmlErrorKind as K};
use crate::Limits;

/// A qualified name as written: `[start, end)` with an optional prefix of
/// `prefix_len` bytes followed by `:`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct QSpan {
    pub start: u32,
    pub end: u32,
    pub prefix_len: u32,
}

impl QSpan {
    /// The prefix, empty when the name is unprefixed.
    #[inline]
    pub fn prefix<'a>(&self, src: &'a str) -> &'a str {
        &src[self.start as usize..(self.start + self.prefix_len) as usize]
    }

    /// The local part.
    #[inline]
    pub fn local<'a>(&self, src: &'a str) -> &'a str {
        let skip = if self.prefix_len == 0 { 0 } else { self.prefix_len + 1 };
        &src[(self.start + skip) as usize..self.end as usize]
    }

    /// The whole name as written.
    #[inline]
    pub fn raw<'a>(&self, src: &'a [u8]) -> &'a [u8] {
        &src[self.start as usize..self.end as usize]
    }
}

/// An attribute as written in a start tag.
#[derive(Clone, Copy, Debug)]
pub(crate) struct RawAttr {
    pub name: QSpan,
    /// Value between the quotes.
    pub value_start: u32,
    pub value_end: u32,
    /// The value contains `&` (entity or character references).
    pub has_ref: bool,
}

/// One token. Offsets are absolute; `start..end` covers the whole token.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Token {
    /// A start tag; its attributes are in [`Lexer::attrs`] until the next call.
    Start {
        start: usize,
        end: usize,
        name: QSpan,
        empty: bool,
    },
    /// An end tag; `matched` when the lexer already found it equal to the open element's name.
    End {
        start: usize,
        end: usize,
        name: QSpan,
        matched: bool,
    },
    /// Character data up to the next markup; `has_ref` when it contains `&`.
    Text {
        start: usize,
        end: usize,
        has_ref: bool,
    },
    /// `<![CDATA[...]]>`; `content` excludes the delimiters.
    CData {
        start: usize,
        end: usize,
    },
    Comment {
        start: usize,
        end: usize,
    },
    Pi {
        start: usize,
        end: usize,
    },
    Eof,
}

/// The limits the tokenizer enforces itself.
#[derive(Clone, Copy, Debug)]
pub(crate) struct LexLimits {
    pub name: usize,
    pub attributes: usize,
    pub attribute_value: usize,
    pub text: usize,
}

impl From<&Limits> for LexLimits {
    fn from(l: &Limits) -> Self {
        LexLimits {
            name: l.max_name_bytes,
            attributes: l.max_attributes,
            attribute_value: l.max_attribute_value_bytes,
            text: l.max_text_bytes,
        }
    }
}

/// A pull tokenizer over `src[pos..end]`.
pub(crate) struct Lexer<'a> {
    src: &'a [u8],
    pos: usize,
    end: usize,
    limits: LexLimits,
    /// Attributes of the last start tag.
    pub attrs: Vec<RawAttr>,
    /// Some attribute of the last start tag is named `xmlns` or `xmlns:*`:
    /// the reader looks for namespace declarations only then.
    decls: bool,
}

impl<'a> Lexer<'a> {
    pub fn new(src: &'a [u8], pos: usize, end: usize, limits: LexLimits) -> Self {
        Lexer { src, pos, end, limits, attrs: Vec::new(), decls: false }
    }

    /// Moves on to `pos` without reading what lies before it (see
    /// [`Reader::close_verified`](super::reader::Reader::close_verified)).
    pub fn jump(&mut self, pos: usize) {
        self.pos = pos;
    }

    pub fn limits(&self) -> LexLimits {
        self.limits
    }

    pub fn pos(&self) -> usize {
        self.pos
    }

    /// One past the last byte the lexer reads.
    pub fn end(&self) -> usize {
        self.end
    }

    /// Whether the last start tag may declare namespaces (see `decls`).
    pub fn has_decls(&self) -> bool {
        self.decls
    }

    /// The next token. `open` is the innermost open element's name: an end
    /// tag that repeats it is matched without scanning the name again.
    #[inline]
    pub fn next_token(&mut self, open: Option<QSpan>) -> Result<Token, XmlError> {
        let start = self.pos;
        if start >= self.end {
            return Ok(Token::Eof);
        }
        if self.src[start] != b'<' {
            return self.text(start);
        }
        match self.src.get(start + 1) {
            Some(b'/') => match open.and_then(|name| self.end_tag_matching(start, name)) {
                Some(token) => Ok(token),
                None => self.end_tag(start),
            },
            Some(b'!') => self.bang(start),
            Some(b'?') => self.pi(start),
            _ => self.start_tag(start),
        }
    }

    fn byte(&self, at: usize) -> Option<u8> {
        if at < self.end {
            Some(self.src[at])
        } else {
            None
        }
    }

    fn text(&mut self, start: usize) -> Result<Token, XmlError> {
        let window_end = self.end.min(start.saturating_add(self.limits.text).saturating_add(1));
        let mut at = start;
        let mut has_ref = false;
        loop {
            let hay = &self.src[at..window_end];
            let Some(p) = find_text_special(hay) else {
                if window_end < self.end {
                    return err(K::TextTooLong { limit: self.limits.text }, start + self.limits.text);
                }
                at = window_end;
                break;
            };
            at += p;
            match self.src[at] {
                b'<' => break,
                b'&' => {
                    has_ref = true;
                    at = check_reference(self.src, at, self.end)?;
                    // A reference may end past the window: the run is then too long.
                    if at - start > self.limits.text {
                        return err(K::TextTooLong { limit: self.limits.text }, start + self.limits.text);
                    }
                }
                _ => {
                    if self.src[at..self.end].starts_with(b"]]>") {
                        return err(K::CdataEndInText, at);
                    }
                    at += 1;
                }
            }
        }
        if at - start > self.limits.text {
            return err(K::TextTooLong { limit: self.limits.text }, start + self.limits.text);
        }
        self.pos = at;
        Ok(Token::Text { start, end: at, has_ref })
    }

    /// `</name>` or `</name S>` where `name` equals `open`; `None` otherwise.
    #[inline]
    fn end_tag_matching(&mut self, start: usize, open: QSpan) -> Option<Token> {
        let expected = open.raw(self.src);
        let name_end = start + 2 + expected.len();
        if name_end >= self.end || !name_eq(&self.src[start + 2..name_end], expected) {
            return None;
        }
        let close = match self.src[name_end] {
            b'>' => name_end,
            b if is_ws(b) => self.skip_ws(name_end),
            _ => return None,
        };
        if self.byte(close) != Some(b'>') {
            return None;
        }
        self.pos = close + 1;
        let name = QSpan { start: (start + 2) as u32, end: name_end as u32, prefix_len: open.prefix_len };
        Some(Token::End { start, end: self.pos, name, matched: true })
    }

    fn end_tag(&mut self, start: usize) -> Result<Token, XmlError> {
        let name = self.qname(start + 2)?;
        let mut at = self.skip_ws(name.end as usize);
        match self.byte(at) {
            Some(b'>') => at += 1,
            Some(_) => return err(K::Syntax { expected: "'>'" }, at),
            None => return err(K::UnexpectedEof, at),
        }
        self.pos = at;
        Ok(Token::End { start, end: at, name, matched: false })
    }

    fn start_tag(&mut self, start: usize) -> Result<Token, XmlError> {
        self.attrs.clear();
        self.decls = false;
        let name = self.qname(start + 1)?;
        let mut at = name.end as usize;
        loop {
            let after_ws = self.skip_ws(at);
            match self.byte(after_ws) {
                Some(b'>') => {
                    self.pos = after_ws + 1;
                    return Ok(Token::Start { start, end: self.pos, name, empty: false });
                }
                Some(b'/') => {
                    if self.byte(after_ws + 1) != Some(b'>') {
                        return self.eof_or(after_ws + 1, "'>' after '/'");
                    }
                    self.pos = after_ws + 2;
                    return Ok(Token::Start { start, end: self.pos, name, empty: true });
                }
                None => return err(K::UnexpectedEof, after_ws),
                Some(_) if after_ws == at => return err(K::Syntax { expected: "whitespace, '>' or '/>'" }, at),
                Some(_) => at = self.attribute(after_ws)?,
            }
        }
    }

    /// Parses `name S? = S? "value"` at `at`; returns the offset after the closing quote.
    fn attribute(&mut self, at: usize) -> Result<usize, XmlError> {
        if self.attrs.len() >= self.limits.attributes {
            return err(K::TooManyAttributes { limit: self.limits.attributes }, at);
        }
        let name = self.qname(at)?;
        let mut p = self.skip_ws(name.end as usize);
        match self.byte(p) {
            Some(b'=') => p = self.skip_ws(p + 1),
            _ => return self.eof_or(p, "'='"),
        }
        let quote = match self.byte(p) {
            Some(q @ (b'"' | b'\'')) => q,
            _ => return self.eof_or(p, "a quoted attribute value"),
        };
        let value_start = p + 1;
        let (value_end, has_ref) = self.attribute_value(value_start, quote)?;
        self.decls |= is_xmlns_name(self.src, name);
        self.attrs.push(RawAttr { name, value_start: value_start as u32, value_end: value_end as u32, has_ref });
        Ok(value_end + 1)
    }

    fn attribute_value(&self, start: usize, quote: u8) -> Result<(usize, bool), XmlError> {
        let limit = self.limits.attribute_value;
        let window_end = self.end.min(start.saturating_add(limit).saturating_add(1));
        let mut at = start;
        let mut has_ref = false;
        loop {
            let Some(p) = memchr3(quote, b'<', b'&', &self.src[at..window_end]) else {
                if window_end < self.end {
                    return err(K::AttributeValueTooLong { limit }, start + limit);
                }
                return err(K::UnexpectedEof, self.end);
            };
            at += p;
            match self.src[at] {
                b'<' => return err(K::LtInAttributeValue, at),
                b'&' => {
                    has_ref = true;
                    at = check_reference(self.src, at, self.end)?;
                    // A reference may end past the window: the value is then too long.
                    if at - start > limit {
                        return err(K::AttributeValueTooLong { limit }, start + limit);
                    }
                }
                _ => break,
            }
        }
        if at - start > limit {
            return err(K::AttributeValueTooLong { limit }, start + limit);
        }
        Ok((at, has_ref))
    }

    /// `<!--`, `<![CDATA[` or `<!DOCTYPE`.
    fn bang(&mut self, start: usize) -> Result<Token, XmlError> {
        let rest = &self.src[start..self.end];
        if rest.starts_with(b"<!--") {
            self.comment(start)
        } else if rest.starts_with(b"<![CDATA[") {
            let content = start + 9;
            let close = self.find_within(content, b"]]>")?;
            self.pos = close + 3;
            Ok(Token::CData { start, end: self.pos })
        } else if rest.starts_with(b"<!DOCTYPE") {
            err(K::DoctypeForbidden, start)
        } else if b"<!DOCTYPE".starts_with(rest) || b"<![CDATA[".starts_with(rest) || rest == b"<!-" {
            err(K::UnexpectedEof, self.end)
        } else {
            err(K::Syntax { expected: "'<!--' or '<![CDATA['" }, start)
        }
    }

    fn comment(&mut self, start: usize) -> Result<Token, XmlError> {
        let content = start + 4;
        let dashes = self.find_within(content, b"--")?;
        if self.byte(dashes + 2) != Some(b'>') {
            return if dashes + 2 >= self.end {
                err(K::UnexpectedEof, self.end)
            } else {
                err(K::DoubleHyphenInComment, dashes)
            };
        }
        self.pos = dashes + 3;
        Ok(Token::Comment { start, end: self.pos })
    }

    fn pi(&mut self, start: usize) -> Result<Token, XmlError> {
        let target = self.qname(start + 2)?;
        if target.prefix_len != 0 {
            return err(K::InvalidName, start + 2);
        }
        if target.raw(self.src).eq_ignore_ascii_case(b"xml") {
            let at = start;
            return if at == 0 || self.src[..at] == [0xEF, 0xBB, 0xBF] {
                err(K::ReservedPiTarget, at)
            } else {
                err(K::MisplacedXmlDeclaration, at)
            };
        }
        let after = target.end as usize;
        let close = self.find_within(after, b"?>")?;
        if close != after && !is_ws(self.src[after]) {
            return err(K::Syntax { expected: "whitespace or '?>' after the PI target" }, after);
        }
        self.pos = close + 2;
        Ok(Token::Pi { start, end: self.pos })
    }

    /// Finds `needle` at or after `from`, within the text-length limit.
    fn find_within(&self, from: usize, needle: &[u8]) -> Result<usize, XmlError> {
        let limit = self.limits.text;
        let window_end = self.end.min(from.saturating_add(limit).saturating_add(needle.len()));
        match memmem::find(&self.src[from.min(window_end)..window_end], needle) {
            Some(p) => Ok(from + p),
            None if window_end < self.end => err(K::TextTooLong { limit }, from + limit),
            None => err(K::UnexpectedEof, self.end),
        }
    }

    fn skip_ws(&self, mut at: usize) -> usize {
        while at < self.end && is_ws(self.src[at]) {
            at += 1;
        }
        at
    }

    fn eof_or<T>(&self, at: usize, expected: &'static str) -> Result<T, XmlError> {
        if at >= self.end {
            err(K::UnexpectedEof, self.end)
        } else {
            err(K::Syntax { expected }, at)
        }
    }

    /// `QName ::= (NCName ':')? NCName`, starting at `start`.
    #[inline(always)]
    fn qname(&self, start: usize) -> Result<QSpan, XmlError> {
        match self.ascii_qname(start) {
            Some(span) => Ok(span),
            None => self.general_qname(start),
        }
    }

    /// [`qname`](Self::qname) for any name and every error.
    #[inline(never)]
    fn general_qname(&self, start: usize) -> Result<QSpan, XmlError> {
        let first_end = self.ncname(start)?;
        let mut span = QSpan { start: start as u32, end: first_end as u32, prefix_len: 0 };
        if self.byte(first_end) == Some(b':') {
            let local_end = self.ncname(first_end + 1)?;
            span = QSpan { start: start as u32, end: local_end as u32, prefix_len: (first_end - start) as u32 };
        }
        if span.end as usize - start > self.limits.name {
            return err(K::NameTooLong { limit: self.limits.name }, start);
        }
        Ok(span)
    }

    /// The common case in one loop (see [`ascii_qname`]).
    #[inline(always)]
    fn ascii_qname(&self, start: usize) -> Option<QSpan> {
        ascii_qname(self.src, start, self.end, self.limits.name)
    }

    /// Scans an NCName at `start`, returning its end.
    fn ncname(&self, start: usize) -> Result<usize, XmlError> {
        let limit_end = self.end.min(start.saturating_add(self.limits.name).saturating_add(1));
        let mut at = start;
        match self.byte(at) {
            Some(b) if is_ascii_ncname_start(b) => at += 1,
            Some(b) if b >= 0x80 => {
                let (c, len) = decode_char(self.src, at);
                if !is_name_start_char(c) {
                    return err(K::InvalidName, at);
                }
                at += len;
            }
            Some(_) => return err(K::InvalidName, at),
            None => return err(K::UnexpectedEof, at),
        }
        loop {
            let rest = &self.src[at.min(limit_end)..limit_end];
            let ascii_run = rest.iter().position(|&b| !is_ascii_ncname_char(b)).unwrap_or(rest.len());
            at += ascii_run;
            match rest.get(ascii_run) {
                Some(&b) if b >= 0x80 => {
                    let (c, len) = decode_char(self.src, at);
                    if !is_name_char(c) {
                        break;
                    }
                    at += len;
                }
                _ => break,
            }
        }
        if at - start > self.limits.name {
            return err(K::NameTooLong { limit: self.limits.name }, start);
        }
        Ok(at)
    }
}

/// The common case of a QName at `start` in one loop: an ASCII QName that
/// ends, within the name limit `max_name` and before `end`, at an ASCII
/// byte. `None` sends everything else (non-ASCII names, names at the end of
/// the input or over the limit, errors) to the general path.
#[inline(always)]
pub(crate) fn ascii_qname(src: &[u8], start: usize, end: usize, max_name: usize) -> Option<QSpan> {
    let window_end = end.min(start.saturating_add(max_name).saturating_add(1));
    let bytes = src.get(start..window_end)?;
    if !is_ascii_ncname_start(*bytes.first()?) {
        return None;
    }
    let mut colon = 0;
    let mut i = 1 + ascii_name_run(&bytes[1..]);
    if bytes.get(i) == Some(&b':') && bytes.get(i + 1).is_some_and(|&c| is_ascii_ncname_start(c)) {
        colon = i;
        i += 2;
        i += ascii_name_run(&bytes[i..]);
    }
    // The name ends at an ASCII byte other than `:` (a colon here starts a
    // local part the ASCII run does not cover: the general path reads it).
    match bytes.get(i) {
        Some(&b) if b < 0x80 && b != b':' => {
            Some(QSpan { start: start as u32, end: (start + i) as u32, prefix_len: colon as u32 })
        }
        _ => None,
    }
}

/// Whether `name` is `xmlns` or `xmlns:*`.
#[inline]
pub(crate) fn is_xmlns_name(src: &[u8], name: QSpan) -> bool {
    let len = if name.prefix_len == 0 { name.end - name.start } else { name.prefix_len };
    len == 5 && src.get(name.start as usize..name.start as usize + 5) == Some(b"xmlns")
}

/// The first `<`, `&` or `]` in `hay`. Short runs of text (most element
/// values) are scanned eight bytes per step with word arithmetic, which is
/// cheaper than setting up a vector search; longer ones go to `memchr3`.
#[inline]
fn find_text_special(hay: &[u8]) -> Option<usize> {
    const QUICK: usize = 32;
    let mut at = 0;
    while let Some(block) = hay.get(at..at + 8) {
        let found = text_special_lanes(block);
        if found != 0 {
            return Some(at + (found.trailing_zeros() / 8) as usize);
        }
        at += 8;
        if at >= QUICK {
            return memchr3(b'<', b'&', b']', &hay[at..]).map(|p| p + at);
        }
    }
    hay[at..].iter().position(|&b| matches!(b, b'<' | b'&' | b']')).map(|p| p + at)
}

/// The high bit set in each lane of the eight bytes `block` that is `<`,
/// `&` or `]`.
#[inline]
fn text_special_lanes(block: &[u8]) -> u64 {
    let x = word(block);
    !(differs(x, b'<') & differs(x, b'&') & differs(x, b']')) & !LANE_LOW
}

/// Decodes the UTF-8 character at `at` (the input is known to be valid UTF-8).
pub(crate) fn decode_char(src: &[u8], at: usize) -> (char, usize) {
    let b0 = src[at];
    let len = match b0 {
        0..=0x7F => 1,
        0xC0..=0xDF => 2,
        0xE0..=0xEF => 3,
        _ => 4,
    };
    let end = (at + len).min(src.len());
    match std::str::from_utf8(&src[at..end]).ok().and_then(|s| s.chars().next()) {
        Some(c) => (c, len),
        None => ('\u{FFFD}', 1),
    }
}

/// Checks the reference starting with `&` at `at`; returns the offset after `;`.
pub(crate) fn check_reference(src: &[u8], at: usize, end: usize) -> Result<usize, XmlError> {
    let (_, next) = parse_reference(src, at, end)?;
    Ok(next)
}

/// Parses the reference starting with `&` at `at` into the character it stands for.
pub(crate) fn parse_reference(src: &[u8], at: usize, end: usize) -> Result<(char, usize), XmlError> {
    const MAX_REF: usize = 12;
    let window = &src[at + 1..end.min(at + 1 + MAX_REF)];
    let Some(semi) = memchr(b';', window) else {
        let plausible = window.iter().all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'#' | b'_' | b'-' | b'.'));
        return match (plausible && end - (at + 1) < MAX_REF, window.first()) {
            (true, _) => err(K::UnexpectedEof, end),
            (false, Some(b'#')) => err(K::InvalidCharRef, at),
            (false, _) => err(K::UndefinedEntity, at),
        };
    };
    let body = &window[..semi];
    let next = at + 1 + semi + 1;
    let c = match body {
        b"lt" => '<',
        b"gt" => '>',
        b"amp" => '&',
        b"apos" => '\'',
        b"quot" => '"',
        [b'#', b'x', hex @ ..] => char_ref(hex, 16, at)?,
        [b'#', dec @ ..] => char_ref(dec, 10, at)?,
        _ => return err(K::UndefinedEntity, at),
    };
    Ok((c, next))
}

fn char_ref(digits: &[u8], radix: u32, at: usize) -> Result<char, XmlError> {
    if digits.is_empty() {
        return err(K::InvalidCharRef, at);
    }
    let mut value: u32 = 0;
    for &d in digits {
        let v = (d as char).to_digit(radix).ok_or(XmlError::new(K::InvalidCharRef, at))?;
        value = value.checked_mul(radix).and_then(|x| x.checked_add(v)).ok_or(XmlError::new(K::InvalidCharRef, at))?;
    }
    match char::from_u32(value) {
        Some(c) if is_xml_char(value) => Ok(c),
        _ => err(K::InvalidCharRef, at),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lex_all(s: &str) -> Result<Vec<Token>, XmlError> {
        let mut lx = Lexer::new(s.as_bytes(), 0, s.len(), LexLimits::from(&Limits::default()));
        let mut out = Vec::new();
        loop {
            let t = lx.next_token(None)?;
            if t == Token::Eof {
                return Ok(out);
            }
            out.push(t);
        }
    }

    fn lex_err(s: &str) -> (K, usize) {
        let e = lex_all(s).unwrap_err();
        (e.kind(), e.offset())
    }

    #[test]
    fn tokens_of_a_small_document() {
        let toks = lex_all("<a x='1' y=\"&lt;\"><b/>t&amp;x<!--c--><![CDATA[<]]><?p d?></a>").unwrap();
        assert!(matches!(toks[0], Token::Start { start: 0, end: 18, empty: false, .. }));
        assert!(matches!(toks[1], Token::Start { start: 18, end: 22, empty: true, .. }));
        assert_eq!(toks[2], Token::Text { start: 22, end: 29, has_ref: true });
        assert_eq!(toks[3], Token::Comment { start: 29, end: 37 });
        assert_eq!(toks[4], Token::CData { start: 37, end: 50 });
        assert_eq!(toks[5], Token::Pi { start: 50, end: 57 });
        assert!(matches!(toks[6], Token::End { start: 57, end: 61, .. }));
    }

    #[test]
    fn attributes_are_recorded() {
        let src = "<p:a  q:x = 'v1'\ty=\"v&amp;2\" />";
        let mut lx = Lexer::new(src.as_bytes(), 0, src.len(), LexLimits::from(&Limits::default()));
        let Token::Start { name, empty: true, .. } = lx.next_token(None).unwrap() else { panic!() };
        assert_eq!((name.prefix(src), name.local(src)), ("p", "a"));
        assert_eq!(lx.attrs.len(), 2);
        let a = lx.attrs[0];
        assert_eq!((a.name.prefix(src), a.name.local(src)), ("q", "x"));
        assert_eq!(&src[a.value_start as usize..a.value_end as usize], "v1");
        assert!(!a.has_ref && lx.attrs[1].has_ref);
    }

    #[test]
    fn syntax_errors_with_offsets() {
        let cases: [(&str, K, usize); 16] = [
            ("<a x='1'y='2'/>", K::Syntax { expected: "whitespace, '>' or '/>'" }, 8),
            ("<a x=1/>", K::Syntax { expected: "a quoted attribute value" }, 5),
            ("<a x='<'/>", K::LtInAttributeValue, 6),
            ("<a>&foo;</a>", K::UndefinedEntity, 3),
            ("<a>&#0;</a>", K::InvalidCharRef, 3),
            ("<a>&#x110000;</a>", K::InvalidCharRef, 3),
            ("<a>&#xD800;</a>", K::InvalidCharRef, 3),
            ("<a>&#12a;</a>", K::InvalidCharRef, 3),
            ("<a>&amp</a>", K::UndefinedEntity, 3),
            ("<a>]]></a>", K::CdataEndInText, 3),
            ("<a><!-- a -- b --></a>", K::DoubleHyphenInComment, 10),
            ("<!DOCTYPE a><a/>", K::DoctypeForbidden, 0),
            ("<a><?xml x?></a>", K::MisplacedXmlDeclaration, 3),
            ("<1a/>", K::InvalidName, 1),
            ("<a:b:c/>", K::Syntax { expected: "whitespace, '>' or '/>'" }, 4),
            ("<a x='1", K::UnexpectedEof, 7),
        ];
        for (src, kind, at) in cases {
            assert_eq!(lex_err(src), (kind, at), "{src}");
        }
    }

    #[test]
    fn limits_are_enforced_early() {
        let limits = Limits {
            max_name_bytes: 4,
            max_attribute_value_bytes: 3,
            max_text_bytes: 5,
            max_attributes: 1,
            ..Limits::default()
        };
        let lex = |s: &str| {
            let mut lx = Lexer::new(s.as_bytes(), 0, s.len(), LexLimits::from(&limits));
            loop {
                match lx.next_token(None) {
                    Ok(Token::Eof) => return None,
                    Ok(_) => {}
                    Err(e) => return Some((e.kind(), e.offset())),
                }
            }
        };
        assert_eq!(lex("<abcde/>"), Some((K::NameTooLong { limit: 4 }, 1)));
        assert_eq!(lex("<a x='abcd'/>"), Some((K::AttributeValueTooLong { limit: 3 }, 9)));
        assert_eq!(lex("<a x='1' y='2'/>"), Some((K::TooManyAttributes { limit: 1 }, 9)));
        assert_eq!(lex("<a>123456</a>"), Some((K::TextTooLong { limit: 5 }, 8)));
        assert_eq!(lex("<a><!--123456--></a>"), Some((K::TextTooLong { limit: 5 }, 12)));
        assert_eq!(lex("<a>12345</a>"), None);
    }

    #[test]
    fn non_ascii_names() {
        let toks = lex_all("<æble øl='å'></æble>").unwrap();
        assert_eq!(toks.len(), 2);
        assert_eq!(lex_all("<a\u{B7}b/>").unwrap().len(), 1);
        assert_eq!(lex_err("<\u{B7}b/>"), (K::InvalidName, 1));
        // A prefixed name whose local part starts with a non-ASCII letter
        // leaves the ASCII path whole (it once ended the name at the colon).
        assert_eq!(lex_all("<p:\u{F8} xmlns:p='u'/>").unwrap().len(), 1);
        assert_eq!(lex_all("<ns3:\u{D8}nske xmlns:\u{F8}='u' \u{F8}:a='1'>x</ns3:\u{D8}nske>").unwrap().len(), 3);
        let second_colon = (K::Syntax { expected: "whitespace, '>' or '/>'" }, 4);
        assert_eq!(lex_err("<p:a:b/>"), second_colon);
        assert_eq!(lex_err("<p:\u{F8}:b/>"), (second_colon.0, 5));
    }

    #[test]
    fn text_scan_matches_a_plain_scan() {
        let plain = |h: &[u8]| h.iter().position(|b| b"<&]".contains(b));
        let mut hay: Vec<u8> = (0..80u8).map(|i| b'a' + i % 26).collect();
        hay.extend_from_slice("\u{e9}\u{3c00}\u{2626}".as_bytes());
        for len in 0..hay.len() {
            assert_eq!(find_text_special(&hay[..len]), plain(&hay[..len]));
        }
        for at in 0..hay.len() {
            for stop in [b'<', b'&', b']', 0x80, 0xFF, b'<' ^ 0x80, b'&' + 1] {
                let mut h = hay.clone();
                h[at] = stop;
                assert_eq!(find_text_special(&h), plain(&h), "{stop} at {at}");
            }
        }
    }

    #[test]
    fn references_decode() {
        let src = b"&#x41;&#66;&quot;";
        assert_eq!(parse_reference(src, 0, src.len()).unwrap(), ('A', 6));
        assert_eq!(parse_reference(src, 6, src.len()).unwrap(), ('B', 11));
        assert_eq!(parse_reference(src, 11, src.len()).unwrap(), ('"', 17));
    }
}
