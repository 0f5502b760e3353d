//! The driver against a scripted broker (a fake, because a real broker will not send stray,
//! oversized, split or malformed packets on demand), through the C entry points and the Rust
//! test HAL: stray acks change nothing, a PUBLISH split into one-byte pieces across many short
//! Yields is delivered once, an oversized QoS1 PUBLISH is acknowledged and reported, and a
//! packet whose length lies drops the connection cleanly, after which the client reconnects.

use std::ffi::{c_char, c_void};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Mutex;
use std::thread;
use std::time::{Duration, Instant};

use super::message;
use crate::ffi::types::{
    iotx_mqtt_event_msg_t, iotx_mqtt_param_t, iotx_mqtt_qos_t, iotx_mqtt_topic_info_t,
};
use crate::ffi::{
    IOT_MQTT_CheckStateNormal, IOT_MQTT_Construct, IOT_MQTT_Destroy, IOT_MQTT_Disable_Reconnect,
    IOT_MQTT_Publish, IOT_MQTT_Subscribe, IOT_MQTT_Yield,
};

type Events = Mutex<Vec<(i32, usize)>>;
type Messages = Mutex<Vec<(String, Vec<u8>)>>;

/// Records (event type, msg) into the `Events` the context points at.
unsafe extern "C" fn on_event(
    ctx: *mut c_void,
    _client: *mut c_void,
    msg: *mut iotx_mqtt_event_msg_t,
) {
    // SAFETY: the library passes a valid event for the duration of the call, and the context
    // is the test's `Events`, which outlives the client.
    let (msg, events) = unsafe { (&*msg, &*(ctx as *const Events)) };
    events
        .lock()
        .unwrap()
        .push((msg.event_type.0, msg.msg as usize));
}

unsafe extern "C" fn on_message(
    ctx: *mut c_void,
    _client: *mut c_void,
    msg: *mut iotx_mqtt_event_msg_t,
) {
    // SAFETY: a PUBLISH_RECVEIVED event carries a topic info whose pointers cover their lengths.
    let (topic, payload) = unsafe {
        let info = &*((*msg).msg as *const iotx_mqtt_topic_info_t);
        (
            std::slice::from_raw_parts(info.ptopic.cast::<u8>(), usize::from(info.topic_len))
                .to_vec(),
            std::slice::from_raw_parts(info.payload.cast::<u8>(), usize::from(info.payload_len))
                .to_vec(),
        )
    };
    // SAFETY: the subscription's context is the test's `Messages`, which outlives the client.
    let messages = unsafe { &*(ctx as *const Messages) };
    messages
        .lock()
        .unwrap()
        .push((String::from_utf8(topic).unwrap(), payload));
}

/// Reads one whole MQTT packet (fixed header included); the broker's scripts expect one.
fn read_packet(s: &mut TcpStream) -> Vec<u8> {
    super::read_packet(s).expect("a whole packet")
}

fn publish_frame(qos: u8, pkid: u16, topic: &str, payload: &[u8]) -> Vec<u8> {
    let mut body = Vec::new();
    body.extend((topic.len() as u16).to_be_bytes());
    body.extend(topic.as_bytes());
    if qos > 0 {
        body.extend(pkid.to_be_bytes());
    }
    body.extend(payload);
    let mut frame = vec![0x30 | (qos << 1)];
    let mut len = body.len();
    loop {
        let mut b = (len % 128) as u8;
        len /= 128;
        if len > 0 {
            b |= 0x80;
        }
        frame.push(b);
        if len == 0 {
            break;
        }
    }
    frame.extend(body);
    frame
}

/// Starts a scripted broker on a free loopback port: `script` runs in its own thread.
fn scripted_broker(
    script: impl FnOnce(TcpListener) + Send + 'static,
) -> (u16, thread::JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    (port, thread::spawn(move || script(listener)))
}

/// Accepts the client, checks that it sends CONNECT first, and answers with `connack`.
fn accept_client(listener: &TcpListener, connack: &[u8]) -> TcpStream {
    let (mut s, _) = listener.accept().unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    assert_eq!(read_packet(&mut s)[0], 0x10, "CONNECT first");
    s.write_all(connack).unwrap();
    s
}

