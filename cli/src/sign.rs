//! `kuvert sign`: sign a SOAP message (Timestamp, BinarySecurityToken, Signature).

use std::path::PathBuf;
use std::process::ExitCode;

use kuvert::{sign_message, Input, SignOptions, SigningKey};

use crate::io::read_input;
use crate::report::ErrorReport;

#[derive(clap::Args)]
pub struct Args {
    /// PKCS#8 private key (PEM): RSA, ECDSA P-256 or P-384.
    #[arg(long, value_name = "PEM")]
    key: PathBuf,
    /// The key's certificate (PEM).
    #[arg(long, value_name = "PEM")]
    cert: PathBuf,
    /// Lifetime of the Timestamp in seconds.
    #[arg(long, default_value_t = 300)]
    ttl: u32,
    /// Signing time, RFC 3339 (default: now).
    #[arg(long, value_name = "RFC3339")]
    at: Option<String>,
    /// The message; `-` or nothing for standard input.
    file: Option<PathBuf>,
}

pub fn run(args: &Args) -> Result<ExitCode, String> {
    let key_pem = std::fs::read(&args.key).map_err(|e| format!("cannot read {}: {e}", args.key.display()))?;
    let cert_pem = std::fs::read(&args.cert).map_err(|e| format!("cannot read {}: {e}", args.cert.display()))?;
    let key = SigningKey::from_pem(&key_pem, &cert_pem).map_err(|e| format!("key/certificate: {e}"))?;
    let raw = read_input(args.file.as_deref())?;
    let now = match &args.at {
        Some(t) => kuvert::UtcTime::parse(t).map_err(|e| format!("--at {t}: {e}"))?,
        None => crate::trust::now(),
    };
    let options = SignOptions { ttl_seconds: args.ttl, ..SignOptions::default() };
    let result = Input::new(&raw, &options.limits)
        .map_err(|e| kuvert::SignError::Envelope(e.into()))
        .and_then(|input| sign_message(&input, &key, now, &options));
    match result {
        Ok(signed) => {
            print!("{signed}");
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            let offset = match e {
                kuvert::SignError::Envelope(env) => env.offset(),
                kuvert::SignError::AlreadySigned(at) => at,
                _ => 0,
            };
            ErrorReport::new(e.code(), e.to_string(), &raw, offset).print();
            Ok(ExitCode::from(1))
        }
    }
}
