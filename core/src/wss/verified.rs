//! The result of a verification: a view that exposes only what a checked
//! reference covered. An element the application reads through it is the
//! element whose bytes were digested, never an unsigned twin.

use std::borrow::Cow;
use std::sync::Arc;

use super::header::Timestamp;
use crate::c14n::C14nMethod;
use crate::cert::{CertificateIdentity, ValidatedCert, VerificationKey};
use crate::dsig::model::SignatureInfo;
use crate::dsig::verify::Covered;
use crate::dsig::{DigestAlgorithm, SignatureAlgorithm};
use crate::soap::{
    Addressing, AuthorityContext, CallContext, Element, Envelope, Fault, Framework, HeaderBlock, InvocationContext,
    QName, SoapVersion, TextValue,
};
use crate::time::UtcTime;
use crate::xml::index::IdIndex;
use crate::xml::{NsTable, Span};

/// Whose key made the signature.
#[derive(Clone, Debug)]
pub(crate) enum Signer {
    /// A certificate that chains to a trust anchor (or is pinned).
    Certificate(Arc<ValidatedCert>),
    /// A raw public key the caller pinned.
    Pinned(Arc<VerificationKey>),
}

impl Signer {
    pub(crate) fn key(&self) -> &VerificationKey {
        match self {
            Signer::Certificate(c) => &c.key,
            Signer::Pinned(k) => k,
        }
    }

    pub(crate) fn identity(&self) -> Option<&CertificateIdentity> {
        match self {
            Signer::Certificate(c) => Some(&c.identity),
            Signer::Pinned(_) => None,
        }
    }
}

/// An element covered by a verified reference.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignedElement<'a> {
    /// Expanded name.
    pub name: QName<'a>,
    /// The element (for `URI=""`, the document content).
    pub span: Span,
    /// The ID the reference used (`None` for `URI=""`).
    pub id: Option<Cow<'a, str>>,
}

/// A verified SOAP message. Everything it returns was covered by a reference
/// whose digest matched, under a signature that verified with a trusted key.
#[derive(Debug)]
pub struct Verified<'a> {
    envelope: Envelope<'a>,
    covered: Vec<Covered<'a>>,
    signed: Vec<SignedElement<'a>>,
    signer: Signer,
    algorithm: SignatureAlgorithm,
    canonicalization: C14nMethod,
    digests: DigestList,
    timestamp: Option<Timestamp>,
}

impl<'a> Verified<'a> {
    pub(crate) fn new(
        envelope: Envelope<'a>,
        covered: Vec<Covered<'a>>,
        signed: Vec<SignedElement<'a>>,
        signer: Signer,
        sig: &SignatureInfo<'a>,
        timestamp: Option<Timestamp>,
    ) -> Self {
        Verified {
            envelope,
            covered,
            signed,
            signer,
            algorithm: sig.algorithm,
            canonicalization: sig.c14n.method,
            digests: DigestList::of(sig.references.iter().map(|r| r.digest)),
            timestamp,
        }
    }

    /// The elements the signature covers, in reference order.
    pub fn signed_elements(&self) -> &[SignedElement<'a>] {
        &self.signed
    }

    /// Whether the bytes of `span` lie inside an element a verified reference covered.
    pub fn is_signed(&self, span: Span) -> bool {
        self.covered.iter().any(|c| c.span.start() <= span.start() && span.end() <= c.span.end())
    }

    /// The signer's certificate identity (`None` when a pinned raw key signed).
    pub fn signer(&self) -> Option<&CertificateIdentity> {
        self.signer.identity()
    }

    /// The signature algorithm used.
    pub fn signature_algorithm(&self) -> SignatureAlgorithm {
        self.algorithm
    }

    /// The canonicalization of `SignedInfo`.
    pub fn canonicalization(&self) -> C14nMethod {
        self.canonicalization
    }

    /// The digest algorithms of the references.
    pub fn digest_algorithms(&self) -> &[DigestAlgorithm] {
        self.digests.as_slice()
    }

    /// `wsu:Created` and `wsu:Expires` of the (signed) Timestamp.
    pub fn timestamp(&self) -> Option<(UtcTime, Option<UtcTime>)> {
        self.timestamp.filter(|t| self.is_signed(t.span)).map(|t| (t.created, t.expires))
    }

    /// SOAP version.
    pub fn version(&self) -> SoapVersion {
        self.envelope.version()
    }

