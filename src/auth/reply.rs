//! The JSON reply of HTTPS pre-authentication (docs/v210-reference.md §6): the `code`, then the
//! MQTT credentials and endpoint under `data`, through `serde_json`.

use crate::prelude::*;
use core::fmt;

use serde_json::Value;

use super::http::parse_decimal;

/// A field of the auth reply, for [`ReplyError`].
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

/// Why the reply gives no credentials. The `Display` text is meant for the log; it never
/// contains a secret.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReplyError {
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

impl fmt::Display for ReplyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReplyError::MalformedJson => f.write_str("auth server reply is not a JSON object"),
            ReplyError::MissingCode => f.write_str("auth server reply has no \"code\""),
            ReplyError::InvalidCode => {
                f.write_str("auth server reply has a \"code\" that is not an integer")
            }
            ReplyError::BadSignature => f.write_str(
                "auth failed: code 401 (request auth error), the signature is invalid; \
                 check the device secret",
            ),
            ReplyError::ParameterError => f.write_str(
                "auth failed: code 460 (param error), a request parameter is missing or malformed",
            ),
            ReplyError::ServerError => {
                f.write_str("auth failed: code 500 (unknown error) on the server side")
            }
            ReplyError::DeviceNotFound => f.write_str(
                "auth failed: code 5001 (meta device not found); \
                 check the product key and device name",
            ),
            ReplyError::AuthTypeMismatch => f.write_str(
                "auth failed: code 6200 (auth type mismatch), \
                 this authentication or sign method is not allowed for the device",
            ),
            ReplyError::UnexpectedCode(c) => write!(f, "auth failed: code {c} (!= 200)"),
            ReplyError::MissingField(field) => {
                write!(f, "auth server reply lacks \"{}\"", field.path())
            }
            ReplyError::InvalidField(field) => {
                write!(f, "auth server reply has an unusable \"{}\"", field.path())
            }
        }
    }
}

impl core::error::Error for ReplyError {}

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

