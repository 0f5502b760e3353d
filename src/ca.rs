//! The CA the server certificate must chain to when TLS is on (`pub_key` of the conn info).
//!
//! Built in: the GlobalSign Root CA, as V2.10's `iotx_ca_get()` (Debian's ca-certificates ships the
//! same certificate as `mozilla/GlobalSign_Root_CA.crt`; the PEM is committed as
//! `certs/GlobalSign_Root_CA.pem` and embedded at build time, so builds outside Debian work).
//!
//! For local testing it can be replaced at run time with the extension function
//! `IOT_SetCACert` (in ffi; declared in `include/iotmqtt_ext.h`, not part of the V2.10 API). The library
//! reads no environment variable for this.

use core::ffi::{c_char, CStr};

use crate::lock::StaticHalMutex;
use crate::prelude::*;

/// The built-in CA, NUL-terminated (V2.10 hands out a C string; `ca_crt_len` counts the NUL).
#[cfg_attr(not(any(iotmqtt_tls, test)), allow(dead_code))]
const BUILT_IN: &str = concat!(include_str!("../certs/GlobalSign_Root_CA.pem"), "\0");

use iotmqtt_engine::limits::MAX_PEM_LEN;

/// The run-time replacement, if any. Every replacement is kept for the life of the process: a
/// pointer handed out in `iotx_conn_info_t.pub_key` must stay valid.
static OVERRIDE: StaticHalMutex<Option<&'static CStr>> = StaticHalMutex::new(None);

fn built_in() -> &'static CStr {
    CStr::from_bytes_with_nul(BUILT_IN.as_bytes()).unwrap_or(c"")
}

/// The CA PEM for TLS connections: the run-time replacement if one was set, else the built-in
/// GlobalSign Root CA. None without TLS (V2.10: `iotx_ca_get()` returns NULL with
/// `IOTX_WITHOUT_TLS`).
pub fn current() -> Option<&'static CStr> {
    if !cfg!(iotmqtt_tls) {
        return None;
    }
    // Without the lock (HAL_MutexCreate failed, logged) the built-in CA is the one in force.
    let replaced = OVERRIDE.lock().and_then(|guard| *guard);
    Some(replaced.unwrap_or_else(built_in))
}

/// [`current`] as a C string pointer (NULL without TLS), for the conn info's `pub_key`.
pub fn pub_key() -> *const c_char {
    current().map_or(core::ptr::null(), CStr::as_ptr)
}

/// Why `IOT_SetCACert` refused a replacement (logged where it was refused).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CaError {
    /// The build has no TLS, so there is no CA to replace.
    NoTls,
    /// Longer than [`MAX_PEM_LEN`].
    TooLong,
    /// No complete PEM certificate block in the text.
    NotPem,
    /// The HAL could not create the mutex that guards the CA.
    NoLock,
}

/// Does `text` hold at least one complete PEM certificate block?
fn looks_like_pem(text: &[u8]) -> bool {
    let begin = b"-----BEGIN CERTIFICATE-----";
    let end = b"-----END CERTIFICATE-----";
    let find = |hay: &[u8], needle: &[u8]| hay.windows(needle.len()).position(|w| w == needle);
    match find(text, begin) {
        Some(at) => text
            .get(at + begin.len()..)
            .is_some_and(|rest| find(rest, end).is_some()),
        None => false,
    }
}

