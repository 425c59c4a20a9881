//! Every XML file among the real, public platform samples
//! (`<shared>/reference/serviceplatformen/`) read with `Input::new` +
//! `Envelope::parse`, and the extracted values checked exactly against the
//! files (read by hand). Files that are not SOAP envelopes, or are templates
//! with `{{ placeholders }}`, must be refused with the right code and offset.
//!
//! The shared directory is never copied into the project: see
//! `kuvert_tests::shared_dir` for how it is found and when a missing one fails.

use std::path::Path;

use kuvert_tests::{files_under, ns, parse, read, relative, shared_subdir, HeaderView, View};

const WSSE: &str = ns::WSSE;
const ANONYMOUS: &str = "http://www.w3.org/2005/08/addressing/anonymous";
const WS_TRUST: &str = "http://docs.oasis-open.org/ws-sx/ws-trust/200512";

fn h(ns: &str, name: &str, must_understand: bool, id: Option<&str>) -> HeaderView {
    HeaderView { ns: ns.to_owned(), name: name.to_owned(), must_understand, actor: None, id: id.map(str::to_owned) }
}

fn s(v: &str) -> Option<String> {
    Some(v.to_owned())
}

fn op(ns: &str, name: &str) -> Option<(String, String)> {
    Some((ns.to_owned(), name.to_owned()))
}

fn children(names: &[(&str, &str)]) -> Vec<(String, String)> {
    names.iter().map(|(n, l)| (n.to_string(), l.to_string())).collect()
}

/// The byte offset of the first occurrence of `needle`.
fn offset_of(bytes: &[u8], needle: &str) -> usize {
    bytes.windows(needle.len()).position(|w| w == needle.as_bytes()).unwrap_or_else(|| panic!("{needle:?} not found"))
}

/// The offset of the root element's `<` (the first `<` that starts a name).
fn root_offset(bytes: &[u8]) -> usize {
    bytes.windows(2).position(|w| w[0] == b'<' && w[1].is_ascii_alphabetic()).expect("a root element")
}

fn expect_refusal(rel: &str, bytes: &[u8], code: &str, offset: usize) {
    match parse(bytes) {
        Ok(v) => panic!("{rel}: expected {code} at {offset}, got {v:#?}"),
        Err(e) => assert_eq!((e.code(), e.offset()), (code, offset), "{rel}"),
    }
}

fn accepted(rel: &str, bytes: &[u8]) -> View {
    parse(bytes).unwrap_or_else(|e| panic!("{rel}: refused: {} at {}", e.code(), e.offset()))
}

