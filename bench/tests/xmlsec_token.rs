//! The libxmlsec1 peer's token check (`Xmlsec::verify_token`, used by
//! `kuvert-compare token-12k`) does the signature work it claims: both
//! signatures, every reference of the message's, the STR-Transform one through
//! the peer's own transform. The untouched request verifies; a changed byte in
//! the Body, the Timestamp or the assertion, or an STR naming nothing, fails.
//!
//! The peer is optional (built only when libxmlsec1's development files are
//! installed, `cfg(kuvert_xmlsec)`; CI does not install them): without it these
//! tests print a note and pass.

use std::sync::{Mutex, MutexGuard, OnceLock};

use kuvert_bench::load::{self, TokenAssertions, WorldOptions};
use kuvert_bench::xmlsec::Xmlsec;

/// The peer, started once per process (libxmlsec1 is initialised once) and
/// used by one test at a time; `None` without the peer.
fn peer() -> Option<MutexGuard<'static, Xmlsec>> {
    static PEER: OnceLock<Option<Mutex<Xmlsec>>> = OnceLock::new();
    let peer = PEER.get_or_init(|| {
        let sts = kuvert_corpus::sts::TestSts::test_only();
        let pem = kuvert_bench::certificate_pem(sts.certificate());
        let path = std::env::temp_dir().join(format!("kuvert-xmlsec-token-{}.pem", std::process::id()));
        std::fs::write(&path, pem).unwrap();
        let peer = Xmlsec::init(&path);
        let _ = std::fs::remove_file(&path);
        assert!(peer.is_some() || !cfg!(kuvert_xmlsec), "the xmlsec peer is built but does not start");
        peer.map(Mutex::new)
    });
    match peer {
        Some(peer) => Some(peer.lock().unwrap_or_else(|e| e.into_inner())),
        None => {
            eprintln!("note: the libxmlsec1 peer is not built (no libxmlsec1-dev); skipping");
            None
        }
    }
}

/// A token request as `token-12k` uses: a fresh assertion, signed at the epoch.
fn request() -> &'static str {
    static MESSAGE: OnceLock<String> = OnceLock::new();
    MESSAGE.get_or_init(|| {
        let world = WorldOptions { token_pool: 1, large_sizes: vec![], ..WorldOptions::default() };
        let message = load::token_requests(&world, TokenAssertions::Fresh, "7").swap_remove(0);
        String::from_utf8(message).unwrap()
    })
}

/// `message` with the first `from` after the first `anchor` replaced by `to`.
fn tamper(message: &str, anchor: &str, from: &str, to: &str) -> String {
    let start = message.find(anchor).unwrap_or_else(|| panic!("no {anchor:?}"));
    let at = start + message[start..].find(from).unwrap_or_else(|| panic!("no {from:?} after {anchor:?}"));
    format!("{}{to}{}", &message[..at], &message[at + from.len()..])
}

/// The assertion's SAML ID (what both STRs name).
fn assertion_id(message: &str) -> &str {
    let start =
        message.find("ValueType=\"http://docs.oasis-open.org/wss/oasis-wss-saml-token-profile-1.1#SAMLID\">").unwrap();
    let id = &message[start..];
    let id = &id[id.find('>').unwrap() + 1..];
    &id[..id.find('<').unwrap()]
}

/// The status the report gives the reference whose URI starts with `prefix`
/// (the first one; the assertion's ID is referenced by both signatures).
fn reference(report: &str, prefix: &str) -> Option<bool> {
    report.lines().find_map(|l| {
        let rest = l.strip_prefix("reference #")?;
        let (uri, status) = rest.split_once(' ')?;
        uri.starts_with(prefix).then_some(status == "1")
    })
}

/// The code the report gives `step` (assertion, holder-key, message).
fn step(report: &str, step: &str) -> i32 {
    let line = report.lines().find(|l| l.starts_with(&format!("{step} - "))).unwrap_or_else(|| panic!("no {step}"));
    line.rsplit(' ').next().unwrap().parse().unwrap()
}

