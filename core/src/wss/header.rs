//! The `wsse:Security` header: Timestamp, BinarySecurityTokens, token
//! references, the message signature, and SAML assertions (recorded for the
//! token model), read in the same pass as the rest of the envelope.

use std::borrow::Cow;
use std::sync::Arc;

use crate::dsig::error::{SignatureErrorKind as E, VerifyError};
use crate::dsig::holes::span_in;
use crate::dsig::keyinfo::token_reference;
use crate::dsig::model::{SignatureInfo, TokenRef};
use crate::dsig::parse::{attr, expect_end, next_child, signature, text, Child, Result, SignatureLimits};
use crate::time::UtcTime;
use crate::token::assertion::AssertionInfo;
use crate::token::in_pass::{self, AssertionPass, InPass};
use crate::token::TokenClaims;
use crate::xml::index::Context;
use crate::xml::reader::{Binding, Reader, StartTag};
use crate::xml::text::trim_xml;
use crate::xml::{NsId, Span};

const X509V3: &str = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#X509v3";
const BASE64_BINARY: &str =
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary";

/// `wsu:Timestamp`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Timestamp {
    pub span: Span,
    pub created: UtcTime,
    pub expires: Option<UtcTime>,
}

/// A `wsse:BinarySecurityToken` holding an X.509 v3 certificate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct BinaryToken<'a> {
    pub id: Option<Cow<'a, str>>,
    /// `ValueType` is X509v3 and the encoding base64.
    pub is_x509: bool,
    /// The base64 text, decoded when the token is used.
    pub text: Cow<'a, str>,
    pub span: Span,
}

/// What the Security header holds.
#[derive(Clone, Debug, Default)]
pub(crate) struct SecurityHeader<'a> {
    pub span: Span,
    pub timestamp: Option<Timestamp>,
    pub tokens: Vec<BinaryToken<'a>>,
    /// `SecurityTokenReference` children with a `wsu:Id`.
    pub token_refs: Vec<(Cow<'a, str>, TokenRef<'a>)>,
    pub signatures: Vec<SignatureInfo<'a>>,
    /// `saml2:Assertion` children.
    pub assertions: Vec<Span>,
    /// The first assertion, when the token verifier asked for it to be read
    /// in this pass and it could be.
    pub in_pass: Option<AssertionInfo<'a>>,
    /// The first assertion's span and cached claims, when the pass found its
    /// bytes verified before and passed over it.
    pub known: Option<(Span, Arc<TokenClaims>)>,
}

/// Reads the Security header whose start tag was just read, through its end
/// tag, into `header` (empty; filled in place: the header is large); returns
/// the end tag's span. In a verification pass with known shapes, a header
/// of a known shape is recognized rather than read (see
/// [`HeaderShapes`](super::header_shape::HeaderShapes)), with the same result.
pub(crate) fn read<'a>(
    r: &mut Reader<'a>,
    t: &StartTag,
    limits: &SignatureLimits,
    assertion_pass: Option<&AssertionPass>,
    header: &mut SecurityHeader<'a>,
) -> Result<Span> {
    // The token model's headers carry an assertion, which no shape holds.
    let shaped = assertion_pass.is_none() && r.taps_idle() && r.index().is_some();
    let Some(shapes) = r.signed_info_shapes().filter(|_| shaped) else {
        return read_children(r, t, limits, assertion_pass, header, None);
    };
    if let Some(end) = shapes.headers().recognize(r, t, limits, header) {
        return Ok(end);
    }
    if !shapes.headers().learns_now() {
        return read_children(r, t, limits, assertion_pass, header, None);
    }
    let index_before = r.index().map_or((0, 0), |i| (i.entries.len(), i.seen));
    let (bindings, context) = (r.bindings_in_scope().len(), r.context_of_children());
    let mut notes = Notes { index_before, bindings, context, ..Notes::default() };
    let end = read_children(r, t, limits, assertion_pass, header, Some(&mut notes))?;
    shapes.headers().learn(r, t, limits, header, &notes, end);
    Ok(end)
}

/// What reading a header notes for learning its shape.
#[derive(Debug, Default)]
pub(crate) struct Notes<'a> {
    /// The first Timestamp's `Created` and `Expires` texts, where borrowed.
    pub times: [Option<Span>; 2],
    /// The namespaces the first Signature's start tag declares.
    pub signature_decls: Vec<Binding<'a>>,
    /// The ID index's entries and IDs seen before the header.
    pub index_before: (usize, usize),
    /// The namespace bindings in scope in the header, and the context of its children.
    pub bindings: usize,
    pub context: Option<Context<'a>>,
}

