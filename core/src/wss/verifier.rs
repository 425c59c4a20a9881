//! The verifier: trust anchors, policy and certificate cache, shared by
//! every call. Verifies WS-Security signed SOAP messages and plain documents
//! with an enveloped or enveloping signature.

use std::sync::Arc;

use super::header::{SecurityHeader, Timestamp};
use super::policy::VerifyPolicy;
use super::verified::{signed_elements, Signer, Verified};
use crate::cert::{
    cached_or, BoundedCache, CacheKey, CertError, CertValidator, TrustAnchors, ValidatedCert, VerificationKey,
};
use crate::dsig::base64;
use crate::dsig::error::{SignatureErrorKind as E, SignedPart, Unsupported as U, VerifyError};
use crate::dsig::model::{CertificateText, KeyIdentifierKind, KeyInfo, SignatureInfo, TokenRef};
use crate::dsig::shape::SignedInfoShapes;
use crate::dsig::verify::{check, AlgorithmPolicy, Covered, Document};
use crate::soap::parser::parse_for_verification;
use crate::soap::{Envelope, QName};
use crate::time::UtcTime;
use crate::xml::{Input, Span};

/// Verifies signatures under one policy and one set of trust anchors.
/// `Send + Sync`: share one per process; certificate validations are cached,
/// and so are the last few `SignedInfo` and `wsse:Security` header shapes
/// seen (a sender writes them the same way in every message but for IDs,
/// times, digest and signature values; one whose other bytes, namespace
/// context and limits are a known shape's is recognized rather than read,
/// with the same result).
pub struct Verifier {
    policy: VerifyPolicy,
    certs: CertValidator,
    pinned: Vec<Arc<VerificationKey>>,
    /// Validated certificates by the base64 texts that carried them (a
    /// BinarySecurityToken, or `X509Certificate`s: the leaf and the
    /// intermediates with it): a repeated signer skips decoding and re-hashing the DER.
    texts: BoundedCache<ValidatedCert>,
    /// The `SignedInfo` and Security header shapes seen lately (see [`SignedInfoShapes`]).
    shapes: Arc<SignedInfoShapes>,
}

impl std::fmt::Debug for Verifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Verifier")
            .field("policy", &self.policy)
            .field("certificates", &self.certs)
            .field("pinned_keys", &self.pinned.len())
            .finish_non_exhaustive()
    }
}

impl Verifier {
    /// A verifier trusting `anchors` (CA certificates, or self-signed leaves to pin).
    pub fn new(anchors: TrustAnchors, policy: VerifyPolicy) -> Self {
        let certs = CertValidator::new(anchors, policy.certificates, policy.certificate_cache);
        let texts = BoundedCache::new(policy.certificate_cache);
        Verifier { policy, certs, pinned: Vec::new(), texts, shapes: Arc::default() }
    }

    /// Trusts a raw public key (SubjectPublicKeyInfo DER) that a `KeyValue` may carry.
    pub fn pin_public_key(&mut self, spki_der: &[u8]) -> Result<(), CertError> {
        self.pinned.push(Arc::new(VerificationKey::from_spki_der(spki_der, &self.policy.certificates)?));
        Ok(())
    }

    /// Offers an issuing CA certificate (DER) for building paths from signers to
    /// the trust anchors; messages usually carry only the signer's certificate.
    pub fn add_intermediate(&mut self, der: &[u8]) {
        self.certs.add_intermediate(der);
    }

    /// The policy in force.
    pub fn policy(&self) -> &VerifyPolicy {
        &self.policy
    }

    /// The `SignedInfo` shapes this verifier recognizes.
    pub(crate) fn shapes(&self) -> &Arc<SignedInfoShapes> {
        &self.shapes
    }

    /// Verifies a WS-Security signed SOAP message at time `at`: the one
    /// signature in the `wsse:Security` header, its key and certificate, the
    /// Timestamp, and that everything the policy requires is covered.
    pub fn verify_message<'a>(&self, input: &'a Input<'_>, at: UtcTime) -> Result<Verified<'a>, VerifyError> {
        self.verify_streamed(input, at, &[])
    }

