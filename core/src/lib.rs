//! # kuvert
//!
//! The message core of a SOAP gateway for the Danish municipal integration
//! platform (Serviceplatformen) and its sister systems: it reads SOAP
//! envelopes without copying, extracts the platform call context, reads and
//! writes faults.
//!
//! Everything here is synchronous, does no I/O and keeps no global state.
//! Inputs are bytes; results borrow from them.
//!
//! ```
//! use kuvert::{Envelope, Input, Limits};
//!
//! let raw = br#"<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/">
//!   <soap:Body>
//!     <m:Lookup xmlns:m="urn:example" xmlns:ac="http://serviceplatformen.dk/xml/schemas/AuthorityContext/1/">
//!       <ac:AuthorityContext><ac:MunicipalityCVR>29189846</ac:MunicipalityCVR></ac:AuthorityContext>
//!       <m:Query>x</m:Query>
//!     </m:Lookup>
//!   </soap:Body>
//! </soap:Envelope>"#;
//! let limits = Limits::default();
//! let input = Input::new(raw, &limits)?;
//! let envelope = Envelope::parse(&input, &limits)?;
//! let cvr = envelope.authority_context().unwrap().municipality_cvr;
//! assert_eq!(cvr.to_string(), "29189846");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## Secure defaults
//! DOCTYPE is refused, only the five predefined entities and character
//! references are accepted, and every size, depth and count is bounded by
//! [`Limits`]. Names are resolved by namespace URI, never by prefix.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod authz;
mod c14n;
mod cert;
mod dsig;
mod ids;
mod limits;
mod soap;
mod stream;
mod time;
mod token;
mod wss;
mod xml;

pub use authz::{
    audit_channel, audit_line, Accounting, AccountingInfo, AccountingLimits, Agreement, AgreementState, Allowed,
    AuditDrain, AuditError, AuditSender, Authority, Call, CallInfo, CallerCertificate, CaseRef, Connection,
    Credentials, Denial, DenyReason, Environment, InvocationIds, PrivilegeGrants, Quarter, RegisteredCertificate,
    Registry, RegistryBuilder, RegistryError, RegistryErrorKind, ResponseClass, SecurityModel, SecurityModels, Service,
    ServiceKind, SharedRegistry, System, TokenCall, UsageRow,
};
pub use c14n::{
    canonicalize_document, canonicalize_node_set, AttributeNode, C14nMethod, ElementNode, NodeFilter, Sink,
};
pub use cert::{CertError, CertificateIdentity, CertificatePolicy, KeyKind, KeyVerifyError, TrustAnchors};
pub use dsig::{
    DigestAlgorithm, KeyError, SignatureAlgorithm, SignatureError, SignatureErrorKind, SignatureLimits, SignedPart,
    SigningKey, UnknownAlgorithm, Unsupported, VerifyError,
};
pub use ids::{Cvr, InvalidCvr, InvalidUuid, Uuid};
pub use limits::Limits;
pub use soap::{
    Addressing, AuthorityContext, CallContext, ContextError, ContextErrorKind, Element, Envelope, EnvelopeError, Fault,
    FaultBuilder, FaultCode, Framework, HeaderBlock, InvalidSubcode, InvocationContext, QName, ServiceplatformError,
    SoapError, SoapErrorKind, SoapVersion, StandardCode, TextValue,
};
#[cfg(feature = "async")]
pub use stream::{pass_through, AsyncStreamError, CheckedBody};
pub use stream::{
    Handler, Pipeline, ServiceLevel, SignatureVerdict, Status, StreamAttr, StreamError, StreamErrorKind, StreamEvent,
    StreamLimits, StreamName, StreamParser, StreamReport, StreamStart,
};
pub use time::{InvalidTime, UtcTime};
pub use token::{
    sign_token_request, Audience, MemoryReplayCache, PrivilegeConstraint, PrivilegeGroup, PrivilegeList, Profile,
    ReplayCache, ReplayError, RequiredHeader, SamlLimits, TokenAttribute, TokenClaims, TokenError, TokenErrorKind,
    TokenPolicy, TokenSignOptions, TokenVerified, TokenVerifier,
};
pub use wss::{
    sign_message, sign_template, RequiredCoverage, SignError, SignOptions, SignedElement, Verified, VerifiedDocument,
    Verifier, VerifyPolicy,
};
pub use xml::{line_column, uri as ns, Encoding, Input, Span, XmlError, XmlErrorKind};

/// Hooks for the fuzz targets (feature `fuzzing`, off by default): not API,
/// no stability promise.
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzzing {
    /// The streaming parser's events as lines, read plainly, and with runs
    /// of simple markup taken above a depth and read back into events.
    pub use crate::stream::readback::{events_only as stream_events, events_taking_runs as stream_events_taking_runs};
}
