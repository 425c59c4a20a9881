//! `kuvert-compare CASE`: kuvert and libxmlsec1 on the same signed message in
//! one process, alternating, and the median rate of each over several runs.
//! Driven by `bench/compare`, which also measures peak memory per tool.
//!
//! Cases: `request-5k` (a signed InvocationContext request), `token-12k` (a
//! KombitToken request with a fresh assertion), `response-SIZE` (a signed
//! base64-heavy answer of SIZE, e.g. `response-10M`), `records-SIZE` (a signed
//! record-heavy answer). `--write DIR` stores the message and the signer's
//! certificate instead; `--from FILE --cert PEM --only xmlsec` verifies a
//! stored message once (for `/usr/bin/time`).
//!
//! What each side does per message. kuvert: for `request-5k`,
//! `response-SIZE` and `records-SIZE` the load harness's answer check
//! (signature with every reference, certificate chain to the TEST ONLY root);
//! for `token-12k` the gateway's whole admission (assertion signature and STS
//! check, holder-of-key message signature, chain checks, replay check,
//! service-agreement decision). libxmlsec1: for the signed cases, parse,
//! register IDs and verify the one signature with the signer's certificate
//! preloaded; for `token-12k`, both signatures a gateway on libxmlsec1 must
//! verify (`Xmlsec::verify_token`: the assertion's with the preloaded STS
//! certificate, then the message's, every reference included, with the
//! holder-of-key certificate taken from the assertion, the STR-Transform
//! reference through the peer's own transform). `token-12k-assertion-only` is
//! the earlier, smaller peer check for reference: the same message and kuvert
//! side, libxmlsec1 verifying only the assertion's signature.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use clap::Parser;
use kuvert::{sign_message, Input, SignOptions, TrustAnchors, UtcTime, Verifier, VerifyPolicy};
use kuvert_bench::load::{self, Gateway, TokenAssertions, WorldOptions};
use kuvert_bench::xmlsec::Xmlsec;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

const LEAF: &[u8] = include_bytes!("../../../corpus/pki/oces2-leaf.der");
const CA: &[u8] = include_bytes!("../../../corpus/pki/oces2-ca.der");
const ROOT: &[u8] = include_bytes!("../../../corpus/pki/oces2-root.der");

#[derive(Parser)]
#[command(about = "kuvert side by side with libxmlsec1 on one signed message")]
struct Args {
    /// request-5k | token-12k | token-12k-assertion-only | response-SIZE | records-SIZE
    case: Option<String>,
    /// Runs per tool (the median is reported).
    #[arg(long, default_value_t = 5)]
    runs: usize,
    /// Seconds per run (at least one verification per run).
    #[arg(long, default_value_t = 1.0)]
    seconds: f64,
    /// Only this tool: kuvert or xmlsec.
    #[arg(long)]
    only: Option<String>,
    /// Write the message and certificate to DIR and exit.
    #[arg(long, value_name = "DIR")]
    write: Option<PathBuf>,
    /// Verify this stored message once (with --cert and --only xmlsec).
    #[arg(long, value_name = "FILE")]
    from: Option<PathBuf>,
    #[arg(long, value_name = "PEM")]
    cert: Option<PathBuf>,
}

/// kuvert's check of a message (the number tells calls apart).
type Check = Box<dyn Fn(&[u8], u64) -> bool>;

/// What libxmlsec1 checks.
#[derive(Clone, Copy)]
enum PeerCheck {
    /// The first signature in document order (`Xmlsec::verify`).
    FirstSignature,
    /// Both signatures of a holder-of-key token request (`Xmlsec::verify_token`).
    Token,
}

/// One case: the message, the PEM the peer trusts, kuvert's check and the peer's.
struct Case {
    message: Vec<u8>,
    peer_cert: String,
    kuvert: Check,
    peer: PeerCheck,
}

impl Case {
    fn peer_verifies(&self, peer: &Xmlsec) -> bool {
        match self.peer {
            PeerCheck::FirstSignature => peer.verify(&self.message),
            PeerCheck::Token => peer.verify_token(&self.message),
        }
    }
}

