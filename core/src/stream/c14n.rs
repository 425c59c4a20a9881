//! Exclusive XML Canonicalization 1.0 (without comments) of one element
//! subtree, driven by stream events, straight into a digest. Text is
//! escaped piece by piece as it passes; only the namespace bindings output
//! ancestors rendered are kept (bounded by depth and declarations).

use aws_lc_rs::digest;

use memchr::memchr3;

use super::event::{StreamAttr, StreamEvent, StreamName, StreamStart};
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
}

impl ExcC14n {
    pub fn new(alg: DigestAlgorithm, prefixes: Vec<String>) -> Self {
        ExcC14n {
            out: Writer::new(digest::Context::new(alg.aws_lc())),
            prefixes,
            rendered: Rendered::default(),
            marks: Vec::new(),
            pending_cr: false,
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
        if prefix == "xml"
            || self.rendered.uri_of(prefix) == Some(uri.as_bytes())
            || (uri.is_empty() && !prefix.is_empty())
        {
            return;
        }
        if self.rendered.rendered_since(m, prefix) {
            return;
        }
        self.rendered.push(prefix, uri);
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
