//! Random sequences of network input, API calls and time: no panic, invariants always hold,
//! and the engine's output stays well-formed.

mod common;
use common::*;
use iotmqtt_engine::{validate_topic_name, Error, Incoming, Outgoing, QoS, Session, State};
use proptest::prelude::*;

// The first VALID_NAMES are valid topic names; the rest are filters or invalid.
const TOPICS: &[&str] = &[
    "a", "a/b", "a/b/c", "/a", "a//b", "$SYS/x", "sp ace", "", "a/+", "a/#", "#", "+", "+/b",
    "a/#/b", "a\u{1}",
];
const VALID_NAMES: u64 = 7;

#[derive(Clone, Debug)]
enum In {
    ConnAck(bool, u8),
    Publish {
        dup: bool,
        qos: QoS,
        retain: bool,
        topic: usize,
        pkid: u16,
        len: usize,
    },
    PubAck(u16),
    PubRec(u16),
    PubRel(u16),
    PubComp(u16),
    SubAck(u16, Vec<u8>),
    UnsubAck(u16),
    PingResp,
    Unexpected(u8),
}

#[derive(Clone, Debug)]
enum Op {
    Net(In),
    Oversized(u8, u16),
    Publish(usize, u8, bool),
    Subscribe(usize, u8),
    Unsubscribe(usize),
    Advance(u64),
    Open,
    Lost(u32),
    ConnectFailed(u32),
    ConnectDue,
    DisableReconnect,
    Disconnect,
    Transmit,
    Events,
    Credentials,
    LastId(u16),
    Cancel(u16),
}

/// Bit source for decoding one operation from a random word. Decoding words is far cheaper
/// than composing proptest strategies in a debug build, which keeps 10 000 cases fast.
struct Bits(u64);

impl Bits {
    fn take(&mut self, n: u64) -> u64 {
        let v = self.0 % n;
        self.0 /= n;
        v
    }
    fn bool(&mut self) -> bool {
        self.take(2) == 1
    }
    fn pkid(&mut self) -> u16 {
        match self.take(6) {
            0 => u16::MAX,
            1 => self.take(65_536) as u16,
            _ => self.take(24) as u16,
        }
    }
    fn qos(&mut self) -> QoS {
        QoS::from_u8(self.take(3) as u8).unwrap()
    }
    fn topic(&mut self) -> usize {
        self.take(TOPICS.len() as u64) as usize
    }
    /// Mostly valid names, so API calls get past validation.
    fn name(&mut self) -> usize {
        if self.take(4) == 0 {
            self.topic()
        } else {
            self.take(VALID_NAMES) as usize
        }
    }
    /// Mostly QoS1, the interesting case; sometimes 0, 2 or out of range.
    fn api_qos(&mut self) -> u8 {
        match self.take(8) {
            0..=4 => 1,
            5 => 0,
            6 => 2,
            _ => 3,
        }
    }
    fn code(&mut self) -> u8 {
        match self.take(4) {
            0 => 0,
            1 => 1,
            2 => 0x80,
            _ => self.take(256) as u8,
        }
    }
}

fn decode_incoming(b: &mut Bits) -> In {
    match b.take(20) {
        0..=1 => {
            let sp = b.bool();
            let code = if b.take(5) == 0 { b.take(256) as u8 } else { 0 };
            In::ConnAck(sp, code)
        }
        2..=5 => In::Publish {
            dup: b.bool(),
            qos: b.qos(),
            retain: b.bool(),
            topic: b.topic(),
            pkid: b.pkid(),
            len: b.take(8) as usize,
        },
        6..=8 => In::PubAck(b.pkid()),
        9 => In::PubRec(b.pkid()),
        10..=11 => In::PubRel(b.pkid()),
        12 => In::PubComp(b.pkid()),
        13..=15 => {
            let p = b.pkid();
            let n = b.take(3);
            In::SubAck(p, (0..n).map(|_| b.code()).collect())
        }
        16..=17 => In::UnsubAck(b.pkid()),
        18 => In::PingResp,
        _ => In::Unexpected(b.take(16) as u8),
    }
}

