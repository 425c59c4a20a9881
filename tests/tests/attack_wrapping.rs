//! Signature wrapping of the WS-Addressing headers, namespace injection and
//! prefix rebinding around signed parts, and parser differentials (the value
//! the application reads is the value that was signed), on messages signed by
//! `kuvert::sign_message` (edited afterwards) or re-signed by the tests' own
//! signer. The Body and Timestamp wrapping variants are in
//! `signature_attacks.rs`, the SAML assertion's in `attack_token.rs`.
//! Each case states the typed error it must be refused with; a table of the
//! results is printed.

mod common;

use common::*;
use kuvert::{C14nMethod, Input, Limits, Verifier};
use kuvert_tests::print_table;

/// `Ok` or the error's code and offset.
type Outcome = Result<(), (&'static str, usize)>;

fn outcome(v: &Verifier, xml: &str) -> Outcome {
    verify_code(v, xml, now()).map_err(|code| (code, offset_of(v, xml)))
}

fn offset_of(v: &Verifier, xml: &str) -> usize {
    let limits = Limits::default();
    match Input::new(xml.as_bytes(), &limits) {
        Ok(input) => v.verify_message(&input, now()).err().map_or(0, |e| e.offset()),
        Err(e) => e.offset(),
    }
}

/// A table of cases: attack, expected code, what kuvert did.
struct Table {
    title: &'static str,
    rows: Vec<Vec<String>>,
    wrong: Vec<String>,
}

impl Table {
    fn new(title: &'static str) -> Table {
        Table { title, rows: Vec::new(), wrong: Vec::new() }
    }

    /// `want` is an error code, or "verifies".
    fn check(&mut self, name: &str, want: &str, got: Outcome) {
        let shown = match got {
            Ok(()) => "verifies".to_owned(),
            Err((code, at)) => format!("{code} at {at}"),
        };
        let good = match got {
            Ok(()) => want == "verifies",
            Err((code, _)) => code == want,
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

const WRAP_OPEN: &str = r#"<atk:Wrapper xmlns:atk="urn:attacker">"#;
const WRAP_CLOSE: &str = "</atk:Wrapper>";

fn signed() -> String {
    let s = kuvert_sign(REQUEST, "oces2-leaf");
    assert_eq!(verify_code(&verifier(), &s, now()), Ok(()), "baseline must verify");
    s
}

/// The attacker's copy of a signed header: no ID, another value.
fn evil(header: &str, value: &str) -> String {
    let no_id = header.replacen(&format!(" wsu:Id=\"{}\"", id_in(header)), "", 1);
    let open_end = no_id.find('>').unwrap() + 1;
    let close = no_id.rfind("</").unwrap();
    format!("{}{value}{}", &no_id[..open_end], &no_id[close..])
}

fn id_in(element: &str) -> String {
    let at = element.find("wsu:Id=\"").unwrap() + 8;
    element[at..at + element[at..].find('"').unwrap()].to_owned()
}

/// Eight wrapping variants of one signed WS-Addressing header.
fn wrap_header(t: &mut Table, s: &str, start_tag: &str, value: &str) {
    let v = verifier();
    let signed = element(s, start_tag).to_owned();
    let bad = evil(&signed, value);
    let name = &start_tag[1..];
    let swapped = edit(s, &signed, &bad);
    let into_header = edit(&swapped, "</soapenv:Header>", &format!("{WRAP_OPEN}{signed}{WRAP_CLOSE}</soapenv:Header>"));
    t.check(
        &format!("{name}: signed one moved into a new header, unsigned in place"),
        "policy.not_signed",
        outcome(&v, &into_header),
    );
    let into_security = edit(&swapped, "</wsse:Security>", &format!("{signed}</wsse:Security>"));
    t.check(&format!("{name}: signed one moved into wsse:Security"), "policy.not_signed", outcome(&v, &into_security));
    let into_object = edit(&swapped, "</ds:Signature>", &format!("<ds:Object>{signed}</ds:Object></ds:Signature>"));
    t.check(&format!("{name}: signed one moved into a ds:Object"), "policy.not_signed", outcome(&v, &into_object));
    let under_unknown = edit(
        &swapped,
        "</soapenv:Header>",
        &format!("<atk:H xmlns:atk=\"urn:attacker\"><atk:I>{signed}</atk:I></atk:H></soapenv:Header>"),
    );
    t.check(
        &format!("{name}: signed one moved under an unknown element"),
        "policy.not_signed",
        outcome(&v, &under_unknown),
    );
    let second_after = edit(s, &signed, &format!("{signed}{bad}"));
    t.check(
        &format!("{name}: a second, unsigned one after the signed one"),
        "soap.duplicate_header",
        outcome(&v, &second_after),
    );
    let second_before = edit(s, &signed, &format!("{bad}{signed}"));
    t.check(
        &format!("{name}: a second, unsigned one before the signed one"),
        "soap.duplicate_header",
        outcome(&v, &second_before),
    );
    let twin = bad.replacen(&start_tag.to_string(), &format!("{start_tag} wsu:Id=\"{}\"", id_in(&signed)), 1);
    let same_id = edit(
        &edit(s, &signed, &twin),
        "</soapenv:Header>",
        &format!("{WRAP_OPEN}{signed}{WRAP_CLOSE}</soapenv:Header>"),
    );
    t.check(
        &format!("{name}: unsigned one with the signed one's wsu:Id, signed one wrapped"),
        "signature.duplicate_id",
        outcome(&v, &same_id),
    );
    let kept_id = edit(
        s,
        &signed,
        &bad.replacen(&start_tag.to_string(), &format!("{start_tag} wsu:Id=\"{}\"", id_in(&signed)), 1),
    );
    t.check(
        &format!("{name}: signed element kept with its ID, value changed"),
        "signature.digest_mismatch",
        outcome(&v, &kept_id),
    );
    let in_body = edit(&swapped, "<soapenv:Body wsu:Id=\"body\">", &format!("<soapenv:Body wsu:Id=\"body\">{signed}"));
    t.check(&format!("{name}: signed one moved into the Body"), "signature.digest_mismatch", outcome(&v, &in_body));
}

#[test]
fn addressing_header_wrapping() {
    let s = signed();
    let mut t = Table::new("XML signature wrapping: WS-Addressing headers");
    wrap_header(&mut t, &s, "<wsa:Action", "http://attacker.invalid/DeleteEverything");
    wrap_header(&mut t, &s, "<wsa:MessageID", "urn:uuid:00000000-0000-4000-8000-0000000000ee");
    wrap_header(&mut t, &s, "<wsa:To", "https://attacker.invalid/service");
    t.finish();
}

#[test]
fn namespace_injection_and_prefix_rebinding() {
    let s = signed();
    let v = verifier();
    let key = RawKey::pki("oces2-leaf");
    let mut t = Table::new("Namespace injection and prefix rebinding around signed parts");
    let wsa = "xmlns:wsa=\"http://www.w3.org/2005/08/addressing\"";
    let rebound = edit(&s, wsa, "xmlns:wsa=\"urn:attacker\"");
    t.check("wsa prefix rebound on the Envelope after signing", "signature.digest_mismatch", outcome(&v, &rebound));
    // Re-signed, the headers are simply not WS-Addressing ones: nothing is read as Action.
    let resigned = resign(&rebound, &key);
    t.check("wsa prefix rebound on the Envelope, re-signed (no Action read)", "verifies", outcome(&v, &resigned));
    let read = with_verified(&v, &resigned, now(), |ok| ok.addressing().action.is_some()).unwrap();
    assert!(!read, "an Action read from a foreign namespace");
    let action = element(&s, "<wsa:Action").to_owned();
    let local = action.replacen("<wsa:Action", "<wsa:Action xmlns:wsa=\"urn:attacker\"", 1);
    t.check(
        "wsa prefix rebound on the signed Action itself",
        "signature.digest_mismatch",
        outcome(&v, &edit(&s, &action, &local)),
    );
    let ns3 = "<ns3:InvocationContext>";
    let inner = edit(&s, ns3, "<ns3:InvocationContext xmlns:ns3=\"urn:attacker\">");
    t.check(
        "ns3 rebound on the InvocationContext inside the signed Body",
        "signature.digest_mismatch",
        outcome(&v, &inner),
    );
    let body_tag = "<soapenv:Body wsu:Id=\"body\">";
    let unused = edit(&s, body_tag, "<soapenv:Body wsu:Id=\"body\" xmlns:ns3=\"urn:attacker\">");
    t.check(
        "unused ns3 declared on the Body (shadowed inside, exclusive c14n omits it)",
        "verifies",
        outcome(&v, &unused),
    );
    let wsu_on_body = edit(&s, body_tag, "<soapenv:Body xmlns:wsu=\"urn:attacker\" wsu:Id=\"body\">");
    t.check(
        "wsu prefix rebound on the Body: its wsu:Id is no ID any more",
        "signature.reference_not_found",
        outcome(&v, &wsu_on_body),
    );
    let default_ns = edit(&s, "<soapenv:Envelope ", "<soapenv:Envelope xmlns=\"urn:attacker\" ");
    t.check(
        "default namespace injected on the Envelope (no unprefixed element uses it)",
        "verifies",
        outcome(&v, &default_ns),
    );
    let soap_rebound = edit(&s, "<ns:PersonLookupRequest ", "<ns:PersonLookupRequest xmlns:soapenv=\"urn:attacker\" ");
    t.check(
        "soapenv redeclared inside the Body, unused (exclusive c14n omits it)",
        "verifies",
        outcome(&v, &soap_rebound),
    );
    let ns_rebound = edit(&s, "<ns4:PNR>", "<ns4:PNR xmlns:ns4=\"urn:attacker\">");
    t.check("ns4 rebound on the signed PNR element", "signature.digest_mismatch", outcome(&v, &ns_rebound));
    t.finish();
    // Where the message still verifies, the application reads the signed context.
    for doc in [&unused, &default_ns, &soap_rebound] {
        let agreement =
            with_verified(&v, doc, now(), |ok| ok.invocation_context().map(|c| c.service_agreement.to_string()));
        assert_eq!(agreement.unwrap().as_deref(), Some("c944b0f8-c43d-4638-b048-918d9f2e18b5"));
    }
}

/// The string value of a signed leaf element, taken from its canonical form
/// (exclusive, without comments: what the digest covered) with the PIs it
/// keeps removed: the XPath string value the signer meant.
fn signed_text(doc: &str, start_tag: &str) -> String {
    let at = doc.find(start_tag).unwrap();
    let canonical = canonical_subtree(doc, at, C14nMethod::Exclusive, &[]);
    let text = String::from_utf8(canonical).unwrap();
    let mut inner = text[text.find('>').unwrap() + 1..text.rfind("</").unwrap()].to_owned();
    while let Some(pi) = inner.find("<?") {
        let end = pi + inner[pi..].find("?>").unwrap() + 2;
        inner.replace_range(pi..end, "");
    }
    inner.replace("&lt;", "<").replace("&gt;", ">").replace("&#xD;", "\r").replace("&amp;", "&")
}

#[test]
fn the_value_read_is_the_value_signed() {
    let s = signed();
    let v = verifier();
    let key = RawKey::pki("oces2-leaf");
    let action = "http://serviceplatformen.dk/xml/wsdl/soap11/CPR/PersonBaseDataExtended/5/PersonLookup";
    let (head, tail) = action.split_at(30);
    let variants = [
        ("comment inside the Action", format!("{head}<!-- -->{tail}")),
        ("processing instruction inside the Action", format!("{head}<?pi x?>{tail}")),
        ("CDATA section inside the Action", format!("{head}<![CDATA[{}]]>{}", &tail[..5], &tail[5..])),
        ("character references inside the Action", format!("{head}&#x{:x};{}", tail.as_bytes()[0], &tail[1..])),
        ("entity references inside the Action", format!("{head}&amp;&lt;&gt;{tail}")),
        ("carriage return reference inside the Action", format!("{head}&#xD;{tail}")),
    ];
    let mut rows = Vec::new();
    for (what, written) in variants {
        let doc = resign(&edit(&s, action, &written), &key);
        let read = with_verified(&v, &doc, now(), |ok| ok.addressing().action.map(|a| a.as_str().to_owned()))
            .unwrap_or_else(|e| panic!("{what}: {e}"))
            .expect("a signed Action");
        let signed = signed_text(&doc, "<wsa:Action");
        rows.push(vec![
            what.to_owned(),
            format!("{read:?}"),
            if read == signed { "same" } else { "DIFFERENT" }.to_owned(),
        ]);
        assert_eq!(read, signed, "{what}: read {read:?}, signed {signed:?}");
    }
    // The InvocationContext through the verified view, with a comment in the agreement UUID.
    let uuid = "c944b0f8-c43d-4638-b048-918d9f2e18b5";
    let doc = resign(&edit(&s, uuid, "c944b0f8-c43d-<!---->4638-b048-918d9f2e18b5"), &key);
    let read =
        with_verified(&v, &doc, now(), |ok| ok.invocation_context().unwrap().service_agreement.to_string()).unwrap();
    assert_eq!(read, signed_text(&doc, "<ns3:ServiceAgreementUUID"));
    rows.push(vec!["comment inside ServiceAgreementUUID".to_owned(), format!("{read:?}"), "same".to_owned()]);
    print_table("Parser differentials: value read vs value signed", &["signed value", "read", "verdict"], &rows);
}

#[test]
fn timestamp_wrapping_and_exclusion() {
    let s = signed();
    let v = verifier();
    let key = RawKey::pki("oces2-leaf");
    let ts = element(&s, "<wsu:Timestamp").to_owned();
    let ts_id = id_in(&ts);
    // The attacker's Timestamp: no ID, Expires a day later (Created unchanged, so it is current).
    let expires = element(&ts, "<wsu:Expires").to_owned();
    let later = expires.replacen("2030-01-01T", "2030-01-02T", 1);
    let fresh = ts.replacen(&format!(" wsu:Id=\"{ts_id}\""), "", 1).replacen(&expires, &later, 1);
    let swapped = edit(&s, &ts, &fresh);
    let mut t = Table::new("XML signature wrapping: the Timestamp; Timestamp exclusion");
    let into_header = edit(&swapped, "</soapenv:Header>", &format!("{WRAP_OPEN}{ts}{WRAP_CLOSE}</soapenv:Header>"));
    t.check(
        "signed Timestamp moved into a new header, unsigned in Security",
        "policy.not_signed",
        outcome(&v, &into_header),
    );
    let into_object = edit(&swapped, "</ds:Signature>", &format!("<ds:Object>{ts}</ds:Object></ds:Signature>"));
    t.check("signed Timestamp moved into a ds:Object", "policy.not_signed", outcome(&v, &into_object));
    let under_unknown = edit(&swapped, "</wsse:Security>", &format!("{WRAP_OPEN}{ts}{WRAP_CLOSE}</wsse:Security>"));
    t.check("signed Timestamp wrapped inside Security", "policy.not_signed", outcome(&v, &under_unknown));
    let in_body = edit(&swapped, "<soapenv:Body wsu:Id=\"body\">", &format!("<soapenv:Body wsu:Id=\"body\">{ts}"));
    t.check("signed Timestamp moved into the Body", "signature.digest_mismatch", outcome(&v, &in_body));
    let second_after = edit(&s, &ts, &format!("{ts}{fresh}"));
    t.check("a second, unsigned Timestamp after the signed one", "timestamp.malformed", outcome(&v, &second_after));
    let second_before = edit(&s, &ts, &format!("{fresh}{ts}"));
    t.check("a second, unsigned Timestamp before the signed one", "timestamp.malformed", outcome(&v, &second_before));
    let twin = fresh.replacen("<wsu:Timestamp", &format!("<wsu:Timestamp wsu:Id=\"{ts_id}\""), 1);
    let same_id =
        edit(&edit(&s, &ts, &twin), "</soapenv:Header>", &format!("{WRAP_OPEN}{ts}{WRAP_CLOSE}</soapenv:Header>"));
    t.check(
        "unsigned Timestamp with the signed one's ID, signed one wrapped",
        "signature.duplicate_id",
        outcome(&v, &same_id),
    );
    t.check(
        "signed Timestamp kept with its ID, Expires extended",
        "signature.digest_mismatch",
        outcome(&v, &edit(&s, &ts, &twin)),
    );
    let reference = common::reference(&s, &ts_id).to_owned();
    let excluded = resign(&edit(&s, &reference, ""), &key);
    t.check("no reference to the Timestamp (re-signed)", "policy.not_signed", outcome(&v, &excluded));
    t.finish();
}

#[test]
fn certificate_chain_longer_than_allowed() {
    let s = signed();
    let v = verifier();
    let leaf = kuvert_tests::base64_encode(&pki("oces2-leaf.der"));
    let ca = kuvert_tests::base64_encode(&pki("oces2-ca.der"));
    let key_info = |n: usize| {
        let chain: String = (0..n).map(|_| format!("<ds:X509Certificate>{ca}</ds:X509Certificate>")).collect();
        format!("<ds:KeyInfo><ds:X509Data><ds:X509Certificate>{leaf}</ds:X509Certificate>{chain}</ds:X509Data></ds:KeyInfo>")
    };
    let with = |n: usize| edit(&s, element(&s, "<ds:KeyInfo"), &key_info(n));
    let mut t = Table::new("Key injection: certificate chains");
    t.check("X509Data: leaf and its issuing CA", "verifies", outcome(&v, &with(1)));
    t.check("X509Data: leaf and 4 intermediates (the default maximum)", "verifies", outcome(&v, &with(4)));
    t.check("X509Data: leaf and 5 intermediates", "cert.chain_too_long", outcome(&v, &with(5)));
    t.check("X509Data: leaf and 1000 intermediates", "cert.chain_too_long", outcome(&v, &with(1000)));
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
