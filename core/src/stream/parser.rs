//! The push parser: bytes in chunks, events out, the same rules and limits
//! as the whole-input reader. Between calls it keeps only the token cut by
//! the chunk edge (and at most three bytes of a cut character).

use memchr::{memchr, memmem, memrchr};

use super::error::{StreamError, StreamErrorKind as SK};
use super::event::{AttrIdx, StreamEvent, StreamName, StreamStart};
use super::ns::{Mark, Rng, Scope};
use super::quick;
use super::utf8::Utf8State;
use runs::NoRuns;
pub(crate) use runs::{RunStart, Runs};

mod runs;
pub use super::limits::StreamLimits;
use crate::xml::chars::{is_ws, short_eq};
use crate::xml::error::{XmlError, XmlErrorKind as K};
use crate::xml::input::{detect_bom, parse_declaration};
use crate::xml::lex::{LexLimits, Lexer, QSpan, RawAttr, Token};
use crate::xml::uri;
use crate::Encoding;

/// Where a stream stands after a call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// More input is expected.
    Partial,
    /// The root element has closed (only whitespace, comments and PIs may follow).
    Complete,
}

/// Receives events. An error stops the stream.
pub trait Handler {
    /// One event.
    fn event(&mut self, ev: &StreamEvent<'_>) -> Result<(), StreamError>;
}

impl<F: FnMut(&StreamEvent<'_>) -> Result<(), StreamError>> Handler for F {
    fn event(&mut self, ev: &StreamEvent<'_>) -> Result<(), StreamError> {
        self(ev)
    }
}

#[derive(Clone, Copy, Debug)]
struct Open {
    /// The raw name in `names`.
    name: (u32, u32),
    prefix_len: u32,
    ns: Rng,
    mark: Mark,
}

/// The push parser.
///
/// ```
/// use kuvert::{StreamEvent, StreamLimits, StreamParser};
///
/// let mut parser = StreamParser::new(StreamLimits::default());
/// let mut names = Vec::new();
/// let mut handler = |ev: &StreamEvent<'_>| {
///     if let StreamEvent::Start(s) = ev {
///         names.push(format!("{{{}}}{}", s.name.ns, s.name.local));
///     }
///     Ok(())
/// };
/// parser.feed(b"<a xmlns='urn:x'><b at", &mut handler)?; // a tag cut by the chunk edge
/// parser.feed(b"tr='1'/></a>", &mut handler)?;
/// parser.finish(&mut handler)?;
/// assert_eq!(names, ["{urn:x}a", "{urn:x}b"]);
/// # Ok::<(), kuvert::StreamError>(())
/// ```
#[derive(Debug)]
pub struct StreamParser {
    limits: StreamLimits,
    lex: LexLimits,
    carry: Vec<u8>,
    /// Absolute offset of `carry[0]` (or of the next byte when it is empty).
    base: u64,
    /// Bytes received.
    total: u64,
    /// Absolute offset up to which characters are known valid.
    valid_upto: u64,
    char_error: Option<(u64, K)>,
    utf8: Utf8State,
    prolog_done: bool,
    /// An incomplete carried token is read again only once it has doubled
    /// (no quadratic work when a peer sends a long token a byte at a time).
    retry_at: usize,
    bom: bool,
    scope: Scope,
    names: String,
    stack: Vec<Open>,
    root_seen: bool,
    /// First non-whitespace byte of text outside the root, in the current run.
    outside: Option<u64>,
    text_run: u64,
    raw_attrs: Vec<RawAttr>,
    attrs: Vec<AttrIdx>,
    peak: usize,
    failed: bool,
    finished: bool,
}

impl StreamParser {
    /// A parser with `limits`.
    pub fn new(limits: StreamLimits) -> Self {
        StreamParser {
            lex: LexLimits::from(&limits.xml),
            limits,
            carry: Vec::new(),
            base: 0,
            total: 0,
            valid_upto: 0,
            char_error: None,
            utf8: Utf8State::default(),
            prolog_done: false,
            retry_at: 0,
            bom: false,
            scope: Scope::default(),
            names: String::new(),
            stack: Vec::with_capacity(32),
            root_seen: false,
            outside: None,
            text_run: 0,
            raw_attrs: Vec::with_capacity(8),
            attrs: Vec::with_capacity(8),
            peak: 0,
            failed: false,
            finished: false,
        }
    }

