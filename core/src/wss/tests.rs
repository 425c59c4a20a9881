//! Sign and verify round trips with the TEST ONLY PKI in corpus/pki.

use super::*;
use crate::{Input, SigningKey, TrustAnchors, UtcTime, VerifyError};

macro_rules! pki {
    ($f:expr) => {
        include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/../corpus/pki/", $f))
    };
}

/// The corpus's InvocationContext request (unsigned).
pub(crate) const REQUEST: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../corpus/messages/invocation-context/cpr-person-lookup.request.xml"
));

fn now() -> UtcTime {
    UtcTime::parse("2030-01-01T12:00:00Z").unwrap()
}

fn oces2_key() -> SigningKey {
    SigningKey::from_pem(pki!("oces2-leaf.key.pem"), &pem_of(pki!("oces2-leaf.der"))).unwrap()
}

fn pem_of(der: &[u8]) -> Vec<u8> {
    format!("-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n", crate::dsig::base64::encode(der))
        .into_bytes()
}

fn verifier() -> Verifier {
    let mut anchors = TrustAnchors::new();
    anchors.add_der(pki!("oces2-root.der")).unwrap();
    let mut v = Verifier::new(anchors, VerifyPolicy::default());
    v.add_intermediate(pki!("oces2-ca.der"));
    v
}

fn sign(xml: &str) -> String {
    sign_at(xml, now())
}

/// `xml` signed at `at` with the TEST ONLY OCES2 leaf key (used by other modules' tests).
pub(crate) fn sign_at(xml: &str, at: UtcTime) -> String {
    let input = Input::new(xml.as_bytes(), &crate::Limits::default()).unwrap();
    sign_message(&input, &oces2_key(), at, &SignOptions::default()).unwrap()
}

fn verify(xml: &str) -> Result<(), VerifyError> {
    let input = Input::new(xml.as_bytes(), &crate::Limits::default()).map_err(VerifyError::from)?;
    verifier().verify_message(&input, now()).map(|_| ())
}

#[test]
fn signed_message_verifies() {
    let signed = sign(REQUEST);
    let input = Input::new(signed.as_bytes(), &crate::Limits::default()).unwrap();
    let v = verifier();
    let verified = v.verify_message(&input, now()).unwrap_or_else(|e| panic!("{e}\n{signed}"));
    assert!(verified.body().is_some());
    assert_eq!(verified.signer().unwrap().cvr.unwrap().to_string(), "11111111");
    assert!(verified.invocation_context().is_some());
    let names: Vec<&str> = verified.signed_elements().iter().map(|e| e.name.local).collect();
    assert!(names.contains(&"Body") && names.contains(&"Timestamp"), "{names:?}");
}

#[test]
fn tampering_is_refused() {
    let signed = sign(REQUEST);
    let body_text = signed.find("<ns4:PNR>").expect("payload");
    let mut tampered = signed.clone();
    tampered.replace_range(body_text + 9..body_text + 10, "9");
    assert_eq!(verify(&tampered).unwrap_err().code(), "signature.digest_mismatch");
}

#[test]
fn body_digest_is_computed_in_the_reading_pass() {
    let signed = sign(REQUEST);
    let input = Input::new(signed.as_bytes(), &crate::Limits::default()).unwrap();
    let parsed =
        crate::soap::parser::parse_for_verification(&input, &crate::Limits::default(), &Default::default(), None, None)
            .unwrap();
    let taken: Vec<_> = parsed.inline_digests.iter().map(|d| (d.reference, d.span)).collect();
    let timestamp = parsed.security.as_ref().and_then(|h| h.timestamp.as_ref()).unwrap().span;
    let body = parsed.security.as_ref().unwrap().signatures[0]
        .references
        .iter()
        .position(|r| matches!(&r.target, crate::dsig::model::RefTarget::Id(id) if Some(id.as_ref()) == parsed.envelope.body_id()))
        .unwrap();
    // The Timestamp comes before the signature: digested speculatively; the Body follows it.
    assert_eq!(taken, [(crate::c14n::taps::SPECULATED, timestamp), (body, parsed.envelope.body())]);
}

