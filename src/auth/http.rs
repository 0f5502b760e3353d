//! An incremental HTTP/1.x response parser for the pre-authentication reply: the status line and
//! headers through `httparse`, then a body framed by `Content-Length`, by chunks (chunk sizes
//! through `httparse::parse_chunk_size`) or by the connection closing. Knows nothing of what
//! the body holds.

use crate::prelude::*;
use core::fmt;

pub use iotmqtt_engine::limits::MAX_RESPONSE_LEN;
/// Most headers a response may carry (spelled out in the `TooManyHeaders` message).
const MAX_HEADERS: usize = 32;
const _: () = assert!(MAX_HEADERS == 32);
/// Longest chunk-size or trailer line.
const MAX_LINE_LEN: usize = 256;

/// Why a response could not be read. The `Display` text is meant for the log.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HttpError {
    /// The connection closed before any byte of a reply.
    EmptyResponse,
    /// The connection closed inside the status line or headers.
    TruncatedHead,
    /// The connection closed before the body was complete.
    TruncatedBody,
    /// The response exceeds the parser's cap (a hostile or broken server).
    ResponseTooLarge {
        /// The cap in bytes.
        limit: usize,
    },
    /// The status line or a header is not valid HTTP/1.x.
    MalformedHead,
    /// More headers than the parser accepts.
    TooManyHeaders,
    /// A `Content-Length` that is not a number, or two that disagree.
    BadContentLength,
    /// A `Transfer-Encoding` other than chunked.
    UnsupportedTransferEncoding,
    /// Broken chunked framing.
    MalformedChunk,
    /// `finish` was called after the response was already complete.
    AlreadyComplete,
}

impl fmt::Display for HttpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HttpError::EmptyResponse => {
                f.write_str("auth server closed the connection without replying")
            }
            HttpError::TruncatedHead => {
                f.write_str("auth server closed the connection in the middle of the HTTP headers")
            }
            HttpError::TruncatedBody => {
                f.write_str("auth server closed the connection before the reply body was complete")
            }
            HttpError::ResponseTooLarge { limit } => {
                write!(f, "auth server reply is larger than {limit} bytes, aborted")
            }
            HttpError::MalformedHead => f.write_str("auth server reply is not valid HTTP"),
            // The number spelled out: formatting it would add code to every firmware image.
            HttpError::TooManyHeaders => {
                f.write_str("auth server reply has more than 32 HTTP headers")
            }
            HttpError::BadContentLength => {
                f.write_str("auth server reply has an invalid Content-Length")
            }
            HttpError::UnsupportedTransferEncoding => {
                f.write_str("auth server reply uses an unsupported Transfer-Encoding")
            }
            HttpError::MalformedChunk => {
                f.write_str("auth server reply has malformed chunked encoding")
            }
            HttpError::AlreadyComplete => {
                f.write_str("auth reply parser: response was already complete")
            }
        }
    }
}

impl core::error::Error for HttpError {}

/// A complete HTTP response. Debug output shows only the status and the length (the body carries
/// the token).
#[derive(Clone, PartialEq, Eq)]
pub struct Body {
    /// HTTP status code.
    pub status: u16,
    /// The decoded body (chunked framing removed).
    pub content: Vec<u8>,
}

