//! The connection strings `IOT_SetupConnInfo` hands out (docs/v210-reference.md §5.1): host, port,
//! client id, username and password in direct mode, and the client id after HTTPS
//! pre-authentication (the strings built from the pre-authentication reply are in
//! [`super::preauth`], which is above this file).

use crate::prelude::*;
use core::fmt;

use super::identity::{concat, DeviceIdentity};
use super::region::Region;
use super::sign::{device_signature, SignMethod, TIMESTAMP};

use iotmqtt_engine::limits::{CLIENT_ID_LEN, HOST_ADDRESS_LEN, PASSWORD_LEN, USER_NAME_LEN};

/// MQTT port in direct mode (TCP and TLS alike, as V2.10).
pub const DIRECT_PORT: u16 = 1883;

/// `securemode=` of the client id.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(i32)]
pub enum SecureMode {
    /// MQTT over TLS after HTTPS pre-authentication (`MODE_TLS_GUIDER`).
    TlsGuider = -1,
    /// Direct connection over TLS.
    TlsDirect = 2,
    /// Direct connection over plain TCP.
    TcpDirect = 3,
}

impl SecureMode {
    /// The number as the client id spells it.
    pub const fn as_str(self) -> &'static str {
        match self {
            SecureMode::TlsGuider => "-1",
            SecureMode::TlsDirect => "2",
            SecureMode::TcpDirect => "3",
        }
    }
}

/// The strings of `iotx_conn_info_t` which this field names, for errors.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ConnField {
    /// `host_name` (at most [`HOST_ADDRESS_LEN`]).
    Host,
    /// `client_id` (at most [`CLIENT_ID_LEN`]).
    ClientId,
    /// `username` (at most [`USER_NAME_LEN`]).
    Username,
    /// `password` (at most [`PASSWORD_LEN`]).
    Password,
}

impl ConnField {
    /// Name of the `iotx_conn_info_t` field.
    pub const fn name(self) -> &'static str {
        match self {
            ConnField::Host => "host_name",
            ConnField::ClientId => "client_id",
            ConnField::Username => "username",
            ConnField::Password => "password",
        }
    }

    /// Capacity of the V2.10 array in characters, excluding the NUL.
    pub const fn max_len(self) -> usize {
        match self {
            ConnField::Host => HOST_ADDRESS_LEN,
            ConnField::ClientId => CLIENT_ID_LEN,
            ConnField::Username => USER_NAME_LEN,
            ConnField::Password => PASSWORD_LEN,
        }
    }
}

/// Why connection strings could not be built.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConnInfoError {
    /// `direct_conn` was asked for `securemode=-1`, which only exists after HTTPS pre-auth.
    GuiderModeNotDirect,
    /// A string does not fit its `iotx_conn_info_t` array.
    TooLong {
        /// Which string.
        field: ConnField,
        /// Its length in bytes.
        len: usize,
        /// The array's capacity (excluding the NUL).
        max: usize,
    },
}

impl fmt::Display for ConnInfoError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConnInfoError::GuiderModeNotDirect => {
                f.write_str("securemode=-1 needs HTTPS pre-authentication, not a direct connection")
            }
            ConnInfoError::TooLong { field, len, max } => write!(
                f,
                "{} is {} characters long, more than the {} that iotx_conn_info_t holds",
                field.name(),
                len,
                max
            ),
        }
    }
}

impl core::error::Error for ConnInfoError {}

/// The strings of `iotx_conn_info_t` (without `pub_key`). Debug output hides the password.
#[derive(Clone, PartialEq, Eq)]
pub struct ConnStrings {
    /// MQTT host name.
    pub host: String,
    /// MQTT port.
    pub port: u16,
    /// MQTT client id, with the `|…|` extension.
    pub client_id: String,
    /// MQTT user name (`<dn>&<pk>`, or the iotId in guider mode).
    pub username: String,
    /// MQTT password (the signature, or the iotToken in guider mode). Never log it.
    pub password: String,
}

impl fmt::Debug for ConnStrings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConnStrings")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("client_id", &self.client_id)
            .field("username", &self.username)
            .field("password", &"<redacted>")
            .finish()
    }
}

/// V2.10's `_fill_conn_string` rules: a string containing `"||"` is cut where that pair starts
/// (docs/v210-reference.md §5.1 step 7); the result must fit the field's fixed array.
pub(super) fn fill(mut s: String, field: ConnField) -> Result<String, ConnInfoError> {
    if let Some(pos) = s.as_bytes().windows(2).position(|w| w == b"||") {
        s.truncate(pos);
    }
    let max = field.max_len();
    if s.len() > max {
        return Err(ConnInfoError::TooLong {
            field,
            len: s.len(),
            max,
        });
    }
    Ok(s)
}