/// Keeps the connection until the client closes it.
fn until_closed(mut s: TcpStream) {
    let mut rest = Vec::new();
    let _ = s.read_to_end(&mut rest);
}

/// Calls `IOT_MQTT_Yield(client, step_ms)` until `done` or `limit` passed.
fn yield_until(client: *mut c_void, step_ms: i32, limit: Duration, done: impl Fn() -> bool) {
    let start = Instant::now();
    while !done() && start.elapsed() < limit {
        assert_eq!(IOT_MQTT_Yield(client, step_ms), 0);
    }
}

fn broker_script(listener: TcpListener) {
    let mut s = accept_client(&listener, &[0x20, 2, 0, 0]);
    let subscribe = read_packet(&mut s);
    assert_eq!(subscribe[0], 0x82);
    let (hi, lo) = (subscribe[2], subscribe[3]);
    // Stray acks for ids the client never used, then the real SUBACK.
    s.write_all(&[
        0x40, 2, 0x03, 0xe7, 0x90, 3, 0x03, 0xe7, 0x80, 0xb0, 2, 0x03, 0xe7,
    ])
    .unwrap();
    s.write_all(&[0x90, 3, hi, lo, 1]).unwrap();
    // A QoS1 PUBLISH in one-byte pieces, slower than the client's 10 ms Yields.
    for b in publish_frame(1, 7, "a/b", b"hello") {
        s.write_all(&[b]).unwrap();
        thread::sleep(Duration::from_millis(15));
    }
    assert_eq!(
        read_packet(&mut s),
        [0x40, 2, 0, 7],
        "PUBACK for the split PUBLISH"
    );
    // Larger than the client's 128-byte read buffer: acknowledged and dropped.
    s.write_all(&publish_frame(1, 8, "a/b", &[b'x'; 300]))
        .unwrap();
    assert_eq!(
        read_packet(&mut s),
        [0x40, 2, 0, 8],
        "PUBACK for the oversized PUBLISH"
    );
    // A PUBACK whose remaining length lies (3 instead of 2): the client drops the connection.
    s.write_all(&[0x40, 3, 0, 1, 0]).unwrap();
    until_closed(s);
    // The reconnect; then stay connected until the client goes away.
    until_closed(accept_client(&listener, &[0x20, 2, 1, 0]));
}

/// A connected client of the scripted broker on `port`, raising its events into `events`.
/// `events` and both buffers must outlive the client.
fn connect_client(
    port: u16,
    events: &Events,
    read_buf: &mut [c_char],
    write_buf: &mut [c_char],
) -> *mut c_void {
    let mut params = params(port, c"scripted", events, read_buf, write_buf);
    params.request_timeout_ms = 2000;
    // SAFETY: params is valid for the call; the caller keeps events and the buffers alive.
    let client = unsafe { IOT_MQTT_Construct(&mut params) };
    assert!(!client.is_null());
    client
}

/// Subscribes `messages` to `filter` at QoS1 (the scripted broker grants what it is told);
/// returns the SUBSCRIBE's packet id.
fn subscribe(client: *mut c_void, filter: &std::ffi::CStr, messages: &Messages) -> i32 {
    // SAFETY: a live handle, a NUL-terminated filter, and a context that outlives the client.
    let id = unsafe {
        IOT_MQTT_Subscribe(
            client,
            filter.as_ptr(),
            iotx_mqtt_qos_t(1),
            Some(on_message),
            messages as *const Messages as *mut c_void,
        )
    };
    assert!(id > 0);
    id
}

