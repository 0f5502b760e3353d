//! The C boundary: the exported `IOT_*` functions of V2.10. The only module that takes raw
//! pointers from C. Every argument is checked here, the work is done by the driver, and its
//! typed errors become V2.10 codes here ([`codes::code`]).

mod args;
mod callback;
pub mod codes;
mod registry;
mod setup;
#[cfg(test)]
mod tests;
pub mod types;

use core::ffi::{c_char, c_int, c_void, CStr};

use iotmqtt_engine::Config;

use crate::caller_buffer::CallerBuffer;
use crate::driver::{ClientError, ConnectParams, Endpoint};
use crate::{heap, log};
use args::{c_text, c_topic, one_bit_flag};
use callback::{CClient, CHandler};
use types::{
    iotx_mqtt_event_handle_func_fpt, iotx_mqtt_param_t, iotx_mqtt_qos_t, iotx_mqtt_topic_info_pt,
    IOT_LogLevel,
};

pub use setup::{IOT_SetupConnInfo, IOT_SetupDomain};

/// The client behind a C handle; NULL, stale and foreign handles get -2 and a log line.
fn live_client(handle: *mut c_void) -> Result<crate::heap::Counted<CClient>, c_int> {
    registry::get(handle).ok_or_else(|| {
        log_err!(
            "Invalid argument, handle = {} is not a live client",
            handle as usize
        );
        codes::NULL_VALUE_ERROR
    })
}

/// What Subscribe, Unsubscribe and Publish return: the packet id, or the V2.10 code.
fn id_or_code(result: Result<u16, ClientError>) -> c_int {
    match result {
        Ok(id) => c_int::from(id),
        Err(error) => codes::code(error.into()),
    }
}

fn out_of_memory() -> *mut c_void {
    log_err!("IOT_MQTT_Construct: out of memory");
    core::ptr::null_mut()
}

/// Connects to the MQTT server synchronously; NULL on any failure (nothing leaked, no event).
///
/// # Safety
/// `pInitParams` is NULL or a valid `iotx_mqtt_param_t`; its buffers stay valid and unused by
/// the caller until `IOT_MQTT_Destroy` (the V2.10 contract).
#[no_mangle]
pub unsafe extern "C" fn IOT_MQTT_Construct(pInitParams: *mut iotx_mqtt_param_t) -> *mut c_void {
    if pInitParams.is_null() {
        log_err!("Invalid argument, pInitParams = NULL");
        return core::ptr::null_mut();
    }
    // SAFETY: non-NULL, and valid per this function's contract.
    let p = unsafe { &*pInitParams };
    if p.pwrite_buf.is_null() || p.pread_buf.is_null() {
        log_err!("Invalid argument, pwrite_buf or pread_buf = NULL");
        return core::ptr::null_mut();
    }
    if p.write_buf_size < 16 || p.read_buf_size < 16 {
        log_err!("Invalid argument, write_buf_size and read_buf_size must be at least 16");
        return core::ptr::null_mut();
    }
    // SAFETY: the strings are NULL or NUL-terminated per the contract.
    let strings = unsafe {
        (
            c_text(p.host, "host"),
            c_text(p.client_id, "client_id"),
            c_text(p.username, "username"),
            c_text(p.password, "password"),
        )
    };
    let (Some(host), Some(client_id), Some(username), Some(password)) = strings else {
        return core::ptr::null_mut();
    };
    let ca = if p.pub_key.is_null() {
        None
    } else {
        // SAFETY: non-NULL, NUL-terminated PEM per the contract.
        let pem = unsafe { CStr::from_ptr(p.pub_key) };
        match heap::try_cstring(pem.to_bytes()) {
            Some(copy) => Some(copy),
            None => return out_of_memory(),
        }
    };
    // Every copy is fallible: Construct returns NULL when memory runs out (docs/requirements.md
    // "memory").
    let copies = (
        heap::try_cstring(host.as_bytes()),
        heap::try_string(client_id),
        heap::try_string(username),
        heap::try_string(password),
    );
    let (Some(host_c), Some(client_id), Some(username), Some(password)) = copies else {
        return out_of_memory();
    };
    let Ok((reauthenticate, identity)) = setup::reauthentication_for(p) else {
        return out_of_memory();
    };
    let params = ConnectParams {
        endpoint: Endpoint {
            host: host_c,
            port: p.port,
            ca,
            reauthenticate,
        },
        config: Config {
            client_id,
            username,
            password,
            keepalive_ms: p.keepalive_interval_ms,
            request_timeout_ms: p.request_timeout_ms,
            clean_session: one_bit_flag(p.clean_session, "clean_session"),
        },
        // SAFETY: the buffers are valid for their sizes until Destroy (V2.10 contract).
        read_buf: unsafe { CallerBuffer::new(p.pread_buf.cast(), p.read_buf_size as usize) },
        // SAFETY: as above.
        write_buf: unsafe { CallerBuffer::new(p.pwrite_buf.cast(), p.write_buf_size as usize) },
        default_handler: CHandler::new(p.handle_event.h_fp, p.handle_event.pcontext),
        identity,
    };
    log_info!("connecting to {}:{}", host, u32::from(p.port));
    match CClient::construct(params) {
        Ok(client) => match registry::insert(client) {
            Some(handle) => {
                log_info!("mqtt connect success");
                handle as *mut c_void
            }
            None => out_of_memory(),
        },
        Err(error) => {
            log_err!("mqtt connect failed: {}", codes::code(error.into()));
            core::ptr::null_mut()
        }
    }
}

