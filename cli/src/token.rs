//! The token model in the CLI: `kuvert verify --sts-trust` and `kuvert sign --token`.

use std::path::PathBuf;
use std::process::ExitCode;

use kuvert::{Audience, Input, Profile, TokenPolicy, TokenVerifier, TrustAnchors};
use serde::Serialize;

use crate::trust::{pem_certificates, TrustArgs};
use crate::verify::{invalid_with, report_with};

/// The SOAP binding, as the command line names it.
#[derive(clap::ValueEnum, Clone, Copy, Debug)]
pub enum ProfileArg {
    /// Liberty Basic SOAP Binding: SOAP 1.1 with the sbf:Framework header.
    LibBas,
    /// OIO-IDWS: SOAP 1.2.
    OioIdws,
}

impl From<ProfileArg> for Profile {
    fn from(p: ProfileArg) -> Profile {
        match p {
            ProfileArg::LibBas => Profile::LibBas,
            ProfileArg::OioIdws => Profile::OioIdws,
        }
    }
}

#[derive(clap::Args, Clone, Debug)]
pub struct TokenArgs {
    /// PEM file with the token service's (STS) certificate or CA: verify under the
    /// token model (repeatable). `--trust` then requires holder-of-key certificates
    /// to chain to its anchors.
    #[arg(long = "sts-trust", value_name = "PEM")]
    pub sts_trust: Vec<PathBuf>,
    /// The called service's entity ID the assertion must name as its audience.
    #[arg(long, value_name = "URI")]
    pub audience: Option<String>,
    /// The binding (default: lib-bas for SOAP 1.1, oio-idws for SOAP 1.2).
    #[arg(long, value_enum)]
    pub profile: Option<ProfileArg>,
}

impl TokenArgs {
    pub fn enabled(&self) -> bool {
        !self.sts_trust.is_empty()
    }
}

#[derive(Serialize)]
struct TokenJson<'a> {
    assertion_id: &'a str,
    issuer: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    subject: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    audience: Option<&'a str>,
    cvr: String,
    privileges: Vec<PrivilegeJson<'a>>,
    not_on_or_after: String,
}

#[derive(Serialize)]
struct PrivilegeJson<'a> {
    scope: &'a str,
    privilege: &'a str,
}

fn anchors(paths: &[PathBuf]) -> Result<TrustAnchors, String> {
    let mut anchors = TrustAnchors::new();
    for path in paths {
        let pem = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        anchors.add_pem(&pem).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    Ok(anchors)
}

/// A token verifier for the options; `profile` when none is given.
pub fn verifier(token: &TokenArgs, trust: &TrustArgs, profile: Profile) -> Result<TokenVerifier, String> {
    let mut policy = TokenPolicy::new(token.profile.map_or(profile, Profile::from));
    if trust.allow_sha1 {
        policy.message = policy.message.allow_sha1();
    }
    policy.message.certificates.min_rsa_bits = trust.min_rsa_bits;
    let mut verifier = TokenVerifier::new(anchors(&token.sts_trust)?, policy);
    if !trust.trust.is_empty() {
        verifier.require_holder_chain(anchors(&trust.trust)?);
    }
    for path in &trust.intermediates {
        let pem = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        for der in pem_certificates(&pem) {
            verifier.add_holder_intermediate(&der);
            verifier.add_issuer_intermediate(&der);
        }
    }
    Ok(verifier)
}

/// `kuvert verify --sts-trust …`: exit 0 with the result and the token's claims, 1 when refused.
pub fn verify(token: &TokenArgs, trust: &TrustArgs, raw: &[u8]) -> Result<ExitCode, String> {
    let at = trust.time()?;
    let limits = kuvert::Limits::default();
    let input = match Input::new(raw, &limits) {
        Ok(input) => input,
        Err(e) => return Ok(invalid_with(e.code(), e.to_string(), e.offset())),
    };
    let soap12 = input.as_str().contains(kuvert::ns::SOAP12);
    let verifier = verifier(token, trust, if soap12 { Profile::OioIdws } else { Profile::LibBas })?;
    let audience = token.audience.as_deref().map_or(Audience::CheckedByCaller, Audience::Expect);
    match verifier.verify_message(&input, at, audience) {
        Ok(v) => {
            let c = v.claims();
            let m = v.message();
            let json = TokenJson {
                assertion_id: c.id(),
                issuer: c.issuer(),
                subject: c.subject(),
                audience: c.audience(),
                cvr: c.cvr().to_string(),
                privileges: c
                    .privileges()
                    .pairs()
                    .map(|(scope, privilege)| PrivilegeJson { scope, privilege })
                    .collect(),
                not_on_or_after: c.not_on_or_after().to_string(),
            };
            let algs = (m.signature_algorithm(), m.canonicalization(), m.digest_algorithms());
            crate::out::line(&report_with(m.signed_elements(), m.signer(), algs, Some(json)).to_string())?;
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => Ok(invalid_with(e.code(), e.to_string(), e.offset())),
    }
}
