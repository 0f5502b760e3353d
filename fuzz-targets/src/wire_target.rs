//! The wire target: the codec's framer, decoder and drain, whole stream versus split reads.

use iotmqtt_engine::codec::{self, Drain, Frame};
use iotmqtt_engine::Incoming;

use crate::{as_outgoing, split_sizes, Input};

/// What the reader made of one packet of the stream, owned so runs can be compared.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Item {
    /// A complete frame of this many bytes, and what decoding it gave (Debug text).
    Packet(usize, Result<String, codec::DecodeError>),
    /// A packet larger than the buffer, drained, and the acknowledgement it is owed.
    Drained(usize, (u8, u16)),
    /// An invalid remaining length: the reader stops (the driver drops the connection).
    Malformed,
}

/// How a run ended: the items, then bytes of an unfinished packet (buffered, or still to be
/// drained).
#[derive(Debug, PartialEq, Eq)]
struct Outcome {
    items: Vec<Item>,
    pending: Pending,
}

#[derive(Debug, PartialEq, Eq)]
enum Pending {
    Nothing,
    /// This many bytes of a packet that fits the buffer.
    Buffered(usize),
    /// Draining an oversized packet: bytes still to come.
    Draining(usize),
    Stopped,
}

/// Input: 2 bytes buffer limit (5..=1028: a fixed header always fits, as the driver's buffers
/// of at least 16 bytes do), split-seed length, split seed, then the stream.
pub fn wire(data: &[u8]) {
    let mut input = Input::new(data);
    let limit = 5 + usize::from(input.u16() % 1024);
    let seed_len = usize::from(input.u8() % 16);
    let seed = input.take(seed_len);
    let stream = input.rest();

    let whole = reference(stream, limit);
    let split = reassemble(stream, limit, split_sizes(seed));
    assert_eq!(
        whole, split,
        "whole stream and split reads framed differently"
    );
}

/// Frames the whole stream at once, checking each frame's own properties.
fn reference(stream: &[u8], limit: usize) -> Outcome {
    let mut items = Vec::new();
    let mut pos = 0;
    loop {
        let rest = stream.get(pos..).unwrap_or(&[]);
        if rest.is_empty() {
            return Outcome {
                items,
                pending: Pending::Nothing,
            };
        }
        match codec::frame(rest, limit) {
            Frame::Complete { len } => {
                assert!((2..=limit).contains(&len) && len <= rest.len(), "{len}");
                let bytes = &rest[..len];
                items.push(Item::Packet(len, check_decode(bytes)));
                pos += len;
            }
            Frame::Incomplete { need } => {
                assert!(need >= 1);
                // A true lower bound: fewer than `need` more bytes never complete the frame.
                // (The stream ended here, so extend with every byte value that could follow.)
                for filler in [0x00u8, 0x7f, 0x80, 0xff] {
                    let mut longer = rest.to_vec();
                    longer.resize(rest.len() + need - 1, filler);
                    assert!(
                        matches!(codec::frame(&longer, limit), Frame::Incomplete { .. }),
                        "need {need} was not a lower bound"
                    );
                }
                return Outcome {
                    items,
                    pending: Pending::Buffered(rest.len()),
                };
            }
            Frame::TooLarge {
                header_len,
                remaining_len,
            } => {
                let total = header_len + remaining_len;
                assert!(total > limit);
                let first = rest[0];
                let mut drain = Drain::new(first, header_len, remaining_len);
                let used = drain.feed(rest);
                assert_eq!(used, rest.len().min(total));
                pos += used;
                if !drain.finished() {
                    assert_eq!(drain.remaining(), total - used);
                    return Outcome {
                        items,
                        pending: Pending::Draining(drain.remaining()),
                    };
                }
                let ack = finished(&drain);
                check_drain_ack(&rest[..total], ack);
                items.push(Item::Drained(total, ack));
            }
            Frame::Malformed => {
                items.push(Item::Malformed);
                return Outcome {
                    items,
                    pending: Pending::Stopped,
                };
            }
        }
    }
}

