//! The driver's refusals and events through the C entry points, against a scripted broker:
//! invalid topics (-41, with the reason), full tables (-42), QoS2 publish (-20), failing
//! writes (-14, QoS1 kept), NACK/timeout/success events, a missing CONNACK and a server
//! breaking the protocol.

use std::ffi::{c_char, c_void, CString};
use std::io::Write;
use std::net::TcpListener;
use std::ptr::null_mut;
use std::time::{Duration, Instant};

use super::{debug_log, params, read_packet, Events};
use crate::ffi::types::{iotx_mqtt_qos_t, iotx_mqtt_topic_info_t};
use crate::ffi::*;
use crate::tests::hal_rig::{fail_tcp_writes, log_lines};

unsafe extern "C" fn ignore(
    _: *mut c_void,
    _: *mut c_void,
    _: *mut crate::ffi::types::iotx_mqtt_event_msg_t,
) {
}

fn publish(c: *mut c_void, topic: &str, qos: u8) -> i32 {
    let topic = CString::new(topic).unwrap();
    let mut m = iotx_mqtt_topic_info_t {
        packet_id: 0,
        qos,
        dup: 0,
        retain: 0,
        topic_len: 0,
        payload_len: 1,
        ptopic: std::ptr::null(),
        payload: c"x".as_ptr(),
    };
    // SAFETY: a live handle, a NUL-terminated topic, a valid message.
    unsafe { IOT_MQTT_Publish(c, topic.as_ptr(), &mut m) }
}

fn subscribe(c: *mut c_void, filter: &str) -> i32 {
    let filter = CString::new(filter).unwrap();
    // SAFETY: a live handle and a NUL-terminated filter.
    unsafe {
        IOT_MQTT_Subscribe(
            c,
            filter.as_ptr(),
            iotx_mqtt_qos_t(1),
            Some(ignore),
            null_mut(),
        )
    }
}

fn unsubscribe(c: *mut c_void, filter: &str) -> i32 {
    let filter = CString::new(filter).unwrap();
    // SAFETY: a live handle and a NUL-terminated filter.
    unsafe { IOT_MQTT_Unsubscribe(c, filter.as_ptr()) }
}

fn yield_for(c: *mut c_void, ms: u64, done: impl Fn() -> bool) {
    let start = Instant::now();
    while !done() && start.elapsed() < Duration::from_millis(ms) {
        assert_eq!(IOT_MQTT_Yield(c, 20), 0);
    }
}

#[test]
fn refusals_get_their_v210_codes_and_say_why() {
    debug_log();
    let (port, server) = super::broker(vec![0]);
    let events = Events::default();
    let mut rb = [0 as c_char; 512];
    let mut wb = [0 as c_char; 512];
    let mut p = params(c"127.0.0.1", port, &events, &mut rb, &mut wb);
    // SAFETY: valid params; events and buffers outlive the client.
    let mut c = unsafe { IOT_MQTT_Construct(&mut p) };
    assert!(!c.is_null());

    assert_eq!(publish(c, "a/+", 0), -41);
    assert!(!log_lines(
        "IOT_MQTT_Publish(a/+) failed: invalid topic of 3 bytes: a topic name cannot hold + or #"
    )
    .is_empty());
    assert_eq!(subscribe(c, "a/#/b"), -41);
    assert!(!log_lines("+ and # must be whole levels").is_empty());
    assert_eq!(unsubscribe(c, "a\tb"), -41);
    assert!(!log_lines("it has a character outside printable ASCII").is_empty());
    let long = format!("/{}", "l".repeat(200));
    assert_eq!(publish(c, &long, 1), -41);
    assert!(!log_lines("invalid topic of 201 bytes: it is longer than 128 characters").is_empty());
    assert!(
        !log_lines(&format!("({}...)", &long[..40])).is_empty(),
        "a long topic is cut in the log"
    );
    assert_eq!(publish(c, "q/2", 2), -20);
    assert!(!log_lines("IOT_MQTT_Publish(q/2) failed: QoS2 publish is not supported").is_empty());

    // 20 QoS1 messages wait for their PUBACK (the broker sends none): the 21st gets -42.
    for i in 0..20 {
        assert!(publish(c, "q/1", 1) > 0, "publish {i}");
    }
    assert_eq!(publish(c, "q/1", 1), -42);
    assert!(!log_lines("too many pending requests").is_empty());
    // 30 subscriptions (pending ones included), then -42.
    for i in 0..30 {
        assert!(subscribe(c, &format!("s/{i}")) > 0, "subscribe {i}");
    }
    assert_eq!(subscribe(c, "s/30"), -42);

    // A failing write: QoS0 gets -14; a QoS1 message gets its id and stays queued.
    assert!(unsubscribe(c, "s/0") > 0);
    fail_tcp_writes(1);
    assert_eq!(publish(c, "w/0", 0), -14);
    assert!(!log_lines("publish write failed (").is_empty());
    assert_eq!(
        IOT_MQTT_CheckStateNormal(c),
        0,
        "the write failure ended the connection"
    );
    // SAFETY: a live handle variable.
    assert_eq!(unsafe { IOT_MQTT_Destroy(&mut c) }, 0);
    let sessions = server.join().unwrap();
    let publishes = sessions[0].iter().filter(|p| p[0] & 0xf0 == 0x30).count();
    assert_eq!(publishes, 20, "refused publishes sent nothing");
}

