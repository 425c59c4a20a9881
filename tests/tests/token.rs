//! The token model end to end: a TEST ONLY STS issues assertions, the
//! holder-of-key signer builds LIB-BAS and OIO-IDWS requests around them,
//! and the token verifier accepts them and refuses every attack the issue
//! lists, each with its typed error.

use kuvert::{
    Audience, Input, Limits, Profile, SigningKey, TokenError, TokenPolicy, TokenSignOptions, TokenVerifier,
    TrustAnchors, UtcTime,
};
use kuvert_corpus::sts::{self, AssertionRequest, TestSts};

mod common;

const MESSAGE_ID: &str = "urn:uuid:00000000-0000-4000-8000-000000000001";

fn now() -> UtcTime {
    UtcTime::parse("2030-01-01T12:00:00Z").unwrap()
}

fn minutes(m: i64) -> i64 {
    m * 60_000
}

fn verifier(profile: Profile) -> TokenVerifier {
    let mut anchors = TrustAnchors::new();
    anchors.add_der(TestSts::test_only().certificate()).unwrap();
    TokenVerifier::new(anchors, TokenPolicy::new(profile))
}

fn assertion(req: &AssertionRequest) -> String {
    TestSts::test_only().issue(req)
}

fn default_assertion() -> String {
    assertion(&AssertionRequest::for_test_system(now().add_millis(-minutes(1))))
}

fn unsigned(profile: Profile, message_id: &str) -> String {
    match profile {
        Profile::LibBas => sts::token_request_soap11(30, message_id),
        _ => sts::token_request_soap12(30, message_id),
    }
}

fn sign_with(profile: Profile, body: &str, assertion: &str, key: &SigningKey) -> String {
    let limits = Limits::default();
    let input = Input::new(body.as_bytes(), &limits).unwrap();
    kuvert::sign_token_request(&input, assertion.as_bytes(), key, now(), &TokenSignOptions::new(profile)).unwrap()
}

fn request(profile: Profile) -> String {
    sign_with(profile, &unsigned(profile, MESSAGE_ID), &default_assertion(), &sts::test_system_key())
}

/// Recomputes the message signature (the `ds:`-prefixed one) after an edit,
/// with the holder-of-key key, so that only the edit's meaning is tested.
fn resign(text: &str, key: &SigningKey) -> String {
    let mut out = text.to_owned();
    for (open, close) in [("<ds:DigestValue>", "</ds:DigestValue>"), ("<ds:SignatureValue>", "</ds:SignatureValue>")] {
        let mut at = 0;
        while let Some(rel) = out[at..].find(open) {
            let start = at + rel + open.len();
            let end = start + out[start..].find(close).unwrap();
            out.replace_range(start..end, "");
            at = start;
        }
    }
    let limits = Limits::default();
    kuvert::sign_template(&Input::new(out.as_bytes(), &limits).unwrap(), key, &limits).unwrap()
}

fn check(v: &TokenVerifier, text: &str, at: UtcTime) -> Result<kuvert::TokenClaims, TokenError> {
    let limits = Limits::default();
    let input = Input::new(text.as_bytes(), &limits).unwrap();
    v.verify_message(&input, at, Audience::Expect(sts::TEST_AUDIENCE)).map(|ok| (**ok.claims()).clone())
}

fn code(v: &TokenVerifier, text: &str) -> &'static str {
    match check(v, text, now()) {
        Ok(_) => "ok",
        Err(e) => e.code(),
    }
}

/// [`code`] with a new verifier (an empty replay cache).
fn fresh(text: &str) -> &'static str {
    code(&verifier(Profile::LibBas), text)
}

