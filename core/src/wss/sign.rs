//! Signing SOAP messages the WS-Security way: a Timestamp, the certificate
//! as a BinarySecurityToken, and one signature (exclusive c14n) over the
//! Body, the Timestamp and the WS-Addressing and Framework headers present.
//!
//! The digests of the message's elements are computed by the same
//! canonicalization code verification uses: while the message is read, as
//! its elements will be written ([`sign_pass`](super::sign_pass)), or, where
//! that pass declines, on the document with a signature template read back
//! whole. The one pass writes the Timestamp and `SignedInfo` it made in
//! canonical form directly; the template way reads them back. Both give the
//! same bytes.

use std::fmt;

use crate::c14n::C14nMethod;
use crate::dsig::error::VerifyError;
use crate::dsig::sign::{KeyError, SigningKey};
pub(crate) use crate::dsig::template::{apply, Edit};
use crate::dsig::template::{fill_template, Expected, TemplateError};
use crate::dsig::{DigestAlgorithm, SignatureAlgorithm};
use crate::soap::{Envelope, EnvelopeError};
use crate::time::UtcTime;
use crate::xml::lex::{LexLimits, Lexer, Token};
use crate::xml::Input;
use crate::Limits;

const X509V3: &str = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#X509v3";
const BASE64_BINARY: &str =
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary";

/// How to sign.
#[derive(Clone, Debug)]
pub struct SignOptions {
    /// Lifetime of the Timestamp in seconds. Default 300.
    pub ttl_seconds: u32,
    /// The signature algorithm; `None` for the key's default (RSA-SHA256, or ECDSA on the key's curve).
    pub algorithm: Option<SignatureAlgorithm>,
    /// The references' digest. Default SHA-256.
    pub digest: DigestAlgorithm,
    /// Limits for reading the message to sign.
    pub limits: Limits,
}

impl Default for SignOptions {
    fn default() -> Self {
        SignOptions { ttl_seconds: 300, algorithm: None, digest: DigestAlgorithm::Sha256, limits: Limits::default() }
    }
}

/// Why a message could not be signed.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignError {
    /// The input is not a readable SOAP message.
    Envelope(EnvelopeError),
    /// The message already has a Security header (at this offset).
    AlreadySigned(usize),
    /// The key refused (wrong algorithm for the key, or signing failed).
    Key(KeyError),
    /// [`sign_template`](crate::sign_template): no `ds:Signature` with an empty `SignatureValue`.
    NoTemplate,
    /// A header the profile needs is missing and cannot be made up (`wsa:Action`, `wsa:To`).
    MissingHeader(&'static str),
    /// The token to sign with is not a SAML 2.0 assertion (at this offset of the token).
    NotAnAssertion(usize),
    /// The SOAP version is not the profile's.
    WrongSoapVersion,
    /// Two elements carry the same ID (`wsu:Id`, `Id` or `ID`; the second at
    /// this offset): a signature over it would be refused by every verifier.
    DuplicateId(usize),
    /// An element to sign (starting at this offset) has an ID no reference
    /// can name: empty (`URI="#"` names nothing) or beginning with
    /// `xpointer(` (read as an XPointer, which verifiers refuse).
    UnusableId(usize),
}

impl SignError {
    /// A stable, machine-readable name.
    pub fn code(&self) -> &'static str {
        match self {
            SignError::Envelope(e) => e.code(),
            SignError::AlreadySigned(_) => "sign.already_signed",
            SignError::Key(e) => e.code(),
            SignError::NoTemplate => "sign.no_template",
            SignError::MissingHeader(_) => "sign.missing_header",
            SignError::NotAnAssertion(_) => "sign.not_an_assertion",
            SignError::WrongSoapVersion => "sign.wrong_soap_version",
            SignError::DuplicateId(_) => "sign.duplicate_id",
            SignError::UnusableId(_) => "sign.unusable_id",
        }
    }
}

impl fmt::Display for SignError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SignError::Envelope(e) => e.fmt(f),
            SignError::AlreadySigned(at) => write!(f, "message already has a Security header at byte {at}"),
            SignError::Key(e) => e.fmt(f),
            SignError::NoTemplate => f.write_str("no signature template (ds:Signature with an empty SignatureValue)"),
            SignError::MissingHeader(h) => write!(f, "message has no {h} header and none was given"),
            SignError::NotAnAssertion(at) => write!(f, "token is not a SAML 2.0 Assertion (byte {at})"),
            SignError::DuplicateId(at) => write!(f, "the message has a duplicate ID at byte {at}"),
            SignError::UnusableId(at) => {
                write!(f, "the element at byte {at} has an ID no reference can name (empty, or an XPointer)")
            }
            SignError::WrongSoapVersion => f.write_str("SOAP version is not the profile's"),
        }
    }
}

