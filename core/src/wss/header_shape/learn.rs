//! Learning a Security header's shape from a reading of it, and checking
//! that the shape gives back what the reading gave.

use std::borrow::Cow;

use super::{EntryShape, HeaderShape, HoleRef, Pos, SignatureShape, TimestampShape, TokenShape};
use crate::dsig::holes::{canonical_holes, exclusive, holds, span_in, At, Hole, HoleLimits, Template};
use crate::dsig::model::{SignatureInfo, TokenRef};
use crate::dsig::shape::{Shape, SignedInfoRead};
use crate::dsig::SignatureLimits;
use crate::wss::header::{Notes, SecurityHeader, Timestamp};
use crate::xml::index::Context;
use crate::xml::reader::{Reader, StartTag};
use crate::xml::Span;

/// The largest header kept as a shape: a verifier holds at most
/// [`CAPACITY`](super::CAPACITY) of them, whatever its senders send.
const MAX_SHAPE_BYTES: usize = 64 << 10;

/// The holes of a header, split at `SignedInfo` (whose own holes its shape has).
struct Layout {
    content: usize,
    signed_info: Span,
    before: Vec<(Hole, usize, usize)>,
    after: Vec<(Hole, usize, usize)>,
}

impl Layout {
    /// Holes at `spans` (any order, repeats allowed) of a header whose
    /// content starts at `content`; each must hold a value of its kind, with
    /// a byte of the template between any two.
    fn new(
        src: &str,
        content: usize,
        signed_info: Span,
        mut spans: Vec<(Hole, Span)>,
        limits: HoleLimits,
    ) -> Option<Layout> {
        spans.sort_by_key(|&(_, s)| (s.start(), s.end()));
        spans.dedup();
        let (mut before, mut after) = (Vec::new(), Vec::new());
        let mut last_end = content;
        for (kind, span) in spans {
            let (a, b) = (span.start(), span.end());
            if a <= last_end || !holds(src.as_bytes(), kind, a, b, limits) {
                return None;
            }
            last_end = b;
            match (b < signed_info.start(), a > signed_info.end()) {
                (true, _) => before.push((kind, a, b)),
                (_, true) => after.push((kind, a, b)),
                _ => return None,
            }
        }
        Some(Layout { content, signed_info, before, after })
    }

    fn pos(&self, t: usize) -> Option<Pos> {
        if t <= self.signed_info.start() {
            Some(Pos { after: false, at: At::of(t, self.content, &self.before)? })
        } else if t >= self.signed_info.end() {
            Some(Pos { after: true, at: At::of(t, self.signed_info.end(), &self.after)? })
        } else {
            None
        }
    }

    fn span(&self, span: Span) -> Option<(Pos, Pos)> {
        Some((self.pos(span.start())?, self.pos(span.end())?))
    }

    fn hole(&self, span: Span) -> Option<HoleRef> {
        let find =
            |holes: &[(Hole, usize, usize)]| holes.iter().position(|&(_, a, b)| (a, b) == (span.start(), span.end()));
        let (after, i) = match find(&self.before) {
            Some(i) => (false, i),
            None => (true, find(&self.after)?),
        };
        Some(HoleRef { after, i: u16::try_from(i).ok()? })
    }
}

