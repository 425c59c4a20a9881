//! XML-DSig interoperability suites, verified with `Verifier::verify_document`:
//! merlin-xmldsig-twenty-three (xmlsec's and Santuario's copies),
//! phaos-xmldsig-three, IAIK IXSIL and the W3C XMLDSig 1.1 interop 2012 set.
//!
//! The policy the expectations follow: every case within kuvert's supported
//! set (RSA PKCS#1 v1.5 / ECDSA P-256 and P-384 with SHA-1 (allowed here) or
//! SHA-2, same-document references, enveloped-signature and the c14n
//! transforms, keys from X509Certificate or a pinned RSAKeyValue) verifies;
//! every case that needs DSA, HMAC, MD5, XPath, XSLT, Base64 transforms,
//! external URIs, KeyName-only, RetrievalMethod or Manifest types is refused
//! with `signature.unsupported`; the broken phaos cases are refused for the
//! reason they are broken. Each file's expected outcome was decided from its
//! content and is written below as data; the test checks it exactly, and
//! checks that every signature file of each suite has an expectation.
//!
//! Trust: the suite's certificates (CA and leaf, so a leaf is pinned by its
//! exact DER even when its chain uses MD5) and, for KeyValue-only cases, the
//! RSA key pinned with `Verifier::pin_public_key`. SHA-1 is allowed, RSA keys
//! of 1024 bits are accepted, and the time is inside the certificates' validity.

use std::path::Path;

use kuvert::{Input, Limits, TrustAnchors, UtcTime, Verifier, VerifyPolicy};
use kuvert_tests::{
    base64_decode, base64_encode, certificate_spki, element_text, files_under, print_table, read, relative, rsa_spki,
    shared_subdir,
};

const MERLIN_XMLSEC: &str = "vectors/xmlsec/tests/merlin-xmldsig-twenty-three";
const MERLIN_SANTUARIO: &str =
    "vectors/santuario/src/test/resources/ie/baltimore/merlin-examples/merlin-xmldsig-twenty-three";
const PHAOS: &str = "vectors/xmlsec/tests/phaos-xmldsig-three";
const IXSIL: &str = "vectors/santuario/src/test/resources/at/iaik/ixsil";
const INTEROP_2012: &str = "vectors/xmlsec/tests/xmldsig11-interop-2012";

const OK: &str = "ok";
const UNSUPPORTED: &str = "signature.unsupported";
const DOCTYPE: &str = "xml.doctype_forbidden";

/// The outcome of one verification: `"ok"` with what was signed, or the error code.
fn verify(verifier: &Verifier, bytes: &[u8], at: UtcTime) -> (String, String) {
    let limits = Limits::default();
    let input = match Input::new(bytes, &limits) {
        Ok(input) => input,
        Err(e) => return (e.code().to_owned(), format!("at byte {}", e.offset())),
    };
    match verifier.verify_document(&input, at) {
        Ok(doc) => {
            let signed: Vec<String> = doc
                .signed_elements()
                .iter()
                .map(|e| format!("{}{}", e.name.local, e.id.as_deref().map(|i| format!("#{i}")).unwrap_or_default()))
                .collect();
            (OK.to_owned(), format!("{:?}, signed {}", doc.signature_algorithm(), signed.join(", ")))
        }
        Err(e) => (e.code().to_owned(), format!("{e}")),
    }
}

/// A verifier for a suite: its certificates as anchors, pinned RSA keys, legacy algorithms allowed.
fn verifier(cert_files: &[&Path], pins: &[Vec<u8>], notes: &mut Vec<String>) -> Verifier {
    let mut anchors = TrustAnchors::new();
    for path in cert_files {
        let bytes = read(path);
        let name = path.file_name().unwrap().to_string_lossy();
        let added =
            if bytes.starts_with(b"-----") { anchors.add_pem(&bytes).map(|_| ()) } else { anchors.add_der(&bytes) };
        if let Err(e) = added {
            // DSA certificates are not keys kuvert uses: they cannot be anchors.
            notes.push(format!("{name} not added as a trust anchor: {}", e.code()));
        }
    }
    let mut policy = VerifyPolicy::default().allow_sha1();
    policy.certificates.min_rsa_bits = 1024;
    let mut v = Verifier::new(anchors, policy);
    for spki in pins {
        v.pin_public_key(spki).expect("pinnable RSA key");
    }
    v
}