#[test]
fn the_untouched_request_verifies_every_reference() {
    let Some(peer) = peer() else { return };
    let message = request();
    assert_eq!(peer.token_status(message.as_bytes()), 1);
    assert!(peer.verify_token(message.as_bytes()));
    let (code, report) = peer.token_report(message.as_bytes());
    assert_eq!(code, 1, "{report}");
    assert_eq!(step(&report, "assertion"), 1, "{report}");
    assert_eq!(step(&report, "holder-key"), 1, "{report}");
    assert_eq!(step(&report, "message"), 1, "{report}");
    // One reference in the assertion's signature, nine in the message's, all
    // verified; the STR reference's DigestValue is the digest of the
    // exclusive canonical assertion, which only the STR-Transform yields.
    let refs: Vec<&str> = report.lines().filter(|l| l.starts_with("reference ")).collect();
    assert_eq!(refs.len(), 10, "{report}");
    assert!(refs.iter().all(|l| l.ends_with(" 1")), "{report}");
    assert_eq!(reference(&report, "STR-"), Some(true), "{report}");
    // The first-signature check (the other cases' peer) is unchanged.
    assert!(peer.verify(message.as_bytes()));
}

#[test]
fn a_changed_body_fails_though_the_assertion_verifies() {
    let Some(peer) = peer() else { return };
    let message = tamper(request(), "<soap:Body", "enhed 0", "enhed 1");
    assert_eq!(peer.token_status(message.as_bytes()), 0);
    let (_, report) = peer.token_report(message.as_bytes());
    assert_eq!(step(&report, "assertion"), 1, "{report}");
    assert_eq!(step(&report, "message"), 0, "{report}");
    // Timestamp and STR come before the Body in SignedInfo and still verify.
    assert_eq!(reference(&report, "TS-"), Some(true), "{report}");
    assert_eq!(reference(&report, "STR-"), Some(true), "{report}");
    assert_eq!(reference(&report, "id-"), Some(false), "{report}");
    // The assertion-only check does not see it: the work it leaves out.
    assert!(peer.verify(message.as_bytes()));
}

#[test]
fn a_changed_timestamp_fails() {
    let Some(peer) = peer() else { return };
    let message = tamper(request(), "<wsu:Timestamp", "<wsu:Created>2027", "<wsu:Created>2028");
    assert_eq!(peer.token_status(message.as_bytes()), 0);
    let (_, report) = peer.token_report(message.as_bytes());
    assert_eq!(reference(&report, "TS-"), Some(false), "{report}");
}

#[test]
fn a_changed_attribute_value_fails_both_signatures_and_the_str_reference() {
    let Some(peer) = peer() else { return };
    let message = tamper(request(), "dk:gov:saml:attribute:AssuranceLevel", "<AttributeValue>3<", "<AttributeValue>4<");
    assert_eq!(peer.token_status(message.as_bytes()), 0);
    let (_, report) = peer.token_report(message.as_bytes());
    assert_eq!(step(&report, "assertion"), 0, "{report}");
    assert_eq!(step(&report, "message"), 0, "{report}");
    // The message signature fails at the STR reference (the second): its
    // digest covers the assertion through the STR-Transform.
    assert_eq!(reference(&report, "TS-"), Some(true), "{report}");
    assert_eq!(reference(&report, "STR-"), Some(false), "{report}");
}

#[test]
fn an_str_naming_nothing_fails() {
    let Some(peer) = peer() else { return };
    let original = request();
    let id = assertion_id(original);
    let message = tamper(original, "wsu:Id=\"STR-", id, "_nowhere");
    let status = peer.token_status(message.as_bytes());
    assert!(status <= 0, "{status}");
    let (_, report) = peer.token_report(message.as_bytes());
    assert_eq!(step(&report, "assertion"), 1, "{report}");
    assert!(step(&report, "message") <= 0, "{report}");
    assert_eq!(reference(&report, "STR-"), Some(false), "{report}");

    // The message KeyInfo's STR naming nothing: no holder-of-key certificate.
    let message = tamper(original, "<ds:KeyInfo", id, "_nowhere");
    assert!(peer.token_status(message.as_bytes()) < 0);
}

#[test]
fn the_str_reference_digests_the_token_not_the_str() {
    let Some(peer) = peer() else { return };
    // The STR-Transform replaces the STR by the token it names before
    // canonicalizing, so an attribute of the STR itself is outside the
    // digest: a peer digesting the STR element would fail here.
    let message = tamper(request(), "wsu:Id=\"STR-", "#SAMLV2.0\"", "#SAMLV2.0x\"");
    let (code, report) = peer.token_report(message.as_bytes());
    assert_eq!(code, 1, "{report}");
    assert_eq!(reference(&report, "STR-"), Some(true), "{report}");
}
