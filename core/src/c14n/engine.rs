//! The canonicalizer for subtree node-sets, driven from outside: it is fed
//! the events of a [`Reader`] together with the reader's state, so it can
//! run on its own reader over one element (subtree mode) or ride along the
//! main pass of a verification (digest taps), and later a push parser.
//!
//! Every node of the subtree is in the node-set, so the namespace axis
//! reduces to comparing in-scope bindings with what output ancestors
//! already rendered.

use std::borrow::Cow;
use std::cmp::Ordering;

use super::escape;
use super::sink::Writer;
use super::{C14nMethod, Sink};
use crate::xml::chars::short_eq;
use crate::xml::lex::QSpan;
use crate::xml::reader::{Event, Reader, StartTag};
use crate::xml::{NsId, Span};

/// The well-known namespaces (ids up to [`NsId::DS11`]): constants with
/// nothing to escape (see the test `known_namespaces_are_plain`).
const KNOWN_PLAIN: u64 = (1 << (NsId::DS11.0 + 1)) - 1;

/// An attribute ready for output.
#[derive(Clone, Copy)]
struct OutAttr<'a> {
    /// The namespace as the feeding reader interned it: equal ids, equal URIs.
    ns: NsId,
    uri: &'a str,
    local: &'a [u8],
    qname: &'a [u8],
    value: AttrText<'a>,
}

#[derive(Clone, Copy)]
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
    rendered: Vec<Rendered<'a>>,
    attrs_out: Vec<OutAttr<'a>>,
    seen: Vec<&'a str>,
}

/// A namespace binding an output element rendered.
#[derive(Clone, Copy)]
struct Rendered<'a> {
    /// As bytes: slicing them so skips the `str` boundary checks.
    prefix: &'a [u8],
    /// As the feeding reader interned it (one reader feeds an engine), so
    /// equal URIs compare as equal numbers.
    ns: NsId,
    /// The element's place among the open output elements (1 for the apex).
    level: u32,
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
    /// Bindings rendered by open output elements, innermost last. Those of
    /// the element being started are its declarations, sorted before they
    /// are written (a start tag renders a prefix at most once).
    rendered: Vec<Rendered<'a>>,
    /// How many output elements are open.
    open: u32,
    attrs_out: Vec<OutAttr<'a>>,
    seen: Vec<&'a str>,
    root_done: bool,
    /// Bit `n` set: the URI of namespace `n` (below 64) is known to have
    /// nothing to escape. Exclusive c14n declares the same few namespaces
    /// over and over (on each of a run of siblings that use a prefix).
    plain_uris: u64,
    /// A `wsu:Id` the apex is written with as though its start tag had it.
    apex_id: Option<Box<str>>,
    /// In a run of simple markup: where its source bytes not written yet start.
    run_from: usize,
}

