//! The MQTT 3.1.1 client session state machine.
//!
//! See the crate documentation for how a driver uses it.

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use crate::codec;
use crate::packet::{Incoming, Outgoing, QoS};
use crate::queue::Queue;
use crate::topic;

use crate::limits::{SlotMask, CONTROL_CAPACITY, EVENT_CAPACITY};
pub use crate::limits::{
    KEEPALIVE_MAX_MS, KEEPALIVE_MIN_MS, MAX_INBOUND_QOS2, MAX_PENDING_PUBLISH,
    MAX_PENDING_UNSUBSCRIBE, MAX_SUBSCRIPTIONS, PING_MARGIN_MAX_MS, RECONNECT_MAX_MS,
    RECONNECT_MIN_MS, REQUEST_TIMEOUT_DEFAULT_MS, REQUEST_TIMEOUT_MAX_MS, REQUEST_TIMEOUT_MIN_MS,
};

/// Session parameters, as the caller passed them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    pub client_id: String,
    pub username: String,
    pub password: String,
    /// Raw caller value; the engine clamps it into 60_000..=300_000 (whole seconds) and
    /// reports the clamp through [`Session::config_warnings`].
    pub keepalive_ms: u32,
    /// Outside 500..=5000 the engine uses 2000.
    pub request_timeout_ms: u32,
    pub clean_session: bool,
}

/// Adjustments the engine made to the [`Config`], for the driver to log.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ConfigWarnings {
    /// The caller's keepalive (ms) when it was outside the accepted range.
    pub keepalive_clamped_from: Option<u32>,
    /// The caller's request timeout (ms) when it was replaced by the default.
    pub request_timeout_replaced_from: Option<u32>,
}

/// Connection state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum State {
    /// Never connected: the driver should open the transport ([`Session::poll_connect_due`] is true).
    Idle,
    /// Transport open, CONNECT queued or sent, waiting for CONNACK.
    Connecting,
    /// CONNACK accepted.
    Connected,
    /// Connection lost or attempt failed; waiting for the back-off ([`Session::reconnect_at`]).
    Disconnected,
    /// Reconnect disabled after a drop, or [`Session::disconnect`] called. Final.
    Closed,
}

/// What the driver should do with an incoming PUBLISH.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dispatch {
    /// Nothing to deliver (duplicate QoS2, or not a PUBLISH).
    None,
    /// Deliver to every subscription slot whose bit is set, lowest slot first
    /// (slot order is subscription order). Resolve slots with [`Session::subscription`]
    /// before calling any other `&mut self` method.
    Deliver { slots: SlotMask },
    /// No subscription matched: deliver to the client's default event handler.
    Default,
}

impl Dispatch {
    /// The slots to deliver to, in order (empty for `None` and `Default`).
    pub fn slots(self) -> impl Iterator<Item = usize> {
        let mask = match self {
            Dispatch::Deliver { slots } => slots,
            _ => 0,
        };
        (0..SlotMask::BITS as usize).filter(move |i| mask >> i & 1 == 1)
    }
}

/// Something the driver should report or act on; drain with [`Session::poll_event`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Event {
    /// First CONNACK accepted.
    Connected,
    /// CONNACK accepted after a reconnect.
    Reconnected,
    /// An established connection was lost (raised once per loss, not per failed attempt).
    Disconnected,
    /// CONNACK with a non-zero return code. The attempt counts as failed; the engine already
    /// scheduled the next one. Close the transport.
    ConnectRefused(u8),
    /// No CONNACK within the request timeout. Close the transport.
    ConnectTimeout,
    /// No answer to a PINGREQ within the request timeout; `Disconnected` follows.
    PingTimeout,
    /// The server broke the protocol; the connection is treated as lost. Close the transport.
    ProtocolViolation(&'static str),
    SubscribeSuccess(u16),
    SubscribeTimeout(u16),
    SubscribeNack(u16),
    UnsubscribeSuccess(u16),
    UnsubscribeTimeout(u16),
    PublishSuccess(u16),
    /// A PUBLISH larger than the read buffer was drained and dropped.
    BufferOverflow,
}

/// Errors of the API calls. The driver turns them into its own typed errors, and the C boundary
/// (`src/ffi/codes.rs` of the library) into V2.10 codes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Error {
    /// Not connected.
    NotConnected,
    /// Invalid topic name or filter.
    InvalidTopic,
    /// [`MAX_PENDING_PUBLISH`] QoS1 publishes, [`MAX_SUBSCRIPTIONS`] subscriptions or
    /// [`MAX_PENDING_UNSUBSCRIBE`] unsubscribes pending.
    PendingFull,
    /// QoS2 publish; a packet id was consumed first, as in V2.10.
    QosNotSupported,
    /// Publish QoS above 2 (no packet id consumed).
    InvalidQos,
    /// A fallible allocation failed.
    NoMemory,
    /// The packet would take this many bytes, more than [`Session::set_max_packet_len`]
    /// allows. Nothing was queued.
    PacketTooLarge(usize),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Error::NotConnected => "not connected",
            Error::InvalidTopic => "invalid topic",
            Error::PendingFull => "too many pending requests",
            Error::QosNotSupported => "QoS2 publish not supported",
            Error::InvalidQos => "invalid QoS",
            Error::NoMemory => "out of memory",
            Error::PacketTooLarge(_) => "packet larger than the write buffer",
        })
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Control {
    Connect,
    PubAck(u16),
    PubRec(u16),
    PubComp(u16),
    PingReq,
    Disconnect,
}

