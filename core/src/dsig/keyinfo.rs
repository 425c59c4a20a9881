//! `ds:KeyInfo` and `wsse:SecurityTokenReference`: the ways a signature
//! names its key. Only forms that lead to a certificate (or a key the caller
//! pinned) are kept; the rest are remembered as unsupported.

use std::borrow::Cow;

use super::error::{SignatureErrorKind as E, Unsupported as U, VerifyError};
use super::model::{KeyIdentifierKind, KeyInfo, TokenRef};
use super::parse::{
    attr, base64_text, certificate_text, expect, expect_end, malformed, next_child, text, Child, Result,
};
use crate::xml::reader::{Reader, StartTag};
use crate::xml::text::trim_xml;
use crate::xml::NsId;

const SKI: &str =
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#X509SubjectKeyIdentifier";
const THUMBPRINT: &str = "http://docs.oasis-open.org/wss/oasis-wss-soap-message-security-1.1#ThumbprintSHA1";
const SAMLID: &str = "http://docs.oasis-open.org/wss/oasis-wss-saml-token-profile-1.1#SAMLID";

/// Reads `ds:KeyInfo` (start tag just read) through its end tag.
pub(crate) fn key_info<'a>(r: &mut Reader<'a>, t: &StartTag) -> Result<KeyInfo<'a>> {
    let mut key = KeyInfo { span: Some(t.span), ..KeyInfo::default() };
    while let Child::Start(c) = next_child(r)? {
        let local = c.name.local(r.source());
        match (c.ns, local) {
            (NsId::WSSE, "SecurityTokenReference") => key.token = Some(token_reference(r, &c)?),
            (NsId::DS, "X509Data") => x509_data(r, &mut key)?,
            (NsId::DS, "KeyValue") => key_value(r, &c, &mut key)?,
            (NsId::DS, "RetrievalMethod") => unsupported(r, &mut key, U::RetrievalMethod)?,
            _ => unsupported(r, &mut key, U::KeyInfo)?,
        }
    }
    Ok(key)
}

fn unsupported(r: &mut Reader<'_>, key: &mut KeyInfo<'_>, what: U) -> Result<()> {
    key.unsupported.get_or_insert(what);
    r.skip_element()?;
    Ok(())
}

/// Reads a `wsse:SecurityTokenReference` (start tag just read) through its end tag.
pub(crate) fn token_reference<'a>(r: &mut Reader<'a>, t: &StartTag) -> Result<TokenRef<'a>> {
    let Child::Start(c) = next_child(r)? else {
        return Err(malformed(t.span.start()));
    };
    let at = c.span.start();
    let found = match (c.ns, c.name.local(r.source())) {
        (NsId::WSSE, "Reference") => {
            let uri = attr(r, NsId::NONE, "URI").ok_or(malformed(at))?;
            r.skip_element()?;
            match uri {
                Cow::Borrowed(u) if u.len() > 1 && u.starts_with('#') => TokenRef::Reference(Cow::Borrowed(&u[1..])),
                Cow::Owned(u) if u.len() > 1 && u.starts_with('#') => {
                    TokenRef::Reference(Cow::Owned(u[1..].to_owned()))
                }
                _ => return Err(VerifyError::sig(E::Unsupported(U::ExternalReference), at)),
            }
        }
        (NsId::WSSE, "KeyIdentifier") => key_identifier(r, &c)?,
        (NsId::DS, "X509Data") => {
            let mut key = KeyInfo::default();
            x509_data(r, &mut key)?;
            let (issuer, serial) = key.issuer_serial.ok_or(VerifyError::sig(E::Unsupported(U::KeyInfo), at))?;
            TokenRef::IssuerSerial { issuer, serial }
        }
        _ => return Err(VerifyError::sig(E::Unsupported(U::KeyInfo), at)),
    };
    expect_end(r)?;
    Ok(found)
}

