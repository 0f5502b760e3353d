//! Tests of the C boundary from Rust with the test HAL: every argument check of the exported
//! functions, the CONNACK codes, IOT_SetupConnInfo / IOT_SetupDomain and re-authentication,
//! failing HAL calls (HAL_MutexCreate, allocations) and the HAL wrappers; and the Rust HAL
//! they all run on ([`hal_rig`]).

// The driver with a Rust handler: typed errors and events.
mod client;
mod driver;
mod ffi;
// The HAL the unit tests run on: log capture, fault injection, allocation counters.
pub(crate) mod hal_rig;
// The driver against a scripted broker: stray, split, oversized and lying packets.
mod scripted_broker;
// HTTPS pre-authentication against a local TLS server (native-tls on both sides).
#[cfg(all(iotmqtt_tls_native, not(iotmqtt_direct)))]
mod guider;
mod hal;
// MQTT over native-tls against a local TLS broker.
#[cfg(iotmqtt_tls_native)]
mod tls_mqtt;
// Direct TCP: IOT_SetupConnInfo signs locally (guider mode would need the HTTPS service).
#[cfg(not(iotmqtt_tls))]
mod setup;

use std::ffi::{c_char, c_void, CStr};
use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::Mutex;
use std::thread;
use std::time::Duration;

use crate::ffi::types::{
    iotx_mqtt_event_handle_func_fpt, iotx_mqtt_event_handle_t, iotx_mqtt_event_msg_t,
    iotx_mqtt_param_t, iotx_mqtt_topic_info_t,
};

pub(crate) type Events = Mutex<Vec<i32>>;

pub(crate) unsafe extern "C" fn on_event(
    ctx: *mut c_void,
    _client: *mut c_void,
    msg: *mut iotx_mqtt_event_msg_t,
) {
    // SAFETY: the context is the test's `Events`, alive for the client's life; msg is valid.
    let (events, msg) = unsafe { (&*(ctx as *const Events), &*msg) };
    events.lock().unwrap().push(msg.event_type.0);
}

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

/// Construct parameters: user "u", password "p", keepalive 60 s, request timeout 2 s, the given
/// event handler (whose context, and the buffers, must outlive the client).
pub(crate) fn params_with(
    host: &CStr,
    port: u16,
    client_id: &CStr,
    on_event: iotx_mqtt_event_handle_func_fpt,
    context: *mut c_void,
    read_buf: &mut [c_char],
    write_buf: &mut [c_char],
) -> iotx_mqtt_param_t {
    iotx_mqtt_param_t {
        port,
        host: host.as_ptr(),
        client_id: client_id.as_ptr(),
        username: c"u".as_ptr(),
        password: c"p".as_ptr(),
        pub_key: std::ptr::null(),
        clean_session: 0,
        request_timeout_ms: 2000,
        keepalive_interval_ms: 60_000,
        pwrite_buf: write_buf.as_mut_ptr(),
        write_buf_size: write_buf.len() as u32,
        pread_buf: read_buf.as_mut_ptr(),
        read_buf_size: read_buf.len() as u32,
        handle_event: iotx_mqtt_event_handle_t {
            h_fp: on_event,
            pcontext: context,
        },
    }
}

/// [`params_with`] for client "tests", recording event types into `events`.
pub(crate) fn params(
    host: &CStr,
    port: u16,
    events: &Events,
    read_buf: &mut [c_char],
    write_buf: &mut [c_char],
) -> iotx_mqtt_param_t {
    let context = events as *const Events as *mut c_void;
    params_with(
        host,
        port,
        c"tests",
        Some(on_event),
        context,
        read_buf,
        write_buf,
    )
}

/// A message to publish with `payload`.
pub(crate) fn message(qos: u8, payload: &'static [u8]) -> iotx_mqtt_topic_info_t {
    iotx_mqtt_topic_info_t {
        packet_id: 0,
        qos,
        dup: 0,
        retain: 0,
        topic_len: 0,
        payload_len: payload.len() as u16,
        ptopic: std::ptr::null(),
        payload: payload.as_ptr().cast(),
    }
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