/// An unacknowledged SUBSCRIBE or UNSUBSCRIBE.
#[derive(Clone, Copy, Debug)]
struct Request {
    pkid: u16,
    deadline: u64,
    needs_send: bool,
    /// Re-subscription after a reconnect: the caller never saw this id, so success and
    /// timeout raise no event.
    silent: bool,
}

struct Subscription<H> {
    /// Call order of subscribe/unsubscribe, so an UNSUBACK removes only what predates it.
    seq: u64,
    /// A re-subscription identical to a live slot (filter, handler): its SUBSCRIBE still goes
    /// out and its SUBACK is reported, but it delivers nothing and is merged away when granted,
    /// so the handler runs once per message (V2.10 adds no slot for it). A flag, not a
    /// reference to that slot: it fits in padding, and the slot is found by filter and handler.
    duplicate: bool,
    filter: String,
    qos: QoS,
    handler: H,
    request: Option<Request>,
}

struct Unsubscription {
    seq: u64,
    filter: String,
    request: Request,
}

/// The resend copy of a QoS1 publish: topic bytes followed by the payload, one allocation.
struct PendingPublish {
    pkid: u16,
    buf: Vec<u8>,
    topic_len: usize,
    retain: bool,
    deadline: u64,
    needs_send: bool,
}

impl PendingPublish {
    fn topic(&self) -> &str {
        // The bytes came from a validated &str; the fallback is unreachable.
        self.buf
            .get(..self.topic_len)
            .and_then(|b| core::str::from_utf8(b).ok())
            .unwrap_or("")
    }
    fn payload(&self) -> &[u8] {
        self.buf.get(self.topic_len..).unwrap_or(&[])
    }
}

/// The client session. `H` is the per-subscription handler token chosen by the driver.
pub struct Session<H> {
    client_id: String,
    username: String,
    password: String,
    keepalive_ms: u32,
    request_timeout_ms: u32,
    clean_session: bool,
    warnings: ConfigWarnings,

    state: State,
    ever_connected: bool,
    reconnect_enabled: bool,
    backoff_ms: u32,
    reconnect_at: u64,
    connack_deadline: u64,
    rng: u32,

    last_sent: u64,
    last_received: u64,
    /// Deadline for any packet after a PINGREQ; `Some` while a ping is outstanding.
    ping_deadline: Option<u64>,

    last_pkid: u16,
    next_seq: u64,
    control: Queue<Control>,
    events: Queue<Event>,
    pending: Vec<PendingPublish>,
    subs: Vec<Subscription<H>>,
    unsubs: Vec<Unsubscription>,
    inbound_qos2: Vec<u16>,
    /// The largest packet the driver can send (its write buffer).
    max_packet_len: usize,
}

/// Room for one more entry, or NoMemory: the named fallible points of docs/requirements.md "memory".
fn try_room<T>(v: &mut Vec<T>) -> Result<(), Error> {
    v.try_reserve(1).map_err(|_| Error::NoMemory)
}

fn try_copy(dst: &mut String, src: &str) -> Result<(), Error> {
    let mut s = String::new();
    s.try_reserve_exact(src.len())
        .map_err(|_| Error::NoMemory)?;
    s.push_str(src);
    *dst = s;
    Ok(())
}

fn xorshift(mut x: u32) -> u32 {
    if x == 0 {
        x = 0x9E37_79B9;
    }
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    x
}

impl<H: PartialEq> Session<H> {
    /// Creates a session in state [`State::Idle`], reserving every queue up front.
    pub fn new(config: Config) -> Result<Self, Error> {
        let mut warnings = ConfigWarnings::default();
        let clamped = config
            .keepalive_ms
            .clamp(KEEPALIVE_MIN_MS, KEEPALIVE_MAX_MS);
        if clamped != config.keepalive_ms {
            warnings.keepalive_clamped_from = Some(config.keepalive_ms);
        }
        // CONNECT carries whole seconds; time the pings from the value actually sent.
        let keepalive_ms = clamped / 1000 * 1000;
        let request_timeout_ms = if (REQUEST_TIMEOUT_MIN_MS..=REQUEST_TIMEOUT_MAX_MS)
            .contains(&config.request_timeout_ms)
        {
            config.request_timeout_ms
        } else {
            warnings.request_timeout_replaced_from = Some(config.request_timeout_ms);
            REQUEST_TIMEOUT_DEFAULT_MS
        };
        Ok(Session {
            client_id: config.client_id,
            username: config.username,
            password: config.password,
            keepalive_ms,
            request_timeout_ms,
            clean_session: config.clean_session,
            warnings,
            state: State::Idle,
            ever_connected: false,
            reconnect_enabled: true,
            backoff_ms: RECONNECT_MIN_MS,
            reconnect_at: 0,
            connack_deadline: 0,
            rng: 0,
            last_sent: 0,
            last_received: 0,
            ping_deadline: None,
            last_pkid: 0,
            next_seq: 0,
            control: Queue::with_capacity(CONTROL_CAPACITY).ok_or(Error::NoMemory)?,
            events: Queue::with_capacity(EVENT_CAPACITY).ok_or(Error::NoMemory)?,
            // The tables grow on demand (fallibly) and keep their high-water capacity, so a
            // client that never subscribes does not carry 30 empty slots.
            pending: Vec::new(),
            subs: Vec::new(),
            unsubs: Vec::new(),
            inbound_qos2: Vec::new(),
            max_packet_len: usize::MAX,
        })
    }

