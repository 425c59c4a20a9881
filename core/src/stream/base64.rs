//! Decoding a named base64 element into a caller's sink as it streams past
//! (an attachment written to a file without being held): whitespace is
//! skipped, at most a few kilobytes of base64 wait for a full group.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;

use super::error::{StreamError, StreamErrorKind as SK};
use super::event::StreamEvent;
use crate::xml::is_ws;
use crate::Sink;

const BATCH: usize = 16 << 10;

pub(crate) struct Base64Tap {
    ns: String,
    local: String,
    sink: Box<dyn Sink + Send>,
    depth: Option<u32>,
    pending: Vec<u8>,
    out: Vec<u8>,
    ended: bool,
    pub decoded: u64,
}

impl std::fmt::Debug for Base64Tap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Base64Tap").field("ns", &self.ns).field("local", &self.local).finish_non_exhaustive()
    }
}

fn bad(offset: u64, what: &str) -> StreamError {
    StreamError::new(SK::Base64(what.to_string()), offset)
}

impl Base64Tap {
    pub fn new(ns: &str, local: &str, sink: Box<dyn Sink + Send>) -> Self {
        Base64Tap {
            ns: ns.to_string(),
            local: local.to_string(),
            sink,
            depth: None,
            pending: Vec::with_capacity(BATCH + 4),
            out: Vec::with_capacity(BATCH / 4 * 3),
            ended: false,
            decoded: 0,
        }
    }

    pub fn on_event(&mut self, ev: &StreamEvent<'_>) -> Result<(), StreamError> {
        match (ev, self.depth) {
            (StreamEvent::Start(s), None) if s.name.ns == self.ns && s.name.local == self.local => {
                self.depth = Some(s.depth);
                self.pending.clear();
                self.ended = false;
            }
            (StreamEvent::Start(s), Some(_)) => return Err(bad(s.offset, "an element inside base64 content")),
            (StreamEvent::Text { has_ref: true, offset, .. }, Some(_)) => {
                return Err(bad(*offset, "a reference inside base64 content"))
            }
            (StreamEvent::Text { raw, offset, .. }, Some(_)) => self.feed(raw, *offset)?,
            (StreamEvent::CData { raw, offset }, Some(_)) => self.feed(&raw[9..raw.len() - 3], *offset)?,
            (StreamEvent::End { depth, offset, .. }, Some(d)) if *depth == d => {
                self.decode(*offset)?;
                if !self.pending.is_empty() {
                    return Err(bad(*offset, "base64 content not a whole number of groups"));
                }
                self.depth = None;
            }
            _ => {}
        }
        Ok(())
    }

    fn feed(&mut self, raw: &[u8], offset: u64) -> Result<(), StreamError> {
        for piece in raw.split(|&b| is_ws(b)) {
            if piece.is_empty() {
                continue;
            }
            if self.ended {
                return Err(bad(offset, "base64 content after its padding"));
            }
            self.pending.extend_from_slice(piece);
            if self.pending.len() >= BATCH {
                self.decode(offset)?;
            }
        }
        Ok(())
    }

    /// Decodes every whole group held.
    fn decode(&mut self, offset: u64) -> Result<(), StreamError> {
        let n = self.pending.len() / 4 * 4;
        if n == 0 {
            return Ok(());
        }
        self.out.resize(n / 4 * 3, 0);
        let len =
            STANDARD.decode_slice(&self.pending[..n], &mut self.out).map_err(|_| bad(offset, "invalid base64"))?;
        self.sink.write(&self.out[..len]);
        self.decoded += len as u64;
        self.ended = self.pending[n - 1] == b'=';
        self.pending.drain(..n);
        Ok(())
    }

    pub fn held(&self) -> usize {
        self.pending.capacity() + self.out.capacity()
    }
}