#[test]
fn lib_bas_request_verifies_with_nine_references() {
    let text = request(Profile::LibBas);
    let limits = Limits::default();
    let input = Input::new(text.as_bytes(), &limits).unwrap();
    let v = verifier(Profile::LibBas);
    let ok = v.verify_message(&input, now(), Audience::Expect(sts::TEST_AUDIENCE)).unwrap();
    assert_eq!(ok.authority_cvr().to_string(), sts::TEST_CVR);
    assert_eq!(
        ok.message().signed_elements().len(),
        9,
        "TS, STR, Body, Framework, Action, MessageID, To, ReplyTo, assertion"
    );
    assert!(ok.privileges().grants(ok.authority_cvr(), sts::TEST_PRIVILEGE));
    assert_eq!(ok.claims().audience(), Some(sts::TEST_AUDIENCE));
    assert_eq!(ok.claims().issuer(), sts::TEST_STS_ENTITY_ID);
    assert_eq!(ok.caller().cvr.map(|c| c.to_string()).as_deref(), Some("11111111"));
    assert_eq!(ok.message().addressing().message_id.unwrap().trimmed(), MESSAGE_ID);
    assert!(ok.message().body().is_some() && ok.message().framework().is_some());
    assert!((12_000..20_000).contains(&text.len()), "a realistic request size: {}", text.len());
}

#[test]
fn oio_idws_request_verifies() {
    let text = request(Profile::OioIdws);
    let v = verifier(Profile::OioIdws);
    assert_eq!(code(&v, &text), "ok");
    // The profiles are not interchangeable.
    assert_eq!(code(&verifier(Profile::LibBas), &text), "token.wrong_soap_version");
    assert_eq!(code(&v, &request(Profile::LibBas)), "token.wrong_soap_version");
}

#[test]
fn assertion_validity_is_checked() {
    let v = verifier(Profile::LibBas);
    let key = sts::test_system_key();
    let body = unsigned(Profile::LibBas, MESSAGE_ID);
    let expired = assertion(&AssertionRequest::for_test_system(now().add_millis(-minutes(9 * 60))));
    assert_eq!(code(&v, &sign_with(Profile::LibBas, &body, &expired, &key)), "token.expired");
    let future = assertion(&AssertionRequest::for_test_system(now().add_millis(minutes(60))));
    assert_eq!(code(&v, &sign_with(Profile::LibBas, &body, &future, &key)), "token.not_yet_valid");
    // Within the five minutes of skew, both ends are accepted.
    let soon = assertion(&AssertionRequest::for_test_system(now().add_millis(minutes(4))));
    assert_eq!(code(&v, &sign_with(Profile::LibBas, &body, &soon, &key)), "ok");
}

#[test]
fn wrong_audience_is_refused() {
    let v = verifier(Profile::LibBas);
    let mut req = AssertionRequest::for_test_system(now());
    req.audience = "http://entityid.kombit.dk/service/other/1".to_owned();
    let text =
        sign_with(Profile::LibBas, &unsigned(Profile::LibBas, MESSAGE_ID), &assertion(&req), &sts::test_system_key());
    assert_eq!(code(&v, &text), "token.wrong_audience");
    // The caller may defer the audience to its service-agreement decision.
    let limits = Limits::default();
    let input = Input::new(text.as_bytes(), &limits).unwrap();
    let ok = verifier(Profile::LibBas).verify_message(&input, now(), Audience::CheckedByCaller).unwrap();
    assert!(!ok.claims().is_for(sts::TEST_AUDIENCE));
}

#[test]
fn assertion_from_an_untrusted_issuer_is_refused() {
    let untrusted = common::signing_key("leaf-untrusted");
    let evil = TestSts::with_key(untrusted, sts::TEST_STS_ENTITY_ID);
    let forged = evil.issue(&AssertionRequest::for_test_system(now()));
    let text = sign_with(Profile::LibBas, &unsigned(Profile::LibBas, MESSAGE_ID), &forged, &sts::test_system_key());
    assert_eq!(code(&verifier(Profile::LibBas), &text), "token.untrusted_issuer");
}

#[test]
fn message_signed_by_another_key_is_refused() {
    let v = verifier(Profile::LibBas);
    let other = common::signing_key("oces2-leaf");
    let text = sign_with(Profile::LibBas, &unsigned(Profile::LibBas, MESSAGE_ID), &default_assertion(), &other);
    assert_eq!(code(&v, &text), "signature.bad_signature");
    // A KeyInfo naming any other key than the assertion's (here, its own certificate) is refused.
    let text = request(Profile::LibBas);
    let key_info = common::element(&text, "<ds:KeyInfo").to_owned();
    let own = format!(
        "<ds:KeyInfo><ds:X509Data><ds:X509Certificate>{}</ds:X509Certificate></ds:X509Data></ds:KeyInfo>",
        kuvert_tests::base64_encode(other.certificate())
    );
    let injected = common::edit(&text, &key_info, &own);
    assert_eq!(code(&v, &resign(&injected, &other)), "token.key_not_holder");
}

