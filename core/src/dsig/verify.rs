//! XML-DSig core validation: the signature value over the canonical
//! `SignedInfo`, then every reference's digest over its canonical target.
//! The result names exactly the elements whose digests were checked.

use std::borrow::Cow;

use super::algorithms::{DigestAlgorithm, SignatureAlgorithm};
use super::error::{SignatureErrorKind as E, Unsupported as U, VerifyError};
use super::model::{C14nStep, RefTarget, Reference, SignatureInfo, TokenRef};
use crate::c14n::subtree::{canonicalize, Mode, Subtree};
use crate::c14n::{C14nMethod, Sink};
use crate::cert::{KeyVerifyError, VerificationKey};
use crate::xml::index::{Context, IdIndex, Indexed};
use crate::xml::Span;
use crate::Limits;

impl Sink for aws_lc_rs::digest::Context {
    fn write(&mut self, bytes: &[u8]) {
        self.update(bytes);
    }
}

/// Which algorithms a verification accepts (values, never strings).
#[derive(Clone, Copy, Debug)]
pub(crate) struct AlgorithmPolicy<'p> {
    pub signatures: &'p [SignatureAlgorithm],
    pub digests: &'p [DigestAlgorithm],
}

/// The document a signature is checked against.
pub(crate) struct Document<'a, 'i> {
    pub src: &'a str,
    pub content_start: usize,
    pub index: &'i IdIndex<'a>,
    pub limits: &'i Limits,
    /// `SecurityTokenReference` elements with an ID, for the STR-Transform.
    pub token_refs: &'i [(Cow<'a, str>, TokenRef<'a>)],
    /// Digests already computed in the reading pass, by reference index.
    pub inline: &'i [crate::c14n::taps::Done],
}

/// An element (or the whole document) whose digest was checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Covered<'a> {
    /// The element as referenced (for the STR-Transform: the token it dereferences to).
    pub span: Span,
    /// `None` for `URI=""`.
    pub id: Option<Cow<'a, str>>,
    /// The reference went through the STR-Transform (the STR with this ID was covered).
    pub via_str: bool,
}

/// Checks `sig` with `key`; returns what its references cover.
pub(crate) fn check<'a>(
    doc: &Document<'a, '_>,
    sig: &SignatureInfo<'a>,
    key: &VerificationKey,
    policy: &AlgorithmPolicy<'_>,
) -> Result<Vec<Covered<'a>>, VerifyError> {
    if !policy.signatures.contains(&sig.algorithm) {
        return Err(VerifyError::sig(E::AlgorithmNotAllowed, sig.algorithm_at));
    }
    if let Some(r) = sig.references.iter().find(|r| !policy.digests.contains(&r.digest)) {
        return Err(VerifyError::sig(E::AlgorithmNotAllowed, r.span.start()));
    }
    let canonical = canonical_signed_info(doc, sig)?;
    key.verify(sig.algorithm, &canonical, &sig.value).map_err(|e| VerifyError::sig(key_error(e), sig.value_at))?;
    let mut covered: Vec<Covered<'a>> = Vec::with_capacity(sig.references.len());
    for (i, reference) in sig.references.iter().enumerate() {
        let c = match doc.inline.iter().find(|d| d.reference == i).or_else(|| speculated(doc, reference)) {
            Some(done) => check_inline(doc, reference, done)?,
            None => check_reference(doc, sig, reference)?,
        };
        // The STR-Transform dereferences to the token another reference may name directly.
        if covered.iter().any(|x| x.span == c.span && x.via_str == c.via_str) {
            return Err(VerifyError::sig(E::DuplicateReference, reference.span.start()));
        }
        covered.push(c);
    }
    Ok(covered)
}

