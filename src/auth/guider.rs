//! HTTPS pre-authentication ("guider", reference §6), the parts without I/O: the request bytes, an
//! incremental HTTP/1.1 response parser, and the JSON reply.
//!
//! The caller opens TLS to `host:port`, writes [`AuthRequest::bytes`], feeds every read into
//! [`ResponseParser::feed`] until it returns a [`Body`] (calling [`ResponseParser::finish`] on EOF),
//! then hands the body to [`parse_auth_response`].

use crate::prelude::*;
use core::fmt;

use serde_json::Value;

use super::conninfo::{DeviceIdentity, Region, TIMESTAMP};
use super::sign::SignMethod;

/// The auth service's port (TLS, even though V2.10 writes an `http://` URL).
pub const AUTH_PORT: u16 = 443;
/// The request path.
pub const AUTH_PATH: &str = "/auth/devicename";
/// Default cap on a whole response (status line, headers, framing and body).
pub const MAX_RESPONSE_LEN: usize = 16 * 1024;
/// Most headers a response may carry.
const MAX_HEADERS: usize = 32;
/// Longest chunk-size or trailer line.
const MAX_LINE_LEN: usize = 256;

/// A ready-to-send auth request. Debug output hides the bytes (they carry the signature).
#[derive(Clone, PartialEq, Eq)]
pub struct AuthRequest {
    /// `iot-auth.<region>.aliyuncs.com`: where to connect, and the TLS server name.
    pub host: &'static str,
    /// Always [`AUTH_PORT`].
    pub port: u16,
    /// The complete HTTP/1.1 request, head and body.
    pub bytes: Vec<u8>,
}

impl fmt::Debug for AuthRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthRequest")
            .field("host", &self.host)
            .field("port", &self.port)
            .field(
                "bytes",
                &format_args!("<{} bytes, redacted>", self.bytes.len()),
            )
            .finish()
    }
}

/// The form body of reference §6 (not URL-encoded, as V2.10).
fn auth_body(identity: &DeviceIdentity, sign_method: SignMethod) -> String {
    format!(
        "productKey={pk}&deviceName={dn}&signmethod={m}&sign={s}&version=default\
         &clientId={id}&timestamp={ts}&resources=mqtt",
        pk = identity.product_key(),
        dn = identity.device_name(),
        m = sign_method.as_str(),
        s = identity.signature(sign_method),
        id = identity.device_id(),
        ts = TIMESTAMP,
    )
}

/// Builds `POST /auth/devicename` with V2.10's headers, in V2.10's order, and the signed form body.
pub fn auth_request(
    identity: &DeviceIdentity,
    region: Region,
    sign_method: SignMethod,
) -> AuthRequest {
    let host = region.auth_host();
    let body = auth_body(identity, sign_method);
    let head = format!(
        "POST {AUTH_PATH} HTTP/1.1\r\n\
         Host: {host}\r\n\
         Accept: text/xml,text/javascript,text/html,application/json\r\n\
         Content-Length: {}\r\n\
         Content-Type: application/x-www-form-urlencoded;charset=utf-8\r\n\
         \r\n",
        body.len()
    );
    let mut bytes = head.into_bytes();
    bytes.extend_from_slice(body.as_bytes());
    AuthRequest {
        host,
        port: AUTH_PORT,
        bytes,
    }
}

/// A field of the auth reply, for [`GuiderError`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ReplyField {
    /// `data`
    Data,
    /// `data.iotId`
    IotId,
    /// `data.iotToken`
    IotToken,
    /// `data.resources.mqtt.host`
    Host,
    /// `data.resources.mqtt.port`
    Port,
}

impl ReplyField {
    /// The JSON path.
    pub const fn path(self) -> &'static str {
        match self {
            ReplyField::Data => "data",
            ReplyField::IotId => "data.iotId",
            ReplyField::IotToken => "data.iotToken",
            ReplyField::Host => "data.resources.mqtt.host",
            ReplyField::Port => "data.resources.mqtt.port",
        }
    }
}

/// Everything that can go wrong between sending the auth request and having the MQTT credentials.
/// The `Display` text is meant for the log; it never contains a secret.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GuiderError {
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
    /// The HTTP status is not 200.
    HttpStatus(u16),
    /// The body is not a JSON object.
    MalformedJson,
    /// The reply has no `code`.
    MissingCode,
    /// `code` is neither an integer nor a string holding one.
    InvalidCode,
    /// `code` 401: request auth error, usually a wrong signature.
    BadSignature,
    /// `code` 460: parameter error.
    ParameterError,
    /// `code` 500: unknown server error.
    ServerError,
    /// `code` 5001: the device does not exist.
    DeviceNotFound,
    /// `code` 6200: authentication type mismatch.
    AuthTypeMismatch,
    /// Any other `code` than 200.
    UnexpectedCode(i64),
    /// A required field is absent.
    MissingField(ReplyField),
    /// A field is present but unusable (wrong type, empty, non-printable, port out of range).
    InvalidField(ReplyField),
}

