//! The one-pass signer against the template signer: the same bytes for
//! every message both sign (RSA PKCS#1 v1.5 is deterministic), and every
//! one-pass signature verifies (the verifier reads the signed message back).

use super::sign::{sign_through_template, SignOptions};
use super::sign_pass::sign_in_one_pass;
use super::{sign_message, Verifier, VerifyPolicy};
use crate::{Input, Limits, SigningKey, TrustAnchors, UtcTime};

macro_rules! pki {
    ($f:expr) => {
        include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/../corpus/pki/", $f))
    };
}

const SOAP11: &str = "http://schemas.xmlsoap.org/soap/envelope/";
const WSU: &str = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd";
const WSA: &str = "http://www.w3.org/2005/08/addressing";

fn key() -> SigningKey {
    let pem = format!(
        "-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n",
        crate::dsig::base64::encode(pki!("oces2-leaf.der"))
    );
    SigningKey::from_pem(pki!("oces2-leaf.key.pem"), pem.as_bytes()).unwrap()
}

fn now() -> UtcTime {
    UtcTime::parse("2030-01-01T12:00:00Z").unwrap()
}

fn verifier() -> Verifier {
    let mut anchors = TrustAnchors::new();
    anchors.add_der(pki!("oces2-root.der")).unwrap();
    let mut v = Verifier::new(anchors, VerifyPolicy::default());
    v.add_intermediate(pki!("oces2-ca.der"));
    v
}

/// Signs `raw` both ways; whether the one-pass signer signed it.
fn both_ways(raw: &[u8], options: &SignOptions) -> bool {
    let key = key();
    let alg = options.algorithm.unwrap_or_else(|| key.default_algorithm());
    let input = Input::new(raw, &options.limits).unwrap();
    let one_pass = sign_in_one_pass(&input, &key, now(), options, alg);
    let template = sign_through_template(&input, &key, now(), options, alg);
    let public = sign_message(&input, &key, now(), options);
    match (one_pass, template) {
        (Ok(Some(a)), Ok(b)) => {
            assert_eq!(a, b, "one pass and template differ");
            assert_eq!(public.as_ref(), Ok(&a));
            let signed = Input::new(a.as_bytes(), &options.limits).unwrap();
            verifier().verify_message(&signed, now()).unwrap_or_else(|e| panic!("{e}\n{a}"));
            true
        }
        (Ok(None), b) => {
            assert_eq!(public, b, "a declined message is signed through the template");
            false
        }
        (Err(a), Err(b)) => {
            assert_eq!(a, b, "both refuse alike");
            false
        }
        (a, b) => panic!("one pass {a:?}, template {b:?}"),
    }
}

fn envelope(root_attrs: &str, header: &str, body_attrs: &str, body: &str) -> String {
    format!(
        "<soap:Envelope xmlns:soap=\"{SOAP11}\"{root_attrs}>{header}<soap:Body{body_attrs}>{body}</soap:Body></soap:Envelope>"
    )
}

#[test]
fn corpus_messages_are_signed_in_one_pass_as_through_the_template() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../corpus/messages");
    let mut signed = 0;
    for entry in walk(std::path::Path::new(dir)) {
        let raw = std::fs::read(&entry).unwrap();
        if Input::new(&raw, &Limits::default()).is_ok() {
            signed += usize::from(both_ways(&raw, &SignOptions::default()));
        }
    }
    assert!(signed >= 10, "only {signed} corpus messages signed in one pass");
}

