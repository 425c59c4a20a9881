//! Canonical XML 1.0 and Exclusive XML Canonicalization 1.0, with and
//! without comments, written straight into a [`Sink`] (a buffer or a digest)
//! without building a tree or an intermediate string.

pub(crate) mod engine;
pub(crate) mod escape;
mod nodeset;
pub(crate) mod sink;
pub(crate) mod subtree;
pub(crate) mod taps;

pub use nodeset::{canonicalize_node_set, AttributeNode, ElementNode, NodeFilter};
pub use sink::Sink;

use crate::xml::{Input, XmlError};
use crate::Limits;

/// A canonicalization algorithm, as XML-DSig names them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum C14nMethod {
    /// Canonical XML 1.0, `http://www.w3.org/TR/2001/REC-xml-c14n-20010315`.
    Inclusive,
    /// Canonical XML 1.0 with comments.
    InclusiveWithComments,
    /// Exclusive XML Canonicalization 1.0, `http://www.w3.org/2001/10/xml-exc-c14n#`.
    Exclusive,
    /// Exclusive XML Canonicalization 1.0 with comments.
    ExclusiveWithComments,
}

impl C14nMethod {
    /// The algorithm's URI.
    pub const fn uri(self) -> &'static str {
        match self {
            C14nMethod::Inclusive => "http://www.w3.org/TR/2001/REC-xml-c14n-20010315",
            C14nMethod::InclusiveWithComments => "http://www.w3.org/TR/2001/REC-xml-c14n-20010315#WithComments",
            C14nMethod::Exclusive => "http://www.w3.org/2001/10/xml-exc-c14n#",
            C14nMethod::ExclusiveWithComments => "http://www.w3.org/2001/10/xml-exc-c14n#WithComments",
        }
    }

    /// The algorithm named by `uri`, if it is one of the four.
    pub fn from_uri(uri: &str) -> Option<C14nMethod> {
        [Self::Inclusive, Self::InclusiveWithComments, Self::Exclusive, Self::ExclusiveWithComments]
            .into_iter()
            .find(|m| m.uri() == uri)
    }

    /// Exclusive canonicalization.
    pub const fn is_exclusive(self) -> bool {
        matches!(self, C14nMethod::Exclusive | C14nMethod::ExclusiveWithComments)
    }

    /// Comments are kept.
    pub const fn with_comments(self) -> bool {
        matches!(self, C14nMethod::InclusiveWithComments | C14nMethod::ExclusiveWithComments)
    }
}

/// Canonicalizes a whole document into `sink` and returns the sink.
///
/// `inclusive_prefixes` is the exclusive method's `InclusiveNamespaces
/// PrefixList` (`"#default"` for the default namespace); it is ignored by the
/// inclusive methods.
///
/// ```
/// use kuvert::{canonicalize_document, C14nMethod, Input, Limits};
/// let limits = Limits::default();
/// let input = Input::new(b"<?xml version='1.0'?><a b='1'   a='2'><c/></a>", &limits)?;
/// let out = canonicalize_document(&input, C14nMethod::Inclusive, &[], &limits, Vec::new())?;
/// assert_eq!(out, b"<a a=\"2\" b=\"1\"><c></c></a>");
/// # Ok::<(), kuvert::XmlError>(())
/// ```
pub fn canonicalize_document<S: Sink>(
    input: &Input<'_>,
    method: C14nMethod,
    inclusive_prefixes: &[&str],
    limits: &Limits,
    sink: S,
) -> Result<S, XmlError> {
    let prefixes: Vec<&str> = inclusive_prefixes.iter().map(|&p| if p == "#default" { "" } else { p }).collect();
    let src = input.as_str();
    let tree = subtree::Subtree {
        src,
        range: input.content_start()..src.len(),
        whole_document: true,
        inherited_ns: &[],
        inherited_xml: &[],
        exclude: None,
    };
    let mode = subtree::Mode { method, inclusive_prefixes: &prefixes, comments: true };
    subtree::canonicalize(&tree, &mode, limits, sink)
        .map_err(|e| XmlError::new(e.kind(), input.original_offset(e.offset())))
}

#[cfg(test)]
mod tests;