fn decode(word: u64) -> Op {
    let mut b = Bits(word);
    match b.take(48) {
        0..=11 => Op::Net(decode_incoming(&mut b)),
        12 => Op::Oversized(b.take(4) as u8, b.pkid()),
        13..=17 => Op::Publish(b.name(), b.api_qos(), b.bool()),
        18..=21 => Op::Subscribe(b.name(), b.api_qos()),
        22..=23 => Op::Unsubscribe(b.topic()),
        24..=28 => Op::Advance(match b.take(3) {
            0 => b.take(100),
            1 => b.take(10_000),
            _ => b.take(120_000),
        }),
        29..=31 => Op::Open,
        32 => Op::Lost(b.take(1 << 32) as u32),
        33 => Op::ConnectFailed(b.take(1 << 32) as u32),
        34..=35 => Op::ConnectDue,
        36 => Op::DisableReconnect,
        37 => Op::Disconnect,
        38..=41 => Op::Transmit,
        42..=43 => Op::Events,
        44 => Op::Credentials,
        45 => Op::LastId(b.pkid()),
        46 => Op::Cancel(b.pkid()),
        _ => Op::Transmit,
    }
}

fn ops(max_len: usize) -> impl Strategy<Value = Vec<Op>> {
    proptest::collection::vec(any::<u64>(), 0..max_len)
        .prop_map(|words| words.into_iter().map(decode).collect())
}

fn check_outgoing(p: &Outgoing<'_>, state: State) {
    match *p {
        Outgoing::Publish {
            qos, pkid, topic, ..
        } => {
            assert_eq!(qos == QoS::AtMostOnce, pkid == 0, "{p:?}");
            assert_ne!(qos, QoS::ExactlyOnce);
            assert!(iotmqtt_engine::validate_topic_name(topic).is_ok());
        }
        Outgoing::Subscribe { pkid, filter, .. } | Outgoing::Unsubscribe { pkid, filter } => {
            assert_ne!(pkid, 0);
            assert!(iotmqtt_engine::validate_topic_filter(filter).is_ok());
        }
        Outgoing::Connect { keepalive_s, .. } => {
            assert!((60..=300).contains(&keepalive_s));
            assert_eq!(state, State::Connecting);
        }
        _ => {}
    }
}

fn run(cfg_bits: (u32, u32, bool), ops: Vec<Op>) {
    let mut s: Session<usize> = Session::new(config(cfg_bits.0, cfg_bits.1, cfg_bits.2)).unwrap();
    let mut now = 0u64;
    let payload = [0xA5u8; 8];
    for op in ops {
        match op {
            Op::Net(i) => {
                let codes;
                let pkt = match i {
                    In::ConnAck(session_present, code) => Incoming::ConnAck {
                        session_present,
                        code,
                    },
                    In::Publish {
                        dup,
                        qos,
                        retain,
                        topic,
                        pkid,
                        len,
                    } => Incoming::Publish {
                        dup,
                        qos,
                        retain,
                        topic: TOPICS[topic],
                        pkid,
                        payload: &payload[..len],
                    },
                    In::PubAck(p) => Incoming::PubAck(p),
                    In::PubRec(p) => Incoming::PubRec(p),
                    In::PubRel(p) => Incoming::PubRel(p),
                    In::PubComp(p) => Incoming::PubComp(p),
                    In::SubAck(p, c) => {
                        codes = c;
                        Incoming::SubAck {
                            pkid: p,
                            return_codes: &codes,
                        }
                    }
                    In::UnsubAck(p) => Incoming::UnsubAck(p),
                    In::PingResp => Incoming::PingResp,
                    In::Unexpected(t) => Incoming::Unexpected(t),
                };
                let d = s.handle(pkt, now);
                for slot in d.slots() {
                    assert!(
                        s.subscription(slot).is_some(),
                        "dispatch to missing slot {slot}"
                    );
                }
            }
            Op::Oversized(q, p) => s.handle_oversized_publish(q, p, now),
            Op::Publish(t, q, r) => {
                let connected = s.is_connected();
                let valid = validate_topic_name(TOPICS[t]).is_ok();
                match s.publish(TOPICS[t], &payload, q, r, now) {
                    Ok(p) => {
                        assert!(connected && valid && q < 2);
                        check_outgoing(&p, State::Connected);
                    }
                    Err(Error::InvalidQos) => assert!(q > 2),
                    Err(Error::InvalidTopic) => assert!(!valid),
                    Err(Error::NotConnected) => assert!(!connected && valid),
                    Err(Error::QosNotSupported) => assert!(connected && q == 2),
                    Err(Error::PendingFull) => assert_eq!(s.pending_publish_count(), 20),
                    Err(Error::NoMemory) => panic!("allocation failed"),
                    Err(Error::PacketTooLarge(len)) => panic!("no size limit is set, yet {len}"),
                }
            }
            Op::Subscribe(t, q) => {
                if let Ok(id) = s.subscribe(TOPICS[t], q, t, now) {
                    assert_ne!(id, 0);
                }
            }
            Op::Unsubscribe(t) => {
                if let Ok(id) = s.unsubscribe(TOPICS[t], now) {
                    assert_ne!(id, 0);
                }
            }
            Op::Advance(ms) => {
                now += ms;
                s.handle_timeout(now);
                if matches!(s.state(), State::Connecting | State::Connected) {
                    // No busy loop: after handling, the next deadline is in the future.
                    assert!(s.next_deadline().is_some_and(|d| d > now), "{:?}", s);
                }
            }
            Op::Open => s.on_transport_open(now),
            Op::Lost(r) => s.on_transport_lost(now, r),
            Op::ConnectFailed(r) => s.on_connect_failed(now, r),
            Op::ConnectDue => {
                if s.poll_connect_due(now) {
                    s.on_transport_open(now);
                }
            }
            Op::DisableReconnect => s.disable_reconnect(),
            Op::Disconnect => s.disconnect(),
            Op::Transmit => {
                let state = s.state();
                let mut n = 0;
                while let Some(p) = s.poll_transmit(now) {
                    check_outgoing(&p, state);
                    n += 1;
                    assert!(n < 500, "poll_transmit does not terminate");
                }
            }
            Op::Events => while s.poll_event().is_some() {},
            Op::Credentials => s.set_credentials("c", "u", "p").unwrap(),
            Op::LastId(p) => s.set_last_packet_id(p),
            Op::Cancel(p) => {
                s.cancel_request(p);
            }
        }
        if let Err(e) = s.check_invariants() {
            panic!("invariant broken: {e}; {s:?}");
        }
        if let Some(at) = s.reconnect_at() {
            assert!(at <= now + 60_000, "reconnect more than 60 s away");
        }
    }
}

