//! Header blocks: the generic attributes every block has, and the headers
//! kuvert understands (WS-Addressing 1.0, Liberty Framework, KOMBIT
//! RequestHeader, WS-Security).

use std::borrow::Cow;

use super::error::{EnvelopeError, SoapErrorKind as S};
use super::model::{Framework, HeaderBlock, SoapVersion, TextValue};
use super::parser::{Parser, Result};
use crate::wss::header::SecurityHeader;
use crate::xml::reader::StartTag;
use crate::xml::text::trim_xml;
use crate::xml::{NsId, Span};

const WSA_REPLY: &str = "http://www.w3.org/2005/08/addressing/reply";
const ROLE_ULTIMATE: &str = "http://www.w3.org/2003/05/soap-envelope/role/ultimateReceiver";
const ROLE_NEXT_12: &str = "http://www.w3.org/2003/05/soap-envelope/role/next";
const ACTOR_NEXT_11: &str = "http://schemas.xmlsoap.org/soap/actor/next";

impl<'a> Parser<'a> {
    pub(super) fn header(&mut self, header: StartTag) -> Result<()> {
        while let Some(t) = self.next_structural()? {
            self.header_block(t)?;
        }
        self.env.header = Some(Span::new(header.span.start(), self.last_end_span.end()));
        Ok(())
    }

    fn header_block(&mut self, t: StartTag) -> Result<()> {
        let at = t.span.start();
        if t.ns == NsId::NONE {
            return Err(EnvelopeError::soap(S::UnqualifiedHeaderBlock, at));
        }
        let limit = self.limits.max_header_blocks;
        if self.env.header_blocks.len() >= limit {
            return Err(EnvelopeError::soap(S::TooManyHeaderBlocks { limit }, at));
        }
        let must_understand = self.must_understand()?;
        let actor_name = if self.env.version == SoapVersion::Soap11 { "actor" } else { "role" };
        let actor = self.attr_string(self.soap, actor_name);
        let id = self.attr_string(NsId::WSU, "Id");
        let name = self.qname(&t);
        if let Some(pass) = self.signing.as_mut() {
            // What sign_message signs: WS-Addressing, the Framework, every mustUnderstand block.
            if t.ns == NsId::WSA || (t.ns == NsId::SBF && name.local == "Framework") || must_understand {
                pass.start(&mut self.r, &t, id.as_deref(), false);
            }
        }
        let index = self.env.header_blocks.len();
        let end = match (t.ns, name.local) {
            (NsId::WSA, "Action" | "MessageID" | "To" | "RelatesTo") => self.addressing_value(&t)?,
            (NsId::WSA, "From" | "ReplyTo" | "FaultTo") => self.endpoint_reference(&t)?,
            (NsId::SBF, "Framework") => self.framework(&t)?,
            (NsId::KOMBIT_REQUEST_HEADER, "RequestHeader") => self.request_header(&t)?,
            (NsId::WSSE, "Security") if is_for_us(actor.as_deref()) => {
                if self.env.security.is_some() {
                    return Err(EnvelopeError::soap(S::DuplicateHeader, at));
                }
                self.env.security = Some(index);
                self.security_header(&t)?
            }
            _ => self.r.skip_element()?,
        };
        let span = Span::new(at, end.end());
        self.env.header_blocks.push(HeaderBlock { name, span, must_understand, actor, id });
        Ok(())
    }

    /// The Security header: read for verification, skipped otherwise.
    fn security_header(&mut self, t: &StartTag) -> Result<Span> {
        let Some(state) = self.security.as_mut() else {
            return Ok(self.r.skip_element()?);
        };
        let header = state.header.insert(SecurityHeader::default());
        match crate::wss::header::read(&mut self.r, t, &state.limits, state.assertion_pass.as_ref(), header) {
            Ok(end) => {
                if let [sig] = header.signatures.as_slice() {
                    want_digests(self.r.taps(), sig);
                }
                Ok(end)
            }
            Err(e) => {
                state.header = None;
                state.error = Some(e);
                Err(EnvelopeError::soap(S::InvalidSecurityHeader, t.span.start()))
            }
        }
    }

    /// `mustUnderstand` as an `xs:boolean`; absent is false.
    fn must_understand(&self) -> Result<bool> {
        let Some(attr) = self.attr(self.soap, "mustUnderstand") else {
            return Ok(false);
        };
        let value = crate::xml::text::attr_value(self.src, attr.value, attr.has_ref);
        match trim_xml(&value) {
            "1" | "true" => Ok(true),
            "0" | "false" => Ok(false),
            _ => Err(EnvelopeError::soap(S::InvalidMustUnderstand, attr.value.start())),
        }
    }

    /// `Action`, `MessageID`, `To`, `RelatesTo`: one trimmed text value each.
    fn addressing_value(&mut self, t: &StartTag) -> Result<Span> {
        let at = t.span.start();
        let local = self.local(t);
        let reply = local != "RelatesTo" || {
            let kind = self.attr_string(NsId::NONE, "RelationshipType");
            kind.as_deref().map_or(true, |k| trim_xml(k) == WSA_REPLY)
        };
        let value = self.read_text(t, |o| EnvelopeError::soap(S::InvalidAddressing, o))?;
        let value = trimmed(value);
        let addressing = &mut self.env.addressing;
        let slot = match local {
            "Action" => &mut addressing.action,
            "MessageID" => &mut addressing.message_id,
            "To" => &mut addressing.to,
            _ if reply => &mut addressing.relates_to,
            _ => return Ok(self.last_end_span),
        };
        if slot.is_some() {
            return Err(EnvelopeError::soap(S::DuplicateHeader, at));
        }
        *slot = Some(value);
        Ok(self.last_end_span)
    }

