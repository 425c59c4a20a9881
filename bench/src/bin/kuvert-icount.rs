//! `kuvert-icount CASE ITERATIONS`: runs one hot path ITERATIONS times after
//! its setup, for instruction counting under callgrind (`bench/icount/gate`).
//! The gate runs each case twice with different iteration counts and divides
//! the difference, so setup costs cancel out. Without arguments it lists the
//! cases.

use std::hint::black_box;
use std::process::ExitCode;

use kuvert::{
    audit_channel, canonicalize_document, sign_message, C14nMethod, Call, CallerCertificate, Credentials, Envelope,
    Environment, FaultBuilder, Input, InvocationIds, Limits, SignOptions, SoapVersion, StandardCode, TrustAnchors,
    UtcTime, Uuid, Verifier, VerifyPolicy,
};
use kuvert_bench::load::{self, Gateway, WorldOptions};

const REQUEST: &str =
    include_str!("../../../corpus/messages/invocation-context/cpr-person-lookup-ws-security.request.xml");
const CASES: [&str; 10] = [
    "envelope_parse",
    "c14n_exclusive",
    "signature_verify",
    "token_verify_recurring",
    "token_verify_fresh",
    "authorize",
    "fault_build",
    "pipeline_ic_lookup",
    "pipeline_token_round_trip",
    "stream_records",
];

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(case), Some(n)) = (args.first(), args.get(1).and_then(|n| n.parse::<u64>().ok())) else {
        println!("{}", CASES.join("\n"));
        return ExitCode::SUCCESS;
    };
    match run(case, n) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("kuvert-icount: {e}");
            ExitCode::from(2)
        }
    }
}

fn run(case: &str, n: u64) -> Result<(), String> {
    let world =
        WorldOptions { large_sizes: vec![64 << 10], complex_bytes: 16 << 10, token_pool: 64, ..Default::default() };
    let at = world.epoch;
    let limits = Limits::default();
    match case {
        "envelope_parse" => repeat(n, |_| {
            let input = Input::new(REQUEST.as_bytes(), &limits).map_err(|e| e.to_string())?;
            Envelope::parse(&input, &limits).map(|e| e.header_blocks().len()).map_err(|e| e.to_string())
        }),
        "c14n_exclusive" => repeat(n, |_| {
            let input = Input::new(REQUEST.as_bytes(), &limits).map_err(|e| e.to_string())?;
            let out = canonicalize_document(&input, C14nMethod::Exclusive, &[], &limits, Vec::with_capacity(8192));
            out.map(|o| o.len()).map_err(|e| e.to_string())
        }),
        "signature_verify" => signature_verify(n, at),
        "stream_records" => stream_records(n, at),
        "authorize" => authorize(n, at),
        "fault_build" => repeat(n, |i| {
            let call = Uuid::new_v4([i as u8; 16]);
            let fault = FaultBuilder::new(SoapVersion::Soap11, StandardCode::Sender, "Adgang nægtet")
                .error("SP-1001", "Der findes ingen gyldig serviceaftale <TEST ONLY>")
                .call(call, at)
                .to_xml();
            Ok(fault.len())
        }),
        "token_verify_recurring" | "token_verify_fresh" | "pipeline_ic_lookup" | "pipeline_token_round_trip" => {
            pipeline(case, n, &world)
        }
        other => Err(format!("unknown case {other}; run without arguments for the list")),
    }
}

fn repeat(n: u64, mut f: impl FnMut(u64) -> Result<usize, String>) -> Result<(), String> {
    icount_measured_region(n, &mut f)
}

/// The only code callgrind counts (`--toggle-collect=*icount_measured_region*`):
/// setup, which signs with randomized RSA blinding, stays out of the figure.
#[inline(never)]
fn icount_measured_region(n: u64, f: &mut dyn FnMut(u64) -> Result<usize, String>) -> Result<(), String> {
    for i in 0..n {
        black_box(f(i)?);
    }
    Ok(())
}