impl fmt::Debug for Body {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Body")
            .field("status", &self.status)
            .field(
                "content",
                &format_args!("<{} bytes, redacted>", self.content.len()),
            )
            .finish()
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum State {
    /// Collecting the status line and headers.
    Head,
    /// `Content-Length` body with this many bytes to go.
    Length(usize),
    /// Reading a chunk-size line.
    ChunkSize,
    /// Inside a chunk, this many bytes to go.
    ChunkData(usize),
    /// Expecting the CRLF after a chunk's data.
    ChunkDataEnd,
    /// After the last chunk: trailer lines up to the empty line.
    Trailers,
    /// Body delimited by the connection closing.
    UntilClose,
    /// The body was handed out.
    Done,
    /// A previous call failed; the error sticks.
    Failed(HttpError),
}

/// Incremental HTTP/1.x response parser for the auth reply. Accepts input split anywhere (down to
/// one byte per call); handles `Content-Length`, `Transfer-Encoding: chunked` and bodies that end
/// when the connection closes; skips interim 1xx responses; caps the whole response. Debug output
/// leaves out the buffered bytes (they may carry the token).
#[derive(Clone)]
pub struct ResponseParser {
    state: State,
    limit: usize,
    consumed: usize,
    status: u16,
    head: Vec<u8>,
    line: Vec<u8>,
    body: Vec<u8>,
}

impl fmt::Debug for ResponseParser {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResponseParser")
            .field("state", &self.state)
            .field("limit", &self.limit)
            .field("consumed", &self.consumed)
            .field("status", &self.status)
            .field("body_len", &self.body.len())
            .finish_non_exhaustive()
    }
}

impl Default for ResponseParser {
    fn default() -> Self {
        Self::new()
    }
}

impl ResponseParser {
    /// A parser with the default cap of [`MAX_RESPONSE_LEN`] bytes.
    pub fn new() -> Self {
        Self::with_limit(MAX_RESPONSE_LEN)
    }

    /// A parser that rejects responses longer than `limit` bytes in total.
    pub fn with_limit(limit: usize) -> Self {
        ResponseParser {
            state: State::Head,
            limit,
            consumed: 0,
            status: 0,
            head: Vec::new(),
            line: Vec::new(),
            body: Vec::new(),
        }
    }

    /// Feeds bytes read from the connection. Returns `Ok(Some(body))` once, when the response is
    /// complete; bytes after that are ignored. Errors are sticky: later calls return them again.
    pub fn feed(&mut self, bytes: &[u8]) -> Result<Option<Body>, HttpError> {
        if let State::Failed(e) = self.state {
            return Err(e);
        }
        let r = self.run(bytes);
        if let Err(e) = r {
            self.state = State::Failed(e);
        }
        r
    }

    /// The connection reached EOF: completes a body delimited by the close, fails otherwise.
    pub fn finish(&mut self) -> Result<Body, HttpError> {
        let r = match &self.state {
            State::Failed(e) => Err(*e),
            State::UntilClose => Ok(self.complete()),
            State::Head if self.consumed == 0 => Err(HttpError::EmptyResponse),
            State::Head => Err(HttpError::TruncatedHead),
            State::Done => Err(HttpError::AlreadyComplete),
            State::Length(_)
            | State::ChunkSize
            | State::ChunkData(_)
            | State::ChunkDataEnd
            | State::Trailers => Err(HttpError::TruncatedBody),
        };
        if let Err(e) = r {
            self.state = State::Failed(e);
        }
        r
    }

    fn charge(&mut self, n: usize) -> Result<(), HttpError> {
        self.consumed = self.consumed.saturating_add(n);
        if self.consumed > self.limit {
            return Err(HttpError::ResponseTooLarge { limit: self.limit });
        }
        Ok(())
    }

    /// Would `n` more bytes overflow the cap?
    fn check_room(&self, n: usize) -> Result<(), HttpError> {
        match self.consumed.checked_add(n) {
            Some(total) if total <= self.limit => Ok(()),
            _ => Err(HttpError::ResponseTooLarge { limit: self.limit }),
        }
    }

    fn complete(&mut self) -> Body {
        self.state = State::Done;
        self.head = Vec::new();
        self.line = Vec::new();
        Body {
            status: self.status,
            content: core::mem::take(&mut self.body),
        }
    }