#[test]
fn subscribe_and_unsubscribe_whose_write_fails_are_withdrawn_with_minus_14() {
    debug_log();
    let (port, server) = super::broker(vec![0]);
    let events = Events::default();
    let mut rb = [0 as c_char; 256];
    let mut wb = [0 as c_char; 256];
    let mut p = params(c"127.0.0.1", port, &events, &mut rb, &mut wb);
    // SAFETY: valid params; events and buffers outlive the client.
    let mut c = unsafe { IOT_MQTT_Construct(&mut p) };
    assert!(!c.is_null());
    fail_tcp_writes(1);
    assert_eq!(subscribe(c, "f/1"), -14);
    assert!(!log_lines("network write failed: connection lost").is_empty());
    assert_eq!(IOT_MQTT_CheckStateNormal(c), 0);
    // Not connected now: -27.
    assert_eq!(unsubscribe(c, "f/1"), -27);
    assert!(!log_lines("IOT_MQTT_Unsubscribe(f/1) failed: not connected (-27)").is_empty());
    // SAFETY: a live handle variable.
    assert_eq!(unsafe { IOT_MQTT_Destroy(&mut c) }, 0);
    let sessions = server.join().unwrap();
    assert!(
        !sessions[0].iter().any(|p| p[0] == 0x82),
        "no SUBSCRIBE reached the broker"
    );
}

#[test]
fn acks_nacks_and_timeouts_raise_their_events() {
    debug_log();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = std::thread::spawn(move || {
        let (mut s, _) = listener.accept().unwrap();
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        assert_eq!(read_packet(&mut s).unwrap()[0], 0x10);
        s.write_all(&[0x20, 2, 0, 0]).unwrap();
        let mut ids = Vec::new();
        // SUBSCRIBE nacked, SUBSCRIBE never answered, UNSUBSCRIBE acked, UNSUBSCRIBE never
        // answered, QoS1 PUBLISH acked.
        for answer in [Some(0x90u8), None, Some(0xb0), None, Some(0x40)] {
            let p = read_packet(&mut s).unwrap();
            ids.push(u16::from_be_bytes([p[2], p[3]]));
            match answer {
                Some(0x90) => s.write_all(&[0x90, 3, p[2], p[3], 0x80]).unwrap(),
                Some(0x40) => {
                    let at = 4 + usize::from(u16::from_be_bytes([p[2], p[3]]));
                    s.write_all(&[0x40, 2, p[at], p[at + 1]]).unwrap()
                }
                Some(kind) => s.write_all(&[kind, 2, p[2], p[3]]).unwrap(),
                None => {}
            }
        }
        // After the timeouts (2 x 500 ms), a packet no server may send: the client drops the
        // connection.
        std::thread::sleep(Duration::from_millis(1500));
        s.write_all(&[0xc0, 0]).unwrap();
        while read_packet(&mut s).is_some() {}
        // And refuses to answer the reconnect's CONNECT.
        let (mut s, _) = listener.accept().unwrap();
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        let _ = read_packet(&mut s);
        std::thread::sleep(Duration::from_millis(1500));
        ids
    });
    let events = Events::default();
    let mut rb = [0 as c_char; 256];
    let mut wb = [0 as c_char; 256];
    let mut p = params(c"127.0.0.1", port, &events, &mut rb, &mut wb);
    p.request_timeout_ms = 500;
    // SAFETY: valid params; events and buffers outlive the client.
    let mut c = unsafe { IOT_MQTT_Construct(&mut p) };
    assert!(!c.is_null());
    let nack = subscribe(c, "n/1");
    yield_for(c, 500, || events.lock().unwrap().contains(&5));
    let silent = subscribe(c, "n/2");
    let unsub = unsubscribe(c, "n/1");
    let unsub_silent = unsubscribe(c, "n/3");
    let q1 = publish(c, "p/1", 1);
    assert!(nack > 0 && silent > 0 && unsub > 0 && unsub_silent > 0 && q1 > 0);
    yield_for(c, 4000, || events.lock().unwrap().contains(&1));
    let kinds = events.lock().unwrap().clone();
    for (kind, name) in [
        (5, "SUBCRIBE_NACK"),
        (4, "SUBCRIBE_TIMEOUT"),
        (6, "UNSUBCRIBE_SUCCESS"),
        (7, "UNSUBCRIBE_TIMEOUT"),
        (9, "PUBLISH_SUCCESS"),
        (1, "DISCONNECT"),
    ] {
        assert_eq!(
            kinds.iter().filter(|k| **k == kind).count(),
            1,
            "{name}: {kinds:?}"
        );
    }
    assert!(!log_lines("protocol violation by the server").is_empty());
    // The reconnect gets no CONNACK: logged, no RECONNECT.
    yield_for(c, 2500, || {
        !log_lines("no CONNACK within the request timeout").is_empty()
    });
    assert!(!log_lines("no CONNACK within the request timeout").is_empty());
    assert!(!events.lock().unwrap().contains(&2));
    // SAFETY: a live handle variable.
    assert_eq!(unsafe { IOT_MQTT_Destroy(&mut c) }, 0);
    let ids = server.join().unwrap();
    assert_eq!(ids[0] as i32, nack);
    assert_eq!(ids[1] as i32, silent);
}