    /// Bytes received so far.
    pub fn bytes(&self) -> u64 {
        self.total
    }

    /// Current element depth.
    pub fn depth(&self) -> u32 {
        self.stack.len() as u32
    }

    /// The most bytes the parser held between calls (carried token, open
    /// element names, namespace scope).
    pub fn peak_buffered(&self) -> usize {
        self.peak
    }

    /// Bytes held now.
    pub fn buffered(&self) -> usize {
        self.carry.capacity() + self.names.capacity() + self.scope.held()
    }

    /// Feeds the next chunk; events for everything complete in it go to `h`.
    pub fn feed(&mut self, chunk: &[u8], h: &mut impl Handler) -> Result<Status, StreamError> {
        self.feed_runs(chunk, &mut NoRuns(h))
    }

    /// Ends the stream: everything carried must complete here.
    pub fn finish(&mut self, h: &mut impl Handler) -> Result<(), StreamError> {
        self.finish_runs(&mut NoRuns(h))
    }

    /// As [`feed`](Self::feed), for a handler that may take runs of simple markup.
    pub(crate) fn feed_runs(&mut self, chunk: &[u8], h: &mut impl Runs) -> Result<Status, StreamError> {
        if self.failed || self.finished {
            return Err(StreamError::new(SK::Finished, self.total));
        }
        let r = self.feed_inner(chunk, h);
        self.failed = r.is_err();
        self.peak = self.peak.max(self.buffered());
        r
    }

    /// As [`finish`](Self::finish), for a handler that may take runs.
    pub(crate) fn finish_runs(&mut self, h: &mut impl Runs) -> Result<(), StreamError> {
        if self.failed || self.finished {
            return Err(StreamError::new(SK::Finished, self.total));
        }
        let r = self.finish_inner(h);
        self.failed = r.is_err();
        self.finished = true;
        r
    }

    fn feed_inner(&mut self, chunk: &[u8], h: &mut impl Runs) -> Result<Status, StreamError> {
        let limit = self.limits.max_stream_bytes;
        if self.total + chunk.len() as u64 > limit {
            return Err(StreamError::new(SK::StreamTooLarge { limit }, limit));
        }
        let chunk_base = self.total;
        self.total += chunk.len() as u64;
        let mut chunk_text = None;
        if self.char_error.is_none() {
            let (valid_upto, e, text) = self.utf8.validate(chunk, chunk_base);
            self.valid_upto = valid_upto;
            self.char_error = e;
            chunk_text = text;
        }
        let mut rest = chunk;
        while !self.carry.is_empty() || !self.prolog_done {
            if rest.is_empty() {
                break;
            }
            let take = rest.len().min(self.carry.len().max(4096));
            self.carry.extend_from_slice(&rest[..take]);
            rest = &rest[take..];
            if self.carry.len() >= self.retry_at {
                self.run_carry(false, h)?;
            }
        }
        if !rest.is_empty() {
            let base = self.total - rest.len() as u64;
            let window = &rest[..self.clip(base, rest.len())];
            let text = quick::window_text(chunk_text, chunk.len() - rest.len(), window.len());
            let used = self.run((window, text), base, false, h)?;
            self.carry.extend_from_slice(&rest[used..]);
            self.base = base + used as u64;
            self.retry_at = retry_len(self.carry.len());
        }
        self.check_bom(false)?;
        self.check_char_error()?;
        Ok(if self.root_seen && self.stack.is_empty() { Status::Complete } else { Status::Partial })
    }

    /// How much of a window starting at `base` lies before the validation edge.
    fn clip(&self, base: u64, len: usize) -> usize {
        (self.valid_upto.saturating_sub(base) as usize).min(len)
    }

    /// Runs over the carried bytes and drops what was consumed.
    fn run_carry(&mut self, last: bool, h: &mut impl Runs) -> Result<(), StreamError> {
        let carry = std::mem::take(&mut self.carry);
        let n = self.clip(self.base, carry.len());
        let r = self.run((&carry[..n], None), self.base, last, h);
        self.carry = carry;
        let used = r?;
        self.carry.drain(..used);
        self.base += used as u64;
        self.retry_at = retry_len(self.carry.len());
        if self.carry.is_empty() && self.carry.capacity() > 64 << 10 {
            self.carry = Vec::new();
        }
        Ok(())
    }

