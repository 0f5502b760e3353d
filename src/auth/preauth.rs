//! The pre-authentication path end to end, without I/O: the stage at which a response was
//! refused (HTTP framing, HTTP status, JSON reply), and the connection strings of
//! `IOT_SetupConnInfo` built from an accepted reply. The top of `auth`: it imports the files
//! below it, none imports it.

use core::fmt;

use super::conninfo::{fill, guider_client_id, ConnField, ConnInfoError, ConnStrings};
use super::http::{Body, HttpError};
use super::identity::DeviceIdentity;
use super::reply::{parse_auth_reply, GuiderReply, ReplyError};
use super::sign::SignMethod;

/// Why the pre-authentication response gave no credentials, by the stage that refused it (the
/// I/O steps before it are `setup::guider_client::PreAuthFailure`). The `Display` text is the
/// stage's own (meant for the log; it never contains a secret).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ResponseError {
    /// The response could not be read as HTTP.
    Http(HttpError),
    /// The HTTP status is not 200.
    HttpStatus(u16),
    /// The body is not a usable reply.
    Reply(ReplyError),
}

impl fmt::Display for ResponseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ResponseError::Http(e) => e.fmt(f),
            ResponseError::HttpStatus(s) => {
                write!(f, "auth server answered HTTP status {s} (expected 200)")
            }
            ResponseError::Reply(e) => e.fmt(f),
        }
    }
}

impl core::error::Error for ResponseError {}

impl From<HttpError> for ResponseError {
    fn from(e: HttpError) -> Self {
        ResponseError::Http(e)
    }
}

impl From<ReplyError> for ResponseError {
    fn from(e: ReplyError) -> Self {
        ResponseError::Reply(e)
    }
}

/// Checks the HTTP status, then parses the JSON body with [`parse_auth_reply`].
pub fn parse_auth_response(response: &Body) -> Result<GuiderReply, ResponseError> {
    if response.status != 200 {
        return Err(ResponseError::HttpStatus(response.status));
    }
    Ok(parse_auth_reply(&response.content)?)
}

