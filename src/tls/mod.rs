//! TLS sessions for MQTT and HTTPS pre-authentication, through the backend make.settings chose
//! (`FEATURE_TLS_BACKEND`): the firmware's `HAL_SSL_*` ([`hal_ssl`]) or native-tls running over
//! `HAL_TCP_*` ([`native`]).
//!
//! A TLS session cannot read and write at the same time, so the session sits behind a HAL mutex.
//! Reads are sliced to at most [`READ_SLICE_MS`] and the mutex is released between slices: a
//! writer (Publish from another thread while Yield reads) waits at most one slice, and a read
//! still honours the caller's whole timeout.

#[cfg(iotmqtt_tls)]
use core::ffi::CStr;

#[cfg(iotmqtt_tls)]
use core::sync::atomic::Ordering;

#[cfg(iotmqtt_tls)]
use crate::hal::{self, ReadOutcome};
#[cfg(iotmqtt_tls)]
use crate::lock::HalMutex;
#[cfg(iotmqtt_tls)]
use crate::net_error::NetError;

#[cfg(iotmqtt_tls_hal)]
mod hal_ssl;
#[cfg(any(iotmqtt_tls_native, test))]
mod io;
#[cfg(iotmqtt_tls_native)]
mod native;
#[cfg(any(iotmqtt_tls_native, test))]
mod pem;

#[cfg(iotmqtt_tls_hal)]
use hal_ssl::Backend;
#[cfg(iotmqtt_tls_native)]
use native::Backend;

#[cfg(iotmqtt_tls)]
use iotmqtt_engine::limits::READ_SLICE_MS;

/// One TLS connection; `read` and `write_all` may be called from different threads.
#[cfg(iotmqtt_tls)]
pub struct Session {
    backend: HalMutex<Backend>,
    /// Writers blocked on the lock. Mutexes are not fair: a reader that relocks at once after a
    /// slice could starve them, so it steps aside while this is non-zero.
    writers_waiting: core::sync::atomic::AtomicUsize,
}

#[cfg(iotmqtt_tls)]
impl core::fmt::Debug for Session {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("tls::Session")
    }
}

#[cfg(iotmqtt_tls)]
impl Session {
    /// Connects to `host:port` and completes the handshake within `handshake_timeout_ms`,
    /// verifying the server certificate against `ca` (PEM) and `host`. An error says whether
    /// the certificate was rejected or the connection failed otherwise; its reason was logged.
    pub fn connect(
        host: &CStr,
        port: u16,
        ca: &CStr,
        handshake_timeout_ms: u32,
    ) -> Result<Self, NetError> {
        let backend = Backend::connect(host, port, ca, handshake_timeout_ms)?;
        let backend = HalMutex::new(backend).ok_or_else(|| {
            log_err!("HAL_MutexCreate failed: no lock for the TLS session");
            NetError::Connect
        })?;
        Ok(Session {
            backend,
            writers_waiting: core::sync::atomic::AtomicUsize::new(0),
        })
    }

    /// Reads up to `buf.len()` bytes within `timeout_ms` (HAL_TCP_Read semantics), in slices of
    /// at most [`READ_SLICE_MS`] with the session unlocked in between. 0 waits the HAL's minimum
    /// of 1 ms (`hal.rs`).
    pub fn read(&self, buf: &mut [u8], timeout_ms: u32) -> ReadOutcome {
        let deadline = hal::uptime_ms().saturating_add(u64::from(timeout_ms));
        let mut left = timeout_ms;
        loop {
            // hal.rs raises a 0 slice to 1 ms (a firmware HAL may take 0 as "wait forever").
            let slice = left.min(READ_SLICE_MS);
            let outcome = self.backend.lock().read(buf, slice);
            if outcome != ReadOutcome::Timeout {
                return outcome;
            }
            // Let a waiting writer in before the next slice.
            while self.writers_waiting.load(Ordering::Acquire) > 0 && hal::ms_until(deadline) > 0 {
                hal::sleep_ms(1);
            }
            left = hal::ms_until(deadline);
            if left == 0 {
                return ReadOutcome::Timeout;
            }
        }
    }

    /// Writes all of `buf` within `timeout_ms`; `Err` (logged) when the session is unusable
    /// afterwards.
    pub fn write_all(&self, buf: &[u8], timeout_ms: u32) -> Result<(), NetError> {
        self.writers_waiting.fetch_add(1, Ordering::AcqRel);
        let mut backend = self.backend.lock();
        self.writers_waiting.fetch_sub(1, Ordering::AcqRel);
        backend.write_all(buf, timeout_ms)
    }
}
