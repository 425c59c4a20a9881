//! Reading SOAP 1.1 and 1.2 faults, with the platform's
//! `ServiceplatformFault/ErrorList/Error{ErrorCode, ErrorText}` detail.

use std::borrow::Cow;

use super::error::{EnvelopeError, SoapErrorKind as S};
use super::headers::trimmed;
use super::model::{SoapVersion, TextValue};
use super::parser::{Parser, Result};
use crate::ids::Uuid;
use crate::xml::reader::{Binding, StartTag};
use crate::xml::{is_ncname, NsId, Span};

/// A fault code: an expanded QName such as `{soap-env}Client` or `{soap-env}Sender`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FaultCode<'a> {
    /// Namespace URI of the code (the envelope namespace for the standard codes).
    pub ns: &'a str,
    /// Local part, e.g. `Client`, `Server`, `Sender`, `Receiver`.
    pub local: Cow<'a, str>,
}

/// One `ServiceplatformFault/ErrorList/Error`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServiceplatformError<'a> {
    /// `ErrorCode`.
    pub code: TextValue<'a>,
    /// `ErrorText`.
    pub text: TextValue<'a>,
}

/// A SOAP fault read from a Body.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fault<'a> {
    /// `faultcode` (1.1) or `Code/Value` (1.2).
    pub code: FaultCode<'a>,
    /// `Code/Subcode/Value` (SOAP 1.2 only; the first level).
    pub subcode: Option<FaultCode<'a>>,
    /// `faultstring` (1.1) or the first `Reason/Text` (1.2), as written.
    pub reason: TextValue<'a>,
    /// `faultactor` (1.1) or `Role` (1.2).
    pub actor: Option<TextValue<'a>>,
    /// `Node` (1.2).
    pub node: Option<TextValue<'a>>,
    /// `detail` (1.1) or `Detail` (1.2), the whole element.
    pub detail: Option<Span>,
    /// Errors of a `ServiceplatformFault` detail.
    pub errors: Vec<ServiceplatformError<'a>>,
    /// The `Fault` element.
    pub span: Span,
}

impl Fault<'_> {
    /// The `CallUUID: <uuid>` the platform appends to fault texts, if present.
    pub fn call_uuid(&self) -> Option<Uuid> {
        let text = self.reason.as_str();
        let at = text.rfind("CallUUID:")?;
        let rest = text[at + 9..].trim_start();
        Uuid::parse_lower(rest.get(..36)?).ok()
    }

    /// The `Received: <time>` the platform appends to fault texts, as written.
    pub fn received(&self) -> Option<&str> {
        let text = self.reason.as_str();
        let at = text.rfind("Received:")?;
        let rest = text[at + 9..].trim_start();
        rest.split_whitespace().next()
    }
}

/// The fault being read.
struct Parts<'a> {
    code: Option<FaultCode<'a>>,
    subcode: Option<FaultCode<'a>>,
    reason: Option<TextValue<'a>>,
    actor: Option<TextValue<'a>>,
    node: Option<TextValue<'a>>,
    detail: Option<Span>,
    errors: Vec<super::fault::ServiceplatformError<'a>>,
}

impl<'a> Parser<'a> {
    pub(super) fn fault(&mut self, t: StartTag) -> Result<()> {
        let at = t.span.start();
        let mut parts = Parts {
            code: None,
            subcode: None,
            reason: None,
            actor: None,
            node: None,
            detail: None,
            errors: Vec::new(),
        };
        let order: &[&str] = match self.env.version {
            SoapVersion::Soap11 => &["faultcode", "faultstring", "faultactor", "detail"],
            SoapVersion::Soap12 => &["Code", "Reason", "Node", "Role", "Detail"],
        };
        let child_ns = if self.env.version == SoapVersion::Soap11 { NsId::NONE } else { self.soap };
        let mut next = 0;
        while let Some(child) = self.next_structural()? {
            let local = self.local(&child);
            let pos = order.iter().position(|&n| n == local).filter(|&p| p >= next && child.ns == child_ns);
            let Some(pos) = pos else {
                return Err(EnvelopeError::soap(S::InvalidFault, child.span.start()));
            };
            next = pos + 1;
            self.fault_part(&child, &mut parts)?;
        }
        let span = Span::new(at, self.last_end_span.end());
        let (Some(code), Some(reason)) = (parts.code, parts.reason) else {
            return Err(EnvelopeError::soap(S::InvalidFault, at));
        };
        self.env.fault = Some(Fault {
            code,
            subcode: parts.subcode,
            reason,
            actor: parts.actor,
            node: parts.node,
            detail: parts.detail,
            errors: parts.errors,
            span,
        });
        Ok(())
    }

    fn fault_part(&mut self, child: &StartTag, parts: &mut Parts<'a>) -> Result<()> {
        let invalid = |o| EnvelopeError::soap(S::InvalidFault, o);
        match self.local(child) {
            "faultcode" => parts.code = Some(self.qname_value(child)?),
            "faultstring" => parts.reason = Some(self.read_text(child, invalid)?),
            "faultactor" | "Role" => parts.actor = Some(trimmed(self.read_text(child, invalid)?)),
            "Node" => parts.node = Some(trimmed(self.read_text(child, invalid)?)),
            "Code" => {
                let (code, subcode) = self.code12(child)?;
                parts.code = Some(code);
                parts.subcode = subcode;
            }
            "Reason" => parts.reason = Some(self.reason12(child)?),
            _ => {
                parts.errors = self.detail()?;
                parts.detail = Some(Span::new(child.span.start(), self.last_end_span.end()));
            }
        }
        Ok(())
    }

