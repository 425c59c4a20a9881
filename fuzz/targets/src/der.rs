//! The DER and PEM entry points: trust anchors, caller certificates, signing
//! keys, pinned public keys, and the certificate a message carries (its
//! BinarySecurityToken) as a verifier meets it, in the fixed TEST ONLY world.

use std::sync::OnceLock;

use base64::Engine as _;
use kuvert::{
    sign_message, CallerCertificate, Input, Limits, SignOptions, SigningKey, TrustAnchors, Verifier, VerifyPolicy,
};

use crate::{fixtures, seeds};

const OCES3_LEAF: &[u8] = include_bytes!("../../../corpus/pki/oces3-leaf.der");
const OCES3_CA: &[u8] = include_bytes!("../../../corpus/pki/oces3-ca.der");
const OCES3_LEAF_KEY: &[u8] = include_bytes!("../../../corpus/pki/oces3-leaf.key.pem");

/// The first byte picks the entry point, the rest is its input:
/// 0 trust anchor (DER, then PEM), 1 caller certificate, 2 signing key
/// (PKCS#8 and certificate, split by a two-byte length), 3 the certificate of
/// a signed message, 4 a pinned SubjectPublicKeyInfo.
pub fn der(data: &[u8]) {
    der_reaches(data);
}

/// [`der`], telling whether the input got through its entry point: the
/// anchor, certificate, key or pin loaded, and the message signed or verified.
pub fn der_reaches(data: &[u8]) -> bool {
    let Some((&pick, rest)) = data.split_first() else { return false };
    match pick % 5 {
        0 => anchor(rest),
        1 => caller(rest),
        2 => signing_key(rest),
        3 => message_certificate(rest),
        _ => pinned(rest),
    }
}

/// A fuzzed trust anchor (the only one) under the TEST ONLY OCES3 CA as
/// intermediate, then the signed seed message verified against it.
fn anchor(der: &[u8]) -> bool {
    let mut pem_anchors = TrustAnchors::new();
    let pem = pem_anchors.add_pem(der).is_ok_and(|n| n > 0);
    let mut anchors = TrustAnchors::new();
    if anchors.add_der(der).is_err() {
        return pem;
    }
    let mut verifier = Verifier::new(anchors, VerifyPolicy::default());
    verifier.add_intermediate(OCES3_CA);
    verify(&verifier, signed_message()).is_ok()
}

fn caller(der: &[u8]) -> bool {
    let Ok(cert) = CallerCertificate::from_der(der) else { return false };
    assert!(cert.serial().first() != Some(&0), "serial keeps a leading zero byte");
    !cert.issuer().is_empty() || cert.sha256() != &[0; 32]
}

/// A fuzzed PKCS#8 key with a fuzzed certificate, as DER and as PEM (they
/// load only when the certificate's key is the private key's): the key then
/// signs the seed request.
fn signing_key(data: &[u8]) -> bool {
    let Some((len, rest)) = data.split_first_chunk::<2>() else { return false };
    let (pkcs8, cert) = rest.split_at(usize::from(u16::from_be_bytes(*len)).min(rest.len()));
    let from_pem = SigningKey::from_pem(pkcs8, cert);
    let Ok(key) = from_pem.or_else(|_| SigningKey::from_der(pkcs8, cert)) else { return false };
    let limits = Limits::default();
    let input = Input::new(seeds::REQUEST.as_bytes(), &limits).expect("the seed request is well-formed");
    sign_message(&input, &key, fixtures::now(), &SignOptions::default()).is_ok()
}

/// The signed seed message with its BinarySecurityToken replaced by `der`:
/// it verifies only with the certificate it was signed with.
fn message_certificate(der: &[u8]) -> bool {
    let original = base64::engine::general_purpose::STANDARD.encode(OCES3_LEAF);
    let message = signed_message();
    assert!(message.contains(&original), "the seed message carries its certificate");
    let replaced = message.replace(&original, &base64::engine::general_purpose::STANDARD.encode(der));
    let verified = verify(&fixtures::verifier(), &replaced);
    assert!(verified.is_err() || der == OCES3_LEAF, "a message verified with another certificate");
    verified.is_ok()
}

/// A fuzzed SubjectPublicKeyInfo pinned by a verifier without anchors: the
/// pin is for `KeyValue` signatures, and never makes the seed message's
/// certificate (BinarySecurityToken) trusted, whatever its key.
fn pinned(spki: &[u8]) -> bool {
    let mut verifier = Verifier::new(TrustAnchors::new(), VerifyPolicy::default());
    if verifier.pin_public_key(spki).is_err() {
        return false;
    }
    assert!(verify(&verifier, signed_message()).is_err(), "a pinned key made a certificate trusted");
    true
}

/// Verifies `message` at the fixed time; errors lie inside the message.
fn verify(verifier: &Verifier, message: &str) -> Result<(), ()> {
    let limits = Limits::default();
    let input = Input::new(message.as_bytes(), &limits).expect("the seed message is well-formed");
    match verifier.verify_message(&input, fixtures::now()) {
        Ok(_) => Ok(()),
        Err(e) => {
            assert!(e.offset() <= message.len(), "error {e} past the end");
            Err(())
        }
    }
}

/// The seed request signed by the TEST ONLY OCES3 leaf at the fixed time, made once.
fn signed_message() -> &'static str {
    static SIGNED: OnceLock<String> = OnceLock::new();
    SIGNED.get_or_init(|| seeds::signed(seeds::REQUEST, "oces3-leaf"))
}

/// Seeds: each entry point with its good input, and broken variants.
pub fn der_seeds() -> Vec<seeds::Seed> {
    let pem = |p: &str| std::fs::read(kuvert_corpus::corpus_dir().join("pki").join(p)).unwrap_or_default();
    let key = kuvert_corpus::sts::pem_der(OCES3_LEAF_KEY);
    let mut key_and_cert = (key.len() as u16).to_be_bytes().to_vec();
    key_and_cert.extend_from_slice(&key);
    key_and_cert.extend_from_slice(OCES3_LEAF);
    let spki = kuvert_corpus::sts::certificate_spki(OCES3_LEAF);
    let mut out = Vec::new();
    let mut add = |name: &str, pick: u8, body: &[u8]| {
        out.push((format!("{name}-{pick}"), [&[pick][..], body].concat()));
        let half = &body[..body.len() / 2];
        out.push((format!("{name}-{pick}-half"), [&[pick][..], half].concat()));
    };
    for (name, file) in
        [("oces3-root", "oces3-root.der"), ("oces2-root", "oces2-root.der"), ("oces2-ca", "oces2-ca.der")]
    {
        add(name, 0, &pem(file));
    }
    add("trust-bundle", 0, &pem("trust-bundle.pem"));
    for file in ["oces3-leaf.der", "ec-p256-leaf.der", "leaf-rsa1024.der", "pinned-selfsigned.der"] {
        add(file, 1, &pem(file));
        add(file, 3, &pem(file));
    }
    add("oces3-key", 2, &key_and_cert);
    let cert_pem = kuvert_corpus::sts::pem_encode(OCES3_LEAF, "CERTIFICATE");
    let mut pem_pair = (OCES3_LEAF_KEY.len() as u16).to_be_bytes().to_vec();
    pem_pair.extend_from_slice(OCES3_LEAF_KEY);
    pem_pair.extend_from_slice(cert_pem.as_bytes());
    add("oces3-pem", 2, &pem_pair);
    add("oces3-spki", 4, &spki);
    out
}
