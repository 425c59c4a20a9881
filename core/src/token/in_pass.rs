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
//! answers for it): the verifier keeps a small table of the IDs it cached,
//! a hint only; a wrong hint costs time, never a wrong answer.

use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use super::assertion::{read_assertion_at, AssertionInfo};
use super::digests;
use super::error::TokenError;
use super::policy::SamlLimits;
use crate::dsig::parse::SignatureLimits;
use crate::dsig::VerifyError;
use crate::soap::EnvelopeError;
use crate::xml::reader::{Reader, StartTag};
use crate::xml::text::attr_value;
use crate::xml::{NsId, Span};

/// What the token verifier asks of the envelope pass.
#[derive(Clone, Debug)]
pub(crate) struct AssertionPass {
    pub limits: SamlLimits,
    /// IDs of assertions the verifier has cached (not read in the pass).
    pub known: Option<Arc<KnownIds>>,
}

/// IDs of cached assertions, as a lock-free, direct-mapped table of hashes:
/// bounded, shared by the threads of one verifier; a newer ID may evict an older one.
#[derive(Debug)]
pub(crate) struct KnownIds {
    slots: Box<[AtomicU64]>,
    hasher: RandomState,
}

impl KnownIds {
    /// A table of at least `capacity` slots (a power of two, at most 2^20).
    pub fn new(capacity: usize) -> Self {
        let n = capacity.clamp(1, 1 << 20).next_power_of_two();
        KnownIds { slots: (0..n).map(|_| AtomicU64::new(0)).collect(), hasher: RandomState::new() }
    }

    fn slot(&self, id: &str) -> (&AtomicU64, u64) {
        let h = self.hasher.hash_one(id).max(1);
        (&self.slots[(h as usize) & (self.slots.len() - 1)], h)
    }

    pub fn insert(&self, id: &str) {
        let (slot, h) = self.slot(id);
        slot.store(h, Ordering::Relaxed);
    }

    pub fn contains(&self, id: &str) -> bool {
        let (slot, h) = self.slot(id);
        slot.load(Ordering::Relaxed) == h
    }
}

/// Reads the assertion whose start tag `t` was just read, through its end
/// tag: its information when the pass could read it, `None` when the
/// verifier will read it again (cached, or refused here: the second reading
/// gives the error). XML errors end the pass as everywhere else.
pub(crate) fn read<'a>(
    r: &mut Reader<'a>,
    t: &StartTag,
    pass: &AssertionPass,
    sig_limits: &SignatureLimits,
) -> Result<(Span, Option<AssertionInfo<'a>>), VerifyError> {
    let src = r.source();
    let id = r.attr(NsId::NONE, "ID").map(|a| attr_value(src, a.value, a.has_ref));
    let cached = |id: &str| pass.known.as_ref().is_some_and(|k| k.contains(id));
    if id.as_deref().map_or(true, cached) {
        return Ok((Span::new(t.span.start(), r.skip_element()?.end()), None));
    }
    digests::start_in_pass(r, t);
    match read_assertion_at(r, t, &pass.limits, sig_limits) {
        Ok(info) => Ok((info.span, Some(info))),
        Err(TokenError::Message(e @ VerifyError::Envelope(EnvelopeError::Xml(_)))) => Err(e),
        Err(_) => {
            // `read_assertion_at` refuses before the end tag: the assertion is still open.
            debug_assert!(r.depth() >= t.depth);
            Ok((Span::new(t.span.start(), r.read_to_end_of(t.depth)?.end()), None))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::KnownIds;

    #[test]
    fn known_ids_are_a_bounded_hint() {
        let known = KnownIds::new(3);
        assert_eq!(known.slots.len(), 4);
        assert!(!known.contains("_a"));
        known.insert("_a");
        assert!(known.contains("_a"));
        // Many more IDs than slots: the table stays its size; a lost hint only costs time.
        for i in 0..1000 {
            known.insert(&format!("_{i}"));
        }
        assert_eq!(known.slots.len(), 4);
        assert!((0..1000).filter(|i| known.contains(&format!("_{i}"))).count() <= 4);
    }
}
