//! Shared by the signature tests: the TEST ONLY PKI of `corpus/pki`, a base
//! SOAP message with every header the policy requires signed, and a signer
//! of our own that (re)computes every DigestValue and the SignatureValue of a
//! document's `ds:Signature` — so a test can sign exactly the references,
//! algorithms and KeyInfo it wants.
//!
//! The signer digests and canonicalizes with kuvert's public node-set
//! canonicalizer (a different code path from the verifier's subtree
//! canonicalizer) and signs with aws-lc-rs. Conventions: the signature uses
//! the `ds:` prefix; references are `URI="#id"` to an element carrying
//! `wsu:Id`, `Id` or `ID`, with an optional c14n transform.

#![allow(dead_code)]

use std::path::PathBuf;

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{self as sig, EcdsaKeyPair, RsaKeyPair};
use kuvert::{
    canonicalize_node_set, sign_message, AttributeNode, C14nMethod, ElementNode, Input, Limits, NodeFilter,
    SignOptions, SigningKey, TrustAnchors, UtcTime, Verified, Verifier, VerifyError, VerifyPolicy,
};
use kuvert_tests::{base64_encode, pem_decode, pem_encode};

pub const DS: &str = "http://www.w3.org/2000/09/xmldsig#";
pub const RSA_SHA1: &str = "http://www.w3.org/2000/09/xmldsig#rsa-sha1";
pub const RSA_SHA256: &str = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256";
pub const RSA_MD5: &str = "http://www.w3.org/2001/04/xmldsig-more#rsa-md5";
pub const HMAC_SHA1: &str = "http://www.w3.org/2000/09/xmldsig#hmac-sha1";
pub const ECDSA_SHA256: &str = "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256";
pub const ECDSA_SHA384: &str = "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384";
pub const SHA1: &str = "http://www.w3.org/2000/09/xmldsig#sha1";
pub const SHA256: &str = "http://www.w3.org/2001/04/xmlenc#sha256";
pub const MD5: &str = "http://www.w3.org/2001/04/xmldsig-more#md5";
pub const EXC_C14N: &str = "http://www.w3.org/2001/10/xml-exc-c14n#";
pub const WSU: &str = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd";
pub const WSSE: &str = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd";
pub const SOAP11: &str = "http://schemas.xmlsoap.org/soap/envelope/";
pub const WSA: &str = "http://www.w3.org/2005/08/addressing";
pub const SBF: &str = "urn:liberty:sb:2006-08";

/// The verification and signing time of the tests (inside every good certificate's validity).
pub fn now() -> UtcTime {
    UtcTime::parse("2030-01-01T12:00:00Z").unwrap()
}

pub fn pki_path(name: &str) -> PathBuf {
    kuvert_tests::workspace_root().join("corpus/pki").join(name)
}

/// A file of `corpus/pki`.
pub fn pki(name: &str) -> Vec<u8> {
    kuvert_tests::read(&pki_path(name))
}

/// `corpus/pki/{leaf}.der` as PEM.
pub fn cert_pem(leaf: &str) -> String {
    pem_encode(&pki(&format!("{leaf}.der")), "CERTIFICATE")
}

/// The kuvert signing key of `corpus/pki/{leaf}` (`.key.pem` and `.der`).
pub fn signing_key(leaf: &str) -> SigningKey {
    SigningKey::from_pem(&pki(&format!("{leaf}.key.pem")), cert_pem(leaf).as_bytes())
        .unwrap_or_else(|e| panic!("{leaf}: {e}"))
}

/// A verifier with the default policy trusting both TEST ONLY roots, with
/// both issuing CAs offered as intermediates.
pub fn verifier() -> Verifier {
    verifier_with(VerifyPolicy::default())
}

pub fn verifier_with(policy: VerifyPolicy) -> Verifier {
    let mut anchors = TrustAnchors::new();
    anchors.add_der(&pki("oces2-root.der")).unwrap();
    anchors.add_der(&pki("oces3-root.der")).unwrap();
    let mut v = Verifier::new(anchors, policy);
    v.add_intermediate(&pki("oces2-ca.der"));
    v.add_intermediate(&pki("oces3-ca.der"));
    v
}

