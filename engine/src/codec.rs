//! The MQTT 3.1.1 wire format of a client: framing the received stream (remaining-length
//! arithmetic, the read-buffer limit), decoding packets borrowed from the buffer, encoding into
//! the caller's write buffer, the exact sizes V2.10 checks (-30/-21/-26/-22), and draining a
//! packet too large for the read buffer while still owing its acknowledgement.
//!
//! Nothing allocates: topics and payloads borrow from the buffers, so a received message costs
//! no allocation and `IOT_MQTT_Construct` can return NULL instead of aborting when memory runs
//! out.

use crate::packet::{Incoming, Outgoing, QoS};

/// What the start of a receive buffer holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Frame {
    /// A whole packet of `len` bytes.
    Complete { len: usize },
    /// More bytes are needed; `need` is the least number of extra bytes worth waiting for.
    Incomplete { need: usize },
    /// A packet whose total length (`header_len + remaining_len`) exceeds the buffer limit.
    TooLarge {
        header_len: usize,
        remaining_len: usize,
    },
    /// The remaining-length field is invalid (more than 4 bytes).
    Malformed,
}

/// Frames the packet at the start of `buf`; `limit` is the largest total packet size accepted.
pub fn frame(buf: &[u8], limit: usize) -> Frame {
    // A fixed header is at least two bytes.
    let Some(length_bytes) = buf.get(1..) else {
        return Frame::Incomplete {
            need: 2 - buf.len(),
        };
    };
    if length_bytes.is_empty() {
        return Frame::Incomplete { need: 1 };
    }
    let Some((remaining_len, used)) = varint(length_bytes) else {
        // Four bytes with the continuation bit set: no valid length follows.
        return if length_bytes.len() >= 4 {
            Frame::Malformed
        } else {
            Frame::Incomplete { need: 1 }
        };
    };
    let header_len = 1 + used;
    let total = header_len + remaining_len;
    if total > limit {
        // Known from the header alone: reported before the rest arrives.
        Frame::TooLarge {
            header_len,
            remaining_len,
        }
    } else if buf.len() >= total {
        Frame::Complete { len: total }
    } else {
        Frame::Incomplete {
            need: total - buf.len(),
        }
    }
}

fn header_len_of(buf: &[u8]) -> Option<usize> {
    varint(buf.get(1..)?).map(|(_, used)| used + 1)
}

/// MQTT variable byte integer: (value, bytes used); None if incomplete or longer than 4 bytes.
fn varint(bytes: &[u8]) -> Option<(usize, usize)> {
    let mut value = 0usize;
    for (i, &b) in bytes.iter().take(4).enumerate() {
        value |= usize::from(b & 0x7f) << (7 * i);
        if b & 0x80 == 0 {
            return Some((value, i + 1));
        }
    }
    None
}

/// Why a complete frame could not be decoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DecodeError {
    Malformed(&'static str),
}

/// Decodes one complete frame (as found by [`frame`]).
pub fn decode(packet: &[u8]) -> Result<Incoming<'_>, DecodeError> {
    let byte1 = *packet
        .first()
        .ok_or(DecodeError::Malformed("empty packet"))?;
    let header_len = header_len_of(packet).ok_or(DecodeError::Malformed("bad remaining length"))?;
    let body = packet
        .get(header_len..)
        .ok_or(DecodeError::Malformed("truncated packet"))?;
    let kind = byte1 >> 4;
    let flags = byte1 & 0x0f;
    let id_only = |name: &'static str, expected_flags: u8| -> Result<u16, DecodeError> {
        if flags != expected_flags {
            return Err(DecodeError::Malformed(name));
        }
        match body {
            [hi, lo] => {
                let id = u16::from_be_bytes([*hi, *lo]);
                if id == 0 {
                    Err(DecodeError::Malformed("packet id 0"))
                } else {
                    Ok(id)
                }
            }
            _ => Err(DecodeError::Malformed(name)),
        }
    };
    match kind {
        2 => match body {
            [ack_flags, code] if *ack_flags & 0xfe == 0 => Ok(Incoming::ConnAck {
                session_present: ack_flags & 1 == 1,
                code: *code,
            }),
            _ => Err(DecodeError::Malformed("CONNACK")),
        },
        3 => decode_publish(flags, body),
        4 => id_only("PUBACK", 0).map(Incoming::PubAck),
        5 => id_only("PUBREC", 0).map(Incoming::PubRec),
        6 => id_only("PUBREL", 2).map(Incoming::PubRel),
        7 => id_only("PUBCOMP", 0).map(Incoming::PubComp),
        9 => match body {
            [hi, lo, codes @ ..] if !codes.is_empty() && flags == 0 => {
                let pkid = u16::from_be_bytes([*hi, *lo]);
                if pkid == 0 {
                    return Err(DecodeError::Malformed("packet id 0"));
                }
                Ok(Incoming::SubAck {
                    pkid,
                    return_codes: codes,
                })
            }
            _ => Err(DecodeError::Malformed("SUBACK")),
        },
        11 => id_only("UNSUBACK", 0).map(Incoming::UnsubAck),
        13 if body.is_empty() => Ok(Incoming::PingResp),
        13 => Err(DecodeError::Malformed("PINGRESP")),
        other => Ok(Incoming::Unexpected(other)),
    }
}

