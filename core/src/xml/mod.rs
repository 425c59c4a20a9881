//! The XML layer: decoding, tokenizing, namespace resolution and text values.

pub(crate) mod chars;
pub(crate) mod content;
pub(crate) mod error;
pub(crate) mod index;
pub(crate) mod input;
pub(crate) mod lex;
mod names;
pub(crate) mod reader;
mod run;
#[cfg(test)]
mod run_tests;
pub(crate) mod text;

pub(crate) use chars::{is_ncname, is_ws};
pub use error::{XmlError, XmlErrorKind};
pub use input::{Encoding, Input};
pub use names::uri;
pub(crate) use names::{NsId, NsTable};

/// A byte range in the input, `start..end`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct Span {
    start: u32,
    end: u32,
}

impl Span {
    /// Offsets must fit in `u32`; [`Limits`](crate::Limits) guarantees that for
    /// every document kuvert reads whole.
    pub(crate) fn new(start: usize, end: usize) -> Span {
        debug_assert!(start <= end && end <= u32::MAX as usize);
        Span { start: start as u32, end: end as u32 }
    }

    /// First byte.
    pub fn start(&self) -> usize {
        self.start as usize
    }

    /// One past the last byte.
    pub fn end(&self) -> usize {
        self.end as usize
    }

    /// Length in bytes.
    pub fn len(&self) -> usize {
        (self.end - self.start) as usize
    }

    /// Whether the span is empty.
    pub fn is_empty(&self) -> bool {
        self.start == self.end
    }

    /// As a range, for slicing the input.
    pub fn range(&self) -> std::ops::Range<usize> {
        self.start()..self.end()
    }
}

/// 1-based line and column (in characters) of a byte offset in `text`.
pub fn line_column(text: &[u8], offset: usize) -> (usize, usize) {
    let upto = &text[..offset.min(text.len())];
    let line_start = upto.iter().rposition(|&b| b == b'\n').map_or(0, |p| p + 1);
    let line = 1 + memchr::memchr_iter(b'\n', upto).count();
    let column = 1 + upto[line_start..].iter().filter(|&&b| b & 0xC0 != 0x80).count();
    (line, column)
}
