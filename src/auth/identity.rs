//! A device's identity (product key, device name, device secret) as V2.10 keeps it: each value
//! cut to V2.10's length, empty values refused.

use crate::prelude::*;
use core::fmt;

use iotmqtt_engine::limits::{DEVICE_NAME_LEN, DEVICE_SECRET_LEN, PRODUCT_KEY_LEN};

/// Why an identity was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum IdentityError {
    /// The product key is empty.
    EmptyProductKey,
    /// The device name is empty.
    EmptyDeviceName,
    /// The device secret is empty.
    EmptyDeviceSecret,
}

impl fmt::Display for IdentityError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            IdentityError::EmptyProductKey => "product key is empty",
            IdentityError::EmptyDeviceName => "device name is empty",
            IdentityError::EmptyDeviceSecret => "device secret is empty",
        })
    }
}

impl core::error::Error for IdentityError {}

/// The parts one after the other. Plain copies rather than `format!`: the connection strings
/// are all text, and formatting machinery would add to every firmware image.
pub(super) fn concat(parts: &[&str]) -> String {
    let mut s = String::with_capacity(parts.iter().map(|p| p.len()).sum());
    for part in parts {
        s.push_str(part);
    }
    s
}

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
/// (product key 20, device name 32, device secret 64 characters). Borrows the caller's strings:
/// nothing is copied. Debug output hides the secret.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct DeviceIdentity<'a> {
    product_key: &'a str,
    device_name: &'a str,
    device_secret: &'a str,
}

impl<'a> DeviceIdentity<'a> {
    /// Truncates the three values. Empty values are rejected (the cloud would refuse them
    /// anyway, with a less helpful error).
    pub fn new(
        product_key: &'a str,
        device_name: &'a str,
        device_secret: &'a str,
    ) -> Result<DeviceIdentity<'a>, IdentityError> {
        if product_key.is_empty() {
            return Err(IdentityError::EmptyProductKey);
        }
        if device_name.is_empty() {
            return Err(IdentityError::EmptyDeviceName);
        }
        if device_secret.is_empty() {
            return Err(IdentityError::EmptyDeviceSecret);
        }
        Ok(DeviceIdentity {
            product_key: truncated(product_key, PRODUCT_KEY_LEN),
            device_name: truncated(device_name, DEVICE_NAME_LEN),
            device_secret: truncated(device_secret, DEVICE_SECRET_LEN),
        })
    }

    /// The (truncated) product key.
    pub fn product_key(&self) -> &'a str {
        self.product_key
    }

    /// The (truncated) device name.
    pub fn device_name(&self) -> &'a str {
        self.device_name
    }

    /// The (truncated) device secret. Never log it.
    pub fn device_secret(&self) -> &'a str {
        self.device_secret
    }

    /// `<productKey>.<deviceName>`, V2.10's `device_id` (at most 53 characters).
    pub fn device_id(&self) -> String {
        concat(&[self.product_key, ".", self.device_name])
    }
}

impl fmt::Debug for DeviceIdentity<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DeviceIdentity")
            .field("product_key", &self.product_key)
            .field("device_name", &self.device_name)
            .field("device_secret", &"<redacted>")
            .finish()
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// The sample device of V2.10's examples.
    pub(crate) fn sample() -> DeviceIdentity<'static> {
        DeviceIdentity::new(
            "yfTuLfBJTiL",
            "TestDeviceForDemo",
            "fSCl9Ns5YPnYN8Ocg0VEel1kXFnRlV6c",
        )
        .unwrap()
    }

    #[test]
    fn truncation() {
        let (dn, ds) = ("d".repeat(40), "0123456789".repeat(7));
        let id = DeviceIdentity::new("ABCDEFGHIJKLMNOPQRSTUVWXY", &dn, &ds).unwrap();
        assert_eq!(id.product_key(), "ABCDEFGHIJKLMNOPQRST");
        assert_eq!(id.device_name(), "dddddddddddddddddddddddddddddddd");
        assert_eq!(
            id.device_secret(),
            "0123456789012345678901234567890123456789012345678901234567890123"
        );
        // Exactly at the limits: unchanged.
        let (pk, dn, ds) = ("p".repeat(20), "n".repeat(32), "s".repeat(64));
        let id = DeviceIdentity::new(&pk, &dn, &ds).unwrap();
        assert_eq!(id.product_key().len(), 20);
        assert_eq!(id.device_name().len(), 32);
        assert_eq!(id.device_secret().len(), 64);
        // Multi-byte characters are never split.
        let pk = format!("{}é", "p".repeat(19));
        let id = DeviceIdentity::new(&pk, "n", "s").unwrap();
        assert_eq!(id.product_key(), "ppppppppppppppppppp");
    }

    #[test]
    fn empty_values_rejected() {
        assert_eq!(
            DeviceIdentity::new("", "dn", "ds"),
            Err(IdentityError::EmptyProductKey)
        );
        assert_eq!(
            DeviceIdentity::new("pk", "", "ds"),
            Err(IdentityError::EmptyDeviceName)
        );
        assert_eq!(
            DeviceIdentity::new("pk", "dn", ""),
            Err(IdentityError::EmptyDeviceSecret)
        );
    }

    #[test]
    fn debug_hides_the_secret() {
        let d = format!("{:?}", sample());
        assert!(!d.contains("fSCl9Ns5YPnYN8Ocg0VEel1kXFnRlV6c"), "{d}");
        assert!(d.contains("redacted") && d.contains("TestDeviceForDemo"));
    }

    #[test]
    fn error_messages() {
        assert_eq!(
            IdentityError::EmptyDeviceSecret.to_string(),
            "device secret is empty"
        );
    }
}
