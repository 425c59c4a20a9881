use std::sync::Arc;

use super::*;
use crate::cert::fixtures::*;
use crate::cert::KeyKind;

const CLIENT_AUTH: &[u8] = &[0x2b, 6, 1, 5, 5, 7, 3, 2];

fn roots() -> TrustAnchors {
    let mut anchors = TrustAnchors::new();
    assert_eq!(anchors.add_pem(TRUST_BUNDLE_PEM), Ok(2));
    anchors
}

fn validator(policy: CertificatePolicy) -> CertValidator {
    CertValidator::new(roots(), policy, 100)
}

fn refusal(leaf: &[u8], intermediates: &[&[u8]]) -> CertError {
    validator(CertificatePolicy::default()).validate(leaf, intermediates, y2030()).unwrap_err()
}

#[test]
fn oces2_chain_validates() {
    let v = validator(CertificatePolicy::default());
    let ok = v.validate(OCES2_LEAF, &[OCES2_CA], y2030()).unwrap();
    assert_eq!(ok.identity.cvr.unwrap().to_string(), "11111111");
    assert_eq!(ok.key.bits(), 2048);
    assert!(!ok.pinned);
    assert_eq!((ok.valid_from, ok.valid_until), (at("2024-01-01T00:00:00Z"), at("2045-01-01T00:00:00Z")));
}

#[test]
fn oces3_rsa_pss_chain_validates() {
    let v = validator(CertificatePolicy::default());
    let ok = v.validate(OCES3_LEAF, &[OCES3_CA], y2030()).unwrap();
    assert_eq!(ok.identity.uuid.unwrap().to_string(), "7a3c0b1e-2f4d-4c5e-9a8b-1c2d3e4f5a6b");
    assert_eq!(ok.key.bits(), 3072);
    // The intermediate may come in any order among others.
    assert!(v.validate(OCES3_LEAF, &[OCES2_CA, OCES3_CA], y2030()).is_ok());
}

#[test]
fn ecdsa_leaves_validate() {
    let v = validator(CertificatePolicy::default());
    assert_eq!(v.validate(EC_P256_LEAF, &[OCES2_CA], y2030()).unwrap().key.kind(), KeyKind::EcP256);
    assert_eq!(v.validate(EC_P384_LEAF, &[OCES2_CA], y2030()).unwrap().key.kind(), KeyKind::EcP384);
}

#[test]
fn refusals() {
    assert_eq!(refusal(OCES2_LEAF, &[]), CertError::UntrustedIssuer);
    assert_eq!(refusal(OCES2_LEAF, &[OCES3_CA]), CertError::UntrustedIssuer);
    assert_eq!(refusal(LEAF_EXPIRED, &[OCES2_CA]), CertError::Expired);
    assert_eq!(refusal(LEAF_NOT_YET_VALID, &[OCES2_CA]), CertError::NotYetValid);
    assert_eq!(refusal(LEAF_KEY_ENCIPHERMENT, &[OCES2_CA]), CertError::MissingDigitalSignature);
    assert_eq!(refusal(LEAF_RSA1024, &[OCES2_CA]), CertError::KeyTooSmall);
    assert_eq!(refusal(LEAF_UNTRUSTED, &[]), CertError::UntrustedIssuer);
    assert_eq!(refusal(LEAF_UNTRUSTED, &[UNTRUSTED_ROOT]), CertError::UntrustedIssuer);
    assert_eq!(refusal(&OCES2_LEAF[1..], &[OCES2_CA]), CertError::Malformed);
    assert_eq!(refusal(OCES2_LEAF, &[OCES2_CA; 5]), CertError::ChainTooLong);
    assert!(validator(CertificatePolicy::default()).validate(OCES2_LEAF, &[OCES2_CA; 4], y2030()).is_ok());
    // A CA certificate is no signer: the root lacks digitalSignature, the CA is refused as end entity.
    assert_eq!(refusal(OCES2_ROOT, &[]), CertError::MissingDigitalSignature);
    let lax = CertificatePolicy { require_digital_signature: false, ..CertificatePolicy::default() };
    let v = validator(lax);
    assert!(v.validate(LEAF_KEY_ENCIPHERMENT, &[OCES2_CA], y2030()).is_ok());
    assert_eq!(v.validate(OCES2_CA, &[], y2030()).unwrap_err(), CertError::InvalidChain);
}

