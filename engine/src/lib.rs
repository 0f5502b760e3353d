//! `iotmqtt-engine`: a sans-I/O MQTT 3.1.1 client session and its wire format for iotmqtt.
//!
//! The engine decides, the driver does. [`Session`] has no socket, no clock and no HAL: it
//! takes decoded packets ([`Incoming`]), the current time (`u64` milliseconds from a
//! monotonic clock) and API calls, and hands back packets to send ([`Outgoing`]), events
//! ([`Event`]) and the next deadline. All timing and protocol rules live here and are
//! tested with a fake clock.
//!
//! # Driving a session
//!
//! ```text
//! let mut s = Session::new(config)?;            // Error::NoMemory only
//! // connect (Construct, and later every reconnect):
//! if s.poll_connect_due(now) {                  // true in Idle, or when the back-off expired
//!     // (re-authenticate, s.set_credentials(..)), open the transport
//!     ok  => s.on_transport_open(now)           // queues CONNECT, starts the CONNACK deadline
//!     err => s.on_connect_failed(now, random)   // doubles the back-off
//! }
//! loop {
//!     while let Some(p) = s.poll_transmit(now) { encode + write; on error: s.on_transport_lost(now, random) }
//!     read with a timeout bounded by s.next_deadline();
//!     for each decoded packet: let d = s.handle(packet, now);
//!         // resolve d.slots() with s.subscription(slot) (clone the handlers) before any
//!         // other &mut call, then run the callbacks without the lock (Dispatch::Default ->
//!         // default event handler)
//!     a PUBLISH too large for the read buffer: s.handle_oversized_publish(qos, pkid, now)
//!     EOF / read error: s.on_transport_lost(now, random)
//!     s.handle_timeout(now);                    // cheap; call as often as you like
//!     while let Some(e) = s.poll_event() { report e }
//!     if !s.wants_transport() { close the transport (after draining poll_transmit) }
//! }
//! // Destroy: s.disconnect(); drain poll_transmit (a DISCONNECT when connected); close.
//! ```
//!
//! Rules the driver relies on:
//! - `publish` returns the PUBLISH to send immediately, borrowing the caller's topic and
//!   payload; for QoS1 its `pkid` is the id to report. If writing it fails, the resend copy
//!   stays queued and goes out again after the reconnect (no QoS1 message is lost).
//! - `subscribe`/`unsubscribe` only queue the request; it goes out via `poll_transmit`,
//!   SUBSCRIBE and UNSUBSCRIBE in call order (also when re-sent after a reconnect). A
//!   `subscribe` whose filter and handler equal a live slot's adds no slot (V2.10: the
//!   handler runs once per message), any other gets its own slot; an UNSUBACK removes every
//!   slot with that filter that was subscribed before the `unsubscribe` call.
//! - With [`Session::set_max_packet_len`] (the driver's write buffer), `publish`,
//!   `subscribe` and `unsubscribe` refuse a packet that cannot be sent with
//!   [`Error::PacketTooLarge`], after the topic check and before anything is queued. A request
//!   whose first write fails is withdrawn with [`Session::cancel_request`].
//! - Only `Connect` is transmitted while [`State::Connecting`]; resends and queued
//!   SUBSCRIBE/UNSUBSCRIBE wait for the CONNACK.
//! - The engine itself ends the connection on a missing PINGRESP, a refused or late CONNACK,
//!   and a protocol violation; the driver sees `wants_transport() == false` and closes.
//!   For those, reconnect jitter comes from an internal generator that mixes every `random`
//!   the driver passes in (and [`Session::add_entropy`]).
//! - `Event::Disconnected` is raised once per lost established connection; a failed
//!   reconnect attempt raises at most `ConnectRefused`/`ConnectTimeout`. A successful
//!   CONNACK raises `Connected` the first time and `Reconnected` afterwards.
//!
//! # Departures from the brief's sketch (all additive)
//! - `publish` borrows `self` only for the call: the returned packet borrows just the
//!   caller's `topic` and `payload`.
//! - `Session<H>` needs `H: PartialEq` (an identical re-subscription is found by its handler) but
//!   no `H: Clone` (the driver clones handlers itself).
//! - `set_credentials` returns `Result<(), Error>` (`NoMemory`).
//! - Extra items: [`Error::InvalidQos`] (publish QoS > 2, no packet id consumed),
//!   [`Event::PingTimeout`] (precedes `Disconnected`), [`Session::wants_transport`],
//!   [`Session::reconnect_at`], [`Session::add_entropy`], [`Session::route`],
//!   [`Session::cancel_request`], [`Session::set_last_packet_id`],
//!   [`Session::set_max_packet_len`] with [`Error::PacketTooLarge`],
//!   [`Dispatch::slots`], introspection helpers and [`Session::check_invariants`].
//!
//! # Allocation
//! Queues are reserved in [`Session::new`]. Per message: QoS0 publish 0 allocations, QoS1
//! publish 1 (the resend copy, `try_reserve` so failure is [`Error::NoMemory`]), receiving
//! 0, acks and pings 0. Subscribe/unsubscribe copy the filter (fallible).
#![no_std]
#![forbid(unsafe_code)]
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )
)]
#![warn(missing_debug_implementations)]

extern crate alloc;

pub mod codec;
pub mod limits;
pub mod packet;
mod queue;
pub mod session;
pub mod topic;

pub use packet::{Incoming, Outgoing, QoS};
pub use session::{Config, ConfigWarnings, Dispatch, Error, Event, Session, State};
pub use topic::{matches, validate_topic_filter, validate_topic_name, TopicError, MAX_TOPIC_LEN};