/// Signs `REQUEST` with a corpus/pki key, the given algorithm, and verifies it
/// under both roots with both issuing CAs offered.
fn round_trip(key: &str, cert: &[u8], algorithm: Option<crate::SignatureAlgorithm>) -> Result<String, VerifyError> {
    let key_pem = std::fs::read(format!("{}/../corpus/pki/{key}", env!("CARGO_MANIFEST_DIR"))).unwrap();
    let key = SigningKey::from_pem(&key_pem, &pem_of(cert)).unwrap();
    let input = Input::new(REQUEST.as_bytes(), &crate::Limits::default()).unwrap();
    let options = SignOptions { algorithm, ..SignOptions::default() };
    let signed = sign_message(&input, &key, now(), &options).unwrap();
    let mut anchors = TrustAnchors::new();
    anchors.add_der(pki!("oces2-root.der")).unwrap();
    anchors.add_der(pki!("oces3-root.der")).unwrap();
    let mut v = Verifier::new(anchors, VerifyPolicy::default());
    v.add_intermediate(pki!("oces2-ca.der"));
    v.add_intermediate(pki!("oces3-ca.der"));
    let input = Input::new(signed.as_bytes(), &crate::Limits::default()).unwrap();
    let verified = v.verify_message(&input, now())?;
    Ok(format!("{:?}", verified.signature_algorithm()))
}

#[test]
fn rsa_pss_and_ecdsa_round_trips() {
    use crate::SignatureAlgorithm as A;
    let oces3 = pki!("oces3-leaf.der");
    assert_eq!(round_trip("oces3-leaf.key.pem", oces3, None).unwrap(), "RsaSha256");
    for alg in [A::RsaSha384, A::RsaSha512, A::RsaPssSha256, A::RsaPssSha384, A::RsaPssSha512] {
        assert_eq!(round_trip("oces3-leaf.key.pem", oces3, Some(alg)).unwrap(), format!("{alg:?}"));
    }
    assert_eq!(round_trip("ec-p256-leaf.key.pem", pki!("ec-p256-leaf.der"), None).unwrap(), "EcdsaP256Sha256");
    assert_eq!(round_trip("ec-p384-leaf.key.pem", pki!("ec-p384-leaf.der"), None).unwrap(), "EcdsaP384Sha384");
}

#[test]
fn oces3_identity_reaches_the_result() {
    let key = SigningKey::from_pem(pki!("oces3-leaf.key.pem"), &pem_of(pki!("oces3-leaf.der"))).unwrap();
    let input = Input::new(REQUEST.as_bytes(), &crate::Limits::default()).unwrap();
    let signed = sign_message(&input, &key, now(), &SignOptions::default()).unwrap();
    let mut anchors = TrustAnchors::new();
    anchors.add_der(pki!("oces3-root.der")).unwrap();
    let mut v = Verifier::new(anchors, VerifyPolicy::default());
    v.add_intermediate(pki!("oces3-ca.der"));
    let input = Input::new(signed.as_bytes(), &crate::Limits::default()).unwrap();
    let verified = v.verify_message(&input, now()).unwrap();
    let id = verified.signer().unwrap();
    assert_eq!(id.uuid.unwrap().to_string(), "7a3c0b1e-2f4d-4c5e-9a8b-1c2d3e4f5a6b");
    assert_eq!(id.cvr.unwrap().to_string(), "29189846");
}

#[test]
fn configured_intermediates_do_not_count_against_the_chain_limit() {
    let signed = sign(REQUEST);
    let mut anchors = TrustAnchors::new();
    anchors.add_der(pki!("oces2-root.der")).unwrap();
    let mut v = Verifier::new(anchors, VerifyPolicy::default());
    for _ in 0..3 {
        v.add_intermediate(pki!("oces3-ca.der"));
        v.add_intermediate(pki!("untrusted-root.der"));
    }
    v.add_intermediate(pki!("oces2-ca.der"));
    let input = Input::new(signed.as_bytes(), &crate::Limits::default()).unwrap();
    assert!(v.verify_message(&input, now()).is_ok());
}
