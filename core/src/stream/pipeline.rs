//! The gateway pipeline: the bytes pass through unchanged (the caller hands
//! on each chunk once `feed` accepted it) while the engine checks them, reads
//! the envelope, counts bytes and time and, at the end, gives its verdict
//! before the chunk holding the envelope's end tag is released.

use std::sync::Arc;
use std::time::{Duration, Instant};

use super::base64::Base64Tap;
use super::error::{StreamError, StreamErrorKind as SK};
use super::event::StreamEvent;
use super::parser::{Handler, RunStart, Runs, Status, StreamLimits, StreamParser};
use super::prelude::Shape;
use super::sign::{SigState, SignatureVerdict};
use crate::{Envelope, Input, SoapVersion, UtcTime, Verifier};

/// The platform's service level for large responses: over 1 MB, within 15 s
/// and at no less than 200 kB/s.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ServiceLevel {
    /// The response is over 1 MB, so the promise applies.
    pub applies: bool,
    /// It arrived (first to last byte) within 15 s.
    pub within_time: bool,
    /// It arrived at 200 kB/s or faster.
    pub fast_enough: bool,
}

impl ServiceLevel {
    const MB: u64 = 1_000_000;
    const MAX_SECONDS: f64 = 15.0;
    const MIN_RATE: f64 = 200_000.0;

    /// The service level of `bytes` received in `elapsed`.
    pub fn of(bytes: u64, elapsed: Duration) -> Self {
        let secs = elapsed.as_secs_f64();
        let rate = if secs > 0.0 { bytes as f64 / secs } else { f64::INFINITY };
        ServiceLevel {
            applies: bytes > Self::MB,
            within_time: secs <= Self::MAX_SECONDS,
            fast_enough: rate >= Self::MIN_RATE,
        }
    }

    /// Whether the promise was kept (always, when it does not apply).
    pub fn met(&self) -> bool {
        !self.applies || (self.within_time && self.fast_enough)
    }
}

/// What the pipeline saw: envelope metadata, accounting, service level.
#[non_exhaustive]
#[derive(Clone, Debug, Default, PartialEq)]
pub struct StreamReport {
    /// Bytes passed.
    pub bytes: u64,
    /// First to last byte.
    pub elapsed: Duration,
    /// The most bytes the engine held at once (parser and envelope prelude).
    pub peak_buffered: usize,
    /// SOAP version.
    pub version: Option<SoapVersion>,
    /// `wsa:Action`.
    pub action: Option<String>,
    /// `wsa:MessageID`.
    pub message_id: Option<String>,
    /// `wsa:RelatesTo` (reply).
    pub relates_to: Option<String>,
    /// The `wsse:Security` header for us, as an absolute byte range.
    pub security_header: Option<(u64, u64)>,
    /// The Body is a Fault: its code (local part) and reason.
    pub fault: Option<(String, String)>,
    /// Namespace and local name of the operation element (the Body's first child).
    pub operation: Option<(String, String)>,
    /// The signature verdict, when a verifier was given and the message is signed.
    pub signature: Option<SignatureVerdict>,
    /// Bytes decoded into the base64 sink.
    pub decoded_bytes: u64,
}

impl StreamReport {
    /// Megabytes (10^6) per second.
    pub fn mb_per_s(&self) -> f64 {
        let s = self.elapsed.as_secs_f64();
        if s > 0.0 {
            self.bytes as f64 / 1e6 / s
        } else {
            0.0
        }
    }

    /// The service level of this response.
    pub fn service_level(&self) -> ServiceLevel {
        ServiceLevel::of(self.bytes, self.elapsed)
    }
}

