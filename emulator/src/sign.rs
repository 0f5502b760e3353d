//! The platform's signatures, written independently of the iotmqtt library.
//!
//! Password / sign = lowercase hex HMAC of the concatenated `key` + `value` pairs,
//! keyed with the device secret. Comparison with what the client sent is
//! case-insensitive (the platform guide: "Its case is insensitive").

use hmac::{Hmac, KeyInit, Mac};

/// Signature algorithms the platform accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignMethod {
    HmacSha1,
    HmacMd5,
}

impl SignMethod {
    /// Parses a `signmethod` value (case-insensitive). `None` means unsupported.
    pub fn parse(s: &str) -> Option<SignMethod> {
        match s.to_ascii_lowercase().as_str() {
            "hmacsha1" => Some(SignMethod::HmacSha1),
            "hmacmd5" => Some(SignMethod::HmacMd5),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            SignMethod::HmacSha1 => "hmacsha1",
            SignMethod::HmacMd5 => "hmacmd5",
        }
    }
}

/// Lowercase hex HMAC of `content` keyed with `secret`.
pub fn hmac_hex(method: SignMethod, secret: &str, content: &str) -> String {
    match method {
        SignMethod::HmacSha1 => {
            let mut mac = <Hmac<sha1::Sha1> as KeyInit>::new_from_slice(secret.as_bytes())
                .unwrap_or_else(|_| unreachable_key());
            mac.update(content.as_bytes());
            hex::encode(mac.finalize().into_bytes())
        }
        SignMethod::HmacMd5 => {
            let mut mac = <Hmac<md5::Md5> as KeyInit>::new_from_slice(secret.as_bytes())
                .unwrap_or_else(|_| unreachable_key());
            mac.update(content.as_bytes());
            hex::encode(mac.finalize().into_bytes())
        }
    }
}

fn unreachable_key() -> ! {
    // HMAC accepts keys of any length; this cannot happen.
    panic!("HMAC rejected a key")
}

/// The signed content: `key value` pairs sorted by key, concatenated without separators.
pub fn content(pairs: &[(&str, &str)]) -> String {
    let mut sorted: Vec<&(&str, &str)> = pairs.iter().collect();
    sorted.sort_by(|a, b| a.0.cmp(b.0));
    let mut out = String::new();
    for (k, v) in sorted {
        out.push_str(k);
        out.push_str(v);
    }
    out
}

/// Constant-time, case-insensitive comparison of a received hex signature.
pub fn matches(expected_hex: &str, received: &str) -> bool {
    let a = expected_hex.as_bytes();
    let b = received.as_bytes();
    if a.len() != b.len() {
        return false;
    }
    let mut diff = 0u8;
    for (x, y) in a.iter().zip(b.iter()) {
        diff |= x.to_ascii_lowercase() ^ y.to_ascii_lowercase();
    }
    diff == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guide_vector() {
        let c = content(&[
            ("productKey", "pk"),
            ("clientId", "12345"),
            ("timestamp", "789"),
            ("deviceName", "device"),
        ]);
        assert_eq!(c, "clientId12345deviceNamedeviceproductKeypktimestamp789");
        let s = hmac_hex(SignMethod::HmacSha1, "secret", &c);
        assert!(matches(&s, "FAFD82A3D602B37FB0FA8B7892F24A477F851A14"));
    }

    #[test]
    fn reference_vectors() {
        let c = content(&[
            ("clientId", "yfTuLfBJTiL.TestDeviceForDemo"),
            ("deviceName", "TestDeviceForDemo"),
            ("productKey", "yfTuLfBJTiL"),
            ("timestamp", "2524608000000"),
        ]);
        let ds = "fSCl9Ns5YPnYN8Ocg0VEel1kXFnRlV6c";
        assert_eq!(
            hmac_hex(SignMethod::HmacSha1, ds, &c),
            "97a7d457a539db070210a6edcf5323e2f5d15142"
        );
        assert_eq!(
            hmac_hex(SignMethod::HmacMd5, ds, &c),
            "949768ad63f69349bb4e04e02f56a5a5"
        );
    }
}
