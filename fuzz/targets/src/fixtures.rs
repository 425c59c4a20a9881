//! The fixed world of the targets: TEST ONLY trust anchors of `corpus/pki`,
//! the TEST ONLY STS and calling system of `corpus/keys`, the demo registry
//! of `corpus/registry`, and one fixed time.

use std::sync::OnceLock;

use kuvert::{
    CallerCertificate, Profile, Registry, SigningKey, TokenPolicy, TokenVerifier, TrustAnchors, UtcTime, Verifier,
    VerifyPolicy,
};
use kuvert_corpus::sts::{self, TestSts};

const OCES2_ROOT: &[u8] = include_bytes!("../../../corpus/pki/oces2-root.der");
const OCES3_ROOT: &[u8] = include_bytes!("../../../corpus/pki/oces3-root.der");
const OCES2_CA: &[u8] = include_bytes!("../../../corpus/pki/oces2-ca.der");
const OCES3_CA: &[u8] = include_bytes!("../../../corpus/pki/oces3-ca.der");
const SYSTEM_CERT: &[u8] = include_bytes!("../../../corpus/keys/test-only-system.cert.pem");
/// The demo registry (`corpus/registry/demo.json`).
pub const REGISTRY: &[u8] = include_bytes!("../../../corpus/registry/demo.json");

/// The time every verification runs at (inside every good TEST ONLY certificate's validity).
pub fn now() -> UtcTime {
    UtcTime::parse("2030-01-01T12:00:00Z").expect("a valid time")
}

/// A message verifier with the default policy, trusting both TEST ONLY OCES roots.
/// Made per call: verifiers keep caches, and a fuzz input must give the same answer every time.
pub fn verifier() -> Verifier {
    verifier_with(VerifyPolicy::default())
}

/// [`verifier`] with `policy`.
pub fn verifier_with(policy: VerifyPolicy) -> Verifier {
    let mut anchors = TrustAnchors::new();
    anchors.add_der(OCES2_ROOT).expect("TEST ONLY root");
    anchors.add_der(OCES3_ROOT).expect("TEST ONLY root");
    let mut v = Verifier::new(anchors, policy);
    v.add_intermediate(OCES2_CA);
    v.add_intermediate(OCES3_CA);
    v
}

fn sts_certificate() -> &'static [u8] {
    static CERT: OnceLock<Vec<u8>> = OnceLock::new();
    CERT.get_or_init(|| TestSts::test_only().certificate().to_vec())
}

/// A token verifier trusting the TEST ONLY STS, fresh per call (it keeps a replay cache).
pub fn token_verifier(profile: Profile) -> TokenVerifier {
    let mut anchors = TrustAnchors::new();
    anchors.add_der(sts_certificate()).expect("TEST ONLY STS certificate");
    TokenVerifier::new(anchors, TokenPolicy::new(profile))
}

/// The demo registry, loaded once.
pub fn registry() -> &'static Registry {
    static REG: OnceLock<Registry> = OnceLock::new();
    REG.get_or_init(|| Registry::from_json(REGISTRY).expect("the demo registry loads"))
}

/// The TEST ONLY calling system's certificate, registered in the demo registry.
pub fn caller() -> &'static CallerCertificate {
    static CERT: OnceLock<CallerCertificate> = OnceLock::new();
    CERT.get_or_init(|| CallerCertificate::from_der(&sts::pem_der(SYSTEM_CERT)).expect("TEST ONLY certificate"))
}

const OCES3_LEAF_KEY: &[u8] = include_bytes!("../../../corpus/pki/oces3-leaf.key.pem");
const OCES3_LEAF: &[u8] = include_bytes!("../../../corpus/pki/oces3-leaf.der");

/// The TEST ONLY OCES3 leaf's signing key, loaded once.
pub fn signing_key() -> &'static SigningKey {
    static KEY: OnceLock<SigningKey> = OnceLock::new();
    KEY.get_or_init(|| SigningKey::from_der(&sts::pem_der(OCES3_LEAF_KEY), OCES3_LEAF).expect("TEST ONLY key"))
}

/// The TEST ONLY calling system's key (the holder of [`assertion`]), loaded once.
pub fn system_key() -> &'static SigningKey {
    static KEY: OnceLock<SigningKey> = OnceLock::new();
    KEY.get_or_init(sts::test_system_key)
}

/// An assertion from the TEST ONLY STS for the test system, issued a minute
/// before [`now`], made once.
pub fn assertion() -> &'static str {
    static ASSERTION: OnceLock<String> = OnceLock::new();
    ASSERTION.get_or_init(|| {
        let issued = now().add_millis(-60_000);
        TestSts::test_only().issue(&sts::AssertionRequest::for_test_system(issued))
    })
}
