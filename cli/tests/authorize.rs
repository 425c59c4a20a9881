//! `kuvert authorize` and `kuvert registry` end to end on the corpus
//! messages and the demo registry: allow and deny output, faults, exit codes.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

const CALL_UUID: &str = "cca459ba-ee11-4030-8ae1-25ea95b0318c";
const AT: &str = "2026-03-01T12:00:00Z";
const SYSTEM: &str = "0afcc9ff-1d08-4af1-833d-cdeba89d6d4f";
const VIBORG: &str = "09a821f7-16a6-4f05-a480-f89e8c39219b";

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join("corpus")
}

fn kuvert(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kuvert")).args(args).current_dir(corpus()).output().expect("run kuvert")
}

/// `kuvert authorize` with the demo registry and the TEST ONLY system certificate.
fn authorize(message: &str, extra: &[&str]) -> Output {
    let mut args = vec![
        "authorize",
        "--registry",
        "registry/demo.json",
        "--client-cert",
        "keys/test-only-system.cert.pem",
        "--call-uuid",
        CALL_UUID,
    ];
    if !extra.contains(&"--at") {
        args.extend_from_slice(&["--at", AT]);
    }
    args.extend_from_slice(extra);
    args.push(message);
    kuvert(&args)
}

fn json(out: &Output) -> Value {
    let text = String::from_utf8_lossy(&out.stdout);
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

#[test]
fn invocation_context_messages_are_allowed() {
    for name in ["cpr-person-lookup", "cpr-person-lookup-default-ns", "cpr-person-lookup-odd-prefixes"] {
        let message = format!("messages/invocation-context/{name}.request.xml");
        let out = authorize(&message, &["--endpoint", "/service/CPR/PersonBaseDataExtended/5"]);
        assert_eq!(out.status.code(), Some(0), "{name}: {}", String::from_utf8_lossy(&out.stderr));
        let v = json(&out);
        assert_eq!(v["allow"], true);
        assert_eq!(v["model"], "InvocationContext");
        assert_eq!(v["agreement"], "c944b0f8-c43d-4638-b048-918d9f2e18b5");
        assert_eq!(v["authority"]["uuid"], VIBORG);
        assert_eq!(v["authority"]["cvr"], "29189846");
        assert_eq!(v["service"]["uuid"], "a10c463a-500b-42e5-822d-06281c81119a");
        assert_eq!(v["service"]["class"], "simple");
        assert_eq!(v["system"], SYSTEM);
        assert_eq!(v["call_uuid"], CALL_UUID);
    }
}

#[test]
fn authority_context_messages_are_allowed() {
    let cases = [
        ("authority-context/cvr-lookup", "/service/CVR/Online/2", "29189846"),
        ("authority-context/print-send-with-attachment", "/service/Print/Print/2", "29189846"),
        ("encoding/latin1-authority-context", "/service/BygOgMiljoe/Ansoegning/1", "11111111"),
    ];
    for (name, endpoint, cvr) in cases {
        let out = authorize(&format!("messages/{name}.request.xml"), &["--endpoint", endpoint]);
        assert_eq!(out.status.code(), Some(0), "{name}: {}", String::from_utf8_lossy(&out.stdout));
        let v = json(&out);
        assert_eq!((v["model"].as_str(), v["authority"]["cvr"].as_str()), (Some("AuthorityContext"), Some(cvr)));
    }
}

#[test]
fn denials_print_the_code_and_the_fault() {
    let ic = "messages/invocation-context/cpr-person-lookup.request.xml";
    // The CVR service does not accept InvocationContext.
    let out = authorize(ic, &["--endpoint", "/service/CVR/Online/2"]);
    assert_eq!(out.status.code(), Some(1));
    let v = json(&out);
    assert_eq!(v["allow"], false);
    assert_eq!(v["code"], "authz.security_model_not_allowed");
    let text = "Security model for the called operation was not provided. The following are supported: \
                [KombitToken, AuthorityContext]";
    assert_eq!(v["reason"], text);
    let fault = v["fault_xml"].as_str().unwrap();
    assert!(fault.contains(&format!("CallUUID: {CALL_UUID}")), "{fault}");
    assert!(fault.contains("Received: 2026-03-01T12:00:00.000Z"), "{fault}");
    assert!(fault.contains("<sp:ErrorCode>authz.security_model_not_allowed</sp:ErrorCode>"), "{fault}");
    // The agreement is valid until 2031.
    let out = authorize(ic, &["--endpoint", "/service/CPR/PersonBaseDataExtended/5", "--at", "2031-01-01T00:00:00Z"]);
    assert_eq!(json(&out)["code"], "authz.agreement_expired");
    // The test system in production.
    let out = authorize(ic, &["--endpoint", "/service/CPR/PersonBaseDataExtended/5", "--env", "production"]);
    assert_eq!(json(&out)["code"], "authz.wrong_environment");
    let out = authorize(ic, &["--endpoint", "/service/Unknown/1"]);
    assert_eq!(json(&out)["code"], "authz.unknown_endpoint");
}

#[test]
fn an_unregistered_certificate_is_refused() {
    let out = kuvert(&[
        "authorize",
        "--registry",
        "registry/demo.json",
        "--client-cert",
        "keys/test-only-sts.cert.pem",
        "--endpoint",
        "/service/CVR/Online/2",
        "--at",
        AT,
        "messages/authority-context/cvr-lookup.request.xml",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let v = json(&out);
    assert_eq!(v["code"], "authz.unknown_certificate");
    // Without --call-uuid a random version-4 UUID is reported.
    let call = v["call_uuid"].as_str().unwrap();
    assert_eq!((call.len(), &call[14..15]), (36, "4"));
}

#[test]
fn soap12_message_without_a_model_gets_a_soap12_fault() {
    let out = authorize("messages/soap12/organisation-soeg.request.xml", &[]);
    assert_eq!(out.status.code(), Some(1));
    let v = json(&out);
    assert_eq!(v["code"], "authz.security_model_not_allowed");
    assert!(v["fault_xml"].as_str().unwrap().contains("http://www.w3.org/2003/05/soap-envelope"));
}

#[test]
fn usage_errors_exit_2() {
    let ic = "messages/invocation-context/cpr-person-lookup.request.xml";
    // No wsa:To and no --endpoint.
    let out = authorize(ic, &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--endpoint"));
    // Token messages need the STS certificate.
    let out = authorize("messages/kombit-token/lib-bas-request.soap11.xml", &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--sts-trust"));
    // No client certificate for the InvocationContext model.
    let out = kuvert(&[
        "authorize",
        "--registry",
        "registry/demo.json",
        "--endpoint",
        "/service/CPR/PersonBaseDataExtended/5",
        ic,
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--client-cert"));
}

#[test]
fn a_bad_registry_exits_2_with_its_json_path() {
    let dir = std::env::temp_dir().join(format!("kuvert-authz-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("bad.json");
    std::fs::write(
        &bad,
        br#"{"authorities": [{"uuid": "09a821f7-16a6-4f05-a480-f89e8c39219b", "cvr": "2918984", "name": "x"}]}"#,
    )
    .unwrap();
    let bad = bad.to_str().unwrap();
    let ic = "messages/invocation-context/cpr-person-lookup.request.xml";
    let out = kuvert(&["authorize", "--registry", bad, "--endpoint", "/x", ic]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("$.authorities[0].cvr"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = kuvert(&["registry", "check", bad]);
    assert_eq!(out.status.code(), Some(1));
    let v = json(&out);
    assert_eq!((v["valid"].as_bool(), v["error"]["path"].as_str()), (Some(false), Some("$.authorities[0].cvr")));
    assert_eq!(v["error"]["code"], "registry.invalid_cvr");
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(kuvert(&["registry", "check", "registry/missing.json"]).status.code(), Some(2));
}

#[test]
fn registry_check_and_cert() {
    let out = kuvert(&["registry", "check", "registry/demo.json"]);
    assert_eq!(out.status.code(), Some(0));
    let v = json(&out);
    assert_eq!((v["valid"].as_bool(), v["agreements"].as_u64()), (Some(true), Some(6)));
    let out = kuvert(&["registry", "cert", "keys/test-only-system.cert.pem"]);
    assert_eq!(out.status.code(), Some(0));
    let entry = &json(&out)[0];
    let demo: Value = serde_json::from_slice(&std::fs::read(corpus().join("registry/demo.json")).unwrap()).unwrap();
    assert_eq!(entry, &demo["systems"][0]["certificates"][0]);
}

/// Inside the TEST ONLY STS certificate's validity and the demo agreements'.
const TOKEN_AT: &str = "2027-03-01T12:00:00Z";

/// A LIB-BAS request signed now by the TEST ONLY system around an assertion of
/// the TEST ONLY STS, written to a scratch file.
fn token_request(name: &str, cvr: &str) -> PathBuf {
    use kuvert_corpus::sts::{self, AssertionRequest, TestSts};
    let at = kuvert::UtcTime::parse(TOKEN_AT).unwrap();
    let mut req = AssertionRequest::for_test_system(at.add_millis(-60_000));
    req.cvr = cvr.to_owned();
    req.privileges = vec![(cvr.to_owned(), vec![sts::TEST_PRIVILEGE.to_owned()])];
    let assertion = TestSts::test_only().issue(&req);
    let body = sts::token_request_soap11(2, &format!("urn:uuid:00000000-0000-4000-8000-0000000{cvr}0"));
    let limits = kuvert::Limits::default();
    let input = kuvert::Input::new(body.as_bytes(), &limits).unwrap();
    let options = kuvert::TokenSignOptions::new(kuvert::Profile::LibBas);
    let signed =
        kuvert::sign_token_request(&input, assertion.as_bytes(), &sts::test_system_key(), at, &options).unwrap();
    let path = std::env::temp_dir().join(format!("kuvert-authorize-{}-{name}.xml", std::process::id()));
    std::fs::write(&path, signed).unwrap();
    path
}

#[test]
fn token_messages_are_verified_then_decided() {
    let sts = ["--sts-trust", "keys/test-only-sts.cert.pem", "--at", TOKEN_AT];
    let allowed = token_request("allowed", "29189846");
    let out = authorize(allowed.to_str().unwrap(), &sts);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let v = json(&out);
    assert_eq!((v["model"].as_str(), v["authority"]["uuid"].as_str()), (Some("KombitToken"), Some(VIBORG)));
    assert_eq!(v["system"], SYSTEM);
    // An authority without an agreement for the service: denied by the registry.
    let other = token_request("other", "11111111");
    let v = json(&authorize(other.to_str().unwrap(), &sts));
    assert_eq!(v["allow"], false);
    assert!(v["code"].as_str().unwrap().starts_with("authz."), "{v}");
    // A forged message: denied by the token check, with the token's code and a fault.
    let text = std::fs::read_to_string(&allowed).unwrap().replacen("enhed 1<", "enhed X<", 1);
    std::fs::write(&allowed, text).unwrap();
    let v = json(&authorize(allowed.to_str().unwrap(), &sts));
    assert_eq!((v["allow"].as_bool(), v["code"].as_str()), (Some(false), Some("signature.digest_mismatch")));
    assert!(v["fault_xml"].as_str().unwrap().contains("CallUUID: cca459ba-ee11-4030-8ae1-25ea95b0318c"));
}
