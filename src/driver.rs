//! The thin driver between the sans-I/O engine and the HAL: it owns the transport, the clock and
//! the locks, moves bytes between the codec and the engine, and runs callbacks with no lock held.
//! Protocol and timing rules live in the engine; nothing here decides them.

use core::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use alloc::ffi::CString;

use iotmqtt_engine::{
    validate_topic_filter, validate_topic_name, Config, Dispatch, Error as EngineError, Event,
    Incoming, Outgoing, Session, State, TopicError,
};

use crate::caller_buffer::CallerBuffer;
use crate::hal;
use crate::heap::Counted;
use crate::lock::HalMutex;
use crate::net_error::NetError;
use crate::prelude::*;
use crate::text::FixedText;
use crate::transport::Transport;
use iotmqtt_engine::codec::{self, Drain, Frame};
use iotmqtt_engine::limits::SlotMask;

/// Why a call failed, by what failed; the reason was logged. The C boundary gives each its
/// V2.10 code. Fieldless, so it travels in a register.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClientError {
    /// Memory ran out, the HAL could not create a mutex, or a fixed buffer was too small.
    NoResources,
    /// Re-authentication before a reconnect failed.
    Reauthentication,
    /// The client is not connected.
    NotConnected,
    /// Yield was called from one of the client's callbacks or while another thread yields.
    YieldRunning,
    /// The topic is not a valid topic name (publish) or filter (subscribe, unsubscribe).
    InvalidTopic,
    /// A CONNECT that does not fit the write buffer; nothing was sent.
    ConnectTooLarge,
    /// A PUBLISH that does not fit the write buffer; nothing was sent.
    PublishTooLarge,
    /// A SUBSCRIBE that does not fit the write buffer; nothing was sent.
    SubscribeTooLarge,
    /// An UNSUBSCRIBE that does not fit the write buffer; nothing was sent.
    UnsubscribeTooLarge,
    /// Too many requests pending (20 QoS1 publishes, 30 subscriptions or unsubscribes).
    PendingFull,
    /// Memory for another pending request ran out.
    PendingNoMemory,
    /// A QoS2 publish (not supported, as in V2.10).
    QosNotSupported,
    /// The connection could not be opened ([`NetError::Connect`]).
    NetworkConnect,
    /// The TLS server certificate did not verify ([`NetError::CertificateRejected`]).
    CertificateRejected,
    /// A write failed; the connection is lost ([`NetError::Write`]).
    NetworkWrite,
    /// CONNACK return code 1: unacceptable protocol version.
    RefusedProtocolVersion,
    /// CONNACK return code 2: client identifier rejected.
    RefusedIdentifier,
    /// CONNACK return code 3: server unavailable.
    RefusedServerUnavailable,
    /// CONNACK return code 4: bad user name or password.
    RefusedCredentials,
    /// CONNACK return code 5: not authorized.
    RefusedNotAuthorized,
    /// A CONNACK return code MQTT 3.1.1 does not define.
    RefusedOther,
    /// No CONNACK within the request timeout.
    ConnectTimeout,
}

impl ClientError {
    /// The refusal a CONNACK return code (non-zero) stands for.
    pub fn connect_refused(return_code: u8) -> Self {
        match return_code {
            1 => ClientError::RefusedProtocolVersion,
            2 => ClientError::RefusedIdentifier,
            3 => ClientError::RefusedServerUnavailable,
            4 => ClientError::RefusedCredentials,
            5 => ClientError::RefusedNotAuthorized,
            _ => ClientError::RefusedOther,
        }
    }
}

impl From<NetError> for ClientError {
    fn from(error: NetError) -> Self {
        match error {
            NetError::Connect => ClientError::NetworkConnect,
            NetError::CertificateRejected => ClientError::CertificateRejected,
            NetError::Write => ClientError::NetworkWrite,
        }
    }
}

/// A received PUBLISH, as handlers are given it: topic and payload point into the read buffer.
pub struct Received<'a> {
    pub packet_id: u16,
    pub qos: u8,
    pub dup: bool,
    pub retain: bool,
    pub topic: &'a str,
    pub payload: &'a [u8],
}

