//! A TEST ONLY token service: issues SAML 2.0 holder-of-key assertions shaped
//! like the ones the platform's STS issues (see the reference sample
//! `sts/kombit-sts-exttest-saml-assertion-hok.xml`), signed with the corpus's
//! TEST ONLY STS key, and builds token-model requests around them.
//!
//! Nothing it signs proves anything: the private keys are published in
//! `corpus/keys/` on purpose.

use std::sync::atomic::{AtomicU64, Ordering};

use base64::Engine;
use kuvert::{Input, Limits, SigningKey, UtcTime};

/// The TEST ONLY STS key and certificate files, relative to the corpus directory.
pub const STS_KEY_FILE: &str = "keys/test-only-sts.key.pem";
/// See [`STS_KEY_FILE`].
pub const STS_CERT_FILE: &str = "keys/test-only-sts.cert.pem";

const STS_KEY: &[u8] = include_bytes!("../keys/test-only-sts.key.pem");
const STS_CERT: &[u8] = include_bytes!("../keys/test-only-sts.cert.pem");
const SYSTEM_KEY: &[u8] = include_bytes!("../keys/test-only-system.key.pem");
const SYSTEM_CERT: &[u8] = include_bytes!("../keys/test-only-system.cert.pem");

/// The TEST ONLY STS's entity ID.
pub const TEST_STS_ENTITY_ID: &str = "https://sts.test-only.kuvert.invalid/runtime";
/// The audience (service entity ID) the corpus's token requests are for.
pub const TEST_AUDIENCE: &str = "http://organisation.serviceplatformen.dk/service/organisation/5";
/// The privilege the corpus's assertions grant.
pub const TEST_PRIVILEGE: &str = "http://organisation.serviceplatformen.dk/privilege/organisation";
/// The authority CVR of the corpus's assertions (a fictitious test number).
pub const TEST_CVR: &str = "29189846";

static ISSUED: AtomicU64 = AtomicU64::new(0);

/// What to put into an assertion.
#[derive(Clone, Debug)]
pub struct AssertionRequest {
    /// `ID`; a fresh one is made when `None`.
    pub id: Option<String>,
    /// The holder-of-key certificate (DER).
    pub holder_certificate: Vec<u8>,
    /// `Subject/NameID` (X509SubjectName format).
    pub subject: String,
    /// `Audience` (and the confirmation's `Recipient`).
    pub audience: String,
    /// `dk:gov:saml:attribute:CvrNumberIdentifier`.
    pub cvr: String,
    /// Privilege groups: (scope CVR, privileges).
    pub privileges: Vec<(String, Vec<String>)>,
    /// `IssueInstant` and `NotBefore`.
    pub issued: UtcTime,
    /// Seconds until `NotOnOrAfter`. Default 8 hours, as the platform issues.
    pub lifetime_seconds: u32,
}

impl AssertionRequest {
    /// An assertion for the TEST ONLY system certificate, the test audience and CVR,
    /// granting [`TEST_PRIVILEGE`] for that CVR.
    pub fn for_test_system(issued: UtcTime) -> Self {
        AssertionRequest {
            id: None,
            holder_certificate: pem_der(SYSTEM_CERT),
            subject: "SERIALNUMBER=CVR:11111111-FID:1 + CN=TEST ONLY kuvert, O=TEST ONLY".to_owned(),
            audience: TEST_AUDIENCE.to_owned(),
            cvr: TEST_CVR.to_owned(),
            privileges: vec![(TEST_CVR.to_owned(), vec![TEST_PRIVILEGE.to_owned()])],
            issued,
            lifetime_seconds: 8 * 3600,
        }
    }
}

/// A TEST ONLY STS: a signing key, its certificate and an entity ID.
pub struct TestSts {
    key: SigningKey,
    entity_id: String,
}

impl TestSts {
    /// The STS with the corpus's TEST ONLY key (`corpus/keys/test-only-sts.*`).
    pub fn test_only() -> Self {
        let key = SigningKey::from_pem(STS_KEY, STS_CERT).expect("the corpus's TEST ONLY STS key");
        TestSts { key, entity_id: TEST_STS_ENTITY_ID.to_owned() }
    }

    /// An STS signing with `key` (e.g. an untrusted one, for attack tests).
    pub fn with_key(key: SigningKey, entity_id: &str) -> Self {
        TestSts { key, entity_id: entity_id.to_owned() }
    }

    /// The STS certificate (DER), to trust it.
    pub fn certificate(&self) -> &[u8] {
        self.key.certificate()
    }

    /// The assertion this STS would issue, with an empty signature template
    /// (for signing it with another tool, e.g. `xmlsec1 --sign`).
    pub fn template(&self, req: &AssertionRequest) -> String {
        assertion_template(req, &self.entity_id, self.key.certificate())
    }

