//! The token verifier reads a fresh assertion in the envelope's own pass and
//! digests it there speculatively; when it cannot (a cached ID with other
//! bytes, references asking for other digests) it reads the assertion a
//! second time. Both readings must give the same answer, to the error kind
//! and byte offset, for valid and for damaged assertions.

use kuvert::{Audience, Input, Limits, Profile, TokenPolicy, TokenSignOptions, TokenVerifier, TrustAnchors, UtcTime};
use kuvert_corpus::sts::{self, AssertionRequest, TestSts};

fn now() -> UtcTime {
    UtcTime::parse("2030-01-01T12:00:00Z").unwrap()
}

fn verifier(assertion_cache: usize) -> TokenVerifier {
    let mut anchors = TrustAnchors::new();
    anchors.add_der(TestSts::test_only().certificate()).unwrap();
    let mut policy = TokenPolicy::new(Profile::LibBas);
    policy.assertion_cache = assertion_cache;
    TokenVerifier::new(anchors, policy)
}

fn request(assertion: &str, message_id: &str) -> String {
    let limits = Limits::default();
    let body = sts::token_request_soap11(30, message_id);
    let input = Input::new(body.as_bytes(), &limits).unwrap();
    let options = TokenSignOptions::new(Profile::LibBas);
    kuvert::sign_token_request(&input, assertion.as_bytes(), &sts::test_system_key(), now(), &options).unwrap()
}

/// The verdict as a comparable string: the claims' debug form, or the whole error.
fn verdict(v: &TokenVerifier, text: &str) -> String {
    let limits = Limits::default();
    let input = Input::new(text.as_bytes(), &limits).unwrap();
    match v.verify_message(&input, now(), Audience::Expect(sts::TEST_AUDIENCE)) {
        Ok(ok) => format!("ok {:?}", ok.claims()),
        Err(e) => format!("{} at {}: {e:?}", e.code(), e.offset()),
    }
}

/// Edits of the assertion inside a signed request (none re-signs anything).
fn variants(text: &str) -> Vec<(&'static str, String)> {
    let section = |open: &str, close: &str| {
        let start = text.find(open).unwrap();
        (start, text[start..].find(close).unwrap() + start + close.len())
    };
    let (issuer_at, issuer_end) = section("<Issuer", "</Issuer>");
    let (subject_at, subject_end) = section("<Subject>", "</Subject>");
    let cvr = text.find("CvrNumberIdentifier").unwrap();
    let cvr_value = cvr + text[cvr..].find("<AttributeValue>").unwrap() + "<AttributeValue>".len();
    let name_id = text.find("<NameID").unwrap();
    let name_id_text = name_id + text[name_id..].find('>').unwrap() + 4;
    let edit = |at: usize, end: usize, with: &str| format!("{}{with}{}", &text[..at], &text[end..]);
    let subject = &text[subject_at..subject_end];
    let subject_first =
        format!("{}{subject}{}", &text[..issuer_end], &text[issuer_end..subject_at]) + &text[subject_end..];
    vec![
        ("unchanged", text.to_owned()),
        ("comment in NameID", edit(name_id_text, name_id_text, "<!-- x -->")),
        ("CVR changed", edit(cvr_value, cvr_value + 1, "3")),
        ("no Issuer", edit(issuer_at, issuer_end, "")),
        ("Subject before Signature", subject_first),
        ("Version 1.1", text.replacen("Version=\"2.0\"", "Version=\"1.1\"", 1)),
        ("unclosed element", edit(cvr_value, cvr_value, "<x>")),
    ]
}

#[test]
fn one_reading_and_two_readings_agree() {
    let assertion = TestSts::test_only().issue(&AssertionRequest::for_test_system(now().add_millis(-60_000)));
    let primer = request(&assertion, "urn:uuid:00000000-0000-4000-8000-000000000001");
    let text = request(&assertion, "urn:uuid:00000000-0000-4000-8000-000000000002");
    for (name, variant) in variants(&text) {
        // No assertion cache: the envelope pass reads the assertion.
        let one = verdict(&verifier(0), &variant);
        // The assertion's ID cached: the pass skips it, and unless the bytes
        // are the cached ones the verifier reads it a second time.
        let cached = verifier(16);
        assert!(verdict(&cached, &primer).starts_with("ok"), "{name}: the primer verifies");
        let two = verdict(&cached, &variant);
        assert_eq!(one, two, "{name}");
        match name {
            // Comments are not part of the canonical form, and the NameID is read whole.
            "unchanged" | "comment in NameID" => assert_eq!(one, verdict(&verifier(0), &text), "{name}"),
            _ => assert!(!one.starts_with("ok"), "{name}: {one}"),
        }
    }
}

/// A recurring assertion is passed over without being read only when it
/// holds no ID inside: an element inside with an ID is indexed on every
/// pass, so an outside element repeating that ID is refused as a duplicate,
/// with or without the cache.
#[test]
fn a_recurring_assertion_with_an_id_inside_is_still_indexed() {
    let template = TestSts::test_only().template(&AssertionRequest::for_test_system(now().add_millis(-60_000)));
    let template = template.replacen("<Subject>", "<Subject Id=\"inner-1\">", 1);
    let limits = Limits::default();
    let input = Input::new(template.as_bytes(), &limits).unwrap();
    let assertion = kuvert::sign_template(&input, &sts::test_sts_key(), &limits).unwrap();
    let primer = request(&assertion, "urn:uuid:00000000-0000-4000-8000-000000000011");
    let again = request(&assertion, "urn:uuid:00000000-0000-4000-8000-000000000012");
    let body = again.find(":Body ").unwrap();
    let inside_body = body + again[body..].find('>').unwrap() + 1;
    let duplicate = format!("{}<x Id=\"inner-1\"/>{}", &again[..inside_body], &again[inside_body..]);
    let cached = verifier(16);
    assert!(verdict(&cached, &primer).starts_with("ok"), "the primer verifies");
    assert!(verdict(&cached, &again).starts_with("ok"), "the same assertion again");
    let refused = verdict(&verifier(0), &duplicate);
    assert!(refused.starts_with("signature.duplicate_id"), "{refused}");
    assert_eq!(verdict(&cached, &duplicate), refused);
}
