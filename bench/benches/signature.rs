//! Signature verification and signing: kuvert side by side with libxmlsec1
//! (OpenSSL) on the same signed message in the same run.
//!
//! ```text
//! cargo bench -p kuvert-bench --bench signature
//! ```
//!
//! The message is `corpus/messages/invocation-context/cpr-person-lookup.request.xml`
//! signed by kuvert with the TEST ONLY OCES2-style RSA-2048 key in
//! `corpus/pki` (Timestamp, BinarySecurityToken, exc-c14n, RSA-SHA256):
//! about 5.2 KB. kuvert verifies fully (parse, policy, c14n, digests,
//! signature, certificate chain from the cache); libxmlsec1 parses, registers
//! the IDs and verifies with the certificate preloaded as its key (no chain
//! validation, no policy: less work than kuvert does).

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use kuvert::{sign_message, Input, Limits, SignOptions, SigningKey, TrustAnchors, UtcTime, Verifier, VerifyPolicy};
use kuvert_bench::workspace_dir;
use kuvert_bench::xmlsec::Xmlsec;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn pki(name: &str) -> Vec<u8> {
    std::fs::read(workspace_dir().join("corpus/pki").join(name)).expect("corpus/pki file")
}

fn pem(der: &[u8]) -> String {
    kuvert_bench::certificate_pem(der)
}

fn at() -> UtcTime {
    UtcTime::parse("2030-01-01T12:00:30Z").expect("time")
}

fn signing_key() -> SigningKey {
    SigningKey::from_pem(&pki("oces2-leaf.key.pem"), pem(&pki("oces2-leaf.der")).as_bytes()).expect("key")
}

fn signed_request(key: &SigningKey) -> Vec<u8> {
    let path = workspace_dir().join("corpus/messages/invocation-context/cpr-person-lookup.request.xml");
    let raw = std::fs::read(path).expect("corpus message");
    let limits = Limits::default();
    let input = Input::new(&raw, &limits).expect("input");
    let now = UtcTime::parse("2030-01-01T12:00:00Z").expect("time");
    sign_message(&input, key, now, &SignOptions::default()).expect("sign").into_bytes()
}

fn verifier() -> Verifier {
    let mut anchors = TrustAnchors::new();
    anchors.add_der(&pki("oces2-root.der")).expect("anchor");
    let mut v = Verifier::new(anchors, VerifyPolicy::default());
    v.add_intermediate(&pki("oces2-ca.der"));
    v
}

fn verify(c: &mut Criterion) {
    let key = signing_key();
    let message = signed_request(&key);
    let v = verifier();
    let limits = Limits::default();
    let kuvert_once = |m: &[u8]| {
        let input = Input::new(m, &limits).expect("input");
        v.verify_message(&input, at()).is_ok()
    };
    assert!(kuvert_once(&message), "kuvert must verify the bench message");
    let mut group = c.benchmark_group("verify");
    group.throughput(Throughput::Bytes(message.len() as u64));
    group.bench_function("kuvert/request-5k", |b| b.iter(|| black_box(kuvert_once(black_box(&message)))));
    let cert = std::env::temp_dir().join(format!("kuvert-bench-{}-leaf.pem", std::process::id()));
    std::fs::write(&cert, pem(&pki("oces2-leaf.der"))).expect("temp cert");
    match Xmlsec::init(&cert) {
        Some(peer) => {
            assert!(peer.verify(&message), "libxmlsec1 must verify the bench message");
            group.bench_function("libxmlsec1/request-5k", |b| b.iter(|| black_box(peer.verify(black_box(&message)))));
        }
        None => eprintln!("note: libxmlsec1 peer not built (apt-get install libxmlsec1-dev pkg-config); skipped"),
    }
    let _ = std::fs::remove_file(&cert);
    group.finish();
}

fn sign(c: &mut Criterion) {
    let key = signing_key();
    let path = workspace_dir().join("corpus/messages/invocation-context/cpr-person-lookup.request.xml");
    let raw = std::fs::read(path).expect("corpus message");
    let limits = Limits::default();
    let now = UtcTime::parse("2030-01-01T12:00:00Z").expect("time");
    let mut group = c.benchmark_group("sign");
    group.throughput(Throughput::Bytes(raw.len() as u64));
    group.bench_function("kuvert/request-5k", |b| {
        b.iter(|| {
            let input = Input::new(black_box(&raw), &limits).expect("input");
            black_box(sign_message(&input, &key, now, &SignOptions::default()).expect("sign"))
        })
    });
    group.finish();
}

criterion_group!(benches, verify, sign);
criterion_main!(benches);