    /// Non-whitespace text before or after the root, once its run has ended.
    fn text_outside_root(&mut self) -> Result<(), StreamError> {
        match self.outside.take() {
            Some(at) => Err(StreamError::new(SK::Xml(K::TextOutsideRoot), at)),
            None => Ok(()),
        }
    }

    /// A UTF-16/32 byte-order mark is refused before any character check.
    fn check_bom(&self, last: bool) -> Result<(), StreamError> {
        if self.prolog_done || (self.carry.len() < 4 && !last) {
            return Ok(());
        }
        detect_bom(&self.carry).map(|_| ()).map_err(|e| StreamError::xml(e, 0))
    }

    /// A character error waits until everything before it has been read.
    fn check_char_error(&self) -> Result<(), StreamError> {
        if !self.prolog_done && self.carry.len() < 4 {
            return Ok(());
        }
        match self.char_error {
            Some((at, kind)) if self.base >= at => Err(StreamError::new(SK::Xml(kind), at)),
            _ => Ok(()),
        }
    }

    fn finish_inner(&mut self, h: &mut impl Runs) -> Result<(), StreamError> {
        self.check_bom(true)?;
        if self.char_error.is_none() && self.utf8.pending() > 0 {
            self.char_error = Some((self.valid_upto, K::InvalidUtf8));
        }
        if let Some((at, kind)) = self.char_error {
            if self.carry.is_empty() && self.prolog_done {
                return Err(StreamError::new(SK::Xml(kind), at));
            }
            // Read what precedes the bad byte as a complete document would be.
            self.run_carry(false, h)?;
            return Err(StreamError::new(SK::Xml(kind), at));
        }
        self.run_carry(true, h)?;
        self.text_outside_root()?;
        let at = self.total;
        let eof = |k| Err(StreamError::new(SK::Xml(k), at));
        if !self.stack.is_empty() {
            eof(K::UnclosedElement)
        } else if !self.root_seen {
            eof(K::NoRoot)
        } else {
            Ok(())
        }
    }

    /// Reads tokens from `window` (absolute offset `base`); returns the bytes
    /// consumed. The rest is an incomplete token, unless `last`.
    fn run(
        &mut self,
        (window, text): (&[u8], Option<&str>),
        base: u64,
        last: bool,
        h: &mut impl Runs,
    ) -> Result<usize, StreamError> {
        let mut pos = 0;
        // Validated UTF-8 cut at character boundaries: names are sliced
        // from it rather than checked again one by one.
        let text = text.or_else(|| simdutf8::basic::from_utf8(window).ok());
        if !self.prolog_done {
            match self.prolog(window, last)? {
                Some(end) => pos = end,
                None => return Ok(0),
            }
        }
        while pos < window.len() {
            // Text going on from an earlier window is long (a base64
            // document): the general path passes it, a run would scan it first in vain.
            let long_text = self.text_run > 0 && window[pos] != b'<';
            if let Some(floor) = h.run_floor().filter(|_| !long_text) {
                pos = self.simple_run((window, text), pos, floor, h);
                if pos == window.len() {
                    break;
                }
            }
            let next = if window[pos] == b'<' {
                self.text_run = 0;
                self.text_outside_root()?;
                self.markup(window, text, pos, base, last, h)?
            } else {
                self.text(window, pos, base, last, h)?
            };
            match next {
                Some(end) => pos = end,
                None => break,
            }
        }
        Ok(pos)
    }

    /// Byte-order mark and XML declaration; `None` while undecided.
    fn prolog(&mut self, window: &[u8], last: bool) -> Result<Option<usize>, StreamError> {
        const CAP: usize = 1024;
        if !last && window.len() < 9 {
            return Ok(None);
        }
        let bom = detect_bom(window).map_err(|e| StreamError::xml(e, 0))?;
        self.bom = bom > 0;
        let rest = &window[bom..];
        let has_decl = rest.starts_with(b"<?xml") && rest.get(5).is_some_and(|&b| is_ws(b));
        // The declaration is read from the same bytes however the input was
        // cut: up to its first `?>` within CAP bytes, or the first CAP bytes.
        let capped = window.len().min(CAP);
        let end = match memmem::find(&window[bom..capped], b"?>") {
            Some(p) => bom + p + 2,
            None if last || window.len() >= CAP || !has_decl => capped,
            None => return Ok(None),
        };
        let decl = parse_declaration(&window[..end], bom).map_err(|e| StreamError::xml(e, 0))?;
        if decl.encoding == Some(Encoding::Latin1) {
            return Err(StreamError::new(SK::Xml(K::UnsupportedEncoding), decl.encoding_at as u64));
        }
        self.prolog_done = true;
        Ok(Some(decl.end))
    }

