//! N threads × M calls against a shared registry that is swapped while they
//! run: the accounting counters and the audit lines equal the calls exactly.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::thread;

use kuvert::{
    audit_channel, Accounting, AccountingLimits, Call, CallInfo, CallerCertificate, Credentials, Cvr, Environment,
    Quarter, Registry, SharedRegistry, UtcTime, Uuid,
};
use kuvert_corpus::registry::{GenRegistry, Rng, Shape, EPOCH};

const THREADS: usize = 4;
const CALLS: usize = 5_000;

#[test]
fn counters_and_audit_lines_equal_the_calls() {
    let shape = Shape { systems: 20, authorities: 5, services: 8, agreements: 400, max_services_per_agreement: 3 };
    let g = Arc::new(GenRegistry::generate(shape, 42));
    let json = g.to_json();
    let shared = Arc::new(SharedRegistry::new(Registry::from_json(json.as_bytes()).unwrap()));
    let accounting = Arc::new(Accounting::new(AccountingLimits { max_keys: 50, shards: 8 }));
    let (sender, drain) = audit_channel(64);
    let writer = thread::spawn(move || drain.run(Vec::new()));
    let (allowed, bytes) = (Arc::new(AtomicU64::new(0)), Arc::new(AtomicU64::new(0)));
    let stop = Arc::new(AtomicBool::new(false));
    // Swaps in an identical registry over and over while the calls run.
    let swapper = {
        let (shared, stop) = (shared.clone(), stop.clone());
        thread::spawn(move || {
            let mut swaps = 0u32;
            while !stop.load(Ordering::Relaxed) {
                shared.replace_from_json(json.as_bytes()).unwrap();
                swaps += 1;
            }
            swaps
        })
    };
    let workers: Vec<_> = (0..THREADS)
        .map(|t| {
            let (g, shared, accounting, sender) = (g.clone(), shared.clone(), accounting.clone(), sender.clone());
            let (allowed, bytes) = (allowed.clone(), bytes.clone());
            thread::spawn(move || {
                let mut rng = Rng::new(t as u64);
                for i in 0..CALLS {
                    let s = &g.systems[rng.below(g.systems.len())];
                    let cert = CallerCertificate::new(s.certificate.0, &s.certificate.1, &s.certificate.2);
                    let service = &g.services[rng.below(g.services.len())];
                    let cvr = Cvr::parse(&g.authorities[rng.below(g.authorities.len())].cvr).unwrap();
                    let env = if s.production { Environment::Production } else { Environment::Test };
                    let at = UtcTime::from_unix_millis(EPOCH * 1000);
                    let credentials = Credentials::AuthorityContext { certificate: &cert, cvr };
                    let call_uuid =
                        Uuid::new_v4([(t as u8), (i >> 8) as u8, i as u8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
                    let mut info = CallInfo::new(call_uuid, at);
                    let accounting_info = format!("afdeling-{}", rng.below(100));
                    info.accounting_info = Some(&accounting_info);
                    let registry = shared.snapshot();
                    let decision = registry.authorize(&Call::new(env, &service.endpoint, at, credentials));
                    if let Ok(a) = &decision {
                        let n = 100 + rng.below(900) as u64;
                        accounting.record(a, at, info.accounting_info, n);
                        allowed.fetch_add(1, Ordering::Relaxed);
                        bytes.fetch_add(n, Ordering::Relaxed);
                    }
                    sender.send(&info, &decision).unwrap();
                }
            })
        })
        .collect();
    drop(sender);
    for w in workers {
        w.join().unwrap();
    }
    stop.store(true, Ordering::Relaxed);
    assert!(swapper.join().unwrap() > 0);
    let (lines, out) = writer.join().unwrap().unwrap();
    assert_eq!(lines, (THREADS * CALLS) as u64);
    let text = String::from_utf8(out).unwrap();
    assert_eq!(text.lines().count(), THREADS * CALLS);
    let allow_lines = text.matches("\"decision\":\"allow\"").count() as u64;
    let allowed = allowed.load(Ordering::Relaxed);
    assert!(allowed > 1000, "too few allowed calls to prove anything: {allowed}");
    assert_eq!(allow_lines, allowed);
    let rows = accounting.usage(Quarter::of(UtcTime::from_unix_millis(EPOCH * 1000)));
    assert_eq!(rows.iter().map(|r| r.calls).sum::<u64>(), allowed);
    assert_eq!(rows.iter().map(|r| r.bytes).sum::<u64>(), bytes.load(Ordering::Relaxed));
    // 100 accounting infos over many triples exceed the 50-key bound: the rest is counted as overflow.
    assert_eq!(accounting.keys(), 50);
    assert!(accounting.overflowed_calls() > 0);
}