impl fmt::Display for GuiderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GuiderError::EmptyResponse => {
                f.write_str("auth server closed the connection without replying")
            }
            GuiderError::TruncatedHead => {
                f.write_str("auth server closed the connection in the middle of the HTTP headers")
            }
            GuiderError::TruncatedBody => {
                f.write_str("auth server closed the connection before the reply body was complete")
            }
            GuiderError::ResponseTooLarge { limit } => {
                write!(f, "auth server reply is larger than {limit} bytes, aborted")
            }
            GuiderError::MalformedHead => f.write_str("auth server reply is not valid HTTP"),
            GuiderError::TooManyHeaders => write!(
                f,
                "auth server reply has more than {MAX_HEADERS} HTTP headers"
            ),
            GuiderError::BadContentLength => {
                f.write_str("auth server reply has an invalid Content-Length")
            }
            GuiderError::UnsupportedTransferEncoding => {
                f.write_str("auth server reply uses an unsupported Transfer-Encoding")
            }
            GuiderError::MalformedChunk => {
                f.write_str("auth server reply has malformed chunked encoding")
            }
            GuiderError::AlreadyComplete => {
                f.write_str("auth reply parser: response was already complete")
            }
            GuiderError::HttpStatus(s) => {
                write!(f, "auth server answered HTTP status {s} (expected 200)")
            }
            GuiderError::MalformedJson => f.write_str("auth server reply is not a JSON object"),
            GuiderError::MissingCode => f.write_str("auth server reply has no \"code\""),
            GuiderError::InvalidCode => {
                f.write_str("auth server reply has a \"code\" that is not an integer")
            }
            GuiderError::BadSignature => f.write_str(
                "auth failed: code 401 (request auth error), the signature is invalid; \
                 check the device secret",
            ),
            GuiderError::ParameterError => f.write_str(
                "auth failed: code 460 (param error), a request parameter is missing or malformed",
            ),
            GuiderError::ServerError => {
                f.write_str("auth failed: code 500 (unknown error) on the server side")
            }
            GuiderError::DeviceNotFound => f.write_str(
                "auth failed: code 5001 (meta device not found); \
                 check the product key and device name",
            ),
            GuiderError::AuthTypeMismatch => f.write_str(
                "auth failed: code 6200 (auth type mismatch), \
                 this authentication or sign method is not allowed for the device",
            ),
            GuiderError::UnexpectedCode(c) => write!(f, "auth failed: code {c} (!= 200)"),
            GuiderError::MissingField(field) => {
                write!(f, "auth server reply lacks \"{}\"", field.path())
            }
            GuiderError::InvalidField(field) => {
                write!(f, "auth server reply has an unusable \"{}\"", field.path())
            }
        }
    }
}