    /// Issues a signed assertion document.
    pub fn issue(&self, req: &AssertionRequest) -> String {
        let template = self.template(req);
        let limits = Limits::default();
        let input = Input::new(template.as_bytes(), &limits).expect("the template is well-formed");
        kuvert::sign_template(&input, &self.key, &limits).expect("the TEST ONLY STS key signs its template")
    }
}

/// The TEST ONLY STS's key and certificate (to sign hand-made assertion templates).
pub fn test_sts_key() -> SigningKey {
    SigningKey::from_pem(STS_KEY, STS_CERT).expect("the corpus's TEST ONLY STS key")
}

/// The TEST ONLY calling system's key and certificate (the holder of the corpus's assertions).
pub fn test_system_key() -> SigningKey {
    SigningKey::from_pem(SYSTEM_KEY, SYSTEM_CERT).expect("the corpus's TEST ONLY system key")
}

/// The DER of the first certificate in PEM text.
pub fn pem_der(pem: &[u8]) -> Vec<u8> {
    let text = std::str::from_utf8(pem).expect("PEM is ASCII");
    let body: String = text.lines().filter(|l| !l.starts_with("-----")).collect();
    base64::engine::general_purpose::STANDARD.decode(body).expect("PEM body is base64")
}

/// DER as PEM with the given label, 64 characters a line.
pub fn pem_encode(der: &[u8], label: &str) -> String {
    let b64 = b64(der);
    let lines: Vec<&str> = b64.as_bytes().chunks(64).map(|c| std::str::from_utf8(c).unwrap_or_default()).collect();
    format!("-----BEGIN {label}-----\n{}\n-----END {label}-----\n", lines.join("\n"))
}

/// One DER TLV at the start of `der`: (tag, content, total length).
fn der_tlv(der: &[u8]) -> (u8, &[u8], usize) {
    let tag = der[0];
    let (len, head) = match der[1] {
        l if l < 0x80 => (l as usize, 2),
        l => {
            let n = (l & 0x7f) as usize;
            (der[2..2 + n].iter().fold(0usize, |acc, &b| (acc << 8) | b as usize), 2 + n)
        }
    };
    (tag, &der[head..head + len], head + len)
}

/// The SubjectPublicKeyInfo (DER) of a DER X.509 certificate.
pub fn certificate_spki(cert: &[u8]) -> Vec<u8> {
    let (_, certificate, _) = der_tlv(cert);
    let (_, mut tbs, _) = der_tlv(certificate);
    // version [0] (optional), serialNumber, signature, issuer, validity, subject, subjectPublicKeyInfo
    if tbs[0] == 0xa0 {
        tbs = &tbs[der_tlv(tbs).2..];
    }
    for _ in 0..5 {
        tbs = &tbs[der_tlv(tbs).2..];
    }
    let (_, _, len) = der_tlv(tbs);
    tbs[..len].to_vec()
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn fresh_id(req: &AssertionRequest) -> String {
    let n = ISSUED.fetch_add(1, Ordering::Relaxed);
    let t = req.issued.unix_millis() as u64;
    format!("_{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}", t >> 16, t & 0xffff, n >> 48 & 0xfff, n >> 36 & 0xfff, n)
}

/// The privilege list document, base64.
fn privileges_value(groups: &[(String, Vec<String>)]) -> String {
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><bpp:PrivilegeList xmlns:bpp=\"http://itst.dk/oiosaml/basic_privilege_profile\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">",
    );
    for (cvr, privileges) in groups {
        xml.push_str(&format!("<PrivilegeGroup Scope=\"urn:dk:gov:saml:cvrNumberIdentifier:{cvr}\">"));
        for p in privileges {
            xml.push_str(&format!("<Privilege>{p}</Privilege>"));
        }
        xml.push_str("</PrivilegeGroup>");
    }
    xml.push_str("</bpp:PrivilegeList>");
    b64(xml.as_bytes())
}

fn attribute(name: &str, value: &str) -> String {
    format!(
        "<Attribute Name=\"{name}\" NameFormat=\"urn:oasis:names:tc:SAML:2.0:attrname-format:basic\"><AttributeValue>{value}</AttributeValue></Attribute>"
    )
}

