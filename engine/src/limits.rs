//! Every fixed limit of iotmqtt, in one table, with where its value comes from: the session's
//! (used here), and the library's sizes and timeouts (used by `iotmqtt`, which re-exports each
//! where it is used). V2.10's names are those of its sources and headers
//! (docs/v210-reference.md §2.6, §2.7 and the `iotx_mc_*` constants); "ours" marks a limit V2.10
//! does not have. The README's "Where iotmqtt differs from V2.10, on purpose" lists the values
//! that differ; the Alibaba IoT Platform guide wins where it and V2.10 disagree.

// ----- The MQTT session ---------------------------------------------------------------------

/// Topic names and filters are at most this many bytes (V2.10 `IOTX_MC_TOPIC_NAME_MAX_LEN`).
pub const MAX_TOPIC_LEN: usize = 128;

/// At most this many unacknowledged QoS1 publishes (V2.10 `IOTX_MC_REPUB_NUM_MAX`).
pub const MAX_PENDING_PUBLISH: usize = 20;

/// At most this many subscriptions, pending ones included (V2.10 `IOTX_MC_SUB_NUM_MAX`). Each
/// one is a bit of [`SlotMask`], which the assertion below keeps wide enough.
pub const MAX_SUBSCRIPTIONS: usize = 30;

/// The subscription slots an incoming PUBLISH is delivered to, one bit per slot.
pub type SlotMask = u32;

const _: () = assert!(
    MAX_SUBSCRIPTIONS <= SlotMask::BITS as usize,
    "every subscription slot needs a bit of SlotMask"
);

/// At most this many unacknowledged UNSUBSCRIBE requests (V2.10 `IOTX_MC_SUB_REQUEST_NUM_MAX`).
pub const MAX_PENDING_UNSUBSCRIBE: usize = 30;

/// Inbound QoS2 packet ids remembered until their PUBREL (ours: V2.10 does not track them).
/// Brokers keep a much smaller in-flight window; when a broken server exceeds it the oldest id
/// is forgotten.
pub const MAX_INBOUND_QOS2: usize = 64;

/// Keepalive range the platform accepts (the platform guide: 60 to 300 s; V2.10 used 60 to
/// 180 s).
pub const KEEPALIVE_MIN_MS: u32 = 60_000;
pub const KEEPALIVE_MAX_MS: u32 = 300_000;

/// Request timeout range and the value used outside it: V2.10 replaces an out-of-range value,
/// it does not clamp (`IOTX_MC_REQUEST_TIMEOUT_MIN_MS`, `_MAX_MS`, `_DEFAULT_MS`).
pub const REQUEST_TIMEOUT_MIN_MS: u32 = 500;
pub const REQUEST_TIMEOUT_MAX_MS: u32 = 5_000;
pub const REQUEST_TIMEOUT_DEFAULT_MS: u32 = 2_000;

/// Reconnect back-off bounds (V2.10 `IOTX_MC_RECONNECT_INTERVAL_MIN_MS`, `_MAX_MS`).
pub const RECONNECT_MIN_MS: u32 = 1_000;
pub const RECONNECT_MAX_MS: u32 = 60_000;

/// Upper bound of the margin by which a PINGREQ goes out before the keepalive interval ends
/// (ours).
pub const PING_MARGIN_MAX_MS: u32 = 5_000;

/// Room reserved up front in the control and event queues so acks, pings and events never
/// allocate in the normal flow; the queues only grow if the driver stops draining them (ours).
pub const CONTROL_CAPACITY: usize = 16;
pub const EVENT_CAPACITY: usize = 16;

// ----- Device identity and connection strings (`IOT_SetupConnInfo`) -------------------------

/// Longer product keys are cut to this many characters (V2.10 `PRODUCT_KEY_LEN`).
pub const PRODUCT_KEY_LEN: usize = 20;
/// V2.10 `DEVICE_NAME_LEN`.
pub const DEVICE_NAME_LEN: usize = 32;
/// V2.10 `DEVICE_SECRET_LEN`.
pub const DEVICE_SECRET_LEN: usize = 64;
/// `iotx_conn_info_t.host_name` holds this many characters plus NUL (V2.10 `HOST_ADDRESS_LEN`).
pub const HOST_ADDRESS_LEN: usize = 128;
/// V2.10 `CLIENT_ID_LEN`.
pub const CLIENT_ID_LEN: usize = 256;
/// V2.10 `USER_NAME_LEN`.
pub const USER_NAME_LEN: usize = 512;
/// V2.10 `PASSWORD_LEN`.
pub const PASSWORD_LEN: usize = 256;

// ----- HTTPS pre-authentication and TLS ------------------------------------------------------

/// The whole pre-authentication exchange, connect and handshake included (V2.10
/// `CONFIG_GUIDER_AUTH_TIMEOUT`).
pub const GUIDER_AUTH_TIMEOUT_MS: u32 = 10_000;
/// The pre-authentication request is written within this (V2.10's fixed write timeout).
pub const GUIDER_WRITE_TIMEOUT_MS: u32 = 5_000;
/// Cap on a whole pre-authentication response: status line, headers, framing and body (ours).
pub const MAX_RESPONSE_LEN: usize = 16 * 1024;
/// Longest PEM `IOT_SetCACert` accepts, a handful of certificates (ours).
pub const MAX_PEM_LEN: usize = 64 * 1024;
/// Bound on the TLS handshake of an MQTT connection; the TCP connect is the HAL's own (ours).
pub const HANDSHAKE_TIMEOUT_MS: u32 = 10_000;
/// Longest a TLS read holds the session lock, so a writer waits about this much (ours).
pub const READ_SLICE_MS: u32 = 50;

// ----- Logging -------------------------------------------------------------------------------

/// A log line, prefix and `\r\n` included, is cut to this many bytes with " ..." (ours).
pub const LOG_LINE_MAX: usize = 512;