    /// A run of character data up to the next markup, or the part of it in
    /// this window that can not change with more input. Inlined into
    /// [`run`](Self::run), its only caller: a result returned through memory
    /// would stall the load that reads it back, once per token.
    #[inline(always)]
    fn text(
        &mut self,
        window: &[u8],
        pos: usize,
        base: u64,
        last: bool,
        h: &mut impl Runs,
    ) -> Result<Option<usize>, StreamError> {
        let remaining = self.limits.max_text_run.saturating_sub(self.text_run);
        let limit = remaining.min(usize::MAX as u64 / 2) as usize;
        let token = match quick::plain_text(window, pos, limit) {
            Some(end) => Ok(Token::Text { start: pos, end, has_ref: false }),
            None => match self.lex_text(window, pos, limit, last) {
                Some(token) => token,
                None => return Ok(None),
            },
        };
        let (start, stop, has_ref) = match token {
            Ok(Token::Text { start, end, has_ref }) => (start, end, has_ref),
            Ok(_) => unreachable_token(base + pos as u64)?,
            Err(e) if matches!(e.kind(), K::TextTooLong { .. }) => {
                let limit = self.limits.max_text_run;
                let at = base + pos as u64 - self.text_run + limit;
                return Err(StreamError::new(SK::Xml(K::TextTooLong { limit: limit as usize }), at));
            }
            Err(e) => return Err(StreamError::xml(e, base)),
        };
        self.text_run += (stop - start) as u64;
        let raw = &window[start..stop];
        if self.stack.is_empty() {
            // Reported when the run ends: an error inside it comes first, as
            // it does when the run is read whole.
            if let Some(first) = raw.iter().position(|&b| !is_ws(b)) {
                self.outside.get_or_insert(base + (start + first) as u64);
            }
        } else {
            h.event(&StreamEvent::Text { offset: base + start as u64, raw, has_ref })?;
        }
        Ok(Some(stop))
    }

    /// The text token at `pos` as the lexer reads it (at most `limit`
    /// bytes); `None` while more input may change it.
    fn lex_text(&self, window: &[u8], pos: usize, limit: usize, last: bool) -> Option<Result<Token, XmlError>> {
        let lex = LexLimits { text: limit, ..self.lex };
        let lex_upto = |end: usize| Lexer::new(&window[..end], pos, end, lex).next_token(None);
        // Most text ends at markup inside the window; only text that reaches
        // the window's edge is cut where more input can not change it.
        let full = if last { None } else { Some(lex_upto(window.len())) };
        let safe = |full: &Option<Result<Token, XmlError>>| match full {
            Some(Ok(Token::Text { end, .. })) => *end < window.len() || safe_text_end(window, pos) == window.len(),
            _ => false,
        };
        match full {
            Some(Ok(t)) if safe(&full) => Some(Ok(t)),
            _ => {
                let end = if last { window.len() } else { safe_text_end(window, pos) };
                if end == pos {
                    return None;
                }
                match lex_upto(end) {
                    // A reference the cut left short: wait for more input.
                    Err(e) if !last && e.kind() == K::UnexpectedEof => None,
                    r => Some(r),
                }
            }
        }
    }

