//! `std::io::Read`/`Write` over a `HAL_TCP_*` connection, for native-tls: the read timeout and
//! the write deadline are set by the caller before each TLS operation. A read timeout becomes
//! `WouldBlock` (the TLS library keeps its state and the operation is resumed later), the peer
//! closing becomes end of file and is remembered, so a session can tell "closed" from "failed".

use std::io;

use crate::hal::{self, ReadOutcome, TcpConnection};

pub struct HalStream {
    conn: TcpConnection,
    read_timeout_ms: u32,
    write_deadline: u64,
    eof: bool,
}

impl core::fmt::Debug for HalStream {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("HalStream")
            .field("conn", &self.conn)
            .field("eof", &self.eof)
            .finish_non_exhaustive()
    }
}

impl HalStream {
    pub fn new(conn: TcpConnection) -> Self {
        HalStream {
            conn,
            read_timeout_ms: 0,
            write_deadline: 0,
            eof: false,
        }
    }

    /// How long the next reads may wait (each one `HAL_TCP_Read` call).
    pub fn set_read_timeout(&mut self, ms: u32) {
        self.read_timeout_ms = ms;
    }

    /// `HAL_UptimeMs` value after which writes fail with `TimedOut`.
    pub fn set_write_deadline(&mut self, uptime_ms: u64) {
        self.write_deadline = uptime_ms;
    }

    /// Did a read see the peer close the connection?
    pub fn saw_eof(&self) -> bool {
        self.eof
    }
}

impl io::Read for HalStream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        // hal.rs raises a 0 timeout to 1 ms for every HAL read.
        match self.conn.read(buf, self.read_timeout_ms) {
            ReadOutcome::Data(n) => Ok(n),
            ReadOutcome::Timeout => Err(io::ErrorKind::WouldBlock.into()),
            ReadOutcome::Closed => {
                self.eof = true;
                Ok(0)
            }
            ReadOutcome::Error(code) => {
                Err(io::Error::other(format!("HAL_TCP_Read failed ({code})")))
            }
        }
    }
}

impl io::Write for HalStream {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        let left = self.write_deadline.saturating_sub(hal::uptime_ms());
        if left == 0 {
            return Err(io::Error::new(
                io::ErrorKind::TimedOut,
                "HAL_TCP_Write timed out",
            ));
        }
        match self
            .conn
            .write(buf, u32::try_from(left).unwrap_or(u32::MAX))
        {
            Ok(0) => Err(io::Error::new(
                io::ErrorKind::TimedOut,
                "HAL_TCP_Write timed out",
            )),
            Ok(n) => Ok(n),
            Err(code) => Err(io::Error::other(format!("HAL_TCP_Write failed ({code})"))),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        // HAL_TCP_Write has no buffer of its own to flush.
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};
    use std::net::TcpListener;
    use std::time::{Duration, Instant};

    fn pair() -> (HalStream, std::net::TcpStream) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let conn = TcpConnection::establish(c"127.0.0.1", port).unwrap();
        let (peer, _) = listener.accept().unwrap();
        (HalStream::new(conn), peer)
    }

    #[test]
    fn reads_writes_and_times_out() {
        let (mut s, mut peer) = pair();
        s.set_write_deadline(hal::uptime_ms() + 1000);
        s.write_all(b"hello").unwrap();
        let mut got = [0u8; 5];
        peer.read_exact(&mut got).unwrap();
        assert_eq!(&got, b"hello");

        peer.write_all(b"abc").unwrap();
        s.set_read_timeout(1000);
        let mut buf = [0u8; 3];
        assert_eq!(s.read(&mut buf).unwrap(), 3);
        assert_eq!(&buf, b"abc");

        // Nothing to read: WouldBlock after about the timeout, and not EOF.
        s.set_read_timeout(60);
        let t = Instant::now();
        let e = s.read(&mut buf).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::WouldBlock);
        assert!(
            t.elapsed() >= Duration::from_millis(50),
            "{:?}",
            t.elapsed()
        );
        assert!(!s.saw_eof());
        assert_eq!(s.read(&mut []).unwrap(), 0);

        // A write past its deadline fails with TimedOut, without touching the socket.
        s.set_write_deadline(hal::uptime_ms().saturating_sub(1));
        assert_eq!(s.write(b"x").unwrap_err().kind(), io::ErrorKind::TimedOut);
        assert!(s.flush().is_ok());

        // Peer closes: end of file, remembered.
        drop(peer);
        s.set_read_timeout(1000);
        assert_eq!(s.read(&mut buf).unwrap(), 0);
        assert!(s.saw_eof());
    }
}

#[cfg(test)]
#[path = "../tests/tls_io.rs"]
mod hal_stream_tests;
