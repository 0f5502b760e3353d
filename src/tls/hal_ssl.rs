//! `FEATURE_TLS_BACKEND = hal`: TLS through the firmware's `HAL_SSL_*` (as V2.10). The HAL
//! verifies the server certificate against `pub_key` (`ca_crt_len` counts the NUL) and the host
//! name, and bounds its own handshake; it returns only a handle or 0, so the reason for a
//! failure is in the HAL's log.

use core::ffi::CStr;

use crate::hal::{self, ReadOutcome, SslConnection};
use crate::net_error::NetError;

pub struct Backend {
    conn: SslConnection,
}

impl Backend {
    pub fn connect(
        host: &CStr,
        port: u16,
        ca: &CStr,
        _handshake_timeout_ms: u32,
    ) -> Result<Self, NetError> {
        match SslConnection::establish(host, port, ca) {
            Some(conn) => Ok(Backend { conn }),
            None => {
                log_err!(
                    "HAL_SSL_Establish({}:{}) failed: TLS connection or server certificate refused (the HAL's log gives the reason)",
                    host.to_str().unwrap_or("?"),
                    port
                );
                Err(NetError::Connect)
            }
        }
    }

    /// One `HAL_SSL_Read` of at most `timeout_ms`.
    pub fn read(&mut self, buf: &mut [u8], timeout_ms: u32) -> ReadOutcome {
        self.conn.read(buf, timeout_ms)
    }

    pub fn write_all(&mut self, mut buf: &[u8], timeout_ms: u32) -> Result<(), NetError> {
        let deadline = hal::uptime_ms().saturating_add(u64::from(timeout_ms));
        while !buf.is_empty() {
            let left = deadline.saturating_sub(hal::uptime_ms());
            if left == 0 {
                log_err!("HAL_SSL_Write: timed out with {} bytes unsent", buf.len());
                return Err(NetError::Write);
            }
            match self
                .conn
                .write(buf, u32::try_from(left).unwrap_or(u32::MAX))
            {
                Ok(0) => {}
                Ok(n) => buf = buf.get(n..).unwrap_or(&[]),
                Err(code) => {
                    log_err!("HAL_SSL_Write failed ({})", code);
                    return Err(NetError::Write);
                }
            }
        }
        Ok(())
    }
}
