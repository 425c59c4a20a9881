//! Errors of signature verification. Cryptographic failures are opaque: a
//! digest or signature that does not match says only that.

use std::fmt;

use crate::soap::EnvelopeError;

/// A feature of XML-DSig / WS-Security that kuvert refuses to process.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Unsupported {
    /// A known algorithm kuvert does not implement (DSA, HMAC, MD5, ...).
    Algorithm,
    /// An algorithm URI kuvert does not know at all.
    UnknownAlgorithm,
    /// A transform other than enveloped-signature, the c14n family and the STR-Transform
    /// (XPath, XSLT, Base64, XPath Filter 2.0, ...).
    Transform,
    /// A reference to anything but `""` or `#id` in the same document.
    ExternalReference,
    /// An XPointer reference (`#xpointer(...)`).
    XPointer,
    /// `RetrievalMethod` in `KeyInfo`.
    RetrievalMethod,
    /// A reference of type Manifest, or a Manifest to process.
    Manifest,
    /// A `KeyInfo` form kuvert does not resolve (e.g. `KeyName`, an unknown token reference).
    KeyInfo,
    /// `HMACOutputLength` (HMAC is not supported; truncated HMAC is an attack).
    HmacOutputLength,
}

impl Unsupported {
    fn as_str(self) -> &'static str {
        match self {
            Unsupported::Algorithm => "algorithm",
            Unsupported::UnknownAlgorithm => "unknown algorithm",
            Unsupported::Transform => "transform",
            Unsupported::ExternalReference => "external reference",
            Unsupported::XPointer => "XPointer reference",
            Unsupported::RetrievalMethod => "RetrievalMethod",
            Unsupported::Manifest => "Manifest",
            Unsupported::KeyInfo => "KeyInfo form",
            Unsupported::HmacOutputLength => "HMACOutputLength",
        }
    }
}

/// A part of a SOAP message a policy can require to be signed.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SignedPart {
    /// The SOAP Body.
    Body,
    /// The `wsu:Timestamp` of the Security header.
    Timestamp,
    /// A WS-Addressing header.
    Addressing,
    /// The Liberty `sbf:Framework` header.
    Framework,
    /// A header block with `mustUnderstand`.
    MustUnderstandHeader,
    /// The SAML assertion (token model).
    Assertion,
    /// The SecurityTokenReference to the assertion (token model).
    TokenReference,
}

/// What went wrong while verifying a signature.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignatureErrorKind {
    /// No `wsse:Security` header (SOAP) or no top-level `ds:Signature` (document).
    NoSignature,
    /// More `ds:Signature` elements than the policy allows.
    TooManySignatures {
        /// The configured limit.
        limit: usize,
    },
    /// A `ds:Signature` that does not follow the XML-DSig schema.
    MalformedSignature,
    /// A feature kuvert refuses to process.
    Unsupported(Unsupported),
    /// An algorithm kuvert implements but the policy does not allow (e.g. SHA-1 by default).
    AlgorithmNotAllowed,
    /// More references than the policy allows.
    TooManyReferences {
        /// The configured limit.
        limit: usize,
    },
    /// More transforms in one reference than the policy allows.
    TooManyTransforms {
        /// The configured limit.
        limit: usize,
    },
    /// A reference to an ID no element has.
    ReferenceNotFound,
    /// The same ID value on two attributes (`wsu:Id`, `Id`, `ID` together).
    DuplicateId,
    /// Two references to the same element.
    DuplicateReference,
    /// A digest does not match.
    DigestMismatch,
    /// The signature value does not verify.
    BadSignature,
    /// Base64 content that does not decode.
    InvalidBase64,
    /// The `KeyInfo` names a token or certificate that is not there.
    KeyNotFound,
    /// A raw public key (`KeyValue`) not pinned by the caller: refused (key injection).
    UntrustedKey,
    /// The key does not fit the algorithm (RSA vs EC, or the wrong curve).
    KeyMismatch,
    /// The signer's certificate was refused.
    Certificate(crate::cert::CertError),
    /// The Security header has no `wsu:Timestamp` and the policy requires one.
    MissingTimestamp,
    /// A `wsu:Timestamp` that does not follow its schema.
    MalformedTimestamp,
    /// `wsu:Expires` has passed (beyond the clock skew).
    Expired,
    /// `wsu:Created` is in the future (beyond the clock skew).
    FutureTimestamp,
    /// `wsu:Created` is older than the policy's maximum age.
    TooOld,
    /// A part the policy requires to be signed is not covered by a verified reference.
    NotSigned(SignedPart),
}