/// Verifies a SOAP message; the error code on refusal.
pub fn verify_code(v: &Verifier, xml: &str, at: UtcTime) -> Result<(), &'static str> {
    let limits = Limits::default();
    let input = Input::new(xml.as_bytes(), &limits).map_err(|e| VerifyError::from(e).code())?;
    v.verify_message(&input, at).map(|_| ()).map_err(|e| e.code())
}

/// Verifies a SOAP message and hands the result to `f`.
pub fn with_verified<T>(
    v: &Verifier,
    xml: &str,
    at: UtcTime,
    f: impl FnOnce(&Verified<'_>) -> T,
) -> Result<T, VerifyError> {
    let limits = Limits::default();
    let input = Input::new(xml.as_bytes(), &limits)?;
    let verified = v.verify_message(&input, at)?;
    Ok(f(&verified))
}

/// A SOAP 1.1 request with every part the default policy requires signed:
/// wsa:Action, wsa:MessageID, wsa:To, sbf:Framework and a Body with an
/// InvocationContext. No Security header.
pub const REQUEST: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:wsa="http://www.w3.org/2005/08/addressing" xmlns:wsu="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd">
  <soapenv:Header>
    <sbf:Framework xmlns:sbf="urn:liberty:sb:2006-08" version="2.0" wsu:Id="fw"/>
    <wsa:Action wsu:Id="action">http://serviceplatformen.dk/xml/wsdl/soap11/CPR/PersonBaseDataExtended/5/PersonLookup</wsa:Action>
    <wsa:MessageID wsu:Id="msgid">urn:uuid:6e0f7c2a-3b1d-4c5e-9f8a-7b6c5d4e3f21</wsa:MessageID>
    <wsa:To wsu:Id="to">https://exttest.serviceplatformen.dk/service/CPR/PersonBaseDataExtended/5</wsa:To>
  </soapenv:Header>
  <soapenv:Body wsu:Id="body">
    <ns:PersonLookupRequest xmlns:ns="http://serviceplatformen.dk/xml/wsdl/soap11/CPR/PersonBaseDataExtended/5/" xmlns:ns3="http://serviceplatformen.dk/xml/schemas/InvocationContext/1/" xmlns:ns4="http://serviceplatformen.dk/xml/schemas/cpr/PNR/1/">
      <ns3:InvocationContext>
        <ns3:ServiceAgreementUUID>c944b0f8-c43d-4638-b048-918d9f2e18b5</ns3:ServiceAgreementUUID>
        <ns3:UserSystemUUID>0afcc9ff-1d08-4af1-833d-cdeba89d6d4f</ns3:UserSystemUUID>
        <ns3:UserUUID>09a821f7-16a6-4f05-a480-f89e8c39219b</ns3:UserUUID>
        <ns3:ServiceUUID>a10c463a-500b-42e5-822d-06281c81119a</ns3:ServiceUUID>
        <ns3:OnBehalfOfUser>sagsbehandler-4711</ns3:OnBehalfOfUser>
      </ns3:InvocationContext>
      <ns4:PNR>3102013757</ns4:PNR>
    </ns:PersonLookupRequest>
  </soapenv:Body>
</soapenv:Envelope>
"#;

/// `xml` signed by kuvert with `corpus/pki/{leaf}` at [`now`].
pub fn kuvert_sign(xml: &str, leaf: &str) -> String {
    kuvert_sign_at(xml, leaf, now(), &SignOptions::default())
}

pub fn kuvert_sign_at(xml: &str, leaf: &str, at: UtcTime, options: &SignOptions) -> String {
    let limits = Limits::default();
    let input = Input::new(xml.as_bytes(), &limits).unwrap();
    sign_message(&input, &signing_key(leaf), at, options).unwrap_or_else(|e| panic!("sign with {leaf}: {e}"))
}

// ---------------------------------------------------------------------------
// The raw signer
// ---------------------------------------------------------------------------

/// A private key as aws-lc-rs holds it, with its PEM for what aws-lc-rs
/// does not sign (RSA PKCS#1 v1.5 with SHA-1, RSA keys under 2048 bits),
/// which goes to `openssl dgst` when openssl is installed.
pub struct RawKey {
    kind: KeyKind,
    pem: Vec<u8>,
}

enum KeyKind {
    Rsa(RsaKeyPair),
    P256(EcdsaKeyPair),
    P384(EcdsaKeyPair),
    /// A key aws-lc-rs does not load (e.g. RSA-1024).
    Other,
}

impl RawKey {
    /// From a PKCS#8 PEM private key.
    pub fn from_pem(pem: &[u8]) -> RawKey {
        let der = pem_decode(pem, "PRIVATE KEY");
        let kind = if let Ok(k) = RsaKeyPair::from_pkcs8(&der) {
            KeyKind::Rsa(k)
        } else if let Ok(k) = EcdsaKeyPair::from_pkcs8(&sig::ECDSA_P256_SHA256_FIXED_SIGNING, &der) {
            KeyKind::P256(k)
        } else if let Ok(k) = EcdsaKeyPair::from_pkcs8(&sig::ECDSA_P384_SHA384_FIXED_SIGNING, &der) {
            KeyKind::P384(k)
        } else {
            KeyKind::Other
        };
        RawKey { kind, pem: pem.to_vec() }
    }

    /// `corpus/pki/{leaf}.key.pem`.
    pub fn pki(leaf: &str) -> RawKey {
        RawKey::from_pem(&pki(&format!("{leaf}.key.pem")))
    }

    /// Signs with the algorithm named by `uri`. Algorithms kuvert refuses
    /// before any cryptography (MD5, HMAC, unknown URIs) and key/algorithm
    /// mismatches get filler bytes of a plausible length.
    pub fn sign(&self, uri: &str, data: &[u8]) -> Vec<u8> {
        let rng = SystemRandom::new();
        match &self.kind {
            KeyKind::Rsa(k) => {
                let padding: &dyn sig::RsaEncoding = match uri {
                    RSA_SHA256 => &sig::RSA_PKCS1_SHA256,
                    "http://www.w3.org/2001/04/xmldsig-more#rsa-sha384" => &sig::RSA_PKCS1_SHA384,
                    "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512" => &sig::RSA_PKCS1_SHA512,
                    RSA_SHA1 => {
                        return self.openssl("-sha1", data).unwrap_or_else(|| vec![0x5a; k.public_modulus_len()])
                    }
                    _ => return vec![0x5a; k.public_modulus_len()],
                };
                let mut out = vec![0; k.public_modulus_len()];
                k.sign(padding, &rng, data, &mut out).expect("RSA signing");
                out
            }
            KeyKind::P256(k) if uri == ECDSA_SHA256 => k.sign(&rng, data).expect("ECDSA").as_ref().to_vec(),
            KeyKind::P384(k) if uri == ECDSA_SHA384 => k.sign(&rng, data).expect("ECDSA").as_ref().to_vec(),
            KeyKind::P256(_) => vec![0x5a; 64],
            KeyKind::P384(_) => vec![0x5a; 96],
            KeyKind::Other => {
                let flag = match uri {
                    RSA_SHA1 => "-sha1",
                    RSA_SHA256 => "-sha256",
                    _ => "",
                };
                (!flag.is_empty()).then(|| self.openssl(flag, data)).flatten().unwrap_or_else(|| vec![0x5a; 128])
            }
        }
    }

    /// Whether RSA-SHA1 signatures made by this key are real ones (openssl is installed).
    pub fn can_sign_sha1() -> bool {
        std::process::Command::new("openssl").arg("version").output().is_ok_and(|o| o.status.success())
    }

    /// `openssl dgst {flag} -sign` over `data`, if openssl is installed.
    fn openssl(&self, flag: &str, data: &[u8]) -> Option<Vec<u8>> {
        if !RawKey::can_sign_sha1() {
            return None;
        }
        let dir = kuvert_tests::TempDir::new("openssl-sign");
        let key = dir.write("key.pem", &self.pem);
        let input = dir.write("data", data);
        let out =
            std::process::Command::new("openssl").args(["dgst", flag, "-sign"]).arg(&key).arg(&input).output().ok()?;
        out.status.success().then_some(out.stdout)
    }
}

fn digest(uri: &str, data: &[u8]) -> Vec<u8> {
    use aws_lc_rs::digest as d;
    let alg = match uri {
        SHA1 => &d::SHA1_FOR_LEGACY_USE_ONLY,
        SHA256 => &d::SHA256,
        "http://www.w3.org/2001/04/xmldsig-more#sha384" => &d::SHA384,
        "http://www.w3.org/2001/04/xmlenc#sha512" => &d::SHA512,
        // MD5 and unknown digests are refused before any digest is compared.
        _ => return vec![0x11; 16],
    };
    d::digest(alg, data).as_ref().to_vec()
}

/// Selects the subtree of the element whose start tag begins at `start`.
struct SubtreeAt {
    start: usize,
    depth: Option<usize>,
}

impl SubtreeAt {
    fn inside(&self, depth: usize) -> bool {
        self.depth.is_some_and(|d| depth >= d)
    }
}

impl NodeFilter for SubtreeAt {
    fn element(&mut self, e: &ElementNode<'_>) -> bool {
        if self.depth.is_some_and(|d| e.depth() <= d) {
            self.depth = None;
        }
        if e.span.start() == self.start {
            self.depth = Some(e.depth());
        }
        self.depth.is_some()
    }
    fn attribute(&mut self, e: &ElementNode<'_>, _: &AttributeNode<'_>) -> bool {
        self.inside(e.depth())
    }
    fn namespace(&mut self, e: &ElementNode<'_>, _: &str, _: &str) -> bool {
        self.inside(e.depth())
    }
    fn text(&mut self, parent: &ElementNode<'_>, _: &str) -> bool {
        self.inside(parent.depth())
    }
    fn comment(&mut self, parent: Option<&ElementNode<'_>>) -> bool {
        parent.is_some_and(|p| self.inside(p.depth()))
    }
    fn pi(&mut self, parent: Option<&ElementNode<'_>>) -> bool {
        parent.is_some_and(|p| self.inside(p.depth()))
    }
}

/// The canonical form of the element starting at byte `start` of `doc`.
pub fn canonical_subtree(doc: &str, start: usize, method: C14nMethod, prefixes: &[&str]) -> Vec<u8> {
    let limits = Limits::default();
    let input = Input::new(doc.as_bytes(), &limits).expect("well-formed");
    let mut filter = SubtreeAt { start, depth: None };
    canonicalize_node_set(&input, method, prefixes, &mut filter, &limits, Vec::new()).expect("canonicalizable")
}

/// Where the element with ID `id` (`wsu:Id`, `Id` or `ID`) starts: the first one in the document.
pub fn element_with_id(doc: &str, id: &str) -> usize {
    let mut best: Option<usize> = None;
    for attr in [format!(" wsu:Id=\"{id}\""), format!(" Id=\"{id}\""), format!(" ID=\"{id}\"")] {
        if let Some(at) = doc.find(&attr) {
            best = Some(best.map_or(at, |b: usize| b.min(at)));
        }
    }
    let at = best.unwrap_or_else(|| panic!("no element with ID {id}"));
    doc[..at].rfind('<').expect("start tag")
}

/// The value of attribute `name` in the start tag at the beginning of `tag`.
fn attr<'t>(tag: &'t str, name: &str) -> Option<&'t str> {
    let end = tag.find('>')?;
    let tag = &tag[..end];
    let key = format!(" {name}=\"");
    let at = tag.find(&key)? + key.len();
    Some(&tag[at..at + tag[at..].find('"')?])
}

