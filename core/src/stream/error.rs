//! Errors of the streaming engine.

use std::fmt;

use crate::{EnvelopeError, XmlError};

/// What went wrong in a stream.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StreamErrorKind {
    /// The bytes are not well-formed XML, or break a [`Limits`](crate::Limits) value.
    Xml(crate::XmlErrorKind),
    /// The stream is longer than [`StreamLimits::max_stream_bytes`](super::StreamLimits).
    StreamTooLarge {
        /// The configured limit.
        limit: u64,
    },
    /// The part read before the Body's payload (envelope, header, call context, fault)
    /// is longer than [`StreamLimits::max_prelude_bytes`](super::StreamLimits).
    PreludeTooLarge {
        /// The configured limit.
        limit: usize,
    },
    /// The envelope is not a valid SOAP envelope (what the envelope reader says).
    Envelope(String),
    /// The signature was refused (or the response can not be verified streaming).
    Signature {
        /// The verifier's error code.
        code: &'static str,
        /// What it said.
        message: String,
    },
    /// The base64 element being decoded holds something else than base64.
    Base64(String),
    /// `feed` was called after the stream ended or failed.
    Finished,
}

/// A stream error: what and the absolute byte offset in the stream.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StreamError {
    kind: StreamErrorKind,
    offset: u64,
}

impl StreamError {
    pub(crate) fn new(kind: StreamErrorKind, offset: u64) -> Self {
        StreamError { kind, offset }
    }

    /// An XML error found in a window that starts at absolute offset `base`.
    pub(crate) fn xml(e: XmlError, base: u64) -> Self {
        StreamError::new(StreamErrorKind::Xml(e.kind()), base + e.offset() as u64)
    }

    pub(crate) fn envelope(e: &EnvelopeError) -> Self {
        StreamError::new(StreamErrorKind::Envelope(e.to_string()), e.offset() as u64)
    }

    /// What went wrong.
    pub fn kind(&self) -> &StreamErrorKind {
        &self.kind
    }

    /// Absolute byte offset in the stream.
    pub fn offset(&self) -> u64 {
        self.offset
    }

    /// A stable, machine-readable name of the kind.
    pub fn code(&self) -> &'static str {
        match &self.kind {
            StreamErrorKind::Xml(k) => k.code(),
            StreamErrorKind::StreamTooLarge { .. } => "limit.stream_size",
            StreamErrorKind::PreludeTooLarge { .. } => "limit.prelude_size",
            StreamErrorKind::Envelope(_) => "soap.envelope",
            StreamErrorKind::Signature { code, .. } => code,
            StreamErrorKind::Base64(_) => "stream.base64",
            StreamErrorKind::Finished => "stream.finished",
        }
    }
}

impl fmt::Display for StreamError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            StreamErrorKind::Xml(k) => write!(f, "{k} at byte {}", self.offset),
            StreamErrorKind::StreamTooLarge { limit } => write!(f, "stream longer than {limit} bytes"),
            StreamErrorKind::PreludeTooLarge { limit } => {
                write!(f, "envelope prelude longer than {limit} bytes at byte {}", self.offset)
            }
            StreamErrorKind::Envelope(m) => write!(f, "{m}"),
            StreamErrorKind::Signature { message, .. } => write!(f, "signature refused: {message}"),
            StreamErrorKind::Base64(m) => write!(f, "{m} at byte {}", self.offset),
            StreamErrorKind::Finished => f.write_str("stream already finished"),
        }
    }
}

impl std::error::Error for StreamError {}
