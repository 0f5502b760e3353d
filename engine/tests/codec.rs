//! The wire format: exact bytes of every packet a client sends, decoding of what it receives,
//! framing of split and lying streams, and draining oversized packets.

use iotmqtt_engine::codec::*;
use iotmqtt_engine::{Incoming, Outgoing, QoS};

fn enc(p: Outgoing<'_>) -> Vec<u8> {
    let mut buf = [0u8; 512];
    let n = encode(&p, &mut buf).expect("fits");
    buf[..n].to_vec()
}

#[test]
fn connect_bytes_for_the_sample_device() {
    let bytes = enc(Outgoing::Connect {
        client_id: "c",
        username: "u",
        password: "p",
        keepalive_s: 60,
        clean_session: false,
    });
    assert_eq!(
        bytes,
        [
            0x10, 19, 0, 4, b'M', b'Q', b'T', b'T', 4, 0xc0, 0, 60, 0, 1, b'c', 0, 1, b'u', 0, 1,
            b'p'
        ]
    );
}

#[test]
fn publish_round_trip_and_flags() {
    let bytes = enc(Outgoing::Publish {
        dup: true,
        qos: QoS::AtLeastOnce,
        retain: false,
        topic: "a/b",
        pkid: 0x1234,
        payload: b"hi",
    });
    assert_eq!(
        bytes,
        [0x3a, 9, 0, 3, b'a', b'/', b'b', 0x12, 0x34, b'h', b'i']
    );
    assert_eq!(frame(&bytes, 64), Frame::Complete { len: 11 });
    assert_eq!(
        decode(&bytes),
        Ok(Incoming::Publish {
            dup: true,
            qos: QoS::AtLeastOnce,
            retain: false,
            topic: "a/b",
            pkid: 0x1234,
            payload: b"hi"
        })
    );
}

#[test]
fn subscribe_carries_the_packet_id() {
    let bytes = enc(Outgoing::Subscribe {
        pkid: 7,
        filter: "a/+",
        qos: QoS::AtLeastOnce,
    });
    assert_eq!(bytes, [0x82, 8, 0, 7, 0, 3, b'a', b'/', b'+', 1]);
    let bytes = enc(Outgoing::Unsubscribe {
        pkid: 9,
        filter: "a",
    });
    assert_eq!(bytes, [0xa2, 5, 0, 9, 0, 1, b'a']);
}

#[test]
fn acks_and_pings() {
    assert_eq!(enc(Outgoing::PubAck(258)), [0x40, 2, 1, 2]);
    assert_eq!(enc(Outgoing::PubRel(1)), [0x62, 2, 0, 1]);
    assert_eq!(enc(Outgoing::PingReq), [0xc0, 0]);
    assert_eq!(enc(Outgoing::Disconnect), [0xe0, 0]);
    assert_eq!(
        decode(&[0x90, 3, 0, 5, 0x80]),
        Ok(Incoming::SubAck {
            pkid: 5,
            return_codes: &[0x80]
        })
    );
    assert_eq!(
        decode(&[0x20, 2, 0, 5]),
        Ok(Incoming::ConnAck {
            session_present: false,
            code: 5
        })
    );
    assert_eq!(decode(&[0xd0, 0]), Ok(Incoming::PingResp));
    assert_eq!(decode(&[0x62, 2, 0, 3]), Ok(Incoming::PubRel(3)));
    assert_eq!(decode(&[0xc0, 0]), Ok(Incoming::Unexpected(12)));
}

#[test]
fn lying_lengths_and_truncation() {
    // Topic length beyond the packet.
    assert!(decode(&[0x30, 3, 0, 9, b'a']).is_err());
    // QoS1 without a packet id.
    assert!(decode(&[0x32, 3, 0, 1, b'a']).is_err());
    // Packet id 0.
    assert!(decode(&[0x40, 2, 0, 0]).is_err());
    // Remaining length of five bytes.
    assert_eq!(
        frame(&[0x30, 0xff, 0xff, 0xff, 0xff, 0x01], 1000),
        Frame::Malformed
    );
    // Partial packet.
    assert_eq!(frame(&[0x30], 100), Frame::Incomplete { need: 1 });
    assert!(matches!(
        frame(&[0x30, 10, 0], 100),
        Frame::Incomplete { .. }
    ));
    // Too large is known from the header alone.
    assert_eq!(
        frame(&[0x32, 0x80, 0x01, 0], 100),
        Frame::TooLarge {
            header_len: 3,
            remaining_len: 128
        }
    );
    // Write buffer too small.
    let mut small = [0u8; 4];
    assert_eq!(
        encode(
            &Outgoing::Publish {
                dup: false,
                qos: QoS::AtMostOnce,
                retain: false,
                topic: "abc",
                pkid: 0,
                payload: b""
            },
            &mut small
        ),
        Err(TooLarge)
    );
}

