//! The envelope view: what a gateway reads from a SOAP message, borrowed
//! from the input.

use std::borrow::Cow;

use super::context::{AuthorityContext, CallContext, InvocationContext};
use super::fault::Fault;
use crate::xml::text::trim_xml;
use crate::xml::Span;

/// The SOAP version, chosen by the namespace of the `Envelope`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SoapVersion {
    /// `http://schemas.xmlsoap.org/soap/envelope/`
    Soap11,
    /// `http://www.w3.org/2003/05/soap-envelope`
    Soap12,
}

impl SoapVersion {
    /// `"1.1"` or `"1.2"`.
    pub fn as_str(&self) -> &'static str {
        match self {
            SoapVersion::Soap11 => "1.1",
            SoapVersion::Soap12 => "1.2",
        }
    }

    /// The envelope namespace URI.
    pub fn namespace(&self) -> &'static str {
        match self {
            SoapVersion::Soap11 => crate::ns::SOAP11,
            SoapVersion::Soap12 => crate::ns::SOAP12,
        }
    }
}

/// An expanded element name: namespace URI and local name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct QName<'a> {
    /// Namespace URI; empty for no namespace.
    pub ns: &'a str,
    /// Local name.
    pub local: &'a str,
}

/// An element: its name and the byte span from `<` of the start tag to `>` of the end tag.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Element<'a> {
    /// Expanded name.
    pub name: QName<'a>,
    /// The whole element.
    pub span: Span,
}

/// Text content of an element, references expanded and line endings normalized.
/// Borrowed when the input needed no change.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TextValue<'a> {
    value: Cow<'a, str>,
    span: Span,
}

impl<'a> TextValue<'a> {
    pub(crate) fn new(value: Cow<'a, str>, span: Span) -> Self {
        TextValue { value, span }
    }

    /// The value exactly as the infoset has it.
    pub fn as_str(&self) -> &str {
        &self.value
    }

    /// The value without leading and trailing XML whitespace (for `anyURI`-like values).
    pub fn trimmed(&self) -> &str {
        trim_xml(&self.value)
    }

    /// Span of the content in the input (between the tags).
    pub fn span(&self) -> Span {
        self.span
    }

    /// Whether the value is borrowed from the input.
    pub fn is_borrowed(&self) -> bool {
        matches!(self.value, Cow::Borrowed(_))
    }

    pub(crate) fn into_cow(self) -> Cow<'a, str> {
        self.value
    }

    /// An owned copy that outlives the input.
    pub fn into_owned(self) -> TextValue<'static> {
        TextValue { value: Cow::Owned(self.value.into_owned()), span: self.span }
    }
}

/// One child of the SOAP `Header`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HeaderBlock<'a> {
    /// Expanded name.
    pub name: QName<'a>,
    /// The whole element.
    pub span: Span,
    /// `mustUnderstand` is true.
    pub must_understand: bool,
    /// `actor` (SOAP 1.1) or `role` (SOAP 1.2), when present.
    pub actor: Option<Cow<'a, str>>,
    /// `wsu:Id`, when present.
    pub id: Option<Cow<'a, str>>,
}

/// The WS-Addressing 1.0 headers present. Values are trimmed.
#[non_exhaustive]
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Addressing<'a> {
    /// `wsa:Action`.
    pub action: Option<TextValue<'a>>,
    /// `wsa:MessageID`.
    pub message_id: Option<TextValue<'a>>,
    /// `wsa:To`.
    pub to: Option<TextValue<'a>>,
    /// `wsa:From/wsa:Address`.
    pub from: Option<TextValue<'a>>,
    /// `wsa:ReplyTo/wsa:Address`.
    pub reply_to: Option<TextValue<'a>>,
    /// `wsa:FaultTo/wsa:Address`.
    pub fault_to: Option<TextValue<'a>>,
    /// `wsa:RelatesTo` with the reply relationship (the default).
    pub relates_to: Option<TextValue<'a>>,
}

impl Addressing<'_> {
    /// An owned copy.
    pub fn into_owned(self) -> Addressing<'static> {
        let own = |v: Option<TextValue<'_>>| v.map(TextValue::into_owned);
        Addressing {
            action: own(self.action),
            message_id: own(self.message_id),
            to: own(self.to),
            from: own(self.from),
            reply_to: own(self.reply_to),
            fault_to: own(self.fault_to),
            relates_to: own(self.relates_to),
        }
    }
}

