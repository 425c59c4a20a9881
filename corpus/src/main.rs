//! `kuvert-corpus`: generates large SOAP messages for benchmarks and tests.
//!
//! ```text
//! kuvert-corpus large --kind records|base64 --size 50M [--out FILE]
//! kuvert-corpus assertion [--at RFC3339] [--audience URI] [--cvr CVR]
//! kuvert-corpus token-request [--soap12] [--criteria N]
//! ```
//!
//! The message goes to standard output unless `--out` names a file. Sizes
//! take K, M or G suffixes (binary multiples). Output is deterministic for a
//! given kind and size, and every CPR number in it is fictitious.

use std::io::Write;
use std::process::ExitCode;

use kuvert_corpus::{large, parse_size, sts};

const USAGE: &str = "usage: kuvert-corpus large --kind records|base64 --size SIZE [--out FILE]

  --kind records   a CPR-style list response: many small person records
  --kind base64    one inline base64 document (76-character lines)
  --size SIZE      minimum size in bytes; K, M, G suffixes (binary: 50M = 50 MiB)
  --out FILE       write to FILE instead of standard output

usage: kuvert-corpus assertion [--at RFC3339] [--audience URI] [--cvr CVR]

  a SAML 2.0 holder-of-key assertion for the TEST ONLY system certificate
  (corpus/keys/test-only-system.*), issued and signed by the TEST ONLY STS
  (corpus/keys/test-only-sts.*), valid 8 hours from --at (default: now)

usage: kuvert-corpus token-request [--soap12] [--criteria N]

  an unsigned LIB-BAS (SOAP 1.1) or OIO-IDWS (SOAP 1.2) OrganisationEnhed soeg
  request with a random MessageID, for `kuvert sign --token`";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Records,
    Base64,
}

struct Args {
    kind: Kind,
    size: usize,
    out: Option<String>,
}

fn parse_args(args: &[String]) -> Result<Args, String> {
    let (command, rest) = args.split_first().ok_or("missing command")?;
    if command != "large" {
        return Err(format!("unknown command {command:?}"));
    }
    let (mut kind, mut size, mut out) = (None, None, None);
    let mut it = rest.iter();
    while let Some(flag) = it.next() {
        let (name, inline) = match flag.split_once('=') {
            Some((n, v)) => (n, Some(v.to_owned())),
            None => (flag.as_str(), None),
        };
        let mut value = || inline.clone().or_else(|| it.next().cloned()).ok_or(format!("{name} needs a value"));
        match name {
            "--kind" => {
                kind = Some(match value()?.as_str() {
                    "records" => Kind::Records,
                    "base64" => Kind::Base64,
                    other => return Err(format!("unknown kind {other:?} (records or base64)")),
                })
            }
            "--size" => size = Some(parse_size(&value()?)?),
            "--out" | "-o" => out = Some(value()?),
            other => return Err(format!("unknown option {other:?}")),
        }
    }
    Ok(Args { kind: kind.ok_or("--kind is required")?, size: size.ok_or("--size is required")?, out })
}

fn run(args: &Args) -> Result<(), String> {
    let message = match args.kind {
        Kind::Records => large::records_response(args.size),
        Kind::Base64 => large::base64_response(args.size),
    };
    match &args.out {
        Some(path) => std::fs::write(path, message.as_bytes()).map_err(|e| format!("cannot write {path}: {e}")),
        None => {
            let mut stdout = std::io::stdout().lock();
            stdout.write_all(message.as_bytes()).and_then(|()| stdout.flush()).map_err(|e| e.to_string())
        }
    }
}

/// `assertion` and `token-request`: TEST ONLY token-model material.
fn token_command(args: &[String]) -> Result<String, String> {
    let mut it = args[1..].iter();
    let mut req = sts::AssertionRequest::for_test_system(now());
    let (mut soap12, mut criteria) = (false, 30);
    while let Some(flag) = it.next() {
        let mut value = || it.next().cloned().ok_or(format!("{flag} needs a value"));
        match (args[0].as_str(), flag.as_str()) {
            ("assertion", "--at") => {
                req.issued = kuvert::UtcTime::parse(&value()?).map_err(|e| format!("--at: {e}"))?
            }
            ("assertion", "--audience") => req.audience = value()?,
            ("assertion", "--cvr") => {
                let cvr = value()?;
                req.privileges = vec![(cvr.clone(), vec![sts::TEST_PRIVILEGE.to_owned()])];
                req.cvr = cvr;
            }
            ("token-request", "--soap12") => soap12 = true,
            ("token-request", "--criteria") => criteria = value()?.parse().map_err(|_| "--criteria: a number")?,
            (_, other) => return Err(format!("unknown option {other:?}")),
        }
    }
    Ok(match (args[0].as_str(), soap12) {
        ("assertion", _) => sts::TestSts::test_only().issue(&req),
        (_, false) => sts::token_request_soap11(criteria, &random_message_id()),
        (_, true) => sts::token_request_soap12(criteria, &random_message_id()),
    })
}

fn now() -> kuvert::UtcTime {
    let since = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    kuvert::UtcTime::from_unix_millis(since.as_millis() as i64)
}

/// A `urn:uuid:` from the process's random hasher state (good enough for a test message).
fn random_message_id() -> String {
    use std::hash::BuildHasher;
    let r = std::collections::hash_map::RandomState::new();
    let (a, b) = (r.hash_one(1u8), r.hash_one(2u8));
    let bytes: Vec<u8> = a.to_le_bytes().into_iter().chain(b.to_le_bytes()).collect();
    let mut raw = [0u8; 16];
    raw.copy_from_slice(&bytes);
    format!("urn:uuid:{}", kuvert::Uuid::new_v4(raw))
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "-h" || a == "--help") {
        println!("{USAGE}");
        return ExitCode::SUCCESS;
    }
    if matches!(args.first().map(String::as_str), Some("assertion" | "token-request")) {
        return match token_command(&args) {
            Ok(text) => {
                print!("{text}");
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("kuvert-corpus: {e}\n\n{USAGE}");
                ExitCode::from(2)
            }
        };
    }
    let parsed = match parse_args(&args) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("kuvert-corpus: {e}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match run(&parsed) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("kuvert-corpus: {e}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_owned).collect()
    }

    #[test]
    fn arguments() {
        let a = parse_args(&args("large --kind records --size 50M")).unwrap();
        assert_eq!((a.kind, a.size, a.out), (Kind::Records, 50 << 20, None));
        let a = parse_args(&args("large --size=2K --kind=base64 --out /tmp/x.xml")).unwrap();
        assert_eq!((a.kind, a.size, a.out.as_deref()), (Kind::Base64, 2048, Some("/tmp/x.xml")));
        for bad in [
            "",
            "small --kind records --size 1K",
            "large --kind xml --size 1K",
            "large --kind records",
            "large --size 1K",
            "large --kind records --size",
            "large --kind records --size 1K --frob",
        ] {
            assert!(parse_args(&args(bad)).is_err(), "{bad:?}");
        }
    }
}