/// Parses the JSON reply of docs/v210-reference.md §6: `code` must be 200 (a number, or a string
/// holding one), then `data.iotId`, `data.iotToken`, `data.resources.mqtt.host` and
/// `data.resources.mqtt.port` (a number or a string) must be present and usable.
pub fn parse_auth_reply(body: &[u8]) -> Result<GuiderReply, ReplyError> {
    let root: Value = serde_json::from_slice(body).map_err(|_| ReplyError::MalformedJson)?;
    if !root.is_object() {
        return Err(ReplyError::MalformedJson);
    }
    let code = match root.get("code") {
        None | Some(Value::Null) => return Err(ReplyError::MissingCode),
        Some(Value::Number(n)) => n.as_i64().ok_or(ReplyError::InvalidCode)?,
        Some(Value::String(s)) => s
            .trim()
            .parse::<i64>()
            .map_err(|_| ReplyError::InvalidCode)?,
        Some(_) => return Err(ReplyError::InvalidCode),
    };
    match code {
        200 => {}
        401 => return Err(ReplyError::BadSignature),
        460 => return Err(ReplyError::ParameterError),
        500 => return Err(ReplyError::ServerError),
        5001 => return Err(ReplyError::DeviceNotFound),
        6200 => return Err(ReplyError::AuthTypeMismatch),
        other => return Err(ReplyError::UnexpectedCode(other)),
    }
    let data = match root.get("data") {
        Some(d) if d.is_object() => d,
        None | Some(Value::Null) => return Err(ReplyError::MissingField(ReplyField::Data)),
        Some(_) => return Err(ReplyError::InvalidField(ReplyField::Data)),
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
) -> Result<String, ReplyError> {
    match value {
        None | Some(Value::Null) => Err(ReplyError::MissingField(field)),
        Some(Value::String(s)) if !s.is_empty() && s.chars().all(allowed) => Ok(s.clone()),
        Some(_) => Err(ReplyError::InvalidField(field)),
    }
}

fn port_field(value: Option<&Value>) -> Result<u16, ReplyError> {
    let invalid = ReplyError::InvalidField(ReplyField::Port);
    let port = match value {
        None | Some(Value::Null) => return Err(ReplyError::MissingField(ReplyField::Port)),
        Some(Value::Number(n)) => n
            .as_u64()
            .and_then(|p| u16::try_from(p).ok())
            .ok_or(invalid)?,
        Some(Value::String(s)) => parse_decimal(s.as_bytes())
            .and_then(|p| u16::try_from(p).ok())
            .ok_or(invalid)?,
        Some(_) => return Err(invalid),
    };
    if port == 0 {
        return Err(invalid);
    }
    Ok(port)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::auth::http::tests::REPLY;

    /// What [`REPLY`] holds.
    pub(crate) fn expected_reply() -> GuiderReply {
        GuiderReply {
            iot_id: "030VCbn30334364bb36997f44cMYTBAR".into(),
            iot_token: "e96d15a4d4734a73b13040b1878009bc".into(),
            host: "iot-as-mqtt.cn-shanghai.aliyuncs.com".into(),
            port: 1883,
        }
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
            Err(ReplyError::BadSignature)
        );
        assert_eq!(
            parse_auth_reply(&with_code("460")),
            Err(ReplyError::ParameterError)
        );
        assert_eq!(
            parse_auth_reply(&with_code("500")),
            Err(ReplyError::ServerError)
        );
        assert_eq!(
            parse_auth_reply(&with_code("5001")),
            Err(ReplyError::DeviceNotFound)
        );
        assert_eq!(
            parse_auth_reply(&with_code("6200")),
            Err(ReplyError::AuthTypeMismatch)
        );
        assert_eq!(
            parse_auth_reply(&with_code("\"6200\"")),
            Err(ReplyError::AuthTypeMismatch)
        );
        assert_eq!(
            parse_auth_reply(&with_code("403")),
            Err(ReplyError::UnexpectedCode(403))
        );
        assert_eq!(
            parse_auth_reply(&with_code("-1")),
            Err(ReplyError::UnexpectedCode(-1))
        );
        assert_eq!(
            parse_auth_reply(&with_code("0")),
            Err(ReplyError::UnexpectedCode(0))
        );
        assert_eq!(
            parse_auth_reply(&with_code("200.5")),
            Err(ReplyError::InvalidCode)
        );
        assert_eq!(
            parse_auth_reply(&with_code("\"ok\"")),
            Err(ReplyError::InvalidCode)
        );
        assert_eq!(
            parse_auth_reply(&with_code("true")),
            Err(ReplyError::InvalidCode)
        );
        assert_eq!(
            parse_auth_reply(&with_code("99999999999999999999")),
            Err(ReplyError::InvalidCode)
        );
        assert_eq!(
            parse_auth_reply(&with_code("null")),
            Err(ReplyError::MissingCode)
        );
        assert_eq!(
            parse_auth_reply(br#"{"data":{},"message":"x"}"#),
            Err(ReplyError::MissingCode)
        );
        // code 200 but data empty: first missing field.
        assert_eq!(
            parse_auth_reply(&with_code("200")),
            Err(ReplyError::MissingField(ReplyField::IotId))
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
                Err(ReplyError::MalformedJson),
                "{:?}",
                body.escape_ascii()
            );
        }
        // Deep nesting is rejected, not a stack overflow.
        let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        assert_eq!(
            parse_auth_reply(deep.as_bytes()),
            Err(ReplyError::MalformedJson)
        );
    }

    #[test]
    fn reply_missing_and_invalid_fields() {
        let cases: &[(&str, ReplyError)] = &[
            (
                r#"{"code":200}"#,
                ReplyError::MissingField(ReplyField::Data),
            ),
            (
                r#"{"code":200,"data":null}"#,
                ReplyError::MissingField(ReplyField::Data),
            ),
            (
                r#"{"code":200,"data":"x"}"#,
                ReplyError::InvalidField(ReplyField::Data),
            ),
            (
                r#"{"code":200,"data":{"iotToken":"t","resources":{"mqtt":{"host":"h","port":1883}}}}"#,
                ReplyError::MissingField(ReplyField::IotId),
            ),
            (
                r#"{"code":200,"data":{"iotId":"i","resources":{"mqtt":{"host":"h","port":1883}}}}"#,
                ReplyError::MissingField(ReplyField::IotToken),
            ),
            (
                r#"{"code":200,"data":{"iotId":"i","iotToken":"t","resources":{"mqtt":{"port":1883}}}}"#,
                ReplyError::MissingField(ReplyField::Host),
            ),
            (
                r#"{"code":200,"data":{"iotId":"i","iotToken":"t","resources":{"mqtt":{"host":"h"}}}}"#,
                ReplyError::MissingField(ReplyField::Port),
            ),
            (
                r#"{"code":200,"data":{"iotId":"i","iotToken":"t"}}"#,
                ReplyError::MissingField(ReplyField::Host),
            ),
            // The platform guide's sample spells "Resources " (a typo): the lowercase key is required.
            (
                r#"{"code":200,"data":{"iotId":"i","iotToken":"t","Resources ":{"mqtt":{"host":"h","port":1883}}}}"#,
                ReplyError::MissingField(ReplyField::Host),
            ),
            (
                r#"{"code":200,"data":{"iotId":5,"iotToken":"t","resources":{"mqtt":{"host":"h","port":1883}}}}"#,
                ReplyError::InvalidField(ReplyField::IotId),
            ),
            (
                r#"{"code":200,"data":{"iotId":"","iotToken":"t","resources":{"mqtt":{"host":"h","port":1883}}}}"#,
                ReplyError::InvalidField(ReplyField::IotId),
            ),
            (
                r#"{"code":200,"data":{"iotId":"i","iotToken":"a\u0000b","resources":{"mqtt":{"host":"h","port":1883}}}}"#,
                ReplyError::InvalidField(ReplyField::IotToken),
            ),
            (
                r#"{"code":200,"data":{"iotId":"i","iotToken":"t","resources":{"mqtt":{"host":"evil host/x","port":1883}}}}"#,
                ReplyError::InvalidField(ReplyField::Host),
            ),
            (
                r#"{"code":200,"data":{"iotId":"i","iotToken":"t","resources":{"mqtt":{"host":"h","port":0}}}}"#,
                ReplyError::InvalidField(ReplyField::Port),
            ),
            (
                r#"{"code":200,"data":{"iotId":"i","iotToken":"t","resources":{"mqtt":{"host":"h","port":65536}}}}"#,
                ReplyError::InvalidField(ReplyField::Port),
            ),
            (
                r#"{"code":200,"data":{"iotId":"i","iotToken":"t","resources":{"mqtt":{"host":"h","port":-1}}}}"#,
                ReplyError::InvalidField(ReplyField::Port),
            ),
            (
                r#"{"code":200,"data":{"iotId":"i","iotToken":"t","resources":{"mqtt":{"host":"h","port":"80x"}}}}"#,
                ReplyError::InvalidField(ReplyField::Port),
            ),
            (
                r#"{"code":200,"data":{"iotId":"i","iotToken":"t","resources":{"mqtt":{"host":"h","port":1883.5}}}}"#,
                ReplyError::InvalidField(ReplyField::Port),
            ),
            (
                r#"{"code":200,"data":{"iotId":"i","iotToken":"t","resources":{"mqtt":{"host":"h","port":[1883]}}}}"#,
                ReplyError::InvalidField(ReplyField::Port),
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
    fn debug_redacts_the_token() {
        let r = expected_reply();
        let d = format!("{r:?}");
        assert!(!d.contains("e96d15a4d4734a73b13040b1878009bc"), "{d}");
        assert!(d.contains("030VCbn30334364bb36997f44cMYTBAR"));
    }
}
