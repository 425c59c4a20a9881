//! What a signing certificate must satisfy beyond a valid path.

/// Certificate policy. The [`Default`] is the secure choice for the platform:
/// RSA keys of at least 2048 bits, a KeyUsage (when present) that allows
/// signing, at most four intermediates, any extended key usage.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CertificatePolicy {
    /// Smallest RSA modulus accepted, in bits. Default 2048. Values below
    /// 2048 enable aws-lc-rs' legacy 1024-bit verification (PKCS#1 v1.5 with
    /// SHA-1, SHA-256 or SHA-512 only) for old test vectors; keys under 1024
    /// bits are never accepted.
    pub min_rsa_bits: usize,
    /// When true (default), a leaf whose KeyUsage extension is present must
    /// allow digitalSignature or nonRepudiation. An absent KeyUsage is accepted.
    pub require_digital_signature: bool,
    /// Most intermediate certificates a caller may pass (default 4); more is
    /// refused with [`CertError::ChainTooLong`](super::CertError::ChainTooLong)
    /// before any parsing.
    pub max_intermediates: usize,
    /// An extended key usage the path must allow, as the OID's DER content
    /// octets (no tag and length, e.g. `[0x2b, 6, 1, 5, 5, 7, 3, 2]` for
    /// clientAuth). Default `None`: any. With `Some`, a certificate that has an
    /// ExtendedKeyUsage extension must list the OID; one without the extension
    /// is accepted (rustls-webpki's "required if present").
    pub extended_key_usage: Option<&'static [u8]>,
}

impl Default for CertificatePolicy {
    fn default() -> Self {
        CertificatePolicy {
            min_rsa_bits: 2048,
            require_digital_signature: true,
            max_intermediates: 4,
            extended_key_usage: None,
        }
    }
}

/// The policy's EKU rule as a rustls-webpki validator (kept private so that
/// webpki's trait does not leak into kuvert's public API).
#[derive(Clone, Copy, Debug)]
pub(crate) struct EkuPolicy(pub(crate) Option<&'static [u8]>);

impl webpki::ExtendedKeyUsageValidator for EkuPolicy {
    fn validate(&self, iter: webpki::KeyPurposeIdIter<'_, '_>) -> Result<(), webpki::Error> {
        match self.0 {
            Some(oid) => webpki::KeyUsage::required_if_present(oid).validate(iter),
            None => {
                for id in iter {
                    id?;
                }
                Ok(())
            }
        }
    }
}

/// Whether an EKU list (OID content octets) satisfies the policy:
/// "required if present", as [`EkuPolicy`] does for path building.
pub(crate) fn eku_allows(required: Option<&[u8]>, present: Option<&[&[u8]]>) -> bool {
    match (required, present) {
        (None, _) | (_, None) => true,
        (Some(oid), Some(list)) => list.contains(&oid),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secure_default() {
        let p = CertificatePolicy::default();
        assert_eq!(p.min_rsa_bits, 2048);
        assert!(p.require_digital_signature);
        assert_eq!(p.max_intermediates, 4);
        assert_eq!(p.extended_key_usage, None);
    }

    #[test]
    fn eku_required_if_present() {
        const CLIENT: &[u8] = &[0x2b, 6, 1, 5, 5, 7, 3, 2];
        const EMAIL: &[u8] = &[0x2b, 6, 1, 5, 5, 7, 3, 4];
        assert!(eku_allows(None, Some(&[EMAIL])));
        assert!(eku_allows(Some(CLIENT), None));
        assert!(eku_allows(Some(CLIENT), Some(&[EMAIL, CLIENT])));
        assert!(!eku_allows(Some(CLIENT), Some(&[EMAIL])));
        assert!(!eku_allows(Some(CLIENT), Some(&[])));
    }
}
