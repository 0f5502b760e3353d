//! The CA the server certificate must chain to when TLS is on (`pub_key` of the conn info).

use core::ffi::c_char;

/// NULL without TLS (V2.10: `iotx_ca_get()` returns NULL with `IOTX_WITHOUT_TLS`).
pub fn pub_key() -> *const c_char {
    core::ptr::null()
}
