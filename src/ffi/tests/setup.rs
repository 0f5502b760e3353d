//! IOT_SetupConnInfo / IOT_SetupDomain / IOT_SetCACert, and a client built from the connection
//! info: it reports the module id and re-authenticates before each reconnect.

use std::ffi::{c_char, c_void, CStr};
use std::io::Write;
use std::net::TcpListener;
use std::ptr::null_mut;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::{debug_log, read_packet, Events};
use crate::ffi::types::iotx_conn_info_t;
use crate::ffi::{
    IOT_MQTT_Construct, IOT_MQTT_Destroy, IOT_MQTT_Yield, IOT_SetupConnInfo, IOT_SetupDomain,
};
use crate::tests::hal_rig::{log_lines, redirect, set_ids};

/// The connection info and the region are process-wide: one test at a time touches them.
static SETUP: Mutex<()> = Mutex::new(());

fn setup(pk: &CStr, dn: &CStr, ds: &CStr) -> (i32, *mut c_void) {
    let mut info: *mut c_void = std::ptr::dangling_mut::<c_void>();
    // SAFETY: NUL-terminated strings and a writable pointer.
    let rc = unsafe { IOT_SetupConnInfo(pk.as_ptr(), dn.as_ptr(), ds.as_ptr(), &mut info) };
    (rc, info)
}

fn text(field: &[c_char]) -> String {
    // SAFETY: the fields are NUL-terminated arrays.
    unsafe { CStr::from_ptr(field.as_ptr()) }
        .to_string_lossy()
        .into_owned()
}

#[test]
fn setup_conn_info_fills_the_static_struct_and_checks_its_arguments() {
    let _one = SETUP.lock().unwrap_or_else(|p| p.into_inner());
    debug_log();
    // SAFETY: NULL info_ptr is allowed (refused).
    let rc =
        unsafe { IOT_SetupConnInfo(c"pk".as_ptr(), c"dn".as_ptr(), c"ds".as_ptr(), null_mut()) };
    assert_eq!(rc, -1);
    assert!(!log_lines("info_ptr = NULL").is_empty());
    let mut info: *mut c_void = null_mut();
    // SAFETY: NULL strings are allowed (refused).
    let rc =
        unsafe { IOT_SetupConnInfo(std::ptr::null(), c"dn".as_ptr(), c"ds".as_ptr(), &mut info) };
    assert_eq!(rc, -1);
    assert!(!log_lines("product_key = NULL").is_empty());
    // An empty device secret is refused; *info_ptr is left alone.
    let (rc, info) = setup(c"pk", c"dn", c"");
    assert_eq!(rc, -1);
    assert_eq!(
        info,
        std::ptr::dangling_mut::<c_void>(),
        "untouched on an invalid argument"
    );
    assert!(!log_lines("device_secret is empty").is_empty());
    // A product key longer than V2.10's 20 characters is cut to 20, as V2.10 does.
    let (rc, info) = setup(c"p23456789012345678901", c"dn", c"ds");
    assert_eq!(rc, 0);
    // SAFETY: IOT_SetupConnInfo succeeded: info points at the static struct.
    let host = text(unsafe { &(*(info as *const iotx_conn_info_t)).host_name });
    assert!(
        host.starts_with("p2345678901234567890.iot-as-mqtt"),
        "{host}"
    );

    IOT_SetupDomain(0);
    let (rc, info) = setup(c"a1pk", c"dev1", c"secret");
    assert_eq!(rc, 0);
    // SAFETY: IOT_SetupConnInfo succeeded: info points at the static struct.
    let i = unsafe { &*(info as *const iotx_conn_info_t) };
    assert_eq!(
        text(&i.host_name),
        "a1pk.iot-as-mqtt.cn-shanghai.aliyuncs.com"
    );
    assert_eq!(i.port, 1883);
    assert_eq!(text(&i.username), "dev1&a1pk");
    let password = text(&i.password);
    assert_eq!(password.len(), 40, "HMAC-SHA1 in hex");
    assert!(password.bytes().all(|b| b.is_ascii_hexdigit()));
    let client_id = text(&i.client_id);
    assert!(client_id.starts_with("a1pk.dev1|"), "{client_id}");
    assert!(client_id.contains("securemode=3"), "{client_id}");
    assert!(i.pub_key.is_null(), "no CA without TLS");
    assert!(!log_lines("connection info ready for a1pk.dev1").is_empty());

    // Another region; an unknown one is refused and the previous kept.
    IOT_SetupDomain(3);
    IOT_SetupDomain(77);
    assert!(!log_lines("IOT_SetupDomain(77): unknown domain, keeping 3").is_empty());
    let (rc, _) = setup(c"a1pk", c"dev1", c"secret");
    assert_eq!(rc, 0);
    assert_eq!(
        text(&i.host_name),
        "a1pk.iot-as-mqtt.us-west-1.aliyuncs.com"
    );
    IOT_SetupDomain(0);

    // The partner and module ids of the HAL go into the client id; non-printable ones do not.
    set_ids(b"pid7", b"mid9");
    setup(c"a1pk", c"dev1", c"secret");
    let with_ids = text(&i.client_id);
    assert!(
        with_ids.contains("pid7") && with_ids.contains("mid9"),
        "{with_ids}"
    );
    set_ids(b"bad\x01id", b"mid9");
    setup(c"a1pk", c"dev1", c"secret");
    assert!(
        !text(&i.client_id).contains("bad"),
        "{}",
        text(&i.client_id)
    );
    set_ids(b"", b"");
}

