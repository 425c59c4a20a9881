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
use crate::xml::text::trim_xml;
use crate::xml::Span;

/// The tap index of the speculative issuer digest (message references use their own index).
const ISSUER_TAP: usize = usize::MAX;

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
    fn same_as(&self, m: &Memo) -> bool {
        self.method == m.method && self.prefixes == m.prefixes && self.digest == m.digest
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

/// Sets up the taps for a reading pass over the assertion `id`.
pub(crate) fn want(taps: &mut DigestTaps<'_>, refs: &[AssertionRef], id: &str) {
    taps.want_enveloped(ISSUER_TAP, Cow::Owned(id.to_owned()), C14nMethod::Exclusive, DigestAlgorithm::Sha256);
    for r in refs {
        let prefixes: Vec<&str> = r.prefixes.split_ascii_whitespace().collect();
        taps.want(r.index, Cow::Owned(id.to_owned()), r.method, &prefixes, r.digest);
    }
}

/// Splits the taps' results: the issuer digest (as the issuer signature's
/// reference 0, when the signature is the one speculated on) and the
/// message-side digests.
pub(crate) fn split(a: &AssertionInfo<'_>, done: Vec<Done>) -> (Option<Done>, Vec<Done>) {
    let (issuer, message): (Vec<Done>, Vec<Done>) = done.into_iter().partition(|d| d.reference == ISSUER_TAP);
    let issuer = issuer.into_iter().next().filter(|d| speculation_holds(a, d)).map(|mut d| {
        d.reference = 0;
        d
    });
    (issuer, message)
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
