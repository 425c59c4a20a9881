//! Decoding the raw bytes of a document: byte-order mark, XML declaration,
//! UTF-8 validation or ISO-8859-1 transcoding, and the XML character check.

use std::borrow::Cow;

use super::chars::{find_illegal_char, is_ws};
use super::error::{err, XmlError, XmlErrorKind as K};
use crate::Limits;

/// The character encoding a document was written in.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    /// UTF-8 (declared, implied, or marked by a byte-order mark).
    Utf8,
    /// ISO-8859-1, as declared in the XML declaration. Transcoded to UTF-8.
    Latin1,
}

/// A document decoded to UTF-8 and checked for characters XML forbids.
///
/// UTF-8 input is borrowed, ISO-8859-1 input with non-ASCII bytes is
/// transcoded once. Byte offsets in errors from readers over an `Input` refer
/// to [`Input::as_str`]; [`Input::original_offset`] maps them back to the raw
/// bytes (they differ only for transcoded ISO-8859-1).
#[derive(Clone, Debug)]
pub struct Input<'a> {
    text: Cow<'a, str>,
    encoding: Encoding,
    content_start: usize,
}

impl<'a> Input<'a> {
    /// Decodes `bytes`, refusing anything larger than `limits.max_document_bytes`.
    pub fn new(bytes: &'a [u8], limits: &Limits) -> Result<Input<'a>, XmlError> {
        if bytes.len() > limits.document_cap() {
            let limit = limits.max_document_bytes;
            return err(K::DocumentTooLarge { limit }, limits.document_cap());
        }
        let bom = detect_bom(bytes)?;
        let decl = parse_declaration(bytes, bom)?;
        let encoding = match (decl.encoding, bom) {
            (Some(Encoding::Latin1), 3) => return err(K::UnsupportedEncoding, decl.encoding_at),
            (Some(e), _) => e,
            (None, _) => Encoding::Utf8,
        };
        let text = match encoding {
            Encoding::Utf8 => Cow::Borrowed(validate_utf8(bytes)?),
            Encoding::Latin1 => latin1_to_utf8(bytes),
        };
        if let Some((at, ch)) = find_illegal_char(text.as_bytes()) {
            let input = Input { text, encoding, content_start: decl.end };
            return err(K::IllegalChar(ch), input.original_offset(at));
        }
        Ok(Input { text, encoding, content_start: decl.end })
    }

    /// The document as UTF-8.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The encoding the document was written in.
    pub fn encoding(&self) -> Encoding {
        self.encoding
    }

    /// Offset just after the byte-order mark and the XML declaration.
    pub(crate) fn content_start(&self) -> usize {
        self.content_start
    }

    /// Maps an offset in [`Input::as_str`] back to the original bytes.
    pub fn original_offset(&self, offset: usize) -> usize {
        match (&self.text, self.encoding) {
            (Cow::Owned(s), Encoding::Latin1) => {
                let upto = &s.as_bytes()[..offset.min(s.len())];
                offset - upto.iter().filter(|&&b| b & 0xC0 == 0x80).count()
            }
            _ => offset,
        }
    }
}

pub(crate) fn detect_bom(bytes: &[u8]) -> Result<usize, XmlError> {
    if bytes.starts_with(&[0xEF, 0xBB, 0xBF]) {
        Ok(3)
    } else if bytes.starts_with(&[0xFE, 0xFF])
        || bytes.starts_with(&[0xFF, 0xFE])
        || bytes.starts_with(&[0, 0, 0xFE, 0xFF])
        || bytes.starts_with(&[0, b'<', 0, b'?'])
        || bytes.starts_with(&[b'<', 0, b'?', 0])
    {
        err(K::UnsupportedByteOrderMark, 0)
    } else {
        Ok(0)
    }
}

/// UTF-8 validation: a SIMD validator for the common (valid) case, the
/// standard library's when the error position is needed.
fn validate_utf8(bytes: &[u8]) -> Result<&str, XmlError> {
    match simdutf8::basic::from_utf8(bytes) {
        Ok(s) => Ok(s),
        Err(_) => std::str::from_utf8(bytes).map_err(|e| XmlError::new(K::InvalidUtf8, e.valid_up_to())),
    }
}

fn latin1_to_utf8(bytes: &[u8]) -> Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(s) if s.is_ascii() => Cow::Borrowed(s),
        _ => Cow::Owned(bytes.iter().map(|&b| char::from(b)).collect()),
    }
}

