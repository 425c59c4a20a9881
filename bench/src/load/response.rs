//! The response check a gateway runs on an answer before passing it on:
//! well-formedness and limits, the envelope (or fault), and when a verifier
//! is given, the answer's signature.

use kuvert::{Envelope, Input, Limits, UtcTime, Verifier};

/// What checking one answer cost.
#[derive(Clone, Copy, Debug, Default)]
pub struct ResponseStats {
    /// Bytes passed on.
    pub bytes: u64,
    /// The most bytes held at once while checking.
    pub peak_buffered: u64,
}

/// Limits for answers of up to `len` bytes: the defaults, with the document
/// and text sizes raised to it (answers are trusted for size, not for form).
pub fn response_limits(len: usize) -> Limits {
    let defaults = Limits::default();
    Limits {
        max_document_bytes: defaults.max_document_bytes.max(len),
        max_text_bytes: defaults.max_text_bytes.max(len),
        ..defaults
    }
}

/// Checks one answer; `verifier` verifies its signature.
pub fn check_response(bytes: &[u8], verifier: Option<&Verifier>, at: UtcTime) -> Result<ResponseStats, String> {
    let limits = response_limits(bytes.len());
    let input = Input::new(bytes, &limits).map_err(|e| format!("answer: {e}"))?;
    match verifier {
        Some(v) => {
            v.verify_message(&input, at).map_err(|e| format!("answer signature: {e}"))?;
        }
        None => {
            Envelope::parse(&input, &limits).map_err(|e| format!("answer: {e}"))?;
        }
    }
    Ok(ResponseStats { bytes: bytes.len() as u64, peak_buffered: bytes.len() as u64 })
}
