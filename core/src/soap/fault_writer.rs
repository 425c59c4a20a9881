//! Writing SOAP faults the way the platform sends them: a standard code,
//! a reason ending with the helpdesk text (`CallUUID`, time received), and
//! a `ServiceplatformFault` detail.

use std::fmt;

use super::model::SoapVersion;
use crate::ids::Uuid;
use crate::time::UtcTime;
use crate::xml::is_ncname;

/// The standard SOAP fault codes (SOAP 1.2 names; SOAP 1.1 writes `Client`/`Server`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StandardCode {
    /// The caller's fault (`Client` in SOAP 1.1).
    Sender,
    /// The receiver's fault (`Server` in SOAP 1.1).
    Receiver,
    /// The envelope namespace was not understood.
    VersionMismatch,
    /// A `mustUnderstand` header was not understood.
    MustUnderstand,
}

impl StandardCode {
    fn local(self, version: SoapVersion) -> &'static str {
        match (self, version) {
            (StandardCode::Sender, SoapVersion::Soap11) => "Client",
            (StandardCode::Sender, SoapVersion::Soap12) => "Sender",
            (StandardCode::Receiver, SoapVersion::Soap11) => "Server",
            (StandardCode::Receiver, SoapVersion::Soap12) => "Receiver",
            (StandardCode::VersionMismatch, _) => "VersionMismatch",
            (StandardCode::MustUnderstand, _) => "MustUnderstand",
        }
    }
}

/// A subcode was given with an empty namespace, one that cannot be written literally
/// (whitespace, `&`, `<`, `"`, characters XML cannot carry), a reserved one (`xml`,
/// `xmlns`), or a local part that is not an NCName.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InvalidSubcode;

impl fmt::Display for InvalidSubcode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("fault subcode needs a namespace URI and an NCName local part")
    }
}

impl std::error::Error for InvalidSubcode {}

/// Builds a SOAP 1.1 or 1.2 fault message.
///
/// Text is escaped; characters XML cannot carry (C0 controls, U+FFFE, U+FFFF)
/// are replaced by U+FFFD so that the result is always well-formed.
///
/// ```
/// use kuvert::{FaultBuilder, SoapVersion, StandardCode, UtcTime, Uuid};
/// let call = Uuid::parse_lower("cca459ba-ee11-4030-8ae1-25ea95b0318c")?;
/// let received = UtcTime::parse("2025-10-23T13:06:14.306Z")?;
/// let xml = FaultBuilder::new(SoapVersion::Soap11, StandardCode::Sender, "No agreement")
///     .error("AUTH-001", "No approved service agreement")
///     .call(call, received)
///     .to_xml();
/// assert!(xml.contains("CallUUID: cca459ba-ee11-4030-8ae1-25ea95b0318c"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug)]
pub struct FaultBuilder<'a> {
    version: SoapVersion,
    code: StandardCode,
    subcode: Option<(&'a str, &'a str)>,
    message: &'a str,
    actor: Option<&'a str>,
    errors: Vec<(&'a str, &'a str)>,
    call: Option<(Uuid, UtcTime)>,
    helpdesk: &'a str,
}

impl<'a> FaultBuilder<'a> {
    /// A fault with a code and the message that starts the reason text.
    pub fn new(version: SoapVersion, code: StandardCode, message: &'a str) -> Self {
        FaultBuilder {
            version,
            code,
            subcode: None,
            message,
            actor: None,
            errors: Vec::new(),
            call: None,
            helpdesk: "Serviceplatformen Helpdesk",
        }
    }

    /// A subcode (`Code/Subcode/Value` in SOAP 1.2; the `faultcode` itself in SOAP 1.1,
    /// as the Liberty binding does for `sbf:FrameworkVersionMismatch`).
    pub fn subcode(mut self, ns: &'a str, local: &'a str) -> Result<Self, InvalidSubcode> {
        // Written literally, as readers (kuvert's among them) take namespace URIs:
        // no whitespace, nothing that needs escaping, not the reserved namespaces.
        let literal = !ns.chars().any(|c| c.is_ascii_whitespace() || matches!(c, '&' | '<' | '"') || xml_safe(c) != c);
        let reserved = ns == crate::ns::XML || ns == crate::ns::XMLNS;
        let ns_ok = !ns.is_empty() && literal && !reserved;
        if !ns_ok || !is_ncname(local) {
            return Err(InvalidSubcode);
        }
        self.subcode = Some((ns, local));
        Ok(self)
    }

    /// `faultactor` (1.1) or `Role` (1.2).
    pub fn actor(mut self, uri: &'a str) -> Self {
        self.actor = Some(uri);
        self
    }

    /// Adds a `ServiceplatformFault/ErrorList/Error`.
    pub fn error(mut self, code: &'a str, text: &'a str) -> Self {
        self.errors.push((code, text));
        self
    }