fn key_identifier<'a>(r: &mut Reader<'a>, c: &StartTag) -> Result<TokenRef<'a>> {
    let at = c.span.start();
    let value_type = attr(r, NsId::NONE, "ValueType").unwrap_or(Cow::Borrowed(""));
    let kind = match trim_xml(&value_type) {
        SKI => KeyIdentifierKind::SubjectKeyIdentifier,
        THUMBPRINT => KeyIdentifierKind::ThumbprintSha1,
        SAMLID => KeyIdentifierKind::SamlId,
        _ => return Err(VerifyError::sig(E::Unsupported(U::KeyInfo), at)),
    };
    let value = match text(r, c)? {
        Cow::Borrowed(v) => Cow::Borrowed(trim_xml(v)),
        Cow::Owned(v) => Cow::Owned(trim_xml(&v).to_owned()),
    };
    Ok(TokenRef::KeyIdentifier { kind, value })
}

/// `ds:X509Data` (start tag just read): certificates, issuer-serial, SKI.
fn x509_data<'a>(r: &mut Reader<'a>, key: &mut KeyInfo<'a>) -> Result<()> {
    while let Child::Start(c) = next_child(r)? {
        match (c.ns, c.name.local(r.source())) {
            (NsId::DS, "X509Certificate") => key.certificates.push(certificate_text(r, &c)?),
            (NsId::DS, "X509SKI") => key.ski = Some(base64_text(r, &c)?),
            (NsId::DS, "X509IssuerSerial") => {
                let name = expect(r, NsId::DS, "X509IssuerName", c.span.start())?;
                let issuer = text(r, &name)?;
                let number = expect(r, NsId::DS, "X509SerialNumber", c.span.start())?;
                let serial = text(r, &number)?;
                expect_end(r)?;
                key.issuer_serial = Some((issuer, serial));
            }
            _ => {
                r.skip_element()?;
            }
        }
    }
    Ok(())
}

/// `ds:KeyValue`: an RSA key becomes SubjectPublicKeyInfo DER; others are unsupported.
fn key_value(r: &mut Reader<'_>, t: &StartTag, key: &mut KeyInfo<'_>) -> Result<()> {
    let Child::Start(c) = next_child(r)? else {
        return Err(malformed(t.span.start()));
    };
    if c.ns != NsId::DS || c.name.local(r.source()) != "RSAKeyValue" {
        key.unsupported.get_or_insert(U::Algorithm);
        r.skip_element()?;
        expect_end(r)?;
        return Ok(());
    }
    let m = expect(r, NsId::DS, "Modulus", c.span.start())?;
    let modulus = base64_text(r, &m)?;
    let e = expect(r, NsId::DS, "Exponent", c.span.start())?;
    let exponent = base64_text(r, &e)?;
    expect_end(r)?;
    expect_end(r)?;
    key.key_value = Some(rsa_spki(&modulus, &exponent));
    Ok(())
}

/// SubjectPublicKeyInfo DER for an RSA public key.
pub(crate) fn rsa_spki(modulus: &[u8], exponent: &[u8]) -> Vec<u8> {
    const RSA_ALGORITHM: &[u8] =
        &[0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00];
    let mut key = der_integer(modulus);
    key.extend(der_integer(exponent));
    let key = der(0x30, &key);
    let mut bits = vec![0u8];
    bits.extend(key);
    let mut spki = RSA_ALGORITHM.to_vec();
    spki.extend(der(0x03, &bits));
    der(0x30, &spki)
}

fn der_integer(big_endian: &[u8]) -> Vec<u8> {
    let trimmed = &big_endian[big_endian.iter().position(|&b| b != 0).unwrap_or(big_endian.len())..];
    let mut content = Vec::with_capacity(trimmed.len() + 1);
    if trimmed.first().map_or(true, |&b| b & 0x80 != 0) {
        content.push(0);
    }
    content.extend_from_slice(trimmed);
    der(0x02, &content)
}

fn der(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let len = content.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = len.to_be_bytes();
        let skip = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len() - 1);
        out.push(0x80 | (bytes.len() - skip) as u8);
        out.extend_from_slice(&bytes[skip..]);
    }
    out.extend_from_slice(content);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn der_lengths_and_integers() {
        assert_eq!(der_integer(&[0x01, 0x00, 0x01]), vec![0x02, 0x03, 0x01, 0x00, 0x01]);
        assert_eq!(der_integer(&[0x00, 0x80]), vec![0x02, 0x02, 0x00, 0x80]);
        assert_eq!(der(0x04, &[0u8; 200])[..3], [0x04, 0x81, 200]);
        assert_eq!(der(0x04, &[0u8; 300])[..4], [0x04, 0x82, 0x01, 0x2c]);
    }
}
