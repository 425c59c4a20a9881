//! Digest taps: canonicalize-and-digest elements while the main pass reads
//! them. Once a signature's references are known (the Security header comes
//! before the Body), each element they name is digested as the reader passes
//! over it, so the Body is tokenized once, not twice.

use std::borrow::Cow;
use std::sync::Arc;

use aws_lc_rs::digest;

use super::engine::{C14n, Spare};
use super::{C14nMethod, Sink};
use crate::dsig::shape::SignedInfoShapes;
use crate::dsig::DigestAlgorithm;
use crate::xml::index::is_id_attr;
use crate::xml::lex::QSpan;
use crate::xml::reader::{Event, Reader, StartTag};
use crate::xml::text::attr_value;
use crate::xml::{NsId, Span};

/// The tap index of a speculative digest (see [`DigestTaps::speculate_here`]).
pub(crate) const SPECULATED: usize = usize::MAX - 2;

/// An element a reference names, not reached yet.
struct Wanted<'a> {
    reference: usize,
    id: Cow<'a, str>,
    method: C14nMethod,
    prefixes: Vec<String>,
    digest: DigestAlgorithm,
    /// Leave out the element's first `ds:Signature` child (enveloped-signature).
    enveloped: bool,
}

/// How one tap canonicalizes, whatever it feeds.
struct Tap<'p> {
    /// The reference (or speculative tap) its result is for.
    reference: usize,
    method: C14nMethod,
    prefixes: &'p [String],
    /// Leave out the element's first `ds:Signature` child.
    enveloped: bool,
}

impl Tap<'static> {
    /// Exclusive c14n without a prefix list, the method of the in-pass taps.
    fn exclusive(reference: usize, enveloped: bool) -> Self {
        Tap { reference, method: C14nMethod::Exclusive, prefixes: &[], enveloped }
    }
}

/// Where a tap's canonical bytes go: a digest, kept whole (a `SignedInfo`,
/// which is signed rather than digested), or two digests of one element, the
/// whole and the enveloped one (written to while `outside` the left-out
/// signature): one canonicalization for both.
enum TapSink {
    Digest(digest::Context),
    Bytes(Vec<u8>),
    Pair { whole: digest::Context, enveloped: digest::Context, outside: bool, whole_reference: usize },
}

impl Sink for TapSink {
    fn write(&mut self, bytes: &[u8]) {
        match self {
            TapSink::Digest(d) => d.update(bytes),
            TapSink::Bytes(v) => v.extend_from_slice(bytes),
            TapSink::Pair { whole, enveloped, outside, .. } => {
                whole.update(bytes);
                if *outside {
                    enveloped.update(bytes);
                }
            }
        }
    }
}

impl TapSink {
    /// A pair's enveloped digest stops (`false`) or resumes taking bytes.
    fn set_outside(&mut self, now: bool) {
        if let TapSink::Pair { outside, .. } = self {
            *outside = now;
        }
    }
}

/// An element being digested (or captured).
struct Active<'a> {
    reference: usize,
    depth: u32,
    start: usize,
    engine: C14n<'a, TapSink>,
    enveloped: bool,
    /// Two digests, whole and enveloped ([`TapSink::Pair`]).
    pair: bool,
    /// The `ds:Signature` child left out, once seen.
    excluded: Option<usize>,
    /// Depth of the element being left out, while inside it.
    skipping: Option<u32>,
}

impl<'a> Active<'a> {
    /// Whether `ev` is inside (or is) the left-out signature.
    fn skips(&mut self, r: &Reader<'_>, ev: &Event) -> bool {
        match (self.skipping, ev) {
            (Some(d), Event::End { depth, .. }) if *depth == d => {
                self.skipping = None;
                true
            }
            (Some(_), _) => true,
            (None, Event::Start(t))
                if self.enveloped
                    && self.excluded.is_none()
                    && t.depth == self.depth + 1
                    && t.ns == NsId::DS
                    && t.name.local(r.source()) == "Signature" =>
            {
                self.excluded = Some(t.span.start());
                self.skipping = Some(t.depth);
                true
            }
            _ => false,
        }
    }