/// The assertion with an empty enveloped signature template after `Issuer`.
fn assertion_template(req: &AssertionRequest, issuer: &str, sts_cert: &[u8]) -> String {
    let id = req.id.clone().unwrap_or_else(|| fresh_id(req));
    let (issued, until) = (req.issued, req.issued.add_millis(i64::from(req.lifetime_seconds) * 1000));
    let signature = format!(
        "<Signature xmlns=\"http://www.w3.org/2000/09/xmldsig#\"><SignedInfo><CanonicalizationMethod Algorithm=\"http://www.w3.org/2001/10/xml-exc-c14n#\"/><SignatureMethod Algorithm=\"http://www.w3.org/2001/04/xmldsig-more#rsa-sha256\"/><Reference URI=\"#{id}\"><Transforms><Transform Algorithm=\"http://www.w3.org/2000/09/xmldsig#enveloped-signature\"/><Transform Algorithm=\"http://www.w3.org/2001/10/xml-exc-c14n#\"/></Transforms><DigestMethod Algorithm=\"http://www.w3.org/2001/04/xmlenc#sha256\"/><DigestValue></DigestValue></Reference></SignedInfo><SignatureValue></SignatureValue><KeyInfo><X509Data><X509Certificate>{}</X509Certificate></X509Data></KeyInfo></Signature>",
        b64(sts_cert)
    );
    let subject = format!(
        "<Subject><NameID Format=\"urn:oasis:names:tc:SAML:1.1:nameid-format:X509SubjectName\">{}</NameID><SubjectConfirmation Method=\"urn:oasis:names:tc:SAML:2.0:cm:holder-of-key\"><SubjectConfirmationData xmlns:a=\"http://www.w3.org/2001/XMLSchema-instance\" NotBefore=\"{issued}\" NotOnOrAfter=\"{until}\" Recipient=\"{}\" a:type=\"KeyInfoConfirmationDataType\"><KeyInfo xmlns=\"http://www.w3.org/2000/09/xmldsig#\"><X509Data><X509Certificate>{}</X509Certificate></X509Data></KeyInfo></SubjectConfirmationData></SubjectConfirmation></Subject>",
        req.subject, req.audience, b64(&req.holder_certificate)
    );
    let conditions = format!(
        "<Conditions NotBefore=\"{issued}\" NotOnOrAfter=\"{until}\"><AudienceRestriction><Audience>{}</Audience></AudienceRestriction></Conditions>",
        req.audience
    );
    let attributes = [
        attribute("dk:gov:saml:attribute:CvrNumberIdentifier", &req.cvr),
        attribute("dk:gov:saml:attribute:AssuranceLevel", "3"),
        attribute("dk:gov:saml:attribute:SpecVer", "DK-SAML-2.0"),
        attribute("dk:gov:saml:attribute:KombitSpecVer", "1.0"),
        attribute("dk:gov:saml:attribute:Privileges_intermediate", &privileges_value(&req.privileges)),
    ]
    .concat();
    format!(
        "<Assertion xmlns=\"urn:oasis:names:tc:SAML:2.0:assertion\" ID=\"{id}\" IssueInstant=\"{issued}\" Version=\"2.0\"><Issuer Format=\"urn:oasis:names:tc:SAML:2.0:nameid-format:entity\">{issuer}</Issuer>{signature}{subject}{conditions}<AttributeStatement>{attributes}</AttributeStatement><AuthnStatement AuthnInstant=\"{issued}\"><AuthnContext><AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:X509</AuthnContextClassRef></AuthnContext></AuthnStatement></Assertion>"
    )
}

/// An unsigned LIB-BAS (SOAP 1.1) request to OrganisationEnhed 5 `soeg`
/// with `criteria` search names in the Body (about 230 bytes each), with
/// WS-Addressing headers, the Framework header and a TransactionUUID.
pub fn token_request_soap11(criteria: usize, message_id: &str) -> String {
    let body = soeg_body(criteria);
    format!(
        "<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\"><soap:Header>\
<sbf:Framework xmlns:sbf=\"urn:liberty:sb:2006-08\" xmlns:sbfprofile=\"urn:liberty:sb:profile\" version=\"2.0\" sbfprofile:profile=\"urn:liberty:sb:profile:basic\"/>\
<wsa:Action xmlns:wsa=\"http://www.w3.org/2005/08/addressing\">http://serviceplatformen.dk/xml/wsdl/soap11/Organisation/OrganisationEnhed/5/soeg</wsa:Action>\
<wsa:MessageID xmlns:wsa=\"http://www.w3.org/2005/08/addressing\">{message_id}</wsa:MessageID>\
<wsa:To xmlns:wsa=\"http://www.w3.org/2005/08/addressing\">https://exttest.serviceplatformen.dk/service/Organisation/OrganisationEnhed/5</wsa:To>\
<wsa:ReplyTo xmlns:wsa=\"http://www.w3.org/2005/08/addressing\"><wsa:Address>http://www.w3.org/2005/08/addressing/anonymous</wsa:Address></wsa:ReplyTo>\
<rh:RequestHeader xmlns:rh=\"http://kombit.dk/xml/schemas/RequestHeader/1/\"><rh:TransactionUUID>9316de3d-3263-49b6-a545-2aad053f1fbe</rh:TransactionUUID></rh:RequestHeader>\
</soap:Header><soap:Body>{body}</soap:Body></soap:Envelope>"
    )
}

