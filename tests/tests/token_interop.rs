//! Token-model interoperability with `xmlsec1` and `xmllint`:
//!
//! a. an assertion the TEST ONLY STS issues with kuvert (enveloped signature,
//!    exc-c14n, RSA-SHA256) verifies in `xmlsec1 --verify`;
//! b. the same assertion template signed by `xmlsec1 --sign` with the STS
//!    test key verifies in kuvert, standalone and inside a LIB-BAS request;
//! c. the STR-Transform digest of a kuvert-signed request equals the SHA-256
//!    of `xmllint --exc-c14n` over the assertion it dereferences to;
//! d. tampered assertions are refused by both.
//!
//! Without the tools the tests are skipped with a note, unless `CI=true`.

mod common;

use std::process::Command;

use kuvert::{Audience, Input, Limits, Profile, TokenPolicy, TokenSignOptions, TokenVerifier, TrustAnchors, UtcTime};
use kuvert_corpus::sts::{self, AssertionRequest, TestSts};
use kuvert_tests::{base64_encode, print_table, require_tool, TempDir};

const ASSERTION_ID_ATTR: &str = "urn:oasis:names:tc:SAML:2.0:assertion:Assertion";

fn now() -> UtcTime {
    UtcTime::parse("2030-01-01T12:00:00Z").unwrap()
}

fn corpus_file(rel: &str) -> std::path::PathBuf {
    kuvert_corpus::corpus_dir().join(rel)
}

fn xmlsec_verify(dir: &TempDir, doc: &str) -> bool {
    let file = dir.write("assertion.xml", doc);
    let out = Command::new("xmlsec1")
        .args(["--verify", "--id-attr:ID", ASSERTION_ID_ATTR, "--pubkey-cert-pem"])
        .arg(corpus_file(sts::STS_CERT_FILE))
        .arg(&file)
        .output()
        .expect("run xmlsec1");
    out.status.success()
}

fn xmlsec_sign(dir: &TempDir, template: &str) -> String {
    let input = dir.write("template.xml", template);
    let output = dir.join("signed.xml");
    let key = format!("{},{}", corpus_file(sts::STS_KEY_FILE).display(), corpus_file(sts::STS_CERT_FILE).display());
    let out = Command::new("xmlsec1")
        .args(["--sign", "--id-attr:ID", ASSERTION_ID_ATTR, "--privkey-pem", &key, "--output"])
        .arg(&output)
        .arg(&input)
        .output()
        .expect("run xmlsec1");
    assert!(out.status.success(), "xmlsec1 --sign: {}", String::from_utf8_lossy(&out.stderr));
    std::fs::read_to_string(output).unwrap()
}

fn verifier() -> TokenVerifier {
    let mut anchors = TrustAnchors::new();
    anchors.add_der(TestSts::test_only().certificate()).unwrap();
    TokenVerifier::new(anchors, TokenPolicy::new(Profile::LibBas))
}

fn kuvert_accepts(doc: &str) -> Result<(), &'static str> {
    let limits = Limits::default();
    let input = Input::new(doc.as_bytes(), &limits).unwrap();
    verifier().verify_assertion(&input, now(), Audience::Expect(sts::TEST_AUDIENCE)).map(|_| ()).map_err(|e| e.code())
}

#[test]
fn assertions_verify_both_ways() {
    if !require_tool("xmlsec1", "xmlsec1") {
        return;
    }
    let dir = TempDir::new("token-interop");
    let sts = TestSts::test_only();
    let req = AssertionRequest::for_test_system(now().add_millis(-60_000));
    let mut rows = Vec::new();
    // a. kuvert signs, xmlsec1 verifies.
    let by_kuvert = sts.issue(&req);
    assert!(xmlsec_verify(&dir, &by_kuvert), "xmlsec1 refuses kuvert's assertion");
    rows.push(vec!["kuvert → xmlsec1".into(), "assertion".into(), "verified".into()]);
    // b. xmlsec1 signs the same template, kuvert verifies.
    let by_xmlsec = xmlsec_sign(&dir, &sts.template(&req));
    assert_eq!(kuvert_accepts(&by_xmlsec), Ok(()));
    rows.push(vec!["xmlsec1 → kuvert".into(), "assertion".into(), "verified".into()]);
    let limits = Limits::default();
    let body = sts::token_request_soap11(30, "urn:uuid:00000000-0000-4000-8000-0000000000aa");
    let input = Input::new(body.as_bytes(), &limits).unwrap();
    let options = TokenSignOptions::new(Profile::LibBas);
    let request =
        kuvert::sign_token_request(&input, by_xmlsec.as_bytes(), &sts::test_system_key(), now(), &options).unwrap();
    let input = Input::new(request.as_bytes(), &limits).unwrap();
    verifier().verify_message(&input, now(), Audience::Expect(sts::TEST_AUDIENCE)).unwrap();
    rows.push(vec!["xmlsec1 → kuvert".into(), "LIB-BAS request".into(), "verified".into()]);
    // d. Tampering is refused by both.
    for (what, from, to) in [
        ("CVR changed", sts::TEST_CVR, "12345678"),
        ("audience changed", "organisation/5</Audience>", "organisation/6</Audience>"),
        ("NameID extended", "FID:1 +", "FID:12 +"),
    ] {
        for (signer, doc) in [("kuvert", &by_kuvert), ("xmlsec1", &by_xmlsec)] {
            let bad = doc.replacen(from, to, 1);
            assert!(!xmlsec_verify(&dir, &bad), "xmlsec1 accepts {what} ({signer})");
            assert_eq!(kuvert_accepts(&bad), Err("token.issuer_signature"), "{what} ({signer})");
        }
        rows.push(vec![format!("{what}"), "both signers".into(), "refused by both".into()]);
    }
    print_table("SAML assertion interop", &["direction", "document", "result"], &rows);
}

#[test]
fn str_transform_digest_matches_xmllint() {
    if !require_tool("xmllint", "libxml2-utils") {
        return;
    }
    let dir = TempDir::new("token-str");
    let sts = TestSts::test_only();
    let assertion = sts.issue(&AssertionRequest::for_test_system(now()));
    let limits = Limits::default();
    let body = sts::token_request_soap11(2, "urn:uuid:00000000-0000-4000-8000-0000000000ab");
    let input = Input::new(body.as_bytes(), &limits).unwrap();
    let options = TokenSignOptions::new(Profile::LibBas);
    let request =
        kuvert::sign_token_request(&input, assertion.as_bytes(), &sts::test_system_key(), now(), &options).unwrap();
    let file = dir.write("assertion.xml", &assertion);
    let out = Command::new("xmllint").arg("--exc-c14n").arg(&file).output().expect("run xmllint");
    assert!(out.status.success());
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, &out.stdout);
    let expected = base64_encode(digest.as_ref());
    let str_id = common::attr_value(&request, "<wsse:SecurityTokenReference wsu:Id", "wsu:Id");
    let reference = common::reference(&request, &str_id);
    assert!(reference.contains("STR-Transform"), "{reference}");
    assert!(reference.contains(&format!("<ds:DigestValue>{expected}</ds:DigestValue>")), "{reference} vs {expected}");
}
