//! Signing a template: a document holding a `ds:Signature` whose
//! `DigestValue`s and `SignatureValue` are empty (the xmlsec model). The
//! digests are computed over the document as it is, with the same
//! canonicalization code verification uses, then `SignedInfo` is
//! canonicalized and signed. Signatures already filled in (an assertion's
//! issuer signature inside a message, say) are left alone.

use std::borrow::Cow;

use super::base64;
use super::error::VerifyError;
use super::keyinfo::token_reference;
use super::model::{Reference, SignatureInfo, TokenRef};
use super::parse::{attr, signature, SignatureLimits};
use super::sign::{KeyError, SigningKey};
use super::verify::{canonical_signed_info_of, digest_reference, Document};
use super::DigestAlgorithm;
use crate::c14n::subtree::Subtree;
use crate::c14n::taps::Done;
use crate::c14n::C14nMethod;
use crate::xml::index::IdIndex;
use crate::xml::reader::{Event, Reader};
use crate::xml::{Input, NsId, Span, XmlError, XmlErrorKind};
use crate::Limits;
use aws_lc_rs::digest::Digest;

/// Why a template could not be signed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TemplateError {
    /// Reading the document or the template failed.
    Read(VerifyError),
    /// No `ds:Signature` with an empty `SignatureValue`.
    NoTemplate,
    /// The key refused.
    Key(KeyError),
}

impl From<VerifyError> for TemplateError {
    fn from(e: VerifyError) -> Self {
        TemplateError::Read(e)
    }
}

/// One change to the text: replace `start..end` with `text`.
pub(crate) struct Edit {
    pub start: usize,
    pub end: usize,
    pub text: String,
}

/// Applies non-overlapping edits.
pub(crate) fn apply(src: &str, mut edits: Vec<Edit>) -> String {
    edits.sort_by_key(|e| e.start);
    let mut out = String::with_capacity(src.len() + edits.iter().map(|e| e.text.len()).sum::<usize>());
    let mut at = 0;
    for e in edits {
        out.push_str(&src[at..e.start]);
        out.push_str(&e.text);
        at = e.end;
    }
    out.push_str(&src[at..]);
    out
}

/// Elements the caller knows the template references, by ID, with exclusive
/// c14n (no prefix list) and `digest`: they are digested while the document
/// is read instead of in a pass of their own each.
pub(crate) struct Expected<'e> {
    pub ids: &'e [String],
    pub digest: DigestAlgorithm,
}

/// The document read for signing: its ID index, the token references with an
/// ID (for the STR-Transform), the template, and what the pass computed.
struct Read<'a> {
    index: Box<IdIndex<'a>>,
    token_refs: Vec<(Cow<'a, str>, TokenRef<'a>)>,
    template: Option<SignatureInfo<'a>>,
    /// Digests of the expected elements (`Done::reference` indexes `Expected::ids`).
    digested: Vec<Done>,
}