/// What the XML declaration said.
pub(crate) struct Declaration {
    pub encoding: Option<Encoding>,
    pub encoding_at: usize,
    pub end: usize,
}

/// Parses `<?xml version="1.0" encoding="..." standalone="..."?>` at `at`, if present.
pub(crate) fn parse_declaration(bytes: &[u8], at: usize) -> Result<Declaration, XmlError> {
    let rest = &bytes[at..];
    let none = Declaration { encoding: None, encoding_at: at, end: at };
    if !(rest.starts_with(b"<?xml") && rest.get(5).is_some_and(|&b| is_ws(b))) {
        return Ok(none);
    }
    let mut p = DeclParser { bytes, pos: at + 5 };
    let mut decl = Declaration { encoding: None, encoding_at: at, end: at };
    let version = p.pseudo_attribute()?.ok_or(decl_error(p.pos))?;
    if version.name != b"version" {
        return err(K::MalformedXmlDeclaration, version.name_at);
    }
    if version.value != b"1.0" {
        return err(K::UnsupportedXmlVersion, version.value_at);
    }
    let mut seen_standalone = false;
    while let Some(attr) = p.pseudo_attribute()? {
        match attr.name {
            b"encoding" if decl.encoding.is_none() && !seen_standalone => {
                decl.encoding = Some(encoding_by_name(attr.value, attr.value_at)?);
                decl.encoding_at = attr.value_at;
            }
            b"standalone" if !seen_standalone && matches!(attr.value, b"yes" | b"no") => {
                seen_standalone = true;
            }
            b"standalone" if !seen_standalone => return err(K::MalformedXmlDeclaration, attr.value_at),
            _ => return err(K::MalformedXmlDeclaration, attr.name_at),
        }
    }
    decl.end = p.finish()?;
    Ok(decl)
}

fn decl_error(at: usize) -> XmlError {
    XmlError::new(K::MalformedXmlDeclaration, at)
}

fn encoding_by_name(name: &[u8], at: usize) -> Result<Encoding, XmlError> {
    const LATIN1: [&[u8]; 8] =
        [b"iso-8859-1", b"iso_8859-1", b"latin1", b"l1", b"iso-ir-100", b"cp819", b"ibm819", b"csisolatin1"];
    let valid = name.first().is_some_and(u8::is_ascii_alphabetic)
        && name.iter().all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
    if !valid {
        return err(K::MalformedXmlDeclaration, at);
    }
    if name.eq_ignore_ascii_case(b"utf-8") || name.eq_ignore_ascii_case(b"utf8") {
        Ok(Encoding::Utf8)
    } else if LATIN1.iter().any(|l| name.eq_ignore_ascii_case(l)) {
        Ok(Encoding::Latin1)
    } else {
        err(K::UnsupportedEncoding, at)
    }
}

struct PseudoAttr<'b> {
    name: &'b [u8],
    value: &'b [u8],
    name_at: usize,
    value_at: usize,
}

struct DeclParser<'b> {
    bytes: &'b [u8],
    pos: usize,
}

impl<'b> DeclParser<'b> {
    fn skip_ws(&mut self) -> bool {
        let start = self.pos;
        while self.bytes.get(self.pos).is_some_and(|&b| is_ws(b)) {
            self.pos += 1;
        }
        self.pos > start
    }

