//! The ID index: every element carrying `wsu:Id`, `Id` or `ID`, with its
//! span and the context canonicalization needs (namespace bindings and
//! `xml:*` attributes inherited from ancestors). Filled by the [`Reader`]
//! while it reads, so an ID anywhere in the document is seen, and a value
//! used twice is recorded as a duplicate.
//!
//! [`Reader`]: super::reader::Reader

use std::borrow::Cow;
use std::collections::HashMap;

use super::chars::{name_eq, short_eq};
use super::names::{NsId, NsTable};
use super::reader::{Attr, Binding};
use super::text::attr_value;
use super::Span;

/// The context an element is canonicalized in as the apex of a document subset.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Context<'a> {
    /// Namespace bindings in scope at the element's parent: one per prefix, (prefix, URI).
    pub inherited_ns: Vec<(&'a str, &'a str)>,
    /// `xml:*` attributes of the element's ancestors, the nearest of each: (qualified
    /// name as written, always `xml:` and the local name; value).
    pub inherited_xml: Vec<(&'a str, Cow<'a, str>)>,
}

impl Context<'_> {
    /// The inherited namespace bindings, then the inherited `xml:*`
    /// attributes, as (name, value) pairs.
    fn pairs(&self) -> impl Iterator<Item = (&str, &str)> {
        let ns = self.inherited_ns.iter().map(|&(prefix, uri)| (prefix, uri));
        ns.chain(self.inherited_xml.iter().map(|(name, value)| (*name, value.as_ref())))
    }

    /// The context as one string (each pair as name, NUL, value, SOH):
    /// equal strings, equal contexts.
    pub fn key(&self) -> String {
        let mut key = String::new();
        for (name, value) in self.pairs() {
            key.extend([name, "\u{0}", value, "\u{1}"]);
        }
        key
    }

    /// Whether [`key`](Self::key) would give `key` (without building it).
    pub fn has_key(&self, key: &str) -> bool {
        let mut rest = key;
        for (name, value) in self.pairs() {
            for part in [name, "\u{0}", value, "\u{1}"] {
                match rest.strip_prefix(part) {
                    Some(after) => rest = after,
                    None => return false,
                }
            }
        }
        rest.is_empty()
    }
}

/// An element with an ID.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Indexed<'a> {
    pub ns: NsId,
    pub local: &'a str,
    /// The whole element (its end is known once it closed).
    pub span: Span,
    pub depth: u32,
    pub context: Context<'a>,
}

/// IDs are looked up by a scan up to this many (a message has a handful);
/// beyond, by a hash map (SipHash: the IDs are the sender's choice).
const SCANNED_IDS: usize = 16;

#[derive(Debug, Default)]
pub(crate) struct IdIndex<'a> {
    pub entries: Vec<Indexed<'a>>,
    /// The ID of each entry.
    ids: Vec<Cow<'a, str>>,
    /// Entries by ID, once there are more than [`SCANNED_IDS`].
    by_id: HashMap<Cow<'a, str>, usize>,
    /// Offset of the first ID value seen twice.
    pub duplicate: Option<usize>,
    /// ID attributes seen, duplicates included.
    pub seen: usize,
    open: Vec<usize>,
    xml_attrs: Vec<(u32, &'a str, Cow<'a, str>)>,
}

