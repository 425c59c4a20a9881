//! The caller's certificate, reduced once to what the registry looks up:
//! its SHA-256 thumbprint and its serial number with issuer.

use std::fmt;

use x509_parser::certificate::X509Certificate;
use x509_parser::prelude::FromDer;

use crate::cert::{CertError, CertificateIdentity};

/// Longest serial number kept, in bytes (RFC 5280 allows 20; some CAs write 21).
const MAX_SERIAL_BYTES: usize = 64;

/// A caller's certificate (the TLS client certificate, or a token's
/// holder-of-key certificate) as the registry matches it. Compute it once per
/// connection or token: deciding a call then costs hash look-ups only, no
/// SHA-256 and no parsing.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct CallerCertificate {
    sha256: [u8; 32],
    /// `len(serial) ‖ serial ‖ issuer`: the look-up key by serial and issuer.
    serial_issuer: Box<[u8]>,
}

impl CallerCertificate {
    /// From a DER certificate (parsed, not validated: the TLS layer or the
    /// token check has validated it). Trailing bytes are refused.
    pub fn from_der(der: &[u8]) -> Result<CallerCertificate, CertError> {
        let cert = match X509Certificate::from_der(der) {
            Ok(([], cert)) => cert,
            _ => return Err(CertError::Malformed),
        };
        let identity = CertificateIdentity::from_cert(&cert, der)?;
        Ok(CallerCertificate::from_identity(&identity))
    }

    /// From an identity the certificate layer computed already.
    pub fn from_identity(identity: &CertificateIdentity) -> CallerCertificate {
        CallerCertificate::new(identity.sha256, &identity.serial_bytes, &identity.issuer)
    }

    /// From its parts: thumbprint, serial (big-endian bytes) and issuer (RFC 4514).
    pub fn new(sha256: [u8; 32], serial: &[u8], issuer: &str) -> CallerCertificate {
        CallerCertificate { sha256, serial_issuer: serial_issuer_key(serial, issuer) }
    }

    /// SHA-256 of the certificate's DER.
    pub fn sha256(&self) -> &[u8; 32] {
        &self.sha256
    }

    /// The serial number's big-endian magnitude, leading zero bytes stripped.
    pub fn serial(&self) -> &[u8] {
        let len = usize::from(self.serial_issuer[0]);
        &self.serial_issuer[1..1 + len]
    }

    /// The issuer as an RFC 4514 string.
    pub fn issuer(&self) -> &str {
        let len = usize::from(self.serial_issuer[0]);
        std::str::from_utf8(&self.serial_issuer[1 + len..]).unwrap_or("")
    }

    pub(super) fn serial_issuer_key(&self) -> &[u8] {
        &self.serial_issuer
    }
}

impl fmt::Debug for CallerCertificate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CallerCertificate")
            .field("sha256", &hex(&self.sha256))
            .field("serial", &hex(self.serial()))
            .field("issuer", &self.issuer())
            .finish()
    }
}

/// The look-up key of a serial number and issuer: the serial's length in one
/// byte, the serial (leading zeros stripped, at most 64 bytes), the issuer.
pub(super) fn serial_issuer_key(serial: &[u8], issuer: &str) -> Box<[u8]> {
    let serial = magnitude(serial);
    let serial = &serial[..serial.len().min(MAX_SERIAL_BYTES)];
    let mut key = Vec::with_capacity(1 + serial.len() + issuer.len());
    key.push(serial.len() as u8);
    key.extend_from_slice(serial);
    key.extend_from_slice(issuer.as_bytes());
    key.into_boxed_slice()
}

/// Big-endian bytes without leading zero bytes (one zero byte for zero).
pub(super) fn magnitude(bytes: &[u8]) -> &[u8] {
    let first = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len());
    if first == bytes.len() && !bytes.is_empty() {
        &bytes[bytes.len() - 1..]
    } else {
        &bytes[first..]
    }
}

/// Lower-case hex.
pub(super) fn hex(bytes: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(char::from(HEX[usize::from(b >> 4)]));
        s.push(char::from(HEX[usize::from(b & 15)]));
    }
    s
}

/// Parses hex (either case, even or odd length, no separators).
#[cfg_attr(not(feature = "registry-json"), allow(dead_code))]
pub(super) fn parse_hex(s: &str) -> Option<Vec<u8>> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let digit = |b: u8| (b as char).to_digit(16).unwrap_or(0) as u8;
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len() / 2 + 1);
    let odd = bytes.len() % 2;
    if odd == 1 {
        out.push(digit(bytes[0]));
    }
    for pair in bytes[odd..].chunks_exact(2) {
        out.push(digit(pair[0]) << 4 | digit(pair[1]));
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_parts_round_trip() {
        let c = CallerCertificate::new([7; 32], &[0, 0, 0x12, 0x34], "CN=Test CA,O=Example");
        assert_eq!(c.serial(), &[0x12, 0x34]);
        assert_eq!(c.issuer(), "CN=Test CA,O=Example");
        assert_eq!(c.sha256(), &[7; 32]);
        assert_eq!(magnitude(&[0, 0]), &[0]);
        assert_eq!(parse_hex("0a1B"), Some(vec![0x0a, 0x1b]));
        assert_eq!(parse_hex("abc"), Some(vec![0x0a, 0xbc]));
        assert_eq!(parse_hex("xy"), None);
        assert_eq!(parse_hex(""), None);
        assert_eq!(hex(&[0x0a, 0xff]), "0aff");
    }

    #[test]
    fn refuses_garbage_der() {
        assert_eq!(CallerCertificate::from_der(b"not a certificate"), Err(CertError::Malformed));
    }
}
