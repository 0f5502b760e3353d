//! Keepalive pings, missing PINGRESP, and QoS1 resend timing with a fake clock.

mod common;
use common::*;
use iotmqtt_engine::{Event, Incoming, Outgoing, QoS, State};

// keepalive 60 s: margin min(5 s, 6 s) = 5 s, so pings are due after 55 s of silence.
const PING_AFTER: u64 = 55_000;

#[test]
fn ping_after_keepalive_minus_margin_then_pingresp_keeps_link() {
    let mut s = connected(default_config());
    assert_eq!(s.next_deadline(), Some(PING_AFTER));
    s.handle_timeout(PING_AFTER - 1);
    assert!(drain(&mut s, PING_AFTER - 1).is_empty());
    s.handle_timeout(PING_AFTER);
    assert_eq!(drain(&mut s, PING_AFTER), vec![Out::PingReq]);
    // Only one ping while one is outstanding.
    s.handle_timeout(PING_AFTER + 1000);
    assert!(drain(&mut s, PING_AFTER + 1000).is_empty());
    s.handle(Incoming::PingResp, PING_AFTER + 1500);
    s.handle_timeout(PING_AFTER + 5000);
    assert!(events(&mut s).is_empty());
    assert!(s.is_connected());
    // Next ping: 55 s after the PINGREQ was sent (the older of last send / last receive).
    assert_eq!(s.next_deadline(), Some(2 * PING_AFTER));
    s.handle_timeout(2 * PING_AFTER);
    assert_eq!(drain(&mut s, 2 * PING_AFTER), vec![Out::PingReq]);
}

#[test]
fn margin_for_long_keepalive_is_five_seconds() {
    let mut s = connected(config(300_000, 2000, false));
    s.handle_timeout(294_999);
    assert!(drain(&mut s, 294_999).is_empty());
    s.handle_timeout(295_000);
    assert_eq!(drain(&mut s, 295_000), vec![Out::PingReq]);
}

#[test]
fn missing_pingresp_disconnects_within_request_timeout() {
    let mut s = connected(config(60_000, 1000, false));
    s.handle_timeout(PING_AFTER);
    assert_eq!(drain(&mut s, PING_AFTER), vec![Out::PingReq]);
    assert_eq!(s.next_deadline(), Some(PING_AFTER + 1000));
    s.handle_timeout(PING_AFTER + 999);
    assert!(s.is_connected());
    s.handle_timeout(PING_AFTER + 1000);
    assert_eq!(
        events(&mut s),
        vec![Event::PingTimeout, Event::Disconnected]
    );
    assert_eq!(s.state(), State::Disconnected);
    assert!(!s.wants_transport());
    // Nothing is queued for the dead transport.
    assert!(drain(&mut s, PING_AFTER + 1000).is_empty());
    let at = s.reconnect_at().unwrap();
    assert!((PING_AFTER + 2000..PING_AFTER + 3000).contains(&at), "{at}");
}

#[test]
fn ping_when_only_sending_and_when_only_receiving() {
    // Sending every 10 s but receiving nothing: ping still due at 55 s.
    let mut s = connected(default_config());
    for t in (10_000..PING_AFTER).step_by(10_000) {
        s.publish("a", b"x", 0, false, t).unwrap();
        s.handle_timeout(t);
        assert!(drain(&mut s, t).is_empty());
    }
    s.handle_timeout(PING_AFTER);
    assert_eq!(drain(&mut s, PING_AFTER), vec![Out::PingReq]);

    // Receiving every 10 s but sending nothing: ping also due at 55 s.
    let mut s = connected(default_config());
    for t in (10_000..PING_AFTER).step_by(10_000) {
        s.handle(publish_in("a", QoS::AtMostOnce, 0, false), t);
        s.handle_timeout(t);
        assert!(drain(&mut s, t).is_empty());
    }
    s.handle_timeout(PING_AFTER);
    assert_eq!(drain(&mut s, PING_AFTER), vec![Out::PingReq]);
}

