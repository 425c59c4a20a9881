//! Certificate validation: policy, validity, a path to a trust anchor (or a
//! pinned match), and a bounded cache of the results.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use rustls_pki_types::{CertificateDer, SignatureVerificationAlgorithm, UnixTime};
use webpki::aws_lc_rs as algs;

use crate::time::UtcTime;

use super::cache::{BoundedCache, CacheKey};
use super::identity::utc;
use super::parse::{check_leaf_usage, check_window, parse_certificate, parse_x509};
use super::policy::EkuPolicy;
use super::{CertError, CertificateIdentity, CertificatePolicy, TrustAnchors, VerificationKey};

/// Signature algorithms accepted on certificates of a path (no SHA-1, no RSA under 2048 bits).
static CHAIN_ALGORITHMS: &[&dyn SignatureVerificationAlgorithm] = &[
    algs::RSA_PKCS1_2048_8192_SHA256,
    algs::RSA_PKCS1_2048_8192_SHA384,
    algs::RSA_PKCS1_2048_8192_SHA512,
    algs::RSA_PKCS1_2048_8192_SHA256_ABSENT_PARAMS,
    algs::RSA_PKCS1_2048_8192_SHA384_ABSENT_PARAMS,
    algs::RSA_PKCS1_2048_8192_SHA512_ABSENT_PARAMS,
    algs::RSA_PSS_2048_8192_SHA256_LEGACY_KEY,
    algs::RSA_PSS_2048_8192_SHA384_LEGACY_KEY,
    algs::RSA_PSS_2048_8192_SHA512_LEGACY_KEY,
    algs::ECDSA_P256_SHA256,
    algs::ECDSA_P256_SHA384,
    algs::ECDSA_P256_SHA512,
    algs::ECDSA_P384_SHA256,
    algs::ECDSA_P384_SHA384,
    algs::ECDSA_P384_SHA512,
    algs::ECDSA_P521_SHA256,
    algs::ECDSA_P521_SHA384,
    algs::ECDSA_P521_SHA512,
];

/// A certificate that passed validation, with the validity window of its
/// whole path: any time inside `[valid_from, valid_until]` gives the same answer.
#[derive(Debug)]
pub(crate) struct ValidatedCert {
    /// Who the certificate names.
    pub identity: CertificateIdentity,
    /// Its public key, ready to verify signatures.
    pub key: VerificationKey,
    /// Latest notBefore over the leaf, the intermediates used and the anchor.
    pub valid_from: UtcTime,
    /// Earliest notAfter over the leaf, the intermediates used and the anchor.
    pub valid_until: UtcTime,
    /// Trusted because its DER equals a trusted certificate, not through a path.
    #[cfg_attr(not(test), allow(dead_code))] // read by the tests
    pub pinned: bool,
}

impl ValidatedCert {
    /// Whether `at` is inside the path's validity window.
    pub(crate) fn valid_at(&self, at: UtcTime) -> bool {
        self.valid_from <= at && at <= self.valid_until
    }
}

/// Trust anchors, a policy and a bounded cache of validations; `Send + Sync`.
pub(crate) struct CertValidator {
    anchors: TrustAnchors,
    policy: CertificatePolicy,
    cache: BoundedCache<ValidatedCert>,
    /// Certificates vouched for ([`vouched`](Self::vouched)), apart: no key
    /// of a path validation can find one.
    vouched: BoundedCache<ValidatedCert>,
    /// Issuing CAs the caller configured: offered for path building, not
    /// trusted by themselves, and not counted against `max_intermediates`.
    configured: Vec<Vec<u8>>,
}

impl fmt::Debug for CertValidator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CertValidator")
            .field("anchors", &self.anchors)
            .field("policy", &self.policy)
            .field("cache_capacity", &self.cache.capacity())
            .finish()
    }
}

impl CertValidator {
    /// A validator caching at most `cache_capacity` results (0: no cache).
    pub(crate) fn new(anchors: TrustAnchors, policy: CertificatePolicy, cache_capacity: usize) -> Self {
        let (cache, vouched) = (BoundedCache::new(cache_capacity), BoundedCache::new(cache_capacity));
        CertValidator { anchors, policy, cache, vouched, configured: Vec::new() }
    }

    /// Number of cached validations.
    #[cfg_attr(not(test), allow(dead_code))] // read by the tests
    pub(crate) fn cached(&self) -> usize {
        self.cache.len()
    }

    /// [`parse_certificate`] under this validator's policy (no trust checks).
    pub(crate) fn parse(&self, der: &[u8]) -> Result<(CertificateIdentity, VerificationKey), CertError> {
        parse_certificate(der, &self.policy)
    }

    /// Offers an issuing CA certificate for path building (validations cached so
    /// far stay valid: adding a candidate never invalidates a path found).
    pub(crate) fn add_intermediate(&mut self, der: &[u8]) {
        self.configured.push(der.to_vec());
    }

