//! Attacks on WS-Security verification, each checked against the exact
//! `VerifyError::code()` (and, where the element concerned is clear, its
//! byte offset): XML signature wrapping of the Body and the Timestamp,
//! duplicate IDs, signature exclusion, comment / PI / reference tricks inside
//! signed values, algorithm confusion, key injection, timestamp abuse and
//! the signature limits. A result table is printed per group. Every case is
//! verified twice by one verifier (see [`outcome`]).
//!
//! Messages are signed by `kuvert::sign_message` and then edited (an edit
//! inside a signed part breaks its digest on purpose, one outside does not),
//! or re-signed by the tests' own signer (`common::resign`) when the test
//! needs control over the references, algorithms or KeyInfo.

mod common;

use common::*;
use kuvert::{Input, Limits, SignOptions, TrustAnchors, UtcTime, Verifier, VerifyPolicy};
use kuvert_tests::{base64_encode, certificate_spki, print_table};

/// Verification outcome: `Ok` or the error's (code, offset).
type Outcome = Result<(), (&'static str, usize)>;

/// Each message is verified twice by the same verifier, which may recognize
/// its `SignedInfo` the second time by the shape it learned the first: the
/// two outcomes must be the same.
fn outcome(v: &Verifier, xml: &str, at: UtcTime) -> Outcome {
    let limits = Limits::default();
    let input = Input::new(xml.as_bytes(), &limits).map_err(|e| (kuvert::VerifyError::from(e).code(), e.offset()))?;
    let once = v.verify_message(&input, at).map(|_| ()).map_err(|e| (e.code(), e.offset()));
    let again = v.verify_message(&input, at).map(|_| ()).map_err(|e| (e.code(), e.offset()));
    assert_eq!(once, again, "the same verifier, the same message, another outcome");
    once
}

/// What a case expects: verification, or a code (at an offset, when given).
enum Want {
    Ok,
    Code(&'static str),
    CodeAt(&'static str, usize),
}

struct Group {
    title: &'static str,
    rows: Vec<Vec<String>>,
    wrong: Vec<String>,
}

impl Group {
    fn new(title: &'static str) -> Group {
        Group { title, rows: Vec::new(), wrong: Vec::new() }
    }

    fn check(&mut self, name: &str, want: Want, got: Outcome) {
        let expected = match &want {
            Want::Ok => "verifies".to_owned(),
            Want::Code(c) => c.to_string(),
            Want::CodeAt(c, at) => format!("{c} at {at}"),
        };
        let good = match (&want, &got) {
            (Want::Ok, Ok(())) => true,
            (Want::Code(c), Err((code, _))) => c == code,
            (Want::CodeAt(c, at), Err((code, offset))) => c == code && at == offset,
            _ => false,
        };
        let shown = match got {
            Ok(()) => "verifies".to_owned(),
            Err((code, at)) => format!("{code} at {at}"),
        };
        if !good {
            self.wrong.push(format!("{name}: expected {expected}, got {shown}"));
        }
        self.rows.push(vec![name.to_owned(), expected, shown, if good { "ok" } else { "WRONG" }.to_owned()]);
    }

    fn finish(self) {
        print_table(self.title, &["attack", "expected", "kuvert", "verdict"], &self.rows);
        assert!(self.wrong.is_empty(), "{}:\n{}", self.title, self.wrong.join("\n"));
    }
}

/// The base message signed by kuvert with the OCES2 leaf at `now()`:
/// references to Body, Timestamp, Framework, Action, MessageID and To.
fn signed() -> String {
    let s = kuvert_sign(REQUEST, "oces2-leaf");
    assert_eq!(outcome(&verifier(), &s, now()), Ok(()), "baseline must verify");
    s
}

fn offset(doc: &str, needle: &str) -> usize {
    doc.find(needle).unwrap_or_else(|| panic!("{needle:?} not found"))
}

const WRAPPER_OPEN: &str = r#"<atk:Wrapper xmlns:atk="urn:attacker">"#;
const WRAPPER_CLOSE: &str = "</atk:Wrapper>";

/// The signed Body turned into the attacker's: no ID, another PNR.
fn evil_body(body: &str) -> String {
    body.replacen(r#" wsu:Id="body""#, "", 1).replacen("3102013757", "3001019999", 1)
}

// ---------------------------------------------------------------------------
// Signature wrapping
// ---------------------------------------------------------------------------

#[test]
fn body_wrapping() {
    let s = signed();
    let v = verifier();
    let body = element(&s, "<soapenv:Body").to_owned();
    let evil = evil_body(&body);
    let mut g = Group::new("XML signature wrapping: the Body");

    // Signed Body moved into a new header block; an unsigned Body in its place.
    let doc = edit(&s, &body, &evil);
    let doc = edit(&doc, "</soapenv:Header>", &format!("{WRAPPER_OPEN}{body}{WRAPPER_CLOSE}</soapenv:Header>"));
    let at = offset(&doc, "<soapenv:Body>");
    g.check(
        "signed Body moved into a new header block",
        Want::CodeAt("policy.not_signed", at),
        outcome(&v, &doc, now()),
    );

    // ... into wsse:Security.
    let doc = edit(&s, &body, &evil);
    let doc = edit(&doc, "</wsse:Security>", &format!("{body}</wsse:Security>"));
    let at = offset(&doc, "<soapenv:Body>");
    g.check("signed Body moved into wsse:Security", Want::CodeAt("policy.not_signed", at), outcome(&v, &doc, now()));

    // ... into a ds:Object inside the Signature.
    let doc = edit(&s, &body, &evil);
    let doc = edit(
        &doc,
        "</ds:KeyInfo></ds:Signature>",
        &format!("</ds:KeyInfo><ds:Object>{body}</ds:Object></ds:Signature>"),
    );
    let at = offset(&doc, "<soapenv:Body>");
    g.check(
        "signed Body moved into a ds:Object of the Signature",
        Want::CodeAt("policy.not_signed", at),
        outcome(&v, &doc, now()),
    );

    // ... under an unknown element inside an unsigned outer Body.
    let evil_inner = &evil[evil.find('>').unwrap() + 1..evil.rfind("</soapenv:Body>").unwrap()];
    let doc = edit(&s, &body, &format!("<soapenv:Body>{evil_inner}{WRAPPER_OPEN}{body}{WRAPPER_CLOSE}</soapenv:Body>"));
    let at = offset(&doc, "<soapenv:Body>");
    g.check(
        "signed Body under an unknown element inside the Body",
        Want::CodeAt("policy.not_signed", at),
        outcome(&v, &doc, now()),
    );

    // A second Body (after, or before, the signed one): not a SOAP envelope.
    let doc = edit(&s, &body, &format!("{body}{evil}"));
    let at = offset(&doc, "<soapenv:Body>");
    g.check(
        "a second, unsigned Body after the signed one",
        Want::CodeAt("soap.duplicate_body", at),
        outcome(&v, &doc, now()),
    );
    let doc = edit(&s, &body, &format!("{evil}{body}"));
    let at = offset(&doc, r#"<soapenv:Body wsu:Id="body">"#);
    g.check(
        "a second, unsigned Body before the signed one",
        Want::CodeAt("soap.duplicate_body", at),
        outcome(&v, &doc, now()),
    );

    // The processed Body carries the signed Body's ID; the signed one moved away.
    for attr in [r#" wsu:Id="body""#, r#" Id="body""#, r#" ID="body""#] {
        let twin = evil.replacen("<soapenv:Body", &format!("<soapenv:Body{attr}"), 1);
        let doc = edit(&s, &body, &twin);
        let doc = edit(&doc, "</soapenv:Header>", &format!("{WRAPPER_OPEN}{body}{WRAPPER_CLOSE}</soapenv:Header>"));
        g.check(
            &format!("unsigned Body with{attr}, signed Body moved into a header"),
            Want::Code("signature.duplicate_id"),
            outcome(&v, &doc, now()),
        );
    }
    // With a policy that does not require the Body signed, the wrapped message
    // verifies, but the result exposes no Body and no InvocationContext.
    let doc = edit(&s, &body, &evil);
    let doc = edit(&doc, "</soapenv:Header>", &format!("{WRAPPER_OPEN}{body}{WRAPPER_CLOSE}</soapenv:Header>"));
    let mut lax = VerifyPolicy::default();
    lax.coverage.body = false;
    let seen = with_verified(&verifier_with(lax), &doc, now(), |ok| {
        (ok.body().is_some(), ok.invocation_context().is_some(), ok.operation().is_some())
    });
    g.check(
        "wrapped Body, policy without Body coverage: verifies, exposes no Body",
        Want::Ok,
        seen.as_ref().map(|_| ()).map_err(|e| (e.code(), e.offset())),
    );
    assert_eq!(seen.ok(), Some((false, false, false)), "an unsigned Body must not be exposed");

    // The signed Body kept in place, its content replaced: the digest breaks.
    let doc = edit(&s, "3102013757", "3001019999");
    g.check(
        "signed Body kept with its ID, content changed",
        Want::Code("signature.digest_mismatch"),
        outcome(&v, &doc, now()),
    );
    g.finish();
}

#[test]
fn timestamp_wrapping_and_duplicate_ids() {
    let s = signed();
    let v = verifier();
    let ts = element(&s, "<wsu:Timestamp").to_owned();
    let ts_id = id_of(&s, "<wsu:Timestamp");
    let fresh = format!(
        "<wsu:Timestamp><wsu:Created>{}</wsu:Created><wsu:Expires>2031-01-01T00:00:00Z</wsu:Expires></wsu:Timestamp>",
        now()
    );
    let mut g = Group::new("XML signature wrapping: the Timestamp; duplicate IDs");

    // The signed Timestamp moved into another header, an unsigned one in its place.
    let doc = edit(&s, &ts, &fresh);
    let doc = edit(&doc, "</soapenv:Header>", &format!("{WRAPPER_OPEN}{ts}{WRAPPER_CLOSE}</soapenv:Header>"));
    let at = offset(&doc, &fresh);
    g.check(
        "signed Timestamp moved into another header, unsigned one in Security",
        Want::CodeAt("policy.not_signed", at),
        outcome(&v, &doc, now()),
    );
    // ... with no replacement: the Security header has no Timestamp.
    let doc = edit(&s, &ts, "");
    let doc = edit(&doc, "</soapenv:Header>", &format!("{WRAPPER_OPEN}{ts}{WRAPPER_CLOSE}</soapenv:Header>"));
    g.check("signed Timestamp moved out of Security", Want::Code("timestamp.missing"), outcome(&v, &doc, now()));
    // An unsigned second Timestamp in the Security header.
    let doc = edit(&s, "</wsse:Security>", &format!("{fresh}</wsse:Security>"));
    let at = offset(&doc, &fresh);
    g.check(
        "an unsigned second Timestamp in Security",
        Want::CodeAt("timestamp.malformed", at),
        outcome(&v, &doc, now()),
    );
    // A second Timestamp with the signed one's ID, in another header.
    let twin = fresh.replacen("<wsu:Timestamp", &format!("<wsu:Timestamp wsu:Id=\"{ts_id}\""), 1);
    let doc = edit(&s, "</soapenv:Header>", &format!("{WRAPPER_OPEN}{twin}{WRAPPER_CLOSE}</soapenv:Header>"));
    g.check(
        "a Timestamp with the signed one's ID in another header",
        Want::Code("signature.duplicate_id"),
        outcome(&v, &doc, now()),
    );

    // Duplicate IDs across wsu:Id, Id and ID, referenced or not.
    for (attr, what) in [
        (r#"wsu:Id="body""#, "wsu:Id = the Body's wsu:Id"),
        (r#"Id="body""#, "Id = the Body's wsu:Id"),
        (r#"ID="body""#, "ID = the Body's wsu:Id"),
        (r#"Id="to""#, "Id = wsa:To's wsu:Id"),
    ] {
        let doc =
            edit(&s, "</soapenv:Header>", &format!("<atk:X xmlns:atk=\"urn:attacker\" {attr}/></soapenv:Header>"));
        g.check(&format!("duplicate ID: {what}"), Want::Code("signature.duplicate_id"), outcome(&v, &doc, now()));
    }
    let doc = edit(
        &s,
        "</soapenv:Header>",
        r#"<atk:X xmlns:atk="urn:attacker" Id="dup"/><atk:Y xmlns:atk="urn:attacker" ID="dup"/></soapenv:Header>"#,
    );
    g.check(
        "duplicate ID on two unreferenced elements (Id, ID)",
        Want::Code("signature.duplicate_id"),
        outcome(&v, &doc, now()),
    );
    // An attribute named Id in another namespace is not an ID.
    let doc = edit(&s, "</soapenv:Header>", r#"<atk:X xmlns:atk="urn:attacker" atk:Id="body"/></soapenv:Header>"#);
    g.check("atk:Id=\"body\" (foreign namespace) is no ID", Want::Ok, outcome(&v, &doc, now()));
    g.finish();
}

// ---------------------------------------------------------------------------
// Signature exclusion
// ---------------------------------------------------------------------------

#[test]
fn signature_exclusion() {
    let s = signed();
    let v = verifier();
    let key = RawKey::pki("oces2-leaf");
    let mut g = Group::new("Signature exclusion");

    g.check("no Security header", Want::Code("signature.none"), outcome(&v, REQUEST, now()));
    let sig = element(&s, "<ds:Signature ").to_owned();
    let doc = edit(&s, &sig, "");
    g.check("Security header without a Signature", Want::Code("signature.none"), outcome(&v, &doc, now()));

    let ts_id = id_of(&s, "<wsu:Timestamp");
    for (id, start, what) in [
        ("body", "<soapenv:Body", "Body"),
        (ts_id.as_str(), "<wsu:Timestamp", "Timestamp"),
        ("to", "<wsa:To", "wsa:To"),
        ("action", "<wsa:Action", "wsa:Action"),
        ("msgid", "<wsa:MessageID", "wsa:MessageID"),
        ("fw", "<sbf:Framework", "sbf:Framework"),
    ] {
        let doc = resign(&edit(&s, reference(&s, id), ""), &key);
        let at = offset(&doc, start);
        g.check(
            &format!("no reference to the {what} (re-signed)"),
            Want::CodeAt("policy.not_signed", at),
            outcome(&v, &doc, now()),
        );
    }
    // The same message passes when the policy does not require that part.
    let doc = resign(&edit(&s, reference(&s, "body"), ""), &key);
    let mut lax = VerifyPolicy::default();
    lax.coverage.body = false;
    g.check("no Body reference, policy without Body coverage", Want::Ok, outcome(&verifier_with(lax), &doc, now()));

    // Header blocks added after signing: every WS-Addressing header and every
    // mustUnderstand header must be signed; other headers may be present unsigned.
    let doc = edit(&s, "</soapenv:Header>", "<wsa:To>https://attacker.invalid/</wsa:To></soapenv:Header>");
    let at = offset(&doc, "<wsa:To>");
    g.check(
        "a second, unsigned wsa:To header added",
        Want::CodeAt("soap.duplicate_header", at),
        outcome(&v, &doc, now()),
    );
    for (what, block, start) in [
        (
            "an unsigned wsa:ReplyTo",
            "<wsa:ReplyTo><wsa:Address>https://attacker.invalid/</wsa:Address></wsa:ReplyTo>",
            "<wsa:ReplyTo>",
        ),
        (
            "an unsigned mustUnderstand",
            r#"<atk:Order xmlns:atk="urn:attacker" soapenv:mustUnderstand="1">pay</atk:Order>"#,
            "<atk:Order",
        ),
    ] {
        let doc = edit(&s, "</soapenv:Header>", &format!("{block}</soapenv:Header>"));
        let at = offset(&doc, start);
        g.check(&format!("{what} header added"), Want::CodeAt("policy.not_signed", at), outcome(&v, &doc, now()));
    }
    let doc = edit(&s, "</soapenv:Header>", r#"<atk:Note xmlns:atk="urn:attacker">hello</atk:Note></soapenv:Header>"#);
    let seen = with_verified(&v, &doc, now(), |ok| ok.signed_header_blocks().any(|h| h.name.local == "Note"));
    g.check(
        "an unsigned optional header added: verifies",
        Want::Ok,
        seen.as_ref().map(|_| ()).map_err(|e| (e.code(), e.offset())),
    );
    assert_eq!(seen.ok(), Some(false), "the unsigned header must not be listed as signed");

    // A reference whose target no longer exists (the ID renamed after signing:
    // the signature over SignedInfo still holds).
    let doc = edit(&s, r#"<soapenv:Body wsu:Id="body">"#, r#"<soapenv:Body wsu:Id="body2">"#);
    g.check(
        "referenced ID renamed after signing",
        Want::Code("signature.reference_not_found"),
        outcome(&v, &doc, now()),
    );
    // Two references to the same element.
    let body_ref = reference(&s, "body").to_owned();
    let doc = resign(&edit(&s, &body_ref, &format!("{body_ref}{body_ref}")), &key);
    g.check(
        "two references to the Body (re-signed)",
        Want::Code("signature.duplicate_reference"),
        outcome(&v, &doc, now()),
    );
    g.finish();
}

// ---------------------------------------------------------------------------
// Comments, PIs, references inside signed values
// ---------------------------------------------------------------------------

const AGREEMENT: &str = "c944b0f8-c43d-4638-b048-918d9f2e18b5";

/// The ServiceAgreementUUID and OnBehalfOfUser as a verified message exposes them.
fn read_context(v: &Verifier, xml: &str) -> Result<(String, Option<String>), String> {
    with_verified(v, xml, now(), |ok| {
        let ctx = ok.invocation_context().expect("a signed InvocationContext");
        (ctx.service_agreement.to_string(), ctx.on_behalf_of_user.as_deref().map(str::to_owned))
    })
    .map_err(|e| e.code().to_owned())
}

#[test]
fn comments_pis_and_references_in_signed_values() {
    let v = verifier();
    let s = signed();
    let mut g = Group::new("Comments, PIs, entity and character references inside signed values");
    let mut values = Vec::new();
    let uuid_split =
        |doc: &str, insert: &str| edit(doc, AGREEMENT, &format!("c944b0f8-c43d-{insert}4638-b048-918d9f2e18b5"));

    // A comment inserted after signing: c14n without comments drops it, the
    // signature holds, and the value read is the whole text, not a truncation.
    let doc = uuid_split(&s, "<!-- attacker -->");
    g.check("comment inserted into ServiceAgreementUUID after signing", Want::Ok, outcome(&v, &doc, now()));
    values.push(("comment inserted after signing", read_context(&v, &doc)));
    // A comment inside the value when it was signed.
    let doc = kuvert_sign(&uuid_split(REQUEST, "<!---->"), "oces2-leaf");
    g.check("comment inside ServiceAgreementUUID when signed", Want::Ok, outcome(&v, &doc, now()));
    values.push(("comment present when signed", read_context(&v, &doc)));
    // A PI is part of the canonical form: inserted after signing, the digest breaks ...
    let doc = uuid_split(&s, "<?atk x?>");
    g.check(
        "PI inserted into ServiceAgreementUUID after signing",
        Want::Code("signature.digest_mismatch"),
        outcome(&v, &doc, now()),
    );
    // ... present when signed, it verifies and the value is whole.
    let doc = kuvert_sign(&uuid_split(REQUEST, "<?atk x?>"), "oces2-leaf");
    g.check("PI inside ServiceAgreementUUID when signed", Want::Ok, outcome(&v, &doc, now()));
    values.push(("PI present when signed", read_context(&v, &doc)));
    // Character references and CDATA give the same characters: same digest, same value.
    let doc = edit(&s, AGREEMENT, "&#x63;944b0f8-c43d-4638-b048-918d9f2e18b5");
    g.check("character reference for a UUID character", Want::Ok, outcome(&v, &doc, now()));
    values.push(("character reference", read_context(&v, &doc)));
    let doc = edit(&s, AGREEMENT, &format!("<![CDATA[{AGREEMENT}]]>"));
    g.check("UUID written as a CDATA section", Want::Ok, outcome(&v, &doc, now()));
    values.push(("CDATA section", read_context(&v, &doc)));
    let doc = edit(&s, "sagsbehandler-4711", "sagsbehandler&#x2D;47&#49;1");
    g.check("character references in OnBehalfOfUser", Want::Ok, outcome(&v, &doc, now()));
    values.push(("character references in OnBehalfOfUser", read_context(&v, &doc)));
    // A reference that yields other characters changes the signed value.
    let doc = edit(&s, "sagsbehandler-4711", "sagsbehandler-&#x34;712");
    g.check(
        "character reference changing OnBehalfOfUser",
        Want::Code("signature.digest_mismatch"),
        outcome(&v, &doc, now()),
    );
    // Entities other than the five predefined ones do not exist; DTDs are refused.
    let doc = edit(&s, "sagsbehandler-4711", "&atk;");
    g.check("undeclared entity reference", Want::Code("xml.undefined_entity"), outcome(&v, &doc, now()));
    let doc = edit(&s, "<soapenv:Envelope", "<!DOCTYPE x [<!ENTITY atk \"sagsbehandler-4711\">]><soapenv:Envelope");
    g.check("DOCTYPE declaring an entity", Want::Code("xml.doctype_forbidden"), outcome(&v, &doc, now()));
    g.finish();

    let rows: Vec<Vec<String>> = values.iter().map(|(what, got)| vec![what.to_string(), format!("{got:?}")]).collect();
    print_table(
        "InvocationContext values read through Verified",
        &["case", "(ServiceAgreementUUID, OnBehalfOfUser)"],
        &rows,
    );
    for (what, got) in values {
        let (agreement, on_behalf) = got.unwrap_or_else(|e| panic!("{what}: {e}"));
        assert_eq!(agreement, AGREEMENT, "{what}: the whole UUID must be read");
        assert_eq!(on_behalf.as_deref(), Some("sagsbehandler-4711"), "{what}");
    }
}

// ---------------------------------------------------------------------------
// Algorithm confusion
// ---------------------------------------------------------------------------

/// `doc` with every `Algorithm="{from}"` set to `to`.
fn algorithm(doc: &str, from: &str, to: &str) -> String {
    let (from, to) = (format!("Algorithm=\"{from}\""), format!("Algorithm=\"{to}\""));
    assert!(doc.contains(&from), "{from} not in the document");
    doc.replace(&from, &to)
}

/// The token of the Security header replaced by `der`.
fn with_token(doc: &str, der: &[u8]) -> String {
    let open = doc.find("<wsse:BinarySecurityToken").unwrap();
    let start = open + doc[open..].find('>').unwrap() + 1;
    let end = start + doc[start..].find("</wsse:BinarySecurityToken>").unwrap();
    let mut out = doc.to_owned();
    out.replace_range(start..end, &base64_encode(der));
    out
}

/// The `ds:KeyInfo` of the signature replaced by `key_info` (the whole element).
fn with_key_info(doc: &str, key_info: &str) -> String {
    let old = element(doc, "<ds:KeyInfo").to_owned();
    edit(doc, &old, key_info)
}

#[test]
fn algorithm_confusion() {
    let s = signed();
    let v = verifier();
    let sha1_ok = verifier_with(VerifyPolicy::default().allow_sha1());
    let key = RawKey::pki("oces2-leaf");
    let mut g = Group::new("Algorithm confusion");

    let doc = resign(&algorithm(&s, RSA_SHA256, RSA_SHA1), &key);
    g.check("rsa-sha1, default policy", Want::Code("signature.algorithm_not_allowed"), outcome(&v, &doc, now()));
    if RawKey::can_sign_sha1() {
        g.check("rsa-sha1, SHA-1 allowed (openssl signed)", Want::Ok, outcome(&sha1_ok, &doc, now()));
    }
    let doc = resign(&algorithm(&s, SHA256, SHA1), &key);
    g.check("sha1 digests, default policy", Want::Code("signature.algorithm_not_allowed"), outcome(&v, &doc, now()));
    g.check("sha1 digests, SHA-1 allowed", Want::Ok, outcome(&sha1_ok, &doc, now()));
    let doc = resign(&algorithm(&s, RSA_SHA256, RSA_MD5), &key);
    g.check("rsa-md5", Want::Code("signature.unsupported"), outcome(&sha1_ok, &doc, now()));
    let doc = resign(&algorithm(&s, SHA256, MD5), &key);
    g.check("md5 digests", Want::Code("signature.unsupported"), outcome(&sha1_ok, &doc, now()));

    // HMAC keyed with the signer's public key (the classic confusion: the
    // public key is public, so anyone can compute this MAC).
    let doc = algorithm(&s, RSA_SHA256, HMAC_SHA1);
    let si_at = doc.find("<ds:SignedInfo").unwrap();
    let canonical = canonical_subtree(&doc, si_at, kuvert::C14nMethod::Exclusive, &[]);
    let secret = certificate_spki(&pki("oces2-leaf.der"));
    let mac = aws_lc_rs::hmac::sign(
        &aws_lc_rs::hmac::Key::new(aws_lc_rs::hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY, &secret),
        &canonical,
    );
    let old_value = element(&doc, "<ds:SignatureValue").to_owned();
    let doc =
        edit(&doc, &old_value, &format!("<ds:SignatureValue>{}</ds:SignatureValue>", base64_encode(mac.as_ref())));
    g.check(
        "hmac-sha1 keyed with the certificate's public key",
        Want::Code("signature.unsupported"),
        outcome(&sha1_ok, &doc, now()),
    );

    for (what, from, to) in [
        ("unknown SignatureMethod URI", RSA_SHA256, "urn:kuvert:test:no-such-algorithm"),
        ("unknown DigestMethod URI", SHA256, "urn:kuvert:test:no-such-digest"),
        ("unknown CanonicalizationMethod / Transform URI", EXC_C14N, "urn:kuvert:test:no-such-c14n"),
        ("XPath transform", EXC_C14N, "http://www.w3.org/TR/1999/REC-xpath-19991116"),
        ("XSLT transform", EXC_C14N, "http://www.w3.org/TR/1999/REC-xslt-19991116"),
    ] {
        let doc = algorithm(&s, from, to);
        g.check(what, Want::Code("signature.unsupported"), outcome(&v, &doc, now()));
    }

    // An RSA-1024 certificate (trusted issuer): refused for its key size.
    let doc = resign(&with_token(&s, &pki("leaf-rsa1024.der")), &RawKey::pki("leaf-rsa1024"));
    g.check("RSA-1024 signer certificate", Want::Code("cert.key_too_small"), outcome(&v, &doc, now()));

    // Key and algorithm that do not fit.
    let ec = kuvert_sign(REQUEST, "ec-p256-leaf");
    g.check("ECDSA P-256 signed by kuvert (control)", Want::Ok, outcome(&v, &ec, now()));
    let doc = resign(&algorithm(&ec, ECDSA_SHA256, ECDSA_SHA384), &RawKey::pki("ec-p256-leaf"));
    g.check("ECDSA P-256 key with ecdsa-sha384", Want::Code("signature.key_mismatch"), outcome(&v, &doc, now()));
    let doc = resign(&algorithm(&ec, ECDSA_SHA256, RSA_SHA256), &RawKey::pki("ec-p256-leaf"));
    g.check("ECDSA P-256 key with rsa-sha256", Want::Code("signature.key_mismatch"), outcome(&v, &doc, now()));
    let doc = resign(&algorithm(&s, RSA_SHA256, ECDSA_SHA256), &key);
    g.check("RSA key with ecdsa-sha256", Want::Code("signature.key_mismatch"), outcome(&v, &doc, now()));
    g.finish();
}

// ---------------------------------------------------------------------------
// Key injection and certificates
// ---------------------------------------------------------------------------

fn rsa_key_value(spki_der: &[u8]) -> String {
    // SPKI: SEQ { SEQ alg, BIT STRING { 0, SEQ { INTEGER n, INTEGER e } } }
    fn tlv(d: &[u8]) -> (&[u8], usize) {
        let (len, head) = if d[1] < 0x80 {
            (d[1] as usize, 2)
        } else {
            let n = (d[1] & 0x7f) as usize;
            (d[2..2 + n].iter().fold(0, |a, &b| (a << 8) | b as usize), 2 + n)
        };
        (&d[head..head + len], head + len)
    }
    let (spki, _) = tlv(spki_der);
    let (_, alg_len) = tlv(spki);
    let (bits, _) = tlv(&spki[alg_len..]);
    let (rsa, _) = tlv(&bits[1..]);
    let (n, n_len) = tlv(rsa);
    let (e, _) = tlv(&rsa[n_len..]);
    let n = &n[n.iter().position(|&b| b != 0).unwrap()..];
    format!(
        "<ds:KeyInfo><ds:KeyValue><ds:RSAKeyValue><ds:Modulus>{}</ds:Modulus><ds:Exponent>{}</ds:Exponent></ds:RSAKeyValue></ds:KeyValue></ds:KeyInfo>",
        base64_encode(n),
        base64_encode(e)
    )
}

#[test]
fn key_injection_and_certificates() {
    let s = signed();
    let v = verifier();
    let mut g = Group::new("Key injection and signer certificates");

    // KeyInfo carrying its own self-signed certificate (not trusted).
    let selfsigned = pki("pinned-selfsigned.der");
    let x509 = format!(
        "<ds:KeyInfo><ds:X509Data><ds:X509Certificate>{}</ds:X509Certificate></ds:X509Data></ds:KeyInfo>",
        base64_encode(&selfsigned)
    );
    let doc = resign(&with_key_info(&s, &x509), &RawKey::pki("pinned-selfsigned"));
    g.check(
        "X509Certificate of an untrusted self-signed certificate",
        Want::Code("cert.untrusted_issuer"),
        outcome(&v, &doc, now()),
    );
    let mut anchors = TrustAnchors::new();
    anchors.add_der(&selfsigned).unwrap();
    let pinning = Verifier::new(anchors, VerifyPolicy::default());
    g.check("the same, with that certificate pinned by the verifier", Want::Ok, outcome(&pinning, &doc, now()));
    let doc = resign(&with_token(&s, &selfsigned), &RawKey::pki("pinned-selfsigned"));
    g.check(
        "BinarySecurityToken of an untrusted self-signed certificate",
        Want::Code("cert.untrusted_issuer"),
        outcome(&v, &doc, now()),
    );

    // The trusted signer's certificate as X509Certificate (verifiers find it
    // again by its text), with the issuing CA carried beside it; then the same
    // with a text that is not base64, refused where the element's content starts.
    let leaf = base64_encode(&pki("oces2-leaf.der"));
    let ca = base64_encode(&pki("oces2-ca.der"));
    let chain = |leaf: &str| {
        format!(
            "<ds:KeyInfo><ds:X509Data><ds:X509Certificate>{leaf}</ds:X509Certificate>\
             <ds:X509Certificate>{ca}</ds:X509Certificate></ds:X509Data></ds:KeyInfo>"
        )
    };
    let doc = resign(&with_key_info(&s, &chain(&leaf)), &RawKey::pki("oces2-leaf"));
    g.check("X509Certificate of the signer, its CA carried", Want::Ok, outcome(&v, &doc, now()));
    let broken = format!("{}*{}", &leaf[..100], &leaf[101..]);
    let doc = resign(&with_key_info(&s, &chain(&broken)), &RawKey::pki("oces2-leaf"));
    let content = offset(&doc, &broken);
    g.check(
        "the same, one character of the certificate's text not base64",
        Want::CodeAt("signature.invalid_base64", content),
        outcome(&v, &doc, now()),
    );

    // A raw KeyValue: never trusted unless pinned.
    let spki = certificate_spki(&pki("oces2-leaf.der"));
    let doc = resign(&with_key_info(&s, &rsa_key_value(&spki)), &RawKey::pki("oces2-leaf"));
    g.check(
        "RSAKeyValue of the (trusted) signer's key",
        Want::Code("signature.untrusted_key"),
        outcome(&v, &doc, now()),
    );
    let mut pinned = verifier();
    pinned.pin_public_key(&spki).unwrap();
    g.check("the same, with the key pinned", Want::Ok, outcome(&pinned, &doc, now()));

    // Certificates from corpus/pki that must be refused.
    for (leaf, code) in [
        ("leaf-expired", "cert.expired"),
        ("leaf-not-yet-valid", "cert.not_yet_valid"),
        ("leaf-key-encipherment", "cert.missing_digital_signature"),
        ("leaf-untrusted", "cert.untrusted_issuer"),
    ] {
        let doc = kuvert_sign(REQUEST, leaf);
        g.check(&format!("signed with {leaf}"), Want::Code(code), outcome(&v, &doc, now()));
    }
    for leaf in ["oces3-leaf", "ec-p384-leaf"] {
        g.check(&format!("signed with {leaf} (control)"), Want::Ok, outcome(&v, &kuvert_sign(REQUEST, leaf), now()));
    }

    // The token swapped for another trusted certificate: the signature is not its key's.
    let doc = with_token(&s, &pki("oces3-leaf.der"));
    g.check(
        "BinarySecurityToken swapped for another trusted certificate",
        Want::Code("signature.bad_signature"),
        outcome(&v, &doc, now()),
    );
    // KeyInfo pointing at a token that is not there, or naming a key by KeyName.
    let doc = edit(&s, r##"<wsse:Reference URI="#X509-"##, r##"<wsse:Reference URI="#missing-X509-"##);
    g.check(
        "SecurityTokenReference to a missing token",
        Want::Code("signature.key_not_found"),
        outcome(&v, &doc, now()),
    );
    let doc = with_key_info(&s, "<ds:KeyInfo><ds:KeyName>oces2-leaf</ds:KeyName></ds:KeyInfo>");
    g.check("KeyName only", Want::Code("signature.unsupported"), outcome(&v, &doc, now()));
    g.finish();
}

// ---------------------------------------------------------------------------
// Timestamps
// ---------------------------------------------------------------------------

#[test]
fn timestamps() {
    let s = signed();
    let v = verifier();
    let key = RawKey::pki("oces2-leaf");
    let later = |secs: i64| now().add_millis(secs * 1000);
    let mut g = Group::new("Timestamps (ttl 300 s, skew 300 s, max age 300 s)");

    g.check("verified 599 s after signing", Want::Ok, outcome(&v, &s, later(599)));
    g.check("verified 601 s after signing: expired", Want::Code("timestamp.expired"), outcome(&v, &s, later(601)));
    let long =
        kuvert_sign_at(REQUEST, "oces2-leaf", now(), &SignOptions { ttl_seconds: 3600, ..SignOptions::default() });
    g.check(
        "ttl 3600 s, verified 601 s after signing: too old",
        Want::Code("timestamp.too_old"),
        outcome(&v, &long, later(601)),
    );
    g.check(
        "verified 301 s before signing: created in the future",
        Want::Code("timestamp.future"),
        outcome(&v, &s, later(-301)),
    );
    g.check("verified 299 s before signing (within the skew)", Want::Ok, outcome(&v, &s, later(-299)));

    let ts = element(&s, "<wsu:Timestamp").to_owned();
    let ts_id = id_of(&s, "<wsu:Timestamp");
    let doc = resign(&edit(&edit(&s, reference(&s, &ts_id), ""), &ts, ""), &key);
    g.check("no Timestamp (and no reference to it)", Want::Code("timestamp.missing"), outcome(&v, &doc, now()));
    let optional = VerifyPolicy { require_timestamp: false, ..VerifyPolicy::default() };
    g.check("no Timestamp, policy without require_timestamp", Want::Ok, outcome(&verifier_with(optional), &doc, now()));
    let expires = element(&ts, "<wsu:Expires").to_owned();
    let doc = resign(&edit(&s, &expires, "<wsu:Expires>2029-12-31T00:00:00Z</wsu:Expires>"), &key);
    g.check("Expires before Created", Want::Code("timestamp.malformed"), outcome(&v, &doc, now()));
    let doc = edit(&s, &expires, "<wsu:Expires>2031-01-01T00:00:00Z</wsu:Expires>");
    g.check("Expires extended after signing", Want::Code("signature.digest_mismatch"), outcome(&v, &doc, now()));
    g.finish();
}

// ---------------------------------------------------------------------------
// Limits
// ---------------------------------------------------------------------------

#[test]
fn signature_limits() {
    let s = signed();
    let v = verifier();
    let mut g =
        Group::new("Signature limits (default: 16 references, 4 transforms, 4 signatures; 1 signature per message)");

    // Copies of the signature, each with its own Id (a repeated Id would be a duplicate ID).
    let sig = element(&s, "<ds:Signature ").to_owned();
    let copies =
        |n: usize| (0..n).map(|i| sig.replacen(" Id=\"SIG-", &format!(" Id=\"SIG{i}-"), 1)).collect::<String>();
    let doc = edit(&s, &sig, &copies(2));
    let second = signature_starts(&doc)[1];
    g.check(
        "two signatures in the Security header",
        Want::CodeAt("limit.signatures", second),
        outcome(&v, &doc, now()),
    );
    let doc = edit(&s, &sig, &copies(5));
    let fifth = signature_starts(&doc)[4];
    g.check(
        "five signatures in the Security header",
        Want::CodeAt("limit.signatures", fifth),
        outcome(&v, &doc, now()),
    );

    let body_ref = reference(&s, "body").to_owned();
    let doc = edit(&s, &body_ref, &body_ref.repeat(12));
    let seventeenth = doc.match_indices("<ds:Reference ").nth(16).unwrap().0;
    g.check("17 references", Want::CodeAt("limit.references", seventeenth), outcome(&v, &doc, now()));
    let mut few = VerifyPolicy::default();
    few.signature_limits.max_references = 5;
    g.check(
        "6 references, policy max_references = 5",
        Want::Code("limit.references"),
        outcome(&verifier_with(few), &s, now()),
    );

    // kuvert accepts at most two transforms in a row (enveloped-signature, then
    // c14n); a longer list is refused as unsupported before it reaches the
    // default limit of 4, so the limit is shown with max_transforms = 1.
    let two = edit(
        &s,
        &format!("<ds:Reference URI=\"#body\"><ds:Transforms><ds:Transform Algorithm=\"{EXC_C14N}\"/>"),
        &format!(
            "<ds:Reference URI=\"#body\"><ds:Transforms><ds:Transform Algorithm=\"http://www.w3.org/2000/09/xmldsig#enveloped-signature\"/><ds:Transform Algorithm=\"{EXC_C14N}\"/>"
        ),
    );
    let mut one = VerifyPolicy::default();
    one.signature_limits.max_transforms = 1;
    g.check(
        "2 transforms, policy max_transforms = 1",
        Want::Code("limit.transforms"),
        outcome(&verifier_with(one), &two, now()),
    );
    let five = edit(
        &s,
        &format!("<ds:Reference URI=\"#body\"><ds:Transforms><ds:Transform Algorithm=\"{EXC_C14N}\"/>"),
        &format!(
            "<ds:Reference URI=\"#body\"><ds:Transforms>{}",
            format!("<ds:Transform Algorithm=\"{EXC_C14N}\"/>").repeat(5)
        ),
    );
    g.check("5 c14n transforms in a row", Want::Code("signature.unsupported"), outcome(&v, &five, now()));
    g.finish();
}

// ---------------------------------------------------------------------------
// Known SignedInfo shapes
// ---------------------------------------------------------------------------

/// A verifier that has verified one message recognizes the `SignedInfo` of
/// the next by its shape when only IDs and digest values differ: every
/// answer must still be a fresh verifier's, edits to the holes included.
#[test]
fn known_signed_info_shapes() {
    let s = signed();
    let warmed = verifier();
    assert_eq!(outcome(&warmed, &s, now()), Ok(()));
    let later = kuvert_sign_at(REQUEST, "oces2-leaf", now().add_millis(5_000), &SignOptions::default());
    let digests: Vec<&str> = later.match_indices("<ds:DigestValue>").map(|(at, _)| &later[at + 16..at + 60]).collect();
    let swapped =
        later.replacen(digests[0], "SWAP", 1).replacen(digests[1], digests[0], 1).replacen("SWAP", digests[1], 1);
    let cases = [
        ("the same request signed later", later.clone()),
        ("two digest values swapped", swapped),
        ("a reference to the Body moved to the Timestamp", later.replacen("URI=\"#body\"", "URI=\"#ts-0\"", 1)),
        ("a digest value one character off", later.replacen(&digests[2][..8], "AAAAAAAA", 1)),
        ("an ID written as a character reference", later.replacen("URI=\"#body\"", "URI=\"#&#98;ody\"", 1)),
    ];
    let mut group = Group::new("Known SignedInfo shapes: a warmed verifier answers as a fresh one");
    for (name, doc) in &cases {
        let fresh = outcome(&verifier(), doc, now());
        let want = match fresh {
            Ok(()) => Want::Ok,
            Err((code, at)) => Want::CodeAt(code, at),
        };
        group.check(name, want, outcome(&warmed, doc, now()));
    }
    group.finish();
    assert_eq!(outcome(&warmed, &later, now()), Ok(()), "the later request verifies");
}
