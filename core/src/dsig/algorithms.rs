//! The algorithms XML-DSig messages name, as values. A document's URI is
//! mapped to a value once; policies are lists of values.

/// A signature algorithm kuvert can check.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SignatureAlgorithm {
    /// RSA PKCS#1 v1.5 with SHA-1 (legacy; refused unless a policy allows it).
    RsaSha1,
    /// RSA PKCS#1 v1.5 with SHA-256: the platform's algorithm.
    RsaSha256,
    /// RSA PKCS#1 v1.5 with SHA-384.
    RsaSha384,
    /// RSA PKCS#1 v1.5 with SHA-512.
    RsaSha512,
    /// RSASSA-PSS with SHA-256, MGF1-SHA-256, salt length 32 (RFC 6931).
    RsaPssSha256,
    /// RSASSA-PSS with SHA-384, MGF1-SHA-384, salt length 48.
    RsaPssSha384,
    /// RSASSA-PSS with SHA-512, MGF1-SHA-512, salt length 64.
    RsaPssSha512,
    /// ECDSA on P-256 with SHA-256.
    EcdsaP256Sha256,
    /// ECDSA on P-384 with SHA-384.
    EcdsaP384Sha384,
}

impl SignatureAlgorithm {
    /// Every algorithm kuvert implements.
    pub const ALL: [SignatureAlgorithm; 9] = [
        Self::RsaSha1,
        Self::RsaSha256,
        Self::RsaSha384,
        Self::RsaSha512,
        Self::RsaPssSha256,
        Self::RsaPssSha384,
        Self::RsaPssSha512,
        Self::EcdsaP256Sha256,
        Self::EcdsaP384Sha384,
    ];

    /// The secure default set: everything except SHA-1.
    pub const DEFAULT: [SignatureAlgorithm; 8] = [
        Self::RsaSha256,
        Self::RsaSha384,
        Self::RsaSha512,
        Self::RsaPssSha256,
        Self::RsaPssSha384,
        Self::RsaPssSha512,
        Self::EcdsaP256Sha256,
        Self::EcdsaP384Sha384,
    ];

    /// The algorithm's URI.
    pub const fn uri(self) -> &'static str {
        match self {
            Self::RsaSha1 => "http://www.w3.org/2000/09/xmldsig#rsa-sha1",
            Self::RsaSha256 => "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
            Self::RsaSha384 => "http://www.w3.org/2001/04/xmldsig-more#rsa-sha384",
            Self::RsaSha512 => "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512",
            Self::RsaPssSha256 => "http://www.w3.org/2007/05/xmldsig-more#sha256-rsa-MGF1",
            Self::RsaPssSha384 => "http://www.w3.org/2007/05/xmldsig-more#sha384-rsa-MGF1",
            Self::RsaPssSha512 => "http://www.w3.org/2007/05/xmldsig-more#sha512-rsa-MGF1",
            Self::EcdsaP256Sha256 => "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256",
            Self::EcdsaP384Sha384 => "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384",
        }
    }

    /// Maps a URI to an algorithm: `Ok(None)` for a known algorithm kuvert
    /// does not implement (DSA, HMAC, MD5, ...), `Err` for an unknown URI.
    pub fn from_uri(uri: &str) -> Result<Option<SignatureAlgorithm>, UnknownAlgorithm> {
        if let Some(a) = Self::ALL.into_iter().find(|a| a.uri() == uri) {
            return Ok(Some(a));
        }
        const KNOWN_UNSUPPORTED: [&str; 12] = [
            "http://www.w3.org/2000/09/xmldsig#dsa-sha1",
            "http://www.w3.org/2009/xmldsig11#dsa-sha256",
            "http://www.w3.org/2000/09/xmldsig#hmac-sha1",
            "http://www.w3.org/2001/04/xmldsig-more#hmac-sha256",
            "http://www.w3.org/2001/04/xmldsig-more#hmac-sha384",
            "http://www.w3.org/2001/04/xmldsig-more#hmac-sha512",
            "http://www.w3.org/2001/04/xmldsig-more#hmac-md5",
            "http://www.w3.org/2001/04/xmldsig-more#rsa-md5",
            "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha1",
            "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha512",
            "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha224",
            "http://www.w3.org/2007/05/xmldsig-more#rsa-pss",
        ];
        if KNOWN_UNSUPPORTED.contains(&uri) {
            Ok(None)
        } else {
            Err(UnknownAlgorithm)
        }
    }

    /// The digest the signature is computed over.
    pub const fn digest(self) -> DigestAlgorithm {
        match self {
            Self::RsaSha1 => DigestAlgorithm::Sha1,
            Self::RsaSha256 | Self::RsaPssSha256 | Self::EcdsaP256Sha256 => DigestAlgorithm::Sha256,
            Self::RsaSha384 | Self::RsaPssSha384 | Self::EcdsaP384Sha384 => DigestAlgorithm::Sha384,
            Self::RsaSha512 | Self::RsaPssSha512 => DigestAlgorithm::Sha512,
        }
    }

    /// Whether the algorithm takes an RSA key.
    pub const fn is_rsa(self) -> bool {
        !matches!(self, Self::EcdsaP256Sha256 | Self::EcdsaP384Sha384)
    }
}