/// The SPKI of the first `RSAKeyValue` in a file.
fn key_value_spki(path: &Path) -> Vec<u8> {
    let text = String::from_utf8(read(path)).expect("UTF-8");
    let modulus = base64_decode(element_text(&text, "Modulus").expect("Modulus"));
    let exponent = base64_decode(element_text(&text, "Exponent").expect("Exponent"));
    rsa_spki(&modulus, &exponent)
}

struct Report {
    title: String,
    rows: Vec<Vec<String>>,
    wrong: Vec<String>,
}

impl Report {
    fn new(title: &str) -> Report {
        Report { title: title.to_owned(), rows: Vec::new(), wrong: Vec::new() }
    }

    fn case(&mut self, name: &str, expected: &str, (got, detail): (String, String), why: &str) {
        let verdict = if got == expected { "as expected" } else { "WRONG" };
        if got != expected {
            self.wrong.push(format!("{name}: expected {expected}, got {got} ({detail})"));
        }
        self.rows.push(vec![name.to_owned(), got, verdict.to_owned(), why.to_owned(), detail]);
    }

    fn finish(self, notes: &[String]) {
        let mut title = self.title.clone();
        for n in notes {
            title.push_str(&format!("\n  note: {n}"));
        }
        print_table(&title, &["file", "outcome", "verdict", "why", "detail"], &self.rows);
        assert!(self.wrong.is_empty(), "{}:\n{}", self.title, self.wrong.join("\n"));
    }
}

/// Checks that `expected` names exactly the signature files found under `dir`.
fn same_files(dir: &Path, expected: &[(&str, &str, &str)], filter: impl Fn(&str) -> bool) {
    let mut found: Vec<String> =
        files_under(dir, &[".xml"]).iter().map(|f| relative(f, dir)).filter(|r| filter(r)).collect();
    found.sort();
    let mut listed: Vec<String> = expected.iter().map(|(f, _, _)| f.to_string()).collect();
    listed.sort();
    assert_eq!(found, listed, "the expectations must list every signature file of {}", dir.display());
}

fn run_suite(report: &mut Report, dir: &Path, verifier: &Verifier, at: UtcTime, cases: &[(&str, &str, &str)]) {
    for (file, expected, why) in cases {
        let got = verify(verifier, &read(&dir.join(file)), at);
        report.case(file, expected, got, why);
    }
}

// ---------------------------------------------------------------------------
// merlin-xmldsig-twenty-three
// ---------------------------------------------------------------------------

/// merlin-xmldsig-twenty-three: one RSA case; everything else is DSA, HMAC or external.
const MERLIN: &[(&str, &str, &str)] = &[
    ("signature-enveloped-dsa.xml", UNSUPPORTED, "DSA"),
    ("signature-enveloping-b64-dsa.xml", UNSUPPORTED, "DSA, Base64 transform"),
    ("signature-enveloping-dsa.xml", UNSUPPORTED, "DSA"),
    // xmlsec's copy says HMACOutputLength 80, the original 40 (CVE-2009-0217): both must fail.
    ("signature-enveloping-hmac-sha1-40.xml", UNSUPPORTED, "HMAC with HMACOutputLength (must FAIL)"),
    ("signature-enveloping-hmac-sha1.xml", UNSUPPORTED, "HMAC"),
    ("signature-enveloping-rsa.xml", OK, "RSA-SHA1, RSAKeyValue pinned"),
    ("signature-external-b64-dsa.xml", UNSUPPORTED, "DSA, external URI, Base64 transform"),
    ("signature-external-dsa.xml", UNSUPPORTED, "DSA, external URI"),
    ("signature-keyname.xml", UNSUPPORTED, "DSA, KeyName only, external URI"),
    ("signature-retrievalmethod-rawx509crt.xml", UNSUPPORTED, "DSA, RetrievalMethod, external URI"),
    ("signature-x509-crt-crl.xml", UNSUPPORTED, "DSA, external URI"),
    ("signature-x509-crt.xml", UNSUPPORTED, "DSA, external URI"),
    ("signature-x509-is.xml", UNSUPPORTED, "DSA, external URI"),
    ("signature-x509-ski.xml", UNSUPPORTED, "DSA, external URI"),
    ("signature-x509-sn.xml", UNSUPPORTED, "DSA, external URI"),
    ("signature.xml", DOCTYPE, "has a DOCTYPE (and XPath, XSLT, Manifest, external URIs)"),
];

