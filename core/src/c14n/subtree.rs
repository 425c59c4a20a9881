//! Canonicalization of a whole document or of one element's subtree (the
//! document subsets XML-DSig references produce), optionally without one
//! excluded subtree (the enveloped signature). Every node of the subtree is
//! in the node-set, so the namespace axis reduces to comparing in-scope
//! bindings with what output ancestors already rendered.

use std::borrow::Cow;

use super::escape;
use super::sink::Writer;
use super::{C14nMethod, Sink};
use crate::xml::lex::QSpan;
use crate::xml::reader::{Binding, Event, Reader, StartTag};
use crate::xml::{NsId, NsTable, Span, XmlError};
use crate::Limits;

/// What to canonicalize.
#[derive(Clone, Debug)]
pub(crate) struct Subtree<'a, 'c> {
    pub src: &'a str,
    /// The apex element (or, for a whole document, the content after the XML declaration).
    pub range: std::ops::Range<usize>,
    /// A whole document: comments and PIs outside the root are rendered too.
    pub whole_document: bool,
    /// Namespace bindings in scope at the apex's parent, outermost first: (prefix, URI).
    pub inherited_ns: &'c [(&'a str, &'a str)],
    /// `xml:*` attributes of the apex's ancestors (nearest each): (local name, value).
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

/// An attribute ready for output.
struct OutAttr<'a> {
    uri: &'a str,
    local: &'a str,
    qname: &'a str,
    value: AttrText<'a>,
}

enum AttrText<'a> {
    Raw(&'a [u8]),
    /// Index into the inherited `xml:*` attributes.
    Inherited(usize),
}

struct Canonicalizer<'a, 'p, S: Sink> {
    src: &'a str,
    r: Reader<'a>,
    out: Writer<S>,
    exclusive: bool,
    comments: bool,
    inclusive_prefixes: &'p [&'p str],
    /// Bindings rendered by output ancestors, innermost last; marks per open element.
    rendered: Vec<(&'a str, &'a str)>,
    marks: Vec<usize>,
    ns_out: Vec<(&'a str, &'a str)>,
    attrs_out: Vec<OutAttr<'a>>,
    seen: Vec<&'a str>,
    root_done: bool,
}

/// Canonicalizes `tree` into `sink`.
pub(crate) fn canonicalize<S: Sink>(
    tree: &Subtree<'_, '_>,
    mode: &Mode<'_>,
    limits: &Limits,
    sink: S,
) -> Result<S, XmlError> {
    let mut names = NsTable::default();
    let inherited: Vec<_> = tree
        .inherited_ns
        .iter()
        .map(|&(prefix, uri)| Binding { prefix, ns: if uri.is_empty() { NsId::NONE } else { names.intern(uri) } })
        .collect();
    let r = if tree.whole_document {
        Reader::new(tree.src, tree.range.start, limits)
    } else {
        Reader::fragment(tree.src, tree.range.clone(), &inherited, names, limits)
    };
    let mut c = Canonicalizer {
        src: tree.src,
        r,
        out: Writer::new(sink),
        exclusive: mode.method.is_exclusive(),
        comments: mode.comments && mode.method.with_comments(),
        inclusive_prefixes: mode.inclusive_prefixes,
        rendered: Vec::with_capacity(16),
        marks: Vec::with_capacity(32),
        ns_out: Vec::with_capacity(8),
        attrs_out: Vec::with_capacity(8),
        seen: Vec::new(),
        root_done: false,
    };
    c.run(tree)?;
    Ok(c.out.into_inner())
}

