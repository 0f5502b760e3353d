//! The bodies of iotmqtt's fuzz targets, one public function each. `fuzz/` (cargo-fuzz, nightly)
//! calls them from libFuzzer; `tests/corpus.rs` (stable `cargo test`) replays every file of
//! `fuzz/corpus/<target>/` through the same functions, so a regression that a corpus file or a
//! past crash catches fails without nightly.
//!
//! Each function panics (a finding) when a property breaks; otherwise it returns quietly:
//! - [`wire`]: the framer, decoder and drain of the engine's codec, fed one byte stream whole
//!   and in arbitrary splits through a driver-like reassembly buffer, must frame and decode it
//!   the same way; `Incomplete { need }` is a true lower bound; canonical packets re-encode to
//!   their bytes; a drained PUBLISH is acknowledged with the id `decode` finds.
//! - [`engine`]: the session fed arbitrary packets (decoded from fuzz bytes, and structured),
//!   API calls and clock steps keeps `check_invariants` after each step, never loses an
//!   accepted QoS1 message, emits only well-formed packets that encode to `encoded_len` bytes
//!   and decode back, and never asks for a busy loop.
//! - [`preauth_reply`]: the HTTPS pre-authentication response parser, fed a response whole and
//!   split anywhere, gives the same body or the same error; a reply it accepts is usable.
//! - [`make_settings`]: the build-time `make.settings` reader never panics, its errors name a
//!   line of the file, and comments, a leading line and CRLF endings change only line numbers.

extern crate alloc;

/// What std's prelude gives, for the included `src/auth` files (`use crate::prelude::*`).
#[allow(unused_imports)]
mod prelude {
    pub use alloc::borrow::ToOwned;
    pub use alloc::boxed::Box;
    pub use alloc::format;
    pub use alloc::string::{String, ToString};
    pub use alloc::vec::Vec;
}

/// The main crate's signing, connection strings and pre-authentication parser, as compiled
/// into `libiotmqtt.a` (the same source file).
#[path = "../../src/auth/mod.rs"]
pub mod auth;

/// The main crate's `make.settings` reader (the file `build.rs` includes the same way).
#[path = "../../src/make_settings.rs"]
pub mod make_settings_reader;

mod engine_target;
mod wire_target;

pub use engine_target::engine;
pub use wire_target::wire;

use iotmqtt_engine::{Incoming, Outgoing};

/// The packet a client sends with the contents of `p`, for the packets both sides send (a
/// PUBLISH and its acknowledgements): what a decoded packet must re-encode to.
pub(crate) fn as_outgoing<'a>(p: &Incoming<'a>) -> Option<Outgoing<'a>> {
    Some(match *p {
        Incoming::Publish {
            dup,
            qos,
            retain,
            topic,
            pkid,
            payload,
        } => Outgoing::Publish {
            dup,
            qos,
            retain,
            topic,
            pkid,
            payload,
        },
        Incoming::PubAck(id) => Outgoing::PubAck(id),
        Incoming::PubRec(id) => Outgoing::PubRec(id),
        Incoming::PubRel(id) => Outgoing::PubRel(id),
        Incoming::PubComp(id) => Outgoing::PubComp(id),
        _ => return None,
    })
}

/// Fuzz input as a stream of small decisions; exhausted input reads as zeros.
pub(crate) struct Input<'a> {
    bytes: &'a [u8],
}

impl<'a> Input<'a> {
    pub(crate) fn new(bytes: &'a [u8]) -> Self {
        Self { bytes }
    }
    pub(crate) fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }
    pub(crate) fn u8(&mut self) -> u8 {
        match self.bytes.split_first() {
            Some((b, rest)) => {
                self.bytes = rest;
                *b
            }
            None => 0,
        }
    }
    pub(crate) fn u16(&mut self) -> u16 {
        u16::from_be_bytes([self.u8(), self.u8()])
    }
    pub(crate) fn u32(&mut self) -> u32 {
        u32::from_be_bytes([self.u8(), self.u8(), self.u8(), self.u8()])
    }
    /// Up to `max` bytes.
    pub(crate) fn take(&mut self, max: usize) -> &'a [u8] {
        let n = max.min(self.bytes.len());
        let (head, rest) = self.bytes.split_at(n);
        self.bytes = rest;
        head
    }
    pub(crate) fn rest(&mut self) -> &'a [u8] {
        core::mem::take(&mut self.bytes)
    }
}

/// Split sizes (1..=n) decided by `seed`, cycling, so one input gives many chunkings.
pub(crate) fn split_sizes(seed: &[u8]) -> impl Iterator<Item = usize> + '_ {
    let fallback: &[u8] = &[0];
    let s = if seed.is_empty() { fallback } else { seed };
    s.iter().cycle().map(|&b| match b {
        // Mostly small pieces: one byte at a time is where incremental parsers break.
        0..=127 => 1 + usize::from(b % 8),
        128..=239 => 1 + usize::from(b - 128),
        _ => 1 + 512 * usize::from(b - 239),
    })
}