impl SignatureErrorKind {
    /// A stable, machine-readable name for this kind.
    pub fn code(&self) -> &'static str {
        use SignatureErrorKind::*;
        match self {
            NoSignature => "signature.none",
            TooManySignatures { .. } => "limit.signatures",
            MalformedSignature => "signature.malformed",
            Unsupported(_) => "signature.unsupported",
            AlgorithmNotAllowed => "signature.algorithm_not_allowed",
            TooManyReferences { .. } => "limit.references",
            TooManyTransforms { .. } => "limit.transforms",
            ReferenceNotFound => "signature.reference_not_found",
            DuplicateId => "signature.duplicate_id",
            DuplicateReference => "signature.duplicate_reference",
            DigestMismatch => "signature.digest_mismatch",
            BadSignature => "signature.bad_signature",
            InvalidBase64 => "signature.invalid_base64",
            KeyNotFound => "signature.key_not_found",
            UntrustedKey => "signature.untrusted_key",
            KeyMismatch => "signature.key_mismatch",
            Certificate(e) => e.code(),
            MissingTimestamp => "timestamp.missing",
            MalformedTimestamp => "timestamp.malformed",
            Expired => "timestamp.expired",
            FutureTimestamp => "timestamp.future",
            TooOld => "timestamp.too_old",
            NotSigned(_) => "policy.not_signed",
        }
    }
}

impl fmt::Display for SignatureErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use SignatureErrorKind::*;
        match self {
            NoSignature => f.write_str("no signature"),
            TooManySignatures { limit } => write!(f, "more than {limit} signatures"),
            MalformedSignature => f.write_str("malformed ds:Signature"),
            Unsupported(what) => write!(f, "unsupported: {}", what.as_str()),
            AlgorithmNotAllowed => f.write_str("algorithm not allowed by the policy"),
            TooManyReferences { limit } => write!(f, "more than {limit} references"),
            TooManyTransforms { limit } => write!(f, "more than {limit} transforms in a reference"),
            ReferenceNotFound => f.write_str("reference to an ID that no element has"),
            DuplicateId => f.write_str("duplicate ID"),
            DuplicateReference => f.write_str("two references to the same element"),
            DigestMismatch => f.write_str("digest does not match"),
            BadSignature => f.write_str("signature does not verify"),
            InvalidBase64 => f.write_str("invalid base64"),
            KeyNotFound => f.write_str("the key the signature names is not there"),
            UntrustedKey => f.write_str("raw key in KeyInfo that the caller did not pin"),
            KeyMismatch => f.write_str("key does not fit the signature algorithm"),
            Certificate(e) => write!(f, "certificate refused: {e}"),
            MissingTimestamp => f.write_str("no wsu:Timestamp"),
            MalformedTimestamp => f.write_str("malformed wsu:Timestamp"),
            Expired => f.write_str("timestamp expired"),
            FutureTimestamp => f.write_str("timestamp created in the future"),
            TooOld => f.write_str("timestamp older than the maximum age"),
            NotSigned(part) => write!(f, "{part:?} is not signed"),
        }
    }
}

/// A signature error with the byte offset of the element it concerns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SignatureError {
    kind: SignatureErrorKind,
    offset: usize,
}

impl SignatureError {
    pub(crate) fn new(kind: SignatureErrorKind, offset: usize) -> Self {
        SignatureError { kind, offset }
    }

    /// What went wrong.
    pub fn kind(&self) -> SignatureErrorKind {
        self.kind
    }

    /// Byte offset of the element concerned.
    pub fn offset(&self) -> usize {
        self.offset
    }
}

impl fmt::Display for SignatureError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at byte {}", self.kind, self.offset)
    }
}

impl std::error::Error for SignatureError {}

/// Why a message or document did not verify.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VerifyError {
    /// The input is not a readable message (XML, SOAP or call context).
    Envelope(EnvelopeError),
    /// The signature, its key, its timestamp or its coverage was refused.
    Signature(SignatureError),
}

impl VerifyError {
    /// A stable, machine-readable name of the error kind.
    pub fn code(&self) -> &'static str {
        match self {
            VerifyError::Envelope(e) => e.code(),
            VerifyError::Signature(e) => e.kind().code(),
        }
    }

    /// Byte offset in the input.
    pub fn offset(&self) -> usize {
        match self {
            VerifyError::Envelope(e) => e.offset(),
            VerifyError::Signature(e) => e.offset(),
        }
    }

    pub(crate) fn sig(kind: SignatureErrorKind, offset: usize) -> Self {
        VerifyError::Signature(SignatureError::new(kind, offset))
    }
}

impl From<EnvelopeError> for VerifyError {
    fn from(e: EnvelopeError) -> Self {
        VerifyError::Envelope(e)
    }
}

impl From<crate::xml::XmlError> for VerifyError {
    fn from(e: crate::xml::XmlError) -> Self {
        VerifyError::Envelope(EnvelopeError::Xml(e))
    }
}

impl From<SignatureError> for VerifyError {
    fn from(e: SignatureError) -> Self {
        VerifyError::Signature(e)
    }
}

impl fmt::Display for VerifyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VerifyError::Envelope(e) => e.fmt(f),
            VerifyError::Signature(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for VerifyError {}
