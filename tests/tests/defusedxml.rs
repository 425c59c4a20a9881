//! Parser-attack inputs: the defusedxml test data (as shipped with signxml)
//! and the SAML libraries' XXE vectors. Every DTD-bearing input is refused
//! with `xml.doctype_forbidden` at the `<!DOCTYPE`, before any entity could
//! be expanded, and with bounded memory: a counting global allocator
//! measures the peak heap growth of this thread during each parse.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::path::Path;

use kuvert::{Envelope, EnvelopeError, Input, Limits};
use kuvert_tests::{files_under, read, relative, shared_subdir};

/// Counts the bytes allocated by each thread (current and peak), so that
/// tests running in parallel do not disturb each other's measurements.
struct Counting;

thread_local! {
    static CURRENT: Cell<isize> = const { Cell::new(0) };
    static PEAK: Cell<isize> = const { Cell::new(0) };
}

fn add(delta: isize) {
    // `try_with`: the thread-locals may already be gone while a thread exits.
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

/// Parses `bytes` and returns the outcome (code and offset, or the operation's
/// local name) with the peak heap growth of this thread during the parse.
fn measured_parse(bytes: &[u8]) -> (Result<String, (&'static str, usize)>, usize) {
    let limits = Limits::default();
    let start = CURRENT.with(Cell::get);
    PEAK.with(|p| p.set(start));
    let outcome = {
        let parsed: Result<String, EnvelopeError> =
            Input::new(bytes, &limits).map_err(EnvelopeError::from).and_then(|input| {
                Envelope::parse(&input, &limits).map(|e| format!("{:?}", e.operation().map(|o| o.name.local)))
            });
        parsed.map_err(|e| (e.code(), e.offset()))
    };
    let peak = PEAK.with(Cell::get) - start;
    (outcome, peak.max(0) as usize)
}

/// The bound on heap growth while reading an attack input.
fn memory_bound(input_len: usize) -> usize {
    input_len + (64 << 10)
}

#[test]
fn allocator_counts_this_thread() {
    let (_, peak) = measured_parse(b"<a/>");
    assert!(peak < 4096);
    let before = CURRENT.with(Cell::get);
    let v = vec![0u8; 1 << 20];
    assert!(CURRENT.with(Cell::get) - before >= 1 << 20);
    drop(v);
    assert!(CURRENT.with(Cell::get) - before < 1024);
}

#[test]
fn defusedxml_vectors_are_refused_early_with_bounded_memory() {
    let Some(dir) = shared_subdir("vectors/signxml/test/defusedxml-test-data") else { return };
    let files = files_under(&dir, &[".xml"]);
    let names: Vec<String> = files.iter().map(|p| relative(p, &dir)).collect();
    let expected_names = [
        "cyclic.xml",
        "dtd.xml",
        "external.xml",
        "external_file.xml",
        "quadratic.xml",
        "simple-ns.xml",
        "simple.xml",
        "xmlbomb.xml",
        "xmlbomb2.xml",
    ];
    assert_eq!(names, expected_names, "the defusedxml set changed: review the expectations");
    for path in &files {
        let name = relative(path, &dir);
        let bytes = read(path);
        let (outcome, peak) = measured_parse(&bytes);
        match name.as_str() {
            // Plain, well-formed documents without a DTD: read, and refused
            // only because they are not SOAP envelopes.
            "simple.xml" | "simple-ns.xml" => {
                let root = find(&bytes, b"<root");
                assert_eq!(outcome, Err(("soap.not_an_envelope", root)), "{name}");
            }
            _ => {
                let doctype = find(&bytes, b"<!DOCTYPE");
                let first_entity = bytes.windows(2).position(|w| w[0] == b'&' && w[1] != b'#');
                assert_eq!(outcome, Err(("xml.doctype_forbidden", doctype)), "{name}");
                if let Some(entity) = first_entity {
                    assert!(doctype < entity, "{name}: refused after an entity reference");
                }
            }
        }
        assert!(peak <= memory_bound(bytes.len()), "{name}: heap grew by {peak} bytes reading {} bytes", bytes.len());
    }
}

/// quadratic.xml expands to gigabytes in a naive parser; here it costs a few kilobytes at most.
#[test]
fn quadratic_blowup_costs_almost_nothing() {
    let Some(dir) = shared_subdir("vectors/signxml/test/defusedxml-test-data") else { return };
    let bytes = read(&Path::new(&dir).join("quadratic.xml"));
    assert!(bytes.len() > 100_000);
    let (outcome, peak) = measured_parse(&bytes);
    assert_eq!(outcome, Err(("xml.doctype_forbidden", 0)));
    assert!(peak < 16 << 10, "heap grew by {peak} bytes");
}

/// The SAML libraries' XXE-style vectors: every file under ruby-saml/ and
/// samael/ with a DOCTYPE is refused at it.
#[test]
fn saml_xxe_vectors_are_refused_at_the_doctype() {
    let Some(vectors) = shared_subdir("vectors") else { return };
    let mut found = Vec::new();
    for lib in ["ruby-saml", "samael"] {
        let dir = vectors.join(lib);
        assert!(dir.is_dir(), "{} is missing", dir.display());
        for path in files_under(&dir, &[".xml"]) {
            let bytes = read(&path);
            let Some(doctype) = bytes.windows(9).position(|w| w == b"<!DOCTYPE") else { continue };
            let name = relative(&path, &vectors);
            let (outcome, peak) = measured_parse(&bytes);
            assert_eq!(outcome, Err(("xml.doctype_forbidden", doctype)), "{name}");
            assert!(peak <= memory_bound(bytes.len()), "{name}: heap grew by {peak} bytes");
            found.push(name);
        }
    }
    assert!(found.iter().any(|n| n.ends_with("attackxee.xml")), "expected ruby-saml's attackxee.xml, found {found:?}");
}

/// The project's own hostile inputs, measured the same way.
#[test]
fn corpus_hostile_inputs_use_bounded_memory() {
    for case in kuvert_tests::negative_cases().iter().filter(|c| c.file.starts_with("hostile-")) {
        let bytes = read(&case.path());
        let (outcome, peak) = measured_parse(&bytes);
        assert_eq!(outcome, Err((leak(&case.code), case.offset)), "{}", case.file);
        assert!(peak <= memory_bound(bytes.len()), "{}: heap grew by {peak} bytes", case.file);
    }
}

/// A code as `&'static str` for comparisons with [`EnvelopeError::code`].
fn leak(code: &str) -> &'static str {
    Box::leak(code.to_owned().into_boxed_str())
}

fn find(hay: &[u8], needle: &[u8]) -> usize {
    hay.windows(needle.len()).position(|w| w == needle).unwrap_or_else(|| panic!("{needle:?} not found"))
}
