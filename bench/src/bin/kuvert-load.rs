//! `kuvert-load`: the gateway pipeline under load, checked against the
//! platform's service levels and the project's targets. See `bench/README.md`.
//!
//! ```text
//! cargo run --release -p kuvert-bench --bin kuvert-load
//! ```

use std::io::Write;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use clap::Parser;
use indicatif::{ProgressBar, ProgressStyle};
use kuvert::audit_channel;
use kuvert_bench::load::{self, CapacityOptions, Gateway, PacedOptions, Scenario, TokenAssertions, WorldOptions};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Drives the whole kuvert pipeline in-process over the corpus mix.
#[derive(Parser)]
#[command(version, about)]
struct Args {
    /// Paced phase: calls per second (open loop).
    #[arg(long, default_value_t = 250.0)]
    rate: f64,
    /// Paced phase: seconds.
    #[arg(long, default_value_t = 20.0)]
    duration: f64,
    /// Capacity phase: worker threads (default: all cores).
    #[arg(long)]
    threads: Option<usize>,
    /// Paced phase: workers taking calls off the schedule (default: 4 per thread).
    #[arg(long)]
    workers: Option<usize>,
    /// The call mix, `scenario=weight,...`.
    #[arg(long, default_value = load::DEFAULT_MIX)]
    mix: String,
    /// Seed of the call mix.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Capacity phase: seconds per measurement (7 measurements; the round trip and
    /// the signing rate it is held against alternate in 4 slices); 0 skips the phase.
    #[arg(long, default_value_t = 3.0)]
    capacity_seconds: f64,
    /// Sizes of the large answers, used in turn (e.g. 1M,10M,100M).
    #[arg(long, default_value = "1M,10M,100M", value_delimiter = ',')]
    large_sizes: Vec<String>,
    /// Capacity phase: run only these measurements (invocation_context,
    /// authority_context, kombit_token, kombit_token_recurring,
    /// kombit_token_round_trip, rsa2048_sign, large), e.g. under a profiler.
    #[arg(long, value_delimiter = ',')]
    only: Vec<String>,
    /// Write the results as JSON to FILE.
    #[arg(long, value_name = "FILE")]
    json: Option<std::path::PathBuf>,
}

fn main() -> ExitCode {
    let args = Args::parse();
    match run(&args) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(e) => {
            eprintln!("kuvert-load: {e}");
            ExitCode::from(2)
        }
    }
}

fn run(args: &Args) -> Result<bool, String> {
    let threads = args.threads.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let sizes: Result<Vec<usize>, String> = args.large_sizes.iter().map(|s| kuvert_corpus::parse_size(s)).collect();
    let world = WorldOptions { large_sizes: sizes?, ..WorldOptions::default() };
    let epoch = world.epoch;
    eprintln!("kuvert-load: preparing the corpus mix (signing token requests and large answers)...");
    let scenarios = load::scenarios(&world)?;
    let mix = load::parse_mix(&args.mix, &scenarios)?;
    let fresh = fresh_token_scenario(&scenarios, &world)?;
    let (audit, drain) = audit_channel(4096);
    let drain = std::thread::spawn(move || drain.run(std::io::sink()));
    let max_answer = world.large_sizes.iter().max().map_or(0, |m| m + (64 << 10));
    let gateway = Gateway::new(audit.clone(), 1024, max_answer)?;
    let fresh_gateway = Gateway::new(audit, 0, max_answer)?;
    let paced = if args.duration > 0.0 {
        let options = PacedOptions {
            rate: args.rate,
            duration: Duration::from_secs_f64(args.duration),
            workers: args.workers.unwrap_or(4 * threads),
            seed: args.seed,
            mix,
            epoch,
        };
        Some(run_paced(&gateway, &scenarios, &options))
    } else {
        None
    };
    let capacity = if args.capacity_seconds > 0.0 {
        let duration = Duration::from_secs_f64(args.capacity_seconds);
        let options = CapacityOptions { threads, duration, epoch, only: args.only.clone() };
        Some(run_capacity(&gateway, &fresh_gateway, &scenarios, &fresh, &options)?)
    } else {
        None
    };
    drop((gateway, fresh_gateway));
    let audited = drain.join().map_err(|_| "audit drain panicked")?.map_err(|e| e.to_string())?.0;
    let report = load::report_json(paced.as_ref(), capacity.as_ref(), threads);
    print!("{}", report.table());
    println!("audit lines written: {audited}; verdict: {}", if report.ok { "PASS" } else { "FAIL" });
    if let Some(path) = &args.json {
        let text = serde_json::to_string_pretty(&report.json).map_err(|e| e.to_string())?;
        std::fs::write(path, text + "\n").map_err(|e| format!("{}: {e}", path.display()))?;
    }
    Ok(report.ok)
}

/// The token scenario with a pool in which every request brings a new assertion.
fn fresh_token_scenario(scenarios: &[Scenario], world: &WorldOptions) -> Result<Scenario, String> {
    let mut fresh = find(scenarios, "token-search")?.clone();
    fresh.requests = Arc::new(load::token_requests(world, TokenAssertions::Fresh, "2"));
    Ok(fresh)
}

fn find<'a>(scenarios: &'a [Scenario], name: &str) -> Result<&'a Scenario, String> {
    scenarios.iter().find(|s| s.name == name).ok_or(format!("no scenario {name}"))
}

fn run_paced(gateway: &Gateway, scenarios: &[Scenario], options: &PacedOptions) -> load::Paced {
    let calls = (options.rate * options.duration.as_secs_f64()).round() as u64;
    let bar = ProgressBar::new(calls).with_style(
        ProgressStyle::with_template("paced    {bar:40} {pos}/{len} calls {elapsed}/{duration}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let progress = |done: u64| bar.set_position(done.max(bar.position()));
    let result = load::paced(gateway, scenarios, options, &progress);
    bar.finish_and_clear();
    eprintln!("paced: {calls} calls at {} calls/s done", options.rate);
    result
}

fn run_capacity(
    gateway: &Gateway,
    fresh_gateway: &Gateway,
    scenarios: &[Scenario],
    fresh: &Scenario,
    options: &CapacityOptions,
) -> Result<load::Capacity, String> {
    let s = load::CapacityScenarios {
        invocation_context: find(scenarios, "ic-lookup")?,
        authority_context: find(scenarios, "ac-lookup")?,
        token_fresh: fresh,
        token_recurring: find(scenarios, "token-search")?,
        large: find(scenarios, "ac-large")?,
    };
    let spinner = ProgressBar::new_spinner().with_style(
        ProgressStyle::with_template("capacity {spinner} {msg}").unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    spinner.enable_steady_tick(Duration::from_millis(120));
    let progress = |name: &str| spinner.set_message(format!("{name} ({} threads)", options.threads));
    let result = load::capacity(gateway, fresh_gateway, &s, options, &progress);
    spinner.finish_and_clear();
    let _ = std::io::stderr().flush();
    Ok(result)
}
