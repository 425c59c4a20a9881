//! The namespace-aware pull reader: tokens from the [`Lexer`] checked for
//! well-formedness (tag matching, one root, nothing but whitespace outside
//! it), namespace rules, attribute uniqueness and the depth and namespace
//! limits. Every name is resolved to a namespace id; prefixes never matter
//! to consumers.

use std::sync::Arc;

use super::chars::{any_byte, is_ws, short_eq};
use super::error::{err, XmlError, XmlErrorKind as K};
use super::index::{Context, IdIndex, StartInfo};
use super::lex::{is_xmlns_name, LexLimits, Lexer, QSpan, RawAttr, Token};
use super::names::{NsId, NsTable, PrefixCache};
use super::text::first_non_ws;
use super::Span;
use crate::c14n::taps::DigestTaps;
use crate::dsig::shape::SignedInfoShapes;
use crate::Limits;

mod runs;

/// A start tag with its name resolved.
#[derive(Clone, Copy, Debug)]
pub(crate) struct StartTag {
    /// The tag, `<` to `>`.
    pub span: Span,
    pub name: QSpan,
    pub ns: NsId,
    /// 1 for the root element.
    pub depth: u32,
}

/// An attribute with its name resolved (namespace declarations excluded).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Attr {
    pub name: QSpan,
    pub ns: NsId,
    pub value: Span,
    pub has_ref: bool,
}

/// A namespace binding: a prefix (empty for the default namespace) and its namespace.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Binding<'a> {
    pub prefix: &'a str,
    pub ns: NsId,
}

#[derive(Clone, Copy, Debug)]
pub(crate) enum Event {
    Start(StartTag),
    /// The end of the element opened by the matching start; `span` is the end
    /// tag (empty, at the end of the start tag, for `<x/>`).
    End {
        span: Span,
        depth: u32,
        name: QSpan,
    },
    Text {
        span: Span,
        has_ref: bool,
    },
    CData(Span),
    Comment(Span),
    Pi(Span),
    Eof,
}

#[derive(Clone, Copy, Debug)]
struct Open {
    name: QSpan,
    bindings_mark: u32,
}

/// Reads one document (or one element subtree of it) as events.
pub(crate) struct Reader<'a> {
    src: &'a str,
    lexer: Lexer<'a>,
    names: NsTable<'a>,
    bindings: Vec<Binding<'a>>,
    /// Bindings given from outside (ancestors of a subtree); never popped.
    base_bindings: usize,
    stack: Vec<Open>,
    attrs: Vec<Attr>,
    pending_end: Option<Span>,
    /// Recently resolved prefixes, valid while `bindings` is unchanged.
    recent: PrefixCache,
    root_seen: bool,
    /// The ID index, when enabled.
    index: Option<Box<IdIndex<'a>>>,
    /// Digest taps riding along this pass (signature verification).
    taps: Option<Box<DigestTaps<'a>>>,
    max_depth: usize,
    max_decls: usize,
    max_in_scope: usize,
    peak_in_scope: usize,
    /// Whether `read_to_end_of` takes runs of simple markup whole (off in
    /// tests that compare with the general path).
    simple_runs: bool,
}