fn merlin(rel: &str, label: &str) {
    let Some(dir) = shared_subdir(rel) else { return };
    same_files(&dir, MERLIN, |r| !r.starts_with("certs/"));
    // certs/lugh.der is Lugh's DSA public key, not a certificate.
    let mut certs = files_under(&dir.join("certs"), &[".der", ".crt"]);
    certs.retain(|c| !c.ends_with("lugh.der"));
    let cert_refs: Vec<&Path> = certs.iter().map(|p| p.as_path()).collect();
    let mut notes = vec![
        "the certificates in certs/ are DSA; the one RSA case carries only a KeyValue, which is pinned".to_owned(),
    ];
    // No certificate in certs/ holds the RSA key of the one RSA case: its KeyValue is pinned.
    let pins = [key_value_spki(&dir.join("signature-enveloping-rsa.xml"))];
    let v = verifier(&cert_refs, &pins, &mut notes);
    let mut report = Report::new(&format!("merlin-xmldsig-twenty-three ({label})"));
    run_suite(&mut report, &dir, &v, UtcTime::parse("2005-01-01T00:00:00Z").unwrap(), MERLIN);
    report.finish(&notes);
}

#[test]
fn merlin_xmldsig_twenty_three_xmlsec() {
    merlin(MERLIN_XMLSEC, "xmlsec copy");
}

#[test]
fn merlin_xmldsig_twenty_three_santuario() {
    merlin(MERLIN_SANTUARIO, "Santuario copy");
}

// ---------------------------------------------------------------------------
// phaos-xmldsig-three
// ---------------------------------------------------------------------------