    /// Validates `leaf_der` at `at`, with the intermediates the message carried
    /// (at most `max_intermediates`) and the configured ones.
    /// A cached result is returned (the same `Arc`) when `at` is inside its window.
    pub(crate) fn validate(
        &self,
        leaf_der: &[u8],
        intermediates: &[&[u8]],
        at: UtcTime,
    ) -> Result<Arc<ValidatedCert>, CertError> {
        if intermediates.len() > self.policy.max_intermediates {
            return Err(CertError::ChainTooLong);
        }
        let key = CacheKey { leaf: leaf_der, intermediates };
        cached_or(&self.cache, &key, at, || self.validate_uncached(leaf_der, intermediates, at).map(Arc::new))
    }

    /// A certificate vouched for by someone this validator's caller trusts (a
    /// token issuer that bound it to a token): the certificate's own rules
    /// (key, KeyUsage, validity at `at`) are checked, not a path. Cached like
    /// [`validate`](Self::validate), in a cache of its own.
    pub(crate) fn vouched(&self, der: &[u8], at: UtcTime) -> Result<Arc<ValidatedCert>, CertError> {
        let key = CacheKey { leaf: der, intermediates: &[] };
        cached_or(&self.vouched, &key, at, || self.checked_by_itself(der, at).map(Arc::new))
    }

    /// The certificate's own rules at `at` (key, KeyUsage, validity), no path:
    /// valid over its own validity period.
    fn checked_by_itself(&self, der: &[u8], at: UtcTime) -> Result<ValidatedCert, CertError> {
        let cert = parse_x509(der)?;
        let identity = CertificateIdentity::from_cert(&cert, der)?;
        let key = VerificationKey::from_spki(cert.public_key(), &self.policy)?;
        check_leaf_usage(&cert, &self.policy)?;
        check_window(identity.not_before, identity.not_after, at)?;
        let (valid_from, valid_until) = (identity.not_before, identity.not_after);
        Ok(ValidatedCert { identity, key, valid_from, valid_until, pinned: false })
    }

    fn validate_uncached(&self, leaf: &[u8], intermediates: &[&[u8]], at: UtcTime) -> Result<ValidatedCert, CertError> {
        let mut checked = self.checked_by_itself(leaf, at)?;
        checked.pinned = self.anchors.is_pinned(leaf);
        if !checked.pinned {
            let (from, until) = self.path_window(leaf, intermediates, at)?;
            checked.valid_from = checked.valid_from.max(from);
            checked.valid_until = checked.valid_until.min(until);
            check_window(checked.valid_from, checked.valid_until, at)?;
        }
        Ok(checked)
    }

    /// Builds a path with rustls-webpki; returns the validity window of the
    /// intermediates used and the anchor.
    fn path_window(&self, leaf: &[u8], intermediates: &[&[u8]], at: UtcTime) -> Result<(UtcTime, UtcTime), CertError> {
        let leaf = CertificateDer::from(leaf);
        let ee = webpki::EndEntityCert::try_from(&leaf).map_err(|e| CertError::from_webpki(&e))?;
        let carried = intermediates.iter().copied();
        let configured = self.configured.iter().map(Vec::as_slice);
        let inter: Vec<CertificateDer<'_>> = carried.chain(configured).map(CertificateDer::from).collect();
        let time = UnixTime::since_unix_epoch(Duration::from_secs(u64::try_from(at.unix_seconds()).unwrap_or(0)));
        let anchors = self.anchors.webpki();
        let eku = EkuPolicy(self.policy.extended_key_usage);
        let path = ee
            .verify_for_usage(CHAIN_ALGORITHMS, anchors, &inter, time, eku, None, None)
            .map_err(|e| CertError::from_webpki(&e))?;
        let mut window = (UtcTime::from_unix_millis(i64::MIN), UtcTime::from_unix_millis(i64::MAX));
        for cert in path.intermediate_certificates() {
            let der = cert.der();
            let parsed = parse_x509(der.as_ref())?;
            let v = parsed.validity();
            window = (window.0.max(utc(&v.not_before)), window.1.min(utc(&v.not_after)));
        }
        let used = path.anchor();
        let used = anchors.iter().position(|a| {
            a.subject.as_ref() == used.subject.as_ref()
                && a.subject_public_key_info.as_ref() == used.subject_public_key_info.as_ref()
        });
        let (from, until) = used.and_then(|i| self.anchors.ca_validity(i)).ok_or(CertError::UntrustedIssuer)?;
        Ok((window.0.max(from), window.1.min(until)))
    }
}

/// The validated certificate `cache` holds for `key` while it is valid at
/// `at`, or else what `check` gives (kept when it succeeds).
pub(crate) fn cached_or<E>(
    cache: &BoundedCache<ValidatedCert>,
    key: &CacheKey<'_>,
    at: UtcTime,
    check: impl FnOnce() -> Result<Arc<ValidatedCert>, E>,
) -> Result<Arc<ValidatedCert>, E> {
    if let Some(hit) = cache.get(key).filter(|hit| hit.valid_at(at)) {
        return Ok(hit);
    }
    let checked = check()?;
    cache.insert(key, Arc::clone(&checked));
    Ok(checked)
}

#[cfg(test)]
#[path = "validate_tests.rs"]
mod tests;