#[test]
fn validity_is_checked_at_the_given_time() {
    let v = validator(CertificatePolicy::default());
    assert_eq!(v.validate(OCES2_LEAF, &[OCES2_CA], at("2045-01-01T00:00:01Z")).unwrap_err(), CertError::Expired);
    assert_eq!(v.validate(OCES2_LEAF, &[OCES2_CA], at("2023-12-31T23:59:59Z")).unwrap_err(), CertError::NotYetValid);
    assert!(v.validate(OCES2_LEAF, &[OCES2_CA], at("2024-01-01T00:00:00Z")).is_ok());
    assert!(v.validate(LEAF_EXPIRED, &[OCES2_CA], at("2020-06-01T00:00:00Z")).is_err(), "CA not valid in 2020");
}

#[test]
fn extended_key_usage_policy() {
    let any = validator(CertificatePolicy::default());
    assert!(any.validate(LEAF_EKU_EMAIL, &[OCES2_CA], y2030()).is_ok());
    let client = validator(CertificatePolicy { extended_key_usage: Some(CLIENT_AUTH), ..CertificatePolicy::default() });
    assert_eq!(client.validate(LEAF_EKU_EMAIL, &[OCES2_CA], y2030()).unwrap_err(), CertError::ExtendedKeyUsage);
    assert!(client.validate(OCES2_LEAF, &[OCES2_CA], y2030()).is_ok(), "no EKU extension: accepted");
}

#[test]
fn pinned_self_signed_leaf() {
    assert_eq!(refusal(PINNED_SELFSIGNED, &[]), CertError::UntrustedIssuer);
    let mut anchors = TrustAnchors::new();
    anchors.add_der(PINNED_SELFSIGNED).unwrap();
    assert_eq!((anchors.len(), anchors.webpki().len()), (1, 0), "a pinned leaf never issues");
    let v = CertValidator::new(anchors, CertificatePolicy::default(), 10);
    let ok = v.validate(PINNED_SELFSIGNED, &[], y2030()).unwrap();
    assert!(ok.pinned);
    assert_eq!(ok.identity.fid.as_deref(), Some("20000009"));
    assert_eq!(v.validate(PINNED_SELFSIGNED, &[], at("2046-01-01T00:00:00Z")).unwrap_err(), CertError::Expired);
    assert_eq!(v.validate(OCES2_LEAF, &[OCES2_CA], y2030()).unwrap_err(), CertError::UntrustedIssuer);
}

#[test]
fn pinned_legacy_rsa_1024_with_a_relaxed_policy() {
    let mut anchors = TrustAnchors::new();
    anchors.add_der(LEAF_RSA1024).unwrap();
    let strict = CertValidator::new(anchors.clone(), CertificatePolicy::default(), 10);
    assert_eq!(strict.validate(LEAF_RSA1024, &[], y2030()).unwrap_err(), CertError::KeyTooSmall);
    let relaxed = CertificatePolicy { min_rsa_bits: 1024, ..CertificatePolicy::default() };
    let v = CertValidator::new(anchors, relaxed, 10);
    let ok = v.validate(LEAF_RSA1024, &[], y2030()).unwrap();
    assert!(ok.pinned);
    let alg = crate::dsig::SignatureAlgorithm::RsaSha256;
    assert_eq!(ok.key.verify(alg, TEST_MESSAGE, LEAF_RSA1024_SHA256_SIG), Ok(()));
    // Not pinned, the same policy still needs a path webpki accepts (RSA >= 2048 on the path).
    let chain = CertValidator::new(roots(), relaxed, 10);
    assert!(chain.validate(LEAF_RSA1024, &[OCES2_CA], y2030()).is_ok(), "1024-bit leaf, 4096-bit CA");
}

#[test]
fn cache_hits_return_the_same_arc_within_the_window() {
    let v = validator(CertificatePolicy::default());
    let first = v.validate(OCES2_LEAF, &[OCES2_CA], y2030()).unwrap();
    let again = v.validate(OCES2_LEAF, &[OCES2_CA], at("2040-06-01T12:00:00Z")).unwrap();
    assert!(Arc::ptr_eq(&first, &again));
    assert_eq!(v.cached(), 1);
    let other_chain = v.validate(OCES2_LEAF, &[OCES2_CA, OCES3_CA], y2030()).unwrap();
    assert!(!Arc::ptr_eq(&first, &other_chain));
    assert_eq!(v.cached(), 2);
    assert_eq!(v.validate(OCES2_LEAF, &[OCES2_CA], at("2046-01-01T00:00:00Z")).unwrap_err(), CertError::Expired);
    assert!(Arc::ptr_eq(&first, &v.validate(OCES2_LEAF, &[OCES2_CA], y2030()).unwrap()));
    assert!(v.validate(LEAF_EXPIRED, &[OCES2_CA], y2030()).is_err());
    assert_eq!(v.cached(), 2, "failures are not cached");
}

