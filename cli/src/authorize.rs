//! `kuvert authorize`: the service-agreement decision for one message.

use std::path::PathBuf;
use std::process::ExitCode;

use kuvert::{
    Call, CallerCertificate, CaseRef, Credentials, Denial, Envelope, Environment, FaultBuilder, Input, Limits,
    Registry, SoapVersion, StandardCode, UtcTime, Uuid,
};
use serde::Serialize;

use crate::io::read_input;

#[derive(Clone, Copy, clap::ValueEnum)]
enum Env {
    Test,
    Production,
}

#[derive(clap::Args)]
pub struct Args {
    /// The registry JSON (systems, authorities, services, agreements).
    #[arg(long, value_name = "REG.json")]
    registry: PathBuf,
    /// The caller's TLS client certificate (PEM); needed for the
    /// InvocationContext and AuthorityContext models.
    #[arg(long, value_name = "PEM")]
    client_cert: Option<PathBuf>,
    /// The endpoint path the message was received on (default: the path of wsa:To).
    #[arg(long, value_name = "PATH")]
    endpoint: Option<String>,
    /// The environment the gateway serves.
    #[arg(long, value_enum, default_value = "test")]
    env: Env,
    /// STS certificate (PEM) to verify KombitToken messages with (required for them).
    #[arg(long, value_name = "PEM")]
    sts_trust: Option<PathBuf>,
    /// Time received, RFC 3339 (default: now).
    #[arg(long, value_name = "RFC3339")]
    at: Option<String>,
    /// The CallUUID to report (default: a random version-4 UUID).
    #[arg(long, value_name = "UUID")]
    call_uuid: Option<String>,
    /// Byg og Miljø: the case type the call handles.
    #[arg(long, value_name = "TYPE")]
    case_type: Option<String>,
    /// Byg og Miljø: the case area the call handles.
    #[arg(long, value_name = "AREA")]
    case_area: Option<String>,
    /// The message; `-` or nothing for standard input.
    file: Option<PathBuf>,
}

#[derive(Serialize)]
struct Allow {
    allow: bool,
    model: &'static str,
    agreement: String,
    authority: AuthorityJson,
    service: ServiceJson,
    system: String,
    call_uuid: String,
}

#[derive(Serialize)]
struct AuthorityJson {
    uuid: String,
    cvr: String,
}

#[derive(Serialize)]
struct ServiceJson {
    uuid: String,
    class: &'static str,
}

#[derive(Serialize)]
struct Deny {
    allow: bool,
    code: &'static str,
    reason: String,
    call_uuid: String,
    fault_xml: String,
}

pub fn run(args: &Args) -> Result<ExitCode, String> {
    let registry = crate::registry::load(&args.registry)?;
    let raw = read_input(args.file.as_deref())?;
    let received = match &args.at {
        Some(t) => UtcTime::parse(t).map_err(|e| format!("--at {t}: {e}"))?,
        None => crate::trust::now(),
    };
    let call_uuid = match &args.call_uuid {
        Some(u) => Uuid::parse_lower(u).map_err(|e| format!("--call-uuid {u}: {e}"))?,
        None => random_uuid(),
    };
    let limits = Limits::default();
    let input = match Input::new(&raw, &limits) {
        Ok(input) => input,
        Err(e) => return Ok(refuse_message(&e.into(), call_uuid, received)),
    };
    let envelope = match Envelope::parse(&input, &limits) {
        Ok(envelope) => envelope,
        Err(e) => return Ok(refuse_message(&e, call_uuid, received)),
    };
    if is_token_message(&envelope) {
        return decide_token(&input, &envelope, args, &registry, (call_uuid, received));
    }
    let certificate = client_certificate(args)?;
    let credentials = credentials(&envelope, certificate.as_ref())?;
    decide(&envelope, args, &registry, credentials, (call_uuid, received))
}

/// Whether the message is a KombitToken call: a Framework header, or a SAML
/// assertion in the Security header (the token verifier then checks it all).
fn is_token_message(envelope: &Envelope<'_>) -> bool {
    let in_security = envelope.security_header().is_some_and(|h| {
        envelope.source()[h.span.start()..h.span.end()].contains("urn:oasis:names:tc:SAML:2.0:assertion")
    });
    envelope.framework().is_some() || in_security
}

/// The KombitToken model: the message is verified (assertion, holder-of-key
/// signature, replay) before the decision; a refusal is a denial with the token fault.
fn decide_token(
    input: &Input<'_>,
    envelope: &Envelope<'_>,
    args: &Args,
    registry: &Registry,
    (call_uuid, received): (Uuid, UtcTime),
) -> Result<ExitCode, String> {
    let sts = args.sts_trust.as_ref().ok_or("--sts-trust PEM is required for messages with a Security header")?;
    let token_args = crate::token::TokenArgs { sts_trust: vec![sts.clone()], audience: None, profile: None };
    let trust = crate::trust::TrustArgs::default();
    let profile = match envelope.version() {
        SoapVersion::Soap11 => kuvert::Profile::LibBas,
        SoapVersion::Soap12 => kuvert::Profile::OioIdws,
    };
    let verifier = crate::token::verifier(&token_args, &trust, profile)?;
    match verifier.verify_message(input, received, kuvert::Audience::CheckedByCaller) {
        Ok(token) => {
            let credentials = Credentials::KombitToken(token.token_call());
            decide(envelope, args, registry, credentials, (call_uuid, received))
        }
        Err(e) => {
            let reason = format!("The security token was refused: {e}");
            let fault_xml = e
                .fault(envelope.version(), "The security token was refused")
                .error(e.code(), &reason)
                .call(call_uuid, received)
                .to_xml();
            Ok(print_deny(Deny { allow: false, code: e.code(), reason, call_uuid: call_uuid.to_string(), fault_xml }))
        }
    }
}

