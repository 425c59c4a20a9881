//! Service-agreement decisions and registry loading on a registry of 100,000
//! agreements (generated: 5,000 systems, 98 authorities, 300 services).
//!
//! ```text
//! cargo bench -p kuvert-bench --bench authz                   # everything
//! cargo bench -p kuvert-bench --bench authz -- authz_decide   # decisions only
//! cargo bench -p kuvert-bench --bench authz -- authz_scale    # 1k .. 1M agreements
//! ```
//!
//! Decision benches run 1,024 different calls per iteration (throughput in
//! calls per second), on the calling thread: one core.

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use kuvert::{
    Accounting, Call, CallerCertificate, Credentials, Cvr, Environment, InvocationIds, Registry, UtcTime, Uuid,
};
use kuvert_corpus::registry::{GenRegistry, Shape, EPOCH};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

const BATCH: usize = 1024;

/// One prepared call: certificate identity computed once, as a gateway does per connection.
struct Prepared {
    cert: CallerCertificate,
    endpoint: String,
    environment: Environment,
    ids: InvocationIds,
    cvr: Cvr,
}

impl Prepared {
    fn invocation(&self, at: UtcTime) -> Call<'_> {
        let credentials = Credentials::InvocationContext { certificate: &self.cert, ids: self.ids };
        Call::new(self.environment, &self.endpoint, at, credentials)
    }

    fn authority(&self, at: UtcTime) -> Call<'_> {
        let credentials = Credentials::AuthorityContext { certificate: &self.cert, cvr: self.cvr };
        Call::new(self.environment, &self.endpoint, at, credentials)
    }
}

/// Calls that follow the registry's agreements; those kuvert allows come first.
fn prepare(g: &GenRegistry, registry: &Registry, at: UtcTime) -> (Vec<Prepared>, Vec<Prepared>) {
    let uuid = |s: &str| Uuid::parse_lower(s).expect("generated UUID");
    let (mut allowed, mut denied) = (Vec::new(), Vec::new());
    for a in &g.agreements {
        let (system, authority, service) =
            (&g.systems[a.system], &g.authorities[a.authority], &g.services[a.services[0]]);
        let (sha, serial, issuer) = &system.certificate;
        let p = Prepared {
            cert: CallerCertificate::new(*sha, serial, issuer),
            endpoint: service.endpoint.clone(),
            environment: if system.production { Environment::Production } else { Environment::Test },
            ids: InvocationIds {
                service_agreement: uuid(&a.uuid),
                user_system: uuid(&system.uuid),
                user: uuid(&authority.uuid),
                service: uuid(&service.uuid),
            },
            cvr: Cvr::parse(&authority.cvr).expect("generated CVR"),
        };
        let ok = registry.authorize(&p.invocation(at)).is_ok();
        match (ok, allowed.len() < BATCH, denied.len() < BATCH) {
            (true, true, _) => allowed.push(p),
            (false, _, true) => denied.push(p),
            _ => {}
        }
    }
    (allowed, denied)
}

fn decide(c: &mut Criterion) {
    let g = GenRegistry::generate(Shape::LARGE, 1);
    let registry = Registry::from_json(g.to_json().as_bytes()).expect("generated registry");
    let at = UtcTime::from_unix_millis(EPOCH * 1000);
    let (allowed, denied) = prepare(&g, &registry, at);
    assert_eq!((allowed.len(), denied.len()), (BATCH, BATCH), "not enough calls of each kind");
    let mut group = c.benchmark_group("authz_decide");
    group.throughput(Throughput::Elements(BATCH as u64));
    group.bench_function("invocation_context_allow/100k", |b| {
        b.iter(|| allowed.iter().filter(|p| registry.authorize(black_box(&p.invocation(at))).is_ok()).count())
    });
    group.bench_function("invocation_context_deny/100k", |b| {
        b.iter(|| denied.iter().filter(|p| registry.authorize(black_box(&p.invocation(at))).is_ok()).count())
    });
    group.bench_function("authority_context/100k", |b| {
        b.iter(|| allowed.iter().filter(|p| registry.authorize(black_box(&p.authority(at))).is_ok()).count())
    });
    let accounting = Accounting::default();
    group.bench_function("decide_and_account/100k", |b| {
        b.iter(|| {
            for p in &allowed {
                if let Ok(a) = registry.authorize(black_box(&p.invocation(at))) {
                    accounting.record(&a, at, Some("Borgerservice"), 1000);
                }
            }
        })
    });
    group.finish();
}

fn load(c: &mut Criterion) {
    let json = GenRegistry::generate(Shape::LARGE, 1).to_json();
    let mut group = c.benchmark_group("authz_load");
    group.sample_size(10).measurement_time(Duration::from_secs(20));
    group.throughput(Throughput::Bytes(json.len() as u64));
    group.bench_function("registry_json/100k", |b| {
        b.iter(|| Registry::from_json(black_box(json.as_bytes())).expect("loads").agreements().len())
    });
    group.finish();
}

/// How decision and load cost grow with the registry: 1k to 1M agreements
/// (systems and services scaled with them, authorities fixed at 98).
fn scale(c: &mut Criterion) {
    let at = UtcTime::from_unix_millis(EPOCH * 1000);
    let mut group = c.benchmark_group("authz_scale");
    group.sample_size(10).measurement_time(Duration::from_secs(5));
    for agreements in [1_000usize, 10_000, 100_000, 1_000_000] {
        let shape = Shape {
            systems: (agreements / 20).max(10),
            authorities: 98,
            services: (agreements / 333).clamp(10, 3_000),
            agreements,
            max_services_per_agreement: 3,
        };
        let g = GenRegistry::generate(shape, 1);
        let json = g.to_json();
        let registry = Registry::from_json(json.as_bytes()).expect("generated registry");
        let (allowed, _) = prepare(&g, &registry, at);
        let label = format!("{}k", agreements / 1000);
        group.throughput(Throughput::Elements(allowed.len() as u64));
        group.bench_function(format!("invocation_context_allow/{label}"), |b| {
            b.iter(|| allowed.iter().filter(|p| registry.authorize(black_box(&p.invocation(at))).is_ok()).count())
        });
        group.throughput(Throughput::Bytes(json.len() as u64));
        group.bench_function(format!("registry_json/{label}"), |b| {
            b.iter(|| Registry::from_json(black_box(json.as_bytes())).expect("loads").agreements().len())
        });
    }
    group.finish();
}

criterion_group!(benches, decide, load, scale);
criterion_main!(benches);
