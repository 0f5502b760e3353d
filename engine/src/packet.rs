//! The engine's own MQTT 3.1.1 packet types.
//!
//! They borrow every string and payload, so moving a packet between the codec and the
//! engine never allocates. The codec in the main crate converts them to and from bytes.

/// MQTT quality of service.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum QoS {
    AtMostOnce = 0,
    AtLeastOnce = 1,
    ExactlyOnce = 2,
}

impl QoS {
    /// The QoS for a raw level, `None` when it is above 2.
    pub fn from_u8(level: u8) -> Option<QoS> {
        match level {
            0 => Some(QoS::AtMostOnce),
            1 => Some(QoS::AtLeastOnce),
            2 => Some(QoS::ExactlyOnce),
            _ => None,
        }
    }
}

/// Packets the engine asks the driver to send; borrowed from the engine or from the caller.
#[derive(Debug, PartialEq, Eq)]
pub enum Outgoing<'a> {
    Connect {
        client_id: &'a str,
        username: &'a str,
        password: &'a str,
        keepalive_s: u16,
        clean_session: bool,
    },
    /// `pkid` is 0 for QoS0.
    Publish {
        dup: bool,
        qos: QoS,
        retain: bool,
        topic: &'a str,
        pkid: u16,
        payload: &'a [u8],
    },
    PubAck(u16),
    PubRec(u16),
    PubRel(u16),
    PubComp(u16),
    Subscribe {
        pkid: u16,
        filter: &'a str,
        qos: QoS,
    },
    Unsubscribe {
        pkid: u16,
        filter: &'a str,
    },
    PingReq,
    Disconnect,
}

/// Packets decoded from the network, borrowing topic/payload from the read buffer.
#[derive(Debug, PartialEq, Eq)]
pub enum Incoming<'a> {
    ConnAck {
        session_present: bool,
        code: u8,
    },
    Publish {
        dup: bool,
        qos: QoS,
        retain: bool,
        topic: &'a str,
        pkid: u16,
        payload: &'a [u8],
    },
    PubAck(u16),
    PubRec(u16),
    PubRel(u16),
    PubComp(u16),
    SubAck {
        pkid: u16,
        return_codes: &'a [u8],
    },
    UnsubAck(u16),
    PingResp,
    /// Any packet a client must never receive (CONNECT, SUBSCRIBE, PINGREQ, DISCONNECT ...),
    /// identified by its packet type nibble.
    Unexpected(u8),
}