/// The response (or request) pipeline.
///
/// ```
/// use kuvert::{Pipeline, StreamLimits};
///
/// let doc = b"<s:Envelope xmlns:s='http://schemas.xmlsoap.org/soap/envelope/'>\
///             <s:Body><m:Op xmlns:m='urn:m'><m:X>1</m:X></m:Op></s:Body></s:Envelope>";
/// let mut pipeline = Pipeline::new(StreamLimits::default());
/// let mut passed = Vec::new();
/// for chunk in doc.chunks(16) {
///     pipeline.feed(chunk)?;
///     passed.extend_from_slice(chunk); // hand the chunk on, unchanged
/// }
/// let report = pipeline.finish()?;
/// assert_eq!(passed, doc);
/// assert_eq!(report.operation.unwrap().1, "Op");
/// # Ok::<(), kuvert::StreamError>(())
/// ```
#[derive(Debug)]
pub struct Pipeline {
    parser: StreamParser,
    limits: StreamLimits,
    shape: Shape,
    prelude: Vec<u8>,
    /// The prelude closed into a document, once complete.
    document: Option<Vec<u8>>,
    report: StreamReport,
    first: Option<Instant>,
    last: Option<Instant>,
    body_done: bool,
    sig: Option<SigState>,
    verdict_done: bool,
    base64: Option<Base64Tap>,
}

struct Events<'p> {
    shape: &'p mut Shape,
    body_done: &'p mut bool,
    sig: Option<&'p mut SigState>,
    base64: Option<&'p mut Base64Tap>,
    /// The prelude bytes before the current chunk (while it is being read).
    prelude: &'p [u8],
    chunk: &'p [u8],
    chunk_base: u64,
}

impl Events<'_> {
    /// At the Body's start: the header is complete; arm the signature taps.
    /// Out of line: it acts once, and the per-event path stays small.
    #[inline(never)]
    fn arm(&mut self, ev: &StreamEvent<'_>) -> Result<(), StreamError> {
        let (Some(sig), StreamEvent::Start(s)) = (self.sig.as_deref_mut(), ev) else { return Ok(()) };
        if sig.armed || s.depth != 2 || s.name.local != "Body" {
            return Ok(());
        }
        let Some(root) = self.shape.root_name() else { return Ok(()) };
        // The header is every byte before the Body: the prelude held so far,
        // then the start of the current chunk (the Body's tag may have begun
        // in an earlier chunk).
        let (held, at) = (self.prelude.len() as u64, s.offset);
        let head: (&[u8], &[u8]) = match at.checked_sub(self.chunk_base) {
            Some(n) if held == self.chunk_base => (self.prelude, &self.chunk[..n as usize]),
            None if at <= held => (&self.prelude[..at as usize], &[]),
            _ => {
                let message = "the header is larger than the prelude limit".to_string();
                return Err(StreamError::new(SK::Signature { code: "signature.not_checked", message }, at));
            }
        };
        let body = if s.name.prefix.is_empty() { "Body".to_string() } else { format!("{}:Body", s.name.prefix) };
        let mut doc = Vec::with_capacity(head.0.len() + head.1.len() + 64);
        doc.extend_from_slice(head.0);
        doc.extend_from_slice(head.1);
        doc.extend_from_slice(format!("<{body}/></{root}>").as_bytes());
        sig.arm(&doc)
    }
}

impl Handler for Events<'_> {
    fn event(&mut self, ev: &StreamEvent<'_>) -> Result<(), StreamError> {
        if matches!(ev, StreamEvent::Start(s) if s.depth == 2) {
            self.arm(ev)?;
        }
        if self.shape.stop.is_none() {
            self.shape.on_event(ev);
        }
        if let Some(sig) = self.sig.as_deref_mut() {
            sig.on_event(ev)?;
        }
        if let Some(b) = self.base64.as_deref_mut() {
            b.on_event(ev)?;
        }
        match ev {
            StreamEvent::Start(s) if s.depth == 2 && *self.body_done => {
                let m = "SOAP: an element after the Body".to_string();
                Err(StreamError::new(SK::Envelope(m), s.offset))
            }
            StreamEvent::End { depth: 2, .. } if self.shape.stop.is_some() => {
                *self.body_done = true;
                Ok(())
            }
            _ => Ok(()),
        }
    }
}