impl std::error::Error for SignError {}

impl From<EnvelopeError> for SignError {
    fn from(e: EnvelopeError) -> Self {
        SignError::Envelope(e)
    }
}

/// Signs a SOAP message with `key` at time `now`; returns the signed message.
///
/// ```no_run
/// # fn demo(key: &kuvert::SigningKey, raw: &[u8]) -> Result<(), Box<dyn std::error::Error>> {
/// let limits = kuvert::Limits::default();
/// let input = kuvert::Input::new(raw, &limits)?;
/// let now = kuvert::UtcTime::parse("2026-11-23T10:00:00Z")?;
/// let signed = kuvert::sign_message(&input, key, now, &kuvert::SignOptions::default())?;
/// # Ok(()) }
/// ```
pub fn sign_message(
    input: &Input<'_>,
    key: &SigningKey,
    now: UtcTime,
    options: &SignOptions,
) -> Result<String, SignError> {
    let algorithm = options.algorithm.unwrap_or_else(|| key.default_algorithm());
    match super::sign_pass::sign_in_one_pass(input, key, now, options, algorithm)? {
        Some(signed) => Ok(signed),
        None => sign_through_template(input, key, now, options, algorithm),
    }
}

/// [`sign_message`] the long way: the message with a signature template
/// (IDs added, empty digest and signature values) is written, then read
/// back whole, digested and signed. The same bytes as the one-pass signer
/// where both sign; this way reads back (and refuses with its offset)
/// whatever the other declines.
pub(crate) fn sign_through_template(
    input: &Input<'_>,
    key: &SigningKey,
    now: UtcTime,
    options: &SignOptions,
    algorithm: SignatureAlgorithm,
) -> Result<String, SignError> {
    let (env, duplicate) = Envelope::parse_finding_duplicate_id(input, &options.limits)?;
    if let Some(sec) = env.security_header() {
        return Err(SignError::AlreadySigned(sec.span.start()));
    }
    room_for_header_blocks(&env, 1, &options.limits)?;
    refuse_duplicate_id(duplicate)?;
    let src = input.as_str();
    let mut ids = IdMaker::new(src);
    let mut edits = Vec::new();
    if input.encoding() != crate::Encoding::Utf8 {
        // The text is UTF-8 now: a declaration naming the original encoding would be wrong.
        edits.push(Edit { start: 0, end: input.content_start(), text: String::new() });
    }
    let mut targets = vec![ensure_id(src, env.body().start(), env.body_id(), &ids, &mut edits)?];
    let ts_id = ids.next("TS");
    targets.push(ts_id.clone());
    for block in env.header_blocks() {
        let wsa = block.name.ns == crate::ns::WSA;
        let framework = block.name.ns == crate::ns::SBF && block.name.local == "Framework";
        // The default coverage also requires every mustUnderstand header block signed.
        if wsa || framework || block.must_understand {
            targets.push(ensure_id(src, block.span.start(), block.id.as_deref(), &ids, &mut edits)?);
        }
    }
    let expires = now.add_millis(i64::from(options.ttl_seconds) * 1000);
    let signed_info = SignedInfoParts { algorithm, digest: options.digest, targets: &targets, digests: None };
    let header = security_header(&env, key, now, expires, &ts_id, &signed_info, "", &mut ids);
    edits.push(security_edit(src, &env, header));
    let draft = apply(src, edits);
    let expected = Expected { ids: &targets, digest: options.digest };
    fill_template(&draft, key, &options.limits, Some(&expected)).map_err(template_error)
}

/// A message whose IDs repeat is refused before signing (`duplicate`: the
/// second use, from [`Envelope::parse_finding_duplicate_id`]): the verifier
/// refuses any signature in it (`signature.duplicate_id`), so a signature
/// would only hide the problem until the receiver.
pub(crate) fn refuse_duplicate_id(duplicate: Option<usize>) -> Result<(), SignError> {
    duplicate.map_or(Ok(()), |offset| Err(SignError::DuplicateId(offset)))
}

/// Signing adds header blocks (the Security header, and for tokens missing
/// WS-Addressing and Framework headers): a message they would take over the
/// limit would be signed into one that no verifier with the same limits reads.
pub(crate) fn room_for_header_blocks(
    env: &Envelope<'_>,
    added: usize,
    limits: &crate::Limits,
) -> Result<(), SignError> {
    let limit = limits.max_header_blocks;
    if env.header_blocks().len() + added > limit {
        let at = env.header().map_or(env.body().start(), |h| h.end());
        return Err(SignError::Envelope(EnvelopeError::soap(
            crate::soap::SoapErrorKind::TooManyHeaderBlocks { limit },
            at,
        )));
    }
    Ok(())
}