fn c14n_of(method_uri: &str) -> C14nMethod {
    C14nMethod::from_uri(method_uri).unwrap_or(C14nMethod::Exclusive)
}

/// The PrefixList of the `InclusiveNamespaces` inside `element` (up to its end).
fn prefix_list(element: &str) -> Vec<String> {
    match element.find("PrefixList=\"") {
        Some(at) => {
            let rest = &element[at + 12..];
            rest[..rest.find('"').unwrap()].split_whitespace().map(str::to_owned).collect()
        }
        None => Vec::new(),
    }
}

/// Recomputes every DigestValue and then the SignatureValue of the `n`-th
/// `ds:Signature` of `doc` with `key`. Everything else is left as written,
/// so the document says exactly what the test wants it to say.
pub fn resign_nth(doc: &str, n: usize, key: &RawKey) -> String {
    let mut doc = doc.to_owned();
    let sig_at = signature_starts(&doc).into_iter().nth(n).expect("a ds:Signature");
    let si_start = sig_at + doc[sig_at..].find("<ds:SignedInfo").unwrap();
    // References, in order; each DigestValue is written before the next is computed.
    let mut from = si_start;
    loop {
        let si_end = si_start + doc[si_start..].find("</ds:SignedInfo>").unwrap();
        let Some(rel) = doc[from..si_end].find("<ds:Reference") else { break };
        let r_start = from + rel;
        let r_end = r_start + doc[r_start..].find("</ds:Reference>").unwrap();
        let reference = doc[r_start..r_end].to_owned();
        let uri = attr(&reference, "URI").unwrap_or("").to_owned();
        let digest_uri =
            attr(&reference[reference.find("<ds:DigestMethod").unwrap()..], "Algorithm").unwrap().to_owned();
        let mut method = C14nMethod::Inclusive;
        let mut prefixes = Vec::new();
        if let Some(t) = reference.rfind("<ds:Transform ") {
            let transform = &reference[t..];
            if let Some(m) = attr(transform, "Algorithm").and_then(C14nMethod::from_uri) {
                method = m;
                prefixes = prefix_list(&transform[..transform.find("</ds:Transform>").unwrap_or(transform.len())]);
            }
        }
        let target = element_with_id(&doc, uri.trim_start_matches('#'));
        let prefix_refs: Vec<&str> = prefixes.iter().map(String::as_str).collect();
        let value = base64_encode(&digest(&digest_uri, &canonical_subtree(&doc, target, method, &prefix_refs)));
        let dv_open = r_start + doc[r_start..].find("<ds:DigestValue>").unwrap() + "<ds:DigestValue>".len();
        let dv_close = dv_open + doc[dv_open..].find("</ds:DigestValue>").unwrap();
        doc.replace_range(dv_open..dv_close, &value);
        from = dv_open + value.len();
    }
    // SignedInfo with its CanonicalizationMethod.
    let si_end = si_start + doc[si_start..].find("</ds:SignedInfo>").unwrap();
    let signed_info = doc[si_start..si_end].to_owned();
    let cm = &signed_info[signed_info.find("<ds:CanonicalizationMethod").unwrap()..];
    let method = c14n_of(attr(cm, "Algorithm").unwrap());
    let cm_end = cm.find("<ds:SignatureMethod").unwrap();
    let prefixes = prefix_list(&cm[..cm_end]);
    let prefix_refs: Vec<&str> = prefixes.iter().map(String::as_str).collect();
    let canonical = canonical_subtree(&doc, si_start, method, &prefix_refs);
    let sm = &signed_info[signed_info.find("<ds:SignatureMethod").unwrap()..];
    let sig_uri = attr(sm, "Algorithm").unwrap().to_owned();
    let value = base64_encode(&key.sign(&sig_uri, &canonical));
    let sv_tag = si_end + doc[si_end..].find("<ds:SignatureValue").unwrap();
    let sv_open = sv_tag + doc[sv_tag..].find('>').unwrap() + 1;
    let sv_close = sv_open + doc[sv_open..].find("</ds:SignatureValue>").unwrap();
    doc.replace_range(sv_open..sv_close, &value);
    doc
}