    /// The keepalive actually used (clamped, whole seconds), in ms.
    pub fn keepalive_ms(&self) -> u32 {
        self.keepalive_ms
    }

    /// The largest packet that can be sent: publish, subscribe and unsubscribe refuse a larger
    /// one with [`Error::PacketTooLarge`] before anything is queued (V2.10 checks the topic
    /// first, then the size). Unlimited until set.
    pub fn set_max_packet_len(&mut self, len: usize) {
        self.max_packet_len = len;
    }

    /// [`Error::PacketTooLarge`] when `packet` is larger than the driver can send.
    fn check_size(&self, packet: &Outgoing<'_>) -> Result<(), Error> {
        let len = codec::encoded_len(packet);
        if len > self.max_packet_len {
            return Err(Error::PacketTooLarge(len));
        }
        Ok(())
    }

    /// The request timeout actually used, in ms.
    pub fn request_timeout_ms(&self) -> u32 {
        self.request_timeout_ms
    }

    /// What [`Session::new`] changed in the caller's configuration.
    pub fn config_warnings(&self) -> ConfigWarnings {
        self.warnings
    }

    /// Replaces the credentials used by the next CONNECT (after re-authentication).
    pub fn set_credentials(
        &mut self,
        client_id: &str,
        username: &str,
        password: &str,
    ) -> Result<(), Error> {
        // Copy all three before replacing any, so a failure leaves the old set intact.
        let (mut c, mut u, mut p) = (String::new(), String::new(), String::new());
        try_copy(&mut c, client_id)?;
        try_copy(&mut u, username)?;
        try_copy(&mut p, password)?;
        self.client_id = c;
        self.username = u;
        self.password = p;
        Ok(())
    }

    pub fn state(&self) -> State {
        self.state
    }

    pub fn is_connected(&self) -> bool {
        self.state == State::Connected
    }

    /// True while a PINGREQ waits for its PINGRESP (the only 2-byte packet a server sends; every
    /// other is at least 4 bytes, which lets the driver read a whole ack at once).
    pub fn awaiting_pingresp(&self) -> bool {
        self.ping_deadline.is_some()
    }

    /// True while the driver should keep a transport open (Connecting or Connected).
    /// After draining [`Session::poll_transmit`], close the transport when this is false.
    pub fn wants_transport(&self) -> bool {
        matches!(self.state, State::Connecting | State::Connected)
    }

    /// When the next connection attempt is due, while [`State::Disconnected`].
    pub fn reconnect_at(&self) -> Option<u64> {
        (self.state == State::Disconnected).then_some(self.reconnect_at)
    }

    /// Current back-off interval (before jitter), in ms.
    pub fn backoff_ms(&self) -> u32 {
        self.backoff_ms
    }

    /// Mixes driver randomness (e.g. `HAL_Random`) into the jitter used when the engine
    /// itself detects a loss (ping timeout, refused CONNACK, protocol violation).
    pub fn add_entropy(&mut self, random: u32) {
        self.rng = xorshift(self.rng ^ random);
    }

    // ----- transport lifecycle -----

    /// The driver opened a transport: queues CONNECT and starts the CONNACK deadline.
    /// Ignored in [`State::Closed`].
    pub fn on_transport_open(&mut self, now: u64) {
        match self.state {
            State::Closed => return,
            // A new transport while connected means the old one is gone.
            State::Connected => self.lose(now, None),
            _ => {}
        }
        if self.state == State::Closed {
            return;
        }
        self.control.clear();
        self.ping_deadline = None;
        self.control.push(Control::Connect);
        self.state = State::Connecting;
        self.connack_deadline = now.saturating_add(u64::from(self.request_timeout_ms));
        self.last_sent = now;
        self.last_received = now;
    }

    /// Socket error, EOF or write failure. On an established connection raises
    /// `Disconnected` and schedules a reconnect after 1 s (plus jitter); while connecting it
    /// counts as a failed attempt.
    pub fn on_transport_lost(&mut self, now: u64, random: u32) {
        self.add_entropy(random);
        self.lose(now, Some(random));
    }

    /// True when the driver should (re-authenticate and) open a new transport now.
    pub fn poll_connect_due(&mut self, now: u64) -> bool {
        match self.state {
            State::Idle => true,
            State::Disconnected => now >= self.reconnect_at,
            _ => false,
        }
    }

    /// The transport could not be opened or authentication failed: doubles the back-off.
    pub fn on_connect_failed(&mut self, now: u64, random: u32) {
        self.add_entropy(random);
        match self.state {
            State::Connected => self.lose(now, Some(random)),
            State::Closed => {}
            _ => self.attempt_failed(now, Some(random)),
        }
    }

    /// Turns automatic reconnect off: after a drop the session goes to [`State::Closed`];
    /// pending QoS1 publishes stay queued.
    pub fn disable_reconnect(&mut self) {
        self.reconnect_enabled = false;
        if self.state == State::Disconnected {
            self.state = State::Closed;
        }
    }

    /// For Destroy: queues DISCONNECT when connected and moves to [`State::Closed`].
    pub fn disconnect(&mut self) {
        if self.state == State::Connected {
            self.control.push(Control::Disconnect);
        } else {
            // Nothing else may go out on a transport that never completed CONNECT.
            self.control.clear();
        }
        self.state = State::Closed;
        self.ping_deadline = None;
    }

