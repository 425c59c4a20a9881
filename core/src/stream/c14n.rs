//! Exclusive XML Canonicalization 1.0 (without comments) of one element
//! subtree, driven by stream events, straight into a digest. Text is
//! escaped piece by piece as it passes; only the namespace bindings output
//! ancestors rendered are kept (bounded by depth and declarations).

use aws_lc_rs::digest;

use super::event::{StreamEvent, StreamName, StreamStart};
use crate::c14n::escape;
use crate::c14n::sink::Writer;
use crate::DigestAlgorithm;

pub(crate) struct ExcC14n {
    out: Writer<digest::Context>,
    /// InclusiveNamespaces PrefixList (`""` for `#default`).
    prefixes: Vec<String>,
    rendered: Vec<(String, String)>,
    marks: Vec<usize>,
    ns_out: Vec<(String, String)>,
    /// A text piece ended with `\r`: its line end is written with the next piece.
    pending_cr: bool,
}

impl ExcC14n {
    pub fn new(alg: DigestAlgorithm, prefixes: Vec<String>) -> Self {
        ExcC14n {
            out: Writer::new(digest::Context::new(alg.aws_lc())),
            prefixes,
            rendered: Vec::new(),
            marks: Vec::new(),
            ns_out: Vec::new(),
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
            let skip = self.flush_cr(raw.first() == Some(&b'\n'));
            let mut raw = &raw[usize::from(skip)..];
            if raw.last() == Some(&b'\r') {
                raw = &raw[..raw.len() - 1];
                escape::text(&mut self.out, raw, *has_ref);
                self.pending_cr = true;
            } else {
                escape::text(&mut self.out, raw, *has_ref);
            }
            return;
        }
        self.flush_cr(false);
        match ev {
            StreamEvent::Start(s) => self.start(s),
            StreamEvent::End { name, .. } => {
                self.out.push(b"</");
                self.qname(name);
                self.out.push(b">");
                if let Some(m) = self.marks.pop() {
                    self.rendered.truncate(m);
                }
            }
            StreamEvent::CData { raw, .. } => escape::cdata(&mut self.out, &raw[9..raw.len() - 3]),
            StreamEvent::Pi { raw, .. } => self.pi(raw),
            StreamEvent::Comment { .. } | StreamEvent::Text { .. } => {}
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
        self.marks.push(self.rendered.len());
        self.out.push(b"<");
        self.qname(&s.name);
        self.ns_out.clear();
        self.consider(s.name.prefix, s.name.ns);
        for a in s.attrs() {
            if !a.name.prefix.is_empty() {
                self.consider(a.name.prefix, a.name.ns);
            }
        }
        for i in 0..self.prefixes.len() {
            let p = std::mem::take(&mut self.prefixes[i]);
            match s.resolve(&p) {
                Some(uri) => self.consider(&p, uri),
                None if p.is_empty() => self.consider("", ""),
                None => {}
            }
            self.prefixes[i] = p;
        }
        self.ns_out.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        for (prefix, uri) in &self.ns_out {
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
        self.attributes(s);
        self.out.push(b">");
    }

    fn attributes(&mut self, s: &StreamStart<'_>) {
        let mut attrs: Vec<_> = s.attrs().collect();
        if attrs.len() > 1 {
            attrs.sort_unstable_by(|a, b| (a.name.ns, a.name.local).cmp(&(b.name.ns, b.name.local)));
        }
        for a in attrs {
            self.out.push(b" ");
            self.qname(&a.name);
            self.out.push(b"=\"");
            escape::attr_raw(&mut self.out, a.raw_value);
            self.out.push(b"\"");
        }
    }

    fn rendered(&self, prefix: &str) -> Option<&str> {
        match self.rendered.iter().rev().find(|(p, _)| p == prefix) {
            Some((_, uri)) => Some(uri),
            None if prefix.is_empty() => Some(""),
            None => None,
        }
    }

    fn consider(&mut self, prefix: &str, uri: &str) {
        if prefix == "xml" || self.rendered(prefix) == Some(uri) || (uri.is_empty() && !prefix.is_empty()) {
            return;
        }
        if self.ns_out.iter().any(|(p, _)| p == prefix) {
            return;
        }
        self.rendered.push((prefix.to_string(), uri.to_string()));
        self.ns_out.push((prefix.to_string(), uri.to_string()));
    }
}