#[cfg(test)]
thread_local! {
    /// Tests set this to read every token through the general path.
    pub(crate) static GENERAL_PATH_ONLY: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

#[inline]
fn simple_runs_on() -> bool {
    #[cfg(test)]
    return !GENERAL_PATH_ONLY.with(|g| g.get());
    #[cfg(not(test))]
    true
}

impl<'a> Reader<'a> {
    /// A reader over the document `src`, starting at `content_start` (after
    /// the byte-order mark and XML declaration).
    pub fn new(src: &'a str, content_start: usize, limits: &Limits) -> Self {
        Self::fragment(src, content_start..src.len(), &[], NsTable::default(), limits)
    }

    /// A reader over `range` of `src`, which must hold exactly one element,
    /// with `inherited` bindings in scope (those of its ancestors).
    pub fn fragment(
        src: &'a str,
        range: std::ops::Range<usize>,
        inherited: &[Binding<'a>],
        names: NsTable<'a>,
        limits: &Limits,
    ) -> Self {
        let mut bindings = Vec::with_capacity(16 + inherited.len());
        bindings.push(Binding { prefix: "xml", ns: NsId::XML });
        bindings.extend_from_slice(inherited);
        Reader {
            src,
            lexer: Lexer::new(src.as_bytes(), range.start, range.end, LexLimits::from(limits)),
            names,
            base_bindings: bindings.len(),
            bindings,
            stack: Vec::with_capacity(32),
            attrs: Vec::with_capacity(8),
            pending_end: None,
            recent: PrefixCache::default(),
            root_seen: false,
            index: None,
            taps: None,
            max_depth: limits.max_depth,
            max_decls: limits.max_namespace_declarations,
            max_in_scope: limits.max_namespaces_in_scope,
            peak_in_scope: 0,
            simple_runs: simple_runs_on(),
        }
    }

    /// A reader over the element at `range`, with the namespace bindings of its
    /// ancestors given as (prefix, URI) pairs (an empty URI undeclares a default).
    pub fn in_context(
        src: &'a str,
        range: std::ops::Range<usize>,
        inherited_ns: &[(&'a str, &'a str)],
        limits: &Limits,
    ) -> Self {
        let mut names = NsTable::default();
        let inherited: Vec<Binding<'a>> = inherited_ns
            .iter()
            .map(|&(prefix, uri)| Binding { prefix, ns: if uri.is_empty() { NsId::NONE } else { names.intern(uri) } })
            .collect();
        Self::fragment(src, range, &inherited, names, limits)
    }

    /// Starts recording elements with IDs (see [`IdIndex`]).
    pub fn enable_index(&mut self) {
        self.index.get_or_insert_with(Box::default);
    }

    /// Takes the ID index out of the reader.
    pub fn take_index(&mut self) -> Option<Box<IdIndex<'a>>> {
        self.index.take()
    }

    /// The canonicalization context of the element whose start tag was just
    /// read: bindings of its parent and `xml:*` attributes of its ancestors
    /// (the latter only when the index is enabled).
    pub fn context_of_current(&self) -> Context<'a> {
        let parent_end = self.stack.last().map_or(0, |o| o.bindings_mark as usize);
        let depth = self.stack.len() as u32;
        match self.index.as_deref() {
            Some(index) => index.context(&self.bindings[..parent_end], &self.names, depth),
            None => IdIndex::default().context(&self.bindings[..parent_end], &self.names, depth),
        }
    }

    /// The canonicalization context of the children of the element whose
    /// start tag was just read (what the ID index records for them); `None`
    /// when the index is off.
    pub fn context_of_children(&self) -> Option<Context<'a>> {
        let depth = self.stack.len() as u32 + 1;
        Some(self.index.as_deref()?.context(&self.bindings, &self.names, depth))
    }

    /// The ID index, when enabled.
    pub fn index_mut(&mut self) -> Option<&mut IdIndex<'a>> {
        self.index.as_deref_mut()
    }

    /// The ID index, when enabled.
    pub fn index(&self) -> Option<&IdIndex<'a>> {
        self.index.as_deref()
    }

    /// The document text.
    pub fn source(&self) -> &'a str {
        self.src
    }

    pub fn names(&self) -> &NsTable<'a> {
        &self.names
    }

    /// Takes the namespace table out of a reader that is done (it is left empty).
    pub fn take_names(&mut self) -> NsTable<'a> {
        std::mem::take(&mut self.names)
    }

    /// Attributes of the last start tag (valid until the next call to `next`).
    pub fn attrs(&self) -> &[Attr] {
        &self.attrs
    }

    /// Every binding in scope, outermost first (the implicit `xml` binding first);
    /// a prefix may occur more than once, the last occurrence wins.
    pub fn bindings_in_scope(&self) -> &[Binding<'a>] {
        &self.bindings
    }

    /// Value of the attribute `{ns}local` of the last start tag.
    pub fn attr(&self, ns: NsId, local: &str) -> Option<&Attr> {
        self.attrs.iter().find(|a| a.ns == ns && short_eq(a.name.local(self.src).as_bytes(), local.as_bytes()))
    }

    /// Bindings declared on the element of the last start tag.
    pub fn declared_here(&self) -> &[Binding<'a>] {
        let mark = self.stack.last().map_or(self.base_bindings, |o| o.bindings_mark as usize);
        &self.bindings[mark..]
    }

    /// The binding of a prefix in the current scope, with the prefix as the
    /// document wrote it.
    pub fn binding(&self, prefix: &str) -> Option<Binding<'a>> {
        self.bindings.iter().rev().find(|b| short_eq(b.prefix.as_bytes(), prefix.as_bytes())).copied()
    }

    /// Resolves a prefix (empty for the default namespace) in the current scope.
    pub fn resolve(&self, prefix: &str) -> Option<NsId> {
        match self.bindings.iter().rev().find(|b| short_eq(b.prefix.as_bytes(), prefix.as_bytes())) {
            Some(b) => Some(b.ns),
            None if prefix.is_empty() => Some(NsId::NONE),
            None => None,
        }
    }

    /// Current element depth (0 outside the root).
    pub fn depth(&self) -> u32 {
        self.stack.len() as u32
    }

    pub fn next(&mut self) -> Result<Event, XmlError> {
        let ev = self.next_event()?;
        if self.taps.is_some() {
            let mut taps = self.taps.take();
            if let Some(t) = taps.as_deref_mut() {
                t.on_event(self, &ev);
            }
            self.taps = taps;
        }
        Ok(ev)
    }

    /// Digest taps for this pass, created on first use.
    pub fn taps(&mut self) -> &mut DigestTaps<'a> {
        self.taps.get_or_insert_with(Box::default)
    }

    /// This pass's digest taps, if any.
    pub fn taps_ref(&self) -> Option<&DigestTaps<'a>> {
        self.taps.as_deref()
    }

    /// Runs `f` with this pass's digest taps (created if there are none) and
    /// the reader, which the taps read from.
    pub fn with_taps(&mut self, f: impl FnOnce(&mut DigestTaps<'a>, &Reader<'a>)) {
        let mut taps = self.taps.take().unwrap_or_default();
        f(&mut taps, self);
        self.taps = Some(taps);
    }

    /// Whether signatures read in this pass keep their `SignedInfo` in
    /// canonical form (see [`DigestTaps::keep_signed_info`]).
    pub fn keeps_signed_info(&self) -> bool {
        self.taps.as_ref().is_some_and(|t| t.keeps_signed_info())
    }

    /// The known `SignedInfo` shapes of this pass, if any.
    pub fn signed_info_shapes(&self) -> Option<Arc<SignedInfoShapes>> {
        self.taps.as_ref().and_then(|t| t.shapes().cloned())
    }

    /// Takes the digest taps out of the reader.
    pub fn take_taps(&mut self) -> Option<Box<DigestTaps<'a>>> {
        self.taps.take()
    }

    /// Whether no digest tap is digesting or capturing now.
    pub fn taps_idle(&self) -> bool {
        self.taps.as_ref().map_or(true, |t| t.is_idle())
    }

    /// ID attributes the index has seen so far (0 when it is off).
    pub fn ids_seen(&self) -> usize {
        self.index.as_ref().map_or(0, |i| i.seen)
    }

    /// Every limit this reader applies (lexer, depth, namespaces): equal
    /// for two readers that refuse the same documents.
    pub fn reading_limits(&self) -> [usize; 7] {
        let l = self.lexer.limits();
        [l.name, l.attributes, l.attribute_value, l.text, self.max_depth, self.max_decls, self.max_in_scope]
    }

    fn next_event(&mut self) -> Result<Event, XmlError> {
        if let Some(span) = self.pending_end.take() {
            return Ok(self.close(span));
        }
        loop {
            let open = self.stack.last().map(|o| o.name);
            match self.lexer.next_token(open)? {
                Token::Start { start, end, name, empty } => return self.start(start, end, name, empty),
                Token::End { start, end, name, matched } => return self.end(start, end, name, matched),
                Token::Text { start, end, has_ref } => {
                    if self.stack.is_empty() && (has_ref || !all_ws(&self.src.as_bytes()[start..end])) {
                        return err(K::TextOutsideRoot, first_non_ws(self.src, Span::new(start, end)));
                    }
                    if !self.stack.is_empty() {
                        return Ok(Event::Text { span: Span::new(start, end), has_ref });
                    }
                }
                Token::CData { start, end } => {
                    if self.stack.is_empty() {
                        return err(K::TextOutsideRoot, start);
                    }
                    return Ok(Event::CData(Span::new(start, end)));
                }
                Token::Comment { start, end } => return Ok(Event::Comment(Span::new(start, end))),
                Token::Pi { start, end } => return Ok(Event::Pi(Span::new(start, end))),
                Token::Eof => return self.eof(),
            }
        }
    }

    fn eof(&self) -> Result<Event, XmlError> {
        let at = self.lexer.pos();
        if !self.stack.is_empty() {
            err(K::UnclosedElement, at)
        } else if !self.root_seen {
            err(K::NoRoot, at)
        } else {
            Ok(Event::Eof)
        }
    }

    fn start(&mut self, start: usize, end: usize, name: QSpan, empty: bool) -> Result<Event, XmlError> {
        if self.stack.is_empty() && self.root_seen {
            return err(K::MultipleRoots, start);
        }
        if self.stack.len() >= self.max_depth {
            return err(K::TooDeep { limit: self.max_depth }, start);
        }
        let mark = self.bindings.len() as u32;
        self.stack.push(Open { name, bindings_mark: mark });
        self.root_seen = true;
        if self.lexer.has_decls() {
            self.declare_namespaces()?;
        }
        let ns = self.resolve_name(&name)?;
        self.resolve_attributes()?;
        let span = Span::new(start, end);
        if let Some(index) = self.index.as_deref_mut() {
            let parent_end = self.stack.last().map_or(0, |o| o.bindings_mark as usize);
            let depth = self.stack.len() as u32;
            let info = StartInfo {
                span,
                ns,
                local: name.local(self.src),
                depth,
                attrs: &self.attrs,
                bindings: &self.bindings[..parent_end],
                names: &self.names,
            };
            index.on_start(self.src, info);
        }
        if empty {
            self.pending_end = Some(Span::new(end, end));
        }
        Ok(Event::Start(StartTag { span, name, ns, depth: self.stack.len() as u32 }))
    }

    fn end(&mut self, start: usize, end: usize, name: QSpan, matched: bool) -> Result<Event, XmlError> {
        let Some(open) = self.stack.last() else {
            return err(K::UnmatchedEndTag, start);
        };
        let src = self.src.as_bytes();
        if !matched && open.name.raw(src) != name.raw(src) {
            return err(K::MismatchedEndTag, start);
        }
        Ok(self.close(Span::new(start, end)))
    }

    fn close(&mut self, span: Span) -> Event {
        let depth = self.stack.len() as u32;
        let open =
            self.stack.pop().unwrap_or(Open { name: QSpan { start: 0, end: 0, prefix_len: 0 }, bindings_mark: 0 });
        if self.bindings.len() > open.bindings_mark as usize {
            self.bindings.truncate(open.bindings_mark as usize);
            self.recent.clear();
        }
        if let Some(index) = self.index.as_deref_mut() {
            index.on_end(depth, span.end());
        }
        Event::End { span, depth, name: open.name }
    }

    /// Pushes the `xmlns` / `xmlns:p` declarations of the current start tag.
    fn declare_namespaces(&mut self) -> Result<(), XmlError> {
        let mark = self.bindings.len();
        for i in 0..self.lexer.attrs.len() {
            let a = self.lexer.attrs[i];
            let (prefix, is_decl) = decl_prefix(&a, self.src);
            if !is_decl {
                continue;
            }
            let at = a.name.start as usize;
            if self.bindings.len() - mark >= self.max_decls {
                return err(K::TooManyNamespaceDeclarations { limit: self.max_decls }, at);
            }
            if self.bindings.len() > self.max_in_scope {
                return err(K::TooManyNamespacesInScope { limit: self.max_in_scope }, at);
            }
            if self.bindings[mark..].iter().any(|b| b.prefix == prefix) {
                return err(K::DuplicateAttribute, at);
            }
            let ns = self.namespace_value(&a, prefix)?;
            self.bindings.push(Binding { prefix, ns });
            self.recent.clear();
            self.peak_in_scope = self.peak_in_scope.max(self.bindings.len());
        }
        Ok(())
    }

    /// The most namespace bindings in scope at once so far.
    pub fn peak_in_scope(&self) -> usize {
        self.peak_in_scope.max(self.bindings.len())
    }

    fn namespace_value(&mut self, a: &RawAttr, prefix: &'a str) -> Result<NsId, XmlError> {
        let value = &self.src[a.value_start as usize..a.value_end as usize];
        let at = a.value_start as usize;
        if a.has_ref || any_byte(value.as_bytes(), |b| matches!(b, b' ' | b'\t' | b'\r' | b'\n')) {
            return err(K::InvalidNamespaceUri, at);
        }
        let ns = if value.is_empty() { NsId::NONE } else { self.names.intern(value) };
        let valid = match prefix {
            "xmlns" => false,
            "xml" => ns == NsId::XML,
            "" => ns != NsId::XML && ns != NsId::XMLNS,
            _ => ns != NsId::NONE && ns != NsId::XML && ns != NsId::XMLNS,
        };
        if valid {
            Ok(ns)
        } else {
            err(K::InvalidNamespaceDeclaration, a.name.start as usize)
        }
    }

    #[inline(always)]
    fn resolve_name(&mut self, name: &QSpan) -> Result<NsId, XmlError> {
        let key = PrefixCache::key(self.src.as_bytes(), name.start as usize, name.prefix_len as usize);
        match key.and_then(|k| self.recent.get(k)) {
            Some(ns) => Ok(ns),
            None => self.resolve_uncached(name, key),
        }
    }

    #[inline(never)]
    fn resolve_uncached(&mut self, name: &QSpan, key: Option<u64>) -> Result<NsId, XmlError> {
        let src: &'a [u8] = self.src.as_bytes();
        let prefix = &src[name.start as usize..(name.start + name.prefix_len) as usize];
        let found = self.bindings.iter().rev().find(|b| short_eq(b.prefix.as_bytes(), prefix));
        let ns = match found {
            Some(b) => b.ns,
            None if prefix.is_empty() => NsId::NONE,
            None => return err(K::UndeclaredPrefix, name.start as usize),
        };
        if let Some(key) = key {
            self.recent.insert(key, ns);
        }
        Ok(ns)
    }

    /// Resolves the ordinary attributes and refuses duplicate expanded names.
    fn resolve_attributes(&mut self) -> Result<(), XmlError> {
        self.attrs.clear();
        let decls = self.lexer.has_decls();
        for i in 0..self.lexer.attrs.len() {
            let a = self.lexer.attrs[i];
            if decls && is_xmlns_name(self.src.as_bytes(), a.name) {
                continue;
            }
            let ns = if a.name.prefix_len == 0 { NsId::NONE } else { self.resolve_name(&a.name)? };
            let local = a.name.local(self.src);
            if self.attrs.iter().any(|b| b.ns == ns && b.name.local(self.src) == local) {
                return err(K::DuplicateAttribute, a.name.start as usize);
            }
            let value = Span::new(a.value_start as usize, a.value_end as usize);
            self.attrs.push(Attr { name: a.name, ns, value, has_ref: a.has_ref });
        }
        Ok(())
    }

    /// Closes the element whose start tag was just read, its content and end
    /// tag taken as `src[..end]` without reading them; returns the end tag's
    /// span. Only for bytes known to be a well-formed element with no ID
    /// inside, in the namespace context it is in now (the token verifier's
    /// cached assertions, known `SignedInfo` shapes); `None`, changing
    /// nothing, when the element was empty (`<x/>`), taps are digesting, or
    /// `end` does not follow a tag.
    pub fn close_verified(&mut self, end: usize) -> Option<Span> {
        if self.pending_end.is_some() || !self.taps_idle() || end > self.src.len() || end <= self.lexer.pos() {
            return None;
        }
        let tag_start = self.src.get(self.lexer.pos()..end)?.rfind("</")? + self.lexer.pos();
        self.lexer.jump(end);
        match self.close(Span::new(tag_start, end)) {
            Event::End { span, .. } => Some(span),
            _ => None,
        }
    }

    /// The ID index's context of the element starting at `start`, if indexed.
    pub fn indexed_context(&self, start: usize) -> Option<&Context<'a>> {
        let index = self.index.as_deref()?;
        index.entries.iter().rev().find(|e| e.span.start() == start).map(|e| &e.context)
    }

    /// Skips the rest of the element whose start tag was just read.
    pub fn skip_element(&mut self) -> Result<Span, XmlError> {
        self.read_to_end_of(self.depth())
    }

    /// Reads through the end tag of the open element at `depth` (the current
    /// element or one of its ancestors); returns the end tag's span.
    pub fn read_to_end_of(&mut self, depth: u32) -> Result<Span, XmlError> {
        loop {
            if self.simple_runs {
                self.simple_run(depth);
            }
            match self.next()? {
                Event::End { span, depth: d, .. } if d == depth => return Ok(span),
                // Only a caller asking for depth 0 (no element) gets here: the
                // end of the input is an error, not a reason to read on.
                Event::Eof => return err(K::UnclosedElement, self.lexer.pos()),
                _ => {}
            }
        }
    }
}