impl<'a, S: Sink> C14n<'a, S> {
    /// A canonicalizer whose apex is at `apex_depth` of the reader that will feed it.
    pub fn new(method: C14nMethod, prefixes: &[&str], comments: bool, apex_depth: u32, sink: S) -> Self {
        let spare = Spare {
            buf: Writer::<S>::buffer(),
            rendered: Vec::with_capacity(16),
            attrs_out: Vec::new(),
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
        let Spare { buf, rendered, attrs_out, seen } = spare;
        C14n {
            out: Writer::with_buffer(sink, buf),
            exclusive: method.is_exclusive(),
            comments: comments && method.with_comments(),
            inclusive_prefixes: prefixes.iter().map(|&p| Box::from(if p == "#default" { "" } else { p })).collect(),
            apex_depth,
            rendered,
            open: 0,
            attrs_out,
            seen,
            root_done: false,
            plain_uris: KNOWN_PLAIN,
            apex_id: None,
            run_from: 0,
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
        let C14n { mut rendered, mut attrs_out, mut seen, .. } = self;
        rendered.clear();
        attrs_out.clear();
        seen.clear();
        (sink, Spare { buf, rendered, attrs_out, seen })
    }

    /// The sink, with everything written so far handed to it.
    pub fn sink_flushed(&mut self) -> &mut S {
        self.out.flush();
        self.out.sink_mut()
    }

    /// Handles one event the reader `r` just produced; `inherited_xml` (qualified
    /// name, value) is rendered at the apex by the inclusive methods. Kept
    /// out of line: the digest taps' dispatch, inlined into the reader's
    /// `next`, stays small.
    #[inline(never)]
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
                    escape::text_in(&mut self.out, src.as_bytes(), (span.start(), span.end()), *has_ref);
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
        self.open += 1;
        let src = r.source().as_bytes();
        let name = (t.name.start as usize, t.name.end as usize);
        if self.exclusive && !apex && r.attrs().is_empty() && self.inclusive_prefixes.is_empty() {
            // The common element below the apex: its own prefix is all it
            // could declare, so that one binding decides, and no sort nor
            // attribute pass is needed.
            let prefix = prefix_of(src, t.name);
            if !self.needs_declaring(prefix, t.ns) {
                self.out.push_run(b"<", src, name, b">");
                return;
            }
            self.out.push_run(b"<", src, name, b"");
            self.render(prefix, t.ns);
            self.declare(r, prefix, t.ns);
        } else {
            self.out.push_run(b"<", src, name, b"");
            self.namespaces_and_attributes(r, t, apex, inherited_xml);
        }
        self.out.push(b">");
    }

    /// The namespace declarations and attributes of a start tag, sorted.
    fn namespaces_and_attributes(
        &mut self,
        r: &Reader<'a>,
        t: &StartTag,
        apex: bool,
        inherited_xml: &[(&'a str, Cow<'a, str>)],
    ) {
        let from = self.rendered.len();
        if self.exclusive {
            self.exclusive_namespaces(r, t);
        } else {
            self.inclusive_namespaces(r, apex);
        }
        let added_id = apex && self.apex_id.is_some();
        if added_id {
            self.consider(b"wsu", NsId::WSU);
        }
        if self.rendered.len() - from > 1 {
            self.rendered[from..].sort_unstable_by(|a, b| bytes_cmp(a.prefix, b.prefix));
        }
        for i in from..self.rendered.len() {
            let Rendered { prefix, ns, .. } = self.rendered[i];
            self.declare(r, prefix, ns);
        }
        if !(r.attrs().is_empty() && inherited_xml.is_empty() && !added_id) {
            self.attributes(r, inherited_xml, added_id);
        }
    }

    /// Writes ` xmlns[:prefix]="uri"`.
    fn declare(&mut self, r: &Reader<'a>, prefix: &[u8], ns: NsId) {
        if prefix.is_empty() {
            self.out.push(b" xmlns=\"");
        } else {
            self.out.push(b" xmlns:");
            self.out.push(prefix);
            self.out.push(b"=\"");
        }
        let uri = r.names().uri(ns);
        let bit = 1u64.checked_shl(ns.0).unwrap_or(0);
        if self.plain_uris & bit != 0 || !escape::attr_value_escapes(uri) {
            self.plain_uris |= bit;
            self.out.push(uri.as_bytes());
        } else {
            escape::attr_value(&mut self.out, uri);
        }
        self.out.push(b"\"");
    }

    fn end_tag(&mut self, src: &str, name: QSpan, depth: u32) {
        self.out.push_run(b"</", src.as_bytes(), (name.start as usize, name.end as usize), b">");
        self.close();
        if depth == self.apex_depth {
            self.root_done = true;
        }
    }

    /// Whether runs of simple markup (see [`Reader::read_to_end_of`]) may be
    /// handed over whole: exclusive c14n without a prefix list writes them
    /// as they stand, but for the declarations their start tags need.
    pub fn takes_runs(&self) -> bool {
        self.exclusive && self.inclusive_prefixes.is_empty()
    }

    /// A run starts at source offset `at`, below the apex.
    pub fn run_begin(&mut self, at: usize) {
        self.run_from = at;
    }

    /// A start tag `<name>` of the run (`<name/>` ending at `empty_end`),
    /// the element in namespace `ns`: what [`start_tag`](Self::start_tag)
    /// does, the run's bytes before it written first where it adds bytes.
    #[inline]
    pub fn run_start(&mut self, r: &Reader<'a>, name: QSpan, ns: NsId, empty_end: Option<usize>) {
        self.open += 1;
        let src = r.source().as_bytes();
        let prefix = prefix_of(src, name);
        let declare = self.needs_declaring(prefix, ns);
        if declare || empty_end.is_some() {
            self.out.push(&src[self.run_from..name.end as usize]);
            self.run_from = name.end as usize;
        }
        if declare {
            self.render(prefix, ns);
            self.declare(r, prefix, ns);
        }
        if let Some(end) = empty_end {
            self.out.push_run(b"></", src, (name.start as usize, name.end as usize), b">");
            self.run_from = end;
            self.run_end();
        }
    }

    /// An end tag of the run.
    #[inline]
    pub fn run_end(&mut self) {
        self.close();
    }

    /// An output element ends: the bindings it rendered go out of scope.
    #[inline]
    fn close(&mut self) {
        if self.open == 0 {
            return;
        }
        while self.rendered.last().is_some_and(|b| b.level == self.open) {
            self.rendered.pop();
        }
        self.open -= 1;
    }

    /// Records that the element being started renders `xmlns[:prefix]`.
    #[inline]
    fn render(&mut self, prefix: &'a [u8], ns: NsId) {
        self.rendered.push(Rendered { prefix, ns, level: self.open });
    }

    /// The run ends at `at`: its bytes not written yet are.
    pub fn run_done(&mut self, src: &[u8], at: usize) {
        if let Some(rest) = src.get(self.run_from..at) {
            self.out.push(rest);
        }
        self.run_from = at;
    }

    /// The binding output ancestors rendered for `prefix` (empty default when none).
    fn rendered(&self, prefix: &[u8]) -> Option<NsId> {
        match self.rendered.iter().rev().find(|b| short_eq(b.prefix, prefix)) {
            Some(b) => Some(b.ns),
            None if prefix.is_empty() => Some(NsId::NONE),
            None => None,
        }
    }

    /// Whether `xmlns[:prefix]="uri"` must be rendered: output ancestors did not render that binding.
    fn needs_declaring(&self, prefix: &[u8], ns: NsId) -> bool {
        let undeclared = ns == NsId::NONE && !prefix.is_empty();
        !(undeclared || short_eq(prefix, b"xml") || self.rendered(prefix) == Some(ns))
    }

    /// Queues `xmlns[:prefix]="uri"` unless output ancestors rendered the same binding.
    fn consider(&mut self, prefix: &'a [u8], ns: NsId) {
        if self.needs_declaring(prefix, ns) {
            self.render(prefix, ns);
        }
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
            self.consider(b.prefix.as_bytes(), b.ns);
        }
    }