#[test]
fn assertion_and_str_coverage() {
    let key = sts::test_system_key();
    let text = request(Profile::LibBas);
    let assertion_id = common::attr_value(&text, "<Assertion ", "ID");
    let str_id = common::attr_value(&text, "<wsse:SecurityTokenReference wsu:Id", "wsu:Id");
    let without = |doc: &str, id: &str| common::edit(doc, common::reference(doc, id), "");
    // Either one suffices (the platform's clients send both).
    assert_eq!(fresh(&resign(&without(&text, &assertion_id), &key)), "ok");
    assert_eq!(fresh(&resign(&without(&text, &str_id), &key)), "ok");
    let neither = without(&without(&text, &assertion_id), &str_id);
    assert_eq!(fresh(&resign(&neither, &key)), "policy.not_signed");
    let body_id = common::id_of(&text, "<soap:Body");
    assert_eq!(fresh(&resign(&without(&text, &body_id), &key)), "policy.not_signed");
}

#[test]
fn a_second_assertion_or_a_wrapped_one_is_refused() {
    let v = verifier(Profile::LibBas);
    let key = sts::test_system_key();
    let text = request(Profile::LibBas);
    let signed = common::element(&text, "<Assertion ").to_owned();
    // An unsigned assertion of the attacker's, placed before the signed one.
    let mut req = AssertionRequest::for_test_system(now());
    req.id = Some("_attacker".to_owned());
    req.cvr = "12345678".to_owned();
    let other = assertion(&req);
    let before = text.replacen("<Assertion ", &format!("{other}<Assertion "), 1);
    assert_eq!(code(&v, &resign(&before, &key)), "token.too_many_assertions");
    // The signed assertion wrapped inside another element of the Security header.
    let wrapped = text.replacen(&signed, &format!("<x:Wrapper xmlns:x=\"urn:x\">{signed}</x:Wrapper>"), 1);
    assert_eq!(code(&v, &resign(&wrapped, &key)), "token.no_assertion");
    // Wrapped, with an attacker's assertion in its place.
    let swapped = text.replacen(&signed, &format!("{other}<x:Wrapper xmlns:x=\"urn:x\">{signed}</x:Wrapper>"), 1);
    assert_eq!(code(&v, &resign(&swapped, &key)), "token.assertion_misplaced");
}

#[test]
fn comments_in_signed_values_do_not_truncate_them() {
    let v = verifier(Profile::LibBas);
    let text = request(Profile::LibBas);
    // Comments are outside exc-c14n without comments: the signatures still verify,
    // and the values read are the whole text (the 2018 comment-truncation class).
    let cvr = text.replacen(
        &format!("<AttributeValue>{}</AttributeValue>", sts::TEST_CVR),
        "<AttributeValue>2918<!---->9846</AttributeValue>",
        1,
    );
    let claims = check(&v, &cvr, now()).expect("comment outside the canonical form");
    assert_eq!(claims.cvr().to_string(), sts::TEST_CVR);
    let name = text.replacen("CVR:11111111-FID:1 +", "CVR:11111111<!--.evil-->-FID:1 +", 1);
    let claims = check(&verifier(Profile::LibBas), &name, now()).unwrap();
    assert!(claims.subject().unwrap().starts_with("SERIALNUMBER=CVR:11111111-FID:1 +"), "{:?}", claims.subject());
    // A processing instruction is part of the canonical form, and so is text inserted next to a comment.
    let pi = text.replacen("CVR:11111111-FID:1 +", "CVR:11111111<?x y?>-FID:1 +", 1);
    assert_eq!(code(&verifier(Profile::LibBas), &pi), "token.issuer_signature", "PIs are in the canonical form");
    let grown = text.replacen("CVR:11111111-FID:1 +", "CVR:11111111<!---->9-FID:1 +", 1);
    assert_eq!(code(&verifier(Profile::LibBas), &grown), "token.issuer_signature");
}

