//! Producing token-model requests: a SOAP message signed with the
//! holder-of-key key around an STS-issued assertion, as LIB-BAS and
//! OIO-IDWS clients send them (Timestamp, the assertion, a
//! SecurityTokenReference with a SAMLID key identifier, and one signature
//! over the Timestamp, the STR through the STR-Transform, the Body, the
//! WS-Addressing and Framework headers and the assertion).

use super::assertion::read_assertion;
use super::policy::{Profile, SamlLimits};
use crate::c14n::C14nMethod;
use crate::dsig::parse::{SignatureLimits, STR_TRANSFORM};
use crate::dsig::sign::SigningKey;
use crate::dsig::template::{fill_template, Expected};
use crate::dsig::DigestAlgorithm;
use crate::ids::Uuid;
use crate::soap::{Envelope, SoapVersion};
use crate::time::UtcTime;
use crate::wss::sign::{
    apply, ensure_id, refuse_duplicate_id, room_for_header_blocks, security_edit, template_error, Edit, IdMaker,
};
use crate::wss::SignError;
use crate::xml::reader::Reader;
use crate::xml::Input;
use crate::Limits;

const SAMLID: &str = "http://docs.oasis-open.org/wss/oasis-wss-saml-token-profile-1.1#SAMLID";
const SAMLV2: &str = "http://docs.oasis-open.org/wss/oasis-wss-saml-token-profile-1.1#SAMLV2.0";
const ANONYMOUS: &str = "http://www.w3.org/2005/08/addressing/anonymous";

/// How to sign a token-model request.
#[derive(Clone, Debug)]
pub struct TokenSignOptions {
    /// The binding. LIB-BAS adds the `sbf:Framework` header when it is missing.
    pub profile: Profile,
    /// Lifetime of the Timestamp in seconds. Default 300.
    pub ttl_seconds: u32,
    /// The references' digest. Default SHA-256.
    pub digest: DigestAlgorithm,
    /// `wsa:Action` to add when the message has none.
    pub action: Option<String>,
    /// `wsa:To` to add when the message has none.
    pub to: Option<String>,
    /// `wsa:MessageID` to add when the message has none; `None` makes a random `urn:uuid:`.
    pub message_id: Option<String>,
    /// Limits for reading the message and the assertion.
    pub limits: Limits,
}

impl TokenSignOptions {
    /// Defaults for `profile`.
    pub fn new(profile: Profile) -> Self {
        TokenSignOptions {
            profile,
            ttl_seconds: 300,
            digest: DigestAlgorithm::Sha256,
            action: None,
            to: None,
            message_id: None,
            limits: Limits::default(),
        }
    }
}