fn cfg() -> impl Strategy<Value = (u32, u32, bool)> {
    (
        prop_oneof![Just(60_000u32), any::<u32>()],
        prop_oneof![Just(500u32), Just(2000), any::<u32>()],
        any::<bool>(),
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(10_000))]

    #[test]
    fn random_sequences_keep_invariants(c in cfg(), ops in ops(80)) {
        run(c, ops);
    }

    /// Mostly-connected sessions with few acks, so the connected-state paths and the limits
    /// get deep coverage.
    #[test]
    fn random_sequences_when_connected(c in cfg(), ops in ops(250)) {
        let mut all = vec![Op::Open, Op::Transmit, Op::Net(In::ConnAck(false, 0))];
        // Without the operations that end the connection, queues fill up and limits are hit.
        all.extend(ops.into_iter().filter(|o| {
            !matches!(
                o,
                Op::Disconnect
                    | Op::DisableReconnect
                    | Op::Open
                    | Op::Lost(_)
                    | Op::ConnectFailed(_)
                    | Op::Net(In::Unexpected(_))
                    | Op::Net(In::PubAck(_))
            )
        }));
        run(c, all);
    }
}

#[test]
fn engine_survives_a_connected_soak() {
    // A fixed long run: subscribe, publish, ack and ping through many reconnects.
    let mut s = connected(default_config());
    let mut now = 0u64;
    for i in 0..5_000u32 {
        now += 997;
        let _ = s.publish("t", b"p", (i % 2) as u8, false, now);
        if i % 7 == 0 {
            let _ = s.subscribe("t/#", 1, 0, now);
        }
        if i % 11 == 0 {
            let _ = s.unsubscribe("t/#", now);
        }
        s.handle_timeout(now);
        let mut acks = Vec::new();
        while let Some(p) = s.poll_transmit(now) {
            acks.push(own(p));
        }
        for p in acks {
            match p {
                Out::Publish {
                    pkid,
                    qos: QoS::AtLeastOnce,
                    ..
                } if i % 3 != 0 => {
                    s.handle(Incoming::PubAck(pkid), now);
                }
                Out::Subscribe { pkid, .. } => {
                    s.handle(
                        Incoming::SubAck {
                            pkid,
                            return_codes: &[1],
                        },
                        now,
                    );
                }
                Out::Unsubscribe { pkid, .. } if i % 2 == 0 => {
                    s.handle(Incoming::UnsubAck(pkid), now);
                }
                Out::PingReq => {
                    s.handle(Incoming::PingResp, now);
                }
                _ => {}
            }
        }
        if i % 500 == 499 {
            s.on_transport_lost(now, i);
            now = s.reconnect_at().unwrap();
            connect(&mut s, now, true);
        }
        while s.poll_event().is_some() {}
        s.check_invariants().unwrap();
    }
}
