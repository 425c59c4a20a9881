//! The streaming engine: large responses passed through in 64 KiB chunks.
//!
//! ```text
//! cargo bench -p kuvert-bench --bench stream
//! ```
//!
//! - `signed-base64-100m`: a 100 MB response whose Body is one base64
//!   document, signed by kuvert with the TEST ONLY OCES2-style RSA-2048 key
//!   of `corpus/pki` (Timestamp, BinarySecurityToken, exc-c14n, SHA-256),
//!   checked and verified on the fly (target ≥ 600 MB/s). libxmlsec1 verifies
//!   the same bytes whole in the same run, with the certificate preloaded.
//! - `records-100m`: a 100 MB CPR-style list of small elements, checked
//!   (target ≥ 150 MB/s).
//! - `unsigned-base64-100m`: the base64 response, checked only (target ≥ 1 GB/s).

use std::hint::black_box;
use std::sync::Arc;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use kuvert::{
    sign_message, Input, Limits, Pipeline, SignOptions, SigningKey, StreamLimits, TrustAnchors, UtcTime, Verifier,
    VerifyPolicy,
};
use kuvert_bench::workspace_dir;
use kuvert_bench::xmlsec::Xmlsec;
use kuvert_corpus::large::{base64_response, records_response};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

const SIZE: usize = 100_000_000;
const CHUNK: usize = 64 << 10;

fn pki(name: &str) -> Vec<u8> {
    std::fs::read(workspace_dir().join("corpus/pki").join(name)).expect("corpus/pki file")
}

fn pem(der: &[u8]) -> String {
    kuvert_bench::certificate_pem(der)
}

fn at() -> UtcTime {
    UtcTime::parse("2030-01-01T12:00:30Z").expect("time")
}

fn signed(raw: &str) -> Vec<u8> {
    let key = SigningKey::from_pem(&pki("oces2-leaf.key.pem"), pem(&pki("oces2-leaf.der")).as_bytes()).expect("key");
    let limits = Limits { max_document_bytes: 1 << 30, max_text_bytes: 1 << 30, ..Limits::default() };
    let input = Input::new(raw.as_bytes(), &limits).expect("input");
    let now = UtcTime::parse("2030-01-01T12:00:00Z").expect("time");
    let options = SignOptions { limits, ..SignOptions::default() };
    sign_message(&input, &key, now, &options).expect("sign").into_bytes()
}

fn verifier() -> Arc<Verifier> {
    let mut anchors = TrustAnchors::new();
    anchors.add_der(&pki("oces2-root.der")).expect("anchor");
    let mut v = Verifier::new(anchors, VerifyPolicy::default());
    v.add_intermediate(&pki("oces2-ca.der"));
    Arc::new(v)
}

/// Streams `doc` in chunks; whether it passed (and was verified, when `v` is given).
fn pass(doc: &[u8], v: Option<&Arc<Verifier>>) -> bool {
    let mut p = match v {
        Some(v) => Pipeline::verifying(StreamLimits::default(), v.clone(), at()),
        None => Pipeline::new(StreamLimits::default()),
    };
    for c in doc.chunks(CHUNK) {
        if p.feed(black_box(c)).is_err() {
            return false;
        }
    }
    p.finish().is_ok_and(|r| v.is_none() || r.signature.is_some())
}

fn stream(c: &mut Criterion) {
    let base64 = base64_response(SIZE);
    let signed_doc = signed(&base64);
    let records = records_response(SIZE);
    let v = verifier();
    assert!(pass(&signed_doc, Some(&v)), "the signed response must verify");
    assert!(pass(records.as_bytes(), None) && pass(base64.as_bytes(), None));
    let mut group = c.benchmark_group("stream");
    group.sample_size(10);
    group.throughput(Throughput::Bytes(signed_doc.len() as u64));
    group.bench_function("kuvert/signed-base64-100m", |b| b.iter(|| pass(&signed_doc, Some(&v))));
    group.throughput(Throughput::Bytes(records.len() as u64));
    group.bench_function("kuvert/records-100m", |b| b.iter(|| pass(records.as_bytes(), None)));
    group.throughput(Throughput::Bytes(base64.len() as u64));
    group.bench_function("kuvert/unsigned-base64-100m", |b| b.iter(|| pass(base64.as_bytes(), None)));
    let cert = std::env::temp_dir().join(format!("kuvert-bench-{}-stream-leaf.pem", std::process::id()));
    std::fs::write(&cert, pem(&pki("oces2-leaf.der"))).expect("temp cert");
    match Xmlsec::init(&cert) {
        Some(peer) if peer.verify(&signed_doc) => {
            group.throughput(Throughput::Bytes(signed_doc.len() as u64));
            group.bench_function("libxmlsec1/signed-base64-100m", |b| b.iter(|| peer.verify(black_box(&signed_doc))));
        }
        Some(_) => eprintln!("note: libxmlsec1 did not verify the 100 MB response (its size limits); skipped"),
        None => eprintln!("note: libxmlsec1 peer not built; skipped"),
    }
    let _ = std::fs::remove_file(&cert);
    group.finish();
}

criterion_group!(benches, stream);
criterion_main!(benches);