const PHAOS_CASES: &[(&str, &str, &str)] = &[
    ("signature-big.xml", UNSUPPORTED, "external URIs, XSLT, XPath, Base64, Manifest, KeyName"),
    ("signature-dsa-detached.xml", UNSUPPORTED, "DSA, external URI"),
    ("signature-dsa-enveloped.xml", UNSUPPORTED, "DSA"),
    ("signature-dsa-enveloping.xml", UNSUPPORTED, "DSA"),
    ("signature-dsa-manifest.xml", UNSUPPORTED, "DSA, Manifest"),
    ("signature-hmac-md5-c14n-enveloping.xml", UNSUPPORTED, "HMAC-MD5, MD5 digest"),
    ("signature-hmac-sha1-40-c14n-comments-detached.xml", UNSUPPORTED, "truncated HMAC, external URI"),
    ("signature-hmac-sha1-40-exclusive-c14n-comments-detached.xml", UNSUPPORTED, "truncated HMAC, external URI"),
    ("signature-hmac-sha1-exclusive-c14n-comments-detached.xml", UNSUPPORTED, "HMAC, external URI"),
    ("signature-hmac-sha1-exclusive-c14n-enveloped.xml", UNSUPPORTED, "HMAC"),
    ("signature-rsa-detached-b64-transform.xml", UNSUPPORTED, "Manifest, external URI, Base64 transform"),
    ("signature-rsa-detached-xpath-transform.xml", UNSUPPORTED, "Manifest, external URI, XPath"),
    // Must FAIL (wrong certificate behind the RetrievalMethod): refused before that matters.
    ("signature-rsa-detached-xslt-transform-bad-retrieval-method.xml", UNSUPPORTED, "RetrievalMethod only (must FAIL)"),
    ("signature-rsa-detached-xslt-transform-retrieval-method.xml", UNSUPPORTED, "Manifest, XSLT, RetrievalMethod"),
    ("signature-rsa-detached-xslt-transform.xml", UNSUPPORTED, "Manifest, XSLT"),
    ("signature-rsa-detached.xml", UNSUPPORTED, "external URI"),
    // Must FAIL: the DigestValue was changed inside SignedInfo while the
    // SignatureValue was kept, so the signature over SignedInfo no longer
    // verifies either. kuvert checks the SignatureValue before any reference
    // (the order the XML Signature Best Practices recommend), so the reason it
    // gives is the signature. The derived case below changes the signed content
    // instead, which leaves the signature intact and breaks only the digest.
    (
        "signature-rsa-enveloped-bad-digest-val.xml",
        "signature.bad_signature",
        "DigestValue changed after signing (must FAIL)",
    ),
    // Must FAIL: a second Reference was appended to SignedInfo after signing. That
    // Reference uses an MD5 DigestMethod (and has no DigestValue), which is refused
    // while SignedInfo is read, before any cryptography: `signature.unsupported`.
    // The derived case below shows the same tampering with a supported digest.
    ("signature-rsa-enveloped-bad-sig.xml", UNSUPPORTED, "appended Reference uses MD5 (must FAIL)"),
    ("signature-rsa-enveloped.xml", OK, "RSA-SHA1, X509Certificate (pinned leaf)"),
    ("signature-rsa-enveloping.xml", OK, "RSA-SHA1, X509Certificate (pinned leaf)"),
    ("signature-rsa-manifest-x509-data-cert-chain.xml", UNSUPPORTED, "Manifest, external URIs"),
    ("signature-rsa-manifest-x509-data-cert.xml", UNSUPPORTED, "Manifest, external URIs"),
    ("signature-rsa-manifest-x509-data-issuer-serial.xml", UNSUPPORTED, "Manifest, external URIs"),
    ("signature-rsa-manifest-x509-data-ski.xml", UNSUPPORTED, "Manifest, external URIs"),
    ("signature-rsa-manifest-x509-data-subject-name.xml", UNSUPPORTED, "Manifest, external URIs"),
    ("signature-rsa-manifest.xml", UNSUPPORTED, "Manifest, external URIs"),
    ("signature-rsa-xpath-transform-enveloped.xml", UNSUPPORTED, "XPath transform"),
    ("signature-rsa-~x509-data-crl.xml", UNSUPPORTED, "Manifest, external URIs"),
];