/// Signs `input` under the token model with the holder-of-key `key`, carrying
/// `assertion` (an assertion document as the STS issued it) at time `now`.
/// Missing `MessageID` and `ReplyTo` (anonymous) headers are added, and the
/// Framework header for LIB-BAS; `Action` and `To` come from the message or
/// the options.
pub fn sign_token_request(
    input: &Input<'_>,
    assertion: &[u8],
    key: &SigningKey,
    now: UtcTime,
    options: &TokenSignOptions,
) -> Result<String, SignError> {
    let (env, duplicate) = Envelope::parse_finding_duplicate_id(input, &options.limits)?;
    if let Some(sec) = env.security_header() {
        return Err(SignError::AlreadySigned(sec.span.start()));
    }
    let want = match options.profile {
        Profile::LibBas => SoapVersion::Soap11,
        Profile::OioIdws => SoapVersion::Soap12,
    };
    if env.version() != want {
        return Err(SignError::WrongSoapVersion);
    }
    let (assertion_text, assertion_id) = assertion_of(assertion, &options.limits)?;
    let src = input.as_str();
    let mut ids = IdMaker::new(src);
    let mut edits = Vec::new();
    if input.encoding() != crate::Encoding::Utf8 {
        edits.push(Edit { start: 0, end: input.content_start(), text: String::new() });
    }
    let body_id = ensure_id(src, env.body().start(), env.body_id(), &ids, &mut edits)?;
    let mut header_ids = Vec::new();
    for block in env.header_blocks() {
        let wsa = block.name.ns == crate::ns::WSA;
        let framework = block.name.ns == crate::ns::SBF && block.name.local == "Framework";
        if wsa || framework {
            header_ids.push(ensure_id(src, block.span.start(), block.id.as_deref(), &ids, &mut edits)?);
        }
    }
    let present = header_ids.len();
    let added = missing_headers(&env, options, &mut ids, &mut header_ids)?;
    room_for_header_blocks(&env, header_ids.len() - present + 1, &options.limits)?;
    refuse_duplicate_id(duplicate)?;
    let parts = Parts { body_id, header_ids, assertion_text, assertion_id };
    let security = security_header(&env, &parts, now, options, key, &mut ids);
    edits.push(security_edit(src, &env, added + &security));
    let draft = apply(src, edits);
    // Digested while the draft is read (the Timestamp's and the STR's
    // references are digested apart).
    let later: Vec<String> =
        [&parts.body_id].into_iter().chain(&parts.header_ids).chain([&parts.assertion_id]).cloned().collect();
    let expected = Expected { ids: &later, digest: options.digest };
    fill_template(&draft, key, &options.limits, Some(&expected)).map_err(template_error)
}

/// The assertion's text (without declaration) and its `ID`.
fn assertion_of(bytes: &[u8], limits: &Limits) -> Result<(String, String), SignError> {
    let input = Input::new(bytes, limits).map_err(|e| SignError::NotAnAssertion(e.offset()))?;
    let src = input.as_str();
    let mut r = Reader::new(src, input.content_start(), limits);
    let parsed = read_assertion(&mut r, &SamlLimits::default(), &SignatureLimits::default())
        .map_err(|e| SignError::NotAnAssertion(e.offset()))?;
    Ok((src[parsed.span.range()].to_owned(), parsed.id.into_owned()))
}

/// Header blocks to add, each with a `wsu:Id` (pushed on `ids_out`).
fn missing_headers(
    env: &Envelope<'_>,
    options: &TokenSignOptions,
    ids: &mut IdMaker<'_>,
    ids_out: &mut Vec<String>,
) -> Result<String, SignError> {
    let a = env.addressing();
    let mut out = String::new();
    let mut add = |ids: &mut IdMaker<'_>, name: &str, ns: &str, extra: &str, content: &str| {
        let id = ids.next("id");
        out.push_str(&format!(
            "<h:{name} xmlns:h=\"{ns}\" xmlns:wsu=\"{wsu}\" wsu:Id=\"{id}\"{extra}>{content}</h:{name}>",
            wsu = crate::ns::WSU
        ));
        ids_out.push(id);
    };
    if options.profile == Profile::LibBas && env.framework().is_none() {
        let extra = format!(
            " version=\"2.0\" xmlns:sbfprofile=\"{}\" sbfprofile:profile=\"urn:liberty:sb:profile:basic\"",
            crate::ns::SBF_PROFILE
        );
        add(ids, "Framework", crate::ns::SBF, &extra, "");
    }
    if a.message_id.is_none() {
        let id = options.message_id.clone().unwrap_or_else(random_message_id);
        add(ids, "MessageID", crate::ns::WSA, "", &escape(&id));
    }
    for (present, given, name) in [(&a.action, &options.action, "Action"), (&a.to, &options.to, "To")] {
        match (present, given) {
            (Some(_), _) => {}
            (None, Some(v)) => add(ids, name, crate::ns::WSA, "", &escape(v)),
            (None, None) => return Err(SignError::MissingHeader(if name == "To" { "wsa:To" } else { "wsa:Action" })),
        }
    }
    if a.reply_to.is_none() {
        let address = format!("<h:Address>{ANONYMOUS}</h:Address>");
        add(ids, "ReplyTo", crate::ns::WSA, "", &address);
    }
    Ok(out)
}