/// The pre-authentication reply parser: input = limit byte, split-seed length, split seed,
/// then the HTTP response.
pub fn preauth_reply(data: &[u8]) {
    use auth::{HttpError, ResponseParser};
    let mut input = Input::new(data);
    let limit = match input.u8() {
        0 => auth::http::MAX_RESPONSE_LEN,
        n => usize::from(n) * 8,
    };
    let seed_len = usize::from(input.u8() % 16);
    let seed = input.take(seed_len);
    let response = input.rest();

    let whole = {
        let mut p = ResponseParser::with_limit(limit);
        match p.feed(response) {
            Ok(Some(body)) => {
                // Once complete, later bytes and EOF change nothing.
                assert_eq!(p.feed(b"HTTP/1.1 200 OK\r\n\r\n"), Ok(None));
                assert_eq!(p.finish(), Err(HttpError::AlreadyComplete));
                Ok(body)
            }
            Ok(None) => p.finish(),
            Err(e) => {
                // Errors stick.
                assert_eq!(p.feed(b"x"), Err(e));
                assert_eq!(p.finish(), Err(e));
                Err(e)
            }
        }
    };

    let split = {
        let mut p = ResponseParser::with_limit(limit);
        let mut rest = response;
        let mut sizes = split_sizes(seed);
        let mut outcome = None;
        while !rest.is_empty() {
            let n = sizes.next().unwrap_or(1).min(rest.len());
            let (piece, tail) = rest.split_at(n);
            rest = tail;
            match p.feed(piece) {
                Ok(Some(body)) => {
                    outcome = Some(Ok(body));
                    break;
                }
                Ok(None) => {}
                Err(e) => {
                    outcome = Some(Err(e));
                    break;
                }
            }
        }
        outcome.unwrap_or_else(|| p.finish())
    };
    assert_eq!(whole, split, "whole and split parses disagree");

    if let Ok(body) = whole {
        assert!(body.content.len() <= limit, "body larger than the cap");
        // httparse takes any three digits ("020" is 20); only 200 is accepted below.
        assert!(body.status <= 999, "status {}", body.status);
        assert!(
            !(100..200).contains(&body.status),
            "interim response returned"
        );
        if let Ok(reply) = auth::parse_auth_response(&body) {
            assert_eq!(body.status, 200);
            assert!(!reply.iot_id.is_empty() && !reply.iot_token.is_empty());
            assert!(!reply.host.is_empty() && reply.port != 0);
            assert!(reply.iot_id.bytes().all(|c| c.is_ascii_graphic()));
            assert!(reply.iot_token.bytes().all(|c| c.is_ascii_graphic()));
            // The JSON parser agrees when called on the body directly.
            assert_eq!(auth::parse_auth_reply(&body.content), Ok(reply));
        }
    }
}

/// The `make.settings` reader: input = the file (lossy UTF-8).
pub fn make_settings(data: &[u8]) {
    use make_settings_reader::parse;
    let text = String::from_utf8_lossy(data);
    let lines = text.lines().count();
    let result = parse("make.settings", &text);
    match &result {
        Ok(s) => {
            assert!(s.direct || s.tls, "pre-authentication without TLS accepted");
            for (line, _) in &s.ignored {
                assert!((1..=lines).contains(line), "ignored flag on line {line}");
            }
        }
        Err(e) => {
            assert!(e.line <= lines, "error on line {} of {lines}", e.line);
            assert_eq!(e.file, "make.settings");
            let shown = e.to_string();
            assert!(shown.starts_with("make.settings"), "{shown}");
            assert!(shown.contains(e.rule), "{shown}");
        }
    }
    // Deterministic.
    assert_eq!(parse("make.settings", &text), result);

    // A comment line in front shifts every line number by one and changes nothing else.
    let shifted = parse("make.settings", &format!("# fuzz\n{text}"));
    match (&result, shifted) {
        (Ok(a), Ok(b)) => {
            assert_eq!(
                (a.direct, a.tls, a.tls_backend),
                (b.direct, b.tls, b.tls_backend)
            );
            let moved: Vec<_> = a.ignored.iter().map(|(l, f)| (l + 1, f.clone())).collect();
            assert_eq!(moved, b.ignored);
        }
        (Err(a), Err(b)) => {
            assert_eq!((a.rule, &a.detail), (b.rule, &b.detail));
            assert_eq!(if a.line == 0 { 0 } else { a.line + 1 }, b.line);
        }
        (a, b) => panic!("a leading comment changed the outcome: {a:?} / {b:?}"),
    }

    // CRLF line endings read as LF ones.
    if !text.contains('\r') {
        assert_eq!(
            parse("make.settings", &text.replace('\n', "\r\n")),
            result,
            "CRLF endings changed the outcome"
        );
    }
}
