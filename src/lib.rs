//! iotmqtt: a drop-in replacement, in Rust, for the MQTT part of Alibaba's iotkit-embedded V2.10
//! C SDK. C firmware compiles against `include/` and links `libiotmqtt.a` plus its own HAL.
//!
//! Layout: `ffi` is the C boundary (the only place that takes pointers from C); `hal` wraps the
//! imported `HAL_*` functions; `driver` runs the sans-I/O session engine (`iotmqtt-engine`) over
//! a `transport`; `codec` converts bytes to engine packets; `auth` holds signing, connection
//! info and HTTPS pre-authentication; `log` prints V2.10-style lines through `HAL_Printf`.

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

#[macro_use]
pub mod log;
pub mod auth;
mod ca;
pub mod codec;
mod driver;
pub mod ffi;
#[cfg(all(iotmqtt_tls, not(iotmqtt_direct)))]
mod guider_client;
pub mod hal;
pub mod heap;
mod text;
#[cfg(any(iotmqtt_tls, test))]
mod tls;
mod transport;

#[cfg(test)]
mod codec_fuzz;
#[cfg(test)]
mod driver_tests;
#[cfg(test)]
mod make_settings;
#[cfg(test)]
mod test_hal;
