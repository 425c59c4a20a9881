//! Known Security header shapes.
//!
//! A sender writes its `wsse:Security` header the same way in every message:
//! a Timestamp, a BinarySecurityToken, a Signature with a token reference,
//! the same prefixes, attributes and spacing. What changes are IDs, times,
//! the certificate, digest and signature values. So, as it does for
//! `SignedInfo` ([`shape`](crate::dsig::shape)), a verifier keeps the last
//! few headers it read as shapes: their bytes with those values left out
//! (holes, see [`holes`](crate::dsig::holes)), and where in them each part
//! of the reading's result is. A header whose bytes outside the holes are a
//! shape's, at the same depth and in the same namespace context, is
//! recognized instead of read: the result, the ID index entries and the
//! Timestamp's speculative digest are made from the holes' values.
//!
//! Why that answers exactly as reading would: the reader sees the same
//! bytes except in the holes, and a hole takes only characters that change
//! nothing but the value itself, within the reader's limits. So reading
//! would meet the same elements, attributes, namespaces and IDs, and differ
//! only in those values; where a value is one reading refuses (a time that
//! does not parse, base64 that does not decode, an Expires not after
//! Created) the header is read, with the usual error. A shape is only made
//! from a header of at most 64 KB read without error whose parts kuvert models here (one
//! Signature with a `SignedInfo` shape and a token reference, BinarySecurity
//! Tokens, one Timestamp, no SAML assertion), and only when making the
//! result from the shape and that header's own holes gives back, field for
//! field, what reading it gave: result, index entries and digest.

use std::borrow::Cow;
use std::sync::atomic::{AtomicUsize, Ordering};

use aws_lc_rs::digest;

use super::header::{BinaryToken, Notes, SecurityHeader, Timestamp};
use crate::dsig::holes::{At, Found, HoleLimits, ShapeStore, Template};
use crate::dsig::model::SignatureInfo;
use crate::dsig::model::{KeyInfo, TokenRef};
use crate::dsig::shape::{Shape, SignedInfoRead};
use crate::dsig::{base64, SignatureLimits};
use crate::time::UtcTime;
use crate::xml::index::{Context, Indexed};
use crate::xml::reader::{Reader, StartTag};
use crate::xml::{NsId, Span};

mod learn;
#[cfg(test)]
mod tests;

/// Shapes kept per verifier (the most recently learned replace the oldest).
const CAPACITY: usize = 8;
/// Once [`CAPACITY`] shapes are kept, a header is learned from one miss in
/// this many: a verifier serving more senders than it keeps shapes for
/// pays for learning on few of its reads, not on each.
const LEARN_EVERY: usize = 8;

/// The Security header shapes a verifier has learned; shared by its threads.
#[derive(Debug, Default)]
pub(crate) struct HeaderShapes {
    shapes: ShapeStore<HeaderShape, CAPACITY>,
    /// Headers read while every slot was taken.
    misses: AtomicUsize,
}

/// A place in a header: in the part before `SignedInfo` or the part after it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Pos {
    after: bool,
    at: At,
}

/// A hole of a header: in which part, which one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct HoleRef {
    after: bool,
    i: u16,
}

#[derive(Debug)]
struct TimestampShape {
    span: (Pos, Pos),
    created: HoleRef,
    expires: Option<HoleRef>,
    /// The exclusive canonical form, holes left out, and where each hole's value goes.
    canonical: Box<[u8]>,
    canonical_holes: Box<[(u32, HoleRef)]>,
}

#[derive(Debug)]
struct TokenShape {
    id: Option<HoleRef>,
    is_x509: bool,
    /// The certificate's text: part of the shape (a sender's certificate
    /// changes once in years; comparing it costs less than checking a hole).
    text: (Pos, Pos),
    /// The start tag.
    tag: (Pos, Pos),
}