#[test]
fn replayed_message_id_is_refused() {
    let v = verifier(Profile::LibBas);
    let text = request(Profile::LibBas);
    assert_eq!(code(&v, &text), "ok");
    assert_eq!(code(&v, &text), "token.replay");
    // Another MessageID with the same (recurring) assertion is fine.
    let key = sts::test_system_key();
    let again = sign_with(
        Profile::LibBas,
        &unsigned(Profile::LibBas, "urn:uuid:00000000-0000-4000-8000-000000000002"),
        &default_assertion(),
        &key,
    );
    assert_eq!(code(&v, &again), "ok");
    // A forged message does not use up its MessageID.
    let v = verifier(Profile::LibBas);
    let forged = text.replacen("Kuvert Testkommune enhed 1<", "Kuvert Testkommune enhed X<", 1);
    assert_eq!(code(&v, &forged), "signature.digest_mismatch");
    assert_eq!(code(&v, &text), "ok");
}

#[test]
fn timestamp_is_required_and_checked() {
    let v = verifier(Profile::LibBas);
    let key = sts::test_system_key();
    let text = request(Profile::LibBas);
    let ts = common::element(&text, "<wsu:Timestamp").to_owned();
    let ts_id = common::id_of(&text, "<wsu:Timestamp");
    let without = common::edit(&common::edit(&text, &ts, ""), common::reference(&text, &ts_id), "");
    assert_eq!(code(&v, &resign(&without, &key)), "timestamp.missing");
    assert_eq!(check(&v, &text, now().add_millis(minutes(20))).unwrap_err().code(), "timestamp.expired");
}

#[test]
fn framework_header_is_required_by_lib_bas() {
    let v = verifier(Profile::LibBas);
    let key = sts::test_system_key();
    let text = request(Profile::LibBas);
    let framework = common::element(&text, "<sbf:Framework").to_owned();
    let fw_id = common::id_of(&text, "<sbf:Framework");
    let missing = common::edit(&common::edit(&text, &framework, ""), common::reference(&text, &fw_id), "");
    let err = check(&v, &resign(&missing, &key), now()).unwrap_err();
    assert_eq!(err.code(), "token.framework_version_mismatch");
    let fault = err.fault(kuvert::SoapVersion::Soap11, "Framework version not supported").to_xml();
    assert!(fault.contains(":FrameworkVersionMismatch</faultcode>"), "{fault}");
    let old = text.replacen("version=\"2.0\"", "version=\"1.0\"", 1);
    assert_eq!(code(&v, &resign(&old, &key)), "token.framework_version_mismatch");
    // OIO-IDWS needs no Framework header.
    assert_eq!(code(&verifier(Profile::OioIdws), &request(Profile::OioIdws)), "ok");
}

#[test]
fn required_addressing_headers() {
    let v = verifier(Profile::LibBas);
    let key = sts::test_system_key();
    let text = request(Profile::LibBas);
    let reply_to = common::element(&text, "<wsa:ReplyTo").to_owned();
    let id = common::id_of(&text, "<wsa:ReplyTo");
    let missing = common::edit(&common::edit(&text, &reply_to, ""), common::reference(&text, &id), "");
    assert_eq!(code(&v, &resign(&missing, &key)), "token.missing_header");
}

#[test]
fn recurring_assertion_is_served_from_the_cache_and_still_checked() {
    let v = verifier(Profile::LibBas);
    let key = sts::test_system_key();
    let shared = default_assertion();
    for i in 0..3 {
        let id = format!("urn:uuid:00000000-0000-4000-8000-00000000010{i}");
        let text = sign_with(Profile::LibBas, &unsigned(Profile::LibBas, &id), &shared, &key);
        assert_eq!(code(&v, &text), "ok");
    }
    // The cached assertion is not used past its expiry, nor for another audience.
    let text = sign_with(Profile::LibBas, &unsigned(Profile::LibBas, "urn:uuid:1"), &shared, &key);
    let limits = Limits::default();
    let input = Input::new(text.as_bytes(), &limits).unwrap();
    let late = now().add_millis(minutes(8 * 60 + 10));
    assert_eq!(v.verify_message(&input, late, Audience::CheckedByCaller).unwrap_err().code(), "timestamp.expired");
    let other = v.verify_message(&input, now(), Audience::Expect("urn:other")).unwrap_err();
    assert_eq!(other.code(), "token.wrong_audience");
}

