//! Errors of the SOAP layer: envelope structure, headers, faults, and the
//! platform call context.

use std::fmt;

use crate::xml::{XmlError, XmlErrorKind};

/// What is wrong with a SOAP message's structure.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SoapErrorKind {
    /// The root element is not a SOAP `Envelope`.
    NotAnEnvelope,
    /// An `Envelope` in a namespace that is neither SOAP 1.1 nor SOAP 1.2.
    VersionMismatch,
    /// `Header` or `Body` of the other SOAP version than the `Envelope`.
    MixedVersions,
    /// No `Body`.
    MissingBody,
    /// A second `Body`.
    DuplicateBody,
    /// A second `Header`, or a `Header` after the `Body`.
    MisplacedHeader,
    /// An element where the envelope structure allows none (e.g. after the `Body`).
    UnexpectedElement,
    /// Non-whitespace text where the structure allows only elements.
    UnexpectedText,
    /// A header block without a namespace.
    UnqualifiedHeaderBlock,
    /// More header blocks than [`Limits::max_header_blocks`](crate::Limits).
    TooManyHeaderBlocks {
        /// The configured limit.
        limit: usize,
    },
    /// A `mustUnderstand` value that is not an `xs:boolean`.
    InvalidMustUnderstand,
    /// A WS-Addressing, Framework, RequestHeader or Security header that occurs twice.
    DuplicateHeader,
    /// A WS-Addressing header whose content is malformed (e.g. an endpoint reference without `Address`).
    InvalidAddressing,
    /// An `sbf:Framework` header without a `version`.
    InvalidFramework,
    /// A KOMBIT `RequestHeader` without exactly one `TransactionUUID`, or with other content.
    InvalidRequestHeader,
    /// An element inside a header or fault value that must hold only text.
    UnexpectedChildElement,
    /// A SOAP fault that does not follow its version's schema.
    InvalidFault,
    /// The `wsse:Security` header could not be processed for verification.
    InvalidSecurityHeader,
}

impl SoapErrorKind {
    /// A stable, machine-readable name for this kind.
    pub fn code(&self) -> &'static str {
        use SoapErrorKind::*;
        match self {
            NotAnEnvelope => "soap.not_an_envelope",
            VersionMismatch => "soap.version_mismatch",
            MixedVersions => "soap.mixed_versions",
            MissingBody => "soap.missing_body",
            DuplicateBody => "soap.duplicate_body",
            MisplacedHeader => "soap.misplaced_header",
            UnexpectedElement => "soap.unexpected_element",
            UnexpectedText => "soap.unexpected_text",
            UnqualifiedHeaderBlock => "soap.unqualified_header_block",
            TooManyHeaderBlocks { .. } => "limit.header_blocks",
            InvalidMustUnderstand => "soap.invalid_must_understand",
            DuplicateHeader => "soap.duplicate_header",
            InvalidAddressing => "soap.invalid_addressing",
            InvalidFramework => "soap.invalid_framework",
            InvalidRequestHeader => "soap.invalid_request_header",
            UnexpectedChildElement => "soap.unexpected_child_element",
            InvalidFault => "soap.invalid_fault",
            InvalidSecurityHeader => "soap.invalid_security_header",
        }
    }
}

impl fmt::Display for SoapErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use SoapErrorKind::*;
        let s = match self {
            NotAnEnvelope => "the root element is not a SOAP Envelope",
            VersionMismatch => "Envelope in an unknown namespace (SOAP version mismatch)",
            MixedVersions => "Header or Body of a different SOAP version than the Envelope",
            MissingBody => "the Envelope has no Body",
            DuplicateBody => "a second Body",
            MisplacedHeader => "a second Header, or a Header after the Body",
            UnexpectedElement => "element not allowed here by the SOAP envelope structure",
            UnexpectedText => "text not allowed here by the SOAP envelope structure",
            UnqualifiedHeaderBlock => "header block without a namespace",
            TooManyHeaderBlocks { limit } => return write!(f, "more than {limit} header blocks"),
            InvalidMustUnderstand => "mustUnderstand is not a boolean",
            DuplicateHeader => "header occurs twice",
            InvalidAddressing => "malformed WS-Addressing header",
            InvalidFramework => "sbf:Framework header without a version",
            InvalidRequestHeader => "RequestHeader must hold exactly one TransactionUUID",
            UnexpectedChildElement => "element inside a text-only value",
            InvalidFault => "malformed SOAP fault",
            InvalidSecurityHeader => "the Security header could not be processed",
        };
        f.write_str(s)
    }
}

/// A SOAP structure error with the byte offset where it was detected.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SoapError {
    kind: SoapErrorKind,
    offset: usize,
}

impl SoapError {
    pub(crate) fn new(kind: SoapErrorKind, offset: usize) -> Self {
        SoapError { kind, offset }
    }

    /// What is wrong.
    pub fn kind(&self) -> SoapErrorKind {
        self.kind
    }

    /// Byte offset in the input.
    pub fn offset(&self) -> usize {
        self.offset
    }
}

impl fmt::Display for SoapError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at byte {}", self.kind, self.offset)
    }
}

impl std::error::Error for SoapError {}

