//! Recognizing a Security header by its shape answers as reading it does.

use std::sync::Arc;

use crate::dsig::shape::SignedInfoShapes;
use crate::soap::parser::parse_for_verification;
use crate::wss::tests::{sign_at, REQUEST};
use crate::xml::reader::{Event, Reader};
use crate::xml::NsId;
use crate::{Input, Limits, UtcTime};

/// The corpus request signed at `at` (a time of day on a fixed day: other IDs, times and values).
fn signed(at: &str) -> String {
    sign_at(REQUEST, UtcTime::parse(&format!("2030-01-01T{at}Z")).unwrap())
}

/// Everything a verification pass over `doc` gives (or its error), with
/// `shapes` or (`None`) without.
fn pass(doc: &str, shapes: Option<&Arc<SignedInfoShapes>>) -> String {
    pass_with(doc, shapes, &Limits::default())
}

fn pass_with(doc: &str, shapes: Option<&Arc<SignedInfoShapes>>, limits: &Limits) -> String {
    let limits = *limits;
    let input = match Input::new(doc.as_bytes(), &limits) {
        Ok(input) => input,
        Err(e) => return format!("{e:?}"),
    };
    match parse_for_verification(&input, &limits, &Default::default(), None, shapes) {
        Ok(p) => {
            let digests: Vec<_> =
                p.inline_digests.iter().map(|d| (d.reference, d.span, d.digest.as_ref().to_vec())).collect();
            format!("{:?}\n{:?}\n{:?}\n{digests:?}", p.security, p.index, p.envelope)
        }
        Err(e) => format!("{e:?}"),
    }
}

/// A pass with `shapes` gives what a plain pass gives.
fn same_as_plain(doc: &str, shapes: &Arc<SignedInfoShapes>) {
    assert_eq!(pass(doc, Some(shapes)), pass(doc, None), "{doc}");
}

/// Whether the document's Security header is recognized by `shapes`.
fn recognized(doc: &str, shapes: &SignedInfoShapes) -> bool {
    let limits = Limits::default();
    let input = Input::new(doc.as_bytes(), &limits).unwrap();
    let mut r = Reader::new(input.as_str(), input.content_start(), &limits);
    r.enable_index();
    loop {
        match r.next() {
            Ok(Event::Start(t)) if t.ns == NsId::WSSE && t.name.local(input.as_str()) == "Security" => {
                let mut header = Default::default();
                return shapes.headers().recognize(&mut r, &t, &Default::default(), &mut header).is_some();
            }
            Ok(Event::Eof) | Err(_) => return false,
            _ => {}
        }
    }
}

#[test]
fn a_known_shape_reads_as_the_plain_parse() {
    let shapes = Arc::new(SignedInfoShapes::default());
    let first = signed("12:00:00");
    same_as_plain(&first, &shapes);
    assert_eq!(shapes.headers().len(), 1, "learned");
    for at in ["12:00:01", "23:59:59.999"] {
        let next = signed(at);
        assert_ne!(next[..next.find("<soapenv:Body").unwrap()], first[..first.find("<soapenv:Body").unwrap()]);
        assert!(recognized(&next, &shapes), "{next}");
        same_as_plain(&next, &shapes);
    }
    assert_eq!(shapes.headers().len(), 1);
}

#[test]
fn values_reading_refuses_are_read_with_the_usual_error() {
    let shapes = Arc::new(SignedInfoShapes::default());
    let doc = signed("12:00:00");
    same_as_plain(&doc, &shapes);
    let created = doc.find("<wsu:Created>").unwrap() + "<wsu:Created>".len();
    let value = doc.find("<ds:SignatureValue>").unwrap() + "<ds:SignatureValue>".len();
    let token = doc.find("<wsse:BinarySecurityToken").unwrap();
    let token_text = token + doc[token..].find('>').unwrap() + 1;
    let edits: [(usize, &str); 7] = [
        (created + 5, "13"),     // month 13: fits, does not parse
        (created + 11, "23"),    // after Expires
        (created + 4, " "),      // not a time character
        (value + 4, "="),        // fits, does not decode
        (value + 4, "&#65;"),    // a reference
        (token_text + 10, "\n"), // a wrapped certificate: fits
        (value + 4, "\r\n"),     // normalized: not taken
    ];
    for (at, text) in edits {
        let mut changed = doc.clone();
        changed.insert_str(at, text);
        same_as_plain(&changed, &shapes);
    }
}

