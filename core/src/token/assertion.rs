//! Reading a SAML 2.0 `Assertion` as the OIO-IDWS / Liberty profiles use it:
//! Issuer, the issuer's enveloped signature, Subject with a holder-of-key
//! confirmation, Conditions with audiences, and attributes. The schema order
//! is enforced; values are read whole (text around comments is joined, so a
//! comment cannot truncate a NameID or a CVR).

use std::borrow::Cow;

use super::error::{TokenError, TokenErrorKind as K};
use super::policy::SamlLimits;
use crate::dsig::keyinfo::key_info;
use crate::dsig::model::{CertificateText, SignatureInfo};
use crate::dsig::parse::{signature, Child, SignatureLimits};
use crate::dsig::VerifyError;
use crate::time::UtcTime;
use crate::xml::content::read_text;
use crate::xml::reader::{Event, Reader, StartTag};
use crate::xml::text::{attr_value, is_blank, trim_xml};
use crate::xml::{NsId, Span, XmlError};

const HOLDER_OF_KEY: &str = "urn:oasis:names:tc:SAML:2.0:cm:holder-of-key";

type Result<T> = std::result::Result<T, TokenError>;

/// A holder-of-key `SubjectConfirmation`.
#[derive(Clone, Debug)]
pub(crate) struct HolderConfirmation<'a> {
    pub at: usize,
    pub not_before: Option<UtcTime>,
    pub not_on_or_after: Option<UtcTime>,
    pub recipient: Option<Cow<'a, str>>,
    /// The one certificate of `SubjectConfirmationData/KeyInfo/X509Data` (base64, undecoded).
    pub certificate: CertificateText<'a>,
}

/// `Conditions`.
#[derive(Clone, Debug, Default)]
pub(crate) struct Conditions<'a> {
    pub at: usize,
    pub not_before: Option<UtcTime>,
    pub not_on_or_after: Option<UtcTime>,
    /// One list per `AudienceRestriction` (all must hold; one audience of each must match).
    pub audience_restrictions: Vec<Vec<Cow<'a, str>>>,
}

/// An `Attribute` of an `AttributeStatement`.
#[derive(Clone, Debug)]
pub(crate) struct Attribute<'a> {
    pub at: usize,
    pub name: Cow<'a, str>,
    pub values: Vec<Cow<'a, str>>,
}

/// An assertion as read, borrowed from the message.
#[derive(Clone, Debug)]
pub(crate) struct AssertionInfo<'a> {
    pub span: Span,
    pub id: Cow<'a, str>,
    pub issue_instant: UtcTime,
    pub issuer: Cow<'a, str>,
    pub signature: Option<SignatureInfo<'a>>,
    pub name_id: Option<(Cow<'a, str>, Option<Cow<'a, str>>)>,
    /// Holder-of-key confirmations (the profile requires exactly one).
    pub holders: Vec<HolderConfirmation<'a>>,
    pub conditions: Option<Conditions<'a>>,
    pub attributes: Vec<Attribute<'a>>,
}

fn malformed(at: usize) -> TokenError {
    TokenError::token(K::MalformedAssertion, at)
}

fn xml(e: XmlError) -> TokenError {
    TokenError::Message(VerifyError::from(e))
}

/// Reads the `saml:Assertion` element that `r` is positioned before (the
/// reader holds exactly that element).
pub(crate) fn read_assertion<'a>(
    r: &mut Reader<'a>,
    limits: &SamlLimits,
    sig_limits: &SignatureLimits,
) -> Result<AssertionInfo<'a>> {
    match r.next().map_err(xml)? {
        Event::Start(t) if t.ns == NsId::SAML2 && t.name.local(r.source()) == "Assertion" => {
            read_assertion_at(r, &t, limits, sig_limits)
        }
        _ => Err(malformed(r.source().len())),
    }
}

/// Reads the `saml:Assertion` element whose start tag `t` was just read,
/// through its end tag. Every error is returned before the end tag is read.
pub(crate) fn read_assertion_at<'a>(
    r: &mut Reader<'a>,
    t: &StartTag,
    limits: &SamlLimits,
    sig_limits: &SignatureLimits,
) -> Result<AssertionInfo<'a>> {
    let at = t.span.start();
    if attr(r, "Version").as_deref() != Some("2.0") {
        return Err(malformed(at));
    }
    let id = attr(r, "ID").filter(|v| !v.is_empty()).ok_or(malformed(at))?;
    let issue_instant = time_attr(r, "IssueInstant", at)?.ok_or(malformed(at))?;
    let issuer = match next_child(r)? {
        Child::Start(c) if c.ns == NsId::SAML2 && c.name.local(r.source()) == "Issuer" => trimmed_text(r, &c)?,
        _ => return Err(malformed(at)),
    };
    let mut a = AssertionInfo {
        span: Span::default(),
        id,
        issue_instant,
        issuer,
        signature: None,
        name_id: None,
        holders: Vec::new(),
        conditions: None,
        attributes: Vec::new(),
    };
    let end = read_children(r, &mut a, limits, sig_limits)?;
    a.span = Span::new(at, end.end());
    Ok(a)
}