/// The callbacks the driver runs, as the layer above defines them (the C boundary implements
/// it for V2.10's callback and context). Each subscription stores one, and the client has a
/// default one; the driver marks the client as dispatching around every call.
pub trait Handler: Copy + PartialEq {
    /// A received message in the form the handlers take: built once per message and shown to
    /// every handler it goes to.
    type Message;
    fn message(received: &Received<'_>) -> Self::Message;
    /// Hands `message` over; `client` is the handle the client was registered under.
    fn deliver(&self, client: usize, message: &mut Self::Message);
    /// Raises an engine event meant for the application (the session's own are kept back).
    fn event(&self, client: usize, event: Event);
    /// The code the layer above returns for `error`, for the log lines that show it.
    fn code(error: ClientError) -> i32;
}

/// What [`Client::dispatch`] runs a handler for: one function for both kinds keeps the
/// dispatching flag in one place, and one copy of it in the image.
enum Callback<'a, M> {
    Message(&'a mut M),
    Event(Event),
}

/// Fresh connection strings after re-authentication (`IOT_SetupConnInfo`'s, refreshed).
pub struct Credentials {
    pub host: CString,
    pub port: u16,
    pub client_id: String,
    pub username: String,
    pub password: String,
}

/// Re-authenticates before a reconnect; None when authentication failed (already logged).
pub type Reauthenticate = fn() -> Option<Credentials>;

/// Where and how to connect.
pub struct Endpoint {
    pub host: CString,
    pub port: u16,
    /// PEM CA: TLS when present.
    pub ca: Option<CString>,
    pub reauthenticate: Option<Reauthenticate>,
}

/// Everything `IOT_MQTT_Construct` hands over, already checked and copied by the ffi layer.
pub struct ConnectParams<H> {
    pub endpoint: Endpoint,
    pub config: Config,
    pub read_buf: CallerBuffer,
    pub write_buf: CallerBuffer,
    pub default_handler: Option<H>,
    /// (productKey, deviceName) when known from `IOT_SetupConnInfo`, for the module-id report.
    pub identity: Option<(String, String)>,
}

/// State shared by every thread using the client; held only briefly, never across a read.
struct Shared<H> {
    engine: Session<H>,
    transport: Option<Counted<Transport>>,
    write_buf: CallerBuffer,
}

/// State only the thread running Yield (or Construct) touches.
struct Reader {
    read_buf: CallerBuffer,
    /// Bytes of `read_buf` holding received data not yet dispatched.
    filled: usize,
    /// A packet too large for `read_buf`, while the rest of it is skipped.
    drain: Option<Drain>,
    /// The last read got all it asked for: more may be waiting.
    last_read_full: bool,
    /// Packets dispatched since the last one the server waits for us to answer (a QoS1/2
    /// PUBLISH, PUBREC or PUBREL), saturating.
    since_answer: u32,
    endpoint: Endpoint,
    /// Why the last connection attempt failed.
    connect_error: Option<ClientError>,
    /// Inside a connection attempt: framing stops at the CONNACK, so messages that arrive with
    /// it wait for the next Yield (after Construct returned and the caller subscribed).
    connecting: bool,
}

impl Reader {
    /// Received bytes not yet dispatched.
    fn buffered(&mut self) -> &[u8] {
        let filled = self.filled;
        self.read_buf.as_mut_slice().get(..filled).unwrap_or(&[])
    }
}

pub struct Client<H> {
    /// The C handle, passed back to callbacks.
    handle: AtomicUsize,
    shared: HalMutex<Shared<H>>,
    reader: HalMutex<Reader>,
    /// A Yield is running (Yield is not re-entered, from a callback or another thread).
    yielding: AtomicBool,
    /// One of this client's callbacks is running. The library cannot tell threads apart (no
    /// thread-locals in a no_std library, no thread id in the V2.10 HAL), so this is what keeps
    /// a callback from destroying the client that is calling it.
    dispatching: AtomicBool,
    default_handler: Option<H>,
}

/// How long a bulk read may wait for the buffer to fill: the smallest timeout the HAL can be
/// given, and so the most a bulk read delays dispatch.
const BULK_WAIT_MS: u32 = 1;
/// A packet that arrives during a bulk read waits for the read to end (up to `BULK_WAIT_MS`)
/// before it is dispatched, and so does our answer to it. A broker with Nagle on (mosquitto's
/// default) holds its next packet until it sees that answer, so answering late costs a whole
/// round trip: bulk reads made the QoS1 bench 0.3 ms -> 2.4 ms per message. So bulk reads are
/// used only after this many packets in a row needed no answer.
const BULK_AFTER_QUIET_PACKETS: u32 = 16;
/// Events handed out per lock, so callbacks run with no lock held.
const EVENT_BATCH: usize = 8;

fn random() -> u32 {
    hal::random(0x7fff_ffff)
}

/// The API call a refusal belongs to: its name in the log, its packet, its size code.
#[derive(Clone, Copy)]
enum Call {
    Publish,
    Subscribe,
    Unsubscribe,
}

impl Call {
    fn name(self) -> &'static str {
        match self {
            Call::Publish => "IOT_MQTT_Publish",
            Call::Subscribe => "IOT_MQTT_Subscribe",
            Call::Unsubscribe => "IOT_MQTT_Unsubscribe",
        }
    }

    fn packet(self) -> &'static str {
        match self {
            Call::Publish => "PUBLISH",
            Call::Subscribe => "SUBSCRIBE",
            Call::Unsubscribe => "UNSUBSCRIBE",
        }
    }

    /// The error for a packet of this call that does not fit the write buffer.
    fn too_large(self) -> ClientError {
        match self {
            Call::Publish => ClientError::PublishTooLarge,
            Call::Subscribe => ClientError::SubscribeTooLarge,
            Call::Unsubscribe => ClientError::UnsubscribeTooLarge,
        }
    }

    /// Why the engine found `topic` invalid: found again, on the refusal path only.
    fn topic_error(self, topic: &str) -> &'static str {
        let checked = match self {
            Call::Publish => validate_topic_name(topic),
            Call::Subscribe | Call::Unsubscribe => validate_topic_filter(topic),
        };
        match checked {
            Err(TopicError::Empty) => "it is empty",
            Err(TopicError::TooLong) => "it is longer than 128 characters (V2.10's limit)",
            Err(TopicError::BadCharacter) => "it has a character outside printable ASCII",
            Err(TopicError::WildcardInName) => "a topic name cannot hold + or #",
            Err(TopicError::MisplacedWildcard) => {
                "+ and # must be whole levels, and # the last one (MQTT 3.1.1 4.7)"
            }
            Ok(()) => "",
        }
    }
}