#[test]
fn holder_chain_can_be_required() {
    let mut v = verifier(Profile::LibBas);
    let mut anchors = TrustAnchors::new();
    anchors.add_der(&common::pki("oces2-root.der")).unwrap();
    v.require_holder_chain(anchors);
    v.add_holder_intermediate(&common::pki("oces2-ca.der"));
    // The corpus's self-signed system certificate does not chain: refused.
    assert_eq!(code(&v, &request(Profile::LibBas)), "token.untrusted_holder");
    // An OCES2-style certificate from the test PKI does.
    let holder = common::signing_key("oces2-leaf");
    let mut req = AssertionRequest::for_test_system(now());
    req.holder_certificate = holder.certificate().to_vec();
    let text = sign_with(Profile::LibBas, &unsigned(Profile::LibBas, MESSAGE_ID), &assertion(&req), &holder);
    assert_eq!(code(&v, &text), "ok");
}

#[test]
fn standalone_assertion_verifies() {
    let v = verifier(Profile::LibBas);
    let doc = default_assertion();
    let limits = Limits::default();
    let input = Input::new(doc.as_bytes(), &limits).unwrap();
    let claims = v.verify_assertion(&input, now(), Audience::Expect(sts::TEST_AUDIENCE)).unwrap();
    assert_eq!(claims.cvr().to_string(), sts::TEST_CVR);
    let tampered = doc.replacen(sts::TEST_CVR, "12345678", 1);
    let input = Input::new(tampered.as_bytes(), &limits).unwrap();
    let err = v.verify_assertion(&input, now(), Audience::CheckedByCaller).unwrap_err();
    assert_eq!(err.code(), "token.issuer_signature");
}

/// The platform's own samples (pretty-printed after signing, so no digest
/// matches): kuvert reads each as far as the first digest and refuses it
/// there — the assertion is found through its SAMLID key identifier (with the
/// whitespace the samples put around it) and its issuer certificate is
/// taken from the signature's X509Data.
#[test]
fn platform_samples_are_read_up_to_their_digests() {
    let Some(dir) = kuvert_tests::shared_subdir("reference/serviceplatformen") else { return };
    let issuer_cert = |doc: &str| {
        let at = doc.find("<X509Certificate>").unwrap() + "<X509Certificate>".len();
        let end = at + doc[at..].find("</X509Certificate>").unwrap();
        kuvert_tests::base64_decode(&doc[at..end])
    };
    let cases = [
        ("sts/kombit-sts-exttest-saml-assertion-hok.xml", None, "2022-01-18T08:00:00Z"),
        (
            "oioidws/SP-token-signed-request-soap11-OrganisationEnhed5-soeg.xml",
            Some(Profile::LibBas),
            "2020-07-02T09:42:30Z",
        ),
        ("oioidws/LIBBAS-signed-request-soap12-HelloSign.xml", Some(Profile::OioIdws), "2023-04-04T08:22:00Z"),
        ("oioidws/LIBBAS-signed-request-soap12-JavaHello.xml", Some(Profile::OioIdws), ""),
    ];
    for (file, profile, at) in cases {
        let bytes = kuvert_tests::read(&dir.join(file));
        let doc = String::from_utf8_lossy(&bytes).into_owned();
        let mut anchors = TrustAnchors::new();
        anchors.add_der(&issuer_cert(&doc)).unwrap();
        let v = TokenVerifier::new(anchors, TokenPolicy::new(profile.unwrap_or(Profile::LibBas)));
        let limits = Limits::default();
        let input = Input::new(&bytes, &limits).unwrap();
        let at = if at.is_empty() { created_of(&doc) } else { UtcTime::parse(at).unwrap() };
        let result = match profile {
            None => v.verify_assertion(&input, at, Audience::CheckedByCaller).map(|_| ()),
            Some(_) => v.verify_message(&input, at, Audience::CheckedByCaller).map(|_| ()),
        };
        let err = result.expect_err("pretty-printed samples cannot verify");
        assert_eq!(err.code(), "token.issuer_signature", "{file}: {err}");
    }
}

