//! Envelope parsing throughput: kuvert side by side with libxml2 (the peer)
//! and quick-xml (a reference tokenizer), on the same bytes in the same run.
//!
//! ```text
//! cargo bench -p kuvert-bench --bench envelope                 # everything
//! cargo bench -p kuvert-bench --bench envelope -- records-50m  # one input
//! cargo bench -p kuvert-bench --bench envelope -- kuvert/      # one implementation
//! ```
//!
//! Benchmark ids are `envelope_parse/<implementation>/<input>`. Everything
//! runs on the calling thread; criterion is built without rayon.

use std::hint::black_box;
use std::path::PathBuf;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, SamplingMode, Throughput};
use kuvert::{Envelope, Input, Limits};
use kuvert_bench::libxml2::{Libxml2, Outcome};
use quick_xml::events::Event;
use quick_xml::name::ResolveResult;
use quick_xml::NsReader;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The ~5 KB request: the invocation-context corpus message with WS-Security.
const REQUEST_5K: &str = "corpus/messages/invocation-context/cpr-person-lookup-ws-security.request.xml";
/// The real public sample from Serviceplatformen's OIO IDWS examples.
const SP_TOKEN: &str = "reference/serviceplatformen/oioidws/SP-token-signed-request-soap11-OrganisationEnhed5-soeg.xml";

/// One document to parse, and the limits kuvert needs for it.
struct Case {
    name: &'static str,
    bytes: Vec<u8>,
    limits: Limits,
    large: bool,
}

impl Case {
    /// A message of normal size: default limits.
    fn small(name: &'static str, bytes: Vec<u8>) -> Case {
        Case { name, bytes, limits: Limits::default(), large: false }
    }

    /// A 50 MB response: the document limit raised to fit it, and the text
    /// limit too when `long_text` (one base64 text node of ~50 MB).
    fn large(name: &'static str, bytes: Vec<u8>, long_text: bool) -> Case {
        let defaults = Limits::default();
        let max_document_bytes = bytes.len().max(defaults.max_document_bytes);
        let max_text_bytes = if long_text { bytes.len() } else { defaults.max_text_bytes };
        Case { name, bytes, limits: Limits { max_document_bytes, max_text_bytes, ..defaults }, large: true }
    }
}

fn read_file(name: &'static str, path: PathBuf) -> Option<Case> {
    match std::fs::read(&path) {
        Ok(bytes) => Some(Case::small(name, bytes)),
        Err(e) => {
            eprintln!("note: skipping input {name}: cannot read {} ({e})", path.display());
            None
        }
    }
}

/// The full operation a gateway does with a message: decode and check the
/// bytes, then read the envelope (namespaces resolved, call context extracted).
fn kuvert_parse(bytes: &[u8], limits: &Limits) -> usize {
    let input = Input::new(bytes, limits).expect("kuvert: input refused");
    let envelope = Envelope::parse(&input, limits).expect("kuvert: envelope refused");
    envelope.operation().map_or(0, |op| op.span.end())
}

/// quick-xml's namespace-aware reader over every event, resolving the
/// namespace of every element and attribute name. Reference only: it checks
/// less than kuvert or libxml2 (no character or entity validation).
fn quick_xml_parse(bytes: &[u8]) -> u64 {
    let mut reader = NsReader::from_reader(bytes);
    let mut resolved = 0u64;
    loop {
        match reader.read_resolved_event().expect("quick-xml: not well-formed") {
            (ns, Event::Start(e) | Event::Empty(e)) => {
                resolved += u64::from(matches!(ns, ResolveResult::Bound(_)));
                for attr in e.attributes() {
                    let attr = attr.expect("quick-xml: bad attribute");
                    let (ns, _) = reader.resolver().resolve_attribute(attr.key);
                    resolved += u64::from(matches!(ns, ResolveResult::Bound(_)));
                }
            }
            (_, Event::Eof) => break,
            (_, other) => {
                black_box(other);
            }
        }
    }
    resolved
}

fn bench_case(c: &mut Criterion, case: &Case, peer: Option<Libxml2>) {
    // Check every implementation accepts the document before timing it.
    let kuvert_result = kuvert_parse(&case.bytes, &case.limits);
    assert!(kuvert_result > 0, "{}: kuvert found no operation", case.name);
    quick_xml_parse(&case.bytes);
    if let Some(lib) = peer {
        assert_eq!(lib.dom(&case.bytes), Outcome::WellFormed(0), "{}: libxml2 DOM refused it", case.name);
        assert!(matches!(lib.stream(&case.bytes), Outcome::WellFormed(_)), "{}: libxml2 reader refused it", case.name);
    }

    let mut group = c.benchmark_group("envelope_parse");
    group.throughput(Throughput::Bytes(case.bytes.len() as u64));
    if case.large {
        group.sample_size(10).sampling_mode(SamplingMode::Flat);
        group.warm_up_time(Duration::from_secs(2)).measurement_time(Duration::from_secs(10));
    } else {
        group.warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(4));
    }
    let bytes = case.bytes.as_slice();

    group.bench_with_input(BenchmarkId::new("kuvert", case.name), bytes, |b, bytes| {
        b.iter(|| kuvert_parse(black_box(bytes), &case.limits))
    });
    if let Some(lib) = peer {
        group.bench_with_input(BenchmarkId::new("libxml2-dom", case.name), bytes, |b, bytes| {
            b.iter(|| lib.dom(black_box(bytes)))
        });
        group.bench_with_input(BenchmarkId::new("libxml2-reader", case.name), bytes, |b, bytes| {
            b.iter(|| lib.stream(black_box(bytes)))
        });
    }
    group.bench_with_input(BenchmarkId::new("quick-xml-ns", case.name), bytes, |b, bytes| {
        b.iter(|| quick_xml_parse(black_box(bytes)))
    });
    group.finish();
}

fn envelope_parse(c: &mut Criterion) {
    let peer = Libxml2::get();
    if peer.is_none() {
        eprintln!(
            "note: built without libxml2 (no development files at build time): \
             the libxml2 peer is skipped; apt-get install libxml2-dev pkg-config and rebuild"
        );
    }
    let shared = kuvert_bench::shared_dir();

    if let Some(case) = read_file("request-5k", kuvert_bench::workspace_dir().join(REQUEST_5K)) {
        bench_case(c, &case, peer);
    }
    // Generated one at a time, so only one 50 MB document is alive at once.
    let records = kuvert_corpus::large::records_response(50 << 20).into_bytes();
    bench_case(c, &Case::large("records-50m", records, false), peer);
    let base64 = kuvert_corpus::large::base64_response(50 << 20).into_bytes();
    bench_case(c, &Case::large("base64-50m", base64, true), peer);
    if let Some(case) = read_file("sp-token-soeg", shared.join(SP_TOKEN)) {
        bench_case(c, &case, peer);
    }
}

criterion_group!(benches, envelope_parse);
criterion_main!(benches);
