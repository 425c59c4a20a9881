//! Where canonical bytes go, and the small buffer in front of it.

/// A destination for canonical bytes: a buffer, a digest context, or anything
/// that consumes bytes in order.
pub trait Sink {
    /// Consumes the next bytes of output.
    fn write(&mut self, bytes: &[u8]);
}

impl Sink for Vec<u8> {
    fn write(&mut self, bytes: &[u8]) {
        self.extend_from_slice(bytes);
    }
}

impl<S: Sink + ?Sized> Sink for &mut S {
    fn write(&mut self, bytes: &[u8]) {
        (**self).write(bytes);
    }
}

const BUFFER: usize = 8 * 1024;

/// Runs up to this long are copied as one fixed block ([`Writer::push_run`]).
const RUN_BLOCK: usize = 32;

/// Collects small writes so that the sink (typically a digest) sees few, large updates.
pub(crate) struct Writer<S: Sink> {
    buf: Vec<u8>,
    sink: S,
}

impl<S: Sink> Writer<S> {
    pub fn new(sink: S) -> Self {
        Writer { buf: Self::buffer(), sink }
    }

    /// An empty buffer of the size a writer batches.
    pub fn buffer() -> Vec<u8> {
        Vec::with_capacity(BUFFER)
    }

    /// A writer batching in `buf` (emptied first).
    pub fn with_buffer(sink: S, mut buf: Vec<u8>) -> Self {
        buf.clear();
        Writer { buf, sink }
    }

    #[inline]
    pub fn push(&mut self, bytes: &[u8]) {
        if self.buf.len() + bytes.len() > BUFFER {
            self.flush();
            if bytes.len() > BUFFER {
                self.sink.write(bytes);
                return;
            }
        }
        self.buf.extend_from_slice(bytes);
    }

    /// `open`, `name` and `close` one after the other, with one check for room.
    #[inline(always)]
    pub fn push_wrapped<const O: usize, const C: usize>(&mut self, open: &[u8; O], name: &[u8], close: &[u8; C]) {
        if self.buf.len() + O + name.len() + C > BUFFER {
            self.push(open);
            self.push(name);
            self.push(close);
            return;
        }
        self.buf.extend_from_slice(open);
        self.buf.extend_from_slice(name);
        self.buf.extend_from_slice(close);
    }

    /// `open`, the run `src[at..end]` and `close`, like
    /// [`push_wrapped`](Self::push_wrapped). Runs (names, values) are
    /// mostly short, and copying one with `memcpy` costs a call; when `src`
    /// has the bytes, a short run is copied as a fixed block of
    /// [`RUN_BLOCK`] bytes (a few moves) and the buffer cut back to its end.
    #[inline(always)]
    pub fn push_run<const O: usize, const C: usize>(
        &mut self,
        open: &[u8; O],
        src: &[u8],
        (at, end): (usize, usize),
        close: &[u8; C],
    ) {
        let block = src.get(at..at + RUN_BLOCK).and_then(|b| <&[u8; RUN_BLOCK]>::try_from(b).ok());
        match block {
            Some(block) if end - at <= RUN_BLOCK && self.buf.len() + O + RUN_BLOCK + C <= BUFFER => {
                self.buf.extend_from_slice(open);
                let run_end = self.buf.len() + (end - at);
                self.buf.extend_from_slice(block);
                self.buf.truncate(run_end);
                self.buf.extend_from_slice(close);
            }
            _ => self.push_wrapped(open, &src[at..end], close),
        }
    }

    #[inline]
    pub fn push_char(&mut self, c: char) {
        let mut tmp = [0u8; 4];
        self.push(c.encode_utf8(&mut tmp).as_bytes());
    }

    pub fn flush(&mut self) {
        if !self.buf.is_empty() {
            self.sink.write(&self.buf);
            self.buf.clear();
        }
    }

    pub fn sink_mut(&mut self) -> &mut S {
        &mut self.sink
    }

    pub fn into_inner(mut self) -> S {
        self.flush();
        self.sink
    }

    /// The sink with everything written, and the (emptied) buffer.
    pub fn into_parts(mut self) -> (S, Vec<u8>) {
        self.flush();
        (self.sink, self.buf)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A run is written exactly, whether it is copied as a block or not:
    /// short or long, near the end of its source, near a full buffer.
    #[test]
    fn runs_are_written_exactly() {
        let src: Vec<u8> = (0..200u8).map(|i| b'a' + i % 26).collect();
        let runs = [(0, 0), (0, 5), (3, 35), (10, 60), (170, 200), (190, 195), (199, 200), (150, 182)];
        for fill in [0, BUFFER - 40, BUFFER - 33, BUFFER - 3] {
            let (mut fast, mut plain) = (Vec::new(), Vec::new());
            let mut w = Writer::new(&mut fast);
            let mut expected = Writer::new(&mut plain);
            w.push(&vec![b'.'; fill]);
            expected.push(&vec![b'.'; fill]);
            for (at, end) in runs {
                w.push_run(b"<", &src, (at, end), b">");
                expected.push_wrapped(b"<", &src[at..end], b">");
            }
            w.flush();
            expected.flush();
            assert!(fast == plain, "fill {fill}");
        }
    }
}
