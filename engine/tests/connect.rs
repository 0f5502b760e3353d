//! CONNECT parameters, CONNACK handling, reconnect back-off and disable_reconnect.

mod common;
use common::*;
use iotmqtt_engine::{Dispatch, Error, Event, Incoming, QoS, Session, State};

fn connect_packet(keepalive_ms: u32, rt: u32, clean: bool) -> (Session<u32>, Out) {
    let mut s: Session<u32> = Session::new(config(keepalive_ms, rt, clean)).unwrap();
    assert_eq!(s.state(), State::Idle);
    assert!(s.poll_connect_due(0));
    s.on_transport_open(0);
    assert_eq!(s.state(), State::Connecting);
    let out = drain(&mut s, 0);
    assert_eq!(out.len(), 1);
    (s, out.into_iter().next().unwrap())
}

#[test]
fn connect_fields_and_keepalive_clamp() {
    for (ka, expect_s, warned) in [
        (10_000, 60, true),
        (0, 60, true),
        (59_999, 60, true),
        (60_000, 60, false),
        (120_500, 120, false),
        (300_000, 300, false),
        (300_001, 300, true),
        (u32::MAX, 300, true),
    ] {
        for clean in [false, true] {
            let (s, out) = connect_packet(ka, 2000, clean);
            assert_eq!(
                out,
                Out::Connect {
                    client_id: "pk.dn|securemode=3|".into(),
                    username: "dn&pk".into(),
                    password: "secret-hash".into(),
                    keepalive_s: expect_s,
                    clean_session: clean,
                }
            );
            assert_eq!(s.keepalive_ms(), u32::from(expect_s) * 1000);
            assert_eq!(
                s.config_warnings().keepalive_clamped_from,
                warned.then_some(ka),
                "{ka}"
            );
        }
    }
}

#[test]
fn request_timeout_replaced_not_clamped() {
    for (rt, used, warned) in [
        (499, 2000, true),
        (500, 500, false),
        (5000, 5000, false),
        (5001, 2000, true),
        (0, 2000, true),
        (3000, 3000, false),
    ] {
        let s: Session<u32> = Session::new(config(60_000, rt, false)).unwrap();
        assert_eq!(s.request_timeout_ms(), used);
        assert_eq!(
            s.config_warnings().request_timeout_replaced_from,
            warned.then_some(rt)
        );
    }
}

#[test]
fn every_connack_code() {
    let (mut s, _) = connect_packet(60_000, 2000, false);
    s.handle(
        Incoming::ConnAck {
            session_present: false,
            code: 0,
        },
        5,
    );
    assert_eq!(events(&mut s), vec![Event::Connected]);
    assert!(s.is_connected());

    for code in 1..=255u8 {
        let (mut s, _) = connect_packet(60_000, 2000, false);
        s.handle(
            Incoming::ConnAck {
                session_present: false,
                code,
            },
            5,
        );
        assert_eq!(events(&mut s), vec![Event::ConnectRefused(code)]);
        assert!(!s.is_connected());
        assert!(!s.wants_transport());
        assert_eq!(s.state(), State::Disconnected);
        assert!(drain(&mut s, 5).is_empty());
        assert_eq!(s.publish("a", b"x", 0, false, 5), Err(Error::NotConnected));
    }
}

#[test]
fn connack_timeout() {
    let (mut s, _) = connect_packet(60_000, 1500, false);
    assert_eq!(s.next_deadline(), Some(1500));
    s.handle_timeout(1499);
    assert!(events(&mut s).is_empty());
    assert_eq!(s.state(), State::Connecting);
    s.handle_timeout(1500);
    assert_eq!(events(&mut s), vec![Event::ConnectTimeout]);
    assert_eq!(s.state(), State::Disconnected);
    assert!(!s.wants_transport());
}

#[test]
fn packets_before_connack_are_ignored_and_nothing_but_connect_goes_out() {
    let (mut s, _) = connect_packet(60_000, 2000, false);
    assert_eq!(
        s.handle(publish_in("a", QoS::AtLeastOnce, 3, false), 1),
        Dispatch::None
    );
    assert_eq!(s.handle(Incoming::PingResp, 1), Dispatch::None);
    assert!(drain(&mut s, 1).is_empty());
    assert!(events(&mut s).is_empty());
    assert_eq!(s.state(), State::Connecting);
}

#[test]
fn second_connack_is_ignored() {
    let mut s = connected(default_config());
    for code in [0, 5] {
        s.handle(
            Incoming::ConnAck {
                session_present: true,
                code,
            },
            10,
        );
        assert!(events(&mut s).is_empty());
        assert!(s.is_connected());
        assert!(drain(&mut s, 10).is_empty());
    }
}

#[test]
fn set_credentials_used_by_next_connect() {
    let mut s = connected(default_config());
    s.on_transport_lost(100, 0);
    s.set_credentials("cid2", "user2", "token2").unwrap();
    assert!(s.poll_connect_due(1100));
    s.on_transport_open(1100);
    assert_eq!(
        drain(&mut s, 1100),
        vec![Out::Connect {
            client_id: "cid2".into(),
            username: "user2".into(),
            password: "token2".into(),
            keepalive_s: 60,
            clean_session: false,
        }]
    );
}

#[test]
fn backoff_sequence_without_jitter() {
    let mut s = connected(default_config());
    let mut now = 1_000;
    s.on_transport_lost(now, 0);
    assert_eq!(events(&mut s), vec![Event::Disconnected]);
    let mut delays = vec![s.reconnect_at().unwrap() - now];
    for _ in 0..8 {
        now = s.reconnect_at().unwrap();
        assert!(!s.poll_connect_due(now - 1));
        assert!(s.poll_connect_due(now));
        s.on_connect_failed(now, 0);
        delays.push(s.reconnect_at().unwrap() - now);
    }
    assert_eq!(
        delays,
        vec![1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000, 60000]
    );
    // A failed attempt raises no further Disconnected.
    assert!(events(&mut s).is_empty());
}

