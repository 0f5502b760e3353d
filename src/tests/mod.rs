//! The Rust test HAL every unit test runs on ([`hal_rig`]), the driver driven with a Rust
//! handler ([`client`]), and what the tests of the C boundary (`src/ffi/tests/`) share with
//! them: a scripted broker, a packet reader, the test certificates.

// The driver with a Rust handler: typed errors and events.
mod client;
// The HAL the unit tests run on: log capture, fault injection, allocation counters.
pub(crate) mod hal_rig;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::thread;
use std::time::Duration;

pub(crate) fn debug_log() {
    crate::log::open();
    crate::log::set_level(crate::log::DEBUG);
}

/// Reads one MQTT packet (over TCP or TLS); None when the stream ends or fails first.
pub(crate) fn read_packet(s: &mut impl Read) -> Option<Vec<u8>> {
    let mut head = [0u8; 1];
    s.read_exact(&mut head).ok()?;
    let mut packet = vec![head[0]];
    let (mut len, mut shift) = (0usize, 0);
    loop {
        let mut b = [0u8; 1];
        s.read_exact(&mut b).ok()?;
        packet.push(b[0]);
        len |= usize::from(b[0] & 0x7f) << shift;
        shift += 7;
        if b[0] & 0x80 == 0 {
            break;
        }
    }
    let mut body = vec![0u8; len];
    s.read_exact(&mut body).ok()?;
    packet.extend(body);
    Some(packet)
}

/// A broker that answers each of `sessions` connections' CONNECT with the given CONNACK code
/// and records every packet it receives (per connection) until the client closes.
pub(crate) fn broker(sessions: Vec<u8>) -> (u16, thread::JoinHandle<Vec<Vec<Vec<u8>>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let handle = thread::spawn(move || {
        let mut seen = Vec::new();
        for code in sessions {
            let (mut s, _) = listener.accept().unwrap();
            s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
            let mut packets = Vec::new();
            let connect = read_packet(&mut s).expect("CONNECT");
            assert_eq!(connect[0], 0x10);
            packets.push(connect);
            s.write_all(&[0x20, 2, 0, code]).unwrap();
            if code == 0 {
                while let Some(p) = read_packet(&mut s) {
                    // Answer SUBSCRIBE with a grant so the client sees a normal broker.
                    if p[0] == 0x82 {
                        let _ = s.write_all(&[0x90, 3, p[2], p[3], 0]);
                    }
                    packets.push(p);
                }
            }
            seen.push(packets);
        }
        seen
    });
    (port, handle)
}

/// A file of the test certificates `tests/tls/gen_certs.sh` makes, once per test run.
#[cfg(iotmqtt_tls_native)]
pub(crate) fn test_cert(name: &str) -> Vec<u8> {
    use std::path::PathBuf;
    use std::sync::OnceLock;
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    let dir = DIR.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("iotmqtt-tls-certs-{}", std::process::id()));
        let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/tls/gen_certs.sh");
        let ok = std::process::Command::new("bash")
            .arg(script)
            .arg(&dir)
            .status()
            .unwrap()
            .success();
        assert!(ok, "gen_certs.sh failed");
        dir
    });
    std::fs::read(dir.join(name)).unwrap()
}

/// A TLS server side with the test certificate `cert` (`<cert>.pem`, `<cert>.key`).
#[cfg(iotmqtt_tls_native)]
pub(crate) fn tls_acceptor(cert: &str) -> native_tls::TlsAcceptor {
    let identity = native_tls::Identity::from_pkcs8(
        &test_cert(&format!("{cert}.pem")),
        &test_cert(&format!("{cert}.key")),
    )
    .unwrap();
    native_tls::TlsAcceptor::new(identity).unwrap()
}