/// Guider-mode connection strings (docs/v210-reference.md §6, "Feeding the MQTT connect"): host and
/// port from the reply, username = iotId, password = iotToken, client id with `securemode=-1`.
pub fn guider_conn(
    identity: &DeviceIdentity,
    reply: &GuiderReply,
    sign_method: SignMethod,
    partner_id: &str,
    module_id: &str,
) -> Result<ConnStrings, ConnInfoError> {
    let host = fill(reply.host.clone(), ConnField::Host)?;
    let client_id = guider_client_id(identity, sign_method, partner_id, module_id)?;
    let username = fill(reply.iot_id.clone(), ConnField::Username)?;
    let password = fill(reply.iot_token.clone(), ConnField::Password)?;
    Ok(ConnStrings {
        host,
        port: reply.port,
        client_id,
        username,
        password,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::http::tests::{chunked_response, content_length_response, feed_all, REPLY};
    use crate::auth::http::ResponseParser;
    use crate::auth::identity::tests::sample;
    use crate::auth::reply::tests::expected_reply;
    use crate::auth::reply::ReplyField;

    #[test]
    fn content_length_whole_and_split() {
        let bytes = content_length_response();
        for step in [bytes.len(), 1, 2, 3, 7, 64] {
            let mut p = ResponseParser::new();
            let body = feed_all(&mut p, &bytes, step).unwrap();
            assert_eq!(body.status, 200);
            assert_eq!(body.content, REPLY.as_bytes());
            assert_eq!(parse_auth_response(&body).unwrap(), expected_reply());
            assert_eq!(p.finish(), Err(HttpError::AlreadyComplete));
        }
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
            Err(ReplyError::MalformedJson)
        );
        let mut p = ResponseParser::new();
        let body = p.feed(b"HTTP/1.1 204 No Content\r\n\r\n").unwrap().unwrap();
        assert_eq!(body.status, 204);
        assert_eq!(
            parse_auth_response(&body),
            Err(ResponseError::HttpStatus(204))
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
            Err(ResponseError::HttpStatus(503))
        );
    }

    #[test]
    fn display_messages_distinct() {
        let all = [
            ResponseError::Http(HttpError::EmptyResponse),
            ResponseError::Http(HttpError::TruncatedHead),
            ResponseError::Http(HttpError::TruncatedBody),
            ResponseError::Http(HttpError::ResponseTooLarge { limit: 16384 }),
            ResponseError::Http(HttpError::MalformedHead),
            ResponseError::Http(HttpError::TooManyHeaders),
            ResponseError::Http(HttpError::BadContentLength),
            ResponseError::Http(HttpError::UnsupportedTransferEncoding),
            ResponseError::Http(HttpError::MalformedChunk),
            ResponseError::Http(HttpError::AlreadyComplete),
            ResponseError::HttpStatus(503),
            ResponseError::Reply(ReplyError::MalformedJson),
            ResponseError::Reply(ReplyError::MissingCode),
            ResponseError::Reply(ReplyError::InvalidCode),
            ResponseError::Reply(ReplyError::BadSignature),
            ResponseError::Reply(ReplyError::ParameterError),
            ResponseError::Reply(ReplyError::ServerError),
            ResponseError::Reply(ReplyError::DeviceNotFound),
            ResponseError::Reply(ReplyError::AuthTypeMismatch),
            ResponseError::Reply(ReplyError::UnexpectedCode(403)),
            ResponseError::Reply(ReplyError::MissingField(ReplyField::Data)),
            ResponseError::Reply(ReplyError::MissingField(ReplyField::IotId)),
            ResponseError::Reply(ReplyError::MissingField(ReplyField::IotToken)),
            ResponseError::Reply(ReplyError::MissingField(ReplyField::Host)),
            ResponseError::Reply(ReplyError::MissingField(ReplyField::Port)),
            ResponseError::Reply(ReplyError::InvalidField(ReplyField::Data)),
            ResponseError::Reply(ReplyError::InvalidField(ReplyField::IotId)),
            ResponseError::Reply(ReplyError::InvalidField(ReplyField::IotToken)),
            ResponseError::Reply(ReplyError::InvalidField(ReplyField::Host)),
            ResponseError::Reply(ReplyError::InvalidField(ReplyField::Port)),
        ];
        let texts: Vec<String> = all.iter().map(|e| e.to_string()).collect();
        for (i, a) in texts.iter().enumerate() {
            assert!(!a.is_empty());
            for b in texts.iter().skip(i + 1) {
                assert_ne!(a, b);
            }
        }
        assert_eq!(
            ResponseError::Reply(ReplyError::BadSignature).to_string(),
            "auth failed: code 401 (request auth error), the signature is invalid; check the device secret"
        );
        assert_eq!(
            ResponseError::Reply(ReplyError::ParameterError).to_string(),
            "auth failed: code 460 (param error), a request parameter is missing or malformed"
        );
        assert_eq!(
            ResponseError::Reply(ReplyError::ServerError).to_string(),
            "auth failed: code 500 (unknown error) on the server side"
        );
        assert_eq!(
            ResponseError::Reply(ReplyError::DeviceNotFound).to_string(),
            "auth failed: code 5001 (meta device not found); check the product key and device name"
        );
        assert_eq!(
            ResponseError::Reply(ReplyError::AuthTypeMismatch).to_string(),
            "auth failed: code 6200 (auth type mismatch), this authentication or sign method is not allowed for the device"
        );
        assert_eq!(
            ResponseError::Reply(ReplyError::UnexpectedCode(403)).to_string(),
            "auth failed: code 403 (!= 200)"
        );
        assert_eq!(
            ResponseError::Reply(ReplyError::MissingField(ReplyField::Port)).to_string(),
            "auth server reply lacks \"data.resources.mqtt.port\""
        );
    }

    /// Deterministic mutation run: random byte flips, truncations and split points on valid

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
    fn guider_conn_strings() {
        let reply = GuiderReply {
            iot_id: "030VCbn30334364bb36997f44cMYTBAR".into(),
            iot_token: "e96d15a4d4734a73b13040b1878009bc".into(),
            host: "iot-as-mqtt.cn-shanghai.aliyuncs.com".into(),
            port: 1883,
        };
        let c = guider_conn(&sample(), &reply, SignMethod::HmacSha1, "", "").unwrap();
        assert_eq!(c.host, "iot-as-mqtt.cn-shanghai.aliyuncs.com");
        assert_eq!(c.port, 1883);
        assert_eq!(
            c.client_id,
            "yfTuLfBJTiL.TestDeviceForDemo|securemode=-1,timestamp=2524608000000,signmethod=hmacsha1,gw=0,ext=0|"
        );
        assert_eq!(c.username, "030VCbn30334364bb36997f44cMYTBAR");
        assert_eq!(c.password, "e96d15a4d4734a73b13040b1878009bc");

        let long = |n: usize| "x".repeat(n);
        let mut r = reply.clone();
        r.host = long(128);
        assert!(guider_conn(&sample(), &r, SignMethod::HmacSha1, "", "").is_ok());
        r.host = long(129);
        assert_eq!(
            guider_conn(&sample(), &r, SignMethod::HmacSha1, "", ""),
            Err(ConnInfoError::TooLong {
                field: ConnField::Host,
                len: 129,
                max: 128
            })
        );
        let mut r = reply.clone();
        r.iot_id = long(512);
        assert!(guider_conn(&sample(), &r, SignMethod::HmacSha1, "", "").is_ok());
        r.iot_id = long(513);
        assert_eq!(
            guider_conn(&sample(), &r, SignMethod::HmacSha1, "", ""),
            Err(ConnInfoError::TooLong {
                field: ConnField::Username,
                len: 513,
                max: 512
            })
        );
        let mut r = reply;
        r.iot_token = long(256);
        assert!(guider_conn(&sample(), &r, SignMethod::HmacSha1, "", "").is_ok());
        r.iot_token = long(257);
        assert_eq!(
            guider_conn(&sample(), &r, SignMethod::HmacSha1, "", ""),
            Err(ConnInfoError::TooLong {
                field: ConnField::Password,
                len: 257,
                max: 256
            })
        );
    }
}
