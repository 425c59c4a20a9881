//! Canonicalization unit tests; the W3C and interop vectors run in `tests/`.

use super::*;
use crate::Input;

fn c14n(xml: &str, method: C14nMethod, prefixes: &[&str]) -> String {
    let limits = Limits::default();
    let input = Input::new(xml.as_bytes(), &limits).unwrap();
    String::from_utf8(canonicalize_document(&input, method, prefixes, &limits, Vec::new()).unwrap()).unwrap()
}

#[test]
fn w3c_3_1_pis_comments_outside_root() {
    let input = "<?xml version=\"1.0\"?>\r\n\r\n<?xml-stylesheet   href=\"doc.xsl\"\r\n   type=\"text/xsl\"   ?>\r\n\r\n<doc>Hello, world!<!-- Comment 1 --></doc>\r\n\r\n<?pi-without-data     ?>\r\n\r\n<!-- Comment 2 -->\r\n\r\n<!-- Comment 3 -->\r\n";
    assert_eq!(
        c14n(input, C14nMethod::Inclusive, &[]),
        "<?xml-stylesheet href=\"doc.xsl\"\n   type=\"text/xsl\"   ?>\n<doc>Hello, world!</doc>\n<?pi-without-data?>"
    );
    assert_eq!(
        c14n(input, C14nMethod::InclusiveWithComments, &[]),
        "<?xml-stylesheet href=\"doc.xsl\"\n   type=\"text/xsl\"   ?>\n<doc>Hello, world!<!-- Comment 1 --></doc>\n<?pi-without-data?>\n<!-- Comment 2 -->\n<!-- Comment 3 -->"
    );
}

#[test]
fn namespaces_inclusive_and_exclusive() {
    let doc = r#"<a:r xmlns:a="urn:a" xmlns:b="urn:b" xmlns="urn:d"><b:x xmlns:c="urn:c" c:att="1"><y xmlns=""/></b:x></a:r>"#;
    assert_eq!(
        c14n(doc, C14nMethod::Inclusive, &[]),
        r#"<a:r xmlns="urn:d" xmlns:a="urn:a" xmlns:b="urn:b"><b:x xmlns:c="urn:c" c:att="1"><y xmlns=""></y></b:x></a:r>"#
    );
    assert_eq!(
        c14n(doc, C14nMethod::Exclusive, &[]),
        r#"<a:r xmlns:a="urn:a"><b:x xmlns:b="urn:b" xmlns:c="urn:c" c:att="1"><y></y></b:x></a:r>"#
    );
    assert_eq!(
        c14n(doc, C14nMethod::Exclusive, &["#default", "b"]),
        r#"<a:r xmlns="urn:d" xmlns:a="urn:a" xmlns:b="urn:b"><b:x xmlns:c="urn:c" c:att="1"><y xmlns=""></y></b:x></a:r>"#
    );
}

#[test]
fn attributes_sorted_by_namespace_then_local() {
    let doc = r#"<e5 a:attr="out" b:attr="sorted" attr2="all" attr="I'm" xmlns:b="http://www.ietf.org" xmlns:a="http://www.w3.org" xmlns="http://example.org"/>"#;
    assert_eq!(
        c14n(doc, C14nMethod::Inclusive, &[]),
        r#"<e5 xmlns="http://example.org" xmlns:a="http://www.w3.org" xmlns:b="http://www.ietf.org" attr="I'm" attr2="all" b:attr="sorted" a:attr="out"></e5>"#
    );
}

#[test]
fn superfluous_declarations_dropped() {
    let doc = r#"<a xmlns:p="urn:p"><p:b xmlns:p="urn:p"><c xmlns:p="urn:other"/></p:b></a>"#;
    assert_eq!(
        c14n(doc, C14nMethod::Inclusive, &[]),
        r#"<a xmlns:p="urn:p"><p:b><c xmlns:p="urn:other"></c></p:b></a>"#
    );
}

#[test]
fn text_and_cdata() {
    let doc = "<doc>\r\n   <text>First line&#x0d;&#10;Second line</text>\r\n   <value>&#x32;</value>\r\n   <compute><![CDATA[value>\"0\" && value<\"10\" ?\"valid\":\"error\"]]></compute>\r\n</doc>";
    assert_eq!(
        c14n(doc, C14nMethod::Inclusive, &[]),
        "<doc>\n   <text>First line&#xD;\nSecond line</text>\n   <value>2</value>\n   <compute>value&gt;\"0\" &amp;&amp; value&lt;\"10\" ?\"valid\":\"error\"</compute>\n</doc>"
    );
}

#[test]
fn method_uris_round_trip() {
    for m in [
        C14nMethod::Inclusive,
        C14nMethod::InclusiveWithComments,
        C14nMethod::Exclusive,
        C14nMethod::ExclusiveWithComments,
    ] {
        assert_eq!(C14nMethod::from_uri(m.uri()), Some(m));
    }
    assert_eq!(C14nMethod::from_uri("http://www.w3.org/2006/12/xml-c14n11"), None);
}

/// A canonicalizer in the buffers a finished one left (as digest taps reuse
/// them) writes exactly what a new one writes.
#[test]
fn reused_buffers_give_the_same_output() {
    use crate::xml::reader::{Event, Reader};
    let limits = Limits::default();
    let run = |doc: &'static str, mut engine: engine::C14n<'static, Vec<u8>>| {
        let mut r = Reader::new(doc, 0, &limits);
        loop {
            match r.next().unwrap() {
                Event::Eof => return engine,
                ev => engine.event(&r, &ev, &[]),
            }
        }
    };
    let first = r#"<a:r xmlns:a="urn:a" xmlns:b="urn:b" b:x="1" a:y="2"><b:q xmlns:c="urn:c"><c:z/></b:q></a:r>"#;
    let second = r#"<s:E xmlns:s="urn:s" xmlns:u="urn:u"><s:B u:Id="b" xmlns=""><v a="&lt;"/></s:B></s:E>"#;
    for method in [C14nMethod::Exclusive, C14nMethod::Inclusive] {
        let fresh = run(second, engine::C14n::new(method, &[], false, 1, Vec::new())).finish();
        let (used, spare) = run(first, engine::C14n::new(method, &[], false, 1, Vec::new())).finish_keeping();
        assert!(!used.is_empty());
        let reused = run(second, engine::C14n::reusing(method, &[], false, 1, Vec::new(), spare)).finish();
        assert_eq!(String::from_utf8(reused).unwrap(), String::from_utf8(fresh).unwrap(), "{method:?}");
    }
}