    /// Canonicalizes `ev`. A pair's enveloped digest leaves out the
    /// signature's bytes: the buffered output is handed on before the
    /// signature starts and after it ends, with the enveloped digest
    /// switched off in between.
    fn feed(&mut self, r: &Reader<'a>, ev: &Event) {
        let was_skipping = self.skipping.is_some();
        let skips = self.skips(r, ev);
        if !skips {
            self.engine.event(r, ev, &[]);
        } else if self.pair {
            // The signature's first event (its start) or its last (its end) switch the enveloped digest.
            if !was_skipping {
                self.engine.sink_flushed().set_outside(false);
            }
            self.engine.event(r, ev, &[]);
            if self.skipping.is_none() {
                self.engine.sink_flushed().set_outside(true);
            }
        }
    }
}

/// A digest computed in the main pass.
#[derive(Clone)]
pub(crate) struct Done {
    /// Index of the reference in its `SignedInfo`.
    pub reference: usize,
    /// The element digested.
    pub span: Span,
    pub digest: digest::Digest,
    /// The `ds:Signature` child left out (enveloped taps only).
    pub excluded: Option<usize>,
}

#[derive(Default)]
pub(crate) struct DigestTaps<'a> {
    wanted: Vec<Wanted<'a>>,
    active: Vec<Active<'a>>,
    done: Vec<Done>,
    /// Elements captured in exclusive c14n: (start offset, canonical bytes).
    captured: Vec<(usize, Vec<u8>)>,
    /// Whether signatures read in this pass keep their `SignedInfo` (see
    /// [`keep_signed_info`](Self::keep_signed_info)).
    keeps_signed_info: bool,
    /// The verifier's known `SignedInfo` shapes, recognized instead of read.
    shapes: Option<Arc<SignedInfoShapes>>,
    /// Buffers of finished taps' canonicalizers, for the next taps.
    spares: Vec<Spare<'a>>,
}

/// Finished taps' buffers kept (taps rarely overlap more than this).
const SPARES: usize = 2;

impl<'a> DigestTaps<'a> {
    /// Digest the element with ID `id` (if it comes later) for reference `reference`.
    pub fn want(
        &mut self,
        reference: usize,
        id: Cow<'a, str>,
        method: C14nMethod,
        prefixes: &[&str],
        digest: DigestAlgorithm,
    ) {
        let prefixes = prefixes.iter().map(|p| (*p).to_owned()).collect();
        self.wanted.push(Wanted { reference, id, method, prefixes, digest, enveloped: false });
    }

    /// Like [`want`](Self::want), leaving out the element's first `ds:Signature`
    /// child (the enveloped-signature transform of a signature inside it).
    pub fn want_enveloped(&mut self, reference: usize, id: Cow<'a, str>, method: C14nMethod, digest: DigestAlgorithm) {
        self.wanted.push(Wanted { reference, id, method, prefixes: Vec::new(), digest, enveloped: true });
    }

    /// Starts digesting now the element whose start tag `t` the reader just
    /// read, for references not known yet (speculative digests, used only if
    /// the references turn out to ask for exactly these): once enveloped
    /// (reference `enveloped`: its first `ds:Signature` child left out) and
    /// once whole (reference `whole`), exclusive c14n and `digest` both. One
    /// canonicalization feeds both digests.
    pub fn start_pair_here(
        &mut self,
        r: &Reader<'a>,
        t: &StartTag,
        (enveloped, whole): (usize, usize),
        digest: DigestAlgorithm,
    ) {
        let context = || digest::Context::new(digest.aws_lc());
        let sink = TapSink::Pair { whole: context(), enveloped: context(), outside: true, whole_reference: whole };
        self.start(r, t, &Tap::exclusive(enveloped, true), sink);
    }

    /// Starts digesting now the element whose start tag `t` the reader just
    /// read, in exclusive c14n without a prefix list and SHA-256, as tap
    /// [`SPECULATED`]: for an element signatures reference that comes before
    /// them (a `wsu:Timestamp`). The digest is used only for a reference
    /// that asks for exactly that of exactly this element.
    pub fn speculate_here(&mut self, r: &Reader<'a>, t: &StartTag) {
        self.start_signed_here(r, t, SPECULATED, DigestAlgorithm::Sha256, None);
    }

