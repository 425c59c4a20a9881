//! Reading a `ds:Signature` element from the reader, as the XML-DSig
//! schema orders it. Anything kuvert does not process is refused with the
//! feature it needed.

use std::borrow::Cow;

use super::algorithms::{DigestAlgorithm, SignatureAlgorithm};
use super::base64;
use super::error::{SignatureErrorKind as E, Unsupported as U, VerifyError};
use super::keyinfo::key_info;
use super::model::{C14nStep, CertificateText, RefTarget, Reference, SignatureInfo, Transforms};
use super::shape::SignedInfoRead;
use crate::c14n::C14nMethod;
use crate::xml::content::read_text;
use crate::xml::index::Context;
use crate::xml::reader::{Event, Reader, StartTag};
use crate::xml::text::{attr_value, first_non_ws, is_blank};
use crate::xml::{NsId, Span};

pub(crate) type Result<T> = std::result::Result<T, VerifyError>;

const ENVELOPED: &str = "http://www.w3.org/2000/09/xmldsig#enveloped-signature";
pub(crate) const STR_TRANSFORM: &str =
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#STR-Transform";
const MANIFEST_TYPE: &str = "http://www.w3.org/2000/09/xmldsig#Manifest";

/// Limits on what one signature may contain.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SignatureLimits {
    /// Most `ds:Reference` elements in one `SignedInfo`. Default 16.
    pub max_references: usize,
    /// Most `ds:Transform` elements in one reference. Default 4.
    pub max_transforms: usize,
    /// Most `ds:Signature` elements a message may hold. Default 4.
    pub max_signatures: usize,
}

impl Default for SignatureLimits {
    fn default() -> Self {
        SignatureLimits { max_references: 16, max_transforms: 4, max_signatures: 4 }
    }
}

/// A child of the current element, or its end.
pub(crate) enum Child {
    Start(StartTag),
    End(Span),
}

/// The next child element, skipping whitespace, comments and PIs; other text is malformed.
pub(crate) fn next_child(r: &mut Reader<'_>) -> Result<Child> {
    loop {
        match r.next()? {
            Event::Start(t) => return Ok(Child::Start(t)),
            Event::End { span, .. } => return Ok(Child::End(span)),
            Event::Text { span, has_ref } if has_ref || !is_blank(&r.source()[span.range()]) => {
                return Err(malformed(first_non_ws(r.source(), span)));
            }
            Event::CData(span) => return Err(malformed(span.start())),
            Event::Eof => return Err(malformed(r.source().len())),
            _ => {}
        }
    }
}

pub(crate) fn malformed(at: usize) -> VerifyError {
    VerifyError::sig(E::MalformedSignature, at)
}

/// The next child, which must be `{ns}local`.
pub(crate) fn expect(r: &mut Reader<'_>, ns: NsId, local: &str, parent_at: usize) -> Result<StartTag> {
    match next_child(r)? {
        Child::Start(t) if t.ns == ns && t.name.local(r.source()) == local => Ok(t),
        Child::Start(t) => Err(malformed(t.span.start())),
        Child::End(_) => Err(malformed(parent_at)),
    }
}

/// Expects the end of the current element.
pub(crate) fn expect_end(r: &mut Reader<'_>) -> Result<Span> {
    match next_child(r)? {
        Child::End(span) => Ok(span),
        Child::Start(t) => Err(malformed(t.span.start())),
    }
}

/// The text of a simple element (whose start tag was just read).
pub(crate) fn text<'a>(r: &mut Reader<'a>, t: &StartTag) -> Result<Cow<'a, str>> {
    match read_text(r, t)? {
        Ok((value, _)) => Ok(value.into_cow()),
        Err(child) => Err(malformed(child)),
    }
}

/// Base64 content of a simple element.
pub(crate) fn base64_text(r: &mut Reader<'_>, t: &StartTag) -> Result<Vec<u8>> {
    Ok(base64_content(r, t)?.0)
}

