//! Signing SOAP messages the WS-Security way: a Timestamp, the certificate
//! as a BinarySecurityToken, and one signature (exclusive c14n) over the
//! Body, the Timestamp and the WS-Addressing and Framework headers present.
//!
//! The digests and the signed `SignedInfo` are computed by the same
//! canonicalization code verification uses, on the final document.

use std::fmt;

use crate::c14n::C14nMethod;
use crate::dsig::base64;
use crate::dsig::error::VerifyError;
use crate::dsig::sign::{KeyError, SigningKey};
use crate::dsig::verify::{canonical_signed_info, digest_reference, Document};
use crate::dsig::{DigestAlgorithm, SignatureAlgorithm, SignatureLimits};
use crate::soap::parser::parse_for_verification;
use crate::soap::{Envelope, EnvelopeError};
use crate::time::UtcTime;
use crate::xml::lex::{LexLimits, Lexer, Token};
use crate::xml::{Input, Span};
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
}

impl SignError {
    /// A stable, machine-readable name.
    pub fn code(&self) -> &'static str {
        match self {
            SignError::Envelope(e) => e.code(),
            SignError::AlreadySigned(_) => "sign.already_signed",
            SignError::Key(e) => e.code(),
        }
    }
}

impl fmt::Display for SignError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SignError::Envelope(e) => e.fmt(f),
            SignError::AlreadySigned(at) => write!(f, "message already has a Security header at byte {at}"),
            SignError::Key(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for SignError {}

impl From<EnvelopeError> for SignError {
    fn from(e: EnvelopeError) -> Self {
        SignError::Envelope(e)
    }
}

/// One change to the text: replace `start..end` with `text`.
struct Edit {
    start: usize,
    end: usize,
    text: String,
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
    let env = Envelope::parse(input, &options.limits)?;
    if let Some(sec) = env.security_header() {
        return Err(SignError::AlreadySigned(sec.span.start()));
    }
    let src = input.as_str();
    let mut ids = IdMaker::new(src);
    let mut edits = Vec::new();
    if input.encoding() != crate::Encoding::Utf8 {
        // The text is UTF-8 now: a declaration naming the original encoding would be wrong.
        edits.push(Edit { start: 0, end: input.content_start(), text: String::new() });
    }
    let mut targets = vec![ensure_id(src, env.body().start(), env.body_id(), &mut ids, &mut edits)];
    let ts_id = ids.next("TS");
    targets.push(ts_id.clone());
    for block in env.header_blocks() {
        let wsa = block.name.ns == crate::ns::WSA;
        let framework = block.name.ns == crate::ns::SBF && block.name.local == "Framework";
        if wsa || framework {
            targets.push(ensure_id(src, block.span.start(), block.id.as_deref(), &mut ids, &mut edits));
        }
    }
    let header = security_header(&env, key, now, options, algorithm, &ts_id, &targets, &mut ids);
    edits.push(security_edit(src, &env, header));
    let draft = apply(src, edits);
    let with_digests = fill_digests(&draft, options)?;
    fill_signature(&with_digests, key, algorithm, options)
}

/// Creates IDs unique in the document: a prefix from the document's digest and a counter.
struct IdMaker<'s> {
    src: &'s str,
    stem: String,
    n: u32,
}

impl<'s> IdMaker<'s> {
    fn new(src: &'s str) -> Self {
        let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, src.as_bytes());
        let stem = digest.as_ref()[..4].iter().map(|b| format!("{b:02x}")).collect();
        IdMaker { src, stem, n: 0 }
    }

    fn next(&mut self, kind: &str) -> String {
        loop {
            self.n += 1;
            let id = format!("{kind}-{}-{}", self.stem, self.n);
            if !self.src.contains(&id) {
                return id;
            }
        }
    }
}

/// The element's existing `wsu:Id`, or a new one added to its start tag.
fn ensure_id(src: &str, at: usize, existing: Option<&str>, ids: &mut IdMaker<'_>, edits: &mut Vec<Edit>) -> String {
    if let Some(id) = existing {
        return id.to_owned();
    }
    let id = ids.next("id");
    let (name_end, declares_wsu) = start_tag_facts(src, at);
    let text = if declares_wsu {
        format!(" wsu:Id=\"{id}\"")
    } else {
        format!(" xmlns:wsu=\"{}\" wsu:Id=\"{id}\"", crate::ns::WSU)
    };
    edits.push(Edit { start: name_end, end: name_end, text });
    id
}