impl<'a> IdIndex<'a> {
    /// The element whose ID is `id`.
    pub fn get(&self, id: &str) -> Option<&Indexed<'a>> {
        self.position(id).map(|i| &self.entries[i])
    }

    fn position(&self, id: &str) -> Option<usize> {
        match self.by_id.is_empty() {
            true => self.ids.iter().position(|known| name_eq(known.as_bytes(), id.as_bytes())),
            false => self.by_id.get(id).copied(),
        }
    }

    /// Adds the entry with ID `id` (not in the index yet) as number `index`.
    fn add_id(&mut self, id: Cow<'a, str>, index: usize) {
        if !self.by_id.is_empty() {
            self.by_id.insert(id.clone(), index);
        }
        self.ids.push(id);
        if self.ids.len() == SCANNED_IDS + 1 {
            self.by_id = self.ids.iter().cloned().zip(0..).collect();
        }
    }

    /// The ID of entry `i`.
    pub fn id(&self, i: usize) -> &Cow<'a, str> {
        &self.ids[i]
    }

    /// Records an element with ID `id` (its value starting at `at`) that
    /// closed already, as reading it would have: a value seen before is a
    /// duplicate, not an entry.
    pub fn add_closed(&mut self, id: Cow<'a, str>, at: usize, entry: Indexed<'a>) {
        self.seen += 1;
        if self.position(&id).is_some() {
            self.duplicate.get_or_insert(at);
            return;
        }
        if self.entries.is_empty() {
            self.entries.reserve(8);
            self.ids.reserve(8);
        }
        self.add_id(id, self.entries.len());
        self.entries.push(entry);
    }

    /// Called for every start tag (after its attributes are resolved).
    #[inline]
    pub fn on_start(&mut self, src: &'a str, tag: StartInfo<'_, 'a>) {
        if !tag.attrs.is_empty() {
            self.record(src, tag);
        }
    }

    /// The IDs and `xml:*` attributes of a start tag that has attributes.
    fn record(&mut self, src: &'a str, tag: StartInfo<'_, 'a>) {
        let ids = tag.attrs.iter().filter(|a| is_id_attr(a, src));
        // The entry of this element's first new ID: a second ID shares its context.
        let mut first: Option<usize> = None;
        for a in ids {
            self.seen += 1;
            let id = attr_value(src, a.value, a.has_ref);
            if self.position(&id).is_some() {
                self.duplicate.get_or_insert(a.value.start());
                continue;
            }
            let context = match first {
                Some(i) => self.entries[i].context.clone(),
                None => self.context(tag.bindings, tag.names, tag.depth),
            };
            let index = self.entries.len();
            if index == 0 {
                // A message has a handful of IDs: room for them at once, not in steps of doubling.
                self.entries.reserve(8);
                self.ids.reserve(8);
            }
            first.get_or_insert(index);
            self.add_id(id, index);
            self.open.push(index);
            let span = Span::new(tag.span.start(), tag.span.end());
            self.entries.push(Indexed { ns: tag.ns, local: tag.local, span, depth: tag.depth, context });
        }
        for a in tag.attrs.iter().filter(|a| a.ns == NsId::XML) {
            let value = attr_value(src, a.value, a.has_ref);
            let qname = &src[a.name.start as usize..a.name.end as usize];
            self.xml_attrs.push((tag.depth, qname, value));
        }
    }

    /// Called when the element at `depth` closes; `end` is one past its last byte.
    #[inline]
    pub fn on_end(&mut self, depth: u32, end: usize) {
        let closes_entry = self.open.last().is_some_and(|&i| self.entries.get(i).is_some_and(|e| e.depth >= depth));
        if closes_entry || self.xml_attrs.last().is_some_and(|&(d, _, _)| d >= depth) {
            self.close(depth, end);
        }
    }

    fn close(&mut self, depth: u32, end: usize) {
        while let Some(&i) = self.open.last() {
            if self.entries[i].depth < depth {
                break;
            }
            self.entries[i].span = Span::new(self.entries[i].span.start(), end);
            self.open.pop();
        }
        while self.xml_attrs.last().is_some_and(|&(d, _, _)| d >= depth) {
            self.xml_attrs.pop();
        }
    }

    /// The context of an element at `depth` whose parent's bindings are `parent_bindings`.
    pub fn context(&self, parent_bindings: &[Binding<'a>], names: &NsTable<'a>, depth: u32) -> Context<'a> {
        let mut inherited_ns: Vec<(&'a str, &'a str)> = Vec::with_capacity(parent_bindings.len());
        for b in parent_bindings.iter().rev() {
            let prefix = b.prefix.as_bytes();
            if !short_eq(prefix, b"xml") && !inherited_ns.iter().any(|(p, _)| short_eq(p.as_bytes(), prefix)) {
                inherited_ns.push((b.prefix, names.uri(b.ns)));
            }
        }
        let mut inherited_xml: Vec<(&'a str, Cow<'a, str>)> = Vec::new();
        for (d, local, value) in self.xml_attrs.iter().rev() {
            if *d < depth && !inherited_xml.iter().any(|(l, _)| l == local) {
                inherited_xml.push((local, value.clone()));
            }
        }
        Context { inherited_ns, inherited_xml }
    }
}

/// What the reader tells the index about a start tag.
pub(crate) struct StartInfo<'r, 'a> {
    pub span: Span,
    pub ns: NsId,
    pub local: &'a str,
    pub depth: u32,
    pub attrs: &'r [Attr],
    /// Bindings in scope at the parent (the element's own declarations excluded).
    pub bindings: &'r [Binding<'a>],
    pub names: &'r NsTable<'a>,
}

/// `wsu:Id`, unqualified `Id` (XML-DSig, WS-Security 1.1) or unqualified `ID` (SAML 2.0).
pub(crate) fn is_id_attr(a: &Attr, src: &str) -> bool {
    let len = a.name.end - a.name.start - if a.name.prefix_len == 0 { 0 } else { a.name.prefix_len + 1 };
    len == 2
        && (a.ns == NsId::WSU || a.ns == NsId::NONE)
        && matches!((a.ns, a.name.local(src)), (NsId::WSU, "Id") | (NsId::NONE, "Id" | "ID"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_found_scanned_and_hashed() {
        let src: String = (0..40).map(|i| format!("<e Id=\"x{i}\"/>")).collect();
        let doc = format!("<r>{src}<e Id=\"x{}\"/></r>", super::SCANNED_IDS);
        let limits = crate::Limits::default();
        let mut r = crate::xml::reader::Reader::new(&doc, 0, &limits);
        r.enable_index();
        while !matches!(r.next().unwrap(), crate::xml::reader::Event::Eof) {}
        let index = r.take_index().unwrap();
        for i in 0..40 {
            let at = doc.find(&format!("\"x{i}\"")).unwrap();
            assert_eq!(index.get(&format!("x{i}")).unwrap().span.start(), doc[..at].rfind('<').unwrap());
        }
        assert!(index.get("x40").is_none() && index.get("").is_none());
        let repeated = doc.rfind(&format!("\"x{}\"", super::SCANNED_IDS)).unwrap() + 1;
        assert_eq!(index.duplicate, Some(repeated), "a duplicate past the scanned IDs is found");
        assert_eq!(index.seen, 41);
    }

    #[test]
    fn has_key_is_key_equality() {
        let context = Context {
            inherited_ns: vec![("", "urn:d"), ("ds", "urn:ds")],
            inherited_xml: vec![("xml:lang", Cow::Borrowed("da"))],
        };
        let key = context.key();
        assert!(context.has_key(&key));
        assert!(!context.has_key(&key[..key.len() - 1]));
        assert!(!context.has_key(&format!("{key}x")));
        assert!(!context.has_key(&key.replace("urn:ds", "urn:dt")));
        assert!(Context::default().has_key(""));
        assert!(!Context::default().has_key(&key));
    }
}