/// The children after `Issuer`, in schema order; returns the end tag's span.
fn read_children<'a>(
    r: &mut Reader<'a>,
    a: &mut AssertionInfo<'a>,
    limits: &SamlLimits,
    sig_limits: &SignatureLimits,
) -> Result<Span> {
    // Schema order: Signature?, Subject?, Conditions?, Advice?, statements*.
    let mut stage = 0;
    loop {
        let c = match next_child(r)? {
            Child::Start(c) => c,
            Child::End(span) => return Ok(span),
        };
        let at = c.span.start();
        let (ns, local) = (c.ns, c.name.local(r.source()));
        let next_stage = match (ns, local) {
            (NsId::DS, "Signature") => 1,
            (NsId::SAML2, "Subject") => 2,
            (NsId::SAML2, "Conditions") => 3,
            (NsId::SAML2, "Advice") => 4,
            (NsId::SAML2, "AuthnStatement" | "AttributeStatement" | "AuthzDecisionStatement" | "Statement") => 5,
            _ => return Err(malformed(at)),
        };
        if next_stage < stage || (next_stage == stage && next_stage < 5) {
            return Err(malformed(at));
        }
        stage = next_stage;
        match next_stage {
            1 => a.signature = Some(signature(r, &c, sig_limits).map_err(TokenError::Message)?),
            2 => subject(r, a, limits)?,
            3 => a.conditions = Some(conditions(r, &c, limits)?),
            _ if local == "AttributeStatement" => attribute_statement(r, a, limits)?,
            _ => skip(r)?,
        }
    }
}

/// `Subject`: a NameID and subject confirmations.
fn subject<'a>(r: &mut Reader<'a>, a: &mut AssertionInfo<'a>, limits: &SamlLimits) -> Result<()> {
    while let Child::Start(c) = next_child(r)? {
        let at = c.span.start();
        match (c.ns, c.name.local(r.source())) {
            (NsId::SAML2, "NameID") if a.name_id.is_none() && a.holders.is_empty() => {
                let format = attr(r, "Format");
                a.name_id = Some((trimmed_text(r, &c)?, format));
            }
            (NsId::SAML2, "SubjectConfirmation") => {
                if let Some(holder) = confirmation(r, &c)? {
                    if a.holders.len() >= limits.max_confirmations {
                        return Err(TokenError::token(K::LimitExceeded, at));
                    }
                    a.holders.push(holder);
                }
            }
            _ => return Err(malformed(at)),
        }
    }
    Ok(())
}

/// A `SubjectConfirmation`; `Some` when its method is holder-of-key.
fn confirmation<'a>(r: &mut Reader<'a>, t: &StartTag) -> Result<Option<HolderConfirmation<'a>>> {
    let at = t.span.start();
    let method = attr(r, "Method").ok_or(malformed(at))?;
    if trim_xml(&method) != HOLDER_OF_KEY {
        skip(r)?;
        return Ok(None);
    }
    let mut found: Option<HolderConfirmation<'a>> = None;
    while let Child::Start(c) = next_child(r)? {
        let c_at = c.span.start();
        match (c.ns, c.name.local(r.source())) {
            (NsId::SAML2, "BaseID" | "NameID" | "EncryptedID") if found.is_none() => skip(r)?,
            (NsId::SAML2, "SubjectConfirmationData") if found.is_none() => {
                let not_before = time_attr(r, "NotBefore", c_at)?;
                let not_on_or_after = time_attr(r, "NotOnOrAfter", c_at)?;
                let recipient = attr(r, "Recipient");
                let certificate = holder_certificate(r, c_at)?;
                found = Some(HolderConfirmation { at, not_before, not_on_or_after, recipient, certificate });
            }
            _ => return Err(malformed(c_at)),
        }
    }
    found.map(Some).ok_or(TokenError::token(K::NotHolderOfKey, at))
}

/// The one certificate of the confirmation data's `ds:KeyInfo`.
fn holder_certificate<'a>(r: &mut Reader<'a>, at: usize) -> Result<CertificateText<'a>> {
    let mut certificate = None;
    while let Child::Start(c) = next_child(r)? {
        let is_key_info = c.ns == NsId::DS && c.name.local(r.source()) == "KeyInfo";
        if !is_key_info || certificate.is_some() {
            return Err(TokenError::token(K::NotHolderOfKey, c.span.start()));
        }
        let mut ki = key_info(r, &c).map_err(TokenError::Message)?;
        if ki.certificates.len() != 1 || ki.token.is_some() || ki.key_value.is_some() {
            return Err(TokenError::token(K::NotHolderOfKey, c.span.start()));
        }
        certificate = ki.certificates.pop();
    }
    certificate.ok_or(TokenError::token(K::NotHolderOfKey, at))
}

