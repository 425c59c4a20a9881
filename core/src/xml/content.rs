//! Reading simple (text-only) element content from a [`Reader`].

use std::borrow::Cow;

use super::reader::{Event, Reader, StartTag};
use super::text::{push_text, text_value};
use super::{Span, XmlError, XmlErrorKind};
use crate::soap::TextValue;

/// Reads the text content of the element whose start tag was just read,
/// through its end tag. Comments and PIs are dropped and the text around them
/// joined: the value is always the whole text, never the part before a
/// comment. Returns the value and the end tag's span, or `Err(offset)` of a
/// child element (simple content has none).
pub(crate) fn read_text<'a>(
    r: &mut Reader<'a>,
    start: &StartTag,
) -> Result<Result<(TextValue<'a>, Span), usize>, XmlError> {
    let src = r.source();
    let content_start = start.span.end();
    let mut single: Option<Cow<'a, str>> = None;
    let mut joined: Option<String> = None;
    loop {
        let (span, has_ref) = match r.next()? {
            Event::Text { span, has_ref } => (span, has_ref),
            Event::CData(span) => (Span::new(span.start() + 9, span.end() - 3), false),
            Event::Comment(_) | Event::Pi(_) => continue,
            Event::Start(t) => return Ok(Err(t.span.start())),
            Event::End { span, .. } => {
                let value = match (joined, single) {
                    (Some(s), _) => Cow::Owned(s),
                    (None, Some(v)) => v,
                    (None, None) => Cow::Borrowed(""),
                };
                let content = Span::new(content_start, span.start().max(content_start));
                return Ok(Ok((TextValue::new(value, content), span)));
            }
            Event::Eof => return Err(XmlError::new(XmlErrorKind::UnexpectedEof, src.len())),
        };
        match (&mut joined, single.take()) {
            (Some(s), _) => push_text(s, src, span, has_ref),
            (None, None) => single = Some(text_value(src, span, has_ref)),
            (None, Some(prev)) => {
                let mut s = prev.into_owned();
                push_text(&mut s, src, span, has_ref);
                joined = Some(s);
            }
        }
    }
}