/// Reads the stream as the driver does: into a buffer of `limit` bytes, in pieces of the
/// given sizes, framing after every read, draining oversized packets as they pass.
fn reassemble(stream: &[u8], limit: usize, mut sizes: impl Iterator<Item = usize>) -> Outcome {
    let mut items = Vec::new();
    let mut buf: Vec<u8> = Vec::with_capacity(limit);
    let mut drain: Option<(Drain, usize)> = None;
    let mut rest = stream;
    while !rest.is_empty() {
        let want = sizes.next().unwrap_or(1);
        if let Some((mut d, total)) = drain {
            // The rest of an oversized packet passes through and is dropped.
            let n = want.min(d.remaining()).min(limit).min(rest.len());
            let (piece, tail) = rest.split_at(n);
            rest = tail;
            assert_eq!(d.feed(piece), n);
            if d.finished() {
                items.push(Item::Drained(total, finished(&d)));
                drain = None;
            } else {
                drain = Some((d, total));
            }
            continue;
        }
        let free = limit - buf.len();
        assert!(free > 0, "buffer full of an incomplete packet");
        let n = want.min(free).min(rest.len());
        let (piece, tail) = rest.split_at(n);
        rest = tail;
        buf.extend_from_slice(piece);
        // Process every complete packet in the buffer (the driver's process_input).
        let mut pos = 0;
        loop {
            let pending = &buf[pos..];
            if pending.is_empty() {
                break;
            }
            match codec::frame(pending, limit) {
                Frame::Complete { len } => {
                    items.push(Item::Packet(len, check_decode(&pending[..len])));
                    pos += len;
                }
                Frame::Incomplete { .. } => break,
                Frame::TooLarge {
                    header_len,
                    remaining_len,
                } => {
                    let total = header_len + remaining_len;
                    let mut d = Drain::new(pending[0], header_len, remaining_len);
                    pos += d.feed(pending);
                    if d.finished() {
                        items.push(Item::Drained(total, finished(&d)));
                    } else {
                        drain = Some((d, total));
                    }
                }
                Frame::Malformed => {
                    items.push(Item::Malformed);
                    return Outcome {
                        items,
                        pending: Pending::Stopped,
                    };
                }
            }
        }
        buf.drain(..pos);
    }
    let pending = match drain {
        Some((d, _)) => Pending::Draining(d.remaining()),
        None if buf.is_empty() => Pending::Nothing,
        None => Pending::Buffered(buf.len()),
    };
    Outcome { items, pending }
}

/// A finished drain takes no more bytes and owes what it owes.
fn finished(d: &Drain) -> (u8, u16) {
    let mut probe = *d;
    assert_eq!(probe.feed(&[0, 0]), 0, "a finished drain took more bytes");
    assert_eq!(d.remaining(), 0);
    d.ack()
}

/// Decodes a complete frame and checks what it gives against the bytes.
fn check_decode(bytes: &[u8]) -> Result<String, codec::DecodeError> {
    let decoded = codec::decode(bytes)?;
    let minimal_header = {
        let remaining = bytes.len() - header_len(bytes);
        codec::packet_len(remaining) == bytes.len()
    };
    match decoded {
        Incoming::Publish { qos, pkid, .. } => assert_eq!(qos as u8 > 0, pkid != 0),
        Incoming::SubAck { return_codes, .. } => {
            assert_eq!(return_codes.len(), bytes.len() - header_len(bytes) - 2);
        }
        Incoming::ConnAck { .. } | Incoming::UnsubAck(_) => {
            assert_eq!(bytes.len() - header_len(bytes), 2);
        }
        Incoming::PingResp => assert_eq!(bytes.len(), header_len(bytes)),
        Incoming::Unexpected(kind) => {
            assert!(matches!(kind, 0 | 1 | 8 | 10 | 12 | 14 | 15), "{kind}");
        }
        Incoming::PubAck(_) | Incoming::PubRec(_) | Incoming::PubRel(_) | Incoming::PubComp(_) => {}
    }
    // Canonical packets a client also sends re-encode to exactly their bytes.
    let again = as_outgoing(&decoded);
    if let (Some(p), true) = (&again, minimal_header) {
        assert_eq!(codec::encoded_len(p), bytes.len(), "{p:?}");
        let mut out = vec![0u8; bytes.len()];
        assert_eq!(codec::encode(p, &mut out), Ok(bytes.len()), "{p:?}");
        assert_eq!(out, bytes, "re-encoding {p:?} gave other bytes");
        // One byte less does not fit.
        let mut short = vec![0u8; bytes.len() - 1];
        assert_eq!(codec::encode(p, &mut short), Err(codec::TooLarge));
    }
    Ok(format!("{decoded:?}"))
}

fn header_len(bytes: &[u8]) -> usize {
    1 + bytes[1..]
        .iter()
        .position(|b| b & 0x80 == 0)
        .map_or(4, |i| i + 1)
}

/// A drained packet that is a whole QoS1/2 PUBLISH with an id is acknowledged with the QoS
/// and id that `decode` finds in it; anything else is owed nothing.
fn check_drain_ack(packet: &[u8], ack: (u8, u16)) {
    match codec::decode(packet) {
        Ok(Incoming::Publish { qos, pkid, .. }) if qos as u8 > 0 => {
            assert_eq!(ack, (qos as u8, pkid), "drain ack differs from decode")
        }
        Ok(_) => assert_eq!(ack, (0, 0), "ack owed for a packet that needs none"),
        // Undecodable (topic not UTF-8 …): still acknowledged when it carries an id, so
        // the broker does not keep it in flight; only the id's position is checked.
        Err(_) => {
            if ack != (0, 0) {
                assert!(codec::is_acknowledged_publish(packet[0]));
                let h = header_len(packet);
                let topic_len = usize::from(u16::from_be_bytes([packet[h], packet[h + 1]]));
                let at = h + 2 + topic_len;
                assert_eq!(ack.1, u16::from_be_bytes([packet[at], packet[at + 1]]));
                assert_eq!(ack.0, (packet[0] >> 1) & 3);
            }
        }
    }
}
