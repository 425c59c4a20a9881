//! Canonicalization of an arbitrary node-set, chosen node by node by a
//! [`NodeFilter`], following the processing model of Canonical XML 1.0 and
//! Exclusive XML Canonicalization 1.0 literally: elements, attributes,
//! namespace nodes, text, comments and PIs are in or out independently, and
//! attribute or namespace nodes whose element is out are still rendered.
//!
//! XML-DSig in kuvert never needs this (it refuses XPath transforms); it
//! exists so that canonicalization can be proven against the published
//! node-set test vectors, and for callers with their own node selection.
//! It is slower than the subtree canonicalizer: namespace nodes are
//! materialized per element.

use std::borrow::Cow;

use super::escape;
use super::sink::Writer;
use super::{C14nMethod, Sink};
use crate::soap::QName;
use crate::xml::reader::{Event, Reader, StartTag};
use crate::xml::text::text_value;
use crate::xml::{Input, NsId, Span, XmlError};
use crate::Limits;

/// An element as a [`NodeFilter`] sees it.
#[derive(Clone, Copy, Debug)]
pub struct ElementNode<'n> {
    /// The names of the root element down to this element.
    pub path: &'n [QName<'n>],
    /// The element's prefix as written (empty when unprefixed).
    pub prefix: &'n str,
    /// The element in the input.
    pub span: Span,
}

impl<'n> ElementNode<'n> {
    /// This element's expanded name.
    pub fn name(&self) -> QName<'n> {
        self.path[self.path.len() - 1]
    }

    /// 1 for the root element.
    pub fn depth(&self) -> usize {
        self.path.len()
    }

    /// Whether this element or an ancestor is named `{ns}local`.
    pub fn within(&self, ns: &str, local: &str) -> bool {
        self.path.iter().any(|q| q.ns == ns && q.local == local)
    }
}

/// An attribute as a [`NodeFilter`] sees it (namespace declarations are namespace nodes).
#[derive(Clone, Copy, Debug)]
pub struct AttributeNode<'n> {
    /// Expanded name.
    pub name: QName<'n>,
    /// Normalized value.
    pub value: &'n str,
}

/// Chooses the nodes of an XPath node-set, one at a time, in document order.
pub trait NodeFilter {
    /// Whether the element node itself is in the node-set.
    fn element(&mut self, element: &ElementNode<'_>) -> bool;
    /// Whether an attribute node of `element` is in the node-set.
    fn attribute(&mut self, element: &ElementNode<'_>, attribute: &AttributeNode<'_>) -> bool;
    /// Whether the namespace node (`prefix` empty for the default namespace) of `element` is in the node-set.
    fn namespace(&mut self, element: &ElementNode<'_>, prefix: &str, uri: &str) -> bool;
    /// Whether a text node (character data of `parent`) is in the node-set.
    fn text(&mut self, parent: &ElementNode<'_>, text: &str) -> bool;
    /// Whether a comment is in the node-set (`parent` is `None` outside the root). Default: yes.
    fn comment(&mut self, parent: Option<&ElementNode<'_>>) -> bool {
        let _ = parent;
        true
    }
    /// Whether a processing instruction is in the node-set. Default: yes.
    fn pi(&mut self, parent: Option<&ElementNode<'_>>) -> bool {
        let _ = parent;
        true
    }
}

/// What one open element contributes to the output state.
struct Frame<'a> {
    in_set: bool,
    qname: &'a str,
    /// Namespace nodes of the element that are in the node-set: (prefix, URI).
    ns_in_set: Vec<(&'a str, &'a str)>,
    /// Prefixes the element visibly utilizes (exclusive).
    utilized: Vec<&'a str>,
}

struct Engine<'a, 'p, S: Sink> {
    src: &'a str,
    out: Writer<S>,
    exclusive: bool,
    comments: bool,
    inclusive_prefixes: &'p [&'p str],
    frames: Vec<Frame<'a>>,
    path: Vec<QName<'a>>,
    /// `xml:*` attributes of open elements: (depth, local, value).
    xml_attrs: Vec<(usize, &'a str, Cow<'a, str>)>,
    root_done: bool,
}

/// Canonicalizes the nodes of `input` that `filter` selects.
///
/// `inclusive_prefixes` is the exclusive method's PrefixList (`"#default"`
/// for the default namespace); ignored by the inclusive methods.
pub fn canonicalize_node_set<S: Sink>(
    input: &Input<'_>,
    method: C14nMethod,
    inclusive_prefixes: &[&str],
    filter: &mut dyn NodeFilter,
    limits: &Limits,
    sink: S,
) -> Result<S, XmlError> {
    let prefixes: Vec<&str> = inclusive_prefixes.iter().map(|&p| if p == "#default" { "" } else { p }).collect();
    let src = input.as_str();
    let mut r = Reader::new(src, input.content_start(), limits);
    let mut e = Engine {
        src,
        out: Writer::new(sink),
        exclusive: method.is_exclusive(),
        comments: method.with_comments(),
        inclusive_prefixes: &prefixes,
        frames: Vec::new(),
        path: Vec::new(),
        xml_attrs: Vec::new(),
        root_done: false,
    };
    e.run(&mut r, filter).map_err(|err| XmlError::new(err.kind(), input.original_offset(err.offset())))?;
    Ok(e.out.into_inner())
}

impl<'a, S: Sink> Engine<'a, '_, S> {
    fn run(&mut self, r: &mut Reader<'a>, filter: &mut dyn NodeFilter) -> Result<(), XmlError> {
        loop {
            match r.next()? {
                Event::Start(t) => self.start(r, &t, filter),
                Event::End { depth, .. } => self.end(depth as usize),
                Event::Text { span, has_ref } => self.text(span, has_ref, filter),
                Event::CData(span) => self.cdata(Span::new(span.start() + 9, span.end() - 3), filter),
                Event::Comment(span) => self.comment(span, filter),
                Event::Pi(span) => self.pi(span, filter),
                Event::Eof => return Ok(()),
            }
        }
    }