/// Whether `a` declares a namespace, and the prefix it declares.
#[inline]
fn decl_prefix<'a>(a: &RawAttr, src: &'a str) -> (&'a str, bool) {
    match is_xmlns_name(src.as_bytes(), a.name) {
        true if a.name.prefix_len != 0 => (a.name.local(src), true),
        is_decl => ("", is_decl),
    }
}

/// Byte equality without a call to `memcmp` for the short strings prefixes are.
#[inline]
fn all_ws(bytes: &[u8]) -> bool {
    bytes.iter().all(|&b| is_ws(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn events(s: &str) -> Result<Vec<Event>, XmlError> {
        events_with(s, &Limits::default())
    }

    fn events_with(s: &str, limits: &Limits) -> Result<Vec<Event>, XmlError> {
        let mut r = Reader::new(s, 0, limits);
        let mut out = Vec::new();
        loop {
            let e = r.next()?;
            if let Event::Eof = e {
                return Ok(out);
            }
            out.push(e);
        }
    }

    fn error(s: &str) -> (K, usize) {
        let e = events(s).unwrap_err();
        (e.kind(), e.offset())
    }

    #[test]
    fn namespaces_resolve_by_uri_not_prefix() {
        let s = r#"<e:Envelope xmlns:e="http://schemas.xmlsoap.org/soap/envelope/"><Body xmlns="http://schemas.xmlsoap.org/soap/envelope/"><x xmlns=""/></Body></e:Envelope>"#;
        let mut r = Reader::new(s, 0, &Limits::default());
        let mut seen = Vec::new();
        loop {
            match r.next().unwrap() {
                Event::Start(t) => seen.push((t.ns, t.name.local(s).to_owned(), t.depth)),
                Event::Eof => break,
                _ => {}
            }
        }
        assert_eq!(seen[0], (NsId::SOAP11, "Envelope".to_owned(), 1));
        assert_eq!(seen[1], (NsId::SOAP11, "Body".to_owned(), 2));
        assert_eq!(seen[2], (NsId::NONE, "x".to_owned(), 3));
    }

    #[test]
    fn empty_elements_give_start_and_end() {
        let ev = events("<a><b/></a>").unwrap();
        assert_eq!(ev.len(), 4);
        assert!(matches!(ev[2], Event::End { span: Span { start: 7, end: 7 }, depth: 2, .. }));
    }

    #[test]
    fn well_formedness_errors() {
        let cases: [(&str, K, usize); 16] = [
            ("<a></b>", K::MismatchedEndTag, 3),
            ("<a>", K::UnclosedElement, 3),
            ("</a>", K::UnmatchedEndTag, 0),
            ("<a/><b/>", K::MultipleRoots, 4),
            ("x<a/>", K::TextOutsideRoot, 0),
            ("<a/>&amp;", K::TextOutsideRoot, 4),
            ("<a/><![CDATA[x]]>", K::TextOutsideRoot, 4),
            ("  ", K::NoRoot, 2),
            ("<a x='1' x='2'/>", K::DuplicateAttribute, 9),
            ("<a xmlns:p='u' xmlns:q='u' p:x='1' q:x='2'/>", K::DuplicateAttribute, 35),
            ("<p:a/>", K::UndeclaredPrefix, 1),
            ("<a p:x='1'/>", K::UndeclaredPrefix, 3),
            ("<a xmlns:p=''/>", K::InvalidNamespaceDeclaration, 3),
            ("<a xmlns:xml='urn:x'/>", K::InvalidNamespaceDeclaration, 3),
            ("<a xmlns='&#x75;rn:x'/>", K::InvalidNamespaceUri, 10),
            ("<a xmlns:p='u' xmlns:p='v'/>", K::DuplicateAttribute, 15),
        ];
        for (src, kind, at) in cases {
            assert_eq!(error(src), (kind, at), "{src}");
        }
    }

    #[test]
    fn xml_prefix_is_predeclared() {
        assert!(events("<a xml:lang='da'/>").is_ok());
        assert!(events("<a xmlns:xml='http://www.w3.org/XML/1998/namespace'/>").is_ok());
        assert_eq!(error("<a xmlns:x='http://www.w3.org/XML/1998/namespace'/>").0, K::InvalidNamespaceDeclaration);
        assert_eq!(error("<a xmlns:xmlns='urn:x'/>").0, K::InvalidNamespaceDeclaration);
        assert_eq!(error("<xmlns:a/>").0, K::UndeclaredPrefix);
    }

    #[test]
    fn depth_and_namespace_limits() {
        let limits =
            Limits { max_depth: 2, max_namespace_declarations: 1, max_namespaces_in_scope: 2, ..Limits::default() };
        let run = |s: &str| {
            let mut r = Reader::new(s, 0, &limits);
            loop {
                match r.next() {
                    Ok(Event::Eof) => return None,
                    Ok(_) => {}
                    Err(e) => return Some((e.kind(), e.offset())),
                }
            }
        };
        assert_eq!(run("<a><b><c/></b></a>"), Some((K::TooDeep { limit: 2 }, 6)));
        assert_eq!(run("<a xmlns:p='u' xmlns:q='v'/>"), Some((K::TooManyNamespaceDeclarations { limit: 1 }, 15)));
        let limits = Limits { max_namespaces_in_scope: 2, ..Limits::default() };
        let e = events_with("<a xmlns:p='u'><b xmlns:q='v'><c xmlns:r='w'/></b></a>", &limits).unwrap_err();
        assert_eq!((e.kind(), e.offset()), (K::TooManyNamespacesInScope { limit: 2 }, 33));
        assert_eq!(run("<a><b/></a>"), None);
    }

    #[test]
    fn reading_to_the_end_of_no_element_stops_at_the_end_of_input() {
        let limits = Limits::default();
        let mut r = Reader::new("<a><b/></a>", 0, &limits);
        let e = r.read_to_end_of(0).unwrap_err();
        assert_eq!((e.kind(), e.offset()), (K::UnclosedElement, 11));
    }

    #[test]
    fn fragment_with_inherited_bindings() {
        let s = "<r xmlns:p='urn:p'><p:a><p:b/></p:a></r>";
        let mut names = NsTable::default();
        let p = names.intern("urn:p");
        let inherited = [Binding { prefix: "p", ns: p }];
        let mut r = Reader::fragment(s, 19..36, &inherited, names, &Limits::default());
        let Event::Start(t) = r.next().unwrap() else { panic!() };
        assert_eq!(t.ns, p);
        assert_eq!(r.skip_element().unwrap(), Span::new(30, 36));
        assert!(matches!(r.next().unwrap(), Event::Eof));
    }
}

#[cfg(test)]
mod speed {
    use super::*;

    #[test]
    #[ignore = "manual throughput probe: cargo test --release -- --ignored --nocapture"]
    fn reader_throughput() {
        let mut s = String::from(
            r#"<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><ns4:ListResponse xmlns:ns3="urn:x:3" xmlns:ns4="urn:x:4"><ns4:Systemer>"#,
        );
        let mut i = 0;
        while s.len() < 50 << 20 {
            s.push_str(&format!("<ns3:System><ns3:SystemUUID>1b2c3d4e-0000-4000-8000-{i:012x}</ns3:SystemUUID><ns3:SystemNavn>system-{i} &amp; co</ns3:SystemNavn><ns3:Kode>01.01.*</ns3:Kode></ns3:System>\n"));
            i += 1;
        }
        s.push_str("</ns4:Systemer></ns4:ListResponse></soap:Body></soap:Envelope>");
        let limits = Limits { max_document_bytes: 1 << 30, ..Limits::default() };
        for _ in 0..5 {
            let t = std::time::Instant::now();
            let mut r = Reader::new(&s, 0, &limits);
            let mut n = 0usize;
            loop {
                match r.next().unwrap() {
                    Event::Eof => break,
                    _ => n += 1,
                }
            }
            let dt = t.elapsed().as_secs_f64();
            println!("{n} events, {:.0} MB/s", s.len() as f64 / dt / 1e6);
        }
    }
}
