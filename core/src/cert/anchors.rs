//! Owned trust anchors: CA certificates for path building, and certificates
//! the caller pins by their exact DER.

use std::fmt;

use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, TrustAnchor};

use crate::time::UtcTime;

use super::identity::utc;
use super::parse::parse_x509;
use super::CertError;

#[derive(Clone)]
struct Anchor {
    der: Box<[u8]>,
    not_before: UtcTime,
    not_after: UtcTime,
}

/// The certificates a validator trusts. A CA certificate (basicConstraints
/// cA=TRUE) becomes a trust anchor for path building; any certificate, CA or
/// not, is also trusted as itself when a leaf's DER equals it exactly (pinning,
/// e.g. a self-signed leaf). A pinned non-CA certificate never issues: it is
/// not given to path building. Validity periods still apply to both.
#[derive(Clone, Default)]
pub struct TrustAnchors {
    all: Vec<Anchor>,
    /// Path-building anchors (CAs only), with the index of each in `all`.
    webpki: Vec<TrustAnchor<'static>>,
    webpki_index: Vec<usize>,
}

impl fmt::Debug for TrustAnchors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TrustAnchors").field("certificates", &self.all.len()).field("cas", &self.webpki.len()).finish()
    }
}

impl TrustAnchors {
    /// No anchors.
    pub fn new() -> Self {
        TrustAnchors::default()
    }

    /// Trusts one DER certificate: a CA certificate, or a leaf to pin. Adding
    /// the same certificate twice keeps one copy.
    pub fn add_der(&mut self, der: &[u8]) -> Result<(), CertError> {
        if self.all.iter().any(|a| *a.der == *der) {
            return Ok(());
        }
        let cert = parse_x509(der)?;
        let is_ca = match cert.basic_constraints() {
            Ok(bc) => bc.is_some_and(|bc| bc.value.ca),
            Err(_) => return Err(CertError::Malformed),
        };
        if is_ca {
            let der_ref = CertificateDer::from(der);
            let anchor = webpki::anchor_from_trusted_cert(&der_ref).map_err(|_| CertError::Malformed)?;
            self.webpki.push(anchor.to_owned());
            self.webpki_index.push(self.all.len());
        }
        let validity = cert.validity();
        self.all.push(Anchor {
            der: der.into(),
            not_before: utc(&validity.not_before),
            not_after: utc(&validity.not_after),
        });
        Ok(())
    }

    /// Trusts every CERTIFICATE block of a PEM text; other blocks are skipped.
    /// All or nothing: on an error no certificate is added. Returns how many
    /// blocks were read.
    pub fn add_pem(&mut self, pem: &[u8]) -> Result<usize, CertError> {
        let mut staged = self.clone();
        let mut count = 0;
        for cert in CertificateDer::pem_slice_iter(pem) {
            let cert = cert.map_err(|_| CertError::BadPem)?;
            staged.add_der(&cert)?;
            count += 1;
        }
        if count == 0 {
            return Err(CertError::BadPem);
        }
        *self = staged;
        Ok(count)
    }

    /// Number of trusted certificates.
    pub fn len(&self) -> usize {
        self.all.len()
    }

    /// Whether no certificate is trusted.
    pub fn is_empty(&self) -> bool {
        self.all.is_empty()
    }

    /// Whether `der` is exactly one of the trusted certificates.
    pub(crate) fn is_pinned(&self, der: &[u8]) -> bool {
        self.all.iter().any(|a| *a.der == *der)
    }

    /// The path-building anchors (CA certificates).
    pub(crate) fn webpki(&self) -> &[TrustAnchor<'static>] {
        &self.webpki
    }

    /// Validity period of `self.webpki()[i]`.
    pub(crate) fn ca_validity(&self, i: usize) -> Option<(UtcTime, UtcTime)> {
        let a = self.all.get(*self.webpki_index.get(i)?)?;
        Some((a.not_before, a.not_after))
    }
}
