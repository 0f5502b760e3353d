//! Every argument check of the exported functions, through the C entry points.

use std::ffi::{c_char, c_void};
use std::ptr::null_mut;

use super::{broker, debug_log, message, params, Events};
use crate::ffi::types::{iotx_mqtt_qos_t, IOT_LogLevel};
use crate::ffi::*;
use crate::tests::hal_rig::{fail_mutex_creates, log_lines};

unsafe extern "C" fn ignore(
    _: *mut c_void,
    _: *mut c_void,
    _: *mut crate::ffi::types::iotx_mqtt_event_msg_t,
) {
}

#[test]
fn construct_refuses_bad_parameters_with_null_and_a_log_line() {
    debug_log();
    // SAFETY: NULL is allowed by the contract.
    assert!(unsafe { IOT_MQTT_Construct(null_mut()) }.is_null());
    assert!(!log_lines("pInitParams = NULL").is_empty());

    let events = Events::default();
    let mut rb = [0 as c_char; 64];
    let mut wb = [0 as c_char; 64];
    let base = params(c"127.0.0.1", 1, &events, &mut rb, &mut wb);
    type Change = Box<dyn Fn(&mut crate::ffi::types::iotx_mqtt_param_t)>;
    let cases: Vec<(Change, &str)> = vec![
        (
            Box::new(|p| p.pread_buf = null_mut()),
            "pwrite_buf or pread_buf = NULL",
        ),
        (
            Box::new(|p| p.pwrite_buf = null_mut()),
            "pwrite_buf or pread_buf = NULL",
        ),
        (Box::new(|p| p.read_buf_size = 15), "must be at least 16"),
        (Box::new(|p| p.write_buf_size = 3), "must be at least 16"),
        (Box::new(|p| p.host = std::ptr::null()), "host = NULL"),
        (
            Box::new(|p| p.client_id = c"".as_ptr()),
            "client_id is empty",
        ),
        (
            Box::new(|p| p.username = c"\xff\xfe".as_ptr()),
            "username is not valid UTF-8",
        ),
        (
            Box::new(|p| p.password = std::ptr::null()),
            "password = NULL",
        ),
    ];
    for (change, line) in cases {
        let mut p = base;
        change(&mut p);
        // SAFETY: a valid struct (NULLs where the test puts them), strings are literals.
        assert!(unsafe { IOT_MQTT_Construct(&mut p) }.is_null(), "{line}");
        assert!(!log_lines(line).is_empty(), "{line}");
    }
}

#[test]
fn a_refused_connack_fails_construct_with_its_v210_code() {
    debug_log();
    // CONNACK return code -> the V2.10 code Construct logs (docs/v210-reference.md §5.2).
    let codes = [(1u8, -38), (2, -37), (3, -36), (4, -35), (5, -34), (9, -39)];
    let (port, server) = broker(codes.iter().map(|c| c.0).collect());
    let events = Events::default();
    let mut rb = [0 as c_char; 256];
    let mut wb = [0 as c_char; 256];
    for (_, expected) in codes {
        let mut p = params(c"127.0.0.1", port, &events, &mut rb, &mut wb);
        // SAFETY: valid params; events and buffers outlive the call.
        assert!(unsafe { IOT_MQTT_Construct(&mut p) }.is_null());
        assert!(
            !log_lines(&format!("mqtt connect failed: {expected}")).is_empty(),
            "{expected}"
        );
    }
    assert_eq!(server.join().unwrap().len(), 6);
    assert!(
        events.lock().unwrap().is_empty(),
        "no event from a failed Construct"
    );
}

#[test]
fn construct_without_a_broker_or_a_mutex_returns_null() {
    debug_log();
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let events = Events::default();
    let mut rb = [0 as c_char; 64];
    let mut wb = [0 as c_char; 64];
    let mut p = params(c"127.0.0.1", port, &events, &mut rb, &mut wb);
    // SAFETY: valid params.
    assert!(unsafe { IOT_MQTT_Construct(&mut p) }.is_null());
    assert!(!log_lines(&format!("connecting to 127.0.0.1:{port} failed")).is_empty());
    // HAL_MutexCreate failing: NULL, and nothing is connected.
    fail_mutex_creates(2);
    // SAFETY: valid params.
    assert!(unsafe { IOT_MQTT_Construct(&mut p) }.is_null());
    fail_mutex_creates(0);
    assert!(!log_lines("HAL_MutexCreate failed").is_empty());
}