/// Maps an engine error to the client's, with the log line every refused call gets (showing
/// the code the layer above returns). The engine checks the topic before the size, as V2.10
/// does: an invalid topic is refused as such whatever the buffer sizes, and a packet that
/// cannot fit is refused for its size with nothing sent.
fn api_error<H: Handler>(
    call: Call,
    topic: &str,
    write_buf_size: usize,
    e: EngineError,
) -> ClientError {
    // A topic over the limit may be 64 KiB long: show its first 40 bytes or so only.
    let end = (40..topic.len())
        .find(|&i| topic.is_char_boundary(i))
        .unwrap_or(topic.len());
    let shown = topic.get(..end).unwrap_or(topic);
    let cut = if shown.len() < topic.len() { "..." } else { "" };
    let (error, why) = match e {
        EngineError::InvalidTopic => {
            let error = ClientError::InvalidTopic;
            log_err!(
                "{}({}{}) failed: invalid topic of {} bytes: {} ({})",
                call.name(),
                shown,
                cut,
                topic.len(),
                call.topic_error(topic),
                H::code(error)
            );
            return error;
        }
        EngineError::PacketTooLarge(len) => {
            let error = call.too_large();
            log_err!(
                "{}({}{}) failed: {} packet of {} bytes does not fit write_buf_size {} ({})",
                call.name(),
                shown,
                cut,
                call.packet(),
                len,
                write_buf_size,
                H::code(error)
            );
            return error;
        }
        EngineError::NotConnected => (ClientError::NotConnected, "not connected"),
        EngineError::PendingFull => (
            ClientError::PendingFull,
            "too many pending requests (20 QoS1 publishes, 30 subscriptions)",
        ),
        EngineError::NoMemory => (ClientError::PendingNoMemory, "out of memory"),
        EngineError::QosNotSupported | EngineError::InvalidQos => (
            ClientError::QosNotSupported,
            "QoS2 publish is not supported (V2.10)",
        ),
    };
    log_err!(
        "{}({}{}) failed: {} ({})",
        call.name(),
        shown,
        cut,
        why,
        H::code(error)
    );
    error
}

impl<H: Handler> Client<H> {
    /// Connects synchronously; on failure nothing is left behind and no event is raised.
    pub fn construct(params: ConnectParams<H>) -> Result<Counted<Client<H>>, ClientError> {
        let ConnectParams {
            endpoint,
            config,
            read_buf,
            write_buf,
            default_handler,
            identity,
        } = params;
        let mut engine = Session::new(config).map_err(|_| {
            log_err!("out of memory creating the session");
            ClientError::NoResources
        })?;
        engine.set_max_packet_len(write_buf.len());
        let warnings = engine.config_warnings();
        if let Some(from) = warnings.keepalive_clamped_from {
            log_warn!(
                "keepalive_interval_ms {} is outside 60000..300000, using {} (the platform refuses other values)",
                from,
                engine.keepalive_ms()
            );
        }
        if let Some(from) = warnings.request_timeout_replaced_from {
            log_warn!(
                "request_timeout_ms {} is outside 500..5000, using {}",
                from,
                engine.request_timeout_ms()
            );
        }
        let shared = HalMutex::new(Shared {
            engine,
            transport: None,
            write_buf,
        });
        let reader = HalMutex::new(Reader {
            read_buf,
            filled: 0,
            drain: None,
            last_read_full: false,
            since_answer: 0,
            endpoint,
            connect_error: None,
            connecting: false,
        });
        let (Some(shared), Some(reader)) = (shared, reader) else {
            log_err!("HAL_MutexCreate failed");
            return Err(ClientError::NoResources);
        };
        let client = Counted::try_new(Client {
            handle: AtomicUsize::new(0),
            shared,
            reader,
            yielding: AtomicBool::new(false),
            dispatching: AtomicBool::new(false),
            default_handler,
        })
        .map_err(|_| {
            log_err!("out of memory creating the client");
            ClientError::NoResources
        })?;
        hal::srandom(hal::uptime_ms() as u32);
        {
            let mut reader = client.reader.lock();
            client.connect_attempt(&mut reader)?;
            if let Some((pk, dn)) = identity {
                client.report_module_id(&pk, &dn)?;
            }
        }
        Ok(client)
    }

    pub fn set_handle(&self, handle: usize) {
        self.handle.store(handle, Ordering::Relaxed);
    }

    /// The C handle the registry gave this client (0 before it was registered).
    pub fn handle(&self) -> usize {
        self.handle.load(Ordering::Relaxed)
    }

    /// True while one of this client's callbacks runs (from whichever thread asks).
    pub fn in_callback(&self) -> bool {
        self.dispatching.load(Ordering::Acquire)
    }