/// Runs of simple markup go to the signature taps only: once the prelude
/// is read the envelope's shape needs no more events, and nothing of the
/// depth-2 checks lies in a run (its floor is at least the Body's depth).
/// A base64 tap looks at every start tag: no runs with one.
impl Runs for Events<'_> {
    #[inline]
    fn run_floor(&mut self) -> Option<u32> {
        if self.shape.stop.is_none() || self.base64.is_some() {
            return None;
        }
        self.sig.as_deref().map_or(Some(2), SigState::run_floor)
    }

    fn run_begin(&mut self, window: &[u8], at: usize) {
        if let Some(sig) = self.sig.as_deref_mut() {
            sig.run_begin(window, at);
        }
    }

    #[inline]
    fn run_start(&mut self, window: &[u8], s: &RunStart<'_>) {
        if let Some(sig) = self.sig.as_deref_mut() {
            sig.run_start(window, s);
        }
    }

    #[inline]
    fn run_end(&mut self) {
        if let Some(sig) = self.sig.as_deref_mut() {
            sig.run_end();
        }
    }

    fn run_done(&mut self, window: &[u8], at: usize) {
        if let Some(sig) = self.sig.as_deref_mut() {
            sig.run_done(window, at);
        }
    }
}

impl Pipeline {
    /// A pipeline with `limits`.
    pub fn new(limits: StreamLimits) -> Self {
        Pipeline {
            parser: StreamParser::new(limits),
            limits,
            shape: Shape::default(),
            prelude: Vec::new(),
            document: None,
            report: StreamReport::default(),
            first: None,
            last: None,
            body_done: false,
            sig: None,
            verdict_done: false,
            base64: None,
        }
    }

    /// Also decodes the base64 content of every element `{ns}local` into
    /// `sink` as it passes (an attachment written out without being held).
    pub fn decode_base64(mut self, ns: &str, local: &str, sink: Box<dyn crate::Sink + Send>) -> Self {
        self.base64 = Some(Base64Tap::new(ns, local, sink));
        self
    }

    /// A pipeline that also verifies a signed message's signature with
    /// `verifier` at time `at` (an unsigned message passes unverified; the
    /// report's `signature` says which).
    pub fn verifying(limits: StreamLimits, verifier: Arc<Verifier>, at: UtcTime) -> Self {
        let mut p = Pipeline::new(limits);
        p.sig = Some(SigState::new(verifier, at));
        p
    }

    /// Checks the next chunk (received now). On `Ok` hand the chunk on unchanged.
    pub fn feed(&mut self, chunk: &[u8]) -> Result<Status, StreamError> {
        self.feed_at(chunk, Instant::now())
    }

    /// As [`Pipeline::feed`], with the time the chunk was received.
    pub fn feed_at(&mut self, chunk: &[u8], now: Instant) -> Result<Status, StreamError> {
        self.first.get_or_insert(now);
        self.last = Some(now);
        let capturing = self.document.is_none();
        let chunk_base = self.parser.bytes();
        let mut events = Events {
            shape: &mut self.shape,
            body_done: &mut self.body_done,
            sig: self.sig.as_mut(),
            base64: self.base64.as_mut(),
            prelude: &self.prelude,
            chunk,
            chunk_base,
        };
        let status = self.parser.feed_runs(chunk, &mut events)?;
        if capturing {
            self.capture(chunk, chunk_base);
            self.track_peak();
            self.after_capture()?;
        }
        if status == Status::Complete {
            self.verdict()?;
        }
        self.track_peak();
        Ok(status)
    }

    /// Ends the stream: the final verdict. A gateway releases the last chunk
    /// only after this returned `Ok`.
    pub fn finish(&mut self) -> Result<StreamReport, StreamError> {
        let mut events = Events {
            shape: &mut self.shape,
            body_done: &mut self.body_done,
            sig: self.sig.as_mut(),
            base64: self.base64.as_mut(),
            prelude: &self.prelude,
            chunk: &[],
            chunk_base: self.parser.bytes(),
        };
        self.parser.finish_runs(&mut events)?;
        if self.document.is_none() {
            self.after_capture()?;
            if self.document.is_none() {
                let m = "SOAP: the envelope ended before its Body".to_string();
                return Err(StreamError::new(SK::Envelope(m), self.parser.bytes()));
            }
        }
        self.verdict()?;
        self.track_peak();
        self.report.bytes = self.parser.bytes();
        self.report.decoded_bytes = self.base64.as_ref().map_or(0, |b| b.decoded);
        if let (Some(a), Some(b)) = (self.first, self.last) {
            self.report.elapsed = b - a;
        }
        Ok(self.report.clone())
    }

