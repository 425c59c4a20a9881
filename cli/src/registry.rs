//! `kuvert registry`: check a registry file; print a certificate's registry entry.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use kuvert::{AgreementState, CallerCertificate, Registry};
use serde::Serialize;

#[derive(clap::Subcommand)]
pub enum Command {
    /// Check a registry file: every entry, reference and rule.
    ///
    /// Exit 0 with counts on stdout; 1 with the first problem (code, JSON
    /// path, message) when the registry is refused; 2 for I/O errors.
    Check {
        /// The registry JSON.
        file: PathBuf,
    },
    /// Print the `certificates` entry of each certificate in a PEM file
    /// (serial, issuer, sha256), to paste into a system of the registry.
    Cert {
        /// PEM file with one or more certificates.
        pem: PathBuf,
    },
}

#[derive(Serialize)]
struct Counts {
    valid: bool,
    systems: usize,
    authorities: usize,
    services: usize,
    agreements: usize,
    approved: usize,
    connections: usize,
}

#[derive(Serialize)]
struct Refused<'a> {
    valid: bool,
    error: ErrorJson<'a>,
}

#[derive(Serialize)]
struct ErrorJson<'a> {
    code: &'static str,
    path: &'a str,
    message: String,
}

#[derive(Serialize)]
pub struct CertEntry {
    pub serial: String,
    pub issuer: String,
    pub sha256: String,
}

pub fn run(command: &Command) -> Result<ExitCode, String> {
    match command {
        Command::Check { file } => check(file),
        Command::Cert { pem } => cert(pem),
    }
}

fn check(file: &Path) -> Result<ExitCode, String> {
    let json = std::fs::read(file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
    match Registry::from_json(&json) {
        Ok(r) => {
            let counts = Counts {
                valid: true,
                systems: r.systems().len(),
                authorities: r.authorities().len(),
                services: r.services().len(),
                agreements: r.agreements().len(),
                approved: r.agreements().iter().filter(|a| a.state == AgreementState::Approved).count(),
                connections: r.connections().len(),
            };
            crate::out::line(&serde_json::to_string_pretty(&counts).map_err(|e| e.to_string())?)?;
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            let error = ErrorJson { code: e.code(), path: e.path(), message: e.kind().to_string() };
            let json = serde_json::to_string_pretty(&Refused { valid: false, error }).map_err(|e| e.to_string())?;
            crate::out::line(&json.to_string())?;
            Ok(ExitCode::from(1))
        }
    }
}

fn cert(pem: &Path) -> Result<ExitCode, String> {
    let text = std::fs::read(pem).map_err(|e| format!("cannot read {}: {e}", pem.display()))?;
    let ders = crate::trust::pem_certificates(&text);
    if ders.is_empty() {
        return Err(format!("{}: no CERTIFICATE block", pem.display()));
    }
    let mut entries = Vec::new();
    for der in ders {
        let c = CallerCertificate::from_der(&der).map_err(|e| format!("{}: {e}", pem.display()))?;
        entries.push(cert_entry(&c));
    }
    crate::out::line(&serde_json::to_string_pretty(&entries).map_err(|e| e.to_string())?)?;
    Ok(ExitCode::SUCCESS)
}

pub fn cert_entry(c: &CallerCertificate) -> CertEntry {
    let hex = |b: &[u8]| b.iter().map(|x| format!("{x:02x}")).collect::<String>();
    CertEntry { serial: hex(c.serial()), issuer: c.issuer().to_owned(), sha256: hex(c.sha256()) }
}

/// Reads and checks a registry; the error names the file and the JSON path.
pub fn load(file: &Path) -> Result<Registry, String> {
    let json = std::fs::read(file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
    Registry::from_json(&json).map_err(|e| format!("{}: {e} [{}]", file.display(), e.code()))
}