    /// A tag, comment, CDATA section or PI starting at `pos` (inlined for
    /// the reason [`text`](Self::text) is).
    #[inline(always)]
    fn markup(
        &mut self,
        window: &[u8],
        text: Option<&str>,
        pos: usize,
        base: u64,
        last: bool,
        h: &mut impl Runs,
    ) -> Result<Option<usize>, StreamError> {
        if let Some(end) = self.matching_end(window, pos) {
            self.close(base + pos as u64, &window[pos..end], h)?;
            return Ok(Some(end));
        }
        if let Some((name, end)) = quick::plain_start(window, pos, self.lex.name) {
            // What the lexer leaves for a start tag without attributes.
            self.raw_attrs.clear();
            self.start((window, text), base, pos, end, name, false, h)?;
            return Ok(Some(end));
        }
        let mut lexer = Lexer::new(window, pos, window.len(), self.lex);
        lexer.attrs = std::mem::take(&mut self.raw_attrs);
        let tok = lexer.next_token(None);
        self.raw_attrs = std::mem::take(&mut lexer.attrs);
        let tok = match tok {
            Ok(t) => t,
            Err(e) if !last && self.may_complete(window, pos, &e) => return Ok(None),
            Err(e) => return Err(self.placed(e, base)),
        };
        let at = |o: usize| base + o as u64;
        match tok {
            Token::Start { start, end, name, empty } => self.start((window, text), base, start, end, name, empty, h)?,
            Token::End { start, end, name, .. } => self.end(&window[start..end], at(start), name.raw(window), h)?,
            Token::CData { start, end } => {
                if self.stack.is_empty() {
                    return Err(StreamError::new(SK::Xml(K::TextOutsideRoot), at(start)));
                }
                h.event(&StreamEvent::CData { offset: at(start), raw: &window[start..end] })?;
            }
            Token::Comment { start, end } => {
                h.event(&StreamEvent::Comment { offset: at(start), raw: &window[start..end] })?
            }
            Token::Pi { start, end } => h.event(&StreamEvent::Pi { offset: at(start), raw: &window[start..end] })?,
            Token::Text { .. } | Token::Eof => unreachable_token(at(pos))?,
        }
        Ok(Some(lexer.pos()))
    }

    /// An `<?xml` PI is reserved at the very start, misplaced anywhere else
    /// (the lexer judges by the window's start; the stream knows the document's).
    fn placed(&self, e: XmlError, base: u64) -> StreamError {
        let at = base + e.offset() as u64;
        match e.kind() {
            K::ReservedPiTarget | K::MisplacedXmlDeclaration => {
                let first = at == 0 || (self.bom && at == 3);
                let kind = if first { K::ReservedPiTarget } else { K::MisplacedXmlDeclaration };
                StreamError::new(SK::Xml(kind), at)
            }
            _ => StreamError::xml(e, base),
        }
    }

    /// The end of `</name>` at `pos` closing the innermost open element.
    fn matching_end(&self, window: &[u8], pos: usize) -> Option<usize> {
        let open = self.stack.last()?;
        quick::matching_end(window, pos, self.names.as_bytes().get(open.name.0 as usize..open.name.1 as usize)?)
    }

    /// Whether an error at the window's edge may go away with more input.
    fn may_complete(&self, window: &[u8], pos: usize, e: &XmlError) -> bool {
        if window.len() - pos > self.limits.max_token() {
            return false;
        }
        e.kind() == K::UnexpectedEof || memchr(b'>', &window[e.offset().min(window.len())..]).is_none()
    }

    #[allow(clippy::too_many_arguments)]
    fn start(
        &mut self,
        (window, text): (&[u8], Option<&str>),
        base: u64,
        start: usize,
        end: usize,
        name: QSpan,
        empty: bool,
        h: &mut impl Runs,
    ) -> Result<(), StreamError> {
        let xerr = |k: K, o: usize| StreamError::new(SK::Xml(k), base + o as u64);
        if self.stack.is_empty() && self.root_seen {
            return Err(xerr(K::MultipleRoots, start));
        }
        let max_depth = self.limits.xml.max_depth;
        if self.stack.len() >= max_depth {
            return Err(xerr(K::TooDeep { limit: max_depth }, start));
        }
        let mark = self.scope.mark();
        let names_mark = self.names.len() as u32;
        self.root_seen = true;
        let (ns, inherited) = self.bind(window, base, start, name, mark)?;
        self.names.push_str(quick::str_in(text, window, name.start as usize, name.end as usize));
        let names_end = self.names.len() as u32;
        self.stack.push(Open { name: (names_mark, names_end), prefix_len: name.prefix_len, ns, mark });
        let raw = &window[start..end];
        // The event is built in place: copying a struct written field by
        // field into it would stall on the loads that read it whole.
        let ev = StreamEvent::Start(StreamStart {
            offset: base + start as u64,
            depth: self.stack.len() as u32,
            name: self.open_name((names_mark, names_end), name.prefix_len, ns),
            empty,
            raw,
            raw_text: text.and_then(|t| t.get(start..end)),
            parent_ns: inherited,
            attrs: &self.attrs,
            scope: &self.scope,
            mark,
        });
        h.event(&ev)?;
        if empty {
            self.close(base + end as u64, &[], h)?;
        }
        Ok(())
    }