    /// Runs `handler` with `dispatching` set around it.
    fn dispatch(&self, handler: &H, callback: Callback<'_, H::Message>) {
        let handle = self.handle.load(Ordering::Relaxed);
        self.dispatching.store(true, Ordering::Release);
        match callback {
            Callback::Message(message) => handler.deliver(handle, message),
            Callback::Event(event) => handler.event(handle, event),
        }
        self.dispatching.store(false, Ordering::Release);
    }

    pub fn is_connected(&self) -> bool {
        self.shared.lock().engine.is_connected()
    }

    pub fn disable_reconnect(&self) {
        self.shared.lock().engine.disable_reconnect();
    }

    /// Sends DISCONNECT when connected and closes. Waits for a Yield running in another thread
    /// to return, so the caller's buffers are not in use once this returns. Never sleeps.
    pub fn shutdown(&self) {
        let _reader = self.reader.lock();
        let transport = {
            let mut shared = self.shared.lock();
            shared.engine.disconnect();
            flush(&mut shared, hal::uptime_ms());
            shared.transport.take()
        };
        drop(transport);
    }

    /// V2.10 module-id report (docs/v210-reference.md §5.12), when the HAL has both ids.
    fn report_module_id(&self, pk: &str, dn: &str) -> Result<(), ClientError> {
        let (pid, mid) = (hal::partner_id(), hal::module_id());
        if pid.as_str().is_empty() || mid.as_str().is_empty() {
            return Ok(());
        }
        // Built on the stack: Construct must not abort when memory runs out.
        let (mid, pid) = (mid.as_str(), pid.as_str());
        let topic = FixedText::<128>::concat(&["/sys/", pk, "/", dn, "/thing/status/update"]);
        let payload = FixedText::<320>::concat(&[
            "{\"id\":\"",
            pk,
            "_",
            dn,
            "_mid\",\"params\":{\"_sys_device_mid\":\"",
            mid,
            "\",\"_sys_device_pid\":\"",
            pid,
            "\"}}",
        ]);
        let (Some(topic), Some(payload)) = (topic, payload) else {
            log_err!("module id report does not fit its buffer");
            return Err(ClientError::NoResources);
        };
        self.publish(topic.as_str(), payload.as_str().as_bytes(), 0, false)
            .map(|_| ())
            .inspect_err(|&e| log_err!("module id report failed: {}", H::code(e)))
    }

    /// Publishes; Ok(0) for QoS0, Ok(packet id) for QoS1.
    pub fn publish(
        &self,
        topic: &str,
        payload: &[u8],
        qos: u8,
        retain: bool,
    ) -> Result<u16, ClientError> {
        let now = hal::uptime_ms();
        let mut guard = self.shared.lock();
        let shared = &mut *guard;
        let write_buf_size = shared.write_buf.len();
        let packet = shared
            .engine
            .publish(topic, payload, qos, retain, now)
            .map_err(|e| api_error::<H>(Call::Publish, topic, write_buf_size, e))?;
        let pkid = match packet {
            Outgoing::Publish { pkid, qos, .. } if qos as u8 > 0 => pkid,
            _ => 0,
        };
        let written = write_one(&packet, &mut shared.write_buf, shared.transport.as_deref());
        if let Err(error) = written {
            log_err!("publish write failed ({}): connection lost", H::code(error));
            shared.engine.on_transport_lost(now, random());
            // A QoS1 message stays queued and goes out again after the reconnect.
            if pkid == 0 {
                return Err(ClientError::NetworkWrite);
            }
        }
        // Acks or resends the engine queued meanwhile go out with the next Yield.
        Ok(pkid)
    }

    pub fn subscribe(&self, filter: &str, qos: u8, handler: H) -> Result<u16, ClientError> {
        let now = hal::uptime_ms();
        let mut shared = self.shared.lock();
        let write_buf_size = shared.write_buf.len();
        let id = shared
            .engine
            .subscribe(filter, qos, handler, now)
            .map_err(|e| api_error::<H>(Call::Subscribe, filter, write_buf_size, e))?;
        if !flush(&mut shared, now) {
            // V2.10: a request that could not be sent is withdrawn (the caller may retry).
            shared.engine.cancel_request(id);
            return Err(ClientError::NetworkWrite);
        }
        log_info!(
            "mqtt subscribe packet sent, topic = {}, packet id = {}",
            filter,
            u32::from(id)
        );
        Ok(id)
    }

    pub fn unsubscribe(&self, filter: &str) -> Result<u16, ClientError> {
        let now = hal::uptime_ms();
        let mut shared = self.shared.lock();
        let write_buf_size = shared.write_buf.len();
        let id = shared
            .engine
            .unsubscribe(filter, now)
            .map_err(|e| api_error::<H>(Call::Unsubscribe, filter, write_buf_size, e))?;
        if !flush(&mut shared, now) {
            shared.engine.cancel_request(id);
            return Err(ClientError::NetworkWrite);
        }
        Ok(id)
    }

