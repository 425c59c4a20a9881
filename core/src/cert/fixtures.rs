//! Test fixtures: the TEST ONLY PKI of corpus/pki (see its README) and two
//! public certificates from the platform's reference samples.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::PrivatePkcs8KeyDer;

use crate::time::UtcTime;

macro_rules! pki {
    ($file:literal) => {
        include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/../corpus/pki/", $file))
    };
}

pub(crate) const OCES2_ROOT: &[u8] = pki!("oces2-root.der");
pub(crate) const OCES2_CA: &[u8] = pki!("oces2-ca.der");
pub(crate) const OCES2_LEAF: &[u8] = pki!("oces2-leaf.der");
pub(crate) const OCES2_LEAF_KEY: &[u8] = pki!("oces2-leaf.key.pem");
pub(crate) const OCES3_ROOT: &[u8] = pki!("oces3-root.der");
pub(crate) const OCES3_CA: &[u8] = pki!("oces3-ca.der");
pub(crate) const OCES3_LEAF: &[u8] = pki!("oces3-leaf.der");
pub(crate) const OCES3_LEAF_KEY: &[u8] = pki!("oces3-leaf.key.pem");
pub(crate) const LEAF_EXPIRED: &[u8] = pki!("leaf-expired.der");
pub(crate) const LEAF_NOT_YET_VALID: &[u8] = pki!("leaf-not-yet-valid.der");
pub(crate) const LEAF_KEY_ENCIPHERMENT: &[u8] = pki!("leaf-key-encipherment.der");
pub(crate) const LEAF_RSA1024: &[u8] = pki!("leaf-rsa1024.der");
pub(crate) const LEAF_EKU_EMAIL: &[u8] = pki!("leaf-eku-email.der");
pub(crate) const UNTRUSTED_ROOT: &[u8] = pki!("untrusted-root.der");
pub(crate) const LEAF_UNTRUSTED: &[u8] = pki!("leaf-untrusted.der");
pub(crate) const EC_P256_LEAF: &[u8] = pki!("ec-p256-leaf.der");
pub(crate) const EC_P256_LEAF_KEY: &[u8] = pki!("ec-p256-leaf.key.pem");
pub(crate) const EC_P384_LEAF: &[u8] = pki!("ec-p384-leaf.der");
pub(crate) const EC_P384_LEAF_KEY: &[u8] = pki!("ec-p384-leaf.key.pem");
pub(crate) const PINNED_SELFSIGNED: &[u8] = pki!("pinned-selfsigned.der");
pub(crate) const TEST_MESSAGE: &[u8] = pki!("test-message.txt");
pub(crate) const LEAF_RSA1024_SHA256_SIG: &[u8] = pki!("leaf-rsa1024.sha256.sig");
pub(crate) const LEAF_RSA1024_SHA1_SIG: &[u8] = pki!("leaf-rsa1024.sha1.sig");
pub(crate) const OCES2_LEAF_SHA1_SIG: &[u8] = pki!("oces2-leaf.sha1.sig");
pub(crate) const TRUST_BUNDLE_PEM: &[u8] = pki!("trust-bundle.pem");