fn read_children<'a>(
    r: &mut Reader<'a>,
    t: &StartTag,
    limits: &SignatureLimits,
    assertion_pass: Option<&AssertionPass>,
    header: &mut SecurityHeader<'a>,
    mut notes: Option<&mut Notes<'a>>,
) -> Result<Span> {
    let end = loop {
        let c = match next_child(r)? {
            Child::End(span) => break span,
            Child::Start(c) => c,
        };
        let at = c.span.start();
        match (c.ns, c.name.local(r.source())) {
            (NsId::WSU, "Timestamp") if header.timestamp.is_none() => {
                // Signed, and read before the signature: digested on the way.
                r.with_taps(|taps, r| taps.speculate_here(r, &c));
                let (timestamp, times) = timestamp(r, &c)?;
                header.timestamp = Some(timestamp);
                if let Some(notes) = notes.as_deref_mut() {
                    notes.times = times;
                }
            }
            (NsId::WSU, "Timestamp") => return Err(VerifyError::sig(E::MalformedTimestamp, at)),
            (NsId::WSSE, "BinarySecurityToken") => header.tokens.push(binary_token(r, &c)?),
            (NsId::WSSE, "SecurityTokenReference") => {
                let id = attr(r, NsId::WSU, "Id");
                let token = token_reference(r, &c)?;
                if let Some(id) = id {
                    header.token_refs.push((id, token));
                }
            }
            (NsId::DS, "Signature") => {
                if header.signatures.len() >= limits.max_signatures {
                    return Err(VerifyError::sig(E::TooManySignatures { limit: limits.max_signatures }, at));
                }
                if let Some(notes) = notes.as_deref_mut().filter(|_| header.signatures.is_empty()) {
                    notes.signature_decls = r.declared_here().to_vec();
                }
                header.signatures.push(signature(r, &c, limits)?);
            }
            (NsId::SAML2, "Assertion") => assertion(r, &c, limits, assertion_pass, header)?,
            _ => {
                r.skip_element()?;
            }
        }
    };
    header.span = Span::new(t.span.start(), end.end());
    Ok(end)
}

/// A `saml2:Assertion` child: the first read in this pass when the token
/// verifier asked for it, the others passed over.
fn assertion<'a>(
    r: &mut Reader<'a>,
    c: &StartTag,
    limits: &SignatureLimits,
    assertion_pass: Option<&AssertionPass>,
    header: &mut SecurityHeader<'a>,
) -> Result<()> {
    let (span, found) = match assertion_pass {
        Some(pass) if header.assertions.is_empty() => in_pass::read(r, c, pass, limits)?,
        _ => (Span::new(c.span.start(), r.skip_element()?.end()), InPass::Skipped),
    };
    match found {
        InPass::Read(info) => header.in_pass = Some(info),
        InPass::Known(claims) => header.known = Some((span, claims)),
        InPass::Skipped => {}
    }
    header.assertions.push(span);
    Ok(())
}

/// `wsu:Timestamp`: `Created`, then optionally `Expires`; with where their
/// texts are, when borrowed.
fn timestamp(r: &mut Reader<'_>, t: &StartTag) -> Result<(Timestamp, [Option<Span>; 2])> {
    let at = t.span.start();
    let bad = || VerifyError::sig(E::MalformedTimestamp, at);
    let (created, created_text) = match next_child(r)? {
        Child::Start(c) if c.ns == NsId::WSU && c.name.local(r.source()) == "Created" => time_value(r, &c, at)?,
        _ => return Err(bad()),
    };
    let (expires, end) = match next_child(r)? {
        Child::End(end) => (None, end),
        Child::Start(c) if c.ns == NsId::WSU && c.name.local(r.source()) == "Expires" => {
            let expires = time_value(r, &c, at)?;
            let end = expect_end(r).map_err(|_| bad())?;
            (Some(expires), end)
        }
        Child::Start(_) => return Err(bad()),
    };
    if expires.is_some_and(|(e, _)| e <= created) {
        return Err(bad());
    }
    let timestamp = Timestamp { span: Span::new(at, end.end()), created, expires: expires.map(|(e, _)| e) };
    Ok((timestamp, [created_text, expires.and_then(|(_, text)| text)]))
}

fn time_value(r: &mut Reader<'_>, c: &StartTag, at: usize) -> Result<(UtcTime, Option<Span>)> {
    let value = text(r, c)?;
    let time = UtcTime::parse(trim_xml(&value)).map_err(|_| VerifyError::sig(E::MalformedTimestamp, at))?;
    Ok((time, span_in(r.source(), &value)))
}

fn binary_token<'a>(r: &mut Reader<'a>, t: &StartTag) -> Result<BinaryToken<'a>> {
    let id = attr(r, NsId::WSU, "Id");
    let value_type = attr(r, NsId::NONE, "ValueType");
    let encoding = attr(r, NsId::NONE, "EncodingType");
    let is_x509 = value_type.as_deref().map(trim_xml) == Some(X509V3)
        && encoding.as_deref().map_or(true, |e| trim_xml(e) == BASE64_BINARY);
    let text = text(r, t)?;
    let span = Span::new(t.span.start(), t.span.end());
    Ok(BinaryToken { id, is_x509, text, span })
}
