//! Canonicalization of a whole document or of one element's subtree (the
//! document subsets XML-DSig references produce), optionally without one
//! excluded subtree (the enveloped signature): a reader of its own feeding
//! the [`C14n`] engine.

use std::borrow::Cow;

use super::engine::C14n;
use super::{C14nMethod, Sink};
use crate::xml::reader::{Event, Reader};
use crate::xml::{Span, XmlError};
use crate::Limits;

/// What to canonicalize.
#[derive(Clone, Debug)]
pub(crate) struct Subtree<'a, 'c> {
    pub src: &'a str,
    /// The apex element (or, for a whole document, the content after the XML declaration).
    pub range: std::ops::Range<usize>,
    /// A whole document: comments and PIs outside the root are rendered too.
    pub whole_document: bool,
    /// Namespace bindings in scope at the apex's parent: (prefix, URI).
    pub inherited_ns: &'c [(&'a str, &'a str)],
    /// `xml:*` attributes of the apex's ancestors (nearest each): (qualified name, value).
    pub inherited_xml: &'c [(&'a str, Cow<'a, str>)],
    /// An element left out with its whole subtree (the enveloped signature).
    pub exclude: Option<Span>,
}

/// Options of one canonicalization run.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Mode<'p> {
    pub method: C14nMethod,
    /// Exclusive: prefixes treated per inclusive rules (`""` for `#default`).
    pub inclusive_prefixes: &'p [&'p str],
    /// Whether comments are in the node-set at all (same-document references exclude them).
    pub comments: bool,
}

/// Canonicalizes `tree` into `sink`.
pub(crate) fn canonicalize<S: Sink>(
    tree: &Subtree<'_, '_>,
    mode: &Mode<'_>,
    limits: &Limits,
    sink: S,
) -> Result<S, XmlError> {
    let mut r = if tree.whole_document {
        Reader::new(tree.src, tree.range.start, limits)
    } else {
        Reader::in_context(tree.src, tree.range.clone(), tree.inherited_ns, limits)
    };
    let mut engine = C14n::new(mode.method, mode.inclusive_prefixes, mode.comments, 1, sink);
    loop {
        let ev = r.next()?;
        match ev {
            Event::Start(t) if tree.exclude.is_some_and(|x| x.start() == t.span.start()) => {
                r.skip_element()?;
            }
            Event::Eof => return Ok(engine.finish()),
            ev => engine.event(&r, &ev, tree.inherited_xml),
        }
    }
}