/// The same request as SOAP 1.2 (OIO-IDWS), without the Framework header.
pub fn token_request_soap12(criteria: usize, message_id: &str) -> String {
    let body = soeg_body(criteria);
    format!(
        "<s:Envelope xmlns:s=\"http://www.w3.org/2003/05/soap-envelope\" xmlns:a=\"http://www.w3.org/2005/08/addressing\"><s:Header>\
<a:Action s:mustUnderstand=\"1\">http://serviceplatformen.dk/xml/wsdl/soap12/Organisation/OrganisationEnhed/5/soeg</a:Action>\
<a:MessageID>{message_id}</a:MessageID>\
<a:ReplyTo><a:Address>http://www.w3.org/2005/08/addressing/anonymous</a:Address></a:ReplyTo>\
<a:To s:mustUnderstand=\"1\">https://exttest.serviceplatformen.dk/service/Organisation/OrganisationEnhed/5</a:To>\
</s:Header><s:Body>{body}</s:Body></s:Envelope>"
    )
}

fn soeg_body(criteria: usize) -> String {
    let mut names = String::new();
    for i in 0..criteria {
        names.push_str(&format!(
            "<oe:Egenskab><sd:EnhedNavn>Kuvert Testkommune enhed {i}</sd:EnhedNavn><sd:Virkning><sd:FraTidspunkt><sd:TidsstempelDatoTid>2026-01-01T00:00:00Z</sd:TidsstempelDatoTid></sd:FraTidspunkt></sd:Virkning></oe:Egenskab>"
        ));
    }
    format!(
        "<ws:SoegRequest xmlns:ws=\"http://serviceplatformen.dk/xml/wsdl/soap11/Organisation/OrganisationEnhed/5/\" xmlns:oe=\"urn:oio:sts:organisation:organisationenhed:1.1.3.0\" xmlns:sd=\"urn:oio:sagdok:3.0.0\"><oe:SoegInput><oe:AttributListe>{names}</oe:AttributListe><oe:TilstandListe/><oe:RelationListe/></oe:SoegInput></ws:SoegRequest>"
    )
}

/// An unsigned SOAP 1.1 response to a token request, as the platform answers:
/// WS-Addressing `RelatesTo` the request's MessageID, and `units` result
/// units in the Body (about 260 bytes each). Sign it with
/// `kuvert::sign_message` and the platform's (here: a TEST ONLY) key, which
/// adds the Timestamp and the BinarySecurityToken.
pub fn token_response_soap11(relates_to: &str, units: usize) -> String {
    let mut results = String::new();
    for i in 0..units {
        results.push_str(&format!(
            "<oe:FiltreretOejebliksbillede><oe:ObjektType><sd:UUIDIdentifikator>7a3c0b1e-2f4d-4c5e-9a8b-{i:012}</sd:UUIDIdentifikator></oe:ObjektType><oe:Registrering><sd:EnhedNavn>Kuvert Testkommune enhed {i}</sd:EnhedNavn></oe:Registrering></oe:FiltreretOejebliksbillede>"
        ));
    }
    format!(
        "<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\"><soap:Header>\
<wsa:Action xmlns:wsa=\"http://www.w3.org/2005/08/addressing\">http://serviceplatformen.dk/xml/wsdl/soap11/Organisation/OrganisationEnhed/5/soegResponse</wsa:Action>\
<wsa:MessageID xmlns:wsa=\"http://www.w3.org/2005/08/addressing\">urn:uuid:7f0c1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b</wsa:MessageID>\
<wsa:RelatesTo xmlns:wsa=\"http://www.w3.org/2005/08/addressing\">{relates_to}</wsa:RelatesTo>\
</soap:Header><soap:Body><ws:SoegResponse xmlns:ws=\"http://serviceplatformen.dk/xml/wsdl/soap11/Organisation/OrganisationEnhed/5/\" xmlns:oe=\"urn:oio:sts:organisation:organisationenhed:1.1.3.0\" xmlns:sd=\"urn:oio:sagdok:3.0.0\">\
<oe:SoegOutput><oe:StandardRetur><sd:StatusKode>20</sd:StatusKode><sd:FejlbeskedTekst/></oe:StandardRetur>{results}</oe:SoegOutput></ws:SoegResponse></soap:Body></soap:Envelope>"
    )
}
