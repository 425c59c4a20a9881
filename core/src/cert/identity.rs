//! Who a certificate names: display strings, serial, digests, and the
//! Danish OCES identity (CVR with FID/UID for OCES2, UUID for OCES3).

use std::fmt::Write as _;

use aws_lc_rs::digest;
use x509_parser::certificate::X509Certificate;
use x509_parser::time::ASN1Time;
use x509_parser::x509::{AttributeTypeAndValue, X509Name};

use crate::ids::{Cvr, Uuid};
use crate::time::UtcTime;

use super::CertError;

/// OID content octets of the attributes the OCES rules read.
const OID_SERIAL_NUMBER: &[u8] = &[0x55, 0x04, 0x05];
const OID_ORGANIZATION_IDENTIFIER: &[u8] = &[0x55, 0x04, 0x61];

/// What a certificate says about its holder. Identity fields come only from
/// the subject's serialNumber and organizationIdentifier attributes, never from
/// free text such as `O=... // CVR:...`.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CertificateIdentity {
    /// Subject as an RFC 4514 string (last RDN first, `+` inside multi-valued RDNs).
    pub subject: String,
    /// Issuer as an RFC 4514 string.
    pub issuer: String,
    /// Serial number: lower-case hex of its big-endian bytes, leading zero bytes stripped.
    pub serial: String,
    /// Serial number in decimal, as `ds:X509SerialNumber` writes it.
    pub serial_decimal: String,
    /// CVR: from an OCES2 serialNumber `CVR:<cvr>-FID:<n>`/`CVR:<cvr>-UID:<n>`, or
    /// from an OCES3 organizationIdentifier `NTRDK-<cvr>` next to a serialNumber `UI:DK-O:G:<uuid>`.
    pub cvr: Option<Cvr>,
    /// OCES2 function certificate number (`FID`).
    pub fid: Option<String>,
    /// OCES2 company certificate number (`UID`, VOCES).
    pub uid: Option<String>,
    /// OCES3 organisation system UUID (`UI:DK-O:G:<uuid>`).
    pub uuid: Option<Uuid>,
    /// SHA-256 of the certificate's DER.
    pub sha256: [u8; 32],
    /// SHA-1 of the certificate's DER, for WS-Security `ThumbprintSHA1` references only.
    pub sha1: [u8; 20],
    /// The SubjectKeyIdentifier extension's value, when present.
    pub subject_key_id: Option<Vec<u8>>,
    /// The issuer Name's DER, for `X509IssuerSerial` matching.
    pub issuer_der: Vec<u8>,
    /// The serial number's big-endian magnitude, leading zero bytes stripped.
    pub serial_bytes: Vec<u8>,
    /// Start of the certificate's own validity period.
    pub not_before: UtcTime,
    /// End of the certificate's own validity period.
    pub not_after: UtcTime,
}

impl CertificateIdentity {
    /// The SHA-256 fingerprint as 64 lower-case hex digits.
    pub fn sha256_hex(&self) -> String {
        hex_lower(&self.sha256)
    }

    pub(crate) fn from_cert(cert: &X509Certificate<'_>, der: &[u8]) -> Result<Self, CertError> {
        let serial_bytes = strip_leading_zeros(cert.raw_serial()).to_vec();
        let oces = OcesIdentity::from_subject(cert.subject());
        Ok(CertificateIdentity {
            subject: rfc4514(cert.subject()),
            issuer: rfc4514(cert.issuer()),
            serial: hex_lower(&serial_bytes),
            serial_decimal: cert.tbs_certificate.serial.to_str_radix(10),
            cvr: oces.cvr,
            fid: oces.fid,
            uid: oces.uid,
            uuid: oces.uuid,
            sha256: fixed_digest(&digest::SHA256, der),
            sha1: fixed_digest(&digest::SHA1_FOR_LEGACY_USE_ONLY, der),
            subject_key_id: subject_key_id(cert)?,
            issuer_der: cert.issuer().as_raw().to_vec(),
            serial_bytes,
            not_before: utc(&cert.validity().not_before),
            not_after: utc(&cert.validity().not_after),
        })
    }
}

fn fixed_digest<const N: usize>(alg: &'static digest::Algorithm, data: &[u8]) -> [u8; N] {
    let mut out = [0u8; N];
    out.copy_from_slice(digest::digest(alg, data).as_ref());
    out
}

fn subject_key_id(cert: &X509Certificate<'_>) -> Result<Option<Vec<u8>>, CertError> {
    use x509_parser::extensions::ParsedExtension;
    let oid = x509_parser::oid_registry::OID_X509_EXT_SUBJECT_KEY_IDENTIFIER;
    match cert.get_extension_unique(&oid) {
        Err(_) => Err(CertError::Malformed),
        Ok(None) => Ok(None),
        Ok(Some(ext)) => match ext.parsed_extension() {
            ParsedExtension::SubjectKeyIdentifier(id) => Ok(Some(id.0.to_vec())),
            _ => Err(CertError::Malformed),
        },
    }
}