    /// [`Verifier::verify_message`] over a message whose Body was not held:
    /// `input` is its prelude closed into a document, and `streamed` gives, per
    /// reference index and ID, the digest computed while the stream passed
    /// (empty for a whole message: `verify_message` is this).
    pub(crate) fn verify_streamed<'a>(
        &self,
        input: &'a Input<'_>,
        at: UtcTime,
        streamed: &[(usize, String, aws_lc_rs::digest::Digest)],
    ) -> Result<Verified<'a>, VerifyError> {
        let limits = &self.policy.limits;
        let mut parsed =
            parse_for_verification(input, limits, &self.policy.signature_limits, None, Some(&self.shapes))?;
        if let Some(offset) = parsed.index.duplicate {
            return Err(VerifyError::sig(E::DuplicateId, offset));
        }
        for (reference, id, digest) in streamed {
            parsed.inline_digests.retain(|d| d.reference != *reference);
            if let Some(e) = parsed.index.get(id) {
                let done =
                    crate::c14n::taps::Done { reference: *reference, span: e.span, digest: *digest, excluded: None };
                parsed.inline_digests.push(done);
            }
        }
        // The header is borrowed, not moved: it is large, and only read.
        let header =
            parsed.security.as_ref().ok_or(VerifyError::sig(E::NoSignature, parsed.envelope.span().start()))?;
        let sig = single_signature(header)?;
        self.check_timestamp(header.timestamp.as_ref(), at, header.span.start())?;
        let signer = self.resolve_key(Some(header), &sig.key_info, at, sig.span.start())?;
        let doc = Document {
            src: input.as_str(),
            content_start: input.content_start(),
            index: &parsed.index,
            limits,
            token_refs: &header.token_refs,
            inline: &parsed.inline_digests,
        };
        let covered = check(&doc, sig, signer.key(), &self.algorithms())?;
        self.check_coverage(&parsed.envelope, header, &covered)?;
        let root = QName { ns: parsed.envelope.version().namespace(), local: "Envelope" };
        let signed = signed_elements(root, &parsed.index, &parsed.names, &covered);
        Ok(Verified::new(parsed.envelope, covered, signed, signer, sig, header.timestamp))
    }

    pub(crate) fn algorithms(&self) -> AlgorithmPolicy<'_> {
        AlgorithmPolicy { signatures: &self.policy.signature_algorithms, digests: &self.policy.digest_algorithms }
    }

    pub(crate) fn check_timestamp(
        &self,
        ts: Option<&Timestamp>,
        at: UtcTime,
        header_at: usize,
    ) -> Result<(), VerifyError> {
        let Some(ts) = ts else {
            return match self.policy.require_timestamp {
                true => Err(VerifyError::sig(E::MissingTimestamp, header_at)),
                false => Ok(()),
            };
        };
        let skew = i64::from(self.policy.clock_skew_seconds) * 1000;
        let offset = ts.span.start();
        if ts.created > at.add_millis(skew) {
            return Err(VerifyError::sig(E::FutureTimestamp, offset));
        }
        if ts.expires.is_some_and(|expires| expires.add_millis(skew) <= at) {
            return Err(VerifyError::sig(E::Expired, offset));
        }
        if let Some(max) = self.policy.max_age_seconds {
            if ts.created.add_millis(i64::from(max) * 1000 + skew) < at {
                return Err(VerifyError::sig(E::TooOld, offset));
            }
        }
        Ok(())
    }

    /// Every part the policy names is inside an element a verified reference covered.
    pub(crate) fn check_coverage(
        &self,
        env: &Envelope<'_>,
        header: &SecurityHeader<'_>,
        covered: &[Covered<'_>],
    ) -> Result<(), VerifyError> {
        let inside = |span: Span| covered.iter().any(|c| c.span.start() <= span.start() && span.end() <= c.span.end());
        let need = self.policy.coverage;
        let missing = |part, at: usize| Err(VerifyError::sig(E::NotSigned(part), at));
        if need.body && !inside(env.body()) {
            return missing(SignedPart::Body, env.body().start());
        }
        if let Some(ts) = header.timestamp.filter(|_| need.timestamp) {
            if !inside(ts.span) {
                return missing(SignedPart::Timestamp, ts.span.start());
            }
        }
        for (i, block) in env.header_blocks().iter().enumerate() {
            if Some(i) == env.security || inside(block.span) {
                continue;
            }
            let at = block.span.start();
            if need.addressing && block.name.ns == crate::ns::WSA {
                return missing(SignedPart::Addressing, at);
            }
            if need.framework && block.name.ns == crate::ns::SBF && block.name.local == "Framework" {
                return missing(SignedPart::Framework, at);
            }
            if need.must_understand && block.must_understand {
                return missing(SignedPart::MustUnderstandHeader, at);
            }
        }
        Ok(())
    }

    /// The key a signature's `KeyInfo` names: a certificate (validated) or a pinned raw key.
    pub(crate) fn resolve_key(
        &self,
        header: Option<&SecurityHeader<'_>>,
        ki: &KeyInfo<'_>,
        at: UtcTime,
        sig_at: usize,
    ) -> Result<Signer, VerifyError> {
        let ki_at = ki.span.map_or(sig_at, |s| s.start());
        if let Some(token) = &ki.token {
            return self.token_key(header, token, at, ki_at);
        }
        if !ki.certificates.is_empty() {
            return self.certificate_texts(&ki.certificates, at, ki_at);
        }
        if let Some(spki) = &ki.key_value {
            let pinned = self.pinned.iter().find(|k| k.spki_der() == spki.as_slice());
            return pinned.map(|k| Signer::Pinned(k.clone())).ok_or(VerifyError::sig(E::UntrustedKey, ki_at));
        }
        match ki.unsupported {
            Some(what) => Err(VerifyError::sig(E::Unsupported(what), ki_at)),
            None => Err(VerifyError::sig(E::KeyNotFound, ki_at)),
        }
    }

    fn token_key(
        &self,
        header: Option<&SecurityHeader<'_>>,
        token: &TokenRef<'_>,
        at: UtcTime,
        ki_at: usize,
    ) -> Result<Signer, VerifyError> {
        let tokens = header.map_or(&[][..], |h| &h.tokens[..]);
        let certs = || tokens.iter().filter(|t| t.is_x509).filter_map(|t| Some((t, base64::decode(&t.text).ok()?)));
        let found = match token {
            TokenRef::Reference(id) => {
                let t = tokens
                    .iter()
                    .find(|t| t.id.as_deref() == Some(id))
                    .ok_or(VerifyError::sig(E::KeyNotFound, ki_at))?;
                if !t.is_x509 {
                    return Err(VerifyError::sig(E::Unsupported(U::KeyInfo), t.span.start()));
                }
                let text = CertificateText { text: std::borrow::Cow::Borrowed(&t.text), at: t.span.start() };
                return self.certificate_texts(&[text], at, t.span.start());
            }
            TokenRef::KeyIdentifier { kind: KeyIdentifierKind::SamlId, .. } => {
                return Err(VerifyError::sig(E::Unsupported(U::KeyInfo), ki_at));
            }
            TokenRef::KeyIdentifier { kind, value } => {
                let want = base64::decode(value).map_err(|_| VerifyError::sig(E::InvalidBase64, ki_at))?;
                certs().find(|(_, der)| self.identifies(der, *kind, &want)).map(|(t, der)| (t.span.start(), der))
            }
            TokenRef::IssuerSerial { issuer, serial } => {
                certs().find(|(_, der)| self.issued_as(der, issuer, serial)).map(|(t, der)| (t.span.start(), der))
            }
        };
        let (at_token, der) = found.ok_or(VerifyError::sig(E::KeyNotFound, ki_at))?;
        self.certificate(&der, &[], at, at_token)
    }

    /// A certificate given as base64 texts (the leaf, then the intermediates
    /// carried with it; `texts` is not empty), validated with certificate
    /// errors reported at `offset`. Cached by the texts: a signer seen before
    /// is found without decoding.
    fn certificate_texts(
        &self,
        texts: &[CertificateText<'_>],
        at: UtcTime,
        offset: usize,
    ) -> Result<Signer, VerifyError> {
        if texts.len() > self.policy.certificates.max_intermediates.saturating_add(1) {
            return Err(VerifyError::sig(E::Certificate(CertError::ChainTooLong), offset));
        }
        let Some((leaf, rest)) = texts.split_first() else {
            return Err(VerifyError::sig(E::KeyNotFound, offset));
        };
        let carried: Vec<&[u8]> = rest.iter().map(|t| t.text.as_bytes()).collect();
        let key = CacheKey { leaf: leaf.text.as_bytes(), intermediates: &carried };
        let validated = cached_or(&self.texts, &key, at, || {
            let leaf = leaf.decode()?;
            let rest = rest.iter().map(CertificateText::decode).collect::<Result<Vec<_>, _>>()?;
            let intermediates: Vec<&[u8]> = rest.iter().map(Vec::as_slice).collect();
            self.certs.validate(&leaf, &intermediates, at).map_err(|e| VerifyError::sig(E::Certificate(e), offset))
        })?;
        Ok(Signer::Certificate(validated))
    }

    fn identifies(&self, der: &[u8], kind: KeyIdentifierKind, want: &[u8]) -> bool {
        let Ok((identity, _)) = self.certs.parse(der) else {
            return false;
        };
        match kind {
            KeyIdentifierKind::SubjectKeyIdentifier => identity.subject_key_id.as_deref() == Some(want),
            KeyIdentifierKind::ThumbprintSha1 => identity.sha1[..] == *want,
            KeyIdentifierKind::SamlId => false,
        }
    }

    fn issued_as(&self, der: &[u8], issuer: &str, serial: &str) -> bool {
        self.certs.parse(der).is_ok_and(|(id, _)| {
            id.serial_decimal == crate::xml::text::trim_xml(serial) && same_name(&id.issuer, issuer)
        })
    }

    /// A holder-of-key certificate: validated to this verifier's anchors when
    /// `chain`, else checked by itself (the token issuer vouched for it).
    pub(crate) fn holder(&self, der: &[u8], at: UtcTime, chain: bool) -> Result<Arc<ValidatedCert>, CertError> {
        match chain {
            true => self.certs.validate(der, &[], at),
            false => self.certs.vouched(der, at),
        }
    }

    fn certificate(&self, der: &[u8], carried: &[&[u8]], at: UtcTime, offset: usize) -> Result<Signer, VerifyError> {
        let validated: Arc<ValidatedCert> =
            self.certs.validate(der, carried, at).map_err(|e| VerifyError::sig(E::Certificate(e), offset))?;
        Ok(Signer::Certificate(validated))
    }
}

/// The message signature: exactly one `ds:Signature` in the Security header.
pub(crate) fn single_signature<'h, 'a>(header: &'h SecurityHeader<'a>) -> Result<&'h SignatureInfo<'a>, VerifyError> {
    match header.signatures.as_slice() {
        [] => Err(VerifyError::sig(E::NoSignature, header.span.start())),
        [sig] => Ok(sig),
        [_, second, ..] => Err(VerifyError::sig(E::TooManySignatures { limit: 1 }, second.span.start())),
    }
}

/// Distinguished names compared as text, ignoring case and the spaces around separators.
fn same_name(a: &str, b: &str) -> bool {
    let norm = |s: &str| -> String {
        let mut out = String::with_capacity(s.len());
        for part in s.split([',', '+']) {
            if !out.is_empty() {
                out.push(',');
            }
            let (k, v) = part.split_once('=').unwrap_or((part, ""));
            out.push_str(&k.trim().to_ascii_lowercase());
            out.push('=');
            out.push_str(&v.trim().to_ascii_lowercase());
        }
        out
    };
    norm(a) == norm(b)
}
