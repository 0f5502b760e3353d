//! Tests of the C boundary from Rust with the test HAL (`crate::tests::hal_rig`): every
//! argument check of the exported functions, the CONNACK codes, IOT_SetupConnInfo /
//! IOT_SetupDomain and re-authentication, failing HAL calls (HAL_MutexCreate, allocations) and
//! the HAL wrappers, the driver against scripted brokers, and TLS and pre-authentication
//! against local servers.

mod driver;
mod ffi;
// The driver against a scripted broker: stray, split, oversized and lying packets.
mod scripted_broker;
// HTTPS pre-authentication against a local TLS server (native-tls on both sides).
#[cfg(all(iotmqtt_tls_native, not(iotmqtt_direct)))]
mod guider;
mod hal;
// MQTT over native-tls against a local TLS broker.
#[cfg(iotmqtt_tls_native)]
mod tls_mqtt;
// Direct TCP: IOT_SetupConnInfo signs locally (guider mode would need the HTTPS service).
#[cfg(not(iotmqtt_tls))]
mod setup;

use std::ffi::{c_char, c_void, CStr};
use std::sync::Mutex;

pub(crate) use crate::tests::{broker, debug_log, read_packet};
#[cfg(iotmqtt_tls_native)]
pub(crate) use crate::tests::{test_cert, tls_acceptor};

use crate::ffi::types::{
    iotx_mqtt_event_handle_func_fpt, iotx_mqtt_event_handle_t, iotx_mqtt_event_msg_t,
    iotx_mqtt_param_t, iotx_mqtt_topic_info_t,
};

pub(crate) type Events = Mutex<Vec<i32>>;

pub(crate) unsafe extern "C" fn on_event(
    ctx: *mut c_void,
    _client: *mut c_void,
    msg: *mut iotx_mqtt_event_msg_t,
) {
    // SAFETY: the context is the test's `Events`, alive for the client's life; msg is valid.
    let (events, msg) = unsafe { (&*(ctx as *const Events), &*msg) };
    events.lock().unwrap().push(msg.event_type.0);
}

/// Construct parameters: user "u", password "p", keepalive 60 s, request timeout 2 s, the given
/// event handler (whose context, and the buffers, must outlive the client).
pub(crate) fn params_with(
    host: &CStr,
    port: u16,
    client_id: &CStr,
    on_event: iotx_mqtt_event_handle_func_fpt,
    context: *mut c_void,
    read_buf: &mut [c_char],
    write_buf: &mut [c_char],
) -> iotx_mqtt_param_t {
    iotx_mqtt_param_t {
        port,
        host: host.as_ptr(),
        client_id: client_id.as_ptr(),
        username: c"u".as_ptr(),
        password: c"p".as_ptr(),
        pub_key: std::ptr::null(),
        clean_session: 0,
        request_timeout_ms: 2000,
        keepalive_interval_ms: 60_000,
        pwrite_buf: write_buf.as_mut_ptr(),
        write_buf_size: write_buf.len() as u32,
        pread_buf: read_buf.as_mut_ptr(),
        read_buf_size: read_buf.len() as u32,
        handle_event: iotx_mqtt_event_handle_t {
            h_fp: on_event,
            pcontext: context,
        },
    }
}

/// [`params_with`] for client "tests", recording event types into `events`.
pub(crate) fn params(
    host: &CStr,
    port: u16,
    events: &Events,
    read_buf: &mut [c_char],
    write_buf: &mut [c_char],
) -> iotx_mqtt_param_t {
    let context = events as *const Events as *mut c_void;
    params_with(
        host,
        port,
        c"tests",
        Some(on_event),
        context,
        read_buf,
        write_buf,
    )
}

/// A message to publish with `payload`.
pub(crate) fn message(qos: u8, payload: &'static [u8]) -> iotx_mqtt_topic_info_t {
    iotx_mqtt_topic_info_t {
        packet_id: 0,
        qos,
        dup: 0,
        retain: 0,
        topic_len: 0,
        payload_len: payload.len() as u16,
        ptopic: std::ptr::null(),
        payload: payload.as_ptr().cast(),
    }
}