#[test]
fn phaos_xmldsig_three() {
    let Some(dir) = shared_subdir(PHAOS) else { return };
    same_files(&dir, PHAOS_CASES, |r| r.starts_with("signature-"));
    let certs =
        ["rsa-ca-cert.der", "rsa-cert.der", "dsa-ca-cert.der", "dsa-cert.der"].map(|c| dir.join("certs").join(c));
    let cert_refs: Vec<&Path> = certs.iter().map(|p| p.as_path()).collect();
    let mut notes = vec![
        "rsa-cert.der is pinned by its exact DER (its chain is signed with MD5, which no path may use)".to_owned(),
    ];
    // KeyValue-only cases carry rsa-cert.der's key: pin the key from the certificate.
    let pins = [certificate_spki(&read(&dir.join("certs/rsa-cert.der")))];
    let v = verifier(&cert_refs, &pins, &mut notes);
    let at = UtcTime::parse("2005-01-01T00:00:00Z").unwrap();
    let mut report = Report::new("phaos-xmldsig-three");
    run_suite(&mut report, &dir, &v, at, PHAOS_CASES);

    // Derived: the bad-sig tampering (a Reference appended after signing) with a
    // supported digest: SHA-1 and a DigestValue. The signature no longer verifies.
    let bad_sig = String::from_utf8(read(&dir.join("signature-rsa-enveloped-bad-sig.xml"))).unwrap();
    let md5_ref = r#"<dsig:DigestMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#md5"/></dsig:Reference>"#;
    assert_eq!(bad_sig.matches(md5_ref).count(), 1);
    let derived = bad_sig.replace(
        md5_ref,
        r#"<dsig:DigestMethod Algorithm="http://www.w3.org/2000/09/xmldsig#sha1"/><dsig:DigestValue>nDF2V/bzRd0VE3EwShWtsBzTEDc=</dsig:DigestValue></dsig:Reference>"#,
    );
    report.case(
        "signature-rsa-enveloped-bad-sig.xml [appended Reference with SHA-1 + DigestValue]",
        "signature.bad_signature",
        verify(&v, derived.as_bytes(), at),
        "SignedInfo changed after signing (must FAIL)",
    );
    // Derived: the valid enveloped signature over a changed document: SignedInfo
    // and its signature are intact, the reference's digest no longer matches.
    let good = String::from_utf8(read(&dir.join("signature-rsa-enveloped.xml"))).unwrap();
    report.case(
        "signature-rsa-enveloped.xml [signed text changed: Alfonso → Alfonzo]",
        "signature.digest_mismatch",
        verify(&v, good.replacen("Alfonso", "Alfonzo", 1).as_bytes(), at),
        "signed content changed (must FAIL)",
    );
    // Derived: the valid enveloped signature with one SignatureValue character changed.
    let sv = good.find("<dsig:SignatureValue>").unwrap() + "<dsig:SignatureValue>".len();
    let mut flipped = good.clone();
    let c = if &good[sv..sv + 1] == "A" { "B" } else { "A" };
    flipped.replace_range(sv..sv + 1, c);
    report.case(
        "signature-rsa-enveloped.xml [first SignatureValue character changed]",
        "signature.bad_signature",
        verify(&v, flipped.as_bytes(), at),
        "wrong signature value (must FAIL)",
    );
    // The valid ones are refused without SHA-1: rsa-sha1 is not allowed by default.
    let mut strict_policy = VerifyPolicy::default();
    strict_policy.certificates.min_rsa_bits = 1024;
    let mut anchors = TrustAnchors::new();
    anchors.add_der(&read(&dir.join("certs/rsa-cert.der"))).unwrap();
    let strict = Verifier::new(anchors, strict_policy);
    report.case(
        "signature-rsa-enveloped.xml [default policy: no SHA-1]",
        "signature.algorithm_not_allowed",
        verify(&strict, good.as_bytes(), at),
        "rsa-sha1 not allowed by default",
    );
    report.finish(&notes);
}

// ---------------------------------------------------------------------------
// IAIK IXSIL
// ---------------------------------------------------------------------------

const IXSIL_CASES: &[(&str, &str, &str)] = &[
    (
        "coreFeatures/signatures/anonymousReferenceSignature.xml",
        UNSUPPORTED,
        "Reference without URI (external content)",
    ),
    ("coreFeatures/signatures/manifestSignature.xml", DOCTYPE, "has a DOCTYPE (and a Manifest)"),
    ("coreFeatures/signatures/manifestSignatureWrapping.xml", DOCTYPE, "has a DOCTYPE (and a Manifest)"),
    ("coreFeatures/signatures/signatureTypesSignature.xml", DOCTYPE, "has a DOCTYPE (and external URIs, XPath)"),
    ("signatureAlgorithms/signatures/dSASignature.xml", UNSUPPORTED, "DSA"),
    ("signatureAlgorithms/signatures/hMACShortSignature.xml", UNSUPPORTED, "HMAC truncated to 40 bits (must FAIL)"),
    ("signatureAlgorithms/signatures/hMACSignature.xml", UNSUPPORTED, "HMAC"),
    ("signatureAlgorithms/signatures/rSASignature.xml", OK, "RSA-SHA1, RSAKeyValue pinned"),
    ("transforms/signatures/base64DecodeSignature.xml", UNSUPPORTED, "external URI, Base64 transform"),
    ("transforms/signatures/c14nSignature.xml", UNSUPPORTED, "external URI"),
    ("transforms/signatures/envelopedSignatureSignature.xml", OK, "RSA-SHA1 enveloped, RSAKeyValue pinned"),
    ("transforms/signatures/xPathSignature.xml", UNSUPPORTED, "XPointer, XPath"),
];

