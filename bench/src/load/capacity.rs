//! The capacity phase: closed loops on all cores, one kind of call at a
//! time, as many calls as the machine completes.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use kuvert::{SignatureAlgorithm, UtcTime};

use super::{Gateway, Scenario};

/// The round trip and the signing rate it is held against run in this many
/// alternating slices.
const SLICES: u32 = 4;

/// How long and on how many threads.
#[derive(Clone, Debug)]
pub struct CapacityOptions {
    pub threads: usize,
    /// Per measurement.
    pub duration: Duration,
    pub epoch: UtcTime,
    /// Run only the measurements named here (all when empty): for profiling.
    pub only: Vec<String>,
}

/// Calls per second (and bytes per second for large answers) on the whole machine.
#[derive(Clone, Debug, Default)]
pub struct Capacity {
    /// InvocationContext lookups, answer included.
    pub invocation_context: f64,
    /// AuthorityContext lookups, answer included.
    pub authority_context: f64,
    /// KombitToken admission (request verified, decided) with a fresh assertion each call.
    pub kombit_token: f64,
    /// The same with one recurring assertion (served from the assertion cache).
    pub kombit_token_recurring: f64,
    /// KombitToken round trips: recurring assertion, decision, answer built
    /// and signed by the platform (RSA-2048), checked on its way out.
    pub kombit_token_round_trip: f64,
    /// RSA-2048 PKCS#1 v1.5 SHA-256 signatures per second, same threads, in
    /// slices alternating with the round trip's.
    pub rsa2048_sign: f64,
    /// Large signed answers checked, MB/s.
    pub large_mb_per_s: f64,
    pub errors: u64,
    pub error_samples: Vec<String>,
}

/// The kinds of call measured, by scenario.
pub struct CapacityScenarios<'a> {
    pub invocation_context: &'a Scenario,
    pub authority_context: &'a Scenario,
    pub token_fresh: &'a Scenario,
    pub token_recurring: &'a Scenario,
    pub large: &'a Scenario,
}

/// Runs every measurement; `fresh` is a gateway whose assertion cache is off.
pub fn capacity(
    gateway: &Gateway,
    fresh: &Gateway,
    s: &CapacityScenarios<'_>,
    options: &CapacityOptions,
    progress: &dyn Fn(&str),
) -> Capacity {
    let mut errors = Errors::default();
    let mut c = Capacity::default();
    let mut measurement = 0;
    let sliced = CapacityOptions { duration: options.duration / SLICES, ..options.clone() };
    let mut run = |name: &str, slice: bool, f: &(dyn Fn(u64, UtcTime) -> Result<u64, String> + Sync)| {
        if !options.only.is_empty() && !options.only.iter().any(|o| o == name) {
            return (0.0, 0.0);
        }
        progress(name);
        // Each measurement numbers its calls apart from the paced phase's and
        // the others', so a request pool is never replayed under one pass.
        measurement += 1;
        closed_loop(if slice { &sliced } else { options }, measurement << 40, f, &mut errors)
    };
    c.invocation_context = run("invocation_context", false, &|i, at| call(gateway, s.invocation_context, i, at)).0;
    c.authority_context = run("authority_context", false, &|i, at| call(gateway, s.authority_context, i, at)).0;
    c.kombit_token = run("kombit_token", false, &|i, at| admit(fresh, s.token_fresh, i, at)).0;
    c.kombit_token_recurring =
        run("kombit_token_recurring", false, &|i, at| admit(gateway, s.token_recurring, i, at)).0;
    // The round trip is held against the signing rate: the two run in
    // alternating slices, so that both see the same machine (a shared host
    // moves by tens of percent from one second to the next).
    let key = gateway.platform_key();
    let signed_info = [0x5a_u8; 700];
    let sign = |_: u64, _: UtcTime| {
        key.sign(SignatureAlgorithm::RsaSha256, &signed_info).map(|s| s.len() as u64).map_err(|e| e.to_string())
    };
    let round_trip = |i: u64, at: UtcTime| call(gateway, s.token_recurring, i, at);
    for _ in 0..SLICES {
        c.kombit_token_round_trip += run("kombit_token_round_trip", true, &round_trip).0 / f64::from(SLICES);
        c.rsa2048_sign += run("rsa2048_sign", true, &sign).0 / f64::from(SLICES);
    }
    c.large_mb_per_s = run("large", false, &|i, at| call(gateway, s.large, i, at)).1 / 1e6;
    (c.errors, c.error_samples) = (errors.count, errors.samples);
    c
}

#[derive(Default)]
struct Errors {
    count: u64,
    samples: Vec<String>,
}

fn call(gateway: &Gateway, scenario: &Scenario, seq: u64, at: UtcTime) -> Result<u64, String> {
    gateway.call(scenario, seq, at).map(|o| o.response_bytes)
}

fn admit(gateway: &Gateway, scenario: &Scenario, seq: u64, at: UtcTime) -> Result<u64, String> {
    gateway.admit(scenario, seq, at).map(|o| o.response_bytes)
}

/// Runs `f` on every thread until the duration is over, numbering calls
/// from `first`; successful calls/s and bytes/s.
fn closed_loop(
    options: &CapacityOptions,
    first: u64,
    f: &(dyn Fn(u64, UtcTime) -> Result<u64, String> + Sync),
    errs: &mut Errors,
) -> (f64, f64) {
    let (next, bytes, errors) = (AtomicU64::new(first), AtomicU64::new(0), AtomicU64::new(0));
    let stop = AtomicBool::new(false);
    let samples = std::sync::Mutex::new(Vec::new());
    let start = Instant::now();
    let mut done = 0u64;
    std::thread::scope(|s| {
        let workers: Vec<_> = (0..options.threads.max(1))
            .map(|_| {
                s.spawn(|| {
                    let mut calls = 0u64;
                    while !stop.load(Ordering::Relaxed) {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let at = options.epoch.add_millis(start.elapsed().as_millis() as i64);
                        match f(i, at) {
                            Ok(n) => {
                                bytes.fetch_add(n, Ordering::Relaxed);
                                calls += 1;
                            }
                            Err(e) => {
                                errors.fetch_add(1, Ordering::Relaxed);
                                let mut samples = samples.lock().unwrap_or_else(|e| e.into_inner());
                                if samples.len() < 5 {
                                    samples.push(e);
                                }
                            }
                        }
                    }
                    calls
                })
            })
            .collect();
        std::thread::sleep(options.duration);
        stop.store(true, Ordering::Relaxed);
        done = workers.into_iter().map(|w| w.join().unwrap_or(0)).sum();
    });
    let elapsed = start.elapsed().as_secs_f64();
    errs.count += errors.into_inner();
    errs.samples.extend(samples.into_inner().unwrap_or_else(|e| e.into_inner()));
    (done as f64 / elapsed, bytes.into_inner() as f64 / elapsed)
}
