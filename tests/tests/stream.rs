//! The streaming engine from outside: bounded memory on huge generated
//! responses, request pre-routing before the Body has arrived, and the
//! whole-vs-chunked property on arbitrary corpus slices.

use kuvert::{Envelope, Input, Limits, Pipeline, Status, StreamLimits};
use kuvert_corpus::chunked::{BodyShape, ChunkedResponse};

/// The engine's own bound: carried token + open names + namespace scope +
/// envelope prelude (a few kB here) + its accounting of the feed buffer.
const PEAK_BOUND: usize = 64 << 10;

/// 1 GB in a release build. A debug build reads 64 MB instead (the same
/// code path; at debug speed a gigabyte takes minutes): the bound asserted
/// does not depend on the size, which is the point of the test.
fn huge() -> u64 {
    if cfg!(debug_assertions) {
        64 << 20
    } else {
        1 << 30
    }
}

fn run(shape: BodyShape, total: u64) -> kuvert::StreamReport {
    let mut p = Pipeline::new(StreamLimits::default());
    let mut status = Status::Partial;
    for chunk in ChunkedResponse::new(shape, total, 64 << 10) {
        status = p.feed(&chunk).unwrap();
    }
    assert_eq!(status, Status::Complete);
    p.finish().unwrap()
}

#[test]
fn peak_buffered_bytes_stay_bounded_on_a_huge_base64_response() {
    let r = run(BodyShape::Base64, huge());
    assert!(r.bytes >= huge());
    assert!(r.peak_buffered < PEAK_BOUND, "peak {}", r.peak_buffered);
    assert_eq!(r.operation.as_ref().map(|o| o.1.as_str()), Some("HentDokumentResponse"));
}

#[test]
fn peak_buffered_bytes_stay_bounded_on_a_record_heavy_response() {
    let small = run(BodyShape::Records, 1 << 20);
    let big = run(BodyShape::Records, huge() / 4);
    assert!(big.peak_buffered < PEAK_BOUND, "peak {}", big.peak_buffered);
    assert!(big.peak_buffered <= small.peak_buffered + 1024, "{} vs {}", big.peak_buffered, small.peak_buffered);
}

const REQUEST: &str = include_str!("../../corpus/messages/invocation-context/cpr-person-lookup.request.xml");

#[test]
fn a_request_can_be_routed_before_its_body_has_arrived() {
    let payload_at = REQUEST.find("<ns4:PNR").or_else(|| REQUEST.find("PNR>")).expect("payload");
    let body_end = REQUEST.rfind("</soap:Body>").or_else(|| REQUEST.rfind("Body>")).unwrap();
    let mut p = Pipeline::new(StreamLimits::default());
    let mut ready_at = None;
    for (i, chunk) in REQUEST.as_bytes().chunks(16).enumerate() {
        p.feed(chunk).unwrap();
        if ready_at.is_none() && p.prelude_document().is_some() {
            ready_at = Some((i + 1) * 16);
        }
    }
    let ready_at = ready_at.expect("prelude");
    assert!(ready_at < body_end, "routable at {ready_at}, body ends at {body_end}");
    assert!(ready_at <= payload_at + 64, "routable at {ready_at}, payload at {payload_at}");
    let doc = p.prelude_document().unwrap();
    let limits = Limits::default();
    let input = Input::new(doc, &limits).unwrap();
    let env = Envelope::parse(&input, &limits).unwrap();
    let whole_input = Input::new(REQUEST.as_bytes(), &limits).unwrap();
    let whole = Envelope::parse(&whole_input, &limits).unwrap();
    assert!(whole.invocation_context().is_some());
    assert_eq!(env.invocation_context(), whole.invocation_context());
    assert_eq!(env.addressing(), whole.addressing());
    p.finish().unwrap();
}

#[test]
fn a_fault_is_reported() {
    let doc = include_str!("../../corpus/messages/faults/serviceplatform-fault.soap11.xml");
    let mut p = Pipeline::new(StreamLimits::default());
    for c in doc.as_bytes().chunks(5) {
        p.feed(c).unwrap();
    }
    let r = p.finish().unwrap();
    assert!(r.fault.is_some());
}

#[test]
fn refused_input_stops_the_stream_with_the_absolute_offset() {
    let mut p = Pipeline::new(StreamLimits::default());
    let doc = b"<soap:Envelope xmlns:soap='http://schemas.xmlsoap.org/soap/envelope/'><soap:Body><a></b></soap:Body></soap:Envelope>";
    let mut err = None;
    for c in doc.chunks(3) {
        if let Err(e) = p.feed(c) {
            err = Some(e);
            break;
        }
    }
    let e = err.expect("refused");
    assert_eq!((e.code(), e.offset()), ("xml.mismatched_end_tag", 84));
    assert!(p.feed(b" ").is_err());
}

