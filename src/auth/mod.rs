//! Device credentials, pure logic without I/O: the request signature (`sign`), the connection
//! strings of `IOT_SetupConnInfo` for direct mode and after HTTPS pre-authentication (`conninfo`),
//! and the HTTPS pre-authentication request, response parser and reply (`guider`).
//!
//! Nothing here logs: failures are typed errors whose `Display` text is meant for the log line.
//! Secrets (device secret, signature, token) never appear in `Debug` output.
//! Only `alloc` types (`String`, `Vec`, `format!`) and `core` are used.

// The crate root denies unwrap, expect, panic and unchecked indexing outside tests.

pub mod conninfo;
pub mod guider;
mod hmac;
mod sha1;
pub mod sign;

pub use conninfo::{
    auth_host, client_id, direct_conn, guider_client_id, guider_conn, mqtt_domain, AuthError,
    ConnField, ConnStrings, DeviceIdentity, Region, SecureMode, TIMESTAMP,
};
pub use guider::{
    auth_request, parse_auth_reply, parse_auth_response, AuthRequest, Body, GuiderError,
    GuiderReply, ReplyField, ResponseParser,
};
pub use sign::{sign, sign_content, SignMethod};