    /// Exclusive: the prefixes the element and its attributes visibly use,
    /// plus the inclusive list. The reader resolved those prefixes already
    /// (an element or attribute's namespace is its prefix's binding).
    fn exclusive_namespaces(&mut self, r: &Reader<'a>, t: &StartTag) {
        let src = r.source().as_bytes();
        self.consider(prefix_of(src, t.name), t.ns);
        for a in r.attrs() {
            if a.name.prefix_len != 0 {
                self.consider(prefix_of(src, a.name), a.ns);
            }
        }
        for i in 0..self.inclusive_prefixes.len() {
            match r.binding(&self.inclusive_prefixes[i]) {
                Some(b) => self.consider(b.prefix.as_bytes(), b.ns),
                None if self.inclusive_prefixes[i].is_empty() => self.consider(b"", NsId::NONE),
                None => {}
            }
        }
    }

    fn attributes(&mut self, r: &Reader<'a>, inherited_xml: &[(&'a str, Cow<'a, str>)], added_id: bool) {
        if let ([a], [], false) = (r.attrs(), inherited_xml, added_id) {
            // One attribute (a `wsu:Id`, an `Algorithm`): nothing to sort.
            let src = r.source().as_bytes();
            self.out.push_run(b" ", src, (a.name.start as usize, a.name.end as usize), b"=\"");
            escape::attr_raw(&mut self.out, &src[a.value.range()]);
            self.out.push(b"\"");
            return;
        }
        self.sorted_attributes(r, inherited_xml, added_id);
        for i in 0..self.attrs_out.len() {
            let a = self.attrs_out[i];
            self.out.push_wrapped(b" ", a.qname, b"=\"");
            match a.value {
                AttrText::Raw(raw) => escape::attr_raw(&mut self.out, raw),
                AttrText::Inherited(i) => escape::attr_value(&mut self.out, &inherited_xml[i].1),
                AttrText::ApexId => escape::attr_value(&mut self.out, self.apex_id.as_deref().unwrap_or_default()),
            }
            self.out.push(b"\"");
        }
    }