/// An ASN.1 time as a [`UtcTime`] (saturating far outside the range of i64 milliseconds).
pub(crate) fn utc(t: &ASN1Time) -> UtcTime {
    UtcTime::from_unix_millis(t.timestamp().saturating_mul(1000))
}

pub(crate) fn strip_leading_zeros(bytes: &[u8]) -> &[u8] {
    let first = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len());
    let stripped = &bytes[first..];
    if stripped.is_empty() && !bytes.is_empty() {
        &bytes[bytes.len() - 1..]
    } else {
        stripped
    }
}

pub(crate) fn hex_lower(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// The OCES identity fields of a subject.
#[derive(Default, Debug, PartialEq, Eq)]
struct OcesIdentity {
    cvr: Option<Cvr>,
    fid: Option<String>,
    uid: Option<String>,
    uuid: Option<Uuid>,
}

impl OcesIdentity {
    fn from_subject(name: &X509Name<'_>) -> OcesIdentity {
        let Some(serial) = single_attribute(name, OID_SERIAL_NUMBER) else {
            return OcesIdentity::default();
        };
        if let Some((cvr, kind, number)) = parse_oces2(serial) {
            let number = Some(number.to_owned());
            let (fid, uid) = if kind == Oces2Kind::Fid { (number, None) } else { (None, number) };
            return OcesIdentity { cvr: Some(cvr), fid, uid, uuid: None };
        }
        match parse_oces3(serial) {
            Some(uuid) => OcesIdentity {
                cvr: single_attribute(name, OID_ORGANIZATION_IDENTIFIER).and_then(parse_ntrdk),
                uuid: Some(uuid),
                ..OcesIdentity::default()
            },
            None => OcesIdentity::default(),
        }
    }
}

/// The string value of the one attribute with this OID; `None` when it is
/// absent, repeated, or not a string.
fn single_attribute<'a>(name: &X509Name<'a>, oid: &[u8]) -> Option<&'a str> {
    let mut found = name.iter_attributes().filter(|a| a.attr_type().as_bytes() == oid);
    let first = found.next()?;
    if found.next().is_some() {
        return None;
    }
    first.as_str().ok()
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Oces2Kind {
    Fid,
    Uid,
}

/// `CVR:<8 digits>-FID:<digits>` or `CVR:<8 digits>-UID:<digits>` (1 to 32 digits), exactly.
fn parse_oces2(s: &str) -> Option<(Cvr, Oces2Kind, &str)> {
    let rest = s.strip_prefix("CVR:")?;
    let cvr = Cvr::parse(rest.get(..8)?).ok()?;
    let rest = rest.get(8..)?;
    let (kind, number) = if let Some(n) = rest.strip_prefix("-FID:") {
        (Oces2Kind::Fid, n)
    } else {
        (Oces2Kind::Uid, rest.strip_prefix("-UID:")?)
    };
    let digits_ok = (1..=32).contains(&number.len()) && number.bytes().all(|b| b.is_ascii_digit());
    digits_ok.then_some((cvr, kind, number))
}

/// `UI:DK-O:G:<lower-case uuid>`, exactly.
fn parse_oces3(s: &str) -> Option<Uuid> {
    Uuid::parse_lower(s.strip_prefix("UI:DK-O:G:")?).ok()
}

/// `NTRDK-<8 digits>`, exactly.
fn parse_ntrdk(s: &str) -> Option<Cvr> {
    Cvr::parse(s.strip_prefix("NTRDK-")?).ok()
}

/// RFC 4514 string of a Name: RDNs last first, separated by `,`; attributes of
/// a multi-valued RDN joined by `+` in encoded order.
pub(crate) fn rfc4514(name: &X509Name<'_>) -> String {
    let mut out = String::new();
    let rdns: Vec<_> = name.iter_rdn().collect();
    for (i, rdn) in rdns.iter().rev().enumerate() {
        if i > 0 {
            out.push(',');
        }
        for (j, atv) in rdn.iter().enumerate() {
            if j > 0 {
                out.push('+');
            }
            write_attribute(&mut out, atv);
        }
    }
    out
}

fn write_attribute(out: &mut String, atv: &AttributeTypeAndValue<'_>) {
    match attribute_short_name(atv.attr_type().as_bytes()) {
        Some(short) => out.push_str(short),
        None => out.push_str(&atv.attr_type().to_id_string()),
    }
    out.push('=');
    match atv.as_str() {
        Ok(s) => escape_value(out, s),
        Err(_) => {
            let value = atv.attr_value();
            out.push('#');
            out.push_str(&hex_lower(&der_tlv(value.tag().0, value.as_bytes())));
        }
    }
}

