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
use super::model::{SignatureInfo, TokenRef};
use super::parse::{attr, signature, SignatureLimits};
use super::sign::{KeyError, SigningKey};
use super::verify::{canonical_signed_info, digest_reference, Document};
use crate::xml::index::IdIndex;
use crate::xml::reader::{Event, Reader};
use crate::xml::{Input, NsId, Span};
use crate::Limits;

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

/// The document read for signing: its ID index, the token references with an
/// ID (for the STR-Transform), and the template.
struct Read<'a> {
    index: Box<IdIndex<'a>>,
    token_refs: Vec<(Cow<'a, str>, TokenRef<'a>)>,
    template: Option<SignatureInfo<'a>>,
}

fn read<'a>(src: &'a str, content_start: usize, limits: &Limits) -> Result<Read<'a>, VerifyError> {
    let sig_limits = SignatureLimits::default();
    let mut r = Reader::new(src, content_start, limits);
    r.enable_index();
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
    Ok(Read { index: r.take_index().unwrap_or_default(), token_refs, template })
}

/// Signs the first empty signature template of `text` with `key`: fills every
/// `DigestValue` of its references, then its `SignatureValue` (with the
/// template's `SignatureMethod`, which must fit the key).
pub(crate) fn fill_template(text: &str, key: &SigningKey, limits: &Limits) -> Result<String, TemplateError> {
    let with_digests = fill(text, limits, |doc, sig| {
        let mut edits = Vec::with_capacity(sig.references.len());
        for r in &sig.references {
            let (_, digest) = digest_reference(doc, sig, r)?;
            edits.push(edit(r.digest_value_span, base64::encode(digest.as_ref())));
        }
        Ok(edits)
    })?;
    fill(&with_digests, limits, |doc, sig| {
        let canonical = canonical_signed_info(doc, sig)?;
        let value = key.sign(sig.algorithm, &canonical).map_err(TemplateError::Key)?;
        Ok(vec![edit(sig.value_span, base64::encode(&value))])
    })
}

fn edit(span: Span, text: String) -> Edit {
    Edit { start: span.start(), end: span.end(), text }
}

/// Reads `text`, lets `compute` produce edits for the template, applies them.
fn fill(
    text: &str,
    limits: &Limits,
    compute: impl FnOnce(&Document<'_, '_>, &SignatureInfo<'_>) -> Result<Vec<Edit>, TemplateError>,
) -> Result<String, TemplateError> {
    let input = Input::new(text.as_bytes(), limits).map_err(VerifyError::from)?;
    let src = input.as_str();
    let read = read(src, input.content_start(), limits)?;
    let sig = read.template.as_ref().ok_or(TemplateError::NoTemplate)?;
    let doc = Document {
        src,
        content_start: input.content_start(),
        index: &read.index,
        limits,
        token_refs: &read.token_refs,
        inline: &[],
    };
    let edits = compute(&doc, sig)?;
    Ok(apply(src, edits))
}