    /// Takes up to `remaining` bytes of body from `input`; returns what is left of both.
    fn take_body<'a>(
        &mut self,
        input: &'a [u8],
        remaining: usize,
    ) -> Result<(&'a [u8], usize), HttpError> {
        let n = remaining.min(input.len());
        let (now, rest) = input.split_at_checked(n).unwrap_or((input, &[]));
        self.charge(now.len())?;
        self.body.extend_from_slice(now);
        Ok((rest, remaining.saturating_sub(now.len())))
    }

    /// Appends one byte to the current line; returns it when the line ended (`\n` seen).
    fn line_byte(&mut self, b: u8) -> Result<bool, HttpError> {
        self.charge(1)?;
        self.line.push(b);
        if self.line.len() > MAX_LINE_LEN {
            return Err(HttpError::MalformedChunk);
        }
        Ok(b == b'\n')
    }

    fn run(&mut self, mut input: &[u8]) -> Result<Option<Body>, HttpError> {
        loop {
            match self.state {
                State::Done | State::Failed(_) => return Ok(None),
                State::UntilClose => {
                    self.charge(input.len())?;
                    self.body.extend_from_slice(input);
                    return Ok(None);
                }
                State::Length(remaining) => {
                    if input.is_empty() {
                        return Ok(None);
                    }
                    let (rest, left) = self.take_body(input, remaining)?;
                    input = rest;
                    if left == 0 {
                        return Ok(Some(self.complete()));
                    }
                    self.state = State::Length(left);
                }
                State::ChunkData(remaining) => {
                    if input.is_empty() {
                        return Ok(None);
                    }
                    let (rest, left) = self.take_body(input, remaining)?;
                    input = rest;
                    self.state = if left == 0 {
                        State::ChunkDataEnd
                    } else {
                        State::ChunkData(left)
                    };
                }
                State::Head | State::ChunkSize | State::ChunkDataEnd | State::Trailers => {
                    let Some((&b, rest)) = input.split_first() else {
                        return Ok(None);
                    };
                    input = rest;
                    if let Some(body) = self.byte(b)? {
                        return Ok(Some(body));
                    }
                }
            }
        }
    }

    /// One byte in one of the line-oriented states.
    fn byte(&mut self, b: u8) -> Result<Option<Body>, HttpError> {
        match self.state {
            State::Head => {
                self.charge(1)?;
                self.head.push(b);
                if b == b'\n' && (self.head.ends_with(b"\n\n") || self.head.ends_with(b"\n\r\n")) {
                    return self.end_of_head();
                }
            }
            State::ChunkSize => {
                if self.line_byte(b)? {
                    let size = chunk_size(&mut self.line)?;
                    self.line.clear();
                    if size == 0 {
                        self.state = State::Trailers;
                    } else {
                        self.check_room(size)?;
                        self.state = State::ChunkData(size);
                    }
                }
            }
            State::ChunkDataEnd => {
                self.charge(1)?;
                self.line.push(b);
                match self.line.as_slice() {
                    b"\r" => {}
                    b"\r\n" | b"\n" => {
                        self.line.clear();
                        self.state = State::ChunkSize;
                    }
                    _ => return Err(HttpError::MalformedChunk),
                }
            }
            State::Trailers => {
                if self.line_byte(b)? {
                    if matches!(self.line.as_slice(), b"\r\n" | b"\n") {
                        return Ok(Some(self.complete()));
                    }
                    // A trailer field: not needed, skipped.
                    self.line.clear();
                }
            }
            State::Length(_)
            | State::ChunkData(_)
            | State::UntilClose
            | State::Done
            | State::Failed(_) => {}
        }
        Ok(None)
    }

    /// The head is complete: parse it and choose the body framing.
    fn end_of_head(&mut self) -> Result<Option<Body>, HttpError> {
        let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
        let mut response = httparse::Response::new(&mut headers);
        match response.parse(&self.head) {
            Ok(httparse::Status::Complete(_)) => {}
            Ok(httparse::Status::Partial) => return Err(HttpError::MalformedHead),
            Err(httparse::Error::TooManyHeaders) => return Err(HttpError::TooManyHeaders),
            Err(_) => return Err(HttpError::MalformedHead),
        }
        let status = response.code.ok_or(HttpError::MalformedHead)?;

        let mut transfer_encoding: Option<bool> = None; // Some(is_chunked)
        let mut content_length: Option<usize> = None;
        for h in response.headers.iter() {
            if h.name.eq_ignore_ascii_case("transfer-encoding") {
                let last = h.value.rsplit(|&c| c == b',').next().map(trim_ows);
                transfer_encoding = Some(last.is_some_and(|t| t.eq_ignore_ascii_case(b"chunked")));
            } else if h.name.eq_ignore_ascii_case("content-length") {
                let n = parse_decimal(h.value).ok_or(HttpError::BadContentLength)?;
                if content_length.is_some_and(|prev| prev != n) {
                    return Err(HttpError::BadContentLength);
                }
                content_length = Some(n);
            }
        }
        self.head.clear();

        if (100..200).contains(&status) {
            // Interim response (100 Continue …): the real one follows.
            return Ok(None);
        }
        self.status = status;
        if status == 204 || status == 304 {
            return Ok(Some(self.complete()));
        }
        match (transfer_encoding, content_length) {
            (Some(true), _) => self.state = State::ChunkSize,
            (Some(false), _) => return Err(HttpError::UnsupportedTransferEncoding),
            (None, Some(0)) => return Ok(Some(self.complete())),
            (None, Some(n)) => {
                self.check_room(n)?;
                self.body.reserve(n);
                self.state = State::Length(n);
            }
            (None, None) => self.state = State::UntilClose,
        }
        Ok(None)
    }
}

