use std::time::Instant;

use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{EcdsaKeyPair, EcdsaSigningAlgorithm, KeyPair, RsaEncoding, RsaKeyPair};

use super::*;
use crate::cert::fixtures::*;
use crate::cert::parse::parse_x509;
use crate::cert::parse_certificate;
use SignatureAlgorithm as A;

const MSG: &[u8] = b"<ds:SignedInfo xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\">...</ds:SignedInfo>";

fn key_of(der: &[u8]) -> VerificationKey {
    parse_certificate(der, &CertificatePolicy::default()).unwrap().1
}

fn rsa_sign(pem: &[u8], enc: &'static dyn RsaEncoding, msg: &[u8]) -> Vec<u8> {
    let kp = RsaKeyPair::from_pkcs8(&pkcs8(pem)).unwrap();
    let mut sig = vec![0; kp.public_modulus_len()];
    kp.sign(enc, &SystemRandom::new(), msg, &mut sig).unwrap();
    sig
}

fn ec_sign(pem: &[u8], alg: &'static EcdsaSigningAlgorithm, msg: &[u8]) -> Vec<u8> {
    let kp = EcdsaKeyPair::from_pkcs8(alg, &pkcs8(pem)).unwrap();
    kp.sign(&SystemRandom::new(), msg).unwrap().as_ref().to_vec()
}

/// `sig` verifies under `alg` and `key`; tampering, truncation and another key are refused.
fn assert_round_trip(key: &VerificationKey, other: &VerificationKey, alg: A, sig: &[u8]) {
    assert_eq!(key.verify(alg, MSG, sig), Ok(()), "{alg:?}");
    assert_eq!(key.verify(alg, b"tampered", sig), Err(KeyVerifyError::BadSignature), "{alg:?}");
    assert_eq!(key.verify(alg, MSG, &sig[..sig.len() - 1]), Err(KeyVerifyError::BadSignature), "{alg:?}");
    assert_eq!(key.verify(alg, MSG, &[]), Err(KeyVerifyError::BadSignature), "{alg:?}");
    let mut flipped = sig.to_vec();
    flipped[sig.len() / 2] ^= 1;
    assert_eq!(key.verify(alg, MSG, &flipped), Err(KeyVerifyError::BadSignature), "{alg:?}");
    assert_eq!(other.verify(alg, MSG, sig), Err(KeyVerifyError::BadSignature), "{alg:?}");
}

#[test]
fn rsa_pkcs1_round_trips() {
    let (key, other) = (key_of(OCES2_LEAF), key_of(OCES3_LEAF));
    assert_eq!((key.kind(), key.bits()), (KeyKind::Rsa, 2048));
    for (alg, enc) in [
        (A::RsaSha256, &signature::RSA_PKCS1_SHA256),
        (A::RsaSha384, &signature::RSA_PKCS1_SHA384),
        (A::RsaSha512, &signature::RSA_PKCS1_SHA512),
    ] {
        let sig = rsa_sign(OCES2_LEAF_KEY, enc, MSG);
        assert_round_trip(&key, &other, alg, &sig);
        // The same value under another RSA algorithm does not verify.
        let wrong = if alg == A::RsaSha256 { A::RsaSha512 } else { A::RsaSha256 };
        assert_eq!(key.verify(wrong, MSG, &sig), Err(KeyVerifyError::BadSignature));
        assert_eq!(key.verify(A::RsaPssSha256, MSG, &sig), Err(KeyVerifyError::BadSignature));
    }
}

#[test]
fn rsa_pss_round_trips() {
    let (key, other) = (key_of(OCES3_LEAF), key_of(OCES2_LEAF));
    assert_eq!((key.kind(), key.bits()), (KeyKind::Rsa, 3072));
    for (alg, enc) in [
        (A::RsaPssSha256, &signature::RSA_PSS_SHA256),
        (A::RsaPssSha384, &signature::RSA_PSS_SHA384),
        (A::RsaPssSha512, &signature::RSA_PSS_SHA512),
    ] {
        let sig = rsa_sign(OCES3_LEAF_KEY, enc, MSG);
        assert_round_trip(&key, &other, alg, &sig);
        assert_eq!(key.verify(A::RsaSha256, MSG, &sig), Err(KeyVerifyError::BadSignature));
    }
}