/// Checks one sample; returns false when there is no expectation for it.
fn check(rel: &str, bytes: &[u8]) -> bool {
    match rel {
        // Templates: `{{ service_agreement }}` is where a UUID belongs.
        "cpr-sf1520/magenta-PersonLookup_v4_envelope.template.xml"
        | "cpr-sf1520/magenta-PersonLookup_v5_envelope.template.xml" => {
            let at = offset_of(bytes, "{{ service_agreement }}");
            expect_refusal(rel, bytes, "context.invalid_uuid", at);
        }
        "demoservice/callDemoServiceWithAuthorityContext.request.xml" => {
            let v = accepted(rel, bytes);
            assert_eq!(v.soap_version, "1.1");
            assert_eq!(
                v.operation,
                op("http://serviceplatformen.dk/xml/wsdl/soap11/SP/Demo/1/", "CallDemoServiceRequest")
            );
            assert_eq!(
                v.operation_children,
                children(&[
                    (ns::AUTHORITY_CONTEXT, "AuthorityContext"),
                    (ns::CALL_CONTEXT, "CallContext"),
                    ("http://serviceplatformen.dk/xml/wsdl/soap11/SP/Demo/1/", "messageString"),
                ])
            );
            assert!(!v.has_header && v.headers.is_empty() && !v.security);
            assert_eq!(v.authority_cvr, s("29189846"));
            let call = v.call.unwrap();
            assert_eq!(call.callers_service_call_identifier, s("AuthorityContextAccessTestCaller"));
            assert_eq!((call.on_behalf_of_user, call.accounting_info), (None, None));
            assert_eq!(v.invocation, None);
            assert_eq!(v.fault, None);
        }
        "demoservice/callDemoServiceWithInvocationContext.request.xml" => {
            // The context is in the default namespace; OnBehalfOfUser sits between
            // UserUUID and ServiceUUID (xsd:all allows any order).
            let v = accepted(rel, bytes);
            assert_eq!(v.soap_version, "1.1");
            assert_eq!(
                v.operation,
                op("http://serviceplatformen.dk/xml/wsdl/soap11/SP/Demo/1/", "CallDemoServiceRequest")
            );
            let inv = v.invocation.unwrap();
            assert_eq!(
                inv.uuids,
                [
                    "17a44431-526a-416c-bb66-bd262049e751",
                    "50be05bb-f31a-4673-9a93-d740e7397b16",
                    "97782c1e-ec6a-4fcf-9c6c-cb030948d1d5",
                    "d8a062c0-27d1-11e6-b67b-9e71128cae77"
                ]
            );
            assert_eq!(inv.on_behalf_of_user, s("DemoServicePortType.test.uuid"));
            assert_eq!(inv.callers_service_call_identifier, s("DemoServicePortType.test.uuid"));
            assert_eq!(inv.accounting_info, None);
            assert_eq!((v.authority_cvr, v.call), (None, None));
            assert!(!v.has_header);
        }
        "oioidws/LIBBAS-response-soap12-HelloSign.xml" => {
            let v = accepted(rel, bytes);
            assert_eq!(v.soap_version, "1.2");
            assert_eq!(v.operation, op("http://tempuri.org/", "HelloSignResponse"));
            assert_eq!(
                v.headers,
                [
                    h(ns::WSA, "Action", true, Some("_2")),
                    h(ns::WSA, "RelatesTo", false, Some("_3")),
                    h(ns::WSA, "MessageID", false, Some("_4")),
                    h(WSSE, "Security", true, None),
                ]
            );
            assert_eq!(v.action, s("http://tempuri.org/IHelloWorld/HelloSignResponse"));
            assert_eq!(v.relates_to, s("urn:uuid:18fc4148-87b9-44fd-bb04-0fc69a943f85"));
            assert_eq!(v.message_id, s("urn:uuid:3b996599-0be7-47d3-a409-bab46873c53d"));
            assert_eq!((v.to, v.reply_to, v.from), (None, None, None));
            assert!(v.security);
            assert_eq!(v.body_id, s("_1"));
            assert_eq!((v.framework, v.transaction_uuid), (None, None));
        }
        "oioidws/LIBBAS-signed-request-soap12-HelloSign.xml" => {
            let v = accepted(rel, bytes);
            assert_eq!(v.soap_version, "1.2");
            assert_eq!(v.operation, op("http://tempuri.org/", "HelloSign"));
            assert_eq!(
                v.headers,
                [
                    h(ns::WSA, "Action", true, Some("action")),
                    h(ns::WSA, "MessageID", false, Some("msgid")),
                    h(ns::WSA, "ReplyTo", false, Some("replyto")),
                    h(ns::WSA, "To", true, Some("to")),
                    h(ns::SBF, "Framework", true, Some("lib")),
                    h(WSSE, "Security", true, None),
                ]
            );
            assert_eq!(v.action, s("http://tempuri.org/IHelloWorld/HelloSign"));
            assert_eq!(v.message_id, s("urn:uuid:18fc4148-87b9-44fd-bb04-0fc69a943f85"));
            assert_eq!(v.reply_to, s(ANONYMOUS));
            assert_eq!(v.to, s("https://kombitwsp12.azurewebsites.net/HelloWorld.svc"));
            assert_eq!(v.framework, Some(("2.0".to_owned(), s("urn:liberty:sb:profile:basic"))));
            assert!(v.security);
            assert_eq!(v.body_id, s("body"));
        }
        "oioidws/LIBBAS-signed-request-soap12-JavaHello.xml" => {
            // To comes after the Security header here.
            let v = accepted(rel, bytes);
            assert_eq!(v.soap_version, "1.2");
            assert_eq!(v.operation, op("http://www.example.org/schema/HelloWorld", "HelloWorld"));
            assert_eq!(
                v.headers,
                [
                    h(ns::WSA, "Action", true, Some("action")),
                    h(ns::WSA, "MessageID", false, Some("msgid")),
                    h(ns::WSA, "ReplyTo", false, Some("replyto")),
                    h(WSSE, "Security", true, None),
                    h(ns::WSA, "To", true, Some("to")),
                ]
            );
            assert_eq!(v.action, s("http://www.example.org/contract/HelloWorld/HelloWorldPortType/HelloWorldRequest"));
            assert_eq!(v.message_id, s("urn:uuid:1301a339-0256-441a-a2a4-136df8cc8106"));
            assert_eq!(v.reply_to, s(ANONYMOUS));
            assert_eq!(v.to, s("https://localhost:8443/HelloWorld/services/helloworld"));
            assert_eq!(v.framework, None, "this request has no Framework header");
            assert!(v.security);
            assert_eq!(v.body_id, s("body"));
        }
        "oioidws/LIBBAS-signed-response-soap12-JavaHello.xml" => {
            let v = accepted(rel, bytes);
            assert_eq!(v.soap_version, "1.2");
            assert_eq!(v.operation, op("http://www.example.org/schema/HelloWorld", "HelloWorldResponse"));
            assert_eq!(
                v.headers,
                [
                    h(ns::WSA, "Action", false, Some("_1469e02d-6f85-40d7-8673-92cafa4c94f2")),
                    h(ns::WSA, "MessageID", false, Some("_7931217c-41c8-45af-a5f4-b10a65af3eac")),
                    h(ns::WSA, "To", false, Some("_29f3d9ac-85d3-411f-bdd9-9d5bea6e0223")),
                    h(ns::WSA, "RelatesTo", false, Some("_6847d125-3cb3-4818-a8ee-8479015dc940")),
                    h(WSSE, "Security", true, None), // soap:mustUnderstand="true"
                ]
            );
            assert_eq!(v.action, s("http://www.example.org/contract/HelloWorld/HelloWorldPortType/HelloWorldResponse"));
            assert_eq!(v.message_id, s("urn:uuid:18b4c748-6d67-4933-ad37-e1a03189ff51"));
            assert_eq!(v.to, s(ANONYMOUS));
            assert_eq!(v.relates_to, s("urn:uuid:d5ddc41d-ed6e-49fd-9efb-f732a6f57602"));
            assert!(v.security);
            assert_eq!(v.body_id, s("_0c3810ac-8085-4195-a728-f6e985aca37b"));
        }
        "oioidws/SP-token-signed-request-soap11-OrganisationEnhed5-soeg.xml" => {
            // Pretty-printed: the addressing values have trailing newlines and indentation.
            let v = accepted(rel, bytes);
            assert_eq!(v.soap_version, "1.1");
            let service = "http://serviceplatformen.dk/xml/wsdl/soap11/Organisation/OrganisationEnhed/5/";
            assert_eq!(v.operation, op(service, "SoegRequest"));
            assert_eq!(
                v.operation_children,
                children(&[("urn:oio:sts:organisation:organisationenhed:1.1.3.0", "SoegInput")])
            );
            assert_eq!(
                v.headers,
                [
                    h(ns::SBF, "Framework", false, Some("_b41db165-fd53-443a-b705-a50bf8d2b44a")),
                    h(ns::WSA, "Action", false, Some("_de79ada0-8e16-4820-9bad-d2d9586eda38")),
                    h(ns::WSA, "MessageID", false, Some("_a31b8c84-868a-4d5c-b84c-a64cc65d9087")),
                    h(ns::WSA, "To", false, Some("_7db29b8b-6065-42a1-83bd-c2aa9291d44e")),
                    h(ns::WSA, "ReplyTo", false, Some("_3455b514-d799-4e10-9186-4d70511cfc7d")),
                    h(ns::KOMBIT_REQUEST_HEADER, "RequestHeader", false, None),
                    h(WSSE, "Security", true, None),
                ]
            );
            assert_eq!(v.action, Some(format!("{service}soeg")));
            assert_eq!(v.message_id, s("urn:uuid:8b60a4a5-9dfe-4558-933a-f813cd38caa5"));
            assert_eq!(v.to, s("https://exttest.serviceplatformen.dk/service/Organisation/OrganisationEnhed/5"));
            assert_eq!(v.reply_to, s(ANONYMOUS));
            assert_eq!(v.framework, Some(("2.0".to_owned(), s("urn:liberty:sb:profile:basic"))));
            assert_eq!(v.transaction_uuid, s("9316de3d-3263-49b6-a545-2aad053f1fbe"));
            assert!(v.security);
            assert_eq!(v.body_id, s("_e3e0fa65-d061-4929-8dd0-cc177615713b"));
            // The token model carries no call context in the Body.
            assert_eq!((v.invocation, v.authority_cvr, v.call), (None, None, None));
        }
        "oioidws/STS-official-RST-request.xml" => {
            let v = accepted(rel, bytes);
            assert_eq!(v.soap_version, "1.1");
            assert_eq!(v.operation, op(WS_TRUST, "RequestSecurityToken"));
            assert_eq!(
                v.headers,
                [
                    h(ns::WSA, "Action", false, Some("action")),
                    h(ns::WSA, "MessageID", false, Some("msgid")),
                    h(ns::WSA, "To", false, Some("to")),
                    // `mustUnderstand="1"` without the envelope prefix is not the SOAP attribute.
                    h(WSSE, "Security", false, None),
                ]
            );
            assert_eq!(v.action, s("http://docs.oasis-open.org/ws-sx/ws-trust/200512/RST/Issue"));
            assert_eq!(v.message_id, s("uuid:843e7250-bd66-43c1-a033-1fcbf171fb79"));
            assert_eq!(v.to, s(""), "<wsa:To wsu:Id=\"to\"/> is present and empty");
            assert!(v.security);
            assert_eq!(v.body_id, s("body"));
        }
        "oioidws/STS-official-RSTR-response.xml" => {
            // As published: the whole response envelope wrapped in another Body.
            let v = accepted(rel, bytes);
            assert_eq!(v.soap_version, "1.1");
            assert_eq!(v.operation, op(ns::SOAP11, "Envelope"));
            assert!(!v.has_header && !v.security);
            assert_eq!((v.action, v.body_id), (None, None));
        }
        "oioidws/STS-token-signature-scenario.xml" => {
            expect_refusal(rel, bytes, "xml.unsupported_encoding", offset_of(bytes, "utf-16"));
        }
        "oioidws/RST-direct-token.xml"
        | "sts/kombit-sts-exttest-saml-assertion-hok.xml"
        | "sf1500/RequestHeader-example.xml" => {
            expect_refusal(rel, bytes, "soap.not_an_envelope", root_offset(bytes));
        }
        "sf2900/FordelingsmodtagerList.request.xml" => {
            let v = accepted(rel, bytes);
            let types = "http://serviceplatformen.dk/xml/wsdl/soap11/DistributionService/3/types";
            assert_eq!(v.soap_version, "1.1");
            assert_eq!(v.operation, op(types, "FordelingsmodtagerListRequest"));
            assert_eq!(
                v.operation_children,
                children(&[(ns::AUTHORITY_CONTEXT, "AuthorityContext"), (types, "Routing")])
            );
            assert!(v.has_header && v.headers.is_empty());
            assert_eq!(v.authority_cvr, s("55133018"));
            assert_eq!((v.invocation, v.call), (None, None));
        }
        "sf2900/FordelingsmodtagerList.response.xml" => {
            let v = accepted(rel, bytes);
            let types = "http://serviceplatformen.dk/xml/wsdl/soap11/DistributionService/3/types";
            assert_eq!(v.operation, op(types, "FordelingsmodtagerListResponse"));
            assert_eq!(v.operation_children, children(&[(types, "Systemer")]));
            assert!(!v.has_header);
            assert_eq!((v.invocation, v.authority_cvr, v.call, v.fault), (None, None, None, None));
        }
        "sts/itkdev-SF1514-RST-soap12-template.xml" => {
            // A template with empty digests; well-formed, so it reads.
            let v = accepted(rel, bytes);
            assert_eq!(v.soap_version, "1.2");
            assert_eq!(v.operation, op(WS_TRUST, "RequestSecurityToken"));
            assert_eq!(
                v.headers,
                [
                    h(ns::WSA, "Action", false, Some("action_id")),
                    h(ns::WSA, "MessageID", false, Some("message_id_id")),
                    h(ns::WSA, "To", false, Some("to_id")),
                    h(ns::WSA, "ReplyTo", false, Some("reply_id")),
                    h(WSSE, "Security", true, None),
                ]
            );
            assert_eq!(v.action, s("http://docs.oasis-open.org/ws-sx/ws-trust/200512/RST/Issue"));
            assert_eq!(v.message_id, s("urn:uuid:another_unique_id"));
            assert_eq!(v.to, s(""));
            assert_eq!(v.reply_to, s(ANONYMOUS));
            assert_eq!(v.body_id, s("body_id"));
        }
        // Schemas and WSDLs are XML documents but not envelopes.
        _ if rel.ends_with(".xsd") || rel.ends_with(".wsdl") => {
            expect_refusal(rel, bytes, "soap.not_an_envelope", root_offset(bytes));
        }
        _ => return false,
    }
    true
}