    /// Runs for `timeout_ms` (V2.10's contract), reading, dispatching, pinging and reconnecting.
    pub fn run_yield(&self, timeout_ms: u32) -> Result<(), ClientError> {
        if self
            .yielding
            .compare_exchange(false, true, Ordering::AcqRel, Ordering::Acquire)
            .is_err()
        {
            log_err!("IOT_MQTT_Yield called from a callback or while another thread yields");
            return Err(ClientError::YieldRunning);
        }
        let start = hal::uptime_ms();
        let timeout = u64::from(timeout_ms);
        {
            let mut reader = self.reader.lock();
            loop {
                let now = hal::uptime_ms();
                self.service(&mut reader, now);
                let now = hal::uptime_ms();
                let elapsed = now.saturating_sub(start);
                if elapsed >= timeout {
                    break;
                }
                self.wait_for_input(&mut reader, now, start + timeout);
            }
        }
        self.yielding.store(false, Ordering::Release);
        Ok(())
    }

    /// Timers, due reconnects, queued packets, closing a dead transport, and events.
    fn service(&self, reader: &mut Reader, now: u64) {
        let (connect_due, dead) = {
            let mut shared = self.shared.lock();
            shared.engine.add_entropy(random());
            shared.engine.handle_timeout(now);
            flush(&mut shared, now);
            let dead = if shared.engine.wants_transport() {
                None
            } else {
                shared.transport.take()
            };
            (shared.engine.poll_connect_due(now), dead)
        };
        drop(dead);
        self.dispatch_events(reader);
        if connect_due {
            log_info!("reconnecting");
            if self.connect_attempt(reader).is_err() {
                log_warn!("reconnect failed, will retry");
            }
            self.dispatch_events(reader);
        }
    }

    /// Waits for input until `end` at the latest (and no longer than the engine's next deadline).
    fn wait_for_input(&self, reader: &mut Reader, now: u64, end: u64) {
        let left = end.saturating_sub(now).max(1);
        let (transport, deadline, short_packet_possible) = {
            let shared = self.shared.lock();
            let deadline = shared
                .engine
                .next_deadline()
                .into_iter()
                .chain(shared.engine.reconnect_at())
                .min();
            (
                shared.transport.clone(),
                deadline,
                shared.engine.awaiting_pingresp(),
            )
        };
        let wait = deadline.map_or(left, |d| d.saturating_sub(now).clamp(1, left));
        let wait = u32::try_from(wait).unwrap_or(u32::MAX);
        match transport {
            Some(transport) => {
                let smallest = if short_packet_possible { 2 } else { 4 };
                self.read_and_dispatch(reader, &transport, wait, smallest)
            }
            // Disconnected: sleep until the next attempt or the end of the Yield, never longer.
            None => hal::sleep_ms(wait),
        }
    }

    /// One read, then every packet it completed (a 0 timeout reaches the HAL as 1 ms: hal.rs).
    fn read_and_dispatch(
        &self,
        reader: &mut Reader,
        transport: &Transport,
        wait_ms: u32,
        smallest: usize,
    ) {
        let capacity = reader.read_buf.len();
        if let Some(mut drain) = reader.drain {
            // The rest of an oversized packet passes through the buffer and is dropped.
            let buf = reader.read_buf.as_mut_slice();
            let chunk = drain.remaining().min(buf.len());
            let Some(slot) = buf.get_mut(..chunk) else {
                return;
            };
            match transport.read(slot, wait_ms) {
                hal::ReadOutcome::Data(n) => {
                    drain.feed(slot.get(..n).unwrap_or(&[]));
                    reader.drain = (!drain.finished()).then_some(drain);
                    if drain.finished() {
                        self.drained(reader, drain);
                        flush(&mut self.shared.lock(), hal::uptime_ms());
                    }
                }
                hal::ReadOutcome::Timeout => {}
                other => self.lost(reader, other),
            }
            return;
        }
        // HAL_TCP_Read waits until it has all it was asked for. While packets stream in and need
        // no answer, and no packet is half read (it would wait for the bulk read to end), ask
        // for the whole free buffer and wait at most BULK_WAIT_MS, so one read brings many
        // packets. Otherwise ask for exactly what the next packet still needs and wait as long
        // as allowed: a new packet is at least `smallest` bytes (4 unless a PINGRESP may come),
        // so an idle client wakes once per packet or deadline, and a whole ack arrives in one
        // read.
        let need = match codec::frame(reader.buffered(), capacity) {
            // Packets left in the buffer (after the CONNACK of a connect) go first, unread.
            Frame::Complete { .. } => return self.process_input(reader),
            Frame::Incomplete { need } if reader.filled == 0 => need.max(smallest),
            Frame::Incomplete { need } => need,
            Frame::TooLarge { .. } | Frame::Malformed => 1,
        };
        let filled = reader.filled;
        let free = capacity.saturating_sub(filled).max(1);
        let bulk =
            filled == 0 && reader.last_read_full && reader.since_answer >= BULK_AFTER_QUIET_PACKETS;
        let (want, wait_ms) = if bulk {
            (free, wait_ms.min(BULK_WAIT_MS))
        } else {
            (need.min(free), wait_ms)
        };
        let outcome = {
            let buf = reader.read_buf.as_mut_slice();
            match buf.get_mut(filled..filled + want) {
                Some(slot) => transport.read(slot, wait_ms),
                None => hal::ReadOutcome::Error(-2),
            }
        };
        match outcome {
            hal::ReadOutcome::Data(n) => {
                reader.last_read_full = n >= want;
                reader.filled += n;
                self.process_input(reader);
            }
            hal::ReadOutcome::Timeout => reader.last_read_full = false,
            other => self.lost(reader, other),
        }
    }