#[test]
fn stale_and_null_handles_get_minus_2_everywhere() {
    debug_log();
    let stale = 0x5eed_usize as *mut c_void;
    let mut h = stale;
    // SAFETY: NULL and a handle variable are allowed by the contracts.
    unsafe {
        assert_eq!(IOT_MQTT_Destroy(null_mut()), -2);
        assert_eq!(IOT_MQTT_Destroy(&mut h), -2);
    }
    assert_eq!(h, stale, "a refused Destroy leaves the variable");
    assert_eq!(IOT_MQTT_Yield(stale, 10), -2);
    assert_eq!(IOT_MQTT_CheckStateNormal(null_mut()), -2);
    assert_eq!(IOT_MQTT_Disable_Reconnect(stale), -2);
    let mut msg = message(0, b"x");
    // SAFETY: valid strings and struct; the handle is checked first.
    unsafe {
        assert_eq!(
            IOT_MQTT_Subscribe(
                stale,
                c"a".as_ptr(),
                iotx_mqtt_qos_t(0),
                Some(ignore),
                null_mut()
            ),
            -2
        );
        assert_eq!(IOT_MQTT_Unsubscribe(stale, c"a".as_ptr()), -2);
        assert_eq!(IOT_MQTT_Publish(stale, c"a".as_ptr(), &mut msg), -2);
    }
    // Handles are numbers (never addresses): the log names them in decimal.
    assert!(!log_lines("handle = 24301 is not a live client").is_empty());
}

#[test]
fn a_live_client_checks_every_argument() {
    debug_log();
    let (port, server) = broker(vec![0]);
    let events = Events::default();
    let mut rb = [0 as c_char; 256];
    let mut wb = [0 as c_char; 256];
    let mut p = params(c"127.0.0.1", port, &events, &mut rb, &mut wb);
    p.clean_session = 3; // only the lowest bit counts (V2.10's one-bit field)
    p.keepalive_interval_ms = 1_000; // clamped to 60 s, with a warning
    p.request_timeout_ms = 50; // replaced by 2000
                               // SAFETY: valid params; events and buffers outlive the client.
    let mut c = unsafe { IOT_MQTT_Construct(&mut p) };
    assert!(!c.is_null());
    assert!(!log_lines("clean_session = 3 is not 0 or 1").is_empty());
    assert!(
        !log_lines("keepalive_interval_ms 1000 is outside 60000..300000, using 60000").is_empty()
    );
    assert!(!log_lines("request_timeout_ms 50 is outside 500..5000, using 2000").is_empty());
    assert_eq!(IOT_MQTT_Yield(c, -1), -1);
    assert_eq!(IOT_MQTT_Yield(c, 0), 0);

    // SAFETY: a live handle; strings are literals or NULL; the message structs are valid.
    unsafe {
        let sub = |filter: *const c_char, qos: i32, f| {
            IOT_MQTT_Subscribe(c, filter, iotx_mqtt_qos_t(qos), f, null_mut())
        };
        assert_eq!(sub(std::ptr::null(), 0, Some(ignore)), -2);
        assert_eq!(sub(c"".as_ptr(), 0, Some(ignore)), -2);
        assert_eq!(sub(c"a/\xff".as_ptr(), 0, Some(ignore)), -41);
        assert_eq!(sub(c"a/b".as_ptr(), 0, None), -2);
        assert!(
            sub(c"a/b".as_ptr(), 7, Some(ignore)) > 0,
            "QoS 7 is subscribed as 0"
        );
        assert!(!log_lines("Invalid qos(7) of subscription, using QoS0").is_empty());
        assert_eq!(IOT_MQTT_Unsubscribe(c, std::ptr::null()), -2);
        assert!(IOT_MQTT_Unsubscribe(c, c"a/b".as_ptr()) > 0);

        let mut m = message(0, b"hi");
        assert_eq!(IOT_MQTT_Publish(c, c"t".as_ptr(), null_mut()), -2);
        assert_eq!(IOT_MQTT_Publish(c, std::ptr::null(), &mut m), -2);
        m.payload = std::ptr::null();
        assert_eq!(IOT_MQTT_Publish(c, c"t".as_ptr(), &mut m), -2);
        assert!(!log_lines("payload = NULL with payload_len 2").is_empty());
        m.payload_len = 0; // NULL with length 0 is an empty payload
        assert_eq!(IOT_MQTT_Publish(c, c"t/empty".as_ptr(), &mut m), 0);
        let mut m = message(3, b"hi");
        assert_eq!(IOT_MQTT_Publish(c, c"t".as_ptr(), &mut m), -20);
        let mut m = message(1, b"hi");
        m.retain = 2; // sent as 0, with a warning
        let id = IOT_MQTT_Publish(c, c"t/q1".as_ptr(), &mut m);
        assert!(id > 0);
        assert_eq!(i32::from(m.packet_id), id, "the id is written back");
        assert!(!log_lines("retain = 2 is not 0 or 1").is_empty());
    }
    assert_eq!(IOT_MQTT_Yield(c, 50), 0);
    assert_eq!(IOT_MQTT_CheckStateNormal(c), 1);
    // SAFETY: a live handle variable.
    assert_eq!(unsafe { IOT_MQTT_Destroy(&mut c) }, 0);
    assert!(c.is_null());

    let packets = server.join().unwrap().remove(0);
    // CONNECT flags: clean session bit from 3 & 1, with user name and password; keepalive 60.
    let connect = &packets[0];
    assert_eq!(connect[9], 0xc2, "{connect:?}");
    assert_eq!(&connect[10..12], &[0, 60]);
    let subscribe = packets.iter().find(|p| p[0] == 0x82).unwrap();
    assert_eq!(*subscribe.last().unwrap(), 0, "requested QoS 0");
    let q1 = packets
        .iter()
        .find(|p| p[0] & 0xf0 == 0x30 && p[0] & 0x06 == 2)
        .unwrap();
    assert_eq!(q1[0], 0x32, "QoS1 without DUP and with retain 0");
    assert!(packets.iter().any(|p| p[0] == 0xa2), "UNSUBSCRIBE");
    assert!(packets
        .iter()
        .any(|p| p == &[0x30, 9, 0, 7, b't', b'/', b'e', b'm', b'p', b't', b'y']));
    assert_eq!(packets.last().unwrap(), &[0xe0, 0], "DISCONNECT last");
}

