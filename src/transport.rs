//! The byte stream under MQTT: plain TCP through `HAL_TCP_*`, or TLS (through `HAL_SSL_*` or
//! native-tls over `HAL_TCP_*`, as make.settings chose; see `crate::tls`).
//!
//! `read` and `write_all` take `&self`: one thread reads (Yield) while another writes (Publish).
//! Over TCP nothing is locked; over TLS reads are sliced so a writer waits at most one slice.

use core::ffi::CStr;

use crate::hal::{self, ReadOutcome, TcpConnection};
use crate::net_error::NetError;
#[cfg(iotmqtt_tls)]
use iotmqtt_engine::limits::HANDSHAKE_TIMEOUT_MS;

pub enum Transport {
    Tcp {
        conn: TcpConnection,
        write_timeout_ms: u32,
    },
    #[cfg(iotmqtt_tls)]
    Tls {
        session: crate::tls::Session,
        write_timeout_ms: u32,
    },
}

impl Transport {
    /// Opens a connection: TLS when `ca` (the PEM CA of `pub_key`) is given, plain TCP when it is
    /// NULL (as V2.10's `utils_net`). An error says whether the server certificate was
    /// rejected or the connection failed otherwise; the reason was logged.
    pub fn open(
        host: &CStr,
        port: u16,
        ca: Option<&CStr>,
        write_timeout_ms: u32,
    ) -> Result<Self, NetError> {
        match ca {
            #[cfg(iotmqtt_tls)]
            Some(ca) => {
                let session = crate::tls::Session::connect(host, port, ca, HANDSHAKE_TIMEOUT_MS)?;
                Ok(Transport::Tls {
                    session,
                    write_timeout_ms,
                })
            }
            #[cfg(not(iotmqtt_tls))]
            Some(_) => {
                log_err!("pub_key is set but this build has no TLS (make.settings FEATURE_MQTT_DIRECT_NOTLS = y)");
                Err(NetError::Connect)
            }
            None => {
                let conn = TcpConnection::establish(host, port).ok_or(NetError::Connect)?;
                Ok(Transport::Tcp {
                    conn,
                    write_timeout_ms,
                })
            }
        }
    }

    /// Reads up to `buf.len()` bytes, waiting at most `timeout_ms` (HAL_TCP_Read semantics).
    pub fn read(&self, buf: &mut [u8], timeout_ms: u32) -> ReadOutcome {
        match self {
            Transport::Tcp { conn, .. } => conn.read(buf, timeout_ms),
            #[cfg(iotmqtt_tls)]
            Transport::Tls { session, .. } => session.read(buf, timeout_ms),
        }
    }

    /// Writes all of `buf`; `Err` when the connection is unusable afterwards.
    pub fn write_all(&self, buf: &[u8]) -> Result<(), NetError> {
        match self {
            Transport::Tcp {
                conn,
                write_timeout_ms,
            } => tcp_write_all(conn, buf, *write_timeout_ms),
            #[cfg(iotmqtt_tls)]
            Transport::Tls {
                session,
                write_timeout_ms,
            } => session.write_all(buf, *write_timeout_ms),
        }
    }
}

fn tcp_write_all(
    conn: &TcpConnection,
    mut buf: &[u8],
    write_timeout_ms: u32,
) -> Result<(), NetError> {
    let deadline = hal::uptime_ms().saturating_add(u64::from(write_timeout_ms));
    while !buf.is_empty() {
        let left = deadline.saturating_sub(hal::uptime_ms());
        if left == 0 {
            return Err(NetError::Write);
        }
        // Pass what is left to send, not the whole length (a V2.10 quirk not kept).
        match conn.write(buf, u32::try_from(left).unwrap_or(u32::MAX)) {
            Ok(0) => {}
            Ok(n) => buf = buf.get(n..).unwrap_or(&[]),
            Err(_) => return Err(NetError::Write),
        }
    }
    Ok(())
}