    /// Starts digesting now, for reference `reference`, in exclusive c14n
    /// and `digest`, the element whose start tag `t` the reader just read;
    /// with `added_id`, as though its start tag had that `wsu:Id` (see
    /// [`C14n::with_apex_id`]): the element as a signer adding the ID writes it.
    pub fn start_signed_here(
        &mut self,
        r: &Reader<'a>,
        t: &StartTag,
        reference: usize,
        digest: DigestAlgorithm,
        added_id: Option<Box<str>>,
    ) {
        let sink = TapSink::Digest(digest::Context::new(digest.aws_lc()));
        self.start_with(r, t, &Tap::exclusive(reference, false), sink, added_id);
    }

    /// Records the speculative digest of the element at `span`, computed
    /// elsewhere exactly as [`speculate_here`](Self::speculate_here) would have.
    pub fn push_speculated(&mut self, span: Span, digest: digest::Digest) {
        self.done.push(Done { reference: SPECULATED, span, digest, excluded: None });
    }

    /// The speculative digest taken of the element at `span`, if any.
    pub fn speculated(&self, span: Span) -> Option<&digest::Digest> {
        self.done.iter().find(|d| d.reference == SPECULATED && d.span == span).map(|d| &d.digest)
    }

    /// Signatures read in this pass keep their `SignedInfo` in exclusive
    /// canonical form ([`capture_here`](Self::capture_here)), so that
    /// checking or signing it needs no second reading.
    pub fn keep_signed_info(&mut self) {
        self.keeps_signed_info = true;
    }

    /// Whether [`keep_signed_info`](Self::keep_signed_info) was asked for.
    pub fn keeps_signed_info(&self) -> bool {
        self.keeps_signed_info
    }

    /// Signatures read in this pass may recognize their `SignedInfo` by one
    /// of these shapes rather than read it (see [`SignedInfoShapes`]).
    pub fn use_shapes(&mut self, shapes: Arc<SignedInfoShapes>) {
        self.shapes = Some(shapes);
    }

    /// The shapes given by [`use_shapes`](Self::use_shapes).
    pub fn shapes(&self) -> Option<&Arc<SignedInfoShapes>> {
        self.shapes.as_ref()
    }

    /// Starts keeping the exclusive canonical form (without comments) of the
    /// element whose start tag `t` the reader just read; taken with
    /// [`take_captured`](Self::take_captured) once its end tag is read.
    pub fn capture_here(&mut self, r: &Reader<'a>, t: &StartTag) {
        self.start(r, t, &Tap::exclusive(usize::MAX, false), TapSink::Bytes(Vec::with_capacity(1024)));
    }

    /// The canonical form captured for the element starting at `start`, if complete.
    pub fn take_captured(&mut self, start: usize) -> Option<Vec<u8>> {
        let i = self.captured.iter().position(|(at, _)| *at == start)?;
        Some(self.captured.swap_remove(i).1)
    }

    /// Whether no element is being digested or captured now.
    pub fn is_idle(&self) -> bool {
        self.active.is_empty()
    }

    /// The digests computed so far.
    pub fn into_done(self) -> Vec<Done> {
        self.done
    }

    /// Feeds an event the reader `r` just produced.
    #[inline]
    pub fn on_event(&mut self, r: &Reader<'a>, ev: &Event) {
        for a in &mut self.active {
            a.feed(r, ev);
        }
        if let Event::Start(t) = ev {
            self.activate(r, t);
        }
        if let Event::End { depth, span, .. } = ev {
            while self.active.last().is_some_and(|a| a.depth == *depth) {
                if let Some(a) = self.active.pop() {
                    let span = Span::new(a.start, span.end());
                    let (sink, spare) = a.engine.finish_keeping();
                    if self.spares.len() < SPARES {
                        self.spares.push(spare);
                    }
                    match sink {
                        TapSink::Digest(d) => {
                            let digest = d.finish();
                            self.done.push(Done { reference: a.reference, span, digest, excluded: a.excluded });
                        }
                        TapSink::Bytes(bytes) => self.captured.push((a.start, bytes)),
                        TapSink::Pair { whole, enveloped, whole_reference, .. } => {
                            let (excluded, digest) = (a.excluded, enveloped.finish());
                            self.done.push(Done { reference: a.reference, span, digest, excluded });
                            let digest = whole.finish();
                            self.done.push(Done { reference: whole_reference, span, digest, excluded: None });
                        }
                    }
                }
            }
        }
    }