#[test]
fn log_level_and_memory_stats_entry_points() {
    debug_log();
    IOT_SetLogLevel(IOT_LogLevel(9));
    assert!(!log_lines("Invalid log level 9, must be 0..5").is_empty());
    IOT_SetLogLevel(IOT_LogLevel(5));
    // An invalid level is reported and the summary printed at DEBUG.
    IOT_DumpMemoryStats(IOT_LogLevel(42));
    assert!(!log_lines("Invalid log level 42, using IOT_LOG_DEBUG").is_empty());
    assert!(!log_lines(". bytes_total_allocated:").is_empty());
    assert_eq!(
        crate::ffi::codes::code(crate::driver::ClientError::connect_refused(0).into()),
        -39
    );
}

#[test]
fn every_typed_error_gets_its_v210_code() {
    use crate::ca::CaError;
    use crate::driver::ClientError as E;
    use crate::ffi::codes::code;
    use crate::net_error::NetError;
    use crate::setup::SetupError;
    // The V2.10 values, as literals (docs/v210-reference.md §2.9).
    let table = [
        (E::NoResources, -1),
        (E::Reauthentication, -1),
        (E::NotConnected, -27),
        (E::YieldRunning, -27),
        (E::InvalidTopic, -41),
        (E::ConnectTooLarge, -30),
        (E::PublishTooLarge, -21),
        (E::SubscribeTooLarge, -26),
        (E::UnsubscribeTooLarge, -22),
        (E::PendingFull, -42),
        (E::PendingNoMemory, -42),
        (E::QosNotSupported, -20),
        (E::NetworkConnect, -28),
        (E::CertificateRejected, -309),
        (E::NetworkWrite, -14),
        (E::RefusedProtocolVersion, -38),
        (E::RefusedIdentifier, -37),
        (E::RefusedServerUnavailable, -36),
        (E::RefusedCredentials, -35),
        (E::RefusedNotAuthorized, -34),
        (E::RefusedOther, -39),
        (E::ConnectTimeout, -33),
    ];
    for (error, expected) in table {
        assert_eq!(code(error.into()), expected, "{error:?}");
    }
    for (return_code, expected) in [(1, -38), (2, -37), (3, -36), (4, -35), (5, -34), (6, -39)] {
        assert_eq!(code(E::connect_refused(return_code).into()), expected);
    }
    for (error, expected, text) in [
        (NetError::Connect, -28, "connection failed"),
        (
            NetError::CertificateRejected,
            -309,
            "server certificate rejected",
        ),
        (NetError::Write, -14, "write failed"),
    ] {
        assert_eq!(code(error.into()), expected, "{error:?}");
        assert_eq!(error.to_string(), text);
    }
    for error in [
        SetupError::Lock,
        SetupError::ConnInfo,
        SetupError::OutOfMemory,
    ] {
        assert_eq!(code(error.into()), -1, "{error:?}");
    }
    for (error, expected) in [
        (CaError::NoTls, -2),
        (CaError::TooLong, -2),
        (CaError::NotPem, -2),
        (CaError::NoLock, -1),
    ] {
        assert_eq!(code(error.into()), expected, "{error:?}");
    }
}