/// A message that cannot be read is refused with a SOAP 1.1 fault.
fn refuse_message(e: &kuvert::EnvelopeError, call_uuid: Uuid, received: UtcTime) -> ExitCode {
    let message = format!("The message was refused: {e}");
    let fault_xml = FaultBuilder::new(SoapVersion::Soap11, StandardCode::Sender, &message)
        .error(e.code(), &message)
        .call(call_uuid, received)
        .to_xml();
    print_deny(Deny { allow: false, code: e.code(), reason: message, call_uuid: call_uuid.to_string(), fault_xml })
}

fn decide(
    envelope: &Envelope<'_>,
    args: &Args,
    registry: &Registry,
    credentials: Credentials<'_>,
    (call_uuid, received): (Uuid, UtcTime),
) -> Result<ExitCode, String> {
    let endpoint = endpoint(args, envelope)?;
    let environment = match args.env {
        Env::Test => Environment::Test,
        Env::Production => Environment::Production,
    };
    let mut call = Call::new(environment, &endpoint, received, credentials);
    if args.case_type.is_some() || args.case_area.is_some() {
        call = call.with_case(CaseRef { case_type: args.case_type.as_deref(), case_area: args.case_area.as_deref() });
    }
    match registry.authorize(&call) {
        Ok(a) => {
            let json = Allow {
                allow: true,
                model: a.model.as_str(),
                agreement: a.agreement.uuid.to_string(),
                authority: AuthorityJson { uuid: a.authority.uuid.to_string(), cvr: a.authority.cvr.to_string() },
                service: ServiceJson { uuid: a.service.uuid.to_string(), class: a.service.class.as_str() },
                system: a.system.uuid.to_string(),
                call_uuid: call_uuid.to_string(),
            };
            crate::out::line(&serde_json::to_string_pretty(&json).map_err(|e| e.to_string())?)?;
            Ok(ExitCode::SUCCESS)
        }
        Err(d) => Ok(print_deny(deny_json(&d, envelope.version(), call_uuid, received))),
    }
}

fn deny_json(d: &Denial, version: SoapVersion, call_uuid: Uuid, received: UtcTime) -> Deny {
    Deny {
        allow: false,
        code: d.code(),
        reason: d.reason.message().into_owned(),
        call_uuid: call_uuid.to_string(),
        fault_xml: d.fault_xml(version, call_uuid, received),
    }
}

fn print_deny(deny: Deny) -> ExitCode {
    crate::out::line_then(&serde_json::to_string_pretty(&deny).unwrap_or_default(), ExitCode::from(1))
}

/// `--endpoint`, else the path of `wsa:To`.
fn endpoint(args: &Args, envelope: &Envelope<'_>) -> Result<String, String> {
    if let Some(e) = &args.endpoint {
        return Ok(e.clone());
    }
    let to = envelope.addressing().to.as_ref().map(|t| t.trimmed().to_owned());
    let to = to.ok_or("the message has no wsa:To: give the endpoint path with --endpoint")?;
    let after_scheme = to.split_once("://").map_or(to.as_str(), |(_, rest)| rest);
    let path = after_scheme.find('/').map_or("/", |i| &after_scheme[i..]);
    Ok(path.split(['?', '#']).next().unwrap_or("/").to_owned())
}

fn client_certificate(args: &Args) -> Result<Option<CallerCertificate>, String> {
    let Some(path) = &args.client_cert else { return Ok(None) };
    let pem = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let der = crate::trust::pem_certificates(&pem).into_iter().next();
    let der = der.ok_or_else(|| format!("{}: no CERTIFICATE block", path.display()))?;
    CallerCertificate::from_der(&der).map(Some).map_err(|e| format!("{}: {e}", path.display()))
}

/// The security model the message uses, with what it needs.
fn credentials<'a>(
    envelope: &Envelope<'_>,
    certificate: Option<&'a CallerCertificate>,
) -> Result<Credentials<'a>, String> {
    let need =
        |model: &str| format!("--client-cert PEM (the TLS client certificate) is required for the {model} model");
    if let Some(ic) = envelope.invocation_context() {
        let certificate = certificate.ok_or_else(|| need("InvocationContext"))?;
        return Ok(Credentials::InvocationContext { certificate, ids: ic.into() });
    }
    if let Some(ac) = envelope.authority_context() {
        let certificate = certificate.ok_or_else(|| need("AuthorityContext"))?;
        return Ok(Credentials::AuthorityContext { certificate, cvr: ac.municipality_cvr });
    }
    Ok(Credentials::None)
}

/// A version-4 UUID from the standard library's per-process random hash keys
/// (a CallUUID needs to be unique, not secret).
fn random_uuid() -> Uuid {
    use std::hash::{BuildHasher, Hasher};
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
    let mut bytes = [0u8; 16];
    for (i, chunk) in bytes.chunks_mut(8).enumerate() {
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_usize(i);
        h.write_u128(nanos);
        h.write_u32(std::process::id());
        chunk.copy_from_slice(&h.finish().to_le_bytes());
    }
    Uuid::new_v4(bytes)
}
