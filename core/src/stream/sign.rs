//! Signatures checked on the fly: when the Body starts, the Security header
//! (already held in the prelude) tells which elements the signature
//! references; each one that lies beyond the prelude is canonicalized and
//! digested as it streams past. At the end of the envelope the prelude,
//! closed into a document, is verified as a whole message would be, with
//! the streamed digests standing in for the elements not held.

use std::sync::Arc;

use aws_lc_rs::digest::Digest;

use super::c14n::ExcC14n;
use super::error::{StreamError, StreamErrorKind as SK};
use super::event::StreamEvent;
use super::parser::RunStart;
use crate::dsig::model::RefTarget;
use crate::soap::parser::parse_for_verification;
use crate::wss::verifier::single_signature;
use crate::xml::text::attr_value;
use crate::xml::{uri, Span};
use crate::{DigestAlgorithm, Input, UtcTime, Verifier, VerifyError};

/// The outcome of a verified stream.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignatureVerdict {
    /// Subject of the signer's certificate, when it had one.
    pub signer: Option<String>,
    /// The signed elements, as `{namespace}local`.
    pub signed: Vec<String>,
}

struct Wanted {
    reference: usize,
    id: String,
    prefixes: Vec<String>,
    digest: DigestAlgorithm,
}

struct Tap {
    reference: usize,
    id: String,
    depth: u32,
    c14n: ExcC14n,
}

pub(crate) struct SigState {
    verifier: Arc<Verifier>,
    at: UtcTime,
    pub armed: bool,
    signed: bool,
    wanted: Vec<Wanted>,
    active: Vec<Tap>,
    reached: Vec<String>,
    done: Vec<(usize, String, Digest)>,
}

impl std::fmt::Debug for SigState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigState").field("armed", &self.armed).field("signed", &self.signed).finish_non_exhaustive()
    }
}

fn sig_error(e: &VerifyError) -> StreamError {
    StreamError::new(SK::Signature { code: e.code(), message: e.to_string() }, e.offset() as u64)
}

impl SigState {
    pub fn new(verifier: Arc<Verifier>, at: UtcTime) -> Self {
        SigState {
            verifier,
            at,
            armed: false,
            signed: false,
            wanted: Vec::new(),
            active: Vec::new(),
            reached: Vec::new(),
            done: Vec::new(),
        }
    }

    /// Reads the Security header from `doc` (the envelope up to the Body,
    /// closed with an empty Body) and arms a tap per reference beyond it.
    pub fn arm(&mut self, doc: &[u8]) -> Result<(), StreamError> {
        self.armed = true;
        let policy = self.verifier.policy();
        let limits = crate::Limits { max_document_bytes: doc.len().max(1), ..policy.limits };
        let input = Input::new(doc, &limits).map_err(|e| StreamError::xml(e, 0))?;
        let parsed =
            parse_for_verification(&input, &limits, &policy.signature_limits, None, Some(self.verifier.shapes()))
                .map_err(|e| sig_error(&e))?;
        let Some(header) = parsed.security.filter(|h| !h.signatures.is_empty()) else {
            return Ok(());
        };
        self.signed = true;
        let sig = single_signature(&header).map_err(|e| sig_error(&e))?;
        for (i, r) in sig.references.iter().enumerate() {
            let RefTarget::Id(id) = &r.target else { continue };
            if parsed.index.get(id).is_some() {
                // Signed in the header: the same ID again later is a duplicate.
                self.reached.push(id.to_string());
                continue;
            }
            let t = &r.transforms;
            let c14n = t.c14n.as_ref().filter(|c| c.method.is_exclusive() && !c.method.with_comments());
            let Some(c14n) = c14n.filter(|_| !t.enveloped && t.str_transform.is_none()) else {
                let message = "streamed references must use exclusive c14n without comments".to_string();
                return Err(StreamError::new(
                    SK::Signature { code: "signature.unsupported", message },
                    r.span.start() as u64,
                ));
            };
            let prefixes = c14n.prefix_list().into_iter().map(str::to_string).collect();
            self.wanted.push(Wanted { reference: i, id: id.to_string(), prefixes, digest: r.digest });
        }
        Ok(())
    }