    /// `S name Eq quoted-value`, or `None` at `?>` (after optional whitespace).
    fn pseudo_attribute(&mut self) -> Result<Option<PseudoAttr<'b>>, XmlError> {
        let had_ws = self.skip_ws();
        match self.bytes.get(self.pos) {
            None => return err(K::UnexpectedEof, self.pos),
            Some(b'?') => return Ok(None),
            Some(_) if !had_ws => return err(K::MalformedXmlDeclaration, self.pos),
            Some(_) => {}
        }
        let name_start = self.pos;
        while self.bytes.get(self.pos).is_some_and(u8::is_ascii_alphabetic) {
            self.pos += 1;
        }
        let name = &self.bytes[name_start..self.pos];
        self.skip_ws();
        if self.bytes.get(self.pos) != Some(&b'=') {
            return err(K::MalformedXmlDeclaration, self.pos);
        }
        self.pos += 1;
        self.skip_ws();
        let quote = match self.bytes.get(self.pos) {
            Some(&q @ (b'"' | b'\'')) => q,
            None => return err(K::UnexpectedEof, self.pos),
            Some(_) => return err(K::MalformedXmlDeclaration, self.pos),
        };
        let value_at = self.pos + 1;
        let len =
            memchr::memchr(quote, &self.bytes[value_at..]).ok_or(XmlError::new(K::UnexpectedEof, self.bytes.len()))?;
        self.pos = value_at + len + 1;
        let value = &self.bytes[value_at..value_at + len];
        Ok(Some(PseudoAttr { name, value, name_at: name_start, value_at }))
    }

    fn finish(&mut self) -> Result<usize, XmlError> {
        if self.bytes[self.pos..].starts_with(b"?>") {
            Ok(self.pos + 2)
        } else {
            err(K::MalformedXmlDeclaration, self.pos)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(b: &[u8]) -> Result<Input<'_>, XmlError> {
        Input::new(b, &Limits::default())
    }

    #[test]
    fn utf8_is_borrowed_and_declaration_skipped() {
        let src = b"<?xml version=\"1.0\" encoding='utf-8' standalone=\"yes\" ?><a/>";
        let input = decode(src).unwrap();
        assert!(matches!(input.text, Cow::Borrowed(_)));
        assert_eq!(&input.as_str()[input.content_start()..], "<a/>");
    }

    #[test]
    fn bom_is_skipped_with_offsets_kept() {
        let input = decode(b"\xEF\xBB\xBF<a/>").unwrap();
        assert_eq!(input.content_start(), 3);
        let input = decode(b"\xEF\xBB\xBF<?xml version='1.0'?><a/>").unwrap();
        assert_eq!(input.content_start(), 24);
    }

    #[test]
    fn latin1_is_transcoded_and_offsets_map_back() {
        let src = b"<?xml version='1.0' encoding='ISO-8859-1'?><a>\xC5rhus\x01</a>";
        let e = decode(src).unwrap_err();
        assert_eq!(e.kind(), K::IllegalChar(1));
        assert_eq!(e.offset(), 51);
        let src = b"<?xml version='1.0' encoding='latin1'?><a>\xC5rhus</a>";
        let input = decode(src).unwrap();
        assert_eq!(input.encoding(), Encoding::Latin1);
        assert!(input.as_str().contains("Århus"));
        assert_eq!(input.original_offset(input.as_str().len()), src.len());
    }

    #[test]
    fn refused_encodings_and_declarations() {
        let cases: [(&[u8], K, usize); 9] = [
            (b"<?xml version='1.0' encoding='utf-16'?><a/>", K::UnsupportedEncoding, 30),
            (b"\xFF\xFE<\0a\0", K::UnsupportedByteOrderMark, 0),
            (b"<?xml version='1.1'?><a/>", K::UnsupportedXmlVersion, 15),
            (b"<?xml encoding='utf-8'?><a/>", K::MalformedXmlDeclaration, 6),
            (b"<?xml version='1.0'encoding='utf-8'?><a/>", K::MalformedXmlDeclaration, 19),
            (b"<?xml version='1.0' standalone='maybe'?><a/>", K::MalformedXmlDeclaration, 32),
            (b"<?xml version='1.0' ?", K::MalformedXmlDeclaration, 20),
            (b"<a>\xC3</a>", K::InvalidUtf8, 3),
            (b"\xEF\xBB\xBF<?xml version='1.0' encoding='latin1'?><a/>", K::UnsupportedEncoding, 33),
        ];
        for (src, kind, at) in cases {
            let e = decode(src).unwrap_err();
            assert_eq!((e.kind(), e.offset()), (kind, at), "{}", String::from_utf8_lossy(src));
        }
    }

    #[test]
    fn size_limit() {
        let limits = Limits { max_document_bytes: 4, ..Limits::default() };
        let e = Input::new(b"<a></a>", &limits).unwrap_err();
        assert_eq!(e.kind(), K::DocumentTooLarge { limit: 4 });
    }
}
