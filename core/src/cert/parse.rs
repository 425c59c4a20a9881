//! Parsing a certificate and the checks on a leaf that need no issuer.

use x509_parser::certificate::X509Certificate;
use x509_parser::extensions::ExtendedKeyUsage;
use x509_parser::prelude::FromDer;

use crate::time::UtcTime;

use super::policy::eku_allows;
use super::{CertError, CertificateIdentity, CertificatePolicy, VerificationKey};

/// Parses one DER certificate; trailing bytes are refused.
pub(crate) fn parse_x509(der: &[u8]) -> Result<X509Certificate<'_>, CertError> {
    match X509Certificate::from_der(der) {
        Ok(([], cert)) => Ok(cert),
        _ => Err(CertError::Malformed),
    }
}

/// Identity and key of a certificate, without any trust, validity or usage
/// check (for matching `KeyIdentifier`/`X509IssuerSerial` references). The
/// key still has to be one the policy accepts (kind and RSA size).
pub(crate) fn parse_certificate(
    der: &[u8],
    policy: &CertificatePolicy,
) -> Result<(CertificateIdentity, VerificationKey), CertError> {
    let cert = parse_x509(der)?;
    let identity = CertificateIdentity::from_cert(&cert, der)?;
    let key = VerificationKey::from_spki(cert.public_key(), policy)?;
    Ok((identity, key))
}

/// KeyUsage and ExtendedKeyUsage rules of the policy, on a leaf.
pub(crate) fn check_leaf_usage(cert: &X509Certificate<'_>, policy: &CertificatePolicy) -> Result<(), CertError> {
    if policy.require_digital_signature {
        match cert.key_usage() {
            Err(_) => return Err(CertError::Malformed),
            Ok(Some(ku)) if !(ku.value.digital_signature() || ku.value.non_repudiation()) => {
                return Err(CertError::MissingDigitalSignature)
            }
            Ok(_) => {}
        }
    }
    let eku = cert.extended_key_usage().map_err(|_| CertError::Malformed)?;
    let mut present: Vec<&[u8]> = Vec::new();
    if let Some(eku) = &eku {
        eku_oids(eku.value, &mut present);
    }
    if eku_allows(policy.extended_key_usage, eku.as_ref().map(|_| present.as_slice())) {
        Ok(())
    } else {
        Err(CertError::ExtendedKeyUsage)
    }
}

/// The purposes of an ExtendedKeyUsage extension as OID content octets
/// (anyExtendedKeyUsage left out, as rustls-webpki does).
fn eku_oids<'a>(eku: &'a ExtendedKeyUsage<'_>, out: &mut Vec<&'a [u8]>) {
    const fn kp(n: u8) -> [u8; 8] {
        [0x2b, 6, 1, 5, 5, 7, 3, n]
    }
    static KNOWN: [[u8; 8]; 6] = [kp(1), kp(2), kp(3), kp(4), kp(8), kp(9)];
    let flags =
        [eku.server_auth, eku.client_auth, eku.code_signing, eku.email_protection, eku.time_stamping, eku.ocsp_signing];
    for (flag, oid) in flags.into_iter().zip(KNOWN.iter()) {
        if flag {
            out.push(oid);
        }
    }
    out.extend(eku.other.iter().map(|o| o.as_bytes()));
}

/// `at` must lie in `[from, until]`.
pub(crate) fn check_window(from: UtcTime, until: UtcTime, at: UtcTime) -> Result<(), CertError> {
    if at < from {
        Err(CertError::NotYetValid)
    } else if at > until {
        Err(CertError::Expired)
    } else {
        Ok(())
    }
}