struct Shared(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl kuvert::Sink for Shared {
    fn write(&mut self, bytes: &[u8]) {
        self.0.lock().unwrap().extend_from_slice(bytes);
    }
}

fn encode(bytes: &[u8]) -> Vec<u8> {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = Vec::new();
    for c in bytes.chunks(3) {
        let n = c.iter().enumerate().fold(0u32, |acc, (i, &b)| acc | (u32::from(b) << (16 - 8 * i)));
        for i in 0..4 {
            out.push(if i <= c.len() { A[((n >> (18 - 6 * i)) & 63) as usize] } else { b'=' });
        }
    }
    out
}

#[test]
fn a_base64_element_is_decoded_into_the_sink_as_it_passes() {
    let doc: Vec<u8> = ChunkedResponse::new(BodyShape::Base64, 1 << 20, 4096).flatten().collect();
    let text = std::str::from_utf8(&doc).unwrap();
    let (a, b) = (text.find("<ns2:Indhold>").unwrap() + 13, text.find("</ns2:Indhold>").unwrap());
    let compact: Vec<u8> = text[a..b].bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    let out = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let ns = "http://serviceplatformen.dk/xml/wsdl/soap11/Dokument/1/";
    let mut p = Pipeline::new(StreamLimits::default()).decode_base64(ns, "Indhold", Box::new(Shared(out.clone())));
    for c in doc.chunks(1000) {
        p.feed(c).unwrap();
    }
    let r = p.finish().unwrap();
    let decoded = out.lock().unwrap().clone();
    assert_eq!(r.decoded_bytes, decoded.len() as u64);
    assert_eq!(encode(&decoded), compact);
    assert!(r.peak_buffered < PEAK_BOUND + (64 << 10), "{}", r.peak_buffered);
    let bad = text.replacen("<ns2:Indhold>", "<ns2:Indhold>*", 1);
    let mut p = Pipeline::new(StreamLimits::default()).decode_base64(ns, "Indhold", Box::new(Shared(out.clone())));
    let e = bad.as_bytes().chunks(1000).try_for_each(|c| p.feed(c).map(|_| ())).and_then(|_| p.finish().map(|_| ()));
    assert_eq!(e.unwrap_err().code(), "stream.base64");
}

#[test]
fn an_operation_holding_only_text_is_not_held() {
    let head = "<soap:Envelope xmlns:soap='http://schemas.xmlsoap.org/soap/envelope/'><soap:Body><x:D xmlns:x='urn:x'>";
    let mut p = Pipeline::new(StreamLimits { max_prelude_bytes: 4096, ..StreamLimits::default() });
    p.feed(head.as_bytes()).unwrap();
    for _ in 0..1000 {
        p.feed(&[b'Q'; 1000]).unwrap();
    }
    p.feed(b"</x:D></soap:Body></soap:Envelope>").unwrap();
    let r = p.finish().unwrap();
    assert_eq!(r.operation.as_ref().map(|o| o.1.as_str()), Some("D"));
    assert!(r.peak_buffered < PEAK_BOUND, "{}", r.peak_buffered);
}

/// A prefixed element or attribute name whose local part starts with a
/// non-ASCII letter (`ns3:Ønske`) is a valid QName: both readers accept it,
/// whole and cut at every byte (the lexer's ASCII name path once ended such
/// a name at its colon and refused the document).
#[test]
fn prefixed_names_with_a_danish_first_letter_are_read() {
    let doc = "<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\"><soap:Body>\
        <ns3:Ønske xmlns:ns3=\"urn:x\" ns3:ære=\"1\"><ns3:øl>x</ns3:øl></ns3:Ønske></soap:Body></soap:Envelope>";
    let limits = Limits::default();
    let input = Input::new(doc.as_bytes(), &limits).unwrap();
    Envelope::parse(&input, &limits).unwrap();
    for cut in 1..doc.len() {
        let mut p = Pipeline::new(StreamLimits::default());
        p.feed(&doc.as_bytes()[..cut]).unwrap();
        assert_eq!(p.feed(&doc.as_bytes()[cut..]).unwrap(), Status::Complete, "cut at {cut}");
        p.finish().unwrap();
    }
}
