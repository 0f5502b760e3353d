//! The caller's callbacks: a C function and its context, run by the driver as its
//! [`Handler`](crate::driver::Handler), with the one table from engine events to V2.10 events.

use core::ffi::{c_void, CStr};

use iotmqtt_engine::Event;

use super::codes;
use super::types::{
    event, iotx_mqtt_event_handle_func_fpt, iotx_mqtt_event_msg_t, iotx_mqtt_event_type_t,
    iotx_mqtt_topic_info_t,
};
use crate::driver::{Client, ClientError, Handler, Received};

/// What BUFFER_OVERFLOW carries (V2.10's text).
const OVERFLOW_TEXT: &CStr = c"mqtt read buffer is too short";

/// What SUBSCRIBE/UNSUBSCRIBE/PUBLISH events carry in `msg->msg`: the packet id as the
/// pointer's value (docs/v210-reference.md §2.2).
fn packet_id(id: u16) -> *mut c_void {
    usize::from(id) as *mut c_void
}

/// A client whose handlers are the caller's C callbacks.
pub(crate) type CClient = Client<CHandler>;

/// A C callback and its context pointer.
#[derive(Clone, Copy, Debug)]
pub struct CHandler {
    func: unsafe extern "C" fn(*mut c_void, *mut c_void, *mut iotx_mqtt_event_msg_t),
    context: *mut c_void,
}

// SAFETY: V2.10 calls handlers from whichever thread runs Yield; the context pointer is the
// caller's to make thread-safe, as it was with the original SDK.
unsafe impl Send for CHandler {}
// SAFETY: the handler is only copied and called, never mutated.
unsafe impl Sync for CHandler {}

/// The same function with the same context: V2.10's test for an identical subscription.
impl PartialEq for CHandler {
    fn eq(&self, other: &Self) -> bool {
        // Addresses, not `fn` equality: the same function always has one address here.
        self.func as usize == other.func as usize && self.context == other.context
    }
}

impl CHandler {
    /// None for a NULL function pointer.
    pub fn new(func: iotx_mqtt_event_handle_func_fpt, context: *mut c_void) -> Option<Self> {
        func.map(|func| Self { func, context })
    }

    /// Calls the handler with `msg` as `msg->msg`; `client` is the handle `IOT_MQTT_Construct`
    /// returned.
    fn raise(&self, client: usize, event_type: iotx_mqtt_event_type_t, msg: *mut c_void) {
        let mut event = iotx_mqtt_event_msg_t { event_type, msg };
        // SAFETY: the caller registered this function with this context for these events; the
        // event struct and what it points to live until the call returns.
        unsafe { (self.func)(self.context, client as *mut c_void, &mut event) };
    }
}

/// The V2.10 event and what it carries in `msg->msg` for an engine event; None for the
/// session's own events, which the driver keeps back.
fn v210_event(raised: Event) -> Option<(iotx_mqtt_event_type_t, *mut c_void)> {
    let none = core::ptr::null_mut();
    Some(match raised {
        Event::Reconnected => (event::RECONNECT, none),
        Event::Disconnected => (event::DISCONNECT, none),
        Event::SubscribeSuccess(id) => (event::SUBCRIBE_SUCCESS, packet_id(id)),
        Event::SubscribeTimeout(id) => (event::SUBCRIBE_TIMEOUT, packet_id(id)),
        Event::SubscribeNack(id) => (event::SUBCRIBE_NACK, packet_id(id)),
        Event::UnsubscribeSuccess(id) => (event::UNSUBCRIBE_SUCCESS, packet_id(id)),
        Event::UnsubscribeTimeout(id) => (event::UNSUBCRIBE_TIMEOUT, packet_id(id)),
        Event::PublishSuccess(id) => (event::PUBLISH_SUCCESS, packet_id(id)),
        // C only reads the text; it is never written through this pointer.
        Event::BufferOverflow => (
            event::BUFFER_OVERFLOW,
            OVERFLOW_TEXT.as_ptr().cast_mut().cast(),
        ),
        Event::Connected
        | Event::ConnectRefused(_)
        | Event::ConnectTimeout
        | Event::PingTimeout
        | Event::ProtocolViolation(_) => return None,
    })
}

impl Handler for CHandler {
    type Message = iotx_mqtt_topic_info_t;

    fn message(received: &Received<'_>) -> iotx_mqtt_topic_info_t {
        // Both lengths fit their 16-bit V2.10 fields: a topic's length is 16 bits on the wire,
        // and the driver drops longer payloads before they get here.
        iotx_mqtt_topic_info_t {
            packet_id: received.packet_id,
            qos: received.qos,
            dup: u8::from(received.dup),
            retain: u8::from(received.retain),
            topic_len: received.topic.len() as u16,
            payload_len: received.payload.len() as u16,
            ptopic: received.topic.as_ptr().cast(),
            payload: received.payload.as_ptr().cast(),
        }
    }

    fn deliver(&self, client: usize, message: &mut iotx_mqtt_topic_info_t) {
        let message: *mut iotx_mqtt_topic_info_t = message;
        self.raise(client, event::PUBLISH_RECVEIVED, message.cast());
    }

    fn event(&self, client: usize, raised: Event) {
        if let Some((kind, arg)) = v210_event(raised) {
            self.raise(client, kind, arg);
        }
    }

    fn code(error: ClientError) -> i32 {
        codes::code(error.into())
    }
}