    fn lost(&self, reader: &mut Reader, outcome: hal::ReadOutcome) {
        match outcome {
            hal::ReadOutcome::Closed => log_warn!("connection closed by the server"),
            hal::ReadOutcome::Error(code) => log_err!("network read failed ({})", code),
            _ => log_err!("network read failed"),
        }
        reader.filled = 0;
        reader.drain = None;
        reader.last_read_full = false;
        let dead = {
            let mut shared = self.shared.lock();
            shared.engine.on_transport_lost(hal::uptime_ms(), random());
            shared.transport.take()
        };
        drop(dead);
        self.dispatch_events(reader);
    }

    /// Frames, decodes and dispatches every complete packet in the read buffer.
    fn process_input(&self, reader: &mut Reader) {
        let capacity = reader.read_buf.len();
        // When these packets arrived, for all of them: one clock read per read, not per packet.
        let received_at = hal::uptime_ms();
        let mut pos = 0;
        loop {
            let filled = reader.filled;
            let frame = match reader.read_buf.as_mut_slice().get(pos..filled) {
                Some(pending) if !pending.is_empty() => codec::frame(pending, capacity),
                _ => break,
            };
            match frame {
                Frame::Complete { len } => {
                    let first_byte = reader.read_buf.as_mut_slice().get(pos).copied();
                    reader.since_answer = if first_byte.is_some_and(codec::expects_answer) {
                        0
                    } else {
                        reader.since_answer.saturating_add(1)
                    };
                    let ok = self.dispatch_packet(reader, pos, len, received_at);
                    pos += len;
                    if !ok {
                        self.lost(reader, hal::ReadOutcome::Error(-2));
                        return;
                    }
                    if reader.connecting && self.shared.lock().engine.is_connected() {
                        break;
                    }
                }
                Frame::Incomplete { .. } => break,
                Frame::TooLarge {
                    header_len,
                    remaining_len,
                } => {
                    let head = reader
                        .read_buf
                        .as_mut_slice()
                        .get(pos..filled)
                        .unwrap_or(&[]);
                    let first = head.first().copied().unwrap_or(0);
                    if codec::is_acknowledged_publish(first) {
                        reader.since_answer = 0;
                    }
                    log_warn!(
                        "packet of {} bytes exceeds read_buf_size {}: drained and dropped",
                        header_len.saturating_add(remaining_len),
                        capacity
                    );
                    let mut drain = Drain::new(first, header_len, remaining_len);
                    pos += drain.feed(head);
                    if drain.finished() {
                        self.drained(reader, drain);
                    } else {
                        reader.drain = Some(drain);
                    }
                }
                Frame::Malformed => {
                    log_err!("malformed remaining length from the server");
                    self.lost(reader, hal::ReadOutcome::Error(-2));
                    return;
                }
            }
        }
        // Everything the packets of this read queued (acks, resends) in one write.
        flush(&mut self.shared.lock(), hal::uptime_ms());
        // Keep the partial packet at the front for the next read.
        let filled = reader.filled;
        reader.read_buf.as_mut_slice().copy_within(pos..filled, 0);
        reader.filled = filled - pos;
    }

    /// The last byte of an oversized packet went by: acknowledge it if it was a QoS1/2
    /// PUBLISH (its id was picked out on the way), and report BUFFER_OVERFLOW.
    fn drained(&self, reader: &mut Reader, drain: Drain) {
        let (qos, pkid) = drain.ack();
        self.drop_oversized(reader, qos, pkid);
    }

    /// A PUBLISH the caller cannot be given: acknowledged (the ack goes out with the read's
    /// flush), dropped, and reported as BUFFER_OVERFLOW.
    fn drop_oversized(&self, reader: &mut Reader, qos: u8, pkid: u16) {
        let events = {
            let mut shared = self.shared.lock();
            shared
                .engine
                .handle_oversized_publish(qos, pkid, hal::uptime_ms());
            take_events(&mut shared)
        };
        self.raise_events(reader, events);
    }