    #[inline]
    pub fn on_event(&mut self, ev: &StreamEvent<'_>) -> Result<(), StreamError> {
        for tap in &mut self.active {
            tap.c14n.event(ev);
        }
        match ev {
            StreamEvent::Start(s) if !self.wanted.is_empty() || !self.reached.is_empty() => {
                for a in s.attrs() {
                    let is_id = matches!((a.name.ns, a.name.local), (uri::WSU, "Id") | ("", "Id" | "ID"));
                    if !is_id {
                        continue;
                    }
                    // The ID as the whole-input reader reads it (references
                    // expanded, whitespace normalized), not as written.
                    let Ok(raw) = std::str::from_utf8(a.raw_value) else { continue };
                    let value = attr_value(raw, Span::new(0, raw.len()), raw.contains('&'));
                    let value = value.as_ref();
                    if self.reached.iter().any(|r| r == value) {
                        let message = format!("ID {value:?} occurs twice");
                        return Err(StreamError::new(
                            SK::Signature { code: "signature.duplicate_id", message },
                            s.offset,
                        ));
                    }
                    while let Some(i) = self.wanted.iter().position(|w| w.id == value) {
                        let w = self.wanted.swap_remove(i);
                        let mut c14n = ExcC14n::new(w.digest, w.prefixes);
                        c14n.event(ev);
                        self.active.push(Tap { reference: w.reference, id: w.id, depth: s.depth, c14n });
                        self.reached.push(value.to_string());
                    }
                }
            }
            StreamEvent::End { depth, .. } => {
                while let Some(i) = self.active.iter().position(|t| t.depth == *depth) {
                    let t = self.active.swap_remove(i);
                    self.done.push((t.reference, t.id, t.c14n.finish()));
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// Runs of simple markup are taken once armed, above the Body (whose
    /// start arms) and the apex of every active tap.
    #[inline]
    pub fn run_floor(&self) -> Option<u32> {
        self.armed.then(|| self.active.iter().fold(2, |floor, t| floor.max(t.depth)))
    }

    pub fn run_begin(&mut self, window: &[u8], at: usize) {
        self.active.iter_mut().for_each(|t| t.c14n.run_begin(window, at));
    }

    #[inline]
    pub fn run_start(&mut self, window: &[u8], s: &RunStart<'_>) {
        self.active.iter_mut().for_each(|t| t.c14n.run_start(window, s));
    }

    #[inline]
    pub fn run_end(&mut self) {
        self.active.iter_mut().for_each(|t| t.c14n.run_end());
    }

    pub fn run_done(&mut self, window: &[u8], at: usize) {
        self.active.iter_mut().for_each(|t| t.c14n.run_done(window, at));
    }

    /// The verdict over the prelude document `doc`; `None` when unsigned.
    pub fn verdict(&self, doc: &[u8]) -> Result<Option<SignatureVerdict>, StreamError> {
        if !self.armed {
            let message = "the envelope ended before its Body: nothing was verified".to_string();
            return Err(StreamError::new(SK::Signature { code: "signature.not_checked", message }, doc.len() as u64));
        }
        if !self.signed {
            return Ok(None);
        }
        let limits = crate::Limits { max_document_bytes: doc.len().max(1), ..self.verifier.policy().limits };
        let input = Input::new(doc, &limits).map_err(|e| StreamError::xml(e, 0))?;
        let v = self.verifier.verify_streamed(&input, self.at, &self.done).map_err(|e| sig_error(&e))?;
        let signed = v.signed_elements().iter().map(|e| format!("{{{}}}{}", e.name.ns, e.name.local)).collect();
        Ok(Some(SignatureVerdict { signer: v.signer().map(|s| s.subject.clone()), signed }))
    }

    /// Bytes held by the taps (their digest contexts and namespace stacks).
    pub fn held(&self) -> usize {
        self.active.len() * 8192 + self.reached.iter().map(String::len).sum::<usize>()
    }
}
