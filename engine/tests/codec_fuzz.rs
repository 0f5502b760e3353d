//! Property test: valid frames of every packet type, then mutated lengths, ids, flags and
//! truncation, fed through the codec and the engine the way the driver does. Never a panic;
//! every frame ends in a packet, a clean error or a wait for more bytes; the engine's
//! invariants (pending lists, subscription table, packet ids) hold afterwards.

use iotmqtt_engine::codec::{self, Frame};
use iotmqtt_engine::{Config, Incoming, Outgoing, QoS, Session};
use proptest::prelude::*;

const LIMIT: usize = 256;

/// Valid frames of every packet type a client can receive (and some it must not).
fn seed_frames() -> Vec<Vec<u8>> {
    let mut frames = vec![
        vec![0x20, 2, 0, 0],                // CONNACK accepted
        vec![0x20, 2, 1, 5],                // CONNACK refused
        vec![0x40, 2, 0, 1],                // PUBACK
        vec![0x50, 2, 0, 2],                // PUBREC
        vec![0x62, 2, 0, 3],                // PUBREL
        vec![0x70, 2, 0, 4],                // PUBCOMP
        vec![0x90, 3, 0, 1, 0x01],          // SUBACK
        vec![0x90, 3, 0, 2, 0x80],          // SUBACK failure
        vec![0xb0, 2, 0, 3],                // UNSUBACK
        vec![0xd0, 0],                      // PINGRESP
        vec![0xc0, 0],                      // PINGREQ (never to a client)
        vec![0xe0, 0],                      // DISCONNECT
        vec![0x82, 6, 0, 1, 0, 1, b'a', 0], // SUBSCRIBE (never to a client)
    ];
    for (qos, pkid) in [
        (QoS::AtMostOnce, 0),
        (QoS::AtLeastOnce, 7),
        (QoS::ExactlyOnce, 9),
    ] {
        let mut buf = [0u8; 64];
        let packet = Outgoing::Publish {
            dup: false,
            qos,
            retain: pkid == 9,
            topic: "a/b",
            pkid,
            payload: b"payload",
        };
        if let Ok(n) = codec::encode(&packet, &mut buf) {
            frames.push(buf[..n].to_vec());
        }
    }
    frames
}

#[derive(Clone, Debug)]
enum Mutation {
    None,
    SetByte(usize, u8),
    XorByte(usize, u8),
    Truncate(usize),
    Append(Vec<u8>),
    LengthLies(u8),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        Just(Mutation::None),
        (0..16usize, any::<u8>()).prop_map(|(i, b)| Mutation::SetByte(i, b)),
        (0..16usize, any::<u8>()).prop_map(|(i, b)| Mutation::XorByte(i, b)),
        (0..16usize).prop_map(Mutation::Truncate),
        proptest::collection::vec(any::<u8>(), 0..8).prop_map(Mutation::Append),
        any::<u8>().prop_map(Mutation::LengthLies),
    ]
}

fn apply(mut frame: Vec<u8>, m: &Mutation) -> Vec<u8> {
    match m {
        Mutation::None => {}
        Mutation::SetByte(i, b) => {
            if let Some(x) = frame.get_mut(*i) {
                *x = *b;
            }
        }
        Mutation::XorByte(i, b) => {
            if let Some(x) = frame.get_mut(*i) {
                *x ^= *b;
            }
        }
        Mutation::Truncate(n) => frame.truncate(*n),
        Mutation::Append(extra) => frame.extend_from_slice(extra),
        Mutation::LengthLies(len) => {
            if let Some(x) = frame.get_mut(1) {
                *x = *len;
            }
        }
    }
    frame
}

fn connected_session(now: u64) -> Session<u8> {
    let mut s = Session::new(Config {
        client_id: "c".into(),
        username: "u".into(),
        password: "p".into(),
        keepalive_ms: 60_000,
        request_timeout_ms: 2_000,
        clean_session: true,
    })
    .expect("session");
    s.on_transport_open(now);
    while s.poll_transmit(now).is_some() {}
    s.handle(
        Incoming::ConnAck {
            session_present: false,
            code: 0,
        },
        now,
    );
    s.subscribe("a/+", 1, 1, now).expect("subscribe");
    let _ = s.publish("a/b", b"x", 1, false, now).map(|_| ());
    s
}

/// What the driver does with a byte stream: frame, decode, hand to the engine, or give up.
fn feed(session: &mut Session<u8>, stream: &[u8], now: u64) {
    let mut pos = 0;
    while let Some(rest) = stream.get(pos..).filter(|r| !r.is_empty()) {
        match codec::frame(rest, LIMIT) {
            Frame::Complete { len } => {
                assert!(
                    len > 0 && len <= rest.len(),
                    "frame length within the bytes"
                );
                match codec::decode(&rest[..len]) {
                    Ok(packet) => {
                        let _ = session.handle(packet, now);
                    }
                    Err(_) => {
                        session.on_transport_lost(now, 7);
                        return;
                    }
                }
                pos += len;
            }
            Frame::Incomplete { need } => {
                assert!(need > 0);
                return;
            }
            Frame::TooLarge {
                header_len,
                remaining_len,
            } => {
                let first = rest.first().copied().unwrap_or(0);
                let mut drain = codec::Drain::new(first, header_len, remaining_len);
                let used = drain.feed(rest);
                assert!(used <= rest.len(), "a drain takes only its own bytes");
                if drain.finished() {
                    let (qos, pkid) = drain.ack();
                    session.handle_oversized_publish(qos, pkid, now);
                }
                return;
            }
            Frame::Malformed => {
                session.on_transport_lost(now, 7);
                return;
            }
        }
        while session.poll_transmit(now).is_some() {}
        while session.poll_event().is_some() {}
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(10_000))]

    #[test]
    fn mutated_frames_never_break_the_client(
        picks in proptest::collection::vec((0..16usize, mutation()), 1..6),
        split in 0..64usize,
    ) {
        let seeds = seed_frames();
        let mut stream = Vec::new();
        for (index, m) in &picks {
            let frame = seeds[index % seeds.len()].clone();
            stream.extend(apply(frame, m));
        }
        let mut session = connected_session(0);
        // Delivered in two pieces, as over many reads.
        let cut = split.min(stream.len());
        feed(&mut session, &stream[..cut], 10);
        feed(&mut session, &stream, 20);
        session.handle_timeout(100_000);
        while session.poll_transmit(100_000).is_some() {}
        prop_assert_eq!(session.check_invariants(), Ok(()));
    }
}

#[test]
fn every_seed_frame_decodes() {
    for frame in seed_frames() {
        assert_eq!(
            codec::frame(&frame, LIMIT),
            Frame::Complete { len: frame.len() }
        );
        assert!(codec::decode(&frame).is_ok(), "{frame:?}");
    }
}
