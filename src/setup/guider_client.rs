//! HTTPS pre-authentication on the network (docs/v210-reference.md §6, `FEATURE_MQTT_DIRECT = n`):
//! the signed `POST /auth/devicename` to `iot-auth.<region>.aliyuncs.com:443` over TLS (the same
//! backend as MQTT, verified against the CA of `pub_key`), the reply read within
//! `CONFIG_GUIDER_AUTH_TIMEOUT`, framed by `auth::http` and read by `auth::preauth`. Every outcome
//! has its own log line, all starting with "HTTPS pre-authentication"; the token is never logged.

use crate::prelude::*;

use crate::auth::request::AUTH_PATH;
use crate::auth::{self, DeviceIdentity, GuiderReply, Region, ResponseParser, SignMethod};
use crate::hal::{self, ReadOutcome};
use crate::heap;
use crate::tls::Session;

use iotmqtt_engine::limits::{GUIDER_AUTH_TIMEOUT_MS, GUIDER_WRITE_TIMEOUT_MS};

/// The step at which HTTPS pre-authentication failed; each was logged where it failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PreAuthFailure {
    /// No CA to verify the server with.
    NoCa,
    /// The auth host could not be copied into a C string (memory ran out).
    HostName,
    /// TLS to the auth server could not be opened.
    Connect,
    /// Writing the request failed.
    Send,
    /// No complete reply within [`GUIDER_AUTH_TIMEOUT_MS`].
    Timeout,
    /// Reading the reply failed.
    Read,
    /// The reply was refused: its framing, status or content.
    Refused,
}

/// Authenticates `identity` with the auth service of `region`; `Err` was logged.
pub fn authenticate(
    identity: &DeviceIdentity,
    region: Region,
    sign_method: SignMethod,
) -> Result<GuiderReply, PreAuthFailure> {
    let request = auth::auth_request(identity, region, sign_method);
    let device = format!("{}.{}", identity.product_key(), identity.device_name());
    let Some(ca) = crate::ca::current() else {
        log_err!(
            "HTTPS pre-authentication of {}: no CA (pub_key) to verify the server",
            device
        );
        return Err(PreAuthFailure::NoCa);
    };
    let Some(host) = heap::try_cstring(request.host.as_bytes()) else {
        log_err!(
            "HTTPS pre-authentication of {}: out of memory copying the host name",
            device
        );
        return Err(PreAuthFailure::HostName);
    };
    let start = hal::uptime_ms();
    let deadline = start.saturating_add(u64::from(GUIDER_AUTH_TIMEOUT_MS));
    let left = || u32::try_from(deadline.saturating_sub(hal::uptime_ms())).unwrap_or(u32::MAX);
    log_info!(
        "HTTPS pre-authentication of {}: POST https://{}:{}{}",
        device,
        request.host,
        request.port,
        AUTH_PATH
    );
    let session =
        Session::connect(&host, request.port, ca, GUIDER_AUTH_TIMEOUT_MS).map_err(|error| {
            log_err!(
                "HTTPS pre-authentication of {}: cannot open TLS to {}:{} ({})",
                device,
                request.host,
                request.port,
                error
            );
            PreAuthFailure::Connect
        })?;
    if session
        .write_all(&request.bytes, left().min(GUIDER_WRITE_TIMEOUT_MS))
        .is_err()
    {
        log_err!(
            "HTTPS pre-authentication of {}: sending the request to {} failed",
            device,
            request.host
        );
        return Err(PreAuthFailure::Send);
    }
    let mut parser = ResponseParser::new();
    let mut buf = [0u8; 512];
    let body = loop {
        let wait = left();
        if wait == 0 {
            log_err!(
                "HTTPS pre-authentication of {}: timed out, no complete reply from {} within {} ms",
                device,
                request.host,
                GUIDER_AUTH_TIMEOUT_MS
            );
            return Err(PreAuthFailure::Timeout);
        }
        let fed = match session.read(&mut buf, wait) {
            ReadOutcome::Data(n) => parser.feed(buf.get(..n).unwrap_or(&[])),
            ReadOutcome::Timeout => continue,
            ReadOutcome::Closed => parser.finish().map(Some),
            ReadOutcome::Error(code) => {
                log_err!(
                    "HTTPS pre-authentication of {}: reading the reply from {} failed ({})",
                    device,
                    request.host,
                    code
                );
                return Err(PreAuthFailure::Read);
            }
        };
        match fed {
            Ok(Some(body)) => break body,
            Ok(None) => {}
            Err(e) => {
                log_err!("HTTPS pre-authentication of {}: {}", device, e);
                return Err(PreAuthFailure::Refused);
            }
        }
    };
    drop(session);
    match auth::parse_auth_response(&body) {
        Ok(reply) => {
            log_info!(
                "HTTPS pre-authentication of {} succeeded in {} ms: MQTT endpoint {}:{}",
                device,
                hal::uptime_ms().saturating_sub(start),
                reply.host,
                reply.port
            );
            Ok(reply)
        }
        Err(e) => {
            log_err!("HTTPS pre-authentication of {}: {}", device, e);
            Err(PreAuthFailure::Refused)
        }
    }
}
