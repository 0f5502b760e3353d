//! Safe wrappers for the two kinds of C memory the driver uses after the call that handed them
//! over: the caller's buffers and the caller's callbacks.

use core::ffi::{c_char, c_void, CStr};

use super::types::{
    iotx_mqtt_event_handle_func_fpt, iotx_mqtt_event_msg_t, iotx_mqtt_event_type_t,
    iotx_mqtt_topic_info_t,
};

/// A buffer the caller lent for the client's lifetime (`pread_buf` / `pwrite_buf`).
pub struct CallerBuffer {
    ptr: *mut u8,
    len: usize,
}

// SAFETY: V2.10 hands the buffer to the client for its whole life; the client only reaches it
// through its own locks, whichever thread that runs on.
unsafe impl Send for CallerBuffer {}

impl CallerBuffer {
    /// # Safety
    /// `ptr` must be valid for reads and writes of `len` bytes until the client is destroyed,
    /// and not used by anyone else meanwhile (the V2.10 contract for these buffers).
    pub unsafe fn new(ptr: *mut c_char, len: u32) -> Self {
        Self {
            ptr: ptr.cast(),
            len: len as usize,
        }
    }

    pub fn as_mut_slice(&mut self) -> &mut [u8] {
        // SAFETY: `new`'s contract: valid and exclusive for `len` bytes while the client lives.
        unsafe { core::slice::from_raw_parts_mut(self.ptr, self.len) }
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

/// What an event carries in `msg->msg` (reference §2.2).
pub enum EventArg<'a> {
    None,
    PacketId(u16),
    Message(&'a mut iotx_mqtt_topic_info_t),
    Text(&'static CStr),
}

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

    /// Calls the handler; `client` is the handle `IOT_MQTT_Construct` returned.
    pub fn raise(&self, client: usize, event_type: iotx_mqtt_event_type_t, arg: EventArg<'_>) {
        let msg: *mut c_void = match arg {
            EventArg::None => core::ptr::null_mut(),
            EventArg::PacketId(id) => usize::from(id) as *mut c_void,
            EventArg::Message(info) => (info as *mut iotx_mqtt_topic_info_t).cast(),
            EventArg::Text(text) => text.as_ptr().cast_mut().cast(),
        };
        let mut event = iotx_mqtt_event_msg_t { event_type, msg };
        // SAFETY: the caller registered this function with this context for these events; the
        // event struct and what it points to live until the call returns.
        unsafe { (self.func)(self.context, client as *mut c_void, &mut event) };
    }
}