    /// A run of simple markup starts at `at` (see [`Reader::read_to_end_of`]):
    /// the depth it must stay below, the deepest apex of the active taps;
    /// `None` when some tap cannot take it whole (it canonicalizes other
    /// than exclusively without a prefix list, or may yet leave out a
    /// signature).
    pub fn run_begin(&mut self, at: usize) -> Option<u32> {
        let mut floor = 0;
        for a in &mut self.active {
            if !a.engine.takes_runs() || a.skipping.is_some() || (a.enveloped && a.excluded.is_none()) {
                return None;
            }
            a.engine.run_begin(at);
            floor = floor.max(a.depth);
        }
        Some(floor)
    }

    /// A start tag of the run (see [`C14n::run_start`]).
    #[inline]
    pub fn run_start(&mut self, r: &Reader<'a>, name: QSpan, ns: NsId, empty_end: Option<usize>) {
        for a in &mut self.active {
            a.engine.run_start(r, name, ns, empty_end);
        }
    }

    /// An end tag of the run.
    #[inline]
    pub fn run_end(&mut self) {
        for a in &mut self.active {
            a.engine.run_end();
        }
    }

    /// The run ended at `at`.
    pub fn run_done(&mut self, r: &Reader<'a>, at: usize) {
        for a in &mut self.active {
            a.engine.run_done(r.source().as_bytes(), at);
        }
    }

    /// Starts a tap when `t` carries an ID a reference wants (the apex event is fed here).
    fn activate(&mut self, r: &Reader<'a>, t: &StartTag) {
        if self.wanted.is_empty() {
            return;
        }
        let src = r.source();
        for a in r.attrs() {
            if !is_id_attr(a, src) {
                continue;
            }
            let value = attr_value(src, a.value, a.has_ref);
            while let Some(i) = self.wanted.iter().position(|w| w.id == value) {
                let w = self.wanted.swap_remove(i);
                let sink = TapSink::Digest(digest::Context::new(w.digest.aws_lc()));
                let tap =
                    Tap { reference: w.reference, method: w.method, prefixes: &w.prefixes, enveloped: w.enveloped };
                self.start(r, t, &tap, sink);
            }
        }
    }

    /// Starts one tap at `t` (the apex event is fed here).
    fn start(&mut self, r: &Reader<'a>, t: &StartTag, w: &Tap<'_>, sink: TapSink) {
        self.start_with(r, t, w, sink, None);
    }

    /// [`start`](Self::start), the apex with an added ID when `added_id`.
    fn start_with(&mut self, r: &Reader<'a>, t: &StartTag, w: &Tap<'_>, sink: TapSink, added_id: Option<Box<str>>) {
        let prefixes: Vec<&str> = w.prefixes.iter().map(String::as_str).collect();
        let pair = matches!(sink, TapSink::Pair { .. });
        let mut engine = match self.spares.pop() {
            Some(spare) => C14n::reusing(w.method, &prefixes, false, t.depth, sink, spare),
            None => C14n::new(w.method, &prefixes, false, t.depth, sink),
        };
        if let Some(id) = added_id {
            engine = engine.with_apex_id(id);
        }
        let context = if w.method.is_exclusive() { None } else { Some(r.context_of_current()) };
        let inherited = context.as_ref().map_or(&[][..], |c| &c.inherited_xml[..]);
        engine.event(r, &Event::Start(*t), inherited);
        self.active.push(Active {
            pair,
            reference: w.reference,
            depth: t.depth,
            start: t.span.start(),
            engine,
            enveloped: w.enveloped,
            excluded: None,
            skipping: None,
        });
    }
}
