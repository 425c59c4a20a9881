//! Attacks on the token model (LIB-BAS requests carrying a SAML holder-of-key
//! assertion of the TEST ONLY STS): wrapping of the assertion, duplicate IDs
//! across `ID`, `wsu:Id` and `Id`, the value read (CVR attribute, NameID)
//! against the value signed, and replay (same MessageID, stale or future
//! Timestamp). Each case states its typed error; a table is printed.
//! More token cases (audience, validity, issuer, holder key) are in `token.rs`.

mod common;

use kuvert::{
    Audience, Input, Limits, Profile, SigningKey, TokenPolicy, TokenSignOptions, TokenVerifier, TrustAnchors, UtcTime,
};
use kuvert_corpus::sts::{self, AssertionRequest, TestSts};
use kuvert_tests::print_table;

const MESSAGE_ID: &str = "urn:uuid:00000000-0000-4000-8000-000000000001";

fn now() -> UtcTime {
    UtcTime::parse("2030-01-01T12:00:00Z").unwrap()
}

fn verifier() -> TokenVerifier {
    let mut anchors = TrustAnchors::new();
    anchors.add_der(TestSts::test_only().certificate()).unwrap();
    TokenVerifier::new(anchors, TokenPolicy::new(Profile::LibBas))
}

fn sign(body: &str, assertion: &str, at: UtcTime) -> String {
    let limits = Limits::default();
    let input = Input::new(body.as_bytes(), &limits).unwrap();
    let options = TokenSignOptions::new(Profile::LibBas);
    kuvert::sign_token_request(&input, assertion.as_bytes(), &sts::test_system_key(), at, &options).unwrap()
}

fn request() -> String {
    let assertion = TestSts::test_only().issue(&AssertionRequest::for_test_system(now().add_millis(-60_000)));
    sign(&sts::token_request_soap11(2, MESSAGE_ID), &assertion, now())
}

/// Recomputes the message signature (digests and value) with the holder's key after an edit.
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

fn verify(v: &TokenVerifier, text: &str, at: UtcTime) -> Result<String, &'static str> {
    let limits = Limits::default();
    let input = Input::new(text.as_bytes(), &limits).map_err(|e| kuvert::VerifyError::from(e).code())?;
    v.verify_message(&input, at, Audience::Expect(sts::TEST_AUDIENCE))
        .map(|ok| ok.authority_cvr().to_string())
        .map_err(|e| e.code())
}

struct Table {
    title: &'static str,
    rows: Vec<Vec<String>>,
    wrong: Vec<String>,
}

impl Table {
    fn check(&mut self, name: &str, want: &str, got: Result<String, &'static str>) {
        let shown = match &got {
            Ok(cvr) => format!("verifies (CVR {cvr})"),
            Err(code) => code.to_string(),
        };
        let good = match &got {
            Ok(_) => want == "verifies",
            Err(code) => *code == want,
        };
        if !good {
            self.wrong.push(format!("{name}: expected {want}, got {shown}"));
        }
        self.rows.push(vec![name.to_owned(), want.to_owned(), shown, if good { "ok" } else { "WRONG" }.to_owned()]);
    }

    fn finish(self) {
        print_table(self.title, &["attack", "expected", "kuvert", "verdict"], &self.rows);
        assert!(self.wrong.is_empty(), "{}:\n{}", self.title, self.wrong.join("\n"));
        in_security_md(self.title, self.rows.iter().map(|r| r[0].as_str()));
    }
}

const CVR_VALUE: &str = "<AttributeValue>29189846</AttributeValue>";
const EVIL_CVR: &str = "<AttributeValue>12345678</AttributeValue>";

