//! The HTTPS pre-authentication request (docs/v210-reference.md §6): the signed `POST
//! /auth/devicename` to
//! `iot-auth.<region>.aliyuncs.com:443`, as bytes ready to write. Building it cannot fail.

use crate::prelude::*;
use core::fmt;

use super::identity::DeviceIdentity;
use super::region::Region;
use super::sign::{device_signature, SignMethod, TIMESTAMP};

/// The auth service's port (TLS, even though V2.10 writes an `http://` URL).
pub const AUTH_PORT: u16 = 443;
/// The request path.
pub const AUTH_PATH: &str = "/auth/devicename";

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

/// The form body of docs/v210-reference.md §6 (not URL-encoded, as V2.10).
fn auth_body(identity: &DeviceIdentity, sign_method: SignMethod) -> String {
    format!(
        "productKey={pk}&deviceName={dn}&signmethod={m}&sign={s}&version=default\
         &clientId={id}&timestamp={ts}&resources=mqtt",
        pk = identity.product_key(),
        dn = identity.device_name(),
        m = sign_method.as_str(),
        s = device_signature(identity, sign_method),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::identity::tests::sample;

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
}
