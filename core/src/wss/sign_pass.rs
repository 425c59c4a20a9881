//! Signing in one reading: while the message is read (and checked) as an
//! envelope, every element `sign_message` signs is digested as it will be
//! written — with the `wsu:Id` the signer adds, where it adds one (see
//! [`C14n::with_apex_id`](crate::c14n::engine::C14n::with_apex_id)) — so the
//! signed message is written once, never read back. What the signer writes
//! itself, the Timestamp and the `SignedInfo`, it also writes in canonical
//! form ([`Form::Canonical`]) for their digest and the signature: the same
//! bytes the template way gets by reading them back (`sign_pass_tests`
//! compares the two ways' output byte for byte).
//!
//! The pass declines (and the message is signed through a template read
//! back whole, which reports what is wrong) whenever the signed message
//! could read differently from what was digested or break a limit that
//! reading it back would find: `wsu` bound to another namespace where an ID
//! is added, an element at its attribute or declaration limit, namespace
//! scopes near their limit, limits too small for the Security header, an
//! element's own ID that would not read back as a reference's `URI` (too
//! long, or with characters reading changes) or that no reference can name
//! (empty, an XPointer: the template way refuses those), more references
//! than a verifier reads.

use aws_lc_rs::digest;

use super::sign::{
    apply, id_edit, push_signed_info, push_timestamp, referable, refuse_duplicate_id, room_for_header_blocks,
    security_edit, security_header, Edit, Form, IdMaker, SignError, SignOptions, SignedInfoParts,
};
use crate::c14n::taps::Done;
use crate::dsig::base64;
use crate::dsig::parse::SignatureLimits;
use crate::dsig::sign::SigningKey;
use crate::dsig::{DigestAlgorithm, SignatureAlgorithm};
use crate::soap::Envelope;
use crate::time::UtcTime;
use crate::xml::reader::{Reader, StartTag};
use crate::xml::{Input, NsId};
use crate::Limits;

/// Depth of the deepest element of the Security header (Envelope 1, Header
/// 2, Security 3, Signature 4, SignedInfo 5, Reference 6, Transforms 7, Transform 8).
const SECURITY_DEPTH: usize = 8;
/// Namespace bindings the Security header adds in its scope (wsse, wsu, soapenv, ds).
const SECURITY_BINDINGS: usize = 4;
/// Longest element or attribute name the Security header has (`wsse:SecurityTokenReference`).
const LONGEST_NAME: usize = 27;
/// Bound on the attribute values the Security header writes (URIs of 95 bytes at most, IDs).
const LONGEST_VALUE: usize = 160;
/// Bound on the text the Security header writes besides the certificate (signature values).
const LONGEST_TEXT: usize = 1024;

/// An element the signature covers, in document order.
pub(crate) struct Target {
    pub id: String,
    /// The element is the Body.
    pub body: bool,
    /// The edit adding the ID, when the element has none.
    pub added: Option<Edit>,
}

/// The state of the signing pass, carried by the envelope parser.
pub(crate) struct SignPass<'s> {
    ids: IdMaker<'s>,
    digest: DigestAlgorithm,
    limits: Limits,
    pub targets: Vec<Target>,
    /// The pass cannot sign this message as it will read: sign it through the template.
    pub declined: bool,
}

impl<'s> SignPass<'s> {
    /// A pass over `src` with `limits` (those the signed message must meet),
    /// digesting with `digest`; declined at once when the limits leave no
    /// room for the Security header or `certificate_text`.
    pub(crate) fn new(src: &'s str, limits: &Limits, digest: DigestAlgorithm, certificate_text: usize) -> Self {
        let roomy = limits.max_depth >= SECURITY_DEPTH
            && limits.max_name_bytes >= LONGEST_NAME
            && limits.max_attribute_value_bytes >= LONGEST_VALUE
            && limits.max_text_bytes >= certificate_text.max(LONGEST_TEXT)
            && limits.max_attributes >= 4
            && limits.max_namespace_declarations >= 3;
        SignPass { ids: IdMaker::new(src), digest, limits: *limits, targets: Vec::new(), declined: !roomy }
    }

    /// The IDs of the document (for the Timestamp, token and signature IDs).
    pub(crate) fn ids(&mut self) -> &mut IdMaker<'s> {
        &mut self.ids
    }

    /// The element whose start tag `t` the reader just read is signed:
    /// digest it from here, with `existing` as its ID or a new one added.
    pub(crate) fn start(&mut self, r: &mut Reader<'s>, t: &StartTag, existing: Option<&str>, body: bool) {
        if self.declined {
            return;
        }
        let (id, added) = match existing {
            // The reference's `URI` is `#` and the ID, and must be read back within the limit.
            Some(id) if written_as_is(id) && referable(id) && id.len() < self.limits.max_attribute_value_bytes => {
                (id.to_owned(), None)
            }
            Some(_) => {
                self.declined = true;
                return;
            }
            None if self.can_add_id(r) => {
                let id = self.ids.at("id", t.span.start());
                let declared = r.declared_here().iter().any(|b| b.prefix == "wsu" && b.ns == NsId::WSU);
                let edit = id_edit(t.name.end as usize, &id, declared);
                (id, Some(edit))
            }
            None => {
                self.declined = true;
                return;
            }
        };
        let (reference, digest) = (self.targets.len(), self.digest);
        let added_id = added.as_ref().map(|_| Box::from(id.as_str()));
        r.with_taps(|taps, r| taps.start_signed_here(r, t, reference, digest, added_id));
        self.targets.push(Target { id, body, added });
    }

    /// Whether an ID can be added to the element just read as the signer
    /// adds it, reading the same: `wsu` unbound or bound to its namespace,
    /// room for two more attributes and one more declaration.
    fn can_add_id(&self, r: &Reader<'s>) -> bool {
        let wsu_free = r.resolve("wsu").map_or(true, |ns| ns == NsId::WSU);
        let declared = r.declared_here().len();
        wsu_free
            && r.attrs().len() + declared + 2 <= self.limits.max_attributes
            && declared < self.limits.max_namespace_declarations
    }

    /// Whether the message read can be signed by this pass: not declined,
    /// namespace scopes (`peak_in_scope` at most, as read) with room for the
    /// Security header's and an added ID's bindings, references within what
    /// a verifier reads.
    pub(crate) fn holds(&self, peak_in_scope: usize) -> bool {
        !self.declined
            && peak_in_scope + SECURITY_BINDINGS < self.limits.max_namespaces_in_scope
            && self.targets.len() < SignatureLimits::default().max_references
    }
}