/// The shape of the header just read (start tag `t`, result `header`, end
/// tag `end`), when it can have one and the shape gives back what reading gave.
pub(super) fn shape_of(
    r: &Reader<'_>,
    t: &StartTag,
    limits: ([usize; 7], SignatureLimits),
    header: &SecurityHeader<'_>,
    notes: &Notes<'_>,
    end: Span,
) -> Option<HeaderShape> {
    if end.end() - t.span.end() > MAX_SHAPE_BYTES {
        return None;
    }
    let modelled = header.assertions.is_empty() && header.token_refs.is_empty() && header.known.is_none();
    let [sig] = header.signatures.as_slice() else { return None };
    let token_id = match &sig.key_info.token {
        Some(TokenRef::Reference(Cow::Borrowed(id))) if modelled && plain_key_info(sig) => *id,
        _ => return None,
    };
    let (src, index, context) = (r.source(), r.index()?, notes.context.as_ref()?);
    let entries = notes.index_before.0..index.entries.len();
    if index.seen - notes.index_before.1 != entries.len() {
        return None;
    }
    let mut spans = vec![(Hole::Base64, sig.value_span), (Hole::Id, span_in(src, token_id)?)];
    for i in entries.clone() {
        spans.push((Hole::Id, span_in(src, index.id(i))?));
    }
    if let Some(ts) = &header.timestamp {
        spans.push((Hole::Time, notes.times[0]?));
        if ts.expires.is_some() {
            spans.push((Hole::Time, notes.times[1]?));
        }
    }
    for token in &header.tokens {
        if let Some(id) = &token.id {
            spans.push((Hole::Id, span_in(src, id)?));
        }
    }
    let layout = Layout::new(src, t.span.end(), sig.signed_info, spans, HoleLimits::of(r))?;
    let shape = HeaderShape {
        context: context.key(),
        depth: t.depth,
        bindings: notes.bindings,
        limits,
        before: Template::new(src.as_bytes(), layout.content, sig.signed_info.start(), &layout.before)?,
        after: Template::new(src.as_bytes(), sig.signed_info.end(), end.end(), &layout.after)?,
        timestamp: match &header.timestamp {
            Some(ts) => Some(timestamp_shape(r, ts, context, &layout)?),
            None => None,
        },
        tokens: header.tokens.iter().map(|k| token_shape(src, k, &layout)).collect::<Option<_>>()?,
        signature: signature_shape(r, (t, limits), sig, notes, token_id, &layout)?,
        entries: entries.clone().map(|i| entry_shape(r, i, (context, sig), &layout)).collect::<Option<_>>()?,
    };
    gives_back(&shape, r, t, header, notes, end).then_some(shape)
}

/// Whether the signature's key information is only a token reference.
fn plain_key_info(sig: &SignatureInfo<'_>) -> bool {
    let k = &sig.key_info;
    k.span.is_some()
        && k.certificates.is_empty()
        && k.issuer_serial.is_none()
        && k.ski.is_none()
        && k.key_value.is_none()
        && k.unsupported.is_none()
}

fn token_shape(src: &str, k: &crate::wss::header::BinaryToken<'_>, layout: &Layout) -> Option<TokenShape> {
    let id = match &k.id {
        Some(id) => Some(layout.hole(span_in(src, id)?)?),
        None => None,
    };
    Some(TokenShape { id, is_x509: k.is_x509, text: layout.span(span_in(src, &k.text)?)?, tag: layout.span(k.span)? })
}

/// Entry `i` of the index: a child of the header in the children's
/// context, or an element inside the signature in `SignedInfo`'s.
fn entry_shape(
    r: &Reader<'_>,
    i: usize,
    (context, sig): (&Context<'_>, &SignatureInfo<'_>),
    layout: &Layout,
) -> Option<EntryShape> {
    let (src, index) = (r.source(), r.index()?);
    let e = &index.entries[i];
    let inside = sig.span.start() < e.span.start() && e.span.end() <= sig.span.end();
    let in_signature = match (e.context == *context, e.context == sig.signed_info_context) {
        (true, _) if !inside => false,
        (_, true) if inside => true,
        _ => return None,
    };
    let id = layout.hole(span_in(src, index.id(i))?)?;
    let local = layout.span(span_in(src, e.local)?)?;
    let span = layout.span(e.span)?;
    e.ns.is_known().then_some(EntryShape { id, ns: e.ns, local, span, depth: e.depth, in_signature })
}