    fn jitter_delay(&mut self, random: Option<u32>) -> u64 {
        let r = match random {
            Some(r) => r,
            None => {
                self.rng = xorshift(self.rng);
                self.rng
            }
        };
        let b = self.backoff_ms.max(1);
        u64::from(b.saturating_add(r % b).min(RECONNECT_MAX_MS))
    }

    fn go_disconnected(&mut self, now: u64, random: Option<u32>) {
        self.control.clear();
        self.ping_deadline = None;
        if self.reconnect_enabled {
            let delay = self.jitter_delay(random);
            self.reconnect_at = now.saturating_add(delay);
            self.state = State::Disconnected;
        } else {
            self.state = State::Closed;
        }
    }

    /// A connection attempt failed (not opened, refused, timed out): double the back-off.
    fn attempt_failed(&mut self, now: u64, random: Option<u32>) {
        self.backoff_ms = self.backoff_ms.saturating_mul(2).min(RECONNECT_MAX_MS);
        self.go_disconnected(now, random);
    }

    /// Loses the current transport, whatever the state.
    fn lose(&mut self, now: u64, random: Option<u32>) {
        match self.state {
            State::Connected => {
                self.events.push(Event::Disconnected);
                self.backoff_ms = RECONNECT_MIN_MS;
                self.go_disconnected(now, random);
            }
            State::Connecting => self.attempt_failed(now, random),
            State::Idle | State::Disconnected | State::Closed => {}
        }
    }

    fn violation(&mut self, now: u64, what: &'static str) {
        self.events.push(Event::ProtocolViolation(what));
        self.lose(now, None);
    }

    // ----- packet ids -----

    fn pkid_in_use(&self, id: u16) -> bool {
        self.pending.iter().any(|p| p.pkid == id)
            || self
                .subs
                .iter()
                .any(|s| s.request.is_some_and(|r| r.pkid == id))
            || self.unsubs.iter().any(|u| u.request.pkid == id)
    }

    /// Next free id: 1..=65535, wrapping to 1, skipping ids still in use.
    fn next_pkid(&mut self) -> Option<u16> {
        let mut id = self.last_pkid;
        for _ in 0..u16::MAX {
            id = if id == u16::MAX { 1 } else { id + 1 };
            if !self.pkid_in_use(id) {
                self.last_pkid = id;
                return Some(id);
            }
        }
        None
    }

    /// Sets the packet-id counter so the next id tried is `last + 1` (wrapping to 1).
    /// For tests and for drivers restoring state.
    pub fn set_last_packet_id(&mut self, last: u16) {
        self.last_pkid = last;
    }

    fn take_seq(&mut self) -> u64 {
        let seq = self.next_seq;
        self.next_seq = self.next_seq.saturating_add(1);
        seq
    }

    fn request_timeout_x2(&self) -> u64 {
        u64::from(self.request_timeout_ms) * 2
    }

    // ----- API calls -----

