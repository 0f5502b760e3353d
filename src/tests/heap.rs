//! The heap: the allocator over HAL_Malloc (alignment done by hand above HAL_Malloc's 4 bytes),
//! its counters as IOT_DumpMemoryStats prints them, and the fallible copies.

use super::hal_allocator::HalAllocator;
use super::*;
use core::alloc::GlobalAlloc;
use std::sync::atomic::Ordering::Relaxed;

use crate::tests::hal_rig::{
    fail_next_allocations, log_lines, with_allocation_budget, MALLOC_CALLS,
};

#[test]
fn the_hal_allocator_honours_every_alignment_and_counts() {
    let a = HalAllocator;
    let (allocs, frees) = (ALLOCATIONS.load(Relaxed), FREES.load(Relaxed));
    let calls = MALLOC_CALLS.load(Relaxed);
    for align in [1usize, 2, 4, 8, 16, 64, 256, 4096] {
        for size in [1usize, 3, 24, 100] {
            let layout = Layout::from_size_align(size, align).unwrap();
            // SAFETY: a non-zero layout; the block is written within its size and freed once.
            unsafe {
                let p = a.alloc(layout);
                assert!(!p.is_null());
                assert_eq!(p as usize % align, 0, "size {size} align {align}");
                p.write_bytes(0xAB, size);
                a.dealloc(p, layout);
            }
        }
    }
    // Every block came from HAL_Malloc and was counted both ways (other tests may allocate
    // through the allocator at the same time, so at least).
    assert!(MALLOC_CALLS.load(Relaxed) - calls >= 32);
    assert!(ALLOCATIONS.load(Relaxed) - allocs >= 32);
    assert!(FREES.load(Relaxed) - frees >= 32);
    assert!(MAX_ALLOCATED.load(Relaxed) >= 100);
}

#[test]
fn the_hal_allocator_refuses_what_hal_malloc_cannot_express() {
    let a = HalAllocator;
    // More than HAL_Malloc's u32 size, with small and with large alignment.
    for align in [4usize, 64] {
        let layout = Layout::from_size_align(u32::MAX as usize + 1, align).unwrap();
        // SAFETY: a valid layout; nothing is allocated.
        assert!(unsafe { a.alloc(layout) }.is_null(), "align {align}");
    }
    let near_max = Layout::from_size_align(usize::MAX / 2 - 8192, 4096).unwrap();
    // SAFETY: as above (size + alignment overflows u32, no allocation).
    assert!(unsafe { a.alloc(near_max) }.is_null());
}

#[test]
fn a_failing_hal_malloc_gives_null_and_a_log_line() {
    crate::log::open();
    crate::log::set_level(crate::log::DEBUG);
    let a = HalAllocator;
    for (size, align) in [(77_777usize, 4usize), (77_778, 32)] {
        let layout = Layout::from_size_align(size, align).unwrap();
        // The test HAL's HAL_Malloc allocates through the test allocator: its next one fails.
        fail_next_allocations(1);
        // SAFETY: a valid layout.
        let p = unsafe { a.alloc(layout) };
        assert!(p.is_null());
        assert_eq!(
            log_lines(&format!("HAL_Malloc({size}) failed: out of memory")).len(),
            1
        );
    }
}

#[test]
fn dump_prints_the_v210_summary_only_when_the_level_is_enabled() {
    crate::log::open();
    crate::log::set_level(crate::log::DEBUG);
    record_alloc(1_234_567);
    record_free(1_234_567);
    dump(crate::log::DEBUG);
    let totals = log_lines(". bytes_total_allocated:");
    assert!(!totals.is_empty());
    assert!(log_lines(". bytes_max_allocated:")
        .iter()
        .any(|l| l.contains("1234567")));
    for name in [
        "bytes_total_freed",
        "bytes_total_in_use",
        "bytes_max_in_use",
        "iterations_allocated",
        "iterations_freed",
        "iterations_in_use",
        "iterations_max_in_use",
    ] {
        assert!(!log_lines(&format!(". {name}:")).is_empty(), "{name}");
    }
    // An invalid level through IOT_DumpMemoryStats: src/ffi/tests/ffi.rs.
    // A level that is not enabled prints nothing: dump(6) is above DEBUG.
    let before = log_lines(". bytes_total_allocated:").len();
    dump(6);
    assert_eq!(log_lines(". bytes_total_allocated:").len(), before);
}

#[test]
fn fallible_copies_fail_instead_of_aborting() {
    assert_eq!(try_string("abc").as_deref(), Some("abc"));
    assert_eq!(with_allocation_budget(0, || try_string("abc")), None);
    assert_eq!(
        try_cstring(b"host").map(|c| c.into_bytes_with_nul()),
        Some(b"host\0".to_vec())
    );
    assert!(with_allocation_budget(0, || try_cstring(b"host")).is_none());
    // A NUL inside is refused.
    assert!(try_cstring(b"a\0b").is_none());
    // Counted gives the value back when its allocation fails.
    let kept = String::from("kept");
    let back = with_allocation_budget(0, || Counted::try_new(kept));
    assert_eq!(back.err().as_deref(), Some("kept"));
    let c = Counted::try_new(7u32).ok().unwrap();
    let d = c.clone();
    assert_eq!((*c, *d), (7, 7));
}