#[test]
fn iaik_ixsil() {
    let Some(dir) = shared_subdir(IXSIL) else { return };
    same_files(&dir, IXSIL_CASES, |r| r.contains("/signatures/"));
    // IXSIL ships no certificates; every RSA signature carries the same RSAKeyValue.
    let pins = [key_value_spki(&dir.join("signatureAlgorithms/signatures/rSASignature.xml"))];
    let mut notes = vec!["no certificates: the RSAKeyValue shared by all RSA cases is pinned".to_owned()];
    let v = verifier(&[], &pins, &mut notes);
    let mut report = Report::new("IAIK IXSIL (Santuario at/iaik/ixsil/*/signatures)");
    run_suite(&mut report, &dir, &v, UtcTime::parse("2005-01-01T00:00:00Z").unwrap(), IXSIL_CASES);
    report.finish(&notes);
}

// ---------------------------------------------------------------------------
// W3C XMLDSig 1.1 interop 2012
// ---------------------------------------------------------------------------

const KEY_MISMATCH: &str = "signature.key_mismatch";

/// Every file as shipped. The ECDSA cases give their key as `ECKeyValue` /
/// RFC 4050 `ECDSAKeyValue`, a KeyValue form kuvert does not resolve.
const INTEROP_CASES: &[(&str, &str, &str)] = &[
    ("signature-enveloping-derencoded-ec.xml", UNSUPPORTED, "DEREncodedKeyValue"),
    ("signature-enveloping-derencoded-rsa.xml", UNSUPPORTED, "DEREncodedKeyValue"),
    ("signature-enveloping-hmac-sha1-truncated160.xml", UNSUPPORTED, "HMAC, HMACOutputLength"),
    ("signature-enveloping-hmac-sha1-truncated40.xml", UNSUPPORTED, "HMAC truncated to 40 bits (must FAIL)"),
    ("signature-enveloping-hmac-sha224.xml", UNSUPPORTED, "HMAC"),
    ("signature-enveloping-hmac-sha256.xml", UNSUPPORTED, "HMAC"),
    ("signature-enveloping-hmac-sha384.xml", UNSUPPORTED, "HMAC"),
    ("signature-enveloping-hmac-sha512.xml", UNSUPPORTED, "HMAC"),
    ("signature-enveloping-keyinforeference-rsa.xml", UNSUPPORTED, "KeyInfoReference"),
    ("signature-enveloping-p256_sha1.xml", UNSUPPORTED, "ECDSA-SHA1"),
    ("signature-enveloping-p256_sha1_4050.xml", UNSUPPORTED, "ECDSA-SHA1"),
    ("signature-enveloping-p256_sha224.xml", UNSUPPORTED, "ECDSA-SHA224"),
    ("signature-enveloping-p256_sha256.xml", UNSUPPORTED, "ECKeyValue (see the adapted case)"),
    ("signature-enveloping-p256_sha256_4050.xml", UNSUPPORTED, "ECDSAKeyValue (see the adapted case)"),
    ("signature-enveloping-p256_sha384.xml", UNSUPPORTED, "ECKeyValue"),
    ("signature-enveloping-p256_sha384_4050.xml", UNSUPPORTED, "ECDSAKeyValue"),
    ("signature-enveloping-p256_sha512.xml", UNSUPPORTED, "ECDSA-SHA512"),
    ("signature-enveloping-p256_sha512_4050.xml", UNSUPPORTED, "ECDSA-SHA512"),
    ("signature-enveloping-p384_sha1.xml", UNSUPPORTED, "ECDSA-SHA1"),
    ("signature-enveloping-p384_sha1_4050.xml", UNSUPPORTED, "ECDSA-SHA1"),
    ("signature-enveloping-p384_sha224.xml", UNSUPPORTED, "ECDSA-SHA224"),
    ("signature-enveloping-p384_sha256.xml", UNSUPPORTED, "ECKeyValue"),
    ("signature-enveloping-p384_sha256_4050.xml", UNSUPPORTED, "ECDSAKeyValue"),
    ("signature-enveloping-p384_sha384.xml", UNSUPPORTED, "ECKeyValue (see the adapted case)"),
    ("signature-enveloping-p384_sha384_4050.xml", UNSUPPORTED, "ECDSAKeyValue (see the adapted case)"),
    ("signature-enveloping-p384_sha512.xml", UNSUPPORTED, "ECDSA-SHA512"),
    ("signature-enveloping-p384_sha512_4050.xml", UNSUPPORTED, "ECDSA-SHA512"),
    ("signature-enveloping-p521_sha1.xml", UNSUPPORTED, "ECDSA-SHA1"),
    ("signature-enveloping-p521_sha1_4050.xml", UNSUPPORTED, "ECDSA-SHA1"),
    ("signature-enveloping-p521_sha224.xml", UNSUPPORTED, "ECDSA-SHA224"),
    ("signature-enveloping-p521_sha256.xml", UNSUPPORTED, "ECKeyValue"),
    ("signature-enveloping-p521_sha256_4050.xml", UNSUPPORTED, "ECDSAKeyValue"),
    ("signature-enveloping-p521_sha384.xml", UNSUPPORTED, "ECKeyValue"),
    ("signature-enveloping-p521_sha384_4050.xml", UNSUPPORTED, "ECDSAKeyValue"),
    ("signature-enveloping-p521_sha512.xml", UNSUPPORTED, "ECDSA-SHA512"),
    ("signature-enveloping-p521_sha512_4050.xml", UNSUPPORTED, "ECDSA-SHA512"),
    ("signature-enveloping-rsa-sha224.xml", UNSUPPORTED, "RSA-SHA224"),
    ("signature-enveloping-rsa-sha256.xml", OK, "RSA-SHA256 (SHA-1 digest), key of keys/rsa-key.crt pinned"),
    // aws-lc-rs verifies 1024-bit RSA keys (legacy) only with SHA-1, SHA-256 and
    // SHA-512; the key of this suite is 1024 bits, so RSA-SHA384 is refused as a
    // key too small for the algorithm, as CertificatePolicy::min_rsa_bits documents.
    ("signature-enveloping-rsa_sha384.xml", "cert.key_too_small", "RSA-SHA384 with a 1024-bit key"),
    ("signature-enveloping-rsa_sha512.xml", OK, "RSA-SHA512, key pinned"),
    ("signature-enveloping-sha224-rsa_sha256.xml", UNSUPPORTED, "SHA-224 digest"),
    ("signature-enveloping-sha256-rsa-sha256.xml", OK, "RSA-SHA256, SHA-256 digest, key pinned"),
    ("signature-enveloping-sha384-rsa_sha256.xml", OK, "RSA-SHA256, SHA-384 digest, key pinned"),
    ("signature-enveloping-sha512-rsa_sha256.xml", OK, "RSA-SHA256, SHA-512 digest, key pinned"),
    // X509Digest names a certificate by its digest; no such certificate is in the document.
    ("signature-enveloping-x509digest-rsa.xml", "signature.key_not_found", "X509Digest only: no certificate present"),
];