#[test]
fn other_algorithms_sign_alike() {
    use crate::{DigestAlgorithm, SignatureAlgorithm};
    let raw = include_bytes!("../../../corpus/messages/invocation-context/cpr-person-lookup.request.xml");
    let pairs = [
        (SignatureAlgorithm::RsaSha256, DigestAlgorithm::Sha512),
        (SignatureAlgorithm::RsaSha384, DigestAlgorithm::Sha384),
        (SignatureAlgorithm::RsaSha512, DigestAlgorithm::Sha256),
    ];
    for (algorithm, digest) in pairs {
        let options = SignOptions { algorithm: Some(algorithm), digest, ..SignOptions::default() };
        assert!(both_ways(raw, &options), "{algorithm:?} {digest:?}");
    }
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let path = e.path();
        match path.is_dir() {
            true => out.extend(walk(&path)),
            false if path.extension().is_some_and(|x| x == "xml") => out.push(path),
            false => {}
        }
    }
    out
}

#[test]
fn namespace_and_attribute_forms_sign_alike() {
    let addressing = format!("<soap:Header><wsa:Action xmlns:wsa=\"{WSA}\">urn:a</wsa:Action></soap:Header>");
    let payload = "<p:Op xmlns:p=\"urn:p\"><p:V>1 &amp; 2</p:V></p:Op>";
    let cases = [
        // wsu bound at the root: the ID's declaration is written again on each element.
        envelope(&format!(" xmlns:wsu=\"{WSU}\""), &addressing, "", "<p:Op xmlns:p=\"urn:p\" wsu:Id=\"inner\"/>"),
        // Declared on the element itself: only the ID is added.
        envelope("", &addressing, &format!(" xmlns:wsu=\"{WSU}\""), payload),
        // Attributes sorting before and after the added one, unqualified ones.
        envelope(
            " xmlns:a=\"http://a\" xmlns:z=\"urn:z\"",
            &addressing,
            " a:x=\"1\" z:y=\"2\" Id=\"u\" b=\"&lt;\"",
            payload,
        ),
        // Existing IDs, no header, an empty header, a default namespace below.
        envelope(&format!(" xmlns:wsu=\"{WSU}\""), "", " wsu:Id=\"b\"", "<Op xmlns=\"urn:d\"><V/></Op>"),
        envelope("", "<soap:Header/>", "", payload),
        // A mustUnderstand block of another namespace, comments and PIs inside.
        envelope(
            "",
            "<soap:Header><x:H xmlns:x=\"urn:x\" soap:mustUnderstand=\"1\"><!--c--><?pi d?>t</x:H></soap:Header>",
            "",
            payload,
        ),
    ];
    for (i, case) in cases.iter().enumerate() {
        assert!(both_ways(case.as_bytes(), &SignOptions::default()), "case {i} not signed in one pass:\n{case}");
    }
    let latin1 = format!("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>{}", envelope("", &addressing, "", payload));
    let mut bytes = latin1.into_bytes();
    bytes.extend_from_slice(b"<!-- \xe6\xf8\xe5 -->");
    assert!(both_ways(&bytes, &SignOptions::default()), "ISO-8859-1 input");
}