/// The Liberty `sbf:Framework` header.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Framework<'a> {
    /// The `version` attribute (the platform requires `2.0`).
    pub version: Cow<'a, str>,
    /// The `sbfprofile:profile` attribute, when present.
    pub profile: Option<Cow<'a, str>>,
    /// The header element.
    pub span: Span,
}

/// A read SOAP message: the structure a gateway routes and authorizes on,
/// borrowed from the input. Produced by [`Envelope::parse`].
#[derive(Clone, Debug)]
pub struct Envelope<'a> {
    pub(crate) source: &'a str,
    pub(crate) version: SoapVersion,
    pub(crate) span: Span,
    pub(crate) header: Option<Span>,
    pub(crate) header_blocks: Vec<HeaderBlock<'a>>,
    pub(crate) body: Span,
    pub(crate) body_id: Option<Cow<'a, str>>,
    pub(crate) operation: Option<Element<'a>>,
    pub(crate) operation_children: Vec<Element<'a>>,
    pub(crate) addressing: Addressing<'a>,
    pub(crate) framework: Option<Framework<'a>>,
    pub(crate) transaction_uuid: Option<TextValue<'a>>,
    pub(crate) security: Option<usize>,
    pub(crate) invocation_context: Option<InvocationContext<'a>>,
    pub(crate) authority_context: Option<AuthorityContext>,
    pub(crate) call_context: Option<CallContext<'a>>,
    pub(crate) fault: Option<Fault<'a>>,
}

impl<'a> Envelope<'a> {
    /// The document text the spans refer to.
    pub fn source(&self) -> &'a str {
        self.source
    }

    /// SOAP 1.1 or 1.2.
    pub fn version(&self) -> SoapVersion {
        self.version
    }

    /// The `Envelope` element.
    pub fn span(&self) -> Span {
        self.span
    }

    /// The `Header` element, when present.
    pub fn header(&self) -> Option<Span> {
        self.header
    }

    /// The children of `Header`, in document order.
    pub fn header_blocks(&self) -> &[HeaderBlock<'a>] {
        &self.header_blocks
    }

    /// The `Body` element.
    pub fn body(&self) -> Span {
        self.body
    }

    /// The `wsu:Id` of the `Body`, when present.
    pub fn body_id(&self) -> Option<&str> {
        self.body_id.as_deref()
    }

    /// The operation element: the first child of `Body` (`None` for an empty
    /// Body; a fault is reported by [`Envelope::fault`] instead).
    pub fn operation(&self) -> Option<&Element<'a>> {
        self.operation.as_ref()
    }

    /// The children of the operation element, in document order.
    pub fn operation_children(&self) -> &[Element<'a>] {
        &self.operation_children
    }

    /// WS-Addressing 1.0 headers.
    pub fn addressing(&self) -> &Addressing<'a> {
        &self.addressing
    }

    /// The Liberty `sbf:Framework` header.
    pub fn framework(&self) -> Option<&Framework<'a>> {
        self.framework.as_ref()
    }

    /// `RequestHeader/TransactionUUID` (KOMBIT), trimmed by [`TextValue::trimmed`].
    pub fn transaction_uuid(&self) -> Option<&TextValue<'a>> {
        self.transaction_uuid.as_ref()
    }

    /// The `wsse:Security` header addressed to the ultimate receiver (no actor or role).
    pub fn security_header(&self) -> Option<&HeaderBlock<'a>> {
        self.security.map(|i| &self.header_blocks[i])
    }

    /// The `InvocationContext` in the operation element.
    pub fn invocation_context(&self) -> Option<&InvocationContext<'a>> {
        self.invocation_context.as_ref()
    }

    /// The `AuthorityContext` in the operation element.
    pub fn authority_context(&self) -> Option<&AuthorityContext> {
        self.authority_context.as_ref()
    }

    /// The `CallContext` in the operation element.
    pub fn call_context(&self) -> Option<&CallContext<'a>> {
        self.call_context.as_ref()
    }

    /// The SOAP fault, when the Body holds one.
    pub fn fault(&self) -> Option<&Fault<'a>> {
        self.fault.as_ref()
    }

    /// The input bytes of a span.
    pub fn slice(&self, span: Span) -> &'a str {
        &self.source[span.range()]
    }
}