fn random_message_id() -> String {
    let mut bytes = [0u8; 16];
    // A failing system RNG leaves zeros; the IdMaker-free fallback still yields a valid URI.
    let _ = aws_lc_rs::rand::fill(&mut bytes);
    format!("urn:uuid:{}", Uuid::new_v4(bytes))
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// What the signature covers.
struct Parts {
    body_id: String,
    header_ids: Vec<String>,
    assertion_text: String,
    assertion_id: String,
}

/// The Security header template: Timestamp, assertion, STR, and the signature.
fn security_header(
    env: &Envelope<'_>,
    parts: &Parts,
    now: UtcTime,
    options: &TokenSignOptions,
    key: &SigningKey,
    ids: &mut IdMaker<'_>,
) -> String {
    let (ts_id, str_id) = (ids.next("TS"), ids.next("STR"));
    let exc = C14nMethod::Exclusive.uri();
    let digest = options.digest.uri();
    let reference = |id: &str, transforms: &str| {
        format!(
            "<ds:Reference URI=\"#{id}\"><ds:Transforms>{transforms}</ds:Transforms>\
<ds:DigestMethod Algorithm=\"{digest}\"/><ds:DigestValue></ds:DigestValue></ds:Reference>"
        )
    };
    let plain = format!("<ds:Transform Algorithm=\"{exc}\"/>");
    let str_transform = format!(
        "<ds:Transform Algorithm=\"{STR_TRANSFORM}\"><wsse:TransformationParameters>\
<ds:CanonicalizationMethod Algorithm=\"{exc}\"/></wsse:TransformationParameters></ds:Transform>"
    );
    let mut refs = reference(&ts_id, &plain) + &reference(&str_id, &str_transform) + &reference(&parts.body_id, &plain);
    for id in &parts.header_ids {
        refs.push_str(&reference(id, &plain));
    }
    refs.push_str(&reference(&escape(&parts.assertion_id), &plain));
    let key_identifier = format!(
        "<wsse:SecurityTokenReference wsse11:TokenType=\"{SAMLV2}\"><wsse:KeyIdentifier ValueType=\"{SAMLID}\">{}</wsse:KeyIdentifier></wsse:SecurityTokenReference>",
        escape(&parts.assertion_id)
    );
    let expires = now.add_millis(i64::from(options.ttl_seconds) * 1000);
    format!(
        "<wsse:Security xmlns:wsse=\"{wsse}\" xmlns:wsse11=\"{wsse11}\" xmlns:wsu=\"{wsu}\" xmlns:soapenv=\"{soap}\" soapenv:mustUnderstand=\"1\">\
<wsu:Timestamp wsu:Id=\"{ts_id}\"><wsu:Created>{now}</wsu:Created><wsu:Expires>{expires}</wsu:Expires></wsu:Timestamp>\
{assertion}<wsse:SecurityTokenReference wsu:Id=\"{str_id}\" wsse11:TokenType=\"{SAMLV2}\"><wsse:KeyIdentifier ValueType=\"{SAMLID}\">{id}</wsse:KeyIdentifier></wsse:SecurityTokenReference>\
<ds:Signature xmlns:ds=\"{ds}\"><ds:SignedInfo><ds:CanonicalizationMethod Algorithm=\"{exc}\"/>\
<ds:SignatureMethod Algorithm=\"{alg}\"/>{refs}</ds:SignedInfo><ds:SignatureValue></ds:SignatureValue>\
<ds:KeyInfo>{key_identifier}</ds:KeyInfo></ds:Signature></wsse:Security>",
        wsse = crate::ns::WSSE,
        wsse11 = crate::ns::WSSE11,
        wsu = crate::ns::WSU,
        soap = env.version().namespace(),
        assertion = parts.assertion_text,
        id = escape(&parts.assertion_id),
        ds = crate::ns::DS,
        alg = key.default_algorithm().uri(),
    )
}
