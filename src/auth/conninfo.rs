//! The connection strings `IOT_SetupConnInfo` hands out (reference §5.1): host, port, client id,
//! username and password, for direct mode and for the guider (HTTPS pre-auth) mode.

use crate::prelude::*;
use core::fmt;

use super::guider::GuiderReply;
use super::sign::{sign, sign_content, SignMethod};

/// The constant timestamp V2.10 signs and sends (`GUIDER_DEFAULT_TS_STR`); no clock is read.
pub const TIMESTAMP: &str = "2524608000000";

/// V2.10 `PRODUCT_KEY_LEN`: longer product keys are cut to this many characters.
pub const PRODUCT_KEY_LEN: usize = 20;
/// V2.10 `DEVICE_NAME_LEN`.
pub const DEVICE_NAME_LEN: usize = 32;
/// V2.10 `DEVICE_SECRET_LEN`.
pub const DEVICE_SECRET_LEN: usize = 64;
/// V2.10 `HOST_ADDRESS_LEN`: `iotx_conn_info_t.host_name` holds this many characters plus NUL.
pub const HOST_ADDRESS_LEN: usize = 128;
/// V2.10 `CLIENT_ID_LEN`.
pub const CLIENT_ID_LEN: usize = 256;
/// V2.10 `USER_NAME_LEN`.
pub const USER_NAME_LEN: usize = 512;
/// V2.10 `PASSWORD_LEN`.
pub const PASSWORD_LEN: usize = 256;

/// MQTT port in direct mode (TCP and TLS alike, as V2.10).
pub const DIRECT_PORT: u16 = 1883;

/// The regions of `iotx_cloud_domain_types_t` (values 0..=4; 5 is `IOTX_CLOUD_DOMAIN_MAX`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Region {
    /// `IOTX_CLOUD_DOMAIN_SH` (0), the default.
    #[default]
    CnShanghai = 0,
    /// `IOTX_CLOUD_DOMAIN_SG` (1).
    ApSoutheast1 = 1,
    /// `IOTX_CLOUD_DOMAIN_JP` (2).
    ApNortheast1 = 2,
    /// `IOTX_CLOUD_DOMAIN_US` (3).
    UsWest1 = 3,
    /// `IOTX_CLOUD_DOMAIN_GER` (4).
    EuCentral1 = 4,
}

impl Region {
    /// All regions, in the order of their C values.
    pub const ALL: [Region; 5] = [
        Region::CnShanghai,
        Region::ApSoutheast1,
        Region::ApNortheast1,
        Region::UsWest1,
        Region::EuCentral1,
    ];

    /// The region for a raw `iotx_cloud_domain_types_t` value, `None` when out of range.
    pub const fn from_raw(value: i32) -> Option<Region> {
        match value {
            0 => Some(Region::CnShanghai),
            1 => Some(Region::ApSoutheast1),
            2 => Some(Region::ApNortheast1),
            3 => Some(Region::UsWest1),
            4 => Some(Region::EuCentral1),
            _ => None,
        }
    }

    /// The C enum value.
    pub const fn as_raw(self) -> i32 {
        self as i32
    }

    /// The region id, e.g. `cn-shanghai`.
    pub const fn id(self) -> &'static str {
        match self {
            Region::CnShanghai => "cn-shanghai",
            Region::ApSoutheast1 => "ap-southeast-1",
            Region::ApNortheast1 => "ap-northeast-1",
            Region::UsWest1 => "us-west-1",
            Region::EuCentral1 => "eu-central-1",
        }
    }

    /// The MQTT domain, without the product key: `iot-as-mqtt.<region>.aliyuncs.com`.
    pub const fn mqtt_domain(self) -> &'static str {
        match self {
            Region::CnShanghai => "iot-as-mqtt.cn-shanghai.aliyuncs.com",
            Region::ApSoutheast1 => "iot-as-mqtt.ap-southeast-1.aliyuncs.com",
            Region::ApNortheast1 => "iot-as-mqtt.ap-northeast-1.aliyuncs.com",
            Region::UsWest1 => "iot-as-mqtt.us-west-1.aliyuncs.com",
            Region::EuCentral1 => "iot-as-mqtt.eu-central-1.aliyuncs.com",
        }
    }

    /// The HTTPS pre-authentication host: `iot-auth.<region>.aliyuncs.com`.
    pub const fn auth_host(self) -> &'static str {
        match self {
            Region::CnShanghai => "iot-auth.cn-shanghai.aliyuncs.com",
            Region::ApSoutheast1 => "iot-auth.ap-southeast-1.aliyuncs.com",
            Region::ApNortheast1 => "iot-auth.ap-northeast-1.aliyuncs.com",
            Region::UsWest1 => "iot-auth.us-west-1.aliyuncs.com",
            Region::EuCentral1 => "iot-auth.eu-central-1.aliyuncs.com",
        }
    }
}

