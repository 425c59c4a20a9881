//! Exclusive XML Canonicalization 1.0 (without comments) of one element
//! subtree, driven by stream events, straight into a digest. Text is
//! escaped piece by piece as it passes; only the namespace bindings output
//! ancestors rendered are kept (bounded by depth and declarations).

use aws_lc_rs::digest;

use memchr::memchr3;

use super::event::{StreamAttr, StreamEvent, StreamName, StreamStart};
use super::parser::RunStart;
use super::rendered::{Mark, Rendered};
use crate::c14n::escape;
use crate::c14n::sink::Writer;
use crate::DigestAlgorithm;

pub(crate) struct ExcC14n {
    out: Writer<digest::Context>,
    /// InclusiveNamespaces PrefixList (`""` for `#default`).
    prefixes: Vec<String>,
    rendered: Rendered,
    marks: Vec<Mark>,
    /// A text piece ended with `\r`: its line end is written with the next piece.
    pending_cr: bool,
    /// Where the bytes of the current run not written yet begin.
    run_from: usize,
}

impl ExcC14n {
    pub fn new(alg: DigestAlgorithm, prefixes: Vec<String>) -> Self {
        ExcC14n {
            out: Writer::new(digest::Context::new(alg.aws_lc())),
            prefixes,
            rendered: Rendered::default(),
            marks: Vec::new(),
            pending_cr: false,
            run_from: 0,
        }
    }

    pub fn finish(mut self) -> digest::Digest {
        self.flush_cr(false);
        self.out.into_inner().finish()
    }

    fn flush_cr(&mut self, next_is_lf: bool) -> bool {
        let was = std::mem::take(&mut self.pending_cr);
        if was {
            self.out.push(b"\n");
        }
        was && next_is_lf
    }

    /// One event inside the subtree (the apex start and end included).
    pub fn event(&mut self, ev: &StreamEvent<'_>) {
        if let StreamEvent::Text { raw, has_ref, .. } = ev {
            return self.text(raw, *has_ref);
        }
        self.flush_cr(false);
        match ev {
            StreamEvent::Start(s) => self.start(s),
            StreamEvent::End { name, raw, .. } => {
                match raw_qname(raw, 2, name) {
                    Some(q) => self.out.push_wrapped(b"</", q, b">"),
                    None => {
                        self.out.push(b"</");
                        self.qname(name);
                        self.out.push(b">");
                    }
                }
                if let Some(m) = self.marks.pop() {
                    self.rendered.release(m);
                }
            }
            StreamEvent::CData { raw, .. } => escape::cdata(&mut self.out, &raw[9..raw.len() - 3]),
            StreamEvent::Pi { raw, .. } => self.pi(raw),
            StreamEvent::Comment { .. } | StreamEvent::Text { .. } => {}
        }
    }

    /// A piece of text; one whose canonical form is itself is copied as it is.
    fn text(&mut self, raw: &[u8], has_ref: bool) {
        let skip = self.flush_cr(raw.first() == Some(&b'\n'));
        let mut raw = &raw[usize::from(skip)..];
        if raw.last() == Some(&b'\r') {
            raw = &raw[..raw.len() - 1];
            self.pending_cr = true;
        }
        if has_ref && canonical_as_written(raw) {
            self.out.push(raw);
        } else {
            escape::text(&mut self.out, raw, has_ref);
        }
    }

    fn qname(&mut self, n: &StreamName<'_>) {
        if !n.prefix.is_empty() {
            self.out.push(n.prefix.as_bytes());
            self.out.push(b":");
        }
        self.out.push(n.local.as_bytes());
    }

    fn pi(&mut self, raw: &[u8]) {
        escape::pi(&mut self.out, &raw[2..raw.len() - 2]);
    }