    /// Fills `attrs_out` with the attributes to write, in canonical order.
    fn sorted_attributes(&mut self, r: &Reader<'a>, inherited_xml: &[(&'a str, Cow<'a, str>)], added_id: bool) {
        self.attrs_out.clear();
        let src = r.source().as_bytes();
        for a in r.attrs() {
            let (qname, value) = (qname_of(src, a.name), AttrText::Raw(&src[a.value.range()]));
            let local = &qname[if a.name.prefix_len == 0 { 0 } else { a.name.prefix_len as usize + 1 }..];
            self.attrs_out.push(OutAttr { ns: a.ns, uri: r.names().uri(a.ns), local, qname, value });
        }
        let own = self.attrs_out.len();
        for (i, &(qname, _)) in inherited_xml.iter().enumerate() {
            let local = qname.strip_prefix("xml:").unwrap_or(qname).as_bytes();
            if !self.attrs_out[..own].iter().any(|a| a.uri == crate::ns::XML && a.local == local) {
                let (uri, qname, value) = (crate::ns::XML, qname.as_bytes(), AttrText::Inherited(i));
                self.attrs_out.push(OutAttr { ns: NsId::XML, uri, local, qname, value });
            }
        }
        if added_id {
            let (uri, local, qname) = (crate::ns::WSU, &b"Id"[..], &b"wsu:Id"[..]);
            self.attrs_out.push(OutAttr { ns: NsId::WSU, uri, local, qname, value: AttrText::ApexId });
        }
        if self.attrs_out.len() > 1 {
            self.attrs_out.sort_unstable_by(attr_order);
        }
    }
}

/// Canonical attribute order: by namespace URI, then local name. Attributes
/// of one namespace (most often none) compare by local name alone.
fn attr_order(a: &OutAttr<'_>, b: &OutAttr<'_>) -> Ordering {
    let by_uri = if a.ns == b.ns { Ordering::Equal } else { bytes_cmp(a.uri.as_bytes(), b.uri.as_bytes()) };
    by_uri.then_with(|| bytes_cmp(a.local, b.local))
}

/// `a.cmp(b)` without a call to `memcmp` for the short strings names are.
#[inline]
fn bytes_cmp(a: &[u8], b: &[u8]) -> Ordering {
    match a.iter().zip(b).find(|(x, y)| x != y) {
        Some((x, y)) => x.cmp(y),
        None => a.len().cmp(&b.len()),
    }
}

/// The qualified name `name` as written. Sliced here, as bytes: `QSpan`'s
/// `str` accessors check character boundaries, and are not inlined.
#[inline]
fn qname_of(src: &[u8], name: QSpan) -> &[u8] {
    &src[name.start as usize..name.end as usize]
}

