//! Errors of the token model. Each says what failed and where (a byte offset
//! in the message); cryptographic failures stay opaque.

use std::fmt;

use crate::cert::CertError;
use crate::dsig::{SignatureError, SignatureErrorKind, VerifyError};
use crate::soap::{FaultBuilder, SoapVersion, StandardCode};

/// A rule of the token model that a message or assertion broke.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenErrorKind {
    /// The Security header holds no SAML 2.0 assertion.
    NoAssertion,
    /// The Security header holds more than one assertion (which one is meant would be ambiguous).
    TooManyAssertions,
    /// The assertion the signature's key names is not the one child of the Security header
    /// (moved, wrapped inside another element, or a different `ID`).
    AssertionMisplaced,
    /// The assertion does not follow the SAML 2.0 schema as the profile uses it.
    MalformedAssertion,
    /// The assertion carries no issuer signature.
    UnsignedAssertion,
    /// The issuer signature does not cover exactly this assertion (enveloped, by its `ID`).
    AssertionNotCovered,
    /// `Conditions/@NotBefore` (or the confirmation's) is later than now plus the skew.
    NotYetValid,
    /// `Conditions/@NotOnOrAfter` (or the confirmation's) has passed.
    Expired,
    /// No `Audience` equals the called service's entity ID.
    WrongAudience,
    /// No `SubjectConfirmation` with the holder-of-key method and one certificate.
    NotHolderOfKey,
    /// The holder-of-key certificate was refused.
    UntrustedHolder(CertError),
    /// The message signature's `KeyInfo` does not name the assertion (proof of
    /// possession requires the holder-of-key key; any other key is refused).
    KeyNotHolder,
    /// A required attribute is missing, repeated or has several values.
    MissingAttribute(TokenAttribute),
    /// The CVR attribute is not eight digits.
    InvalidCvr,
    /// The privilege list is not base64 of a well-formed basic-privilege-profile document.
    InvalidPrivileges,
    /// The assertion exceeds a [`SamlLimits`](super::SamlLimits) bound.
    LimitExceeded,
    /// `sbf:Framework` missing, or not version 2.0 with the basic profile (Liberty
    /// `FrameworkVersionMismatch`).
    FrameworkVersionMismatch,
    /// The SOAP version is not the profile's (LIB-BAS: 1.1, OIO-IDWS: 1.2).
    WrongSoapVersion,
    /// A WS-Addressing header the profile requires is missing.
    MissingHeader(RequiredHeader),
    /// The `wsa:MessageID` was seen before within its validity window.
    Replay,
    /// The replay cache is full of unexpired entries: refused rather than risking a replay.
    ReplayCacheFull,
    /// The replay store could not be consulted (a plugged-in shared store failed).
    ReplayCacheUnavailable,
}

/// A SAML attribute the token model requires.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenAttribute {
    /// `dk:gov:saml:attribute:CvrNumberIdentifier`.
    Cvr,
    /// `dk:gov:saml:attribute:Privileges_intermediate`, when repeated.
    Privileges,
    /// Another single-valued attribute the profile reads (AssuranceLevel, SpecVer).
    Other,
}

/// A WS-Addressing header the token profiles require.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RequiredHeader {
    /// `wsa:MessageID`.
    MessageId,
    /// `wsa:Action`.
    Action,
    /// `wsa:To`.
    To,
    /// `wsa:ReplyTo`.
    ReplyTo,
}

impl TokenErrorKind {
    /// A stable, machine-readable name.
    pub fn code(&self) -> &'static str {
        use TokenErrorKind::*;
        match self {
            NoAssertion => "token.no_assertion",
            TooManyAssertions => "token.too_many_assertions",
            AssertionMisplaced => "token.assertion_misplaced",
            MalformedAssertion => "token.malformed_assertion",
            UnsignedAssertion => "token.unsigned_assertion",
            AssertionNotCovered => "token.assertion_not_covered",
            NotYetValid => "token.not_yet_valid",
            Expired => "token.expired",
            WrongAudience => "token.wrong_audience",
            NotHolderOfKey => "token.not_holder_of_key",
            UntrustedHolder(_) => "token.untrusted_holder",
            KeyNotHolder => "token.key_not_holder",
            MissingAttribute(_) => "token.missing_attribute",
            InvalidCvr => "token.invalid_cvr",
            InvalidPrivileges => "token.invalid_privileges",
            LimitExceeded => "token.limit",
            FrameworkVersionMismatch => "token.framework_version_mismatch",
            WrongSoapVersion => "token.wrong_soap_version",
            MissingHeader(_) => "token.missing_header",
            Replay => "token.replay",
            ReplayCacheFull => "token.replay_cache_full",
            ReplayCacheUnavailable => "token.replay_cache_unavailable",
        }
    }
}

