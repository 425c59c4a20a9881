//! The platform call context carried first in the operation element:
//! `InvocationContext`, `AuthorityContext` and `CallContext`, validated as
//! their schemas say (`xsd:all`: any order, each field at most once, no
//! unknown fields; lower-case UUIDs; eight-digit CVR; 255 characters).

use std::borrow::Cow;

use super::error::{ContextErrorKind as C, EnvelopeError};
use super::model::TextValue;
use super::parser::{Parser, Result};
use crate::ids::{Cvr, Uuid};
use crate::xml::chars::name_eq;
use crate::xml::reader::{Event, StartTag};
use crate::xml::text::{first_non_ws, is_blank};
use crate::xml::{NsId, Span};

/// `InvocationContext`: the four UUIDs of the InvocationContext security model.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InvocationContext<'a> {
    /// `ServiceAgreementUUID`.
    pub service_agreement: Uuid,
    /// `UserSystemUUID`: the calling IT system.
    pub user_system: Uuid,
    /// `UserUUID`: the authority (municipality).
    pub user: Uuid,
    /// `ServiceUUID`.
    pub service: Uuid,
    /// `OnBehalfOfUser`.
    pub on_behalf_of_user: Option<Cow<'a, str>>,
    /// `CallersServiceCallIdentifier`.
    pub callers_service_call_identifier: Option<Cow<'a, str>>,
    /// `AccountingInfo`.
    pub accounting_info: Option<Cow<'a, str>>,
    /// The `InvocationContext` element.
    pub span: Span,
}

impl InvocationContext<'_> {
    /// An owned copy that outlives the input.
    pub fn into_owned(self) -> InvocationContext<'static> {
        InvocationContext {
            service_agreement: self.service_agreement,
            user_system: self.user_system,
            user: self.user,
            service: self.service,
            on_behalf_of_user: own(self.on_behalf_of_user),
            callers_service_call_identifier: own(self.callers_service_call_identifier),
            accounting_info: own(self.accounting_info),
            span: self.span,
        }
    }
}

/// `AuthorityContext`: the municipality, named by CVR.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AuthorityContext {
    /// `MunicipalityCVR`.
    pub municipality_cvr: Cvr,
    /// The `AuthorityContext` element.
    pub span: Span,
}

/// `CallContext`: the optional call information without the UUIDs.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CallContext<'a> {
    /// `OnBehalfOfUser`.
    pub on_behalf_of_user: Option<Cow<'a, str>>,
    /// `CallersServiceCallIdentifier`.
    pub callers_service_call_identifier: Option<Cow<'a, str>>,
    /// `AccountingInfo`.
    pub accounting_info: Option<Cow<'a, str>>,
    /// The `CallContext` element.
    pub span: Span,
}

impl CallContext<'_> {
    /// An owned copy that outlives the input.
    pub fn into_owned(self) -> CallContext<'static> {
        CallContext {
            on_behalf_of_user: own(self.on_behalf_of_user),
            callers_service_call_identifier: own(self.callers_service_call_identifier),
            accounting_info: own(self.accounting_info),
            span: self.span,
        }
    }
}

fn own(v: Option<Cow<'_, str>>) -> Option<Cow<'static, str>> {
    v.map(|s| Cow::Owned(s.into_owned()))
}

/// The schemas' `maxLength` for the free-text fields.
const TEXT_MAX_CHARS: usize = 255;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Uuid,
    Cvr,
    Text,
}

struct Field {
    name: &'static str,
    kind: Kind,
    required: bool,
}

const fn field(name: &'static str, kind: Kind, required: bool) -> Field {
    Field { name, kind, required }
}

const INVOCATION: [Field; 7] = [
    field("ServiceAgreementUUID", Kind::Uuid, true),
    field("UserSystemUUID", Kind::Uuid, true),
    field("UserUUID", Kind::Uuid, true),
    field("ServiceUUID", Kind::Uuid, true),
    field("OnBehalfOfUser", Kind::Text, false),
    field("CallersServiceCallIdentifier", Kind::Text, false),
    field("AccountingInfo", Kind::Text, false),
];

const AUTHORITY: [Field; 1] = [field("MunicipalityCVR", Kind::Cvr, true)];

const CALL: [Field; 3] = [
    field("OnBehalfOfUser", Kind::Text, false),
    field("CallersServiceCallIdentifier", Kind::Text, false),
    field("AccountingInfo", Kind::Text, false),
];

/// Field values by position in the field table.
type Values<'a> = [Option<TextValue<'a>>; 7];

impl<'a> Parser<'a> {
    /// Whether `t` is one of the three context elements.
    pub(super) fn is_context(&self, t: &StartTag) -> bool {
        let local = self.local(t);
        matches!(
            (t.ns, local),
            (NsId::INVOCATION_CONTEXT, "InvocationContext")
                | (NsId::AUTHORITY_CONTEXT, "AuthorityContext")
                | (NsId::CALL_CONTEXT, "CallContext")
        )
    }

    /// Reads and validates a context element; returns its end tag span.
    pub(super) fn context(&mut self, t: StartTag) -> Result<Span> {
        let at = t.span.start();
        let duplicate = match t.ns {
            NsId::INVOCATION_CONTEXT => self.env.invocation_context.is_some(),
            NsId::AUTHORITY_CONTEXT => self.env.authority_context.is_some(),
            _ => self.env.call_context.is_some(),
        };
        if duplicate {
            return Err(EnvelopeError::context(C::DuplicateContext, at));
        }
        let fields: &[Field] = match t.ns {
            NsId::INVOCATION_CONTEXT => &INVOCATION,
            NsId::AUTHORITY_CONTEXT => &AUTHORITY,
            _ => &CALL,
        };
        let mut values: Values<'a> = Default::default();
        self.context_fields(t.ns, fields, &mut values)?;
        let end = self.last_end_span;
        let span = Span::new(at, end.end());
        for (f, v) in fields.iter().zip(&values) {
            match v {
                Some(v) if f.kind == Kind::Text => check_length(v)?,
                None if f.required => return Err(EnvelopeError::context(C::MissingField(f.name), at)),
                _ => {}
            }
        }
        self.store_context(t.ns, values, span)?;
        Ok(end)
    }