/// Public KOMBIT test certificates (OCES2 function certificates, issued by
/// TRUST2408 OCES CA III and TRUST2408 Systemtest XXII CA), as embedded in
/// shared/reference/serviceplatformen/oioidws/SP-token-signed-request-soap11-OrganisationEnhed5-soeg.xml.
const REAL_OCES2_A_B64: &str = "MIIGHjCCBQagAwIBAgIEWgVBfjANBgkqhkiG9w0BAQsFADBBMQswCQYDVQQGEwJESzESMBAGA1UECgwJVFJVU1QyNDA4MR4wHAYDVQQDDBVUUlVTVDI0MDggT0NFUyBDQSBJSUkwHhcNMTgwODAzMDczMjM1WhcNMjEwODAzMDczMjA1WjCBkDELMAkGA1UEBhMCREsxIzAhBgNVBAoMGktPTUJJVCBBL1MgLy8gQ1ZSOjE5NDM1MDc1MVwwIAYDVQQFExlDVlI6MTk0MzUwNzUtRklEOjYwNDkyNzg4MDgGA1UEAwwxdGVzdC1la3N0ZXJuLWFkZ2FuZ3NzdHlyaW5nIChmdW5rdGlvbnNjZXJ0aWZpa2F0KTCCASIwDQYJKoZIhvcNAQEBBQADggEPADCCAQoCggEBAIlt5/bzysfqI4x7ThBZ6mGYd3ZC+WhN0nj9c7eFq9UdxCykBC1Gnb2cugn7F1gObu4uuJ0SMQuNXnqbvIjuj61EIWKkK9UlgKNyrNhOmrE9t9BQ9kXLIvLF3JF6xK2C/yr3Ddo1khFuNpsrWSsSn3gpVW7H/cHM+jpY8W2CV1qWeloGKBp/fmCSef7YBvi/QPkPzJuyZ2oufayy8wxV6+QD6h/Yyns1QgkUGlPRxsF2Kn26wkxvzPeiKuMjWHGSBmyd3fGGGOozOreNUu5i2ELrHeBBlG655K84AGJEwtk8ycX9bb4X4X+R4NJaIyLJamAHWod1GpKxm4ngvXv5o5UCAwEAAaOCAswwggLIMA4GA1UdDwEB/wQEAwIDuDCBiQYIKwYBBQUHAQEEfTB7MDUGCCsGAQUFBzABhilodHRwOi8vb2NzcC5pY2EwMy50cnVzdDI0MDguY29tL3Jlc3BvbmRlcjBCBggrBgEFBQcwAoY2aHR0cDovL2YuYWlhLmljYTAzLnRydXN0MjQwOC5jb20vb2Nlcy1pc3N1aW5nMDMtY2EuY2VyMIIBQwYDVR0gBIIBOjCCATYwggEyBgoqgVCBKQEBAQQCMIIBIjAvBggrBgEFBQcCARYjaHR0cDovL3d3dy50cnVzdDI0MDguY29tL3JlcG9zaXRvcnkwge4GCCsGAQUFBwICMIHhMBAWCVRSVVNUMjQwODADAgEBGoHMRm9yIGFudmVuZGVsc2UgYWYgY2VydGlmaWthdGV0IGfmbGRlciBPQ0VTIHZpbGvlciwgQ1BTIG9nIE9DRVMgQ1AsIGRlciBrYW4gaGVudGVzIGZyYSB3d3cudHJ1c3QyNDA4LmNvbS9yZXBvc2l0b3J5LiBCZW3mcmssIGF0IFRSVVNUMjQwOCBlZnRlciB2aWxr5XJlbmUgaGFyIGV0IGJlZ3LmbnNldCBhbnN2YXIgaWZ0LiBwcm9mZXNzaW9uZWxsZSBwYXJ0ZXIuMIGXBgNVHR8EgY8wgYwwLqAsoCqGKGh0dHA6Ly9jcmwuaWNhMDMudHJ1c3QyNDA4LmNvbS9pY2EwMy5jcmwwWqBYoFakVDBSMQswCQYDVQQGEwJESzESMBAGA1UECgwJVFJVU1QyNDA4MR4wHAYDVQQDDBVUUlVTVDI0MDggT0NFUyBDQSBJSUkxDzANBgNVBAMMBkNSTDg0NjAfBgNVHSMEGDAWgBTGWDFPli1S+/YLePfK3B7Y2ryjhDAdBgNVHQ4EFgQU/r52M5m373Xrkfn+v20AKwP0kp0wCQYDVR0TBAIwADANBgkqhkiG9w0BAQsFAAOCAQEARm8ycVMb7STnpka5EoPSsqsPz0tDeY414omzmcJf+uNo2vWTb/psGNkT6VpTuJi//8OYb0VxPrcgUquXInSfszaRWyw8JUbY8DN9sHex+pPtSk0rvBAjQOHHsgwCNws0xt8WBD/sJQgHcReZ0qqv+oJ9D/T3NfXiD2zE1ZVRmDzNL+0qIilnw+S4F9bNUI/v4c98pfR6G8/RxgPYVs1npZhpR2INZV26eREY39ijor+K9Gexz18eu5VSiCb8/ONanHdVipBu4CLRZdQzZniLFT1lPEQ1unnltw65fT7nvbN2lTVEX3ObVJ5S9ye0Of3I2UYFmL5GYnNj5FrvbmSG8w==";
const REAL_OCES2_B_B64: &str = "MIIGHTCCBQWgAwIBAgIEW6wKuzANBgkqhkiG9w0BAQsFADBIMQswCQYDVQQGEwJESzESMBAGA1UECgwJVFJVU1QyNDA4MSUwIwYDVQQDDBxUUlVTVDI0MDggU3lzdGVtdGVzdCBYWElJIENBMB4XDTE5MDcxOTA4MzIzNFoXDTIyMDcxOTA4MzIwOFowgYcxCzAJBgNVBAYTAkRLMSMwIQYDVQQKDBpLT01CSVQgQS9TIC8vIENWUjoxOTQzNTA3NTFTMCAGA1UEBRMZQ1ZSOjE5NDM1MDc1LUZJRDo2ODIyMjQzMTAvBgNVBAMMKEtPTUJJVF9TVFNfVEVTVF8yOSAoZnVua3Rpb25zY2VydGlmaWthdCkwggEiMA0GCSqGSIb3DQEBAQUAA4IBDwAwggEKAoIBAQDY5+51i4lCwUAKZfWbqJUTPsnRPSdwP+eGFBBtKvJL8USB6Hjt+L/hOFxozr8BAjUi0+c6+TQHX2on3VGjgwBOAYAyk9uHdBJiDtJvkBqykwf+hzyJOdEY+YqZwk9TeZUAP3eWhFkYaF4qEIGsT+FLVxOJUgyMC1oLRqEqxkM6Peaioi9C+xVY1IWI4EmrGmYB6x6MkjV/9tQ234u8Wb/m4WIpjxkWgU4Aky4qsTfHZw4KH0NdmgIek3bbB3X4V+1/OAnd5Vse2YGcx1thfZQ9KVw3H9j6JSD5F2+mo9XjH/FWQuyWvViViht+jBMPSkueI3I+XtdMYlnGv8o2wrk5AgMBAAGjggLNMIICyTAOBgNVHQ8BAf8EBAMCA7gwgZcGCCsGAQUFBwEBBIGKMIGHMDwGCCsGAQUFBzABhjBodHRwOi8vb2NzcC5zeXN0ZW10ZXN0MjIudHJ1c3QyNDA4LmNvbS9yZXNwb25kZXIwRwYIKwYBBQUHMAKGO2h0dHA6Ly9mLmFpYS5zeXN0ZW10ZXN0MjIudHJ1c3QyNDA4LmNvbS9zeXN0ZW10ZXN0MjItY2EuY2VyMIIBIAYDVR0gBIIBFzCCARMwggEPBg0rBgEEAYH0UQIEBgQCMIH9MC8GCCsGAQUFBwIBFiNodHRwOi8vd3d3LnRydXN0MjQwOC5jb20vcmVwb3NpdG9yeTCByQYIKwYBBQUHAgIwgbwwDBYFRGFuSUQwAwIBARqBq0RhbklEIHRlc3QgY2VydGlmaWthdGVyIGZyYSBkZW5uZSBDQSB1ZHN0ZWRlcyB1bmRlciBPSUQgMS4zLjYuMS40LjEuMzEzMTMuMi40LjYuNC4yLiBEYW5JRCB0ZXN0IGNlcnRpZmljYXRlcyBmcm9tIHRoaXMgQ0EgYXJlIGlzc3VlZCB1bmRlciBPSUQgMS4zLjYuMS40LjEuMzEzMTMuMi40LjYuNC4yLjCBrQYDVR0fBIGlMIGiMD2gO6A5hjdodHRwOi8vY3JsLnN5c3RlbXRlc3QyMi50cnVzdDI0MDguY29tL3N5c3RlbXRlc3QyMjEuY3JsMGGgX6BdpFswWTELMAkGA1UEBhMCREsxEjAQBgNVBAoMCVRSVVNUMjQwODElMCMGA1UEAwwcVFJVU1QyNDA4IFN5c3RlbXRlc3QgWFhJSSBDQTEPMA0GA1UEAwwGQ1JMMTYzMB8GA1UdIwQYMBaAFKuoAUQZsLNDmdr6fMzSABgD5zy/MB0GA1UdDgQWBBT/iTLFVDx3utWCT9EEUbkNYJikKDAJBgNVHRMEAjAAMA0GCSqGSIb3DQEBCwUAA4IBAQAnZ07SFYoKOruRrJzJNow5rmSEI3XRsGibF6oF+QEx61nMTlAZNXhnx619QEdP2dBrqXvdmaQ35WKkC7A2WX9uye7RZYWCB1d2O0UnuvBUgZzq4avKE7lGJTRLtsOXC5ui0UzPCzj+FyeFnegyzw7HXTUi7kOsZ2+VFoscWaCD5DkklK9fzFTlGp86UGd/rUB3kFMgcO014xGFEx7uFhlBW9o7Ra4Lv5y5kLc3nv7Ng8qh8CujJBd3F/H5547bn/Mv2xfuTWbpU8J1zkJ4U+/r4/59qUDY0BQ5InOrhu7mnkYs15PjjcfxfzBgVv2WpJunjmIJ/WB1+Uj2y8NpSdBr";

pub(crate) fn real_oces2_a() -> Vec<u8> {
    STANDARD.decode(REAL_OCES2_A_B64).expect("base64")
}

pub(crate) fn real_oces2_b() -> Vec<u8> {
    STANDARD.decode(REAL_OCES2_B_B64).expect("base64")
}

/// The PKCS#8 DER of a PEM private key.
pub(crate) fn pkcs8(pem: &[u8]) -> Vec<u8> {
    PrivatePkcs8KeyDer::from_pem_slice(pem).expect("PKCS#8 PEM").secret_pkcs8_der().to_vec()
}

/// 2030-01-01T00:00:00Z: inside every "good" certificate's validity.
pub(crate) fn y2030() -> UtcTime {
    UtcTime::parse("2030-01-01T00:00:00Z").expect("time")
}

pub(crate) fn at(s: &str) -> UtcTime {
    UtcTime::parse(s).expect("time")
}
