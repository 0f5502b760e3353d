//! `IOT_SetupConnInfo` / `IOT_SetupDomain` / `IOT_SetCACert`: the C side of connection setup
//! (the work is `crate::setup`'s). Holds V2.10's process-wide `iotx_conn_info_t`, and the
//! re-authentication hook the driver calls before a reconnect when the client was given these
//! very strings.

use core::cell::UnsafeCell;
use core::ffi::{c_char, c_int, c_void, CStr};

use super::codes;
use super::types::{iotx_conn_info_t, iotx_mqtt_param_t};
use crate::auth::{ConnStrings, DeviceIdentity, Region};
use crate::driver::{Credentials, Reauthenticate};
use crate::prelude::*;
use crate::setup;

/// V2.10 returns a pointer to one static struct that every call overwrites.
struct ConnInfoCell(UnsafeCell<iotx_conn_info_t>);
// SAFETY: written only by `store`, which `setup` runs under its lock; C reads it as it did
// V2.10's static.
unsafe impl Sync for ConnInfoCell {}

static CONN_INFO: ConnInfoCell = ConnInfoCell(UnsafeCell::new(iotx_conn_info_t {
    port: 0,
    host_name: [0; 129],
    client_id: [0; 257],
    username: [0; 513],
    password: [0; 257],
    pub_key: core::ptr::null(),
}));

fn copy_c(dst: &mut [c_char], src: &str) {
    dst.fill(0);
    let room = dst.len().saturating_sub(1);
    for (d, s) in dst.iter_mut().zip(src.bytes().take(room)) {
        *d = s as c_char;
    }
}

/// Writes the strings into the static struct; `setup` calls it under its lock. One copy for
/// both callers (setup and re-authentication), not one inlined into each.
#[inline(never)]
fn store(strings: &ConnStrings) {
    // SAFETY: `setup` runs this under its lock, so no other Rust code writes the struct.
    let info = unsafe { &mut *CONN_INFO.0.get() };
    info.port = strings.port;
    copy_c(&mut info.host_name, &strings.host);
    copy_c(&mut info.client_id, &strings.client_id);
    copy_c(&mut info.username, &strings.username);
    copy_c(&mut info.password, &strings.password);
    info.pub_key = crate::ca::pub_key();
}

/// Fills the connection info for a device; `*info_ptr` points to it (V2.10: a static struct).
///
/// # Safety
/// The strings are NULL or NUL-terminated; `info_ptr` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn IOT_SetupConnInfo(
    product_key: *const c_char,
    device_name: *const c_char,
    device_secret: *const c_char,
    info_ptr: *mut *mut c_void,
) -> c_int {
    if info_ptr.is_null() {
        log_err!("Invalid argument, info_ptr = NULL");
        return -1;
    }
    // SAFETY: forwarded contract.
    let args = unsafe {
        (
            super::args::c_text(product_key, "product_key"),
            super::args::c_text(device_name, "device_name"),
            super::args::c_text(device_secret, "device_secret"),
        )
    };
    let (Some(pk), Some(dn), Some(ds)) = args else {
        return -1;
    };
    let identity = match DeviceIdentity::new(pk, dn, ds) {
        Ok(identity) => identity,
        Err(e) => {
            log_err!("Invalid argument: {}", e);
            return -1;
        }
    };
    match setup::set_up(&identity, store) {
        Ok(()) => {
            log_info!(
                "connection info ready for {}.{}",
                identity.product_key(),
                identity.device_name()
            );
            // SAFETY: info_ptr is non-NULL and writable per the contract.
            unsafe { *info_ptr = CONN_INFO.0.get().cast() };
            0
        }
        Err(e) => {
            // SAFETY: as above.
            unsafe { *info_ptr = core::ptr::null_mut() };
            codes::code(e.into())
        }
    }
}

/// iotmqtt extension (not V2.10), for local testing: replaces the built-in CA that
/// `IOT_SetupConnInfo` puts in `pub_key` and that HTTPS pre-authentication verifies against.
/// `pem` is one or more PEM certificates; it is copied. NULL restores the built-in CA. Affects
/// `IOT_SetupConnInfo` calls made afterwards. Returns 0, or -2 when `pem` holds no PEM
/// certificate, is longer than 64 KiB, or the build has no TLS; -1 when the HAL cannot create
/// the mutex that guards it.
///
/// # Safety
/// `pem` is NULL or a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn IOT_SetCACert(pem: *const c_char) -> c_int {
    // SAFETY: NULL or NUL-terminated per the contract.
    let pem = (!pem.is_null()).then(|| unsafe { CStr::from_ptr(pem) });
    match crate::ca::replace(pem) {
        Ok(()) => 0,
        Err(error) => super::codes::code(error.into()),
    }
}

/// Chooses the region for the next `IOT_SetupConnInfo`; an unknown value is logged and ignored.
#[no_mangle]
pub extern "C" fn IOT_SetupDomain(domain_type: c_int) {
    match Region::from_raw(domain_type) {
        Some(region) => setup::set_region(region),
        None => log_err!(
            "IOT_SetupDomain({}): unknown domain, keeping {}",
            domain_type,
            setup::region().as_raw()
        ),
    }
}

/// Re-authentication before a reconnect: fresh strings, also written into the static struct.
fn reauthenticate() -> Option<Credentials> {
    let strings = setup::reauthenticate(store)?;
    Some(Credentials {
        host: crate::heap::try_cstring(strings.host.as_bytes())?,
        port: strings.port,
        client_id: strings.client_id,
        username: strings.username,
        password: strings.password,
    })
}

/// When the params point at `IOT_SetupConnInfo`'s own strings, the client re-authenticates
/// before each reconnect and knows the device (for the module-id report).
/// Err when memory runs out copying the identity.
#[allow(clippy::type_complexity)]
pub(super) fn reauthentication_for(
    params: &iotx_mqtt_param_t,
) -> Result<(Option<Reauthenticate>, Option<(String, String)>), ()> {
    let info = CONN_INFO.0.get();
    // SAFETY: only field addresses are taken; nothing is read or written.
    let (host, client_id, username, password) = unsafe {
        (
            core::ptr::addr_of!((*info).host_name).cast::<c_char>(),
            core::ptr::addr_of!((*info).client_id).cast::<c_char>(),
            core::ptr::addr_of!((*info).username).cast::<c_char>(),
            core::ptr::addr_of!((*info).password).cast::<c_char>(),
        )
    };
    let same = params.host == host
        && params.client_id == client_id
        && params.username == username
        && params.password == password;
    if !same {
        return Ok((None, None));
    }
    let identity = setup::saved_device().map_err(|_| ())?;
    Ok((Some(reauthenticate), identity))
}
