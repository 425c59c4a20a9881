//! Async adapters (feature `async`): the pipeline over a tokio
//! `AsyncRead`/`AsyncWrite` pair, and as an `http_body::Body` wrapper whose
//! frames are the very `Bytes` received, each handed on only after the
//! engine accepted it (so the frame that ends a refused envelope never is).

use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use http_body::{Body, Frame, SizeHint};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

use super::error::StreamError;
use super::pipeline::{Pipeline, StreamReport};

/// An error of an async adapter: the engine refused the stream, or I/O failed.
#[non_exhaustive]
#[derive(Debug)]
pub enum AsyncStreamError<E> {
    /// The engine refused the bytes.
    Stream(StreamError),
    /// The underlying reader, writer or body failed.
    Io(E),
}

impl<E: std::fmt::Display> std::fmt::Display for AsyncStreamError<E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AsyncStreamError::Stream(e) => e.fmt(f),
            AsyncStreamError::Io(e) => write!(f, "I/O: {e}"),
        }
    }
}

impl<E: std::error::Error + 'static> std::error::Error for AsyncStreamError<E> {}

/// Copies `reader` to `writer` in chunks of `chunk` bytes through `pipeline`;
/// each chunk is written only once the engine accepted it.
pub async fn pass_through<R, W>(
    pipeline: &mut Pipeline,
    reader: &mut R,
    writer: &mut W,
    chunk: usize,
) -> Result<StreamReport, AsyncStreamError<std::io::Error>>
where
    R: AsyncRead + Unpin + ?Sized,
    W: AsyncWrite + Unpin + ?Sized,
{
    let mut buf = vec![0u8; chunk.max(1)];
    loop {
        let n = reader.read(&mut buf).await.map_err(AsyncStreamError::Io)?;
        if n == 0 {
            break;
        }
        pipeline.feed(&buf[..n]).map_err(AsyncStreamError::Stream)?;
        writer.write_all(&buf[..n]).await.map_err(AsyncStreamError::Io)?;
    }
    writer.flush().await.map_err(AsyncStreamError::Io)?;
    pipeline.finish().map_err(AsyncStreamError::Stream)
}

/// An `http_body::Body` of `Bytes` checked (and verified) by a pipeline as
/// it is polled: data frames pass unchanged once accepted; the body ends with
/// an error instead of its last frame when the engine refuses it.
#[derive(Debug)]
pub struct CheckedBody<B> {
    inner: B,
    pipeline: Pipeline,
    report: Option<StreamReport>,
    failed: bool,
}

impl<B> CheckedBody<B> {
    /// Wraps `inner`.
    pub fn new(inner: B, pipeline: Pipeline) -> Self {
        CheckedBody { inner, pipeline, report: None, failed: false }
    }

    /// The report, once the body has ended well.
    pub fn report(&self) -> Option<&StreamReport> {
        self.report.as_ref()
    }
}

impl<B> Body for CheckedBody<B>
where
    B: Body<Data = Bytes> + Unpin,
{
    type Data = Bytes;
    type Error = AsyncStreamError<B::Error>;

    fn poll_frame(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        let this = &mut *self;
        if this.failed || this.report.is_some() {
            return Poll::Ready(None);
        }
        let frame = match Pin::new(&mut this.inner).poll_frame(cx) {
            Poll::Pending => return Poll::Pending,
            Poll::Ready(f) => f,
        };
        let outcome = match frame {
            Some(Ok(frame)) => match frame.data_ref().map(|d| this.pipeline.feed(d)) {
                Some(Err(e)) => Err(AsyncStreamError::Stream(e)),
                _ => return Poll::Ready(Some(Ok(frame))),
            },
            Some(Err(e)) => Err(AsyncStreamError::Io(e)),
            None => match this.pipeline.finish() {
                Ok(report) => {
                    this.report = Some(report);
                    return Poll::Ready(None);
                }
                Err(e) => Err(AsyncStreamError::Stream(e)),
            },
        };
        this.failed = true;
        Poll::Ready(Some(outcome))
    }

    fn is_end_stream(&self) -> bool {
        self.failed || self.report.is_some()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use std::collections::VecDeque;
    use std::future::Future;
    use std::sync::Arc;
    use std::task::{Wake, Waker};

    use super::*;
    use crate::StreamLimits;

    struct Noop;
    impl Wake for Noop {
        fn wake(self: Arc<Self>) {}
    }

    /// Runs a future whose I/O is always ready (in-memory readers and writers).
    fn block_on<F: Future>(f: F) -> F::Output {
        let waker = Waker::from(Arc::new(Noop));
        let mut cx = Context::from_waker(&waker);
        let mut f = std::pin::pin!(f);
        loop {
            if let Poll::Ready(v) = f.as_mut().poll(&mut cx) {
                return v;
            }
        }
    }

    const DOC: &[u8] = b"<s:Envelope xmlns:s='http://schemas.xmlsoap.org/soap/envelope/'><s:Body><m:Op xmlns:m='urn:m'><m:X>1</m:X></m:Op></s:Body></s:Envelope>";

    #[test]
    fn async_read_to_write() {
        let mut p = Pipeline::new(StreamLimits::default());
        let mut out = Vec::new();
        let r = block_on(pass_through(&mut p, &mut &DOC[..], &mut out, 7)).unwrap();
        assert_eq!(out, DOC);
        assert_eq!(r.operation.map(|o| o.1), Some("Op".to_string()));
        let bad = &DOC[..DOC.len() - 3];
        let mut p = Pipeline::new(StreamLimits::default());
        let e = block_on(pass_through(&mut p, &mut &bad[..], &mut Vec::new(), 7)).unwrap_err();
        assert!(matches!(e, AsyncStreamError::Stream(_)));
    }

    struct Frames(VecDeque<Bytes>);
    impl Body for Frames {
        type Data = Bytes;
        type Error = std::convert::Infallible;
        fn poll_frame(
            mut self: Pin<&mut Self>,
            _: &mut Context<'_>,
        ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
            Poll::Ready(self.0.pop_front().map(|b| Ok(Frame::data(b))))
        }
    }

    fn collect(body: &mut CheckedBody<Frames>) -> (Vec<Bytes>, Option<String>) {
        let mut got = Vec::new();
        loop {
            match block_on(std::future::poll_fn(|cx| Pin::new(&mut *body).poll_frame(cx))) {
                Some(Ok(f)) => got.push(f.into_data().unwrap()),
                Some(Err(e)) => return (got, Some(e.to_string())),
                None => return (got, None),
            }
        }
    }

    #[test]
    fn body_frames_pass_unchanged_and_a_refused_one_is_withheld() {
        let frames: VecDeque<Bytes> = DOC.chunks(10).map(Bytes::copy_from_slice).collect();
        let first = frames[0].clone();
        let mut body = CheckedBody::new(Frames(frames), Pipeline::new(StreamLimits::default()));
        let (got, err) = collect(&mut body);
        assert_eq!(err, None);
        assert_eq!(got.concat(), DOC);
        assert_eq!(got[0].as_ptr(), first.as_ptr(), "zero-copy: the same buffer");
        assert!(body.report().is_some());
        let mut bad = DOC.to_vec();
        let at = bad.len() - 5;
        bad[at] = b'X';
        let frames = bad.chunks(10).map(Bytes::copy_from_slice).collect();
        let mut body = CheckedBody::new(Frames(frames), Pipeline::new(StreamLimits::default()));
        let (got, err) = collect(&mut body);
        assert!(err.is_some());
        assert!(got.concat().len() < bad.len(), "the frame that completes the refused tag is withheld");
    }
}