/// What is wrong with an InvocationContext, AuthorityContext or CallContext,
/// measured against the platform's schemas.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ContextErrorKind {
    /// A UUID field that is not a lower-case UUID.
    InvalidUuid,
    /// `MunicipalityCVR` that is not eight digits.
    InvalidCvr,
    /// A text field longer than the schema's `maxLength` (characters).
    TooLong {
        /// The schema's maximum length in characters.
        limit: usize,
    },
    /// A required field is missing; the field's name.
    MissingField(&'static str),
    /// A field occurs twice.
    DuplicateField,
    /// A child element the schema does not define.
    UnknownField,
    /// The same context element occurs twice.
    DuplicateContext,
    /// A context element after the payload started (contexts come first).
    ContextAfterPayload,
    /// An element inside a field, or text directly inside a context element.
    UnexpectedContent,
}

impl ContextErrorKind {
    /// A stable, machine-readable name for this kind.
    pub fn code(&self) -> &'static str {
        use ContextErrorKind::*;
        match self {
            InvalidUuid => "context.invalid_uuid",
            InvalidCvr => "context.invalid_cvr",
            TooLong { .. } => "context.too_long",
            MissingField(_) => "context.missing_field",
            DuplicateField => "context.duplicate_field",
            UnknownField => "context.unknown_field",
            DuplicateContext => "context.duplicate_context",
            ContextAfterPayload => "context.after_payload",
            UnexpectedContent => "context.unexpected_content",
        }
    }
}

impl fmt::Display for ContextErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use ContextErrorKind::*;
        match self {
            InvalidUuid => f.write_str("not a lower-case UUID"),
            InvalidCvr => f.write_str("MunicipalityCVR must be exactly eight digits"),
            TooLong { limit } => write!(f, "longer than {limit} characters"),
            MissingField(name) => write!(f, "required field {name} is missing"),
            DuplicateField => f.write_str("field occurs twice"),
            UnknownField => f.write_str("element not defined by the context schema"),
            DuplicateContext => f.write_str("context element occurs twice"),
            ContextAfterPayload => f.write_str("context element after the payload (contexts come first)"),
            UnexpectedContent => f.write_str("unexpected element or text in a context"),
        }
    }
}

/// A call-context error with the byte offset of the offending element or value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ContextError {
    kind: ContextErrorKind,
    offset: usize,
}

impl ContextError {
    pub(crate) fn new(kind: ContextErrorKind, offset: usize) -> Self {
        ContextError { kind, offset }
    }

    /// What is wrong.
    pub fn kind(&self) -> ContextErrorKind {
        self.kind
    }

    /// Byte offset in the input.
    pub fn offset(&self) -> usize {
        self.offset
    }
}

impl fmt::Display for ContextError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at byte {}", self.kind, self.offset)
    }
}

impl std::error::Error for ContextError {}

/// Why a message could not be read as a SOAP envelope.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EnvelopeError {
    /// Not well-formed, badly encoded, or over a limit.
    Xml(XmlError),
    /// Well-formed, but not a valid SOAP message.
    Soap(SoapError),
    /// A valid SOAP message whose call context breaks the platform's schema.
    Context(ContextError),
}

impl EnvelopeError {
    /// Byte offset in the original input.
    pub fn offset(&self) -> usize {
        match self {
            EnvelopeError::Xml(e) => e.offset(),
            EnvelopeError::Soap(e) => e.offset(),
            EnvelopeError::Context(e) => e.offset(),
        }
    }

    /// A stable, machine-readable name, e.g. `xml.doctype_forbidden`, `soap.missing_body`.
    pub fn code(&self) -> &'static str {
        match self {
            EnvelopeError::Xml(e) => e.code(),
            EnvelopeError::Soap(e) => e.kind().code(),
            EnvelopeError::Context(e) => e.kind().code(),
        }
    }

    /// The XML error kind, when this is an XML error.
    pub fn xml_kind(&self) -> Option<XmlErrorKind> {
        match self {
            EnvelopeError::Xml(e) => Some(e.kind()),
            _ => None,
        }
    }

    pub(crate) fn soap(kind: SoapErrorKind, offset: usize) -> Self {
        EnvelopeError::Soap(SoapError::new(kind, offset))
    }

    pub(crate) fn context(kind: ContextErrorKind, offset: usize) -> Self {
        EnvelopeError::Context(ContextError::new(kind, offset))
    }

    pub(crate) fn map_offset(self, f: impl Fn(usize) -> usize) -> Self {
        match self {
            EnvelopeError::Xml(e) => EnvelopeError::Xml(XmlError::new(e.kind(), f(e.offset()))),
            EnvelopeError::Soap(e) => EnvelopeError::Soap(SoapError::new(e.kind(), f(e.offset()))),
            EnvelopeError::Context(e) => EnvelopeError::Context(ContextError::new(e.kind(), f(e.offset()))),
        }
    }
}

impl From<XmlError> for EnvelopeError {
    fn from(e: XmlError) -> Self {
        EnvelopeError::Xml(e)
    }
}

impl fmt::Display for EnvelopeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EnvelopeError::Xml(e) => e.fmt(f),
            EnvelopeError::Soap(e) => e.fmt(f),
            EnvelopeError::Context(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for EnvelopeError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            EnvelopeError::Xml(e) => Some(e),
            EnvelopeError::Soap(e) => Some(e),
            EnvelopeError::Context(e) => Some(e),
        }
    }
}