    /// The envelope prelude closed into a small document, once read: parse it
    /// with [`Envelope::parse`] for everything the envelope reader gives
    /// (offsets in it are offsets in the stream).
    pub fn prelude_document(&self) -> Option<&[u8]> {
        self.document.as_deref()
    }

    /// What is known so far (metadata once the prelude is read).
    pub fn report(&self) -> &StreamReport {
        &self.report
    }

    /// Bytes received.
    pub fn bytes(&self) -> u64 {
        self.parser.bytes()
    }

    /// The signature verdict, once, when the envelope has ended.
    fn verdict(&mut self) -> Result<(), StreamError> {
        if self.verdict_done {
            return Ok(());
        }
        let (Some(sig), Some(doc)) = (&self.sig, &self.document) else { return Ok(()) };
        self.verdict_done = true;
        self.report.signature = sig.verdict(doc)?;
        Ok(())
    }

    fn track_peak(&mut self) {
        let taps = self.sig.as_ref().map_or(0, SigState::held) + self.base64.as_ref().map_or(0, Base64Tap::held);
        let held =
            taps + self.parser.buffered() + self.prelude.capacity() + self.document.as_ref().map_or(0, Vec::capacity);
        self.report.peak_buffered = self.report.peak_buffered.max(held).max(self.parser.peak_buffered());
    }

    /// Keeps the part of `chunk` (at absolute `base`) that belongs to the
    /// prelude: up to its end once known, never more than the limit allows.
    fn capture(&mut self, chunk: &[u8], base: u64) {
        let want = match self.shape.stop {
            Some(stop) => stop.saturating_sub(base).min(chunk.len() as u64) as usize,
            None => chunk.len(),
        };
        let room = (self.limits.max_prelude_bytes + 1).saturating_sub(self.prelude.len());
        self.prelude.extend_from_slice(&chunk[..want.min(room)]);
    }

    /// Once the prelude's end is known: close it, read it, record the metadata.
    fn after_capture(&mut self) -> Result<(), StreamError> {
        let Some(stop) = self.shape.stop else {
            if self.prelude.len() > self.limits.max_prelude_bytes {
                let limit = self.limits.max_prelude_bytes;
                return Err(StreamError::new(SK::PreludeTooLarge { limit }, limit as u64));
            }
            return Ok(());
        };
        if stop as usize > self.prelude.len() {
            let limit = self.limits.max_prelude_bytes;
            return Err(StreamError::new(SK::PreludeTooLarge { limit }, limit as u64));
        }
        let mut doc = std::mem::take(&mut self.prelude);
        doc.truncate(stop as usize);
        doc.extend_from_slice(self.shape.closing.as_bytes());
        doc.shrink_to_fit();
        self.read_envelope(&doc)?;
        self.document = Some(doc);
        Ok(())
    }

    fn read_envelope(&mut self, doc: &[u8]) -> Result<(), StreamError> {
        let limits = crate::Limits { max_document_bytes: doc.len().max(1), ..self.limits.xml };
        let input = Input::new(doc, &limits).map_err(|e| StreamError::xml(e, 0))?;
        let env = Envelope::parse(&input, &limits).map_err(|e| StreamError::envelope(&e))?;
        let r = &mut self.report;
        let a = env.addressing();
        let text = |v: &Option<crate::TextValue<'_>>| v.as_ref().map(|t| t.trimmed().to_string());
        r.version = Some(env.version());
        r.action = text(&a.action);
        r.message_id = text(&a.message_id);
        r.relates_to = text(&a.relates_to);
        r.security_header = env.security_header().map(|h| (h.span.start() as u64, h.span.end() as u64));
        r.fault = env.fault().map(|f| (f.code.local.to_string(), f.reason.as_str().to_string()));
        r.operation = env.operation().map(|o| (o.name.ns.to_string(), o.name.local.to_string()));
        Ok(())
    }
}