#[test]
fn backoff_jitter_comes_from_random_and_is_capped() {
    let mut s = connected(default_config());
    s.on_transport_lost(0, 1500); // 1000 + 1500 % 1000
    assert_eq!(s.reconnect_at(), Some(1500));
    s.on_connect_failed(1500, 3001); // 2000 + 3001 % 2000
    assert_eq!(s.reconnect_at(), Some(1500 + 3001));
    let mut now = 4501;
    for _ in 0..3 {
        s.on_connect_failed(now, 0); // 4000, 8000, 16000
        now = s.reconnect_at().unwrap();
    }
    assert_eq!(s.backoff_ms(), 16_000);
    s.on_connect_failed(now, 31_999); // 32000 + 31999 capped at 60000
    assert_eq!(s.reconnect_at(), Some(now + 60_000));
    s.on_connect_failed(now, 7); // at the cap the jitter is capped away too
    assert_eq!(s.reconnect_at(), Some(now + 60_000));
}

#[test]
fn refused_and_timed_out_reconnects_double_then_success_resets() {
    let mut s = connected(default_config());
    s.on_transport_lost(0, 0);
    events(&mut s);
    let mut now = s.reconnect_at().unwrap();
    assert!(s.poll_connect_due(now));
    s.on_transport_open(now);
    drain(&mut s, now);
    s.handle(
        Incoming::ConnAck {
            session_present: false,
            code: 3,
        },
        now,
    );
    assert_eq!(events(&mut s), vec![Event::ConnectRefused(3)]);
    assert_eq!(s.backoff_ms(), 2000);
    now = s.reconnect_at().unwrap();
    assert!((1000 + 2000..1000 + 4000).contains(&now));
    s.on_transport_open(now);
    s.handle_timeout(now + 2000);
    assert_eq!(events(&mut s), vec![Event::ConnectTimeout]);
    assert_eq!(s.backoff_ms(), 4000);
    now = s.reconnect_at().unwrap();
    connect(&mut s, now, true);
    assert_eq!(events(&mut s), vec![Event::Reconnected]);
    assert_eq!(s.backoff_ms(), 1000);
    s.on_transport_lost(now + 10, 0);
    assert_eq!(s.reconnect_at(), Some(now + 10 + 1000));
}

#[test]
fn transport_lost_while_connecting_is_a_failed_attempt() {
    let mut s = connected(default_config());
    s.on_transport_lost(0, 0);
    events(&mut s);
    s.on_transport_open(1000);
    s.on_transport_lost(1001, 0);
    assert!(events(&mut s).is_empty());
    assert_eq!(s.reconnect_at(), Some(1001 + 2000));
}

#[test]
fn disable_reconnect_keeps_client_down_and_queue_intact() {
    let mut s = connected(default_config());
    let id = match s.publish("t", b"p", 1, false, 0).unwrap() {
        iotmqtt_engine::Outgoing::Publish { pkid, .. } => pkid,
        other => panic!("{other:?}"),
    };
    s.disable_reconnect();
    assert!(s.is_connected()); // only affects the next drop
    s.on_transport_lost(10, 0);
    assert_eq!(events(&mut s), vec![Event::Disconnected]);
    assert_eq!(s.state(), State::Closed);
    assert_eq!(s.next_deadline(), None);
    for t in [10, 1_000, 1_000_000] {
        assert!(!s.poll_connect_due(t));
        s.handle_timeout(t);
    }
    assert_eq!(s.publish("t", b"p", 1, false, 20), Err(Error::NotConnected));
    assert_eq!(s.publish("t", b"p", 0, false, 20), Err(Error::NotConnected));
    assert_eq!(s.subscribe("t", 0, 1, 20), Err(Error::NotConnected));
    assert_eq!(s.unsubscribe("t", 20), Err(Error::NotConnected));
    assert_eq!(s.pending_publish_ids().collect::<Vec<_>>(), vec![id]);
    assert!(drain(&mut s, 30).is_empty());
    assert!(events(&mut s).is_empty());
}

#[test]
fn disable_reconnect_while_waiting_for_backoff() {
    let mut s = connected(default_config());
    s.on_transport_lost(0, 0);
    assert_eq!(s.state(), State::Disconnected);
    s.disable_reconnect();
    assert_eq!(s.state(), State::Closed);
    assert!(!s.poll_connect_due(100_000));
}

#[test]
fn disconnect_sends_disconnect_only_when_connected() {
    let mut s = connected(default_config());
    s.disconnect();
    assert_eq!(drain(&mut s, 1), vec![Out::Disconnect]);
    assert_eq!(s.state(), State::Closed);
    assert!(!s.wants_transport());
    assert!(!s.poll_connect_due(1_000_000));

    let (mut s, _) = connect_packet(60_000, 2000, false);
    s.on_transport_open(0); // CONNECT queued again
    s.disconnect();
    assert!(drain(&mut s, 1).is_empty());
}

#[test]
fn unexpected_packet_is_a_protocol_violation() {
    let mut s = connected(default_config());
    s.handle(Incoming::Unexpected(8), 10);
    assert_eq!(
        events(&mut s),
        vec![
            Event::ProtocolViolation("unexpected packet type"),
            Event::Disconnected
        ]
    );
    assert_eq!(s.state(), State::Disconnected);
    assert!(drain(&mut s, 10).is_empty());
}
