//! A tiny `#![no_std]` staticlib linked into hal_selftest (tests/mcu/run_selftest.sh builds it
//! with rustc for the same thumb target): proves rustc's objects link with arm-none-eabi-gcc's
//! newlib multilib of that CPU and float ABI, and that arguments pass as C expects.
#![no_std]

#[no_mangle]
pub extern "C" fn iotmqtt_probe_mul_add(a: f32, b: f32, c: f32) -> f32 {
    a * b + c
}

/// # Safety
/// `p` points to `len` readable bytes.
#[no_mangle]
pub unsafe extern "C" fn iotmqtt_probe_sum(p: *const u8, len: u32) -> u32 {
    // SAFETY: the caller passes a valid buffer of len bytes.
    let bytes = unsafe { core::slice::from_raw_parts(p, len as usize) };
    bytes.iter().map(|&b| u32::from(b)).sum()
}

#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    loop {}
}