    /// Appends the platform's closing text: whom to contact, the call's id and when it was received.
    pub fn call(mut self, call_uuid: Uuid, received: UtcTime) -> Self {
        self.call = Some((call_uuid, received));
        self
    }

    /// Who to contact in the closing text. Default "Serviceplatformen Helpdesk".
    pub fn helpdesk(mut self, name: &'a str) -> Self {
        self.helpdesk = name;
        self
    }

    /// The reason text exactly as it will be written (before escaping).
    pub fn reason(&self) -> String {
        let mut reason = self.message.to_owned();
        if let Some((uuid, received)) = self.call {
            reason.push_str(&format!(
                "\n\nFor further information contact {} and inform:\n  CallUUID: {uuid}\n  Received: {received}",
                self.helpdesk
            ));
        }
        reason
    }

    /// The fault message as XML.
    pub fn to_xml(&self) -> String {
        let mut out = String::with_capacity(512 + self.message.len());
        self.write(&mut out);
        out
    }

    /// Appends the fault message to `out`.
    pub fn write(&self, out: &mut String) {
        let env = self.version.namespace();
        out.push_str("<soap:Envelope xmlns:soap=\"");
        out.push_str(env);
        out.push_str("\"><soap:Body><soap:Fault>");
        match self.version {
            SoapVersion::Soap11 => self.write_11(out),
            SoapVersion::Soap12 => self.write_12(out),
        }
        out.push_str("</soap:Fault></soap:Body></soap:Envelope>");
    }

    fn write_11(&self, out: &mut String) {
        match self.subcode {
            Some((ns, local)) => {
                out.push_str("<faultcode xmlns:c=\"");
                escape_attr(out, ns);
                out.push_str("\">c:");
                out.push_str(local);
            }
            None => {
                out.push_str("<faultcode>soap:");
                out.push_str(self.code.local(self.version));
            }
        }
        out.push_str("</faultcode><faultstring>");
        escape_text(out, &self.reason());
        out.push_str("</faultstring>");
        if let Some(actor) = self.actor {
            element(out, "faultactor", actor);
        }
        out.push_str("<detail>");
        self.write_detail(out);
        out.push_str("</detail>");
    }

    fn write_12(&self, out: &mut String) {
        out.push_str("<soap:Code><soap:Value>soap:");
        out.push_str(self.code.local(self.version));
        out.push_str("</soap:Value>");
        if let Some((ns, local)) = self.subcode {
            out.push_str("<soap:Subcode><soap:Value xmlns:c=\"");
            escape_attr(out, ns);
            out.push_str("\">c:");
            out.push_str(local);
            out.push_str("</soap:Value></soap:Subcode>");
        }
        out.push_str("</soap:Code><soap:Reason><soap:Text xml:lang=\"en\">");
        escape_text(out, &self.reason());
        out.push_str("</soap:Text></soap:Reason>");
        if let Some(actor) = self.actor {
            element(out, "soap:Role", actor);
        }
        out.push_str("<soap:Detail>");
        self.write_detail(out);
        out.push_str("</soap:Detail>");
    }

    fn write_detail(&self, out: &mut String) {
        out.push_str("<sp:ServiceplatformFault xmlns:sp=\"");
        out.push_str(crate::ns::SP_FAULT);
        out.push_str("\">");
        if !self.errors.is_empty() {
            out.push_str("<sp:ErrorList>");
            for (code, text) in &self.errors {
                out.push_str("<sp:Error>");
                element(out, "sp:ErrorCode", code);
                element(out, "sp:ErrorText", text);
                out.push_str("</sp:Error>");
            }
            out.push_str("</sp:ErrorList>");
        }
        out.push_str("</sp:ServiceplatformFault>");
    }
}

fn element(out: &mut String, name: &str, text: &str) {
    out.push('<');
    out.push_str(name);
    out.push('>');
    escape_text(out, text);
    out.push_str("</");
    out.push_str(name);
    out.push('>');
}

/// Escapes character data; `\r` is written as a reference so it survives parsing.
pub(crate) fn escape_text(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\r' => out.push_str("&#xD;"),
            c => out.push(xml_safe(c)),
        }
    }
}

/// Escapes an attribute value so that it reads back unchanged.
pub(crate) fn escape_attr(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '"' => out.push_str("&quot;"),
            '\t' => out.push_str("&#x9;"),
            '\n' => out.push_str("&#xA;"),
            '\r' => out.push_str("&#xD;"),
            c => out.push(xml_safe(c)),
        }
    }
}

/// The character, or U+FFFD when XML 1.0 cannot carry it.
fn xml_safe(c: char) -> char {
    let u = c as u32;
    if (u < 0x20 && !matches!(c, '\t' | '\n' | '\r')) || u == 0xFFFE || u == 0xFFFF {
        '\u{FFFD}'
    } else {
        c
    }
}