    /// SOAP 1.2 `Code`: `Value`, then an optional `Subcode` (nested subcodes are skipped).
    fn code12(&mut self, code: &StartTag) -> Result<(FaultCode<'a>, Option<FaultCode<'a>>)> {
        let value = self.expect_child(code, "Value")?;
        let value = self.qname_value(&value)?;
        let mut subcode = None;
        if let Some(sub) = self.next_structural()? {
            if sub.ns != self.soap || self.local(&sub) != "Subcode" {
                return Err(EnvelopeError::soap(S::InvalidFault, sub.span.start()));
            }
            let sub_value = self.expect_child(&sub, "Value")?;
            subcode = Some(self.qname_value(&sub_value)?);
            while self.next_structural()?.is_some() {
                self.r.skip_element()?;
            }
            if self.next_structural()?.is_some() {
                return Err(EnvelopeError::soap(S::InvalidFault, self.last_end_span.start()));
            }
        }
        Ok((value, subcode))
    }

    /// SOAP 1.2 `Reason`: one or more `Text`; the first is kept.
    fn reason12(&mut self, reason: &StartTag) -> Result<TextValue<'a>> {
        let mut first = None;
        while let Some(text) = self.next_structural()? {
            if text.ns != self.soap || self.local(&text) != "Text" {
                return Err(EnvelopeError::soap(S::InvalidFault, text.span.start()));
            }
            let value = self.read_text(&text, |o| EnvelopeError::soap(S::InvalidFault, o))?;
            first.get_or_insert(value);
        }
        first.ok_or(EnvelopeError::soap(S::InvalidFault, reason.span.start()))
    }

    /// The next child, which must be `{soap}name`.
    fn expect_child(&mut self, parent: &StartTag, name: &str) -> Result<StartTag> {
        match self.next_structural()? {
            Some(c) if c.ns == self.soap && self.local(&c) == name => Ok(c),
            Some(c) => Err(EnvelopeError::soap(S::InvalidFault, c.span.start())),
            None => Err(EnvelopeError::soap(S::InvalidFault, parent.span.start())),
        }
    }

    /// A text value of type `xs:QName`, resolved in the element's scope.
    fn qname_value(&mut self, t: &StartTag) -> Result<FaultCode<'a>> {
        let own: Vec<Binding<'a>> = self.r.declared_here().to_vec();
        let value = trimmed(self.read_text(t, |o| EnvelopeError::soap(S::InvalidFault, o))?);
        let at = value.span().start();
        let text = value.into_cow();
        let (prefix, local_at) = match text.find(':') {
            Some(i) => (&text[..i], i + 1),
            None => ("", 0),
        };
        if !is_ncname(&text[local_at..]) || (!prefix.is_empty() && !is_ncname(prefix)) {
            return Err(EnvelopeError::soap(S::InvalidFault, at));
        }
        let ns = match own.iter().rev().find(|b| b.prefix == prefix) {
            Some(b) => b.ns,
            None => self.r.resolve(prefix).ok_or(EnvelopeError::soap(S::InvalidFault, at))?,
        };
        let ns = self.r.names().uri(ns);
        let local = match text {
            Cow::Borrowed(s) => Cow::Borrowed(&s[local_at..]),
            Cow::Owned(s) => Cow::Owned(s[local_at..].to_owned()),
        };
        Ok(FaultCode { ns, local })
    }

    /// The detail element: reads a `ServiceplatformFault` if there is one.
    fn detail(&mut self) -> Result<Vec<ServiceplatformError<'a>>> {
        let mut errors = Vec::new();
        while let Some(entry) = self.next_structural()? {
            if entry.ns == NsId::SP_FAULT && self.local(&entry) == "ServiceplatformFault" {
                self.serviceplatform_fault(&mut errors)?;
            } else {
                self.r.skip_element()?;
            }
        }
        Ok(errors)
    }

    /// `ServiceplatformFault`: `ErrorList?`, which holds `Error+` of `ErrorCode`, `ErrorText`.
    fn serviceplatform_fault(&mut self, errors: &mut Vec<ServiceplatformError<'a>>) -> Result<()> {
        let Some(list) = self.next_structural()? else {
            return Ok(());
        };
        self.expect_sp(&list, "ErrorList")?;
        while let Some(error) = self.next_structural()? {
            self.expect_sp(&error, "Error")?;
            let code = self.sp_text(&error, "ErrorCode")?;
            let text = self.sp_text(&error, "ErrorText")?;
            if let Some(extra) = self.next_structural()? {
                return Err(EnvelopeError::soap(S::InvalidFault, extra.span.start()));
            }
            errors.push(ServiceplatformError { code, text });
        }
        if errors.is_empty() {
            return Err(EnvelopeError::soap(S::InvalidFault, list.span.start()));
        }
        if let Some(extra) = self.next_structural()? {
            return Err(EnvelopeError::soap(S::InvalidFault, extra.span.start()));
        }
        Ok(())
    }

    fn expect_sp(&self, t: &StartTag, name: &str) -> Result<()> {
        if t.ns == NsId::SP_FAULT && self.local(t) == name {
            Ok(())
        } else {
            Err(EnvelopeError::soap(S::InvalidFault, t.span.start()))
        }
    }

    fn sp_text(&mut self, parent: &StartTag, name: &str) -> Result<TextValue<'a>> {
        let Some(child) = self.next_structural()? else {
            return Err(EnvelopeError::soap(S::InvalidFault, parent.span.start()));
        };
        self.expect_sp(&child, name)?;
        self.read_text(&child, |o| EnvelopeError::soap(S::InvalidFault, o))
    }
}