fn decode_publish(flags: u8, body: &[u8]) -> Result<Incoming<'_>, DecodeError> {
    let qos = match (flags >> 1) & 0b11 {
        0 => QoS::AtMostOnce,
        1 => QoS::AtLeastOnce,
        2 => QoS::ExactlyOnce,
        _ => return Err(DecodeError::Malformed("PUBLISH with QoS 3")),
    };
    let (len_bytes, rest) = body
        .split_first_chunk::<2>()
        .ok_or(DecodeError::Malformed("PUBLISH without topic length"))?;
    let topic_len = usize::from(u16::from_be_bytes(*len_bytes));
    let topic = rest.get(..topic_len).ok_or(DecodeError::Malformed(
        "PUBLISH topic longer than the packet",
    ))?;
    let topic = core::str::from_utf8(topic)
        .map_err(|_| DecodeError::Malformed("PUBLISH topic not UTF-8"))?;
    let rest = rest.get(topic_len..).unwrap_or(&[]);
    let (pkid, payload) = if qos == QoS::AtMostOnce {
        (0, rest)
    } else {
        let (id, payload) = rest
            .split_first_chunk::<2>()
            .ok_or(DecodeError::Malformed("PUBLISH without packet id"))?;
        let id = u16::from_be_bytes(*id);
        if id == 0 {
            return Err(DecodeError::Malformed("PUBLISH with packet id 0"));
        }
        (id, payload)
    };
    Ok(Incoming::Publish {
        dup: flags & 0b1000 != 0,
        qos,
        retain: flags & 1 != 0,
        topic,
        pkid,
        payload,
    })
}

/// Whether the packet starting with this fixed-header byte is a PUBLISH the server expects an
/// answer to (QoS 1 or 2).
pub fn is_acknowledged_publish(first_byte: u8) -> bool {
    first_byte >> 4 == 3 && (first_byte >> 1) & 3 > 0
}

/// Whether the server waits for our answer to this packet: a QoS1/2 PUBLISH (PUBACK/PUBREC),
/// a PUBREC (PUBREL) or a PUBREL (PUBCOMP).
pub fn expects_answer(first_byte: u8) -> bool {
    is_acknowledged_publish(first_byte) || matches!(first_byte >> 4, 5 | 6)
}

/// An oversized packet while it is drained. For a QoS1/2 PUBLISH the packet id is picked out
/// of the bytes as they pass, so it is acknowledged whatever part of it overflows the read
/// buffer, the topic included (a topic may be up to 65 535 bytes).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Drain {
    /// 1 or 2 for a PUBLISH that must be answered, else 0.
    qos: u8,
    // Compact (a remaining length is at most 268 435 455, a header 5 bytes): the drain lives
    // in every client.
    header_len: u8,
    total: u32,
    /// Bytes of the packet fed so far.
    seen: u32,
    topic_len: u16,
    pkid: u16,
}