/// The Timestamp's shape: its holes and its canonical form without them,
/// checked against the speculative digest reading took.
fn timestamp_shape(r: &Reader<'_>, ts: &Timestamp, context: &Context<'_>, layout: &Layout) -> Option<TimestampShape> {
    let src = r.source();
    let holes = [layout.before.iter(), layout.after.iter()].into_iter().flatten();
    let inside: Vec<(Hole, usize, usize)> =
        holes.filter(|&&(_, a, b)| a >= ts.span.start() && b <= ts.span.end()).copied().collect();
    let element = &src[ts.span.range()];
    let canonical = exclusive(element, context, element.len())?;
    let read = r.taps_ref()?.speculated(ts.span)?;
    if aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, &canonical).as_ref() != read.as_ref() {
        return None;
    }
    let (template, at) = canonical_holes(&canonical, element.as_bytes(), ts.span.start(), &inside, context)?;
    let refs = inside.iter().map(|&(_, a, b)| layout.hole(Span::new(a, b)));
    let canonical_holes = at.into_iter().zip(refs).map(|(at, h)| Some((at, h?))).collect::<Option<_>>()?;
    let times = inside.iter().filter(|&&(kind, _, _)| kind == Hole::Time);
    let mut times = times.map(|&(_, a, b)| layout.hole(Span::new(a, b)));
    let created = times.next()??;
    let expires = match ts.expires {
        Some(_) => Some(times.next()??),
        None => None,
    };
    Some(TimestampShape { span: layout.span(ts.span)?, created, expires, canonical: template.into(), canonical_holes })
}

fn signature_shape(
    r: &Reader<'_>,
    (t, limits): (&StartTag, ([usize; 7], SignatureLimits)),
    sig: &SignatureInfo<'_>,
    notes: &Notes<'_>,
    token_id: &str,
    layout: &Layout,
) -> Option<SignatureShape> {
    let src = r.source();
    let read = SignedInfoRead::of(sig);
    let start = (sig.signed_info.start(), t.depth + 2);
    let signed_info = Shape::of(src.as_bytes(), start, &read, &sig.signed_info_context, limits)?;
    let declares = notes.signature_decls.iter().map(|b| {
        let prefix = match b.prefix {
            "" => None,
            p => Some(layout.span(span_in(src, p)?)?),
        };
        b.ns.is_known().then_some((prefix, b.ns))
    });
    Some(SignatureShape {
        span: layout.span(sig.span)?,
        declares: declares.collect::<Option<_>>()?,
        signed_info,
        value: layout.hole(sig.value_span)?,
        value_at: layout.pos(sig.value_at)?,
        key_info: layout.span(sig.key_info.span?)?,
        token: layout.hole(span_in(src, token_id)?)?,
    })
}

/// Whether recognizing the header by `shape` gives what reading it gave:
/// the result, the index entries, the Timestamp's digest, the end.
fn gives_back(
    shape: &HeaderShape,
    r: &Reader<'_>,
    t: &StartTag,
    header: &SecurityHeader<'_>,
    notes: &Notes<'_>,
    end: Span,
) -> bool {
    let (Some(index), Some(context)) = (r.index(), notes.context.as_ref()) else { return false };
    let Some(fit) = shape.fit(r.source(), t.span.end(), HoleLimits::of(r)) else { return false };
    let Some(again) = shape.produce(r, t.span.start(), context, fit) else { return false };
    let read_entries = (notes.index_before.0..index.entries.len()).map(|i| (index.id(i), &index.entries[i]));
    let made_entries = again.entries.iter().map(|(id, _, e)| (id, e));
    let read_digest = header.timestamp.and_then(|ts| Some((ts.span, r.taps_ref()?.speculated(ts.span)?.as_ref())));
    let made_digest = again.timestamp_digest.as_ref().map(|(span, d)| (*span, d.as_ref()));
    again.end == end.end() && same(&again.header, header) && read_entries.eq(made_entries) && read_digest == made_digest
}

/// Whether two headers are the same, field for field (an assertion read in
/// the pass is never part of a shape).
fn same(a: &SecurityHeader<'_>, b: &SecurityHeader<'_>) -> bool {
    let SecurityHeader { span, timestamp, tokens, token_refs, signatures, assertions, in_pass, known } = a;
    *span == b.span
        && *timestamp == b.timestamp
        && *tokens == b.tokens
        && *token_refs == b.token_refs
        && *signatures == b.signatures
        && *assertions == b.assertions
        && in_pass.is_none()
        && b.in_pass.is_none()
        && known.is_none()
        && b.known.is_none()
}