    fn element_node<'n>(path: &'n [QName<'a>], prefix: &'n str, span: Span) -> ElementNode<'n> {
        ElementNode { path, prefix, span }
    }

    fn start(&mut self, r: &Reader<'a>, t: &StartTag, filter: &mut dyn NodeFilter) {
        let src = self.src;
        let prefix = t.name.prefix(src);
        self.path.push(QName { ns: r.names().uri(t.ns), local: t.name.local(src) });
        let node = Self::element_node(&self.path, prefix, t.span);
        let in_set = filter.element(&node);
        let namespaces = namespace_nodes(r);
        let mut ns_in_set = Vec::new();
        for &(p, u) in &namespaces {
            if filter.namespace(&node, p, u) {
                ns_in_set.push((p, u));
            }
        }
        let attrs = attribute_nodes(r, src);
        let attrs_in: Vec<&OwnedAttr<'a>> = attrs.iter().filter(|a| filter.attribute(&node, &a.node())).collect();
        let mut utilized: Vec<&'a str> = vec![prefix];
        utilized.extend(attrs_in.iter().filter(|a| !a.prefix.is_empty()).map(|a| a.prefix));
        let frame = Frame { in_set, qname: &src[t.name.start as usize..t.name.end as usize], ns_in_set, utilized };
        let rendered_ns = self.namespaces_to_render(&frame);
        let imported =
            if in_set && !self.exclusive && !self.parent_in_set() { self.imported_xml(&attrs) } else { Vec::new() };
        self.render_start(&frame, &rendered_ns, &attrs_in, &imported);
        for a in attrs.iter().filter(|a| a.name.ns == crate::ns::XML) {
            self.xml_attrs.push((self.path.len(), a.name.local, a.value.clone()));
        }
        self.frames.push(frame);
    }

    fn parent_in_set(&self) -> bool {
        self.frames.last().is_some_and(|f| f.in_set)
    }

    fn nearest_output(&self) -> Option<&Frame<'a>> {
        self.frames.iter().rev().find(|f| f.in_set)
    }

    /// The namespace declarations the element renders, sorted, `xmlns=""` included.
    fn namespaces_to_render(&self, frame: &Frame<'a>) -> Vec<(&'a str, &'a str)> {
        let mut out: Vec<(&'a str, &'a str)> = Vec::new();
        for &(p, u) in &frame.ns_in_set {
            if p == "xml" {
                continue;
            }
            let inclusive_rule = !self.exclusive || self.inclusive_prefixes.contains(&p);
            let render = if inclusive_rule {
                !self.nearest_output().is_some_and(|a| a.ns_in_set.contains(&(p, u)))
            } else {
                frame.in_set && frame.utilized.contains(&p) && !self.utilizer_has(p, u)
            };
            if render {
                out.push((p, u));
            }
        }
        if frame.in_set && !frame.ns_in_set.iter().any(|(p, _)| p.is_empty()) && self.needs_empty_default(frame) {
            out.push(("", ""));
        }
        out.sort_by(|a, b| a.0.cmp(b.0));
        out
    }

    /// Exclusive: the nearest output ancestor visibly utilizing `prefix` has the same namespace node.
    fn utilizer_has(&self, prefix: &str, uri: &str) -> bool {
        let utilizer = self.frames.iter().rev().find(|f| f.in_set && f.utilized.contains(&prefix));
        utilizer.is_some_and(|a| a.ns_in_set.contains(&(prefix, uri)))
    }

    /// Whether `xmlns=""` must undo a default namespace of the output ancestors.
    fn needs_empty_default(&self, frame: &Frame<'a>) -> bool {
        let has_default = |f: &Frame<'a>| f.ns_in_set.iter().any(|(p, u)| p.is_empty() && !u.is_empty());
        if !self.exclusive || self.inclusive_prefixes.contains(&"") {
            return self.nearest_output().is_some_and(has_default);
        }
        frame.utilized.contains(&"")
            && self.frames.iter().rev().find(|f| f.in_set && f.utilized.contains(&"")).is_some_and(has_default)
    }

    /// Inclusive, for an element whose parent is not output: the nearest `xml:*`
    /// attribute of each name among its ancestors, unless it has one itself.
    fn imported_xml(&self, own: &[OwnedAttr<'a>]) -> Vec<(&'a str, Cow<'a, str>)> {
        let depth = self.path.len();
        let mut out: Vec<(&'a str, Cow<'a, str>)> = Vec::new();
        for (d, local, value) in self.xml_attrs.iter().rev() {
            let mine = own.iter().any(|a| a.name.ns == crate::ns::XML && a.name.local == *local);
            if *d < depth && !mine && !out.iter().any(|(l, _)| l == local) {
                out.push((local, value.clone()));
            }
        }
        out
    }

    fn render_start(
        &mut self,
        frame: &Frame<'a>,
        ns: &[(&'a str, &'a str)],
        attrs: &[&OwnedAttr<'a>],
        imported: &[(&'a str, Cow<'a, str>)],
    ) {
        if frame.in_set {
            self.out.push(b"<");
            self.out.push(frame.qname.as_bytes());
        }
        for &(p, u) in ns {
            self.out.push(if p.is_empty() { b" xmlns" } else { b" xmlns:" });
            self.out.push(p.as_bytes());
            self.out.push(b"=\"");
            escape::attr_value(&mut self.out, u);
            self.out.push(b"\"");
        }
        let mut all: Vec<(QName<'a>, Cow<'a, str>, Cow<'a, str>)> =
            attrs.iter().map(|a| (a.name, Cow::Borrowed(a.qname), a.value.clone())).collect();
        for (local, value) in imported {
            let qname = Cow::Owned(format!("xml:{local}"));
            all.push((QName { ns: crate::ns::XML, local }, qname, value.clone()));
        }
        all.sort_by(|a, b| (a.0.ns, a.0.local).cmp(&(b.0.ns, b.0.local)));
        for (_, qname, value) in &all {
            self.out.push(b" ");
            self.out.push(qname.as_bytes());
            self.out.push(b"=\"");
            escape::attr_value(&mut self.out, value);
            self.out.push(b"\"");
        }
        if frame.in_set {
            self.out.push(b">");
        }
    }

    fn end(&mut self, depth: usize) {
        if let Some(frame) = self.frames.pop() {
            if frame.in_set {
                self.out.push(b"</");
                self.out.push(frame.qname.as_bytes());
                self.out.push(b">");
            }
        }
        self.path.pop();
        while self.xml_attrs.last().is_some_and(|&(d, _, _)| d >= depth) {
            self.xml_attrs.pop();
        }
        if depth == 1 {
            self.root_done = true;
        }
    }

    fn text(&mut self, span: Span, has_ref: bool, filter: &mut dyn NodeFilter) {
        if self.path.is_empty() {
            return;
        }
        let value = text_value(self.src, span, has_ref);
        let node = Self::element_node(&self.path, "", Span::default());
        if filter.text(&node, &value) {
            escape::text(&mut self.out, &self.src.as_bytes()[span.range()], has_ref);
        }
    }

    /// The inside of a CDATA section: a text node whose characters are escaped like any text.
    fn cdata(&mut self, span: Span, filter: &mut dyn NodeFilter) {
        if self.path.is_empty() {
            return;
        }
        let value = text_value(self.src, span, false);
        let node = Self::element_node(&self.path, "", Span::default());
        if filter.text(&node, &value) {
            escape::cdata(&mut self.out, &self.src.as_bytes()[span.range()]);
        }
    }

    fn comment(&mut self, span: Span, filter: &mut dyn NodeFilter) {
        let node = Self::element_node(&self.path, "", Span::default());
        let parent = if self.path.is_empty() { None } else { Some(&node) };
        if !self.comments || !filter.comment(parent) {
            return;
        }
        let outside = self.path.is_empty();
        self.around_root(outside, |out| {
            out.push(b"<!--");
            escape::line_ends(out, &self.src.as_bytes()[span.start() + 4..span.end() - 3]);
            out.push(b"-->");
        });
    }

    fn pi(&mut self, span: Span, filter: &mut dyn NodeFilter) {
        let node = Self::element_node(&self.path, "", Span::default());
        let parent = if self.path.is_empty() { None } else { Some(&node) };
        if !filter.pi(parent) {
            return;
        }
        let inner = &self.src.as_bytes()[span.start() + 2..span.end() - 2];
        let target_len = inner.iter().position(|&b| crate::xml::is_ws(b)).unwrap_or(inner.len());
        let data = &inner[target_len..];
        let data = &data[data.iter().position(|&b| !crate::xml::is_ws(b)).unwrap_or(data.len())..];
        let outside = self.path.is_empty();
        self.around_root(outside, |out| {
            out.push(b"<?");
            out.push(&inner[..target_len]);
            if !data.is_empty() {
                out.push(b" ");
                escape::line_ends(out, data);
            }
            out.push(b"?>");
        });
    }

    /// Renders a node, with the newline C14N puts around nodes outside the root.
    fn around_root(&mut self, outside: bool, render: impl FnOnce(&mut Writer<S>)) {
        if outside && self.root_done {
            self.out.push(b"\n");
        }
        render(&mut self.out);
        if outside && !self.root_done {
            self.out.push(b"\n");
        }
    }
}

/// The namespace nodes of the current element: every in-scope binding once
/// (innermost wins), the `xml` one included, no node for an undeclared default.
fn namespace_nodes<'a>(r: &Reader<'a>) -> Vec<(&'a str, &'a str)> {
    let mut out: Vec<(&'a str, &'a str)> = Vec::new();
    let mut seen: Vec<&'a str> = Vec::new();
    for b in r.bindings_in_scope().iter().rev() {
        if seen.contains(&b.prefix) {
            continue;
        }
        seen.push(b.prefix);
        if b.ns != NsId::NONE {
            out.push((b.prefix, r.names().uri(b.ns)));
        }
    }
    out
}

/// An attribute with its normalized value.
struct OwnedAttr<'a> {
    name: QName<'a>,
    prefix: &'a str,
    qname: &'a str,
    value: Cow<'a, str>,
}

impl<'a> OwnedAttr<'a> {
    fn node(&self) -> AttributeNode<'_> {
        AttributeNode { name: self.name, value: &self.value }
    }
}

fn attribute_nodes<'a>(r: &Reader<'a>, src: &'a str) -> Vec<OwnedAttr<'a>> {
    r.attrs()
        .iter()
        .map(|a| OwnedAttr {
            name: QName { ns: r.names().uri(a.ns), local: a.name.local(src) },
            prefix: a.name.prefix(src),
            qname: &src[a.name.start as usize..a.name.end as usize],
            value: crate::xml::text::attr_value(src, a.value, a.has_ref),
        })
        .collect()
}