#[test]
fn assertion_wrapping_and_duplicate_ids() {
    let key = sts::test_system_key();
    let text = request();
    assert_eq!(verify(&verifier(), &text, now()), Ok(sts::TEST_CVR.to_owned()), "baseline");
    let signed = common::element(&text, "<Assertion ").to_owned();
    let id = common::attr_value(&text, "<Assertion ", "ID");
    // The attacker's copy: the STS-signed assertion with another CVR (its issuer signature no longer holds).
    let evil = signed.replacen(CVR_VALUE, EVIL_CVR, 1);
    // An attacker's own, properly signed assertion is not possible without the STS key:
    // one signed by another key stands for it.
    let mut t = Table {
        title: "XML signature wrapping: the SAML assertion; duplicate IDs",
        rows: Vec::new(),
        wrong: Vec::new(),
    };
    let r = |doc: String| verify(&verifier(), &resign(&doc, &key), now());
    let wrapper = |inner: &str| format!("<x:Wrapper xmlns:x=\"urn:x\">{inner}</x:Wrapper>");

    t.check(
        "CVR attribute changed inside the signed assertion",
        "token.issuer_signature",
        r(text.replacen(CVR_VALUE, EVIL_CVR, 1)),
    );
    t.check(
        "modified copy (same ID) before the signed assertion",
        "signature.duplicate_id",
        r(text.replacen(&signed, &format!("{evil}{signed}"), 1)),
    );
    let mut other = AssertionRequest::for_test_system(now().add_millis(-60_000));
    other.id = Some("_attacker".to_owned());
    other.cvr = "12345678".to_owned();
    let other = TestSts::test_only().issue(&other);
    t.check(
        "a second STS assertion (other ID, other CVR) before the signed one",
        "token.too_many_assertions",
        r(text.replacen(&signed, &format!("{other}{signed}"), 1)),
    );
    t.check(
        "signed assertion wrapped inside the Security header",
        "token.no_assertion",
        r(text.replacen(&signed, &wrapper(&signed), 1)),
    );
    t.check(
        "signed assertion wrapped, modified copy in its place",
        "signature.duplicate_id",
        r(text.replacen(&signed, &format!("{evil}{}", wrapper(&signed)), 1)),
    );
    let moved = text.replacen(&signed, &evil, 1);
    t.check(
        "signed assertion moved into a new header block, modified copy in place",
        "signature.duplicate_id",
        r(moved.replacen("</soap:Header>", &format!("{}</soap:Header>", wrapper(&signed)), 1)),
    );
    t.check(
        "signed assertion moved into a ds:Object, modified copy in place",
        "signature.duplicate_id",
        r(moved.replacen(
            "</ds:KeyInfo></ds:Signature>",
            &format!("</ds:KeyInfo><ds:Object>{signed}</ds:Object></ds:Signature>"),
            1,
        )),
    );
    t.check(
        "signed assertion moved into the Body, modified copy in place",
        "signature.duplicate_id",
        r(moved.replacen("</soap:Body>", &format!("{}</soap:Body>", wrapper(&signed)), 1)),
    );
    let removed = text.replacen(&signed, "", 1);
    t.check(
        "signed assertion moved under an unknown header, none in Security",
        "token.no_assertion",
        r(removed.replacen("</soap:Header>", &format!("{}</soap:Header>", wrapper(&signed)), 1)),
    );
    let unsigned = {
        let sig = common::element(&signed, "<Signature ").to_owned();
        evil.replacen(&sig, "", 1)
    };
    t.check(
        "modified copy with its issuer signature removed",
        "token.unsigned_assertion",
        r(text.replacen(&signed, &unsigned, 1)),
    );
    for (what, attr) in [
        ("wsu:Id", format!("wsu:Id=\"{id}\" xmlns:wsu=\"{}\"", common::WSU)),
        ("Id", format!("Id=\"{id}\"")),
        ("ID", format!("ID=\"{id}\"")),
    ] {
        let doc = text.replacen("</soap:Header>", &format!("<x:X xmlns:x=\"urn:x\" {attr}/></soap:Header>"), 1);
        t.check(&format!("the assertion's ID repeated as {what} on another element"), "signature.duplicate_id", r(doc));
    }
    t.finish();
}