/// A certificate's base64 text (`X509Certificate`), decoded where it is used.
pub(crate) fn certificate_text<'a>(r: &mut Reader<'a>, t: &StartTag) -> Result<CertificateText<'a>> {
    Ok(CertificateText { text: text(r, t)?, at: t.span.end() })
}

/// Base64 content of a simple element, with the span of the content.
pub(crate) fn base64_content(r: &mut Reader<'_>, t: &StartTag) -> Result<(Vec<u8>, Span)> {
    let (value, _) = read_text(r, t)?.map_err(malformed)?;
    let bytes = base64::decode(value.as_str()).map_err(|_| VerifyError::sig(E::InvalidBase64, t.span.end()))?;
    Ok((bytes, value.span()))
}

/// An attribute of the last start tag, normalized.
pub(crate) fn attr<'a>(r: &Reader<'a>, ns: NsId, local: &str) -> Option<Cow<'a, str>> {
    r.attr(ns, local).map(|a| attr_value(r.source(), a.value, a.has_ref))
}

/// The `Algorithm` attribute, required.
fn algorithm<'a>(r: &Reader<'a>, t: &StartTag) -> Result<Cow<'a, str>> {
    attr(r, NsId::NONE, "Algorithm").ok_or(malformed(t.span.start()))
}

/// Reads a `ds:Signature` whose start tag was just read, through its end tag.
pub(crate) fn signature<'a>(r: &mut Reader<'a>, sig: &StartTag, limits: &SignatureLimits) -> Result<SignatureInfo<'a>> {
    let at = sig.span.start();
    let si = expect(r, NsId::DS, "SignedInfo", at)?;
    let signed_info_context = r.context_of_current();
    let read = known_or_read_signed_info(r, &si, &signed_info_context, limits)?;
    let sv = expect(r, NsId::DS, "SignatureValue", at)?;
    let (value, value_span) = base64_content(r, &sv)?;
    let mut key = Default::default();
    let end = loop {
        match next_child(r)? {
            Child::End(span) => break span,
            Child::Start(t) if t.ns == NsId::DS && t.name.local(r.source()) == "KeyInfo" => key = key_info(r, &t)?,
            Child::Start(t) if t.ns == NsId::DS && t.name.local(r.source()) == "Object" => {
                r.skip_element()?;
            }
            Child::Start(t) => return Err(malformed(t.span.start())),
        }
    };
    let value = (value, sv.span.start(), value_span);
    Ok(read.into_signature(Span::new(at, end.end()), (si.span.start(), signed_info_context), value, key))
}

/// `SignedInfo`, whose start tag `si` was just read, through its end tag:
/// recognized by a shape the pass knows, or read (and its shape learned).
fn known_or_read_signed_info<'a>(
    r: &mut Reader<'a>,
    si: &StartTag,
    context: &Context<'a>,
    limits: &SignatureLimits,
) -> Result<SignedInfoRead<'a>> {
    let shapes = r.signed_info_shapes().filter(|_| r.taps_idle());
    let Some(shapes) = shapes else {
        return read_signed_info(r, si, limits);
    };
    if let Some(known) = shapes.recognize(r, si, context, limits) {
        return Ok(known);
    }
    let ids_before = r.ids_seen();
    let read = read_signed_info(r, si, limits)?;
    if r.ids_seen() == ids_before {
        shapes.learn(r, si, &read, context, limits);
    }
    Ok(read)
}

/// Reads `SignedInfo`; a verification pass keeps its exclusive canonical
/// form as it reads it (used when the signature names that method, nearly always).
fn read_signed_info<'a>(r: &mut Reader<'a>, si: &StartTag, limits: &SignatureLimits) -> Result<SignedInfoRead<'a>> {
    let capture = r.keeps_signed_info();
    if capture {
        r.with_taps(|taps, r| taps.capture_here(r, si));
    }
    let (c14n, algorithm, references, end) = signed_info(r, si, limits)?;
    let exclusive = if capture { r.taps().take_captured(si.span.start()) } else { None };
    Ok(SignedInfoRead { c14n, algorithm, references, end, exclusive })
}