/// Signs a signature template: the first `ds:Signature` in the document
/// whose `SignatureValue` is empty gets every reference's `DigestValue` and
/// then its `SignatureValue` filled in (as `xmlsec1 --sign` does with a
/// template). Returns the signed document as UTF-8 text (an XML
/// declaration naming another encoding is dropped). The template's
/// `SignatureMethod` is used; it must fit the key.
///
/// An assertion issuer (STS) uses this to sign an assertion with an
/// enveloped signature; tests use it to produce messages of any shape.
pub fn sign_template(input: &Input<'_>, key: &SigningKey, limits: &Limits) -> Result<String, SignError> {
    let text = match input.encoding() {
        crate::Encoding::Utf8 => input.as_str(),
        _ => &input.as_str()[input.content_start()..],
    };
    fill_template(text, key, limits, None).map_err(template_error)
}

/// Errors of signing our own template (which reads back unless limits are too tight).
pub(crate) fn template_error(e: TemplateError) -> SignError {
    match e {
        TemplateError::Read(VerifyError::Envelope(e)) => SignError::Envelope(e),
        TemplateError::Read(VerifyError::Signature(s)) => {
            SignError::Envelope(EnvelopeError::soap(crate::SoapErrorKind::InvalidSecurityHeader, s.offset()))
        }
        TemplateError::Key(k) => SignError::Key(k),
        TemplateError::NoTemplate => SignError::NoTemplate,
    }
}

/// Creates IDs unique in the document: a stem from a hash of the document
/// and a counter. When the stem occurs nowhere in the document (nearly
/// always), no ID made from it can; otherwise each is looked for.
pub(crate) struct IdMaker<'s> {
    src: &'s str,
    stem: String,
    stem_in_document: bool,
    n: u32,
}

impl<'s> IdMaker<'s> {
    pub(crate) fn new(src: &'s str) -> Self {
        use std::hash::BuildHasher;
        // Deterministic (a fixed seed): the same message gets the same IDs.
        let hash = foldhash::fast::FixedState::with_seed(0x6b75_7665_7274).hash_one(src) as u32;
        let stem: String =
            (0..8).rev().map(|i| char::from(b"0123456789abcdef"[(hash >> (4 * i)) as usize & 15])).collect();
        let stem_in_document = memchr::memmem::find(src.as_bytes(), stem.as_bytes()).is_some();
        IdMaker { src, stem, stem_in_document, n: 0 }
    }

    /// `kind-stem-n`.
    fn make(&self, kind: &str, n: usize) -> String {
        let mut id = String::with_capacity(kind.len() + self.stem.len() + 22);
        id.extend([kind, "-", &self.stem, "-"]);
        push_decimal(&mut id, n);
        id
    }

    /// The ID of the element at offset `at` of the document: the same
    /// whatever order elements get their IDs in.
    pub(crate) fn at(&self, kind: &str, at: usize) -> String {
        let id = self.make(kind, at);
        if !self.stem_in_document || !self.src.contains(&id) {
            return id;
        }
        (1..).map(|k| format!("{id}-{k}")).find(|c| !self.src.contains(c)).unwrap_or(id)
    }

    pub(crate) fn next(&mut self, kind: &str) -> String {
        loop {
            self.n += 1;
            let id = self.make(kind, self.n as usize);
            if !self.stem_in_document || !self.src.contains(&id) {
                return id;
            }
        }
    }
}

/// Appends `n` in decimal.
fn push_decimal(out: &mut String, mut n: usize) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.push_str(std::str::from_utf8(&digits[at..]).unwrap_or_default());
}

/// The existing ID of the element at `at`, or a new one added to its start
/// tag; an existing ID no reference can name is refused.
pub(crate) fn ensure_id(
    src: &str,
    at: usize,
    existing: Option<&str>,
    ids: &IdMaker<'_>,
    edits: &mut Vec<Edit>,
) -> Result<String, SignError> {
    if let Some(id) = existing {
        return referable(id).then(|| id.to_owned()).ok_or(SignError::UnusableId(at));
    }
    let id = ids.at("id", at);
    let (name_end, declares_wsu) = start_tag_facts(src, at);
    edits.push(id_edit(name_end, &id, declares_wsu));
    Ok(id)
}