/// An element with an ID, as the index records it.
#[derive(Debug)]
struct EntryShape {
    id: HoleRef,
    ns: NsId,
    local: (Pos, Pos),
    span: (Pos, Pos),
    depth: u32,
    /// Inside the signature (its context that of `SignedInfo`), or a child of the header.
    in_signature: bool,
}

/// A namespace declaration: the prefix (`None`: the default) and the namespace (a well-known one).
type Declaration = (Option<(Pos, Pos)>, NsId);

#[derive(Debug)]
struct SignatureShape {
    span: (Pos, Pos),
    /// The namespaces its start tag declares.
    declares: Box<[Declaration]>,
    signed_info: Shape,
    value: HoleRef,
    value_at: Pos,
    key_info: (Pos, Pos),
    /// The ID the token reference names.
    token: HoleRef,
}

#[derive(Debug)]
pub(crate) struct HeaderShape {
    /// The namespace context of the header's children ([`Context::key`]).
    context: String,
    /// The depth of the header, and the bindings in scope in it.
    depth: u32,
    bindings: usize,
    /// The reader's and the signature parser's limits it was read under.
    limits: ([usize; 7], SignatureLimits),
    /// From the end of the header's start tag to the `SignedInfo` start tag.
    before: Template,
    /// From the end of `SignedInfo` through the header's end tag.
    after: Template,
    timestamp: Option<TimestampShape>,
    tokens: Box<[TokenShape]>,
    signature: SignatureShape,
    entries: Box<[EntryShape]>,
}

/// Where a header's parts are in a document that fits a shape.
struct Fit<'a> {
    before: Found,
    signed_info: SignedInfoRead<'a>,
    after: Found,
}

impl Fit<'_> {
    fn at(&self, p: Pos) -> usize {
        if p.after {
            self.after.at(p.at)
        } else {
            self.before.at(p.at)
        }
    }

    fn span(&self, (a, b): (Pos, Pos)) -> Span {
        Span::new(self.at(a), self.at(b))
    }

    fn hole(&self, h: HoleRef) -> Span {
        let (a, b) = if h.after { self.after.spans[usize::from(h.i)] } else { self.before.spans[usize::from(h.i)] };
        Span::new(a, b)
    }
}

/// What recognizing a header gives: what reading it would have given,
/// and the index entries and digest reading would have recorded.
#[derive(Debug)]
pub(crate) struct Recognized<'a> {
    pub header: SecurityHeader<'a>,
    /// Each element with an ID: the ID, where its value starts, the entry.
    pub entries: Vec<(Cow<'a, str>, usize, Indexed<'a>)>,
    /// The Timestamp's speculative digest.
    pub timestamp_digest: Option<(Span, digest::Digest)>,
    /// Where the header's end tag ends.
    pub end: usize,
}

impl HeaderShapes {
    /// Recognizes the Security header whose start tag `t` the reader just
    /// read by a known shape: the reader is then past its end tag, the ID
    /// index and digest taps hold what reading it would have recorded, and
    /// `header` is what reading would have given. `None`, nothing changed,
    /// when no shape fits.
    pub fn recognize<'a>(
        &self,
        r: &mut Reader<'a>,
        t: &StartTag,
        limits: &SignatureLimits,
        header: &mut SecurityHeader<'a>,
    ) -> Option<Span> {
        r.index()?;
        let limits = (r.reading_limits(), *limits);
        let found = {
            let shapes = self.shapes.read();
            if shapes.is_empty() {
                return None;
            }
            let mut context = None;
            shapes.iter().filter(|s| s.limits == limits).find_map(|s| s.recognize(r, t, &mut context))?
        };
        let end = r.close_verified(found.end)?;
        let index = r.index_mut()?;
        for (id, at, entry) in found.entries {
            index.add_closed(id, at, entry);
        }
        if let Some((span, digest)) = found.timestamp_digest {
            r.taps().push_speculated(span, digest);
        }
        *header = found.header;
        Some(end)
    }

    /// Whether a header this store did not recognize is to be learned
    /// (noted while read, then [`learn`](Self::learn)ed): always while a
    /// place is free, then one in [`LEARN_EVERY`].
    pub fn learns_now(&self) -> bool {
        !self.shapes.is_full() || self.misses.fetch_add(1, Ordering::Relaxed) % LEARN_EVERY == 0
    }

    /// Learns the shape of the header just read (start tag `t`, result
    /// `header`, end tag `end`), if it can have one.
    pub fn learn(
        &self,
        r: &Reader<'_>,
        t: &StartTag,
        limits: &SignatureLimits,
        header: &SecurityHeader<'_>,
        notes: &Notes<'_>,
        end: Span,
    ) {
        let Some(shape) = learn::shape_of(r, t, (r.reading_limits(), *limits), header, notes, end) else {
            return;
        };
        self.shapes.insert(shape, |s, shape| {
            s.depth == shape.depth
                && s.limits == shape.limits
                && s.context == shape.context
                && s.before.source() == shape.before.source()
                && s.after.source() == shape.after.source()
        });
    }

    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.shapes.len()
    }
}