#[test]
fn what_the_pass_cannot_sign_as_it_reads_goes_through_the_template() {
    let addressing = format!("<soap:Header><wsa:Action xmlns:wsa=\"{WSA}\">urn:a</wsa:Action></soap:Header>");
    let payload = "<p:Op xmlns:p=\"urn:p\"/>";
    // wsu bound to another namespace where an ID is added: the added
    // declaration rebinds it below, which only reading back shows.
    let other_wsu = envelope(" xmlns:wsu=\"urn:not-wsu\"", &addressing, "", "<p:Op xmlns:p=\"urn:p\" wsu:a=\"1\"/>");
    assert!(!both_ways(other_wsu.as_bytes(), &SignOptions::default()));
    // An element at the attribute limit: the template path refuses it with its offset.
    let crowded = envelope("", &addressing, " a=\"1\" b=\"2\" c=\"3\"", payload);
    let options = SignOptions { limits: Limits { max_attributes: 4, ..Limits::default() }, ..SignOptions::default() };
    assert!(!both_ways(crowded.as_bytes(), &options));
    // Namespace scopes near their limit.
    let options =
        SignOptions { limits: Limits { max_namespaces_in_scope: 6, ..Limits::default() }, ..SignOptions::default() };
    assert!(!both_ways(envelope("", &addressing, "", payload).as_bytes(), &options));
    // An element's own ID that would not read back as written into a reference.
    for id in ["a&amp;b", "a&quot;b", "a&#9;b", "a&lt;b", "a&#xD;b", "", "xpointer(/)"] {
        let own_id = envelope(&format!(" xmlns:wsu=\"{WSU}\""), &addressing, &format!(" wsu:Id=\"{id}\""), payload);
        assert!(!both_ways(own_id.as_bytes(), &SignOptions::default()), "{id}");
    }
    // An element's own ID as long as an attribute value may be: the reference's `URI` is one byte longer.
    let options = SignOptions {
        limits: Limits { max_attribute_value_bytes: 160, ..Limits::default() },
        ..SignOptions::default()
    };
    let long_id = "i".repeat(160);
    let at_limit = envelope(&format!(" xmlns:wsu=\"{WSU}\""), &addressing, &format!(" wsu:Id=\"{long_id}\""), payload);
    assert!(!both_ways(at_limit.as_bytes(), &options));
    let options = SignOptions {
        limits: Limits { max_attribute_value_bytes: 161, ..Limits::default() },
        ..SignOptions::default()
    };
    assert!(both_ways(at_limit.as_bytes(), &options), "one byte more: signed in one pass");
    // Refusals are the same either way.
    assert!(!both_ways(b"<soap:Envelope xmlns:soap=\"urn:x\"/>", &SignOptions::default()));
}

/// Signs and verifies `raw` with runs of simple markup taken whole and
/// with the general path only: the same signed bytes, the same verdict.
fn fused_as_general(raw: &[u8]) {
    use crate::xml::reader::GENERAL_PATH_ONLY;
    let run = |general: bool| {
        GENERAL_PATH_ONLY.with(|g| g.set(general));
        let input = Input::new(raw, &Limits::default()).unwrap();
        let signed = sign_message(&input, &key(), now(), &SignOptions::default());
        let verdict = signed.as_ref().ok().map(|s| {
            let signed = Input::new(s.as_bytes(), &Limits::default()).unwrap();
            verifier().verify_message(&signed, now()).map(|v| v.signed_elements().len()).map_err(|e| e.to_string())
        });
        GENERAL_PATH_ONLY.with(|g| g.set(false));
        (signed, verdict)
    };
    assert_eq!(run(false), run(true), "{}", String::from_utf8_lossy(raw));
}

#[test]
fn runs_of_simple_markup_sign_and_verify_as_the_general_path_does() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../corpus/messages");
    for entry in walk(std::path::Path::new(dir)) {
        let raw = std::fs::read(&entry).unwrap();
        if Input::new(&raw, &Limits::default()).is_ok() {
            fused_as_general(&raw);
        }
    }
    let unit = "<o:U><o:T><s:I>7a3c</s:I></o:T><o:R><s:N>enhed &amp; 1</s:N><s:E/></o:R></o:U>";
    let bodies = [
        format!("<w:R xmlns:w=\"urn:w\" xmlns:o=\"urn:o\" xmlns:s=\"urn:s\"><o:Out>{}</o:Out></w:R>", unit.repeat(3)),
        format!("<w:R xmlns:w=\"urn:w\"><o:Out xmlns:o=\"urn:o\"><s:X xmlns:s=\"urn:s\">{unit}</s:X></o:Out></w:R>"),
        "<w:R xmlns:w=\"urn:w\"><w:A><w:B xmlns:w=\"urn:x\"><w:C/>t</w:B><w:D>\r\n&gt;</w:D></w:A></w:R>".to_owned(),
        format!("<R xmlns=\"urn:d\"><A><B xmlns=\"\"><C/></B><D xmlns:wsu=\"{WSU}\" wsu:Id=\"d\"><E/></D></A></R>"),
    ];
    for body in bodies {
        fused_as_general(envelope("", "", "", &body).as_bytes());
    }
}