impl<'a, S: Sink> Canonicalizer<'a, '_, S> {
    fn run(&mut self, tree: &Subtree<'a, '_>) -> Result<(), XmlError> {
        loop {
            match self.r.next()? {
                Event::Start(t) => {
                    if tree.exclude.is_some_and(|x| x.start() == t.span.start()) {
                        self.r.skip_element()?;
                        continue;
                    }
                    let apex = t.depth == 1;
                    let inherited_xml = if apex && !self.exclusive { tree.inherited_xml } else { &[] };
                    self.start_tag(&t, apex, inherited_xml);
                }
                Event::End { depth, name, .. } => self.end_tag(name, depth),
                Event::Text { span, has_ref } => {
                    if self.r.depth() > 0 {
                        escape::text(&mut self.out, &self.src.as_bytes()[span.range()], has_ref);
                    }
                }
                Event::CData(span) => {
                    escape::cdata(&mut self.out, &self.src.as_bytes()[span.start() + 9..span.end() - 3])
                }
                Event::Comment(span) if self.comments => self.outside_root(|c| c.comment(span)),
                Event::Comment(_) => {}
                Event::Pi(span) => self.outside_root(|c| c.pi(span)),
                Event::Eof => return Ok(()),
            }
        }
    }

    /// Renders a comment or PI, with the newline C14N puts around nodes outside the root.
    fn outside_root(&mut self, render: impl FnOnce(&mut Self)) {
        let outside = self.r.depth() == 0;
        if outside && self.root_done {
            self.out.push(b"\n");
        }
        render(self);
        if outside && !self.root_done {
            self.out.push(b"\n");
        }
    }

    fn comment(&mut self, span: Span) {
        self.out.push(b"<!--");
        escape::line_ends(&mut self.out, &self.src.as_bytes()[span.start() + 4..span.end() - 3]);
        self.out.push(b"-->");
    }

    /// `<?target data?>` with the whitespace after the target dropped.
    fn pi(&mut self, span: Span) {
        let inner = &self.src.as_bytes()[span.start() + 2..span.end() - 2];
        let target_len = inner.iter().position(|&b| crate::xml::is_ws(b)).unwrap_or(inner.len());
        let data = &inner[target_len..];
        let data = &data[data.iter().position(|&b| !crate::xml::is_ws(b)).unwrap_or(data.len())..];
        self.out.push(b"<?");
        self.out.push(&inner[..target_len]);
        if !data.is_empty() {
            self.out.push(b" ");
            escape::line_ends(&mut self.out, data);
        }
        self.out.push(b"?>");
    }

    fn start_tag(&mut self, t: &StartTag, apex: bool, inherited_xml: &'_ [(&'a str, Cow<'a, str>)]) {
        self.marks.push(self.rendered.len());
        self.out.push(b"<");
        self.out.push(t.name.raw(self.src.as_bytes()));
        self.ns_out.clear();
        if self.exclusive {
            self.exclusive_namespaces(t);
        } else {
            self.inclusive_namespaces(apex);
        }
        self.ns_out.sort_unstable_by(|a, b| a.0.cmp(b.0));
        for i in 0..self.ns_out.len() {
            let (prefix, uri) = self.ns_out[i];
            self.out.push(if prefix.is_empty() { b" xmlns=\"" } else { b" xmlns:" });
            if !prefix.is_empty() {
                self.out.push(prefix.as_bytes());
                self.out.push(b"=\"");
            }
            escape::attr_value(&mut self.out, uri);
            self.out.push(b"\"");
        }
        self.attributes(inherited_xml);
        self.out.push(b">");
    }

    fn end_tag(&mut self, name: QSpan, depth: u32) {
        self.out.push(b"</");
        self.out.push(name.raw(self.src.as_bytes()));
        self.out.push(b">");
        if let Some(mark) = self.marks.pop() {
            self.rendered.truncate(mark);
        }
        if depth == 1 {
            self.root_done = true;
        }
    }

    /// The binding output ancestors rendered for `prefix` (empty default when none).
    fn rendered(&self, prefix: &str) -> Option<&'a str> {
        match self.rendered.iter().rev().find(|(p, _)| *p == prefix) {
            Some(&(_, uri)) => Some(uri),
            None if prefix.is_empty() => Some(""),
            None => None,
        }
    }

    /// Queues `xmlns[:prefix]="uri"` unless output ancestors rendered the same binding.
    fn consider(&mut self, prefix: &'a str, uri: &'a str) {
        if prefix == "xml" || self.rendered(prefix) == Some(uri) || (uri.is_empty() && !prefix.is_empty()) {
            return;
        }
        self.rendered.push((prefix, uri));
        self.ns_out.push((prefix, uri));
    }

    /// Inclusive: at the apex every in-scope binding, below it only those declared here.
    fn inclusive_namespaces(&mut self, apex: bool) {
        let count = if apex { self.r.bindings_in_scope().len() } else { self.r.declared_here().len() };
        let total = self.r.bindings_in_scope().len();
        self.seen.clear();
        for i in (total - count..total).rev() {
            let b = self.r.bindings_in_scope()[i];
            if self.seen.contains(&b.prefix) {
                continue;
            }
            self.seen.push(b.prefix);
            let uri = self.r.names().uri(b.ns);
            self.consider(b.prefix, uri);
        }
    }

    /// Exclusive: the prefixes the element and its attributes visibly use, plus the inclusive list.
    fn exclusive_namespaces(&mut self, t: &StartTag) {
        let element_prefix = t.name.prefix(self.src);
        self.consider_in_scope(element_prefix);
        for i in 0..self.r.attrs().len() {
            let a = self.r.attrs()[i];
            if a.name.prefix_len != 0 {
                self.consider_in_scope(a.name.prefix(self.src));
            }
        }
        for &p in self.inclusive_prefixes {
            match self.r.binding(p) {
                Some(b) => {
                    let uri = self.r.names().uri(b.ns);
                    self.consider(b.prefix, uri);
                }
                None if p.is_empty() => self.consider("", ""),
                None => {}
            }
        }
    }

    fn consider_in_scope(&mut self, prefix: &'a str) {
        if let Some(ns) = self.r.resolve(prefix) {
            let uri = self.r.names().uri(ns);
            self.consider(prefix, uri);
        }
    }

    fn attributes(&mut self, inherited_xml: &'_ [(&'a str, Cow<'a, str>)]) {
        self.attrs_out.clear();
        let src = self.src;
        for a in self.r.attrs() {
            let qname = &src[a.name.start as usize..a.name.end as usize];
            let value = AttrText::Raw(&src.as_bytes()[a.value.range()]);
            let out = OutAttr { uri: self.r.names().uri(a.ns), local: a.name.local(src), qname, value };
            self.attrs_out.push(out);
        }
        let own = self.attrs_out.len();
        for (i, &(local, _)) in inherited_xml.iter().enumerate() {
            if !self.attrs_out[..own].iter().any(|a| a.uri == crate::ns::XML && a.local == local) {
                let out =
                    OutAttr { uri: crate::ns::XML, local, qname: xml_qname(local), value: AttrText::Inherited(i) };
                self.attrs_out.push(out);
            }
        }
        self.attrs_out.sort_unstable_by(|a, b| (a.uri, a.local).cmp(&(b.uri, b.local)));
        for a in &self.attrs_out {
            self.out.push(b" ");
            self.out.push(a.qname.as_bytes());
            self.out.push(b"=\"");
            match a.value {
                AttrText::Raw(raw) => escape::attr_raw(&mut self.out, raw),
                AttrText::Inherited(i) => escape::attr_value(&mut self.out, &inherited_xml[i].1),
            }
            self.out.push(b"\"");
        }
    }
}

fn xml_qname(local: &str) -> &'static str {
    match local {
        "lang" => "xml:lang",
        "space" => "xml:space",
        "base" => "xml:base",
        _ => "xml:id",
    }
}
