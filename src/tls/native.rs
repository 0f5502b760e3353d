//! `FEATURE_TLS_BACKEND = native`: native-tls (the system's OpenSSL) over the `HAL_TCP_*`
//! functions, so the HAL stays the only network seam. Only `pub_key` is trusted (the built-in
//! roots are off); SNI and the name check use the host name the library was given, whatever
//! address the HAL really connects to.

use core::ffi::CStr;
use std::io::{self, Read, Write};

use native_tls::{Certificate, HandshakeError, TlsConnector, TlsStream};

use super::io::HalStream;
use super::pem::{pem_blocks, verify_reason};
use crate::hal::{self, ReadOutcome, TcpConnection};
use crate::net_error::NetError;

/// Longest a single `HAL_TCP_Read` waits during the handshake (the deadline is checked between).
const HANDSHAKE_READ_SLICE_MS: u32 = 1000;
/// How long closing waits to send the TLS close_notify.
const CLOSE_NOTIFY_MS: u64 = 100;

pub struct Backend {
    stream: TlsStream<HalStream>,
}

fn connector(host: &str, ca: &CStr) -> Result<TlsConnector, NetError> {
    let mut builder = TlsConnector::builder();
    builder.disable_built_in_roots(true);
    let mut trusted = 0usize;
    for block in pem_blocks(ca.to_bytes()) {
        match Certificate::from_pem(block) {
            Ok(cert) => {
                builder.add_root_certificate(cert);
                trusted += 1;
            }
            Err(e) => log_warn!("TLS: a certificate in pub_key cannot be parsed: {}", e),
        }
    }
    if trusted == 0 {
        log_err!(
            "TLS to {}: pub_key holds no usable PEM certificate, nothing to verify the server against",
            host
        );
        return Err(NetError::Connect);
    }
    builder.build().map_err(|e| {
        log_err!("TLS: cannot set up the TLS library: {}", e);
        NetError::Connect
    })
}

/// Logs why a handshake failed and says whether the certificate was the reason.
fn handshake_failed(host: &str, port: u16, error: &native_tls::Error, eof: bool) -> NetError {
    let text = error.to_string();
    if text.contains("certificate verify failed") {
        let reason = verify_reason(&text).unwrap_or("certificate verify failed");
        log_err!(
            "TLS handshake with {}:{} failed: server certificate rejected: {}",
            host,
            port,
            reason
        );
        log_debug!("TLS error: {}", text);
        NetError::CertificateRejected
    } else if eof {
        log_err!(
            "TLS handshake with {}:{} failed: the server closed the connection ({})",
            host,
            port,
            text
        );
        NetError::Connect
    } else {
        log_err!("TLS handshake with {}:{} failed: {}", host, port, text);
        NetError::Connect
    }
}

impl Backend {
    pub fn connect(
        host: &CStr,
        port: u16,
        ca: &CStr,
        handshake_timeout_ms: u32,
    ) -> Result<Self, NetError> {
        let Ok(name) = host.to_str() else {
            log_err!("TLS: the host name is not UTF-8");
            return Err(NetError::Connect);
        };
        let connector = connector(name, ca)?;
        let deadline = hal::uptime_ms().saturating_add(u64::from(handshake_timeout_ms));
        let Some(conn) = TcpConnection::establish(host, port) else {
            log_err!("HAL_TCP_Establish({}:{}) failed", name, port);
            return Err(NetError::Connect);
        };
        let mut stream = HalStream::new(conn);
        stream.set_write_deadline(deadline);
        stream.set_read_timeout(hal::ms_until(deadline).min(HANDSHAKE_READ_SLICE_MS));
        let mut attempt = connector.connect(name, stream);
        loop {
            match attempt {
                Ok(stream) => {
                    log_debug!("TLS session with {}:{} established", name, port);
                    return Ok(Backend { stream });
                }
                Err(HandshakeError::WouldBlock(mut mid)) => {
                    let left = hal::ms_until(deadline);
                    if left == 0 {
                        log_err!(
                            "TLS handshake with {}:{} failed: no answer within {} ms",
                            name,
                            port,
                            handshake_timeout_ms
                        );
                        return Err(NetError::Connect);
                    }
                    mid.get_mut()
                        .set_read_timeout(left.min(HANDSHAKE_READ_SLICE_MS));
                    attempt = mid.handshake();
                }
                Err(HandshakeError::Failure(e)) => {
                    // The stream is gone with the error; EOF shows in the error text as well.
                    let eof = e.to_string().contains("unexpected eof");
                    return Err(handshake_failed(name, port, &e, eof));
                }
            }
        }
    }

    /// One read of at most `timeout_ms`.
    pub fn read(&mut self, buf: &mut [u8], timeout_ms: u32) -> ReadOutcome {
        if buf.is_empty() {
            return ReadOutcome::Timeout;
        }
        self.stream.get_mut().set_read_timeout(timeout_ms);
        match self.stream.read(buf) {
            Ok(0) => ReadOutcome::Closed,
            Ok(n) => ReadOutcome::Data(n.min(buf.len())),
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ) =>
            {
                ReadOutcome::Timeout
            }
            Err(_) if self.stream.get_ref().saw_eof() => ReadOutcome::Closed,
            Err(e) => {
                log_err!("TLS read failed: {}", e);
                ReadOutcome::Error(-2)
            }
        }
    }

    pub fn write_all(&mut self, mut buf: &[u8], timeout_ms: u32) -> Result<(), NetError> {
        let deadline = hal::uptime_ms().saturating_add(u64::from(timeout_ms));
        self.stream.get_mut().set_write_deadline(deadline);
        while !buf.is_empty() {
            match self.stream.write(buf) {
                Ok(0) => {
                    log_err!("TLS write failed: nothing was accepted");
                    return Err(NetError::Write);
                }
                Ok(n) => buf = buf.get(n..).unwrap_or(&[]),
                Err(e) => {
                    log_err!("TLS write failed: {}", e);
                    return Err(NetError::Write);
                }
            }
        }
        Ok(())
    }
}

impl Drop for Backend {
    fn drop(&mut self) {
        // Best effort close_notify; the TCP connection closes when the stream drops.
        let deadline = hal::uptime_ms().saturating_add(CLOSE_NOTIFY_MS);
        self.stream.get_mut().set_write_deadline(deadline);
        self.stream.get_mut().set_read_timeout(1);
        let _ = self.stream.shutdown();
    }
}