#[test]
fn every_byte_changed_reads_as_the_plain_parse() {
    let shapes = Arc::new(SignedInfoShapes::default());
    let doc = signed("12:00:00");
    same_as_plain(&doc, &shapes);
    let header = doc.find("<wsse:Security").unwrap()..doc.find("</wsse:Security>").unwrap() + 16;
    let replacements = ["A", "-", "0", " ", "<", "\"", "&", "Z", ":", "=", "x"];
    for at in header.step_by(3) {
        if !doc.is_char_boundary(at) || !doc.is_char_boundary(at + 1) {
            continue;
        }
        for with in replacements {
            let mut changed = doc.clone();
            changed.replace_range(at..at + 1, with);
            same_as_plain(&changed, &shapes);
        }
    }
}

#[test]
fn no_shape_for_what_is_not_modelled() {
    let shapes = Arc::new(SignedInfoShapes::default());
    let doc = signed("12:00:00");
    let end = doc.find("</wsse:Security>").unwrap();
    let mut with_reference = doc.clone();
    with_reference.insert_str(
        end,
        "<wsse:SecurityTokenReference wsu:Id=\"str-1\"><wsse:Reference URI=\"#x\"/></wsse:SecurityTokenReference>",
    );
    same_as_plain(&with_reference, &shapes);
    let mut too_large = doc.clone();
    too_large.insert_str(end, &format!("<wsse:Other>{}</wsse:Other>", "A".repeat(64 << 10)));
    same_as_plain(&too_large, &shapes);
    let mut with_xml_lang = doc.clone();
    with_xml_lang.insert_str(doc.find("<ds:Signature ").unwrap() + 13, "xml:lang=\"da\" ");
    same_as_plain(&with_xml_lang, &shapes);
    assert_eq!(shapes.headers().len(), 0);
}

#[test]
fn shapes_are_bounded() {
    let shapes = Arc::new(SignedInfoShapes::default());
    let doc = signed("12:00:00");
    let end = doc.find("</wsse:Security>").unwrap();
    for i in 0..3 * super::CAPACITY {
        let mut other = doc.clone();
        other.insert_str(end, &format!("<wsse:Other{i}/>"));
        same_as_plain(&other, &shapes);
    }
    assert_eq!(shapes.headers().len(), super::CAPACITY);
}

#[test]
fn a_shape_learned_under_other_limits_is_not_used() {
    let shapes = Arc::new(SignedInfoShapes::default());
    let doc = signed("12:00:00");
    same_as_plain(&doc, &shapes);
    assert!(recognized(&signed("12:00:01"), &shapes));
    // The Security header nests deeper than the Body: only it is too deep.
    let shallow = Limits { max_depth: 6, ..Limits::default() };
    let plain = pass_with(&doc, None, &shallow);
    assert!(plain.contains("TooDeep"), "{plain}");
    assert_eq!(pass_with(&doc, Some(&shapes), &shallow), plain);
}

/// `doc` with IDs on its `KeyInfo` and token reference, as some senders write them.
fn with_inner_ids(doc: &str, n: u32) -> String {
    let doc = doc.replacen("<ds:KeyInfo>", &format!("<ds:KeyInfo Id=\"KI-{n}\">"), 1);
    doc.replacen("<wsse:SecurityTokenReference>", &format!("<wsse:SecurityTokenReference wsu:Id=\"STR-{n}\">"), 1)
}

#[test]
fn ids_inside_the_signature_are_indexed_in_its_context() {
    let shapes = Arc::new(SignedInfoShapes::default());
    let first = with_inner_ids(&signed("12:00:00"), 1);
    assert!(first.contains("Id=\"KI-1\"") && first.contains("wsu:Id=\"STR-1\""));
    same_as_plain(&first, &shapes);
    assert_eq!(shapes.headers().len(), 1, "learned");
    let next = with_inner_ids(&signed("12:00:01"), 22);
    assert!(recognized(&next, &shapes));
    same_as_plain(&next, &shapes);
}
