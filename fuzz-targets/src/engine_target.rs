//! The engine target: arbitrary packets, API calls and clock steps.

use iotmqtt_engine::codec;
use iotmqtt_engine::{
    validate_topic_filter, validate_topic_name, Config, Error, Incoming, Outgoing, QoS, Session,
    State,
};

use crate::{as_outgoing, Input};

// Valid names first (VALID_NAMES of them), then filters and invalid topics.
const TOPICS: &[&str] = &[
    "a", "a/b", "a/b/c", "/a", "a//b", "$SYS/x", "sp ace", "", "a/+", "a/#", "#", "+", "+/b",
    "a/#/b", "a\u{1}",
];

/// Input: 4 config bytes, then one operation per chunk of bytes until the input ends.
pub fn engine(data: &[u8]) {
    let mut input = Input::new(data);
    let keepalive_ms = match input.u8() {
        0 => 0,
        1 => u32::MAX,
        n => u32::from(n) * 2_000,
    };
    let request_timeout_ms = match input.u8() {
        0 => 100,
        n => u32::from(n) * 25,
    };
    let clean_session = input.u8() & 1 == 1;
    let mut s: Session<u8> = Session::new(Config {
        client_id: "pk.dn|securemode=3|".into(),
        username: "dn&pk".into(),
        password: "secret".into(),
        keepalive_ms,
        request_timeout_ms,
        clean_session,
    })
    .unwrap_or_else(|e| panic!("Session::new: {e}"));
    let mut now: u64 = u64::from(input.u8()) * 1000;
    // QoS1 messages accepted and not yet acknowledged or withdrawn: never lost.
    let mut accepted: Vec<u16> = Vec::new();
    let payload = [0xA5u8; 16];
    let mut steps = 0;

    while !input.is_empty() && steps < 2_000 {
        steps += 1;
        match input.u8() % 24 {
            // Raw bytes from the network: whatever decodes is handed over.
            0..=2 => {
                let len = usize::from(input.u8() % 48);
                let bytes = input.take(len);
                if let codec::Frame::Complete { len } = codec::frame(bytes, 4096) {
                    if let Ok(p) = codec::decode(&bytes[..len]) {
                        handle(&mut s, p, now, &mut accepted);
                    }
                }
            }
            // Structured packets with ids the session is likely to know.
            3..=6 => {
                let kind = input.u8();
                let id = pkid(&mut input, &s);
                let code = input.u8();
                let topic = TOPICS[usize::from(input.u8()) % TOPICS.len()];
                let codes = [code, code.wrapping_add(1)];
                let p = match kind % 10 {
                    0 => Incoming::ConnAck {
                        session_present: code & 1 == 1,
                        code: if code < 200 { 0 } else { code },
                    },
                    1 => Incoming::PubAck(id),
                    2 => Incoming::PubRec(id),
                    3 => Incoming::PubRel(id),
                    4 => Incoming::PubComp(id),
                    5 => Incoming::SubAck {
                        pkid: id,
                        return_codes: &codes[..usize::from(code % 3)],
                    },
                    6 => Incoming::UnsubAck(id),
                    7 => Incoming::PingResp,
                    8 => Incoming::Unexpected(code % 16),
                    _ => Incoming::Publish {
                        dup: code & 1 == 1,
                        qos: QoS::from_u8(code % 3).unwrap_or(QoS::AtMostOnce),
                        retain: code & 2 == 2,
                        topic,
                        pkid: if code % 3 == 0 { 0 } else { id },
                        payload: &payload[..usize::from(code % 16)],
                    },
                };
                handle(&mut s, p, now, &mut accepted);
            }
            7 => {
                let qos = input.u8() % 4;
                let id = input.u16();
                s.handle_oversized_publish(qos, id, now);
            }
            8..=10 => {
                let topic = TOPICS[usize::from(input.u8()) % TOPICS.len()];
                let qos = match input.u8() % 8 {
                    0..=4 => 1,
                    5 => 0,
                    6 => 2,
                    _ => 3,
                };
                let connected = s.is_connected();
                let valid = validate_topic_name(topic).is_ok();
                let before = s.pending_publish_count();
                match s.publish(topic, &payload, qos, false, now) {
                    Ok(p) => {
                        assert!(connected && valid && qos < 2);
                        let id = check_outgoing(&p, State::Connected);
                        if qos == 1 {
                            assert!(!accepted.contains(&id), "id {id} handed out twice");
                            accepted.push(id);
                        }
                    }
                    Err(Error::InvalidQos) => assert!(qos > 2),
                    Err(Error::InvalidTopic) => assert!(!valid),
                    Err(Error::NotConnected) => assert!(!connected && valid),
                    Err(Error::QosNotSupported) => assert!(connected && qos == 2),
                    Err(Error::PendingFull) => assert_eq!(before, 20),
                    Err(Error::NoMemory) => panic!("allocation failed"),
                    Err(Error::PacketTooLarge(len)) => panic!("no size limit is set, yet {len}"),
                }
            }
            11..=12 => {
                let topic = TOPICS[usize::from(input.u8()) % TOPICS.len()];
                let qos = input.u8() % 4;
                let handler = input.u8() % 3;
                match s.subscribe(topic, qos, handler, now) {
                    Ok(id) => assert_ne!(id, 0),
                    Err(Error::InvalidTopic) => assert!(validate_topic_filter(topic).is_err()),
                    Err(Error::NotConnected) => assert!(!s.is_connected()),
                    Err(Error::PendingFull) => {}
                    Err(e) => panic!("subscribe: {e}"),
                }
            }
            13 => {
                let topic = TOPICS[usize::from(input.u8()) % TOPICS.len()];
                if let Ok(id) = s.unsubscribe(topic, now) {
                    assert_ne!(id, 0);
                }
            }
            14..=16 => {
                now += match input.u8() % 4 {
                    0 => u64::from(input.u8()),
                    1 => u64::from(input.u16()),
                    2 => u64::from(input.u16()) * 8,
                    _ => u64::from(input.u32()),
                };
                s.handle_timeout(now);
                if matches!(s.state(), State::Connecting | State::Connected) {
                    // No busy loop: after handling, the next deadline is in the future.
                    assert!(s.next_deadline().is_some_and(|d| d > now), "{s:?}");
                }
            }
            17 => {
                if s.poll_connect_due(now) {
                    s.on_transport_open(now);
                }
            }
            18 => match input.u8() % 6 {
                0 => s.on_transport_open(now),
                1 => s.on_transport_lost(now, input.u32()),
                2 => s.on_connect_failed(now, input.u32()),
                3 => s.disable_reconnect(),
                4 => s.disconnect(),
                _ => s.add_entropy(input.u32()),
            },
            19..=21 => {
                let state = s.state();
                let mut n = 0;
                while let Some(p) = s.poll_transmit(now) {
                    check_outgoing(&p, state);
                    n += 1;
                    assert!(n < 500, "poll_transmit does not terminate");
                }
            }
            22 => while s.poll_event().is_some() {},
            _ => match input.u8() % 3 {
                0 => {
                    let id = pkid(&mut input, &s);
                    if s.cancel_request(id) {
                        accepted.retain(|a| *a != id);
                    }
                }
                1 => s.set_last_packet_id(input.u16()),
                _ => s
                    .set_credentials("c", "u", "p")
                    .unwrap_or_else(|e| panic!("set_credentials: {e}")),
            },
        }
        if let Err(e) = s.check_invariants() {
            panic!("invariant broken: {e}; {s:?}");
        }
        let pending: Vec<u16> = s.pending_publish_ids().collect();
        assert_eq!(pending, accepted, "a QoS1 message was lost or invented");
        if let Some(at) = s.reconnect_at() {
            assert!(at <= now + 60_000, "reconnect more than 60 s away");
        }
    }
}