impl Drain {
    /// Starts draining the packet whose fixed header is `first_byte` + `header_len` bytes.
    pub fn new(first_byte: u8, header_len: usize, remaining_len: usize) -> Self {
        let qos = if is_acknowledged_publish(first_byte) {
            (first_byte >> 1) & 0b11
        } else {
            0
        };
        let total = header_len.saturating_add(remaining_len);
        Self {
            qos,
            header_len: u8::try_from(header_len).unwrap_or(u8::MAX),
            total: u32::try_from(total).unwrap_or(u32::MAX),
            seen: 0,
            topic_len: 0,
            pkid: 0,
        }
    }

    fn header(&self) -> usize {
        usize::from(self.header_len)
    }

    fn seen(&self) -> usize {
        self.seen as usize
    }

    fn total(&self) -> usize {
        self.total as usize
    }

    /// Feeds the next bytes of the stream; returns how many belong to this packet.
    pub fn feed(&mut self, bytes: &[u8]) -> usize {
        let n = bytes.len().min(self.remaining());
        let chunk = bytes.get(..n).unwrap_or(&[]);
        let seen = self.seen();
        let at = |offset: usize| offset.checked_sub(seen).and_then(|i| chunk.get(i)).copied();
        if self.qos > 0 {
            let [mut hi, mut lo] = self.topic_len.to_be_bytes();
            hi = at(self.header()).unwrap_or(hi);
            lo = at(self.header() + 1).unwrap_or(lo);
            self.topic_len = u16::from_be_bytes([hi, lo]);
            // Valid only once the topic length has passed; later bytes cannot be reached before.
            if seen + n >= self.header() + 2 {
                let id_at = self.header() + 2 + usize::from(self.topic_len);
                let [mut hi, mut lo] = self.pkid.to_be_bytes();
                hi = at(id_at).unwrap_or(hi);
                lo = at(id_at + 1).unwrap_or(lo);
                self.pkid = u16::from_be_bytes([hi, lo]);
            }
        }
        // n <= remaining <= u32::MAX.
        self.seen = self
            .seen
            .saturating_add(u32::try_from(n).unwrap_or(u32::MAX));
        n
    }

    /// Bytes of the packet still to come.
    pub fn remaining(&self) -> usize {
        self.total().saturating_sub(self.seen())
    }

    pub fn finished(&self) -> bool {
        self.seen >= self.total
    }

    /// The QoS and packet id to acknowledge once the packet is drained; (0, 0) when nothing
    /// is owed (QoS0, not a PUBLISH, or a packet too short to hold an id).
    pub fn ack(&self) -> (u8, u16) {
        let id_end = self.header() + 2 + usize::from(self.topic_len) + 2;
        if self.qos == 0 || id_end > self.total() || self.seen() < id_end || self.pkid == 0 {
            (0, 0)
        } else {
            (self.qos, self.pkid)
        }
    }
}

/// Total size of a packet with `remaining` bytes after the fixed header.
pub fn packet_len(remaining: usize) -> usize {
    let len_bytes = match remaining {
        0..=127 => 1,
        128..=16_383 => 2,
        16_384..=2_097_151 => 3,
        _ => 4,
    };
    1 + len_bytes + remaining
}

/// The bytes [`encode`] writes for `packet`, for the size checks that come before it.
pub fn encoded_len(packet: &Outgoing<'_>) -> usize {
    let remaining = match packet {
        Outgoing::Publish {
            qos,
            topic,
            payload,
            ..
        } => {
            let id_len = if *qos as u8 > 0 { 2 } else { 0 };
            2 + topic.len() + id_len + payload.len()
        }
        Outgoing::PubAck(_) | Outgoing::PubRec(_) | Outgoing::PubRel(_) | Outgoing::PubComp(_) => 2,
        Outgoing::PingReq | Outgoing::Disconnect => 0,
        Outgoing::Connect {
            client_id,
            username,
            password,
            ..
        } => {
            let login = !username.is_empty() || !password.is_empty();
            let credentials = if login {
                2 + username.len() + 2 + password.len()
            } else {
                0
            };
            10 + 2 + client_id.len() + credentials
        }
        Outgoing::Subscribe { filter, .. } => 2 + 2 + filter.len() + 1,
        Outgoing::Unsubscribe { filter, .. } => 2 + 2 + filter.len(),
    };
    packet_len(remaining)
}