#[test]
fn scripted_broker_stray_split_oversized_and_lying_packets() {
    crate::log::open();
    crate::log::set_level(crate::log::DEBUG);
    let (port, script) = scripted_broker(broker_script);

    let events = Events::default();
    let messages = Messages::default();
    let mut read_buf = [0 as c_char; 128];
    let mut write_buf = [0 as c_char; 1024];
    // Events, messages and both buffers outlive the client (destroyed below).
    let mut client = connect_client(port, &events, &mut read_buf, &mut write_buf);
    let sub = subscribe(client, c"a/b", &messages);

    yield_until(client, 10, Duration::from_secs(8), || {
        events.lock().unwrap().iter().any(|e| e.0 == 2)
    });
    // SAFETY: a live handle variable.
    assert_eq!(unsafe { IOT_MQTT_Destroy(&mut client) }, 0);
    script.join().unwrap();

    let events = events.lock().unwrap().clone();
    let kinds: Vec<i32> = events.iter().map(|e| e.0).collect();
    // One SUBCRIBE_SUCCESS for our id; the stray SUBACK 0x80 raised no NACK.
    assert_eq!(
        events.iter().filter(|e| e.0 == 3).collect::<Vec<_>>(),
        [&(3, sub as usize)]
    );
    assert!(
        !kinds.contains(&5),
        "stray SUBACK must not raise SUBCRIBE_NACK: {kinds:?}"
    );
    assert!(
        !kinds.contains(&6),
        "stray UNSUBACK must not raise an event: {kinds:?}"
    );
    assert!(
        !kinds.contains(&9),
        "stray PUBACK must not raise PUBLISH_SUCCESS: {kinds:?}"
    );
    assert_eq!(
        kinds.iter().filter(|k| **k == 13).count(),
        1,
        "one BUFFER_OVERFLOW: {kinds:?}"
    );
    let disconnect = kinds.iter().position(|k| *k == 1).expect("DISCONNECT");
    let reconnect = kinds.iter().position(|k| *k == 2).expect("RECONNECT");
    assert!(disconnect < reconnect);
    assert_eq!(
        *messages.lock().unwrap(),
        [("a/b".to_string(), b"hello".to_vec())],
        "the split PUBLISH delivered exactly once; the oversized one not at all"
    );
    assert!(
        !crate::tests::hal_rig::log_lines("malformed packet from the server: PUBACK").is_empty()
    );
    assert!(!crate::tests::hal_rig::log_lines("exceeds read_buf_size 128").is_empty());
}

#[test]
fn disable_reconnect_stays_down_and_keeps_pending_messages() {
    let (port, script) = scripted_broker(|listener| {
        let mut s = accept_client(&listener, &[0x20, 2, 0, 0]);
        // The QoS1 PUBLISH is never acknowledged; then the connection drops.
        assert_eq!(read_packet(&mut s)[0] & 0xf0, 0x30);
        drop(s);
        // No reconnect may come.
        listener.set_nonblocking(true).unwrap();
        let deadline = Instant::now() + Duration::from_millis(3500);
        while Instant::now() < deadline {
            assert!(
                listener.accept().is_err(),
                "the client reconnected although it must not"
            );
            thread::sleep(Duration::from_millis(20));
        }
    });
    let events = Events::default();
    let mut read_buf = [0 as c_char; 128];
    let mut write_buf = [0 as c_char; 1024];
    // Events, messages and both buffers outlive the client (destroyed below).
    let mut client = connect_client(port, &events, &mut read_buf, &mut write_buf);
    assert_eq!(IOT_MQTT_Disable_Reconnect(client), 0);
    let mut msg = message(1, b"hi");
    // SAFETY: a live handle, a NUL-terminated topic and a message whose payload covers 2 bytes.
    let id = unsafe { IOT_MQTT_Publish(client, c"t".as_ptr(), &mut msg) };
    assert!(id > 0);
    yield_until(client, 50, Duration::from_millis(4000), || false);
    script.join().unwrap();
    let kinds: Vec<i32> = events.lock().unwrap().iter().map(|e| e.0).collect();
    assert_eq!(
        kinds.iter().filter(|k| **k == 1).count(),
        1,
        "one DISCONNECT: {kinds:?}"
    );
    assert!(!kinds.contains(&2), "no RECONNECT: {kinds:?}");
    assert_eq!(IOT_MQTT_CheckStateNormal(client), 0);
    // SAFETY: as above.
    let rc = unsafe { IOT_MQTT_Publish(client, c"t".as_ptr(), &mut msg) };
    assert_eq!(rc, -27);
    // SAFETY: a live handle variable; the queued message is freed with the client.
    assert_eq!(unsafe { IOT_MQTT_Destroy(&mut client) }, 0);
    assert!(client.is_null());
}

