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