/// ECDSA cases adapted so kuvert can find the key: the (unsigned) KeyInfo is
/// replaced by an X509Certificate holding the suite's certificate for that
/// curve (`keys/pNNN-key.crt`, whose key is the one the KeyValue carried),
/// and that certificate is pinned.
const INTEROP_ADAPTED: &[(&str, &str, &str, &str)] = &[
    ("signature-enveloping-p256_sha256.xml", "p256-key.crt", OK, "ECDSA P-256 SHA-256"),
    ("signature-enveloping-p256_sha256_4050.xml", "p256-key.crt", OK, "ECDSA P-256 SHA-256"),
    ("signature-enveloping-p256_sha384.xml", "p256-key.crt", KEY_MISMATCH, "ecdsa-sha384 is P-384 in kuvert"),
    ("signature-enveloping-p256_sha384_4050.xml", "p256-key.crt", KEY_MISMATCH, "ecdsa-sha384 is P-384 in kuvert"),
    ("signature-enveloping-p384_sha256.xml", "p384-key.crt", KEY_MISMATCH, "ecdsa-sha256 is P-256 in kuvert"),
    ("signature-enveloping-p384_sha256_4050.xml", "p384-key.crt", KEY_MISMATCH, "ecdsa-sha256 is P-256 in kuvert"),
    ("signature-enveloping-p384_sha384.xml", "p384-key.crt", OK, "ECDSA P-384 SHA-384"),
    ("signature-enveloping-p384_sha384_4050.xml", "p384-key.crt", OK, "ECDSA P-384 SHA-384"),
    ("signature-enveloping-p521_sha256.xml", "p521-key.crt", "cert.unsupported_key", "P-521 keys are not supported"),
    ("signature-enveloping-p521_sha384.xml", "p521-key.crt", "cert.unsupported_key", "P-521 keys are not supported"),
];

