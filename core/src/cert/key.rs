//! Public keys that check XML-DSig signature values. A key keeps one parsed
//! aws-lc-rs key per algorithm, made on first use and reused after that.

use std::fmt;
use std::sync::OnceLock;

use aws_lc_rs::signature::{self, ParsedPublicKey, VerificationAlgorithm};
use x509_parser::prelude::FromDer;
use x509_parser::public_key::PublicKey;
use x509_parser::x509::SubjectPublicKeyInfo;

use crate::dsig::SignatureAlgorithm;

use super::{CertError, CertificatePolicy};

const OID_RSA_ENCRYPTION: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];
const OID_EC_PUBLIC_KEY: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];
const OID_P256: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];
const OID_P384: &[u8] = &[0x2b, 0x81, 0x04, 0x00, 0x22];
const DER_TAG_OID: u32 = 6;
const MIN_RSA_BITS_EVER: usize = 1024;
const MAX_RSA_BITS: usize = 8192;

/// The kind of a verification key.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum KeyKind {
    /// RSA (rsaEncryption SubjectPublicKeyInfo).
    Rsa,
    /// ECDSA on NIST P-256.
    EcP256,
    /// ECDSA on NIST P-384.
    EcP384,
}

/// A signature value was not accepted by a key.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum KeyVerifyError {
    /// The algorithm needs another kind of key (RSA algorithm, EC key or the reverse).
    KeyMismatch,
    /// An ECDSA algorithm on the other curve than the key's.
    CurveMismatch,
    /// The RSA key is too small for this algorithm (legacy 1024-bit keys only
    /// work with PKCS#1 v1.5 SHA-1, SHA-256 and SHA-512).
    KeyTooSmall,
    /// The signature value does not verify (opaque: wrong value, wrong length...).
    BadSignature,
}

impl KeyVerifyError {
    /// A stable, machine-readable code, e.g. `signature.bad`.
    pub const fn code(self) -> &'static str {
        match self {
            Self::KeyMismatch => "signature.key_mismatch",
            Self::CurveMismatch => "signature.curve_mismatch",
            Self::KeyTooSmall => "signature.key_too_small",
            Self::BadSignature => "signature.bad_signature",
        }
    }
}

impl fmt::Display for KeyVerifyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::KeyMismatch => "signature algorithm does not match the key type",
            Self::CurveMismatch => "ECDSA algorithm does not match the key's curve",
            Self::KeyTooSmall => "RSA key too small for this signature algorithm",
            Self::BadSignature => "signature value does not verify",
        })
    }
}

impl std::error::Error for KeyVerifyError {}

const ALGORITHMS: usize = SignatureAlgorithm::ALL.len();

/// A public key from a certificate or pinned by the caller. Cheap to verify
/// with repeatedly: the parsed aws-lc-rs key for each algorithm is kept.
#[derive(Clone)]
pub(crate) struct VerificationKey {
    kind: KeyKind,
    bits: usize,
    spki: Box<[u8]>,
    parsed: [OnceLock<Option<ParsedPublicKey>>; ALGORITHMS],
}

impl fmt::Debug for VerificationKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VerificationKey").field("kind", &self.kind).field("bits", &self.bits).finish_non_exhaustive()
    }
}

impl VerificationKey {
    /// A key from a DER SubjectPublicKeyInfo (a raw public key the caller pins).
    pub(crate) fn from_spki_der(spki: &[u8], policy: &CertificatePolicy) -> Result<Self, CertError> {
        match SubjectPublicKeyInfo::from_der(spki) {
            Ok(([], info)) => Self::from_spki(&info, policy),
            _ => Err(CertError::Malformed),
        }
    }

    /// A key from a parsed SubjectPublicKeyInfo; checks kind, size and encoding.
    pub(crate) fn from_spki(info: &SubjectPublicKeyInfo<'_>, policy: &CertificatePolicy) -> Result<Self, CertError> {
        let (kind, bits) = key_kind(info)?;
        if kind == KeyKind::Rsa && (bits < MIN_RSA_BITS_EVER || bits < policy.min_rsa_bits) {
            return Err(CertError::KeyTooSmall);
        }
        let key = VerificationKey { kind, bits, spki: info.raw.into(), parsed: Default::default() };
        // Parse once now, for the key's usual algorithm: a bad key fails here.
        let usual = match kind {
            KeyKind::Rsa => SignatureAlgorithm::RsaSha256,
            KeyKind::EcP256 => SignatureAlgorithm::EcdsaP256Sha256,
            KeyKind::EcP384 => SignatureAlgorithm::EcdsaP384Sha384,
        };
        match key.parsed_for(usual) {
            Ok(Some(_)) => Ok(key),
            _ => Err(CertError::UnsupportedKey),
        }
    }

    /// The key's kind.
    #[cfg_attr(not(test), allow(dead_code))] // read by the tests
    pub(crate) fn kind(&self) -> KeyKind {
        self.kind
    }

    /// Modulus length for RSA, field size for EC, in bits.
    #[cfg_attr(not(test), allow(dead_code))] // read by the tests
    pub(crate) fn bits(&self) -> usize {
        self.bits
    }

    /// The SubjectPublicKeyInfo DER.
    pub(crate) fn spki_der(&self) -> &[u8] {
        &self.spki
    }

