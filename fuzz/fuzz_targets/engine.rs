#![no_main]
//! See iotmqtt_fuzz_targets::engine for the input layout and the properties checked.
libfuzzer_sys::fuzz_target!(|data: &[u8]| iotmqtt_fuzz_targets::engine(data));