/// `xml` with its top-level `dsig:KeyInfo` element replaced by an X509Certificate.
fn with_certificate(xml: &str, cert: &[u8]) -> String {
    let start = xml.find("<dsig:KeyInfo").expect("KeyInfo");
    let end = xml.find("</dsig:KeyInfo>").expect("KeyInfo end") + "</dsig:KeyInfo>".len();
    format!(
        "{}<dsig:KeyInfo><dsig:X509Data><dsig:X509Certificate>{}</dsig:X509Certificate></dsig:X509Data></dsig:KeyInfo>{}",
        &xml[..start],
        base64_encode(cert),
        &xml[end..]
    )
}

#[test]
fn xmldsig11_interop_2012() {
    let Some(dir) = shared_subdir(INTEROP_2012) else { return };
    same_files(&dir, INTEROP_CASES, |r| !r.starts_with("keys/"));
    let keys = dir.join("keys");
    let certs: Vec<_> = ["rsa-key.crt", "p256-key.crt", "p384-key.crt", "p521-key.crt"].map(|c| keys.join(c)).to_vec();
    let cert_refs: Vec<&Path> = certs.iter().map(|p| p.as_path()).collect();
    let mut notes = vec![
        "the RSA cases carry keys/rsa-key.crt's key as an RSAKeyValue: that key is pinned".to_owned(),
        "keys/pNNN-key.crt are pinned for the adapted ECDSA cases".to_owned(),
    ];
    let pins = [certificate_spki(&read(&keys.join("rsa-key.crt")))];
    let v = verifier(&cert_refs, &pins, &mut notes);
    // Inside every certificate's validity (RSA 2002–2012, EC 2009–2014).
    let at = UtcTime::parse("2010-01-01T00:00:00Z").unwrap();
    let mut report = Report::new("W3C XMLDSig 1.1 interop 2012 (xmldsig11-interop-2012)");
    run_suite(&mut report, &dir, &v, at, INTEROP_CASES);
    for (file, cert, expected, why) in INTEROP_ADAPTED {
        let text = String::from_utf8(read(&dir.join(file))).unwrap();
        let adapted = with_certificate(&text, &read(&keys.join(cert)));
        report.case(
            &format!("{file} [KeyInfo → X509Certificate {cert}]"),
            expected,
            verify(&v, adapted.as_bytes(), at),
            why,
        );
    }
    report.finish(&notes);
}