/// `SignedInfo` canonicalized with the signature's method (comments kept when it says so).
pub(crate) fn canonical_signed_info<'s>(
    doc: &Document<'_, '_>,
    sig: &'s SignatureInfo<'_>,
) -> Result<Cow<'s, [u8]>, VerifyError> {
    if let (C14nMethod::Exclusive, None, Some(read)) = (sig.c14n.method, &sig.c14n.prefixes, &sig.signed_info_exclusive)
    {
        return Ok(Cow::Borrowed(read));
    }
    let tree = subtree(doc, sig.signed_info, &sig.signed_info_context, None);
    Ok(Cow::Owned(canonical_signed_info_of(&tree, &sig.c14n, doc.limits)?))
}

/// `SignedInfo` as `tree`, canonicalized with the method `c14n` names.
pub(crate) fn canonical_signed_info_of(
    tree: &Subtree<'_, '_>,
    c14n: &C14nStep<'_>,
    limits: &Limits,
) -> Result<Vec<u8>, VerifyError> {
    let prefixes = c14n.prefix_list();
    let mode = Mode { method: c14n.method, inclusive_prefixes: &prefixes, comments: true };
    Ok(canonicalize(tree, &mode, limits, Vec::with_capacity(1024))?)
}

fn subtree<'a, 'c>(
    doc: &Document<'a, '_>,
    span: Span,
    context: &'c Context<'a>,
    exclude: Option<Span>,
) -> Subtree<'a, 'c> {
    Subtree {
        src: doc.src,
        range: span.range(),
        whole_document: false,
        inherited_ns: &context.inherited_ns,
        inherited_xml: &context.inherited_xml,
        exclude,
    }
}

/// A reference whose digest was computed in a reading pass: the element it
/// digested must be the one the ID names in the index (for the STR-Transform,
/// the token the named reference points to).
fn check_inline<'a>(
    doc: &Document<'a, '_>,
    r: &Reference<'a>,
    done: &crate::c14n::taps::Done,
) -> Result<Covered<'a>, VerifyError> {
    let RefTarget::Id(id) = &r.target else {
        return Err(VerifyError::sig(E::ReferenceNotFound, r.span.start()));
    };
    let via_str = r.transforms.str_transform.is_some();
    let span = match via_str {
        true => str_target(doc, id, r.span.start())?.span,
        false => doc.index.get(id).ok_or(VerifyError::sig(E::ReferenceNotFound, r.span.start()))?.span,
    };
    if span != done.span || !constant_time_eq(done.digest.as_ref(), &r.digest_value) {
        return Err(VerifyError::sig(E::DigestMismatch, r.span.start()));
    }
    Ok(Covered { span, id: Some(id.clone()), via_str })
}

/// The speculative digest a reading pass took of the element `r` names
/// ([`DigestTaps::speculate_here`](crate::c14n::taps::DigestTaps::speculate_here)),
/// when `r` asks for exactly that: exclusive c14n without a prefix list,
/// SHA-256, no other transform.
fn speculated<'d>(doc: &'d Document<'_, '_>, r: &Reference<'_>) -> Option<&'d crate::c14n::taps::Done> {
    let span = doc.index.get(r.plain_exclusive_id(DigestAlgorithm::Sha256)?)?.span;
    doc.inline.iter().find(|d| d.reference == crate::c14n::taps::SPECULATED && d.span == span)
}

fn check_reference<'a>(
    doc: &Document<'a, '_>,
    sig: &SignatureInfo<'a>,
    r: &Reference<'a>,
) -> Result<Covered<'a>, VerifyError> {
    let (covered, digest) = digest_reference(doc, sig, r)?;
    if !constant_time_eq(digest.as_ref(), &r.digest_value) {
        return Err(VerifyError::sig(E::DigestMismatch, r.span.start()));
    }
    Ok(covered)
}

