//! What a token-model verification requires: the profile, the message and
//! issuer rules, bounds on the assertion, and cache sizes. Plain structs with
//! secure defaults.

use crate::cert::CertificatePolicy;
use crate::wss::VerifyPolicy;

/// The SOAP binding a token-model message follows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Profile {
    /// Liberty Basic SOAP Binding as Serviceplatformen uses it: SOAP 1.1, the
    /// `sbf:Framework` header (version 2.0, basic profile) required and signed.
    LibBas,
    /// OIO-IDWS SOAP binding: SOAP 1.2; `sbf:Framework` not required (checked and
    /// required to be signed when present).
    OioIdws,
}

/// Whose audience the assertion must name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Audience<'a> {
    /// The called service's entity ID: some `Audience` of every
    /// `AudienceRestriction` must equal it.
    Expect(&'a str),
    /// The caller checks [`TokenClaims::audience_restrictions`](super::TokenClaims::audience_restrictions)
    /// itself (e.g. in its service-agreement decision, once the endpoint is known).
    CheckedByCaller,
}

/// Bounds on what one assertion may hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SamlLimits {
    /// Most `Attribute` elements. Default 64.
    pub max_attributes: usize,
    /// Most values of one attribute. Default 64.
    pub max_attribute_values: usize,
    /// Most `Audience` elements over all restrictions. Default 16.
    pub max_audiences: usize,
    /// Most holder-of-key subject confirmations read (the profile needs one). Default 4.
    pub max_confirmations: usize,
    /// Largest decoded privilege list, in bytes. Default 256 KiB.
    pub max_privilege_bytes: usize,
    /// Most privileges plus constraints in the privilege list. Default 4096.
    pub max_privileges: usize,
}

impl Default for SamlLimits {
    fn default() -> Self {
        SamlLimits {
            max_attributes: 64,
            max_attribute_values: 64,
            max_audiences: 16,
            max_confirmations: 4,
            max_privilege_bytes: 256 << 10,
            max_privileges: 4096,
        }
    }
}

/// A token-model verification policy.
///
/// The message part (`message`) carries the algorithms, the clock skew, the
/// Timestamp rules, the XML and signature limits, and the rules for a
/// holder-of-key certificate; its coverage is raised to what the profile
/// requires (Body, Timestamp, every WS-Addressing header, the Framework
/// header, the assertion or its token reference). A Timestamp is always
/// required. The issuer's signature is checked with the same algorithms.
///
/// ```
/// let policy = kuvert::TokenPolicy::new(kuvert::Profile::LibBas);
/// assert_eq!(policy.message.clock_skew_seconds, 300);
/// assert!(policy.assertion_cache > 0);
/// ```
#[derive(Clone, Debug)]
pub struct TokenPolicy {
    /// The SOAP binding.
    pub profile: Profile,
    /// Rules for the message signature (see above).
    pub message: VerifyPolicy,
    /// Rules for the issuer's (STS) certificate.
    pub issuer_certificates: CertificatePolicy,
    /// Bounds on the assertion.
    pub saml_limits: SamlLimits,
    /// Verified assertions kept by their bytes for recurring callers (entries;
    /// 0 disables). An entry is used only inside its validity window. Default 1024.
    pub assertion_cache: usize,
    /// Capacity of the default in-memory MessageID replay cache. Default 262,144
    /// (ten minutes at over 400 calls/s).
    pub replay_capacity: usize,
}

impl TokenPolicy {
    /// The secure defaults for `profile`.
    pub fn new(profile: Profile) -> Self {
        TokenPolicy {
            profile,
            message: VerifyPolicy::default(),
            issuer_certificates: CertificatePolicy::default(),
            saml_limits: SamlLimits::default(),
            assertion_cache: 1024,
            replay_capacity: 1 << 18,
        }
    }
}

impl Default for TokenPolicy {
    /// [`Profile::LibBas`] with the secure defaults.
    fn default() -> Self {
        TokenPolicy::new(Profile::LibBas)
    }
}
