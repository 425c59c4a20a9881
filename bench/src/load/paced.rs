//! The paced phase: an open-loop schedule at a fixed rate. Call `i` is due at
//! `start + i / rate`; a pool of workers picks calls in order, waits for the
//! due time, runs the call and records the latency from the due time (so a
//! backlog shows in the figures instead of slowing the schedule).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use hdrhistogram::Histogram;
use kuvert::UtcTime;

use super::{Class, Gateway, Rng, Scenario};

/// How to pace.
#[derive(Clone, Debug)]
pub struct PacedOptions {
    /// Calls per second.
    pub rate: f64,
    pub duration: Duration,
    /// Workers taking calls off the schedule (more than cores, as a gateway
    /// has more connections than cores: a large answer does not block the rest).
    pub workers: usize,
    pub seed: u64,
    /// `(scenario index, weight)`.
    pub mix: Vec<(usize, f64)>,
    /// The simulated clock's start (a call is received at `epoch + due`).
    pub epoch: UtcTime,
}

/// Large answers: the slowest one.
#[derive(Clone, Copy, Debug, Default)]
pub struct LargeStats {
    pub count: u64,
    /// Lowest effective rate (bytes over latency), kB/s.
    pub min_kb_per_s: f64,
    pub max_seconds: f64,
    /// Most bytes the response check held for one answer.
    pub peak_buffered: u64,
}

/// The phase's results.
pub struct Paced {
    pub rate_target: f64,
    pub rate_achieved: f64,
    /// Latency in microseconds, per class (index: `Class as usize`).
    pub histograms: Vec<Histogram<u64>>,
    pub large: LargeStats,
    pub errors: u64,
    /// The first few errors, for the report.
    pub error_samples: Vec<String>,
}

struct Shared<'a> {
    gateway: &'a Gateway,
    scenarios: &'a [Scenario],
    plan: Vec<usize>,
    seqs: Vec<AtomicU64>,
    next: AtomicU64,
    start: Instant,
    options: &'a PacedOptions,
    progress: &'a (dyn Fn(u64) + Sync),
}

/// Runs the paced phase; `progress` is called with the number of calls done.
pub fn paced(
    gateway: &Gateway,
    scenarios: &[Scenario],
    options: &PacedOptions,
    progress: &(dyn Fn(u64) + Sync),
) -> Paced {
    let calls = (options.rate * options.duration.as_secs_f64()).round() as usize;
    let shared = Shared {
        gateway,
        scenarios,
        plan: plan(calls, &options.mix, options.seed),
        seqs: scenarios.iter().map(|_| AtomicU64::new(0)).collect(),
        next: AtomicU64::new(0),
        start: Instant::now(),
        options,
        progress,
    };
    let results = Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..options.workers.max(1) {
            s.spawn(|| {
                let part = work(&shared);
                results.lock().unwrap_or_else(|e| e.into_inner()).push(part);
            });
        }
    });
    merge(results.into_inner().unwrap_or_else(|e| e.into_inner()), calls, shared.start, options.rate)
}

/// The scenario of every call, drawn from the mix.
fn plan(calls: usize, mix: &[(usize, f64)], seed: u64) -> Vec<usize> {
    let total: f64 = mix.iter().map(|(_, w)| w).sum();
    let mut rng = Rng::new(seed);
    (0..calls)
        .map(|_| {
            let mut pick = rng.unit() * total;
            for &(index, weight) in mix {
                if pick < weight {
                    return index;
                }
                pick -= weight;
            }
            mix[mix.len() - 1].0
        })
        .collect()
}

/// One worker's share of the results.
struct Part {
    histograms: Vec<Histogram<u64>>,
    large: LargeStats,
    errors: Vec<String>,
    error_count: u64,
    last_done: Instant,
}

fn histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, 3_600_000_000, 3).expect("valid histogram bounds")
}

fn work(shared: &Shared<'_>) -> Part {
    let mut part = Part {
        histograms: Class::ALL.iter().map(|_| histogram()).collect(),
        large: LargeStats { min_kb_per_s: f64::INFINITY, ..LargeStats::default() },
        errors: Vec::new(),
        error_count: 0,
        last_done: shared.start,
    };
    loop {
        let i = shared.next.fetch_add(1, Ordering::Relaxed) as usize;
        let Some(&index) = shared.plan.get(i) else { break };
        let due = shared.start + Duration::from_secs_f64(i as f64 / shared.options.rate);
        if let Some(wait) = due.checked_duration_since(Instant::now()) {
            std::thread::sleep(wait);
        }
        let received = shared.options.epoch.add_millis((due - shared.start).as_millis() as i64);
        let scenario = &shared.scenarios[index];
        let seq = shared.seqs[index].fetch_add(1, Ordering::Relaxed);
        let result = shared.gateway.call(scenario, seq, received);
        let done = Instant::now();
        part.last_done = part.last_done.max(done);
        let latency = done - due;
        record(&mut part, scenario, latency, result);
        (shared.progress)(i as u64 + 1);
    }
    part
}

fn record(part: &mut Part, scenario: &Scenario, latency: Duration, result: Result<super::Outcome, String>) {
    let micros = (latency.as_micros() as u64).max(1);
    let _ = part.histograms[scenario.class.index()].record(micros);
    match result {
        Ok(outcome) if scenario.class == Class::Large => {
            let large = &mut part.large;
            large.count += 1;
            let kb_per_s = outcome.response_bytes as f64 / 1000.0 / latency.as_secs_f64();
            large.min_kb_per_s = large.min_kb_per_s.min(kb_per_s);
            large.max_seconds = large.max_seconds.max(latency.as_secs_f64());
            large.peak_buffered = large.peak_buffered.max(outcome.peak_buffered);
        }
        Ok(_) => {}
        Err(e) => {
            part.error_count += 1;
            if part.errors.len() < 5 {
                part.errors.push(format!("{}: {e}", scenario.name));
            }
        }
    }
}

fn merge(parts: Vec<Part>, calls: usize, start: Instant, rate: f64) -> Paced {
    let mut histograms: Vec<Histogram<u64>> = Class::ALL.iter().map(|_| histogram()).collect();
    let mut large = LargeStats { min_kb_per_s: f64::INFINITY, ..LargeStats::default() };
    let (mut errors, mut error_samples, mut last) = (0, Vec::new(), start);
    for part in parts {
        for (into, from) in histograms.iter_mut().zip(&part.histograms) {
            let _ = into.add(from);
        }
        large.count += part.large.count;
        large.min_kb_per_s = large.min_kb_per_s.min(part.large.min_kb_per_s);
        large.max_seconds = large.max_seconds.max(part.large.max_seconds);
        large.peak_buffered = large.peak_buffered.max(part.large.peak_buffered);
        errors += part.error_count;
        error_samples.extend(part.errors);
        last = last.max(part.last_done);
    }
    if large.count == 0 {
        large.min_kb_per_s = 0.0;
    }
    let elapsed = (last - start).as_secs_f64().max(1e-9);
    let rate_achieved = calls as f64 / elapsed;
    Paced { rate_target: rate, rate_achieved, histograms, large, errors, error_samples }
}