    /// The start tag's namespace declarations, its namespace (and whether
    /// that is the parent's binding) and its attributes, resolved.
    #[inline]
    fn bind(
        &mut self,
        window: &[u8],
        base: u64,
        start: usize,
        name: QSpan,
        mark: Mark,
    ) -> Result<(Rng, bool), StreamError> {
        let plain = self.raw_attrs.is_empty();
        if plain {
            // Nothing to declare or resolve.
            self.attrs.clear();
        } else {
            self.declare(window).map_err(|e| StreamError::xml(e, base))?;
        }
        let prefix = &window[name.start as usize..(name.start + name.prefix_len) as usize];
        let inherited = self.inherited_ns(prefix, mark);
        let ns = match inherited {
            Some(ns) => ns,
            None => self
                .scope
                .resolve(prefix)
                .ok_or_else(|| StreamError::new(SK::Xml(K::UndeclaredPrefix), base + u64::from(name.start)))?,
        };
        if !plain {
            self.resolve_attrs(window, start).map_err(|e| StreamError::xml(e, base))?;
        }
        Ok((ns, inherited.is_some()))
    }

    /// The parent's namespace, without a search, when this element has the
    /// parent's prefix and declares nothing (so the same binding is in scope).
    fn inherited_ns(&self, prefix: &[u8], mark: Mark) -> Option<Rng> {
        let parent = self.stack.last()?;
        let (start, len) = (parent.name.0 as usize, parent.prefix_len as usize);
        let parent_prefix = self.names.as_bytes().get(start..start + len)?;
        (self.scope.unchanged_since(mark) && short_eq(parent_prefix, prefix)).then_some(parent.ns)
    }

    fn name_of(&self, o: &Open) -> StreamName<'_> {
        self.open_name(o.name, o.prefix_len, o.ns)
    }

