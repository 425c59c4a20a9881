//! `kuvert speed`: how many messages per second this machine verifies (or
//! parses) on one thread, in the spirit of `openssl speed`. Operators use it
//! to size gateways; benchmarks proper live in criterion.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use kuvert::{Envelope, Input};
use serde::Serialize;

use crate::trust::TrustArgs;

#[derive(Clone, Copy, clap::ValueEnum)]
enum Op {
    Verify,
    Parse,
}

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    trust: TrustArgs,
    /// What to measure.
    #[arg(long, value_enum, default_value = "verify")]
    op: Op,
    /// How long to run.
    #[arg(long, default_value_t = 3.0)]
    seconds: f64,
    /// Run exactly this many iterations instead (for instruction counting under callgrind).
    #[arg(long)]
    iterations: Option<u64>,
    /// The message.
    file: PathBuf,
}

#[derive(Serialize)]
struct Speed {
    op: &'static str,
    ops_per_s: f64,
    mb_per_s: f64,
    iterations: u64,
}

pub fn run(args: &Args) -> Result<ExitCode, String> {
    let raw = std::fs::read(&args.file).map_err(|e| format!("cannot read {}: {e}", args.file.display()))?;
    let verifier = args.trust.verifier()?;
    let at = args.trust.time()?;
    let limits = verifier.policy().limits;
    let once = || -> Result<(), String> {
        let input = Input::new(&raw, &limits).map_err(|e| e.to_string())?;
        match args.op {
            Op::Parse => Envelope::parse(&input, &limits).map(|_| ()).map_err(|e| e.to_string()),
            Op::Verify => verifier.verify_message(&input, at).map(|_| ()).map_err(|e| format!("{} ({})", e, e.code())),
        }
    };
    once().map_err(|e| format!("{}: {e}", args.file.display()))?;
    let budget = Duration::from_secs_f64(args.seconds.max(0.1));
    let start = Instant::now();
    let mut iterations = 0u64;
    match args.iterations {
        Some(n) => {
            for _ in 0..n {
                once()?;
            }
            iterations = n;
        }
        None => {
            while start.elapsed() < budget {
                for _ in 0..64 {
                    once()?;
                }
                iterations += 64;
            }
        }
    }
    let secs = start.elapsed().as_secs_f64();
    let op = match args.op {
        Op::Verify => "verify",
        Op::Parse => "parse",
    };
    let speed = Speed {
        op,
        ops_per_s: iterations as f64 / secs,
        mb_per_s: iterations as f64 * raw.len() as f64 / secs / 1e6,
        iterations,
    };
    crate::out::line(&serde_json::to_string(&speed).map_err(|e| e.to_string())?)?;
    Ok(ExitCode::SUCCESS)
}
