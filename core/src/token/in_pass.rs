//! Reading the Security header's assertion in the envelope's own pass.
//!
//! A fresh assertion is about half of a token-model request. Rather than
//! skipping it while the envelope is read and reading it again afterwards,
//! the envelope pass reads its claims and digests it speculatively (the
//! issuer's enveloped exc-c14n SHA-256 digest, and the whole assertion in
//! exc-c14n SHA-256 for the message signature's references). The verifier
//! uses what the pass read only when the signatures turn out to ask for
//! exactly that; otherwise, and whenever the pass could not read the
//! assertion, it reads it again the usual way, with the usual errors.
//!
//! An assertion the verifier has cached is not read in the pass (the cache
//! answers for it): the verifier keeps a small table of the IDs it cached
//! with their lengths, a hint only; a wrong hint costs time, never a wrong
//! answer. When the bytes at the assertion are, byte for byte and in the same
//! namespace context, a cached assertion with no ID inside, the pass moves
//! past them without reading them: they were read whole, checked and
//! verified before, and nothing in them can change what the pass indexes.

use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use super::assertion::{read_assertion_at, AssertionInfo};
use super::claims::TokenClaims;
use super::digests;
use super::error::TokenError;
use super::policy::SamlLimits;
use crate::cert::{BoundedCache, CacheKey};
use crate::dsig::parse::SignatureLimits;
use crate::dsig::VerifyError;
use crate::soap::EnvelopeError;
use crate::xml::index::Context;
use crate::xml::reader::{Reader, StartTag};
use crate::xml::text::attr_value;
use crate::xml::{NsId, Span};

/// What the token verifier asks of the envelope pass.
#[derive(Clone, Debug)]
pub(crate) struct AssertionPass {
    pub limits: SamlLimits,
    /// The verifier's verified assertions (not read in the pass).
    pub known: Option<Arc<KnownAssertions>>,
}

/// The token verifier's cache of verified assertions, keyed by their bytes
/// and namespace context, with a hint table the envelope pass consults by
/// ID: a lock-free, direct-mapped table of ID hashes, each with the length of
/// the assertion cached under that ID (bounded, shared by the threads of one
/// verifier; a newer ID may evict an older one, and a wrong hint costs time,
/// never an answer: the cache compares whole bytes).
pub(crate) struct KnownAssertions {
    slots: Box<[AtomicU64]>,
    hasher: RandomState,
    /// Verified claims by (assertion bytes, namespace context).
    pub cache: BoundedCache<TokenClaims>,
}

impl std::fmt::Debug for KnownAssertions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KnownAssertions").field("slots", &self.slots.len()).finish_non_exhaustive()
    }
}

/// Low bits of a slot: the assertion's length (0: longer than this holds).
const LEN_BITS: u32 = 24;
const LEN_MASK: u64 = (1 << LEN_BITS) - 1;

impl KnownAssertions {
    /// A cache of `capacity` assertions with a hint table of at least twice
    /// as many slots (a power of two, at most 2^20).
    pub fn new(capacity: usize) -> Self {
        let n = capacity.saturating_mul(2).clamp(1, 1 << 20).next_power_of_two();
        let slots = (0..n).map(|_| AtomicU64::new(0)).collect();
        KnownAssertions { slots, hasher: RandomState::new(), cache: BoundedCache::new(capacity) }
    }

    fn slot(&self, id: &str) -> (&AtomicU64, u64) {
        let h = self.hasher.hash_one(id);
        let tag = (h & !LEN_MASK).max(1 << LEN_BITS);
        (&self.slots[(h as usize) & (self.slots.len() - 1)], tag)
    }

    /// Remembers that the assertion `id`, `len` bytes long, is cached.
    pub fn remember(&self, id: &str, len: usize) {
        let (slot, tag) = self.slot(id);
        let len = if (len as u64) <= LEN_MASK { len as u64 } else { 0 };
        slot.store(tag | len, Ordering::Relaxed);
    }

    /// Whether an assertion `id` may be cached, and its length if known.
    pub fn recall(&self, id: &str) -> Option<Option<usize>> {
        let (slot, tag) = self.slot(id);
        let value = slot.load(Ordering::Relaxed);
        (value & !LEN_MASK == tag).then(|| Some((value & LEN_MASK) as usize).filter(|&n| n > 0))
    }

    /// The claims cached for these assertion bytes in this context.
    pub fn get(&self, bytes: &[u8], context: &Context<'_>) -> Option<Arc<TokenClaims>> {
        let context = context.key();
        self.cache.get(&CacheKey { leaf: bytes, intermediates: &[context.as_bytes()] })
    }

