//! MQTT over native-tls against a local TLS broker (certificates made at test time by
//! tests/tls/gen_certs.sh): a verified session carries CONNECT, SUBSCRIBE, PUBLISH both ways
//! and DISCONNECT; an untrusted, expired or misnamed server certificate fails Construct
//! with the reason in the log.

use std::ffi::{c_char, c_void, CString};
use std::io::Write;
use std::net::TcpListener;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::{debug_log, params, read_packet, test_cert, tls_acceptor, Events};
use crate::ffi::types::{iotx_mqtt_event_msg_t, iotx_mqtt_qos_t, iotx_mqtt_topic_info_t};
use crate::ffi::*;
use crate::tests::hal_rig::log_lines;

/// A TLS broker for one client; returns the packets it received.
fn tls_broker(cert: &str) -> (u16, std::thread::JoinHandle<Vec<Vec<u8>>>) {
    let acceptor = tls_acceptor(cert);
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let handle = std::thread::spawn(move || {
        let (tcp, _) = listener.accept().unwrap();
        tcp.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        let Ok(mut s) = acceptor.accept(tcp) else {
            return Vec::new();
        };
        let mut seen = Vec::new();
        while let Some(p) = read_packet(&mut s) {
            match p[0] {
                0x10 => s.write_all(&[0x20, 2, 0, 0]).unwrap(),
                0x82 => {
                    s.write_all(&[0x90, 3, p[2], p[3], 1]).unwrap();
                    // A message for the subscription.
                    s.write_all(&[0x30, 8, 0, 3, b't', b'/', b'1', b'h', b'e', b'y'])
                        .unwrap();
                }
                0x32 => {
                    let at = 4 + usize::from(u16::from_be_bytes([p[2], p[3]]));
                    s.write_all(&[0x40, 2, p[at], p[at + 1]]).unwrap();
                }
                _ => {}
            }
            let last = p[0] == 0xe0;
            seen.push(p);
            if last {
                break;
            }
        }
        seen
    });
    (port, handle)
}

static RECEIVED: Mutex<Vec<Vec<u8>>> = Mutex::new(Vec::new());

unsafe extern "C" fn on_message(_: *mut c_void, _: *mut c_void, msg: *mut iotx_mqtt_event_msg_t) {
    // SAFETY: a PUBLISH_RECVEIVED event carries a valid topic info.
    let payload = unsafe {
        let info = &*((*msg).msg as *const iotx_mqtt_topic_info_t);
        std::slice::from_raw_parts(info.payload.cast::<u8>(), usize::from(info.payload_len))
            .to_vec()
    };
    RECEIVED.lock().unwrap().push(payload);
}

fn construct(
    port: u16,
    ca: &CString,
    events: &Events,
    rb: &mut [c_char],
    wb: &mut [c_char],
) -> *mut c_void {
    let mut p = params(c"localhost", port, events, rb, wb);
    p.pub_key = ca.as_ptr();
    // SAFETY: valid params; events, buffers and the CA outlive the client.
    unsafe { IOT_MQTT_Construct(&mut p) }
}

#[test]
fn mqtt_over_verified_tls_both_ways() {
    debug_log();
    let ca = CString::new(test_cert("ca.pem")).unwrap();
    let (port, broker) = tls_broker("server");
    let events = Events::default();
    let mut rb = [0 as c_char; 512];
    let mut wb = [0 as c_char; 512];
    let mut c = construct(port, &ca, &events, &mut rb, &mut wb);
    assert!(!c.is_null(), "{:?}", log_lines("TLS"));
    // SAFETY: a live handle, literals, a valid message.
    unsafe {
        assert!(
            IOT_MQTT_Subscribe(
                c,
                c"t/1".as_ptr(),
                iotx_mqtt_qos_t(1),
                Some(on_message),
                std::ptr::null_mut()
            ) > 0
        );
        let mut m = iotx_mqtt_topic_info_t {
            packet_id: 0,
            qos: 1,
            dup: 0,
            retain: 0,
            topic_len: 0,
            payload_len: 4,
            ptopic: std::ptr::null(),
            payload: c"ping".as_ptr(),
        };
        assert!(IOT_MQTT_Publish(c, c"up/1".as_ptr(), &mut m) > 0);
    }
    let start = Instant::now();
    while (RECEIVED.lock().unwrap().is_empty() || !events.lock().unwrap().contains(&9))
        && start.elapsed() < Duration::from_secs(5)
    {
        assert_eq!(IOT_MQTT_Yield(c, 20), 0);
    }
    assert_eq!(*RECEIVED.lock().unwrap(), [b"hey".to_vec()]);
    assert!(
        events.lock().unwrap().contains(&9),
        "PUBLISH_SUCCESS over TLS"
    );
    // SAFETY: a live handle variable.
    assert_eq!(unsafe { IOT_MQTT_Destroy(&mut c) }, 0);
    let seen = broker.join().unwrap();
    let kinds: Vec<u8> = seen.iter().map(|p| p[0]).collect();
    assert_eq!(
        kinds,
        [0x10, 0x82, 0x32, 0xe0],
        "CONNECT, SUBSCRIBE, PUBLISH, DISCONNECT"
    );
}

#[test]
fn untrusted_expired_and_misnamed_servers_fail_construct() {
    debug_log();
    for (cert, ca, reason) in [
        ("server", "other-ca.pem", "server certificate rejected"),
        ("expired", "ca.pem", "expired"),
        ("wrongname", "ca.pem", "localhost"),
    ] {
        let ca = CString::new(test_cert(ca)).unwrap();
        let (port, broker) = tls_broker(cert);
        let events = Events::default();
        let mut rb = [0 as c_char; 256];
        let mut wb = [0 as c_char; 256];
        assert!(
            construct(port, &ca, &events, &mut rb, &mut wb).is_null(),
            "{cert}"
        );
        assert!(
            broker.join().unwrap().is_empty(),
            "{cert}: no MQTT packet got through"
        );
        let lines = log_lines(&format!("TLS handshake with localhost:{port} failed"));
        assert_eq!(lines.len(), 1, "{cert}");
        assert!(lines[0].contains(reason), "{cert}: {}", lines[0]);
    }

    // A pub_key whose only block is no certificate: nothing to verify against, no connection.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let port = listener.local_addr().unwrap().port();
    let junk =
        CString::new("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n").unwrap();
    let events = Events::default();
    let mut rb = [0 as c_char; 256];
    let mut wb = [0 as c_char; 256];
    assert!(construct(port, &junk, &events, &mut rb, &mut wb).is_null());
    assert!(!log_lines("TLS to localhost: pub_key holds no usable PEM certificate").is_empty());
    assert!(listener.accept().is_err(), "refused before connecting");
}