fn read<'a>(
    src: &'a str,
    content_start: usize,
    limits: &Limits,
    expected: Option<&Expected<'_>>,
) -> Result<Read<'a>, VerifyError> {
    let sig_limits = SignatureLimits::default();
    let mut r = Reader::new(src, content_start, limits);
    r.enable_index();
    if let Some(e) = expected {
        let taps = r.taps();
        for (i, id) in e.ids.iter().enumerate() {
            taps.want(i, Cow::Owned(id.clone()), C14nMethod::Exclusive, &[], e.digest);
        }
    }
    let mut token_refs = Vec::new();
    let mut template = None;
    loop {
        match r.next()? {
            Event::Start(t) if t.ns == NsId::DS && t.name.local(src) == "Signature" => {
                let sig = signature(&mut r, &t, &sig_limits)?;
                if template.is_none() && sig.value.is_empty() {
                    template = Some(sig);
                }
            }
            Event::Start(t) if t.ns == NsId::WSSE && t.name.local(src) == "SecurityTokenReference" => {
                let id = attr(&r, NsId::WSU, "Id");
                let token = token_reference(&mut r, &t)?;
                if let Some(id) = id {
                    token_refs.push((id, token));
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    let digested = r.take_taps().map(|t| t.into_done()).unwrap_or_default();
    Ok(Read { index: r.take_index().unwrap_or_default(), token_refs, template, digested })
}

/// Signs the first empty signature template of `text` with `key`: fills every
/// `DigestValue` of its references, then its `SignatureValue` (with the
/// template's `SignatureMethod`, which must fit the key). References to the
/// `expected` elements are digested while the document is read.
pub(crate) fn fill_template(
    text: &str,
    key: &SigningKey,
    limits: &Limits,
    expected: Option<&Expected<'_>>,
) -> Result<String, TemplateError> {
    let input = Input::new(text.as_bytes(), limits).map_err(VerifyError::from)?;
    let src = input.as_str();
    let read = read(src, input.content_start(), limits, expected)?;
    let sig = read.template.as_ref().ok_or(TemplateError::NoTemplate)?;
    let doc = Document {
        src,
        content_start: input.content_start(),
        index: &read.index,
        limits,
        token_refs: &read.token_refs,
        inline: &[],
    };
    let mut edits = Vec::with_capacity(sig.references.len() + 1);
    for r in &sig.references {
        let digest = match expected.and_then(|e| digested_in_pass(&doc, r, e, &read.digested)) {
            Some(d) => d,
            None => digest_reference(&doc, sig, r)?.1,
        };
        edits.push(edit(r.digest_value_span, base64::encode(digest.as_ref())));
    }
    let canonical = filled_signed_info(src, sig, &edits, limits)?;
    let value = key.sign(sig.algorithm, &canonical).map_err(TemplateError::Key)?;
    edits.push(edit(sig.value_span, base64::encode(&value)));
    let signed = apply(src, edits);
    if signed.len() > limits.document_cap() {
        // Signed, the document would not read back under the same limits.
        let too_large = XmlErrorKind::DocumentTooLarge { limit: limits.max_document_bytes };
        return Err(VerifyError::from(XmlError::new(too_large, limits.document_cap())).into());
    }
    Ok(signed)
}

/// The template's `SignedInfo` in canonical form with `digests` filled in:
/// its text with the `DigestValue` edits, canonicalized as the subtree it is
/// in the document (the context of its parent), without reading the document
/// again.
fn filled_signed_info(
    src: &str,
    sig: &SignatureInfo<'_>,
    digests: &[Edit],
    limits: &Limits,
) -> Result<Vec<u8>, VerifyError> {
    let at = sig.signed_info.start();
    let within = digests.iter().map(|e| Edit { start: e.start - at, end: e.end - at, text: e.text.clone() });
    let text = apply(&src[sig.signed_info.range()], within.collect());
    let tree = Subtree {
        src: &text,
        range: 0..text.len(),
        whole_document: false,
        inherited_ns: &sig.signed_info_context.inherited_ns,
        inherited_xml: &sig.signed_info_context.inherited_xml,
        exclude: None,
    };
    canonical_signed_info_of(&tree, &sig.c14n, limits)
}

/// The digest the reading pass computed for `r`, when `r` asks for exactly
/// that (an expected ID, exclusive c14n without prefixes, the same digest)
/// and the element digested is the one the ID names.
fn digested_in_pass(
    doc: &Document<'_, '_>,
    r: &Reference<'_>,
    expected: &Expected<'_>,
    digested: &[Done],
) -> Option<Digest> {
    let id = r.plain_exclusive_id(expected.digest)?;
    let i = expected.ids.iter().position(|e| e == id)?;
    let done = digested.iter().find(|d| d.reference == i)?;
    (doc.index.get(id)?.span == done.span).then_some(done.digest)
}

fn edit(span: Span, text: String) -> Edit {
    Edit { start: span.start(), end: span.end(), text }
}
