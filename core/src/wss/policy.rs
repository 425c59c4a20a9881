//! What a verification accepts and requires: a plain struct with secure defaults.

use crate::cert::CertificatePolicy;
use crate::dsig::{DigestAlgorithm, SignatureAlgorithm, SignatureLimits};
use crate::Limits;

/// The parts of a SOAP message that must be covered by a verified reference.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RequiredCoverage {
    /// The SOAP Body. Default true.
    pub body: bool,
    /// The `wsu:Timestamp`, when there is one. Default true.
    pub timestamp: bool,
    /// Every WS-Addressing 1.0 header present. Default true.
    pub addressing: bool,
    /// The `sbf:Framework` header, when present. Default true.
    pub framework: bool,
    /// Every header block with `mustUnderstand` (the Security header itself excepted). Default true.
    pub must_understand: bool,
}

impl Default for RequiredCoverage {
    fn default() -> Self {
        RequiredCoverage { body: true, timestamp: true, addressing: true, framework: true, must_understand: true }
    }
}

/// A verification policy. The defaults are the secure ones: SHA-2 only,
/// RSA keys of 2048 bits or more, a Timestamp required and checked with five
/// minutes of clock skew and a maximum age of five minutes, and every part a
/// gateway routes on required to be signed.
///
/// ```
/// let mut policy = kuvert::VerifyPolicy::default();
/// policy.clock_skew_seconds = 60;
/// assert!(!policy.signature_algorithms.contains(&kuvert::SignatureAlgorithm::RsaSha1));
/// ```
#[derive(Clone, Debug)]
pub struct VerifyPolicy {
    /// Accepted signature algorithms. Default: [`SignatureAlgorithm::DEFAULT`] (no SHA-1).
    pub signature_algorithms: Vec<SignatureAlgorithm>,
    /// Accepted digest algorithms. Default: [`DigestAlgorithm::DEFAULT`] (no SHA-1).
    pub digest_algorithms: Vec<DigestAlgorithm>,
    /// What must be signed.
    pub coverage: RequiredCoverage,
    /// Refuse messages without a `wsu:Timestamp`. Default true.
    pub require_timestamp: bool,
    /// Tolerated clock difference, in seconds. Default 300.
    pub clock_skew_seconds: u32,
    /// Oldest accepted `wsu:Created`, in seconds before the verification time
    /// (plus the skew); `None` for no limit. Default `Some(300)`.
    pub max_age_seconds: Option<u32>,
    /// Rules for the signer's certificate.
    pub certificates: CertificatePolicy,
    /// Limits on signatures, references and transforms.
    pub signature_limits: SignatureLimits,
    /// XML limits for reading the message.
    pub limits: Limits,
    /// Validated certificates kept for repeated callers (entries). Default 1024.
    pub certificate_cache: usize,
}

impl Default for VerifyPolicy {
    fn default() -> Self {
        VerifyPolicy {
            signature_algorithms: SignatureAlgorithm::DEFAULT.to_vec(),
            digest_algorithms: DigestAlgorithm::DEFAULT.to_vec(),
            coverage: RequiredCoverage::default(),
            require_timestamp: true,
            clock_skew_seconds: 300,
            max_age_seconds: Some(300),
            certificates: CertificatePolicy::default(),
            signature_limits: SignatureLimits::default(),
            limits: Limits::default(),
            certificate_cache: 1024,
        }
    }
}

impl VerifyPolicy {
    /// Also accepts RSA-SHA1 signatures and SHA-1 digests (legacy senders only).
    pub fn allow_sha1(mut self) -> Self {
        if !self.signature_algorithms.contains(&SignatureAlgorithm::RsaSha1) {
            self.signature_algorithms.push(SignatureAlgorithm::RsaSha1);
        }
        if !self.digest_algorithms.contains(&DigestAlgorithm::Sha1) {
            self.digest_algorithms.push(DigestAlgorithm::Sha1);
        }
        self
    }
}