fn signature_verify(n: u64, at: UtcTime) -> Result<(), String> {
    let limits = Limits::default();
    let plain = include_str!("../../../corpus/messages/invocation-context/cpr-person-lookup.request.xml");
    let input = Input::new(plain.as_bytes(), &limits).map_err(|e| e.to_string())?;
    let key = load::answer_signer();
    let signed = sign_message(&input, &key, at, &SignOptions::default()).map_err(|e| e.to_string())?;
    let mut anchors = TrustAnchors::new();
    anchors.add_der(include_bytes!("../../../corpus/pki/oces2-root.der")).map_err(|e| e.to_string())?;
    let mut verifier = Verifier::new(anchors, VerifyPolicy::default());
    verifier.add_intermediate(include_bytes!("../../../corpus/pki/oces2-ca.der"));
    repeat(n, |_| {
        let input = Input::new(signed.as_bytes(), &limits).map_err(|e| e.to_string())?;
        verifier.verify_message(&input, at).map(|v| v.signed_elements().len()).map_err(|e| e.to_string())
    })
}

/// A signed record-heavy answer of about 256 KB (many small elements)
/// checked through the streaming verifier in 64 KiB chunks, as the load
/// harness checks large answers.
fn stream_records(n: u64, at: UtcTime) -> Result<(), String> {
    let text = kuvert_corpus::large::records_response(256 << 10);
    let limits = load::response_limits(text.len() + (64 << 10));
    let input = Input::new(text.as_bytes(), &limits).map_err(|e| e.to_string())?;
    let options = SignOptions { limits, ..SignOptions::default() };
    let signed = sign_message(&input, &load::answer_signer(), at, &options).map_err(|e| e.to_string())?;
    let mut anchors = TrustAnchors::new();
    anchors.add_der(include_bytes!("../../../corpus/pki/oces2-root.der")).map_err(|e| e.to_string())?;
    let policy = VerifyPolicy { limits: load::response_limits(signed.len()), ..VerifyPolicy::default() };
    let mut verifier = Verifier::new(anchors, policy);
    verifier.add_intermediate(include_bytes!("../../../corpus/pki/oces2-ca.der"));
    let verifier = std::sync::Arc::new(verifier);
    repeat(n, |_| {
        let stats = load::check_response(signed.as_bytes(), Some(&verifier), at)?;
        Ok(stats.bytes as usize)
    })
}

fn authorize(n: u64, at: UtcTime) -> Result<(), String> {
    let registry = load::registry()?;
    let cert = CallerCertificate::from_der(&kuvert_corpus::sts::pem_der(include_bytes!(
        "../../../corpus/keys/test-only-system.cert.pem"
    )))
    .map_err(|e| e.to_string())?;
    let uuid = |s: &str| Uuid::parse_lower(s).map_err(|e| e.to_string());
    let ids = InvocationIds {
        service_agreement: uuid("c944b0f8-c43d-4638-b048-918d9f2e18b5")?,
        user_system: uuid("0afcc9ff-1d08-4af1-833d-cdeba89d6d4f")?,
        user: uuid("09a821f7-16a6-4f05-a480-f89e8c39219b")?,
        service: uuid("a10c463a-500b-42e5-822d-06281c81119a")?,
    };
    repeat(n, |_| {
        let credentials = Credentials::InvocationContext { certificate: &cert, ids };
        let call = Call::new(Environment::Test, "/service/CPR/PersonBaseDataExtended/5", at, credentials);
        registry.authorize(&call).map(|a| a.agreement.services.len()).map_err(|d| d.code().to_owned())
    })
}

fn pipeline(case: &str, n: u64, world: &WorldOptions) -> Result<(), String> {
    let scenarios = load::scenarios(world)?;
    let (audit, drain) = audit_channel(1 << 16);
    let fresh = case == "token_verify_fresh";
    let gateway = Gateway::new(audit, if fresh { 0 } else { 64 }, 1 << 20)?;
    let name = if case == "pipeline_ic_lookup" { "ic-lookup" } else { "token-search" };
    let mut scenario = scenarios.into_iter().find(|s| s.name == name).ok_or("no scenario")?;
    if fresh {
        scenario.requests = std::sync::Arc::new(load::token_requests(world, load::TokenAssertions::Fresh, "4"));
    }
    let scenario = &scenario;
    let result = repeat(n, |i| {
        let at = world.epoch.add_millis(i as i64);
        match case {
            "token_verify_recurring" | "token_verify_fresh" => {
                gateway.admit(scenario, i, at).map(|o| o.response_bytes as usize)
            }
            _ => gateway.call(scenario, i, at).map(|o| o.response_bytes as usize),
        }
    });
    drop(gateway);
    drain.run(std::io::sink()).map_err(|e| e.to_string())?;
    result
}
