//! `kuvert sign`: sign a SOAP message (Timestamp, BinarySecurityToken, Signature),
//! or under the token model around an assertion (`--token`).

use std::path::PathBuf;
use std::process::ExitCode;

use kuvert::{sign_message, sign_token_request, Input, SignOptions, SigningKey, TokenSignOptions};

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
    /// Sign under the token model, carrying this assertion (as the STS issued it);
    /// `--key`/`--cert` are then its holder-of-key key and certificate.
    #[arg(long, value_name = "ASSERTION.xml")]
    token: Option<PathBuf>,
    /// The token binding (with `--token`).
    #[arg(long, value_enum, default_value = "lib-bas")]
    profile: crate::token::ProfileArg,
    /// `wsa:Action` to add when the message has none (with `--token`).
    #[arg(long, value_name = "URI")]
    action: Option<String>,
    /// `wsa:To` to add when the message has none (with `--token`).
    #[arg(long, value_name = "URI")]
    to: Option<String>,
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
    let token = match &args.token {
        Some(path) => Some(std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?),
        None => None,
    };
    let result =
        Input::new(&raw, &options.limits).map_err(|e| kuvert::SignError::Envelope(e.into())).and_then(|input| {
            match &token {
                Some(assertion) => {
                    let mut token_options = TokenSignOptions::new(args.profile.into());
                    token_options.ttl_seconds = args.ttl;
                    token_options.action = args.action.clone();
                    token_options.to = args.to.clone();
                    sign_token_request(&input, assertion, &key, now, &token_options)
                }
                None => sign_message(&input, &key, now, &options),
            }
        });
    match result {
        Ok(signed) => {
            crate::out::text(&signed)?;
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