type SignedInfoParts<'a> = (C14nStep<'a>, (SignatureAlgorithm, usize), Vec<Reference<'a>>, Span);

fn signed_info<'a>(r: &mut Reader<'a>, si: &StartTag, limits: &SignatureLimits) -> Result<SignedInfoParts<'a>> {
    let at = si.span.start();
    let cm = expect(r, NsId::DS, "CanonicalizationMethod", at)?;
    let c14n = c14n_step(r, &cm)?;
    let sm = expect(r, NsId::DS, "SignatureMethod", at)?;
    let method = signature_method(r, &sm)?;
    let mut references = Vec::new();
    loop {
        match next_child(r)? {
            Child::Start(t) if t.ns == NsId::DS && t.name.local(r.source()) == "Reference" => {
                if references.len() >= limits.max_references {
                    let limit = limits.max_references;
                    return Err(VerifyError::sig(E::TooManyReferences { limit }, t.span.start()));
                }
                references.push(reference(r, &t, limits)?);
            }
            Child::Start(t) => return Err(malformed(t.span.start())),
            Child::End(span) if !references.is_empty() => return Ok((c14n, method, references, span)),
            Child::End(_) => return Err(malformed(at)),
        }
    }
}

/// A c14n method element (`CanonicalizationMethod` or a c14n `Transform`) with
/// its optional `InclusiveNamespaces`, through its end tag.
fn c14n_step<'a>(r: &mut Reader<'a>, t: &StartTag) -> Result<C14nStep<'a>> {
    let uri = algorithm(r, t)?;
    let method = c14n_method(&uri, t.span.start())?;
    let mut prefixes = None;
    while let Child::Start(c) = next_child(r)? {
        let inclusive = c.ns == NsId::EXC_C14N && c.name.local(r.source()) == "InclusiveNamespaces";
        if !inclusive || !method.is_exclusive() || prefixes.is_some() {
            return Err(VerifyError::sig(E::Unsupported(U::Transform), c.span.start()));
        }
        prefixes = Some(attr(r, NsId::NONE, "PrefixList").unwrap_or(Cow::Borrowed("")));
        r.skip_element()?;
    }
    Ok(C14nStep { method, prefixes })
}

fn c14n_method(uri: &str, at: usize) -> Result<C14nMethod> {
    C14nMethod::from_uri(uri).ok_or(VerifyError::sig(E::Unsupported(U::Transform), at))
}

fn signature_method(r: &mut Reader<'_>, t: &StartTag) -> Result<(SignatureAlgorithm, usize)> {
    let at = t.span.start();
    let uri = algorithm(r, t)?;
    if let Child::Start(c) = next_child(r)? {
        let hmac = c.ns == NsId::DS && c.name.local(r.source()) == "HMACOutputLength";
        let what = if hmac { U::HmacOutputLength } else { U::Algorithm };
        return Err(VerifyError::sig(E::Unsupported(what), c.span.start()));
    }
    match SignatureAlgorithm::from_uri(&uri) {
        Ok(Some(a)) => Ok((a, at)),
        Ok(None) => Err(VerifyError::sig(E::Unsupported(U::Algorithm), at)),
        Err(_) => Err(VerifyError::sig(E::Unsupported(U::UnknownAlgorithm), at)),
    }
}