/// Replaces the CA (`IOT_SetCACert`); None restores the built-in one.
pub fn replace(pem: Option<&CStr>) -> Result<(), CaError> {
    if !cfg!(iotmqtt_tls) {
        log_err!("IOT_SetCACert: this build has no TLS (FEATURE_MQTT_DIRECT_NOTLS = y)");
        return Err(CaError::NoTls);
    }
    let Some(text) = pem else {
        let Some(mut guard) = OVERRIDE.lock() else {
            return Err(CaError::NoLock);
        };
        *guard = None;
        log_info!("IOT_SetCACert: built-in GlobalSign Root CA restored");
        return Ok(());
    };
    let bytes = text.to_bytes();
    if bytes.len() > MAX_PEM_LEN {
        log_err!(
            "IOT_SetCACert: {} bytes is longer than {} bytes",
            bytes.len(),
            MAX_PEM_LEN
        );
        return Err(CaError::TooLong);
    }
    if !looks_like_pem(bytes) {
        log_err!("IOT_SetCACert: no \"-----BEGIN CERTIFICATE-----\" block in the text");
        return Err(CaError::NotPem);
    }
    // Kept for the life of the process: earlier conn infos may still point at an older copy.
    let Some(mut guard) = OVERRIDE.lock() else {
        return Err(CaError::NoLock);
    };
    let copy: &'static CStr = Box::leak(text.to_owned().into_boxed_c_str());
    *guard = Some(copy);
    log_info!("IOT_SetCACert: CA replaced ({} bytes)", bytes.len());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use sha2::{Digest, Sha256};

    fn base64_decode(text: &str) -> Vec<u8> {
        let value = |c: u8| -> u32 {
            match c {
                b'A'..=b'Z' => u32::from(c - b'A'),
                b'a'..=b'z' => u32::from(c - b'a') + 26,
                b'0'..=b'9' => u32::from(c - b'0') + 52,
                b'+' => 62,
                b'/' => 63,
                _ => panic!("bad base64 {c}"),
            }
        };
        let chars: Vec<u8> = text
            .bytes()
            .filter(|c| !c.is_ascii_whitespace() && *c != b'=')
            .collect();
        let mut out = Vec::new();
        for group in chars.chunks(4) {
            let mut acc = 0u32;
            for (i, &c) in group.iter().enumerate() {
                acc |= value(c) << (18 - 6 * i);
            }
            let bytes = acc.to_be_bytes();
            out.extend_from_slice(&bytes[1..group.len()]);
        }
        out
    }

    #[test]
    fn built_in_ca_is_globalsign_root_ca() {
        let pem = built_in().to_str().unwrap();
        let body: String = pem
            .lines()
            .filter(|l| !l.starts_with("-----"))
            .collect::<Vec<_>>()
            .join("");
        assert_eq!(pem.matches("BEGIN CERTIFICATE").count(), 1);
        let der = base64_decode(&body);
        let digest = Sha256::digest(&der);
        let hex: Vec<String> = digest.iter().map(|b| format!("{b:02X}")).collect();
        assert_eq!(
            hex.join(":"),
            "EB:D4:10:40:E4:BB:3E:C7:42:C9:E3:81:D3:1E:F2:A4:1A:48:B6:68:5C:96:E7:CE:F3:C1:DF:6C:D4:33:1C:99"
        );
        // NUL-terminated, and nothing after the PEM's last line.
        assert!(BUILT_IN.ends_with("-----END CERTIFICATE-----\n\0"));
    }

    #[test]
    fn pem_detection() {
        assert!(looks_like_pem(built_in().to_bytes()));
        assert!(!looks_like_pem(b"hello"));
        assert!(!looks_like_pem(b"-----BEGIN CERTIFICATE-----\nAAAA\n"));
        assert!(!looks_like_pem(
            b"-----END CERTIFICATE-----\n-----BEGIN CERTIFICATE-----"
        ));
    }

    #[test]
    fn replace_and_restore() {
        crate::log::open();
        crate::log::set_level(crate::log::DEBUG);
        // Both are -2 at the C boundary.
        let refused = if cfg!(iotmqtt_tls) {
            CaError::NotPem
        } else {
            CaError::NoTls
        };
        assert_eq!(replace(Some(c"not a certificate")), Err(refused));
        if cfg!(iotmqtt_tls) {
            let pem = c"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
            assert_eq!(replace(Some(pem)), Ok(()));
            assert_eq!(current(), Some(pem));
            assert_eq!(replace(None), Ok(()));
            assert_eq!(current(), Some(built_in()));
        } else {
            assert!(pub_key().is_null());
            assert_eq!(replace(None), Err(CaError::NoTls));
        }
    }
}