#[test]
fn payload_longer_than_16_bits_is_acknowledged_and_reported() {
    let (port, script) = scripted_broker(|listener| {
        let mut s = accept_client(&listener, &[0x20, 2, 0, 0]);
        // Fits the 80 000-byte read buffer, but not V2.10's uint16_t payload_len.
        s.write_all(&publish_frame(1, 9, "big", &vec![b'z'; 70_000]))
            .unwrap();
        assert_eq!(
            read_packet(&mut s),
            [0x40, 2, 0, 9],
            "PUBACK for the long payload"
        );
        until_closed(s);
    });
    let events = Events::default();
    let mut read_buf = vec![0 as c_char; 80_000];
    let mut write_buf = vec![0 as c_char; 1024];
    // Events, messages and both buffers outlive the client (destroyed below).
    let mut client = connect_client(port, &events, &mut read_buf, &mut write_buf);
    let overflowed = || events.lock().unwrap().iter().any(|e| e.0 == 13);
    yield_until(client, 20, Duration::from_secs(5), overflowed);
    assert!(overflowed(), "BUFFER_OVERFLOW raised");
    assert_eq!(IOT_MQTT_CheckStateNormal(client), 1, "still connected");
    // SAFETY: a live handle variable.
    assert_eq!(unsafe { IOT_MQTT_Destroy(&mut client) }, 0);
    script.join().unwrap();
}

#[test]
fn messages_arriving_with_the_connack_wait_for_the_first_yield() {
    let (port, script) = scripted_broker(|listener| {
        let mut s = accept_client(&listener, &[]);
        // A session with a queued QoS1 message: it follows the CONNACK in the same segment.
        let mut burst = vec![0x20, 2, 1, 0];
        burst.extend(publish_frame(1, 5, "queued/t", b"offline"));
        s.write_all(&burst).unwrap();
        assert_eq!(read_packet(&mut s)[0], 0x82, "SUBSCRIBE");
        assert_eq!(
            read_packet(&mut s),
            [0x40, 2, 0, 5],
            "PUBACK after delivery"
        );
        until_closed(s);
    });
    let events = Events::default();
    let messages = Messages::default();
    let mut read_buf = vec![0 as c_char; 1024];
    let mut write_buf = vec![0 as c_char; 1024];
    // Events, messages and both buffers outlive the client (destroyed below).
    let mut client = connect_client(port, &events, &mut read_buf, &mut write_buf);
    assert!(
        events.lock().unwrap().is_empty(),
        "nothing is delivered inside Construct"
    );
    subscribe(client, c"queued/+", &messages);
    let delivered = || {
        messages
            .lock()
            .unwrap()
            .iter()
            .any(|(t, p)| t == "queued/t" && p == b"offline")
    };
    yield_until(client, 20, Duration::from_secs(3), delivered);
    assert!(
        delivered(),
        "the queued message reached the subscription's handler"
    );
    assert!(
        !events.lock().unwrap().iter().any(|e| e.0 == 12),
        "not the default handler"
    );
    // SAFETY: a live handle variable.
    assert_eq!(unsafe { IOT_MQTT_Destroy(&mut client) }, 0);
    script.join().unwrap();
}

/// Answers the SUBSCRIBE, then sends each of `bursts` in one write, 100 ms apart, and expects
/// a PUBACK for each of `acks`, in order.
fn burst_script(listener: TcpListener, bursts: Vec<Vec<u8>>, acks: Vec<u16>) {
    let mut s = accept_client(&listener, &[0x20, 2, 0, 0]);
    let subscribe = read_packet(&mut s);
    assert_eq!(subscribe[0], 0x82, "SUBSCRIBE");
    s.write_all(&[0x90, 3, subscribe[2], subscribe[3], 1])
        .unwrap();
    for (i, burst) in bursts.iter().enumerate() {
        if i > 0 {
            thread::sleep(Duration::from_millis(100));
        }
        s.write_all(burst).unwrap();
    }
    for id in acks {
        let [hi, lo] = id.to_be_bytes();
        assert_eq!(read_packet(&mut s), [0x40, 2, hi, lo], "PUBACK {id}");
    }
    until_closed(s);
}

