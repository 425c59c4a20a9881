//! Plain XML documents with a top-level signature: enveloped (a
//! `ds:Signature` child of the root) or enveloping (the root is the
//! signature). No WS-Security header, Timestamp or coverage policy: the
//! result names what the signature covers.

use super::verified::{digests_of, signed_elements, VerifiedDocument};
use super::Verifier;
use crate::dsig::error::{SignatureErrorKind as E, VerifyError};
use crate::dsig::model::SignatureInfo;
use crate::dsig::parse::signature;
use crate::dsig::verify::{check, Document};
use crate::soap::QName;
use crate::time::UtcTime;
use crate::xml::reader::{Event, Reader};
use crate::xml::{Input, NsId};

impl Verifier {
    /// Verifies the top-level signature of a plain document at time `at`.
    pub fn verify_document<'a>(&self, input: &'a Input<'_>, at: UtcTime) -> Result<VerifiedDocument<'a>, VerifyError> {
        let limits = &self.policy().limits;
        let src = input.as_str();
        let mut r = Reader::new(src, input.content_start(), limits);
        r.enable_index();
        let (root, sig) = top_level_signature(&mut r, self)?;
        let index = r.take_index().unwrap_or_default();
        if let Some(offset) = index.duplicate {
            return Err(VerifyError::sig(E::DuplicateId, offset));
        }
        let sig = sig.ok_or(VerifyError::sig(E::NoSignature, input.content_start()))?;
        let signer = self.resolve_key(None, &sig.key_info, at, sig.span.start())?;
        let doc =
            Document { src, content_start: input.content_start(), index: &index, limits, token_refs: &[], inline: &[] };
        let covered = check(&doc, &sig, signer.key(), &self.algorithms())?;
        let signed = signed_elements(root, &index, r.names(), &covered);
        Ok(VerifiedDocument {
            signed,
            signer,
            algorithm: sig.algorithm,
            canonicalization: sig.c14n.method,
            digests: digests_of(&sig),
        })
    }
}

/// Reads the whole document; returns the root's name and the signature that
/// is the root or a child of it (more than one is refused as ambiguous).
fn top_level_signature<'a>(
    r: &mut Reader<'a>,
    v: &Verifier,
) -> Result<(QName<'a>, Option<SignatureInfo<'a>>), VerifyError> {
    let limits = &v.policy().signature_limits;
    let mut root = QName { ns: "", local: "" };
    let mut found: Option<SignatureInfo<'a>> = None;
    loop {
        match r.next()? {
            Event::Start(t) => {
                let local = t.name.local(r.source());
                if t.depth == 1 {
                    root = QName { ns: r.names().uri(t.ns), local };
                }
                if t.depth <= 2 && t.ns == NsId::DS && local == "Signature" {
                    if found.is_some() {
                        return Err(VerifyError::sig(E::TooManySignatures { limit: 1 }, t.span.start()));
                    }
                    found = Some(signature(r, &t, limits)?);
                }
            }
            Event::Eof => return Ok((root, found)),
            _ => {}
        }
    }
}
