//! Every fixed limit of the session, in one table, with where its value comes from. V2.10's
//! names are those of its `iotx_mc_*` sources (see the README's "Differences from V2.10" for the
//! few values that differ on purpose); the Alibaba IoT Platform guide wins where the two
//! disagree.

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
