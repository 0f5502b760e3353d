//! Connection setup, the I/O half of `IOT_SetupConnInfo` (the C side, with the static
//! `iotx_conn_info_t`, is `ffi::setup`): the region chosen by `IOT_SetupDomain`, authenticating
//! a device (signing locally in direct mode, HTTPS pre-authentication in guider mode), and the
//! device of the last success, kept for re-authentication before a reconnect and for the
//! module-id report.
//!
//! The C struct is written by a callback that runs while this module's lock is held, so one
//! thread at a time writes it, as with V2.10's static.

use core::sync::atomic::{AtomicI32, Ordering};

use crate::auth::{self, ConnStrings, DeviceIdentity, Region, SecureMode, SignMethod};
use crate::hal;
use crate::heap;
use crate::lock::StaticHalMutex;
use crate::prelude::*;
use crate::text::FixedText;

#[cfg(all(iotmqtt_tls, not(iotmqtt_direct)))]
mod guider_client;

/// Why setup failed. Each was logged where it happened, except `OutOfMemory`, which the caller
/// reports (it knows what it was copying for); V2.10 reports them all as -1.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SetupError {
    /// The HAL could not create the mutex that guards the saved device.
    Lock,
    /// HTTPS pre-authentication failed.
    #[cfg(all(iotmqtt_tls, not(iotmqtt_direct)))]
    PreAuth(guider_client::PreAuthFailure),
    /// Pre-authentication without TLS: build.rs refuses this build, kept so the code is total.
    #[cfg(all(not(iotmqtt_tls), not(iotmqtt_direct)))]
    NoTls,
    /// The connection strings do not fit `iotx_conn_info_t`.
    ConnInfo,
    /// Memory ran out copying the saved device.
    OutOfMemory,
}

/// The device of the last successful setup, for re-authentication; in fixed buffers like
/// V2.10's static device info, so nothing of it stays on the heap.
struct SavedIdentity {
    product_key: FixedText<20>,
    device_name: FixedText<32>,
    device_secret: FixedText<64>,
}

impl SavedIdentity {
    fn save(identity: &DeviceIdentity) -> Option<Self> {
        Some(Self {
            product_key: FixedText::from_str(identity.product_key())?,
            device_name: FixedText::from_str(identity.device_name())?,
            device_secret: FixedText::from_str(identity.device_secret())?,
        })
    }

    fn identity(&self) -> Option<DeviceIdentity<'_>> {
        DeviceIdentity::new(
            self.product_key.as_str(),
            self.device_name.as_str(),
            self.device_secret.as_str(),
        )
        .ok()
    }
}

static SAVED: StaticHalMutex<Option<SavedIdentity>> = StaticHalMutex::new(None);
/// The raw `iotx_cloud_domain_types_t` of the next setup.
static REGION: AtomicI32 = AtomicI32::new(0);

/// The region of the next setup (`IOT_SetupDomain`).
pub fn set_region(region: Region) {
    REGION.store(region.as_raw(), Ordering::Relaxed);
}

/// The region the next setup uses.
pub fn region() -> Region {
    Region::from_raw(REGION.load(Ordering::Relaxed)).unwrap_or_default()
}

#[cfg_attr(not(iotmqtt_direct), allow(dead_code))]
fn secure_mode() -> SecureMode {
    if cfg!(iotmqtt_tls) {
        SecureMode::TlsDirect
    } else {
        SecureMode::TcpDirect
    }
}

/// The connection strings for `identity` in the region chosen last.
fn authenticate(identity: &DeviceIdentity) -> Result<ConnStrings, SetupError> {
    let region = region();
    let (partner, module) = (hal::partner_id(), hal::module_id());
    #[cfg(all(iotmqtt_tls, not(iotmqtt_direct)))]
    {
        // Guider mode: a fresh iotId/iotToken from HTTPS pre-authentication (docs/v210-reference.md
        // §6).
        let reply = guider_client::authenticate(identity, region, SignMethod::HmacSha1)
            .map_err(SetupError::PreAuth)?;
        auth::guider_conn(
            identity,
            &reply,
            SignMethod::HmacSha1,
            partner.as_str(),
            module.as_str(),
        )
        .map_err(|e| {
            log_err!("connection info from the auth reply: {}", e);
            SetupError::ConnInfo
        })
    }
    #[cfg(all(not(iotmqtt_tls), not(iotmqtt_direct)))]
    {
        log_err!(
            "HTTPS pre-authentication needs TLS (make.settings FEATURE_MQTT_DIRECT_NOTLS = n)"
        );
        Err(SetupError::NoTls)
    }
    #[cfg(iotmqtt_direct)]
    auth::direct_conn(
        identity,
        region,
        secure_mode(),
        SignMethod::HmacSha1,
        partner.as_str(),
        module.as_str(),
    )
    .map_err(|e| {
        log_err!("connection info: {}", e);
        SetupError::ConnInfo
    })
}

/// Authenticates `identity`; on success hands the strings to `store` and keeps the device for
/// [`reauthenticate`] and [`saved_device`]. `store` runs under this module's lock.
pub fn set_up(
    identity: &DeviceIdentity,
    store: impl FnOnce(&ConnStrings),
) -> Result<(), SetupError> {
    let mut saved = SAVED.lock().ok_or(SetupError::Lock)?;
    let strings = authenticate(identity)?;
    store(&strings);
    *saved = SavedIdentity::save(identity);
    Ok(())
}

/// Authenticates the saved device again, before a reconnect; hands the fresh strings to `store`
/// (under this module's lock) and returns them. None without a saved device or on failure.
pub fn reauthenticate(store: impl FnOnce(&ConnStrings)) -> Option<ConnStrings> {
    let saved = SAVED.lock()?;
    let identity = saved.as_ref()?.identity()?;
    let strings = authenticate(&identity).ok()?;
    store(&strings);
    Some(strings)
}

/// (productKey, deviceName) of the saved device, for the module-id report; copied fallibly.
pub fn saved_device() -> Result<Option<(String, String)>, SetupError> {
    let saved = SAVED.lock().ok_or(SetupError::Lock)?;
    let Some(id) = saved.as_ref() else {
        return Ok(None);
    };
    let Some(product_key) = heap::try_string(id.product_key.as_str()) else {
        return Err(SetupError::OutOfMemory);
    };
    let Some(device_name) = heap::try_string(id.device_name.as_str()) else {
        return Err(SetupError::OutOfMemory);
    };
    Ok(Some((product_key, device_name)))
}