/// `wsu:Created` of a message's Timestamp.
fn created_of(doc: &str) -> UtcTime {
    let at = doc.find("Created>").unwrap() + "Created>".len();
    UtcTime::parse(doc[at..at + doc[at..].find('<').unwrap()].trim()).unwrap()
}

/// The issuer signature in other forms than the STS's usual one (a PrefixList,
/// another digest) is verified the ordinary way, and a tampered one still fails.
#[test]
fn issuer_signatures_of_other_shapes() {
    let sts = TestSts::test_only();
    let template = sts.template(&AssertionRequest::for_test_system(now()));
    let exc = "<Transform Algorithm=\"http://www.w3.org/2001/10/xml-exc-c14n#\"/>";
    let shapes = [
        ("prefix list", template.replacen(exc, "<Transform Algorithm=\"http://www.w3.org/2001/10/xml-exc-c14n#\"><InclusiveNamespaces xmlns=\"http://www.w3.org/2001/10/xml-exc-c14n#\" PrefixList=\"xs\"/></Transform>", 1)),
        ("sha-512 digest", template.replacen("xmlenc#sha256", "xmlenc#sha512", 1)),
    ];
    let limits = Limits::default();
    for (what, doc) in shapes {
        assert_ne!(doc, template, "{what}: the edit applies");
        let signed =
            kuvert::sign_template(&Input::new(doc.as_bytes(), &limits).unwrap(), &sts::test_sts_key(), &limits)
                .unwrap();
        let text = sign_with(Profile::LibBas, &unsigned(Profile::LibBas, MESSAGE_ID), &signed, &sts::test_system_key());
        assert_eq!(fresh(&text), "ok", "{what}");
        let tampered = text.replacen(sts::TEST_CVR, "12345678", 1);
        assert_eq!(fresh(&resign(&tampered, &sts::test_system_key())), "token.issuer_signature", "{what}");
    }
    // Inclusive c14n takes in the namespaces in scope: signed standalone, the
    // assertion verifies standalone, and no longer once placed in a message.
    let inclusive =
        template.replacen(exc, "<Transform Algorithm=\"http://www.w3.org/TR/2001/REC-xml-c14n-20010315\"/>", 1);
    let signed =
        kuvert::sign_template(&Input::new(inclusive.as_bytes(), &limits).unwrap(), &sts::test_sts_key(), &limits)
            .unwrap();
    let v = verifier(Profile::LibBas);
    assert!(v
        .verify_assertion(&Input::new(signed.as_bytes(), &limits).unwrap(), now(), Audience::CheckedByCaller)
        .is_ok());
    let text = sign_with(Profile::LibBas, &unsigned(Profile::LibBas, MESSAGE_ID), &signed, &sts::test_system_key());
    assert_eq!(fresh(&text), "token.issuer_signature");
}

/// The round trip's other half: the platform answers with a response signed
/// with its certificate as a BinarySecurityToken, related to the request.
#[test]
fn signed_response_relates_to_the_request() {
    let request = request(Profile::LibBas);
    let limits = Limits::default();
    let input = Input::new(request.as_bytes(), &limits).unwrap();
    let token = verifier(Profile::LibBas).verify_message(&input, now(), Audience::Expect(sts::TEST_AUDIENCE)).unwrap();
    let message_id = token.message().addressing().message_id.unwrap().trimmed().to_owned();
    let response = sts::token_response_soap11(&message_id, 20);
    let platform = common::signing_key("oces2-leaf");
    let input = Input::new(response.as_bytes(), &limits).unwrap();
    let signed = kuvert::sign_message(&input, &platform, now(), &kuvert::SignOptions::default()).unwrap();
    let input = Input::new(signed.as_bytes(), &limits).unwrap();
    let verified = common::verifier().verify_message(&input, now()).unwrap();
    assert_eq!(verified.addressing().relates_to.unwrap().trimmed(), message_id);
    assert!(verified.body().is_some());
}
