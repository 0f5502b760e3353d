//! Shared helpers: owned copies of outgoing packets and a connected session at t = 0.
#![allow(dead_code)]

use iotmqtt_engine::{Config, Event, Incoming, Outgoing, QoS, Session};

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Out {
    Connect {
        client_id: String,
        username: String,
        password: String,
        keepalive_s: u16,
        clean_session: bool,
    },
    Publish {
        dup: bool,
        qos: QoS,
        retain: bool,
        topic: String,
        pkid: u16,
        payload: Vec<u8>,
    },
    PubAck(u16),
    PubRec(u16),
    PubRel(u16),
    PubComp(u16),
    Subscribe {
        pkid: u16,
        filter: String,
        qos: QoS,
    },
    Unsubscribe {
        pkid: u16,
        filter: String,
    },
    PingReq,
    Disconnect,
}

pub fn own(p: Outgoing<'_>) -> Out {
    match p {
        Outgoing::Connect {
            client_id,
            username,
            password,
            keepalive_s,
            clean_session,
        } => Out::Connect {
            client_id: client_id.into(),
            username: username.into(),
            password: password.into(),
            keepalive_s,
            clean_session,
        },
        Outgoing::Publish {
            dup,
            qos,
            retain,
            topic,
            pkid,
            payload,
        } => Out::Publish {
            dup,
            qos,
            retain,
            topic: topic.into(),
            pkid,
            payload: payload.to_vec(),
        },
        Outgoing::PubAck(i) => Out::PubAck(i),
        Outgoing::PubRec(i) => Out::PubRec(i),
        Outgoing::PubRel(i) => Out::PubRel(i),
        Outgoing::PubComp(i) => Out::PubComp(i),
        Outgoing::Subscribe { pkid, filter, qos } => Out::Subscribe {
            pkid,
            filter: filter.into(),
            qos,
        },
        Outgoing::Unsubscribe { pkid, filter } => Out::Unsubscribe {
            pkid,
            filter: filter.into(),
        },
        Outgoing::PingReq => Out::PingReq,
        Outgoing::Disconnect => Out::Disconnect,
    }
}

/// Everything `poll_transmit` has, as owned packets.
pub fn drain<H: PartialEq>(s: &mut Session<H>, now: u64) -> Vec<Out> {
    let mut v = Vec::new();
    while let Some(p) = s.poll_transmit(now) {
        v.push(own(p));
        assert!(v.len() < 1000, "poll_transmit never returns None");
    }
    v
}

pub fn events<H: PartialEq>(s: &mut Session<H>) -> Vec<Event> {
    let mut v = Vec::new();
    while let Some(e) = s.poll_event() {
        v.push(e);
    }
    v
}

pub fn config(keepalive_ms: u32, request_timeout_ms: u32, clean_session: bool) -> Config {
    Config {
        client_id: "pk.dn|securemode=3|".into(),
        username: "dn&pk".into(),
        password: "secret-hash".into(),
        keepalive_ms,
        request_timeout_ms,
        clean_session,
    }
}

/// keepalive 60 s, request timeout 2 s, clean session off.
pub fn default_config() -> Config {
    config(60_000, 2_000, false)
}

/// Opens a transport at `now` and answers the CONNECT with CONNACK 0.
pub fn connect<H: PartialEq>(s: &mut Session<H>, now: u64, session_present: bool) -> Vec<Out> {
    assert!(s.poll_connect_due(now));
    s.on_transport_open(now);
    let first = drain(s, now);
    assert!(
        matches!(first.first(), Some(Out::Connect { .. })),
        "{first:?}"
    );
    assert_eq!(first.len(), 1, "only CONNECT before CONNACK: {first:?}");
    let d = s.handle(
        Incoming::ConnAck {
            session_present,
            code: 0,
        },
        now,
    );
    assert_eq!(d, iotmqtt_engine::Dispatch::None);
    assert!(s.is_connected());
    drain(s, now)
}

pub fn connected(cfg: Config) -> Session<u32> {
    let mut s = Session::new(cfg).unwrap();
    connect(&mut s, 0, false);
    assert_eq!(events(&mut s), vec![Event::Connected]);
    s
}

pub fn publish_in(topic: &str, qos: QoS, pkid: u16, dup: bool) -> Incoming<'_> {
    Incoming::Publish {
        dup,
        qos,
        retain: false,
        topic,
        pkid,
        payload: b"x",
    }
}