/// The client id of docs/v210-reference.md §5.1 step 6:
/// `<pk>.<dn>|securemode=S,timestamp=2524608000000,signmethod=M,gw=0,ext=0[,partner_id=P][,module_id=I]|`.
/// An empty partner or module id leaves its field out. The `"||"` cut rule and the 256-character
/// limit apply.
pub fn client_id(
    identity: &DeviceIdentity,
    secure_mode: SecureMode,
    sign_method: SignMethod,
    partner_id: &str,
    module_id: &str,
) -> Result<String, ConnInfoError> {
    let mut s = concat(&[
        &identity.device_id(),
        "|securemode=",
        secure_mode.as_str(),
        ",timestamp=",
        TIMESTAMP,
        ",signmethod=",
        sign_method.as_str(),
        ",gw=0,ext=0",
    ]);
    if !partner_id.is_empty() {
        s.push_str(",partner_id=");
        s.push_str(partner_id);
    }
    if !module_id.is_empty() {
        s.push_str(",module_id=");
        s.push_str(module_id);
    }
    s.push('|');
    fill(s, ConnField::ClientId)
}

/// The client id for MQTT after HTTPS pre-authentication (`securemode=-1`, docs/v210-reference.md
/// §6).
pub fn guider_client_id(
    identity: &DeviceIdentity,
    sign_method: SignMethod,
    partner_id: &str,
    module_id: &str,
) -> Result<String, ConnInfoError> {
    client_id(
        identity,
        SecureMode::TlsGuider,
        sign_method,
        partner_id,
        module_id,
    )
}