fn reference<'a>(r: &mut Reader<'a>, t: &StartTag, limits: &SignatureLimits) -> Result<Reference<'a>> {
    let at = t.span.start();
    if attr(r, NsId::NONE, "Type").is_some_and(|ty| ty == MANIFEST_TYPE) {
        return Err(VerifyError::sig(E::Unsupported(U::Manifest), at));
    }
    let target = ref_target(attr(r, NsId::NONE, "URI"), at)?;
    let target_span = r.attr(NsId::NONE, "URI").map(|a| a.value);
    let mut next = expect_any(r, at)?;
    let mut transforms = Transforms::default();
    if next.ns == NsId::DS && next.name.local(r.source()) == "Transforms" {
        transforms = transform_list(r, &next, limits)?;
        next = expect_any(r, at)?;
    }
    if next.ns != NsId::DS || next.name.local(r.source()) != "DigestMethod" {
        return Err(malformed(next.span.start()));
    }
    let digest = digest_method(r, &next)?;
    let dv = expect(r, NsId::DS, "DigestValue", at)?;
    let (digest_value, digest_value_span) = base64_content(r, &dv)?;
    let end = expect_end(r)?;
    let span = Span::new(at, end.end());
    Ok(Reference { span, target, target_span, transforms, digest, digest_value, digest_value_span })
}

fn expect_any(r: &mut Reader<'_>, parent_at: usize) -> Result<StartTag> {
    match next_child(r)? {
        Child::Start(t) => Ok(t),
        Child::End(_) => Err(malformed(parent_at)),
    }
}

/// `URI=""` or `URI="#id"`; everything else is refused.
fn ref_target(uri: Option<Cow<'_, str>>, at: usize) -> Result<RefTarget<'_>> {
    let Some(uri) = uri else {
        return Err(VerifyError::sig(E::Unsupported(U::ExternalReference), at));
    };
    if uri.is_empty() {
        return Ok(RefTarget::Document);
    }
    if uri.starts_with("#xpointer(") {
        return Err(VerifyError::sig(E::Unsupported(U::XPointer), at));
    }
    match uri {
        Cow::Borrowed(u) if u.len() > 1 && u.starts_with('#') => Ok(RefTarget::Id(Cow::Borrowed(&u[1..]))),
        Cow::Owned(u) if u.len() > 1 && u.starts_with('#') => Ok(RefTarget::Id(Cow::Owned(u[1..].to_owned()))),
        _ => Err(VerifyError::sig(E::Unsupported(U::ExternalReference), at)),
    }
}

fn digest_method(r: &mut Reader<'_>, t: &StartTag) -> Result<DigestAlgorithm> {
    let at = t.span.start();
    let uri = algorithm(r, t)?;
    r.skip_element()?;
    match DigestAlgorithm::from_uri(&uri) {
        Ok(Some(d)) => Ok(d),
        Ok(None) => Err(VerifyError::sig(E::Unsupported(U::Algorithm), at)),
        Err(_) => Err(VerifyError::sig(E::Unsupported(U::UnknownAlgorithm), at)),
    }
}

/// `Transforms`: reads each `Transform` and checks the sequence is one kuvert accepts.
fn transform_list<'a>(r: &mut Reader<'a>, list: &StartTag, limits: &SignatureLimits) -> Result<Transforms<'a>> {
    let mut out = Transforms::default();
    let mut count = 0;
    while let Child::Start(t) = next_child(r)? {
        let at = t.span.start();
        if t.ns != NsId::DS || t.name.local(r.source()) != "Transform" {
            return Err(malformed(at));
        }
        count += 1;
        if count > limits.max_transforms {
            return Err(VerifyError::sig(E::TooManyTransforms { limit: limits.max_transforms }, at));
        }
        let uri = algorithm(r, &t)?;
        let in_order = out.c14n.is_none() && out.str_transform.is_none();
        match uri.as_ref() {
            ENVELOPED if in_order && !out.enveloped => {
                out.enveloped = true;
                r.skip_element()?;
            }
            STR_TRANSFORM if in_order && !out.enveloped => out.str_transform = Some(str_parameters(r, &t)?),
            u if C14nMethod::from_uri(u).is_some() && in_order => out.c14n = Some(c14n_step(r, &t)?),
            _ => return Err(VerifyError::sig(E::Unsupported(U::Transform), at)),
        }
    }
    if count == 0 {
        return Err(malformed(list.span.start()));
    }
    Ok(out)
}