impl core::error::Error for GuiderError {}

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
    Failed(GuiderError),
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
    pub fn feed(&mut self, bytes: &[u8]) -> Result<Option<Body>, GuiderError> {
        if let State::Failed(e) = &self.state {
            return Err(e.clone());
        }
        let r = self.run(bytes);
        if let Err(e) = &r {
            self.state = State::Failed(e.clone());
        }
        r
    }

    /// The connection reached EOF: completes a body delimited by the close, fails otherwise.
    pub fn finish(&mut self) -> Result<Body, GuiderError> {
        let r = match &self.state {
            State::Failed(e) => Err(e.clone()),
            State::UntilClose => Ok(self.complete()),
            State::Head if self.consumed == 0 => Err(GuiderError::EmptyResponse),
            State::Head => Err(GuiderError::TruncatedHead),
            State::Done => Err(GuiderError::AlreadyComplete),
            State::Length(_)
            | State::ChunkSize
            | State::ChunkData(_)
            | State::ChunkDataEnd
            | State::Trailers => Err(GuiderError::TruncatedBody),
        };
        if let Err(e) = &r {
            self.state = State::Failed(e.clone());
        }
        r
    }

    fn charge(&mut self, n: usize) -> Result<(), GuiderError> {
        self.consumed = self.consumed.saturating_add(n);
        if self.consumed > self.limit {
            return Err(GuiderError::ResponseTooLarge { limit: self.limit });
        }
        Ok(())
    }

    /// Would `n` more bytes overflow the cap?
    fn check_room(&self, n: usize) -> Result<(), GuiderError> {
        match self.consumed.checked_add(n) {
            Some(total) if total <= self.limit => Ok(()),
            _ => Err(GuiderError::ResponseTooLarge { limit: self.limit }),
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
    ) -> Result<(&'a [u8], usize), GuiderError> {
        let n = remaining.min(input.len());
        let (now, rest) = input.split_at_checked(n).unwrap_or((input, &[]));
        self.charge(now.len())?;
        self.body.extend_from_slice(now);
        Ok((rest, remaining.saturating_sub(now.len())))
    }

    /// Appends one byte to the current line; returns it when the line ended (`\n` seen).
    fn line_byte(&mut self, b: u8) -> Result<bool, GuiderError> {
        self.charge(1)?;
        self.line.push(b);
        if self.line.len() > MAX_LINE_LEN {
            return Err(GuiderError::MalformedChunk);
        }
        Ok(b == b'\n')
    }

    fn run(&mut self, mut input: &[u8]) -> Result<Option<Body>, GuiderError> {
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
    fn byte(&mut self, b: u8) -> Result<Option<Body>, GuiderError> {
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
                    let size = chunk_size(&self.line)?;
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
                    _ => return Err(GuiderError::MalformedChunk),
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
    fn end_of_head(&mut self) -> Result<Option<Body>, GuiderError> {
        let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
        let mut response = httparse::Response::new(&mut headers);
        match response.parse(&self.head) {
            Ok(httparse::Status::Complete(_)) => {}
            Ok(httparse::Status::Partial) => return Err(GuiderError::MalformedHead),
            Err(httparse::Error::TooManyHeaders) => return Err(GuiderError::TooManyHeaders),
            Err(_) => return Err(GuiderError::MalformedHead),
        }
        let status = response.code.ok_or(GuiderError::MalformedHead)?;

        let mut transfer_encoding: Option<bool> = None; // Some(is_chunked)
        let mut content_length: Option<usize> = None;
        for h in response.headers.iter() {
            if h.name.eq_ignore_ascii_case("transfer-encoding") {
                let last = h.value.rsplit(|&c| c == b',').next().map(trim_ows);
                transfer_encoding = Some(last.is_some_and(|t| t.eq_ignore_ascii_case(b"chunked")));
            } else if h.name.eq_ignore_ascii_case("content-length") {
                let n = parse_decimal(h.value).ok_or(GuiderError::BadContentLength)?;
                if content_length.is_some_and(|prev| prev != n) {
                    return Err(GuiderError::BadContentLength);
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
            (Some(false), _) => return Err(GuiderError::UnsupportedTransferEncoding),
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
fn parse_decimal(value: &[u8]) -> Option<usize> {
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

/// The size from a chunk-size line (`1a;ext=x\r\n`).
fn chunk_size(line: &[u8]) -> Result<usize, GuiderError> {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    let size = line
        .split(|&c| c == b';')
        .next()
        .map(trim_ows)
        .unwrap_or(b"");
    if size.is_empty() {
        return Err(GuiderError::MalformedChunk);
    }
    // Saturates: an absurd size then fails the caller's cap check.
    size.iter().try_fold(0usize, |acc, &d| {
        let v = match d {
            b'0'..=b'9' => d - b'0',
            b'a'..=b'f' => d - b'a' + 10,
            b'A'..=b'F' => d - b'A' + 10,
            _ => return Err(GuiderError::MalformedChunk),
        };
        Ok(acc.saturating_mul(16).saturating_add(usize::from(v)))
    })
}

/// The credentials of a successful auth reply. Debug output hides the token.
#[derive(Clone, PartialEq, Eq)]
pub struct GuiderReply {
    /// `data.iotId`, the MQTT user name.
    pub iot_id: String,
    /// `data.iotToken`, the MQTT password. Never log it.
    pub iot_token: String,
    /// `data.resources.mqtt.host`.
    pub host: String,
    /// `data.resources.mqtt.port`.
    pub port: u16,
}

impl fmt::Debug for GuiderReply {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GuiderReply")
            .field("iot_id", &self.iot_id)
            .field("iot_token", &"<redacted>")
            .field("host", &self.host)
            .field("port", &self.port)
            .finish()
    }
}

/// Checks the HTTP status, then parses the JSON body with [`parse_auth_reply`].
pub fn parse_auth_response(response: &Body) -> Result<GuiderReply, GuiderError> {
    if response.status != 200 {
        return Err(GuiderError::HttpStatus(response.status));
    }
    parse_auth_reply(&response.content)
}

/// Parses the JSON reply of reference §6: `code` must be 200 (a number, or a string holding
/// one), then `data.iotId`, `data.iotToken`, `data.resources.mqtt.host` and
/// `data.resources.mqtt.port` (a number or a string) must be present and usable.
pub fn parse_auth_reply(body: &[u8]) -> Result<GuiderReply, GuiderError> {
    let root: Value = serde_json::from_slice(body).map_err(|_| GuiderError::MalformedJson)?;
    if !root.is_object() {
        return Err(GuiderError::MalformedJson);
    }
    let code = match root.get("code") {
        None | Some(Value::Null) => return Err(GuiderError::MissingCode),
        Some(Value::Number(n)) => n.as_i64().ok_or(GuiderError::InvalidCode)?,
        Some(Value::String(s)) => s
            .trim()
            .parse::<i64>()
            .map_err(|_| GuiderError::InvalidCode)?,
        Some(_) => return Err(GuiderError::InvalidCode),
    };
    match code {
        200 => {}
        401 => return Err(GuiderError::BadSignature),
        460 => return Err(GuiderError::ParameterError),
        500 => return Err(GuiderError::ServerError),
        5001 => return Err(GuiderError::DeviceNotFound),
        6200 => return Err(GuiderError::AuthTypeMismatch),
        other => return Err(GuiderError::UnexpectedCode(other)),
    }
    let data = match root.get("data") {
        Some(d) if d.is_object() => d,
        None | Some(Value::Null) => return Err(GuiderError::MissingField(ReplyField::Data)),
        Some(_) => return Err(GuiderError::InvalidField(ReplyField::Data)),
    };
    let mqtt = data.get("resources").and_then(|r| r.get("mqtt"));
    let iot_id = string_field(data.get("iotId"), ReplyField::IotId, is_token_char)?;
    let iot_token = string_field(data.get("iotToken"), ReplyField::IotToken, is_token_char)?;
    let host = string_field(
        mqtt.and_then(|m| m.get("host")),
        ReplyField::Host,
        is_host_char,
    )?;
    let port = port_field(mqtt.and_then(|m| m.get("port")))?;
    Ok(GuiderReply {
        iot_id,
        iot_token,
        host,
        port,
    })
}

/// Printable ASCII without space: these strings go into C strings and the MQTT CONNECT.
fn is_token_char(c: char) -> bool {
    c.is_ascii_graphic()
}

fn is_host_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | ':')
}

fn string_field(
    value: Option<&Value>,
    field: ReplyField,
    allowed: fn(char) -> bool,
) -> Result<String, GuiderError> {
    match value {
        None | Some(Value::Null) => Err(GuiderError::MissingField(field)),
        Some(Value::String(s)) if !s.is_empty() && s.chars().all(allowed) => Ok(s.clone()),
        Some(_) => Err(GuiderError::InvalidField(field)),
    }
}

fn port_field(value: Option<&Value>) -> Result<u16, GuiderError> {
    let invalid = GuiderError::InvalidField(ReplyField::Port);
    let port = match value {
        None | Some(Value::Null) => return Err(GuiderError::MissingField(ReplyField::Port)),
        Some(Value::Number(n)) => n
            .as_u64()
            .and_then(|p| u16::try_from(p).ok())
            .ok_or(invalid.clone())?,
        Some(Value::String(s)) => parse_decimal(s.as_bytes())
            .and_then(|p| u16::try_from(p).ok())
            .ok_or(invalid.clone())?,
        Some(_) => return Err(invalid),
    };
    if port == 0 {
        return Err(invalid);
    }
    Ok(port)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> DeviceIdentity {
        DeviceIdentity::new(
            "yfTuLfBJTiL",
            "TestDeviceForDemo",
            "fSCl9Ns5YPnYN8Ocg0VEel1kXFnRlV6c",
        )
        .unwrap()
    }

    #[test]
    fn request_bytes_sha1() {
        let r = auth_request(&sample(), Region::CnShanghai, SignMethod::HmacSha1);
        assert_eq!(r.host, "iot-auth.cn-shanghai.aliyuncs.com");
        assert_eq!(r.port, 443);
        let expected = "POST /auth/devicename HTTP/1.1\r\n\
Host: iot-auth.cn-shanghai.aliyuncs.com\r\n\
Accept: text/xml,text/javascript,text/html,application/json\r\n\
Content-Length: 211\r\n\
Content-Type: application/x-www-form-urlencoded;charset=utf-8\r\n\
\r\n\
productKey=yfTuLfBJTiL&deviceName=TestDeviceForDemo&signmethod=hmacsha1\
&sign=97a7d457a539db070210a6edcf5323e2f5d15142&version=default\
&clientId=yfTuLfBJTiL.TestDeviceForDemo&timestamp=2524608000000&resources=mqtt";
        assert_eq!(String::from_utf8(r.bytes.clone()).unwrap(), expected);
        let body_start = expected.find("\r\n\r\n").unwrap() + 4;
        assert_eq!(expected.len() - body_start, 211);
    }

    #[test]
    fn request_bytes_md5_other_region() {
        let r = auth_request(&sample(), Region::EuCentral1, SignMethod::HmacMd5);
        assert_eq!(r.host, "iot-auth.eu-central-1.aliyuncs.com");
        assert_eq!(r.port, 443);
        let expected = "POST /auth/devicename HTTP/1.1\r\n\
Host: iot-auth.eu-central-1.aliyuncs.com\r\n\
Accept: text/xml,text/javascript,text/html,application/json\r\n\
Content-Length: 202\r\n\
Content-Type: application/x-www-form-urlencoded;charset=utf-8\r\n\
\r\n\
productKey=yfTuLfBJTiL&deviceName=TestDeviceForDemo&signmethod=hmacmd5\
&sign=949768ad63f69349bb4e04e02f56a5a5&version=default\
&clientId=yfTuLfBJTiL.TestDeviceForDemo&timestamp=2524608000000&resources=mqtt";
        assert_eq!(String::from_utf8(r.bytes).unwrap(), expected);
    }

    #[test]
    fn request_hosts_per_region() {
        let hosts = [
            "iot-auth.cn-shanghai.aliyuncs.com",
            "iot-auth.ap-southeast-1.aliyuncs.com",
            "iot-auth.ap-northeast-1.aliyuncs.com",
            "iot-auth.us-west-1.aliyuncs.com",
            "iot-auth.eu-central-1.aliyuncs.com",
        ];
        for (region, host) in Region::ALL.iter().zip(hosts) {
            let r = auth_request(&sample(), *region, SignMethod::HmacSha1);
            assert_eq!(r.host, host);
            let text = String::from_utf8(r.bytes).unwrap();
            assert!(text.contains(&format!("\r\nHost: {host}\r\n")));
        }
    }

    #[test]
    fn request_debug_redacted() {
        let r = auth_request(&sample(), Region::CnShanghai, SignMethod::HmacSha1);
        let d = format!("{r:?}");
        assert!(!d.contains("97a7d457"), "{d}");
        assert!(d.contains("redacted"));
    }

    const REPLY: &str = r#"{"code":200,"data":{"iotId":"030VCbn30334364bb36997f44cMYTBAR","iotToken":"e96d15a4d4734a73b13040b1878009bc","resources":{"mqtt":{"host":"iot-as-mqtt.cn-shanghai.aliyuncs.com","port":1883}}},"message":"success"}"#;

    fn expected_reply() -> GuiderReply {
        GuiderReply {
            iot_id: "030VCbn30334364bb36997f44cMYTBAR".into(),
            iot_token: "e96d15a4d4734a73b13040b1878009bc".into(),
            host: "iot-as-mqtt.cn-shanghai.aliyuncs.com".into(),
            port: 1883,
        }
    }

    fn content_length_response() -> Vec<u8> {
        format!(
            "HTTP/1.1 200 OK\r\nServer: Tengine\r\nDate: Wed, 29 Mar 2017 13:08:36 GMT\r\n\
             Content-Type: application/json;charset=utf-8\r\nContent-Length: {}\r\n\
             Connection: close\r\n\r\n{}",
            REPLY.len(),
            REPLY
        )
        .into_bytes()
    }

    fn chunked_response() -> Vec<u8> {
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

    fn feed_all(parser: &mut ResponseParser, bytes: &[u8], step: usize) -> Option<Body> {
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
    fn content_length_whole_and_split() {
        let bytes = content_length_response();
        for step in [bytes.len(), 1, 2, 3, 7, 64] {
            let mut p = ResponseParser::new();
            let body = feed_all(&mut p, &bytes, step).unwrap();
            assert_eq!(body.status, 200);
            assert_eq!(body.content, REPLY.as_bytes());
            assert_eq!(parse_auth_response(&body).unwrap(), expected_reply());
            assert_eq!(p.finish(), Err(GuiderError::AlreadyComplete));
        }
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
    fn empty_bodies() {
        let mut p = ResponseParser::new();
        let body = p
            .feed(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
            .unwrap()
            .unwrap();
        assert_eq!(body.content, b"");
        assert_eq!(
            parse_auth_reply(&body.content),
            Err(GuiderError::MalformedJson)
        );
        let mut p = ResponseParser::new();
        let body = p.feed(b"HTTP/1.1 204 No Content\r\n\r\n").unwrap().unwrap();
        assert_eq!(body.status, 204);
        assert_eq!(
            parse_auth_response(&body),
            Err(GuiderError::HttpStatus(204))
        );
    }

    #[test]
    fn http_status_not_200() {
        let mut p = ResponseParser::new();
        let body = p
            .feed(b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 2\r\n\r\n{}")
            .unwrap()
            .unwrap();
        assert_eq!(body.status, 503);
        assert_eq!(
            parse_auth_response(&body),
            Err(GuiderError::HttpStatus(503))
        );
    }

    #[test]
    fn truncations() {
        let mut p = ResponseParser::new();
        assert_eq!(p.finish(), Err(GuiderError::EmptyResponse));

        let mut p = ResponseParser::new();
        p.feed(b"HTTP/1.1 200 OK\r\nContent-Le").unwrap();
        assert_eq!(p.finish(), Err(GuiderError::TruncatedHead));
        // Sticky.
        assert_eq!(p.finish(), Err(GuiderError::TruncatedHead));
        assert_eq!(p.feed(b"x"), Err(GuiderError::TruncatedHead));

        let bytes = content_length_response();
        let mut p = ResponseParser::new();
        assert_eq!(p.feed(&bytes[..bytes.len() - 1]).unwrap(), None);
        assert_eq!(p.finish(), Err(GuiderError::TruncatedBody));

        let bytes = chunked_response();
        for cut in [60, 100, 200, bytes.len() - 2] {
            let mut p = ResponseParser::new();
            assert_eq!(p.feed(&bytes[..cut]).unwrap(), None, "cut {cut}");
            assert_eq!(p.finish(), Err(GuiderError::TruncatedBody), "cut {cut}");
        }
    }

    #[test]
    fn oversized() {
        // Content-Length beyond the cap fails as soon as the head is complete.
        let mut p = ResponseParser::new();
        assert_eq!(
            p.feed(b"HTTP/1.1 200 OK\r\nContent-Length: 16385\r\n\r\n"),
            Err(GuiderError::ResponseTooLarge { limit: 16384 })
        );
        assert_eq!(
            p.feed(b"{}"),
            Err(GuiderError::ResponseTooLarge { limit: 16384 })
        );
        // A huge Content-Length does not overflow.
        let mut p = ResponseParser::new();
        assert_eq!(
            p.feed(b"HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999999\r\n\r\n"),
            Err(GuiderError::BadContentLength)
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
        assert_eq!(result, Err(GuiderError::ResponseTooLarge { limit: 16384 }));
        // Endless close-delimited body.
        let mut p = ResponseParser::with_limit(100);
        p.feed(b"HTTP/1.1 200 OK\r\n\r\n").unwrap();
        assert_eq!(
            p.feed(&[b'x'; 100]),
            Err(GuiderError::ResponseTooLarge { limit: 100 })
        );
        // A chunk larger than the cap, and an absurd chunk size.
        let mut p = ResponseParser::new();
        assert_eq!(
            p.feed(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4001\r\n"),
            Err(GuiderError::ResponseTooLarge { limit: 16384 })
        );
        let mut p = ResponseParser::new();
        assert_eq!(
            p.feed(
                b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffffff\r\n"
            ),
            Err(GuiderError::ResponseTooLarge { limit: 16384 })
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
        assert_eq!(result, Err(GuiderError::ResponseTooLarge { limit: 200 }));
        // Exactly at the cap is fine.
        let bytes = content_length_response();
        let mut p = ResponseParser::with_limit(bytes.len());
        assert!(p.feed(&bytes).unwrap().is_some());
        let mut p = ResponseParser::with_limit(bytes.len() - 1);
        assert_eq!(
            p.feed(&bytes),
            Err(GuiderError::ResponseTooLarge {
                limit: bytes.len() - 1
            })
        );
    }

    #[test]
    fn malformed_http() {
        let cases: &[(&[u8], GuiderError)] = &[
            (b"HTTP/1.1 abc OK\r\n\r\n", GuiderError::MalformedHead),
            (b"SMTP ready\r\n\r\n", GuiderError::MalformedHead),
            (
                b"HTTP/1.1 200 OK\r\nBad Header\r\n\r\n",
                GuiderError::MalformedHead,
            ),
            (
                b"HTTP/1.1 200 OK\r\nContent-Length: 12a\r\n\r\n",
                GuiderError::BadContentLength,
            ),
            (
                b"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
                GuiderError::BadContentLength,
            ),
            (
                b"HTTP/1.1 200 OK\r\nContent-Length:\r\n\r\n",
                GuiderError::BadContentLength,
            ),
            (
                b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n",
                GuiderError::BadContentLength,
            ),
            (
                b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n",
                GuiderError::UnsupportedTransferEncoding,
            ),
            (
                b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
                GuiderError::MalformedChunk,
            ),
            (
                b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n\r\n",
                GuiderError::MalformedChunk,
            ),
            (
                b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcX",
                GuiderError::MalformedChunk,
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
        assert_eq!(p.feed(&head), Err(GuiderError::TooManyHeaders));
        // Over-long chunk-size line (extensions).
        let mut bytes = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1;".to_vec();
        bytes.extend_from_slice(&[b'x'; 300]);
        let mut p = ResponseParser::new();
        assert_eq!(p.feed(&bytes), Err(GuiderError::MalformedChunk));
    }

    #[test]
    fn reply_success_variants() {
        assert_eq!(
            parse_auth_reply(REPLY.as_bytes()).unwrap(),
            expected_reply()
        );
        // Port as a string, code as a string, whitespace and extra fields.
        let r = br#" {
            "code" : "200",
            "data" : {
                "iotId" : "42Ze0mk3556498a1AlTP",
                "iotToken" : "0d7fdeb9dc1f4344a2cc0d45edcb0bcb",
                "resources" : { "mqtt" : { "host" : "xxx.iot-as-mqtt.cn-shanghai.aliyuncs.com", "port" : "8883" },
                                "codec" : {} }
            },
            "message" : "success"
        } "#;
        assert_eq!(
            parse_auth_reply(r).unwrap(),
            GuiderReply {
                iot_id: "42Ze0mk3556498a1AlTP".into(),
                iot_token: "0d7fdeb9dc1f4344a2cc0d45edcb0bcb".into(),
                host: "xxx.iot-as-mqtt.cn-shanghai.aliyuncs.com".into(),
                port: 8883,
            }
        );
    }

    #[test]
    fn reply_codes() {
        let with_code = |code: &str| {
            format!(r#"{{"code":{code},"data":{{}},"message":"some text"}}"#).into_bytes()
        };
        assert_eq!(
            parse_auth_reply(&with_code("401")),
            Err(GuiderError::BadSignature)
        );
        assert_eq!(
            parse_auth_reply(&with_code("460")),
            Err(GuiderError::ParameterError)
        );
        assert_eq!(
            parse_auth_reply(&with_code("500")),
            Err(GuiderError::ServerError)
        );
        assert_eq!(
            parse_auth_reply(&with_code("5001")),
            Err(GuiderError::DeviceNotFound)
        );
        assert_eq!(
            parse_auth_reply(&with_code("6200")),
            Err(GuiderError::AuthTypeMismatch)
        );
        assert_eq!(
            parse_auth_reply(&with_code("\"6200\"")),
            Err(GuiderError::AuthTypeMismatch)
        );
        assert_eq!(
            parse_auth_reply(&with_code("403")),
            Err(GuiderError::UnexpectedCode(403))
        );
        assert_eq!(
            parse_auth_reply(&with_code("-1")),
            Err(GuiderError::UnexpectedCode(-1))
        );
        assert_eq!(
            parse_auth_reply(&with_code("0")),
            Err(GuiderError::UnexpectedCode(0))
        );
        assert_eq!(
            parse_auth_reply(&with_code("200.5")),
            Err(GuiderError::InvalidCode)
        );
        assert_eq!(
            parse_auth_reply(&with_code("\"ok\"")),
            Err(GuiderError::InvalidCode)
        );
        assert_eq!(
            parse_auth_reply(&with_code("true")),
            Err(GuiderError::InvalidCode)
        );
        assert_eq!(
            parse_auth_reply(&with_code("99999999999999999999")),
            Err(GuiderError::InvalidCode)
        );
        assert_eq!(
            parse_auth_reply(&with_code("null")),
            Err(GuiderError::MissingCode)
        );
        assert_eq!(
            parse_auth_reply(br#"{"data":{},"message":"x"}"#),
            Err(GuiderError::MissingCode)
        );
        // code 200 but data empty: first missing field.
        assert_eq!(
            parse_auth_reply(&with_code("200")),
            Err(GuiderError::MissingField(ReplyField::IotId))
        );
    }

    #[test]
    fn reply_malformed_json() {
        for body in [
            &b""[..],
            b"not json",
            b"{\"code\":200",
            b"[200]",
            b"200",
            b"\"code\"",
            b"{\"code\":200}}",
            b"\xff\xfe",
        ] {
            assert_eq!(
                parse_auth_reply(body),
                Err(GuiderError::MalformedJson),
                "{:?}",
                body.escape_ascii()
            );
        }
        // Deep nesting is rejected, not a stack overflow.
        let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        assert_eq!(
            parse_auth_reply(deep.as_bytes()),
            Err(GuiderError::MalformedJson)
        );
    }

    #[test]
    fn reply_missing_and_invalid_fields() {
        let cases: &[(&str, GuiderError)] = &[
            (
                r#"{"code":200}"#,
                GuiderError::MissingField(ReplyField::Data),
            ),
            (
                r#"{"code":200,"data":null}"#,
                GuiderError::MissingField(ReplyField::Data),
            ),
            (
                r#"{"code":200,"data":"x"}"#,
                GuiderError::InvalidField(ReplyField::Data),
            ),
            (
                r#"{"code":200,"data":{"iotToken":"t","resources":{"mqtt":{"host":"h","port":1883}}}}"#,
                GuiderError::MissingField(ReplyField::IotId),
            ),
            (
                r#"{"code":200,"data":{"iotId":"i","resources":{"mqtt":{"host":"h","port":1883}}}}"#,
                GuiderError::MissingField(ReplyField::IotToken),
            ),
            (
                r#"{"code":200,"data":{"iotId":"i","iotToken":"t","resources":{"mqtt":{"port":1883}}}}"#,
                GuiderError::MissingField(ReplyField::Host),
            ),
            (
                r#"{"code":200,"data":{"iotId":"i","iotToken":"t","resources":{"mqtt":{"host":"h"}}}}"#,
                GuiderError::MissingField(ReplyField::Port),
            ),
            (
                r#"{"code":200,"data":{"iotId":"i","iotToken":"t"}}"#,
                GuiderError::MissingField(ReplyField::Host),
            ),
            // The platform guide's sample spells "Resources " (a typo): the lowercase key is required.
            (
                r#"{"code":200,"data":{"iotId":"i","iotToken":"t","Resources ":{"mqtt":{"host":"h","port":1883}}}}"#,
                GuiderError::MissingField(ReplyField::Host),
            ),
            (
                r#"{"code":200,"data":{"iotId":5,"iotToken":"t","resources":{"mqtt":{"host":"h","port":1883}}}}"#,
                GuiderError::InvalidField(ReplyField::IotId),
            ),
            (
                r#"{"code":200,"data":{"iotId":"","iotToken":"t","resources":{"mqtt":{"host":"h","port":1883}}}}"#,
                GuiderError::InvalidField(ReplyField::IotId),
            ),
            (
                r#"{"code":200,"data":{"iotId":"i","iotToken":"a\u0000b","resources":{"mqtt":{"host":"h","port":1883}}}}"#,
                GuiderError::InvalidField(ReplyField::IotToken),
            ),
            (
                r#"{"code":200,"data":{"iotId":"i","iotToken":"t","resources":{"mqtt":{"host":"evil host/x","port":1883}}}}"#,
                GuiderError::InvalidField(ReplyField::Host),
            ),
            (
                r#"{"code":200,"data":{"iotId":"i","iotToken":"t","resources":{"mqtt":{"host":"h","port":0}}}}"#,
                GuiderError::InvalidField(ReplyField::Port),
            ),
            (
                r#"{"code":200,"data":{"iotId":"i","iotToken":"t","resources":{"mqtt":{"host":"h","port":65536}}}}"#,
                GuiderError::InvalidField(ReplyField::Port),
            ),
            (
                r#"{"code":200,"data":{"iotId":"i","iotToken":"t","resources":{"mqtt":{"host":"h","port":-1}}}}"#,
                GuiderError::InvalidField(ReplyField::Port),
            ),
            (
                r#"{"code":200,"data":{"iotId":"i","iotToken":"t","resources":{"mqtt":{"host":"h","port":"80x"}}}}"#,
                GuiderError::InvalidField(ReplyField::Port),
            ),
            (
                r#"{"code":200,"data":{"iotId":"i","iotToken":"t","resources":{"mqtt":{"host":"h","port":1883.5}}}}"#,
                GuiderError::InvalidField(ReplyField::Port),
            ),
            (
                r#"{"code":200,"data":{"iotId":"i","iotToken":"t","resources":{"mqtt":{"host":"h","port":[1883]}}}}"#,
                GuiderError::InvalidField(ReplyField::Port),
            ),
        ];
        for (body, err) in cases {
            assert_eq!(
                parse_auth_reply(body.as_bytes()).as_ref(),
                Err(err),
                "{body}"
            );
        }
        // Minimal valid reply, port at the top of its range.
        assert_eq!(
            parse_auth_reply(
                br#"{"code":200,"data":{"iotId":"i","iotToken":"t","resources":{"mqtt":{"host":"127.0.0.1","port":"65535"}}}}"#
            )
            .unwrap(),
            GuiderReply {
                iot_id: "i".into(),
                iot_token: "t".into(),
                host: "127.0.0.1".into(),
                port: 65535
            }
        );
    }

    #[test]
    fn display_messages_distinct() {
        let all = [
            GuiderError::EmptyResponse,
            GuiderError::TruncatedHead,
            GuiderError::TruncatedBody,
            GuiderError::ResponseTooLarge { limit: 16384 },
            GuiderError::MalformedHead,
            GuiderError::TooManyHeaders,
            GuiderError::BadContentLength,
            GuiderError::UnsupportedTransferEncoding,
            GuiderError::MalformedChunk,
            GuiderError::AlreadyComplete,
            GuiderError::HttpStatus(503),
            GuiderError::MalformedJson,
            GuiderError::MissingCode,
            GuiderError::InvalidCode,
            GuiderError::BadSignature,
            GuiderError::ParameterError,
            GuiderError::ServerError,
            GuiderError::DeviceNotFound,
            GuiderError::AuthTypeMismatch,
            GuiderError::UnexpectedCode(403),
            GuiderError::MissingField(ReplyField::Data),
            GuiderError::MissingField(ReplyField::IotId),
            GuiderError::MissingField(ReplyField::IotToken),
            GuiderError::MissingField(ReplyField::Host),
            GuiderError::MissingField(ReplyField::Port),
            GuiderError::InvalidField(ReplyField::Data),
            GuiderError::InvalidField(ReplyField::IotId),
            GuiderError::InvalidField(ReplyField::IotToken),
            GuiderError::InvalidField(ReplyField::Host),
            GuiderError::InvalidField(ReplyField::Port),
        ];
        let texts: Vec<String> = all.iter().map(|e| e.to_string()).collect();
        for (i, a) in texts.iter().enumerate() {
            assert!(!a.is_empty());
            for b in texts.iter().skip(i + 1) {
                assert_ne!(a, b);
            }
        }
        assert_eq!(
            GuiderError::BadSignature.to_string(),
            "auth failed: code 401 (request auth error), the signature is invalid; check the device secret"
        );
        assert_eq!(
            GuiderError::ParameterError.to_string(),
            "auth failed: code 460 (param error), a request parameter is missing or malformed"
        );
        assert_eq!(
            GuiderError::ServerError.to_string(),
            "auth failed: code 500 (unknown error) on the server side"
        );
        assert_eq!(
            GuiderError::DeviceNotFound.to_string(),
            "auth failed: code 5001 (meta device not found); check the product key and device name"
        );
        assert_eq!(
            GuiderError::AuthTypeMismatch.to_string(),
            "auth failed: code 6200 (auth type mismatch), this authentication or sign method is not allowed for the device"
        );
        assert_eq!(
            GuiderError::UnexpectedCode(403).to_string(),
            "auth failed: code 403 (!= 200)"
        );
        assert_eq!(
            GuiderError::MissingField(ReplyField::Port).to_string(),
            "auth server reply lacks \"data.resources.mqtt.port\""
        );
    }

    /// Deterministic mutation run: random byte flips, truncations and split points on valid
    /// responses never panic, never exceed the cap, and never return a body twice.
    #[test]
    fn mutated_responses_never_panic() {
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut rand = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let originals = [content_length_response(), chunked_response()];
        for round in 0..3000 {
            let mut bytes = originals[round % 2].clone();
            for _ in 0..(rand() % 4) {
                let i = (rand() as usize) % bytes.len();
                bytes[i] = rand() as u8;
            }
            let cut = (rand() as usize) % (bytes.len() + 1);
            bytes.truncate(cut);
            let mut p = ResponseParser::with_limit(512);
            let mut bodies = 0;
            let mut failed = false;
            let mut rest = &bytes[..];
            while !rest.is_empty() {
                let n = 1 + (rand() as usize) % 40;
                let (now, later) = rest.split_at(n.min(rest.len()));
                rest = later;
                match p.feed(now) {
                    Ok(Some(b)) => {
                        bodies += 1;
                        assert!(b.content.len() <= 512);
                        let _ = parse_auth_response(&b);
                    }
                    Ok(None) => {}
                    Err(_) => failed = true,
                }
            }
            if !failed && bodies == 0 {
                if let Ok(b) = p.finish() {
                    let _ = parse_auth_reply(&b.content);
                }
            }
            assert!(bodies <= 1);
            let _ = parse_auth_reply(&bytes);
        }
    }

    #[test]
    fn debug_redacts_token_and_body() {
        let r = expected_reply();
        let d = format!("{r:?}");
        assert!(!d.contains("e96d15a4d4734a73b13040b1878009bc"), "{d}");
        assert!(d.contains("030VCbn30334364bb36997f44cMYTBAR"));
        let mut p = ResponseParser::new();
        let body = p.feed(&content_length_response()).unwrap().unwrap();
        let d = format!("{body:?}");
        assert!(!d.contains("e96d15a4"), "{d}");
    }
}
