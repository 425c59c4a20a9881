//! Resource-exhaustion attacks: each hostile input is refused with its typed
//! error, at an offset showing that reading stopped early (right after the
//! limit was passed, not at the end of the input), and with heap growth
//! linear in what was read before refusing — measured by a counting global
//! allocator, per thread. Inputs are large (up to 100 MB); reading them is
//! not: the refusal comes within the first few kilobytes or the limit.
//!
//! UTF-8 validation of the whole input (borrowed, not copied) happens before
//! parsing and is bounded by `Limits::max_document_bytes`.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use kuvert::{Envelope, EnvelopeError, Input, Limits, Verifier, VerifyError, VerifyPolicy};
use kuvert_tests::print_table;

mod common;

struct Counting;

thread_local! {
    static CURRENT: Cell<isize> = const { Cell::new(0) };
    static PEAK: Cell<isize> = const { Cell::new(0) };
}

fn add(delta: isize) {
    let _ = CURRENT.try_with(|c| {
        let now = c.get() + delta;
        c.set(now);
        let _ = PEAK.try_with(|p| p.set(p.get().max(now)));
    });
}

// SAFETY: every call is forwarded to the system allocator unchanged; the
// bookkeeping only touches const-initialised thread-locals without destructors.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = System.alloc(layout);
        if !p.is_null() {
            add(layout.size() as isize);
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout);
        add(-(layout.size() as isize));
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let p = System.alloc_zeroed(layout);
        if !p.is_null() {
            add(layout.size() as isize);
        }
        p
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = System.realloc(ptr, layout, new_size);
        if !p.is_null() {
            add(new_size as isize - layout.size() as isize);
        }
        p
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Runs `f` and returns its result with the peak heap growth of this thread meanwhile.
fn measured<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let start = CURRENT.with(Cell::get);
    PEAK.with(|p| p.set(start));
    let out = f();
    let peak = PEAK.with(Cell::get) - start;
    (out, peak.max(0) as usize)
}

/// Limits that let a 100 MB input in, so that the limit under test is the one that refuses it.
fn roomy() -> Limits {
    Limits { max_document_bytes: 256 << 20, ..Limits::default() }
}

fn parse(bytes: &[u8], limits: &Limits) -> Result<(), (&'static str, usize)> {
    let input = Input::new(bytes, limits).map_err(|e| (EnvelopeError::from(e).code(), e.offset()))?;
    Envelope::parse(&input, limits).map(|_| ()).map_err(|e| (e.code(), e.offset()))
}

fn verify(bytes: &[u8], limits: &Limits) -> Result<(), (&'static str, usize)> {
    let input = Input::new(bytes, limits).map_err(|e| (VerifyError::from(e).code(), e.offset()))?;
    let v = verifier(limits);
    v.verify_message(&input, common::now()).map(|_| ()).map_err(|e| (e.code(), e.offset()))
}

fn verifier(limits: &Limits) -> Verifier {
    common::verifier_with(VerifyPolicy { limits: *limits, ..VerifyPolicy::default() })
}

/// One hostile input and what must happen to it.
struct Case {
    name: &'static str,
    input: Vec<u8>,
    limits: Limits,
    verify: bool,
    code: &'static str,
    /// The refusal must come at or before this offset (right after the limit).
    by: usize,
}

const SOAP: &str = r#"<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>"#;
const SOAP_END: &str = "</s:Body></s:Envelope>";

/// `SOAP`, then `open`, then `repeat` `n` times, then `close` and the end.
fn message(open: &str, repeat: &str, n: usize, close: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(SOAP.len() + open.len() + repeat.len() * n + close.len() + SOAP_END.len());
    out.extend_from_slice(SOAP.as_bytes());
    out.extend_from_slice(open.as_bytes());
    for _ in 0..n {
        out.extend_from_slice(repeat.as_bytes());
    }
    out.extend_from_slice(close.as_bytes());
    out.extend_from_slice(SOAP_END.as_bytes());
    out
}

fn big(prefix: &str, byte: u8, n: usize, suffix: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(SOAP.len() + prefix.len() + n + suffix.len() + SOAP_END.len());
    out.extend_from_slice(SOAP.as_bytes());
    out.extend_from_slice(prefix.as_bytes());
    out.resize(out.len() + n, byte);
    out.extend_from_slice(suffix.as_bytes());
    out.extend_from_slice(SOAP_END.as_bytes());
    out
}

const MB100: usize = 100 << 20;

/// `<a a0="" a1="" … >` with `n` distinct attributes (names up to 7 bytes).
fn attributes(n: usize) -> Vec<u8> {
    let mut attrs = String::with_capacity(n * 12);
    for i in 0..n {
        attrs.push_str(&format!(" a{i}=\"\""));
    }
    message(&format!("<a{attrs}"), "", 0, "/>")
}

