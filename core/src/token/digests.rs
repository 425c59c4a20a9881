//! The assertion is digested by up to three references: the issuer's
//! (enveloped), the message signature's through the STR-Transform, and the
//! message signature's by its `ID`. Rather than canonicalizing it once per
//! reference, the reading pass over the assertion feeds one digest tap per
//! reference, and a verified assertion keeps the message-side digests with
//! its cache entry, so a recurring assertion is not canonicalized again.
//!
//! The issuer's tap is speculative (exclusive c14n, SHA-256, leaving out the
//! first `ds:Signature` child): it is used only when the issuer signature
//! turns out to be exactly that; otherwise the digest is computed as usual.

use std::borrow::Cow;

use aws_lc_rs::digest::Digest;

use super::assertion::AssertionInfo;
use crate::c14n::taps::{DigestTaps, Done};
use crate::c14n::C14nMethod;
use crate::dsig::model::{KeyIdentifierKind, RefTarget, SignatureInfo, TokenRef};
use crate::dsig::DigestAlgorithm;
use crate::xml::reader::{Reader, StartTag};
use crate::xml::text::trim_xml;
use crate::xml::Span;

/// The tap index of the speculative issuer digest (message references use their own index).
const ISSUER_TAP: usize = usize::MAX;
/// The tap index of the speculative message-side digest taken in the envelope's pass.
const MESSAGE_TAP: usize = usize::MAX - 1;

/// A message reference whose target is the assertion, with what its digest depends on.
pub(crate) struct AssertionRef {
    index: usize,
    method: C14nMethod,
    prefixes: String,
    digest: DigestAlgorithm,
}

/// A message-side digest of a verified assertion, kept with its cache entry.
#[derive(Clone, Debug)]
pub(crate) struct Memo {
    method: C14nMethod,
    prefixes: String,
    digest: DigestAlgorithm,
    value: Digest,
}

impl AssertionRef {
    /// What the digest depends on.
    fn key(&self) -> (C14nMethod, &str, DigestAlgorithm) {
        (self.method, &self.prefixes, self.digest)
    }

    fn same_as(&self, m: &Memo) -> bool {
        self.key() == (m.method, m.prefixes.as_str(), m.digest)
    }

    /// Whether `other` asks for the same digest of the assertion.
    fn same_digest(&self, other: &AssertionRef) -> bool {
        self.key() == other.key()
    }

    /// Whether this is the digest the envelope's pass takes speculatively.
    fn is_speculated(&self) -> bool {
        self.method == C14nMethod::Exclusive && self.prefixes.is_empty() && self.digest == DigestAlgorithm::Sha256
    }
}

/// The references of the message signature that digest the assertion `id`
/// with exclusive c14n, directly or through the STR-Transform.
pub(crate) fn assertion_refs(
    sig: &SignatureInfo<'_>,
    token_refs: &[(Cow<'_, str>, TokenRef<'_>)],
    id: &str,
) -> Vec<AssertionRef> {
    let mut out = Vec::new();
    for (index, r) in sig.references.iter().enumerate() {
        let RefTarget::Id(target) = &r.target else { continue };
        let step = match &r.transforms.str_transform {
            Some(step) if str_points_to(token_refs, target, id) => step,
            Some(_) => continue,
            None if target == id && !r.transforms.enveloped => match &r.transforms.c14n {
                Some(step) => step,
                None => continue,
            },
            None => continue,
        };
        if step.method.is_exclusive() {
            let prefixes = step.prefix_list().join(" ");
            out.push(AssertionRef { index, method: step.method, prefixes, digest: r.digest });
        }
    }
    out
}

fn str_points_to(token_refs: &[(Cow<'_, str>, TokenRef<'_>)], str_id: &str, id: &str) -> bool {
    token_refs.iter().any(|(sid, t)| {
        sid == str_id
            && match t {
                TokenRef::KeyIdentifier { kind: KeyIdentifierKind::SamlId, value } => trim_xml(value) == id,
                TokenRef::Reference(v) => v == id,
                _ => false,
            }
    })
}

/// Sets up the taps for a reading pass over the assertion `id`: the issuer's
/// speculative tap, and one tap per distinct digest the message asks for.
pub(crate) fn want(taps: &mut DigestTaps<'_>, refs: &[AssertionRef], id: &str) {
    taps.want_enveloped(ISSUER_TAP, Cow::Owned(id.to_owned()), C14nMethod::Exclusive, DigestAlgorithm::Sha256);
    for (i, r) in refs.iter().enumerate() {
        if refs[..i].iter().any(|o| o.same_digest(r)) {
            continue;
        }
        let prefixes: Vec<&str> = r.prefixes.split_ascii_whitespace().collect();
        taps.want(r.index, Cow::Owned(id.to_owned()), r.method, &prefixes, r.digest);
    }
}