    fn start(&mut self, s: &StreamStart<'_>) {
        let nested = !self.marks.is_empty();
        let m = self.rendered.mark();
        self.marks.push(m);
        if self.declares_nothing(s, nested) {
            // Nothing to declare: the name as written, then the attributes.
            match raw_qname(s.raw, 1, &s.name) {
                Some(q) if s.attrs.is_empty() => return self.out.push_wrapped(b"<", q, b">"),
                Some(q) => self.out.push_wrapped(b"<", q, b""),
                None => self.start_name(&s.name),
            }
            self.attributes(s);
            return self.out.push(b">");
        }
        self.start_name(&s.name);
        self.consider(m, s.name.prefix, s.name.ns);
        for a in s.attrs() {
            if !a.name.prefix.is_empty() {
                self.consider(m, a.name.prefix, a.name.ns);
            }
        }
        for i in 0..self.prefixes.len() {
            let p = std::mem::take(&mut self.prefixes[i]);
            match s.resolve(&p) {
                Some(uri) => self.consider(m, &p, uri),
                None if p.is_empty() => self.consider(m, "", ""),
                None => {}
            }
            self.prefixes[i] = p;
        }
        self.rendered.sort_since(m);
        self.declarations(m);
        self.attributes(s);
        self.out.push(b">");
    }

    fn start_name(&mut self, n: &StreamName<'_>) {
        self.out.push(b"<");
        self.qname(n);
    }

    /// Whether the general path would declare nothing here: no PrefixList,
    /// no prefixed attribute, and the element's namespace is the one an
    /// output ancestor rendered for its prefix (what `consider` checks).
    /// Below the apex (`nested`), an element with its parent's prefix and
    /// binding finds it so: the parent's start rendered it (or found it
    /// rendered), and siblings' bindings were dropped as they closed.
    fn declares_nothing(&self, s: &StreamStart<'_>, nested: bool) -> bool {
        self.prefixes.is_empty()
            && s.attrs.iter().all(|a| a.name.2 == 0)
            && ((nested && s.parent_ns) || self.rendered.uri_of(s.name.prefix) == Some(s.name.ns.as_bytes()))
    }

    /// The namespace declarations of the element whose bindings began at `m`.
    fn declarations(&mut self, m: Mark) {
        for (prefix, uri) in self.rendered.since(m) {
            declaration(&mut self.out, prefix, uri);
        }
    }

    fn attributes(&mut self, s: &StreamStart<'_>) {
        if s.attrs.len() <= 1 {
            return s.attrs().for_each(|a| self.attribute(&a));
        }
        let mut attrs: Vec<_> = s.attrs().collect();
        attrs.sort_unstable_by(|a, b| (a.name.ns, a.name.local).cmp(&(b.name.ns, b.name.local)));
        for a in attrs {
            self.attribute(&a);
        }
    }

    fn attribute(&mut self, a: &StreamAttr<'_>) {
        self.out.push(b" ");
        self.qname(&a.name);
        self.out.push(b"=\"");
        escape::attr_raw(&mut self.out, a.raw_value);
        self.out.push(b"\"");
    }

    /// Renders `prefix` bound to `uri` on the element whose bindings began
    /// at `m`, unless an output ancestor rendered it so, or it is already
    /// rendered there.
    fn consider(&mut self, m: Mark, prefix: &str, uri: &str) {
        if self.needs_declaring(prefix, uri) && !self.rendered.rendered_since(m, prefix) {
            self.rendered.push(prefix, uri);
        }
    }

    /// Whether `prefix` bound to `uri` is not what output ancestors rendered.
    fn needs_declaring(&self, prefix: &str, uri: &str) -> bool {
        let undeclared = uri.is_empty() && !prefix.is_empty();
        !(undeclared || prefix == "xml" || self.rendered.uri_of(prefix) == Some(uri.as_bytes()))
    }
}

