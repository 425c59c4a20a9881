//! A `ds:Signature` as read from a document: spans, algorithms as values,
//! decoded binary values, and the key information it names.

use std::borrow::Cow;

use super::algorithms::{DigestAlgorithm, SignatureAlgorithm};
use super::base64;
use super::error::{SignatureErrorKind, VerifyError};
use crate::c14n::C14nMethod;
use crate::xml::index::Context;
use crate::xml::Span;

/// Where a reference points.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum RefTarget<'a> {
    /// `URI=""`: the whole document (comments excluded).
    Document,
    /// `URI="#id"`: the element with that ID.
    Id(Cow<'a, str>),
}

/// A canonicalization step: the method and the exclusive PrefixList, if any.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct C14nStep<'a> {
    pub method: C14nMethod,
    pub prefixes: Option<Cow<'a, str>>,
}

impl C14nStep<'_> {
    /// The PrefixList as prefixes, `#default` given as `""`.
    pub fn prefix_list(&self) -> Vec<&str> {
        let list = self.prefixes.as_deref().unwrap_or("");
        list.split_ascii_whitespace().map(|p| if p == "#default" { "" } else { p }).collect()
    }
}

/// The transforms of one reference, in one of the forms kuvert accepts:
/// nothing, `enveloped-signature`, a c14n method, both in that order, or
/// the WS-Security STR-Transform with its c14n parameter.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Transforms<'a> {
    pub enveloped: bool,
    pub c14n: Option<C14nStep<'a>>,
    pub str_transform: Option<C14nStep<'a>>,
}

/// One `ds:Reference`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Reference<'a> {
    pub span: Span,
    pub target: RefTarget<'a>,
    /// The `URI` attribute's value as written.
    pub target_span: Option<Span>,
    pub transforms: Transforms<'a>,
    pub digest: DigestAlgorithm,
    pub digest_value: Vec<u8>,
    /// Content of `DigestValue`.
    pub digest_value_span: Span,
}

impl Reference<'_> {
    /// The ID this reference names, when it digests that element with
    /// `digest` and exclusive c14n without a prefix list, no other transform:
    /// what a reading pass's tap computes.
    pub fn plain_exclusive_id(&self, digest: DigestAlgorithm) -> Option<&str> {
        let RefTarget::Id(id) = &self.target else { return None };
        let t = &self.transforms;
        let exclusive = matches!(&t.c14n, Some(C14nStep { method: C14nMethod::Exclusive, prefixes: None }));
        (exclusive && !t.enveloped && t.str_transform.is_none() && self.digest == digest).then_some(id)
    }
}

/// A WS-Security `SecurityTokenReference`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum TokenRef<'a> {
    /// `wsse:Reference URI="#id"` to a token in the message.
    Reference(Cow<'a, str>),
    /// `wsse:KeyIdentifier` with its `ValueType` and decoded or literal value.
    KeyIdentifier { kind: KeyIdentifierKind, value: Cow<'a, str> },
    /// `ds:X509Data/ds:X509IssuerSerial` inside the STR.
    IssuerSerial { issuer: Cow<'a, str>, serial: Cow<'a, str> },
}

/// The `ValueType` of a `wsse:KeyIdentifier`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum KeyIdentifierKind {
    /// X.509 SubjectKeyIdentifier, base64.
    SubjectKeyIdentifier,
    /// SHA-1 of the certificate, base64.
    ThumbprintSha1,
    /// The `ID` of a SAML 2.0 assertion.
    SamlId,
}

/// A certificate as an `X509Certificate` element carries it: its base64 text,
/// kept as written. Verifiers find a certificate they have validated before
/// by this text, and decode only the ones they have not seen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct CertificateText<'a> {
    pub text: Cow<'a, str>,
    /// Where a decoding error is reported: the end of the element's start tag.
    pub at: usize,
}

impl CertificateText<'_> {
    /// The certificate's DER.
    pub fn decode(&self) -> Result<Vec<u8>, VerifyError> {
        base64::decode(&self.text).map_err(|_| VerifyError::sig(SignatureErrorKind::InvalidBase64, self.at))
    }
}

/// The key information of a signature, in the forms kuvert resolves.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct KeyInfo<'a> {
    pub span: Option<Span>,
    pub token: Option<TokenRef<'a>>,
    /// `X509Data/X509Certificate` values (leaf first, as written), not yet decoded.
    pub certificates: Vec<CertificateText<'a>>,
    pub issuer_serial: Option<(Cow<'a, str>, Cow<'a, str>)>,
    pub ski: Option<Vec<u8>>,
    /// A raw public key (`KeyValue`), as SubjectPublicKeyInfo DER.
    pub key_value: Option<Vec<u8>>,
    /// A form that was present but is refused (reported when nothing usable is present).
    pub unsupported: Option<super::error::Unsupported>,
}

/// One parsed `ds:Signature`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct SignatureInfo<'a> {
    pub span: Span,
    pub signed_info: Span,
    /// Context of `SignedInfo` for canonicalization (bindings of its parent, inherited `xml:*`).
    pub signed_info_context: Context<'a>,
    /// `SignedInfo` in exclusive c14n (without comments and inclusive
    /// prefixes), when the reading pass produced it.
    pub signed_info_exclusive: Option<Vec<u8>>,
    pub c14n: C14nStep<'a>,
    pub algorithm: SignatureAlgorithm,
    pub algorithm_at: usize,
    pub references: Vec<Reference<'a>>,
    pub value: Vec<u8>,
    pub value_at: usize,
    /// Content of `SignatureValue`.
    pub value_span: Span,
    pub key_info: KeyInfo<'a>,
}