#[test]
fn rsa_sha1_is_checked_with_the_legacy_algorithm() {
    let key = key_of(OCES2_LEAF);
    assert_eq!(key.verify(A::RsaSha1, TEST_MESSAGE, OCES2_LEAF_SHA1_SIG), Ok(()));
    assert_eq!(key.verify(A::RsaSha1, MSG, OCES2_LEAF_SHA1_SIG), Err(KeyVerifyError::BadSignature));
    assert_eq!(key.verify(A::RsaSha256, TEST_MESSAGE, OCES2_LEAF_SHA1_SIG), Err(KeyVerifyError::BadSignature));
}

#[test]
fn ecdsa_round_trips_with_raw_r_s() {
    let p256 = key_of(EC_P256_LEAF);
    let p384 = key_of(EC_P384_LEAF);
    assert_eq!((p256.kind(), p256.bits(), p384.kind(), p384.bits()), (KeyKind::EcP256, 256, KeyKind::EcP384, 384));
    let sig256 = ec_sign(EC_P256_LEAF_KEY, &signature::ECDSA_P256_SHA256_FIXED_SIGNING, MSG);
    let sig384 = ec_sign(EC_P384_LEAF_KEY, &signature::ECDSA_P384_SHA384_FIXED_SIGNING, MSG);
    assert_eq!((sig256.len(), sig384.len()), (64, 96));
    let other = EcdsaKeyPair::generate(&signature::ECDSA_P256_SHA256_FIXED_SIGNING).unwrap();
    let other_spki = other.public_key().as_der().unwrap();
    let other256 = VerificationKey::from_spki_der(other_spki.as_ref(), &CertificatePolicy::default()).unwrap();
    assert_round_trip(&p256, &other256, A::EcdsaP256Sha256, &sig256);
    assert_eq!(p384.verify(A::EcdsaP384Sha384, MSG, &sig384), Ok(()));
    assert_eq!(p256.verify(A::EcdsaP384Sha384, MSG, &sig384), Err(KeyVerifyError::CurveMismatch));
    assert_eq!(p384.verify(A::EcdsaP256Sha256, MSG, &sig256), Err(KeyVerifyError::CurveMismatch));
    assert_eq!(p256.verify(A::RsaSha256, MSG, &sig256), Err(KeyVerifyError::KeyMismatch));
    assert_eq!(key_of(OCES2_LEAF).verify(A::EcdsaP256Sha256, MSG, &sig256), Err(KeyVerifyError::KeyMismatch));
    // An ASN.1 DER ECDSA value is not XML-DSig's r || s.
    let asn1 = ec_sign(EC_P256_LEAF_KEY, &signature::ECDSA_P256_SHA256_ASN1_SIGNING, MSG);
    assert_eq!(p256.verify(A::EcdsaP256Sha256, MSG, &asn1), Err(KeyVerifyError::BadSignature));
}

#[test]
fn legacy_rsa_1024_needs_a_relaxed_policy() {
    assert_eq!(parse_certificate(LEAF_RSA1024, &CertificatePolicy::default()).unwrap_err(), CertError::KeyTooSmall);
    let relaxed = CertificatePolicy { min_rsa_bits: 1024, ..CertificatePolicy::default() };
    let key = parse_certificate(LEAF_RSA1024, &relaxed).unwrap().1;
    assert_eq!(key.bits(), 1024);
    assert_eq!(key.verify(A::RsaSha256, TEST_MESSAGE, LEAF_RSA1024_SHA256_SIG), Ok(()));
    assert_eq!(key.verify(A::RsaSha1, TEST_MESSAGE, LEAF_RSA1024_SHA1_SIG), Ok(()));
    assert_eq!(key.verify(A::RsaSha256, MSG, LEAF_RSA1024_SHA256_SIG), Err(KeyVerifyError::BadSignature));
    for alg in [A::RsaSha384, A::RsaPssSha256, A::RsaPssSha384, A::RsaPssSha512] {
        assert_eq!(key.verify(alg, TEST_MESSAGE, LEAF_RSA1024_SHA256_SIG), Err(KeyVerifyError::KeyTooSmall));
    }
    let floor = CertificatePolicy { min_rsa_bits: 512, ..CertificatePolicy::default() };
    assert!(parse_certificate(LEAF_RSA1024, &floor).is_ok());
}

