//! The response check a gateway runs on an answer while passing it on:
//! well-formedness and limits, the envelope or fault, and when a verifier is
//! given the signature. An answer that arrives in one chunk (up to 64 KiB, as
//! lookups do) is read whole, which is cheaper; a longer one goes through the
//! streaming [`Pipeline`] chunk by chunk, the signature verified on the fly,
//! holding a bounded number of bytes whatever its size.

use std::sync::Arc;

use kuvert::{Envelope, Input, Limits, Pipeline, StreamLimits, UtcTime, Verifier};

/// The chunk size answers are handed on in (a typical socket read).
pub const CHUNK: usize = 64 << 10;

/// What checking one answer cost.
#[derive(Clone, Copy, Debug, Default)]
pub struct ResponseStats {
    /// Bytes passed on.
    pub bytes: u64,
    /// The most bytes the pipeline held at once.
    pub peak_buffered: u64,
}

/// XML limits for answers of up to `len` bytes (the whole-input reader, used
/// where a whole answer is read: signing the harness's answers): the
/// defaults, with the document and text sizes raised to it.
pub fn response_limits(len: usize) -> Limits {
    let defaults = Limits::default();
    Limits {
        max_document_bytes: defaults.max_document_bytes.max(len),
        max_text_bytes: defaults.max_text_bytes.max(len),
        ..defaults
    }
}

/// Streams one answer through the pipeline; with `verifier`, the answer must
/// be signed and its signature valid.
pub fn check_response(bytes: &[u8], verifier: Option<&Arc<Verifier>>, at: UtcTime) -> Result<ResponseStats, String> {
    if bytes.len() <= CHUNK {
        return check_whole(bytes, verifier, at);
    }
    let limits = StreamLimits::default();
    let mut pipeline = match verifier {
        Some(v) => Pipeline::verifying(limits, Arc::clone(v), at),
        None => Pipeline::new(limits),
    };
    for chunk in bytes.chunks(CHUNK) {
        pipeline.feed(chunk).map_err(|e| format!("answer: {e}"))?;
    }
    let report = pipeline.finish().map_err(|e| format!("answer: {e}"))?;
    if verifier.is_some() && report.signature.is_none() {
        return Err("answer: not signed".to_owned());
    }
    Ok(ResponseStats { bytes: report.bytes, peak_buffered: report.peak_buffered as u64 })
}

/// One chunk's answer, read whole.
fn check_whole(bytes: &[u8], verifier: Option<&Arc<Verifier>>, at: UtcTime) -> Result<ResponseStats, String> {
    let limits = Limits::default();
    let input = Input::new(bytes, &limits).map_err(|e| format!("answer: {e}"))?;
    match verifier {
        Some(v) => drop(v.verify_message(&input, at).map_err(|e| format!("answer signature: {e}"))?),
        None => drop(Envelope::parse(&input, &limits).map_err(|e| format!("answer: {e}"))?),
    }
    Ok(ResponseStats { bytes: bytes.len() as u64, peak_buffered: bytes.len() as u64 })
}
