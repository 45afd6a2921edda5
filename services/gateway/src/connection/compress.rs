//! COMPRESS=DEFLATE on the wire (RFC 4978 §4): after the session's OK,
//! both directions of the stream are raw deflate (RFC 1951, no zlib
//! header). [`DeflateStream`] wraps the plain or TLS stream.
//!
//! Invariants: every flush of the writer ends with a deflate sync flush,
//! so each response batch the connection loop flushes reaches the client
//! whole (RFC 4978 §4: the server flushes after each response batch);
//! memory is bounded whatever the compression ratio: input is inflated
//! straight into the caller's read buffer from a fixed-size buffer of
//! compressed bytes, and pending output never exceeds what one write gave.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use flate2::{Compress, Compression, Decompress, FlushCompress, FlushDecompress, Status};
use mailkeep_gateway_core::session::Session;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

use super::{Connection, Ended};

/// Compressed bytes read from the socket at a time.
const INPUT_BUFFER_BYTES: usize = 16 * 1024;

/// Spare output room kept for the deflater on each call.
const OUTPUT_RESERVE_BYTES: usize = 1024;

impl Connection {
    /// Ends a phase: after COMPRESS the connection goes on over deflate;
    /// after any other end (a STARTTLS refused mid-TLS cannot happen) it
    /// is closed.
    pub(super) async fn after_phase<S>(
        &mut self,
        session: &mut Session,
        ended: Ended<S>,
    ) -> io::Result<()>
    where
        S: AsyncRead + AsyncWrite + Unpin + Send + Sync,
    {
        let Ended::Compress(stream) = ended else {
            return Ok(());
        };
        tracing::debug!("compression active");
        self.serve_phase(session, DeflateStream::new(stream), false)
            .await
            .map(drop)
    }
}

/// A stream whose both directions are raw deflate.
pub(crate) struct DeflateStream<S> {
    inner: S,
    inflater: Decompress,
    /// Compressed input not yet inflated: `input[input_start..input_end]`.
    input: Box<[u8]>,
    input_start: usize,
    input_end: usize,
    input_closed: bool,
    deflater: Compress,
    /// Compressed output not yet written to `inner`.
    pending: Vec<u8>,
    /// Data was deflated since the last sync flush.
    needs_sync: bool,
}

impl<S> DeflateStream<S> {
    pub(crate) fn new(inner: S) -> Self {
        Self {
            inner,
            inflater: Decompress::new(false),
            input: vec![0; INPUT_BUFFER_BYTES].into_boxed_slice(),
            input_start: 0,
            input_end: 0,
            input_closed: false,
            deflater: Compress::new(Compression::default(), false),
            pending: Vec::new(),
            needs_sync: false,
        }
    }

    /// Inflates buffered input into `out`; how many bytes it produced.
    fn inflate_into(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let before_in = self.inflater.total_in();
        let before_out = self.inflater.total_out();
        let status = self
            .inflater
            .decompress(
                &self.input[self.input_start..self.input_end],
                out,
                FlushDecompress::None,
            )
            .map_err(|error| io::Error::new(io::ErrorKind::InvalidData, error))?;
        self.input_start += (self.inflater.total_in() - before_in) as usize;
        if status == Status::StreamEnd {
            self.input_closed = true;
        }
        Ok((self.inflater.total_out() - before_out) as usize)
    }

    /// Deflates `data` (all of it) onto `pending` with `flush`.
    fn deflate(&mut self, mut data: &[u8], flush: FlushCompress) -> io::Result<()> {
        loop {
            if self.pending.capacity() - self.pending.len() < OUTPUT_RESERVE_BYTES {
                self.pending.reserve(data.len() / 2 + OUTPUT_RESERVE_BYTES);
            }
            let before = self.deflater.total_in();
            self.deflater
                .compress_vec(data, &mut self.pending, flush)
                .map_err(|error| io::Error::new(io::ErrorKind::InvalidData, error))?;
            data = &data[(self.deflater.total_in() - before) as usize..];
            // Output that did not fill the room it had is all there is.
            if data.is_empty() && self.pending.len() < self.pending.capacity() {
                return Ok(());
            }
        }
    }
}