/// `Conditions`: validity bounds and audience restrictions (other conditions are kept out).
fn conditions<'a>(r: &mut Reader<'a>, t: &StartTag, limits: &SamlLimits) -> Result<Conditions<'a>> {
    let at = t.span.start();
    let mut out = Conditions {
        at,
        not_before: time_attr(r, "NotBefore", at)?,
        not_on_or_after: time_attr(r, "NotOnOrAfter", at)?,
        audience_restrictions: Vec::new(),
    };
    let mut audiences = 0;
    while let Child::Start(c) = next_child(r)? {
        match (c.ns, c.name.local(r.source())) {
            (NsId::SAML2, "AudienceRestriction") => {
                let mut list = Vec::new();
                while let Child::Start(a) = next_child(r)? {
                    audiences += 1;
                    if audiences > limits.max_audiences {
                        return Err(TokenError::token(K::LimitExceeded, a.span.start()));
                    }
                    if a.ns != NsId::SAML2 || a.name.local(r.source()) != "Audience" {
                        return Err(malformed(a.span.start()));
                    }
                    list.push(trimmed_text(r, &a)?);
                }
                out.audience_restrictions.push(list);
            }
            (NsId::SAML2, "OneTimeUse" | "ProxyRestriction") => skip(r)?,
            _ => return Err(malformed(c.span.start())),
        }
    }
    Ok(out)
}

/// `AttributeStatement`: each `Attribute` with its text values.
fn attribute_statement<'a>(r: &mut Reader<'a>, a: &mut AssertionInfo<'a>, limits: &SamlLimits) -> Result<()> {
    while let Child::Start(c) = next_child(r)? {
        let at = c.span.start();
        if c.ns != NsId::SAML2 || c.name.local(r.source()) != "Attribute" {
            return Err(malformed(at));
        }
        if a.attributes.len() >= limits.max_attributes {
            return Err(TokenError::token(K::LimitExceeded, at));
        }
        let name = attr(r, "Name").ok_or(malformed(at))?;
        let mut values = Vec::new();
        while let Child::Start(v) = next_child(r)? {
            if v.ns != NsId::SAML2 || v.name.local(r.source()) != "AttributeValue" {
                return Err(malformed(v.span.start()));
            }
            if values.len() >= limits.max_attribute_values {
                return Err(TokenError::token(K::LimitExceeded, v.span.start()));
            }
            values.push(trimmed_text(r, &v)?);
        }
        a.attributes.push(Attribute { at, name, values });
    }
    Ok(())
}

/// An attribute (no namespace) of the last start tag, normalized.
fn attr<'a>(r: &Reader<'a>, local: &str) -> Option<Cow<'a, str>> {
    r.attr(NsId::NONE, local).map(|a| attr_value(r.source(), a.value, a.has_ref))
}

fn time_attr(r: &Reader<'_>, local: &str, at: usize) -> Result<Option<UtcTime>> {
    match attr(r, local) {
        None => Ok(None),
        Some(v) => UtcTime::parse(trim_xml(&v)).map(Some).map_err(|_| malformed(at)),
    }
}

/// The whole text of a simple element, trimmed of XML whitespace.
fn trimmed_text<'a>(r: &mut Reader<'a>, t: &StartTag) -> Result<Cow<'a, str>> {
    match read_text(r, t).map_err(xml)? {
        Ok((value, _)) => Ok(match value.into_cow() {
            Cow::Borrowed(s) => Cow::Borrowed(trim_xml(s)),
            Cow::Owned(s) => Cow::Owned(trim_xml(&s).to_owned()),
        }),
        Err(child) => Err(malformed(child)),
    }
}

fn skip(r: &mut Reader<'_>) -> Result<()> {
    r.skip_element().map(|_| ()).map_err(xml)
}

/// The next child element, or the end of the current element.
fn next_child(r: &mut Reader<'_>) -> Result<Child> {
    loop {
        match r.next().map_err(xml)? {
            Event::Start(t) => return Ok(Child::Start(t)),
            Event::End { span, .. } => return Ok(Child::End(span)),
            Event::Text { span, has_ref } if has_ref || !is_blank(&r.source()[span.range()]) => {
                return Err(malformed(span.start()));
            }
            Event::CData(span) => return Err(malformed(span.start())),
            Event::Eof => return Err(malformed(r.source().len())),
            _ => {}
        }
    }
}