    /// Publishes. Returns the PUBLISH to send now (for QoS1 its `pkid` is the id to report).
    ///
    /// QoS0 allocates nothing; QoS1 makes one allocation, the resend copy.
    pub fn publish<'a>(
        &mut self,
        topic: &'a str,
        payload: &'a [u8],
        qos: u8,
        retain: bool,
        now: u64,
    ) -> Result<Outgoing<'a>, Error> {
        let qos = QoS::from_u8(qos).ok_or(Error::InvalidQos)?;
        topic::validate_topic_name(topic).map_err(|_| Error::InvalidTopic)?;
        self.check_size(&Outgoing::Publish {
            dup: false,
            qos,
            retain,
            topic,
            pkid: 0,
            payload,
        })?;
        if self.state != State::Connected {
            return Err(Error::NotConnected);
        }
        let pkid = match qos {
            QoS::AtMostOnce => 0,
            QoS::ExactlyOnce => {
                // V2.10 uses up a packet id before rejecting QoS2.
                let _ = self.next_pkid();
                return Err(Error::QosNotSupported);
            }
            QoS::AtLeastOnce => {
                if self.pending.len() >= MAX_PENDING_PUBLISH {
                    return Err(Error::PendingFull);
                }
                let mut buf = Vec::new();
                let len = topic.len().saturating_add(payload.len());
                buf.try_reserve_exact(len).map_err(|_| Error::NoMemory)?;
                buf.extend_from_slice(topic.as_bytes());
                buf.extend_from_slice(payload);
                try_room(&mut self.pending)?;
                let pkid = self.next_pkid().ok_or(Error::PendingFull)?;
                let deadline = now.saturating_add(self.request_timeout_x2());
                self.pending.push(PendingPublish {
                    pkid,
                    buf,
                    topic_len: topic.len(),
                    retain,
                    deadline,
                    needs_send: false,
                });
                pkid
            }
        };
        self.last_sent = now;
        Ok(Outgoing::Publish {
            dup: false,
            qos,
            retain,
            topic,
            pkid,
            payload,
        })
    }

    /// Unsubscribes. Local subscriptions with this filter are removed when the UNSUBACK
    /// arrives. Returns the packet id.
    pub fn unsubscribe(&mut self, filter: &str, now: u64) -> Result<u16, Error> {
        topic::validate_topic_filter(filter).map_err(|_| Error::InvalidTopic)?;
        self.check_size(&Outgoing::Unsubscribe { pkid: 0, filter })?;
        if self.state != State::Connected {
            return Err(Error::NotConnected);
        }
        if self.unsubs.len() >= MAX_PENDING_UNSUBSCRIBE {
            return Err(Error::PendingFull);
        }
        let mut copy = String::new();
        try_copy(&mut copy, filter)?;
        try_room(&mut self.unsubs)?;
        let pkid = self.next_pkid().ok_or(Error::PendingFull)?;
        let seq = self.take_seq();
        self.unsubs.push(Unsubscription {
            seq,
            filter: copy,
            request: Request {
                pkid,
                deadline: now.saturating_add(self.request_timeout_x2()),
                needs_send: true,
                silent: false,
            },
        });
        Ok(pkid)
    }

    // ----- network input -----

    /// Feeds one decoded packet. Returns what to deliver for a PUBLISH.
    pub fn handle(&mut self, packet: Incoming<'_>, now: u64) -> Dispatch {
        match self.state {
            State::Connecting => self.handle_connecting(packet, now),
            State::Connected => self.handle_connected(packet, now),
            // No transport should be open: whatever arrives is stale.
            State::Idle | State::Disconnected | State::Closed => Dispatch::None,
        }
    }

    fn handle_connecting(&mut self, packet: Incoming<'_>, now: u64) -> Dispatch {
        match packet {
            // A CONNACK before our CONNECT went out cannot answer it.
            Incoming::ConnAck { .. } if self.control.contains(&Control::Connect) => {}
            Incoming::ConnAck {
                session_present,
                code,
            } => {
                if code == 0 {
                    self.connected(session_present, now);
                } else {
                    self.events.push(Event::ConnectRefused(code));
                    self.attempt_failed(now, None);
                }
            }
            Incoming::Unexpected(_) => self.violation(now, "unexpected packet type"),
            // The server must answer CONNECT with CONNACK first; V2.10 skipped anything else.
            _ => {}
        }
        Dispatch::None
    }

    fn connected(&mut self, session_present: bool, now: u64) {
        self.state = State::Connected;
        self.backoff_ms = RECONNECT_MIN_MS;
        self.last_sent = now;
        self.last_received = now;
        self.ping_deadline = None;
        self.events.push(if self.ever_connected {
            Event::Reconnected
        } else {
            Event::Connected
        });
        self.ever_connected = true;

        let deadline = now.saturating_add(self.request_timeout_x2());
        // Unacknowledged QoS1 messages go out again, flagged as duplicates.
        for p in &mut self.pending {
            p.needs_send = true;
            p.deadline = deadline;
        }
        for u in &mut self.unsubs {
            u.request.needs_send = true;
            u.request.deadline = deadline;
        }
        // The broker forgot our subscriptions when the session is clean (or was lost).
        let resubscribe_all = self.clean_session || !session_present;
        if !session_present {
            self.inbound_qos2.clear();
        }
        for i in 0..self.subs.len() {
            let existing = self.subs.get(i).and_then(|s| s.request);
            let request = match existing {
                Some(r) => Some(Request {
                    needs_send: true,
                    deadline,
                    ..r
                }),
                None if resubscribe_all => self.next_pkid().map(|pkid| Request {
                    pkid,
                    deadline,
                    needs_send: true,
                    silent: true,
                }),
                None => None,
            };
            if let Some(s) = self.subs.get_mut(i) {
                s.request = request;
            }
        }
    }

    fn handle_connected(&mut self, packet: Incoming<'_>, now: u64) -> Dispatch {
        self.last_received = now;
        // Any packet proves the link alive, so an outstanding ping is answered (as V2.10).
        self.ping_deadline = None;
        match packet {
            // A second CONNACK is ignored.
            Incoming::ConnAck { .. } => Dispatch::None,
            Incoming::Publish {
                qos, topic, pkid, ..
            } => self.on_publish(qos, topic, pkid, now),
            Incoming::PubAck(id) => {
                if let Some(i) = self.pending.iter().position(|p| p.pkid == id) {
                    self.pending.remove(i);
                    self.events.push(Event::PublishSuccess(id));
                }
                Dispatch::None
            }
            Incoming::PubRel(id) => {
                if let Some(i) = self.inbound_qos2.iter().position(|&x| x == id) {
                    self.inbound_qos2.remove(i);
                }
                // Answered even for unknown ids so the broker can release them.
                self.control.push(Control::PubComp(id));
                Dispatch::None
            }
            // We never publish QoS2, so these can only be stray.
            Incoming::PubRec(_) | Incoming::PubComp(_) => Dispatch::None,
            Incoming::SubAck { pkid, return_codes } => {
                self.on_suback(pkid, return_codes);
                Dispatch::None
            }
            Incoming::UnsubAck(id) => {
                if let Some(i) = self.unsubs.iter().position(|u| u.request.pkid == id) {
                    let u = self.unsubs.remove(i);
                    // A subscription made after the UNSUBSCRIBE stays, as on the broker.
                    self.subs.retain(|s| s.filter != u.filter || s.seq > u.seq);
                    self.events.push(Event::UnsubscribeSuccess(id));
                }
                Dispatch::None
            }
            Incoming::PingResp => Dispatch::None,
            Incoming::Unexpected(_) => {
                self.violation(now, "unexpected packet type");
                Dispatch::None
            }
        }
    }

    fn on_publish(&mut self, qos: QoS, topic: &str, pkid: u16, now: u64) -> Dispatch {
        match qos {
            QoS::AtMostOnce => {}
            QoS::AtLeastOnce | QoS::ExactlyOnce if pkid == 0 => {
                self.violation(now, "PUBLISH with packet id 0");
                return Dispatch::None;
            }
            QoS::AtLeastOnce => self.control.push(Control::PubAck(pkid)),
            QoS::ExactlyOnce => {
                self.control.push(Control::PubRec(pkid));
                if self.inbound_qos2.contains(&pkid) {
                    // Re-sent before PUBREL: already delivered once.
                    return Dispatch::None;
                }
                if self.inbound_qos2.len() >= MAX_INBOUND_QOS2 {
                    self.inbound_qos2.remove(0);
                }
                self.inbound_qos2.push(pkid);
            }
        }
        self.route(topic)
    }

    /// Which subscriptions a topic goes to.
    pub fn route(&self, topic: &str) -> Dispatch {
        let mut slots: SlotMask = 0;
        for (i, s) in self.subs.iter().enumerate().take(SlotMask::BITS as usize) {
            if !s.duplicate && topic::matches(&s.filter, topic) {
                slots |= 1 << i;
            }
        }
        if slots == 0 {
            Dispatch::Default
        } else {
            Dispatch::Deliver { slots }
        }
    }

    fn on_suback(&mut self, pkid: u16, return_codes: &[u8]) {
        let Some(i) = self
            .subs
            .iter()
            .position(|s| s.request.is_some_and(|r| r.pkid == pkid))
        else {
            return; // stray
        };
        let silent = self
            .subs
            .get(i)
            .and_then(|s| s.request)
            .is_some_and(|r| r.silent);
        // Only 0, 1 and 2 grant the subscription; 0x80 (and reserved values) refuse it.
        let granted = matches!(return_codes.first(), Some(0..=2));
        if granted {
            self.grant(i);
            if !silent {
                self.events.push(Event::SubscribeSuccess(pkid));
            }
        } else {
            self.subs.remove(i);
            self.events.push(Event::SubscribeNack(pkid));
        }
    }

    /// A granted SUBSCRIBE: the slot is live; a duplicate is merged into the slot it repeats
    /// (taking the newly granted QoS), or becomes that slot if it has gone meanwhile.
    fn grant(&mut self, i: usize) {
        let Some(s) = self.subs.get_mut(i) else {
            return;
        };
        s.request = None;
        if !s.duplicate {
            return;
        }
        let Some(dup) = self.subs.get(i) else {
            return;
        };
        let qos = dup.qos;
        let original = self
            .subs
            .iter()
            .position(|o| !o.duplicate && o.filter == dup.filter && o.handler == dup.handler);
        match original {
            Some(o) => {
                if let Some(o) = self.subs.get_mut(o) {
                    o.qos = qos;
                }
                self.subs.remove(i);
            }
            None => {
                if let Some(s) = self.subs.get_mut(i) {
                    s.duplicate = false;
                }
            }
        }
    }

    /// The driver drained a PUBLISH larger than its read buffer: acknowledge it so it does
    /// not clog the broker's in-flight window, and raise `BufferOverflow`.
    pub fn handle_oversized_publish(&mut self, qos: u8, pkid: u16, now: u64) {
        if self.state != State::Connected {
            return;
        }
        self.last_received = now;
        self.ping_deadline = None;
        if pkid != 0 {
            match QoS::from_u8(qos) {
                Some(QoS::AtLeastOnce) => self.control.push(Control::PubAck(pkid)),
                Some(QoS::ExactlyOnce) => self.control.push(Control::PubRec(pkid)),
                _ => {}
            }
        }
        self.events.push(Event::BufferOverflow);
    }

    // ----- time -----

    /// Runs the timers: CONNACK timeout, pings, missing PINGRESP, QoS1 resends and
    /// SUBSCRIBE/UNSUBSCRIBE timeouts. Harmless to call at any time, as often as wanted.
    pub fn handle_timeout(&mut self, now: u64) {
        match self.state {
            State::Connecting => {
                if now >= self.connack_deadline {
                    self.events.push(Event::ConnectTimeout);
                    self.attempt_failed(now, None);
                }
            }
            State::Connected => self.connected_timers(now),
            State::Idle | State::Disconnected | State::Closed => {}
        }
    }

    fn ping_interval(&self) -> u64 {
        let margin = (self.keepalive_ms / 10).min(PING_MARGIN_MAX_MS);
        u64::from(self.keepalive_ms - margin)
    }

    fn ping_due(&self) -> u64 {
        self.last_sent
            .min(self.last_received)
            .saturating_add(self.ping_interval())
    }

    fn connected_timers(&mut self, now: u64) {
        match self.ping_deadline {
            Some(d) if now >= d => {
                self.events.push(Event::PingTimeout);
                self.lose(now, None);
                return;
            }
            Some(_) => {}
            None => {
                if now >= self.ping_due() {
                    self.control.push(Control::PingReq);
                    self.ping_deadline =
                        Some(now.saturating_add(u64::from(self.request_timeout_ms)));
                }
            }
        }
        let next = now.saturating_add(self.request_timeout_x2());
        for p in &mut self.pending {
            if now >= p.deadline {
                p.needs_send = true;
                p.deadline = next;
            }
        }
        let mut i = self.subs.len();
        while i > 0 {
            i -= 1;
            let Some(r) = self.subs.get(i).and_then(|s| s.request) else {
                continue;
            };
            if now >= r.deadline {
                // Only an event: the subscription (and its handler) stays, as if granted.
                self.grant(i);
                if !r.silent {
                    self.events.push(Event::SubscribeTimeout(r.pkid));
                }
            }
        }
        let events = &mut self.events;
        self.unsubs.retain(|u| {
            if now >= u.request.deadline {
                events.push(Event::UnsubscribeTimeout(u.request.pkid));
                false
            } else {
                true
            }
        });
    }

    /// The earliest time [`Session::handle_timeout`] (or, while disconnected,
    /// [`Session::poll_connect_due`]) has something to do.
    pub fn next_deadline(&self) -> Option<u64> {
        match self.state {
            State::Idle | State::Closed => None,
            State::Connecting => Some(self.connack_deadline),
            State::Disconnected => Some(self.reconnect_at),
            State::Connected => {
                let ping = self.ping_deadline.unwrap_or_else(|| self.ping_due());
                let pubs = self.pending.iter().map(|p| p.deadline);
                let subs = self
                    .subs
                    .iter()
                    .filter_map(|s| s.request.map(|r| r.deadline));
                let unsubs = self.unsubs.iter().map(|u| u.request.deadline);
                pubs.chain(subs).chain(unsubs).chain(Some(ping)).min()
            }
        }
    }

    // ----- output -----

    /// The CONNECT this session sends, with its current credentials (the driver checks that
    /// it fits the write buffer before it connects).
    pub fn connect_packet(&self) -> Outgoing<'_> {
        Outgoing::Connect {
            client_id: &self.client_id,
            username: &self.username,
            password: &self.password,
            keepalive_s: u16::try_from(self.keepalive_ms / 1000).unwrap_or(u16::MAX),
            clean_session: self.clean_session,
        }
    }

    /// The next packet to send; call until `None`. Each packet returned counts as sent at `now`.
    pub fn poll_transmit(&mut self, now: u64) -> Option<Outgoing<'_>> {
        if let Some(c) = self.control.pop_front() {
            self.last_sent = now;
            return Some(match c {
                Control::Connect => self.connect_packet(),
                Control::PubAck(id) => Outgoing::PubAck(id),
                Control::PubRec(id) => Outgoing::PubRec(id),
                Control::PubComp(id) => Outgoing::PubComp(id),
                Control::PingReq => Outgoing::PingReq,
                Control::Disconnect => Outgoing::Disconnect,
            });
        }
        if self.state != State::Connected {
            return None;
        }
        // SUBSCRIBE/UNSUBSCRIBE go out in call order, also when re-sent after a reconnect,
        // so the broker ends up where the caller's sequence of calls says.
        let sub = self
            .subs
            .iter()
            .enumerate()
            .filter(|(_, s)| s.request.is_some_and(|r| r.needs_send))
            .map(|(i, s)| (s.seq, i))
            .min();
        let unsub = self
            .unsubs
            .iter()
            .enumerate()
            .filter(|(_, u)| u.request.needs_send)
            .map(|(i, u)| (u.seq, i))
            .min();
        match (sub, unsub) {
            (Some((ss, i)), u) if u.is_none_or(|(us, _)| ss < us) => {
                self.last_sent = now;
                let s = self.subs.get_mut(i)?;
                let r = s.request.as_mut()?;
                r.needs_send = false;
                let pkid = r.pkid;
                return Some(Outgoing::Subscribe {
                    pkid,
                    filter: &s.filter,
                    qos: s.qos,
                });
            }
            (_, Some((_, i))) => {
                self.last_sent = now;
                let u = self.unsubs.get_mut(i)?;
                u.request.needs_send = false;
                return Some(Outgoing::Unsubscribe {
                    pkid: u.request.pkid,
                    filter: &u.filter,
                });
            }
            _ => {}
        }
        if let Some(i) = self.pending.iter().position(|p| p.needs_send) {
            self.last_sent = now;
            let p = self.pending.get_mut(i)?;
            p.needs_send = false;
            let p = &*p;
            return Some(Outgoing::Publish {
                dup: true,
                qos: QoS::AtLeastOnce,
                retain: p.retain,
                topic: p.topic(),
                pkid: p.pkid,
                payload: p.payload(),
            });
        }
        None
    }

    /// Withdraws a request the driver could not send (its first write failed; the caller may
    /// retry): the QoS1 resend copy, the subscription (handler included) or the
    /// unsubscribe with this packet id. Returns false for an unknown id.
    pub fn cancel_request(&mut self, pkid: u16) -> bool {
        if let Some(i) = self.pending.iter().position(|p| p.pkid == pkid) {
            self.pending.remove(i);
            return true;
        }
        if let Some(i) = self
            .subs
            .iter()
            .position(|s| s.request.is_some_and(|r| r.pkid == pkid))
        {
            self.subs.remove(i);
            return true;
        }
        if let Some(i) = self.unsubs.iter().position(|u| u.request.pkid == pkid) {
            self.unsubs.remove(i);
            return true;
        }
        false
    }

    /// The next event to report, oldest first.
    pub fn poll_event(&mut self) -> Option<Event> {
        self.events.pop_front()
    }

    // ----- introspection -----

    /// The handler of subscription slot `slot` (as named by a [`Dispatch`]).
    pub fn subscription(&self, slot: usize) -> Option<&H> {
        self.subs.get(slot).map(|s| &s.handler)
    }

    /// The filter of subscription slot `slot`.
    pub fn subscription_filter(&self, slot: usize) -> Option<&str> {
        self.subs.get(slot).map(|s| s.filter.as_str())
    }

    /// Number of subscriptions, pending ones included.
    pub fn subscription_count(&self) -> usize {
        self.subs.len()
    }

    /// Number of unacknowledged QoS1 publishes.
    pub fn pending_publish_count(&self) -> usize {
        self.pending.len()
    }

    /// Packet ids of the unacknowledged QoS1 publishes, oldest first.
    pub fn pending_publish_ids(&self) -> impl Iterator<Item = u16> + '_ {
        self.pending.iter().map(|p| p.pkid)
    }

    /// Checks the session's structural invariants (for tests and debug assertions).
    pub fn check_invariants(&self) -> Result<(), &'static str> {
        if self.pending.len() > MAX_PENDING_PUBLISH {
            return Err("more than 20 pending QoS1 publishes");
        }
        if self.subs.len() > MAX_SUBSCRIPTIONS {
            return Err("more than 30 subscriptions");
        }
        if self.unsubs.len() > MAX_PENDING_UNSUBSCRIBE {
            return Err("more than 30 pending unsubscribes");
        }
        if self.inbound_qos2.len() > MAX_INBOUND_QOS2 {
            return Err("too many inbound QoS2 ids");
        }
        let ids = self
            .pending
            .iter()
            .map(|p| p.pkid)
            .chain(self.subs.iter().filter_map(|s| s.request.map(|r| r.pkid)))
            .chain(self.unsubs.iter().map(|u| u.request.pkid));
        for (n, id) in ids.clone().enumerate() {
            if id == 0 {
                return Err("packet id 0 in use");
            }
            if ids.clone().skip(n + 1).any(|other| other == id) {
                return Err("duplicate packet id in use");
            }
        }
        for (n, id) in self.inbound_qos2.iter().enumerate() {
            if self.inbound_qos2.iter().skip(n + 1).any(|o| o == id) {
                return Err("duplicate inbound QoS2 id");
            }
        }
        if self.state != State::Connected && self.ping_deadline.is_some() {
            return Err("ping outstanding while not connected");
        }
        if !(KEEPALIVE_MIN_MS..=KEEPALIVE_MAX_MS).contains(&self.keepalive_ms) {
            return Err("keepalive out of range");
        }
        if !(REQUEST_TIMEOUT_MIN_MS..=REQUEST_TIMEOUT_MAX_MS).contains(&self.request_timeout_ms) {
            return Err("request timeout out of range");
        }
        if !(RECONNECT_MIN_MS..=RECONNECT_MAX_MS).contains(&self.backoff_ms) {
            return Err("back-off out of range");
        }
        if self
            .subs
            .iter()
            .any(|s| topic::validate_topic_filter(&s.filter).is_err())
        {
            return Err("invalid stored filter");
        }
        Ok(())
    }
}