/// A packet id: mostly one in use, else small or arbitrary.
fn pkid(input: &mut Input<'_>, s: &Session<u8>) -> u16 {
    let pending: Vec<u16> = s.pending_publish_ids().collect();
    match input.u8() % 4 {
        0 | 1 if !pending.is_empty() => pending[usize::from(input.u8()) % pending.len()],
        2 => u16::from(input.u8() % 32),
        _ => input.u16(),
    }
}

fn handle(s: &mut Session<u8>, p: Incoming<'_>, now: u64, accepted: &mut Vec<u16>) {
    let acked = match p {
        Incoming::PubAck(id) if s.is_connected() => Some(id),
        _ => None,
    };
    let d = s.handle(p, now);
    for slot in d.slots() {
        assert!(
            s.subscription(slot).is_some(),
            "dispatch to missing slot {slot}"
        );
    }
    if let Some(id) = acked {
        accepted.retain(|a| *a != id);
    }
}

/// Checks an outgoing packet and its encoding; returns its packet id (0 if none).
fn check_outgoing(p: &Outgoing<'_>, state: State) -> u16 {
    let id = match *p {
        Outgoing::Publish {
            qos, pkid, topic, ..
        } => {
            assert_eq!(qos == QoS::AtMostOnce, pkid == 0, "{p:?}");
            assert_ne!(qos, QoS::ExactlyOnce);
            assert!(validate_topic_name(topic).is_ok());
            pkid
        }
        Outgoing::Subscribe { pkid, filter, .. } | Outgoing::Unsubscribe { pkid, filter } => {
            assert_ne!(pkid, 0);
            assert!(validate_topic_filter(filter).is_ok());
            pkid
        }
        Outgoing::Connect { keepalive_s, .. } => {
            assert!((60..=300).contains(&keepalive_s));
            assert_eq!(state, State::Connecting);
            0
        }
        Outgoing::PubAck(id) | Outgoing::PubRec(id) | Outgoing::PubRel(id) => id,
        Outgoing::PubComp(id) => id,
        Outgoing::PingReq | Outgoing::Disconnect => 0,
    };
    // The size check V2.10 makes is the size encode writes, and the frame reads back.
    let len = codec::encoded_len(p);
    let mut out = vec![0u8; len];
    assert_eq!(codec::encode(p, &mut out), Ok(len), "{p:?}");
    assert_eq!(codec::frame(&out, len), codec::Frame::Complete { len });
    // Packets a server may send too decode back to themselves.
    let back = codec::decode(&out).ok();
    let back = back.as_ref().and_then(as_outgoing);
    if let Some(back) = back {
        assert_eq!(&back, p);
    }
    id
}