    /// The document text the spans refer to.
    pub fn source(&self) -> &'a str {
        self.envelope.source()
    }

    /// The Body, when it was signed.
    pub fn body(&self) -> Option<Span> {
        Some(self.envelope.body()).filter(|&b| self.is_signed(b))
    }

    /// The operation element (inside the signed Body).
    pub fn operation(&self) -> Option<&Element<'a>> {
        self.body()?;
        self.envelope.operation()
    }

    /// The operation's children (inside the signed Body).
    pub fn operation_children(&self) -> &[Element<'a>] {
        match self.body() {
            Some(_) => self.envelope.operation_children(),
            None => &[],
        }
    }

    /// The InvocationContext (inside the signed Body).
    pub fn invocation_context(&self) -> Option<&InvocationContext<'a>> {
        self.body()?;
        self.envelope.invocation_context()
    }

    /// The AuthorityContext (inside the signed Body).
    pub fn authority_context(&self) -> Option<&AuthorityContext> {
        self.body()?;
        self.envelope.authority_context()
    }

    /// The CallContext (inside the signed Body).
    pub fn call_context(&self) -> Option<&CallContext<'a>> {
        self.body()?;
        self.envelope.call_context()
    }

    /// The fault (inside the signed Body).
    pub fn fault(&self) -> Option<&Fault<'a>> {
        self.body()?;
        self.envelope.fault()
    }

    /// The WS-Addressing headers that were signed (unsigned ones are left out).
    pub fn addressing(&self) -> Addressing<'a> {
        let keep = |v: &Option<TextValue<'a>>| v.clone().filter(|v| self.is_signed(v.span()));
        let a = self.envelope.addressing();
        Addressing {
            action: keep(&a.action),
            message_id: keep(&a.message_id),
            to: keep(&a.to),
            from: keep(&a.from),
            reply_to: keep(&a.reply_to),
            fault_to: keep(&a.fault_to),
            relates_to: keep(&a.relates_to),
        }
    }

    /// The WS-Addressing `MessageID`, when it was signed.
    pub fn message_id(&self) -> Option<&TextValue<'a>> {
        self.envelope.addressing().message_id.as_ref().filter(|m| self.is_signed(m.span()))
    }

    /// The `sbf:Framework` header, when it was signed.
    pub fn framework(&self) -> Option<&Framework<'a>> {
        self.envelope.framework().filter(|f| self.is_signed(f.span))
    }

    /// `RequestHeader/TransactionUUID`, when it was signed.
    pub fn transaction_uuid(&self) -> Option<&TextValue<'a>> {
        self.envelope.transaction_uuid().filter(|t| self.is_signed(t.span()))
    }

    /// The header blocks that were signed.
    pub fn signed_header_blocks(&self) -> impl Iterator<Item = &HeaderBlock<'a>> {
        self.envelope.header_blocks().iter().filter(|h| self.is_signed(h.span))
    }
}

/// Names the covered elements; `root` names a whole-document reference.
pub(crate) fn signed_elements<'a>(
    root: QName<'a>,
    index: &IdIndex<'a>,
    names: &NsTable<'a>,
    covered: &[Covered<'a>],
) -> Vec<SignedElement<'a>> {
    covered
        .iter()
        .map(|c| {
            let name = match index.entries.iter().find(|e| e.span == c.span) {
                Some(e) => QName { ns: names.uri(e.ns), local: e.local },
                None => root,
            };
            SignedElement { name, span: c.span, id: c.id.clone() }
        })
        .collect()
}

/// A document whose top-level signature verified.
#[derive(Debug)]
pub struct VerifiedDocument<'a> {
    pub(crate) signed: Vec<SignedElement<'a>>,
    pub(crate) signer: Signer,
    pub(crate) algorithm: SignatureAlgorithm,
    pub(crate) canonicalization: C14nMethod,
    pub(crate) digests: Vec<DigestAlgorithm>,
}

impl<'a> VerifiedDocument<'a> {
    /// The elements the signature covers, in reference order.
    pub fn signed_elements(&self) -> &[SignedElement<'a>] {
        &self.signed
    }

    /// The signer's certificate identity (`None` when a pinned raw key signed).
    pub fn signer(&self) -> Option<&CertificateIdentity> {
        self.signer.identity()
    }

    /// The signature algorithm used.
    pub fn signature_algorithm(&self) -> SignatureAlgorithm {
        self.algorithm
    }

    /// The canonicalization of `SignedInfo`.
    pub fn canonicalization(&self) -> C14nMethod {
        self.canonicalization
    }

    /// The digest algorithms of the references.
    pub fn digest_algorithms(&self) -> &[DigestAlgorithm] {
        &self.digests
    }
}

/// The distinct digest algorithms of a signature's references.
pub(crate) fn digests_of(sig: &SignatureInfo<'_>) -> Vec<DigestAlgorithm> {
    DigestList::of(sig.references.iter().map(|r| r.digest)).as_slice().to_vec()
}

/// The distinct digest algorithms of a signature's references, in order of
/// first use, held without an allocation (there are only so many).
#[derive(Clone, Copy, Debug)]
struct DigestList {
    items: [DigestAlgorithm; DigestAlgorithm::ALL.len()],
    len: usize,
}

impl DigestList {
    fn of(digests: impl Iterator<Item = DigestAlgorithm>) -> Self {
        let mut list = DigestList { items: DigestAlgorithm::ALL, len: 0 };
        for digest in digests {
            if !list.as_slice().contains(&digest) {
                list.items[list.len] = digest;
                list.len += 1;
            }
        }
        list
    }

    fn as_slice(&self) -> &[DigestAlgorithm] {
        &self.items[..self.len]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digest_list_keeps_each_algorithm_once_in_order_of_first_use() {
        use DigestAlgorithm::*;
        let of = |d: &[DigestAlgorithm]| DigestList::of(d.iter().copied()).as_slice().to_vec();
        assert_eq!(of(&[]), []);
        assert_eq!(of(&[Sha256, Sha256]), [Sha256]);
        assert_eq!(of(&[Sha512, Sha1, Sha512, Sha256, Sha1, Sha384, Sha256]), [Sha512, Sha1, Sha256, Sha384]);
    }
}