    /// Checks `signature` over `message`. ECDSA values are XML-DSig's raw `r || s`.
    pub(crate) fn verify(
        &self,
        alg: SignatureAlgorithm,
        message: &[u8],
        signature: &[u8],
    ) -> Result<(), KeyVerifyError> {
        match self.parsed_for(alg)? {
            Some(key) => key.verify_sig(message, signature).map_err(|_| KeyVerifyError::BadSignature),
            None => Err(KeyVerifyError::KeyMismatch),
        }
    }

    fn parsed_for(&self, alg: SignatureAlgorithm) -> Result<&Option<ParsedPublicKey>, KeyVerifyError> {
        let params = self.params(alg)?;
        Ok(self.parsed[index(alg)].get_or_init(|| ParsedPublicKey::new(params, &self.spki).ok()))
    }

    fn params(&self, alg: SignatureAlgorithm) -> Result<&'static dyn VerificationAlgorithm, KeyVerifyError> {
        use SignatureAlgorithm as A;
        match (alg, self.kind) {
            (a, KeyKind::Rsa) if a.is_rsa() => rsa_params(a, self.bits).ok_or(KeyVerifyError::KeyTooSmall),
            (A::EcdsaP256Sha256, KeyKind::EcP256) => Ok(&signature::ECDSA_P256_SHA256_FIXED),
            (A::EcdsaP384Sha384, KeyKind::EcP384) => Ok(&signature::ECDSA_P384_SHA384_FIXED),
            (A::EcdsaP256Sha256 | A::EcdsaP384Sha384, KeyKind::EcP256 | KeyKind::EcP384) => {
                Err(KeyVerifyError::CurveMismatch)
            }
            _ => Err(KeyVerifyError::KeyMismatch),
        }
    }
}

fn index(alg: SignatureAlgorithm) -> usize {
    use SignatureAlgorithm as A;
    match alg {
        A::RsaSha1 => 0,
        A::RsaSha256 => 1,
        A::RsaSha384 => 2,
        A::RsaSha512 => 3,
        A::RsaPssSha256 => 4,
        A::RsaPssSha384 => 5,
        A::RsaPssSha512 => 6,
        A::EcdsaP256Sha256 => 7,
        A::EcdsaP384Sha384 => 8,
    }
}

/// aws-lc-rs parameters for an RSA algorithm: the 2048-8192 bit variants, or
/// the legacy 1024-8192 bit ones for a smaller key (PKCS#1 v1.5 only).
fn rsa_params(alg: SignatureAlgorithm, bits: usize) -> Option<&'static dyn VerificationAlgorithm> {
    use SignatureAlgorithm as A;
    Some(match (alg, bits >= 2048) {
        (A::RsaSha1, true) => &signature::RSA_PKCS1_2048_8192_SHA1_FOR_LEGACY_USE_ONLY,
        (A::RsaSha256, true) => &signature::RSA_PKCS1_2048_8192_SHA256,
        (A::RsaSha384, true) => &signature::RSA_PKCS1_2048_8192_SHA384,
        (A::RsaSha512, true) => &signature::RSA_PKCS1_2048_8192_SHA512,
        (A::RsaPssSha256, true) => &signature::RSA_PSS_2048_8192_SHA256,
        (A::RsaPssSha384, true) => &signature::RSA_PSS_2048_8192_SHA384,
        (A::RsaPssSha512, true) => &signature::RSA_PSS_2048_8192_SHA512,
        (A::RsaSha1, false) => &signature::RSA_PKCS1_1024_8192_SHA1_FOR_LEGACY_USE_ONLY,
        (A::RsaSha256, false) => &signature::RSA_PKCS1_1024_8192_SHA256_FOR_LEGACY_USE_ONLY,
        (A::RsaSha512, false) => &signature::RSA_PKCS1_1024_8192_SHA512_FOR_LEGACY_USE_ONLY,
        _ => return None,
    })
}

/// Kind and size of a SubjectPublicKeyInfo's key.
fn key_kind(info: &SubjectPublicKeyInfo<'_>) -> Result<(KeyKind, usize), CertError> {
    let oid = info.algorithm.algorithm.as_bytes();
    if oid == OID_RSA_ENCRYPTION {
        let Ok(PublicKey::RSA(rsa)) = info.parsed() else {
            return Err(CertError::Malformed);
        };
        let bits = modulus_bits(rsa.modulus).ok_or(CertError::Malformed)?;
        return if bits > MAX_RSA_BITS { Err(CertError::UnsupportedKey) } else { Ok((KeyKind::Rsa, bits)) };
    }
    if oid != OID_EC_PUBLIC_KEY {
        return Err(CertError::UnsupportedKey);
    }
    match info.algorithm.parameters.as_ref() {
        Some(p) if p.header.tag().0 == DER_TAG_OID && p.data == OID_P256 => Ok((KeyKind::EcP256, 256)),
        Some(p) if p.header.tag().0 == DER_TAG_OID && p.data == OID_P384 => Ok((KeyKind::EcP384, 384)),
        _ => Err(CertError::UnsupportedKey),
    }
}

/// Bit length of a DER INTEGER's content that must be positive.
fn modulus_bits(modulus: &[u8]) -> Option<usize> {
    let first = *modulus.first()?;
    if first & 0x80 != 0 {
        return None;
    }
    let start = modulus.iter().position(|&b| b != 0)?;
    let top = modulus[start];
    Some((modulus.len() - start - 1) * 8 + (8 - top.leading_zeros() as usize))
}

#[cfg(test)]
#[path = "key_tests.rs"]
mod tests;