    /// Caches `claims` for these assertion bytes in this context.
    pub fn insert(&self, bytes: &[u8], context: &Context<'_>, claims: Arc<TokenClaims>) {
        let context = context.key();
        self.cache.insert(&CacheKey { leaf: bytes, intermediates: &[context.as_bytes()] }, claims);
    }
}

/// What the pass made of the Security header's first assertion.
// Moved once, into the Security header, which holds the information unboxed:
// boxing it would add an allocation to every fresh verification.
#[allow(clippy::large_enum_variant)]
pub(crate) enum InPass<'a> {
    /// Read: its information and speculative digests.
    Read(AssertionInfo<'a>),
    /// Not read: the same bytes in the same context were verified before (the claims).
    Known(Arc<TokenClaims>),
    /// Not read: the verifier reads it again.
    Skipped,
}

/// Reads the assertion whose start tag `t` was just read, through its end
/// tag: its information when the pass could read it; the cached claims when
/// its bytes are those of a verified assertion without IDs inside (then its
/// content is passed over, not read); otherwise skipped, for the verifier to
/// read again (refused here: the second reading gives the error). XML errors
/// end the pass as everywhere else.
pub(crate) fn read<'a>(
    r: &mut Reader<'a>,
    t: &StartTag,
    pass: &AssertionPass,
    sig_limits: &SignatureLimits,
) -> Result<(Span, InPass<'a>), VerifyError> {
    let src = r.source();
    let id = r.attr(NsId::NONE, "ID").map(|a| attr_value(src, a.value, a.has_ref));
    let known = pass.known.as_deref();
    let recalled = id.as_deref().map(|id| known.and_then(|k| k.recall(id)));
    if let (Some(Some(Some(len))), Some(known)) = (recalled, known) {
        if let Some(done) = pass_over_known(r, t, len, known) {
            return Ok(done);
        }
    }
    // Read here only an assertion whose ID is not cached; the verifier reads the others.
    if recalled != Some(None) {
        return Ok((Span::new(t.span.start(), r.skip_element()?.end()), InPass::Skipped));
    }
    digests::start_in_pass(r, t);
    match read_assertion_at(r, t, &pass.limits, sig_limits) {
        Ok(info) => Ok((info.span, InPass::Read(info))),
        Err(TokenError::Message(e @ VerifyError::Envelope(EnvelopeError::Xml(_)))) => Err(e),
        Err(_) => {
            // `read_assertion_at` refuses before the end tag: the assertion is still open.
            debug_assert!(r.depth() >= t.depth);
            Ok((Span::new(t.span.start(), r.read_to_end_of(t.depth)?.end()), InPass::Skipped))
        }
    }
}

/// Passes over a recurring assertion without reading it: when the `len`
/// bytes from its start are cached, in the same namespace context, as a
/// verified assertion with no ID inside (so the ID index misses nothing).
fn pass_over_known<'a>(
    r: &mut Reader<'a>,
    t: &StartTag,
    len: usize,
    known: &KnownAssertions,
) -> Option<(Span, InPass<'a>)> {
    let start = t.span.start();
    let bytes = r.source().as_bytes().get(start..start.checked_add(len)?)?;
    let claims = known.get(bytes, r.indexed_context(start)?).filter(|c| !c.ids_inside)?;
    r.close_verified(start + len)?;
    Some((Span::new(start, start + len), InPass::Known(claims)))
}

#[cfg(test)]
mod tests {
    use super::KnownAssertions;

    #[test]
    fn known_ids_are_a_bounded_hint() {
        let known = KnownAssertions::new(2);
        assert_eq!(known.slots.len(), 4);
        assert_eq!(known.recall("_a"), None);
        known.remember("_a", 6466);
        assert_eq!(known.recall("_a"), Some(Some(6466)));
        known.remember("_b", 1 << 30);
        assert_eq!(known.recall("_b"), Some(None), "too long to hold: known, length unknown");
        // Many more IDs than slots: the table stays its size; a lost hint only costs time.
        for i in 0..1000 {
            known.remember(&format!("_{i}"), i + 1);
        }
        assert_eq!(known.slots.len(), 4);
        let recalled: Vec<_> = (0..1000).filter_map(|i| known.recall(&format!("_{i}")).map(|l| (i, l))).collect();
        assert!(recalled.len() <= 4);
        assert!(recalled.iter().all(|&(i, len)| len == Some(i + 1)));
    }
}
