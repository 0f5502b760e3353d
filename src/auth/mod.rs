//! Device credentials, pure logic without I/O (the I/O half of connection setup is `setup`).
//!
//! One-way, bottom to top; a file imports only files of the items above its own:
//! - `region`: the regions of `IOT_SetupDomain` and their host names (one table);
//!   `identity`: product key, device name and device secret as V2.10 cuts them.
//! - `sha1` (SHA-1, written for size), `hmac` on it and on MD5; `sign`: the HMAC signature of a
//!   device.
//! - `conninfo`: the connection strings of `IOT_SetupConnInfo` in direct mode, and the client id.
//! - HTTPS pre-authentication, one concern a file: `request` (the request bytes), `http` (the
//!   HTTP/1.x response parser; imports nothing); `reply` (the JSON reply) comes after `http`,
//!   whose decimal reader it uses for a port given as a string.
//! - `preauth`: the stage at which pre-authentication failed, and the connection strings from
//!   its reply.
//!
//! Nothing here logs: failures are typed errors whose `Display` text is meant for the log line.
//! Secrets (device secret, signature, token) never appear in `Debug` output.
//! Only `alloc` types (`String`, `Vec`, `format!`) and `core` are used, and nothing of the crate
//! but its prelude: `fuzz-targets` compiles these files on their own.

// The crate root denies unwrap, expect, panic and unchecked indexing outside tests.

pub mod conninfo;
mod hmac;
pub mod http;
pub mod identity;
pub mod preauth;
pub mod region;
pub mod reply;
pub mod request;
mod sha1;
pub mod sign;

pub use conninfo::{
    client_id, direct_conn, guider_client_id, ConnField, ConnInfoError, ConnStrings, SecureMode,
};
pub use http::{Body, HttpError, ResponseParser};
pub use identity::{DeviceIdentity, IdentityError};
pub use preauth::{guider_conn, parse_auth_response, ResponseError};
pub use region::{auth_host, mqtt_domain, Region};
pub use reply::{parse_auth_reply, GuiderReply, ReplyError, ReplyField};
pub use request::{auth_request, AuthRequest};
pub use sign::{device_signature, sign, sign_content, SignMethod, TIMESTAMP};