impl fmt::Display for TokenErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use TokenErrorKind::*;
        match self {
            NoAssertion => f.write_str("no SAML assertion in the Security header"),
            TooManyAssertions => f.write_str("more than one SAML assertion in the Security header"),
            AssertionMisplaced => f.write_str("the signing key's assertion is not the Security header's assertion"),
            MalformedAssertion => f.write_str("malformed SAML assertion"),
            UnsignedAssertion => f.write_str("assertion without issuer signature"),
            AssertionNotCovered => f.write_str("issuer signature does not cover the assertion"),
            NotYetValid => f.write_str("assertion not yet valid"),
            Expired => f.write_str("assertion expired"),
            WrongAudience => f.write_str("assertion is for another audience"),
            NotHolderOfKey => f.write_str("no holder-of-key subject confirmation with one certificate"),
            UntrustedHolder(e) => write!(f, "holder-of-key certificate refused: {e}"),
            KeyNotHolder => f.write_str("message not signed with the assertion's holder-of-key key"),
            MissingAttribute(a) => write!(f, "attribute {a:?} missing, repeated or multi-valued"),
            InvalidCvr => f.write_str("CVR attribute is not eight digits"),
            InvalidPrivileges => f.write_str("privilege list is not a valid basic privilege profile document"),
            LimitExceeded => f.write_str("assertion exceeds a configured limit"),
            FrameworkVersionMismatch => f.write_str("sbf:Framework missing or not version 2.0, basic profile"),
            WrongSoapVersion => f.write_str("SOAP version not the profile's"),
            MissingHeader(h) => write!(f, "required WS-Addressing header {h:?} missing"),
            Replay => f.write_str("MessageID already seen (replay)"),
            ReplayCacheFull => f.write_str("replay cache full"),
            ReplayCacheUnavailable => f.write_str("replay cache unavailable"),
        }
    }
}

/// Why a token-model message or an assertion was refused.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenError {
    /// Reading the message, or its signature, Timestamp or coverage, was refused.
    Message(VerifyError),
    /// The assertion's issuer signature or the issuer's certificate was refused.
    Issuer(SignatureError),
    /// A rule of the token model, at a byte offset.
    Token {
        /// What failed.
        kind: TokenErrorKind,
        /// Byte offset of the element concerned.
        offset: usize,
    },
}

impl TokenError {
    pub(crate) fn token(kind: TokenErrorKind, offset: usize) -> Self {
        TokenError::Token { kind, offset }
    }

    /// A stable, machine-readable name.
    pub fn code(&self) -> &'static str {
        match self {
            TokenError::Message(e) => e.code(),
            TokenError::Issuer(e) if matches!(e.kind(), SignatureErrorKind::Certificate(_)) => "token.untrusted_issuer",
            TokenError::Issuer(e) if e.kind() == SignatureErrorKind::AlgorithmNotAllowed => {
                "token.issuer_algorithm_not_allowed"
            }
            TokenError::Issuer(_) => "token.issuer_signature",
            TokenError::Token { kind, .. } => kind.code(),
        }
    }

    /// Byte offset in the message (or assertion document).
    pub fn offset(&self) -> usize {
        match self {
            TokenError::Message(e) => e.offset(),
            TokenError::Issuer(e) => e.offset(),
            TokenError::Token { offset, .. } => *offset,
        }
    }

    /// The token rule that failed, if it was one.
    pub fn kind(&self) -> Option<TokenErrorKind> {
        match self {
            TokenError::Token { kind, .. } => Some(*kind),
            _ => None,
        }
    }

    /// The SOAP fault a receiver answers with. A missing or wrong Framework
    /// header gives the Liberty `sbf:FrameworkVersionMismatch` fault; the rest
    /// are the caller's fault (`Client`/`Sender`). Add the platform's error
    /// list and CallUUID with [`FaultBuilder::error`] and [`FaultBuilder::call`].
    pub fn fault(&self, version: SoapVersion, message: &'static str) -> FaultBuilder<'static> {
        let builder = FaultBuilder::new(version, StandardCode::Sender, message);
        match self.kind() {
            Some(TokenErrorKind::FrameworkVersionMismatch) => {
                builder.clone().subcode(crate::ns::SBF, "FrameworkVersionMismatch").unwrap_or(builder)
            }
            _ => builder,
        }
    }
}

impl fmt::Display for TokenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TokenError::Message(e) => e.fmt(f),
            TokenError::Issuer(e) => write!(f, "assertion issuer: {e}"),
            TokenError::Token { kind, offset } => write!(f, "{kind} at byte {offset}"),
        }
    }
}

impl std::error::Error for TokenError {}

impl From<VerifyError> for TokenError {
    fn from(e: VerifyError) -> Self {
        TokenError::Message(e)
    }
}
