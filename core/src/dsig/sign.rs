//! Signing keys: an RSA or ECDSA private key (PKCS#8) with its certificate.

use std::fmt;

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{self as sig, EcdsaKeyPair, KeyPair, RsaKeyPair};

use super::algorithms::SignatureAlgorithm;

/// Why a key or certificate cannot be used for signing, or signing failed.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyError {
    /// The private key is not PKCS#8 RSA, P-256 or P-384, or is malformed.
    UnsupportedKey,
    /// PEM text without the expected block.
    BadPem,
    /// The certificate is malformed or its key is not the private key's.
    CertificateMismatch,
    /// The requested algorithm does not fit the key.
    AlgorithmMismatch,
    /// The cryptographic library refused to sign (opaque).
    SigningFailed,
}

impl KeyError {
    /// A stable, machine-readable name.
    pub fn code(&self) -> &'static str {
        match self {
            KeyError::UnsupportedKey => "key.unsupported",
            KeyError::BadPem => "key.bad_pem",
            KeyError::CertificateMismatch => "key.certificate_mismatch",
            KeyError::AlgorithmMismatch => "key.algorithm_mismatch",
            KeyError::SigningFailed => "key.signing_failed",
        }
    }
}

impl fmt::Display for KeyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            KeyError::UnsupportedKey => "private key is not PKCS#8 RSA, ECDSA P-256 or P-384",
            KeyError::BadPem => "PEM text without the expected block",
            KeyError::CertificateMismatch => "certificate malformed or not for this private key",
            KeyError::AlgorithmMismatch => "signature algorithm does not fit the key",
            KeyError::SigningFailed => "signing failed",
        })
    }
}

impl std::error::Error for KeyError {}

enum Private {
    Rsa(RsaKeyPair),
    EcP256(EcdsaKeyPair),
    EcP384(EcdsaKeyPair),
}

/// A private key and the certificate that names its public key.
pub struct SigningKey {
    private: Private,
    certificate: Vec<u8>,
    /// The certificate in base64, as a BinarySecurityToken carries it.
    certificate_text: String,
    rng: SystemRandom,
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKey").field("algorithm", &self.default_algorithm()).finish_non_exhaustive()
    }
}

impl SigningKey {
    /// From a PKCS#8 private key and an X.509 certificate, both DER.
    pub fn from_der(pkcs8: &[u8], certificate: &[u8]) -> Result<SigningKey, KeyError> {
        let private = if let Ok(k) = RsaKeyPair::from_pkcs8(pkcs8) {
            Private::Rsa(k)
        } else if let Ok(k) = EcdsaKeyPair::from_pkcs8(&sig::ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8) {
            Private::EcP256(k)
        } else if let Ok(k) = EcdsaKeyPair::from_pkcs8(&sig::ECDSA_P384_SHA384_FIXED_SIGNING, pkcs8) {
            Private::EcP384(k)
        } else {
            return Err(KeyError::UnsupportedKey);
        };
        let certificate_text = super::base64::encode(certificate);
        let key = SigningKey { private, certificate: certificate.to_vec(), certificate_text, rng: SystemRandom::new() };
        key.check_certificate()?;
        Ok(key)
    }

    /// From PEM texts: a `PRIVATE KEY` block and a `CERTIFICATE` block.
    pub fn from_pem(pkcs8_pem: &[u8], certificate_pem: &[u8]) -> Result<SigningKey, KeyError> {
        let key = pem_block(pkcs8_pem, "PRIVATE KEY").ok_or(KeyError::BadPem)?;
        let cert = pem_block(certificate_pem, "CERTIFICATE").ok_or(KeyError::BadPem)?;
        SigningKey::from_der(&key, &cert)
    }

    /// The certificate (DER).
    pub fn certificate(&self) -> &[u8] {
        &self.certificate
    }

    /// [`certificate`](Self::certificate) in base64.
    pub(crate) fn certificate_text(&self) -> &str {
        &self.certificate_text
    }

    /// The algorithm used unless another is asked for: RSA-SHA256, or ECDSA with the key's curve.
    pub fn default_algorithm(&self) -> SignatureAlgorithm {
        match self.private {
            Private::Rsa(_) => SignatureAlgorithm::RsaSha256,
            Private::EcP256(_) => SignatureAlgorithm::EcdsaP256Sha256,
            Private::EcP384(_) => SignatureAlgorithm::EcdsaP384Sha384,
        }
    }

    fn public_key(&self) -> &[u8] {
        match &self.private {
            Private::Rsa(k) => k.public_key().as_ref(),
            Private::EcP256(k) | Private::EcP384(k) => k.public_key().as_ref(),
        }
    }

    /// The certificate's public key must be this key's.
    fn check_certificate(&self) -> Result<(), KeyError> {
        let (_, cert) =
            x509_parser::parse_x509_certificate(&self.certificate).map_err(|_| KeyError::CertificateMismatch)?;
        let spki = cert.public_key();
        let public = self.public_key();
        let matches = match &self.private {
            // RSA: the certificate's subjectPublicKey is the PKCS#1 RSAPublicKey aws-lc-rs returns.
            Private::Rsa(_) => spki.subject_public_key.data.as_ref() == public,
            // EC: both are the uncompressed point.
            _ => spki.subject_public_key.data.as_ref() == public,
        };
        if matches {
            Ok(())
        } else {
            Err(KeyError::CertificateMismatch)
        }
    }

    /// Signs `message` with `alg`.
    pub fn sign(&self, alg: SignatureAlgorithm, message: &[u8]) -> Result<Vec<u8>, KeyError> {
        use SignatureAlgorithm as A;
        match (&self.private, alg) {
            (Private::Rsa(k), _) => {
                let padding: &dyn sig::RsaEncoding = match alg {
                    A::RsaSha256 => &sig::RSA_PKCS1_SHA256,
                    A::RsaSha384 => &sig::RSA_PKCS1_SHA384,
                    A::RsaSha512 => &sig::RSA_PKCS1_SHA512,
                    A::RsaPssSha256 => &sig::RSA_PSS_SHA256,
                    A::RsaPssSha384 => &sig::RSA_PSS_SHA384,
                    A::RsaPssSha512 => &sig::RSA_PSS_SHA512,
                    _ => return Err(KeyError::AlgorithmMismatch),
                };
                let mut out = vec![0; k.public_modulus_len()];
                k.sign(padding, &self.rng, message, &mut out).map_err(|_| KeyError::SigningFailed)?;
                Ok(out)
            }
            (Private::EcP256(k), A::EcdsaP256Sha256) | (Private::EcP384(k), A::EcdsaP384Sha384) => {
                let s = k.sign(&self.rng, message).map_err(|_| KeyError::SigningFailed)?;
                Ok(s.as_ref().to_vec())
            }
            _ => Err(KeyError::AlgorithmMismatch),
        }
    }
}

/// The first PEM block with `label`, decoded.
pub(crate) fn pem_block(pem: &[u8], label: &str) -> Option<Vec<u8>> {
    let text = std::str::from_utf8(pem).ok()?;
    let begin = format!("-----BEGIN {label}-----");
    let end = format!("-----END {label}-----");
    let start = text.find(&begin)? + begin.len();
    let stop = start + text[start..].find(&end)?;
    super::base64::decode(&text[start..stop]).ok()
}
