//! `kuvert inspect`: the envelope view as JSON.

use std::path::PathBuf;
use std::process::ExitCode;

use kuvert::{Envelope, Input, Limits, TextValue};
use serde::Serialize;

use crate::io::read_input;
use crate::report::ErrorReport;

#[derive(clap::Args)]
pub struct Args {
    /// The message to read; `-` or nothing for standard input.
    file: Option<PathBuf>,
    /// Largest accepted message in bytes.
    #[arg(long, default_value_t = Limits::default().max_document_bytes)]
    max_bytes: usize,
}

pub fn run(args: &Args) -> Result<ExitCode, String> {
    let raw = read_input(args.file.as_deref())?;
    let limits = Limits { max_document_bytes: args.max_bytes, ..Limits::default() };
    let input = match Input::new(&raw, &limits) {
        Ok(input) => input,
        Err(e) => return Ok(refuse(ErrorReport::new(e.code(), e.kind().to_string(), &raw, e.offset()))),
    };
    match Envelope::parse(&input, &limits) {
        Ok(envelope) => {
            let json = serde_json::to_string_pretty(&Report::from(&envelope)).map_err(|e| e.to_string())?;
            crate::out::line(&json.to_string())?;
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            let message = match e {
                kuvert::EnvelopeError::Xml(x) => x.kind().to_string(),
                kuvert::EnvelopeError::Soap(s) => s.kind().to_string(),
                kuvert::EnvelopeError::Context(c) => c.kind().to_string(),
                other => other.to_string(),
            };
            Ok(refuse(ErrorReport::new(e.code(), message, &raw, e.offset())))
        }
    }
}

fn refuse(report: ErrorReport) -> ExitCode {
    report.print();
    ExitCode::from(1)
}

#[derive(Serialize)]
struct Report<'a> {
    soap_version: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    operation: Option<Name<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    headers: Option<Vec<Header<'a>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    addressing: Option<Addressing<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    framework: Option<Framework<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    transaction_uuid: Option<&'a str>,
    has_security_header: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    invocation_context: Option<Invocation<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    authority_context: Option<Authority>,
    #[serde(skip_serializing_if = "Option::is_none")]
    call_context: Option<Call<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    fault: Option<Fault<'a>>,
}

#[derive(Serialize)]
struct Name<'a> {
    ns: &'a str,
    name: &'a str,
}

#[derive(Serialize)]
struct Header<'a> {
    ns: &'a str,
    name: &'a str,
    must_understand: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<&'a str>,
}

#[derive(Serialize, Default)]
struct Addressing<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    action: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    message_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    to: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    from: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reply_to: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    relates_to: Option<&'a str>,
}

#[derive(Serialize)]
struct Framework<'a> {
    version: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    profile: Option<&'a str>,
}

#[derive(Serialize)]
struct Invocation<'a> {
    service_agreement_uuid: String,
    user_system_uuid: String,
    user_uuid: String,
    service_uuid: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    on_behalf_of_user: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    callers_service_call_identifier: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    accounting_info: Option<&'a str>,
}

#[derive(Serialize)]
struct Authority {
    municipality_cvr: String,
}

#[derive(Serialize)]
struct Call<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    on_behalf_of_user: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    callers_service_call_identifier: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    accounting_info: Option<&'a str>,
}

#[derive(Serialize)]
struct Fault<'a> {
    code: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    subcode: Option<String>,
    reason: &'a str,
    errors: Vec<FaultError<'a>>,
}

#[derive(Serialize)]
struct FaultError<'a> {
    code: &'a str,
    text: &'a str,
}

/// A text value as the JSON shows it: unescaped, whitespace-trimmed.
fn text<'a>(v: Option<&'a TextValue<'_>>) -> Option<&'a str> {
    v.map(TextValue::trimmed)
}

fn trim(s: Option<&str>) -> Option<&str> {
    s.map(|s| s.trim_matches([' ', '\t', '\n', '\r']))
}

/// A fault code: its local name when it is one of the envelope's standard
/// codes, otherwise `{namespace}local`.
fn fault_code(code: &kuvert::FaultCode<'_>, envelope_ns: &str) -> String {
    if code.ns == envelope_ns {
        code.local.to_string()
    } else {
        format!("{{{}}}{}", code.ns, code.local)
    }
}

impl<'a> From<&'a Envelope<'a>> for Report<'a> {
    fn from(e: &'a Envelope<'a>) -> Self {
        let envelope_ns = e.version().namespace();
        let headers = e.header().map(|_| {
            e.header_blocks()
                .iter()
                .map(|h| Header {
                    ns: h.name.ns,
                    name: h.name.local,
                    must_understand: h.must_understand,
                    id: trim(h.id.as_deref()),
                })
                .collect()
        });
        let a = e.addressing();
        let addressing = Addressing {
            action: text(a.action.as_ref()),
            message_id: text(a.message_id.as_ref()),
            to: text(a.to.as_ref()),
            from: text(a.from.as_ref()),
            reply_to: text(a.reply_to.as_ref()),
            relates_to: text(a.relates_to.as_ref()),
        };
        let any_addressing = addressing.action.is_some()
            || addressing.message_id.is_some()
            || addressing.to.is_some()
            || addressing.from.is_some()
            || addressing.reply_to.is_some()
            || addressing.relates_to.is_some();
        Report {
            soap_version: e.version().as_str(),
            operation: e.operation().map(|o| Name { ns: o.name.ns, name: o.name.local }),
            headers,
            addressing: any_addressing.then_some(addressing),
            framework: e.framework().map(|f| Framework { version: &f.version, profile: f.profile.as_deref() }),
            transaction_uuid: text(e.transaction_uuid()),
            has_security_header: e.security_header().is_some(),
            invocation_context: e.invocation_context().map(|c| Invocation {
                service_agreement_uuid: c.service_agreement.to_string(),
                user_system_uuid: c.user_system.to_string(),
                user_uuid: c.user.to_string(),
                service_uuid: c.service.to_string(),
                on_behalf_of_user: trim(c.on_behalf_of_user.as_deref()),
                callers_service_call_identifier: trim(c.callers_service_call_identifier.as_deref()),
                accounting_info: trim(c.accounting_info.as_deref()),
            }),
            authority_context: e
                .authority_context()
                .map(|c| Authority { municipality_cvr: c.municipality_cvr.to_string() }),
            call_context: e.call_context().map(|c| Call {
                on_behalf_of_user: trim(c.on_behalf_of_user.as_deref()),
                callers_service_call_identifier: trim(c.callers_service_call_identifier.as_deref()),
                accounting_info: trim(c.accounting_info.as_deref()),
            }),
            fault: e.fault().map(|f| Fault {
                code: fault_code(&f.code, envelope_ns),
                subcode: f.subcode.as_ref().map(|s| fault_code(s, envelope_ns)),
                reason: f.reason.trimmed(),
                errors: f
                    .errors
                    .iter()
                    .map(|x| FaultError { code: x.code.trimmed(), text: x.text.trimmed() })
                    .collect(),
            }),
        }
    }
}
