//! `kuvert sign --token` and `kuvert verify --sts-trust` end to end with the
//! TEST ONLY STS of the corpus: the token JSON, the exit codes, and refusals.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use kuvert::UtcTime;
use kuvert_corpus::sts::{self, AssertionRequest, TestSts};
use serde_json::Value;

const AT: &str = "2030-01-01T12:00:00Z";

fn kuvert() -> Command {
    Command::new(env!("CARGO_BIN_EXE_kuvert"))
}

fn corpus(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../corpus").join(rel)
}

fn scratch(name: &str, text: &str) -> PathBuf {
    // One file per call: tests run in parallel, and a file rewritten while
    // another test's `kuvert` reads it would be read half written.
    static CALLS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = CALLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let path = std::env::temp_dir().join(format!("kuvert-cli-token-{}-{n}-{name}", std::process::id()));
    std::fs::write(&path, text).unwrap();
    path
}

fn sign(profile: &str, request: &str) -> Output {
    let issued = UtcTime::parse(AT).unwrap().add_millis(-60_000);
    let assertion = scratch(
        &format!("{profile}-assertion.xml"),
        &TestSts::test_only().issue(&AssertionRequest::for_test_system(issued)),
    );
    let request = scratch(&format!("{profile}-request.xml"), request);
    kuvert()
        .args(["sign", "--at", AT, "--profile", profile, "--token"])
        .arg(assertion)
        .arg("--key")
        .arg(corpus("keys/test-only-system.key.pem"))
        .arg("--cert")
        .arg(corpus("keys/test-only-system.cert.pem"))
        .arg(request)
        .output()
        .unwrap()
}

fn verify(file: &Path, audience: &str) -> (i32, Value) {
    let out = kuvert()
        .args(["verify", "--at", AT, "--audience", audience, "--sts-trust"])
        .arg(corpus("keys/test-only-sts.cert.pem"))
        .arg(file)
        .output()
        .unwrap();
    (out.status.code().unwrap(), serde_json::from_slice(&out.stdout).expect("JSON on stdout"))
}

#[test]
fn signed_lib_bas_request_verifies_with_token_claims() {
    let out = sign("lib-bas", &sts::token_request_soap11(3, "urn:uuid:00000000-0000-4000-8000-00000000c11a"));
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let signed = scratch("lib-bas-signed.xml", std::str::from_utf8(&out.stdout).unwrap());
    let (code, json) = verify(&signed, sts::TEST_AUDIENCE);
    assert_eq!(code, 0, "{json}");
    let token = &json["token"];
    assert_eq!(token["issuer"], sts::TEST_STS_ENTITY_ID);
    assert_eq!(token["audience"], sts::TEST_AUDIENCE);
    assert_eq!(token["cvr"], sts::TEST_CVR);
    assert_eq!(token["privileges"][0]["privilege"], sts::TEST_PRIVILEGE);
    assert_eq!(token["privileges"][0]["scope"], format!("urn:dk:gov:saml:cvrNumberIdentifier:{}", sts::TEST_CVR));
    assert_eq!(token["not_on_or_after"], "2030-01-01T19:59:00.000Z");
    assert_eq!(json["signed"].as_array().unwrap().len(), 9);
    let (code, json) = verify(&signed, "urn:other");
    assert_eq!((code, json["error"]["kind"].as_str()), (1, Some("token.wrong_audience")));
}

#[test]
fn oio_idws_and_profile_mismatch() {
    let out = sign("oio-idws", &sts::token_request_soap12(3, "urn:uuid:00000000-0000-4000-8000-00000000c12a"));
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let signed = scratch("oio-signed.xml", std::str::from_utf8(&out.stdout).unwrap());
    assert_eq!(verify(&signed, sts::TEST_AUDIENCE).0, 0);
    // A SOAP 1.1 message cannot be signed under OIO-IDWS.
    let out = sign("oio-idws", &sts::token_request_soap11(3, "urn:uuid:1"));
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("sign.wrong_soap_version"));
}