/// Whether a reference's `URI="#id"` names the element with this ID for a
/// verifier: not for an empty ID, nor for one a verifier reads as an XPointer.
pub(crate) fn referable(id: &str) -> bool {
    !id.is_empty() && !id.starts_with("xpointer(")
}

/// The edit adding `wsu:Id="id"` after an element's name (ending at
/// `name_end`), with the `wsu` declaration unless the tag `declares_wsu`.
pub(crate) fn id_edit(name_end: usize, id: &str, declares_wsu: bool) -> Edit {
    let mut text = String::with_capacity(id.len() + 100);
    if !declares_wsu {
        text.extend([" xmlns:wsu=\"", crate::ns::WSU, "\""]);
    }
    text.extend([" wsu:Id=\"", id, "\""]);
    Edit { start: name_end, end: name_end, text }
}

/// Where the element name of the start tag at `at` ends, and whether the tag binds `wsu` to WSU.
pub(crate) fn start_tag_facts(src: &str, at: usize) -> (usize, bool) {
    let mut lexer = Lexer::new(src.as_bytes(), at, src.len(), LexLimits::from(&Limits::default()));
    match lexer.next_token(None) {
        Ok(Token::Start { name, .. }) => {
            let wsu = lexer.attrs.iter().any(|a| {
                a.name.prefix(src) == "xmlns"
                    && a.name.local(src) == "wsu"
                    && &src[a.value_start as usize..a.value_end as usize] == crate::ns::WSU
            });
            (name.end as usize, wsu)
        }
        _ => (at, false),
    }
}

/// The Security header: the Timestamp (`ts_id`, from `now` to `expires`),
/// the BinarySecurityToken, and the signature `signed_info` describes with
/// `signature_value` (empty in a template).
#[allow(clippy::too_many_arguments)]
pub(crate) fn security_header(
    env: &Envelope<'_>,
    key: &SigningKey,
    now: UtcTime,
    expires: UtcTime,
    ts_id: &str,
    signed_info: &SignedInfoParts<'_>,
    signature_value: &str,
    ids: &mut IdMaker<'_>,
) -> String {
    let bst_id = ids.next("X509");
    let sig_id = ids.next("SIG");
    let mut h = String::with_capacity(2048 + key.certificate_text().len() + 400 * signed_info.targets.len());
    let (wsse, wsu, ds) = (crate::ns::WSSE, crate::ns::WSU, crate::ns::DS);
    let soap = env.version().namespace();
    h.extend(["<wsse:Security xmlns:wsse=\"", wsse, "\" xmlns:wsu=\"", wsu, "\" xmlns:soapenv=\"", soap]);
    h.push_str("\" soapenv:mustUnderstand=\"1\">");
    push_timestamp(&mut h, Form::Document, ts_id, now, expires);
    h.extend(["<wsse:BinarySecurityToken EncodingType=\"", BASE64_BINARY, "\" ValueType=\"", X509V3, "\" wsu:Id=\""]);
    h.extend([&bst_id, "\">", key.certificate_text(), "</wsse:BinarySecurityToken>"]);
    h.extend(["<ds:Signature xmlns:ds=\"", ds, "\" Id=\"", &sig_id, "\">"]);
    push_signed_info(&mut h, Form::Document, signed_info);
    h.extend(["<ds:SignatureValue>", signature_value, "</ds:SignatureValue><ds:KeyInfo><wsse:SecurityTokenReference>"]);
    h.extend(["<wsse:Reference URI=\"#", &bst_id, "\" ValueType=\"", X509V3, "\"/>"]);
    h.push_str("</wsse:SecurityTokenReference></ds:KeyInfo></ds:Signature></wsse:Security>");
    h
}

/// How the signer writes an element of its Security header: as the
/// document holds it (in the header's namespace scope, empty elements as
/// `<x/>`), or as exclusive c14n renders it as the apex of a reference or
/// of the signature (the namespace it uses declared on it, empty elements
/// with end tags). Both forms hold the same attribute values and text, and
/// the canonical form writes them as they are: the one-pass signer writes
/// only IDs that need no escaping in either (see `sign_pass`), and the
/// digests, times and algorithm URIs need none.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Form {
    Document,
    Canonical,
}

/// The Timestamp `security_header` writes.
pub(crate) fn push_timestamp(h: &mut String, form: Form, ts_id: &str, created: UtcTime, expires: UtcTime) {
    h.push_str("<wsu:Timestamp");
    if form == Form::Canonical {
        h.extend([" xmlns:wsu=\"", crate::ns::WSU, "\""]);
    }
    h.extend([" wsu:Id=\"", ts_id, "\"><wsu:Created>"]);
    created.push_to(h);
    h.push_str("</wsu:Created><wsu:Expires>");
    expires.push_to(h);
    h.push_str("</wsu:Expires></wsu:Timestamp>");
}

