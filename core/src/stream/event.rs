//! What the push parser reports. Views borrow the parser's window and its
//! namespace scope for the duration of one handler call.

use super::ns::{Mark, Rng, Scope};

/// An expanded name with the prefix as written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StreamName<'b> {
    /// Namespace URI; empty for no namespace.
    pub ns: &'b str,
    /// Prefix as written (empty when unprefixed).
    pub prefix: &'b str,
    /// Local name.
    pub local: &'b str,
}

/// An attribute (namespace declarations excluded), value as written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StreamAttr<'b> {
    /// Expanded name.
    pub name: StreamName<'b>,
    /// Value between the quotes, references not expanded.
    pub raw_value: &'b [u8],
    /// The value contains a reference.
    pub has_ref: bool,
}

/// A resolved attribute as offsets: name in the tag, namespace in the scope.
#[derive(Clone, Copy, Debug)]
pub(crate) struct AttrIdx {
    pub ns: Rng,
    pub name: (u32, u32, u32),
    pub value: (u32, u32),
    pub has_ref: bool,
}

/// A start tag.
#[derive(Clone, Copy)]
pub struct StreamStart<'b> {
    /// Absolute offset of `<`.
    pub offset: u64,
    /// 1 for the root element.
    pub depth: u32,
    /// Expanded name.
    pub name: StreamName<'b>,
    /// `<x/>`: an [`StreamEvent::End`] follows at once.
    pub empty: bool,
    /// The tag as written, `<` to `>`.
    pub raw: &'b [u8],
    /// `raw` as text, when the parser had it (names are sliced from it).
    pub(crate) raw_text: Option<&'b str>,
    /// The element has its parent's prefix and declares nothing: its
    /// namespace is the parent's, by the same binding.
    pub(crate) parent_ns: bool,
    pub(crate) attrs: &'b [AttrIdx],
    pub(crate) scope: &'b Scope,
    pub(crate) mark: Mark,
}

impl<'b> StreamStart<'b> {
    /// The attributes, namespace declarations excluded, in document order.
    pub fn attrs(&self) -> impl Iterator<Item = StreamAttr<'b>> + '_ {
        self.attrs.iter().map(|a| self.view(a))
    }

    /// The attribute `{ns}local`.
    pub fn attr(&self, ns: &str, local: &str) -> Option<StreamAttr<'b>> {
        self.attrs().find(|a| a.name.ns == ns && a.name.local == local)
    }

    /// Namespace declarations on this element, as (prefix, URI).
    pub fn declared(&self) -> impl Iterator<Item = (&'b str, &'b str)> {
        self.scope.since(self.mark)
    }

    /// Every namespace binding in scope, outermost first (later ones win).
    pub fn in_scope(&self) -> impl Iterator<Item = (&'b str, &'b str)> {
        self.scope.all()
    }

    /// The namespace bound to `prefix` here (empty prefix: the default namespace).
    pub fn resolve(&self, prefix: &str) -> Option<&'b str> {
        self.scope.resolve(prefix.as_bytes()).map(|r| self.scope.get(r))
    }

    fn view(&self, a: &AttrIdx) -> StreamAttr<'b> {
        let (s, e, p) = a.name;
        let text = |s: u32, e: u32| {
            let (s, e) = (s as usize, e as usize);
            match self.raw_text {
                Some(t) => t.get(s..e).unwrap_or(""),
                None => std::str::from_utf8(&self.raw[s..e]).unwrap_or(""),
            }
        };
        let local_start = if p == 0 { s } else { s + p + 1 };
        StreamAttr {
            name: StreamName { ns: self.scope.get(a.ns), prefix: text(s, s + p), local: text(local_start, e) },
            raw_value: &self.raw[a.value.0 as usize..a.value.1 as usize],
            has_ref: a.has_ref,
        }
    }
}

impl std::fmt::Debug for StreamStart<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StreamStart")
            .field("offset", &self.offset)
            .field("depth", &self.depth)
            .field("name", &self.name)
            .field("attrs", &self.attrs().collect::<Vec<_>>())
            .finish()
    }
}

/// One event. Text arrives in one or more pieces (where chunks were cut);
/// everything else whole.
#[derive(Clone, Copy, Debug)]
pub enum StreamEvent<'b> {
    /// A start tag.
    Start(StreamStart<'b>),
    /// The end of an element; `raw` is the end tag (empty for `<x/>`).
    End {
        /// Absolute offset of the end tag (of the end of the start tag for `<x/>`).
        offset: u64,
        /// Depth of the element closed.
        depth: u32,
        /// Its expanded name.
        name: StreamName<'b>,
        /// The end tag as written.
        raw: &'b [u8],
    },
    /// A piece of character data as written (references not expanded).
    Text {
        /// Absolute offset of the piece.
        offset: u64,
        /// The bytes.
        raw: &'b [u8],
        /// The piece contains a reference (never cut inside one).
        has_ref: bool,
    },
    /// A CDATA section, delimiters included.
    CData {
        /// Absolute offset.
        offset: u64,
        /// As written.
        raw: &'b [u8],
    },
    /// A comment, delimiters included.
    Comment {
        /// Absolute offset.
        offset: u64,
        /// As written.
        raw: &'b [u8],
    },
    /// A processing instruction, delimiters included.
    Pi {
        /// Absolute offset.
        offset: u64,
        /// As written.
        raw: &'b [u8],
    },
}
