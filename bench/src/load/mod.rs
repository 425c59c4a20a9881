//! `kuvert-load`: the whole kuvert pipeline driven in-process over the corpus
//! mix, the way a gateway runs it, checked against the platform's service
//! levels and the project's own targets.
//!
//! Two phases:
//! - **paced**: an open-loop schedule at a fixed rate; each call's latency
//!   counts from its scheduled start, so a slow call delays the calls behind
//!   it in the figures too (no coordinated omission);
//! - **capacity**: closed loops on all cores, one security model at a time.

mod capacity;
mod gateway;
mod paced;
mod report;
mod response;
mod world;

pub use capacity::{capacity, Capacity, CapacityOptions, CapacityScenarios};
pub use gateway::{Gateway, Outcome};
pub use paced::{paced, LargeStats, Paced, PacedOptions};
pub use report::{report_json, Check, Report};
pub use response::{check_response, response_limits, ResponseStats};
pub use world::{
    answer_signer, registry, scenarios, token_requests, Answer, Expect, Model, Scenario, TokenAssertions, WorldOptions,
};

/// The platform's response-time classes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Class {
    Simple,
    Medium,
    Complex,
    /// Answers over 1 MB: ≤ 15 s and ≥ 200 kB/s.
    Large,
}

impl Class {
    /// Every class, in report order.
    pub const ALL: [Class; 4] = [Class::Simple, Class::Medium, Class::Complex, Class::Large];

    /// The JSON name.
    pub fn name(self) -> &'static str {
        match self {
            Class::Simple => "simple",
            Class::Medium => "medium",
            Class::Complex => "complex",
            Class::Large => "large",
        }
    }

    /// The platform's budget for one call of the class.
    pub fn budget_ms(self) -> f64 {
        match self {
            Class::Simple => 1_000.0,
            Class::Medium => 1_500.0,
            Class::Complex => 4_000.0,
            Class::Large => 15_000.0,
        }
    }

    /// kuvert's own target for the class's p99 (none for large answers, which
    /// are held to a throughput instead).
    pub fn target_p99_ms(self) -> Option<f64> {
        match self {
            Class::Large => None,
            _ => Some(5.0),
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// The project's targets (issue 7), checked by [`report_json`].
pub mod targets {
    /// Every large answer, effective MB/s from its scheduled start.
    pub const LARGE_MB_PER_S: f64 = 100.0;
    /// The platform's floor for answers over 1 MB.
    pub const LARGE_MIN_KB_PER_S: f64 = 200.0;
    /// Capacity, calls/s on the whole machine.
    pub const INVOCATION_CONTEXT: f64 = 100_000.0;
    pub const AUTHORITY_CONTEXT: f64 = 100_000.0;
    pub const KOMBIT_TOKEN_FRESH: f64 = 15_000.0;
    pub const KOMBIT_TOKEN_RECURRING: f64 = 25_000.0;
    /// Round trips with a signed answer, as a share of the RSA-2048 signing rate.
    pub const ROUND_TRIP_SHARE_OF_SIGNING: f64 = 0.9;
    /// The share of the requested rate the paced phase must reach.
    pub const RATE_SHARE: f64 = 0.99;
}

/// A small deterministic generator (xorshift64*) for the call mix.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    /// Uniform in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Parses `name=weight,...` against the scenarios; weights need not sum to 100.
pub fn parse_mix(text: &str, scenarios: &[Scenario]) -> Result<Vec<(usize, f64)>, String> {
    let mut mix = Vec::new();
    for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (name, weight) = part.split_once('=').ok_or(format!("--mix: `{part}` is not name=weight"))?;
        let index = scenarios.iter().position(|s| s.name == name.trim()).ok_or_else(|| {
            let names: Vec<_> = scenarios.iter().map(|s| s.name).collect();
            format!("--mix: unknown scenario `{name}` (known: {})", names.join(", "))
        })?;
        let weight: f64 = weight.trim().parse().map_err(|_| format!("--mix: bad weight in `{part}`"))?;
        if !(weight >= 0.0 && weight.is_finite()) {
            return Err(format!("--mix: bad weight in `{part}`"));
        }
        mix.push((index, weight));
    }
    if mix.iter().map(|(_, w)| w).sum::<f64>() <= 0.0 {
        return Err("--mix: the weights sum to zero".to_owned());
    }
    Ok(mix)
}

/// The default mix: mostly lookups, a fifth token calls, a few complex
/// answers, one large answer in 500 calls, denials and source faults.
pub const DEFAULT_MIX: &str =
    "ic-lookup=42,ac-lookup=20,token-search=20,ic-complex=9.8,ic-denied=4,ic-source-fault=4,ac-large=0.2";