#[test]
fn many_short_timeouts_never_cause_a_false_disconnect() {
    let mut s = connected(config(60_000, 500, false));
    let mut answer_at: Option<u64> = None;
    let mut pings = 0;
    let mut now = 0;
    while now < 20 * 60_000 {
        if answer_at.is_some_and(|t| now >= t) {
            s.handle(Incoming::PingResp, now);
            answer_at = None;
        }
        s.handle_timeout(now);
        for p in drain(&mut s, now) {
            assert_eq!(p, Out::PingReq);
            pings += 1;
            answer_at = Some(now + 400); // slower than most links, inside the 500 ms timeout
        }
        assert!(events(&mut s).is_empty(), "at {now}");
        assert!(s.is_connected());
        // The next deadline is always in the future, so a driver never spins.
        assert!(s.next_deadline().unwrap() > now);
        now += 7;
    }
    assert!((20..=22).contains(&pings), "{pings}");
}

#[test]
fn qos1_resent_with_dup_after_twice_request_timeout_until_puback() {
    let mut s = connected(default_config());
    let out = s.publish("t/1", b"hello", 1, true, 0).unwrap();
    assert_eq!(
        out,
        Outgoing::Publish {
            dup: false,
            qos: QoS::AtLeastOnce,
            retain: true,
            topic: "t/1",
            pkid: 1,
            payload: b"hello",
        }
    );
    let resend = Out::Publish {
        dup: true,
        qos: QoS::AtLeastOnce,
        retain: true,
        topic: "t/1".into(),
        pkid: 1,
        payload: b"hello".to_vec(),
    };
    assert_eq!(s.next_deadline(), Some(4000));
    s.handle_timeout(3999);
    assert!(drain(&mut s, 3999).is_empty());
    s.handle_timeout(4000);
    assert_eq!(drain(&mut s, 4000), vec![resend.clone()]);
    s.handle_timeout(7999);
    assert!(drain(&mut s, 7999).is_empty());
    s.handle_timeout(8000);
    assert_eq!(drain(&mut s, 8000), vec![resend]);
    s.handle(Incoming::PubAck(1), 8100);
    assert_eq!(events(&mut s), vec![Event::PublishSuccess(1)]);
    assert_eq!(s.pending_publish_count(), 0);
    s.handle_timeout(20_000);
    assert!(drain(&mut s, 20_000).is_empty());
    // A second PUBACK for the same id is stray.
    s.handle(Incoming::PubAck(1), 20_001);
    assert!(events(&mut s).is_empty());
}

#[test]
fn pending_qos1_resent_after_reconnect_in_order_only_after_connack() {
    let mut s = connected(default_config());
    s.publish("a", b"1", 1, false, 0).unwrap();
    s.publish("b", b"2", 1, false, 0).unwrap();
    s.publish("c", b"3", 1, false, 0).unwrap();
    s.handle(Incoming::PubAck(2), 10);
    events(&mut s);
    s.on_transport_lost(100, 0);
    assert_eq!(events(&mut s), vec![Event::Disconnected]);
    // No resend timer fires while disconnected.
    s.handle_timeout(1000);
    assert!(drain(&mut s, 1000).is_empty());
    let resent = connect(&mut s, 1100, true);
    assert_eq!(events(&mut s), vec![Event::Reconnected]);
    let ids: Vec<(u16, bool, String)> = resent
        .into_iter()
        .map(|p| match p {
            Out::Publish {
                pkid, dup, topic, ..
            } => (pkid, dup, topic),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(ids, vec![(1, true, "a".into()), (3, true, "c".into())]);
    // And the timer restarted at the reconnect.
    s.handle_timeout(1100 + 3999);
    assert!(drain(&mut s, 5099).is_empty());
    s.handle_timeout(1100 + 4000);
    assert_eq!(drain(&mut s, 5100).len(), 2);
}