/// MQTT domain for a raw region value (reference §5.1 step 4a); `None` out of range.
pub fn mqtt_domain(region: i32) -> Option<&'static str> {
    Region::from_raw(region).map(Region::mqtt_domain)
}

/// HTTPS auth host for a raw region value (reference §6); `None` out of range.
pub fn auth_host(region: i32) -> Option<&'static str> {
    Region::from_raw(region).map(Region::auth_host)
}

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

/// The parts one after the other. Plain copies rather than `format!`: the connection strings
/// are all text, and formatting machinery would add to every firmware image.
fn concat(parts: &[&str]) -> String {
    let mut s = String::with_capacity(parts.iter().map(|p| p.len()).sum());
    for part in parts {
        s.push_str(part);
    }
    s
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
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AuthError {
    /// The product key is empty.
    EmptyProductKey,
    /// The device name is empty.
    EmptyDeviceName,
    /// The device secret is empty.
    EmptyDeviceSecret,
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

impl fmt::Display for AuthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AuthError::EmptyProductKey => f.write_str("product key is empty"),
            AuthError::EmptyDeviceName => f.write_str("device name is empty"),
            AuthError::EmptyDeviceSecret => f.write_str("device secret is empty"),
            AuthError::GuiderModeNotDirect => {
                f.write_str("securemode=-1 needs HTTPS pre-authentication, not a direct connection")
            }
            AuthError::TooLong { field, len, max } => write!(
                f,
                "{} is {} characters long, more than the {} that iotx_conn_info_t holds",
                field.name(),
                len,
                max
            ),
        }
    }
}

impl core::error::Error for AuthError {}

/// Cuts `s` to at most `max` bytes without splitting a character (V2.10 `strncpy` on ASCII).
fn truncated(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while end > 0 && !s.is_char_boundary(end) {
        end -= 1;
    }
    s.get(..end).unwrap_or("")
}

/// A device's identity, as `iotx_device_info_set` keeps it: each value cut to V2.10's length
/// (product key 20, device name 32, device secret 64 characters). Debug output hides the secret.
#[derive(Clone, PartialEq, Eq)]
pub struct DeviceIdentity {
    product_key: String,
    device_name: String,
    device_secret: String,
}

impl DeviceIdentity {
    /// Copies and truncates the three values. Empty values are rejected (the cloud would refuse
    /// them anyway, with a less helpful error).
    pub fn new(
        product_key: &str,
        device_name: &str,
        device_secret: &str,
    ) -> Result<DeviceIdentity, AuthError> {
        if product_key.is_empty() {
            return Err(AuthError::EmptyProductKey);
        }
        if device_name.is_empty() {
            return Err(AuthError::EmptyDeviceName);
        }
        if device_secret.is_empty() {
            return Err(AuthError::EmptyDeviceSecret);
        }
        Ok(DeviceIdentity {
            product_key: truncated(product_key, PRODUCT_KEY_LEN).into(),
            device_name: truncated(device_name, DEVICE_NAME_LEN).into(),
            device_secret: truncated(device_secret, DEVICE_SECRET_LEN).into(),
        })
    }

    /// The (truncated) product key.
    pub fn product_key(&self) -> &str {
        &self.product_key
    }

    /// The (truncated) device name.
    pub fn device_name(&self) -> &str {
        &self.device_name
    }

    /// The (truncated) device secret. Never log it.
    pub fn device_secret(&self) -> &str {
        &self.device_secret
    }

    /// `<productKey>.<deviceName>`, V2.10's `device_id` (at most 53 characters).
    pub fn device_id(&self) -> String {
        concat(&[&self.product_key, ".", &self.device_name])
    }

    /// The §5.1 signature with the constant timestamp, keyed with the device secret.
    pub fn signature(&self, method: SignMethod) -> String {
        let content = sign_content(
            &self.device_id(),
            &self.device_name,
            &self.product_key,
            TIMESTAMP,
        );
        sign(method, self.device_secret.as_bytes(), content.as_bytes())
    }
}

