//! Shared verification options: trust anchors, intermediates, time, SHA-1.

use std::path::PathBuf;

use kuvert::{TrustAnchors, UtcTime, Verifier, VerifyPolicy};

#[derive(clap::Args, Clone, Debug)]
pub struct TrustArgs {
    /// PEM file with trust anchors: CA certificates, or a self-signed leaf to pin (repeatable).
    #[arg(long = "trust", value_name = "PEM")]
    pub trust: Vec<PathBuf>,
    /// PEM file with issuing CA certificates offered for path building (repeatable).
    #[arg(long = "intermediate", value_name = "PEM")]
    pub intermediates: Vec<PathBuf>,
    /// Verification time, RFC 3339 (default: now).
    #[arg(long, value_name = "RFC3339")]
    pub at: Option<String>,
    /// Also accept RSA-SHA1 signatures and SHA-1 digests (legacy senders).
    #[arg(long)]
    pub allow_sha1: bool,
    /// Smallest accepted RSA key in bits (legacy test vectors use 1024).
    #[arg(long, default_value_t = kuvert::CertificatePolicy::default().min_rsa_bits, value_name = "BITS")]
    pub min_rsa_bits: usize,
}

impl Default for TrustArgs {
    fn default() -> Self {
        TrustArgs {
            trust: Vec::new(),
            intermediates: Vec::new(),
            at: None,
            allow_sha1: false,
            min_rsa_bits: kuvert::CertificatePolicy::default().min_rsa_bits,
        }
    }
}

impl TrustArgs {
    /// A verifier for these options.
    pub fn verifier(&self) -> Result<Verifier, String> {
        let mut anchors = TrustAnchors::new();
        for path in &self.trust {
            let pem = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            anchors.add_pem(&pem).map_err(|e| format!("{}: {e}", path.display()))?;
        }
        let mut policy = VerifyPolicy::default();
        if self.allow_sha1 {
            policy = policy.allow_sha1();
        }
        policy.certificates.min_rsa_bits = self.min_rsa_bits;
        let mut verifier = Verifier::new(anchors, policy);
        for path in &self.intermediates {
            let pem = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            for der in pem_certificates(&pem) {
                verifier.add_intermediate(&der);
            }
        }
        Ok(verifier)
    }

    /// The verification time.
    pub fn time(&self) -> Result<UtcTime, String> {
        match &self.at {
            Some(t) => UtcTime::parse(t).map_err(|e| format!("--at {t}: {e}")),
            None => Ok(now()),
        }
    }
}

/// The current time from the system clock.
pub fn now() -> UtcTime {
    let since = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    UtcTime::from_unix_millis(i64::try_from(since.as_millis()).unwrap_or(i64::MAX))
}

/// Every CERTIFICATE block of a PEM text, decoded.
pub fn pem_certificates(pem: &[u8]) -> Vec<Vec<u8>> {
    let text = String::from_utf8_lossy(pem);
    let mut out = Vec::new();
    let mut rest = text.as_ref();
    while let Some(start) = rest.find("-----BEGIN CERTIFICATE-----") {
        let body = &rest[start + 27..];
        let Some(end) = body.find("-----END CERTIFICATE-----") else { break };
        let b64: String = body[..end].chars().filter(|c| !c.is_whitespace()).collect();
        if let Ok(der) = base64_decode(&b64) {
            out.push(der);
        }
        rest = &body[end..];
    }
    out
}

fn base64_decode(s: &str) -> Result<Vec<u8>, ()> {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let mut acc = 0u32;
    let mut bits = 0;
    for c in s.bytes().filter(|&c| c != b'=') {
        let v = ALPHABET.iter().position(|&a| a == c).ok_or(())? as u32;
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    Ok(out)
}
