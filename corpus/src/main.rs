//! `kuvert-corpus`: generates large SOAP messages for benchmarks and tests.
//!
//! ```text
//! kuvert-corpus large --kind records|base64 --size 50M [--out FILE]
//! ```
//!
//! The message goes to standard output unless `--out` names a file. Sizes
//! take K, M or G suffixes (binary multiples). Output is deterministic for a
//! given kind and size, and every CPR number in it is fictitious.

use std::io::Write;
use std::process::ExitCode;

use kuvert_corpus::{large, parse_size};

const USAGE: &str = "usage: kuvert-corpus large --kind records|base64 --size SIZE [--out FILE]

  --kind records   a CPR-style list response: many small person records
  --kind base64    one inline base64 document (76-character lines)
  --size SIZE      minimum size in bytes; K, M, G suffixes (binary: 50M = 50 MiB)
  --out FILE       write to FILE instead of standard output";

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

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "-h" || a == "--help") {
        println!("{USAGE}");
        return ExitCode::SUCCESS;
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