#[test]
fn pinned_raw_public_keys() {
    let cert = parse_x509(OCES2_LEAF).unwrap();
    let spki = cert.public_key().raw;
    let key = VerificationKey::from_spki_der(spki, &CertificatePolicy::default()).unwrap();
    assert_eq!(key.spki_der(), spki);
    let sig = rsa_sign(OCES2_LEAF_KEY, &signature::RSA_PKCS1_SHA256, MSG);
    assert_eq!(key.verify(A::RsaSha256, MSG, &sig), Ok(()));
    let mut trailing = spki.to_vec();
    trailing.push(0);
    let policy = CertificatePolicy::default();
    assert_eq!(VerificationKey::from_spki_der(&trailing, &policy).unwrap_err(), CertError::Malformed);
    assert_eq!(VerificationKey::from_spki_der(&spki[..spki.len() - 3], &policy).unwrap_err(), CertError::Malformed);
    assert_eq!(VerificationKey::from_spki_der(b"", &policy).unwrap_err(), CertError::Malformed);
    let mut ed25519 = vec![0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00];
    ed25519.extend_from_slice(&[9; 32]);
    assert_eq!(VerificationKey::from_spki_der(&ed25519, &policy).unwrap_err(), CertError::UnsupportedKey);
    // A P-256 SPKI whose point is not on the curve.
    let p256 = parse_x509(EC_P256_LEAF).unwrap();
    let mut bad_point = p256.public_key().raw.to_vec();
    let last = bad_point.len() - 1;
    bad_point[last] ^= 1;
    assert_eq!(VerificationKey::from_spki_der(&bad_point, &policy).unwrap_err(), CertError::UnsupportedKey);
}

#[test]
fn parsed_key_is_made_once_per_algorithm_and_shared() {
    let key = key_of(OCES2_LEAF);
    let sig = rsa_sign(OCES2_LEAF_KEY, &signature::RSA_PKCS1_SHA512, MSG);
    assert!(key.parsed[index(A::RsaSha256)].get().is_some(), "made at construction");
    assert!(key.parsed[index(A::RsaSha512)].get().is_none());
    key.verify(A::RsaSha512, MSG, &sig).unwrap();
    let first: *const _ = key.parsed[index(A::RsaSha512)].get().unwrap();
    key.verify(A::RsaSha512, MSG, &sig).unwrap();
    assert!(std::ptr::eq(first, key.parsed[index(A::RsaSha512)].get().unwrap()));
    let distinct: std::collections::HashSet<_> = SignatureAlgorithm::ALL.into_iter().map(index).collect();
    assert_eq!(distinct.len(), ALGORITHMS);
    fn send_sync<T: Send + Sync + Clone>() {}
    send_sync::<VerificationKey>();
    let copy = key.clone();
    assert_eq!(copy.verify(A::RsaSha512, MSG, &sig), Ok(()));
    assert!(format!("{key:?}").contains("Rsa"));
}

#[test]
fn modulus_bits_counts_exactly() {
    assert_eq!(modulus_bits(&[0x00, 0x80, 0]), Some(16));
    assert_eq!(modulus_bits(&[0x01, 0]), Some(9));
    assert_eq!(modulus_bits(&[0x80]), None);
    assert_eq!(modulus_bits(&[0, 0]), None);
    assert_eq!(modulus_bits(&[]), None);
}

#[test]
fn error_codes() {
    for e in [
        KeyVerifyError::KeyMismatch,
        KeyVerifyError::CurveMismatch,
        KeyVerifyError::KeyTooSmall,
        KeyVerifyError::BadSignature,
    ] {
        assert!(e.code().starts_with("signature."));
        assert!(!e.to_string().is_empty());
    }
}

/// Run with `cargo test -p kuvert --release cert::key::tests::throughput -- --ignored --nocapture`.
#[test]
#[ignore]
fn throughput_rsa2048_verifications_per_second() {
    let key = key_of(OCES2_LEAF);
    let msg = vec![b'x'; 600]; // about one canonical SignedInfo
    let sig = rsa_sign(OCES2_LEAF_KEY, &signature::RSA_PKCS1_SHA256, &msg);
    let n = 100_000u32;
    let start = Instant::now();
    for _ in 0..n {
        key.verify(A::RsaSha256, std::hint::black_box(&msg), std::hint::black_box(&sig)).unwrap();
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "RSA-2048 PKCS#1 SHA-256: {:.0} verifications/s ({:.2} us each)",
        f64::from(n) / secs,
        secs * 1e6 / f64::from(n)
    );
}
