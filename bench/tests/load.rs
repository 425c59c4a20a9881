//! The load harness's pipeline on every scenario, small: each call succeeds
//! with the outcome its scenario expects, the report has the keys the README
//! documents, and the harness refuses a bad mix. (Speed is measured by
//! running `kuvert-load`, never here.)

use std::time::Duration;

use kuvert::audit_channel;
use kuvert_bench::load::{self, CapacityOptions, CapacityScenarios, Gateway, PacedOptions, WorldOptions};

fn world() -> WorldOptions {
    WorldOptions { large_sizes: vec![64 << 10, 2 << 20], complex_bytes: 20 << 10, token_pool: 4, ..Default::default() }
}

#[test]
fn every_scenario_runs_through_the_pipeline() {
    let world = world();
    let scenarios = load::scenarios(&world).unwrap();
    let (audit, drain) = audit_channel(1024);
    let drain = std::thread::spawn(move || drain.run(Vec::new()));
    let gateway = Gateway::new(audit, 16, 3 << 20).unwrap();
    for s in &scenarios {
        for seq in 0..6 {
            let at = world.epoch.add_millis(seq as i64 * 10);
            let outcome = gateway.call(s, seq, at).unwrap_or_else(|e| panic!("{}: {e}", s.name));
            assert!(outcome.response_bytes > 0, "{}: empty answer", s.name);
        }
    }
    drop(gateway);
    let (lines, trail) = drain.join().unwrap().unwrap();
    assert_eq!(lines, 6 * scenarios.len() as u64);
    let trail = String::from_utf8(trail).unwrap();
    assert!(trail.contains("c944b0f8-c43d-4638-b048-918d9f2e18b5"), "audit names the agreement");
}

#[test]
fn a_replayed_token_request_is_an_error() {
    let world = world();
    let scenarios = load::scenarios(&world).unwrap();
    let token = scenarios.iter().find(|s| s.name == "token-search").unwrap();
    let (audit, _drain) = audit_channel(64);
    let gateway = Gateway::new(audit, 16, 1 << 20).unwrap();
    gateway.admit(token, 0, world.epoch).unwrap();
    let replay = gateway.admit(token, 0, world.epoch.add_millis(5)).unwrap_err();
    assert!(replay.contains("replay"), "{replay}");
}

#[test]
fn a_short_run_reports_every_documented_key() {
    let world = world();
    let scenarios = load::scenarios(&world).unwrap();
    let (audit, drain) = audit_channel(1024);
    let drain = std::thread::spawn(move || drain.run(std::io::sink()));
    let gateway = Gateway::new(audit.clone(), 16, 3 << 20).unwrap();
    let fresh = Gateway::new(audit, 0, 3 << 20).unwrap();
    let mix = load::parse_mix(load::DEFAULT_MIX, &scenarios).unwrap();
    let options = PacedOptions {
        rate: 200.0,
        duration: Duration::from_millis(250),
        workers: 4,
        seed: 7,
        mix,
        epoch: world.epoch,
    };
    let paced = load::paced(&gateway, &scenarios, &options, &|_| {});
    let find = |n: &str| scenarios.iter().find(|s| s.name == n).unwrap();
    let s = CapacityScenarios {
        invocation_context: find("ic-lookup"),
        authority_context: find("ac-lookup"),
        token_fresh: find("token-search"),
        token_recurring: find("token-search"),
        large: find("ac-large"),
    };
    let copts = CapacityOptions { threads: 2, duration: Duration::from_millis(50), epoch: world.epoch, only: vec![] };
    let capacity = load::capacity(&gateway, &fresh, &s, &copts, &|_| {});
    drop((gateway, fresh));
    drain.join().unwrap().unwrap();
    let report = load::report_json(Some(&paced), Some(&capacity), 2);
    let json = &report.json;
    assert_eq!(json["errors"], 0, "{:?}", json["error_samples"]);
    for key in ["rate_target", "rate_achieved", "classes", "large", "capacity", "errors", "ok"] {
        assert!(json.get(key).is_some(), "missing {key}");
    }
    for class in ["simple", "medium", "complex", "large"] {
        for key in ["count", "p50_ms", "p99_ms", "p999_ms", "max_ms", "budget_ms", "ok"] {
            assert!(json["classes"][class].get(key).is_some(), "missing classes.{class}.{key}");
        }
    }
    for key in ["invocation_context", "authority_context", "kombit_token", "large_mb_per_s"] {
        assert!(json["capacity"][key].as_f64().is_some_and(|v| v > 0.0), "capacity.{key}");
    }
    for key in ["count", "min_kb_per_s", "max_seconds", "ok"] {
        assert!(json["large"].get(key).is_some(), "missing large.{key}");
    }
    assert!(report.table().contains("capacity InvocationContext"));
}

#[test]
fn a_bad_mix_is_refused() {
    let scenarios = load::scenarios(&world()).unwrap();
    assert!(load::parse_mix("ic-lookup=1,nope=2", &scenarios).unwrap_err().contains("unknown scenario"));
    assert!(load::parse_mix("ic-lookup=-1", &scenarios).is_err());
    assert!(load::parse_mix("ic-lookup=0", &scenarios).is_err());
    assert!(load::parse_mix("ic-lookup", &scenarios).is_err());
}
