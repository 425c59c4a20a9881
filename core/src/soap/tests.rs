//! Envelope reading: structure, headers, contexts and faults.

use super::*;
use crate::{Input, Limits, Uuid};

const S11: &str = "http://schemas.xmlsoap.org/soap/envelope/";
const S12: &str = "http://www.w3.org/2003/05/soap-envelope";

/// Parses a test document (leaked, so the view can outlive the helper).
fn parse(xml: &str) -> Result<Envelope<'static>, EnvelopeError> {
    let bytes: &'static [u8] = Box::leak(xml.as_bytes().to_vec().into_boxed_slice());
    let input: &'static Input<'static> = Box::leak(Box::new(Input::new(bytes, &Limits::default())?));
    Envelope::parse(input, &Limits::default())
}

fn code(xml: &str) -> (&'static str, usize) {
    let e = parse(xml).unwrap_err();
    (e.code(), e.offset())
}

fn env11(header: &str, body: &str) -> String {
    format!(r#"<s:Envelope xmlns:s="{S11}"><s:Header>{header}</s:Header><s:Body>{body}</s:Body></s:Envelope>"#)
}

#[test]
fn minimal_soap11_and_12() {
    let e = parse(&format!(r#"<Envelope xmlns="{S11}"><Body/></Envelope>"#)).unwrap();
    assert_eq!(e.version(), SoapVersion::Soap11);
    assert!(e.operation().is_none() && e.header().is_none());
    let e = parse(&format!(r#"<e:Envelope xmlns:e="{S12}"><e:Body><x:Op xmlns:x="urn:x"/></e:Body></e:Envelope>"#))
        .unwrap();
    assert_eq!(e.version(), SoapVersion::Soap12);
    assert_eq!(e.operation().unwrap().name, QName { ns: "urn:x", local: "Op" });
}

/// Cases whose error offset is where `marker` occurs last in the document.
#[test]
fn structure_errors() {
    let cases = [
        (r#"<Envelope xmlns="urn:other"><Body/></Envelope>"#.to_owned(), "soap.version_mismatch", "<Envelope"),
        (r#"<Other xmlns="urn:other"/>"#.to_owned(), "soap.not_an_envelope", "<Other"),
        (format!(r#"<Envelope xmlns="{S11}"/>"#), "soap.missing_body", "$"),
        (format!(r#"<Envelope xmlns="{S11}"></Envelope>"#), "soap.missing_body", "</Envelope>"),
        (format!(r#"<Envelope xmlns="{S11}"><Body/><Body/></Envelope>"#), "soap.duplicate_body", "<Body/>"),
        (format!(r#"<Envelope xmlns="{S11}"><Body/><Header/></Envelope>"#), "soap.misplaced_header", "<Header/>"),
        (
            format!(r#"<Envelope xmlns="{S11}"><Header/><Header/><Body/></Envelope>"#),
            "soap.misplaced_header",
            "<Header/><Body/>",
        ),
        (format!(r#"<Envelope xmlns="{S11}"><Body xmlns="{S12}"/></Envelope>"#), "soap.mixed_versions", "<Body"),
        (
            format!(r#"<Envelope xmlns="{S11}"><Body/><x:Extra xmlns:x="urn:x"/></Envelope>"#),
            "soap.unexpected_element",
            "<x:Extra",
        ),
        (format!(r#"<Envelope xmlns="{S11}">text<Body/></Envelope>"#), "soap.unexpected_text", "text"),
        (
            format!(r#"<Envelope xmlns="{S11}"><Header><Unqualified xmlns=""/></Header><Body/></Envelope>"#),
            "soap.unqualified_header_block",
            "<Unqualified",
        ),
        (format!(r#"<!DOCTYPE x><Envelope xmlns="{S11}"><Body/></Envelope>"#), "xml.doctype_forbidden", "<!DOCTYPE"),
    ];
    for (xml, want, marker) in cases {
        let at = if marker == "$" { xml.len() } else { xml.rfind(marker).unwrap() };
        assert_eq!(code(&xml), (want, at), "{xml}");
    }
}

#[test]
fn addressing_framework_and_request_header() {
    let header = r#"<wsa:Action xmlns:wsa="http://www.w3.org/2005/08/addressing" s:mustUnderstand="1" xmlns:wsu="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd" wsu:Id="a1">
        urn:act &amp; more
      </wsa:Action>
      <MessageID xmlns="http://www.w3.org/2005/08/addressing">urn:uuid:1</MessageID>
      <To xmlns="http://www.w3.org/2005/08/addressing">https://example.invalid/svc</To>
      <ReplyTo xmlns="http://www.w3.org/2005/08/addressing"><Address>http://www.w3.org/2005/08/addressing/anonymous</Address></ReplyTo>
      <From xmlns="http://www.w3.org/2005/08/addressing"><Address>urn:from</Address><Metadata/></From>
      <RelatesTo xmlns="http://www.w3.org/2005/08/addressing" RelationshipType="urn:other">urn:ignored</RelatesTo>
      <RelatesTo xmlns="http://www.w3.org/2005/08/addressing">urn:uuid:0</RelatesTo>
      <sbf:Framework xmlns:sbf="urn:liberty:sb:2006-08" xmlns:p="urn:liberty:sb:profile" version="2.0" p:profile="urn:liberty:sb:profile:basic"/>
      <RequestHeader xmlns="http://kombit.dk/xml/schemas/RequestHeader/1/"><TransactionUUID>9316de3d-3263-49b6-a545-2aad053f1fbe</TransactionUUID></RequestHeader>
      <wsse:Security xmlns:wsse="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd" s:mustUnderstand="true"><x/></wsse:Security>"#;
    let xml = env11(header, "");
    let e = parse(&xml).unwrap();
    let a = e.addressing();
    assert_eq!(a.action.as_ref().unwrap().as_str(), "urn:act & more");
    assert_eq!(a.message_id.as_ref().unwrap().as_str(), "urn:uuid:1");
    assert!(a.message_id.as_ref().unwrap().is_borrowed());
    assert_eq!(a.to.as_ref().unwrap().as_str(), "https://example.invalid/svc");
    assert_eq!(a.reply_to.as_ref().unwrap().as_str(), "http://www.w3.org/2005/08/addressing/anonymous");
    assert_eq!(a.from.as_ref().unwrap().as_str(), "urn:from");
    assert_eq!(a.relates_to.as_ref().unwrap().as_str(), "urn:uuid:0");
    let f = e.framework().unwrap();
    assert_eq!((f.version.as_ref(), f.profile.as_deref()), ("2.0", Some("urn:liberty:sb:profile:basic")));
    assert_eq!(e.transaction_uuid().unwrap().as_str(), "9316de3d-3263-49b6-a545-2aad053f1fbe");
    let blocks = e.header_blocks();
    assert_eq!(blocks.len(), 10);
    assert!(blocks[0].must_understand && blocks[0].id.as_deref() == Some("a1"));
    let sec = e.security_header().unwrap();
    assert!(sec.must_understand);
    assert!(e.slice(sec.span).starts_with("<wsse:Security") && e.slice(sec.span).ends_with("</wsse:Security>"));
}

#[test]
fn header_errors() {
    let wsa = r#"xmlns="http://www.w3.org/2005/08/addressing""#;
    let cases = [
        (format!("<Action {wsa}>a</Action><Action {wsa}>b</Action>"), "soap.duplicate_header"),
        (format!("<ReplyTo {wsa}><Metadata/></ReplyTo>"), "soap.invalid_addressing"),
        (format!("<Action {wsa}><x/></Action>"), "soap.invalid_addressing"),
        (format!(r#"<Action {wsa} s:mustUnderstand="yes">a</Action>"#), "soap.invalid_must_understand"),
        (r#"<F:Framework xmlns:F="urn:liberty:sb:2006-08"/>"#.to_owned(), "soap.invalid_framework"),
        (r#"<R xmlns="http://kombit.dk/xml/schemas/RequestHeader/1/"/>"#.to_owned(), "soap.not_an_envelope"),
        (r#"<RequestHeader xmlns="http://kombit.dk/xml/schemas/RequestHeader/1/"/>"#.to_owned(), "soap.invalid_request_header"),
        (r#"<RequestHeader xmlns="http://kombit.dk/xml/schemas/RequestHeader/1/"><Other/></RequestHeader>"#.to_owned(), "soap.invalid_request_header"),
        (
            r#"<w:Security xmlns:w="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"/><w:Security xmlns:w="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"/>"#.to_owned(),
            "soap.duplicate_header",
        ),
    ];
    for (header, want) in cases {
        let xml = if want == "soap.not_an_envelope" { header.clone() } else { env11(&header, "") };
        assert_eq!(code(&xml).0, want, "{header}");
    }
}

#[test]
fn security_header_for_another_actor_is_not_ours() {
    let h = r#"<w:Security xmlns:w="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd" s:actor="urn:someone-else"/>"#;
    let e = parse(&env11(h, "")).unwrap();
    assert!(e.security_header().is_none());
    assert_eq!(e.header_blocks()[0].actor.as_deref(), Some("urn:someone-else"));
}

const INV: &str = "http://serviceplatformen.dk/xml/schemas/InvocationContext/1/";

fn invocation(fields: &str) -> String {
    env11(
        "",
        &format!(
            r#"<op:Op xmlns:op="urn:op" xmlns:i="{INV}"><i:InvocationContext>{fields}</i:InvocationContext><op:Payload/></op:Op>"#
        ),
    )
}

const UUIDS: &str = "<i:ServiceAgreementUUID>17a44431-526a-416c-bb66-bd262049e751</i:ServiceAgreementUUID>\
<i:UserSystemUUID>50be05bb-f31a-4673-9a93-d740e7397b16</i:UserSystemUUID>\
<i:UserUUID>97782c1e-ec6a-4fcf-9c6c-cb030948d1d5</i:UserUUID>";

#[test]
fn invocation_context_any_order_and_optional_fields() {
    let fields = format!("<i:AccountingInfo>afd. 7 &amp; co</i:AccountingInfo><i:ServiceUUID>d8a062c0-27d1-11e6-b67b-9e71128cae77</i:ServiceUUID>{UUIDS}");
    let e = parse(&invocation(&fields)).unwrap();
    let ic = e.invocation_context().unwrap();
    assert_eq!(ic.service, Uuid::parse_lower("d8a062c0-27d1-11e6-b67b-9e71128cae77").unwrap());
    assert_eq!(ic.service_agreement.to_string(), "17a44431-526a-416c-bb66-bd262049e751");
    assert_eq!(ic.accounting_info.as_deref(), Some("afd. 7 & co"));
    assert!(ic.on_behalf_of_user.is_none());
    assert_eq!(e.operation_children().len(), 2);
    assert_eq!(e.operation_children()[0].name.local, "InvocationContext");
}

#[test]
fn invocation_context_errors() {
    let svc = "<i:ServiceUUID>d8a062c0-27d1-11e6-b67b-9e71128cae77</i:ServiceUUID>";
    let long = "x".repeat(256);
    let cases = [
        (UUIDS.to_owned(), "context.missing_field"),
        (format!("{UUIDS}{svc}{svc}"), "context.duplicate_field"),
        (format!("{UUIDS}<i:ServiceUUID>D8A062C0-27D1-11E6-B67B-9E71128CAE77</i:ServiceUUID>"), "context.invalid_uuid"),
        (
            format!("{UUIDS}<i:ServiceUUID> d8a062c0-27d1-11e6-b67b-9e71128cae77</i:ServiceUUID>"),
            "context.invalid_uuid",
        ),
        (format!("{UUIDS}{svc}<i:Other>x</i:Other>"), "context.unknown_field"),
        (format!("{UUIDS}{svc}<ServiceUUID xmlns='urn:x'>x</ServiceUUID>"), "context.unknown_field"),
        (format!("{UUIDS}{svc}<i:OnBehalfOfUser>{long}</i:OnBehalfOfUser>"), "context.too_long"),
        (format!("{UUIDS}{svc}<i:OnBehalfOfUser><b/></i:OnBehalfOfUser>"), "context.unexpected_content"),
        (format!("{UUIDS}text{svc}"), "context.unexpected_content"),
    ];
    for (fields, want) in cases {
        assert_eq!(code(&invocation(&fields)).0, want, "{fields}");
    }
    let ok = "é".repeat(255);
    assert!(parse(&invocation(&format!("{UUIDS}{svc}<i:OnBehalfOfUser>{ok}</i:OnBehalfOfUser>"))).is_ok());
}

#[test]
fn comment_inside_a_value_never_truncates_it() {
    let fields = format!("{UUIDS}<i:ServiceUUID>d8a062c0-27d1-11e6-<!-- x -->b67b-9e71128cae77</i:ServiceUUID>");
    let e = parse(&invocation(&fields)).unwrap();
    assert_eq!(e.invocation_context().unwrap().service.to_string(), "d8a062c0-27d1-11e6-b67b-9e71128cae77");
    let fields = format!("{UUIDS}<i:ServiceUUID>d8a062c0-27d1-11e6-b67b<!-- x --></i:ServiceUUID>");
    assert_eq!(code(&invocation(&fields)).0, "context.invalid_uuid");
}

#[test]
fn authority_and_call_context() {
    let body = r#"<op:Op xmlns:op="urn:op" xmlns="http://serviceplatformen.dk/xml/schemas/InvocationContext/1/" xmlns:a="http://serviceplatformen.dk/xml/schemas/AuthorityContext/1/" xmlns:c="http://serviceplatformen.dk/xml/schemas/CallContext/1/">
      <a:AuthorityContext><a:MunicipalityCVR>29189846</a:MunicipalityCVR></a:AuthorityContext>
      <c:CallContext><c:CallersServiceCallIdentifier>caller-1</c:CallersServiceCallIdentifier></c:CallContext>
      <op:x/></op:Op>"#;
    let e = parse(&env11("", body)).unwrap();
    assert_eq!(e.authority_context().unwrap().municipality_cvr.to_string(), "29189846");
    assert_eq!(e.call_context().unwrap().callers_service_call_identifier.as_deref(), Some("caller-1"));
    for (cvr, want) in [("2918984", "context.invalid_cvr"), ("2918984a", "context.invalid_cvr")] {
        let bad = body.replace("29189846", cvr);
        assert_eq!(code(&env11("", &bad)).0, want);
    }
    let late = body.replace("<op:x/>", "").replace("<a:AuthorityContext>", "<op:y/><a:AuthorityContext>");
    assert_eq!(code(&env11("", &late)).0, "context.after_payload");
    let twice = body.replace("<op:x/>", r#"<c:CallContext/>"#);
    assert_eq!(code(&env11("", &twice)).0, "context.duplicate_context");
}

#[test]
fn faults_soap11_with_serviceplatform_detail() {
    let body = r#"<s:Fault><faultcode>s:Client</faultcode><faultstring>Security model missing

For further information contact Serviceplatformen Helpdesk and inform:
  CallUUID: cca459ba-ee11-4030-8ae1-25ea95b0318c
  Received: 2025-10-23T13:06:14.306Z</faultstring><faultactor>urn:gw</faultactor>
      <detail><sp:ServiceplatformFault xmlns:sp="http://serviceplatformen.dk/xml/schemas/ServiceplatformFault/1/"><sp:ErrorList>
        <sp:Error><sp:ErrorCode>E1</sp:ErrorCode><sp:ErrorText>first</sp:ErrorText></sp:Error>
        <sp:Error><sp:ErrorCode>E2</sp:ErrorCode><sp:ErrorText>second &lt;2&gt;</sp:ErrorText></sp:Error>
      </sp:ErrorList></sp:ServiceplatformFault></detail></s:Fault>"#;
    let e = parse(&env11("", body)).unwrap();
    let f = e.fault().unwrap();
    assert_eq!((f.code.ns, f.code.local.as_ref()), (S11, "Client"));
    assert!(f.reason.as_str().starts_with("Security model missing"));
    assert_eq!(f.call_uuid().unwrap().to_string(), "cca459ba-ee11-4030-8ae1-25ea95b0318c");
    assert_eq!(f.received(), Some("2025-10-23T13:06:14.306Z"));
    assert_eq!(f.actor.as_ref().unwrap().as_str(), "urn:gw");
    assert_eq!(f.errors.len(), 2);
    assert_eq!(f.errors[1].text.as_str(), "second <2>");
    assert!(e.operation().is_none());
}

#[test]
fn faults_soap12_with_subcode() {
    let xml = format!(
        r#"<e:Envelope xmlns:e="{S12}"><e:Body><e:Fault><e:Code><e:Value>e:Sender</e:Value><e:Subcode><e:Value xmlns:sb="urn:liberty:sb:2006-08">sb:FrameworkVersionMismatch</e:Value></e:Subcode></e:Code><e:Reason><e:Text xml:lang="en">bad</e:Text><e:Text xml:lang="da">dårlig</e:Text></e:Reason><e:Detail/></e:Fault></e:Body></e:Envelope>"#
    );
    let e = parse(&xml).unwrap();
    let f = e.fault().unwrap();
    assert_eq!((f.code.ns, f.code.local.as_ref()), (S12, "Sender"));
    let sub = f.subcode.as_ref().unwrap();
    assert_eq!((sub.ns, sub.local.as_ref()), ("urn:liberty:sb:2006-08", "FrameworkVersionMismatch"));
    assert_eq!(f.reason.as_str(), "bad");
    assert!(f.detail.is_some() && f.errors.is_empty());
}

#[test]
fn fault_errors() {
    let cases = [
        "<s:Fault><faultstring>x</faultstring></s:Fault>",
        "<s:Fault><faultcode>s:Client</faultcode></s:Fault>",
        "<s:Fault><faultstring>x</faultstring><faultcode>s:Client</faultcode></s:Fault>",
        "<s:Fault><faultcode>undeclared:Client</faultcode><faultstring>x</faultstring></s:Fault>",
        "<s:Fault><faultcode>s:Client</faultcode><faultstring>x</faultstring><other/></s:Fault>",
        "<s:Fault><faultcode>s:Client</faultcode><faultstring>x</faultstring><detail><p:ServiceplatformFault xmlns:p='http://serviceplatformen.dk/xml/schemas/ServiceplatformFault/1/'><p:ErrorList/></p:ServiceplatformFault></detail></s:Fault>",
    ];
    for body in cases {
        assert_eq!(code(&env11("", body)).0, "soap.invalid_fault", "{body}");
    }
}

#[test]
fn fault_builder_round_trip_both_versions() {
    let call = Uuid::parse_lower("cca459ba-ee11-4030-8ae1-25ea95b0318c").unwrap();
    let received = crate::UtcTime::parse("2025-10-23T13:06:14.306Z").unwrap();
    for version in [SoapVersion::Soap11, SoapVersion::Soap12] {
        let xml = FaultBuilder::new(version, StandardCode::Sender, "Security model <x> & \"y\"\r\nline\u{0}")
            .subcode("urn:liberty:sb:2006-08", "FrameworkVersionMismatch")
            .unwrap()
            .actor("urn:gateway")
            .error("E-1", "a < b")
            .error("E-2", "tab\there")
            .call(call, received)
            .to_xml();
        let e = parse(&xml).unwrap();
        let f = e.fault().unwrap();
        assert!(f.reason.as_str().starts_with("Security model <x> & \"y\"\r\nline\u{FFFD}\n\nFor further"), "{xml}");
        assert_eq!(f.call_uuid(), Some(call));
        assert_eq!(f.received(), Some("2025-10-23T13:06:14.306Z"));
        assert_eq!(f.errors.len(), 2);
        assert_eq!(f.errors[0].text.as_str(), "a < b");
        assert_eq!(f.actor.as_ref().unwrap().as_str(), "urn:gateway");
        match version {
            SoapVersion::Soap11 => assert_eq!(f.code.local, "FrameworkVersionMismatch"),
            SoapVersion::Soap12 => {
                assert_eq!(f.code.local, "Sender");
                assert_eq!(f.subcode.as_ref().unwrap().local, "FrameworkVersionMismatch");
            }
        }
    }
    assert!(FaultBuilder::new(SoapVersion::Soap11, StandardCode::Receiver, "x").subcode("", "a").is_err());
    assert!(FaultBuilder::new(SoapVersion::Soap11, StandardCode::Receiver, "x").subcode("urn:x", "a:b").is_err());
}

#[test]
fn header_block_limit() {
    let limits = Limits { max_header_blocks: 2, ..Limits::default() };
    let xml = env11(r#"<a:x xmlns:a="urn:a"/><a:y xmlns:a="urn:a"/><a:z xmlns:a="urn:a"/>"#, "");
    let input = Input::new(xml.as_bytes(), &limits).unwrap();
    let e = Envelope::parse(&input, &limits).unwrap_err();
    assert_eq!(e.code(), "limit.header_blocks");
}