/// The packet does not fit the space left in the write buffer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TooLarge;

/// Encodes `packet` at the start of `out`; returns the bytes written.
pub fn encode(packet: &Outgoing<'_>, out: &mut [u8]) -> Result<usize, TooLarge> {
    let mut w = Writer { out, len: 0 };
    match packet {
        Outgoing::Publish {
            dup,
            qos,
            retain,
            topic,
            pkid,
            payload,
        } => {
            let qos_bits = *qos as u8;
            let byte1 = 0x30 | (u8::from(*dup) << 3) | (qos_bits << 1) | u8::from(*retain);
            let id_len = if qos_bits > 0 { 2 } else { 0 };
            w.header(byte1, 2 + topic.len() + id_len + payload.len())?;
            w.string(topic)?;
            if qos_bits > 0 {
                w.put(&pkid.to_be_bytes())?;
            }
            w.put(payload)?;
        }
        Outgoing::PubAck(id) => w.id_packet(0x40, *id)?,
        Outgoing::PubRec(id) => w.id_packet(0x50, *id)?,
        Outgoing::PubRel(id) => w.id_packet(0x62, *id)?,
        Outgoing::PubComp(id) => w.id_packet(0x70, *id)?,
        Outgoing::PingReq => w.put(&[0xc0, 0x00])?,
        Outgoing::Disconnect => w.put(&[0xe0, 0x00])?,
        Outgoing::Connect {
            client_id,
            username,
            password,
            keepalive_s,
            clean_session,
        } => {
            // MQTT 3.1.1 allows a password only with a user name: both or neither.
            let login = !username.is_empty() || !password.is_empty();
            let mut flags = if *clean_session { 0x02 } else { 0 };
            let mut remaining = 10 + 2 + client_id.len();
            if login {
                flags |= 0xc0;
                remaining += 2 + username.len() + 2 + password.len();
            }
            w.header(0x10, remaining)?;
            w.string("MQTT")?;
            w.put(&[4, flags])?;
            w.put(&keepalive_s.to_be_bytes())?;
            w.string(client_id)?;
            if login {
                w.string(username)?;
                w.string(password)?;
            }
        }
        Outgoing::Subscribe { pkid, filter, qos } => {
            w.header(0x82, 2 + 2 + filter.len() + 1)?;
            w.put(&pkid.to_be_bytes())?;
            w.string(filter)?;
            w.put(&[*qos as u8])?;
        }
        Outgoing::Unsubscribe { pkid, filter } => {
            w.header(0xa2, 2 + 2 + filter.len())?;
            w.put(&pkid.to_be_bytes())?;
            w.string(filter)?;
        }
    }
    Ok(w.len)
}

struct Writer<'a> {
    out: &'a mut [u8],
    len: usize,
}

impl Writer<'_> {
    fn put(&mut self, bytes: &[u8]) -> Result<(), TooLarge> {
        let end = self.len.checked_add(bytes.len()).ok_or(TooLarge)?;
        self.out
            .get_mut(self.len..end)
            .ok_or(TooLarge)?
            .copy_from_slice(bytes);
        self.len = end;
        Ok(())
    }

    fn header(&mut self, byte1: u8, remaining: usize) -> Result<(), TooLarge> {
        if remaining > 268_435_455 {
            return Err(TooLarge);
        }
        self.put(&[byte1])?;
        let mut value = remaining;
        loop {
            let mut byte = (value % 128) as u8;
            value /= 128;
            if value > 0 {
                byte |= 0x80;
            }
            self.put(&[byte])?;
            if value == 0 {
                return Ok(());
            }
        }
    }

    fn id_packet(&mut self, byte1: u8, id: u16) -> Result<(), TooLarge> {
        let [hi, lo] = id.to_be_bytes();
        self.put(&[byte1, 0x02, hi, lo])
    }

    /// An MQTT UTF-8 string: two length bytes, then the bytes.
    fn string(&mut self, s: &str) -> Result<(), TooLarge> {
        let len = u16::try_from(s.len()).map_err(|_| TooLarge)?;
        self.put(&len.to_be_bytes())?;
        self.put(s.as_bytes())
    }
}