/// One element declaring `n` distinct prefixes.
fn declarations(n: usize) -> Vec<u8> {
    let mut decls = String::with_capacity(n * 24);
    for i in 0..n {
        decls.push_str(&format!(" xmlns:p{i}=\"urn:p{i}\""));
    }
    message(&format!("<a{decls}"), "", 0, "/>")
}

/// Nested elements each declaring 8 new prefixes: `n` declarations in scope at the innermost.
fn declarations_in_scope(n: usize) -> Vec<u8> {
    let levels = n / 8;
    let mut open = String::new();
    for l in 0..levels {
        open.push_str("<a");
        for i in 0..8 {
            open.push_str(&format!(" xmlns:p{l}x{i}=\"urn:p\""));
        }
        open.push('>');
    }
    message(&open, "", 0, &"</a>".repeat(levels))
}

/// The baseline signed message with `what` inserted before `</ds:SignedInfo>` (or `at`).
fn signed_with(at: &str, what: &str, n: usize) -> Vec<u8> {
    let s = common::kuvert_sign(common::REQUEST, "oces2-leaf");
    let cut = s.find(at).unwrap_or_else(|| panic!("{at} in the signed message"));
    let mut out = Vec::with_capacity(s.len() + what.len() * n);
    out.extend_from_slice(&s.as_bytes()[..cut]);
    for _ in 0..n {
        out.extend_from_slice(what.as_bytes());
    }
    out.extend_from_slice(&s.as_bytes()[cut..]);
    out
}

const REFERENCE: &str = r##"<ds:Reference URI="#body"><ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/><ds:DigestValue>AAAA</ds:DigestValue></ds:Reference>"##;
const TRANSFORM: &str = r#"<ds:Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/>"#;

/// The baseline signed message with its `ds:Signature` repeated `n` times.
fn signature_copies(n: usize) -> Vec<u8> {
    let s = common::kuvert_sign(common::REQUEST, "oces2-leaf");
    let start = common::signature_starts(&s)[0];
    let end = start + s[start..].find("</ds:Signature>").expect("a signature") + "</ds:Signature>".len();
    let signature = &s[start..end];
    signed_with("</wsse:Security>", signature, n)
}

fn cases() -> Vec<Case> {
    let d = Limits::default();
    let soap = SOAP.len();
    let near = |n: usize| soap + n;
    vec![
        Case {
            name: "deep nesting: 10^6 open elements",
            input: message("", "<a>", 1_000_000, ""),
            limits: d,
            verify: false,
            code: "limit.depth",
            by: near(129 * 3),
        },
        Case {
            name: "deep nesting: 10^6 empty-element nests of prefixed names",
            input: message("", "<x:a xmlns:x='urn:x'>", 1_000_000, ""),
            limits: roomy(),
            verify: false,
            code: "limit.depth",
            by: near(129 * 21),
        },
        Case {
            name: "10^6 attributes on one element",
            input: attributes(1_000_000),
            limits: d,
            verify: false,
            code: "limit.attributes",
            by: near(66 * 12),
        },
        Case {
            name: "100 MB attribute value (document limit raised to 256 MiB)",
            input: big("<a v=\"", b'x', MB100, "\"/>"),
            limits: roomy(),
            verify: false,
            code: "limit.attribute_value_length",
            by: near(6 + (64 << 10) + 1),
        },
        Case {
            name: "100 MB attribute value (default limits)",
            input: big("<a v=\"", b'x', MB100, "\"/>"),
            limits: d,
            verify: false,
            code: "limit.document_size",
            by: 16 << 20,
        },
        // Declarations count as attributes too: the 65th attribute comes before the tag ends.
        Case {
            name: "10^5 namespace declarations on one element",
            input: declarations(100_000),
            limits: d,
            verify: false,
            code: "limit.attributes",
            by: near(66 * 24),
        },
        Case {
            name: "33 namespace declarations on one element",
            input: declarations(33),
            limits: d,
            verify: false,
            code: "limit.namespace_declarations",
            by: near(34 * 24),
        },
        Case {
            name: "10^5 namespace declarations in scope (8 per level)",
            input: declarations_in_scope(100_000),
            limits: d,
            verify: false,
            code: "limit.namespaces_in_scope",
            by: near(34 * 160),
        },
        Case {
            name: "100 MB of text (document limit raised)",
            input: big("<a>", b'x', MB100, "</a>"),
            limits: roomy(),
            verify: false,
            code: "limit.text_length",
            by: near(3 + (8 << 20) + 1),
        },
        Case {
            name: "100 MB comment (document limit raised)",
            input: big("<!--", b'x', MB100, "-->"),
            limits: roomy(),
            verify: false,
            code: "limit.text_length",
            by: near(4 + (8 << 20) + 1),
        },
        Case {
            name: "100 MB CDATA section (document limit raised)",
            input: big("<a><![CDATA[", b'x', MB100, "]]></a>"),
            limits: roomy(),
            verify: false,
            code: "limit.text_length",
            by: near(12 + (8 << 20) + 1),
        },
        Case {
            name: "100 MB processing instruction (document limit raised)",
            input: big("<?pi ", b'x', MB100, "?>"),
            limits: roomy(),
            verify: false,
            code: "limit.text_length",
            by: near(5 + (8 << 20) + 1),
        },
        Case {
            name: "10^6-byte element name",
            input: big("<a", b'a', 1_000_000, "/>"),
            limits: d,
            verify: false,
            code: "limit.name_length",
            by: near(258),
        },
        Case {
            name: "10^6 character references in text (6 MB, within limits: read)",
            input: message("<a>", "&#x41;", 1_000_000, "</a>"),
            limits: d,
            verify: false,
            code: "ok",
            by: usize::MAX,
        },
        Case {
            name: "huge base64: 100 MB BinarySecurityToken (document limit raised)",
            input: signed_with("</wsse:BinarySecurityToken>", &"QUFB".repeat(1 << 10), 25_600),
            limits: roomy(),
            verify: true,
            code: "limit.text_length",
            by: 10 << 20,
        },
        Case {
            name: "huge base64: 12 MB SignatureValue",
            input: signed_with("</ds:SignatureValue>", &"QUFB".repeat(1 << 10), 3_000),
            limits: d,
            verify: true,
            code: "limit.text_length",
            by: (8 << 20) + (8 << 10),
        },
        Case {
            name: "10^4 references",
            input: signed_with("</ds:SignedInfo>", REFERENCE, 10_000),
            limits: d,
            verify: true,
            code: "limit.references",
            by: 32 << 10,
        },
        // A chain of c14n transforms is refused as unsupported at the second one, before any count.
        Case {
            name: "10^4 transforms in one reference",
            input: signed_with("</ds:Transforms>", TRANSFORM, 10_000),
            limits: d,
            verify: true,
            code: "signature.unsupported",
            by: 32 << 10,
        },
        Case {
            name: "10^3 signatures",
            input: signature_copies(1_000),
            limits: d,
            verify: true,
            code: "limit.signatures",
            by: 32 << 10,
        },
    ]
}