/// Yields until `count` messages arrived; returns their payloads and the TCP calls made.
fn receive_burst(port: u16, count: usize) -> (Vec<Vec<u8>>, Vec<crate::tests::hal_rig::TcpCall>) {
    let events = Events::default();
    let messages = Messages::default();
    let mut read_buf = vec![0 as c_char; 1024];
    let mut write_buf = vec![0 as c_char; 1024];
    // Events, messages and both buffers outlive the client (destroyed below).
    let mut client = connect_client(port, &events, &mut read_buf, &mut write_buf);
    subscribe(client, c"burst/t", &messages);
    crate::tests::hal_rig::take_tcp_calls();
    yield_until(client, 5, Duration::from_secs(5), || {
        messages.lock().unwrap().len() >= count
    });
    let calls = crate::tests::hal_rig::take_tcp_calls();
    // SAFETY: a live handle variable.
    assert_eq!(unsafe { IOT_MQTT_Destroy(&mut client) }, 0);
    let payloads = messages
        .lock()
        .unwrap()
        .iter()
        .map(|m| m.1.clone())
        .collect();
    (payloads, calls)
}

fn numbered(range: std::ops::Range<u16>) -> Vec<Vec<u8>> {
    range.map(|i| i.to_be_bytes().to_vec()).collect()
}

#[test]
fn a_burst_needing_no_answer_is_read_in_bulk() {
    let burst: Vec<u8> = (0..200u16)
        .flat_map(|i| publish_frame(0, 0, "burst/t", &i.to_be_bytes()))
        .collect();
    let (port, script) = scripted_broker(move |l| burst_script(l, vec![burst], Vec::new()));
    let (payloads, calls) = receive_burst(port, 200);
    assert_eq!(payloads, numbered(0..200), "every message, once, in order");
    let reads = calls
        .iter()
        .filter(|c| matches!(c, crate::tests::hal_rig::TcpCall::Read(_)))
        .count();
    // Exactly sized reads take two per packet; after the first 16 packets reads fill the buffer.
    assert!(reads < 50, "{reads} HAL_TCP_Read calls for 200 packets");
    script.join().unwrap();
}

#[test]
fn packets_needing_an_answer_are_answered_before_the_next_read() {
    // QoS0 first, so the client is reading in bulk when the QoS1 messages come.
    let mut burst: Vec<u8> = (0..20u16)
        .flat_map(|i| publish_frame(0, 0, "burst/t", &i.to_be_bytes()))
        .collect();
    // More than the 1024-byte read buffer holds, so reading goes on after the first QoS1 one.
    burst.extend((20..120u16).flat_map(|i| publish_frame(1, i, "burst/t", &i.to_be_bytes())));
    let (port, script) =
        scripted_broker(move |l| burst_script(l, vec![burst], (20..120).collect()));
    let (payloads, calls) = receive_burst(port, 120);
    assert_eq!(payloads, numbered(0..120), "every message, once, in order");
    // A broker may hold its next packet until it sees our PUBACK, so once a QoS1 message came,
    // each PUBACK goes out alone, right after the read that completed its PUBLISH.
    let single_acks = calls
        .windows(2)
        .filter(|w| {
            matches!(&w[0], crate::tests::hal_rig::TcpCall::Read(_))
                && matches!(&w[1], crate::tests::hal_rig::TcpCall::Write(b) if b.len() == 4 && b[0] == 0x40)
        })
        .count();
    // The one read in bulk took 1024 bytes, about 60 of the QoS1 messages (acked together);
    // each of the others is answered alone.
    assert!(
        single_acks >= 30,
        "{single_acks} of 100 PUBACKs written alone after a read: {calls:?}"
    );
    script.join().unwrap();
}