/// Where each `ds:Signature` element starts (not SignatureValue, SignatureMethod...).
pub fn signature_starts(doc: &str) -> Vec<usize> {
    doc.match_indices("<ds:Signature")
        .map(|(i, _)| i)
        .filter(|&i| matches!(doc.as_bytes()[i + 13], b' ' | b'>'))
        .collect()
}

/// [`resign_nth`] for the first signature.
pub fn resign(doc: &str, key: &RawKey) -> String {
    resign_nth(doc, 0, key)
}

/// `doc` with `from` replaced by `to`; `from` must occur exactly once.
pub fn edit(doc: &str, from: &str, to: &str) -> String {
    let n = doc.matches(from).count();
    assert_eq!(n, 1, "{from:?} occurs {n} times");
    doc.replacen(from, to, 1)
}

/// The element starting at byte `start` (through its end tag), found by counting tags of the same name.
pub fn element_at(doc: &str, start: usize) -> &str {
    let name_end = start + 1 + doc[start + 1..].find(|c: char| c.is_whitespace() || c == '>' || c == '/').unwrap();
    let name = &doc[start + 1..name_end];
    let tag_end = start + doc[start..].find('>').unwrap();
    if doc[..tag_end].ends_with('/') {
        return &doc[start..=tag_end];
    }
    let (open, close) = (format!("<{name}"), format!("</{name}>"));
    let mut depth = 0usize;
    let mut at = start;
    loop {
        let next_open = doc[at + 1..].find(&open).map(|i| at + 1 + i);
        let next_close = doc[at + 1..].find(&close).map(|i| at + 1 + i).expect("end tag");
        match next_open {
            Some(o) if o < next_close => {
                let after = doc.as_bytes()[o + open.len()];
                let self_closing = doc[o..].find('>').is_some_and(|e| doc.as_bytes()[o + e - 1] == b'/');
                if (after == b' ' || after == b'>') && !self_closing {
                    depth += 1;
                }
                at = o;
            }
            _ if depth == 0 => return &doc[start..next_close + close.len()],
            _ => {
                depth -= 1;
                at = next_close;
            }
        }
    }
}