fn attribute_short_name(oid: &[u8]) -> Option<&'static str> {
    Some(match oid {
        [0x55, 0x04, 0x03] => "CN",
        [0x55, 0x04, 0x04] => "SN",
        [0x55, 0x04, 0x05] => "serialNumber",
        [0x55, 0x04, 0x06] => "C",
        [0x55, 0x04, 0x07] => "L",
        [0x55, 0x04, 0x08] => "ST",
        [0x55, 0x04, 0x09] => "STREET",
        [0x55, 0x04, 0x0a] => "O",
        [0x55, 0x04, 0x0b] => "OU",
        [0x55, 0x04, 0x0c] => "title",
        [0x55, 0x04, 0x2a] => "GN",
        [0x55, 0x04, 0x61] => "organizationIdentifier",
        [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x01] => "emailAddress",
        [0x09, 0x92, 0x26, 0x89, 0x93, 0xf2, 0x2c, 0x64, 0x01, 0x01] => "UID",
        [0x09, 0x92, 0x26, 0x89, 0x93, 0xf2, 0x2c, 0x64, 0x01, 0x19] => "DC",
        _ => return None,
    })
}

/// RFC 4514 section 2.4 escaping.
fn escape_value(out: &mut String, s: &str) {
    let last = s.chars().count().saturating_sub(1);
    for (i, c) in s.chars().enumerate() {
        match c {
            '"' | '+' | ',' | ';' | '<' | '>' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            '#' if i == 0 => out.push_str("\\#"),
            ' ' if i == 0 || i == last => out.push_str("\\ "),
            '\0' => out.push_str("\\00"),
            _ => out.push(c),
        }
    }
}

/// Re-encodes a primitive, low-tag-number value's DER for `#hex` output.
fn der_tlv(tag: u32, content: &[u8]) -> Vec<u8> {
    let mut v = Vec::with_capacity(content.len() + 6);
    v.push(u8::try_from(tag).ok().filter(|t| *t < 31).unwrap_or(0x04));
    let len = content.len();
    if len < 0x80 {
        v.push(len as u8);
    } else {
        let bytes = len.to_be_bytes();
        let stripped = strip_leading_zeros(&bytes);
        v.push(0x80 | stripped.len() as u8);
        v.extend_from_slice(stripped);
    }
    v.extend_from_slice(content);
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oces2_patterns_are_exact() {
        let (cvr, kind, n) = parse_oces2("CVR:19435075-FID:60492788").unwrap();
        assert_eq!((cvr.to_string().as_str(), kind, n), ("19435075", Oces2Kind::Fid, "60492788"));
        assert_eq!(parse_oces2("CVR:11111111-UID:1").unwrap().1, Oces2Kind::Uid);
        for bad in [
            "CVR:1943507-FID:60492788",
            "CVR:194350755-FID:1",
            "CVR:19435075-FID:",
            "CVR:19435075-FID:12a",
            "CVR:19435075-PID:1",
            "CVR:19435075-RID:1",
            "cvr:19435075-FID:1",
            " CVR:19435075-FID:1",
            "CVR:19435075-FID:1 ",
            "CVR:19435075",
            "CVR:1943507é-FID:1",
            "CVR:19435075-FID:123456789012345678901234567890123",
            "",
        ] {
            assert_eq!(parse_oces2(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn oces3_patterns_are_exact() {
        let u = "7a3c0b1e-2f4d-4c5e-9a8b-1c2d3e4f5a6b";
        assert_eq!(parse_oces3(&format!("UI:DK-O:G:{u}")).unwrap().to_string(), u);
        for bad in [
            format!("UI:DK-E:G:{u}"),
            format!("UI:DK-O:G:{}", u.to_uppercase()),
            format!("UI:DK-O:G:{u}x"),
            format!("ui:dk-o:g:{u}"),
            "UI:DK-O:G:".to_owned(),
        ] {
            assert_eq!(parse_oces3(&bad), None, "{bad}");
        }
        assert_eq!(parse_ntrdk("NTRDK-29189846").unwrap().value(), 29189846);
        for bad in ["NTRDK-2918984", "NTRDK-291898460", "NTRSE-29189846", "ntrdk-29189846", "NTRDK29189846"] {
            assert_eq!(parse_ntrdk(bad), None, "{bad}");
        }
    }

    #[test]
    fn escaping_and_serial_helpers() {
        let mut s = String::new();
        escape_value(&mut s, "#a,b+c\"d\\e<f>g;h ");
        assert_eq!(s, "\\#a\\,b\\+c\\\"d\\\\e\\<f\\>g\\;h\\ ");
        assert_eq!(strip_leading_zeros(&[0, 0, 0x9f, 0]), &[0x9f, 0]);
        assert_eq!(strip_leading_zeros(&[0, 0]), &[0]);
        assert_eq!(hex_lower(&[0x0a, 0xff]), "0aff");
        assert_eq!(der_tlv(0x1e, &[0, 0x41]), vec![0x1e, 2, 0, 0x41]);
        assert_eq!(der_tlv(4, &[7; 200])[..3], [4, 0x81, 200]);
    }
}

#[cfg(test)]
#[path = "identity_tests.rs"]
mod fixture_tests;
