//! The argument checks of the exported functions: C strings, topics and one-bit flags, each
//! refusal logged as V2.10 logs it.

use core::ffi::{c_char, c_int, CStr};

use super::codes;

/// A C string argument: None for NULL (logged as V2.10 does).
///
/// # Safety
/// `p` is NULL or points to a NUL-terminated string that outlives the returned reference.
unsafe fn c_str<'a>(p: *const c_char, name: &str) -> Option<&'a CStr> {
    if p.is_null() {
        log_err!("Invalid argument, {} = NULL", name);
        return None;
    }
    // SAFETY: non-NULL and NUL-terminated per this function's contract.
    Some(unsafe { CStr::from_ptr(p) })
}

/// A non-empty C string argument (V2.10's STRING_PTR_SANITY_CHECK): None for NULL or empty,
/// logged.
///
/// # Safety
/// As [`c_str`].
unsafe fn c_nonempty<'a>(p: *const c_char, name: &str) -> Option<&'a CStr> {
    // SAFETY: forwarded contract.
    let s = unsafe { c_str(p, name) }?;
    if s.is_empty() {
        log_err!("Invalid argument, {} is empty", name);
        return None;
    }
    Some(s)
}

/// A non-empty UTF-8 C string argument.
///
/// # Safety
/// As [`c_str`].
pub(super) unsafe fn c_text<'a>(p: *const c_char, name: &str) -> Option<&'a str> {
    // SAFETY: forwarded contract.
    let s = unsafe { c_nonempty(p, name) }?;
    s.to_str()
        .inspect_err(|_| log_err!("Invalid argument, {} is not valid UTF-8", name))
        .ok()
}

/// A topic name or filter argument: NULL or empty gets -2 (V2.10's sanity check), anything
/// else that is not a valid topic (here: not UTF-8) gets -41, as V2.10's topic check does.
///
/// # Safety
/// As [`c_str`].
pub(super) unsafe fn c_topic<'a>(p: *const c_char, name: &str) -> Result<&'a str, c_int> {
    // SAFETY: forwarded contract.
    let s = unsafe { c_nonempty(p, name) }.ok_or(codes::NULL_VALUE_ERROR)?;
    s.to_str().map_err(|_| {
        log_err!(
            "Invalid argument, {} has a character outside printable ASCII ({})",
            name,
            codes::MQTT_TOPIC_FORMAT_ERROR
        );
        codes::MQTT_TOPIC_FORMAT_ERROR
    })
}

/// V2.10 keeps these flags in one-bit fields, so only the lowest bit reaches the wire (2 is
/// sent as 0); a firmware passing another value gets what it got from V2.10, and a warning.
pub(super) fn one_bit_flag(value: u8, name: &str) -> bool {
    if value > 1 {
        log_warn!(
            "{} = {} is not 0 or 1: as in V2.10 only its lowest bit is used ({})",
            name,
            u32::from(value),
            u32::from(value & 1)
        );
    }
    value & 1 == 1
}
