//! Why a certificate was refused.

use std::fmt;

/// A certificate, chain or trust anchor was refused. Crypto failures are
/// deliberately opaque: a forged chain reads as [`CertError::UntrustedIssuer`].
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CertError {
    /// Not a well-formed DER X.509 certificate (or trailing data after it).
    Malformed,
    /// PEM text that is not well formed, or has no CERTIFICATE block.
    BadPem,
    /// A public key kuvert cannot use: not RSA, P-256 or P-384, or RSA over 8192 bits.
    UnsupportedKey,
    /// An RSA key smaller than the policy's `min_rsa_bits`.
    KeyTooSmall,
    /// The leaf's KeyUsage allows neither digitalSignature nor nonRepudiation.
    MissingDigitalSignature,
    /// The leaf's (or an issuer's) ExtendedKeyUsage lacks the policy's purpose.
    ExtendedKeyUsage,
    /// The certificate (or an issuer on its path) is not valid yet.
    NotYetValid,
    /// The certificate (or an issuer on its path) has expired.
    Expired,
    /// No path to a trust anchor: unknown issuer or a signature that does not verify.
    UntrustedIssuer,
    /// More intermediates were given than the policy's `max_intermediates`.
    ChainTooLong,
    /// The chain is signed with an algorithm that is not accepted (e.g. SHA-1).
    UnsupportedAlgorithm,
    /// The chain breaks another rule (basic constraints, path length, name
    /// constraints, a CA used as end entity, an unsupported critical extension...).
    InvalidChain,
}

impl CertError {
    /// A stable, machine-readable code, e.g. `cert.expired`.
    pub const fn code(self) -> &'static str {
        match self {
            Self::Malformed => "cert.malformed",
            Self::BadPem => "cert.bad_pem",
            Self::UnsupportedKey => "cert.unsupported_key",
            Self::KeyTooSmall => "cert.key_too_small",
            Self::MissingDigitalSignature => "cert.missing_digital_signature",
            Self::ExtendedKeyUsage => "cert.extended_key_usage",
            Self::NotYetValid => "cert.not_yet_valid",
            Self::Expired => "cert.expired",
            Self::UntrustedIssuer => "cert.untrusted_issuer",
            Self::ChainTooLong => "cert.chain_too_long",
            Self::UnsupportedAlgorithm => "cert.unsupported_algorithm",
            Self::InvalidChain => "cert.invalid_chain",
        }
    }

    fn message(self) -> &'static str {
        match self {
            Self::Malformed => "malformed X.509 certificate",
            Self::BadPem => "malformed PEM or no CERTIFICATE block",
            Self::UnsupportedKey => "unsupported public key (RSA, P-256 and P-384 are supported)",
            Self::KeyTooSmall => "RSA key smaller than the policy allows",
            Self::MissingDigitalSignature => "key usage allows neither digitalSignature nor nonRepudiation",
            Self::ExtendedKeyUsage => "extended key usage does not allow the required purpose",
            Self::NotYetValid => "certificate not valid yet",
            Self::Expired => "certificate expired",
            Self::UntrustedIssuer => "no valid path to a trust anchor",
            Self::ChainTooLong => "too many intermediate certificates",
            Self::UnsupportedAlgorithm => "certificate chain signed with an unsupported algorithm",
            Self::InvalidChain => "invalid certificate chain",
        }
    }

    /// Maps a rustls-webpki path-building error.
    #[allow(deprecated)] // webpki still returns the context-free variants in places
    pub(crate) fn from_webpki(e: &webpki::Error) -> CertError {
        use webpki::Error as W;
        match e {
            W::CertExpired { .. } => Self::Expired,
            W::CertNotValidYet { .. } => Self::NotYetValid,
            W::UnknownIssuer | W::InvalidSignatureForPublicKey => Self::UntrustedIssuer,
            W::RequiredEkuNotFoundContext(_) | W::RequiredEkuNotFound | W::EmptyEkuExtension => Self::ExtendedKeyUsage,
            W::UnsupportedSignatureAlgorithm
            | W::UnsupportedSignatureAlgorithmContext(_)
            | W::UnsupportedSignatureAlgorithmForPublicKey
            | W::UnsupportedSignatureAlgorithmForPublicKeyContext(_) => Self::UnsupportedAlgorithm,
            W::BadDer | W::BadDerTime | W::TrailingData(_) | W::InvalidSerialNumber => Self::Malformed,
            _ => Self::InvalidChain,
        }
    }
}

impl fmt::Display for CertError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}

impl std::error::Error for CertError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_distinct_and_prefixed() {
        let all = [
            CertError::Malformed,
            CertError::BadPem,
            CertError::UnsupportedKey,
            CertError::KeyTooSmall,
            CertError::MissingDigitalSignature,
            CertError::ExtendedKeyUsage,
            CertError::NotYetValid,
            CertError::Expired,
            CertError::UntrustedIssuer,
            CertError::ChainTooLong,
            CertError::UnsupportedAlgorithm,
            CertError::InvalidChain,
        ];
        let mut codes: Vec<_> = all.iter().map(|e| e.code()).collect();
        assert!(codes.iter().all(|c| c.starts_with("cert.")));
        assert!(all.iter().all(|e| !e.to_string().is_empty()));
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), all.len());
        assert_eq!(CertError::from_webpki(&webpki::Error::UnknownIssuer), CertError::UntrustedIssuer);
    }
}