    /// Hands one complete packet to the engine and runs the callbacks; false on a protocol error.
    fn dispatch_packet(&self, reader: &mut Reader, pos: usize, len: usize, now: u64) -> bool {
        let buf = reader.read_buf.as_mut_slice();
        let Some(bytes) = buf.get(pos..pos + len) else {
            return false;
        };
        let packet = match codec::decode(bytes) {
            Ok(p) => p,
            Err(codec::DecodeError::Malformed(what)) => {
                log_err!("malformed packet from the server: {}", what);
                return false;
            }
        };
        // `payload_len` is 16 bits (V2.10): a longer payload cannot be handed to C, so it is
        // treated like one too large for the read buffer (acknowledged, dropped, reported).
        if let Incoming::Publish {
            qos, pkid, payload, ..
        } = packet
        {
            if u16::try_from(payload.len()).is_err() {
                log_warn!(
                    "payload of {} bytes exceeds V2.10's 16-bit payload_len: dropped",
                    payload.len()
                );
                self.drop_oversized(reader, qos as u8, pkid);
                return true;
            }
        }
        // One per bit of the slot mask the engine answers with.
        let mut targets: [Option<H>; SlotMask::BITS as usize] = [None; SlotMask::BITS as usize];
        let message = match packet {
            Incoming::Publish {
                dup,
                qos,
                retain,
                topic,
                pkid,
                payload,
            } => Some(H::message(&Received {
                packet_id: pkid,
                qos: qos as u8,
                dup,
                retain,
                topic,
                payload,
            })),
            _ => None,
        };
        let events = {
            let mut shared = self.shared.lock();
            let dispatch = shared.engine.handle(packet, now);
            match dispatch {
                Dispatch::Deliver { .. } => {
                    for (slot, target) in dispatch.slots().zip(targets.iter_mut()) {
                        *target = shared.engine.subscription(slot).copied();
                    }
                }
                Dispatch::Default => targets[0] = self.default_handler,
                Dispatch::None => {}
            }
            // Acks go out once per read (process_input), not once per packet.
            take_events(&mut shared)
        };
        if let Some(mut message) = message {
            for target in targets.iter().flatten() {
                self.dispatch(target, Callback::Message(&mut message));
            }
        }
        self.raise_events(reader, events);
        true
    }

    /// Raises the engine's events on the default handler, a batch at a time with no lock held.
    fn dispatch_events(&self, reader: &mut Reader) {
        let events = take_events(&mut self.shared.lock());
        self.raise_events(reader, events);
    }

    /// Raises a batch taken under the lock, then any events left behind it.
    fn raise_events(&self, reader: &mut Reader, batch: EventBatch) {
        let mut batch = batch;
        loop {
            for &event in batch.events.iter().flatten() {
                // The session's own events are logged and kept back; the rest are raised.
                match event {
                    Event::Connected => continue,
                    Event::Reconnected => log_info!("reconnected"),
                    Event::Disconnected => log_warn!("disconnected"),
                    Event::ConnectRefused(code) => {
                        log_err!(
                            "CONNACK refused the connection with code {}",
                            u32::from(code)
                        );
                        reader.connect_error = Some(ClientError::connect_refused(code));
                        continue;
                    }
                    Event::ConnectTimeout => {
                        log_err!("no CONNACK within the request timeout");
                        reader.connect_error = Some(ClientError::ConnectTimeout);
                        continue;
                    }
                    Event::PingTimeout => {
                        log_err!("no PINGRESP within the request timeout");
                        continue;
                    }
                    Event::ProtocolViolation(what) => {
                        log_err!("protocol violation by the server: {}", what);
                        continue;
                    }
                    Event::SubscribeSuccess(_)
                    | Event::SubscribeTimeout(_)
                    | Event::SubscribeNack(_)
                    | Event::UnsubscribeSuccess(_)
                    | Event::UnsubscribeTimeout(_)
                    | Event::PublishSuccess(_)
                    | Event::BufferOverflow => {}
                }
                if let Some(handler) = &self.default_handler {
                    self.dispatch(handler, Callback::Event(event));
                }
            }
            if !batch.full {
                return;
            }
            batch = take_events(&mut self.shared.lock());
        }
    }

    /// One bounded attempt: re-authenticate if needed, open the transport, CONNECT, and wait
    /// for CONNACK within the request timeout.
    fn connect_attempt(&self, reader: &mut Reader) -> Result<(), ClientError> {
        reader.connecting = true;
        let result = self.try_connect(reader);
        reader.connecting = false;
        result
    }

    /// Tells the engine this connection attempt failed (it schedules the next) and returns
    /// `error`.
    fn attempt_failed(&self, error: ClientError) -> Result<(), ClientError> {
        self.shared
            .lock()
            .engine
            .on_connect_failed(hal::uptime_ms(), random());
        Err(error)
    }