/// Runs of simple markup (see the parser's `runs`), below the apex: each
/// token is written as it stands in the source, but for a start tag whose
/// binding output ancestors did not render (it is added after the name)
/// and an empty element (its end tag is added). Nothing else can differ:
/// attributes are unprefixed, in order, written as canonical form writes
/// them, and text has no `>`, `\r` or references but `&amp;`, `&lt;`,
/// `&gt;`. A PrefixList changes nothing here: below the apex an
/// element without declarations has its parent's bindings in scope, and
/// the parent's start rendered those of the list already.
impl ExcC14n {
    /// A run begins at `window[at]`; a held carriage return is written
    /// first (with a line feed that follows it).
    pub fn run_begin(&mut self, window: &[u8], at: usize) {
        let skip = self.flush_cr(window.get(at) == Some(&b'\n'));
        self.run_from = at + usize::from(skip);
    }

    /// A start tag of the run.
    #[inline]
    pub fn run_start(&mut self, window: &[u8], s: &RunStart<'_>) {
        debug_assert!(!self.marks.is_empty(), "runs lie below the apex");
        let m = self.rendered.mark();
        self.marks.push(m);
        let declare = !s.parent_ns && self.needs_declaring(s.prefix, s.ns);
        let name = (s.name.start as usize, s.name.end as usize);
        if declare {
            // Declarations come before the attributes.
            self.run_done(window, name.1);
            self.rendered.push(s.prefix, s.ns);
            declaration(&mut self.out, s.prefix, s.ns);
        }
        if s.empty {
            self.run_done(window, s.end - 2);
            self.out.push_wrapped(b"></", &window[name.0..name.1], b">");
            self.run_from = s.end;
            self.run_end();
        }
    }

    /// An end tag of the run.
    #[inline]
    pub fn run_end(&mut self) {
        if let Some(m) = self.marks.pop() {
            self.rendered.release(m);
        }
    }

    /// The run's bytes up to `window[at]` not written yet are.
    #[inline]
    pub fn run_done(&mut self, window: &[u8], at: usize) {
        if let Some(rest) = window.get(self.run_from..at) {
            self.out.push(rest);
        }
        self.run_from = at;
    }
}

/// ` xmlns[:prefix]="uri"`. A URI in scope rarely needs escaping (the
/// parser refuses references, `<` and whitespace in it): two scans find
/// that faster than the escaper's byte loop.
fn declaration(out: &mut Writer<digest::Context>, prefix: &str, uri: &str) {
    if prefix.is_empty() {
        out.push(b" xmlns=\"");
    } else {
        out.push_wrapped(b" xmlns:", prefix.as_bytes(), b"=\"");
    }
    let bytes = uri.as_bytes();
    if memchr3(b'"', b'&', b'<', bytes).is_none() && memchr3(b'\t', b'\n', b'\r', bytes).is_none() {
        out.push_wrapped(b"", bytes, b"\"");
    } else {
        escape::attr_value(out, uri);
        out.push(b"\"");
    }
}

/// The qualified name of `n` as written in `raw` from `at` (`<` or `</`
/// precede it in a tag); `None` for an empty element's end (no raw tag).
fn raw_qname<'r>(raw: &'r [u8], at: usize, n: &StreamName<'_>) -> Option<&'r [u8]> {
    let len = n.local.len() + if n.prefix.is_empty() { 0 } else { n.prefix.len() + 1 };
    raw.get(at..at + len)
}

/// Whether text as written is its own canonical form: no `>` or carriage
/// return, and every reference one of `&amp;`, `&lt;`, `&gt;` (which
/// canonicalization writes back as they are).
fn canonical_as_written(raw: &[u8]) -> bool {
    let mut rest = raw;
    while let Some(p) = memchr3(b'&', b'>', b'\r', rest) {
        let after = &rest[p + 1..];
        let len = if rest[p] != b'&' {
            return false;
        } else if after.starts_with(b"amp;") {
            5
        } else if after.starts_with(b"lt;") || after.starts_with(b"gt;") {
            4
        } else {
            return false;
        };
        rest = &rest[p + len..];
    }
    true
}
