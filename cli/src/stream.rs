//! `kuvert stream`: pass standard input to standard output unchanged while
//! the streaming engine checks it (and verifies its signature), in constant
//! memory. Each chunk is written only after the engine accepted it, so the
//! chunk that ends a forged or broken envelope is never passed on.

use std::io::{Read, Write};
use std::process::ExitCode;
use std::sync::Arc;

use kuvert::{Pipeline, Status, StreamLimits, StreamReport};
use serde::Serialize;

use crate::trust::TrustArgs;

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    trust: TrustArgs,
    /// Read and pass on in chunks of this many bytes.
    #[arg(long, default_value_t = 64 * 1024, value_name = "BYTES")]
    chunk: usize,
    /// Print one JSON line of statistics to standard error at the end.
    #[arg(long)]
    stats: bool,
    /// With --trust: refuse an unsigned message (before its last chunk is passed on).
    #[arg(long, requires = "trust")]
    require_signature: bool,
}

#[derive(Serialize)]
struct Stats<'a> {
    ok: bool,
    bytes: u64,
    seconds: f64,
    mb_per_s: f64,
    peak_buffered_bytes: usize,
    /// `valid`, `unsigned`, `not_checked` (no --trust) or `invalid`.
    signature: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    signer: Option<String>,
    service_level_applies: bool,
    service_level_met: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    relates_to: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    fault: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

pub fn run(args: &Args) -> Result<ExitCode, String> {
    let limits = StreamLimits::default();
    let checking = !args.trust.trust.is_empty();
    let mut pipeline = match checking {
        true => Pipeline::verifying(limits, Arc::new(args.trust.verifier()?), args.trust.time()?),
        false => Pipeline::new(limits),
    };
    let started = std::time::Instant::now();
    let outcome = pass(&mut pipeline, args.chunk.max(1), args.require_signature);
    let (report, error) = match outcome {
        Ok(report) => (report, None),
        Err(Failure::Io(e)) => return Err(e),
        Err(Failure::Stream(e)) => (pipeline.report().clone(), Some(e)),
    };
    if let Some(e) = &error {
        eprintln!("kuvert: {e}");
    }
    if args.stats {
        print_stats(&report, pipeline.bytes(), started.elapsed(), checking, error.as_deref());
    }
    Ok(if error.is_none() { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

enum Failure {
    Io(String),
    Stream(String),
}

fn pass(pipeline: &mut Pipeline, chunk: usize, require_signature: bool) -> Result<StreamReport, Failure> {
    let mut stdin = std::io::stdin().lock();
    let mut stdout = std::io::stdout().lock();
    let mut buf = vec![0u8; chunk];
    loop {
        let n = match stdin.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(Failure::Io(format!("reading standard input: {e}"))),
        };
        let status = pipeline.feed(&buf[..n]).map_err(|e| Failure::Stream(format!("{e} [{}]", e.code())))?;
        if require_signature && status == Status::Complete && pipeline.report().signature.is_none() {
            return Err(Failure::Stream("the message is not signed [signature.required]".to_owned()));
        }
        stdout.write_all(&buf[..n]).map_err(|e| Failure::Io(format!("writing standard output: {e}")))?;
    }
    stdout.flush().map_err(|e| Failure::Io(format!("writing standard output: {e}")))?;
    pipeline.finish().map_err(|e| Failure::Stream(format!("{e} [{}]", e.code())))
}

fn print_stats(r: &StreamReport, bytes: u64, wall: std::time::Duration, checking: bool, error: Option<&str>) {
    let seconds = wall.as_secs_f64();
    let signature = match (&r.signature, checking, error) {
        (_, _, Some(e)) if e.contains("[signature.required]") => "unsigned",
        (_, _, Some(e)) if e.contains("[signature.") => "invalid",
        (Some(_), _, _) => "valid",
        (None, false, _) => "not_checked",
        (None, true, _) => "unsigned",
    };
    let level = kuvert::ServiceLevel::of(bytes, wall);
    let stats = Stats {
        ok: error.is_none(),
        bytes,
        seconds,
        mb_per_s: if seconds > 0.0 { bytes as f64 / 1e6 / seconds } else { 0.0 },
        peak_buffered_bytes: r.peak_buffered,
        signature,
        signer: r.signature.as_ref().and_then(|s| s.signer.clone()),
        service_level_applies: level.applies,
        service_level_met: level.met(),
        relates_to: r.relates_to.clone(),
        fault: r.fault.as_ref().map(|f| format!("{}: {}", f.0, f.1)),
        error: error.map(str::to_string),
    };
    eprintln!("{}", serde_json::to_string(&stats).unwrap_or_default());
}