    /// Collects the fields (children) of a context element into `values`.
    fn context_fields(&mut self, ns: NsId, fields: &[Field], values: &mut Values<'a>) -> Result<()> {
        // Simple fields (nearly all) are taken whole, without events.
        let mut next = 0;
        loop {
            if let Some((child, text, end)) = self.r.simple_text_child() {
                let i = field_of(fields, ns, &child, self.local(&child), &mut next)?;
                if values[i].is_some() {
                    return Err(EnvelopeError::context(C::DuplicateField, child.span.start()));
                }
                values[i] = Some(TextValue::new(Cow::Borrowed(&self.src[text.range()]), text));
                self.last_end_span = end;
                continue;
            }
            let child = match self.r.next()? {
                Event::Start(child) => child,
                Event::End { span, .. } => {
                    self.last_end_span = span;
                    return Ok(());
                }
                Event::Text { span, has_ref } if has_ref || !is_blank(&self.src[span.range()]) => {
                    return Err(EnvelopeError::context(C::UnexpectedContent, first_non_ws(self.src, span)));
                }
                Event::CData(span) => return Err(EnvelopeError::context(C::UnexpectedContent, span.start())),
                _ => continue,
            };
            let i = field_of(fields, ns, &child, self.local(&child), &mut next)?;
            if values[i].is_some() {
                return Err(EnvelopeError::context(C::DuplicateField, child.span.start()));
            }
            values[i] = Some(self.read_text(&child, |o| EnvelopeError::context(C::UnexpectedContent, o))?);
        }
    }

    fn store_context(&mut self, ns: NsId, values: Values<'a>, span: Span) -> Result<()> {
        let [v0, v1, v2, v3, v4, v5, v6] = values;
        let text = |v: Option<TextValue<'a>>| v.map(TextValue::into_cow);
        match ns {
            NsId::INVOCATION_CONTEXT => {
                self.env.invocation_context = Some(InvocationContext {
                    service_agreement: uuid(v0, span)?,
                    user_system: uuid(v1, span)?,
                    user: uuid(v2, span)?,
                    service: uuid(v3, span)?,
                    on_behalf_of_user: text(v4),
                    callers_service_call_identifier: text(v5),
                    accounting_info: text(v6),
                    span,
                })
            }
            NsId::AUTHORITY_CONTEXT => {
                let v = v0.ok_or(EnvelopeError::context(C::MissingField("MunicipalityCVR"), span.start()))?;
                let municipality_cvr =
                    Cvr::parse(v.as_str()).map_err(|_| EnvelopeError::context(C::InvalidCvr, v.span().start()))?;
                self.env.authority_context = Some(AuthorityContext { municipality_cvr, span });
            }
            _ => {
                self.env.call_context = Some(CallContext {
                    on_behalf_of_user: text(v0),
                    callers_service_call_identifier: text(v1),
                    accounting_info: text(v2),
                    span,
                })
            }
        }
        Ok(())
    }
}

/// The field of the table that child `child` (local name `local`) of a
/// context element in namespace `ns` is. Senders write the fields in the
/// schema's order, mostly: the one after the last (`next`) is tried first
/// (names are unique in a table).
fn field_of(fields: &[Field], ns: NsId, child: &StartTag, local: &str, next: &mut usize) -> Result<usize> {
    let named = |f: &Field| name_eq(f.name.as_bytes(), local.as_bytes());
    let found = match fields.get(*next) {
        Some(f) if named(f) => Some(*next),
        _ => fields.iter().position(named),
    };
    let i = found.filter(|_| child.ns == ns).ok_or(EnvelopeError::context(C::UnknownField, child.span.start()))?;
    *next = i + 1;
    Ok(i)
}

/// A required UUID field (presence was checked against the field table).
fn uuid(v: Option<TextValue<'_>>, context: Span) -> Result<Uuid> {
    let v = v.ok_or(EnvelopeError::context(C::MissingField("UUID"), context.start()))?;
    Uuid::parse_lower(v.as_str()).map_err(|_| EnvelopeError::context(C::InvalidUuid, v.span().start()))
}

fn check_length(v: &TextValue<'_>) -> Result<()> {
    // A text has at most as many characters as bytes: a short one is not counted.
    let text = v.as_str();
    if text.len() > TEXT_MAX_CHARS && text.chars().count() > TEXT_MAX_CHARS {
        return Err(EnvelopeError::context(C::TooLong { limit: TEXT_MAX_CHARS }, v.span().start()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The limit counts characters, not bytes: short texts are not counted at all.
    #[test]
    fn text_length_is_counted_in_characters() {
        let check = |s: String| check_length(&TextValue::new(s.into(), Span::new(3, 4))).is_ok();
        assert!(check("x".repeat(TEXT_MAX_CHARS)));
        assert!(!check("x".repeat(TEXT_MAX_CHARS + 1)));
        assert!(check("é".repeat(TEXT_MAX_CHARS)));
        assert!(!check("é".repeat(TEXT_MAX_CHARS + 1)));
        assert!(check("€".repeat(TEXT_MAX_CHARS / 3 + 1)));
    }
}
