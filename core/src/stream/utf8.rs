//! Incremental UTF-8 and XML character validation: a character cut by a
//! chunk edge waits (at most three bytes) for the next chunk.

use crate::xml::chars::find_illegal_char;
use crate::xml::error::XmlErrorKind as K;

/// The first invalid byte found, as an absolute offset and what was wrong.
pub(crate) type CharError = (u64, K);

/// A chunk's bytes from an offset on, as text, when they are all UTF-8.
pub(crate) type ChunkText<'c> = Option<(usize, &'c str)>;

#[derive(Debug, Default)]
pub(crate) struct Utf8State {
    tail: [u8; 4],
    tail_len: u8,
}

impl Utf8State {
    /// Validates `chunk`, which starts at absolute offset `base`. Returns the
    /// absolute offset up to which the input so far is valid and ends on a
    /// character boundary, and the error found there, if any. Bytes of an incomplete last
    /// character are remembered and completed by the next call. Also the
    /// chunk as text from an offset on, when all of it is UTF-8 (the common
    /// case; the parser slices names from it).
    pub fn validate<'c>(&mut self, chunk: &'c [u8], base: u64) -> (u64, Option<CharError>, ChunkText<'c>) {
        let (count, e, text) = self.validate_rel(chunk, base);
        (base.saturating_add_signed(count), e, text)
    }

    /// As [`validate`](Self::validate), relative to the chunk; an incomplete or
    /// bad character begun in an earlier chunk ends the valid part before it.
    fn validate_rel<'c>(&mut self, chunk: &'c [u8], base: u64) -> (i64, Option<CharError>, ChunkText<'c>) {
        let mut from = 0;
        if self.tail_len > 0 {
            let before = -i64::from(self.tail_len);
            match self.complete_tail(chunk, base) {
                Ok(None) => return (before, None, None),
                Ok(Some(used)) => from = used,
                Err(e) => return (before, Some(e), None),
            }
        }
        let rest = &chunk[from..];
        let mut text = None;
        let valid = match simdutf8::basic::from_utf8(rest) {
            Ok(t) => {
                text = Some((from, t));
                rest.len()
            }
            Err(_) => match std::str::from_utf8(rest) {
                Ok(_) => rest.len(),
                Err(e) if e.error_len().is_none() => {
                    let v = e.valid_up_to();
                    self.tail[..rest.len() - v].copy_from_slice(&rest[v..]);
                    self.tail_len = (rest.len() - v) as u8;
                    v
                }
                Err(e) => {
                    let v = e.valid_up_to();
                    if let Some(ill) = illegal(&rest[..v], base + from as u64) {
                        return ((ill.0 - base) as i64, Some(ill), None);
                    }
                    return ((from + v) as i64, Some((base + (from + v) as u64, K::InvalidUtf8)), None);
                }
            },
        };
        match illegal(&rest[..valid], base + from as u64) {
            Some(ill) => ((ill.0 - base) as i64, Some(ill), text),
            None => ((from + valid) as i64, None, text),
        }
    }

    /// Completes a character begun in an earlier chunk: `Ok(Some(n))` when
    /// the first `n` bytes of `chunk` finished it, `Ok(None)` when more are needed.
    fn complete_tail(&mut self, chunk: &[u8], base: u64) -> Result<Option<usize>, CharError> {
        let start = base - self.tail_len as u64;
        let need = match self.tail[0] {
            0xC0..=0xDF => 2,
            0xE0..=0xEF => 3,
            _ => 4,
        };
        let have = self.tail_len as usize;
        let take = (need - have).min(chunk.len());
        self.tail[have..have + take].copy_from_slice(&chunk[..take]);
        self.tail_len += take as u8;
        let bytes = &self.tail[..self.tail_len as usize];
        match std::str::from_utf8(bytes) {
            Ok(_) => {
                let r = illegal(bytes, start);
                self.tail_len = 0;
                match r {
                    Some(e) => Err(e),
                    None => Ok(Some(take)),
                }
            }
            Err(e) if e.error_len().is_none() => Ok(None),
            Err(_) => Err((start, K::InvalidUtf8)),
        }
    }

    /// Bytes of an incomplete character at the end of the input so far.
    pub fn pending(&self) -> usize {
        self.tail_len as usize
    }
}

fn illegal(valid: &[u8], base: u64) -> Option<CharError> {
    find_illegal_char(valid).map(|(at, c)| (base + at as u64, K::IllegalChar(c)))
}