impl HeaderShape {
    /// What reading the header at `t` gives, when it fits; `context` is the
    /// children's context, computed once a shape fits.
    fn recognize<'a>(&self, r: &Reader<'a>, t: &StartTag, context: &mut Option<Context<'a>>) -> Option<Recognized<'a>> {
        if t.depth != self.depth || r.bindings_in_scope().len() != self.bindings {
            return None;
        }
        let fit = self.fit(r.source(), t.span.end(), HoleLimits::of(r))?;
        if context.is_none() {
            *context = r.context_of_children();
        }
        let context = context.as_ref().filter(|c| c.has_key(&self.context))?;
        self.produce(r, t.span.start(), context, fit)
    }

    /// Where the parts of the header whose content starts at `content` are, when it fits.
    fn fit<'a>(&self, src: &'a str, content: usize, limits: HoleLimits) -> Option<Fit<'a>> {
        let before = self.before.find(src.as_bytes(), content, limits)?;
        let signed_info = self.signature.signed_info.recognize(src, before.end, limits)?;
        let after = self.after.find(src.as_bytes(), signed_info.end.end(), limits)?;
        Some(Fit { before, signed_info, after })
    }

    /// The result of reading the header (starting at `start`) that fits as `fit`.
    fn produce<'a>(&self, r: &Reader<'a>, start: usize, context: &Context<'a>, fit: Fit<'a>) -> Option<Recognized<'a>> {
        let src = r.source();
        let value = |h: HoleRef| &src[fit.hole(h).range()];
        let timestamp = match &self.timestamp {
            Some(ts) => Some(self.timestamp(ts, &fit, value)?),
            None => None,
        };
        let timestamp_digest = self.timestamp.as_ref().zip(timestamp).map(|(ts, t)| (t.span, ts.digest(&fit, src)));
        let tokens: Vec<BinaryToken<'a>> = self
            .tokens
            .iter()
            .map(|k| BinaryToken {
                id: k.id.map(|h| Cow::Borrowed(value(h))),
                is_x509: k.is_x509,
                text: Cow::Borrowed(&src[fit.span(k.text).range()]),
                span: fit.span(k.tag),
            })
            .collect();
        let inner = self.signature.signed_info_context(r, context, &fit);
        let entries = self.entries.iter().map(|e| {
            let entry = Indexed {
                ns: e.ns,
                local: &src[fit.span(e.local).range()],
                span: fit.span(e.span),
                depth: e.depth,
                context: if e.in_signature { inner.clone() } else { context.clone() },
            };
            (Cow::Borrowed(value(e.id)), fit.hole(e.id).start(), entry)
        });
        let entries = entries.collect();
        let end = fit.after.end;
        let signature = self.signature.produce(r, inner, fit)?;
        let header = SecurityHeader {
            span: Span::new(start, end),
            timestamp,
            tokens,
            signatures: vec![signature],
            ..SecurityHeader::default()
        };
        Some(Recognized { header, entries, timestamp_digest, end })
    }

    /// The Timestamp; `None` when its times are ones reading refuses.
    fn timestamp<'a>(
        &self,
        ts: &TimestampShape,
        fit: &Fit<'_>,
        value: impl Fn(HoleRef) -> &'a str,
    ) -> Option<Timestamp> {
        let created = UtcTime::parse(value(ts.created)).ok()?;
        let expires = match ts.expires {
            Some(h) => Some(UtcTime::parse(value(h)).ok()?),
            None => None,
        };
        if expires.is_some_and(|e| e <= created) {
            return None;
        }
        Some(Timestamp { span: fit.span(ts.span), created, expires })
    }
}

