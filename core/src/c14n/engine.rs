//! The canonicalizer for subtree node-sets, driven from outside: it is fed
//! the events of a [`Reader`] together with the reader's state, so it can
//! run on its own reader over one element (subtree mode) or ride along the
//! main pass of a verification (digest taps), and later a push parser.
//!
//! Every node of the subtree is in the node-set, so the namespace axis
//! reduces to comparing in-scope bindings with what output ancestors
//! already rendered.

use std::borrow::Cow;

use super::escape;
use super::sink::Writer;
use super::{C14nMethod, Sink};
use crate::xml::chars::short_eq;
use crate::xml::lex::QSpan;
use crate::xml::reader::{Event, Reader, StartTag};
use crate::xml::{NsId, Span};

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
    /// The apex's added `wsu:Id` ([`C14n::with_apex_id`]).
    ApexId,
}

/// The buffers of a finished canonicalizer, emptied, for the next one
/// ([`C14n::reusing`]): a verification pass starts and finishes several
/// digest taps per message, each with its own canonicalizer.
#[derive(Default)]
pub(crate) struct Spare<'a> {
    buf: Vec<u8>,
    rendered: Vec<(&'a str, NsId)>,
    marks: Vec<usize>,
    ns_out: Vec<(&'a str, NsId)>,
    attrs_out: Vec<OutAttr<'a>>,
    seen: Vec<&'a str>,
}

/// Canonicalization state of one subtree (or document) being written to `S`.
pub(crate) struct C14n<'a, S: Sink> {
    out: Writer<S>,
    exclusive: bool,
    comments: bool,
    /// Exclusive: prefixes treated per inclusive rules (`""` for `#default`).
    inclusive_prefixes: Vec<Box<str>>,
    /// Depth of the apex in the reader feeding the events (1 for a fragment reader).
    apex_depth: u32,
    /// Bindings rendered by output ancestors, innermost last; marks per open
    /// element. Namespaces as the feeding reader interned them (one reader
    /// feeds an engine), so equal URIs compare as equal numbers.
    rendered: Vec<(&'a str, NsId)>,
    marks: Vec<usize>,
    ns_out: Vec<(&'a str, NsId)>,
    attrs_out: Vec<OutAttr<'a>>,
    seen: Vec<&'a str>,
    root_done: bool,
    /// A `wsu:Id` the apex is written with as though its start tag had it.
    apex_id: Option<Box<str>>,
}

impl<'a, S: Sink> C14n<'a, S> {
    /// A canonicalizer whose apex is at `apex_depth` of the reader that will feed it.
    pub fn new(method: C14nMethod, prefixes: &[&str], comments: bool, apex_depth: u32, sink: S) -> Self {
        let spare = Spare {
            buf: Writer::<S>::buffer(),
            rendered: Vec::with_capacity(16),
            marks: Vec::with_capacity(32),
            ns_out: Vec::with_capacity(8),
            attrs_out: Vec::with_capacity(8),
            seen: Vec::new(),
        };
        Self::reusing(method, prefixes, comments, apex_depth, sink, spare)
    }

    /// [`new`](Self::new), in the buffers a finished canonicalizer left.
    pub fn reusing(
        method: C14nMethod,
        prefixes: &[&str],
        comments: bool,
        apex_depth: u32,
        sink: S,
        spare: Spare<'a>,
    ) -> Self {
        let Spare { buf, rendered, marks, ns_out, attrs_out, seen } = spare;
        C14n {
            out: Writer::with_buffer(sink, buf),
            exclusive: method.is_exclusive(),
            comments: comments && method.with_comments(),
            inclusive_prefixes: prefixes.iter().map(|&p| Box::from(if p == "#default" { "" } else { p })).collect(),
            apex_depth,
            rendered,
            marks,
            ns_out,
            attrs_out,
            seen,
            root_done: false,
            apex_id: None,
        }
    }

    /// Canonicalizes the apex as though its start tag also had
    /// `xmlns:wsu="…wssecurity-utility…" wsu:Id="id"`: the element as a
    /// signer that adds the ID writes it. Only for an apex that has no
    /// `wsu:Id` and in whose scope `wsu` is unbound or bound to that namespace.
    pub fn with_apex_id(mut self, id: Box<str>) -> Self {
        self.apex_id = Some(id);
        self
    }

    /// The sink, with everything written.
    pub fn finish(self) -> S {
        self.out.into_inner()
    }

    /// The sink, with everything written, and the buffers emptied for reuse.
    pub fn finish_keeping(self) -> (S, Spare<'a>) {
        let (sink, buf) = self.out.into_parts();
        let C14n { mut rendered, mut marks, mut ns_out, mut attrs_out, mut seen, .. } = self;
        rendered.clear();
        marks.clear();
        ns_out.clear();
        attrs_out.clear();
        seen.clear();
        (sink, Spare { buf, rendered, marks, ns_out, attrs_out, seen })
    }

    /// The sink, with everything written so far handed to it.
    pub fn sink_flushed(&mut self) -> &mut S {
        self.out.flush();
        self.out.sink_mut()
    }

    /// Handles one event the reader `r` just produced; `inherited_xml` (qualified
    /// name, value) is rendered at the apex by the inclusive methods.
    pub fn event(&mut self, r: &Reader<'a>, ev: &Event, inherited_xml: &[(&'a str, Cow<'a, str>)]) {
        let src = r.source();
        match ev {
            Event::Start(t) => {
                let apex = t.depth == self.apex_depth;
                let imported = if apex && !self.exclusive { inherited_xml } else { &[] };
                self.start_tag(r, t, apex, imported);
            }
            Event::End { depth, name, .. } => self.end_tag(src, *name, *depth),
            Event::Text { span, has_ref } => {
                if r.depth() >= self.apex_depth {
                    escape::text(&mut self.out, &src.as_bytes()[span.range()], *has_ref);
                }
            }
            Event::CData(span) => escape::cdata(&mut self.out, &src.as_bytes()[span.start() + 9..span.end() - 3]),
            Event::Comment(span) if self.comments => {
                let span = *span;
                self.outside_root(r, |c| c.comment(src, span))
            }
            Event::Comment(_) | Event::Eof => {}
            Event::Pi(span) => {
                let span = *span;
                self.outside_root(r, |c| c.pi(src, span))
            }
        }
    }

    /// Renders a comment or PI, with the newline C14N puts around nodes outside the root.
    fn outside_root(&mut self, r: &Reader<'a>, render: impl FnOnce(&mut Self)) {
        let outside = r.depth() < self.apex_depth;
        if outside && self.root_done {
            self.out.push(b"\n");
        }
        render(self);
        if outside && !self.root_done {
            self.out.push(b"\n");
        }
    }

    fn comment(&mut self, src: &str, span: Span) {
        self.out.push(b"<!--");
        escape::line_ends(&mut self.out, &src.as_bytes()[span.start() + 4..span.end() - 3]);
        self.out.push(b"-->");
    }

    /// `<?target data?>` with the whitespace after the target dropped.
    fn pi(&mut self, src: &str, span: Span) {
        escape::pi(&mut self.out, &src.as_bytes()[span.start() + 2..span.end() - 2]);
    }

    fn start_tag(&mut self, r: &Reader<'a>, t: &StartTag, apex: bool, inherited_xml: &[(&'a str, Cow<'a, str>)]) {
        self.marks.push(self.rendered.len());
        self.out.push(b"<");
        self.out.push(t.name.raw(r.source().as_bytes()));
        self.ns_out.clear();
        if self.exclusive {
            self.exclusive_namespaces(r, t);
        } else {
            self.inclusive_namespaces(r, apex);
        }
        let added_id = apex && self.apex_id.is_some();
        if added_id {
            self.consider("wsu", NsId::WSU);
        }
        self.ns_out.sort_unstable_by(|a, b| a.0.cmp(b.0));
        for i in 0..self.ns_out.len() {
            let (prefix, ns) = self.ns_out[i];
            let uri = r.names().uri(ns);
            if prefix.is_empty() {
                self.out.push(b" xmlns=\"");
            } else {
                self.out.push(b" xmlns:");
                self.out.push(prefix.as_bytes());
                self.out.push(b"=\"");
            }
            escape::attr_value(&mut self.out, uri);
            self.out.push(b"\"");
        }
        self.attributes(r, inherited_xml, added_id);
        self.out.push(b">");
    }

    fn end_tag(&mut self, src: &str, name: QSpan, depth: u32) {
        self.out.push(b"</");
        self.out.push(name.raw(src.as_bytes()));
        self.out.push(b">");
        if let Some(mark) = self.marks.pop() {
            self.rendered.truncate(mark);
        }
        if depth == self.apex_depth {
            self.root_done = true;
        }
    }

    /// The binding output ancestors rendered for `prefix` (empty default when none).
    fn rendered(&self, prefix: &str) -> Option<NsId> {
        match self.rendered.iter().rev().find(|(p, _)| short_eq(p.as_bytes(), prefix.as_bytes())) {
            Some(&(_, ns)) => Some(ns),
            None if prefix.is_empty() => Some(NsId::NONE),
            None => None,
        }
    }

    /// Queues `xmlns[:prefix]="uri"` unless output ancestors rendered the same binding.
    fn consider(&mut self, prefix: &'a str, ns: NsId) {
        let undeclared = ns == NsId::NONE && !prefix.is_empty();
        if undeclared || short_eq(prefix.as_bytes(), b"xml") || self.rendered(prefix) == Some(ns) {
            return;
        }
        self.rendered.push((prefix, ns));
        self.ns_out.push((prefix, ns));
    }

    /// Inclusive: at the apex every in-scope binding, below it only those declared here.
    fn inclusive_namespaces(&mut self, r: &Reader<'a>, apex: bool) {
        let all = r.bindings_in_scope();
        let count = if apex { all.len() } else { r.declared_here().len() };
        self.seen.clear();
        for b in all[all.len() - count..].iter().rev() {
            if self.seen.contains(&b.prefix) {
                continue;
            }
            self.seen.push(b.prefix);
            self.consider(b.prefix, b.ns);
        }
    }

    /// Exclusive: the prefixes the element and its attributes visibly use, plus the inclusive list.
    fn exclusive_namespaces(&mut self, r: &Reader<'a>, t: &StartTag) {
        let src = r.source();
        self.consider_in_scope(r, t.name.prefix(src));
        for a in r.attrs() {
            if a.name.prefix_len != 0 {
                self.consider_in_scope(r, a.name.prefix(src));
            }
        }
        for i in 0..self.inclusive_prefixes.len() {
            match r.binding(&self.inclusive_prefixes[i]) {
                Some(b) => self.consider(b.prefix, b.ns),
                None if self.inclusive_prefixes[i].is_empty() => self.consider("", NsId::NONE),
                None => {}
            }
        }
    }

    fn consider_in_scope(&mut self, r: &Reader<'a>, prefix: &'a str) {
        if let Some(ns) = r.resolve(prefix) {
            self.consider(prefix, ns);
        }
    }

    fn attributes(&mut self, r: &Reader<'a>, inherited_xml: &[(&'a str, Cow<'a, str>)], added_id: bool) {
        self.attrs_out.clear();
        let src = r.source();
        for a in r.attrs() {
            let qname = &src[a.name.start as usize..a.name.end as usize];
            let value = AttrText::Raw(&src.as_bytes()[a.value.range()]);
            self.attrs_out.push(OutAttr { uri: r.names().uri(a.ns), local: a.name.local(src), qname, value });
        }
        let own = self.attrs_out.len();
        for (i, &(qname, _)) in inherited_xml.iter().enumerate() {
            let local = qname.strip_prefix("xml:").unwrap_or(qname);
            if !self.attrs_out[..own].iter().any(|a| a.uri == crate::ns::XML && a.local == local) {
                self.attrs_out.push(OutAttr { uri: crate::ns::XML, local, qname, value: AttrText::Inherited(i) });
            }
        }
        if added_id {
            let (uri, local, qname) = (crate::ns::WSU, "Id", "wsu:Id");
            self.attrs_out.push(OutAttr { uri, local, qname, value: AttrText::ApexId });
        }
        self.attrs_out.sort_unstable_by(|a, b| (a.uri, a.local).cmp(&(b.uri, b.local)));
        for a in &self.attrs_out {
            self.out.push(b" ");
            self.out.push(a.qname.as_bytes());
            self.out.push(b"=\"");
            match a.value {
                AttrText::Raw(raw) => escape::attr_raw(&mut self.out, raw),
                AttrText::Inherited(i) => escape::attr_value(&mut self.out, &inherited_xml[i].1),
                AttrText::ApexId => escape::attr_value(&mut self.out, self.apex_id.as_deref().unwrap_or_default()),
            }
            self.out.push(b"\"");
        }
    }
}