#[test]
fn a_lone_message_after_a_burst_is_not_held_by_a_bulk_read() {
    // Enough QoS0 packets for bulk reads, a pause, then one message on its own.
    let burst: Vec<u8> = (0..40u16)
        .flat_map(|i| publish_frame(0, 0, "burst/t", &i.to_be_bytes()))
        .collect();
    let lone = publish_frame(0, 0, "burst/t", &[7; 40]);
    let lone_len = lone.len();
    let (port, script) = scripted_broker(move |l| burst_script(l, vec![burst, lone], Vec::new()));
    let (payloads, calls) = receive_burst(port, 41);
    assert_eq!(payloads.len(), 41);
    assert_eq!(payloads[40], vec![7; 40], "the lone message, last");
    // Its first 4 bytes wake the client; the rest is read exactly, so it is dispatched as soon
    // as it is complete instead of when a bulk read asking for the whole buffer gives up.
    assert!(
        calls.contains(&crate::tests::hal_rig::TcpCall::Read(lone_len - 4)),
        "no exactly sized read for the rest of the lone {lone_len}-byte packet: {calls:?}"
    );
    script.join().unwrap();
}

/// Parameters for a client of the scripted broker with the given client id and buffers, a
/// 5 s request timeout, and events recorded with their `msg`.
fn params(
    port: u16,
    client_id: &std::ffi::CStr,
    events: &Events,
    read_buf: &mut [c_char],
    write_buf: &mut [c_char],
) -> iotx_mqtt_param_t {
    let context = events as *const Events as *mut c_void;
    let mut p = super::params_with(
        c"127.0.0.1",
        port,
        client_id,
        Some(on_event),
        context,
        read_buf,
        write_buf,
    );
    p.request_timeout_ms = 5000;
    p
}

#[test]
fn a_connect_larger_than_the_write_buffer_fails_at_once_with_30() {
    crate::log::open();
    crate::log::set_level(crate::log::DEBUG);
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let port = listener.local_addr().unwrap().port();
    let events = Events::default();
    let mut read_buf = [0 as c_char; 128];
    // 40 bytes pass Construct's argument check; the CONNECT with this 40-byte client id needs 60.
    let mut write_buf = [0 as c_char; 40];
    let id = c"a-client-id-of-forty-characters-exactly!";
    let mut p = params(port, id, &events, &mut read_buf, &mut write_buf);
    let start = Instant::now();
    // SAFETY: params is valid for the call; events and the buffers outlive it.
    let client = unsafe { IOT_MQTT_Construct(&mut p) };
    let took = start.elapsed();
    assert!(client.is_null());
    // The request timeout is 5 s; "at once" is stated generously as under 1 s.
    assert!(took < Duration::from_secs(1), "took {took:?}");
    assert!(
        listener.accept().is_err(),
        "nothing reached the broker: the CONNECT could not be sent"
    );
    let line = crate::tests::hal_rig::log_lines(
        "CONNECT packet of 60 bytes does not fit write_buf_size 40",
    );
    assert_eq!(line.len(), 1, "one line naming both sizes");
    assert!(line[0].contains("(-30)"), "{}", line[0]);
    assert!(!crate::tests::hal_rig::log_lines("mqtt connect failed: -30").is_empty());
}