/// What the `SignedInfo` of `security_header` holds: one exclusive-c14n
/// reference per target, with `digests` in their order (empty when `None`).
pub(crate) struct SignedInfoParts<'p> {
    pub algorithm: SignatureAlgorithm,
    pub digest: DigestAlgorithm,
    pub targets: &'p [String],
    pub digests: Option<&'p [String]>,
}

/// The `SignedInfo` of `security_header`, in `form`.
pub(crate) fn push_signed_info(h: &mut String, form: Form, parts: &SignedInfoParts<'_>) {
    let exc = C14nMethod::Exclusive.uri();
    h.push_str("<ds:SignedInfo");
    if form == Form::Canonical {
        h.extend([" xmlns:ds=\"", crate::ns::DS, "\""]);
    }
    h.push('>');
    push_empty(h, form, "ds:CanonicalizationMethod", exc);
    push_empty(h, form, "ds:SignatureMethod", parts.algorithm.uri());
    for (i, id) in parts.targets.iter().enumerate() {
        h.extend(["<ds:Reference URI=\"#", id, "\"><ds:Transforms>"]);
        push_empty(h, form, "ds:Transform", exc);
        h.push_str("</ds:Transforms>");
        push_empty(h, form, "ds:DigestMethod", parts.digest.uri());
        h.extend(["<ds:DigestValue>", parts.digests.map_or("", |d| d[i].as_str()), "</ds:DigestValue></ds:Reference>"]);
    }
    h.push_str("</ds:SignedInfo>");
}

/// `<name Algorithm="algorithm"/>`, with an end tag in canonical form.
fn push_empty(h: &mut String, form: Form, name: &str, algorithm: &str) {
    h.extend(["<", name, " Algorithm=\"", algorithm]);
    match form {
        Form::Document => h.push_str("\"/>"),
        Form::Canonical => h.extend(["\"></", name, ">"]),
    }
}

/// Puts the Security header first in the Header (creating the Header if there is none).
pub(crate) fn security_edit(src: &str, env: &Envelope<'_>, security: String) -> Edit {
    let (env_name_end, _) = start_tag_facts(src, env.span().start());
    let qname = &src[env.span().start() + 1..env_name_end];
    let prefix = qname.rsplit_once(':').map_or(String::new(), |(p, _)| format!("{p}:"));
    let Some(header) = env.header() else {
        let at = env.body().start();
        let text = format!("<{prefix}Header>{security}</{prefix}Header>");
        return Edit { start: at, end: at, text };
    };
    let mut lexer = Lexer::new(src.as_bytes(), header.start(), src.len(), LexLimits::from(&Limits::default()));
    match lexer.next_token(None) {
        Ok(Token::Start { end, empty: true, name, .. }) => {
            let name = &src[name.start as usize..name.end as usize];
            Edit { start: end - 2, end, text: format!(">{security}</{name}>") }
        }
        Ok(Token::Start { end, .. }) => Edit { start: end, end, text: security },
        _ => Edit { start: header.start(), end: header.start(), text: String::new() },
    }
}

#[cfg(test)]
mod tests {
    use super::IdMaker;

    #[test]
    fn made_ids_skip_those_the_document_has() {
        let src = "<a wsu:Id=\"id-0badcafe-1\"><b Id=\"TS-0badcafe-2\"/></a>";
        let mut ids = IdMaker { src, stem: "0badcafe".into(), stem_in_document: true, n: 0 };
        assert_eq!(ids.next("id"), "id-0badcafe-2");
        assert_eq!(ids.next("TS"), "TS-0badcafe-3");
        let mut fresh = IdMaker::new(src);
        assert!(!fresh.stem_in_document);
        let id = fresh.next("id");
        assert!(id.starts_with("id-") && !src.contains(&id));
        assert_eq!(IdMaker::new(src).next("id"), id, "the same document gets the same IDs");
        assert_eq!(ids.at("id", 1), "id-0badcafe-1-1", "the document has id-0badcafe-1");
        assert_eq!(ids.at("id", 7), "id-0badcafe-7");
        assert_eq!(ids.at("x", 1_234_567_890), "x-0badcafe-1234567890");
        assert_eq!(ids.at("x", 0), "x-0badcafe-0");
        let stem = &IdMaker::new("").stem;
        assert!(stem.len() == 8 && stem.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()), "{stem}");
    }
}