extern "C" {
    /// include/iotmqtt_ext.h, as C calls it.
    fn IOT_SetCACert(pem: *const c_char) -> i32;
}

#[test]
fn set_ca_cert_is_refused_without_tls() {
    debug_log();
    // SAFETY: NULL and NUL-terminated strings are allowed.
    unsafe {
        assert_eq!(IOT_SetCACert(std::ptr::null()), -2);
        assert_eq!(
            IOT_SetCACert(c"-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----".as_ptr()),
            -2
        );
    }
    assert!(!log_lines("IOT_SetCACert: this build has no TLS").is_empty());
}

/// A client made from IOT_SetupConnInfo's own strings: the module id goes out after CONNACK;
/// when the connection drops, the client re-authenticates and reconnects with fresh strings.
#[test]
fn a_client_of_the_conn_info_reports_its_module_id_and_reauthenticates() {
    let _one = SETUP.lock().unwrap_or_else(|p| p.into_inner());
    debug_log();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    redirect("rpk.iot-as-mqtt.cn-shanghai.aliyuncs.com", port);
    let server = std::thread::spawn(move || {
        let mut sessions = Vec::new();
        for close_after in [true, false] {
            let (mut s, _) = listener.accept().unwrap();
            s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
            let connect = read_packet(&mut s).unwrap();
            s.write_all(&[0x20, 2, 0, 0]).unwrap();
            let mut packets = vec![connect];
            if close_after {
                // The module-id report, then the connection drops.
                packets.push(read_packet(&mut s).unwrap());
                drop(s);
            } else {
                while let Some(p) = read_packet(&mut s) {
                    packets.push(p);
                }
            }
            sessions.push(packets);
        }
        sessions
    });

    IOT_SetupDomain(0);
    set_ids(b"pid1", b"mid2");
    let (rc, info) = setup(c"rpk", c"rdev", c"rsecret");
    assert_eq!(rc, 0);
    let i = info as *mut iotx_conn_info_t;
    let events = Events::default();
    let mut rb = [0 as c_char; 512];
    let mut wb = [0 as c_char; 512];
    // The test's usual parameters, but every string is the static struct's own field: that is
    // what makes the client re-authenticate.
    let mut p = super::params(c"unused", 0, &events, &mut rb, &mut wb);
    // SAFETY: `info` is the static struct IOT_SetupConnInfo just filled; it outlives the client.
    let conn = unsafe { &*i };
    p.port = conn.port;
    p.host = conn.host_name.as_ptr();
    p.client_id = conn.client_id.as_ptr();
    p.username = conn.username.as_ptr();
    p.password = conn.password.as_ptr();
    p.pub_key = conn.pub_key;
    // SAFETY: valid params; events and buffers outlive the client.
    let mut c = unsafe { IOT_MQTT_Construct(&mut p) };
    assert!(!c.is_null());
    let start = Instant::now();
    while !events.lock().unwrap().contains(&2) && start.elapsed() < Duration::from_secs(8) {
        assert_eq!(IOT_MQTT_Yield(c, 50), 0);
    }
    // SAFETY: a live handle variable.
    assert_eq!(unsafe { IOT_MQTT_Destroy(&mut c) }, 0);
    set_ids(b"", b"");
    let sessions = server.join().unwrap();
    assert_eq!(
        events.lock().unwrap().as_slice(),
        &[1, 2],
        "DISCONNECT, then RECONNECT"
    );
    let report = &sessions[0][1];
    assert_eq!(report[0], 0x30, "QoS0 PUBLISH");
    let body = String::from_utf8_lossy(report);
    assert!(body.contains("/sys/rpk/rdev/thing/status/update"), "{body}");
    assert!(
        body.contains("\"_sys_device_mid\":\"mid2\"")
            && body.contains("\"_sys_device_pid\":\"pid1\""),
        "{body}"
    );
    // The reconnect's CONNECT carries the same device's freshly signed strings.
    let again = String::from_utf8_lossy(&sessions[1][0]);
    assert!(
        again.contains("rdev&rpk") && again.contains("rpk.rdev|"),
        "{again}"
    );
}