/// Disconnects and frees the client; sets `*phandle` to NULL.
///
/// # Safety
/// `phandle` is NULL or points to a handle variable.
#[no_mangle]
pub unsafe extern "C" fn IOT_MQTT_Destroy(phandle: *mut *mut c_void) -> c_int {
    if phandle.is_null() {
        log_err!("Invalid argument, phandle = NULL");
        return codes::NULL_VALUE_ERROR;
    }
    // SAFETY: non-NULL per the check above, valid per the contract.
    let handle = unsafe { *phandle };
    let client = match live_client(handle) {
        Ok(client) => client,
        Err(code) => return code,
    };
    if client.in_callback() {
        log_err!("IOT_MQTT_Destroy called from a callback of the same client: refused");
        return codes::MQTT_STATE_ERROR;
    }
    registry::remove(handle);
    client.shutdown();
    drop(client);
    // SAFETY: as above.
    unsafe { *phandle = core::ptr::null_mut() };
    log_info!("mqtt release");
    codes::SUCCESS_RETURN
}

/// Runs the client for `timeout_ms` (0 means 10 ms, as V2.10).
#[no_mangle]
pub extern "C" fn IOT_MQTT_Yield(handle: *mut c_void, timeout_ms: c_int) -> c_int {
    let client = match live_client(handle) {
        Ok(client) => client,
        Err(code) => return code,
    };
    if timeout_ms < 0 {
        log_err!("Invalid argument, timeout_ms = {}", timeout_ms);
        return codes::FAIL_RETURN;
    }
    let timeout = if timeout_ms == 0 {
        10
    } else {
        timeout_ms as u32
    };
    match client.run_yield(timeout) {
        Ok(()) => codes::SUCCESS_RETURN,
        Err(error) => codes::code(error.into()),
    }
}

/// 1 when connected, 0 otherwise.
#[no_mangle]
pub extern "C" fn IOT_MQTT_CheckStateNormal(handle: *mut c_void) -> c_int {
    live_client(handle).map_or_else(|code| code, |client| c_int::from(client.is_connected()))
}

/// Turns automatic reconnect off (declared but missing in V2.10).
#[no_mangle]
pub extern "C" fn IOT_MQTT_Disable_Reconnect(handle: *mut c_void) -> c_int {
    live_client(handle).map_or_else(
        |code| code,
        |client| {
            client.disable_reconnect();
            codes::SUCCESS_RETURN
        },
    )
}

/// Subscribes; returns the packet id (> 0) or a negative V2.10 code.
///
/// # Safety
/// `topic_filter` is NULL or NUL-terminated (it is copied).
#[no_mangle]
pub unsafe extern "C" fn IOT_MQTT_Subscribe(
    handle: *mut c_void,
    topic_filter: *const c_char,
    qos: iotx_mqtt_qos_t,
    topic_handle_func: iotx_mqtt_event_handle_func_fpt,
    pcontext: *mut c_void,
) -> c_int {
    let client = match live_client(handle) {
        Ok(client) => client,
        Err(code) => return code,
    };
    // SAFETY: forwarded contract.
    let filter = match unsafe { c_topic(topic_filter, "topic_filter") } {
        Ok(filter) => filter,
        Err(code) => return code,
    };
    let Some(handler) = CHandler::new(topic_handle_func, pcontext) else {
        log_err!("Invalid argument, topic_handle_func = NULL");
        return codes::NULL_VALUE_ERROR;
    };
    let qos = match u8::try_from(qos.0) {
        Ok(q @ 0..=2) => q,
        _ => {
            log_warn!("Invalid qos({}) of subscription, using QoS0", qos.0);
            0
        }
    };
    id_or_code(client.subscribe(filter, qos, handler))
}