impl<S: AsyncWrite + Unpin> DeflateStream<S> {
    /// Writes every pending compressed byte to the inner stream.
    fn poll_drain(&mut self, context: &mut Context<'_>) -> Poll<io::Result<()>> {
        while !self.pending.is_empty() {
            let written = ready!(Pin::new(&mut self.inner).poll_write(context, &self.pending))?;
            if written == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            self.pending.drain(..written);
        }
        Poll::Ready(Ok(()))
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for DeflateStream<S> {
    fn poll_read(
        self: Pin<&mut Self>,
        context: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        loop {
            // Inflate first, even without new input: the inflater may hold
            // output a full buffer could not take last time.
            let produced = this.inflate_into(buf.initialize_unfilled())?;
            if produced > 0 {
                buf.advance(produced);
                return Poll::Ready(Ok(()));
            }
            if this.input_closed {
                return Poll::Ready(Ok(()));
            }
            if this.input_start < this.input_end {
                // Input the inflater could not use without more of it.
                this.input.copy_within(this.input_start..this.input_end, 0);
                this.input_end -= this.input_start;
                this.input_start = 0;
            } else {
                this.input_start = 0;
                this.input_end = 0;
            }
            if this.input_end == this.input.len() {
                return Poll::Ready(Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    "deflate input makes no progress",
                )));
            }
            let mut raw = ReadBuf::new(&mut this.input[this.input_end..]);
            ready!(Pin::new(&mut this.inner).poll_read(context, &mut raw))?;
            let read = raw.filled().len();
            if read == 0 {
                // The peer closed the connection.
                return Poll::Ready(Ok(()));
            }
            this.input_end += read;
        }
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for DeflateStream<S> {
    fn poll_write(
        self: Pin<&mut Self>,
        context: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        ready!(this.poll_drain(context))?;
        this.deflate(data, FlushCompress::None)?;
        this.needs_sync = true;
        Poll::Ready(Ok(data.len()))
    }

    fn poll_flush(self: Pin<&mut Self>, context: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if this.needs_sync {
            this.deflate(&[], FlushCompress::Sync)?;
            this.needs_sync = false;
        }
        ready!(this.poll_drain(context))?;
        Pin::new(&mut this.inner).poll_flush(context)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, context: &mut Context<'_>) -> Poll<io::Result<()>> {
        ready!(self.as_mut().poll_flush(context))?;
        Pin::new(&mut self.get_mut().inner).poll_shutdown(context)
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use flate2::write::{DeflateDecoder, DeflateEncoder};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    use super::*;

    /// What a client inflates from the server's bytes so far.
    fn inflate(bytes: &[u8]) -> Vec<u8> {
        let mut decoder = DeflateDecoder::new(Vec::new());
        decoder.write_all(bytes).unwrap();
        decoder.flush().unwrap();
        decoder.get_ref().clone()
    }

    #[tokio::test]
    async fn each_flush_delivers_the_responses_whole() {
        let (mut client, server) = tokio::io::duplex(1 << 20);
        let mut stream = DeflateStream::new(server);
        stream.write_all(b"* OK first\r\n").await.unwrap();
        stream.flush().await.unwrap();
        let mut received = vec![0; 4096];
        let count = client.read(&mut received).await.unwrap();
        let mut all = received[..count].to_vec();
        assert_eq!(inflate(&all), b"* OK first\r\n");
        // RFC 4978 §4: a sync flush ends with an empty stored block.
        assert!(all.ends_with(&[0, 0, 0xff, 0xff]));

        let big = vec![b'x'; 200_000];
        stream.write_all(&big).await.unwrap();
        stream.flush().await.unwrap();
        let first_batch = all.len();
        while all.len() == first_batch || !all.ends_with(&[0, 0, 0xff, 0xff]) {
            let count = client.read(&mut received).await.unwrap();
            all.extend_from_slice(&received[..count]);
        }
        assert!(
            all.len() - first_batch < 5_000,
            "compressed to {}",
            all.len()
        );
        assert_eq!(inflate(&all), [b"* OK first\r\n".as_slice(), &big].concat());
    }

    #[tokio::test]
    async fn reads_inflate_into_the_callers_buffer() {
        let (mut client, server) = tokio::io::duplex(1 << 20);
        let mut stream = DeflateStream::new(server);
        let mut encoder = DeflateEncoder::new(Vec::new(), Compression::best());
        let command = [
            b"a1 APPEND INBOX {100000+}\r\n".as_slice(),
            &[b'y'; 100_000],
        ]
        .concat();
        encoder.write_all(&command).unwrap();
        encoder.flush().unwrap();
        client.write_all(encoder.get_ref()).await.unwrap();
        drop(client);
        let mut inflated = Vec::new();
        let mut buffer = [0u8; 4096];
        loop {
            let count = stream.read(&mut buffer).await.unwrap();
            if count == 0 {
                break;
            }
            assert!(count <= buffer.len());
            inflated.extend_from_slice(&buffer[..count]);
        }
        assert_eq!(inflated, command);
    }

    #[tokio::test]
    async fn garbage_input_is_an_error() {
        let (mut client, server) = tokio::io::duplex(1024);
        let mut stream = DeflateStream::new(server);
        client.write_all(&[0xff; 64]).await.unwrap();
        let mut buffer = [0u8; 64];
        let error = stream.read(&mut buffer).await.unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::InvalidData);
    }
}