impl TimestampShape {
    /// The digest of the exclusive canonical form with the holes' values in
    /// it, assembled first when it is small (one call into the digest costs
    /// less than several).
    fn digest(&self, fit: &Fit<'_>, src: &str) -> digest::Digest {
        let holes: usize = self.canonical_holes.iter().map(|&(_, h)| fit.hole(h).len()).sum();
        let mut small = [0u8; 1024];
        let Some(assembled) = small.get_mut(..self.canonical.len() + holes) else {
            let mut ctx = digest::Context::new(&digest::SHA256);
            self.pieces(fit, src, |piece| ctx.update(piece));
            return ctx.finish();
        };
        let mut len = 0;
        self.pieces(fit, src, |piece| {
            assembled[len..len + piece.len()].copy_from_slice(piece);
            len += piece.len();
        });
        digest::digest(&digest::SHA256, assembled)
    }

    /// The canonical form in pieces, in order: literal bytes and the holes' values.
    fn pieces(&self, fit: &Fit<'_>, src: &str, mut each: impl FnMut(&[u8])) {
        let mut from = 0;
        for &(at, h) in self.canonical_holes.iter() {
            each(&self.canonical[from..at as usize]);
            each(src[fit.hole(h).range()].as_bytes());
            from = at as usize;
        }
        each(&self.canonical[from..]);
    }
}

impl SignatureShape {
    /// The signature (`signed_info_context`: the context of its children);
    /// `None` when its value does not decode.
    fn produce<'a>(&self, r: &Reader<'a>, signed_info_context: Context<'a>, fit: Fit<'a>) -> Option<SignatureInfo<'a>> {
        let src = r.source();
        let value_span = fit.hole(self.value);
        let token = TokenRef::Reference(Cow::Borrowed(&src[fit.hole(self.token).range()]));
        let key_info = KeyInfo { span: Some(fit.span(self.key_info)), token: Some(token), ..KeyInfo::default() };
        let value = (base64::decode(&src[value_span.range()]).ok()?, fit.at(self.value_at), value_span);
        let (span, start) = (fit.span(self.span), fit.before.end);
        Some(fit.signed_info.into_signature(span, (start, signed_info_context), value, key_info))
    }

    /// The context of `SignedInfo`: the header children's context with the
    /// signature's own declarations in front, as the index computes it.
    fn signed_info_context<'a>(&self, r: &Reader<'a>, context: &Context<'a>, fit: &Fit<'_>) -> Context<'a> {
        let src = r.source();
        let mut inherited_ns: Vec<(&'a str, &'a str)> = Vec::with_capacity(context.inherited_ns.len() + 1);
        for &(prefix, ns) in self.declares.iter().rev() {
            let prefix = prefix.map_or("", |p| &src[fit.span(p).range()]);
            if prefix != "xml" && !inherited_ns.iter().any(|&(p, _)| p == prefix) {
                inherited_ns.push((prefix, r.names().uri(ns)));
            }
        }
        let declared = inherited_ns.len();
        for &(prefix, uri) in &context.inherited_ns {
            if !inherited_ns[..declared].iter().any(|&(p, _)| p == prefix) {
                inherited_ns.push((prefix, uri));
            }
        }
        Context { inherited_ns, inherited_xml: context.inherited_xml.clone() }
    }
}
