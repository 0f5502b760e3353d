//! Request signing: the HMAC over the sorted connection parameters.
//!
//! The platform signs `clientId<id>deviceName<dn>productKey<pk>timestamp<ts>` (parameter names in
//! alphabetical order, values spliced without separators) with the device secret as HMAC key, and
//! expects the MAC as hex (the guide says the case does not matter; V2.10 sends lowercase).

use crate::prelude::*;
use core::fmt;

use super::hmac::{hmac, Md5, Sha1};

use super::identity::DeviceIdentity;

/// The constant timestamp V2.10 signs and sends (`GUIDER_DEFAULT_TS_STR`); no clock is read.
pub const TIMESTAMP: &str = "2524608000000";

/// The HMAC algorithm used for the signature (`signmethod=` in the client id and the auth request).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum SignMethod {
    /// HMAC-SHA1, V2.10's default build (`signmethod=hmacsha1`). 40 hex characters.
    #[default]
    HmacSha1,
    /// HMAC-MD5 (`signmethod=hmacmd5`), V2.10 with `USING_SHA1_IN_HMAC == 0`. 32 hex characters.
    HmacMd5,
}

impl SignMethod {
    /// The name the platform expects in `signmethod=`.
    pub const fn as_str(self) -> &'static str {
        match self {
            SignMethod::HmacSha1 => "hmacsha1",
            SignMethod::HmacMd5 => "hmacmd5",
        }
    }

    /// Length of the hex signature this method produces.
    pub const fn hex_len(self) -> usize {
        match self {
            SignMethod::HmacSha1 => 40,
            SignMethod::HmacMd5 => 32,
        }
    }
}

impl fmt::Debug for SignMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Display for SignMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The string that is signed: `clientId…deviceName…productKey…timestamp…`.
///
/// The parameter names are in alphabetical order, as the platform guide requires; the values are
/// spliced in without separators.
pub fn sign_content(
    client_id: &str,
    device_name: &str,
    product_key: &str,
    timestamp: &str,
) -> String {
    let mut s = String::with_capacity(
        "clientIddeviceNameproductKeytimestamp".len()
            + client_id.len()
            + device_name.len()
            + product_key.len()
            + timestamp.len(),
    );
    s.push_str("clientId");
    s.push_str(client_id);
    s.push_str("deviceName");
    s.push_str(device_name);
    s.push_str("productKey");
    s.push_str(product_key);
    s.push_str("timestamp");
    s.push_str(timestamp);
    s
}

/// Lowercase hex HMAC of `content` keyed with `secret`.
///
/// Keys of any length are accepted as the HMAC standard (RFC 2104) says: keys longer than the
/// hash's block size are hashed first. (V2.10 rejected keys over 64 bytes and signed with an empty
/// digest; device secrets are cut to 64 characters before they get here, see
/// [`DeviceIdentity`], so that difference never shows for device secrets.)
pub fn sign(method: SignMethod, secret: &[u8], content: &[u8]) -> String {
    match method {
        SignMethod::HmacSha1 => hex::encode(hmac::<Sha1>(secret, content)),
        SignMethod::HmacMd5 => hex::encode(hmac::<Md5>(secret, content)),
    }
}