/// A digest algorithm for `Reference/DigestMethod`.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DigestAlgorithm {
    /// SHA-1 (legacy; refused unless a policy allows it).
    Sha1,
    /// SHA-256.
    Sha256,
    /// SHA-384.
    Sha384,
    /// SHA-512.
    Sha512,
}

impl DigestAlgorithm {
    /// Every digest kuvert implements.
    pub const ALL: [DigestAlgorithm; 4] = [Self::Sha1, Self::Sha256, Self::Sha384, Self::Sha512];

    /// The secure default set: SHA-2 only.
    pub const DEFAULT: [DigestAlgorithm; 3] = [Self::Sha256, Self::Sha384, Self::Sha512];

    /// The algorithm's URI.
    pub const fn uri(self) -> &'static str {
        match self {
            Self::Sha1 => "http://www.w3.org/2000/09/xmldsig#sha1",
            Self::Sha256 => "http://www.w3.org/2001/04/xmlenc#sha256",
            Self::Sha384 => "http://www.w3.org/2001/04/xmldsig-more#sha384",
            Self::Sha512 => "http://www.w3.org/2001/04/xmlenc#sha512",
        }
    }

    /// Maps a URI to a digest: `Ok(None)` for a known digest kuvert does not
    /// implement (MD5, SHA-224, RIPEMD-160), `Err` for an unknown URI.
    pub fn from_uri(uri: &str) -> Result<Option<DigestAlgorithm>, UnknownAlgorithm> {
        if let Some(a) = Self::ALL.into_iter().find(|a| a.uri() == uri) {
            return Ok(Some(a));
        }
        const KNOWN_UNSUPPORTED: [&str; 3] = [
            "http://www.w3.org/2001/04/xmldsig-more#md5",
            "http://www.w3.org/2001/04/xmldsig-more#sha224",
            "http://www.w3.org/2001/04/xmlenc#ripemd160",
        ];
        if KNOWN_UNSUPPORTED.contains(&uri) {
            Ok(None)
        } else {
            Err(UnknownAlgorithm)
        }
    }

    /// Output length in bytes.
    pub const fn output_len(self) -> usize {
        match self {
            Self::Sha1 => 20,
            Self::Sha256 => 32,
            Self::Sha384 => 48,
            Self::Sha512 => 64,
        }
    }

    pub(crate) fn aws_lc(self) -> &'static aws_lc_rs::digest::Algorithm {
        match self {
            Self::Sha1 => &aws_lc_rs::digest::SHA1_FOR_LEGACY_USE_ONLY,
            Self::Sha256 => &aws_lc_rs::digest::SHA256,
            Self::Sha384 => &aws_lc_rs::digest::SHA384,
            Self::Sha512 => &aws_lc_rs::digest::SHA512,
        }
    }
}

/// A URI that names no algorithm kuvert knows of.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UnknownAlgorithm;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_round_trip() {
        for a in SignatureAlgorithm::ALL {
            assert_eq!(SignatureAlgorithm::from_uri(a.uri()), Ok(Some(a)));
        }
        for d in DigestAlgorithm::ALL {
            assert_eq!(DigestAlgorithm::from_uri(d.uri()), Ok(Some(d)));
        }
        assert_eq!(SignatureAlgorithm::from_uri("http://www.w3.org/2000/09/xmldsig#hmac-sha1"), Ok(None));
        assert_eq!(DigestAlgorithm::from_uri("http://www.w3.org/2001/04/xmldsig-more#md5"), Ok(None));
        assert_eq!(SignatureAlgorithm::from_uri("urn:nonsense"), Err(UnknownAlgorithm));
        assert!(!SignatureAlgorithm::DEFAULT.contains(&SignatureAlgorithm::RsaSha1));
    }
}