/// Where the element name of the start tag at `at` ends, and whether the tag binds `wsu` to WSU.
fn start_tag_facts(src: &str, at: usize) -> (usize, bool) {
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

#[allow(clippy::too_many_arguments)]
fn security_header(
    env: &Envelope<'_>,
    key: &SigningKey,
    now: UtcTime,
    options: &SignOptions,
    algorithm: SignatureAlgorithm,
    ts_id: &str,
    targets: &[String],
    ids: &mut IdMaker<'_>,
) -> String {
    let bst_id = ids.next("X509");
    let sig_id = ids.next("SIG");
    let soap_ns = env.version().namespace();
    let created = now;
    let expires = now.add_millis(i64::from(options.ttl_seconds) * 1000);
    let exc = C14nMethod::Exclusive.uri();
    let mut refs = String::new();
    for id in targets {
        refs.push_str(&format!(
            "<ds:Reference URI=\"#{id}\"><ds:Transforms><ds:Transform Algorithm=\"{exc}\"/></ds:Transforms>\
<ds:DigestMethod Algorithm=\"{}\"/><ds:DigestValue></ds:DigestValue></ds:Reference>",
            options.digest.uri()
        ));
    }
    format!(
        "<wsse:Security xmlns:wsse=\"{wsse}\" xmlns:wsu=\"{wsu}\" xmlns:soapenv=\"{soap_ns}\" soapenv:mustUnderstand=\"1\">\
<wsu:Timestamp wsu:Id=\"{ts_id}\"><wsu:Created>{created}</wsu:Created><wsu:Expires>{expires}</wsu:Expires></wsu:Timestamp>\
<wsse:BinarySecurityToken EncodingType=\"{BASE64_BINARY}\" ValueType=\"{X509V3}\" wsu:Id=\"{bst_id}\">{cert}</wsse:BinarySecurityToken>\
<ds:Signature xmlns:ds=\"{ds}\" Id=\"{sig_id}\"><ds:SignedInfo><ds:CanonicalizationMethod Algorithm=\"{exc}\"/>\
<ds:SignatureMethod Algorithm=\"{alg}\"/>{refs}</ds:SignedInfo><ds:SignatureValue></ds:SignatureValue>\
<ds:KeyInfo><wsse:SecurityTokenReference><wsse:Reference URI=\"#{bst_id}\" ValueType=\"{X509V3}\"/>\
</wsse:SecurityTokenReference></ds:KeyInfo></ds:Signature></wsse:Security>",
        wsse = crate::ns::WSSE,
        wsu = crate::ns::WSU,
        cert = base64::encode(key.certificate()),
        ds = crate::ns::DS,
        alg = algorithm.uri(),
    )
}

/// Puts the Security header first in the Header (creating the Header if there is none).
fn security_edit(src: &str, env: &Envelope<'_>, security: String) -> Edit {
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

fn apply(src: &str, mut edits: Vec<Edit>) -> String {
    edits.sort_by_key(|e| e.start);
    let mut out = String::with_capacity(src.len() + edits.iter().map(|e| e.text.len()).sum::<usize>());
    let mut at = 0;
    for e in edits {
        out.push_str(&src[at..e.start]);
        out.push_str(&e.text);
        at = e.end;
    }
    out.push_str(&src[at..]);
    out
}

/// Parses the draft and computes every reference's digest into its `DigestValue`.
fn fill_digests(draft: &str, options: &SignOptions) -> Result<String, SignError> {
    let input = Input::new(draft.as_bytes(), &options.limits).map_err(|e| SignError::Envelope(e.into()))?;
    let parsed =
        parse_for_verification(&input, &options.limits, &SignatureLimits::default()).map_err(envelope_error)?;
    let header = parsed.security.unwrap_or_default();
    let Some(sig) = header.signatures.first() else {
        return Ok(draft.to_owned());
    };
    let doc = Document {
        src: draft,
        content_start: input.content_start(),
        index: &parsed.index,
        limits: &options.limits,
        token_refs: &[],
        inline: &[],
    };
    let mut edits = Vec::new();
    for r in &sig.references {
        let (_, digest) = digest_reference(&doc, sig, r).map_err(envelope_error)?;
        edits.push(Edit {
            start: r.digest_value_span.start(),
            end: r.digest_value_span.end(),
            text: base64::encode(digest.as_ref()),
        });
    }
    Ok(apply(draft, edits))
}

/// Canonicalizes `SignedInfo`, signs it, and writes the `SignatureValue`.
fn fill_signature(
    doc_text: &str,
    key: &SigningKey,
    algorithm: SignatureAlgorithm,
    options: &SignOptions,
) -> Result<String, SignError> {
    let input = Input::new(doc_text.as_bytes(), &options.limits).map_err(|e| SignError::Envelope(e.into()))?;
    let parsed =
        parse_for_verification(&input, &options.limits, &SignatureLimits::default()).map_err(envelope_error)?;
    let header = parsed.security.unwrap_or_default();
    let Some(sig) = header.signatures.first() else {
        return Ok(doc_text.to_owned());
    };
    let doc = Document {
        src: doc_text,
        content_start: input.content_start(),
        index: &parsed.index,
        limits: &options.limits,
        token_refs: &[],
        inline: &[],
    };
    let canonical = canonical_signed_info(&doc, sig).map_err(envelope_error)?;
    let value = key.sign(algorithm, &canonical).map_err(SignError::Key)?;
    let span: Span = sig.value_span;
    Ok(apply(doc_text, vec![Edit { start: span.start(), end: span.end(), text: base64::encode(&value) }]))
}

/// Errors re-reading our own draft (which cannot fail on valid input) as envelope errors.
fn envelope_error(e: VerifyError) -> SignError {
    match e {
        VerifyError::Envelope(e) => SignError::Envelope(e),
        VerifyError::Signature(s) => {
            SignError::Envelope(EnvelopeError::soap(crate::SoapErrorKind::InvalidSecurityHeader, s.offset()))
        }
    }
}