fn main() -> ExitCode {
    match run(&Args::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("kuvert-compare: {e}");
            ExitCode::from(2)
        }
    }
}

fn run(args: &Args) -> Result<(), String> {
    if let Some(file) = &args.from {
        return verify_stored(file, args.cert.as_ref().ok_or("--from needs --cert")?);
    }
    let name = args
        .case
        .as_deref()
        .ok_or("name a case: request-5k, token-12k, token-12k-assertion-only, response-SIZE, records-SIZE")?;
    let case = build(name)?;
    if let Some(dir) = &args.write {
        std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
        let write =
            |file: String, bytes: &[u8]| std::fs::write(dir.join(&file), bytes).map_err(|e| format!("{file}: {e}"));
        write(format!("{name}.xml"), &case.message)?;
        write(format!("{name}.peer.pem"), case.peer_cert.as_bytes())?;
        write("ca.pem".to_owned(), kuvert_bench::certificate_pem(CA).as_bytes())?;
        return write("root.pem".to_owned(), kuvert_bench::certificate_pem(ROOT).as_bytes());
    }
    compare(name, &case, args)
}

fn compare(name: &str, case: &Case, args: &Args) -> Result<(), String> {
    let peer = match args.only.as_deref() {
        Some("kuvert") => None,
        _ => Some(peer(&case.peer_cert)?),
    };
    if !(case.kuvert)(&case.message, 0) {
        return Err(format!("{name}: kuvert does not verify the message"));
    }
    if peer.as_ref().is_some_and(|p| !case.peer_verifies(p)) {
        return Err(format!("{name}: libxmlsec1 does not verify the message"));
    }
    let seconds = Duration::from_secs_f64(args.seconds);
    let (mut ours, mut theirs) = (Vec::new(), Vec::new());
    let mut seq = 1;
    for _ in 0..args.runs.max(1) {
        if args.only.as_deref() != Some("xmlsec") {
            ours.push(rate(seconds, || {
                seq += 1;
                (case.kuvert)(&case.message, seq)
            })?);
        }
        if let Some(p) = &peer {
            theirs.push(rate(seconds, || case.peer_verifies(p))?);
        }
    }
    let (k, x) = (median(&mut ours), median(&mut theirs));
    let mb = case.message.len() as f64 / 1e6;
    println!(
        "{}",
        serde_json::json!({
            "case": name, "bytes": case.message.len(), "runs": args.runs,
            "kuvert_per_s": k, "xmlsec_per_s": x, "kuvert_mb_s": k.map(|k| k * mb),
            "xmlsec_mb_s": x.map(|x| x * mb), "ratio": k.zip(x).map(|(k, x)| k / x),
        })
    );
    Ok(())
}

fn rate(seconds: Duration, mut f: impl FnMut() -> bool) -> Result<f64, String> {
    let start = Instant::now();
    let mut n = 0u64;
    while n == 0 || start.elapsed() < seconds {
        if !f() {
            return Err("a verification failed during the run".to_owned());
        }
        n += 1;
    }
    Ok(n as f64 / start.elapsed().as_secs_f64())
}

fn median(v: &mut [f64]) -> Option<f64> {
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied()
}

fn peer(cert_pem: &str) -> Result<Xmlsec, String> {
    let path = std::env::temp_dir().join(format!("kuvert-compare-{}.pem", std::process::id()));
    std::fs::write(&path, cert_pem).map_err(|e| e.to_string())?;
    let peer = Xmlsec::init(&path);
    let _ = std::fs::remove_file(&path);
    peer.ok_or_else(|| "the libxmlsec1 peer is not built (apt-get install libxmlsec1-dev pkg-config)".to_owned())
}

fn verify_stored(file: &PathBuf, cert: &PathBuf) -> Result<(), String> {
    let message = std::fs::read(file).map_err(|e| format!("{}: {e}", file.display()))?;
    let pem = std::fs::read_to_string(cert).map_err(|e| format!("{}: {e}", cert.display()))?;
    match peer(&pem)?.verify(&message) {
        true => Ok(()),
        false => Err("libxmlsec1 does not verify the message".to_owned()),
    }
}