fn trim_ows(mut s: &[u8]) -> &[u8] {
    while let Some((first, rest)) = s.split_first() {
        if *first == b' ' || *first == b'\t' {
            s = rest;
        } else {
            break;
        }
    }
    while let Some((last, rest)) = s.split_last() {
        if *last == b' ' || *last == b'\t' {
            s = rest;
        } else {
            break;
        }
    }
    s
}

/// A `Content-Length` value: digits only, surrounding whitespace allowed.
pub(super) fn parse_decimal(value: &[u8]) -> Option<usize> {
    let digits = trim_ows(value);
    if digits.is_empty() {
        return None;
    }
    digits.iter().try_fold(0usize, |acc, &d| {
        if d.is_ascii_digit() {
            acc.checked_mul(10)?.checked_add(usize::from(d - b'0'))
        } else {
            None
        }
    })
}

/// The size from a complete chunk-size line (`1a;ext=x\r\n`), read by `httparse`.
fn chunk_size(line: &mut Vec<u8>) -> Result<usize, HttpError> {
    // httparse wants CRLF; a bare LF ends the line as well, as it always has here (RFC 9112
    // §2.2 lets a recipient accept one).
    if !line.ends_with(b"\r\n") {
        line.pop();
        line.extend_from_slice(b"\r\n");
    }
    // httparse reads a line without digits as size 0: here the size needs a digit.
    if !line.first().is_some_and(u8::is_ascii_hexdigit) {
        return Err(HttpError::MalformedChunk);
    }
    match httparse::parse_chunk_size(line) {
        // An absurd size then fails the caller's cap check.
        Ok(httparse::Status::Complete((_, size))) => {
            Ok(usize::try_from(size).unwrap_or(usize::MAX))
        }
        // More than 16 digits, which httparse refuses: a size beyond any cap.
        Err(httparse::InvalidChunkSize) if line.iter().take(17).all(u8::is_ascii_hexdigit) => {
            Ok(usize::MAX)
        }
        Ok(httparse::Status::Partial) | Err(httparse::InvalidChunkSize) => {
            Err(HttpError::MalformedChunk)
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A reply of the platform guide, as the body of the responses below.
    pub(crate) const REPLY: &str = r#"{"code":200,"data":{"iotId":"030VCbn30334364bb36997f44cMYTBAR","iotToken":"e96d15a4d4734a73b13040b1878009bc","resources":{"mqtt":{"host":"iot-as-mqtt.cn-shanghai.aliyuncs.com","port":1883}}},"message":"success"}"#;

    pub(crate) fn content_length_response() -> Vec<u8> {
        format!(
            "HTTP/1.1 200 OK\r\nServer: Tengine\r\nDate: Wed, 29 Mar 2017 13:08:36 GMT\r\n\
             Content-Type: application/json;charset=utf-8\r\nContent-Length: {}\r\n\
             Connection: close\r\n\r\n{}",
            REPLY.len(),
            REPLY
        )
        .into_bytes()
    }

    pub(crate) fn chunked_response() -> Vec<u8> {
        let (a, b) = REPLY.split_at(100);
        format!(
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n{:x}\r\n{}\r\n{:X};name=value\r\n{}\r\n0\r\nX-Trailer: 1\r\n\r\n",
            a.len(),
            a,
            b.len(),
            b
        )
        .into_bytes()
    }

    pub(crate) fn feed_all(parser: &mut ResponseParser, bytes: &[u8], step: usize) -> Option<Body> {
        let mut out = None;
        for piece in bytes.chunks(step) {
            if let Some(b) = parser.feed(piece).unwrap() {
                assert!(out.is_none(), "body returned twice");
                out = Some(b);
            }
        }
        out
    }

    #[test]
    fn bytes_after_the_body_are_ignored() {
        let mut bytes = content_length_response();
        bytes.extend_from_slice(b"garbage after the body");
        let mut p = ResponseParser::new();
        let body = p.feed(&bytes).unwrap().unwrap();
        assert_eq!(body.content, REPLY.as_bytes());
        assert_eq!(p.feed(b"more").unwrap(), None);
    }

    #[test]
    fn chunked_whole_and_split() {
        let bytes = chunked_response();
        for step in [bytes.len(), 1, 2, 5, 13] {
            let mut p = ResponseParser::new();
            let body = feed_all(&mut p, &bytes, step).unwrap();
            assert_eq!(body.status, 200);
            assert_eq!(body.content, REPLY.as_bytes());
        }
    }

    #[test]
    fn chunked_with_bare_lf() {
        let bytes = b"HTTP/1.1 200 OK\nTransfer-Encoding: gzip, chunked\n\n3\nabc\n0\n\n";
        let mut p = ResponseParser::new();
        let body = p.feed(bytes).unwrap().unwrap();
        assert_eq!(body.content, b"abc");
    }

    #[test]
    fn close_delimited() {
        let head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n";
        let mut p = ResponseParser::new();
        assert_eq!(p.feed(head).unwrap(), None);
        for b in REPLY.as_bytes() {
            assert_eq!(p.feed(core::slice::from_ref(b)).unwrap(), None);
        }
        let body = p.finish().unwrap();
        assert_eq!(body.status, 200);
        assert_eq!(body.content, REPLY.as_bytes());
        // An empty close-delimited body is still a response.
        let mut p = ResponseParser::new();
        p.feed(head).unwrap();
        assert_eq!(p.finish().unwrap().content, b"");
    }

    #[test]
    fn interim_response_skipped() {
        let mut bytes = b"HTTP/1.1 100 Continue\r\n\r\n".to_vec();
        bytes.extend_from_slice(&content_length_response());
        let mut p = ResponseParser::new();
        let body = feed_all(&mut p, &bytes, 1).unwrap();
        assert_eq!(body.status, 200);
        assert_eq!(body.content, REPLY.as_bytes());
    }

    #[test]
    fn truncations() {
        let mut p = ResponseParser::new();
        assert_eq!(p.finish(), Err(HttpError::EmptyResponse));

        let mut p = ResponseParser::new();
        p.feed(b"HTTP/1.1 200 OK\r\nContent-Le").unwrap();
        assert_eq!(p.finish(), Err(HttpError::TruncatedHead));
        // Sticky.
        assert_eq!(p.finish(), Err(HttpError::TruncatedHead));
        assert_eq!(p.feed(b"x"), Err(HttpError::TruncatedHead));

        let bytes = content_length_response();
        let mut p = ResponseParser::new();
        assert_eq!(p.feed(&bytes[..bytes.len() - 1]).unwrap(), None);
        assert_eq!(p.finish(), Err(HttpError::TruncatedBody));

        let bytes = chunked_response();
        for cut in [60, 100, 200, bytes.len() - 2] {
            let mut p = ResponseParser::new();
            assert_eq!(p.feed(&bytes[..cut]).unwrap(), None, "cut {cut}");
            assert_eq!(p.finish(), Err(HttpError::TruncatedBody), "cut {cut}");
        }
    }

    #[test]
    fn oversized() {
        // Content-Length beyond the cap fails as soon as the head is complete.
        let mut p = ResponseParser::new();
        assert_eq!(
            p.feed(b"HTTP/1.1 200 OK\r\nContent-Length: 16385\r\n\r\n"),
            Err(HttpError::ResponseTooLarge { limit: 16384 })
        );
        assert_eq!(
            p.feed(b"{}"),
            Err(HttpError::ResponseTooLarge { limit: 16384 })
        );
        // A huge Content-Length does not overflow.
        let mut p = ResponseParser::new();
        assert_eq!(
            p.feed(b"HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999999\r\n\r\n"),
            Err(HttpError::BadContentLength)
        );
        // Endless headers.
        let mut p = ResponseParser::new();
        p.feed(b"HTTP/1.1 200 OK\r\n").unwrap();
        let filler = [b'a'; 1000];
        let mut result = Ok(None);
        for _ in 0..20 {
            result = p.feed(&filler);
            if result.is_err() {
                break;
            }
        }
        assert_eq!(result, Err(HttpError::ResponseTooLarge { limit: 16384 }));
        // Endless close-delimited body.
        let mut p = ResponseParser::with_limit(100);
        p.feed(b"HTTP/1.1 200 OK\r\n\r\n").unwrap();
        assert_eq!(
            p.feed(&[b'x'; 100]),
            Err(HttpError::ResponseTooLarge { limit: 100 })
        );
        // A chunk larger than the cap, and an absurd chunk size.
        let mut p = ResponseParser::new();
        assert_eq!(
            p.feed(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4001\r\n"),
            Err(HttpError::ResponseTooLarge { limit: 16384 })
        );
        let mut p = ResponseParser::new();
        assert_eq!(
            p.feed(
                b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffffff\r\n"
            ),
            Err(HttpError::ResponseTooLarge { limit: 16384 })
        );
        // Many small chunks adding up past the cap.
        let mut p = ResponseParser::with_limit(200);
        p.feed(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
            .unwrap();
        let mut result = Ok(None);
        for _ in 0..100 {
            result = p.feed(b"5\r\nhello\r\n");
            if result.is_err() {
                break;
            }
        }
        assert_eq!(result, Err(HttpError::ResponseTooLarge { limit: 200 }));
        // Exactly at the cap is fine.
        let bytes = content_length_response();
        let mut p = ResponseParser::with_limit(bytes.len());
        assert!(p.feed(&bytes).unwrap().is_some());
        let mut p = ResponseParser::with_limit(bytes.len() - 1);
        assert_eq!(
            p.feed(&bytes),
            Err(HttpError::ResponseTooLarge {
                limit: bytes.len() - 1
            })
        );
    }

    #[test]
    fn malformed_http() {
        let cases: &[(&[u8], HttpError)] = &[
            (b"HTTP/1.1 abc OK\r\n\r\n", HttpError::MalformedHead),
            (b"SMTP ready\r\n\r\n", HttpError::MalformedHead),
            (
                b"HTTP/1.1 200 OK\r\nBad Header\r\n\r\n",
                HttpError::MalformedHead,
            ),
            (
                b"HTTP/1.1 200 OK\r\nContent-Length: 12a\r\n\r\n",
                HttpError::BadContentLength,
            ),
            (
                b"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
                HttpError::BadContentLength,
            ),
            (
                b"HTTP/1.1 200 OK\r\nContent-Length:\r\n\r\n",
                HttpError::BadContentLength,
            ),
            (
                b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n",
                HttpError::BadContentLength,
            ),
            (
                b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n",
                HttpError::UnsupportedTransferEncoding,
            ),
            (
                b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
                HttpError::MalformedChunk,
            ),
            (
                b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n\r\n",
                HttpError::MalformedChunk,
            ),
            (
                b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcX",
                HttpError::MalformedChunk,
            ),
        ];
        for (bytes, err) in cases {
            let mut p = ResponseParser::new();
            assert_eq!(
                p.feed(bytes).as_ref(),
                Err(err),
                "{:?}",
                bytes.escape_ascii()
            );
            // Same result byte by byte.
            let mut p = ResponseParser::new();
            let mut got = Ok(None);
            for b in bytes.iter() {
                got = p.feed(core::slice::from_ref(b));
                if got.is_err() {
                    break;
                }
            }
            assert_eq!(got.as_ref(), Err(err), "{:?}", bytes.escape_ascii());
        }
        // Same Content-Length twice is fine.
        let mut p = ResponseParser::new();
        let body = p
            .feed(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\ncontent-length:  2 \r\n\r\n{}")
            .unwrap()
            .unwrap();
        assert_eq!(body.content, b"{}");
        // Chunked wins over Content-Length.
        let mut p = ResponseParser::new();
        let body = p
            .feed(b"HTTP/1.1 200 OK\r\nContent-Length: 99\r\nTransfer-Encoding: Chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n")
            .unwrap()
            .unwrap();
        assert_eq!(body.content, b"{}");
        // Too many headers.
        let mut head = b"HTTP/1.1 200 OK\r\n".to_vec();
        for i in 0..40 {
            head.extend_from_slice(format!("X-H{i}: v\r\n").as_bytes());
        }
        head.extend_from_slice(b"\r\n");
        let mut p = ResponseParser::new();
        assert_eq!(p.feed(&head), Err(HttpError::TooManyHeaders));
        // Over-long chunk-size line (extensions).
        let mut bytes = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1;".to_vec();
        bytes.extend_from_slice(&[b'x'; 300]);
        let mut p = ResponseParser::new();
        assert_eq!(p.feed(&bytes), Err(HttpError::MalformedChunk));
    }

    #[test]
    fn chunk_size_lines() {
        let chunk_size = |line: &[u8]| chunk_size(&mut line.to_vec());
        assert_eq!(chunk_size(b"1a\r\n"), Ok(0x1a));
        assert_eq!(chunk_size(b"1A;name=value\r\n"), Ok(0x1a));
        assert_eq!(chunk_size(b"1a \t;x\r\n"), Ok(0x1a));
        assert_eq!(chunk_size(b"0\r\n"), Ok(0));
        // A bare LF ends the line too.
        assert_eq!(chunk_size(b"1a;x\n"), Ok(0x1a));
        assert_eq!(chunk_size(b"0\n"), Ok(0));
        assert_eq!(
            chunk_size(b"ffffffffffffffff\r\n"),
            Ok(usize::try_from(u64::MAX).unwrap_or(usize::MAX))
        );
        // More than 16 digits are refused as too large, leading zeros included.
        assert_eq!(chunk_size(b"1ffffffffffffffff\r\n"), Ok(usize::MAX));
        assert_eq!(chunk_size(b"000000000000000000001a\r\n"), Ok(usize::MAX));
        for bad in [
            &b"\r\n"[..],
            b"\n",
            b";x\r\n",
            b" 1\r\n",
            b"zz\r\n",
            b"1 2\r\n",
            b"1\r\r\n",
            b"-1\r\n",
        ] {
            assert_eq!(
                chunk_size(bad),
                Err(HttpError::MalformedChunk),
                "{:?}",
                bad.escape_ascii()
            );
        }
    }

    #[test]
    fn debug_redacts_the_body() {
        let mut p = ResponseParser::new();
        let body = p.feed(&content_length_response()).unwrap().unwrap();
        let d = format!("{body:?}");
        assert!(!d.contains("e96d15a4"), "{d}");
    }
}
