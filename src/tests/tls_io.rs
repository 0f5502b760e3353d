//! HalStream: std::io over HAL_TCP_* for native-tls.

use std::io::{ErrorKind, Read, Write};
use std::net::TcpListener;

use super::HalStream;
use crate::hal::{self, TcpConnection};
use crate::tests::hal_rig::fail_tcp_writes;

#[test]
fn hal_stream_maps_timeouts_eof_errors_and_deadlines() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let mut s = HalStream::new(TcpConnection::establish(c"127.0.0.1", port).unwrap());
    let (mut peer, _) = listener.accept().unwrap();
    assert!(format!("{s:?}").contains("eof: false"));
    let mut buf = [0u8; 4];
    assert_eq!(s.read(&mut []).unwrap(), 0);
    s.set_read_timeout(5);
    assert_eq!(s.read(&mut buf).unwrap_err().kind(), ErrorKind::WouldBlock);
    // No deadline set: writes time out at once.
    assert_eq!(s.write(b"x").unwrap_err().kind(), ErrorKind::TimedOut);
    assert_eq!(s.write(b"").unwrap(), 0);
    s.set_write_deadline(hal::uptime_ms() + 1000);
    assert_eq!(s.write(b"hey").unwrap(), 3);
    s.flush().unwrap();
    fail_tcp_writes(1);
    let e = s.write(b"hey").unwrap_err();
    assert!(e.to_string().contains("HAL_TCP_Write failed (-2)"), "{e}");
    let mut got = [0u8; 3];
    peer.read_exact(&mut got).unwrap();
    assert_eq!(&got, b"hey");
    peer.write_all(b"ok").unwrap();
    s.set_read_timeout(1000);
    assert_eq!(s.read(&mut buf[..2]).unwrap(), 2);
    assert!(!s.saw_eof());
    drop(peer);
    assert_eq!(s.read(&mut buf).unwrap(), 0);
    assert!(s.saw_eof(), "the peer closing is remembered");
}