#[test]
fn the_claims_read_are_the_claims_signed() {
    // Comments are outside the canonical form (exc-c14n without comments): the
    // issuer signature holds, and the whole text is read, never its first node.
    let text = request();
    let split = text.replacen(CVR_VALUE, "<AttributeValue>2918<!--.12345678-->9846</AttributeValue>", 1);
    assert_eq!(verify(&verifier(), &split, now()), Ok(sts::TEST_CVR.to_owned()));
    let refs = text.replacen(CVR_VALUE, "<AttributeValue>&#50;9189846</AttributeValue>", 1);
    assert_eq!(verify(&verifier(), &refs, now()), Ok(sts::TEST_CVR.to_owned()));
    let cdata = text.replacen(CVR_VALUE, "<AttributeValue><![CDATA[2918]]>9846</AttributeValue>", 1);
    assert_eq!(verify(&verifier(), &cdata, now()), Ok(sts::TEST_CVR.to_owned()));
    let truncated = text.replacen(CVR_VALUE, "<AttributeValue>2918<!---->98467</AttributeValue>", 1);
    assert_eq!(verify(&verifier(), &truncated, now()), Err("token.issuer_signature"));
    let rows = vec![
        vec!["comment splitting the CVR".to_owned(), sts::TEST_CVR.to_owned()],
        vec!["character reference in the CVR".to_owned(), sts::TEST_CVR.to_owned()],
        vec!["CDATA in the CVR".to_owned(), sts::TEST_CVR.to_owned()],
        vec!["text added next to a comment".to_owned(), "token.issuer_signature".to_owned()],
    ];
    print_table("Token claims: value read vs value signed", &["edit of the signed CVR", "read / refused"], &rows);
}

#[test]
fn replay_and_timestamps() {
    let key = sts::test_system_key();
    let text = request();
    let v = verifier();
    let mut t = Table { title: "Replay", rows: Vec::new(), wrong: Vec::new() };
    t.check("first use", "verifies", verify(&v, &text, now()));
    t.check("same message again", "token.replay", verify(&v, &text, now()));
    let assertion = common::element(&text, "<Assertion ").to_owned();
    let again = sign(&sts::token_request_soap11(3, MESSAGE_ID), &assertion, now());
    t.check("same MessageID, another body, freshly signed", "token.replay", verify(&v, &again, now()));
    let late = now().add_millis(20 * 60_000);
    t.check("Timestamp expired (20 minutes later)", "timestamp.expired", verify(&verifier(), &text, late));
    let early = now().add_millis(-20 * 60_000);
    t.check(
        "Timestamp created in the future (checked 20 minutes earlier)",
        "timestamp.future",
        verify(&verifier(), &text, early),
    );
    let created = common::element(&text, "<wsu:Created").to_owned();
    let expires = common::element(&text, "<wsu:Expires").to_owned();
    let ahead = |e: &str| e.replacen("2030-01-01T12:", "2030-01-01T13:", 1);
    let after = text.replacen(&created, &ahead(&created), 1);
    t.check(
        "Created moved after Expires, re-signed",
        "timestamp.malformed",
        verify(&verifier(), &resign(&after, &key), now()),
    );
    let future = after.replacen(&expires, &ahead(&expires), 1);
    t.check(
        "Created and Expires an hour ahead, re-signed",
        "timestamp.future",
        verify(&verifier(), &resign(&future, &key), now()),
    );
    t.finish();
}

/// SECURITY.md's results table lists every case of this table.
fn in_security_md<'r>(title: &str, names: impl Iterator<Item = &'r str>) {
    let doc = kuvert_tests::read(&kuvert_tests::workspace_root().join("SECURITY.md"));
    let doc = String::from_utf8(doc).expect("UTF-8");
    assert!(doc.contains(&format!("### {title}")), "SECURITY.md has no table {title:?}");
    for name in names {
        assert!(doc.contains(&format!("| {name} |")), "SECURITY.md does not list {name:?}");
    }
}