/// Starts the envelope pass's speculative taps on the assertion whose start
/// tag `t` was just read: the issuer's enveloped digest and the whole
/// assertion's, both exclusive c14n and SHA-256.
pub(crate) fn start_in_pass<'a>(r: &mut Reader<'a>, t: &StartTag) {
    r.with_taps(|taps, r| taps.start_pair_here(r, t, (ISSUER_TAP, MESSAGE_TAP), DigestAlgorithm::Sha256));
}

/// Splits the taps' results of a second reading: the issuer digest (as the
/// issuer signature's reference 0, when the signature is the one speculated
/// on) and one message-side digest per reference.
pub(crate) fn split(a: &AssertionInfo<'_>, refs: &[AssertionRef], done: Vec<Done>) -> (Option<Done>, Vec<Done>) {
    let (issuer, computed): (Vec<Done>, Vec<Done>) = done.into_iter().partition(|d| d.reference == ISSUER_TAP);
    let message = refs
        .iter()
        .filter_map(|r| {
            let d = computed.iter().find(|d| refs.iter().any(|o| o.index == d.reference && o.same_digest(r)))?;
            Some(Done { reference: r.index, ..d.clone() })
        })
        .collect();
    (issuer_digest(a, issuer.into_iter().next()), message)
}

/// The digests the envelope's pass took of assertion `a` (among `done`), when
/// every message reference asks for the speculated one; `None` sends the
/// verifier to a second reading.
pub(crate) fn from_pass(
    a: &AssertionInfo<'_>,
    refs: &[AssertionRef],
    done: &[Done],
) -> Option<(Option<Done>, Vec<Done>)> {
    if !refs.iter().all(AssertionRef::is_speculated) {
        return None;
    }
    let ours = |tap: usize| done.iter().find(|d| d.reference == tap && d.span == a.span);
    let whole = ours(MESSAGE_TAP)?;
    let message = refs.iter().map(|r| Done { reference: r.index, ..whole.clone() }).collect();
    Some((issuer_digest(a, ours(ISSUER_TAP).cloned()), message))
}

/// Whether `d` is a digest one of the speculative taps took (not a message reference's).
pub(crate) fn is_speculative(d: &Done) -> bool {
    d.reference == ISSUER_TAP || d.reference == MESSAGE_TAP
}

/// The issuer tap's digest as the issuer signature's reference 0, when the
/// signature is the one speculated on.
fn issuer_digest(a: &AssertionInfo<'_>, d: Option<Done>) -> Option<Done> {
    d.filter(|d| speculation_holds(a, d)).map(|mut d| {
        d.reference = 0;
        d
    })
}

fn speculation_holds(a: &AssertionInfo<'_>, d: &Done) -> bool {
    let Some(sig) = &a.signature else { return false };
    let [r] = sig.references.as_slice() else { return false };
    let exclusive_plain =
        r.transforms.c14n.as_ref().is_some_and(|s| s.method == C14nMethod::Exclusive && s.prefixes.is_none());
    d.span == a.span
        && d.excluded == Some(sig.span.start())
        && r.transforms.enveloped
        && exclusive_plain
        && r.transforms.str_transform.is_none()
        && r.digest == DigestAlgorithm::Sha256
}

/// The message-side digests to keep with a verified assertion.
pub(crate) fn memo_of(refs: &[AssertionRef], done: &[Done]) -> Vec<Memo> {
    let mut memo: Vec<Memo> = Vec::new();
    for d in done {
        let Some(r) = refs.iter().find(|r| r.index == d.reference) else { continue };
        if !memo.iter().any(|m| r.same_as(m)) {
            let (method, prefixes, digest) = (r.method, r.prefixes.clone(), r.digest);
            memo.push(Memo { method, prefixes, digest, value: d.digest });
        }
    }
    memo
}

/// Digests for this message's references from a cached assertion's memo.
pub(crate) fn from_memo(refs: &[AssertionRef], memo: &[Memo], span: Span) -> Vec<Done> {
    refs.iter()
        .filter_map(|r| {
            let m = memo.iter().find(|m| r.same_as(m))?;
            Some(Done { reference: r.index, span, digest: m.value, excluded: None })
        })
        .collect()
}