fn epoch() -> UtcTime {
    WorldOptions::default().epoch
}

fn build(name: &str) -> Result<Case, String> {
    let leaf_pem = kuvert_bench::certificate_pem(LEAF);
    match name {
        "request-5k" => {
            let plain = include_str!("../../../corpus/messages/invocation-context/cpr-person-lookup.request.xml");
            signed_case(plain.to_owned(), leaf_pem)
        }
        "token-12k" => token_case(PeerCheck::Token),
        "token-12k-assertion-only" => token_case(PeerCheck::FirstSignature),
        _ => {
            let (kind, size) = name.split_once('-').ok_or(format!("unknown case {name}"))?;
            let size = kuvert_corpus::parse_size(size)?;
            let text = match kind {
                "response" => kuvert_corpus::large::base64_response(size),
                "records" => kuvert_corpus::large::records_response(size),
                _ => return Err(format!("unknown case {name}")),
            };
            signed_case(text, leaf_pem)
        }
    }
}

/// `text` signed with the TEST ONLY OCES2 leaf; kuvert checks it the way the
/// load harness checks answers (chain to the TEST ONLY root).
fn signed_case(text: String, peer_cert: String) -> Result<Case, String> {
    let limits = load::response_limits(text.len() + (64 << 10));
    let input = Input::new(text.as_bytes(), &limits).map_err(|e| e.to_string())?;
    let options = SignOptions { limits, ..SignOptions::default() };
    let signed = sign_message(&input, &load::answer_signer(), epoch(), &options).map_err(|e| e.to_string())?;
    let mut anchors = TrustAnchors::new();
    anchors.add_der(ROOT).map_err(|e| e.to_string())?;
    let policy = VerifyPolicy { limits: load::response_limits(signed.len()), ..VerifyPolicy::default() };
    let mut verifier = Verifier::new(anchors, policy);
    verifier.add_intermediate(CA);
    let verifier = std::sync::Arc::new(verifier);
    let kuvert = move |m: &[u8], _: u64| load::check_response(m, Some(&verifier), epoch()).is_ok();
    Ok(Case { message: signed.into_bytes(), peer_cert, kuvert: Box::new(kuvert), peer: PeerCheck::FirstSignature })
}

/// A token request (13 KB) with a fresh assertion each call. kuvert admits it
/// as the gateway does: both signatures, the chain checks, the replay check
/// and the service-agreement decision. With `PeerCheck::Token` libxmlsec1
/// verifies both signatures: the assertion's with the STS certificate
/// (preloaded), then the message's nine references (Timestamp, the
/// STR-Transform one, Body, the WS-Addressing and liberty headers, the
/// assertion) and its RSA-SHA256 value with the holder-of-key certificate it
/// takes from the assertion each call; it does no chain, replay or policy
/// work. With `PeerCheck::FirstSignature` (case `token-12k-assertion-only`) it
/// verifies only the assertion's signature, the earlier, unequal comparison.
fn token_case(peer: PeerCheck) -> Result<Case, String> {
    let world = WorldOptions { token_pool: 256, large_sizes: vec![], ..WorldOptions::default() };
    let scenarios = load::scenarios(&world)?;
    let mut scenario = scenarios.into_iter().find(|s| s.name == "token-search").ok_or("no token scenario")?;
    scenario.requests = std::sync::Arc::new(load::token_requests(&world, TokenAssertions::Fresh, "3"));
    let message = scenario.requests[0].clone();
    let (audit, drain) = kuvert::audit_channel(4096);
    std::thread::spawn(move || drain.run(std::io::sink()));
    let gateway = Gateway::new(audit, 0, 1 << 20)?;
    let sts_pem = kuvert_bench::certificate_pem(kuvert_corpus::sts::TestSts::test_only().certificate());
    let kuvert = move |_: &[u8], seq: u64| gateway.admit(&scenario, seq, world.epoch).is_ok();
    Ok(Case { message, peer_cert: sts_pem, kuvert: Box::new(kuvert), peer })
}
