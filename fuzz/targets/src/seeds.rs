//! Seed inputs per target, made from `corpus/`: every sample and refused
//! message, messages signed at the fixed time with the TEST ONLY PKI, token
//! requests signed with the TEST ONLY STS and system keys, the demo registry,
//! and seeded random bytes for the structured targets.

use std::path::Path;

use kuvert::{
    sign_message, sign_token_request, Input, Limits, Profile, SignOptions, SigningKey, TokenSignOptions, UtcTime,
};
use kuvert_corpus::sts::{self, AssertionRequest, TestSts};

use crate::fixtures::{self, REGISTRY};
use crate::gen::Rng;

/// A named seed.
pub type Seed = (String, Vec<u8>);

/// A SOAP 1.1 request with every part the default policy requires signed.
pub const REQUEST: &str = include_str!("request.xml");

fn xml_files(dir: &Path, out: &mut Vec<Seed>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let mut paths: Vec<_> = entries.flatten().map(|e| e.path()).collect();
    paths.sort();
    for path in paths {
        if path.is_dir() {
            xml_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "xml") {
            let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            out.push((name, std::fs::read(&path).unwrap_or_default()));
        }
    }
}

fn pki_key(leaf: &str) -> SigningKey {
    let dir = kuvert_corpus::corpus_dir().join("pki");
    let key = std::fs::read(dir.join(format!("{leaf}.key.pem"))).expect("TEST ONLY key");
    let cert = std::fs::read(dir.join(format!("{leaf}.der"))).expect("TEST ONLY certificate");
    SigningKey::from_der(&sts::pem_der(&key), &cert).expect("TEST ONLY key loads")
}

/// `xml` signed by `sign_message` with the TEST ONLY PKI `leaf` at the fixed time.
pub fn signed(xml: &str, leaf: &str) -> String {
    let limits = Limits::default();
    let input = Input::new(xml.as_bytes(), &limits).expect("well-formed");
    sign_message(&input, &pki_key(leaf), fixtures::now(), &SignOptions::default()).expect("signs")
}

/// A token request of `profile` signed with the TEST ONLY STS and system keys.
pub fn token_request(profile: Profile) -> String {
    let issued = fixtures::now().add_millis(-60_000);
    let assertion = TestSts::test_only().issue(&AssertionRequest::for_test_system(issued));
    let body = match profile {
        Profile::LibBas => sts::token_request_soap11(2, "urn:uuid:00000000-0000-4000-8000-000000000001"),
        _ => sts::token_request_soap12(2, "urn:uuid:00000000-0000-4000-8000-000000000002"),
    };
    let limits = Limits::default();
    let input = Input::new(body.as_bytes(), &limits).expect("well-formed");
    let options = TokenSignOptions::new(profile);
    sign_token_request(&input, assertion.as_bytes(), &sts::test_system_key(), fixtures::now(), &options)
        .expect("token request signs")
}

/// The corpus's messages (samples and refused ones) plus signed ones.
fn messages() -> Vec<Seed> {
    let mut out = Vec::new();
    xml_files(&kuvert_corpus::messages_dir(), &mut out);
    xml_files(&kuvert_corpus::negative_dir(), &mut out);
    for leaf in ["oces2-leaf", "oces3-leaf", "ec-p256-leaf", "leaf-expired"] {
        out.push((format!("signed-{leaf}.xml"), signed(REQUEST, leaf).into_bytes()));
    }
    out.push(("signed-token-lib-bas.xml".into(), token_request(Profile::LibBas).into_bytes()));
    out.push(("signed-token-oio-idws.xml".into(), token_request(Profile::OioIdws).into_bytes()));
    out
}

fn prefixed(seeds: &[Seed], picks: &[u8]) -> Vec<Seed> {
    let mut out = Vec::new();
    for (name, bytes) in seeds {
        for &p in picks {
            let mut b = vec![p];
            b.extend_from_slice(bytes);
            out.push((format!("{p:02x}-{name}"), b));
        }
    }
    out
}

/// Unsigned token-model requests for both profiles (the first byte picks
/// the profile), and the corpus's messages.
fn unsigned_token_requests() -> Vec<Seed> {
    let lib_bas = sts::token_request_soap11(3, "urn:uuid:00000000-0000-4000-8000-000000000003");
    let oio_idws = sts::token_request_soap12(3, "urn:uuid:00000000-0000-4000-8000-000000000004");
    let mut out = vec![
        ("lib-bas-request.xml".to_owned(), [&[0u8][..], lib_bas.as_bytes()].concat()),
        ("oio-idws-request.xml".to_owned(), [&[1u8][..], oio_idws.as_bytes()].concat()),
    ];
    out.extend(prefixed(&messages().into_iter().take(12).collect::<Vec<_>>(), &[0, 1]));
    out
}