    /// The name of an open element: `names[start..end]`, its prefix and namespace.
    #[inline(always)]
    fn open_name(&self, (start, end): (u32, u32), prefix_len: u32, ns: Rng) -> StreamName<'_> {
        let raw = &self.names[start as usize..end as usize];
        let (prefix, local) = match prefix_len {
            0 => ("", raw),
            p => (&raw[..p as usize], &raw[p as usize + 1..]),
        };
        StreamName { ns: self.scope.get(ns), prefix, local }
    }

    fn end(&mut self, raw: &[u8], at: u64, name: &[u8], h: &mut impl Runs) -> Result<(), StreamError> {
        let Some(open) = self.stack.last() else {
            return Err(StreamError::new(SK::Xml(K::UnmatchedEndTag), at));
        };
        if self.names.as_bytes()[open.name.0 as usize..open.name.1 as usize] != *name {
            return Err(StreamError::new(SK::Xml(K::MismatchedEndTag), at));
        }
        self.close(at, raw, h)
    }

    fn close(&mut self, at: u64, raw: &[u8], h: &mut impl Runs) -> Result<(), StreamError> {
        let open = *self.stack.last().expect("an open element");
        let depth = self.stack.len() as u32;
        h.event(&StreamEvent::End { offset: at, depth, name: self.name_of(&open), raw })?;
        self.stack.pop();
        self.names.truncate(open.name.0 as usize);
        self.scope.release(open.mark);
        Ok(())
    }

    /// Pushes the namespace declarations of the current start tag.
    fn declare(&mut self, window: &[u8]) -> Result<(), XmlError> {
        let mark = self.scope.mark();
        let (max_decls, max_scope) =
            (self.limits.xml.max_namespace_declarations, self.limits.xml.max_namespaces_in_scope);
        let mut count = 0;
        for a in &self.raw_attrs {
            let Some(prefix) = decl_prefix(a, window) else { continue };
            let at = a.name.start as usize;
            if count >= max_decls {
                return Err(XmlError::new(K::TooManyNamespaceDeclarations { limit: max_decls }, at));
            }
            if self.scope.len() > max_scope {
                return Err(XmlError::new(K::TooManyNamespacesInScope { limit: max_scope }, at));
            }
            if self.scope.declared_since(mark, prefix) {
                return Err(XmlError::new(K::DuplicateAttribute, at));
            }
            let value = &window[a.value_start as usize..a.value_end as usize];
            if a.has_ref || value.iter().any(|&b| is_ws(b)) {
                return Err(XmlError::new(K::InvalidNamespaceUri, a.value_start as usize));
            }
            let value = as_str(value);
            let valid = match prefix {
                "xmlns" => false,
                "xml" => value == uri::XML,
                "" => value != uri::XML && value != uri::XMLNS,
                _ => !value.is_empty() && value != uri::XML && value != uri::XMLNS,
            };
            if !valid {
                return Err(XmlError::new(K::InvalidNamespaceDeclaration, at));
            }
            self.scope.declare(prefix, value);
            count += 1;
        }
        Ok(())
    }

    /// Resolves the ordinary attributes and refuses duplicate expanded names.
    fn resolve_attrs(&mut self, window: &[u8], tag_start: usize) -> Result<(), XmlError> {
        self.attrs.clear();
        for a in &self.raw_attrs {
            if decl_prefix(a, window).is_some() {
                continue;
            }
            let n = a.name;
            let ns = if n.prefix_len == 0 {
                Rng::default()
            } else {
                let prefix = &window[n.start as usize..(n.start + n.prefix_len) as usize];
                self.scope.resolve(prefix).ok_or(XmlError::new(K::UndeclaredPrefix, n.start as usize))?
            };
            let skip = if n.prefix_len == 0 { 0 } else { n.prefix_len + 1 };
            let local = &window[(n.start + skip) as usize..n.end as usize];
            let dup = self.attrs.iter().any(|b| {
                let (s, e, p) = b.name;
                let bl = &window[tag_start + (if p == 0 { s } else { s + p + 1 }) as usize..tag_start + e as usize];
                self.scope.get(b.ns) == self.scope.get(ns) && bl == local
            });
            if dup {
                return Err(XmlError::new(K::DuplicateAttribute, n.start as usize));
            }
            let rel = |o: u32| o - tag_start as u32;
            self.attrs.push(AttrIdx {
                ns,
                name: (rel(n.start), rel(n.end), n.prefix_len),
                value: (rel(a.value_start), rel(a.value_end)),
                has_ref: a.has_ref,
            });
        }
        Ok(())
    }
}

/// The window bytes are validated UTF-8 cut at character boundaries; names
/// and values are whole tokens, so this never fails.
pub(super) fn as_str(b: &[u8]) -> &str {
    std::str::from_utf8(b).unwrap_or("")
}

/// Whether `a` declares a namespace, and the prefix it declares.
fn decl_prefix<'w>(a: &RawAttr, window: &'w [u8]) -> Option<&'w str> {
    let raw = a.name.raw(window);
    if a.name.prefix_len == 0 {
        (raw == b"xmlns").then_some("")
    } else {
        raw.strip_prefix(b"xmlns:").map(as_str)
    }
}

/// Where text starting at `pos` may safely stop in this window: before a
/// reference cut by the edge, and before one or two `]` that may start `]]>`.
fn safe_text_end(window: &[u8], pos: usize) -> usize {
    let mut end = window.len();
    let tail_from = end.saturating_sub(13).max(pos);
    if let Some(amp) = memrchr(b'&', &window[tail_from..end]) {
        let amp = tail_from + amp;
        if memchr(b';', &window[amp..end]).is_none() {
            end = amp;
        }
    }
    for _ in 0..2 {
        if end > pos && window[end - 1] == b']' {
            end -= 1;
        }
    }
    end
}

/// When to read an incomplete token of `len` bytes again.
fn retry_len(len: usize) -> usize {
    if len < 512 {
        0
    } else {
        len * 2
    }
}

fn unreachable_token<T>(at: u64) -> Result<T, StreamError> {
    Err(StreamError::new(SK::Xml(K::Syntax { expected: "a token" }), at))
}