#[test]
fn drain_finds_the_packet_id_in_any_split() {
    // QoS1, topic "a", id 0x0102, payload 0xaa; header 3 bytes (remaining 128 claimed).
    let head = [0x32, 0x80, 0x01, 0, 1, b'a', 0x01, 0x02, 0xaa];
    for split in 0..head.len() {
        let mut d = Drain::new(head[0], 3, 128);
        assert_eq!(d.feed(&head[..split]) + d.feed(&head[split..]), head.len());
        assert_eq!(d.remaining(), 131 - head.len());
        assert_eq!(d.feed(&[0; 200]), 131 - head.len());
        assert!(d.finished());
        assert_eq!(d.ack(), (1, 0x0102), "split at {split}");
    }
    // A topic longer than any read buffer: the id comes after 300 topic bytes.
    let mut d = Drain::new(0x34, 3, 2 + 300 + 2 + 10);
    d.feed(&[0x34, 0x80 | 59, 2, 0x01, 0x2c]);
    for _ in 0..300 {
        assert_eq!(d.ack(), (0, 0));
        d.feed(b"t");
    }
    d.feed(&[0x12]);
    assert_eq!(d.ack(), (0, 0), "half an id is no id");
    d.feed(&[0x34]);
    assert_eq!(d.ack(), (2, 0x1234));
    // QoS0 and non-PUBLISH packets owe nothing; nor does a packet too short for its id.
    let mut d = Drain::new(0x30, 2, 100);
    d.feed(&[0x30, 100, 0, 1, b'a', 1, 2]);
    assert_eq!(d.ack(), (0, 0));
    let mut d = Drain::new(0x32, 2, 4);
    d.feed(&[0x32, 4, 0, 9, b'a', b'b']);
    assert!(d.finished());
    assert_eq!(d.ack(), (0, 0));
}

#[test]
fn encoded_len_is_what_encode_writes() {
    let packets = [
        Outgoing::Connect {
            client_id: "c",
            username: "u",
            password: "p",
            keepalive_s: 60,
            clean_session: true,
        },
        Outgoing::Connect {
            client_id: "anonymous",
            username: "",
            password: "",
            keepalive_s: 60,
            clean_session: false,
        },
        Outgoing::Publish {
            dup: false,
            qos: QoS::AtLeastOnce,
            retain: true,
            topic: "a/b",
            pkid: 1,
            payload: &[7; 300],
        },
        Outgoing::Publish {
            dup: false,
            qos: QoS::AtMostOnce,
            retain: false,
            topic: "a",
            pkid: 0,
            payload: b"",
        },
        Outgoing::Subscribe {
            pkid: 3,
            filter: "a/#",
            qos: QoS::AtMostOnce,
        },
        Outgoing::Unsubscribe {
            pkid: 3,
            filter: "a/#",
        },
        Outgoing::PubAck(1),
        Outgoing::PingReq,
    ];
    for p in packets {
        let mut buf = [0u8; 512];
        assert_eq!(encode(&p, &mut buf), Ok(encoded_len(&p)), "{p:?}");
        let short = encoded_len(&p) - 1;
        assert_eq!(encode(&p, &mut buf[..short]), Err(TooLarge), "{p:?}");
    }
}

mod framing_oracle {
    //! Our framing against mqttbytes' `check`, an independent implementation (a dev-dependency
    //! only): for any bytes, both agree on where a packet ends, on "wait for more" and on a
    //! remaining length that can never be valid.
    use iotmqtt_engine::codec::{frame, Frame};
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(20_000))]

        #[test]
        fn frame_agrees_with_mqttbytes(
            bytes in proptest::collection::vec(any::<u8>(), 0..24),
            // Short streams with long claimed lengths are the interesting part.
            continuation in proptest::collection::vec(0x80u8..=0xff, 0..5),
        ) {
            let mut stream = bytes.clone();
            if let Some(first) = bytes.first() {
                stream = vec![*first];
                stream.extend(&continuation);
                stream.extend(bytes.iter().skip(1));
            }
            let oracle = mqttbytes::check(stream.iter(), usize::MAX);
            match (frame(&stream, usize::MAX), oracle) {
                (Frame::Complete { len }, Ok(header)) => prop_assert_eq!(len, header.frame_length()),
                (Frame::Incomplete { need }, Err(mqttbytes::Error::InsufficientBytes(n))) => {
                    prop_assert_eq!(need, n)
                }
                (Frame::Malformed, Err(mqttbytes::Error::MalformedRemainingLength)) => {}
                (ours, theirs) => prop_assert!(false, "{:?}: ours {:?}, mqttbytes {:?}", stream, ours, theirs),
            }
            // A whole packet one byte over the limit is TooLarge.
            if let Ok(header) = mqttbytes::check(stream.iter(), usize::MAX) {
                let limit = header.frame_length().saturating_sub(1);
                let too_large = matches!(frame(&stream, limit), Frame::TooLarge { .. });
                prop_assert!(too_large);
            }
        }
    }
}