/// The signature of a device (docs/v210-reference.md §5.1): its id, name and product key with the constant
/// [`TIMESTAMP`], keyed with the device secret. The MQTT password in direct mode and the `sign=`
/// of the pre-authentication request.
pub fn device_signature(identity: &DeviceIdentity, method: SignMethod) -> String {
    let content = sign_content(
        &identity.device_id(),
        identity.device_name(),
        identity.product_key(),
        TIMESTAMP,
    );
    sign(
        method,
        identity.device_secret().as_bytes(),
        content.as_bytes(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const TS: &str = "2524608000000";

    #[test]
    fn method_names() {
        assert_eq!(SignMethod::HmacSha1.as_str(), "hmacsha1");
        assert_eq!(SignMethod::HmacMd5.as_str(), "hmacmd5");
        assert_eq!(SignMethod::default(), SignMethod::HmacSha1);
        assert_eq!(format!("{:?}", SignMethod::HmacMd5), "hmacmd5");
        assert_eq!(format!("{}", SignMethod::HmacSha1), "hmacsha1");
    }

    #[test]
    fn content_is_sorted_and_spliced() {
        assert_eq!(
            sign_content("12345", "device", "pk", "789"),
            "clientId12345deviceNamedeviceproductKeypktimestamp789"
        );
        let c = sign_content("2UCRZpAbCGC.ExampleDev", "ExampleDev", "2UCRZpAbCGC", TS);
        assert_eq!(
            c,
            "clientId2UCRZpAbCGC.ExampleDevdeviceNameExampleDevproductKey2UCRZpAbCGCtimestamp2524608000000"
        );
        assert_eq!(c.len(), 93);
    }

    #[test]
    fn platform_guide_vector() {
        let c = sign_content("12345", "device", "pk", "789");
        let s = sign(SignMethod::HmacSha1, b"secret", c.as_bytes());
        assert_eq!(s, "fafd82a3d602b37fb0fa8b7892f24a477f851a14");
        assert!(s.eq_ignore_ascii_case("FAFD82A3D602B37FB0FA8B7892F24A477F851A14"));
    }

    #[test]
    fn v210_readme_vector() {
        let c = sign_content("2UCRZpAbCGC.ExampleDev", "ExampleDev", "2UCRZpAbCGC", TS);
        let key = b"fbh47lGBSayncmTHEjF1E5x4CZdeJTO9";
        assert_eq!(
            sign(SignMethod::HmacSha1, key, c.as_bytes()),
            "326a4a6ed38b1bd5ddb6a5d11d27928bfb5a62d0"
        );
        assert_eq!(
            sign(SignMethod::HmacMd5, key, c.as_bytes()),
            "7b2eb0b2e48432bd40756f6519846135"
        );
    }

    #[test]
    fn sample_credentials_vectors() {
        let c = sign_content(
            "yfTuLfBJTiL.TestDeviceForDemo",
            "TestDeviceForDemo",
            "yfTuLfBJTiL",
            TS,
        );
        let key = b"fSCl9Ns5YPnYN8Ocg0VEel1kXFnRlV6c";
        let sha = sign(SignMethod::HmacSha1, key, c.as_bytes());
        let md5 = sign(SignMethod::HmacMd5, key, c.as_bytes());
        assert_eq!(sha, "97a7d457a539db070210a6edcf5323e2f5d15142");
        assert_eq!(md5, "949768ad63f69349bb4e04e02f56a5a5");
        assert_eq!(sha.len(), SignMethod::HmacSha1.hex_len());
        assert_eq!(md5.len(), SignMethod::HmacMd5.hex_len());
    }

    #[test]
    fn keys_of_any_length() {
        // Values from Python's hmac module.
        let k200 = [b'k'; 200];
        assert_eq!(
            sign(SignMethod::HmacSha1, &k200, b"abc"),
            "825ab55bf90c797c40d1063e4f7599f4540c7c11"
        );
        assert_eq!(
            sign(SignMethod::HmacMd5, &k200, b"abc"),
            "7ef8227eb2b17dfa84429313f515c79c"
        );
        assert_eq!(
            sign(SignMethod::HmacSha1, &[b'A'; 64], b"abc"),
            "3a959aece4552026757162df0ca26a79c07272c6"
        );
        assert_eq!(
            sign(SignMethod::HmacSha1, &[b'A'; 65], b"abc"),
            "aa093f89df6f1c9fb659f4268dfb5b6a6dfaf335"
        );
        assert_eq!(
            sign(SignMethod::HmacSha1, b"", b""),
            "fbdb1d1b18aa6c08324b7d64b71fb76370690e1d"
        );
        assert_eq!(
            sign(SignMethod::HmacMd5, b"", b""),
            "74e6f7298a9c2d168935f58c001bad88"
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
            device_signature(&id, SignMethod::HmacSha1),
            "326a4a6ed38b1bd5ddb6a5d11d27928bfb5a62d0"
        );
    }

    #[test]
    fn truncated_identity_signs_its_cut_values() {
        let (dn, ds) = ("d".repeat(40), "0123456789".repeat(7));
        let id = DeviceIdentity::new("ABCDEFGHIJKLMNOPQRSTUVWXY", &dn, &ds).unwrap();
        // Value from Python: hmac(secret[:64], content with pk[:20] and dn[:32]).
        assert_eq!(
            device_signature(&id, SignMethod::HmacSha1),
            "8c2ce9b85aa22d77f106dcf1832a35bd1f0a33a1"
        );
        // Only the secret too long: the sign uses its first 64 characters.
        let id = DeviceIdentity::new("yfTuLfBJTiL", "TestDeviceForDemo", &ds).unwrap();
        assert_eq!(
            device_signature(&id, SignMethod::HmacSha1),
            "01109ac2098beba38d96d94db9c305c717bdbc4b"
        );
    }
}