impl fmt::Debug for DeviceIdentity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DeviceIdentity")
            .field("product_key", &self.product_key)
            .field("device_name", &self.device_name)
            .field("device_secret", &"<redacted>")
            .finish()
    }
}

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
/// (reference §5.1 step 7); the result must fit the field's fixed array.
fn fill(mut s: String, field: ConnField) -> Result<String, AuthError> {
    if let Some(pos) = s.as_bytes().windows(2).position(|w| w == b"||") {
        s.truncate(pos);
    }
    let max = field.max_len();
    if s.len() > max {
        return Err(AuthError::TooLong {
            field,
            len: s.len(),
            max,
        });
    }
    Ok(s)
}

/// The client id of reference §5.1 step 6:
/// `<pk>.<dn>|securemode=S,timestamp=2524608000000,signmethod=M,gw=0,ext=0[,partner_id=P][,module_id=I]|`.
/// An empty partner or module id leaves its field out. The `"||"` cut rule and the 256-character
/// limit apply.
pub fn client_id(
    identity: &DeviceIdentity,
    secure_mode: SecureMode,
    sign_method: SignMethod,
    partner_id: &str,
    module_id: &str,
) -> Result<String, AuthError> {
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

/// The client id for MQTT after HTTPS pre-authentication (`securemode=-1`, reference §6).
pub fn guider_client_id(
    identity: &DeviceIdentity,
    sign_method: SignMethod,
    partner_id: &str,
    module_id: &str,
) -> Result<String, AuthError> {
    client_id(
        identity,
        SecureMode::TlsGuider,
        sign_method,
        partner_id,
        module_id,
    )
}

/// Direct-mode connection strings (reference §5.1 steps 1–7): host
/// `<pk>.iot-as-mqtt.<region>.aliyuncs.com`, port 1883, username `<dn>&<pk>`, password = the
/// hex signature. `secure_mode` must be [`SecureMode::TlsDirect`] or [`SecureMode::TcpDirect`].
pub fn direct_conn(
    identity: &DeviceIdentity,
    region: Region,
    secure_mode: SecureMode,
    sign_method: SignMethod,
    partner_id: &str,
    module_id: &str,
) -> Result<ConnStrings, AuthError> {
    if secure_mode == SecureMode::TlsGuider {
        return Err(AuthError::GuiderModeNotDirect);
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
    let password = fill(identity.signature(sign_method), ConnField::Password)?;
    Ok(ConnStrings {
        host,
        port: DIRECT_PORT,
        client_id,
        username,
        password,
    })
}

/// Guider-mode connection strings (reference §6, "Feeding the MQTT connect"): host and port from
/// the reply, username = iotId, password = iotToken, client id with `securemode=-1`.
pub fn guider_conn(
    identity: &DeviceIdentity,
    reply: &GuiderReply,
    sign_method: SignMethod,
    partner_id: &str,
    module_id: &str,
) -> Result<ConnStrings, AuthError> {
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

    fn sample() -> DeviceIdentity {
        DeviceIdentity::new(
            "yfTuLfBJTiL",
            "TestDeviceForDemo",
            "fSCl9Ns5YPnYN8Ocg0VEel1kXFnRlV6c",
        )
        .unwrap()
    }

    const SHA1: &str = "97a7d457a539db070210a6edcf5323e2f5d15142";
    const MD5: &str = "949768ad63f69349bb4e04e02f56a5a5";

    #[test]
    fn regions() {
        assert_eq!(mqtt_domain(0), Some("iot-as-mqtt.cn-shanghai.aliyuncs.com"));
        assert_eq!(
            mqtt_domain(1),
            Some("iot-as-mqtt.ap-southeast-1.aliyuncs.com")
        );
        assert_eq!(
            mqtt_domain(2),
            Some("iot-as-mqtt.ap-northeast-1.aliyuncs.com")
        );
        assert_eq!(mqtt_domain(3), Some("iot-as-mqtt.us-west-1.aliyuncs.com"));
        assert_eq!(
            mqtt_domain(4),
            Some("iot-as-mqtt.eu-central-1.aliyuncs.com")
        );
        assert_eq!(mqtt_domain(5), None);
        assert_eq!(mqtt_domain(-1), None);
        assert_eq!(mqtt_domain(i32::MAX), None);
        assert_eq!(auth_host(0), Some("iot-auth.cn-shanghai.aliyuncs.com"));
        assert_eq!(auth_host(1), Some("iot-auth.ap-southeast-1.aliyuncs.com"));
        assert_eq!(auth_host(2), Some("iot-auth.ap-northeast-1.aliyuncs.com"));
        assert_eq!(auth_host(3), Some("iot-auth.us-west-1.aliyuncs.com"));
        assert_eq!(auth_host(4), Some("iot-auth.eu-central-1.aliyuncs.com"));
        assert_eq!(auth_host(5), None);
        assert_eq!(auth_host(i32::MIN), None);
        for (i, r) in Region::ALL.iter().enumerate() {
            assert_eq!(r.as_raw(), i as i32);
            assert_eq!(Region::from_raw(i as i32), Some(*r));
            assert_eq!(
                r.mqtt_domain(),
                format!("iot-as-mqtt.{}.aliyuncs.com", r.id())
            );
            assert_eq!(r.auth_host(), format!("iot-auth.{}.aliyuncs.com", r.id()));
        }
        assert_eq!(Region::default(), Region::CnShanghai);
    }

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
            Err(AuthError::GuiderModeNotDirect)
        );
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
            Err(AuthError::TooLong {
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
            Err(AuthError::TooLong {
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
            Err(AuthError::TooLong {
                field: ConnField::Password,
                len: 257,
                max: 256
            })
        );
    }

    #[test]
    fn readme_vector_via_identity() {
        let id = DeviceIdentity::new(
            "2UCRZpAbCGC",
            "ExampleDev",
            "fbh47lGBSayncmTHEjF1E5x4CZdeJTO9",
        )
        .unwrap();
        assert_eq!(id.device_id(), "2UCRZpAbCGC.ExampleDev");
        assert_eq!(
            id.signature(SignMethod::HmacSha1),
            "326a4a6ed38b1bd5ddb6a5d11d27928bfb5a62d0"
        );
    }

    #[test]
    fn truncation() {
        let id = DeviceIdentity::new(
            "ABCDEFGHIJKLMNOPQRSTUVWXY",
            &"d".repeat(40),
            &"0123456789".repeat(7),
        )
        .unwrap();
        assert_eq!(id.product_key(), "ABCDEFGHIJKLMNOPQRST");
        assert_eq!(id.device_name(), "dddddddddddddddddddddddddddddddd");
        assert_eq!(
            id.device_secret(),
            "0123456789012345678901234567890123456789012345678901234567890123"
        );
        // Value from Python: hmac(secret[:64], content with pk[:20] and dn[:32]).
        assert_eq!(
            id.signature(SignMethod::HmacSha1),
            "8c2ce9b85aa22d77f106dcf1832a35bd1f0a33a1"
        );
        // Only the secret too long: the sign uses its first 64 characters.
        let id = DeviceIdentity::new("yfTuLfBJTiL", "TestDeviceForDemo", &"0123456789".repeat(7))
            .unwrap();
        assert_eq!(
            id.signature(SignMethod::HmacSha1),
            "01109ac2098beba38d96d94db9c305c717bdbc4b"
        );
        // Exactly at the limits: unchanged.
        let id = DeviceIdentity::new(&"p".repeat(20), &"n".repeat(32), &"s".repeat(64)).unwrap();
        assert_eq!(id.product_key().len(), 20);
        assert_eq!(id.device_name().len(), 32);
        assert_eq!(id.device_secret().len(), 64);
        // Multi-byte characters are never split.
        let id = DeviceIdentity::new(&format!("{}é", "p".repeat(19)), "n", "s").unwrap();
        assert_eq!(id.product_key(), "ppppppppppppppppppp");
    }

    #[test]
    fn empty_values_rejected() {
        assert_eq!(
            DeviceIdentity::new("", "dn", "ds"),
            Err(AuthError::EmptyProductKey)
        );
        assert_eq!(
            DeviceIdentity::new("pk", "", "ds"),
            Err(AuthError::EmptyDeviceName)
        );
        assert_eq!(
            DeviceIdentity::new("pk", "dn", ""),
            Err(AuthError::EmptyDeviceSecret)
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
            Err(AuthError::TooLong {
                field: ConnField::ClientId,
                len: 257,
                max: 256
            })
        );
        // The longest identity still fits every array in direct mode.
        let id = DeviceIdentity::new(&"p".repeat(30), &"n".repeat(40), &"s".repeat(70)).unwrap();
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
    fn debug_hides_secrets() {
        let id = sample();
        let d = format!("{id:?}");
        assert!(!d.contains("fSCl9Ns5YPnYN8Ocg0VEel1kXFnRlV6c"), "{d}");
        assert!(d.contains("redacted") && d.contains("TestDeviceForDemo"));
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
            AuthError::TooLong {
                field: ConnField::ClientId,
                len: 300,
                max: 256
            }
            .to_string(),
            "client_id is 300 characters long, more than the 256 that iotx_conn_info_t holds"
        );
        assert_eq!(
            AuthError::EmptyDeviceSecret.to_string(),
            "device secret is empty"
        );
    }
}
