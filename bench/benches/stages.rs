//! The stages not covered by the other benches: canonicalization alone,
//! canonicalization straight into SHA-256 (the digest of a reference), fault
//! building, and one whole gateway call of the load harness.
//!
//! ```text
//! cargo bench -p kuvert-bench --bench stages
//! cargo bench -p kuvert-bench --bench stages -- c14n/
//! ```

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use kuvert::{
    audit_channel, canonicalize_document, C14nMethod, FaultBuilder, Input, Sink, SoapVersion, StandardCode, Uuid,
};
use kuvert_bench::load::{self, Gateway, WorldOptions};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

const REQUEST: &str =
    include_str!("../../corpus/messages/invocation-context/cpr-person-lookup-ws-security.request.xml");

/// Counts canonical bytes (c14n alone).
struct Count(usize);

impl Sink for Count {
    fn write(&mut self, bytes: &[u8]) {
        self.0 += bytes.len();
    }
}

/// SHA-256 of the canonical bytes, as a reference digest is computed.
struct Sha256(aws_lc_rs::digest::Context);

impl Sink for Sha256 {
    fn write(&mut self, bytes: &[u8]) {
        self.0.update(bytes);
    }
}

fn inputs() -> Vec<(&'static str, String)> {
    vec![("request-5k", REQUEST.to_owned()), ("records-1m", kuvert_corpus::large::records_response(1 << 20))]
}

fn c14n(c: &mut Criterion) {
    let mut group = c.benchmark_group("c14n");
    for (name, text) in inputs() {
        let limits = load::response_limits(text.len());
        group.throughput(Throughput::Bytes(text.len() as u64));
        for (method, label) in [(C14nMethod::Exclusive, "exclusive"), (C14nMethod::Inclusive, "inclusive")] {
            group.bench_function(format!("{label}/{name}"), |b| {
                b.iter(|| {
                    let input = Input::new(black_box(text.as_bytes()), &limits).expect("input");
                    canonicalize_document(&input, method, &[], &limits, Count(0)).expect("c14n").0
                })
            });
        }
    }
    group.finish();
}

fn digest(c: &mut Criterion) {
    let mut group = c.benchmark_group("digest");
    for (name, text) in inputs() {
        let limits = load::response_limits(text.len());
        group.throughput(Throughput::Bytes(text.len() as u64));
        group.bench_function(format!("exc-c14n-sha256/{name}"), |b| {
            b.iter(|| {
                let input = Input::new(black_box(text.as_bytes()), &limits).expect("input");
                let sink = Sha256(aws_lc_rs::digest::Context::new(&aws_lc_rs::digest::SHA256));
                let sink = canonicalize_document(&input, C14nMethod::Exclusive, &[], &limits, sink).expect("c14n");
                sink.0.finish()
            })
        });
    }
    group.finish();
}

fn fault(c: &mut Criterion) {
    let at = WorldOptions::default().epoch;
    let mut group = c.benchmark_group("fault");
    group.throughput(Throughput::Elements(1));
    group.bench_function("build/serviceplatform-fault", |b| {
        let mut n = 0u8;
        b.iter(|| {
            n = n.wrapping_add(1);
            FaultBuilder::new(SoapVersion::Soap11, StandardCode::Sender, "Adgang nægtet")
                .error("SP-1001", "Der findes ingen gyldig serviceaftale <TEST ONLY>")
                .call(Uuid::new_v4([n; 16]), at)
                .to_xml()
        })
    });
    group.finish();
}

fn pipeline(c: &mut Criterion) {
    let world = WorldOptions { large_sizes: vec![64 << 10], token_pool: 256, ..WorldOptions::default() };
    let scenarios = load::scenarios(&world).expect("scenarios");
    let (audit, drain) = audit_channel(1 << 16);
    std::thread::spawn(move || drain.run(std::io::sink()));
    let gateway = Gateway::new(audit, 1024, 1 << 20).expect("gateway");
    let mut group = c.benchmark_group("pipeline");
    group.throughput(Throughput::Elements(1));
    for name in ["ic-lookup", "ac-lookup", "ic-complex"] {
        let scenario = scenarios.iter().find(|s| s.name == name).expect("scenario");
        let mut seq = 0;
        group.bench_function(name, |b| {
            b.iter(|| {
                seq += 1;
                gateway.call(scenario, seq, world.epoch).expect("call")
            })
        });
    }
    group.finish();
}

criterion_group!(benches, c14n, digest, fault, pipeline);
criterion_main!(benches);
