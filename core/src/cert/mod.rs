//! X.509 certificates: trust anchors, chain validation (rustls-webpki on
//! aws-lc-rs), OCES identity, verification keys, and a bounded cache.
//!
//! - [`TrustAnchors`] owns the trusted certificates: CA certificates anchor
//!   paths; any trusted certificate is also accepted as itself when a leaf's
//!   DER equals it exactly (pinning).
//! - [`CertificatePolicy`] holds the rules beyond a valid path (RSA size,
//!   KeyUsage, number of intermediates, ExtendedKeyUsage), with a secure default.
//! - [`CertificateIdentity`] is what a certificate names, including the OCES2
//!   (`CVR:…-FID:…`/`CVR:…-UID:…`) and OCES3 (`UI:DK-O:G:<uuid>` +
//!   `NTRDK-<cvr>`) identities.
//! - `VerificationKey` checks XML-DSig signature values with aws-lc-rs
//!   keys parsed once per algorithm.
//! - `CertValidator` validates a leaf with its intermediates at a given time
//!   and caches the result, bounded, for the path's whole validity window.
//!
//! Nothing here reads a clock or a file: callers pass bytes and the time.

mod anchors;
mod cache;
mod error;
mod identity;
mod key;
mod parse;
mod policy;
mod validate;

#[cfg(test)]
mod fixtures;

pub use anchors::TrustAnchors;
pub use error::CertError;
pub use identity::CertificateIdentity;
pub use key::{KeyKind, KeyVerifyError};
pub use policy::CertificatePolicy;

pub(crate) use cache::{BoundedCache, CacheKey};
pub(crate) use key::VerificationKey;
#[cfg(test)]
pub(crate) use parse::parse_certificate;
pub(crate) use validate::{cached_or, CertValidator, ValidatedCert};