#[test]
fn hostile_sizes_are_refused_early_in_bounded_memory() {
    let mut rows = Vec::new();
    let mut wrong = Vec::new();
    for case in cases() {
        let len = case.input.len();
        let (got, peak) =
            measured(|| if case.verify { verify(&case.input, &case.limits) } else { parse(&case.input, &case.limits) });
        let (code, at) = match got {
            Ok(()) => ("ok", 0),
            Err((code, at)) => (code, at),
        };
        // Heap: linear in what was read (a few times the offset) plus a small constant;
        // a verifier's own set-up (certificates) is in the constant.
        let bound = 4 * at.min(len) + (1 << 20);
        let good = code == case.code && at <= case.by && peak <= bound;
        if !good {
            wrong.push(format!(
                "{}: {code} at {at} (want {} by {}), heap {peak} (bound {bound})",
                case.name, case.code, case.by
            ));
        }
        rows.push(vec![
            case.name.to_owned(),
            format!("{len}"),
            format!("{code} at {at}"),
            format!("{peak}"),
            if good { "ok" } else { "WRONG" }.to_owned(),
        ]);
    }
    print_table("Resource exhaustion", &["attack", "input bytes", "refused with", "peak heap bytes", "verdict"], &rows);
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// Signing adds a Security header, digests and a signature value: a message
/// that would be signed into more than `max_document_bytes` is refused when
/// signed, not produced for a verifier with the same limits to refuse.
#[test]
fn a_message_signed_past_the_document_limit_is_refused() {
    let signed_len = common::kuvert_sign(common::REQUEST, "oces2-leaf").len();
    for (limit, ok) in [(signed_len, true), (signed_len - 1, false)] {
        let limits = Limits { max_document_bytes: limit, ..Limits::default() };
        let options = kuvert::SignOptions { limits, ..Default::default() };
        let input = Input::new(common::REQUEST.as_bytes(), &limits).unwrap();
        let signed = kuvert::sign_message(&input, &common::signing_key("oces2-leaf"), common::now(), &options);
        match signed {
            Ok(doc) => assert!(ok && doc.len() == signed_len, "limit {limit}: signed into {} bytes", doc.len()),
            Err(e) => assert!(!ok && e.code() == "limit.document_size", "limit {limit}: {e} ({})", e.code()),
        }
    }
}