/// Unsubscribes; returns the packet id (> 0) or a negative V2.10 code.
///
/// # Safety
/// `topic_filter` is NULL or NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn IOT_MQTT_Unsubscribe(
    handle: *mut c_void,
    topic_filter: *const c_char,
) -> c_int {
    let client = match live_client(handle) {
        Ok(client) => client,
        Err(code) => return code,
    };
    // SAFETY: forwarded contract.
    let filter = match unsafe { c_topic(topic_filter, "topic_filter") } {
        Ok(filter) => filter,
        Err(code) => return code,
    };
    id_or_code(client.unsubscribe(filter))
}

/// Publishes; 0 for QoS0, the packet id for QoS1 (also written into `topic_msg->packet_id`).
///
/// # Safety
/// `topic_name` is NULL or NUL-terminated; `topic_msg` is NULL or a valid struct whose `payload`
/// points to `payload_len` readable bytes.
#[no_mangle]
pub unsafe extern "C" fn IOT_MQTT_Publish(
    handle: *mut c_void,
    topic_name: *const c_char,
    topic_msg: iotx_mqtt_topic_info_pt,
) -> c_int {
    let client = match live_client(handle) {
        Ok(client) => client,
        Err(code) => return code,
    };
    // SAFETY: forwarded contract.
    let topic = match unsafe { c_topic(topic_name, "topic_name") } {
        Ok(topic) => topic,
        Err(code) => return code,
    };
    if topic_msg.is_null() {
        log_err!("Invalid argument, topic_msg = NULL");
        return codes::NULL_VALUE_ERROR;
    }
    // SAFETY: non-NULL and valid per the contract.
    let msg = unsafe { &mut *topic_msg };
    let payload: &[u8] = match (msg.payload.is_null(), msg.payload_len) {
        (_, 0) => &[],
        (true, _) => {
            log_err!(
                "Invalid argument, payload = NULL with payload_len {}",
                u32::from(msg.payload_len) // the one u16 printed: u32's formatter is linked anyway
            );
            return codes::NULL_VALUE_ERROR;
        }
        // SAFETY: payload points to payload_len readable bytes per the contract.
        (false, len) => unsafe {
            core::slice::from_raw_parts(msg.payload.cast(), usize::from(len))
        },
    };
    if msg.qos > 2 {
        log_err!("Invalid argument, qos = {}", u32::from(msg.qos));
        return codes::MQTT_PUBLISH_QOS_ERROR;
    }
    let retain = one_bit_flag(msg.retain, "retain");
    let result = client.publish(topic, payload, msg.qos, retain);
    if let Ok(id) = result {
        if msg.qos > 0 {
            msg.packet_id = id;
        }
    }
    id_or_code(result)
}

/// Starts logging (V2.10: sets the level to EMERG; raise it with `IOT_SetLogLevel`).
///
/// # Safety
/// `ident` is NULL or NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn IOT_OpenLog(ident: *const c_char) {
    let _ = ident; // V2.10 keeps the name only to gate output; any name, NULL included, opens.
    log::open();
}

#[no_mangle]
pub extern "C" fn IOT_CloseLog() {
    log::close();
}

#[no_mangle]
pub extern "C" fn IOT_SetLogLevel(level: IOT_LogLevel) {
    match u8::try_from(level.0) {
        Ok(l @ 0..=5) => log::set_level(l),
        _ => log_err!(
            "Invalid log level {}, must be 0..5 (IOT_LOG_EMERG..IOT_LOG_DEBUG)",
            level.0
        ),
    }
}

#[no_mangle]
pub extern "C" fn IOT_DumpMemoryStats(level: IOT_LogLevel) {
    let level = match u8::try_from(level.0) {
        Ok(l @ 0..=5) => l,
        _ => {
            log_warn!("Invalid log level {}, using IOT_LOG_DEBUG", level.0);
            log::DEBUG
        }
    };
    crate::heap::dump(level);
}