/// Direct-mode connection strings (docs/v210-reference.md §5.1 steps 1–7): host
/// `<pk>.iot-as-mqtt.<region>.aliyuncs.com`, port 1883, username `<dn>&<pk>`, password = the
/// hex signature. `secure_mode` must be [`SecureMode::TlsDirect`] or [`SecureMode::TcpDirect`].
pub fn direct_conn(
    identity: &DeviceIdentity,
    region: Region,
    secure_mode: SecureMode,
    sign_method: SignMethod,
    partner_id: &str,
    module_id: &str,
) -> Result<ConnStrings, ConnInfoError> {
    if secure_mode == SecureMode::TlsGuider {
        return Err(ConnInfoError::GuiderModeNotDirect);
    }
    let host = fill(
        concat(&[identity.product_key(), ".", region.mqtt_domain()]),
        ConnField::Host,
    )?;
    let client_id = client_id(identity, secure_mode, sign_method, partner_id, module_id)?;
    let username = fill(
        concat(&[identity.device_name(), "&", identity.product_key()]),
        ConnField::Username,
    )?;
    let password = fill(device_signature(identity, sign_method), ConnField::Password)?;
    Ok(ConnStrings {
        host,
        port: DIRECT_PORT,
        client_id,
        username,
        password,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::identity::tests::sample;

    const SHA1: &str = "97a7d457a539db070210a6edcf5323e2f5d15142";
    const MD5: &str = "949768ad63f69349bb4e04e02f56a5a5";

    #[test]
    fn secure_mode_values() {
        assert_eq!(SecureMode::TlsGuider as i32, -1);
        assert_eq!(SecureMode::TlsDirect as i32, 2);
        assert_eq!(SecureMode::TcpDirect as i32, 3);
        for m in [
            SecureMode::TlsGuider,
            SecureMode::TlsDirect,
            SecureMode::TcpDirect,
        ] {
            assert_eq!(m.as_str(), (m as i32).to_string());
        }
    }

    #[test]
    fn sample_tcp_shanghai() {
        let c = direct_conn(
            &sample(),
            Region::CnShanghai,
            SecureMode::TcpDirect,
            SignMethod::HmacSha1,
            "",
            "",
        )
        .unwrap();
        assert_eq!(c.host, "yfTuLfBJTiL.iot-as-mqtt.cn-shanghai.aliyuncs.com");
        assert_eq!(c.port, 1883);
        assert_eq!(
            c.client_id,
            "yfTuLfBJTiL.TestDeviceForDemo|securemode=3,timestamp=2524608000000,signmethod=hmacsha1,gw=0,ext=0|"
        );
        assert_eq!(c.client_id.len(), 98);
        assert_eq!(c.username, "TestDeviceForDemo&yfTuLfBJTiL");
        assert_eq!(c.password, SHA1);
    }

    #[test]
    fn every_region_tcp_and_tls() {
        let hosts = [
            "yfTuLfBJTiL.iot-as-mqtt.cn-shanghai.aliyuncs.com",
            "yfTuLfBJTiL.iot-as-mqtt.ap-southeast-1.aliyuncs.com",
            "yfTuLfBJTiL.iot-as-mqtt.ap-northeast-1.aliyuncs.com",
            "yfTuLfBJTiL.iot-as-mqtt.us-west-1.aliyuncs.com",
            "yfTuLfBJTiL.iot-as-mqtt.eu-central-1.aliyuncs.com",
        ];
        for (region, host) in Region::ALL.iter().zip(hosts) {
            let tcp = direct_conn(
                &sample(),
                *region,
                SecureMode::TcpDirect,
                SignMethod::HmacSha1,
                "",
                "",
            )
            .unwrap();
            let tls = direct_conn(
                &sample(),
                *region,
                SecureMode::TlsDirect,
                SignMethod::HmacSha1,
                "",
                "",
            )
            .unwrap();
            for c in [&tcp, &tls] {
                assert_eq!(c.host, host);
                assert_eq!(c.port, 1883);
                assert_eq!(c.username, "TestDeviceForDemo&yfTuLfBJTiL");
                assert_eq!(c.password, SHA1);
            }
            assert_eq!(
                tcp.client_id,
                "yfTuLfBJTiL.TestDeviceForDemo|securemode=3,timestamp=2524608000000,signmethod=hmacsha1,gw=0,ext=0|"
            );
            assert_eq!(
                tls.client_id,
                "yfTuLfBJTiL.TestDeviceForDemo|securemode=2,timestamp=2524608000000,signmethod=hmacsha1,gw=0,ext=0|"
            );
        }
    }

    #[test]
    fn md5_direct() {
        let c = direct_conn(
            &sample(),
            Region::UsWest1,
            SecureMode::TlsDirect,
            SignMethod::HmacMd5,
            "",
            "",
        )
        .unwrap();
        assert_eq!(c.host, "yfTuLfBJTiL.iot-as-mqtt.us-west-1.aliyuncs.com");
        assert_eq!(
            c.client_id,
            "yfTuLfBJTiL.TestDeviceForDemo|securemode=2,timestamp=2524608000000,signmethod=hmacmd5,gw=0,ext=0|"
        );
        assert_eq!(c.password, MD5);
    }

    #[test]
    fn partner_and_module_ids() {
        let id = sample();
        let both = direct_conn(
            &id,
            Region::CnShanghai,
            SecureMode::TcpDirect,
            SignMethod::HmacSha1,
            "example.demo.partner-id",
            "example.demo.module-id",
        )
        .unwrap();
        assert_eq!(
            both.client_id,
            "yfTuLfBJTiL.TestDeviceForDemo|securemode=3,timestamp=2524608000000,signmethod=hmacsha1,gw=0,ext=0,partner_id=example.demo.partner-id,module_id=example.demo.module-id|"
        );
        // The password does not depend on the extension fields.
        assert_eq!(both.password, SHA1);
        let partner =
            client_id(&id, SecureMode::TlsDirect, SignMethod::HmacSha1, "P1", "").unwrap();
        assert_eq!(
            partner,
            "yfTuLfBJTiL.TestDeviceForDemo|securemode=2,timestamp=2524608000000,signmethod=hmacsha1,gw=0,ext=0,partner_id=P1|"
        );
        let module = client_id(&id, SecureMode::TlsDirect, SignMethod::HmacSha1, "", "M1").unwrap();
        assert_eq!(
            module,
            "yfTuLfBJTiL.TestDeviceForDemo|securemode=2,timestamp=2524608000000,signmethod=hmacsha1,gw=0,ext=0,module_id=M1|"
        );
    }

    #[test]
    fn guider_client_ids() {
        let id = sample();
        assert_eq!(
            guider_client_id(&id, SignMethod::HmacSha1, "", "").unwrap(),
            "yfTuLfBJTiL.TestDeviceForDemo|securemode=-1,timestamp=2524608000000,signmethod=hmacsha1,gw=0,ext=0|"
        );
        assert_eq!(
            guider_client_id(&id, SignMethod::HmacMd5, "P", "M").unwrap(),
            "yfTuLfBJTiL.TestDeviceForDemo|securemode=-1,timestamp=2524608000000,signmethod=hmacmd5,gw=0,ext=0,partner_id=P,module_id=M|"
        );
        assert_eq!(
            direct_conn(
                &id,
                Region::CnShanghai,
                SecureMode::TlsGuider,
                SignMethod::HmacSha1,
                "",
                ""
            ),
            Err(ConnInfoError::GuiderModeNotDirect)
        );
    }

    #[test]
    fn double_bar_cut() {
        // A device name ending in '|' makes "||": V2.10 cuts the client id there.
        let id = DeviceIdentity::new("pk", "dev|", "secret").unwrap();
        let c = direct_conn(
            &id,
            Region::CnShanghai,
            SecureMode::TcpDirect,
            SignMethod::HmacSha1,
            "",
            "",
        )
        .unwrap();
        assert_eq!(c.client_id, "pk.dev");
        assert_eq!(c.username, "dev|&pk");
        // A partner id ending in '|' cuts the extension before the closing bar.
        let c = client_id(
            &sample(),
            SecureMode::TcpDirect,
            SignMethod::HmacSha1,
            "p|",
            "",
        )
        .unwrap();
        assert_eq!(
            c,
            "yfTuLfBJTiL.TestDeviceForDemo|securemode=3,timestamp=2524608000000,signmethod=hmacsha1,gw=0,ext=0,partner_id=p"
        );
        assert_eq!(fill("a||b||c".into(), ConnField::Host).unwrap(), "a");
        assert_eq!(fill("||".into(), ConnField::Host).unwrap(), "");
        assert_eq!(fill("a|b".into(), ConnField::Host).unwrap(), "a|b");
        // The cut happens before the length check.
        let s = format!("ab||{}", "x".repeat(300));
        assert_eq!(fill(s, ConnField::Host).unwrap(), "ab");
    }

    #[test]
    fn client_id_limit() {
        let base = client_id(
            &sample(),
            SecureMode::TcpDirect,
            SignMethod::HmacSha1,
            "",
            "",
        )
        .unwrap()
        .len();
        assert_eq!(base, 98);
        // ",partner_id=" adds 12 + n characters: fill exactly to 256, then one more.
        let n = 256 - base - 12;
        assert_eq!(
            client_id(
                &sample(),
                SecureMode::TcpDirect,
                SignMethod::HmacSha1,
                &"p".repeat(n),
                ""
            )
            .unwrap()
            .len(),
            256
        );
        assert_eq!(
            client_id(
                &sample(),
                SecureMode::TcpDirect,
                SignMethod::HmacSha1,
                &"p".repeat(n + 1),
                ""
            ),
            Err(ConnInfoError::TooLong {
                field: ConnField::ClientId,
                len: 257,
                max: 256
            })
        );
        // The longest identity still fits every array in direct mode.
        let (pk, dn, ds) = ("p".repeat(30), "n".repeat(40), "s".repeat(70));
        let id = DeviceIdentity::new(&pk, &dn, &ds).unwrap();
        let c = direct_conn(
            &id,
            Region::ApSoutheast1,
            SecureMode::TlsDirect,
            SignMethod::HmacSha1,
            "",
            "",
        )
        .unwrap();
        assert_eq!(c.host.len(), 20 + 1 + 39);
        assert_eq!(
            c.client_id,
            format!(
                "{}.{}|securemode=2,timestamp=2524608000000,signmethod=hmacsha1,gw=0,ext=0|",
                "p".repeat(20),
                "n".repeat(32)
            )
        );
        assert_eq!(c.client_id.len(), 53 + 69);
        assert_eq!(c.username.len(), 53);
    }

    #[test]
    fn debug_hides_the_password() {
        let id = sample();
        let c = direct_conn(
            &id,
            Region::CnShanghai,
            SecureMode::TcpDirect,
            SignMethod::HmacSha1,
            "",
            "",
        )
        .unwrap();
        let d = format!("{c:?}");
        assert!(!d.contains(SHA1), "{d}");
        assert!(d.contains("redacted") && d.contains("securemode=3"));
    }

    #[test]
    fn error_messages() {
        assert_eq!(
            ConnInfoError::TooLong {
                field: ConnField::ClientId,
                len: 300,
                max: 256
            }
            .to_string(),
            "client_id is 300 characters long, more than the 256 that iotx_conn_info_t holds"
        );
    }
}
