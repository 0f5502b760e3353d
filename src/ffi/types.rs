//! The V2.10 structs, field for field (docs/v210-reference.md §2.3–§2.6). cbindgen turns these into
//! include/iotmqtt_generated.h. The enum types are hand-written `typedef enum`s in the headers;
//! here they are integers wrapped so a value from C is never taken for a Rust enum.

use core::ffi::{c_char, c_int, c_void};

/// `iotx_mqtt_qos_t`: read as an integer and validated (C may pass any value).
#[repr(transparent)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct iotx_mqtt_qos_t(pub c_int);

/// `iotx_mqtt_event_type_t`: written by iotmqtt, so always one of the V2.10 values.
#[repr(transparent)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct iotx_mqtt_event_type_t(pub c_int);

/// `IOT_LogLevel`: read as an integer and validated.
#[repr(transparent)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IOT_LogLevel(pub c_int);

/// The V2.10 event values (docs/v210-reference.md §2.2), spellings kept.
pub mod event {
    use super::iotx_mqtt_event_type_t as E;
    pub const UNDEF: E = E(0);
    pub const DISCONNECT: E = E(1);
    pub const RECONNECT: E = E(2);
    pub const SUBCRIBE_SUCCESS: E = E(3);
    pub const SUBCRIBE_TIMEOUT: E = E(4);
    pub const SUBCRIBE_NACK: E = E(5);
    pub const UNSUBCRIBE_SUCCESS: E = E(6);
    pub const UNSUBCRIBE_TIMEOUT: E = E(7);
    pub const UNSUBCRIBE_NACK: E = E(8);
    pub const PUBLISH_SUCCESS: E = E(9);
    pub const PUBLISH_TIMEOUT: E = E(10);
    pub const PUBLISH_NACK: E = E(11);
    pub const PUBLISH_RECVEIVED: E = E(12);
    pub const BUFFER_OVERFLOW: E = E(13);
}

/// A message as handed to callbacks: topic and payload point into the caller's `pread_buf`
/// and are not NUL-terminated.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct iotx_mqtt_topic_info_t {
    pub packet_id: u16,
    pub qos: u8,
    pub dup: u8,
    pub retain: u8,
    pub topic_len: u16,
    pub payload_len: u16,
    pub ptopic: *const c_char,
    pub payload: *const c_char,
}
pub type iotx_mqtt_topic_info_pt = *mut iotx_mqtt_topic_info_t;

#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct iotx_mqtt_event_msg_t {
    pub event_type: iotx_mqtt_event_type_t,
    pub msg: *mut c_void,
}
pub type iotx_mqtt_event_msg_pt = *mut iotx_mqtt_event_msg_t;

/// Callback: `pclient` is the handle `IOT_MQTT_Construct` returned.
pub type iotx_mqtt_event_handle_func_fpt = Option<
    unsafe extern "C" fn(pcontext: *mut c_void, pclient: *mut c_void, msg: iotx_mqtt_event_msg_pt),
>;

#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct iotx_mqtt_event_handle_t {
    pub h_fp: iotx_mqtt_event_handle_func_fpt,
    pub pcontext: *mut c_void,
}
pub type iotx_mqtt_event_handle_pt = *mut iotx_mqtt_event_handle_t;

/// Note the write buffer comes before the read buffer (V2.10 field order).
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct iotx_mqtt_param_t {
    pub port: u16,
    pub host: *const c_char,
    pub client_id: *const c_char,
    pub username: *const c_char,
    pub password: *const c_char,
    pub pub_key: *const c_char,
    pub clean_session: u8,
    pub request_timeout_ms: u32,
    pub keepalive_interval_ms: u32,
    pub pwrite_buf: *mut c_char,
    pub write_buf_size: u32,
    pub pread_buf: *mut c_char,
    pub read_buf_size: u32,
    pub handle_event: iotx_mqtt_event_handle_t,
}
pub type iotx_mqtt_param_pt = *mut iotx_mqtt_param_t;

/// What `IOT_SetupConnInfo` fills: fixed NUL-terminated arrays (V2.10 layout, no ID2 fields).
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct iotx_conn_info_t {
    pub port: u16,
    pub host_name: [c_char; 129],
    pub client_id: [c_char; 257],
    pub username: [c_char; 513],
    pub password: [c_char; 257],
    pub pub_key: *const c_char,
}
pub type iotx_conn_info_pt = *mut iotx_conn_info_t;

#[cfg(test)]
mod tests {
    use super::*;
    use core::mem::{offset_of, size_of};

    // Figures from docs/v210-reference.md §2.8 (LP64).
    #[cfg(target_pointer_width = "64")]
    #[test]
    fn lp64_layouts_match_v210() {
        assert_eq!(size_of::<iotx_mqtt_topic_info_t>(), 32);
        assert_eq!(offset_of!(iotx_mqtt_topic_info_t, topic_len), 6);
        assert_eq!(offset_of!(iotx_mqtt_topic_info_t, payload_len), 8);
        assert_eq!(offset_of!(iotx_mqtt_topic_info_t, ptopic), 16);
        assert_eq!(size_of::<iotx_mqtt_event_msg_t>(), 16);
        assert_eq!(size_of::<iotx_mqtt_param_t>(), 112);
        assert_eq!(offset_of!(iotx_mqtt_param_t, clean_session), 48);
        assert_eq!(offset_of!(iotx_mqtt_param_t, pwrite_buf), 64);
        assert_eq!(offset_of!(iotx_mqtt_param_t, pread_buf), 80);
        assert_eq!(offset_of!(iotx_mqtt_param_t, handle_event), 96);
        assert_eq!(size_of::<iotx_conn_info_t>(), 1168);
        assert_eq!(offset_of!(iotx_conn_info_t, client_id), 131);
        assert_eq!(offset_of!(iotx_conn_info_t, pub_key), 1160);
    }
}