/// Signs `input` in one reading, or `None` when the pass declines (the
/// message is then signed through a template read back whole). Errors are
/// the reading's, as `sign_message` reports them.
pub(crate) fn sign_in_one_pass(
    input: &Input<'_>,
    key: &SigningKey,
    now: UtcTime,
    options: &SignOptions,
    algorithm: SignatureAlgorithm,
) -> Result<Option<String>, SignError> {
    let src = input.as_str();
    let pass = SignPass::new(src, &options.limits, options.digest, key.certificate_text().len());
    let read = Envelope::parse_signing(input, &options.limits, pass)?;
    let env = &read.envelope;
    if let Some(sec) = env.security_header() {
        return Err(SignError::AlreadySigned(sec.span.start()));
    }
    room_for_header_blocks(env, 1, &options.limits)?;
    refuse_duplicate_id(read.duplicate)?;
    let mut pass = read.pass;
    let Some((mut ids, mut digests)) = references(&pass, &read.digests).filter(|_| pass.holds(read.peak_in_scope))
    else {
        return Ok(None);
    };
    let ts_id = pass.ids().next("TS");
    let expires = now.add_millis(i64::from(options.ttl_seconds) * 1000);
    digests.insert(1, timestamp_digest(&ts_id, now, expires, options));
    ids.insert(1, ts_id.clone());
    let signed_info = SignedInfoParts { algorithm, digest: options.digest, targets: &ids, digests: Some(&digests) };
    let value = signature_value(&signed_info, key)?;
    let header = security_header(env, key, now, expires, &ts_id, &signed_info, &value, pass.ids());
    let mut edits: Vec<Edit> = pass.targets.into_iter().filter_map(|t| t.added).collect();
    if input.encoding() != crate::Encoding::Utf8 {
        edits.push(Edit { start: 0, end: input.content_start(), text: String::new() });
    }
    edits.push(security_edit(src, env, header));
    let signed = apply(src, edits);
    if signed.len() > options.limits.document_cap() {
        return Ok(None);
    }
    Ok(Some(signed))
}

/// Whether an element's own ID reads back the same when written into a
/// reference's `URI` as it is: nothing that markup, references or
/// attribute-value normalization would change.
fn written_as_is(id: &str) -> bool {
    !id.bytes().any(|b| matches!(b, b'&' | b'<' | b'>' | b'"' | b'\'' | b'\t' | b'\n' | b'\r'))
}

/// The IDs and digests (base64) of the pass's targets in `sign_message`'s
/// order: the Body, then the header blocks (the Timestamp goes second).
fn references(pass: &SignPass<'_>, done: &[Done]) -> Option<(Vec<String>, Vec<String>)> {
    let body = pass.targets.iter().position(|t| t.body)?;
    let order = std::iter::once(body).chain((0..pass.targets.len()).filter(|&i| i != body));
    let mut ids = Vec::with_capacity(pass.targets.len() + 1);
    let mut digests = Vec::with_capacity(pass.targets.len() + 1);
    for i in order {
        let digest = done.iter().find(|d| d.reference == i)?;
        digests.push(base64::encode(digest.digest.as_ref()));
        ids.push(pass.targets[i].id.clone());
    }
    Some((ids, digests))
}

/// The digest of the Timestamp `security_header` writes, from its
/// canonical form.
fn timestamp_digest(ts_id: &str, now: UtcTime, expires: UtcTime, options: &SignOptions) -> String {
    let mut canonical = String::with_capacity(384);
    push_timestamp(&mut canonical, Form::Canonical, ts_id, now, expires);
    base64::encode(digest::digest(options.digest.aws_lc(), canonical.as_bytes()).as_ref())
}

/// The `SignatureValue` (base64) of the `SignedInfo` `parts` describe:
/// the signature of its canonical form.
fn signature_value(parts: &SignedInfoParts<'_>, key: &SigningKey) -> Result<String, SignError> {
    let mut canonical = String::with_capacity(512 + 400 * parts.targets.len());
    push_signed_info(&mut canonical, Form::Canonical, parts);
    let value = key.sign(parts.algorithm, canonical.as_bytes()).map_err(SignError::Key)?;
    Ok(base64::encode(&value))
}