#[test]
fn requests_larger_than_the_write_buffer_fail_at_once_with_their_codes() {
    let (port, script) = scripted_broker(|listener| {
        let mut s = accept_client(&listener, &[0x20, 2, 0, 0]);
        // The only packet after CONNECT is the one that fits: a short QoS0 PUBLISH.
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        assert_eq!(read_packet(&mut s), publish_frame(0, 0, "ok", b""));
        until_closed(s);
    });
    let events = Events::default();
    let messages = Messages::default();
    let mut read_buf = [0 as c_char; 256];
    let mut write_buf = [0 as c_char; 64];
    let mut p = params(port, c"small", &events, &mut read_buf, &mut write_buf);
    // SAFETY: params is valid; events, messages and the buffers outlive the client.
    let mut client = unsafe { IOT_MQTT_Construct(&mut p) };
    assert!(!client.is_null());
    let long = std::ffi::CString::new("f".repeat(100)).unwrap();
    // SAFETY: a live handle, NUL-terminated strings, a context that outlives the client.
    let (sub, unsub) = unsafe {
        (
            IOT_MQTT_Subscribe(
                client,
                long.as_ptr(),
                iotx_mqtt_qos_t(0),
                Some(on_message),
                &messages as *const Messages as *mut c_void,
            ),
            crate::ffi::IOT_MQTT_Unsubscribe(client, long.as_ptr()),
        )
    };
    assert_eq!((sub, unsub), (-26, -22));
    let mut msg = message(1, b"");
    // SAFETY: as above; an empty payload.
    let rc = unsafe { IOT_MQTT_Publish(client, long.as_ptr(), &mut msg) };
    assert_eq!(rc, -21);
    msg.qos = 0;
    // SAFETY: as above.
    let rc = unsafe { IOT_MQTT_Publish(client, c"ok".as_ptr(), &mut msg) };
    assert_eq!(rc, 0);
    assert_eq!(IOT_MQTT_CheckStateNormal(client), 1);
    // SAFETY: a live handle variable.
    assert_eq!(unsafe { IOT_MQTT_Destroy(&mut client) }, 0);
    script.join().unwrap();
    assert!(!crate::tests::hal_rig::log_lines(
        "SUBSCRIBE packet of 107 bytes does not fit write_buf_size 64 (-26)"
    )
    .is_empty());
}

/// Sends a QoS1 and a QoS2 PUBLISH whose topics (300 bytes) are longer than the client's
/// 128-byte read buffer, and expects their PUBACK and PUBREC.
fn long_topic_script(listener: TcpListener) {
    let mut s = accept_client(&listener, &[0x20, 2, 0, 0]);
    let topic = "t".repeat(300);
    s.write_all(&publish_frame(1, 0x0101, &topic, b"one"))
        .unwrap();
    assert_eq!(read_packet(&mut s), [0x40, 2, 1, 1], "PUBACK");
    // Split, so the id arrives in a later read than the topic length.
    let frame = publish_frame(2, 0x0202, &topic, b"two");
    for piece in frame.chunks(97) {
        s.write_all(piece).unwrap();
        thread::sleep(Duration::from_millis(5));
    }
    assert_eq!(read_packet(&mut s), [0x50, 2, 2, 2], "PUBREC");
    s.write_all(&[0x62, 2, 2, 2]).unwrap();
    assert_eq!(read_packet(&mut s), [0x70, 2, 2, 2], "PUBCOMP");
    // The client still frames the stream: a normal message after them is acknowledged.
    s.write_all(&publish_frame(1, 3, "x", b"after")).unwrap();
    assert_eq!(read_packet(&mut s), [0x40, 2, 0, 3], "PUBACK after");
    until_closed(s);
}

#[test]
fn a_publish_whose_topic_overflows_the_read_buffer_is_still_acknowledged() {
    let (port, script) = scripted_broker(long_topic_script);
    let events = Events::default();
    let mut read_buf = [0 as c_char; 128];
    let mut write_buf = [0 as c_char; 1024];
    // Events and both buffers outlive the client (destroyed below).
    let mut client = connect_client(port, &events, &mut read_buf, &mut write_buf);
    let delivered = || events.lock().unwrap().iter().any(|e| e.0 == 12);
    yield_until(client, 20, Duration::from_secs(8), delivered);
    let kinds: Vec<i32> = events.lock().unwrap().iter().map(|e| e.0).collect();
    assert_eq!(
        kinds.iter().filter(|k| **k == 13).count(),
        2,
        "two BUFFER_OVERFLOW: {kinds:?}"
    );
    assert!(
        delivered(),
        "the message after them reached the default handler: {kinds:?}"
    );
    assert_eq!(IOT_MQTT_CheckStateNormal(client), 1);
    // SAFETY: a live handle variable.
    assert_eq!(unsafe { IOT_MQTT_Destroy(&mut client) }, 0);
    script.join().unwrap();
}