/// A certificate vouched for (a token holder's, not chained) is never what
/// a path validation finds, whatever intermediates come with it: an earlier
/// version kept both in one cache, the vouched ones under the intermediate
/// `b"vouched"`, which a message could carry (base64 `dm91Y2hlZA==`).
#[test]
fn vouched_certificates_are_not_found_by_path_validation() {
    let v = validator(CertificatePolicy::default());
    assert!(v.vouched(LEAF_UNTRUSTED, y2030()).is_ok(), "checked by itself");
    assert_eq!(v.cached(), 0, "kept apart from path validations");
    assert_eq!(v.validate(LEAF_UNTRUSTED, &[], y2030()).unwrap_err(), CertError::UntrustedIssuer);
    assert!(v.validate(LEAF_UNTRUSTED, &[b"vouched"], y2030()).is_err());
}

#[test]
fn cache_capacity_is_respected() {
    let v = CertValidator::new(roots(), CertificatePolicy::default(), 2);
    for (leaf, ca) in
        [(OCES2_LEAF, OCES2_CA), (OCES3_LEAF, OCES3_CA), (EC_P256_LEAF, OCES2_CA), (EC_P384_LEAF, OCES2_CA)]
    {
        v.validate(leaf, &[ca], y2030()).unwrap();
        assert!(v.cached() <= 2);
    }
    let none = CertValidator::new(roots(), CertificatePolicy::default(), 0);
    let a = none.validate(OCES2_LEAF, &[OCES2_CA], y2030()).unwrap();
    let b = none.validate(OCES2_LEAF, &[OCES2_CA], y2030()).unwrap();
    assert!(!Arc::ptr_eq(&a, &b));
    assert_eq!(none.cached(), 0);
}

#[test]
fn concurrent_validation_from_four_threads() {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<CertValidator>();
    send_sync::<Arc<ValidatedCert>>();
    let v = validator(CertificatePolicy::default());
    std::thread::scope(|s| {
        for t in 0..4 {
            let v = &v;
            s.spawn(move || {
                for i in 0..50 {
                    let (leaf, ca) = if (i + t) % 2 == 0 { (OCES2_LEAF, OCES2_CA) } else { (OCES3_LEAF, OCES3_CA) };
                    let ok = v.validate(leaf, &[ca], y2030()).unwrap();
                    assert!(ok.identity.cvr.is_some());
                    assert_eq!(v.validate(LEAF_EXPIRED, &[OCES2_CA], y2030()).unwrap_err(), CertError::Expired);
                }
            });
        }
    });
    assert_eq!(v.cached(), 2);
}

#[test]
fn trust_anchor_loading() {
    let mut anchors = TrustAnchors::new();
    assert!(anchors.is_empty());
    assert_eq!(anchors.add_der(b"not a certificate"), Err(CertError::Malformed));
    anchors.add_der(OCES2_ROOT).unwrap();
    anchors.add_der(OCES2_ROOT).unwrap();
    assert_eq!(anchors.len(), 1);
    assert_eq!(anchors.add_pem(b"no pem here"), Err(CertError::BadPem));
    let key_only = b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n";
    assert_eq!(anchors.add_pem(key_only), Err(CertError::BadPem));
    let broken = b"-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n";
    assert_eq!(anchors.add_pem(broken), Err(CertError::BadPem));
    // All or nothing: a good block followed by a non-certificate leaves the set unchanged.
    let mut mixed = TRUST_BUNDLE_PEM.to_vec();
    mixed.extend_from_slice(b"-----BEGIN CERTIFICATE-----\nMAA=\n-----END CERTIFICATE-----\n");
    assert_eq!(anchors.add_pem(&mixed), Err(CertError::Malformed));
    assert_eq!(anchors.len(), 1);
    assert_eq!(anchors.add_pem(TRUST_BUNDLE_PEM), Ok(2));
    assert_eq!((anchors.len(), anchors.webpki().len()), (2, 2));
    assert!(format!("{anchors:?}").contains("certificates"));
}

/// Run with `cargo test -p kuvert --release cert::validate::tests::throughput -- --ignored --nocapture`.
#[test]
#[ignore]
fn throughput_cache_hits_per_second() {
    let v = validator(CertificatePolicy::default());
    v.validate(OCES3_LEAF, &[OCES3_CA], y2030()).unwrap();
    let n = 1_000_000u32;
    let start = std::time::Instant::now();
    for _ in 0..n {
        std::hint::black_box(v.validate(std::hint::black_box(OCES3_LEAF), &[OCES3_CA], y2030()).unwrap());
    }
    let secs = start.elapsed().as_secs_f64();
    println!("cache hits: {:.0}/s ({:.0} ns each)", f64::from(n) / secs, secs * 1e9 / f64::from(n));
}
