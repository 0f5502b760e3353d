//! What can fail on the network, for the transport and both TLS backends. The reason was
//! logged where it happened; the C boundary turns the kind into its V2.10 code.

use core::fmt;

/// A network failure, by what failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NetError {
    /// The connection could not be opened: TCP connect, TLS set-up or handshake.
    Connect,
    /// The TLS handshake failed because the server certificate did not verify.
    CertificateRejected,
    /// A write failed or timed out; the connection is unusable.
    Write,
}

impl fmt::Display for NetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            NetError::Connect => "connection failed",
            NetError::CertificateRejected => "server certificate rejected",
            NetError::Write => "write failed",
        })
    }
}