    fn try_connect(&self, reader: &mut Reader) -> Result<(), ClientError> {
        reader.connect_error = None;
        reader.filled = 0;
        reader.last_read_full = false;
        reader.since_answer = 0;
        reader.drain = None;
        // Re-authentication refreshes credentials before a RE-connect (V2.10); the first connect
        // uses the strings Construct was given.
        let reconnecting = self.shared.lock().engine.state() != State::Idle;
        if let Some(reauthenticate) = reader.endpoint.reauthenticate.filter(|_| reconnecting) {
            match reauthenticate() {
                Some(credentials) => {
                    reader.endpoint.host = credentials.host;
                    reader.endpoint.port = credentials.port;
                    let updated = self.shared.lock().engine.set_credentials(
                        &credentials.client_id,
                        &credentials.username,
                        &credentials.password,
                    );
                    if updated.is_err() {
                        log_err!("out of memory storing the refreshed credentials");
                        return self.attempt_failed(ClientError::NoResources);
                    }
                }
                None => {
                    return self.attempt_failed(ClientError::Reauthentication);
                }
            }
        }
        // V2.10: a CONNECT larger than the write buffer fails at once, nothing sent.
        let (connect_len, write_buf_size) = {
            let shared = self.shared.lock();
            let len = codec::encoded_len(&shared.engine.connect_packet());
            (len, shared.write_buf.len())
        };
        if connect_len > write_buf_size {
            let error = ClientError::ConnectTooLarge;
            log_err!(
                "CONNECT packet of {} bytes does not fit write_buf_size {} ({})",
                connect_len,
                write_buf_size,
                H::code(error)
            );
            return self.attempt_failed(error);
        }
        let endpoint = &reader.endpoint;
        let write_timeout = self.shared.lock().engine.request_timeout_ms();
        let transport = match Transport::open(
            &endpoint.host,
            endpoint.port,
            endpoint.ca.as_deref(),
            write_timeout,
        ) {
            Ok(t) => match Counted::try_new(t) {
                Ok(t) => t,
                Err(_) => {
                    log_err!("out of memory opening the connection");
                    return self.attempt_failed(ClientError::NoResources);
                }
            },
            Err(error) => {
                log_err!(
                    "connecting to {}:{} failed",
                    endpoint.host.to_str().unwrap_or("?"),
                    u32::from(endpoint.port)
                );
                return self.attempt_failed(error.into());
            }
        };
        let start = hal::uptime_ms();
        let timeout = {
            let mut shared = self.shared.lock();
            shared.transport = Some(transport.clone());
            shared.engine.on_transport_open(start);
            if !flush(&mut shared, start) {
                shared.transport = None;
                return Err(ClientError::NetworkWrite);
            }
            u64::from(shared.engine.request_timeout_ms())
        };
        log_debug!("CONNECT sent, waiting for CONNACK");
        loop {
            let now = hal::uptime_ms();
            let (connected, alive) = {
                let mut shared = self.shared.lock();
                shared.engine.handle_timeout(now);
                (
                    shared.engine.is_connected(),
                    shared.engine.wants_transport(),
                )
            };
            if connected {
                return Ok(());
            }
            if !alive {
                self.shared.lock().transport = None;
                self.dispatch_events(reader);
                return Err(reader.connect_error.unwrap_or(ClientError::NetworkConnect));
            }
            let left = (start + timeout + 1).saturating_sub(now);
            // A CONNACK is 4 bytes.
            self.read_and_dispatch(
                reader,
                &transport,
                u32::try_from(left).unwrap_or(u32::MAX),
                4,
            );
        }
    }
}

/// Events taken from the engine under the lock, to be raised with no lock held.
struct EventBatch {
    events: [Option<Event>; EVENT_BATCH],
    /// More may be waiting.
    full: bool,
}

fn take_events<H: PartialEq>(shared: &mut Shared<H>) -> EventBatch {
    let mut batch = EventBatch {
        events: [None; EVENT_BATCH],
        full: true,
    };
    for slot in batch.events.iter_mut() {
        *slot = shared.engine.poll_event();
        if slot.is_none() {
            batch.full = false;
            break;
        }
    }
    batch
}

/// Encodes one packet into the write buffer and sends it.
fn write_one(
    packet: &Outgoing<'_>,
    write_buf: &mut CallerBuffer,
    transport: Option<&Transport>,
) -> Result<(), ClientError> {
    let transport = transport.ok_or(ClientError::NotConnected)?;
    let buf = write_buf.as_mut_slice();
    let len = codec::encode(packet, buf).map_err(|_| ClientError::PublishTooLarge)?;
    transport
        .write_all(buf.get(..len).unwrap_or(&[]))
        .map_err(ClientError::from)
}

/// Sends everything the engine queued, batching packets into the write buffer. On a write
/// failure the engine learns the connection is lost; returns false then.
fn flush<H: PartialEq>(shared: &mut Shared<H>, now: u64) -> bool {
    let Shared {
        engine,
        transport,
        write_buf,
    } = shared;
    let mut failed = false;
    let mut len = 0;
    while let Some(packet) = engine.poll_transmit(now) {
        let Some(transport) = transport.as_deref() else {
            // Nothing can go out without a transport; the engine re-queues what matters on connect.
            continue;
        };
        let buf = write_buf.as_mut_slice();
        let encoded = match codec::encode(&packet, buf.get_mut(len..).unwrap_or(&mut [])) {
            Ok(n) => Ok(n),
            Err(_) if len > 0 => {
                // Buffer full: send what is there, then retry at the start.
                if transport.write_all(buf.get(..len).unwrap_or(&[])).is_err() {
                    failed = true;
                    break;
                }
                len = 0;
                codec::encode(&packet, buf)
            }
            Err(e) => Err(e),
        };
        match encoded {
            Ok(n) => len += n,
            Err(_) => log_err!("a queued packet does not fit the write buffer and was dropped"),
        }
    }
    if !failed && len > 0 {
        if let Some(transport) = transport.as_deref() {
            failed = transport
                .write_all(write_buf.as_mut_slice().get(..len).unwrap_or(&[]))
                .is_err();
        }
    }
    if failed {
        log_err!("network write failed: connection lost");
        engine.on_transport_lost(now, random());
    }
    !failed
}
