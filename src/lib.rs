//! iotmqtt: a drop-in replacement, in Rust, for the MQTT part of Alibaba's iotkit-embedded V2.10
//! C SDK. C firmware compiles against `include/` and links `libiotmqtt.a` plus its own HAL.
//!
//! Layout: `ffi` is the C boundary (the only place that takes pointers from C, and the only one
//! that knows the V2.10 codes, events and structs: `code` in `ffi/codes.rs` maps every typed
//! error below to its code, `ffi/callback.rs` maps engine events to V2.10 events); `hal` wraps the
//! imported `HAL_*` functions; `driver` runs the sans-I/O session engine (`iotmqtt-engine`, which
//! also owns the wire format) over a `transport`, returns `driver::ClientError` and calls the
//! `driver::Handler` ffi implements; `transport` and `tls` fail with `net_error::NetError`;
//! `auth` holds signing, connection info and the pre-authentication request and reply, without
//! I/O; `setup` does the I/O of `IOT_SetupConnInfo`; `lock` makes Rust locks of `HAL_Mutex*`;
//! `log` prints V2.10-style lines through `HAL_Printf`. The whole picture: docs/ARCHITECTURE.md.
//!
//! `#![no_std]` + alloc: the HAL is the only OS seam (locks through `HAL_Mutex*`, the heap
//! through `HAL_Malloc`, a panic logs and calls the C library's `abort`). Only
//! `FEATURE_TLS_BACKEND = native` (the `tls-native` feature) brings std, for native-tls; unit
//! tests use std for their rig.

#![cfg_attr(not(any(test, feature = "tls-native")), no_std)]
#![allow(non_camel_case_types, non_snake_case)]
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing,
        clippy::unreachable,
        clippy::todo
    )
)]

extern crate alloc;

/// What std's prelude would give: `use crate::prelude::*;` in each module that allocates.
#[allow(unused_imports)] // each build uses its own subset
mod prelude {
    pub use alloc::borrow::ToOwned;
    pub use alloc::boxed::Box;
    pub use alloc::format;
    pub use alloc::string::{String, ToString};
    pub use alloc::vec::Vec;
}

/// Unreachable by design (unwrap, expect, indexing and panic! are denied): one line through
/// `HAL_Printf`, then the C library's `abort()`; no unwinding, no std panic machinery.
#[cfg(not(any(test, feature = "tls-native")))]
#[panic_handler]
fn panic(info: &core::panic::PanicInfo<'_>) -> ! {
    extern "C" {
        fn abort() -> !;
    }
    let mut line = text::FixedText::<160>::new();
    let _ = match info.location() {
        Some(at) => core::fmt::Write::write_fmt(
            &mut line,
            format_args!("[crt] iotmqtt panic at {}:{}\r\n", at.file(), at.line()),
        ),
        None => core::fmt::Write::write_str(&mut line, "[crt] iotmqtt panic\r\n"),
    };
    hal::print_text(line.as_str());
    // SAFETY: abort takes no arguments and does not return.
    unsafe { abort() }
}

/// The precompiled core and alloc of hosted targets (x86-64, ARM Linux) are built for
/// unwinding, and their unwind tables name this routine. With `panic = "abort"` nothing ever
/// unwinds, so it is never called; bare-metal targets' core is built to abort and needs none.
#[cfg(all(not(any(test, feature = "tls-native")), not(target_os = "none")))]
#[no_mangle]
extern "C" fn rust_eh_personality() {}

#[macro_use]
pub mod log;
pub mod auth;
mod ca;
mod caller_buffer;
mod driver;
pub mod ffi;
pub mod hal;
pub mod heap;
mod lock;
mod net_error;
mod setup;
mod text;
#[cfg(any(iotmqtt_tls, test))]
mod tls;
mod transport;

#[cfg(test)]
mod make_settings;
#[cfg(test)]
mod tests;