/// Computes a reference's digest over its target; also returns what it covers.
pub(crate) fn digest_reference<'a>(
    doc: &Document<'a, '_>,
    sig: &SignatureInfo<'a>,
    r: &Reference<'a>,
) -> Result<(Covered<'a>, aws_lc_rs::digest::Digest), VerifyError> {
    let at = r.span.start();
    let ctx = aws_lc_rs::digest::Context::new(r.digest.aws_lc());
    if let Some(step) = &r.transforms.str_transform {
        let RefTarget::Id(id) = &r.target else {
            return Err(VerifyError::sig(E::Unsupported(U::Transform), at));
        };
        let token = str_target(doc, id, at)?;
        let ctx = digest_subtree(doc, token.span, &token.context, step, None, ctx)?;
        return Ok((Covered { span: token.span, id: Some(id.clone()), via_str: true }, ctx.finish()));
    }
    let step = r.transforms.c14n.clone().unwrap_or(C14nStep { method: C14nMethod::Inclusive, prefixes: None });
    let exclude = r.transforms.enveloped.then_some(sig.span);
    let (covered, ctx) = match &r.target {
        RefTarget::Document => {
            let span = Span::new(doc.content_start, doc.src.len());
            (Covered { span, id: None, via_str: false }, digest_document(doc, &step, exclude, ctx)?)
        }
        RefTarget::Id(id) => {
            let entry = doc.index.get(id).ok_or(VerifyError::sig(E::ReferenceNotFound, at))?;
            let ctx = digest_subtree(doc, entry.span, &entry.context, &step, exclude, ctx)?;
            (Covered { span: entry.span, id: Some(id.clone()), via_str: false }, ctx)
        }
    };
    Ok((covered, ctx.finish()))
}

/// The token a `SecurityTokenReference` with ID `str_id` points to.
fn str_target<'d, 'a>(doc: &'d Document<'a, '_>, str_id: &str, at: usize) -> Result<&'d Indexed<'a>, VerifyError> {
    let (_, token) =
        doc.token_refs.iter().find(|(id, _)| id == str_id).ok_or(VerifyError::sig(E::ReferenceNotFound, at))?;
    let target_id = match token {
        TokenRef::Reference(id) => id.as_ref(),
        TokenRef::KeyIdentifier { kind: super::model::KeyIdentifierKind::SamlId, value } => value.as_ref(),
        _ => return Err(VerifyError::sig(E::Unsupported(U::Transform), at)),
    };
    doc.index.get(target_id).ok_or(VerifyError::sig(E::KeyNotFound, at))
}

fn digest_subtree<'a>(
    doc: &Document<'a, '_>,
    span: Span,
    context: &Context<'a>,
    step: &C14nStep<'_>,
    exclude: Option<Span>,
    ctx: aws_lc_rs::digest::Context,
) -> Result<aws_lc_rs::digest::Context, VerifyError> {
    let prefixes = step.prefix_list();
    let mode = Mode { method: step.method, inclusive_prefixes: &prefixes, comments: false };
    let tree = subtree(doc, span, context, exclude);
    Ok(canonicalize(&tree, &mode, doc.limits, ctx)?)
}

fn digest_document(
    doc: &Document<'_, '_>,
    step: &C14nStep<'_>,
    exclude: Option<Span>,
    ctx: aws_lc_rs::digest::Context,
) -> Result<aws_lc_rs::digest::Context, VerifyError> {
    let prefixes = step.prefix_list();
    let mode = Mode { method: step.method, inclusive_prefixes: &prefixes, comments: false };
    let tree = Subtree {
        src: doc.src,
        range: doc.content_start..doc.src.len(),
        whole_document: true,
        inherited_ns: &[],
        inherited_xml: &[],
        exclude,
    };
    Ok(canonicalize(&tree, &mode, doc.limits, ctx)?)
}

/// The signature error for a key's refusal.
fn key_error(e: KeyVerifyError) -> E {
    match e {
        KeyVerifyError::BadSignature => E::BadSignature,
        KeyVerifyError::KeyTooSmall => E::Certificate(crate::cert::CertError::KeyTooSmall),
        _ => E::KeyMismatch,
    }
}

/// Equality without an early exit.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