    /// `From`, `ReplyTo`, `FaultTo`: an endpoint reference with exactly one `Address`.
    fn endpoint_reference(&mut self, t: &StartTag) -> Result<Span> {
        let at = t.span.start();
        let mut address = None;
        while let Some(child) = self.next_structural()? {
            if child.ns == NsId::WSA && self.local(&child) == "Address" {
                if address.is_some() {
                    return Err(EnvelopeError::soap(S::InvalidAddressing, child.span.start()));
                }
                let value = self.read_text(&child, |o| EnvelopeError::soap(S::InvalidAddressing, o))?;
                address = Some(trimmed(value));
            } else {
                self.r.skip_element()?;
            }
        }
        let end = self.last_end_span;
        let Some(address) = address else {
            return Err(EnvelopeError::soap(S::InvalidAddressing, at));
        };
        let local = self.local(t);
        let addressing = &mut self.env.addressing;
        let slot = match local {
            "From" => &mut addressing.from,
            "ReplyTo" => &mut addressing.reply_to,
            _ => &mut addressing.fault_to,
        };
        if slot.is_some() {
            return Err(EnvelopeError::soap(S::DuplicateHeader, at));
        }
        *slot = Some(address);
        Ok(end)
    }

    fn framework(&mut self, t: &StartTag) -> Result<Span> {
        let at = t.span.start();
        if self.env.framework.is_some() {
            return Err(EnvelopeError::soap(S::DuplicateHeader, at));
        }
        let Some(version) = self.attr_string(NsId::NONE, "version") else {
            return Err(EnvelopeError::soap(S::InvalidFramework, at));
        };
        let profile = self.attr_string(NsId::SBF_PROFILE, "profile");
        let end = self.r.skip_element()?;
        let span = Span::new(at, end.end());
        self.env.framework = Some(Framework { version: trim_cow(version), profile: profile.map(trim_cow), span });
        Ok(end)
    }

    fn request_header(&mut self, t: &StartTag) -> Result<Span> {
        let at = t.span.start();
        if self.env.transaction_uuid.is_some() {
            return Err(EnvelopeError::soap(S::DuplicateHeader, at));
        }
        let mut uuid = None;
        while let Some(child) = self.next_structural()? {
            let child_at = child.span.start();
            if child.ns != NsId::KOMBIT_REQUEST_HEADER || self.local(&child) != "TransactionUUID" || uuid.is_some() {
                return Err(EnvelopeError::soap(S::InvalidRequestHeader, child_at));
            }
            let value = self.read_text(&child, |o| EnvelopeError::soap(S::UnexpectedChildElement, o))?;
            if value.as_str().is_empty() {
                return Err(EnvelopeError::soap(S::InvalidRequestHeader, child_at));
            }
            uuid = Some(value);
        }
        let end = self.last_end_span;
        match uuid {
            Some(v) => self.env.transaction_uuid = Some(v),
            None => return Err(EnvelopeError::soap(S::InvalidRequestHeader, at)),
        }
        Ok(end)
    }
}

/// Asks for the references to elements later in the message to be digested in this pass.
fn want_digests<'a>(taps: &mut crate::c14n::taps::DigestTaps<'a>, sig: &crate::dsig::model::SignatureInfo<'a>) {
    for (i, r) in sig.references.iter().enumerate() {
        let (crate::dsig::model::RefTarget::Id(id), false, None) =
            (&r.target, r.transforms.enveloped, &r.transforms.str_transform)
        else {
            continue;
        };
        let method = r.transforms.c14n.as_ref().map_or(crate::C14nMethod::Inclusive, |s| s.method);
        let prefixes = r.transforms.c14n.as_ref().map(|s| s.prefix_list()).unwrap_or_default();
        taps.want(i, id.clone(), method, &prefixes, r.digest);
    }
}

/// Whether a Security header with this actor/role is addressed to the receiver.
fn is_for_us(actor: Option<&str>) -> bool {
    match actor.map(trim_xml) {
        None => true,
        Some(a) => a == ROLE_ULTIMATE || a == ROLE_NEXT_12 || a == ACTOR_NEXT_11,
    }
}

/// A value with surrounding XML whitespace removed, still borrowed when it was.
pub(crate) fn trimmed(value: TextValue<'_>) -> TextValue<'_> {
    let span = value.span();
    let raw = value.as_str();
    let lead = raw.len() - raw.trim_start_matches([' ', '\t', '\n', '\r']).len();
    let kept = trim_xml(raw).len();
    if kept == raw.len() {
        return value;
    }
    let inner = if value.is_borrowed() { Span::new(span.start() + lead, span.start() + lead + kept) } else { span };
    let text = match value.into_cow() {
        Cow::Borrowed(s) => Cow::Borrowed(&s[lead..lead + kept]),
        Cow::Owned(s) => Cow::Owned(s[lead..lead + kept].to_owned()),
    };
    TextValue::new(text, inner)
}

fn trim_cow(value: Cow<'_, str>) -> Cow<'_, str> {
    match value {
        Cow::Borrowed(s) => Cow::Borrowed(trim_xml(s)),
        Cow::Owned(s) => Cow::Owned(trim_xml(&s).to_owned()),
    }
}