/// Standalone assertions for each pick of the first byte (profile, audience
/// check): the TEST ONLY STS's, one expired, one not yet valid, and one with
/// its signature value broken.
fn assertions() -> Vec<Seed> {
    let sts = TestSts::test_only();
    let at = |ms: i64| sts.issue(&AssertionRequest::for_test_system(fixtures::now().add_millis(ms)));
    let good = fixtures::assertion().to_owned();
    // The first character of the signature value changed (`A` and `B` differ in its leading bits).
    let value = good.find("SignatureValue>").map(|i| i + "SignatureValue>".len());
    let broken = match value {
        Some(i) => format!("{}{}{}", &good[..i], if good[i..].starts_with('A') { "B" } else { "A" }, &good[i + 1..]),
        None => good.clone(),
    };
    let plain = vec![
        ("assertion.xml".to_owned(), good.into_bytes()),
        ("expired.xml".to_owned(), at(-86_400_000).into_bytes()),
        ("not-yet-valid.xml".to_owned(), at(3_600_000).into_bytes()),
        ("broken-signature.xml".to_owned(), broken.into_bytes()),
    ];
    prefixed(&plain, &[0, 1, 2, 3])
}

/// Signature templates: the TEST ONLY STS's assertion template, a SOAP
/// message with a detached one over its Body, and the messages (no template).
fn templates() -> Vec<Seed> {
    let sts = TestSts::test_only();
    let assertion = sts.template(&AssertionRequest::for_test_system(fixtures::now()));
    let mut out = vec![("assertion-template.xml".to_owned(), assertion.into_bytes())];
    out.push(("body-template.xml".to_owned(), BODY_TEMPLATE.as_bytes().to_vec()));
    out.extend(messages().into_iter().take(8));
    out
}

const BODY_TEMPLATE: &str = "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Header>\
<ds:Signature xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\"><ds:SignedInfo>\
<ds:CanonicalizationMethod Algorithm=\"http://www.w3.org/2001/10/xml-exc-c14n#\"/>\
<ds:SignatureMethod Algorithm=\"http://www.w3.org/2001/04/xmldsig-more#rsa-sha256\"/>\
<ds:Reference URI=\"#b\"><ds:Transforms><ds:Transform Algorithm=\"http://www.w3.org/2001/10/xml-exc-c14n#\"/></ds:Transforms>\
<ds:DigestMethod Algorithm=\"http://www.w3.org/2001/04/xmlenc#sha256\"/><ds:DigestValue></ds:DigestValue></ds:Reference>\
</ds:SignedInfo><ds:SignatureValue></ds:SignatureValue></ds:Signature></s:Header>\
<s:Body xmlns:wsu=\"http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd\" wsu:Id=\"b\"><x>1</x></s:Body></s:Envelope>";

fn random(count: u64, len: usize) -> Vec<Seed> {
    (1..=count).map(|s| (format!("random-{s:03}"), Rng::new(s).bytes(len))).collect()
}

/// The seeds of target `name` (empty for an unknown name).
pub fn seeds(name: &str) -> Vec<Seed> {
    match name {
        "envelope" | "call_context" | "verify" | "sign_verify" => messages(),
        "c14n" => prefixed(&messages(), &[0, 1, 2, 3, 4, 8, 14]),
        "stream" => prefixed(&messages(), &[0, 1, 3, 7, 64, 255]),
        "authz" => prefixed(&messages(), &[0, 0x81, 2, 5]),
        "token" => {
            let tokens: Vec<Seed> = messages().into_iter().filter(|(n, _)| n.contains("token")).collect();
            prefixed(&tokens, &[0, 1, 2, 3, 4, 5])
        }
        "assertion" => assertions(),
        "sign_template" => templates(),
        "sign_token_verify" => unsigned_token_requests(),
        "registry_json" => {
            let mut out = vec![("demo.json".to_owned(), REGISTRY.to_vec())];
            out.push(("demo-half.json".to_owned(), REGISTRY[..REGISTRY.len() / 2].to_vec()));
            out
        }
        "c14n_structured" | "fault_roundtrip" => random(64, 1024),
        "der" => crate::der::der_seeds(),
        _ => Vec::new(),
    }
}

/// The time the signed seeds are valid at.
pub fn seed_time() -> UtcTime {
    fixtures::now()
}