/// The STR-Transform's `wsse:TransformationParameters/ds:CanonicalizationMethod`.
fn str_parameters<'a>(r: &mut Reader<'a>, t: &StartTag) -> Result<C14nStep<'a>> {
    let at = t.span.start();
    let params = expect(r, NsId::WSSE, "TransformationParameters", at)?;
    let cm = expect(r, NsId::DS, "CanonicalizationMethod", params.span.start())?;
    let step = c14n_step(r, &cm)?;
    expect_end(r)?;
    expect_end(r)?;
    Ok(step)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dsig::verify::{canonical_signed_info, Document};
    use crate::xml::index::IdIndex;
    use crate::Limits;

    /// Reads the first `ds:Signature` of `doc`, with taps when `taps`.
    fn read_signature<'a>(doc: &'a str, limits: &Limits, taps: bool) -> SignatureInfo<'a> {
        let mut r = Reader::new(doc, 0, limits);
        if taps {
            r.taps().keep_signed_info();
        }
        loop {
            match r.next().expect("well-formed") {
                Event::Start(t) if t.ns == NsId::DS && t.name.local(doc) == "Signature" => {
                    return signature(&mut r, &t, &SignatureLimits::default()).expect("a signature");
                }
                Event::Eof => panic!("no signature"),
                _ => {}
            }
        }
    }

    fn signed_info(method: &str, inclusive: &str) -> String {
        format!(
            "<e:Env xmlns:e=\"urn:e\" xmlns=\"urn:default\" xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\" \
xmlns:unused=\"urn:u\" xml:lang=\"da\"><e:H><ds:Signature><ds:SignedInfo xmlns:x=\"urn:x\">\n  <!-- c -->\
<ds:CanonicalizationMethod Algorithm=\"{method}\">{inclusive}</ds:CanonicalizationMethod>\
<ds:SignatureMethod Algorithm=\"http://www.w3.org/2001/04/xmldsig-more#rsa-sha256\"/>\
<ds:Reference URI=\"#b\" x:a=\"1 &amp; 2\"><ds:Transforms><ds:Transform Algorithm=\"{method}\"/></ds:Transforms>\
<ds:DigestMethod Algorithm=\"http://www.w3.org/2001/04/xmlenc#sha256\"/><ds:DigestValue>AAAA</ds:DigestValue>\
</ds:Reference></ds:SignedInfo><ds:SignatureValue>AAAA</ds:SignatureValue></ds:Signature></e:H></e:Env>"
        )
    }

    #[test]
    fn signed_info_kept_in_the_pass_is_its_canonical_form() {
        let limits = Limits::default();
        let exc = C14nMethod::Exclusive.uri();
        let prefixes =
            "<ec:InclusiveNamespaces xmlns:ec=\"http://www.w3.org/2001/10/xml-exc-c14n#\" PrefixList=\"unused\"/>";
        let cases = [
            (signed_info(exc, ""), true),
            (signed_info(exc, prefixes), false),
            (signed_info(C14nMethod::Inclusive.uri(), ""), false),
            (signed_info(C14nMethod::ExclusiveWithComments.uri(), ""), false),
        ];
        for (doc, kept) in &cases {
            let in_pass = read_signature(doc, &limits, true);
            assert!(in_pass.signed_info_exclusive.is_some(), "captured while read");
            let index = IdIndex::default();
            let document =
                Document { src: doc, content_start: 0, index: &index, limits: &limits, token_refs: &[], inline: &[] };
            let from_pass = canonical_signed_info(&document, &in_pass).unwrap();
            let plain = read_signature(doc, &limits, false);
            let read_again = canonical_signed_info(&document, &plain).unwrap();
            assert_eq!(from_pass, read_again, "{doc}");
            assert_eq!(matches!(from_pass, std::borrow::Cow::Borrowed(_)), *kept, "{doc}");
        }
    }
}