impl<H: PartialEq> Session<H> {
    /// Subscribes. The handler is live immediately (a retained message arriving before the
    /// SUBACK reaches it); the SUBSCRIBE goes out through [`Session::poll_transmit`].
    /// `qos` above 2 is treated as 0. Returns the packet id.
    ///
    /// A call whose filter and handler equal a live slot's adds no slot (V2.10): the SUBSCRIBE
    /// still goes out and its SUBACK raises `SubscribeSuccess`, but messages reach the
    /// handler once. A different handler (for C: function or context) gets a slot of its own.
    pub fn subscribe(&mut self, filter: &str, qos: u8, handler: H, now: u64) -> Result<u16, Error> {
        topic::validate_topic_filter(filter).map_err(|_| Error::InvalidTopic)?;
        let qos = QoS::from_u8(qos).unwrap_or(QoS::AtMostOnce);
        self.check_size(&Outgoing::Subscribe {
            pkid: 0,
            filter,
            qos,
        })?;
        if self.state != State::Connected {
            return Err(Error::NotConnected);
        }
        if self.subs.len() >= MAX_SUBSCRIPTIONS {
            return Err(Error::PendingFull);
        }
        let duplicate = self
            .subs
            .iter()
            .any(|s| !s.duplicate && s.filter == filter && s.handler == handler);
        let mut copy = String::new();
        try_copy(&mut copy, filter)?;
        try_room(&mut self.subs)?;
        let pkid = self.next_pkid().ok_or(Error::PendingFull)?;
        let seq = self.take_seq();
        self.subs.push(Subscription {
            seq,
            duplicate,
            filter: copy,
            qos,
            handler,
            request: Some(Request {
                pkid,
                deadline: now.saturating_add(self.request_timeout_x2()),
                needs_send: true,
                silent: false,
            }),
        });
        Ok(pkid)
    }
}

// Manual so that `H` needs no `Debug`; credentials are deliberately left out.
impl<H> fmt::Debug for Session<H> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Session")
            .field("state", &self.state)
            .field("keepalive_ms", &self.keepalive_ms)
            .field("request_timeout_ms", &self.request_timeout_ms)
            .field("clean_session", &self.clean_session)
            .field("backoff_ms", &self.backoff_ms)
            .field("pending_publishes", &self.pending.len())
            .field("subscriptions", &self.subs.len())
            .field("pending_unsubscribes", &self.unsubs.len())
            .finish_non_exhaustive()
    }
}