#[test]
fn every_reference_file_reads_as_expected() {
    let Some(dir) = shared_subdir("reference/serviceplatformen") else { return };
    let files = files_under(&dir, &[".xml", ".xsd", ".wsdl"]);
    assert!(files.len() >= 40, "expected the full reference set, found {} files", files.len());
    let mut unknown = Vec::new();
    let mut envelopes = 0;
    for path in &files {
        let rel = relative(path, &dir);
        let bytes = read(path);
        if !check(&rel, &bytes) {
            unknown.push(rel);
        } else if parse(&bytes).is_ok() {
            envelopes += 1;
        }
    }
    assert!(unknown.is_empty(), "reference files without an expectation (add one): {unknown:?}");
    assert_eq!(envelopes, 12, "number of reference files that read as envelopes");
}

/// A UTF-8 byte-order mark (the LIB-BAS samples start with one) is skipped and offsets keep counting it.
#[test]
fn byte_order_mark_samples() {
    let Some(dir) = shared_subdir("reference/serviceplatformen/oioidws") else { return };
    let path = Path::new(&dir).join("LIBBAS-signed-request-soap12-HelloSign.xml");
    let bytes = read(&path);
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"));
    let mut broken = bytes.clone();
    let at = offset_of(&broken, "<s:Body");
    broken[at + 1] = b'1';
    match parse(&broken) {
        Err(e) => assert_eq!((e.code(), e.offset()), ("xml.invalid_name", at + 1)),
        Ok(_) => panic!("a tag starting with a digit must be refused"),
    }
}

/// The platform's own fault text ends with the call id and time; a fault
/// carrying it (as FaultBuilder writes it) gives both back.
#[test]
fn observed_fault_text_round_trips() {
    let Some(dir) = shared_subdir("reference/serviceplatformen/sf2900") else { return };
    let text = std::fs::read_to_string(dir.join("observed-soapfault-text.txt")).unwrap();
    let escaped = text.replace('&', "&amp;").replace('<', "&lt;");
    let doc = format!(
        r#"<soap:Envelope xmlns:soap="{}"><soap:Body><soap:Fault><faultcode>soap:Client</faultcode><faultstring>{escaped}</faultstring></soap:Fault></soap:Body></soap:Envelope>"#,
        ns::SOAP11
    );
    let f = parse(doc.as_bytes()).unwrap().fault.unwrap();
    assert_eq!(f.call_uuid, s("cca459ba-ee11-4030-8ae1-25ea95b0318c"));
    assert_eq!(f.received, s("2025-10-23T13:06:14.306Z"));
    assert_eq!(f.reason, text);
}
