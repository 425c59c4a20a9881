//! `kuvert verify`: check a signed SOAP message or a signed document.

use std::path::PathBuf;
use std::process::ExitCode;

use kuvert::{CertificateIdentity, Input, SignedElement, VerifyError};
use serde::Serialize;

use crate::io::read_input;
use crate::trust::TrustArgs;

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    trust: TrustArgs,
    #[command(flatten)]
    token: crate::token::TokenArgs,
    /// The message or document; `-` or nothing for standard input.
    file: Option<PathBuf>,
}

#[derive(Serialize)]
pub struct Valid<'a, T: Serialize> {
    valid: bool,
    signed: Vec<Signed<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    signer: Option<Signer>,
    algorithms: Algorithms,
    #[serde(skip_serializing_if = "Option::is_none")]
    token: Option<T>,
}

#[derive(Serialize)]
pub struct Signed<'a> {
    ns: &'a str,
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<&'a str>,
}

#[derive(Serialize)]
pub struct Signer {
    subject: String,
    serial: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    cvr: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    fid: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    uid: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    uuid: Option<String>,
    sha256: String,
}

#[derive(Serialize)]
pub struct Algorithms {
    signature: &'static str,
    canonicalization: &'static str,
    digests: Vec<&'static str>,
}

#[derive(Serialize)]
struct Invalid {
    valid: bool,
    error: ErrorJson,
}

#[derive(Serialize)]
struct ErrorJson {
    kind: &'static str,
    message: String,
    offset: usize,
}

pub fn run(args: &Args) -> Result<ExitCode, String> {
    let raw = read_input(args.file.as_deref())?;
    if args.token.enabled() {
        return crate::token::verify(&args.token, &args.trust, &raw);
    }
    let verifier = args.trust.verifier()?;
    let at = args.trust.time()?;
    let limits = verifier.policy().limits;
    let input = match Input::new(&raw, &limits) {
        Ok(input) => input,
        Err(e) => return Ok(invalid(&VerifyError::from(e))),
    };
    let result = if is_soap(input.as_str()) {
        verifier.verify_message(&input, at).map(|v| {
            report(
                v.signed_elements(),
                v.signer(),
                (v.signature_algorithm(), v.canonicalization(), v.digest_algorithms()),
            )
        })
    } else {
        verifier.verify_document(&input, at).map(|v| {
            report(
                v.signed_elements(),
                v.signer(),
                (v.signature_algorithm(), v.canonicalization(), v.digest_algorithms()),
            )
        })
    };
    match result {
        Ok(json) => {
            crate::out::line(&json.to_string())?;
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => Ok(invalid(&e)),
    }
}

/// Whether the root element is a SOAP Envelope (by namespace).
fn is_soap(text: &str) -> bool {
    let limits = kuvert::Limits::default();
    match Input::new(text.as_bytes(), &limits) {
        Ok(input) => match kuvert::Envelope::parse(&input, &limits) {
            Ok(_) => true,
            Err(e) => !matches!(e, kuvert::EnvelopeError::Soap(s) if s.kind() == kuvert::SoapErrorKind::NotAnEnvelope),
        },
        Err(_) => true,
    }
}

pub type Algs<'s> = (kuvert::SignatureAlgorithm, kuvert::C14nMethod, &'s [kuvert::DigestAlgorithm]);

fn report(signed: &[SignedElement<'_>], signer: Option<&CertificateIdentity>, algs: Algs<'_>) -> String {
    report_with::<()>(signed, signer, algs, None)
}

/// The success JSON, with the token claims when there are some.
pub fn report_with<T: Serialize>(
    signed: &[SignedElement<'_>],
    signer: Option<&CertificateIdentity>,
    algs: Algs<'_>,
    token: Option<T>,
) -> String {
    let valid = Valid {
        valid: true,
        signed: signed.iter().map(|s| Signed { ns: s.name.ns, name: s.name.local, id: s.id.as_deref() }).collect(),
        signer: signer.map(signer_json),
        algorithms: Algorithms {
            signature: algs.0.uri(),
            canonicalization: algs.1.uri(),
            digests: algs.2.iter().map(|d| d.uri()).collect(),
        },
        token,
    };
    serde_json::to_string_pretty(&valid).unwrap_or_default()
}

pub fn signer_json(id: &CertificateIdentity) -> Signer {
    Signer {
        subject: id.subject.clone(),
        serial: id.serial.clone(),
        cvr: id.cvr.map(|c| c.to_string()),
        fid: id.fid.clone(),
        uid: id.uid.clone(),
        uuid: id.uuid.map(|u| u.to_string()),
        sha256: id.sha256_hex(),
    }
}

fn invalid(e: &VerifyError) -> ExitCode {
    invalid_with(e.code(), e.to_string(), e.offset())
}

/// Prints `{"valid": false, "error": ...}`; exit code 1.
pub fn invalid_with(kind: &'static str, message: String, offset: usize) -> ExitCode {
    let json = Invalid { valid: false, error: ErrorJson { kind, message, offset } };
    crate::out::line_then(&serde_json::to_string_pretty(&json).unwrap_or_default(), ExitCode::from(1))
}