/// The first element whose start tag begins with `start_tag` (e.g. `<soapenv:Body`), whole.
pub fn element<'d>(doc: &'d str, start_tag: &str) -> &'d str {
    let at = doc.find(start_tag).unwrap_or_else(|| panic!("{start_tag} not found"));
    element_at(doc, at)
}

/// The `ds:Reference` element of `doc`'s first signature whose URI is `#id`.
pub fn reference<'d>(doc: &'d str, id: &str) -> &'d str {
    element(doc, &format!("<ds:Reference URI=\"#{id}\""))
}

/// The `wsu:Id` of the first element whose start tag begins with `start_tag`.
pub fn id_of(doc: &str, start_tag: &str) -> String {
    let at = doc.find(start_tag).unwrap_or_else(|| panic!("{start_tag} not found"));
    attr(&doc[at..], "wsu:Id").unwrap_or_else(|| panic!("{start_tag} has no wsu:Id")).to_owned()
}

/// PEM of a DER certificate.
pub fn pem_of(der: &[u8]) -> String {
    pem_encode(der, "CERTIFICATE")
}

/// Attribute `name` of the first element whose start tag begins with `start_tag`.
pub fn attr_value(doc: &str, start_tag: &str, name: &str) -> String {
    let at = doc.find(start_tag).unwrap_or_else(|| panic!("{start_tag} not found"));
    attr(&doc[at..], name).unwrap_or_else(|| panic!("{start_tag} has no {name}")).to_owned()
}