/// The prefix of `name` (empty when unprefixed).
#[inline]
fn prefix_of(src: &[u8], name: QSpan) -> &[u8] {
    &src[name.start as usize..(name.start + name.prefix_len) as usize]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::c14n::{canonicalize_document, canonicalize_node_set, AttributeNode, ElementNode, NodeFilter};
    use crate::xml::NsTable;
    use crate::{Input, Limits};

    /// Every node: the node-set canonicalizer, a separate implementation, as the reference.
    struct All;

    impl NodeFilter for All {
        fn element(&mut self, _: &ElementNode<'_>) -> bool {
            true
        }
        fn attribute(&mut self, _: &ElementNode<'_>, _: &AttributeNode<'_>) -> bool {
            true
        }
        fn namespace(&mut self, _: &ElementNode<'_>, _: &str, _: &str) -> bool {
            true
        }
        fn text(&mut self, _: &ElementNode<'_>, _: &str) -> bool {
            true
        }
    }

    fn both_ways(doc: &str, method: C14nMethod, prefixes: &[&str]) -> String {
        let limits = Limits::default();
        let input = Input::new(doc.as_bytes(), &limits).unwrap();
        let fast = canonicalize_document(&input, method, prefixes, &limits, Vec::new()).unwrap();
        let reference = canonicalize_node_set(&input, method, prefixes, &mut All, &limits, Vec::new()).unwrap();
        let (fast, reference) = (String::from_utf8(fast).unwrap(), String::from_utf8(reference).unwrap());
        assert_eq!(fast, reference, "{method:?} {prefixes:?} {doc}");
        fast
    }

    /// Documents where the plain start tag (no attributes, a binding an
    /// output ancestor rendered) must not skip the namespace work.
    #[test]
    fn plain_start_tags_match_the_general_path() {
        let docs = [
            r#"<p:a xmlns:p="urn:1"><p:b><p:c xmlns:p="urn:2"><p:d/></p:c><p:e>t</p:e></p:b></p:a>"#,
            r#"<a xmlns="urn:d"><b><c xmlns=""><d/></c><e/></b></a>"#,
            r#"<r xmlns:p="urn:p" xmlns:q="urn:q"><p:x/><p:y><p:z/><q:w><p:v/></q:w></p:y></r>"#,
            r#"<r xmlns:p="urn:p"><x xmlns:p="urn:p"><p:y/></x><p:z xmlns:p="urn:o"><p:y/></p:z></r>"#,
            r#"<r xml:lang="da"><x><xml:y/></x></r>"#,
        ];
        for doc in docs {
            for method in [C14nMethod::Exclusive, C14nMethod::Inclusive] {
                for prefixes in [&[][..], &["p"], &["#default"]] {
                    both_ways(doc, method, prefixes);
                }
            }
        }
        assert_eq!(
            both_ways(docs[0], C14nMethod::Exclusive, &[]),
            r#"<p:a xmlns:p="urn:1"><p:b><p:c xmlns:p="urn:2"><p:d></p:d></p:c><p:e>t</p:e></p:b></p:a>"#
        );
        assert_eq!(
            both_ways(docs[2], C14nMethod::Exclusive, &[]),
            r#"<r><p:x xmlns:p="urn:p"></p:x><p:y xmlns:p="urn:p"><p:z></p:z><q:w xmlns:q="urn:q"><p:v></p:v></q:w></p:y></r>"#
        );
    }

    /// Elements with one attribute (written without the sort) or several,
    /// declaring several prefixes (sorted among the element's own bindings),
    /// redeclaring and undeclaring them below.
    #[test]
    fn attributes_and_declarations_match_the_general_path() {
        let docs = [
            r#"<a xmlns:z="urn:z" xmlns:b="urn:b" z:x="1" b:y="2"><b:c z:q="&lt;" id="i"/><c b:w="3"/></a>"#,
            r#"<a id="1"><b xmlns="urn:d" k="v"><c xmlns="" j='"'/><d/></b><e f="&#9;"/></a>"#,
            r#"<p:a xmlns:p="urn:p" xmlns:q="urn:q" q:b="1"><q:c p:d="2" e="3"><p:f xmlns:p="urn:o" p:g=""/></q:c></p:a>"#,
            r#"<r xmlns:y="urn:y" xmlns:x="urn:x"><x:a y:b="1"><x:c y:d="2" xmlns:x="urn:x2"/></x:a><y:e/></r>"#,
        ];
        for doc in docs {
            for method in [C14nMethod::Exclusive, C14nMethod::Inclusive] {
                for prefixes in [&[][..], &["q"], &["#default", "b", "y"]] {
                    both_ways(doc, method, prefixes);
                }
            }
        }
        assert_eq!(
            both_ways(docs[3], C14nMethod::Exclusive, &[]),
            r#"<r><x:a xmlns:x="urn:x" xmlns:y="urn:y" y:b="1"><x:c xmlns:x="urn:x2" y:d="2"></x:c></x:a><y:e xmlns:y="urn:y"></y:e></r>"#
        );
    }

    /// The apex with an added `wsu:Id` renders `wsu`, which its descendants then need not.
    #[test]
    fn bindings_of_an_apex_with_added_id_hold_below_it() {
        let doc = r#"<s:E xmlns:s="urn:s" xmlns:wsu="WSU"><s:H/><s:B><s:C/><wsu:T><s:D>x</s:D></wsu:T></s:B></s:E>"#
            .replace("WSU", crate::ns::WSU);
        let limits = Limits::default();
        let mut r = Reader::new(&doc, 0, &limits);
        let mut engine = C14n::new(C14nMethod::Exclusive, &[], false, 2, Vec::new()).with_apex_id("b".into());
        let mut inside = false;
        loop {
            let ev = r.next().unwrap();
            match ev {
                Event::Eof => break,
                Event::Start(t) if t.depth == 2 && t.name.local(&doc) == "B" => inside = true,
                _ => {}
            }
            if inside {
                engine.event(&r, &ev, &[]);
            }
            if matches!(ev, Event::End { depth: 2, .. }) {
                inside = false;
            }
        }
        let expected =
            r#"<s:B xmlns:s="urn:s" xmlns:wsu="WSU" wsu:Id="b"><s:C></s:C><wsu:T><s:D>x</s:D></wsu:T></s:B>"#;
        assert_eq!(String::from_utf8(engine.finish()).unwrap(), expected.replace("WSU", crate::ns::WSU));
    }

    /// [`KNOWN_PLAIN`] claims the well-known namespace URIs need no escaping.
    #[test]
    fn known_namespaces_are_plain() {
        let names = NsTable::default();
        for id in 0..=NsId::DS11.0 {
            assert!(!escape::attr_value_escapes(names.uri(NsId(id))), "{}", names.uri(NsId(id)));
        }
    }

    #[test]
    fn bytes_cmp_is_byte_order() {
        let words: [&[u8]; 10] = [b"", b"a", b"b", b"ab", b"abc", b"abd", b"Id", b"ID", b"id", b"\xff"];
        for a in words {
            for b in words {
                assert_eq!(bytes_cmp(a, b), a.cmp(b), "{a:?} {b:?}");
            }
        }
    }

    #[test]
    fn attributes_sort_by_uri_then_local_name() {
        let at = |ns: NsId, uri: &'static str, local: &'static [u8]| OutAttr {
            ns,
            uri,
            local,
            qname: local,
            value: AttrText::Raw(b""),
        };
        let mut names = NsTable::default();
        let (b, a) = (names.intern("urn:b"), names.intern("urn:a"));
        let mut attrs = [
            at(b, "urn:b", b"x"),
            at(NsId::NONE, "", b"z"),
            at(a, "urn:a", b"y"),
            at(NsId::XML, crate::ns::XML, b"lang"),
            at(NsId::NONE, "", b"Id"),
            at(a, "urn:a", b"b"),
        ];
        let mut expected: Vec<(&str, &[u8])> = attrs.iter().map(|o| (o.uri, o.local)).collect();
        expected.sort();
        attrs.sort_unstable_by(attr_order);
        assert_eq!(attrs.iter().map(|o| (o.uri, o.local)).collect::<Vec<_>>(), expected);
        assert_eq!(NsTable::default().uri(NsId::XML), crate::ns::XML);
        assert_eq!(NsTable::default().uri(NsId::WSU), crate::ns::WSU);
    }
}
