//! Identity extraction from the TEST ONLY PKI and from real public certificates.

use crate::cert::fixtures::*;
use crate::cert::parse::parse_x509;
use crate::cert::{parse_certificate, CertError, CertificateIdentity, CertificatePolicy};

fn identity(der: &[u8]) -> CertificateIdentity {
    parse_certificate(der, &CertificatePolicy::default()).unwrap().0
}

#[test]
fn oces2_function_certificate() {
    let id = identity(OCES2_LEAF);
    assert_eq!(id.cvr.unwrap().to_string(), "11111111", "from serialNumber, never from O=... // CVR:");
    assert_eq!(id.fid.as_deref(), Some("12345678"));
    assert_eq!((id.uid.as_deref(), id.uuid), (None, None));
    assert_eq!(
        id.subject,
        "serialNumber=CVR:11111111-FID:12345678,CN=TEST ONLY kuvert funktionscertifikat,O=Kuvert Testkommune // CVR:99999999,C=DK"
    );
    assert_eq!(id.issuer, "CN=TEST ONLY Kuvert OCES2-style Issuing CA,O=Kuvert Test,C=DK");
    assert_eq!(id.serial, "9f1e2d3c4b5a69788796");
    assert_eq!(id.serial_decimal, "751412932661566873569174");
    assert_eq!(id.serial_bytes, [0x9f, 0x1e, 0x2d, 0x3c, 0x4b, 0x5a, 0x69, 0x78, 0x87, 0x96]);
    assert_eq!(id.not_before, at("2024-01-01T00:00:00Z"));
    assert_eq!(id.not_after, at("2045-01-01T00:00:00Z"));
    let sha256 = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, OCES2_LEAF);
    assert_eq!(id.sha256, sha256.as_ref());
    assert_eq!(id.sha256_hex().len(), 64);
    assert_eq!(id.sha1, aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA1_FOR_LEGACY_USE_ONLY, OCES2_LEAF).as_ref());
    assert_eq!(id.subject_key_id.as_ref().map(Vec::len), Some(20));
    assert_eq!(id.issuer_der, parse_x509(OCES2_CA).unwrap().subject().as_raw());
}

#[test]
fn oces3_system_certificate() {
    let id = identity(OCES3_LEAF);
    assert_eq!(id.uuid.unwrap().to_string(), "7a3c0b1e-2f4d-4c5e-9a8b-1c2d3e4f5a6b");
    assert_eq!(id.cvr.unwrap().to_string(), "29189846");
    assert_eq!((id.fid.as_deref(), id.uid.as_deref()), (None, None));
    assert_eq!(
        id.subject,
        "serialNumber=UI:DK-O:G:7a3c0b1e-2f4d-4c5e-9a8b-1c2d3e4f5a6b,CN=TEST ONLY kuvert system,OU=Test - cti,\
         O=Kuvert Testkommune,organizationIdentifier=NTRDK-29189846,C=DK"
    );
    assert_eq!(id.serial, "0a0b0c0d0e0f1011");
    assert_eq!(id.serial_decimal, "723685415333072913");
}

#[test]
fn real_kombit_oces2_certificates() {
    let a = identity(&real_oces2_a());
    // A multi-valued RDN keeps its encoded (DER SET) order.
    assert_eq!(
        a.subject,
        "serialNumber=CVR:19435075-FID:60492788+CN=test-ekstern-adgangsstyring (funktionscertifikat),\
         O=KOMBIT A/S // CVR:19435075,C=DK"
    );
    assert_eq!(a.issuer, "CN=TRUST2408 OCES CA III,O=TRUST2408,C=DK");
    assert_eq!((a.cvr.unwrap().to_string().as_str(), a.fid.as_deref()), ("19435075", Some("60492788")));
    assert_eq!((a.serial.as_str(), a.serial_decimal.as_str()), ("5a05417e", "1510293886"));
    assert_eq!(a.sha256_hex(), "b924968a5c1e99c4e59d1a419e76b09bfc82f79f02468fc6c1ea5457824d4159");
    assert_eq!(
        a.subject_key_id.as_deref(),
        Some(
            &[
                0xfe, 0xbe, 0x76, 0x33, 0x99, 0xb7, 0xef, 0x75, 0xeb, 0x91, 0xf9, 0xfe, 0xbf, 0x6d, 0x00, 0x2b, 0x03,
                0xf4, 0x92, 0x9d
            ][..]
        )
    );
    assert_eq!(a.not_after, at("2021-08-03T07:32:05Z"));
    let b = identity(&real_oces2_b());
    assert_eq!((b.cvr.unwrap().to_string().as_str(), b.fid.as_deref()), ("19435075", Some("68222431")));
    assert_eq!((b.serial.as_str(), b.serial_decimal.as_str()), ("5bac0abb", "1538001595"));
    assert_eq!(b.issuer, "CN=TRUST2408 Systemtest XXII CA,O=TRUST2408,C=DK");
}

#[test]
fn certificates_without_an_oces_serial_have_no_identity() {
    for der in [OCES2_CA, OCES3_ROOT, UNTRUSTED_ROOT] {
        let (id, _) = parse_certificate(der, &CertificatePolicy::default()).unwrap();
        assert_eq!((id.cvr, id.fid, id.uid, id.uuid), (None, None, None, None), "{}", id.subject);
    }
}

#[test]
fn odd_input_never_panics() {
    let policy = CertificatePolicy::default();
    for len in 0..OCES2_LEAF.len() {
        assert!(parse_certificate(&OCES2_LEAF[..len], &policy).is_err(), "prefix {len}");
    }
    let mut trailing = OCES2_LEAF.to_vec();
    trailing.push(0);
    assert_eq!(parse_certificate(&trailing, &policy).unwrap_err(), CertError::Malformed);
    for i in (0..OCES3_LEAF.len()).step_by(3) {
        let mut flipped = OCES3_LEAF.to_vec();
        flipped[i] ^= 0x41;
        let _ = parse_certificate(&flipped, &policy);
    }
}
