//! The run's verdict: every target with its measured figure, as a table and
//! as the JSON document `--json` writes.

use serde_json::{json, Map, Value};

use super::{targets, Capacity, Class, Paced};

/// One line of the table.
#[derive(Clone, Debug)]
pub struct Check {
    pub target: String,
    /// `measured / required`, oriented so that ≥ 1 passes.
    pub ratio: f64,
    pub measured: String,
    pub required: String,
    pub pass: bool,
}

/// The checks and the JSON.
pub struct Report {
    pub checks: Vec<Check>,
    pub json: Value,
    pub ok: bool,
}

fn at_least(target: &str, measured: f64, required: f64, unit: &str) -> Check {
    Check {
        target: target.to_owned(),
        ratio: measured / required,
        measured: format!("{measured:.1} {unit}"),
        required: format!(">= {required:.1} {unit}"),
        pass: measured >= required,
    }
}

fn at_most(target: &str, measured: f64, allowed: f64, unit: &str) -> Check {
    Check {
        target: target.to_owned(),
        ratio: allowed / measured.max(1e-9),
        measured: format!("{measured:.3} {unit}"),
        required: format!("<= {allowed:.3} {unit}"),
        pass: measured <= allowed,
    }
}

fn ms(micros: u64) -> f64 {
    micros as f64 / 1000.0
}

/// The per-class JSON and checks of the paced phase.
fn classes(paced: &Paced, checks: &mut Vec<Check>) -> Value {
    let mut out = Map::new();
    for class in Class::ALL {
        let h = &paced.histograms[class as usize];
        let (count, max) = (h.len(), ms(h.max()));
        let (p99, budget) = (ms(h.value_at_quantile(0.99)), class.budget_ms());
        let mut ok = max <= budget;
        if count > 0 {
            checks.push(at_most(&format!("paced {} max (platform budget)", class.name()), max, budget, "ms"));
            if let Some(target) = class.target_p99_ms() {
                let check = at_most(&format!("paced {} p99", class.name()), p99, target, "ms");
                ok &= check.pass;
                checks.push(check);
            }
        }
        out.insert(
            class.name().to_owned(),
            json!({
                "count": count, "p50_ms": ms(h.value_at_quantile(0.5)), "p99_ms": p99,
                "p999_ms": ms(h.value_at_quantile(0.999)), "max_ms": max, "budget_ms": budget,
                "target_p99_ms": class.target_p99_ms(), "ok": ok,
            }),
        );
    }
    Value::Object(out)
}

fn large(paced: &Paced, checks: &mut Vec<Check>) -> Value {
    let l = &paced.large;
    let mut ok = true;
    if l.count > 0 {
        let effective =
            at_least("paced large, slowest answer", l.min_kb_per_s / 1000.0, targets::LARGE_MB_PER_S, "MB/s");
        let floor = at_least("paced large, platform floor", l.min_kb_per_s, targets::LARGE_MIN_KB_PER_S, "kB/s");
        let time = at_most("paced large, slowest time", l.max_seconds, Class::Large.budget_ms() / 1000.0, "s");
        ok = effective.pass && floor.pass && time.pass;
        checks.extend([effective, floor, time]);
    }
    json!({
        "count": l.count, "min_kb_per_s": l.min_kb_per_s, "max_seconds": l.max_seconds,
        "peak_buffered_bytes": l.peak_buffered, "ok": ok,
    })
}

fn capacity(c: &Capacity, checks: &mut Vec<Check>) -> Value {
    let round_trip_floor = targets::ROUND_TRIP_SHARE_OF_SIGNING * c.rsa2048_sign;
    checks.extend([
        at_least("capacity InvocationContext", c.invocation_context, targets::INVOCATION_CONTEXT, "calls/s"),
        at_least("capacity AuthorityContext", c.authority_context, targets::AUTHORITY_CONTEXT, "calls/s"),
        at_least("capacity KombitToken, fresh assertion", c.kombit_token, targets::KOMBIT_TOKEN_FRESH, "calls/s"),
        at_least(
            "capacity KombitToken, recurring",
            c.kombit_token_recurring,
            targets::KOMBIT_TOKEN_RECURRING,
            "calls/s",
        ),
        at_least(
            "capacity KombitToken round trip (90% of RSA signing)",
            c.kombit_token_round_trip,
            round_trip_floor,
            "calls/s",
        ),
        at_least("capacity large answers", c.large_mb_per_s, targets::LARGE_MB_PER_S, "MB/s"),
    ]);
    json!({
        "invocation_context": c.invocation_context, "authority_context": c.authority_context,
        "kombit_token": c.kombit_token, "kombit_token_recurring": c.kombit_token_recurring,
        "kombit_token_round_trip": c.kombit_token_round_trip, "rsa2048_sign_per_s": c.rsa2048_sign,
        "large_mb_per_s": c.large_mb_per_s,
    })
}

/// The verdict of a run (either phase may be absent).
pub fn report_json(paced: Option<&Paced>, capacity_result: Option<&Capacity>, threads: usize) -> Report {
    let mut checks = Vec::new();
    let mut json = Map::new();
    let mut errors = 0;
    let mut samples: Vec<String> = Vec::new();
    if let Some(p) = paced {
        json.insert("rate_target".into(), json!(p.rate_target));
        json.insert("rate_achieved".into(), json!(p.rate_achieved));
        checks.push(at_least("paced rate achieved", p.rate_achieved, p.rate_target * targets::RATE_SHARE, "calls/s"));
        json.insert("classes".into(), classes(p, &mut checks));
        json.insert("large".into(), large(p, &mut checks));
        errors += p.errors;
        samples.extend(p.error_samples.iter().cloned());
    }
    if let Some(c) = capacity_result {
        json.insert("capacity".into(), capacity(c, &mut checks));
        errors += c.errors;
        samples.extend(c.error_samples.iter().cloned());
    }
    checks.push(at_most("unexpected errors", errors as f64, 0.0, "calls"));
    let ok = checks.iter().all(|c| c.pass);
    json.insert("errors".into(), json!(errors));
    json.insert("error_samples".into(), json!(samples));
    json.insert("threads".into(), json!(threads));
    json.insert("ok".into(), json!(ok));
    Report { checks, json: Value::Object(json), ok }
}

impl Report {
    /// The table, one line per target.
    pub fn table(&self) -> String {
        let mut out = format!("{:<56} {:>22} {:>24} {:>8}  result\n", "target", "measured", "required", "ratio");
        for c in &self.checks {
            let verdict = if c.pass { "pass" } else { "FAIL" };
            let ratio = if c.ratio.is_finite() { format!("{:.2}x", c.ratio) } else { "-".to_owned() };
            out.push_str(&format!("{:<56} {:>22} {:>24} {:>8}  {verdict}\n", c.target, c.measured, c.required, ratio));
        }
        out
    }
}
